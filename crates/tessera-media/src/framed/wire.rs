//! The frames: one CBOR (RFC 8949) map per request and per response, each carrying the protocol
//! version, and a mapping to and from the medium's own types. The wire types are kept apart from
//! [`crate::Medium`]'s so that the protocol changes only when its version does.

use serde::{Deserialize, Serialize};
use tessera_crypto::{CryptoError, digest::DigestAlgorithm, sm2::CiphertextFormat};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{
    AlgorithmMode, CsrRequest, EncAlg, FormatError, KeyAlgorithm, KeyEntry, KeyRef, KeySpec,
    MediumError, MediumInfo, MediumKind, SignAlg,
};

/// The protocol version both sides speak; a frame of another version is refused.
pub(super) const VERSION: u8 = 1;

/// The largest frame either side accepts: a PKCS#12-sized key import with its chain fits, a
/// frame that would make the other side allocate without bound does not.
pub const MAX_FRAME: usize = 1 << 20;

/// Bytes that may be secret (PINs, private keys, plaintext): zeroized when dropped.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(transparent)]
pub(super) struct SecretBytes(#[serde(with = "bytes")] pub(super) Vec<u8>);

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(***)")
    }
}

/// Byte strings as CBOR byte strings (major type 2), not arrays of integers.
mod bytes {
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let buf: ciborium::value::Value = ciborium::value::Value::deserialize(d)?;
        match buf {
            ciborium::value::Value::Bytes(b) => Ok(b),
            _ => Err(serde::de::Error::custom("expected a byte string")),
        }
    }
}

/// Optional byte strings, likewise.
mod opt_bytes {
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&ciborium::value::Value::Bytes(b.clone())),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<ciborium::value::Value>::deserialize(d)? {
            None | Some(ciborium::value::Value::Null) => Ok(None),
            Some(ciborium::value::Value::Bytes(b)) => Ok(Some(b)),
            Some(_) => Err(serde::de::Error::custom("expected a byte string or null")),
        }
    }
}

/// A request frame.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Request {
    pub(super) v: u8,
    pub(super) op: Op,
}

/// A response frame: the operation's reply or the medium's refusal.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Response {
    pub(super) v: u8,
    pub(super) result: Result<Reply, WireError>,
}

/// One call of [`crate::Medium`].
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(super) enum Op {
    Info,
    Certificates,
    Keys,
    Login {
        pin: SecretBytes,
    },
    Logout,
    ChangePin {
        old: SecretBytes,
        new: SecretBytes,
    },
    Unlock {
        so_pin: SecretBytes,
        new_pin: SecretBytes,
    },
    GenerateKey {
        spec: String,
        subject: String,
        exportable: bool,
    },
    ImportCertificate {
        #[serde(with = "bytes")]
        der: Vec<u8>,
    },
    ImportKey {
        pkcs8: SecretBytes,
        certificates: Vec<Der>,
        exportable: bool,
    },
    ExportKey {
        #[serde(with = "bytes")]
        key: Vec<u8>,
    },
    DeleteCertificate {
        thumbprint: String,
    },
    DeleteKey {
        #[serde(with = "bytes")]
        key: Vec<u8>,
    },
    Sign {
        #[serde(with = "bytes")]
        key: Vec<u8>,
        alg: WireSignAlg,
        #[serde(with = "bytes")]
        data: Vec<u8>,
    },
    Decrypt {
        #[serde(with = "bytes")]
        key: Vec<u8>,
        format: String,
        #[serde(with = "bytes")]
        data: Vec<u8>,
    },
    DataObjects,
    ReadDataObject {
        name: String,
    },
    WriteDataObject {
        name: String,
        value: SecretBytes,
        private: bool,
    },
    DeleteDataObject {
        name: String,
    },
}

/// A DER object in a list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Der(#[serde(with = "bytes")] pub(super) Vec<u8>);

