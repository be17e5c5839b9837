//! PKCS#11 tokens (USB keys, SoftHSM2) of the configured modules, and the app's view of the
//! modules themselves: which to load, which failed, which tokens are present.

use std::path::PathBuf;

use tessera_media::MediumError;
use tessera_media::pkcs11::{self, Pkcs11Module, Pkcs11Options};

use super::{BoxedMedium, MediaProvider};
use crate::app::{App, MediumListing, Result, TokenEvent, TokenSnapshot, token_changes};

/// The tokens in the slots of every module that loads ([`App::pkcs11_modules`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pkcs11Tokens;

impl MediaProvider for Pkcs11Tokens {
    fn name(&self) -> &'static str {
        "pkcs11"
    }

    fn list(&self, app: &App) -> Result<Vec<MediumListing>> {
        let (modules, mut out) = app.pkcs11_loaded();
        for module in modules {
            match module.tokens() {
                Ok(tokens) => out.extend(tokens.into_iter().map(|t| MediumListing {
                    location: PathBuf::from(t.uri()),
                    info: t.info,
                })),
                Err(e) => out.push(MediumListing {
                    location: module.path().to_path_buf(),
                    info: Err(e),
                }),
            }
        }
        Ok(out)
    }

    fn open(&self, app: &App, name: &str) -> Result<Option<BoxedMedium>> {
        for module in app.pkcs11_loaded().0 {
            match module.open_token(name) {
                Ok(token) => return Ok(Some(Box::new(token))),
                Err(MediumError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }
}

impl App {
    /// PKCS#11 modules to look in: those of the `pkcs11-modules` setting, then those named in
    /// `TESSERA_PKCS11_MODULES` (paths separated by `:`); when neither names any, the default
    /// OpenSC and SoftHSM2 modules present on this machine. Each entry says whether it was named
    /// explicitly (explicit modules that fail to load are listed with their error; defaults that
    /// fail are passed over).
    pub fn pkcs11_modules(&self) -> Vec<(PathBuf, bool)> {
        let mut out: Vec<(PathBuf, bool)> = self
            .settings()
            .pkcs11_modules
            .iter()
            .map(|p| (p.clone(), true))
            .collect();
        match std::env::var(pkcs11::MODULES_ENV) {
            Ok(list) => out.extend(
                pkcs11::parse_module_list(&list)
                    .into_iter()
                    .map(|p| (p, true)),
            ),
            Err(_) if out.is_empty() => {
                out.extend(pkcs11::default_modules().into_iter().map(|p| (p, false)))
            }
            Err(_) => {}
        }
        // One module reached by two paths (Debian links /usr/lib/softhsm/libsofthsm2.so to the
        // multiarch one) would list every token twice: compare where the paths lead.
        let mut seen = std::collections::HashSet::new();
        out.retain(|(p, _)| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
        out
    }

    /// The PKCS#11 modules that load, and listings for explicit ones that do not.
    pub fn pkcs11_loaded(&self) -> (Vec<Pkcs11Module>, Vec<MediumListing>) {
        let mut loaded = Vec::new();
        let mut failed = Vec::new();
        for (path, explicit) in self.pkcs11_modules() {
            let options =
                Pkcs11Options::default().sm2_sign_mechanism(self.settings().pkcs11_sm2_mechanism);
            match Pkcs11Module::load(&path, options) {
                Ok(m) => loaded.push(m),
                Err(e) if explicit => failed.push(MediumListing {
                    location: path,
                    info: Err(e),
                }),
                Err(_) => {}
            }
        }
        (loaded, failed)
    }

    /// The PKCS#11 tokens present now.
    pub fn token_snapshot(&self) -> TokenSnapshot {
        let mut out = TokenSnapshot::new();
        for module in self.pkcs11_loaded().0 {
            for t in module.tokens().unwrap_or_default() {
                let uri = t.uri();
                if let Ok(info) = t.info {
                    out.insert(uri, (info.label, info.serial));
                }
            }
        }
        out
    }

    /// Watches for tokens inserted or removed, calling `report` for each change, until `count`
    /// changes were seen or `timeout` passed (forever when both are `None`; Ctrl-C ends the
    /// process). Polls the slot lists (`C_GetSlotList`, PKCS#11 v2.40 §5.5) every `interval`:
    /// blocking `C_WaitForSlotEvent` cannot be interrupted portably, and SoftHSM2 lacks it.
    pub fn watch_tokens<E>(
        &self,
        interval: std::time::Duration,
        timeout: Option<std::time::Duration>,
        count: Option<usize>,
        report: &mut dyn FnMut(&TokenEvent) -> Result<(), E>,
    ) -> Result<usize, E> {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let mut seen = 0;
        let mut before = self.token_snapshot();
        loop {
            if count.is_some_and(|n| seen >= n) {
                return Ok(seen);
            }
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Ok(seen);
            }
            std::thread::sleep(interval);
            let after = self.token_snapshot();
            for e in token_changes(&before, &after) {
                if count.is_some_and(|n| seen >= n) {
                    break;
                }
                report(&e)?;
                seen += 1;
            }
            before = after;
        }
    }
}
