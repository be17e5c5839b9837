//! Install an approved application onto a medium, and renew a certificate with its own key:
//! the two self-service steps that log in to a medium through the app core (PIN cache).

use askama::Template;
use axum::extract::{Path, State as AxState};
use axum::response::Response;
use fluent_bundle::FluentValue as V;
use serde::Deserialize;
use tessera_media::{CertEntry, Medium as _, Pin};
use tessera_proto::ra::{Application, Password};
use time::OffsetDateTime;

use super::failures::{SsError, failure};
use super::{AppRow, Secret, Service, app_row, blocking, service};
use crate::ui::State;
use crate::ui::pages::segment;
use crate::ui::view::{Choice, MessagePage, Page, render};
use tessera_core::app::AppError;
use tessera_core::enroll;

#[derive(Template)]
#[template(path = "ss_install.html")]
struct InstallPage {
    page: Page,
    application: Option<AppRow>,
    media: Vec<Choice>,
}

/// The application `id` of the logged-in phone.
fn find_application(s: &Service, id: &str) -> Result<Application, SsError> {
    blocking(|| {
        let session = enroll::session(&s.client, &s.data_dir)?;
        Ok::<_, enroll::EnrollError>(
            enroll::applications(&s.client, &session)?
                .into_iter()
                .find(|a| a.id == id),
        )
    })?
    .ok_or(SsError::NoSuchApplication)
}

fn install_page(state: &State, id: &str, chosen: &str, err: Option<SsError>) -> Response {
    let page = Page::new(state, "ui-ss-install-title").back("/self-service/query");
    let mut err = err;
    let application = match service(state).and_then(|s| find_application(&s, id)) {
        Ok(a) => Some(app_row(&page.l, &a)),
        Err(e) => {
            err = err.or(Some(e));
            None
        }
    };
    let media = state
        .core(|app| app.media())
        .map(|list| {
            list.into_iter()
                .filter_map(|m| m.info.ok())
                .filter(|i| !i.locked)
                .map(|i| Choice {
                    selected: i.serial == chosen,
                    label: format!("{} ({})", i.label, i.serial),
                    value: i.serial,
                })
                .collect()
        })
        .unwrap_or_default();
    let fail = err.as_ref().map(|e| failure(&page.l, e));
    render(&InstallPage {
        page: page.failure(fail),
        application,
        media,
    })
}

/// `GET /self-service/applications/{id}/install`: choose the medium, PIN and password.
pub(super) async fn install_form(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
) -> Response {
    install_page(&state, &id, "", None)
}

#[derive(Deserialize)]
pub(super) struct InstallFields {
    #[serde(default)]
    medium: String,
    #[serde(default)]
    pin: Secret,
    #[serde(default)]
    password: Secret,
}

/// Logs in to `opened` with the cached PIN, else the one typed (empty: none typed).
fn medium_login(
    app: &mut tessera_core::app::App,
    opened: &mut tessera_core::app::OpenMedium,
    pin: &Secret,
) -> Result<(), AppError> {
    let mut typed = Some(pin.0.as_str()).filter(|p| !p.is_empty()).map(Pin::new);
    app.login(opened, &mut || {
        typed.take().ok_or_else(|| AppError::PinUnavailable {
            reason: "no PIN entered".to_owned(),
        })
    })
}

/// `POST …/install`: make the key on the medium, get the certificate, store it.
pub(super) async fn install(
    AxState(state): AxState<State>,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<InstallFields>,
) -> Response {
    let installed = service(&state).and_then(|s| {
        let application = find_application(&s, &id)?;
        let session = blocking(|| enroll::session(&s.client, &s.data_dir))?;
        let password = Password::new(f.password.0.as_str());
        state.core(|app| {
            let mut opened = app.open_medium(&f.medium)?;
            let serial = opened.info().map_err(AppError::from)?.serial;
            medium_login(app, &mut opened, &f.pin)?;
            let entry = enroll::install(&s.client, &session, &application, &mut opened, &password)?;
            app.log(&format!(
                "self-service: certificate installed on medium {serial}, {}",
                entry.reference
            ));
            Ok::<_, SsError>((serial, entry))
        })
    });
    match installed {
        Ok((serial, entry)) => {
            let page = Page::new(&state, "ui-ss-install-title").back("/self-service/query");
            let message = page.t("ui-ss-installed");
            done_page(page, message, &serial, &entry)
        }
        Err(e) => install_page(&state, &id, &f.medium, Some(e)),
    }
}

