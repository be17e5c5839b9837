//! Private keys of every supported algorithm behind one type, for backends that hold keys in
//! software (the file device).

use der::Decode as _;
use tessera_crypto::{
    digest::DigestAlgorithm,
    ecdsa::{EcCurve, EcdsaPrivateKey, SignatureEncoding},
    rsa::{RsaPadding, RsaPrivateKey},
    sm2::{DEFAULT_ID, Sm2PrivateKey},
};
use zeroize::Zeroizing;

use crate::{EncAlg, FormatError, KeyRef, MediumError, Result, SignAlg};

/// A key pair to make on a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeySpec {
    /// SM2 (GB/T 32918).
    Sm2,
    /// ECDSA on P-256 (FIPS 186-4).
    P256,
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
}

impl KeySpec {
    /// Name as on the command line: `sm2`, `p256`, `rsa2048`, `rsa3072`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sm2 => "sm2",
            Self::P256 => "p256",
            Self::Rsa2048 => "rsa2048",
            Self::Rsa3072 => "rsa3072",
        }
    }

    /// The spec named `name` (as [`KeySpec::name`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Sm2, Self::P256, Self::Rsa2048, Self::Rsa3072]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// The algorithm of a key already on a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// SM2.
    Sm2,
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
    /// RSA with a modulus of `bits`.
    Rsa { bits: u32 },
}

impl KeyAlgorithm {
    /// Name as stored and shown: `sm2`, `p256`, `p384`, `rsa2048`...
    pub fn name(self) -> String {
        match self {
            Self::Sm2 => "sm2".into(),
            Self::P256 => "p256".into(),
            Self::P384 => "p384".into(),
            Self::Rsa { bits } => format!("rsa{bits}"),
        }
    }

    /// The algorithm named `name` (as [`KeyAlgorithm::name`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sm2" => Some(Self::Sm2),
            "p256" => Some(Self::P256),
            "p384" => Some(Self::P384),
            _ => name
                .strip_prefix("rsa")
                .and_then(|b| b.parse().ok())
                .map(|bits| Self::Rsa { bits }),
        }
    }
}

/// A private key held in software.
#[derive(Debug)]
pub(crate) enum PrivateKey {
    Sm2(Sm2PrivateKey),
    Ecdsa(EcdsaPrivateKey),
    Rsa(RsaPrivateKey),
}

fn mismatch(operation: &'static str) -> MediumError {
    MediumError::KeyMismatch { operation }
}

impl PrivateKey {
    /// A fresh key from the OS CSPRNG.
    pub(crate) fn generate(spec: KeySpec) -> Result<Self> {
        Ok(match spec {
            KeySpec::Sm2 => Self::Sm2(Sm2PrivateKey::generate()?),
            KeySpec::P256 => Self::Ecdsa(EcdsaPrivateKey::generate(EcCurve::P256)?),
            KeySpec::Rsa2048 => Self::Rsa(RsaPrivateKey::generate(2048)?),
            KeySpec::Rsa3072 => Self::Rsa(RsaPrivateKey::generate(3072)?),
        })
    }

    /// From DER PKCS#8 (RFC 5958): SM2 (either OID form), P-256/P-384, RSA.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| FormatError::Invalid {
            what: "private key",
            reason: e.to_string(),
        })?;
        if tessera_crypto::sm2::is_sm2_algorithm(&info.algorithm) {
            return Ok(Self::Sm2(Sm2PrivateKey::from_der(der)?));
        }
        if let Ok(k) = EcdsaPrivateKey::from_der(der) {
            return Ok(Self::Ecdsa(k));
        }
        if let Ok(k) = RsaPrivateKey::from_der(der) {
            return Ok(Self::Rsa(k));
        }
        Err(FormatError::Invalid {
            what: "private key",
            reason: format!("unsupported algorithm {}", info.algorithm.oid),
        }
        .into())
    }

    /// DER PKCS#8.
    pub(crate) fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(match self {
            Self::Sm2(k) => k.to_pkcs8_der()?,
            Self::Ecdsa(k) => k.to_pkcs8_der()?,
            Self::Rsa(k) => k.to_pkcs8_der()?,
        })
    }

    pub(crate) fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::Sm2(_) => KeyAlgorithm::Sm2,
            Self::Ecdsa(k) => match k.curve() {
                EcCurve::P384 => KeyAlgorithm::P384,
                _ => KeyAlgorithm::P256,
            },
            Self::Rsa(k) => KeyAlgorithm::Rsa {
                bits: u32::try_from(k.public_key().bits()).unwrap_or(u32::MAX),
            },
        }
    }

    /// DER SubjectPublicKeyInfo of the public half.
    pub(crate) fn spki_der(&self) -> Result<Vec<u8>> {
        Ok(match self {
            Self::Sm2(k) => k.public_key().to_spki_der()?,
            Self::Ecdsa(k) => k.public_key().to_spki_der()?,
            Self::Rsa(k) => k.public_key().to_spki_der()?,
        })
    }

    /// Signs per `alg`; see [`SignAlg`].
    pub(crate) fn sign(&self, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>> {
        match (self, alg) {
            (Self::Sm2(k), SignAlg::Sm2Sm3 { id }) => {
                let id = id.as_deref().unwrap_or(DEFAULT_ID);
                Ok(k.sign(id, data)?.to_der())
            }
            (Self::Sm2(k), SignAlg::Sm2Prehashed) => {
                let e: &[u8; 32] =
                    data.try_into()
                        .map_err(|_| tessera_crypto::CryptoError::InvalidInput {
                            algorithm: "SM2",
                            reason: "the digest must be 32 bytes",
                        })?;
                Ok(k.sign_digest(e)?.to_der())
            }
            (Self::Ecdsa(k), SignAlg::Ecdsa { digest }) => {
                Ok(k.sign(*digest, data, SignatureEncoding::Der)?)
            }
            (Self::Ecdsa(k), SignAlg::EcdsaPrehashed) => {
                Ok(k.sign_prehash(data, SignatureEncoding::Der)?)
            }
            (Self::Rsa(k), SignAlg::RsaPkcs1 { digest }) => {
                Ok(k.sign(RsaPadding::Pkcs1v15, *digest, data)?)
            }
            (Self::Rsa(k), SignAlg::RsaPkcs1Prehashed { digest }) => {
                Ok(k.sign_prehash(RsaPadding::Pkcs1v15, *digest, data)?)
            }
            (Self::Rsa(k), SignAlg::RsaPss { digest }) => {
                Ok(k.sign(RsaPadding::Pss, *digest, data)?)
            }
            _ => Err(mismatch("this signature scheme")),
        }
    }

    /// Decrypts per `alg`.
    pub(crate) fn decrypt(&self, alg: &EncAlg, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        match (self, alg) {
            (Self::Sm2(k), EncAlg::Sm2 { format }) => Ok(k.decrypt(data, *format)?),
            _ => Err(mismatch("this decryption scheme")),
        }
    }
}

/// The key reference for a public key: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2
/// method 1), the same whichever OID form an SM2 key is written in.
pub(crate) fn key_id_of_spki(spki_der: &[u8]) -> Result<KeyRef> {
    let spki =
        spki::SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| FormatError::Invalid {
            what: "public key",
            reason: e.to_string(),
        })?;
    Ok(KeyRef::new(
        DigestAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes()),
    ))
}
