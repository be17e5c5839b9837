//! Media: where a holder's keys and certificates live, behind a PIN.
//!
//! [`Medium`] is the contract every backend meets (the file device here; PKCS#11 tokens,
//! Bluetooth keys and cloud keys later), modelled on the token/session split of PKCS#11 v2.40:
//! public objects (certificates, public data) are readable without a PIN, private keys only after
//! [`Medium::login`].
//!
//! The file device ([`file_device`]) keeps one medium in one file, private keys wrapped under a
//! key derived from the PIN with Argon2id (RFC 9106) and AES-256-GCM or SM4-GCM (RFC 8998)
//! (`tessera_crypto::wrap`). Format: `docs/file-device.md`. A key on any medium signs requests,
//! certificates and CRLs built by `tessera-x509` through [`MediumSigner`].
//!
//! PKCS#11 tokens (USB keys, smart cards, SoftHSM2): [`pkcs11`].
//!
//! Two-party SM2 cloud keys, over a transport the client provides: [`cloud_key`].
//!
//! A medium on the far side of a frame link (the mobile e-key, a Bluetooth software key), and
//! the serving side that answers its frames: [`framed`].
//!
//! PKCS#12 (RFC 7292) and PEM (RFC 7468) import and export: [`pkcs12`].
#![forbid(unsafe_code)]

pub mod cloud_key;
mod csr;
mod error;
pub mod file_device;
pub mod framed;
mod key_file;
mod keys;
mod medium;
mod pin;
#[cfg(all(feature = "pkcs11", not(target_arch = "wasm32")))]
pub mod pkcs11;
pub mod pkcs12;
mod signer;

pub use csr::{CsrRequest, request_for_key};
pub use error::{FormatError, MediumError};
pub use file_device::atomic::write as write_atomic;
pub use key_file::pkcs8_from_key_file;
pub use keys::{KeyAlgorithm, KeySpec};
pub use medium::{
    AlgorithmMode, CertEntry, CertRef, EncAlg, GeneratedKey, KeyEntry, KeyRef, Medium, MediumInfo,
    MediumKind, SignAlg,
};
pub use pin::{Pin, SoPin};
pub use signer::MediumSigner;

/// Result of every fallible operation on a medium.
pub type Result<T, E = MediumError> = core::result::Result<T, E>;
