//! HMAC (RFC 2104) over SM3 and SHA-256.

use hmac::{KeyInit, Mac};

use crate::{CryptoError, Result};

/// HMAC-SM3 of `data` under `key` (GB/T 15852.2 with SM3).
pub fn hmac_sm3(key: &[u8], data: &[u8]) -> Vec<u8> {
    mac::<hmac::Hmac<sm3::Sm3>>(key, data)
}

/// HMAC-SHA-256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    mac::<hmac::Hmac<sha2::Sha256>>(key, data)
}

/// Checks an HMAC-SM3 tag in constant time; `tag` may be truncated to its left half or more
/// (RFC 2104 §5: not less than half the hash output).
pub fn verify_hmac_sm3(key: &[u8], data: &[u8], tag: &[u8]) -> Result<()> {
    if tag.len() < 16 {
        return Err(CryptoError::InvalidInput {
            algorithm: "HMAC-SM3",
            reason: "tag shorter than 128 bits",
        });
    }
    let mut m = <hmac::Hmac<sm3::Sm3> as KeyInit>::new_from_slice(key).map_err(|_| {
        CryptoError::InvalidKey {
            algorithm: "HMAC-SM3",
            reason: "key length",
        }
    })?;
    m.update(data);
    m.verify_truncated_left(tag)
        .map_err(|_| CryptoError::BadSignature {
            algorithm: "HMAC-SM3",
        })
}

fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}
