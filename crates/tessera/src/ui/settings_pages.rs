//! Settings: PIN cache time, language, updates, logs and their export, the legal documents,
//! the personal-information and third-party lists, about, and return to start.

use askama::Template;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue as V;
use serde::Deserialize;
use time::OffsetDateTime;

use super::State;
use super::pages::{DocumentPage, paragraphs};
use super::view::{Choice, Page, failure_page, render};
use crate::third_party::{THIRD_PARTY, ThirdParty};
use tessera_core::i18n::{Lang, Localizer};
use tessera_core::pin_cache::PinCacheTime;
use tessera_core::settings::{OnOff, UpdateCheck};
use tessera_core::start::{SUPPORT_EMAIL, SUPPORT_HOTLINE};
use tessera_core::update::{CURRENT_VERSION, UpdateCheckRecord, UpdateOutcome};

/// The settings a page may change; the rest (service URL, support key, modules) belong to the
/// configuration.
const PAGE_KEYS: [&str; 4] = ["pin-cache", "language", "logs", "update-check"];

/// The languages, the one in force selected.
pub(super) fn language_choices(state: &State, l: &Localizer) -> Vec<Choice> {
    let current = state.lang();
    [Lang::ZhCn, Lang::EnUs]
        .into_iter()
        .map(|lang| Choice {
            value: lang.tag().to_owned(),
            label: l.text(&format!("ui-lang-{}", lang.tag())),
            selected: lang == current,
        })
        .collect()
}

struct Export {
    name: String,
    path: String,
    href: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    page: Page,
    pin_cache: Vec<Choice>,
    languages: Vec<Choice>,
    update_check: Vec<Choice>,
    logs: Vec<Choice>,
    version: String,
    update_text: String,
    update_link: Option<String>,
    update_available: bool,
    update_notes: Option<String>,
    checked_at: String,
    export: Option<Export>,
}

#[derive(Deserialize)]
pub(super) struct SettingsQuery {
    notice: Option<String>,
    file: Option<String>,
}

fn update_text(l: &Localizer, record: Option<&UpdateCheckRecord>, server: bool) -> String {
    let Some(record) = record else {
        return if server {
            l.text("ui-update-never-checked")
        } else {
            l.text("ui-update-no-server")
        };
    };
    match &record.outcome {
        UpdateOutcome::UpToDate { .. } => l.text("ui-update-up-to-date"),
        UpdateOutcome::Available { release } => l.text_with(
            if release.critical {
                "ui-update-available-critical"
            } else {
                "ui-update-available"
            },
            &[("version", V::from(release.version.as_str()))],
        ),
        UpdateOutcome::Unreachable { .. } => l.text("ui-update-unreachable"),
        _ => l.text("ui-update-bad-feed"),
    }
}

/// Checks the release feed when it is due (or `force`d), outside the app lock.
async fn check_updates(state: &State, force: bool) {
    let now = OffsetDateTime::now_utc();
    let (server, due) = state.core(|app| {
        (
            app.service_url().map(str::to_owned),
            app.update_check_due(now),
        )
    });
    let Some(server) = server else {
        return;
    };
    if due || force {
        let outcome = tokio::task::spawn_blocking(move || tessera_core::update::check(&server))
            .await
            .unwrap_or_else(|e| tessera_core::update::UpdateOutcome::Unreachable {
                reason: e.to_string(),
            });
        state.core(|app| app.record_update_check(now, outcome));
    }
}

