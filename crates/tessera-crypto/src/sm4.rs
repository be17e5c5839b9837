//! SM4 block cipher (GB/T 32907) in ECB and CBC (NIST SP 800-38A) with optional PKCS#7 padding,
//! and GCM (NIST SP 800-38D) with 96-bit nonces as RFC 8998 specifies for SM4-GCM.

use aead::{Aead as _, KeyInit as _, Payload};
use cipher::{
    BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit as _,
    block_padding::{NoPadding, Pkcs7},
};
use zeroize::Zeroizing;

use crate::{CryptoError, Result};

const ALG: &str = "SM4";

/// SM4 block and key size in bytes.
pub const BLOCK_LEN: usize = 16;

/// SM4-GCM authentication tag length in bytes.
pub const TAG_LEN: usize = 16;

/// Padding for the block modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// PKCS#7 (RFC 5652 §6.3): always adds 1-16 bytes.
    Pkcs7,
    /// None: the input must be a whole number of blocks.
    None,
}

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aead::consts::U12>;

fn check_unpadded(data: &[u8], padding: Padding) -> Result<()> {
    if padding == Padding::None && !data.len().is_multiple_of(BLOCK_LEN) {
        return Err(CryptoError::InvalidInput {
            algorithm: ALG,
            reason: "length is not a multiple of 16 bytes",
        });
    }
    Ok(())
}

fn bad_padding() -> CryptoError {
    CryptoError::DecryptionFailed { algorithm: ALG }
}

/// ECB encryption. Only for single blocks and legacy interoperability: ECB leaks equal blocks.
pub fn ecb_encrypt(key: &[u8; 16], data: &[u8], padding: Padding) -> Result<Vec<u8>> {
    check_unpadded(data, padding)?;
    let enc = ecb::Encryptor::<sm4::Sm4>::new(key.into());
    Ok(match padding {
        Padding::Pkcs7 => enc.encrypt_padded_vec::<Pkcs7>(data),
        Padding::None => enc.encrypt_padded_vec::<NoPadding>(data),
    })
}

/// ECB decryption.
pub fn ecb_decrypt(key: &[u8; 16], data: &[u8], padding: Padding) -> Result<Zeroizing<Vec<u8>>> {
    if !data.len().is_multiple_of(BLOCK_LEN) {
        return Err(bad_padding());
    }
    let dec = ecb::Decryptor::<sm4::Sm4>::new(key.into());
    let out = match padding {
        Padding::Pkcs7 => dec.decrypt_padded_vec::<Pkcs7>(data),
        Padding::None => dec.decrypt_padded_vec::<NoPadding>(data),
    };
    out.map(Zeroizing::new).map_err(|_| bad_padding())
}

/// CBC encryption under `iv`.
pub fn cbc_encrypt(
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &[u8],
    padding: Padding,
) -> Result<Vec<u8>> {
    check_unpadded(data, padding)?;
    let enc = cbc::Encryptor::<sm4::Sm4>::new(key.into(), iv.into());
    Ok(match padding {
        Padding::Pkcs7 => enc.encrypt_padded_vec::<Pkcs7>(data),
        Padding::None => enc.encrypt_padded_vec::<NoPadding>(data),
    })
}

/// CBC decryption under `iv`.
pub fn cbc_decrypt(
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &[u8],
    padding: Padding,
) -> Result<Zeroizing<Vec<u8>>> {
    if !data.len().is_multiple_of(BLOCK_LEN) {
        return Err(bad_padding());
    }
    let dec = cbc::Decryptor::<sm4::Sm4>::new(key.into(), iv.into());
    let out = match padding {
        Padding::Pkcs7 => dec.decrypt_padded_vec::<Pkcs7>(data),
        Padding::None => dec.decrypt_padded_vec::<NoPadding>(data),
    };
    out.map(Zeroizing::new).map_err(|_| bad_padding())
}

/// SM4-GCM encryption: returns `ciphertext || tag` (RFC 8998 §3.1). A nonce must never repeat
/// under one key.
pub fn gcm_seal(key: &[u8; 16], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    Sm4Gcm::new(key.into())
        .encrypt(
            nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::InvalidInput {
            algorithm: "SM4-GCM",
            reason: "message too long",
        })
}

/// SM4-GCM decryption of `ciphertext || tag`; any change to either or to `aad` fails.
pub fn gcm_open(
    key: &[u8; 16],
    nonce: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    Sm4Gcm::new(key.into())
        .decrypt(nonce.into(), Payload { msg: sealed, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::DecryptionFailed {
            algorithm: "SM4-GCM",
        })
}
