//! The CA's signing key: SM2, ECDSA P-256/P-384 or RSA, and the signature AlgorithmIdentifier
//! it names in what it signs (RFC 5280 §4.1.1.2, §5.1.1.2).

use const_oid::ObjectIdentifier;
use der::{Decode as _, asn1::Any};
use spki::AlgorithmIdentifierOwned;
use tessera_crypto::{
    digest::DigestAlgorithm,
    ecdsa::{EcCurve, EcdsaPrivateKey, SignatureEncoding},
    rsa::{RsaPadding, RsaPrivateKey},
    sm2::{DEFAULT_ID, SM2_WITH_SM3_OID, Sm2PrivateKey},
};
use zeroize::Zeroizing;

use super::IssueError;

/// ecdsa-with-SHA256 (RFC 5758 §3.2).
pub(super) const ECDSA_WITH_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384 (RFC 5758 §3.2).
pub(super) const ECDSA_WITH_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512 (RFC 5758 §3.2).
pub(super) const ECDSA_WITH_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// sha256WithRSAEncryption (RFC 4055 §5).
pub(super) const SHA256_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption (RFC 4055 §5).
pub(super) const SHA384_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption (RFC 4055 §5).
pub(super) const SHA512_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// id-RSASSA-PSS (RFC 4055 §3.1).
pub(super) const RSASSA_PSS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Which kind of key a CA gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaAlgorithm {
    /// SM2 (GB/T 32918), signing SM2-with-SM3 with the default ID (GM/T 0015).
    Sm2,
    /// ECDSA on P-256, signing ecdsa-with-SHA256.
    P256,
    /// ECDSA on P-384, signing ecdsa-with-SHA384.
    P384,
    /// RSA with a modulus of `bits` (2048 to 4096), signing sha256WithRSAEncryption.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
}

impl CaAlgorithm {
    /// Reads a configuration name: `sm2`, `p256`/`ecdsa-p256`, `p384`/`ecdsa-p384`, `rsa`
    /// (2048 bits) or `rsa-BITS`. Case-insensitive.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "sm2" => Some(Self::Sm2),
            "p256" | "p-256" | "ecdsa-p256" | "ecdsa-p-256" | "ecdsa" => Some(Self::P256),
            "p384" | "p-384" | "ecdsa-p384" | "ecdsa-p-384" => Some(Self::P384),
            "rsa" => Some(Self::Rsa { bits: 2048 }),
            _ => name
                .strip_prefix("rsa-")
                .or_else(|| name.strip_prefix("rsa"))
                .and_then(|bits| bits.parse().ok())
                .filter(|bits| (2048..=4096).contains(bits))
                .map(|bits| Self::Rsa { bits }),
        }
    }

    /// The configuration name [`Self::from_name`] reads back.
    pub fn name(self) -> String {
        match self {
            Self::Sm2 => "sm2".to_owned(),
            Self::P256 => "p256".to_owned(),
            Self::P384 => "p384".to_owned(),
            Self::Rsa { bits } => format!("rsa-{bits}"),
        }
    }
}

/// A private key that signs certificates and CRLs.
#[derive(Clone)]
#[non_exhaustive]
pub enum CaKey {
    /// SM2.
    Sm2(Sm2PrivateKey),
    /// ECDSA P-256 or P-384.
    Ecdsa(EcdsaPrivateKey),
    /// RSA.
    Rsa(RsaPrivateKey),
}

impl std::fmt::Debug for CaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CaKey").field(&self.algorithm()).finish()
    }
}

impl CaKey {
    /// A fresh key from the OS CSPRNG. RSA takes seconds: call it off the async runtime.
    pub fn generate(algorithm: CaAlgorithm) -> Result<Self, IssueError> {
        Ok(match algorithm {
            CaAlgorithm::Sm2 => Self::Sm2(Sm2PrivateKey::generate()?),
            CaAlgorithm::P256 => Self::Ecdsa(EcdsaPrivateKey::generate(EcCurve::P256)?),
            CaAlgorithm::P384 => Self::Ecdsa(EcdsaPrivateKey::generate(EcCurve::P384)?),
            CaAlgorithm::Rsa { bits } => Self::Rsa(RsaPrivateKey::generate(bits)?),
        })
    }

