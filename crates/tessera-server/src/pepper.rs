//! Keyed hashes for short secrets at rest (SMS codes, captcha answers).
//!
//! A 6-digit code hashed alone could be found by trying all 10^6 values; keyed with a random
//! service secret kept outside the database, a leaked table alone tells nothing.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The service's hashing key; `Debug` never shows it.
#[derive(Clone)]
pub struct Pepper([u8; 32]);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(***)")
    }
}

impl Pepper {
    /// Wraps 32 bytes read from the data folder.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key from the OS CSPRNG.
    pub fn random() -> Result<Self, tessera_crypto::CryptoError> {
        Ok(Self::from_bytes(tessera_crypto::rng::bytes::<32>()?))
    }

    /// The raw key, for writing to the data folder.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// SHA-256(key ‖ context ‖ 0 ‖ part₁ ‖ 0 ‖ part₂ ‖ 0 …); parts must not contain NUL.
    pub fn hash(&self, context: &str, parts: &[&str]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.0);
        h.update(context.as_bytes());
        for part in parts {
            h.update([0u8]);
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// Whether `stored` equals the hash of `parts`, in constant time.
    pub fn verify(&self, context: &str, parts: &[&str], stored: &[u8]) -> bool {
        self.hash(context, parts).ct_eq(stored).into()
    }
}
