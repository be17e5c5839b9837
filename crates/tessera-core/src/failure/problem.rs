//! A service refusal, classified by its problem code alone (the service's `detail` is English
//! and only the English message quotes it).

use tessera_proto::ProblemCode;

use super::{Classified, exit};

/// The classification of a problem document: `code` picks the message, the hint and the exit
/// code; a code this build does not know falls back on the HTTP `status`. The extension members
/// become message arguments: `$tries` (with `$counted` yes/no), `$days`, `$minutes` (from
/// `retry_after`), beside `$code` and `$detail`.
pub fn problem(
    code: &ProblemCode,
    status: u16,
    detail: Option<&str>,
    tries_left: Option<u64>,
    days: Option<i64>,
    retry_after: Option<u64>,
) -> Classified {
    use ProblemCode as C;
    let (message, recovery, exit) = match code {
        C::NotFound => (
            "err-problem-not-found",
            "rec-problem-not-found",
            exit::NOT_FOUND,
        ),
        C::MethodNotAllowed => (
            "err-problem-method-not-allowed",
            "rec-problem-method-not-allowed",
            exit::REFUSED,
        ),
        C::PayloadTooLarge => (
            "err-problem-payload-too-large",
            "rec-problem-payload-too-large",
            exit::INPUT_REFUSED,
        ),
        C::UnsupportedMediaType => (
            "err-problem-unsupported-media-type",
            "rec-problem-unsupported-media-type",
            exit::INPUT_REFUSED,
        ),
        C::InvalidBody => (
            "err-problem-invalid-body",
            "rec-problem-invalid-body",
            exit::INPUT_REFUSED,
        ),
        C::MalformedJson => (
            "err-problem-malformed-json",
            "rec-problem-malformed-json",
            exit::INPUT_REFUSED,
        ),
        C::InvalidField => (
            "err-problem-invalid-field",
            "rec-problem-invalid-field",
            exit::INPUT_REFUSED,
        ),
        C::Unauthorized => (
            "err-problem-unauthorized",
            "rec-problem-unauthorized",
            exit::REFUSED,
        ),
        C::Conflict => (
            "err-problem-conflict",
            "rec-problem-conflict",
            exit::REFUSED,
        ),
        C::CaptchaInvalid => (
            "err-problem-captcha-invalid",
            "rec-problem-captcha-invalid",
            exit::EXPIRED,
        ),
        C::CaptchaIncorrect => (
            "err-problem-captcha-incorrect",
            "rec-problem-captcha-incorrect",
            exit::PIN_INCORRECT,
        ),
        C::Busy => ("err-problem-busy", "rec-problem-busy", exit::TRY_LATER),
        C::RateLimited => (
            "err-problem-rate-limited",
            "rec-problem-rate-limited",
            exit::TRY_LATER,
        ),
        C::Internal => (
            "err-problem-internal",
            "rec-problem-internal",
            exit::TRY_LATER,
        ),
        C::ConsentOutdated => (
            "err-problem-consent-outdated",
            "rec-problem-consent-outdated",
            exit::REFUSED,
        ),
        C::SessionInvalid => (
            "err-problem-session-invalid",
            "rec-problem-session-invalid",
            exit::EXPIRED,
        ),
        C::ApplicationNotPending => (
            "err-problem-application-not-pending",
            "rec-problem-application-not-pending",
            exit::REFUSED,
        ),
        C::ApplicationNotApproved => (
            "err-problem-application-not-approved",
            "rec-problem-application-not-approved",
            exit::REFUSED,
        ),
        C::PasswordIncorrect => (
            "err-problem-password-incorrect",
            "rec-problem-password-incorrect",
            exit::PIN_INCORRECT,
        ),
        C::PasswordLocked => (
            "err-problem-password-locked",
            "rec-problem-password-locked",
            exit::LOCKED,
        ),
        C::CsrSubjectMismatch => (
            "err-problem-csr-subject-mismatch",
            "rec-problem-csr-subject-mismatch",
            exit::REFUSED,
        ),
        C::CsrKeyMismatch => (
            "err-problem-csr-key-mismatch",
            "rec-problem-csr-key-mismatch",
            exit::REFUSED,
        ),
        C::CertificateUnknown => (
            "err-problem-certificate-unknown",
            "rec-problem-certificate-unknown",
            exit::NOT_FOUND,
        ),
        C::CertificateRevoked => (
            "err-problem-certificate-revoked",
            "rec-problem-certificate-revoked",
            exit::REFUSED,
        ),
        C::CertificateRenewed => (
            "err-problem-certificate-renewed",
            "rec-problem-certificate-renewed",
            exit::REFUSED,
        ),
        C::CertificateExpired => (
            "err-problem-certificate-expired",
            "rec-problem-certificate-expired",
            exit::REFUSED,
        ),
        C::RenewalNotOpen => (
            "err-problem-renewal-not-open",
            "rec-problem-renewal-not-open",
            exit::REFUSED,
        ),
        C::RenewalKeyMismatch => (
            "err-problem-renewal-key-mismatch",
            "rec-problem-renewal-key-mismatch",
            exit::REFUSED,
        ),
        C::InvalidPoint => (
            "err-problem-invalid-point",
            "rec-problem-invalid-point",
            exit::INPUT_REFUSED,
        ),
        C::Forbidden => (
            "err-problem-forbidden",
            "rec-problem-forbidden",
            exit::REFUSED,
        ),
        C::DeviceSignature => (
            "err-problem-device-signature",
            "rec-problem-device-signature",
            exit::REFUSED,
        ),
        C::DeviceNotBound => (
            "err-problem-device-not-bound",
            "rec-problem-device-not-bound",
            exit::REFUSED,
        ),
        C::DeviceBound => (
            "err-problem-device-bound",
            "rec-problem-device-bound",
            exit::REFUSED,
        ),
        C::Replayed => (
            "err-problem-replayed",
            "rec-problem-replayed",
            exit::REFUSED,
        ),
        C::ReauthRequired => (
            "err-problem-reauth-required",
            "rec-problem-reauth-required",
            exit::REFUSED,
        ),
        C::OldPhoneCodeRequired => (
            "err-problem-old-phone-code-required",
            "rec-problem-old-phone-code-required",
            exit::INPUT_REFUSED,
        ),
        C::SmsCodeIncorrect => (
            "err-problem-sms-code-incorrect",
            "rec-problem-sms-code-incorrect",
            exit::PIN_INCORRECT,
        ),
        C::AccountLocked => (
            "err-problem-account-locked",
            "rec-problem-account-locked",
            exit::LOCKED,
        ),
        C::AccountNotApproved => (
            "err-problem-account-not-approved",
            "rec-problem-account-not-approved",
            exit::REFUSED,
        ),
        C::KeyState => (
            "err-problem-key-state",
            "rec-problem-key-state",
            exit::REFUSED,
        ),
        C::NoPhone => (
            "err-problem-no-phone",
            "rec-problem-no-phone",
            exit::REFUSED,
        ),
        C::SmsCodeMissing => (
            "err-problem-sms-code-missing",
            "rec-problem-sms-code-missing",
            exit::EXPIRED,
        ),
        C::SmsCodeExpired => (
            "err-problem-sms-code-expired",
            "rec-problem-sms-code-expired",
            exit::EXPIRED,
        ),
        C::SmsCodeLocked => (
            "err-problem-sms-code-locked",
            "rec-problem-sms-code-locked",
            exit::LOCKED,
        ),
        C::SmsSendFailed => (
            "err-problem-sms-send-failed",
            "rec-problem-sms-send-failed",
            exit::TRY_LATER,
        ),
        C::Unknown(_) => (
            "err-problem-unknown",
            "rec-problem-unknown",
            match status {
                404 => exit::NOT_FOUND,
                400 | 413 | 415 | 422 => exit::INPUT_REFUSED,
                429 | 500..=599 => exit::TRY_LATER,
                _ => exit::REFUSED,
            },
        ),
        // `ProblemCode` is non-exhaustive: a code added there reads as an unknown one here.
        _ => ("err-problem-unknown", "rec-problem-unknown", exit::REFUSED),
    };
    let mut c = Classified::new(message, recovery, exit)
        .arg("code", code.as_str().to_owned())
        .arg("detail", detail.unwrap_or(code.as_str()).to_owned())
        .arg("counted", if tries_left.is_some() { "yes" } else { "no" })
        .arg("tries", tries_left.unwrap_or(0))
        .arg("days", days.unwrap_or(0))
        .arg("minutes", retry_after.unwrap_or(0).div_ceil(60));
    c.code = Some(code.clone());
    c
}
