//! Key wrapping: secret bytes (a private key, a key share, a data key) encrypted at rest under a
//! key-encryption key, in one versioned, self-describing format.
//!
//! The key-encryption key is either given ([`Kek`], e.g. a master key or an install key) or
//! derived from a secret such as a PIN with Argon2id (RFC 9106) under a fresh salt. The AEAD is
//! AES-256-GCM (NIST SP 800-38D) or SM4-GCM (RFC 8998), with a 96-bit nonce from the OS CSPRNG.
//!
//! A wrapped blob is
//!
//! ```text
//! "TKW" | version (1) | aead (1) | kdf (1)
//!       | [Argon2id only: m_kib (4) | t (4) | p (4) | salt_len (1) | salt]
//!       | nonce (12) | ciphertext || tag (16)
//! ```
//!
//! (integers big-endian; aead 1 = AES-256-GCM, 2 = SM4-GCM; kdf 1 = given KEK, 2 = Argon2id
//! v1.3). The AEAD's associated data is the whole header up to the nonce followed by the
//! caller's associated data (its length, 4 bytes, then the bytes), so that changing any header
//! field, or opening the blob for another purpose or owner, fails. With a given KEK the AEAD key
//! is `HMAC-SM3(KEK, label || aead)` truncated to the key length, so one KEK serves either AEAD
//! and no other use of the same KEK meets the same AEAD key.

use aead::{Aead as _, KeyInit as _, Payload};
use zeroize::Zeroizing;

use crate::{CryptoError, hmac::hmac_sm3, rng};

/// First bytes of every wrapped blob.
pub const MAGIC: &[u8; 3] = b"TKW";
/// The format version this code writes and reads.
pub const VERSION: u8 = 1;
/// GCM nonce length (96 bits, as RFC 8998 and SP 800-38D §8.2 recommend).
pub const NONCE_LEN: usize = 12;
/// GCM tag length.
pub const TAG_LEN: usize = 16;
/// Argon2id salt length written (RFC 9106 §3.1 recommends 128 bits).
pub const SALT_LEN: usize = 16;
/// Label of the KEK-to-AEAD-key derivation.
const KEK_LABEL: &[u8] = b"tessera key wrap v1: kek";

/// Why a blob could not be wrapped or unwrapped. Carries no secret material.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WrapError {
    /// Shorter than its header says it must be.
    #[error("wrapped key is truncated")]
    Truncated,
    /// Does not start with the format's magic bytes.
    #[error("not a wrapped key")]
    NotWrapped,
    /// A version this code does not know (written by a newer one).
    #[error("wrapped key version {found} is not supported (newest known: {supported})")]
    UnsupportedVersion {
        /// The version in the blob.
        found: u8,
        /// The newest version this code reads.
        supported: u8,
    },
    /// An AEAD identifier this code does not know.
    #[error("unknown wrapping algorithm {id}")]
    UnknownAead {
        /// The identifier in the blob.
        id: u8,
    },
    /// A key-derivation identifier this code does not know.
    #[error("unknown key derivation {id}")]
    UnknownKdf {
        /// The identifier in the blob.
        id: u8,
    },
    /// Argon2id parameters outside the accepted bounds (see [`Argon2Params::check`]).
    #[error("Argon2id parameters out of range")]
    KdfParams,
    /// The blob was wrapped under the other kind of key (a KEK for a secret, or the reverse).
    #[error("wrapped under a {found}, opened with a {expected}")]
    WrongKeyKind {
        /// The kind the caller gave.
        expected: KeyKind,
        /// The kind the blob names.
        found: KeyKind,
    },
    /// The tag does not verify: another key or secret, other associated data, or altered bytes.
    #[error("wrapped key does not open: wrong key or secret, other purpose, or altered")]
    Unwrap,
    /// The algorithm layer (the OS random source, a message too long).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Result of this module.
pub type Result<T, E = WrapError> = core::result::Result<T, E>;

/// What a blob's key-encryption key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A key-encryption key given by the caller.
    Kek,
    /// A secret (PIN, password) stretched with Argon2id.
    Secret,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Kek => "key-encryption key",
            Self::Secret => "secret",
        })
    }
}

