//! A public key of any supported algorithm, read from a SubjectPublicKeyInfo (RFC 5280
//! §4.1.2.7), and signature verification through it.

use crate::{
    CryptoError, Result,
    digest::DigestAlgorithm,
    ecdsa::{EcdsaPublicKey, SignatureEncoding},
    rsa::{RsaPadding, RsaPublicKey},
    sm2::{Sm2PublicKey, Sm2Signature},
};

/// A public key: SM2, ECDSA P-256/P-384 or RSA.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    Sm2(Sm2PublicKey),
    Ecdsa(EcdsaPublicKey),
    Rsa(RsaPublicKey),
}

/// How a signature to verify was made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyAlgorithm {
    /// SM2 with SM3 and Z_A over the signer `id` (GB/T 32918.2); DER `SEQUENCE { r, s }`.
    Sm2 { id: Vec<u8> },
    /// ECDSA over the message hashed with `digest`; DER signature.
    Ecdsa { digest: DigestAlgorithm },
    /// RSA with `padding` over the message hashed with `digest`.
    Rsa {
        padding: RsaPadding,
        digest: DigestAlgorithm,
    },
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo naming SM2 (either form), an EC key on P-256/P-384, or
    /// RSA.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        if let Ok(k) = Sm2PublicKey::from_spki_der(der) {
            return Ok(Self::Sm2(k));
        }
        if let Ok(k) = EcdsaPublicKey::from_spki_der(der) {
            return Ok(Self::Ecdsa(k));
        }
        if let Ok(k) = RsaPublicKey::from_der(der) {
            return Ok(Self::Rsa(k));
        }
        Err(CryptoError::InvalidKey {
            algorithm: "public",
            reason: "not an SM2, P-256, P-384 or RSA key",
        })
    }

    /// The verification this key gets unless told otherwise: SM2 with the default ID, ECDSA with
    /// its curve's digest, RSA PKCS#1 v1.5 with SHA-256.
    pub fn default_algorithm(&self) -> VerifyAlgorithm {
        match self {
            Self::Sm2(_) => VerifyAlgorithm::Sm2 {
                id: crate::sm2::DEFAULT_ID.to_vec(),
            },
            Self::Ecdsa(k) => VerifyAlgorithm::Ecdsa {
                digest: k.curve().default_digest(),
            },
            Self::Rsa(_) => VerifyAlgorithm::Rsa {
                padding: RsaPadding::Pkcs1v15,
                digest: DigestAlgorithm::Sha256,
            },
        }
    }

    /// Verifies `sig` over `msg`; an algorithm that does not fit the key is an error.
    pub fn verify(&self, alg: &VerifyAlgorithm, msg: &[u8], sig: &[u8]) -> Result<()> {
        match (self, alg) {
            (Self::Sm2(k), VerifyAlgorithm::Sm2 { id }) => {
                k.verify(id, msg, &Sm2Signature::from_der(sig)?)
            }
            (Self::Ecdsa(k), VerifyAlgorithm::Ecdsa { digest }) => {
                k.verify(*digest, msg, sig, SignatureEncoding::Der)
            }
            (Self::Rsa(k), VerifyAlgorithm::Rsa { padding, digest }) => {
                k.verify(*padding, *digest, msg, sig)
            }
            _ => Err(CryptoError::InvalidInput {
                algorithm: "verify",
                reason: "algorithm does not fit the key",
            }),
        }
    }
}
