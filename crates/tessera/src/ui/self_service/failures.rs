//! Why a self-service step failed, in the holder's words with the next step (the service's
//! problem codes reuse the CLI's `enroll-err-*` wording).

use super::super::view::{self, Failure};
use tessera_core::app::AppError;
use tessera_core::enroll::EnrollError;
use tessera_core::failure::Classify as _;
use tessera_core::i18n::Localizer;

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

/// The failure as the page shows it.
pub(super) fn failure(l: &Localizer, e: &SsError) -> Failure {
    let (message, next) = match e {
        SsError::App(e) => return view::failure(l, e),
        SsError::NoServer => (l.text("ui-ss-err-no-server"), "ui-ss-next-settings"),
        SsError::PasswordMismatch => (l.text("ui-ss-err-password-mismatch"), "ui-ss-next-fix"),
        SsError::NoConsent => (l.text("ui-ss-err-consent"), "ui-ss-next-consent"),
        SsError::NoSuchApplication => (l.text("ui-ss-err-no-application"), "ui-ss-next-query"),
        SsError::Enroll(e) => return enroll_failure(l, e),
    };
    Failure::new(message, l.text(next))
}

/// The service's refusals and the flow's own failures: the one classification every face
/// uses, in the page's words.
fn enroll_failure(l: &Localizer, e: &EnrollError) -> Failure {
    view::classified(l, &e.classify())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::i18n::Lang;
    use tessera_core::service::ServiceError;

    fn problem(status: u16, code: &str) -> SsError {
        SsError::Enroll(EnrollError::Service(ServiceError::Problem {
            status,
            code: code.into(),
            title: String::new(),
            detail: Some("3 tries left".to_owned()),
            tries_left: Some(3),
            days: Some(12),
            retry_after: None,
        }))
    }

    /// Every failure reads as words with a next step in both languages (no message id leaks).
    #[test]
    fn every_failure_has_words_and_a_next_step() {
        let codes = [
            "password_incorrect",
            "password_locked",
            "sms_code_incorrect",
            "sms_code_expired",
            "sms_code_locked",
            "captcha_incorrect",
            "captcha_invalid",
            "rate_limited",
            "renewal_not_open",
            "renewal_key_mismatch",
            "certificate_expired",
            "application_not_approved",
            "invalid_field",
            "consent_outdated",
            "csr_subject_mismatch",
            "certificate_renewed",
            "something_new",
        ];
        for lang in [Lang::ZhCn, Lang::EnUs] {
            let l = Localizer::new(lang);
            let mut all: Vec<SsError> = codes.iter().map(|c| problem(422, c)).collect();
            all.extend([
                SsError::NoServer,
                SsError::PasswordMismatch,
                SsError::NoConsent,
                SsError::NoSuchApplication,
                SsError::Enroll(EnrollError::NoSession),
                SsError::Enroll(EnrollError::ForgedQr { url: "u".into() }),
                SsError::Enroll(EnrollError::NotEnrollmentQr { reason: "r".into() }),
                SsError::Enroll(EnrollError::Service(ServiceError::Unreachable {
                    url: "http://127.0.0.1:9".into(),
                    reason: "refused".into(),
                })),
                SsError::Enroll(EnrollError::Service(ServiceError::BadUrl {
                    url: "ftp://x".into(),
                })),
                EnrollError::Medium(tessera_media::MediumError::PinIncorrect { retries_left: 2 })
                    .into(),
            ]);
            for e in &all {
                let f = failure(&l, e);
                for text in [&f.message, &f.next] {
                    assert!(!text.is_empty(), "{e:?}");
                    assert!(
                        !text.contains("ui-ss-") && !text.contains("enroll-err"),
                        "{text}"
                    );
                    // a page names no command line
                    assert!(
                        !text.contains("tessera ") && !text.contains("--"),
                        "{e:?}: {text}"
                    );
                }
            }
            // the tries come from the problem's extension member, in the page's language
            let f = failure(&l, &problem(401, "password_incorrect"));
            let tries = if lang == Lang::ZhCn {
                "还可尝试 3 次"
            } else {
                "3 tries left"
            };
            assert!(f.message.contains(tries), "{}", f.message);
        }
    }
}
