//! PKCS#11 return values (PKCS#11 v2.40 §5.1) turned into [`MediumError`]s.

use std::path::Path;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::types::AuthPin;

use crate::MediumError;

/// What failed inside a PKCS#11 module, kept as the source of [`MediumError::Io`] (whose `path` is
/// the module) so that callers can tell the cases apart with `downcast_ref`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Failure {
    /// The file could not be loaded as a PKCS#11 module (not a shared library, or no
    /// `C_GetFunctionList`; PKCS#11 v2.40 §5.2).
    #[error("not a PKCS#11 module: {reason}")]
    NotAModule { reason: String },
    /// `C_Initialize` failed (PKCS#11 v2.40 §5.4).
    #[error("the PKCS#11 module failed to initialise: {reason}")]
    Initialize { reason: String },
    /// The token left its slot (`CKR_DEVICE_REMOVED`, `CKR_TOKEN_NOT_PRESENT`, or the session
    /// closed under us).
    #[error("the token was removed ({function})")]
    TokenRemoved { function: String },
    /// Any other failing call: the function and the `CKR_` value.
    #[error("{function} failed: {reason}")]
    Call { function: String, reason: String },
}

impl Pkcs11Failure {
    /// Wraps the failure as a [`MediumError::Io`] naming the module.
    pub(crate) fn into_error(self, module: &Path) -> MediumError {
        MediumError::Io {
            path: module.to_path_buf(),
            source: std::io::Error::other(self),
        }
    }
}

/// Whether the error says the token is gone (PKCS#11 v2.40 §5.1.3, §5.1.4).
pub(crate) fn is_removed(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::SessionClosed
                | RvError::SessionHandleInvalid
                | RvError::SlotIdInvalid
                | RvError::DeviceError,
            _
        )
    )
}

/// The generic mapping, for calls where no PIN is involved.
pub(crate) fn map(module: &Path, e: CkError) -> MediumError {
    match &e {
        CkError::LibraryLoading(err) => Pkcs11Failure::NotAModule {
            reason: err.to_string(),
        }
        .into_error(module),
        CkError::MissingSymbol(sym) => Pkcs11Failure::NotAModule {
            reason: format!("no {sym}"),
        }
        .into_error(module),
        CkError::Pkcs11(RvError::UserNotLoggedIn, _) => MediumError::NotLoggedIn,
        CkError::Pkcs11(RvError::PinLocked, _) => MediumError::Locked,
        CkError::Pkcs11(
            rv @ (RvError::MechanismInvalid
            | RvError::FunctionNotSupported
            | RvError::CurveNotSupported
            | RvError::KeySizeRange),
            function,
        ) => MediumError::Unsupported {
            what: format!("{function:?}: {rv}"),
        },
        CkError::Pkcs11(RvError::KeyTypeInconsistent | RvError::KeyFunctionNotPermitted, _) => {
            MediumError::KeyMismatch {
                operation: "this mechanism",
            }
        }
        CkError::Pkcs11(_, function) if is_removed(&e) => Pkcs11Failure::TokenRemoved {
            function: format!("C_{function:?}"),
        }
        .into_error(module),
        CkError::Pkcs11(rv, function) => Pkcs11Failure::Call {
            function: format!("C_{function:?}"),
            reason: format!("{rv:?}"),
        }
        .into_error(module),
        other => Pkcs11Failure::Call {
            function: "cryptoki".into(),
            reason: other.to_string(),
        }
        .into_error(module),
    }
}

/// A PIN as the `cryptoki` string type; PKCS#11 PINs are UTF-8 here (v2.40 §5.6 allows any bytes,
/// but every module we know of takes text).
pub(crate) fn auth_pin(bytes: &[u8]) -> Result<AuthPin, MediumError> {
    let s = std::str::from_utf8(bytes).map_err(|_| MediumError::Unsupported {
        what: "a PIN that is not UTF-8".into(),
    })?;
    Ok(AuthPin::from(s.to_owned()))
}
