//! RA self-service bodies: apply, business-query login, install, renew, review.
//!
//! The flows: an applicant proves a phone (SMS code, purpose [`PURPOSE_APPLY`]), consents to
//! the notices of [`Notices`] and applies with a certificate password; an operator approves or
//! rejects (or a pre-entered record approves at once); the applicant logs in to the business
//! query (captcha + SMS code, purpose [`PURPOSE_QUERY`]), sends a CSR made on a medium with the
//! password, and stores the certificate; within the renewal window the holder sends a CSR
//! signed by the same key and gets a new certificate for it.

use serde::{Deserialize, Serialize};

/// SMS purpose of the code that proves the phone of an application.
pub const PURPOSE_APPLY: &str = "ra_apply";
/// SMS purpose of the business-query login code.
pub const PURPOSE_QUERY: &str = "ra_query";

pub use crate::secret::Password;

/// `GET /v1/ra/notices`: the texts an applicant consents to, with their versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notices {
    /// Version of the privacy notice.
    pub privacy_version: String,
    /// The privacy notice, Simplified Chinese.
    pub privacy_text: String,
    /// Version of the certificate terms (subscriber agreement).
    pub terms_version: String,
    /// The certificate terms, Simplified Chinese.
    pub terms_text: String,
}

/// The notice versions an applicant accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Must equal the current [`Notices::privacy_version`].
    pub privacy_version: String,
    /// Must equal the current [`Notices::terms_version`].
    pub terms_version: String,
}

/// Who applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// Full name as on the ID card, 1-64 characters.
    pub name: String,
    /// Resident identity card number (GB 11643-1999): 18 characters, checksum validated.
    pub id_number: String,
    /// Organization (employer), 1-128 characters.
    pub organization: String,
    /// E-mail address.
    pub email: String,
}

/// Body of `POST /v1/ra/applications`. `Debug` hides the SMS code and the password.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Project code from the scanned enrollment QR.
    pub project: String,
    /// Mobile number the SMS code was sent to.
    pub phone: String,
    /// The 6-digit code (purpose [`PURPOSE_APPLY`]).
    pub sms_code: String,
    /// Accepted notice versions.
    pub consent: Consent,
    /// Applicant details.
    pub applicant: Applicant,
    /// Key algorithm of the certificate: `sm2` (default), `p256` or `rsa` (2048-bit or more).
    #[serde(default)]
    pub key_algorithm: Option<String>,
    /// Certificate password, 8-64 characters with letters and digits; asked again at install.
    pub password: Password,
}

impl std::fmt::Debug for ApplyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyRequest")
            .field("project", &self.project)
            .field("phone", &self.phone)
            .field("sms_code", &"***")
            .field("consent", &self.consent)
            .field("applicant", &self.applicant)
            .field("key_algorithm", &self.key_algorithm)
            .field("password", &self.password)
            .finish()
    }
}

/// State of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for an operator.
    Pending,
    /// Approved; the certificate can be installed.
    Approved,
    /// Rejected; see the reason.
    Rejected,
    /// The certificate was issued and installed.
    Issued,
}

impl ApplicationStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Issued => "issued",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "issued" => Self::Issued,
            _ => return None,
        })
    }
}

/// An application as its applicant (business query) or an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    /// Opaque id (32 hex digits).
    pub id: String,
    /// Project code.
    pub project: String,
    /// State.
    pub status: ApplicationStatus,
    /// Rejection reason, when rejected.
    pub reason: Option<String>,
    /// Applicant name.
    pub name: String,
    /// ID number, masked (first 6 and last 4 shown).
    pub id_number_masked: String,
    /// Organization.
    pub organization: String,
    /// E-mail.
    pub email: String,
    /// Phone, masked (first 3 and last 4 shown).
    pub phone_masked: String,
    /// Key algorithm the CSR must use.
    pub key_algorithm: String,
    /// The subject the CSR must carry, RFC 4514 (e.g. `CN=张三,O=示例医院,C=CN`).
    pub subject: String,
    /// Serial (hex) of the issued certificate, once issued.
    pub serial: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
    /// The whole phone number (operator views only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The whole ID number (operator views only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
}

