//! The error body of every failed request: RFC 9457 "Problem Details for HTTP APIs".

mod code;

use serde::{Deserialize, Serialize};

pub use code::ProblemCode;

/// The media type of a [`Problem`] body (RFC 9457 §3).
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Prefix of every `type` URI Tessera emits; the stable `code` follows it.
pub const PROBLEM_TYPE_BASE: &str = "https://tessera.invalid/problems/";

/// An RFC 9457 problem document, plus a stable machine-readable `code`.
///
/// `type` is `PROBLEM_TYPE_BASE` + `code`; clients branch on `code` (or `type`), never on
/// `title` or `detail`, which are for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// URI identifying the problem type (RFC 9457 §3.1.1).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short, constant summary of the problem type (RFC 9457 §3.1.3).
    pub title: String,
    /// The HTTP status code (RFC 9457 §3.1.2).
    pub status: u16,
    /// Explanation specific to this occurrence; never holds internal detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// URI identifying this occurrence, e.g. `urn:tessera:request:<request id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Stable snake_case code, e.g. `not_found`, `sms_code_incorrect`.
    pub code: ProblemCode,
    /// Seconds to wait before retrying, for rate-limited requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Extension member: tries left on a wrong code or password, so a client can say it in
    /// the holder's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u64>,
    /// Extension member: whole days until something opens (a renewal window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

impl Problem {
    /// A problem with the given code, title and status; `type` is derived from `code`.
    pub fn new(code: impl Into<ProblemCode>, title: &str, status: u16) -> Self {
        let code = code.into();
        Self {
            type_uri: format!("{PROBLEM_TYPE_BASE}{code}"),
            title: title.to_owned(),
            status,
            detail: None,
            instance: None,
            code,
            retry_after: None,
            tries_left: None,
            days: None,
        }
    }

    /// The same problem with an occurrence-specific `detail`.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}