    /// Reads a DER PKCS#8 PrivateKeyInfo (RFC 5208) holding an SM2, P-256, P-384 or RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, IssueError> {
        if let Ok(k) = Sm2PrivateKey::from_der(der) {
            return Ok(Self::Sm2(k));
        }
        if let Ok(k) = EcdsaPrivateKey::from_der(der) {
            return Ok(Self::Ecdsa(k));
        }
        RsaPrivateKey::from_der(der)
            .map(Self::Rsa)
            .map_err(|_| IssueError::UnsupportedKey {
                reason: "not an SM2, P-256, P-384 or RSA PKCS#8 key",
            })
    }

    /// DER PKCS#8 PrivateKeyInfo, zeroized on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, IssueError> {
        Ok(match self {
            Self::Sm2(k) => k.to_pkcs8_der()?,
            Self::Ecdsa(k) => k.to_pkcs8_der()?,
            Self::Rsa(k) => k.to_pkcs8_der()?,
        })
    }

    /// The public key as a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub fn spki_der(&self) -> Result<Vec<u8>, IssueError> {
        Ok(match self {
            Self::Sm2(k) => k.public_key().to_spki_der()?,
            Self::Ecdsa(k) => k.public_key().to_spki_der()?,
            Self::Rsa(k) => k.public_key().to_spki_der()?,
        })
    }

    /// What kind of key this is.
    pub fn algorithm(&self) -> CaAlgorithm {
        match self {
            Self::Sm2(_) => CaAlgorithm::Sm2,
            Self::Ecdsa(k) => match k.curve() {
                EcCurve::P384 => CaAlgorithm::P384,
                _ => CaAlgorithm::P256,
            },
            Self::Rsa(k) => CaAlgorithm::Rsa {
                bits: k.public_key().bits(),
            },
        }
    }

    /// The signature AlgorithmIdentifier this key puts in `signature` and
    /// `signatureAlgorithm` (RFC 5280 §4.1.1.2): SM2-with-SM3 with parameters absent
    /// (GM/T 0015), ecdsa-with-SHA256/384 with parameters absent (RFC 5758 §3.2),
    /// sha256WithRSAEncryption with NULL parameters (RFC 4055 §5).
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let (oid, parameters) = match self.algorithm() {
            CaAlgorithm::Sm2 => (SM2_WITH_SM3_OID, None),
            CaAlgorithm::P384 => (ECDSA_WITH_SHA384, None),
            CaAlgorithm::P256 => (ECDSA_WITH_SHA256, None),
            CaAlgorithm::Rsa { .. } => (SHA256_WITH_RSA, Any::from_der(&[0x05, 0x00]).ok()),
        };
        AlgorithmIdentifierOwned { oid, parameters }
    }

    /// Signs `tbs` (a DER TBSCertificate, TBSCertList or CertificationRequestInfo) and returns
    /// the signature as it goes into the BIT STRING: DER `SEQUENCE { r, s }` for SM2 (with Z_A
    /// over the default ID, GB/T 32918.2 §6.1) and ECDSA, the PKCS#1 v1.5 block for RSA.
    pub fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, IssueError> {
        Ok(match self {
            Self::Sm2(k) => k.sign(DEFAULT_ID, tbs)?.to_der(),
            Self::Ecdsa(k) => {
                let digest = match k.curve() {
                    EcCurve::P384 => DigestAlgorithm::Sha384,
                    _ => DigestAlgorithm::Sha256,
                };
                k.sign(digest, tbs, SignatureEncoding::Der)?
            }
            Self::Rsa(k) => k.sign(RsaPadding::Pkcs1v15, DigestAlgorithm::Sha256, tbs)?,
        })
    }
}

impl crate::signer::Signer for CaKey {
    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        self.signature_algorithm()
    }

    fn spki_der(&self) -> Result<Vec<u8>, IssueError> {
        CaKey::spki_der(self)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssueError> {
        CaKey::sign(self, message)
    }
}
