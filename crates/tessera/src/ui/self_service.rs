//! The self-service screens against the configured Tessera service: apply (enrollment QR,
//! SMS code, applicant, notices, certificate password), business query (SMS code + image
//! captcha, then the applications with their states), install an approved application onto a
//! medium, and renew a certificate with its own key.
//!
//! The flows are in [`tessera_core::enroll`]; these handlers gather the form, call it, and render. The
//! service client is blocking, so every call runs off the async workers ([`blocking`]); the app
//! core's lock is held only where a medium is logged in (install, renew). Passwords, PINs and
//! codes travel only in POST bodies and are never logged.

mod failures;
mod medium;

use std::path::PathBuf;

use askama::Template;
use axum::Router;
use axum::extract::State as AxState;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use fluent_bundle::FluentValue as V;
use serde::Deserialize;
use tessera_proto::ra::{
    Applicant, Application, ApplicationStatus, ApplyRequest, Consent, Notices, PURPOSE_APPLY,
    PURPOSE_QUERY, Password, QueryLogin,
};

use self::failures::{SsError, failure};
use super::State;
use super::pages::segment;
use super::view::{Choice, Page, render};
use tessera_core::enroll;
use tessera_core::i18n::Localizer;
use tessera_core::service::ServiceClient;

/// The self-service routes.
pub(super) fn router() -> Router<State> {
    Router::new()
        .route("/self-service", get(hub))
        .route("/self-service/server", post(set_server))
        .route("/self-service/apply", get(apply_form).post(apply))
        .route("/self-service/apply/code", post(apply_code))
        .route("/self-service/query", get(query))
        .route("/self-service/query/code", post(query_code))
        .route("/self-service/query/login", post(query_login))
        .route("/self-service/query/logout", post(query_logout))
        .route(
            "/self-service/applications/{id}/install",
            get(medium::install_form).post(medium::install),
        )
        .route(
            "/media/{medium}/certs/{cert}/renew",
            get(medium::renew_form).post(medium::renew),
        )
}

/// A secret from a form (password, PIN), wrapped at once; nothing formats it.
struct Secret(zeroize::Zeroizing<String>);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Secret(zeroize::Zeroizing::new(s)))
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret(zeroize::Zeroizing::new(String::new()))
    }
}

/// Runs a blocking call (the service client, files) off the async workers.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// The configured service and the data folder (for the pinned key and the session).
struct Service {
    client: ServiceClient,
    data_dir: PathBuf,
}

fn service(state: &State) -> Result<Service, SsError> {
    let (url, data_dir) = state.core(|app| {
        (
            app.service_url().map(str::to_owned),
            app.data_dir().to_owned(),
        )
    });
    let url = url.ok_or(SsError::NoServer)?;
    let client = blocking(|| ServiceClient::new(&url, None)).map_err(enroll::EnrollError::from)?;
    Ok(Service { client, data_dir })
}

#[derive(Template)]
#[template(path = "ss_hub.html")]
struct HubPage {
    page: Page,
    configured: bool,
    server: String,
}

fn hub_page(state: &State, err: Option<SsError>) -> Response {
    let server = state.core(|app| app.service_url().map(str::to_owned));
    let page = Page::new(state, "ui-feature-self-service").back("/home");
    let fail = err.as_ref().map(|e| failure(&page.l, e));
    render(&HubPage {
        configured: server.is_some(),
        server: server.unwrap_or_default(),
        page: page.failure(fail),
    })
}

/// `GET /self-service`: the entries, or where to set the service when none is configured.
async fn hub(AxState(state): AxState<State>) -> Response {
    hub_page(&state, None)
}

#[derive(Deserialize)]
struct ServerForm {
    #[serde(default)]
    server: String,
}

/// `POST /self-service/server`: the service address (the `server` setting).
async fn set_server(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<ServerForm>,
) -> Response {
    match state.core(|app| app.set_setting("server", f.server.trim())) {
        Ok(()) => Redirect::to("/self-service").into_response(),
        Err(tessera_core::app::AppError::Settings(_)) => {
            let bad = tessera_core::service::ServiceError::BadUrl {
                url: f.server.trim().to_owned(),
            };
            hub_page(&state, Some(enroll::EnrollError::from(bad).into()))
        }
        Err(e) => hub_page(&state, Some(e.into())),
    }
}