#[derive(Template)]
#[template(path = "ss_renew.html")]
struct RenewPage {
    page: Page,
    subject: String,
    not_after: String,
    medium: String,
    cached: bool,
    configured: bool,
}

fn renew_page(state: &State, medium: &str, cert: &str, err: Option<SsError>) -> Response {
    let back = format!("/media/{}/certs/{}", segment(medium), segment(cert));
    let page = Page::new(state, "ui-ss-renew-title").back(&back);
    let now = OffsetDateTime::now_utc();
    let found = state.core(|app| {
        let view = app.certificate_view(medium, cert, now)?;
        let cached = app.has_cached_pin(&view.medium.serial);
        let configured = app.service_url().is_some();
        Ok::<_, AppError>((view, cached, configured))
    });
    let (view, cached, configured) = match found {
        Ok(found) => found,
        Err(e) => return crate::ui::view::failure_page(state, &e, &back),
    };
    let err = if configured {
        err
    } else {
        err.or(Some(SsError::NoServer))
    };
    let fail = err.as_ref().map(|e| failure(&page.l, e));
    render(&RenewPage {
        subject: view
            .details
            .subject
            .cn
            .first()
            .cloned()
            .unwrap_or_else(|| view.details.subject.rfc4514.clone()),
        not_after: view
            .details
            .validity
            .not_after
            .split('T')
            .next()
            .unwrap_or_default()
            .to_owned(),
        medium: view.medium.label.clone(),
        cached,
        configured,
        page: page.failure(fail),
    })
}

/// `GET /media/{medium}/certs/{cert}/renew`: confirm with the PIN.
pub(super) async fn renew_form(
    AxState(state): AxState<State>,
    Path((medium, cert)): Path<(String, String)>,
) -> Response {
    renew_page(&state, &medium, &cert, None)
}

#[derive(Deserialize)]
pub(super) struct RenewFields {
    #[serde(default)]
    pin: Secret,
}

/// `POST …/renew`: a CSR signed by the certificate's own key; the new certificate replaces
/// the old one on the medium.
pub(super) async fn renew(
    AxState(state): AxState<State>,
    Path((medium, cert)): Path<(String, String)>,
    axum::Form(f): axum::Form<RenewFields>,
) -> Response {
    let renewed = service(&state).and_then(|s| {
        state.core(|app| {
            let mut opened = app.open_medium(&medium)?;
            let serial = opened.info().map_err(AppError::from)?.serial;
            let entry = tessera_core::app::find_certificate(&opened, &cert)?;
            medium_login(app, &mut opened, &f.pin)?;
            let new = enroll::renew(&s.client, &mut opened, &entry)?;
            app.log(&format!(
                "self-service: certificate renewed on medium {serial}, {} replaced by {}",
                entry.reference, new.reference
            ));
            Ok::<_, SsError>((serial, new))
        })
    });
    match renewed {
        Ok((serial, new)) => {
            let page = Page::new(&state, "ui-ss-renew-title").back("/home");
            let not_after = new
                .certificate
                .details(OffsetDateTime::now_utc())
                .validity
                .not_after
                .split('T')
                .next()
                .unwrap_or_default()
                .to_owned();
            let message = page
                .l
                .text_with("ui-ss-renewed", &[("date", V::from(not_after))]);
            done_page(page, message, &serial, &new)
        }
        Err(e) => renew_page(&state, &medium, &cert, Some(e)),
    }
}

/// Says `message` with a link to the certificate `entry` on the medium `serial`.
fn done_page(page: Page, message: String, serial: &str, entry: &CertEntry) -> Response {
    let next_text = page.t("ui-ss-view-cert");
    render(&MessagePage {
        message,
        hint: None,
        next_href: Some(format!(
            "/media/{}/certs/{}",
            segment(serial),
            entry.reference
        )),
        next_text,
        page,
    })
}