/// What an operation returns.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub(super) enum Reply {
    Info(WireInfo),
    Certificates {
        certificates: Vec<WireCert>,
    },
    Keys {
        keys: Vec<WireKey>,
    },
    Done,
    Generated {
        key: WireKey,
        #[serde(with = "bytes")]
        csr: Vec<u8>,
    },
    Certificate(WireCert),
    Imported {
        key: WireKey,
        certificates: Vec<WireCert>,
    },
    Secret {
        bytes: SecretBytes,
    },
    Signature {
        #[serde(with = "bytes")]
        signature: Vec<u8>,
    },
    Names {
        names: Vec<String>,
    },
    Object {
        #[serde(with = "opt_bytes")]
        value: Option<Vec<u8>>,
    },
    Deleted {
        existed: bool,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireInfo {
    kind: MediumKind,
    label: String,
    serial: String,
    maker: String,
    mode: AlgorithmMode,
    pin_retries_left: u8,
    pin_max_retries: u8,
    locked: bool,
    so_pin_retries_left: Option<u8>,
    so_pin_max_retries: Option<u8>,
    logged_in: bool,
    free_space: Option<u64>,
}

impl From<MediumInfo> for WireInfo {
    fn from(i: MediumInfo) -> Self {
        Self {
            kind: i.kind,
            label: i.label,
            serial: i.serial,
            maker: i.maker,
            mode: i.mode,
            pin_retries_left: i.pin_retries_left,
            pin_max_retries: i.pin_max_retries,
            locked: i.locked,
            so_pin_retries_left: i.so_pin_retries_left,
            so_pin_max_retries: i.so_pin_max_retries,
            logged_in: i.logged_in,
            free_space: i.free_space,
        }
    }
}

impl From<WireInfo> for MediumInfo {
    fn from(i: WireInfo) -> Self {
        Self {
            kind: i.kind,
            label: i.label,
            serial: i.serial,
            maker: i.maker,
            mode: i.mode,
            pin_retries_left: i.pin_retries_left,
            pin_max_retries: i.pin_max_retries,
            locked: i.locked,
            so_pin_retries_left: i.so_pin_retries_left,
            so_pin_max_retries: i.so_pin_max_retries,
            logged_in: i.logged_in,
            free_space: i.free_space,
        }
    }
}

/// A certificate on the medium: its DER and the key it belongs to. The reference (its SHA-256
/// thumbprint) is recomputed by the receiver, never taken from the wire.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireCert {
    #[serde(with = "bytes")]
    pub(super) der: Vec<u8>,
    #[serde(with = "opt_bytes")]
    pub(super) key: Option<Vec<u8>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireKey {
    #[serde(with = "bytes")]
    reference: Vec<u8>,
    algorithm: String,
    #[serde(with = "bytes")]
    public_key: Vec<u8>,
    exportable: bool,
}

impl From<KeyEntry> for WireKey {
    fn from(k: KeyEntry) -> Self {
        Self {
            reference: k.reference.id().to_vec(),
            algorithm: k.algorithm.name(),
            public_key: k.public_key,
            exportable: k.exportable,
        }
    }
}

impl TryFrom<WireKey> for KeyEntry {
    type Error = MediumError;

    fn try_from(k: WireKey) -> Result<Self, MediumError> {
        let algorithm = KeyAlgorithm::from_name(&k.algorithm)
            .ok_or_else(|| malformed(format!("unknown key algorithm {:?}", k.algorithm)))?;
        Ok(Self {
            reference: KeyRef::new(k.reference),
            algorithm,
            public_key: k.public_key,
            exportable: k.exportable,
        })
    }
}

/// A signature scheme on the wire (digests by name: `sha256`, `sm3`, …).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub(super) enum WireSignAlg {
    Sm2Sm3 {
        #[serde(with = "opt_bytes")]
        id: Option<Vec<u8>>,
    },
    Sm2Prehashed,
    Ecdsa {
        digest: String,
    },
    EcdsaPrehashed,
    RsaPkcs1 {
        digest: String,
    },
    RsaPkcs1Prehashed {
        digest: String,
    },
    RsaPss {
        digest: String,
    },
}

