//! Wrapping CA private keys and cloud key shares at rest under the master key, with the one
//! key-wrapping format of `tessera_crypto::wrap`: the master key as key-encryption key, SM4-GCM
//! (RFC 8998), a random 96-bit nonce, and the key's name as associated data
//! (`tessera master key: <name>`), so that a wrapped key moved to another name does not open.
//!
//! Blobs written by earlier versions (`T1 || nonce || SM4-GCM(plaintext) || tag`, under
//! `HMAC-SM3(master, "tessera: CA key sealing, SM4-GCM, v1")[..16]`, associated data
//! `tessera ca key: <name>`) still unwrap; what is wrapped anew uses the current format.

use std::path::Path;

use base64::Engine as _;
use tessera_crypto::wrap::{self as key_wrap, Aead, Kek};
use tessera_crypto::{hmac::hmac_sm3, rng, sm4};
use zeroize::Zeroizing;

use crate::files::{FileError, read_secret, write_secret};

/// File holding the master key (32 raw bytes, mode 0600) when none is configured.
pub const MASTER_KEY_FILE: &str = "master-key";

/// Environment variable that gives the master key (64 hex digits or base64 of 32 bytes).
pub const MASTER_KEY_ENV: &str = "TESSERA_MASTER_KEY";

/// Prefix of the blobs of earlier versions.
const LEGACY_T1: &[u8; 2] = b"T1";
const LEGACY_NONCE_LEN: usize = 12;

/// Wrapping or unwrapping under the master key failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MasterKeyError {
    /// The configured master key is not 32 bytes in hex or base64.
    #[error("the master key must be 32 bytes, as 64 hex digits or base64")]
    BadMasterKey,
    /// The master key file.
    #[error(transparent)]
    File(#[from] FileError),
    /// A wrapped blob that does not open: another master key, another name, or tampered with.
    #[error("wrapped {name} does not open under this master key")]
    Unwrap {
        /// The key's name.
        name: String,
    },
    /// The key-wrapping format (the OS random source, a message too long).
    #[error(transparent)]
    Wrap(#[from] key_wrap::WrapError),
    /// The algorithm layer.
    #[error(transparent)]
    Crypto(#[from] tessera_crypto::CryptoError),
}

/// The 32-byte master key. `Debug` hides it; zeroized on drop.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// From 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// From 64 hex digits or base64 of 32 bytes.
    pub fn from_text(text: &str) -> Result<Self, MasterKeyError> {
        let text = text.trim();
        let bytes = Zeroizing::new(
            hex::decode(text)
                .ok()
                .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
                .ok_or(MasterKeyError::BadMasterKey)?,
        );
        let bytes: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| MasterKeyError::BadMasterKey)?;
        Ok(Self::from_bytes(bytes))
    }

    /// The key given (config or `TESSERA_MASTER_KEY`), else `DIR/master-key`, created with 32
    /// random bytes on first use. The flag says whether it was created.
    pub fn load_or_create(dir: &Path, given: Option<&str>) -> Result<(Self, bool), MasterKeyError> {
        if let Some(text) = given {
            return Ok((Self::from_text(text)?, false));
        }
        let path = dir.join(MASTER_KEY_FILE);
        if let Some(bytes) = read_secret(&path)? {
            let bytes = Zeroizing::new(bytes);
            let bytes: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| MasterKeyError::BadMasterKey)?;
            return Ok((Self::from_bytes(bytes), false));
        }
        let key = Self::from_bytes(rng::bytes::<32>()?);
        write_secret(&path, key.0.as_slice())?;
        Ok((key, true))
    }

    fn kek(&self) -> Result<Kek, MasterKeyError> {
        Ok(Kek::from_bytes(self.0.as_slice())?)
    }

    fn ad(name: &str) -> Vec<u8> {
        format!("tessera master key: {name}").into_bytes()
    }

    /// Wraps `plaintext` (a PKCS#8 key, a key share) under the master key, bound to `name`.
    pub fn wrap(&self, name: &str, plaintext: &[u8]) -> Result<Vec<u8>, MasterKeyError> {
        Ok(key_wrap::wrap_with_kek(
            &self.kek()?,
            Aead::Sm4Gcm,
            &Self::ad(name),
            plaintext,
        )?)
    }

    /// Unwraps what [`Self::wrap`] (or an earlier version) made for `name`.
    pub fn unwrap(&self, name: &str, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        let fail = || MasterKeyError::Unwrap {
            name: name.to_owned(),
        };
        if let Some(rest) = wrapped.strip_prefix(LEGACY_T1.as_slice()) {
            return self.unwrap_t1(name, rest).ok_or_else(fail);
        }
        key_wrap::unwrap_with_kek(&self.kek()?, &Self::ad(name), wrapped).map_err(|_| fail())
    }

    /// The format of earlier versions: `nonce || SM4-GCM(plaintext) || tag` after `T1`.
    fn unwrap_t1(&self, name: &str, rest: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mac = Zeroizing::new(hmac_sm3(
            self.0.as_slice(),
            b"tessera: CA key sealing, SM4-GCM, v1",
        ));
        let key: [u8; 16] = mac.get(..16)?.try_into().ok()?;
        let key = Zeroizing::new(key);
        let nonce: [u8; LEGACY_NONCE_LEN] = rest.get(..LEGACY_NONCE_LEN)?.try_into().ok()?;
        let body = rest.get(LEGACY_NONCE_LEN..)?;
        let ad = format!("tessera ca key: {name}");
        sm4::gcm_open(&key, &nonce, ad.as_bytes(), body).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn wrap_is_bound_to_key_and_name() {
        let key = MasterKey::from_bytes([7; 32]);
        let wrapped = key.wrap("root", b"secret pkcs8").unwrap();
        assert!(key_wrap::Header::is_wrapped(&wrapped));
        assert_eq!(
            key.unwrap("root", &wrapped).unwrap().as_slice(),
            b"secret pkcs8"
        );
        assert!(key.unwrap("issuing", &wrapped).is_err());
        assert!(
            MasterKey::from_bytes([8; 32])
                .unwrap("root", &wrapped)
                .is_err()
        );
        let mut bad = wrapped.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert!(key.unwrap("root", &bad).is_err());
        assert!(key.unwrap("root", b"T1").is_err());
        assert!(key.unwrap("root", b"").is_err());
        assert!(MasterKey::from_text(&hex::encode([1u8; 32])).is_ok());
        assert!(MasterKey::from_text("short").is_err());
    }

    /// `tests/data/master-key-t1.json`: blobs the code of commit edb9be9 wrote (see
    /// `tests/data/README.md`) still unwrap, and only under their own names.
    #[test]
    fn blobs_of_earlier_versions_unwrap() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/master-key-t1.json")).unwrap();
        let text = |k: &str| fixture[k].as_str().unwrap().to_owned();
        let key = MasterKey::from_text(&text("master_key_hex")).unwrap();
        let issuing = hex::decode(text("issuing")).unwrap();
        assert_eq!(
            key.unwrap("issuing", &issuing).unwrap().as_slice(),
            b"issuing CA PKCS#8 stand-in"
        );
        assert!(key.unwrap("root", &issuing).is_err());
        let share = hex::decode(text("cloud:acct-1")).unwrap();
        assert_eq!(
            key.unwrap("cloud:acct-1", &share).unwrap().as_slice(),
            [0x33; 32]
        );
        assert!(
            MasterKey::from_bytes([0; 32])
                .unwrap("cloud:acct-1", &share)
                .is_err()
        );
    }
}
