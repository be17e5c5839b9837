//! Key derivation from a PIN (Argon2id, RFC 9106) and sealing (AES-256-GCM, NIST SP 800-38D;
//! SM4-GCM, RFC 8998).

use aead::{Aead as _, KeyInit as _, Payload};
use zeroize::Zeroizing;

use super::format::{B64, Cipher, KdfParams, Sealed, WrappedKey};
use crate::{FormatError, MediumError, Result};

/// GCM nonce length: 96 bits, drawn at random for every seal.
const NONCE_LEN: usize = 12;
/// Salt length for Argon2id (RFC 9106 §3.1 recommends 128 bits).
const SALT_LEN: usize = 16;

impl Cipher {
    /// Key length in bytes for this cipher.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Cipher::Aes256Gcm => 32,
            Cipher::Sm4Gcm => 16,
        }
    }
}

/// Argon2id (RFC 9106 §3) of `secret` under `salt`, as long as `cipher`'s key.
pub(crate) fn derive(
    params: &KdfParams,
    cipher: Cipher,
    secret: &[u8],
    salt: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    params.check()?;
    let argon_params = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(cipher.key_len()),
    )
    .map_err(|e| FormatError::corrupt(format!("Argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut out = Zeroizing::new(vec![0u8; cipher.key_len()]);
    argon
        .hash_password_into(secret, salt, &mut out)
        .map_err(|e| FormatError::corrupt(format!("Argon2: {e}")))?;
    Ok(out)
}

/// A fresh random key for `cipher` (the device's data key).
pub(crate) fn random_key(cipher: Cipher) -> Result<Zeroizing<Vec<u8>>> {
    let mut key = Zeroizing::new(vec![0u8; cipher.key_len()]);
    tessera_crypto::rng::fill(&mut key)?;
    Ok(key)
}

/// Seals `plaintext` under `key` with a fresh random nonce, binding `aad`.
pub(crate) fn seal(cipher: Cipher, key: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Sealed> {
    let nonce: [u8; NONCE_LEN] = tessera_crypto::rng::bytes()?;
    let ciphertext = match cipher {
        Cipher::Aes256Gcm => {
            let c = aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|_| bad_key())?;
            c.encrypt(
                (&nonce).into(),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| bad_key())?
        }
        Cipher::Sm4Gcm => {
            let key: &[u8; 16] = key.try_into().map_err(|_| bad_key())?;
            tessera_crypto::sm4::gcm_seal(key, &nonce, aad, plaintext)?
        }
    };
    Ok(Sealed {
        nonce: B64(nonce.to_vec()),
        ciphertext: B64(ciphertext),
    })
}

/// Opens a sealed object; `None` when the tag does not verify (wrong key or tampering).
pub(crate) fn open(
    cipher: Cipher,
    key: &[u8],
    aad: &[u8],
    sealed: &Sealed,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let nonce: &[u8; NONCE_LEN] = sealed
        .nonce
        .0
        .as_slice()
        .try_into()
        .map_err(|_| FormatError::corrupt("nonce is not 12 bytes"))?;
    Ok(match cipher {
        Cipher::Aes256Gcm => {
            let c = aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|_| bad_key())?;
            c.decrypt(
                nonce.into(),
                Payload {
                    msg: &sealed.ciphertext.0,
                    aad,
                },
            )
            .ok()
            .map(Zeroizing::new)
        }
        Cipher::Sm4Gcm => {
            let key: &[u8; 16] = key.try_into().map_err(|_| bad_key())?;
            tessera_crypto::sm4::gcm_open(key, nonce, aad, &sealed.ciphertext.0).ok()
        }
    })
}

/// Wraps the data key under a key derived from `secret` with a fresh salt.
pub(crate) fn wrap(
    params: &KdfParams,
    cipher: Cipher,
    secret: &[u8],
    data_key: &[u8],
    aad: &[u8],
) -> Result<WrappedKey> {
    let salt: [u8; SALT_LEN] = tessera_crypto::rng::bytes()?;
    let kek = derive(params, cipher, secret, &salt)?;
    Ok(WrappedKey {
        salt: B64(salt.to_vec()),
        sealed: seal(cipher, &kek, aad, data_key)?,
    })
}

/// Unwraps the data key with `secret`; `None` when the secret is wrong.
pub(crate) fn unwrap(
    params: &KdfParams,
    cipher: Cipher,
    secret: &[u8],
    wrapped: &WrappedKey,
    aad: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let kek = derive(params, cipher, secret, &wrapped.salt.0)?;
    let key = open(cipher, &kek, aad, &wrapped.sealed)?;
    match key {
        Some(k) if k.len() != cipher.key_len() => {
            Err(FormatError::corrupt("wrapped data key has the wrong length").into())
        }
        other => Ok(other),
    }
}

fn bad_key() -> MediumError {
    FormatError::corrupt("key of the wrong length for the cipher").into()
}
