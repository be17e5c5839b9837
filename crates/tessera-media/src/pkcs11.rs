//! PKCS#11 tokens (USB keys, smart cards, SoftHSM2) as media, through `cryptoki`.
//!
//! A [`Pkcs11Module`] is one vendor library (`C_Initialize`d once per process and kept); every
//! slot holding an initialised token is a medium, opened as a [`Pkcs11Token`] with its own
//! read/write session (PKCS#11 v2.40 §5.6). The session is never shared between threads
//! (`Pkcs11Token` is not `Sync`) and is logged out and closed when the token is dropped.
//!
//! Mapping onto [`Medium`]:
//! - [`KeyRef`] is `CKA_ID`; a certificate (`CKO_CERTIFICATE`, `CKC_X_509`) belongs to the key
//!   with its `CKA_ID`. Keys made here get the SHA-1 of the subjectPublicKey bits as their
//!   `CKA_ID`, as on the file device and as OpenSC does.
//! - Before login only public objects are visible (v2.40 §4.4, `CKA_PRIVATE`), so a certificate's
//!   key is found through the public-key object with the same `CKA_ID`, and a private data
//!   object reads as absent rather than `NotLoggedIn`.
//! - PIN state: PKCS#11 gives no retry count, only the token flags (v2.40 §5.5
//!   `CK_TOKEN_INFO`): `CKF_USER_PIN_LOCKED` → 0 left, `CKF_USER_PIN_FINAL_TRY` → 1,
//!   `CKF_USER_PIN_COUNT_LOW` → at most 2 (an estimate erring low), none → the nominal maximum
//!   [`Pkcs11Options::nominal_max_retries`].
//! - Data objects are `CKO_DATA` with `CKA_LABEL` = name and `CKA_APPLICATION` = `tessera`.
//! - SM2 signing needs a vendor mechanism, configured by number
//!   ([`Pkcs11Options::sm2_sign_mechanism`]); without one SM2 operations are `Unsupported`.

mod error;
mod keys;
mod medium;

pub use medium::UnreadableCertificate;
mod objects;
mod sign;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Slot, TokenInfo};

pub use error::Pkcs11Failure;

use crate::{AlgorithmMode, MediumError, MediumInfo, MediumKind, Result};

/// Module paths tried when the settings name none, in order: OpenSC, then SoftHSM2 (Debian and
/// Fedora layouts). Only those present are used.
pub const DEFAULT_MODULES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    "/usr/lib64/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];

/// Environment variable naming extra modules, separated by `:`.
pub const MODULES_ENV: &str = "TESSERA_PKCS11_MODULES";

/// The default module paths that exist on this machine.
pub fn default_modules() -> Vec<PathBuf> {
    DEFAULT_MODULES
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}

/// Module paths in a `:`-separated list (as in [`MODULES_ENV`]); empty entries are skipped.
pub fn parse_module_list(list: &str) -> Vec<PathBuf> {
    list.split(':')
        .filter(|s| !s.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

/// How tokens of a module are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkcs11Options {
    /// The wrong-PIN allowance reported when the token flags say nothing (PKCS#11 does not
    /// publish the real one).
    pub nominal_max_retries: u8,
    /// Vendor mechanism (`CKM_VENDOR_DEFINED` and up) that signs a 32-byte SM2 `e` with an SM2
    /// key, returning `r || s`.
    pub sm2_sign_mechanism: Option<u64>,
}

impl Pkcs11Options {
    /// The same options with `mechanism` as the vendor SM2 signing mechanism.
    pub fn sm2_sign_mechanism(mut self, mechanism: Option<u64>) -> Self {
        self.sm2_sign_mechanism = mechanism;
        self
    }
}

impl Default for Pkcs11Options {
    fn default() -> Self {
        Self {
            nominal_max_retries: 6,
            sm2_sign_mechanism: None,
        }
    }
}

/// A loaded, initialised PKCS#11 module.
#[derive(Debug, Clone)]
pub struct Pkcs11Module {
    path: PathBuf,
    ctx: Pkcs11,
    options: Pkcs11Options,
}

/// One token found in a module's slots, with what it says or why it could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct TokenListing {
    pub module: PathBuf,
    pub slot_id: u64,
    pub info: Result<MediumInfo>,
}

impl TokenListing {
    /// A PKCS#11 URI (RFC 7512) naming the token and its module.
    pub fn uri(&self) -> String {
        let token = self
            .info
            .as_ref()
            .map(|i| format!("token={};serial={};", pct(&i.label), pct(&i.serial)))
            .unwrap_or_default();
        format!(
            "pkcs11:{token}slot-id={}?module-path={}",
            self.slot_id,
            pct(&self.module.display().to_string())
        )
    }
}

