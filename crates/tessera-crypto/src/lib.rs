//! Algorithms for Tessera: SM2 (GB/T 32918), SM3 (GB/T 32905), SM4 (GB/T 32907), ECDSA P-256 and
//! P-384 (FIPS 186-4), RSA PKCS#1 v1.5 and PSS (RFC 8017), digests and thumbprints.
//!
//! Key wrapping at rest (Argon2id or a given KEK, then AES-256-GCM or SM4-GCM): [`wrap`].
//!
//! No I/O: every function takes bytes and returns bytes. Nonces come from the OS CSPRNG
//! ([`rng`]); secret scalars are only multiplied in constant time.
#![forbid(unsafe_code)]

pub mod digest;
pub mod ecdsa;
pub mod error;
pub mod hmac;
pub mod public_key;
pub mod rng;
pub mod rsa;
pub mod sm2;
pub mod sm4;
pub mod wrap;

pub use error::CryptoError;

/// Result of every fallible operation in this crate.
pub type Result<T, E = CryptoError> = core::result::Result<T, E>;