/// `GET /settings`.
pub(super) async fn settings(
    AxState(state): AxState<State>,
    Query(q): Query<SettingsQuery>,
) -> Response {
    check_updates(&state, false).await;
    let notice = q
        .notice
        .as_deref()
        .and_then(|n| {
            ["saved", "exported", "checked"]
                .into_iter()
                .find(|k| *k == n)
        })
        .map(|n| format!("ui-notice-{n}"));
    let page = Page::new(&state, "ui-settings-title")
        .back("/")
        .notice(notice.as_deref());
    let (settings, record, export, service_configured) = state.core(|app| {
        let export = q
            .file
            .as_deref()
            .and_then(|name| app.export_file(name).map(|p| (name.to_owned(), p)));
        let configured = app.service_url().is_some();
        (
            app.settings().clone(),
            app.last_update_check(),
            export,
            configured,
        )
    });
    let l = &page.l;
    let choices = |values: Vec<(&str, String)>, current: &str| -> Vec<Choice> {
        values
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current,
                value: value.to_owned(),
                label,
            })
            .collect()
    };
    let pin_cache = choices(
        PinCacheTime::ALL
            .iter()
            .map(|t| {
                let label = match t.duration() {
                    Some(d) => l.text_with(
                        "ui-pin-cache-minutes",
                        &[("minutes", V::from(d.as_secs() / 60))],
                    ),
                    None => l.text("ui-pin-cache-off"),
                };
                (t.as_str(), label)
            })
            .collect(),
        settings.pin_cache.as_str(),
    );
    let update_check = choices(
        UpdateCheck::ALL
            .iter()
            .map(|u| {
                (
                    u.as_str(),
                    l.text(&format!("ui-update-check-{}", u.as_str())),
                )
            })
            .collect(),
        settings.update_check.as_str(),
    );
    let logs = choices(
        [OnOff::On, OnOff::Off]
            .iter()
            .map(|o| (o.as_str(), l.text(&format!("ui-logs-{}", o.as_str()))))
            .collect(),
        settings.logs.as_str(),
    );
    let (update_link, update_available, update_notes) = match record.as_ref().map(|r| &r.outcome) {
        Some(UpdateOutcome::Available { release }) => (
            Some(release.url.clone()),
            true,
            release.notes.get(l.lang().tag()).cloned(),
        ),
        _ => (None, false, None),
    };
    let checked_at = record
        .as_ref()
        .map(|r| {
            l.text_with(
                "ui-update-checked-at",
                &[(
                    "time",
                    V::from(
                        r.checked_at
                            .replace('T', " ")
                            .trim_end_matches('Z')
                            .to_owned(),
                    ),
                )],
            )
        })
        .unwrap_or_default();
    let t = SettingsPage {
        languages: language_choices(&state, l),
        update_text: update_text(l, record.as_ref(), service_configured),
        version: CURRENT_VERSION.to_owned(),
        export: export.map(|(name, path)| Export {
            href: format!("/settings/logs/exports/{}", super::pages::segment(&name)),
            path: path.display().to_string(),
            name,
        }),
        pin_cache,
        update_check,
        logs,
        update_link,
        update_available,
        update_notes,
        checked_at,
        page,
    };
    render(&t)
}

#[derive(Deserialize)]
pub(super) struct SetForm {
    key: String,
    value: String,
    back: Option<String>,
}

/// `POST /settings/set`: one setting from a settings control.
pub(super) async fn set(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<SetForm>,
) -> Response {
    if !PAGE_KEYS.contains(&f.key.as_str()) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let result = state.core(|app| {
        let r = app.set_setting(&f.key, &f.value);
        if r.is_ok() {
            app.log(&format!("setting changed: {} = {}", f.key, f.value));
        }
        r
    });
    match result {
        Ok(()) => {
            let back = match f.back.as_deref() {
                Some("/start") => "/start",
                _ => "/settings?notice=saved",
            };
            Redirect::to(back).into_response()
        }
        Err(e) => failure_page(&state, &e, "/settings"),
    }
}

/// `POST /settings/update-check`: check now.
pub(super) async fn check_now(AxState(state): AxState<State>) -> Response {
    check_updates(&state, true).await;
    Redirect::to("/settings?notice=checked").into_response()
}