/// The AEAD of a wrapped blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aead {
    /// AES-256-GCM (NIST SP 800-38D), 32-byte key.
    Aes256Gcm,
    /// SM4-GCM (RFC 8998), 16-byte key.
    Sm4Gcm,
}

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aead::consts::U12>;

impl Aead {
    fn id(self) -> u8 {
        match self {
            Self::Aes256Gcm => 1,
            Self::Sm4Gcm => 2,
        }
    }

    fn from_id(id: u8) -> Result<Self> {
        match id {
            1 => Ok(Self::Aes256Gcm),
            2 => Ok(Self::Sm4Gcm),
            _ => Err(WrapError::UnknownAead { id }),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Aes256Gcm => "AES-256-GCM",
            Self::Sm4Gcm => "SM4-GCM",
        }
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes256Gcm => 32,
            Self::Sm4Gcm => 16,
        }
    }

    fn bad_key(self) -> CryptoError {
        CryptoError::InvalidKey {
            algorithm: self.name(),
            reason: "wrong length",
        }
    }

    /// Encrypts: `ciphertext || tag`. The caller guarantees that `nonce` never repeats under
    /// `key`; [`wrap_with_kek`] and [`wrap_with_secret`] draw it at random. Public for formats
    /// that predate this one and for standard vectors.
    pub fn encrypt(
        self,
        key: &[u8],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let payload = Payload {
            msg: plaintext,
            aad,
        };
        let too_long = || CryptoError::InvalidInput {
            algorithm: self.name(),
            reason: "message too long",
        };
        match self {
            Self::Aes256Gcm => aes_gcm::Aes256Gcm::new_from_slice(key)
                .map_err(|_| self.bad_key())?
                .encrypt(nonce.into(), payload)
                .map_err(|_| too_long()),
            Self::Sm4Gcm => Sm4Gcm::new_from_slice(key)
                .map_err(|_| self.bad_key())?
                .encrypt(nonce.into(), payload)
                .map_err(|_| too_long()),
        }
    }

    /// Decrypts `ciphertext || tag`; any change to either, to the nonce or to `aad` fails with
    /// [`CryptoError::DecryptionFailed`].
    pub fn decrypt(
        self,
        key: &[u8],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let payload = Payload {
            msg: ciphertext,
            aad,
        };
        let failed = || CryptoError::DecryptionFailed {
            algorithm: self.name(),
        };
        let plain = match self {
            Self::Aes256Gcm => aes_gcm::Aes256Gcm::new_from_slice(key)
                .map_err(|_| self.bad_key())?
                .decrypt(nonce.into(), payload)
                .map_err(|_| failed())?,
            Self::Sm4Gcm => Sm4Gcm::new_from_slice(key)
                .map_err(|_| self.bad_key())?
                .decrypt(nonce.into(), payload)
                .map_err(|_| failed())?,
        };
        Ok(Zeroizing::new(plain))
    }
}

/// A key-encryption key given by the caller (16 to 64 bytes). Zeroized on drop; `Debug` hides
/// it.
#[derive(Clone)]
pub struct Kek(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(***)")
    }
}

impl Kek {
    /// A KEK from its bytes; fewer than 16 (128 bits) or more than 64 is refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if !(16..=64).contains(&bytes.len()) {
            return Err(CryptoError::InvalidKey {
                algorithm: "key-encryption key",
                reason: "must be 16 to 64 bytes",
            }
            .into());
        }
        Ok(Self(Zeroizing::new(bytes.to_vec())))
    }

    /// The AEAD key for `aead`: `HMAC-SM3(KEK, label || aead id)`, truncated.
    fn aead_key(&self, aead: Aead) -> Zeroizing<Vec<u8>> {
        let mut mac = Zeroizing::new(hmac_sm3(&self.0, &[KEK_LABEL, &[aead.id()]].concat()));
        mac.truncate(aead.key_len());
        mac
    }
}

/// A secret (PIN, password) to stretch into a key-encryption key. Zeroized on drop; `Debug`
/// hides it.
pub struct Secret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// A copy of `bytes`, zeroized when dropped.
    pub fn new(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }
}