/// RFC 7512 §2.3 percent-encoding of a path attribute value.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Modules already initialised in this process: `C_Initialize` may run once per process
/// (v2.40 §5.4), and `C_Finalize` is never called while tokens may be open.
fn registry() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    MODULES.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Pkcs11Module {
    /// Loads and initialises the module at `path` (once per process; later calls share it).
    /// A file that is not a PKCS#11 module, or one whose `C_Initialize` fails, gives
    /// [`MediumError::Io`] whose source is a [`Pkcs11Failure`].
    pub fn load(path: impl AsRef<Path>, options: Pkcs11Options) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(MediumError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no PKCS#11 module at this path",
                ),
            });
        }
        let mut modules = registry()
            .lock()
            .map_err(|_| Pkcs11Failure::Initialize {
                reason: "module registry poisoned".into(),
            })
            .map_err(|f| f.into_error(&path))?;
        if let Some(ctx) = modules.get(&path) {
            return Ok(Self {
                path,
                ctx: ctx.clone(),
                options,
            });
        }
        let ctx = Pkcs11::new(&path).map_err(|e| error::map(&path, e))?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => {
                return Err(Pkcs11Failure::Initialize {
                    reason: e.to_string(),
                }
                .into_error(&path));
            }
        }
        modules.insert(path.clone(), ctx.clone());
        Ok(Self { path, ctx, options })
    }

    /// The module's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn map(&self, e: CkError) -> MediumError {
        error::map(&self.path, e)
    }

    /// Every slot holding an initialised token (uninitialised ones, such as SoftHSM2's free
    /// slot, are left out).
    pub fn tokens(&self) -> Result<Vec<TokenListing>> {
        let slots = self.ctx.get_slots_with_token().map_err(|e| self.map(e))?;
        let mut out = Vec::new();
        for slot in slots {
            let info = self.ctx.get_token_info(slot).map_err(|e| self.map(e));
            if let Ok(ti) = &info
                && !ti.token_initialized()
            {
                continue;
            }
            out.push(TokenListing {
                module: self.path.clone(),
                slot_id: slot.id(),
                info: info.map(|ti| self.medium_info(&ti, false)),
            });
        }
        Ok(out)
    }

    /// Opens the token whose label or serial is `name`.
    pub fn open_token(&self, name: &str) -> Result<Pkcs11Token> {
        for listed in self.tokens()? {
            if let Ok(info) = &listed.info
                && (info.label == name || info.serial == name)
            {
                return self.open_slot(listed.slot_id);
            }
        }
        Err(MediumError::NotFound {
            label: name.to_owned(),
        })
    }

    /// Opens the token in slot `slot_id` with a fresh read/write session.
    pub fn open_slot(&self, slot_id: u64) -> Result<Pkcs11Token> {
        let slots = self.ctx.get_slots_with_token().map_err(|e| self.map(e))?;
        let slot = slots
            .into_iter()
            .find(|s| s.id() == slot_id)
            .ok_or_else(|| MediumError::NotFound {
                label: format!("slot {slot_id}"),
            })?;
        let info = self.ctx.get_token_info(slot).map_err(|e| self.map(e))?;
        let session = self.ctx.open_rw_session(slot).map_err(|e| self.map(e))?;
        let mechanisms = self.ctx.get_mechanism_list(slot).unwrap_or_default();
        Ok(Pkcs11Token {
            module: self.clone(),
            slot,
            label: info.label().to_owned(),
            session,
            mechanisms,
            logged_in: false,
            key_cache: HashMap::new(),
        })
    }

    /// Whether the module implements `C_WaitForSlotEvent` (v2.40 §5.5); callers poll
    /// [`Pkcs11Module::tokens`] otherwise.
    pub fn poll_slot_event(&self) -> Result<Option<u64>> {
        match self.ctx.get_slot_event() {
            Ok(s) => Ok(s.map(|s| s.id())),
            Err(e) => Err(self.map(e)),
        }
    }

    /// `MediumInfo` from `CK_TOKEN_INFO` (v2.40 §5.5), PIN flags mapped as the module doc says.
    fn medium_info(&self, ti: &TokenInfo, logged_in: bool) -> MediumInfo {
        let max = self.options.nominal_max_retries.max(1);
        let left = if ti.user_pin_locked() {
            0
        } else if ti.user_pin_final_try() {
            1
        } else if ti.user_pin_count_low() {
            max.saturating_sub(1).clamp(1, 2)
        } else {
            max
        };
        MediumInfo {
            kind: MediumKind::Pkcs11,
            label: ti.label().trim_end().to_owned(),
            serial: ti.serial_number().trim_end().to_owned(),
            maker: ti.manufacturer_id().trim_end().to_owned(),
            mode: AlgorithmMode::Standard,
            pin_retries_left: left,
            pin_max_retries: max,
            locked: ti.user_pin_locked(),
            so_pin_retries_left: None,
            so_pin_max_retries: None,
            logged_in,
            free_space: ti.free_public_memory().map(|m| m as u64),
        }
    }
}

