//! The one error type of the media layer.

use std::path::PathBuf;

/// What went wrong with a medium. Carries no secret material; the faces turn each variant into a
/// localized message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediumError {
    /// The PIN was wrong (PKCS#11 v2.40 `CKR_PIN_INCORRECT`); `retries_left` more wrong PINs lock
    /// the medium.
    #[error("wrong PIN, {retries_left} tries left")]
    PinIncorrect { retries_left: u8 },
    /// Too many wrong PINs (`CKR_PIN_LOCKED`): only the SO PIN can unlock it.
    #[error("medium is locked; unlock it with the SO PIN")]
    Locked,
    /// A key held at a service (a cloud account) whose password use the service locked after
    /// too many wrong passwords. No SO PIN unlocks it: it opens again by itself after
    /// `retry_after_secs` (when the service said), or when the password is recovered by SMS.
    #[error("password use is locked by the service for a while")]
    TemporarilyLocked { retry_after_secs: Option<u32> },
    /// The SO PIN was wrong. Backends that count SO attempts (the file device since format
    /// version 2) report what is left.
    #[error("wrong SO PIN")]
    SoPinIncorrect { retries_left: Option<u8> },
    /// Too many wrong SO PINs: the SO PIN is blocked for good (PKCS#11 `CKR_PIN_LOCKED` on the
    /// SO login). A locked medium can no longer be unlocked; its keys are lost, and the holder
    /// makes a new medium and has new certificates issued.
    #[error("the SO PIN is blocked after too many wrong tries; the medium cannot be unlocked")]
    SoPinLocked,
    /// The operation needs a successful [`crate::Medium::login`] first (`CKR_USER_NOT_LOGGED_IN`).
    #[error("log in with the PIN first")]
    NotLoggedIn,
    /// A new PIN outside the accepted length (`CKR_PIN_LEN_RANGE`).
    #[error("PIN must be {min} to {max} characters")]
    PinLength { min: usize, max: usize },
    /// No key with this reference on the medium.
    #[error("no such key on this medium")]
    NoSuchKey,
    /// No certificate with this reference on the medium.
    #[error("no such certificate on this medium")]
    NoSuchCertificate,
    /// A certificate whose public key matches no private key on the medium.
    #[error("no key on this medium matches certificate {thumbprint}")]
    NoMatchingKey { thumbprint: String },
    /// The key exists but may not leave the medium (`CKA_EXTRACTABLE` false).
    #[error("this key was not created or imported as exportable")]
    NotExportable,
    /// The key cannot do this (SM2 signing with an RSA key, say).
    #[error("the key cannot do {operation}")]
    KeyMismatch { operation: &'static str },
    /// The backend does not offer this (it says which).
    #[error("not supported by this medium: {what}")]
    Unsupported { what: String },
    /// A container or file could not be decoded.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A certificate could not be parsed.
    #[error("certificate: {0}")]
    Certificate(#[from] tessera_x509::ParseError),
    /// The algorithm layer failed (bad signature input, ciphertext that does not decrypt...).
    #[error(transparent)]
    Crypto(#[from] tessera_crypto::CryptoError),
    /// Reading or writing the medium's storage failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The service behind a remote medium (a cloud key) refused or could not be reached; the
    /// reason names the service and its problem code.
    #[error("cloud-key service: {reason}")]
    Remote { reason: String },
    /// A medium with this label already exists.
    #[error("a medium labelled {label:?} already exists")]
    AlreadyExists { label: String },
    /// No medium with this label.
    #[error("no medium labelled {label:?}")]
    NotFound { label: String },
}

/// A stored or imported object that cannot be decoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// The device file is damaged or truncated; it is left as it is.
    #[error("the device file is damaged: {reason}")]
    Corrupt { reason: String },
    /// The device file was written by a newer Tessera.
    #[error("device file format version {found} is newer than the supported {supported}")]
    NewerVersion { found: u32, supported: u32 },
    /// A stored authenticated ciphertext failed its check although the PIN was right: tampering.
    #[error("a wrapped object on the device failed its integrity check")]
    Tampered,
    /// A PKCS#12 file could not be read: wrong password or a malformed file (RFC 7292 cannot tell
    /// them apart before the MAC).
    #[error("PKCS#12: wrong password or damaged file")]
    Pkcs12Password,
    /// A PKCS#12 or PEM input with something we cannot use in it.
    #[error("{what}: {reason}")]
    Invalid { what: &'static str, reason: String },
}

impl FormatError {
    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        Self::Corrupt {
            reason: reason.into(),
        }
    }
}

impl MediumError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
