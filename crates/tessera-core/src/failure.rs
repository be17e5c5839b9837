//! One failure classification for every face: each client error becomes a Fluent message
//! (`err-*` with its arguments), a recovery hint (`rec-*`) and an exit code from the documented
//! table ([`exit`], printed by `tessera --help`). The CLI prints message and hint and exits with
//! the code; the web UI shows message and hint. A service refusal is classified by its
//! [`ProblemCode`] alone, so it reads in the face's language and never as the service's English.
//!
//! No face crate (clap, axum, askama) is used here: the module moves into the client core as is.

mod client;
mod problem;

use fluent_bundle::FluentValue;
use tessera_proto::ProblemCode;

use crate::i18n::Localizer;

pub use problem::problem;

/// Exit codes, as documented in `tessera --help` (`help-after-main`).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// An internal error.
    pub const INTERNAL: u8 = 1;
    /// The command line is not usable.
    pub const USAGE: u8 = 2;
    /// An input file could not be read.
    pub const READ: u8 = 3;
    /// The input is not a valid certificate (or QR, or key file).
    pub const PARSE: u8 = 4;
    /// A certificate chain or a signature did not validate.
    pub const INVALID: u8 = 5;
    /// A wrong PIN, password, SMS code or captcha.
    pub const PIN_INCORRECT: u8 = 6;
    /// The medium or the account is locked.
    pub const LOCKED: u8 = 7;
    /// No such medium, certificate, account or application.
    pub const NOT_FOUND: u8 = 8;
    /// The medium or the service refused the operation.
    pub const REFUSED: u8 = 9;
    /// The service could not be reached.
    pub const UNREACHABLE: u8 = 10;
    /// An entry was refused as invalid or too weak (a password, a PIN, an image, a field).
    pub const INPUT_REFUSED: u8 = 11;
    /// A code, captcha or session expired or was used up: ask for a new one.
    pub const EXPIRED: u8 = 12;
    /// The service is busy, limits the rate or failed: try again later.
    pub const TRY_LATER: u8 = 13;
}

/// A failure as every face presents it.
#[derive(Debug, Clone)]
pub struct Classified {
    /// Fluent id of what happened (`err-*`, or an older `enroll-err-*`).
    pub message: &'static str,
    /// The message's arguments.
    pub args: Vec<(&'static str, FluentValue<'static>)>,
    /// Fluent id of what to do about it (`rec-*`).
    pub recovery: &'static str,
    /// The process exit code ([`exit`]).
    pub exit: u8,
    /// The service's problem code, when the service refused (quoted to its support).
    pub code: Option<ProblemCode>,
}

impl Classified {
    /// A failure without arguments.
    pub(crate) fn new(message: &'static str, recovery: &'static str, exit: u8) -> Self {
        Self {
            message,
            args: Vec::new(),
            recovery,
            exit,
            code: None,
        }
    }

    /// The same failure with one more message argument.
    #[must_use]
    pub(crate) fn arg(
        mut self,
        name: &'static str,
        value: impl Into<FluentValue<'static>>,
    ) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// What happened, in `l`'s language.
    pub fn text(&self, l: &Localizer) -> String {
        l.text_with(self.message, &self.args)
    }

    /// What to do about it, in `l`'s language.
    pub fn recovery_text(&self, l: &Localizer) -> String {
        l.text_with(self.recovery, &self.args)
    }
}

/// An error that can say what happened, what to do, and how the process exits.
pub trait Classify {
    /// The classification of this failure.
    fn classify(&self) -> Classified;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Every problem code has its own message and recovery hint in both languages, and the
    /// Chinese text carries none of the service's English.
    #[test]
    fn every_problem_code_reads_in_both_languages() {
        for lang in [Lang::ZhCn, Lang::EnUs] {
            let l = Localizer::new(lang);
            for code in ProblemCode::ALL {
                let c = problem(
                    code,
                    400,
                    Some("english detail"),
                    Some(3),
                    Some(2),
                    Some(600),
                );
                let dashed = code.as_str().replace('_', "-");
                assert_eq!(c.message, format!("err-problem-{dashed}"), "{code}");
                assert_eq!(c.recovery, format!("rec-problem-{dashed}"), "{code}");
                for id in [c.message, c.recovery] {
                    assert!(l.has(id), "{id} missing in {lang:?}");
                }
                let text = c.text(&l);
                let hint = c.recovery_text(&l);
                assert!(!text.is_empty() && !hint.is_empty(), "{code}");
                if lang == Lang::ZhCn {
                    assert!(!text.contains("english detail"), "{code}: {text}");
                }
                assert_ne!(
                    c.exit,
                    exit::INVALID,
                    "{code}: 5 is for chains and signatures"
                );
            }
        }
    }

    /// The codes that used to share exit 5 (weak password and bad image are `invalid_field`,
    /// a wrong captcha `captcha_incorrect`) now have their own rows of the table.
    #[test]
    fn input_refusals_have_their_own_exit_codes() {
        let exit_of =
            |code: ProblemCode, status| problem(&code, status, None, None, None, None).exit;
        assert_eq!(exit_of(ProblemCode::InvalidField, 422), exit::INPUT_REFUSED);
        assert_eq!(
            exit_of(ProblemCode::CaptchaIncorrect, 400),
            exit::PIN_INCORRECT
        );
        assert_eq!(exit_of(ProblemCode::CaptchaInvalid, 400), exit::EXPIRED);
        assert_eq!(exit_of(ProblemCode::SmsCodeExpired, 400), exit::EXPIRED);
        assert_eq!(exit_of(ProblemCode::RateLimited, 429), exit::TRY_LATER);
        assert_eq!(exit_of(ProblemCode::AccountLocked, 403), exit::LOCKED);
        // a code from a newer service falls back on the status
        let unknown = |status| {
            problem(
                &ProblemCode::Unknown("x".into()),
                status,
                None,
                None,
                None,
                None,
            )
        };
        assert_eq!(unknown(404).exit, exit::NOT_FOUND);
        assert_eq!(unknown(422).exit, exit::INPUT_REFUSED);
        assert_eq!(unknown(503).exit, exit::TRY_LATER);
        assert_eq!(unknown(409).exit, exit::REFUSED);
    }

    /// The message of the issue: a service refusal in Chinese has no English in it.
    #[test]
    fn refusal_in_chinese_has_no_english() {
        let l = Localizer::new(Lang::ZhCn);
        let c = problem(
            &ProblemCode::CertificateUnknown,
            404,
            Some("this certificate was not issued by this service"),
            None,
            None,
            None,
        );
        let text = c.text(&l);
        assert!(!text.contains("this certificate"), "{text}");
        assert!(text.contains("证书"), "{text}");
    }
}