/// An open token: one read/write session on one slot. Not `Sync`: a session serves one thread.
pub struct Pkcs11Token {
    module: Pkcs11Module,
    slot: Slot,
    label: String,
    session: Session,
    mechanisms: Vec<MechanismType>,
    logged_in: bool,
    /// Private-key handles and algorithms by `CKA_ID`, valid while logged in (cleared on login,
    /// logout and deletion): a find over every object per signature is slow on full tokens.
    key_cache: HashMap<Vec<u8>, (cryptoki::object::ObjectHandle, crate::KeyAlgorithm)>,
}

impl std::fmt::Debug for Pkcs11Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Token")
            .field("module", &self.module.path)
            .field("slot", &self.slot.id())
            .field("label", &self.label)
            .field("logged_in", &self.logged_in)
            .finish_non_exhaustive()
    }
}

impl Drop for Pkcs11Token {
    fn drop(&mut self) {
        if self.logged_in {
            // Nothing to report to: the session closes right after (`Session`'s own drop).
            let _ = self.session.logout();
        }
    }
}

impl Pkcs11Token {
    /// The module this token lives in.
    pub fn module(&self) -> &Pkcs11Module {
        &self.module
    }

    /// The slot number.
    pub fn slot_id(&self) -> u64 {
        self.slot.id()
    }

    /// The token's model string (`CK_TOKEN_INFO.model`).
    pub fn model(&self) -> Result<String> {
        Ok(self.token_info()?.model().trim_end().to_owned())
    }

    fn token_info(&self) -> Result<TokenInfo> {
        self.module
            .ctx
            .get_token_info(self.slot)
            .map_err(|e| self.map(e))
    }

    /// Maps a failed call. A removed token is `NotFound` with its label; where a module reports
    /// removal as a generic error (SoftHSM2 gives `CKR_GENERAL_ERROR` once its token folder is
    /// gone) the slot is asked whether the token is still there.
    fn map(&self, e: CkError) -> MediumError {
        let gone = error::is_removed(&e)
            || (matches!(
                e,
                CkError::Pkcs11(RvError::GeneralError | RvError::FunctionFailed, _)
            ) && !self.present());
        if gone {
            return MediumError::NotFound {
                label: self.label.trim_end().to_owned(),
            };
        }
        self.module.map(e)
    }

    /// Whether the slot still holds a readable token.
    fn present(&self) -> bool {
        self.module
            .ctx
            .get_slot_info(self.slot)
            .is_ok_and(|s| s.token_present())
            && self.module.ctx.get_token_info(self.slot).is_ok()
    }

    /// Maps an error from `C_Login`/`C_SetPIN` as `user`: a wrong PIN carries the retries the
    /// token flags leave.
    fn map_pin(&self, e: CkError, user: UserType) -> MediumError {
        match (&e, user) {
            (CkError::Pkcs11(RvError::PinIncorrect, _), UserType::So) => {
                let left = self.token_info().ok().map(|ti| {
                    if ti.so_pin_final_try() {
                        1
                    } else if ti.so_pin_count_low() {
                        2
                    } else {
                        0
                    }
                });
                MediumError::SoPinIncorrect {
                    retries_left: left.filter(|n| *n > 0),
                }
            }
            (CkError::Pkcs11(RvError::PinIncorrect, _), _) => match self.token_info() {
                Ok(ti) if ti.user_pin_locked() => MediumError::Locked,
                Ok(ti) => MediumError::PinIncorrect {
                    retries_left: self.module.medium_info(&ti, false).pin_retries_left,
                },
                Err(e) => e,
            },
            (CkError::Pkcs11(RvError::PinLenRange, _), _) => self.pin_length(),
            _ => self.map(e),
        }
    }

    fn pin_length(&self) -> MediumError {
        match self.token_info() {
            Ok(ti) => MediumError::PinLength {
                min: ti.min_pin_length(),
                max: ti.max_pin_length(),
            },
            Err(e) => e,
        }
    }

    fn check_pin_len(&self, len: usize) -> Result<()> {
        let ti = self.token_info()?;
        if len < ti.min_pin_length() || len > ti.max_pin_length() {
            return Err(self.pin_length());
        }
        Ok(())
    }

    fn need_login(&self) -> Result<()> {
        if self.logged_in {
            Ok(())
        } else {
            Err(MediumError::NotLoggedIn)
        }
    }
}