impl From<&SignAlg> for WireSignAlg {
    fn from(alg: &SignAlg) -> Self {
        let d = |d: &DigestAlgorithm| d.name().to_owned();
        match alg {
            SignAlg::Sm2Sm3 { id } => Self::Sm2Sm3 { id: id.clone() },
            SignAlg::Sm2Prehashed => Self::Sm2Prehashed,
            SignAlg::Ecdsa { digest } => Self::Ecdsa { digest: d(digest) },
            SignAlg::EcdsaPrehashed => Self::EcdsaPrehashed,
            SignAlg::RsaPkcs1 { digest } => Self::RsaPkcs1 { digest: d(digest) },
            SignAlg::RsaPkcs1Prehashed { digest } => Self::RsaPkcs1Prehashed { digest: d(digest) },
            SignAlg::RsaPss { digest } => Self::RsaPss { digest: d(digest) },
        }
    }
}

impl TryFrom<WireSignAlg> for SignAlg {
    type Error = WireError;

    fn try_from(alg: WireSignAlg) -> Result<Self, WireError> {
        let d = |name: &str| {
            DigestAlgorithm::from_name(name).ok_or_else(|| WireError::Malformed {
                reason: format!("unknown digest {name:?}"),
            })
        };
        Ok(match alg {
            WireSignAlg::Sm2Sm3 { id } => Self::Sm2Sm3 { id },
            WireSignAlg::Sm2Prehashed => Self::Sm2Prehashed,
            WireSignAlg::Ecdsa { digest } => Self::Ecdsa {
                digest: d(&digest)?,
            },
            WireSignAlg::EcdsaPrehashed => Self::EcdsaPrehashed,
            WireSignAlg::RsaPkcs1 { digest } => Self::RsaPkcs1 {
                digest: d(&digest)?,
            },
            WireSignAlg::RsaPkcs1Prehashed { digest } => Self::RsaPkcs1Prehashed {
                digest: d(&digest)?,
            },
            WireSignAlg::RsaPss { digest } => Self::RsaPss {
                digest: d(&digest)?,
            },
        })
    }
}

/// The name of an SM2 ciphertext layout on the wire; `None` for a layout this protocol version
/// does not name.
pub(super) fn enc_format_name(alg: &EncAlg) -> Option<&'static str> {
    let EncAlg::Sm2 { format } = alg;
    match format {
        CiphertextFormat::Der => Some("der"),
        CiphertextFormat::C1C3C2 => Some("c1c3c2"),
        CiphertextFormat::C1C2C3 => Some("c1c2c3"),
        _ => None,
    }
}

/// The SM2 ciphertext layout named on the wire.
pub(super) fn enc_alg(name: &str) -> Result<EncAlg, WireError> {
    let format = match name {
        "der" => CiphertextFormat::Der,
        "c1c3c2" => CiphertextFormat::C1C3C2,
        "c1c2c3" => CiphertextFormat::C1C2C3,
        other => {
            return Err(WireError::Malformed {
                reason: format!("unknown ciphertext format {other:?}"),
            });
        }
    };
    Ok(EncAlg::Sm2 { format })
}

/// The key spec named on the wire.
pub(super) fn key_spec(name: &str) -> Result<KeySpec, WireError> {
    KeySpec::from_name(name).ok_or_else(|| WireError::Malformed {
        reason: format!("unknown key spec {name:?}"),
    })
}

/// The request for a new key's certificate.
pub(super) fn csr_request(subject: String, exportable: bool) -> CsrRequest {
    CsrRequest::new(subject).exportable(exportable)
}

