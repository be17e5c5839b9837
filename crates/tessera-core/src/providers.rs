//! Media backends as providers: each lists the media it sees and opens one by label or serial.
//! The app asks its providers in order ([`crate::app::App::media`],
//! [`crate::app::App::open_medium`]); a new backend (a Bluetooth key, the mobile e-key) is one
//! more provider given to [`crate::app::App::add_provider`], and nothing else changes.
//!
//! Built in: file devices in the data directory ([`FileDevices`]), PKCS#11 tokens of the
//! configured modules ([`pkcs11::Pkcs11Tokens`], not in WebAssembly) and the active cloud
//! account's two-party key ([`CloudKeys`]).

#[cfg(all(feature = "pkcs11", not(target_arch = "wasm32")))]
pub mod pkcs11;

use std::path::PathBuf;
use std::sync::Arc;

use tessera_media::{
    CertEntry, CertRef, CsrRequest, EncAlg, GeneratedKey, KeyEntry, KeyRef, KeySpec, Medium,
    MediumError, MediumInfo, Pin, SignAlg, SoPin, cloud_key::CloudKeyTransport as _,
};
use zeroize::Zeroizing;

use crate::app::{App, MediumListing, Result};
use crate::cloud::{Cloud, CloudError};

/// A medium as a provider hands it out.
pub type BoxedMedium = Box<dyn Medium + Send>;

/// A source of media.
pub trait MediaProvider: Send + Sync + std::fmt::Debug {
    /// A short stable name (`file`, `pkcs11`, `cloud`), kept with each opened medium.
    fn name(&self) -> &'static str;

    /// Every medium this provider sees now; one it cannot read is listed with its error, not
    /// hidden.
    fn list(&self, app: &App) -> Result<Vec<MediumListing>>;

    /// The medium whose label or serial is `name`, or `None` when this provider has none.
    fn open(&self, app: &App, name: &str) -> Result<Option<BoxedMedium>>;
}

/// The providers every app starts with, in the order they are asked.
pub fn builtin() -> Vec<Arc<dyn MediaProvider>> {
    vec![
        Arc::new(FileDevices),
        #[cfg(all(feature = "pkcs11", not(target_arch = "wasm32")))]
        Arc::new(pkcs11::Pkcs11Tokens),
        Arc::new(CloudKeys),
    ]
}

/// A medium opened by label or serial, with the name of the provider that holds it.
pub struct OpenMedium {
    provider: &'static str,
    medium: BoxedMedium,
}

impl std::fmt::Debug for OpenMedium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenMedium")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl OpenMedium {
    /// `medium`, opened by the provider called `provider`.
    pub fn new(provider: &'static str, medium: BoxedMedium) -> Self {
        Self { provider, medium }
    }

    /// The name of the provider that opened it ([`MediaProvider::name`]).
    pub fn provider(&self) -> &'static str {
        self.provider
    }
}