/// `POST /settings/logs/export`: compress, encrypt to the support key, save.
pub(super) async fn export_logs(AxState(state): AxState<State>) -> Response {
    let now = OffsetDateTime::now_utc();
    match state.core(|app| app.export_logs(now)) {
        Ok(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Redirect::to(&format!(
                "/settings?notice=exported&file={}#logs",
                super::pages::segment(&name)
            ))
            .into_response()
        }
        Err(e) => {
            let l = state.localizer();
            let message = match e {
                tessera_core::logs::LogError::NoSupportKey => l.text("ui-logs-no-key"),
                other => l.text_with("ui-err-internal", &[("reason", V::from(other.to_string()))]),
            };
            let page = Page::new(&state, "ui-settings-title").back("/settings");
            let t = super::view::MessagePage {
                message,
                hint: None,
                next_href: Some("/settings".to_owned()),
                next_text: l.text("ui-next-settings"),
                page,
            };
            render(&t)
        }
    }
}

/// `GET /settings/logs/exports/{name}`: download a saved export.
pub(super) async fn download(AxState(state): AxState<State>, Path(name): Path<String>) -> Response {
    let file = state.core(|app| app.export_file(&name));
    let Some(bytes) = file.and_then(|p| std::fs::read(p).ok()) else {
        return super::pages::not_found(AxState(state)).await;
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `POST /settings/return-to-start`.
pub(super) async fn return_to_start(AxState(state): AxState<State>) -> Response {
    match state.core(|app| app.return_to_start()) {
        Ok(()) => Redirect::to("/start").into_response(),
        Err(e) => failure_page(&state, &e, "/settings"),
    }
}

/// `GET /settings/doc/{agreement|privacy}`.
pub(super) async fn document(AxState(state): AxState<State>, Path(doc): Path<String>) -> Response {
    let (title, prefix) = match doc.as_str() {
        "agreement" => ("ui-agreement-title", "ui-agreement-text"),
        "privacy" => ("ui-privacy-title", "ui-privacy-text"),
        _ => return super::pages::not_found(AxState(state)).await,
    };
    let page = Page::new(&state, title).back("/settings");
    let paragraphs = paragraphs(&page.l, prefix);
    render(&DocumentPage {
        page,
        paragraphs,
        consent: false,
    })
}

struct PersonalRow {
    label: String,
    value: String,
    held: bool,
}

#[derive(Template)]
#[template(path = "personal.html")]
struct PersonalPage {
    page: Page,
    rows: Vec<PersonalRow>,
}

/// `GET /settings/personal`: what the app holds about the holder, masked.
pub(super) async fn personal(AxState(state): AxState<State>) -> Response {
    let page = Page::new(&state, "ui-personal-title").back("/settings");
    let items = state.core(|app| app.personal_information());
    let rows = items
        .into_iter()
        .map(|i| PersonalRow {
            label: page.l.text(&format!("ui-personal-{}", i.key)),
            held: i.masked.is_some(),
            value: i.masked.unwrap_or_else(|| page.l.text("ui-personal-none")),
        })
        .collect();
    render(&PersonalPage { page, rows })
}

#[derive(Template)]
#[template(path = "third_party.html")]
struct ThirdPartyPage {
    page: Page,
    crates: &'static [ThirdParty],
    summary: String,
}

/// `GET /settings/third-party`.
pub(super) async fn third_party(AxState(state): AxState<State>) -> Response {
    let page = Page::new(&state, "ui-third-party-title").back("/settings");
    let summary = page.l.text_with(
        "ui-third-party-summary",
        &[("count", V::from(THIRD_PARTY.len()))],
    );
    render(&ThirdPartyPage {
        page,
        crates: THIRD_PARTY,
        summary,
    })
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    page: Page,
    version: &'static str,
    email: &'static str,
    hotline: &'static str,
}

/// `GET /settings/about`.
pub(super) async fn about(AxState(state): AxState<State>) -> Response {
    let page = Page::new(&state, "ui-about-title").back("/settings");
    render(&AboutPage {
        page,
        version: CURRENT_VERSION,
        email: SUPPORT_EMAIL,
        hotline: SUPPORT_HOTLINE,
    })
}
