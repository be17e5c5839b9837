//! What the pages show: the page frame, one struct per template, and the core's failures in
//! the holder's words with the next step to take.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::State;
use tessera_core::app::AppError;
use tessera_core::failure::Classify as _;
use tessera_core::i18n::Localizer;
use tessera_media::MediumError;

/// The frame every page shares.
pub(crate) struct Page {
    pub(crate) l: Localizer,
    pub(crate) lang: &'static str,
    pub(crate) csrf: String,
    pub(crate) title: String,
    /// Where the back arrow leads, if anywhere.
    pub(crate) back: Option<String>,
    /// Whether the header offers the settings.
    pub(crate) settings_link: bool,
    /// A success message at the top of the page.
    pub(crate) notice: Option<String>,
    /// A failure at the top of the page.
    pub(crate) failure: Option<Failure>,
}

impl Page {
    pub(crate) fn new(state: &State, title_id: &str) -> Self {
        let l = state.localizer();
        Self {
            lang: l.lang().tag(),
            title: l.text(title_id),
            l,
            csrf: state.csrf.clone(),
            back: None,
            settings_link: false,
            notice: None,
            failure: None,
        }
    }

    pub(crate) fn back(mut self, href: &str) -> Self {
        self.back = Some(href.to_owned());
        self
    }

    pub(crate) fn with_settings(mut self) -> Self {
        self.settings_link = true;
        self
    }

    pub(crate) fn notice(mut self, id: Option<&str>) -> Self {
        self.notice = id.map(|id| self.l.text(id));
        self
    }

    pub(crate) fn failure(mut self, failure: Option<Failure>) -> Self {
        self.failure = failure;
        self
    }

    /// The message `id` (templates call this for every label).
    pub(crate) fn t(&self, id: &str) -> String {
        self.l.text(id)
    }
}

/// A failure in words: what happened and what to do next.
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) next: String,
}

impl Failure {
    pub(crate) fn new(message: String, next: String) -> Self {
        Self { message, next }
    }
}

/// Why `info`'s medium is locked and what opens it, when it is.
pub(crate) fn lock(l: &Localizer, info: &tessera_media::MediumInfo) -> Option<Failure> {
    info.locked.then(|| {
        let (message, next) = tessera_core::words::locked(l, info);
        Failure::new(message, next)
    })
}

/// The core's failure as the holder reads it: the one classification every face uses
/// ([`tessera_core::failure`]), in the web face's words where it has its own (`ui-` + the
/// message or hint id: no command lines on a page).
pub(crate) fn failure(l: &Localizer, e: &AppError) -> Failure {
    classified(l, &e.classify())
}

/// A classified failure in the page's words: `ui-` + the message or hint id where the web face
/// has its own, else the shared text.
pub(crate) fn classified(l: &Localizer, c: &tessera_core::failure::Classified) -> Failure {
    let words = |id: &str| {
        let own = format!("ui-{id}");
        l.text_with(if l.has(&own) { &own } else { id }, &c.args)
    };
    Failure::new(capitalized(words(c.message)), words(c.recovery))
}

/// A sentence from the shared wording (lower-case in the CLI's English) as a page shows it.
pub(crate) fn capitalized(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// Why a new PIN was refused.
pub(crate) use tessera_core::words::weak_pin;

/// Renders a template; a template that cannot render (a bug) answers a plain 500.
pub(crate) fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "render failed").into_response(),
    }
}

/// A page with one message and a way home.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) page: Page,
    pub(crate) message: String,
    /// What to do next, in a sentence.
    pub(crate) hint: Option<String>,
    /// Where the button leads; no button when nothing in the app can help (no session).
    pub(crate) next_href: Option<String>,
    pub(crate) next_text: String,
}

/// A page saying `message_id`, with status `status` and a link home.
pub(crate) fn message_page(
    l: &Localizer,
    state: &State,
    status: StatusCode,
    message_id: &str,
) -> Response {
    let page = Page::new(state, "ui-app-name");
    let t = MessagePage {
        message: l.text(message_id),
        hint: None,
        next_href: (status != StatusCode::FORBIDDEN || message_id != "ui-err-no-session")
            .then(|| "/".to_owned()),
        next_text: l.text("ui-next-home"),
        page,
    };
    (status, render(&t)).into_response()
}

/// A page for a failure of the core, with the next step.
pub(crate) fn failure_page(state: &State, e: &AppError, back: &str) -> Response {
    let page = Page::new(state, "ui-app-name").back(back);
    let f = failure(&page.l, e);
    let status = match e {
        AppError::Medium(MediumError::NotFound { .. }) | AppError::NoSuchCertificate { .. } => {
            StatusCode::NOT_FOUND
        }
        _ => StatusCode::OK,
    };
    let t = MessagePage {
        message: f.message,
        hint: Some(f.next),
        next_text: page.l.text(if back == "/home" {
            "ui-next-home"
        } else {
            "ui-back"
        }),
        next_href: Some(back.to_owned()),
        page,
    };
    (status, render(&t)).into_response()
}

/// One choice in a select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use tessera_core::i18n::Lang;
    use tessera_media::Pin;

    use super::*;

    /// What the pages say of the core's failures comes from the shared classification, in the
    /// page's own words where the CLI's would name a command line; a cloud account's lock
    /// never sends the holder to an SO PIN.
    #[test]
    fn pages_word_the_shared_classification_without_command_lines() {
        let failures = [
            AppError::Medium(MediumError::PinIncorrect { retries_left: 2 }),
            AppError::Medium(MediumError::NotFound {
                label: "usb".into(),
            }),
            AppError::Medium(MediumError::NotLoggedIn),
            AppError::Medium(MediumError::TemporarilyLocked {
                retry_after_secs: Some(600),
            }),
            AppError::NoSuchCertificate {
                selector: "0123abcd".into(),
            },
            AppError::PinUnavailable {
                reason: "closed".into(),
            },
            AppError::PinMismatch,
            tessera_core::holder::check_new_pin(&Pin::new("111111")).unwrap_err(),
            AppError::NoDataDir,
        ];
        for lang in [Lang::ZhCn, Lang::EnUs] {
            let l = Localizer::new(lang);
            for e in &failures {
                let f = failure(&l, e);
                assert!(!f.message.is_empty() && !f.next.is_empty(), "{e:?}");
                for text in [&f.message, &f.next] {
                    assert!(
                        !text.contains("tessera ") && !text.contains("--"),
                        "{e:?}: {text}"
                    );
                }
            }
            let cloud = failure(
                &l,
                &AppError::Medium(MediumError::TemporarilyLocked {
                    retry_after_secs: Some(600),
                }),
            );
            assert!(cloud.message.contains("10"), "{}", cloud.message);
            assert!(!cloud.next.contains("管理员密码解锁") && !cloud.next.contains("Unlock it"));
        }
        let zh = Localizer::new(Lang::ZhCn);
        let wrong = failure(
            &zh,
            &AppError::Medium(MediumError::PinIncorrect { retries_left: 2 }),
        );
        assert!(wrong.message.contains("还可尝试 2 次"), "{}", wrong.message);
    }
}