/// What the holder typed into the application, kept across the steps (no secrets).
#[derive(Deserialize, Default)]
struct ApplyFields {
    #[serde(default)]
    qr: String,
    /// An image of the QR as a `data:` URL (the page script fills it from a chosen file).
    #[serde(default)]
    qr_image: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    key_alg: String,
    #[serde(default)]
    privacy_version: String,
    #[serde(default)]
    terms_version: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    password: Secret,
    #[serde(default)]
    password_again: Secret,
}

#[derive(Template)]
#[template(path = "ss_apply.html")]
struct ApplyPage {
    page: Page,
    /// 1: QR and phone; 2: the code, the applicant and the notices.
    step: u8,
    f: ApplyFields,
    project: String,
    notices: Option<Notices>,
    privacy_heading: String,
    terms_heading: String,
    key_algs: Vec<Choice>,
}

fn key_algs(l: &Localizer, chosen: &str) -> Vec<Choice> {
    let default = enroll::KEY_ALGORITHMS[0].0;
    enroll::KEY_ALGORITHMS
        .iter()
        .map(|(alg, _)| Choice {
            value: (*alg).to_owned(),
            label: l.text(&format!("ui-ss-key-{alg}")),
            selected: *alg == chosen || (chosen.is_empty() && *alg == default),
        })
        .collect()
}

fn apply_page(state: &State, step: u8, f: ApplyFields, err: Option<SsError>) -> Response {
    let page = Page::new(state, "ui-ss-apply-title").back("/self-service");
    let fail = err.as_ref().map(|e| failure(&page.l, e));
    let page = page.failure(fail);
    // the project and notices come again from the QR and the service on step 2
    let (project, notices) = if step == 2 {
        let project = enroll::read_qr(f.qr.as_bytes())
            .map(|q| q.project)
            .unwrap_or_default();
        let notices = service(state)
            .ok()
            .and_then(|s| blocking(|| enroll::notices(&s.client)).ok());
        (project, notices)
    } else {
        (String::new(), None)
    };
    let key_algs = key_algs(&page.l, &f.key_alg);
    let heading = |id: &str, version: Option<&String>| {
        page.l.text_with(
            id,
            &[("version", V::from(version.cloned().unwrap_or_default()))],
        )
    };
    let privacy_heading = heading(
        "enroll-privacy-heading",
        notices.as_ref().map(|n| &n.privacy_version),
    );
    let terms_heading = heading(
        "enroll-terms-heading",
        notices.as_ref().map(|n| &n.terms_version),
    );
    render(&ApplyPage {
        page,
        step,
        f,
        project,
        notices,
        privacy_heading,
        terms_heading,
        key_algs,
    })
}

/// `GET /self-service/apply`: step 1, the QR and the phone.
async fn apply_form(AxState(state): AxState<State>) -> Response {
    if let Err(e) = service(&state) {
        return apply_page(&state, 1, ApplyFields::default(), Some(e));
    }
    apply_page(&state, 1, ApplyFields::default(), None)
}

/// `POST /self-service/apply/code`: check the QR with the service's key, send the SMS code,
/// go on to step 2.
async fn apply_code(
    AxState(state): AxState<State>,
    axum::Form(mut f): axum::Form<ApplyFields>,
) -> Response {
    let image = std::mem::take(&mut f.qr_image);
    if !image.is_empty() {
        // the image read once; the steps after carry the QR's text
        match qr_from_image(&image) {
            Ok(text) => f.qr = text,
            Err(e) => return apply_page(&state, 1, f, Some(e.into())),
        }
    }
    let sent = service(&state).and_then(|s| {
        blocking(|| {
            let qr = enroll::read_qr(f.qr.trim().as_bytes())?;
            enroll::verify_qr(&s.client, &s.data_dir, &qr)?;
            enroll::send_code(&s.client, f.phone.trim(), PURPOSE_APPLY)
        })
        .map_err(SsError::from)
    });
    match sent {
        Ok(_) => apply_page(&state, 2, f, None),
        Err(e) => apply_page(&state, 1, f, Some(e)),
    }
}

