//! The organizations area: organizations, their projects (each with its RA policy), and the
//! public directory of both with the service key that signs enrollment QR payloads. The rules
//! are the checks below; `api` maps the public directory, `api::admin` the operator's routes.

pub mod api;
pub(crate) mod store;

use crate::error::ApiError;

/// An organization or project code: 1-32 of `A-Z`, `0-9`, `-` and `_`.
pub fn check_code(code: &str) -> Result<(), ApiError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::Invalid(
            "code must be 1-32 of A-Z, 0-9, - and _".into(),
        ))
    }
}

/// A display name: 1-200 characters once trimmed.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let n = name.trim().chars().count();
    if (1..=200).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::Invalid("name must be 1-200 characters".into()))
    }
}