/// A refusal on the wire: [`MediumError`] without what cannot cross (paths, sources), so the
/// caller still tells a wrong PIN from a lock from a missing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub(super) enum WireError {
    PinIncorrect {
        retries_left: u8,
    },
    Locked,
    TemporarilyLocked {
        retry_after_secs: Option<u32>,
    },
    SoPinIncorrect {
        retries_left: Option<u8>,
    },
    SoPinLocked,
    NotLoggedIn,
    PinLength {
        min: usize,
        max: usize,
    },
    NoSuchKey,
    NoSuchCertificate,
    NoMatchingKey {
        thumbprint: String,
    },
    NotExportable,
    KeyMismatch {
        operation: String,
    },
    Unsupported {
        what: String,
    },
    Format {
        reason: String,
    },
    Certificate {
        reason: String,
    },
    Crypto {
        kind: CryptoKind,
        algorithm: String,
    },
    Storage {
        reason: String,
    },
    Remote {
        reason: String,
    },
    AlreadyExists {
        label: String,
    },
    NotFound {
        label: String,
    },
    /// The frame itself could not be read (wrong version, bad CBOR, too large).
    Malformed {
        reason: String,
    },
}

/// Which [`CryptoError`] it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum CryptoKind {
    InvalidKey,
    MalformedSignature,
    BadSignature,
    DecryptionFailed,
    InvalidInput,
    Rng,
}

impl From<&MediumError> for WireError {
    fn from(e: &MediumError) -> Self {
        match e {
            MediumError::PinIncorrect { retries_left } => Self::PinIncorrect {
                retries_left: *retries_left,
            },
            MediumError::Locked => Self::Locked,
            MediumError::TemporarilyLocked { retry_after_secs } => Self::TemporarilyLocked {
                retry_after_secs: *retry_after_secs,
            },
            MediumError::SoPinIncorrect { retries_left } => Self::SoPinIncorrect {
                retries_left: *retries_left,
            },
            MediumError::SoPinLocked => Self::SoPinLocked,
            MediumError::NotLoggedIn => Self::NotLoggedIn,
            MediumError::PinLength { min, max } => Self::PinLength {
                min: *min,
                max: *max,
            },
            MediumError::NoSuchKey => Self::NoSuchKey,
            MediumError::NoSuchCertificate => Self::NoSuchCertificate,
            MediumError::NoMatchingKey { thumbprint } => Self::NoMatchingKey {
                thumbprint: thumbprint.clone(),
            },
            MediumError::NotExportable => Self::NotExportable,
            MediumError::KeyMismatch { operation } => Self::KeyMismatch {
                operation: (*operation).to_owned(),
            },
            MediumError::Unsupported { what } => Self::Unsupported { what: what.clone() },
            MediumError::Format(f) => Self::Format {
                reason: f.to_string(),
            },
            MediumError::Certificate(c) => Self::Certificate {
                reason: c.to_string(),
            },
            MediumError::Crypto(c) => {
                let (kind, algorithm) = match c {
                    CryptoError::InvalidKey { algorithm, .. } => {
                        (CryptoKind::InvalidKey, *algorithm)
                    }
                    CryptoError::MalformedSignature { algorithm } => {
                        (CryptoKind::MalformedSignature, *algorithm)
                    }
                    CryptoError::BadSignature { algorithm } => {
                        (CryptoKind::BadSignature, *algorithm)
                    }
                    CryptoError::DecryptionFailed { algorithm } => {
                        (CryptoKind::DecryptionFailed, *algorithm)
                    }
                    CryptoError::InvalidInput { algorithm, .. } => {
                        (CryptoKind::InvalidInput, *algorithm)
                    }
                    CryptoError::Rng => (CryptoKind::Rng, ""),
                    other => {
                        return Self::Remote {
                            reason: other.to_string(),
                        };
                    }
                };
                Self::Crypto {
                    kind,
                    algorithm: algorithm.to_owned(),
                }
            }
            // The path stays on the medium's side: the caller learns that storage failed.
            MediumError::Io { source, .. } => Self::Storage {
                reason: source.kind().to_string(),
            },
            MediumError::Remote { reason } => Self::Remote {
                reason: reason.clone(),
            },
            MediumError::AlreadyExists { label } => Self::AlreadyExists {
                label: label.clone(),
            },
            MediumError::NotFound { label } => Self::NotFound {
                label: label.clone(),
            },
        }
    }
}

/// The operations a medium names in [`MediumError::KeyMismatch`], so the name survives the
/// crossing as the `&'static str` the error holds.
const OPERATIONS: &[&str] = &[
    "this signature scheme",
    "this decryption scheme",
    "this mechanism",
];