/// The text of the enrollment QR in an image sent as a `data:` URL (PNG or JPEG).
fn qr_from_image(data_url: &str) -> Result<String, enroll::EnrollError> {
    let not_qr = |reason: &str| enroll::EnrollError::NotEnrollmentQr {
        reason: reason.to_owned(),
    };
    let b64 = data_url
        .split_once(";base64,")
        .map(|(_, b)| b)
        .ok_or_else(|| not_qr("the image could not be read"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| not_qr("the image could not be read"))?;
    let qr = blocking(|| enroll::read_qr(&bytes))?;
    qr.to_qr_text().map_err(|e| not_qr(&e.to_string()))
}

#[derive(Template)]
#[template(path = "ss_applications.html")]
struct ApplicationsPage {
    page: Page,
    applications: Vec<AppRow>,
    /// What comes next after an application (the result page), if this is one.
    next: Option<String>,
    /// Whether this is the business query (offers logout).
    query: bool,
}

/// An application as the holder reads it.
struct AppRow {
    id: String,
    status: &'static str,
    status_text: String,
    project: String,
    name: String,
    organization: String,
    subject: String,
    id_number: String,
    phone: String,
    key_alg: String,
    reason: Option<String>,
    serial: Option<String>,
    install_href: Option<String>,
}

fn app_row(l: &Localizer, a: &Application) -> AppRow {
    AppRow {
        id: a.id.clone(),
        status: a.status.as_str(),
        status_text: l.text(&format!("enroll-status-{}", a.status.as_str())),
        project: a.project.clone(),
        name: a.name.clone(),
        organization: a.organization.clone(),
        subject: a.subject.clone(),
        id_number: a.id_number_masked.clone(),
        phone: a.phone_masked.clone(),
        key_alg: a.key_algorithm.clone(),
        reason: a.reason.clone(),
        serial: a.serial.clone(),
        install_href: (a.status == ApplicationStatus::Approved)
            .then(|| format!("/self-service/applications/{}/install", segment(&a.id))),
    }
}

/// `POST /self-service/apply`: send the application; the result shows its state.
async fn apply(AxState(state): AxState<State>, axum::Form(f): axum::Form<ApplyFields>) -> Response {
    if f.password.0.as_str() != f.password_again.0.as_str() {
        return apply_page(&state, 2, f, Some(SsError::PasswordMismatch));
    }
    if f.consent.is_none() {
        return apply_page(&state, 2, f, Some(SsError::NoConsent));
    }
    let applied = service(&state).and_then(|s| {
        blocking(|| {
            let qr = enroll::read_qr(f.qr.trim().as_bytes())?;
            enroll::verify_qr(&s.client, &s.data_dir, &qr)?;
            let request = ApplyRequest {
                project: qr.project.clone(),
                phone: f.phone.trim().to_owned(),
                sms_code: f.code.trim().to_owned(),
                consent: Consent {
                    privacy_version: f.privacy_version.clone(),
                    terms_version: f.terms_version.clone(),
                },
                applicant: Applicant {
                    name: f.name.trim().to_owned(),
                    id_number: f.id_number.trim().to_owned(),
                    organization: f.organization.trim().to_owned(),
                    email: f.email.trim().to_owned(),
                },
                key_algorithm: Some(f.key_alg.clone()).filter(|k| !k.is_empty()),
                password: Password::new(f.password.0.as_str()),
            };
            enroll::apply(&s.client, &s.data_dir, &request)
        })
        .map_err(SsError::from)
    });
    match applied {
        Ok(applied) => {
            state.core(|app| {
                app.log(&format!(
                    "self-service: applied, project {}",
                    applied.application.project
                ))
            });
            let page = Page::new(&state, "ui-ss-applied-title")
                .back("/self-service")
                .notice(Some("ui-ss-applied"));
            let next = page.t(if applied.pre_entered {
                "ui-ss-next-install-ready"
            } else {
                "ui-ss-next-review"
            });
            let applications = vec![app_row(&page.l, &applied.application)];
            render(&ApplicationsPage {
                page,
                applications,
                next: Some(next),
                query: false,
            })
        }
        Err(e) => apply_page(&state, 2, f, Some(e)),
    }
}

/// Business-query login fields (no secrets: the code is single-use).
#[derive(Deserialize, Default)]
struct LoginFields {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    captcha_id: String,
    #[serde(default)]
    captcha_answer: String,
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "ss_login.html")]
struct LoginPage {
    page: Page,
    /// 1: the phone; 2: the captcha and the code.
    step: u8,
    phone: String,
    captcha_id: String,
    /// The captcha image as a `data:` URL (the page's CSP allows `data:` images).
    captcha_src: String,
}

