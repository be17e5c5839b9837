//! The device file, version 3 (versions 1 and 2 read and migrated on the next write): one JSON
//! object, binary fields in standard base64 with padding (RFC 4648 §4). Spec:
//! `docs/file-device.md`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::{AlgorithmMode, FormatError, MediumError, Result};

/// Value of the `format` field.
pub(crate) const FORMAT_NAME: &str = "tessera-file-device";
/// The version this code writes and the newest it reads. Version 2 added the SO PIN's retry
/// counter (a version 1 file is read with a fresh SO counter); version 3 wraps with
/// `tessera_crypto::wrap` (objects of versions 1 and 2 are still read, see [`Wrapped`]).
pub(crate) const FORMAT_VERSION: u32 = 3;
/// The version named in the associated data of objects wrapped as versions 1 and 2 did.
const AD_VERSION_1: u32 = 1;
/// The version named in the associated data of `tessera_crypto::wrap` blobs.
const AD_VERSION_3: u32 = 3;
/// Wrong SO PINs allowed before the SO PIN is blocked, for devices made without a choice and
/// for version 1 files (which had no SO counter).
pub const DEFAULT_SO_MAX_RETRIES: u8 = 10;
/// Largest device file read (certificates and seal images included).
pub(crate) const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;

/// Bytes, as base64 in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct B64(pub(crate) Vec<u8>);

impl std::fmt::Debug for B64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "B64({} bytes)", self.0.len())
    }
}

impl Serialize for B64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(B64)
            .map_err(serde::de::Error::custom)
    }
}

/// The AEAD wrapping private objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Cipher {
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm,
    #[serde(rename = "sm4-gcm")]
    Sm4Gcm,
}

impl Cipher {
    pub(crate) fn for_mode(mode: AlgorithmMode) -> Self {
        match mode {
            AlgorithmMode::National => Self::Sm4Gcm,
            _ => Self::Aes256Gcm,
        }
    }
}

/// Argon2id cost parameters (RFC 9106 §3.1), stored in the file so they can be raised later
/// without breaking old devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KdfParams {
    /// Always `argon2id`.
    pub algorithm: KdfAlgorithm,
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

/// The password hash; only Argon2id version 0x13 is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum KdfAlgorithm {
    /// Argon2id v1.3 (RFC 9106).
    #[serde(rename = "argon2id")]
    Argon2id,
}

impl Default for KdfParams {
    /// m = 19 MiB, t = 2, p = 1: the floor this project sets for devices in use (OWASP's
    /// Argon2id minimum; RFC 9106 §4 lets memory-constrained settings go this low).
    fn default() -> Self {
        Self {
            algorithm: KdfAlgorithm::Argon2id,
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl KdfParams {
    /// The cheapest parameters the format accepts (m = 64 KiB, t = 1): for tests only, never for
    /// a device that holds a real key.
    pub fn insecure_minimum_for_tests() -> Self {
        Self {
            algorithm: KdfAlgorithm::Argon2id,
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    /// Bounds on read: low enough that a crafted file cannot make the app allocate without
    /// limit, high enough for any sane setting.
    pub(crate) fn check(&self) -> Result<()> {
        self.argon2()
            .check()
            .map_err(|_| FormatError::corrupt("Argon2id parameters out of range").into())
    }
}

/// AEAD output as versions 1 and 2 wrote it: a nonce and `ciphertext || tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AeadV1 {
    pub(crate) nonce: B64,
    pub(crate) ciphertext: B64,
}

/// A wrapped object (a key's PKCS#8, a private data object) under the data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Wrapped {
    /// Since version 3: a `tessera_crypto::wrap` blob, as one base64 string.
    Blob(B64),
    /// Versions 1 and 2: `{ "nonce", "ciphertext" }`.
    V1(AeadV1),
}

/// The device's data key wrapped under a key derived from a PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum WrappedKey {
    /// Since version 3: a `tessera_crypto::wrap` blob (Argon2id parameters and salt inside).
    Blob(B64),
    /// Versions 1 and 2: `{ "salt", "sealed": { "nonce", "ciphertext" } }`, with the file's
    /// `kdf` parameters.
    V1 {
        salt: B64,
        #[serde(rename = "sealed")]
        aead: AeadV1,
    },
}

/// A PIN's retry counter (the user PIN's, and since version 2 the SO PIN's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PinState {
    pub(crate) max_retries: u8,
    pub(crate) retries_left: u8,
}

impl PinState {
    /// A full counter of `max` tries.
    pub(crate) fn full(max: u8) -> Self {
        Self {
            max_retries: max,
            retries_left: max,
        }
    }