/// Answer of `POST /v1/ra/applications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applied {
    /// The new application.
    pub application: Application,
    /// Whether a pre-entered record matched, so no review was needed.
    pub pre_entered: bool,
}

/// Body of `POST /v1/ra/sessions` (business-query login). `Debug` hides the SMS code and the
/// captcha answer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueryLogin {
    /// Mobile number.
    pub phone: String,
    /// Id of an image captcha from `POST /v1/captcha`.
    pub captcha_id: String,
    /// The characters in the image.
    pub captcha_answer: String,
    /// The 6-digit code (purpose [`PURPOSE_QUERY`]).
    pub sms_code: String,
}

impl std::fmt::Debug for QueryLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryLogin")
            .field("phone", &self.phone)
            .field("captcha_id", &self.captcha_id)
            .field("captcha_answer", &"***")
            .field("sms_code", &"***")
            .finish()
    }
}

/// Answer of `POST /v1/ra/sessions`: a bearer token for the `/v1/ra/my/…` routes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuerySession {
    /// Bearer token.
    pub token: String,
    /// Seconds it stays valid.
    pub expires_in: u64,
}

impl std::fmt::Debug for QuerySession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySession")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /v1/ra/my/applications/{id}/install`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstallRequest {
    /// PKCS#10 request (PEM) made on the medium for the application's subject.
    pub csr_pem: String,
    /// The certificate password given at application.
    pub password: Password,
}

/// A certificate the RA issued, with its CA chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCertificate {
    /// Serial, lowercase hex.
    pub serial: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// Issuing CA then root, PEM.
    pub chain_pem: String,
    /// Unix seconds.
    pub not_after: i64,
}

/// Body of `POST /v1/ra/renewals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The current certificate, PEM.
    pub certificate_pem: String,
    /// PKCS#10 request (PEM) for the same subject and public key, signed by the current key:
    /// the proof of possession (as EST re-enrollment, RFC 7030 §4.2.2).
    pub csr_pem: String,
}

/// Body of `POST /v1/admin/applications/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Why, shown to the applicant (1-200 characters).
    pub reason: String,
}

/// Answer of the pre-entered CSV import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreEnteredImport {
    /// Records stored (new or replaced).
    pub imported: u64,
    /// Lines refused, with why.
    pub errors: Vec<CsvLineError>,
}

/// A refused CSV line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvLineError {
    /// 1-based line number.
    pub line: u64,
    /// Why.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SMS codes, captcha answers and passwords never show in `Debug` (logs, panics).
    #[test]
    fn debug_hides_codes_and_passwords() {
        let login = QueryLogin {
            phone: "13800000001".into(),
            captcha_id: "c1".into(),
            captcha_answer: "K7QX".into(),
            sms_code: "482913".into(),
        };
        let shown = format!("{login:?}");
        assert!(
            !shown.contains("482913") && !shown.contains("K7QX"),
            "{shown}"
        );
        assert!(shown.contains("13800000001"), "{shown}");
        let apply = ApplyRequest {
            project: "STAFF".into(),
            phone: "13800000001".into(),
            sms_code: "482913".into(),
            consent: Consent {
                privacy_version: "v".into(),
                terms_version: "v".into(),
            },
            applicant: Applicant {
                name: "张三".into(),
                id_number: "11010519491231002X".into(),
                organization: "示例医院".into(),
                email: "z@example.cn".into(),
            },
            key_algorithm: None,
            password: Password::new("cert pass 2026"),
        };
        let shown = format!("{apply:?}");
        assert!(
            !shown.contains("482913") && !shown.contains("cert pass 2026"),
            "{shown}"
        );
    }
}
