//! The app core: what every face (CLI, web UI, local app API) does with media, certificates,
//! PINs and settings. Faces parse input, call here and render; the decisions live here.

use std::path::{Path, PathBuf};

use tessera_crypto::digest::DigestAlgorithm;
use tessera_media::{
    CertEntry, KeyAlgorithm, Medium, MediumError, MediumInfo, Pin, SignAlg,
    file_device::{FileDevice, FileDeviceStore},
};

use crate::pin_cache::PinCache;
use crate::settings::{Settings, SettingsError};

/// Sub-folder of the data directory holding file devices.
pub const DEVICES_DIR: &str = "devices";

/// Why an app operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// No data directory could be found (no home directory and none given).
    #[error("no data directory: pass --data-dir or set TESSERA_DATA_DIR")]
    NoDataDir,
    /// Settings could not be read or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The medium refused or failed.
    #[error(transparent)]
    Medium(#[from] MediumError),
    /// No certificate on the medium matches the selector.
    #[error("no certificate matches {selector}")]
    NoSuchCertificate { selector: String },
    /// Several certificates match a short selector.
    #[error("{selector} matches {count} certificates; give more of the thumbprint")]
    AmbiguousCertificate { selector: String, count: usize },
    /// The PIN could not be obtained (prompt closed, file unreadable).
    #[error("no PIN: {reason}")]
    PinUnavailable { reason: String },
}

/// Result of the app core.
pub type Result<T, E = AppError> = core::result::Result<T, E>;

/// A medium as listed for the holder.
#[derive(Debug)]
#[non_exhaustive]
pub struct MediumListing {
    /// Where it is: the device file.
    pub location: PathBuf,
    /// What it says about itself, or why it cannot be read (listed, not hidden).
    pub info: Result<MediumInfo, MediumError>,
}

/// The client's state for one run: data directory, settings and the PIN cache.
#[derive(Debug)]
pub struct App {
    data_dir: PathBuf,
    settings: Settings,
    pin_cache: PinCache,
}

impl App {
    /// Opens the app on `data_dir` (see [`crate::settings::data_dir`] for the default).
    pub fn open(data_dir: Option<&Path>) -> Result<Self> {
        let data_dir = crate::settings::data_dir(data_dir).ok_or(AppError::NoDataDir)?;
        let settings = Settings::load(&data_dir)?;
        Ok(Self {
            data_dir,
            settings,
            pin_cache: PinCache::default(),
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes one setting and saves the file.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        let mut next = self.settings.clone();
        next.set(key, value)?;
        next.save(&self.data_dir)?;
        self.settings = next;
        Ok(())
    }

    /// The store of file devices in the data directory.
    pub fn file_devices(&self) -> Result<FileDeviceStore> {
        Ok(FileDeviceStore::open(self.data_dir.join(DEVICES_DIR))?)
    }

    /// Every medium the client can see. File devices for now; USB keys join with PKCS#11.
    pub fn media(&self) -> Result<Vec<MediumListing>> {
        Ok(self
            .file_devices()?
            .list()?
            .into_iter()
            .map(|d| MediumListing {
                location: d.path,
                info: d.info,
            })
            .collect())
    }

    /// Opens the medium whose label or serial is `name`.
    pub fn open_medium(&self, name: &str) -> Result<FileDevice> {
        Ok(self.file_devices()?.open_device(name)?)
    }

    /// Logs in to `medium`: with the cached PIN if there is a fresh one, else with the PIN
    /// `ask` gives. A PIN that works is cached as the settings say; a wrong one is dropped from
    /// the cache and the error (with the retries left) returned.
    pub fn login(
        &mut self,
        medium: &mut dyn Medium,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<()> {
        let id = medium.info()?.serial;
        let setting = self.settings.pin_cache;
        if let Some(pin) = self.pin_cache.get(&id, setting) {
            match medium.login(&pin) {
                Ok(()) => return Ok(()),
                Err(_) => self.pin_cache.forget(&id),
            }
        }
        let pin = ask()?;
        match medium.login(&pin) {
            Ok(()) => {
                self.pin_cache.remember(&id, &pin, setting);
                Ok(())
            }
            Err(e) => {
                self.pin_cache.forget(&id);
                Err(e.into())
            }
        }
    }

    /// Drops the cached PIN of `medium` (after a PIN change, say).
    pub fn forget_pin(&mut self, medium: &dyn Medium) -> Result<()> {
        self.pin_cache.forget(&medium.info()?.serial);
        Ok(())
    }
}

/// The certificate on `medium` whose SHA-256 or SHA-1 thumbprint starts with `selector`
/// (at least 8 hex digits, case and `:` ignored).
pub fn find_certificate(medium: &dyn Medium, selector: &str) -> Result<CertEntry> {
    let wanted: String = selector
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let not_found = || AppError::NoSuchCertificate {
        selector: selector.to_owned(),
    };
    if wanted.len() < 8 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let mut matches: Vec<CertEntry> = medium
        .certificates()?
        .into_iter()
        .filter(|c| {
            [DigestAlgorithm::Sha256, DigestAlgorithm::Sha1]
                .iter()
                .any(|alg| c.certificate.thumbprint(*alg).starts_with(&wanted))
        })
        .collect();
    match matches.len() {
        0 => Err(not_found()),
        1 => Ok(matches.remove(0)),
        count => Err(AppError::AmbiguousCertificate {
            selector: selector.to_owned(),
            count,
        }),
    }
}

/// The signature scheme a key gets by default: SM2 with SM3 and the default ID, ECDSA with its
/// curve's hash, RSA PKCS#1 v1.5 with SHA-256. With `prehashed`, the input is that hash
/// (for SM2: `e = SM3(Z_A || M)`).
pub fn default_sign_alg(key: KeyAlgorithm, prehashed: bool) -> SignAlg {
    match (key, prehashed) {
        (KeyAlgorithm::Sm2, false) => SignAlg::Sm2Sm3 { id: None },
        (KeyAlgorithm::Sm2, true) => SignAlg::Sm2Prehashed,
        (KeyAlgorithm::P256, false) => SignAlg::Ecdsa {
            digest: DigestAlgorithm::Sha256,
        },
        (KeyAlgorithm::P384, false) => SignAlg::Ecdsa {
            digest: DigestAlgorithm::Sha384,
        },
        (KeyAlgorithm::P256 | KeyAlgorithm::P384, true) => SignAlg::EcdsaPrehashed,
        (_, false) => SignAlg::RsaPkcs1 {
            digest: DigestAlgorithm::Sha256,
        },
        (_, true) => SignAlg::RsaPkcs1Prehashed {
            digest: DigestAlgorithm::Sha256,
        },
    }
}