impl Medium for OpenMedium {
    fn info(&self) -> tessera_media::Result<MediumInfo> {
        self.medium.info()
    }
    fn certificates(&self) -> tessera_media::Result<Vec<CertEntry>> {
        self.medium.certificates()
    }
    fn keys(&self) -> tessera_media::Result<Vec<KeyEntry>> {
        self.medium.keys()
    }
    fn login(&mut self, pin: &Pin) -> tessera_media::Result<()> {
        self.medium.login(pin)
    }
    fn logout(&mut self) {
        self.medium.logout();
    }
    fn change_pin(&mut self, old: &Pin, new: &Pin) -> tessera_media::Result<()> {
        self.medium.change_pin(old, new)
    }
    fn unlock(&mut self, so_pin: &SoPin, new_pin: &Pin) -> tessera_media::Result<()> {
        self.medium.unlock(so_pin, new_pin)
    }
    fn generate_key(
        &mut self,
        spec: KeySpec,
        request: &CsrRequest,
    ) -> tessera_media::Result<GeneratedKey> {
        self.medium.generate_key(spec, request)
    }
    fn import_certificate(&mut self, der: &[u8]) -> tessera_media::Result<CertEntry> {
        self.medium.import_certificate(der)
    }
    fn import_key(
        &mut self,
        pkcs8: &[u8],
        certificates: &[Vec<u8>],
        exportable: bool,
    ) -> tessera_media::Result<(KeyEntry, Vec<CertEntry>)> {
        self.medium.import_key(pkcs8, certificates, exportable)
    }
    fn export_key(&mut self, key: &KeyRef) -> tessera_media::Result<Zeroizing<Vec<u8>>> {
        self.medium.export_key(key)
    }
    fn delete_certificate(&mut self, cert: &CertRef) -> tessera_media::Result<()> {
        self.medium.delete_certificate(cert)
    }
    fn delete_key(&mut self, key: &KeyRef) -> tessera_media::Result<()> {
        self.medium.delete_key(key)
    }
    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> tessera_media::Result<Vec<u8>> {
        self.medium.sign(key, alg, data)
    }
    fn decrypt(
        &mut self,
        key: &KeyRef,
        alg: &EncAlg,
        data: &[u8],
    ) -> tessera_media::Result<Zeroizing<Vec<u8>>> {
        self.medium.decrypt(key, alg, data)
    }
    fn data_objects(&self) -> tessera_media::Result<Vec<String>> {
        self.medium.data_objects()
    }
    fn read_data_object(&self, name: &str) -> tessera_media::Result<Option<Vec<u8>>> {
        self.medium.read_data_object(name)
    }
    fn write_data_object(
        &mut self,
        name: &str,
        value: &[u8],
        private: bool,
    ) -> tessera_media::Result<()> {
        self.medium.write_data_object(name, value, private)
    }
    fn delete_data_object(&mut self, name: &str) -> tessera_media::Result<bool> {
        self.medium.delete_data_object(name)
    }
}

/// File devices in the data directory's `devices` folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileDevices;

impl MediaProvider for FileDevices {
    fn name(&self) -> &'static str {
        "file"
    }

    fn list(&self, app: &App) -> Result<Vec<MediumListing>> {
        Ok(app
            .file_devices()?
            .list()?
            .into_iter()
            .map(|d| MediumListing {
                location: d.path,
                info: d.info,
            })
            .collect())
    }

    fn open(&self, app: &App, name: &str) -> Result<Option<BoxedMedium>> {
        match app.file_devices()?.open_device(name) {
            Ok(device) => Ok(Some(Box::new(device))),
            Err(MediumError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// The active cloud account's two-party key (serial: the account id), when an account has
/// been downloaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudKeys;

impl CloudKeys {
    /// Where the key is, and the key or why it cannot be opened; `None` without an account.
    fn active(app: &App) -> Option<(PathBuf, Result<BoxedMedium, MediumError>)> {
        let cloud = Cloud::new(app.data_dir());
        match crate::cloud::medium::open(&cloud) {
            Ok(m) => {
                let t = m.transport();
                let location = format!("{}/v1/cloud/accounts/{}", t.server(), t.account_id());
                Some((PathBuf::from(location), Ok(Box::new(m))))
            }
            Err(CloudError::NoAccount(_) | CloudError::NoCertificate) => None,
            Err(e) => Some((
                app.data_dir().join("cloud"),
                Err(MediumError::Remote {
                    reason: e.to_string(),
                }),
            )),
        }
    }
}

impl MediaProvider for CloudKeys {
    fn name(&self) -> &'static str {
        "cloud"
    }

    fn list(&self, app: &App) -> Result<Vec<MediumListing>> {
        Ok(Self::active(app)
            .map(|(location, medium)| MediumListing {
                location,
                info: medium.and_then(|m| m.info()),
            })
            .into_iter()
            .collect())
    }

    fn open(&self, app: &App, name: &str) -> Result<Option<BoxedMedium>> {
        let Some((_, medium)) = Self::active(app) else {
            return Ok(None);
        };
        let medium = medium?;
        let info = medium.info()?;
        Ok((info.serial == name || info.label == name).then_some(medium))
    }
}
