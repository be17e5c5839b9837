//! The app core: what every face (CLI, web UI, local app API) does with media, certificates,
//! PINs and settings. Faces parse input, call here and render; the decisions live here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tessera_crypto::digest::DigestAlgorithm;
use tessera_media::file_device::FileDeviceStore;
use tessera_media::{CertEntry, KeyAlgorithm, Medium, MediumError, MediumInfo, Pin, SignAlg};

use crate::pin_cache::PinCache;
use crate::providers::MediaProvider;
pub use crate::providers::OpenMedium;
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
    NoSuchCertificate {
        /// The thumbprint prefix given.
        selector: String,
    },
    /// Several certificates match a short selector.
    #[error("{selector} matches {count} certificates; give more of the thumbprint")]
    AmbiguousCertificate {
        /// The thumbprint prefix given.
        selector: String,
        /// How many certificates it matches.
        count: usize,
    },
    /// The PIN could not be obtained (prompt closed, file unreadable).
    #[error("no PIN: {reason}")]
    PinUnavailable {
        /// Why, in the face's words.
        reason: String,
    },
    /// The new PIN and its confirmation differ.
    #[error("the new PIN and its confirmation differ")]
    PinMismatch,
    /// What was to be imported is neither a certificate nor a key.
    #[error("neither a certificate nor a key: {source}")]
    NotImportable {
        /// Why it is not a certificate.
        source: tessera_x509::ParseError,
    },
    /// The new PIN is too easy to guess.
    #[error("the new PIN is too easy to guess: {weakness:?}")]
    WeakPin {
        /// What makes it easy.
        weakness: crate::holder::PinWeakness,
    },
}

/// Result of the app core.
pub type Result<T, E = AppError> = core::result::Result<T, E>;

/// A medium as listed for the holder.
#[derive(Debug)]
#[non_exhaustive]
pub struct MediumListing {
    /// Where it is: the device file, or a PKCS#11 URI (RFC 7512) naming the token and its
    /// module.
    pub location: PathBuf,
    /// What it says about itself, or why it cannot be read (listed, not hidden).
    pub info: Result<MediumInfo, MediumError>,
}

impl MediumListing {
    /// A listing for a medium at `location` (for providers outside this crate).
    pub fn new(location: PathBuf, info: Result<MediumInfo, MediumError>) -> Self {
        Self { location, info }
    }
}

/// The certificates of one medium.
#[derive(Debug)]
#[non_exhaustive]
pub struct MediumCertificates {
    /// The medium they are on.
    pub medium: MediumInfo,
    /// Its certificates, each with its key if the key is there.
    pub certificates: Vec<CertEntry>,
}

/// The client's state for one run: data directory, settings and the PIN cache.
#[derive(Debug)]
pub struct App {
    data_dir: PathBuf,
    /// The media backends, asked in order ([`crate::providers`]).
    providers: Vec<Arc<dyn MediaProvider>>,
    settings: Settings,
    /// When the settings file was written as `settings` has it.
    settings_stamp: Option<std::time::SystemTime>,
    pin_cache: PinCache,
}

