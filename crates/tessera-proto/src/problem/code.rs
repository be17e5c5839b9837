//! `ProblemCode`: the stable `code` member of every problem document, one variant per refusal.
//!
//! The service builds each problem from a variant; the client reads the code back into this
//! enum and decides from the variant (message, next step, exit code), never from the string.
//! The strings are the wire contract and do not change.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares the known codes once: the variant, its wire string, and the list of all of them.
macro_rules! problem_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $wire:literal,)*) => {
        /// A stable machine-readable problem code (the `code` member of a [`super::Problem`]).
        ///
        /// Known codes are variants; a code this build does not know (a newer service) reads as
        /// [`ProblemCode::Unknown`], so an older client keeps working and falls back on the
        /// HTTP status.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProblemCode {
            $($(#[doc = $doc])* $variant,)*
            /// A code this build does not know, kept as sent.
            Unknown(String),
        }

        impl ProblemCode {
            /// Every known code, in declaration order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            /// The wire string, e.g. `password_incorrect`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(code) => code,
                }
            }

            /// The code for a wire string (unknown strings are kept as [`ProblemCode::Unknown`]).
            pub fn parse(code: &str) -> Self {
                match code {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
    };
}

problem_codes! {
    /// No route or named object.
    NotFound => "not_found",
    /// The route exists but not for this method.
    MethodNotAllowed => "method_not_allowed",
    /// The body is over the size limit.
    PayloadTooLarge => "payload_too_large",
    /// The body is not JSON.
    UnsupportedMediaType => "unsupported_media_type",
    /// The JSON does not have the expected shape.
    InvalidBody => "invalid_body",
    /// The body is not well-formed JSON.
    MalformedJson => "malformed_json",
    /// A field failed validation (a weak password, a bad image, a malformed phone number…).
    InvalidField => "invalid_field",
    /// Missing or unknown admin token.
    Unauthorized => "unauthorized",
    /// A unique key is taken.
    Conflict => "conflict",
    /// Unknown, used or expired captcha.
    CaptchaInvalid => "captcha_invalid",
    /// Wrong captcha characters.
    CaptchaIncorrect => "captcha_incorrect",
    /// Too much costly work under way; `retry_after` says when to come back.
    Busy => "busy",
    /// Too many requests from one address or to one phone; `retry_after` says when.
    RateLimited => "rate_limited",
    /// The service failed; the detail is in its log under the request id.
    Internal => "internal",
    /// The notices changed since the holder consented.
    ConsentOutdated => "consent_outdated",
    /// No session, or it expired.
    SessionInvalid => "session_invalid",
    /// The application was already reviewed.
    ApplicationNotPending => "application_not_pending",
    /// The application is not approved (pending, rejected or installed).
    ApplicationNotApproved => "application_not_approved",
    /// Wrong password; `tries_left` says how many remain.
    PasswordIncorrect => "password_incorrect",
    /// Too many wrong certificate passwords.
    PasswordLocked => "password_locked",
    /// The CSR's subject is not the applied one.
    CsrSubjectMismatch => "csr_subject_mismatch",
    /// The CSR's key algorithm is not the applied one.
    CsrKeyMismatch => "csr_key_mismatch",
    /// The certificate was not issued by this service.
    CertificateUnknown => "certificate_unknown",
    /// The certificate is revoked.
    CertificateRevoked => "certificate_revoked",
    /// The certificate was renewed already.
    CertificateRenewed => "certificate_renewed",
    /// The certificate has expired.
    CertificateExpired => "certificate_expired",
    /// Too early to renew; `days` says when the window opens.
    RenewalNotOpen => "renewal_not_open",
    /// The renewal was not signed by the certificate's key.
    RenewalKeyMismatch => "renewal_key_mismatch",
    /// A curve point that is not on SM2's curve.
    InvalidPoint => "invalid_point",
    /// Not allowed for this account.
    Forbidden => "forbidden",
    /// The request needs this install's device signature.
    DeviceSignature => "device_signature",
    /// No device is bound to the account.
    DeviceNotBound => "device_not_bound",
    /// Another device is bound to the account.
    DeviceBound => "device_bound",
    /// A signed request was seen before.
    Replayed => "replayed",
    /// The password or a device signature is needed again.
    ReauthRequired => "reauth_required",
    /// Changing the phone needs a code sent to the phone bound now.
    OldPhoneCodeRequired => "old_phone_code_required",
    /// Wrong SMS code; `tries_left` says how many remain.
    SmsCodeIncorrect => "sms_code_incorrect",
    /// Too many wrong passwords: the account is locked; `retry_after` says for how long.
    AccountLocked => "account_locked",
    /// The account waits for review, or was rejected.
    AccountNotApproved => "account_not_approved",
    /// The cloud key is not in a state that allows this.
    KeyState => "key_state",
    /// No phone is bound to the account.
    NoPhone => "no_phone",
    /// No SMS code was sent to this phone for this purpose.
    SmsCodeMissing => "sms_code_missing",
    /// The SMS code has expired.
    SmsCodeExpired => "sms_code_expired",
    /// Too many wrong SMS codes.
    SmsCodeLocked => "sms_code_locked",
    /// The SMS gateway failed.
    SmsSendFailed => "sms_send_failed",
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ProblemCode {
    fn from(code: &str) -> Self {
        Self::parse(code)
    }
}

impl Serialize for ProblemCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProblemCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Self::parse(&code))
    }
}

/// In the OpenAPI document the code is a string listing every known value.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ProblemCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Stable snake_case code; clients branch on it. A client meeting a code it does \
                 not know falls back on the HTTP status.",
            ))
            .enum_values(Some(Self::ALL.iter().map(Self::as_str)))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ProblemCode {}

#[cfg(test)]
mod tests {
    use super::ProblemCode;

    /// Each known code reads back as itself; no two share a wire string.
    #[test]
    fn wire_strings_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            let json = serde_json::to_string(code).unwrap_or_default();
            let back: ProblemCode = serde_json::from_str(&json).unwrap_or(ProblemCode::Internal);
            assert_eq!(&back, code);
        }
    }

    /// A code from a newer service is kept, not refused.
    #[test]
    fn unknown_code_is_kept() {
        let back: ProblemCode =
            serde_json::from_str("\"grant_expired\"").unwrap_or(ProblemCode::Internal);
        assert_eq!(back, ProblemCode::Unknown("grant_expired".into()));
        assert_eq!(back.as_str(), "grant_expired");
    }
}