/// Algorithm names of [`CryptoError`], likewise.
const ALGORITHMS: &[&str] = &[
    "SM2", "SM4", "ECDSA", "RSA", "HMAC-SM3", "SM4-GCM", "verify", "public", "",
];

fn known(list: &[&'static str], name: &str, fallback: &'static str) -> &'static str {
    list.iter()
        .copied()
        .find(|k| *k == name)
        .unwrap_or(fallback)
}

impl From<WireError> for MediumError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::PinIncorrect { retries_left } => Self::PinIncorrect { retries_left },
            WireError::Locked => Self::Locked,
            WireError::TemporarilyLocked { retry_after_secs } => {
                Self::TemporarilyLocked { retry_after_secs }
            }
            WireError::SoPinIncorrect { retries_left } => Self::SoPinIncorrect { retries_left },
            WireError::SoPinLocked => Self::SoPinLocked,
            WireError::NotLoggedIn => Self::NotLoggedIn,
            WireError::PinLength { min, max } => Self::PinLength { min, max },
            WireError::NoSuchKey => Self::NoSuchKey,
            WireError::NoSuchCertificate => Self::NoSuchCertificate,
            WireError::NoMatchingKey { thumbprint } => Self::NoMatchingKey { thumbprint },
            WireError::NotExportable => Self::NotExportable,
            WireError::KeyMismatch { operation } => Self::KeyMismatch {
                operation: known(OPERATIONS, &operation, "this mechanism"),
            },
            WireError::Unsupported { what } => Self::Unsupported { what },
            WireError::Format { reason } => Self::Format(FormatError::Corrupt { reason }),
            WireError::Certificate { reason } | WireError::Storage { reason } => Self::Remote {
                reason: format!("medium: {reason}"),
            },
            WireError::Crypto { kind, algorithm } => {
                let algorithm = known(ALGORITHMS, &algorithm, "remote");
                Self::Crypto(match kind {
                    CryptoKind::InvalidKey => CryptoError::InvalidKey {
                        algorithm,
                        reason: "refused by the medium",
                    },
                    CryptoKind::MalformedSignature => CryptoError::MalformedSignature { algorithm },
                    CryptoKind::BadSignature => CryptoError::BadSignature { algorithm },
                    CryptoKind::DecryptionFailed => CryptoError::DecryptionFailed { algorithm },
                    CryptoKind::InvalidInput => CryptoError::InvalidInput {
                        algorithm,
                        reason: "refused by the medium",
                    },
                    CryptoKind::Rng => CryptoError::Rng,
                })
            }
            WireError::Remote { reason } => Self::Remote { reason },
            WireError::AlreadyExists { label } => Self::AlreadyExists { label },
            WireError::NotFound { label } => Self::NotFound { label },
            WireError::Malformed { reason } => malformed(reason),
        }
    }
}

/// A frame that could not be read or answered as the protocol says.
pub(super) fn malformed(reason: impl Into<String>) -> MediumError {
    MediumError::Remote {
        reason: format!("framed medium: {}", reason.into()),
    }
}

/// CBOR of `value`, in a buffer zeroized when dropped (a frame may carry a PIN or a key).
pub(super) fn encode<T: Serialize>(value: &T) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::new());
    // Writing CBOR into a Vec fails only if serialization itself does, which these types do not.
    if ciborium::into_writer(value, &mut *out).is_err() {
        out.clear();
    }
    out
}

/// `value` from a frame, refusing frames over [`MAX_FRAME`] or of another version.
pub(super) fn decode<T: for<'de> Deserialize<'de>>(frame: &[u8]) -> Result<T, WireError> {
    if frame.len() > MAX_FRAME {
        return Err(WireError::Malformed {
            reason: format!("frame of {} bytes exceeds {MAX_FRAME}", frame.len()),
        });
    }
    ciborium::de::from_reader_with_recursion_limit(frame, 32).map_err(|e| WireError::Malformed {
        reason: format!("undecodable frame: {e}"),
    })
}