/// Argon2id cost parameters (RFC 9106 §3.1), written into every blob wrapped under a secret so
/// that they can be raised later without breaking what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// m = 19 MiB, t = 2, p = 1: OWASP's Argon2id minimum (RFC 9106 §4 lets memory-constrained
    /// settings go this low).
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl Argon2Params {
    /// Bounds checked before any derivation: low enough that crafted input cannot make the
    /// caller allocate without limit, high enough for any sane setting.
    pub fn check(&self) -> Result<()> {
        let ok = (64..=4 * 1024 * 1024).contains(&self.memory_kib)
            && (1..=64).contains(&self.iterations)
            && (1..=16).contains(&self.parallelism)
            && self.memory_kib >= 8 * self.parallelism;
        if ok {
            Ok(())
        } else {
            Err(WrapError::KdfParams)
        }
    }

    /// Argon2id v1.3 (RFC 9106 §3) of `secret` under `salt`, `len` bytes long. Public for
    /// formats that predate this one.
    pub fn derive(&self, secret: &Secret, salt: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
        self.check()?;
        let params = argon2::Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(len),
        )
        .map_err(|_| WrapError::KdfParams)?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new(vec![0u8; len]);
        argon
            .hash_password_into(&secret.0, salt, &mut out)
            .map_err(|_| WrapError::KdfParams)?;
        Ok(out)
    }
}

/// The key derivation a blob names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kdf {
    /// A given KEK.
    Kek,
    /// Argon2id of a secret under `salt`.
    Argon2id {
        /// Cost parameters.
        params: Argon2Params,
        /// The salt.
        salt: Vec<u8>,
    },
}

/// The parsed header of a wrapped blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The format version.
    pub version: u8,
    /// The AEAD.
    pub aead: Aead,
    /// Where the key-encryption key comes from.
    pub kdf: Kdf,
    /// The AEAD nonce.
    pub nonce: [u8; NONCE_LEN],
}

impl Header {
    /// Whether `bytes` begins like a wrapped blob (to tell it from formats that predate it).
    pub fn is_wrapped(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    fn kind(&self) -> KeyKind {
        match self.kdf {
            Kdf::Kek => KeyKind::Kek,
            Kdf::Argon2id { .. } => KeyKind::Secret,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(MAGIC);
        out.push(self.version);
        out.push(self.aead.id());
        match &self.kdf {
            Kdf::Kek => out.push(1),
            Kdf::Argon2id { params, salt } => {
                out.push(2);
                out.extend_from_slice(&params.memory_kib.to_be_bytes());
                out.extend_from_slice(&params.iterations.to_be_bytes());
                out.extend_from_slice(&params.parallelism.to_be_bytes());
                // The salt is made here (SALT_LEN) or parsed (at most 255), so it fits a byte.
                out.push(u8::try_from(salt.len()).unwrap_or(u8::MAX));
                out.extend_from_slice(salt);
            }
        }
        out
    }

    /// Parses a blob into its header, the header's bytes (authenticated) and the ciphertext.
    pub fn parse(blob: &[u8]) -> Result<(Self, &[u8], &[u8])> {
        let mut r = Reader { rest: blob };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(WrapError::NotWrapped);
        }
        let version = r.byte()?;
        if version != VERSION {
            return Err(WrapError::UnsupportedVersion {
                found: version,
                supported: VERSION,
            });
        }
        let aead = Aead::from_id(r.byte()?)?;
        let kdf = match r.byte()? {
            1 => Kdf::Kek,
            2 => {
                let params = Argon2Params {
                    memory_kib: r.u32()?,
                    iterations: r.u32()?,
                    parallelism: r.u32()?,
                };
                params.check()?;
                let salt_len = usize::from(r.byte()?);
                if salt_len < 8 {
                    // RFC 9106 §3.1: at least 8 bytes.
                    return Err(WrapError::KdfParams);
                }
                Kdf::Argon2id {
                    params,
                    salt: r.take(salt_len)?.to_vec(),
                }
            }
            id => return Err(WrapError::UnknownKdf { id }),
        };
        let header_len = blob.len() - r.rest.len();
        let nonce: [u8; NONCE_LEN] = r
            .take(NONCE_LEN)?
            .try_into()
            .map_err(|_| WrapError::Truncated)?;
        if r.rest.len() < TAG_LEN {
            return Err(WrapError::Truncated);
        }
        let header_bytes = blob.get(..header_len).ok_or(WrapError::Truncated)?;
        Ok((
            Self {
                version,
                aead,
                kdf,
                nonce,
            },
            header_bytes,
            r.rest,
        ))
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(WrapError::Truncated);
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn u32(&mut self) -> Result<u32> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| WrapError::Truncated)?;
        Ok(u32::from_be_bytes(b))
    }
}

