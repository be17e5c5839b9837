//! Why a self-service step failed, in the holder's words with the next step (the service's
//! problem codes reuse the CLI's `enroll-err-*` wording).

use fluent_bundle::FluentValue as V;

use super::super::view::{self, Failure};
use crate::app::AppError;
use crate::enroll::EnrollError;
use crate::i18n::Localizer;
use crate::service::ServiceError;

/// A failure of a self-service screen.
#[derive(Debug)]
pub(super) enum SsError {
    /// No service is configured in the settings.
    NoServer,
    /// The app core (a medium, the PIN) refused.
    App(AppError),
    /// The service or the flow refused (never [`EnrollError::Medium`]: that is an `App`).
    Enroll(EnrollError),
    /// The two certificate passwords differ.
    PasswordMismatch,
    /// The notices were not accepted.
    NoConsent,
    /// The logged-in phone has no application with that id.
    NoSuchApplication,
}

impl From<EnrollError> for SsError {
    fn from(e: EnrollError) -> Self {
        match e {
            EnrollError::Medium(m) => SsError::App(AppError::Medium(m)),
            other => SsError::Enroll(other),
        }
    }
}

impl From<AppError> for SsError {
    fn from(e: AppError) -> Self {
        SsError::App(e)
    }
}

/// The next step after the service refused with `code` (HTTP `status`).
fn next_for_problem(code: &str, status: u16) -> &'static str {
    match code {
        "password_incorrect" => "ui-ss-next-password",
        "password_locked" | "sms_code_locked" | "renewal_key_mismatch" => "ui-ss-next-contact",
        "sms_code_incorrect" => "ui-ss-next-code",
        "sms_code_expired" | "sms_code_missing" => "ui-ss-next-new-code",
        "captcha_incorrect" | "captcha_invalid" => "ui-ss-next-captcha",
        "rate_limited" => "ui-ss-next-wait",
        "certificate_expired" => "ui-ss-next-apply",
        "application_not_approved" | "renewal_not_open" => "ui-ss-next-later",
        _ if status == 400 || status == 422 => "ui-ss-next-fix",
        _ => "ui-ss-next-later",
    }
}

/// The failure as the page shows it.
pub(super) fn failure(l: &Localizer, e: &SsError) -> Failure {
    let (message, next) = match e {
        SsError::App(e) => return view::failure(l, e),
        SsError::NoServer => (l.text("ui-ss-err-no-server"), "ui-ss-next-settings"),
        SsError::PasswordMismatch => (l.text("ui-ss-err-password-mismatch"), "ui-ss-next-fix"),
        SsError::NoConsent => (l.text("ui-ss-err-consent"), "ui-ss-next-consent"),
        SsError::NoSuchApplication => (l.text("ui-ss-err-no-application"), "ui-ss-next-query"),
        SsError::Enroll(e) => enroll_failure(l, e),
    };
    Failure::new(message, l.text(next))
}

fn enroll_failure(l: &Localizer, e: &EnrollError) -> (String, &'static str) {
    match e {
        EnrollError::Service(ServiceError::Problem {
            status,
            code,
            detail,
            ..
        }) => {
            let id = format!("enroll-err-{}", code.replace('_', "-"));
            let detail = V::from(detail.clone().unwrap_or_default());
            let message = if l.has(&id) {
                l.text_with(&id, &[("detail", detail)])
            } else {
                l.text_with("enroll-err-service", &[("detail", detail)])
            };
            (message, next_for_problem(code, *status))
        }
        EnrollError::Service(ServiceError::Unreachable { url, reason }) => (
            l.text_with(
                "enroll-err-unreachable",
                &[
                    ("url", V::from(url.as_str())),
                    ("reason", V::from(reason.as_str())),
                ],
            ),
            "ui-ss-next-unreachable",
        ),
        EnrollError::Service(ServiceError::BadUrl { url }) => (
            l.text_with("ui-ss-err-bad-url", &[("url", V::from(url.as_str()))]),
            "ui-ss-next-settings",
        ),
        EnrollError::ForgedQr { url } => (
            l.text_with("enroll-err-forged-qr", &[("url", V::from(url.as_str()))]),
            "ui-ss-next-contact",
        ),
        EnrollError::ServiceKeyChanged { url } => (
            l.text_with("enroll-err-key-changed", &[("url", V::from(url.as_str()))]),
            "ui-ss-next-contact",
        ),
        EnrollError::NoSession => (l.text("ui-ss-err-no-session"), "ui-ss-next-query"),
        EnrollError::NotEnrollmentQr { reason } => (
            l.text_with("ui-ss-err-qr", &[("reason", V::from(reason.as_str()))]),
            "ui-ss-next-qr",
        ),
        other => (
            l.text_with(
                "enroll-err-service",
                &[("detail", V::from(other.to_string()))],
            ),
            "ui-ss-next-later",
        ),
    }
}
