//! Sealing CA private keys at rest under the master key: SM4-GCM (RFC 8998) with a key derived
//! from the master key by HMAC-SM3, a random 96-bit nonce, and the key's name as associated
//! data, so a sealed key moved to another name does not open.

use std::path::Path;

use base64::Engine as _;
use tessera_crypto::{hmac::hmac_sm3, rng, sm4};

use crate::files::{FileError, read_secret, write_secret};

/// File holding the master key (32 raw bytes, mode 0600) when none is configured.
pub const MASTER_KEY_FILE: &str = "master-key";

/// Environment variable that gives the master key (64 hex digits or base64 of 32 bytes).
pub const MASTER_KEY_ENV: &str = "TESSERA_MASTER_KEY";

const FORMAT: &[u8; 2] = b"T1";
const NONCE_LEN: usize = 12;

/// Sealing or opening failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The configured master key is not 32 bytes in hex or base64.
    #[error("the master key must be 32 bytes, as 64 hex digits or base64")]
    BadMasterKey,
    /// The master key file.
    #[error(transparent)]
    File(#[from] FileError),
    /// A sealed blob that does not open: another master key, another name, or tampered with.
    #[error("sealed {name} does not open under this master key")]
    Open {
        /// The key's name.
        name: String,
    },
    /// The algorithm layer.
    #[error(transparent)]
    Crypto(#[from] tessera_crypto::CryptoError),
}

/// The 32-byte master key. `Debug` hides it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

impl MasterKey {
    /// From 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// From 64 hex digits or base64 of 32 bytes.
    pub fn from_text(text: &str) -> Result<Self, SealError> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .ok_or(SealError::BadMasterKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadMasterKey)?;
        Ok(Self(bytes))
    }

    /// The key given (config or `TESSERA_MASTER_KEY`), else `DIR/master-key`, created with 32
    /// random bytes on first use. The flag says whether it was created.
    pub fn load_or_create(dir: &Path, given: Option<&str>) -> Result<(Self, bool), SealError> {
        if let Some(text) = given {
            return Ok((Self::from_text(text)?, false));
        }
        let path = dir.join(MASTER_KEY_FILE);
        if let Some(bytes) = read_secret(&path)? {
            let bytes: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadMasterKey)?;
            return Ok((Self(bytes), false));
        }
        let key = Self(rng::bytes::<32>()?);
        write_secret(&path, &key.0)?;
        Ok((key, true))
    }

    fn sealing_key(&self) -> Result<[u8; 16], SealError> {
        let mac = hmac_sm3(&self.0, b"tessera: CA key sealing, SM4-GCM, v1");
        let mut key = [0u8; 16];
        key.copy_from_slice(mac.get(..16).ok_or(SealError::BadMasterKey)?);
        Ok(key)
    }

    fn aad(name: &str) -> Vec<u8> {
        format!("tessera ca key: {name}").into_bytes()
    }

    /// `T1 || nonce || SM4-GCM(plaintext) || tag`, bound to `name`.
    pub fn seal(&self, name: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce = rng::bytes::<NONCE_LEN>()?;
        let sealed = sm4::gcm_seal(&self.sealing_key()?, &nonce, &Self::aad(name), plaintext)?;
        let mut out = Vec::with_capacity(FORMAT.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Self::seal`] made for `name`.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let fail = || SealError::Open {
            name: name.to_owned(),
        };
        let rest = sealed.strip_prefix(FORMAT.as_slice()).ok_or_else(fail)?;
        if rest.len() < NONCE_LEN {
            return Err(fail());
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| fail())?;
        let plain = sm4::gcm_open(&self.sealing_key()?, &nonce, &Self::aad(name), body)
            .map_err(|_| fail())?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn seal_is_bound_to_key_and_name() {
        let key = MasterKey::from_bytes([7; 32]);
        let sealed = key.seal("root", b"secret pkcs8").unwrap();
        assert_eq!(key.open("root", &sealed).unwrap(), b"secret pkcs8");
        assert!(key.open("issuing", &sealed).is_err());
        assert!(
            MasterKey::from_bytes([8; 32])
                .open("root", &sealed)
                .is_err()
        );
        let mut bad = sealed.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert!(key.open("root", &bad).is_err());
        assert!(MasterKey::from_text(&hex::encode([1u8; 32])).is_ok());
        assert!(MasterKey::from_text("short").is_err());
    }
}