/// The AEAD's associated data: the header's bytes, then the caller's, length-prefixed.
fn aead_ad(header: &[u8], ad: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(ad.len()).map_err(|_| CryptoError::InvalidInput {
        algorithm: "key wrap",
        reason: "associated data too long",
    })?;
    Ok([header, &len.to_be_bytes(), ad].concat())
}

fn wrap(
    aead: Aead,
    kdf: Kdf,
    key: &[u8],
    nonce: [u8; NONCE_LEN],
    ad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let header = Header {
        version: VERSION,
        aead,
        kdf,
        nonce,
    }
    .encode();
    let ciphertext = aead.encrypt(key, &nonce, &aead_ad(&header, ad)?, plaintext)?;
    Ok([header.as_slice(), &nonce, &ciphertext].concat())
}

/// Wraps `plaintext` under `kek` for `aead`, bound to `ad` (its purpose and owner).
pub fn wrap_with_kek(kek: &Kek, aead: Aead, ad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let nonce = rng::bytes::<NONCE_LEN>()?;
    wrap(aead, Kdf::Kek, &kek.aead_key(aead), nonce, ad, plaintext)
}

/// Wraps `plaintext` under a key derived from `secret` with Argon2id (`params`, a fresh salt),
/// bound to `ad` (its purpose and owner).
pub fn wrap_with_secret(
    secret: &Secret,
    params: Argon2Params,
    aead: Aead,
    ad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let salt = rng::bytes::<SALT_LEN>()?;
    let key = params.derive(secret, &salt, aead.key_len())?;
    let nonce = rng::bytes::<NONCE_LEN>()?;
    let kdf = Kdf::Argon2id {
        params,
        salt: salt.to_vec(),
    };
    wrap(aead, kdf, &key, nonce, ad, plaintext)
}

fn unwrap(
    header: &Header,
    header_bytes: &[u8],
    key: &[u8],
    ad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    header
        .aead
        .decrypt(key, &header.nonce, &aead_ad(header_bytes, ad)?, ciphertext)
        .map_err(|_| WrapError::Unwrap)
}

fn expect_kind(header: &Header, expected: KeyKind) -> Result<()> {
    let found = header.kind();
    if found == expected {
        Ok(())
    } else {
        Err(WrapError::WrongKeyKind { expected, found })
    }
}

/// Unwraps what [`wrap_with_kek`] made under `kek` for `ad`.
pub fn unwrap_with_kek(kek: &Kek, ad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let (header, header_bytes, ciphertext) = Header::parse(blob)?;
    expect_kind(&header, KeyKind::Kek)?;
    unwrap(
        &header,
        header_bytes,
        &kek.aead_key(header.aead),
        ad,
        ciphertext,
    )
}

/// Unwraps what [`wrap_with_secret`] made with `secret` for `ad`. A wrong secret is
/// [`WrapError::Unwrap`].
pub fn unwrap_with_secret(secret: &Secret, ad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let (header, header_bytes, ciphertext) = Header::parse(blob)?;
    expect_kind(&header, KeyKind::Secret)?;
    let Kdf::Argon2id { params, salt } = &header.kdf else {
        return Err(WrapError::WrongKeyKind {
            expected: KeyKind::Secret,
            found: KeyKind::Kek,
        });
    };
    let key = params.derive(secret, salt, header.aead.key_len())?;
    unwrap(&header, header_bytes, &key, ad, ciphertext)
}

#[cfg(test)]
mod tests;