impl App {
    /// Opens the app on `data_dir` (see [`crate::settings::data_dir`] for the default).
    pub fn open(data_dir: Option<&Path>) -> Result<Self> {
        let data_dir = crate::settings::data_dir(data_dir).ok_or(AppError::NoDataDir)?;
        let settings_stamp = Settings::stamp(&data_dir);
        let settings = Settings::load(&data_dir)?;
        Ok(Self {
            data_dir,
            providers: crate::providers::builtin(),
            settings,
            settings_stamp,
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

    /// The service's address, when one is configured (an empty setting is none).
    pub fn service_url(&self) -> Option<&str> {
        self.settings
            .server
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Whether self-service renewal is offered for a certificate: a service is configured, the
    /// key is on the medium, and the certificate is not self-issued (RFC 5280 §3.2: a
    /// self-signed certificate was never issued by a service that could renew it).
    pub fn renewal_offered(&self, view: &crate::holder::CertificateView) -> bool {
        self.service_url().is_some() && view.has_key && !view.details.self_issued
    }

    /// Changes one setting in the file as it is now (another process may have changed others
    /// since this one read it) and keeps the result.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        (self.settings, self.settings_stamp) =
            Settings::update(&self.data_dir, |s| s.set(key, value))?;
        Ok(())
    }

    /// Reads the settings again if another process (the CLI beside a running UI) wrote them
    /// since this one last did. A file that cannot be read now keeps the settings in force.
    pub fn refresh_settings(&mut self) {
        let stamp = Settings::stamp(&self.data_dir);
        if stamp != self.settings_stamp
            && let Ok(settings) = Settings::load(&self.data_dir)
        {
            self.settings = settings;
            self.settings_stamp = stamp;
        }
    }

    /// The store of file devices in the data directory.
    pub fn file_devices(&self) -> Result<FileDeviceStore> {
        Ok(FileDeviceStore::open(self.data_dir.join(DEVICES_DIR))?)
    }

    /// The media providers, in the order they are asked.
    pub fn providers(&self) -> &[Arc<dyn MediaProvider>] {
        &self.providers
    }

    /// Adds a media backend (a Bluetooth key, the mobile e-key): asked after those before it.
    pub fn add_provider(&mut self, provider: Arc<dyn MediaProvider>) {
        self.providers.push(provider);
    }

    /// Every medium the client can see, provider by provider: file devices, PKCS#11 tokens,
    /// the active cloud account's key, then any added backend.
    pub fn media(&self) -> Result<Vec<MediumListing>> {
        let mut out = Vec::new();
        for provider in &self.providers {
            out.extend(provider.list(self)?);
        }
        Ok(out)
    }

    /// The certificates on the medium named `device` (label or serial), or on every readable
    /// medium, grouped by medium.
    pub fn certificates(&self, device: Option<&str>) -> Result<Vec<MediumCertificates>> {
        let names: Vec<String> = match device {
            Some(name) => vec![name.to_owned()],
            None => self
                .media()?
                .into_iter()
                .filter_map(|m| m.info.ok().map(|i| i.serial))
                .collect(),
        };
        names
            .iter()
            .map(|name| {
                let medium = self.open_medium(name)?;
                Ok(MediumCertificates {
                    medium: medium.info()?,
                    certificates: medium.certificates()?,
                })
            })
            .collect()
    }

    /// Opens the medium whose label or serial is `name`: the first provider that has it
    /// (file device, else PKCS#11 token, else the active cloud account's key, whose serial is
    /// the account id).
    pub fn open_medium(&self, name: &str) -> Result<OpenMedium> {
        for provider in &self.providers {
            if let Some(medium) = provider.open(self, name)? {
                return Ok(OpenMedium::new(provider.name(), medium));
            }
        }
        Err(MediumError::NotFound {
            label: name.to_owned(),
        }
        .into())
    }

    /// Logs in to `medium`: with the cached PIN if there is a fresh one, else with the PIN
    /// `ask` gives. A PIN that works is cached as the settings say; a wrong one is dropped from
    /// the cache and the error (with the retries left) returned.
    pub fn login(
        &mut self,
        medium: &mut dyn Medium,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<()> {
        self.login_with(medium, ask, true)
    }

    /// Logs in to `medium` with the PIN `ask` gives, never with a cached one: for operations
    /// the holder confirms with the PIN every time (deleting a certificate). A PIN that works
    /// is cached as the settings say; a wrong one drops the cached PIN.
    pub fn login_asking(
        &mut self,
        medium: &mut dyn Medium,
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<()> {
        self.login_with(medium, ask, false)
    }

    fn login_with(
        &mut self,
        medium: &mut dyn Medium,
        ask: &mut dyn FnMut() -> Result<Pin>,
        cached: bool,
    ) -> Result<()> {
        let id = medium.info()?.serial;
        let setting = self.settings.pin_cache;
        if let Some(pin) = self.pin_cache.get(&id, setting).filter(|_| cached) {
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

    /// Whether a fresh PIN for the medium with serial `serial` is cached, so that an operation
    /// needing the PIN will not ask for it.
    pub fn has_cached_pin(&mut self, serial: &str) -> bool {
        self.pin_cache
            .get(serial, self.settings.pin_cache)
            .is_some()
    }

    /// Drops (and zeroizes) every cached PIN whose time is up under the current setting. Faces
    /// that stay open, like the web UI, call this now and then so that an expired PIN does not
    /// wait in memory for its next use.
    pub fn purge_expired_pins(&mut self) {
        self.pin_cache.purge_expired(self.settings.pin_cache);
    }

    /// Drops the cached PIN of `medium` (after a PIN change, say).
    pub fn forget_pin(&mut self, medium: &dyn Medium) -> Result<()> {
        self.pin_cache.forget(&medium.info()?.serial);
        Ok(())
    }
}

/// A token that appeared or went away, as `tessera device watch` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TokenEvent {
    /// `inserted` or `removed`.
    pub event: &'static str,
    /// The token's label.
    pub label: String,
    /// The token's serial number.
    pub serial: String,
    /// The PKCS#11 URI (RFC 7512) of the token.
    pub location: String,
}

/// Tokens present now: location → (label, serial). Tokens that cannot be read count as absent.
pub type TokenSnapshot = std::collections::BTreeMap<String, (String, String)>;

/// What changed between two snapshots: removals first, then insertions, each sorted.
pub fn token_changes(before: &TokenSnapshot, after: &TokenSnapshot) -> Vec<TokenEvent> {
    let event = |event, (loc, (label, serial)): (&String, &(String, String))| TokenEvent {
        event,
        label: label.clone(),
        serial: serial.clone(),
        location: loc.clone(),
    };
    let removed = before
        .iter()
        .filter(|(k, _)| !after.contains_key(*k))
        .map(|e| event("removed", e));
    let inserted = after
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .map(|e| event("inserted", e));
    removed.chain(inserted).collect()
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn token_changes_reports_insertions_and_removals() {
        let snap = |items: &[(&str, &str)]| -> TokenSnapshot {
            items
                .iter()
                .map(|(loc, label)| ((*loc).to_owned(), ((*label).to_owned(), "s".to_owned())))
                .collect()
        };
        let before = snap(&[("a", "A"), ("b", "B")]);
        let after = snap(&[("b", "B"), ("c", "C")]);
        let changes = token_changes(&before, &after);
        let got: Vec<_> = changes
            .iter()
            .map(|e| (e.event, e.label.as_str()))
            .collect();
        assert_eq!(got, vec![("removed", "A"), ("inserted", "C")]);
        assert!(token_changes(&after, &after).is_empty());
    }

    /// The UI's app and the CLI are separate processes on one settings file: a change by one
    /// never undoes the other's, also when they write at the same moment, and the running app
    /// sees the other's change.
    #[test]
    fn settings_changed_by_another_process_are_kept_and_seen() {
        let data = tempfile::tempdir().unwrap();
        let mut ui = App::open(Some(data.path())).unwrap();
        let mut cli = App::open(Some(data.path())).unwrap();
        cli.set_setting("server", "http://127.0.0.1:8443").unwrap();
        ui.refresh_settings();
        assert_eq!(ui.service_url(), Some("http://127.0.0.1:8443"));
        ui.set_setting("logs", "off").unwrap();
        let fresh = App::open(Some(data.path())).unwrap();
        assert_eq!(
            fresh.settings().get("server").unwrap(),
            "http://127.0.0.1:8443"
        );
        assert_eq!(fresh.settings().get("logs").unwrap(), "off");

        // Eight writers at once, each with its own view read before any of them wrote.
        let changes = [
            ("pin-cache", "5"),
            ("language", "en-US"),
            ("business", "cloud-key"),
            ("pkcs11-modules", "/opt/a.so"),
            ("pkcs11-sm2-mechanism", "0x80000101"),
            ("privacy-accepted", "3"),
            ("update-check", "never"),
            ("logs", "on"),
        ];
        let mut apps: Vec<App> = changes
            .iter()
            .map(|_| App::open(Some(data.path())).unwrap())
            .collect();
        let barrier = std::sync::Barrier::new(changes.len());
        std::thread::scope(|scope| {
            for (app, (key, value)) in apps.iter_mut().zip(changes) {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    app.set_setting(key, value).unwrap();
                });
            }
        });
        let fresh = App::open(Some(data.path())).unwrap();
        for (key, value) in changes {
            assert_eq!(fresh.settings().get(key).unwrap(), value, "{key} was lost");
        }
        assert_eq!(
            fresh.settings().get("server").unwrap(),
            "http://127.0.0.1:8443"
        );
    }

    /// Renewal is offered for a certificate a service issued, with its key here and a service
    /// configured; never for a self-signed one (RFC 5280 §3.2), whatever else holds.
    #[test]
    fn renewal_is_offered_only_for_issued_certificates() {
        use tessera_media::file_device::{CreateOptions, KdfParams};
        use tessera_media::{Medium as _, SoPin};
        use tessera_testkit::openssl::Scratch;

        let data = tempfile::tempdir().unwrap();
        let mut app = App::open(Some(data.path())).unwrap();
        let pin = Pin::new("246813");
        let mut device = app
            .file_devices()
            .unwrap()
            .create(
                &CreateOptions::new("renewal").kdf(KdfParams::insecure_minimum_for_tests()),
                &pin,
                &SoPin::new("so-secret-1"),
            )
            .unwrap();
        device.login(&pin).unwrap();

        // A self-signed certificate and one issued by a CA, each with its key on the device.
        let s = Scratch::new();
        for key in ["ca", "self", "leaf"] {
            s.ok(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{key}.key"),
            ]);
        }
        s.ok(&[
            "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=CA", "-out", "ca.pem",
        ]);
        s.ok(&[
            "req", "-x509", "-new", "-key", "self.key", "-subj", "/CN=Self", "-outform", "DER",
            "-out", "self.der",
        ]);
        s.ok(&[
            "req", "-new", "-key", "leaf.key", "-subj", "/CN=Leaf", "-out", "leaf.csr",
        ]);
        s.ok(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "7",
            "-outform",
            "DER",
            "-out",
            "leaf.der",
        ]);
        let mut thumbprints = Vec::new();
        for name in ["self", "leaf"] {
            s.ok(&[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &format!("{name}.key"),
                "-outform",
                "DER",
                "-out",
                &format!("{name}.p8"),
            ]);
            let (_, certs) = device
                .import_key(
                    &s.read(&format!("{name}.p8")),
                    &[s.read(&format!("{name}.der"))],
                    false,
                )
                .unwrap();
            thumbprints.push(certs[0].reference.thumbprint().to_owned());
        }
        let now = time::OffsetDateTime::now_utc();
        let view = |app: &App, i: usize| {
            app.certificate_view("renewal", &thumbprints[i], now)
                .unwrap()
        };

        assert!(
            !app.renewal_offered(&view(&app, 1)),
            "no service is configured yet"
        );
        app.set_setting("server", "http://127.0.0.1:9").unwrap();
        assert!(
            app.renewal_offered(&view(&app, 1)),
            "an issued certificate with its key"
        );
        assert!(
            !app.renewal_offered(&view(&app, 0)),
            "a self-signed certificate"
        );
        app.set_setting("server", "  ").unwrap();
        assert!(app.service_url().is_none(), "a blank setting is no service");
    }
}
