//! SM2 keys in their standard containers: SEC1 `ECPrivateKey` (RFC 5915), PKCS#8 (RFC 5958),
//! SubjectPublicKeyInfo (RFC 5480), and PEM around them (RFC 7468).
//!
//! The key algorithm is either id-ecPublicKey with the SM2 curve as parameter, or the SM2 curve
//! OID itself (GM/T 0006); both are read, the first is written.

use der::{Decode as _, Encode as _, asn1::BitStringRef};
use pkcs8::PrivateKeyInfoRef;
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::{ALG, CURVE_OID, Sm2PrivateKey, Sm2PublicKey};
use crate::{CryptoError, Result};

/// id-ecPublicKey (RFC 5480 §2.1.1).
pub const EC_PUBLIC_KEY_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

fn invalid(reason: &'static str) -> CryptoError {
    CryptoError::InvalidKey {
        algorithm: ALG,
        reason,
    }
}

/// Whether an algorithm identifier names an SM2 key, in either of the forms in use.
pub fn is_sm2_algorithm(alg: &AlgorithmIdentifierRef<'_>) -> bool {
    match alg.oids() {
        Ok((oid, _)) if oid == CURVE_OID => true,
        Ok((oid, Some(param))) => oid == EC_PUBLIC_KEY_OID && param == CURVE_OID,
        _ => false,
    }
}

impl Sm2PublicKey {
    /// From a DER SubjectPublicKeyInfo naming SM2.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| invalid("malformed SubjectPublicKeyInfo"))?;
        if !is_sm2_algorithm(&spki.algorithm) {
            return Err(invalid("SubjectPublicKeyInfo does not name SM2"));
        }
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(invalid("public key has unused bits"))?;
        Self::from_sec1_bytes(bits)
    }

    /// DER SubjectPublicKeyInfo with id-ecPublicKey and the SM2 curve.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        let point = self.to_sec1_uncompressed();
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: EC_PUBLIC_KEY_OID,
                parameters: Some((&CURVE_OID).into()),
            },
            subject_public_key: BitStringRef::from_bytes(&point)
                .map_err(|_| invalid("encoding"))?,
        };
        spki.to_der().map_err(|_| invalid("encoding"))
    }

    /// From PEM `PUBLIC KEY`.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let der = pem_block(pem, &["PUBLIC KEY"]).ok_or(invalid("no PUBLIC KEY block"))?;
        Self::from_spki_der(&der)
    }
}

impl Sm2PrivateKey {
    /// From a DER PKCS#8 PrivateKeyInfo or SEC1 ECPrivateKey holding an SM2 key.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if let Ok(info) = PrivateKeyInfoRef::from_der(der) {
            if !is_sm2_algorithm(&info.algorithm) {
                return Err(invalid("PKCS#8 key is not SM2"));
            }
            return Self::from_sec1_der(info.private_key.as_bytes());
        }
        Self::from_sec1_der(der)
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self> {
        let key = EcPrivateKey::from_der(der).map_err(|_| invalid("malformed ECPrivateKey"))?;
        if let Some(EcParameters::NamedCurve(curve)) = key.parameters
            && curve != CURVE_OID
        {
            return Err(invalid("ECPrivateKey names another curve"));
        }
        let mut scalar = Zeroizing::new([0u8; 32]);
        let d = key.private_key;
        if d.len() > 32 {
            return Err(invalid("private key longer than 32 bytes"));
        }
        scalar[32 - d.len()..].copy_from_slice(d);
        let sk = Self::from_bytes(&*scalar)?;
        if let Some(public) = key.public_key
            && Sm2PublicKey::from_sec1_bytes(public)? != *sk.public_key()
        {
            return Err(invalid(
                "embedded public key does not match the private key",
            ));
        }
        Ok(sk)
    }

    /// DER PKCS#8 PrivateKeyInfo (id-ecPublicKey, SM2 curve) around a SEC1 ECPrivateKey.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let d = self.to_bytes();
        let public = self.public_key().to_sec1_uncompressed();
        let sec1 = EcPrivateKey {
            private_key: &*d,
            parameters: None,
            public_key: Some(&public),
        };
        let sec1_der = Zeroizing::new(sec1.to_der().map_err(|_| invalid("encoding"))?);
        let info = PrivateKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: EC_PUBLIC_KEY_OID,
                parameters: Some((&CURVE_OID).into()),
            },
            private_key: der::asn1::OctetStringRef::new(&sec1_der)
                .map_err(|_| invalid("encoding"))?,
            public_key: None,
        };
        Ok(Zeroizing::new(
            info.to_der().map_err(|_| invalid("encoding"))?,
        ))
    }

    /// PEM `PRIVATE KEY` (PKCS#8).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der = self.to_pkcs8_der()?;
        pem_rfc7468::encode_string("PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der)
            .map(Zeroizing::new)
            .map_err(|_| invalid("encoding"))
    }

    /// From PEM: `PRIVATE KEY`, `EC PRIVATE KEY` or `SM2 PRIVATE KEY`; other blocks (such as
    /// `EC PARAMETERS` before the key) are skipped.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let der = pem_block(pem, &["PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY"])
            .ok_or(invalid("no private key PEM block"))?;
        Self::from_der(&der)
    }
}

/// The DER content of the first PEM block whose label is one of `labels`.
fn pem_block(pem: &str, labels: &[&str]) -> Option<Zeroizing<Vec<u8>>> {
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let end_marker = block.find("-----END ")?;
        let end = block[end_marker..]
            .find("\n")
            .map_or(block.len(), |i| end_marker + i + 1);
        let text = &block[..end];
        if let Ok((label, der)) = pem_rfc7468::decode_vec(text.as_bytes()) {
            let der = Zeroizing::new(der);
            if labels.contains(&label) {
                return Some(der);
            }
        }
        rest = &block[end..];
    }
    None
}
