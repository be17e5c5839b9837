//! Key wrapping on the file device: the data key under each PIN (Argon2id, RFC 9106), keys and
//! private data objects under the data key, with the one format of `tessera_crypto::wrap`
//! (AES-256-GCM, NIST SP 800-38D; SM4-GCM, RFC 8998) since format version 3. Objects wrapped by
//! versions 1 and 2 (a nonce and `ciphertext || tag` beside it, the PIN's salt beside that) are
//! still unwrapped, with their own associated data; they are rewrapped when they are next
//! written (a PIN change rewraps the data key, a key or object written anew is wrapped anew).

use tessera_crypto::wrap::{self as key_wrap, Aead, Argon2Params, Kek, Secret, WrapError};
use zeroize::Zeroizing;

use super::format::{AeadV1, B64, Cipher, DeviceFile, KdfParams, Wrapped, WrappedKey};
use crate::{FormatError, MediumError, Result};

impl Cipher {
    /// This cipher as the wrapping module names it.
    pub(crate) fn aead(self) -> Aead {
        match self {
            Cipher::Aes256Gcm => Aead::Aes256Gcm,
            Cipher::Sm4Gcm => Aead::Sm4Gcm,
        }
    }
}

impl KdfParams {
    /// The same parameters as the wrapping module takes them.
    pub(crate) fn argon2(&self) -> Argon2Params {
        Argon2Params {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

/// A fresh random key for `cipher` (the device's data key).
pub(crate) fn random_key(cipher: Cipher) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = Zeroizing::new(vec![0u8; cipher.aead().key_len()]);
    tessera_crypto::rng::fill(&mut key)?;
    Ok(key)
}

fn wrap_failed(e: WrapError) -> MediumError {
    match e {
        WrapError::Crypto(c) => MediumError::Crypto(c),
        other => FormatError::corrupt(other.to_string()).into(),
    }
}

/// `None` for a tag that does not verify (wrong key, or tampering); other failures are a
/// damaged file.
fn unwrapped(result: Result<Zeroizing<Vec<u8>>, WrapError>) -> Result<Option<Zeroizing<Vec<u8>>>> {
    match result {
        Ok(plain) => Ok(Some(plain)),
        Err(WrapError::Unwrap) => Ok(None),
        Err(e) => Err(wrap_failed(e)),
    }
}

fn data_kek(data_key: &[u8]) -> Result<Kek> {
    Kek::from_bytes(data_key).map_err(wrap_failed)
}

/// Wraps `plaintext` (a PKCS#8 key, a private object) under the data key, bound to this device
/// and to its `role` and `name` in it.
pub(crate) fn wrap_object(
    file: &DeviceFile,
    data_key: &[u8],
    role: &str,
    name: &str,
    plaintext: &[u8],
) -> Result<Wrapped> {
    let blob = key_wrap::wrap_with_kek(
        &data_kek(data_key)?,
        file.cipher.aead(),
        &file.ad(role, name),
        plaintext,
    )
    .map_err(wrap_failed)?;
    Ok(Wrapped::Blob(B64(blob)))
}

/// Unwraps an object; `None` when the tag does not verify (wrong key or tampering).
pub(crate) fn unwrap_object(
    file: &DeviceFile,
    data_key: &[u8],
    role: &str,
    name: &str,
    wrapped: &Wrapped,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    match wrapped {
        Wrapped::Blob(blob) => unwrapped(key_wrap::unwrap_with_kek(
            &data_kek(data_key)?,
            &file.ad(role, name),
            &blob.0,
        )),
        Wrapped::V1(v1) => open_v1(file.cipher, data_key, &file.ad_v1(role, name), v1),
    }
}

/// Wraps the data key under a key derived from the PIN `secret` of `role` (`user-pin`,
/// `so-pin`), with the device's Argon2id parameters and a fresh salt.
pub(crate) fn wrap_data_key(
    file: &DeviceFile,
    role: &str,
    secret: &[u8],
    data_key: &[u8],
) -> Result<WrappedKey> {
    file.kdf.check()?;
    let blob = key_wrap::wrap_with_secret(
        &Secret::new(secret),
        file.kdf.argon2(),
        file.cipher.aead(),
        &file.ad(role, ""),
        data_key,
    )
    .map_err(wrap_failed)?;
    Ok(WrappedKey::Blob(B64(blob)))
}

/// Unwraps the data key with the PIN `secret` of `role`; `None` when the secret is wrong.
pub(crate) fn unwrap_data_key(
    file: &DeviceFile,
    role: &str,
    secret: &[u8],
    wrapped: &WrappedKey,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let key = match wrapped {
        WrappedKey::Blob(blob) => unwrapped(key_wrap::unwrap_with_secret(
            &Secret::new(secret),
            &file.ad(role, ""),
            &blob.0,
        ))?,
        WrappedKey::V1 { salt, aead } => {
            file.kdf.check()?;
            let kek = file
                .kdf
                .argon2()
                .derive(&Secret::new(secret), &salt.0, file.cipher.aead().key_len())
                .map_err(wrap_failed)?;
            open_v1(file.cipher, &kek, &file.ad_v1(role, ""), aead)?
        }
    };
    match key {
        Some(k) if k.len() != file.cipher.aead().key_len() => {
            Err(FormatError::corrupt("wrapped data key has the wrong length").into())
        }
        other => Ok(other),
    }
}

/// Versions 1 and 2: `ciphertext || tag` under `key` itself with the nonce beside it.
fn open_v1(
    cipher: Cipher,
    key: &[u8],
    aad: &[u8],
    v1: &AeadV1,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let nonce: &[u8; key_wrap::NONCE_LEN] = v1
        .nonce
        .0
        .as_slice()
        .try_into()
        .map_err(|_| FormatError::corrupt("nonce is not 12 bytes"))?;
    match cipher.aead().decrypt(key, nonce, aad, &v1.ciphertext.0) {
        Ok(plain) => Ok(Some(plain)),
        Err(tessera_crypto::CryptoError::DecryptionFailed { .. }) => Ok(None),
        Err(e) => Err(FormatError::corrupt(e.to_string()).into()),
    }
}