fn login_page(state: &State, step: u8, phone: String, err: Option<SsError>) -> Response {
    let page = Page::new(state, "ui-ss-query-title").back("/self-service");
    let mut err = err;
    let (mut captcha_id, mut captcha_src) = (String::new(), String::new());
    if step == 2 {
        // a fresh captcha each time: one that failed is used up
        match service(state)
            .and_then(|s| blocking(|| enroll::captcha(&s.client)).map_err(SsError::from))
        {
            Ok((challenge, png)) => {
                captcha_id = challenge.id;
                captcha_src = format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(png)
                );
            }
            Err(e) => err = err.or(Some(e)),
        }
    }
    let fail = err.as_ref().map(|e| failure(&page.l, e));
    render(&LoginPage {
        page: page.failure(fail),
        step,
        phone,
        captcha_id,
        captcha_src,
    })
}

/// `GET /self-service/query`: the applications of the logged-in phone, else the login.
async fn query(AxState(state): AxState<State>) -> Response {
    let s = match service(&state) {
        Ok(s) => s,
        Err(e) => return login_page(&state, 1, String::new(), Some(e)),
    };
    let list = blocking(|| {
        let session = enroll::session(&s.client, &s.data_dir)?;
        enroll::applications(&s.client, &session)
    });
    match list {
        Ok(list) => {
            let page = Page::new(&state, "ui-ss-query-title").back("/self-service");
            let applications = list.iter().map(|a| app_row(&page.l, a)).collect();
            render(&ApplicationsPage {
                page,
                applications,
                next: None,
                query: true,
            })
        }
        Err(enroll::EnrollError::NoSession) => login_page(&state, 1, String::new(), None),
        Err(e) => login_page(&state, 1, String::new(), Some(e.into())),
    }
}

/// `POST /self-service/query/code`: send the login code, then ask for it with a captcha.
async fn query_code(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<LoginFields>,
) -> Response {
    let sent = service(&state).and_then(|s| {
        blocking(|| enroll::send_code(&s.client, f.phone.trim(), PURPOSE_QUERY))
            .map_err(SsError::from)
    });
    match sent {
        Ok(_) => login_page(&state, 2, f.phone, None),
        Err(e) => login_page(&state, 1, f.phone, Some(e)),
    }
}

/// `POST /self-service/query/login`: log in; the session is kept in the data folder.
async fn query_login(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<LoginFields>,
) -> Response {
    let logged_in = service(&state).and_then(|s| {
        let request = QueryLogin {
            phone: f.phone.trim().to_owned(),
            captcha_id: f.captcha_id.trim().to_owned(),
            captcha_answer: f.captcha_answer.trim().to_owned(),
            sms_code: f.code.trim().to_owned(),
        };
        blocking(|| enroll::login(&s.client, &s.data_dir, &request)).map_err(SsError::from)
    });
    match logged_in {
        Ok(_) => Redirect::to("/self-service/query").into_response(),
        Err(e) => login_page(&state, 2, f.phone, Some(e)),
    }
}

/// `POST /self-service/query/logout`: forget the session.
async fn query_logout(AxState(state): AxState<State>) -> Response {
    let dir = state.core(|app| app.data_dir().to_owned());
    match blocking(|| enroll::logout(&dir)) {
        Ok(()) => Redirect::to("/self-service").into_response(),
        Err(e) => login_page(&state, 1, String::new(), Some(e.into())),
    }
}
