//! RSA signatures: PKCS#1 v1.5 and PSS (RFC 8017 §8), keys of 2048 to 4096 bits for new keys;
//! verification accepts 1024 to 8192 bits, as found in real certificates.

use rsa::{
    pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _},
    pkcs8::{
        DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _,
    },
    traits::PublicKeyParts as _,
};
use zeroize::Zeroizing;

use crate::{CryptoError, Result, digest::DigestAlgorithm, rng::SysRng};

const ALG: &str = "RSA";

/// Signature padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaPadding {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    Pkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1), MGF1 with the same digest; signing uses a salt as long as the
    /// digest, verification accepts any salt length.
    Pss,
}

/// An RSA private key.
#[derive(Clone)]
pub struct RsaPrivateKey(rsa::PrivateKey);

impl std::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPrivateKey({} bits)", self.0.size() * 8)
    }
}

/// An RSA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey(rsa::PublicKey);

fn invalid(reason: &'static str) -> CryptoError {
    CryptoError::InvalidKey {
        algorithm: ALG,
        reason,
    }
}

impl RsaPrivateKey {
    /// A fresh key of `bits` (2048 to 4096, a multiple of 8) with e = 65537.
    pub fn generate(bits: usize) -> Result<Self> {
        if !(2048..=4096).contains(&bits) || !bits.is_multiple_of(8) {
            return Err(invalid("new keys are 2048 to 4096 bits"));
        }
        rsa::PrivateKey::new(&mut SysRng, bits)
            .map(Self)
            .map_err(|_| CryptoError::Rng)
    }

    /// From DER PKCS#8 or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map(Self)
            .map_err(|_| invalid("not an RSA private key"))
    }

    /// DER PKCS#8.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.0.to_pkcs8_der().map_err(|_| invalid("encoding"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey(self.0.to_public_key())
    }

    /// Hashes `msg` with `digest` and signs it.
    pub fn sign(
        &self,
        padding: RsaPadding,
        digest: DigestAlgorithm,
        msg: &[u8],
    ) -> Result<Vec<u8>> {
        self.sign_prehash(padding, digest, &digest.digest(msg))
    }

    /// Signs a hash computed elsewhere with `digest`.
    pub fn sign_prehash(
        &self,
        padding: RsaPadding,
        digest: DigestAlgorithm,
        hash: &[u8],
    ) -> Result<Vec<u8>> {
        let fail = |_| CryptoError::InvalidInput {
            algorithm: ALG,
            reason: "hash length does not match the digest",
        };
        if hash.len() != digest.output_len() {
            return Err(CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "hash length does not match the digest",
            });
        }
        match padding {
            RsaPadding::Pkcs1v15 => self.0.sign(pkcs1v15_scheme(digest)?, hash).map_err(fail),
            RsaPadding::Pss => match digest {
                DigestAlgorithm::Sha256 => {
                    self.0
                        .sign_with_rng(&mut SysRng, rsa::Pss::<sha2::Sha256>::new(), hash)
                }
                DigestAlgorithm::Sha384 => {
                    self.0
                        .sign_with_rng(&mut SysRng, rsa::Pss::<sha2::Sha384>::new(), hash)
                }
                DigestAlgorithm::Sha512 => {
                    self.0
                        .sign_with_rng(&mut SysRng, rsa::Pss::<sha2::Sha512>::new(), hash)
                }
                DigestAlgorithm::Sm3 => {
                    self.0
                        .sign_with_rng(&mut SysRng, rsa::Pss::<sm3::Sm3>::new(), hash)
                }
                _ => return Err(unsupported_digest()),
            }
            .map_err(fail),
        }
    }
}

fn unsupported_digest() -> CryptoError {
    CryptoError::InvalidInput {
        algorithm: ALG,
        reason: "digest not allowed for RSA signatures",
    }
}

fn pkcs1v15_scheme(digest: DigestAlgorithm) -> Result<rsa::Pkcs1v15Sign> {
    Ok(match digest {
        DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        _ => return Err(unsupported_digest()),
    })
}

impl RsaPublicKey {
    /// From DER SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        rsa::PublicKey::from_public_key_der(der)
            .or_else(|_| rsa::PublicKey::from_pkcs1_der(der))
            .map(Self)
            .map_err(|_| invalid("not an RSA public key"))
    }

    /// DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        Ok(self
            .0
            .to_public_key_der()
            .map_err(|_| invalid("encoding"))?
            .as_bytes()
            .to_vec())
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }

    /// Verifies `sig` over `msg` hashed with `digest`.
    pub fn verify(
        &self,
        padding: RsaPadding,
        digest: DigestAlgorithm,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<()> {
        self.verify_prehash(padding, digest, &digest.digest(msg), sig)
    }

    /// Verifies `sig` over a hash computed elsewhere with `digest`.
    pub fn verify_prehash(
        &self,
        padding: RsaPadding,
        digest: DigestAlgorithm,
        hash: &[u8],
        sig: &[u8],
    ) -> Result<()> {
        let bad = |_| CryptoError::BadSignature { algorithm: ALG };
        match padding {
            RsaPadding::Pkcs1v15 => self
                .0
                .verify(pkcs1v15_scheme(digest)?, hash, sig)
                .map_err(bad),
            RsaPadding::Pss => {
                macro_rules! pss_any_salt {
                    ($d:ty) => {{
                        let mut scheme = rsa::Pss::<$d>::new();
                        scheme.salt_len = None;
                        self.0.verify(scheme, hash, sig).map_err(bad)
                    }};
                }
                match digest {
                    DigestAlgorithm::Sha1 => pss_any_salt!(sha1::Sha1),
                    DigestAlgorithm::Sha256 => pss_any_salt!(sha2::Sha256),
                    DigestAlgorithm::Sha384 => pss_any_salt!(sha2::Sha384),
                    DigestAlgorithm::Sha512 => pss_any_salt!(sha2::Sha512),
                    DigestAlgorithm::Sm3 => pss_any_salt!(sm3::Sm3),
                    DigestAlgorithm::Md5 => Err(unsupported_digest()),
                }
            }
        }
    }
}