    fn in_range(&self) -> bool {
        (1..=100).contains(&self.max_retries) && self.retries_left <= self.max_retries
    }
}

/// A private key: public half in clear, PKCS#8 wrapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredKey {
    /// Hex key reference (SHA-1 of the subjectPublicKey bits).
    pub(crate) id: String,
    pub(crate) algorithm: String,
    /// DER SubjectPublicKeyInfo.
    pub(crate) public_key: B64,
    pub(crate) exportable: bool,
    /// DER PKCS#8 under the data key.
    pub(crate) private_key: Wrapped,
}

/// A certificate, DER.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredCert {
    pub(crate) der: B64,
}

/// A named data object, public (in clear) or private (wrapped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredData {
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<B64>,
    /// Written as `wrapped`; versions 1 and 2 called it `sealed`.
    #[serde(
        default,
        rename = "wrapped",
        alias = "sealed",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) wrapped: Option<Wrapped>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeviceFile {
    pub(crate) format: String,
    pub(crate) version: u32,
    pub(crate) label: String,
    pub(crate) serial: String,
    pub(crate) maker: String,
    pub(crate) mode: AlgorithmMode,
    pub(crate) cipher: Cipher,
    pub(crate) kdf: KdfParams,
    pub(crate) pin: PinState,
    /// The SO PIN's counter; absent in version 1 files, always present once parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) so_pin_retries: Option<PinState>,
    pub(crate) user_pin: WrappedKey,
    pub(crate) so_pin: WrappedKey,
    pub(crate) keys: Vec<StoredKey>,
    pub(crate) certificates: Vec<StoredCert>,
    pub(crate) data_objects: Vec<StoredData>,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

impl DeviceFile {
    /// Decodes a device file, checking the format name and version first so that a newer file
    /// gives [`FormatError::NewerVersion`] rather than a parse error.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let header: Header = serde_json::from_slice(bytes)
            .map_err(|e| FormatError::corrupt(format!("not a device file: {e}")))?;
        if header.format != FORMAT_NAME {
            return Err(FormatError::corrupt(format!("format is {:?}", header.format)).into());
        }
        if header.version > FORMAT_VERSION {
            return Err(FormatError::NewerVersion {
                found: header.version,
                supported: FORMAT_VERSION,
            }
            .into());
        }
        let mut file: DeviceFile =
            serde_json::from_slice(bytes).map_err(|e| FormatError::corrupt(e.to_string()))?;
        if file.version < 2 {
            // Version 1 had no SO counter: start a full one.
            if file.so_pin_retries.is_some() {
                return Err(FormatError::corrupt("SO PIN counter in a version 1 file").into());
            }
            file.so_pin_retries = Some(PinState::full(DEFAULT_SO_MAX_RETRIES));
        }
        // An older file stays as it is on disk until the next write, which writes the current
        // version (its objects wrapped the old way still unwrap, see [`Wrapped`]).
        file.version = FORMAT_VERSION;
        file.check()?;
        Ok(file)
    }

    fn check(&self) -> Result<()> {
        self.kdf.check()?;
        if self.cipher != Cipher::for_mode(self.mode) {
            return Err(FormatError::corrupt("cipher does not match the mode").into());
        }
        if self.pin.max_retries == 0 || self.pin.retries_left > self.pin.max_retries {
            return Err(FormatError::corrupt("PIN retry counter out of range").into());
        }
        match self.so_pin_retries {
            Some(so) if so.in_range() => Ok(()),
            Some(_) => Err(FormatError::corrupt("SO PIN retry counter out of range").into()),
            None => Err(FormatError::corrupt("SO PIN retry counter missing").into()),
        }
    }

    /// The SO PIN's counter (present in every parsed or created file).
    pub(crate) fn so_counter(&self) -> PinState {
        self.so_pin_retries
            .unwrap_or(PinState::full(DEFAULT_SO_MAX_RETRIES))
    }

    /// Pretty JSON with a final newline.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)
            .map_err(|e| MediumError::from(FormatError::corrupt(e.to_string())))?;
        out.push(b'\n');
        Ok(out)
    }

    /// Associated data binding a wrapped object to this device and its role in it.
    pub(crate) fn ad(&self, role: &str, name: &str) -> Vec<u8> {
        format!("{FORMAT_NAME}/{AD_VERSION_3}|{}|{role}|{name}", self.serial).into_bytes()
    }

    /// The same, for objects wrapped as versions 1 and 2 did.
    pub(crate) fn ad_v1(&self, role: &str, name: &str) -> Vec<u8> {
        format!("{FORMAT_NAME}/{AD_VERSION_1}|{}|{role}|{name}", self.serial).into_bytes()
    }
}
