//! The holder's screens: first start, privacy consent, home (tools and media with their
//! certificates), certificate details, delete a certificate, change a PIN, and the entries of
//! what is not available yet.

use askama::Template;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue as V;
use serde::Deserialize;
use tessera_media::{MediumInfo, MediumKind, Pin};
use tessera_x509::certificate::ValidityStatus;
use time::OffsetDateTime;

use super::State;
use super::view::{Failure, Page, capitalized, failure, failure_page, message_page, render};
use tessera_core::holder::{MIN_PIN_LEN, PinStrength};
use tessera_core::i18n::Localizer;
use tessera_core::settings::BusinessType;
use tessera_core::start::Stage;
use tessera_core::words;

/// A PIN from a form, wrapped at once; its `Debug` never shows it.
pub(super) struct FormPin(Pin);

impl<'de> Deserialize<'de> for FormPin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| FormPin(Pin::new(s)))
    }
}

/// `?notice=…`: which success message to show (only known ids are shown).
#[derive(Deserialize)]
pub(super) struct Notice {
    notice: Option<String>,
}

impl Notice {
    fn id(&self) -> Option<&'static str> {
        const KNOWN: [&str; 6] = [
            "ui-notice-deleted",
            "ui-notice-pin-changed",
            "ui-notice-saved",
            "ui-notice-privacy-accepted",
            "ui-notice-exported",
            "ui-notice-checked",
        ];
        let wanted = format!("ui-notice-{}", self.notice.as_deref()?);
        KNOWN.into_iter().find(|k| *k == wanted)
    }
}

/// A path segment with everything but unreserved characters percent-encoded (RFC 3986 §2.3).
pub(super) fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn date(rfc3339: &str) -> String {
    rfc3339.split('T').next().unwrap_or(rfc3339).to_owned()
}

fn status_text(l: &Localizer, status: ValidityStatus) -> String {
    l.text(&words::fluent_id("ui-status", status.id()))
}

fn medium_state(l: &Localizer, info: &MediumInfo) -> String {
    if info.locked {
        l.text("ui-medium-locked")
    } else {
        l.text_with(
            "ui-medium-retries",
            &[
                ("left", V::from(info.pin_retries_left)),
                ("max", V::from(info.pin_max_retries)),
            ],
        )
    }
}

fn kind_text(l: &Localizer, kind: MediumKind) -> String {
    match kind {
        MediumKind::FileDevice => l.text("ui-kind-file"),
        MediumKind::Pkcs11 => l.text("ui-kind-usb"),
        MediumKind::CloudKey => l.text("ui-kind-cloud"),
        _ => l.text("ui-kind-other"),
    }
}

/// `GET /`: the screen the holder's stage calls for.
pub(super) async fn root(AxState(state): AxState<State>) -> Response {
    let to = match state.core(|app| app.stage()) {
        Stage::ChooseBusiness => "/start",
        Stage::PrivacyConsent => "/privacy",
        Stage::CloudKey => "/unavailable/cloud-key",
        _ => "/home",
    };
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    page: Page,
    businesses: [Business; 2],
    languages: Vec<super::view::Choice>,
}

/// One business on the start page: its form value (`BusinessType`'s), icon and words.
struct Business {
    value: &'static str,
    /// An SVG path (24×24).
    icon: &'static str,
    title: &'static str,
    text: &'static str,
}

/// `GET /start`: choose the business.
pub(super) async fn start(AxState(state): AxState<State>) -> Response {
    let page = Page::new(&state, "ui-start-title");
    let languages = super::settings_pages::language_choices(&state, &page.l);
    let businesses = [
        Business {
            value: "certificate",
            icon: "M4 3h16v12H4zm2 2v8h12V5zm1 1h6v1.5H7zm0 3h10v1.5H7zM9 16h6l1 5-4-2-4 2z",
            title: "ui-business-certificate",
            text: "ui-business-certificate-text",
        },
        Business {
            value: "cloud-key",
            icon: "M7 18a5 5 0 0 1-.6-10A6 6 0 0 1 18 9a4.5 4.5 0 0 1-.5 9zm5-8a2 2 0 0 0-1 3.7V16h2v-2.3A2 2 0 0 0 12 10z",
            title: "ui-business-cloud-key",
            text: "ui-business-cloud-key-text",
        },
    ];
    render(&StartPage {
        page,
        businesses,
        languages,
    })
}

#[derive(Deserialize)]
pub(super) struct Choose {
    business: String,
}

/// `POST /start`: remember the choice and go on.
pub(super) async fn choose(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<Choose>,
) -> Response {
    let business = match f.business.as_str() {
        "certificate" => BusinessType::Certificate,
        "cloud-key" => BusinessType::CloudKey,
        _ => return Redirect::to("/start").into_response(),
    };
    match state.core(|app| app.choose_business(business)) {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => failure_page(&state, &e, "/start"),
    }
}

#[derive(Template)]
#[template(path = "document.html")]
pub(super) struct DocumentPage {
    pub(super) page: Page,
    pub(super) paragraphs: Vec<String>,
    /// Show the accept / decline buttons (the consent screen).
    pub(super) consent: bool,
}

/// The paragraphs of a document: messages `{prefix}-1`, `{prefix}-2`, … while they exist.
pub(super) fn paragraphs(l: &Localizer, prefix: &str) -> Vec<String> {
    (1..)
        .map(|i| format!("{prefix}-{i}"))
        .take_while(|id| l.has(id))
        .map(|id| l.text(&id))
        .collect()
}

/// `GET /privacy`: the privacy notice, to accept before the certificate business opens.
pub(super) async fn privacy(AxState(state): AxState<State>) -> Response {
    let page = Page::new(&state, "ui-privacy-title");
    let paragraphs = paragraphs(&page.l, "ui-privacy-text");
    render(&DocumentPage {
        page,
        paragraphs,
        consent: true,
    })
}

/// `POST /privacy`: accepted.
pub(super) async fn accept_privacy(AxState(state): AxState<State>) -> Response {
    match state.core(|app| app.accept_privacy()) {
        Ok(()) => Redirect::to("/home?notice=privacy-accepted").into_response(),
        Err(e) => failure_page(&state, &e, "/privacy"),
    }
}

struct CertRow {
    href: String,
    subject: String,
    issuer: String,
    expires: String,
    status: &'static str,
    status_text: String,
    has_key: bool,
}

struct MediumCard {
    label: String,
    kind: String,
    state: String,
    locked: bool,
    pin_href: Option<String>,
    problem: Option<String>,
    certs: Vec<CertRow>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    media: Vec<MediumCard>,
}

/// `GET /home`: tools, then every medium with its certificates.
pub(super) async fn home(AxState(state): AxState<State>, Query(n): Query<Notice>) -> Response {
    if state.core(|app| app.stage()) != Stage::Certificate {
        return Redirect::to("/").into_response();
    }
    let page = Page::new(&state, "ui-home-title")
        .with_settings()
        .notice(n.id());
    let now = OffsetDateTime::now_utc();
    let overview = match state.core(|app| app.overview(now)) {
        Ok(o) => o,
        Err(e) => {
            let f = failure(&page.l, &e);
            return render(&HomePage {
                page: page.failure(Some(f)),
                media: Vec::new(),
            });
        }
    };
    let l = &page.l;
    let media = overview
        .into_iter()
        .map(|m| match &m.info {
            Ok(info) => {
                let base = format!("/media/{}", segment(&info.serial));
                MediumCard {
                    label: info.label.clone(),
                    kind: kind_text(l, info.kind),
                    state: medium_state(l, info),
                    locked: info.locked,
                    pin_href: Some(format!("{base}/pin")),
                    problem: m.problem.as_ref().map(|e| failure(l, e).message),
                    certs: m
                        .certificates
                        .iter()
                        .map(|c| CertRow {
                            href: format!("{base}/certs/{}", c.sha256),
                            subject: c.subject.clone(),
                            issuer: c.issuer.clone(),
                            expires: l.text_with(
                                "ui-cert-expires",
                                &[("date", V::from(date(&c.not_after)))],
                            ),
                            status: c.status.id(),
                            status_text: status_text(l, c.status),
                            has_key: c.has_key,
                        })
                        .collect(),
                }
            }
            Err(e) => MediumCard {
                label: m.location.clone(),
                kind: l.text("ui-kind-other"),
                state: String::new(),
                locked: false,
                pin_href: None,
                problem: Some(words::medium_reason(l, e)),
                certs: Vec::new(),
            },
        })
        .collect();
    render(&HomePage { page, media })
}

struct FieldRow {
    label: String,
    value: String,
}

struct Thumbprint {
    alg: &'static str,
    label: &'static str,
    value: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    page: Page,
    subject: String,
    medium: String,
    status: &'static str,
    status_text: String,
    chain_ok: bool,
    chain_text: String,
    chain_path: Vec<String>,
    thumbprints: Vec<Thumbprint>,
    shown: Thumbprint,
    fields: Vec<FieldRow>,
    delete_href: String,
    /// The self-service renewal, when a service is configured and the key is here.
    renew_href: Option<String>,
    has_key: bool,
}

#[derive(Deserialize)]
pub(super) struct CertQuery {
    tp: Option<String>,
}

/// `GET /media/{medium}/certs/{cert}`: every field, the thumbprint menu, the chain status.
pub(super) async fn certificate(
    AxState(state): AxState<State>,
    Path((medium, cert)): Path<(String, String)>,
    Query(q): Query<CertQuery>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let view = match state.core(|app| app.certificate_view(&medium, &cert, now)) {
        Ok(v) => v,
        Err(e) => return failure_page(&state, &e, "/home"),
    };
    let page = Page::new(&state, "ui-cert-title").back("/home");
    let l = &page.l;
    let t = &view.details.thumbprints;
    let wanted = q.tp.as_deref().unwrap_or("sha1");
    let thumbprints: Vec<Thumbprint> = [
        ("sha1", "SHA-1", &t.sha1),
        ("sha256", "SHA-256", &t.sha256),
        ("sm3", "SM3", &t.sm3),
        ("md5", "MD5", &t.md5),
    ]
    .into_iter()
    .map(|(alg, label, value)| Thumbprint {
        alg,
        label,
        value: value.clone(),
        selected: alg == wanted,
    })
    .collect();
    let shown = thumbprints
        .iter()
        .find(|t| t.selected)
        .or(thumbprints.first())
        .map(|t| Thumbprint {
            alg: t.alg,
            label: t.label,
            value: t.value.clone(),
            selected: true,
        })
        .unwrap_or(Thumbprint {
            alg: "sha1",
            label: "SHA-1",
            value: t.sha1.clone(),
            selected: true,
        });
    let (chain_ok, chain_text, chain_path) = words::chain_status(l, &view.chain);
    let chain_text = if chain_ok {
        chain_text
    } else {
        capitalized(chain_text)
    };
    let fields = view
        .fields
        .iter()
        .filter(|f| !f.key.starts_with("thumbprint."))
        .map(|f| FieldRow {
            label: words::field_label(l, f),
            value: words::field_value(l, f),
        })
        .collect();
    let subject = view
        .details
        .subject
        .cn
        .first()
        .cloned()
        .unwrap_or_else(|| view.details.subject.rfc4514.clone());
    let status = view.details.validity.status;
    let t = CertificatePage {
        subject,
        medium: view.medium.label.clone(),
        status: status.id(),
        status_text: status_text(l, status),
        chain_ok,
        chain_text,
        chain_path,
        thumbprints,
        shown,
        fields,
        delete_href: format!(
            "/media/{}/certs/{}/delete",
            segment(&medium),
            segment(&cert)
        ),
        renew_href: state
            .core(|app| app.renewal_offered(&view))
            .then(|| format!("/media/{}/certs/{}/renew", segment(&medium), segment(&cert))),
        has_key: view.has_key,
        page,
    };
    render(&t)
}

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    page: Page,
    subject: String,
    medium: String,
    state: String,
    locked: Option<Failure>,
}

fn delete_page(state: &State, medium: &str, cert: &str, failure: Option<Failure>) -> Response {
    let now = OffsetDateTime::now_utc();
    let back = format!("/media/{}/certs/{}", segment(medium), segment(cert));
    let view = match state.core(|app| app.certificate_view(medium, cert, now)) {
        Ok(found) => found,
        Err(e) => return failure_page(state, &e, "/home"),
    };
    let page = Page::new(state, "ui-delete-title")
        .back(&back)
        .failure(failure.filter(|_| !view.medium.locked));
    render(&DeletePage {
        subject: view
            .details
            .subject
            .cn
            .first()
            .cloned()
            .unwrap_or_else(|| view.details.subject.rfc4514.clone()),
        medium: view.medium.label.clone(),
        state: medium_state(&page.l, &view.medium),
        locked: super::view::lock(&page.l, &view.medium),
        page,
    })
}

/// `GET …/delete`: confirm with the PIN, asked every time (a cached PIN never stands in for it).
pub(super) async fn delete_form(
    AxState(state): AxState<State>,
    Path((medium, cert)): Path<(String, String)>,
) -> Response {
    delete_page(&state, &medium, &cert, None)
}

#[derive(Deserialize)]
pub(super) struct DeleteForm {
    pin: Option<FormPin>,
}

/// `POST …/delete`: delete after the PIN check; a wrong PIN shows the retries left.
pub(super) async fn delete(
    AxState(state): AxState<State>,
    Path((medium, cert)): Path<(String, String)>,
    axum::Form(f): axum::Form<DeleteForm>,
) -> Response {
    let pin = f.pin.map(|p| p.0).filter(|p| !p.expose().is_empty());
    match state.core(|app| app.delete_certificate(&medium, &cert, pin)) {
        Ok(_) => Redirect::to("/home?notice=deleted").into_response(),
        Err(e) => {
            let l = state.localizer();
            delete_page(&state, &medium, &cert, Some(failure(&l, &e)))
        }
    }
}

#[derive(Template)]
#[template(path = "pin.html")]
struct PinPage {
    page: Page,
    medium: String,
    state: String,
    locked: Option<Failure>,
    hint: String,
}

fn pin_page(state: &State, medium: &str, page: Page) -> Response {
    let info = match state.core(|app| app.medium_info(medium)) {
        Ok(i) => i,
        Err(e) => return failure_page(state, &e, "/home"),
    };
    // A locked medium's page says so itself; the failure that locked it would only repeat it.
    let page = if info.locked {
        page.failure(None)
    } else {
        page
    };
    let hint = page
        .l
        .text_with("ui-pin-hint", &[("min", V::from(MIN_PIN_LEN))]);
    render(&PinPage {
        medium: info.label.clone(),
        state: medium_state(&page.l, &info),
        locked: super::view::lock(&page.l, &info),
        hint,
        page,
    })
}

/// `GET /media/{medium}/pin`: the PIN change form.
pub(super) async fn pin_form(
    AxState(state): AxState<State>,
    Path(medium): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    let page = Page::new(&state, "ui-pin-title")
        .back("/home")
        .notice(n.id());
    pin_page(&state, &medium, page)
}

#[derive(Deserialize)]
pub(super) struct PinForm {
    old: FormPin,
    new: FormPin,
    confirm: FormPin,
}

/// `POST /media/{medium}/pin`: change it.
pub(super) async fn pin_change(
    AxState(state): AxState<State>,
    Path(medium): Path<String>,
    axum::Form(f): axum::Form<PinForm>,
) -> Response {
    match state.core(|app| app.change_pin(&medium, &f.old.0, &f.new.0, &f.confirm.0)) {
        Ok(()) => Redirect::to(&format!(
            "/media/{}/pin?notice=pin-changed",
            segment(&medium)
        ))
        .into_response(),
        Err(e) => {
            let page = Page::new(&state, "ui-pin-title").back("/home");
            let f = failure(&page.l, &e);
            pin_page(&state, &medium, page.failure(Some(f)))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct StrengthForm {
    pin: FormPin,
}

/// How the live hint under a new-PIN field reads.
#[derive(serde::Serialize)]
pub(super) struct StrengthHint {
    /// `weak`, `fair` or `strong` (a style class).
    level: &'static str,
    text: String,
}

/// `POST /pin-strength`: the core's rating of a PIN being typed, for the live hint (the page
/// script asks; without script the rating comes with the refusal on submit).
pub(super) async fn pin_strength(
    AxState(state): AxState<State>,
    axum::Form(f): axum::Form<StrengthForm>,
) -> Response {
    let l = state.localizer();
    let hint = match tessera_core::holder::pin_strength(&f.pin.0) {
        PinStrength::Weak(w) => StrengthHint {
            level: "weak",
            text: super::view::weak_pin(&l, w),
        },
        PinStrength::Strong => StrengthHint {
            level: "strong",
            text: l.text("ui-pin-strength-strong"),
        },
        _ => StrengthHint {
            level: "fair",
            text: l.text("ui-pin-strength-fair"),
        },
    };
    axum::Json(hint).into_response()
}

#[derive(Template)]
#[template(path = "unavailable.html")]
struct UnavailablePage {
    page: Page,
    feature: String,
    cloud: bool,
}

/// `GET /unavailable/{feature}`: the entry of a capability this version does not have yet.
pub(super) async fn unavailable(
    AxState(state): AxState<State>,
    Path(feature): Path<String>,
) -> Response {
    const FEATURES: [&str; 5] = ["qr", "self-service", "seal", "bluetooth", "cloud-key"];
    let Some(feature) = FEATURES.into_iter().find(|f| *f == feature) else {
        return not_found(AxState(state)).await;
    };
    let cloud = feature == "cloud-key";
    let mut page = Page::new(&state, &format!("ui-feature-{feature}"));
    if cloud {
        page = page.with_settings();
    } else {
        page = page.back("/home");
    }
    let text = page.l.text_with(
        "ui-unavailable-text",
        &[("feature", V::from(page.title.clone()))],
    );
    render(&UnavailablePage {
        page,
        feature: text,
        cloud,
    })
}

/// Anything else.
pub(super) async fn not_found(AxState(state): AxState<State>) -> Response {
    let l = state.localizer();
    message_page(&l, &state, StatusCode::NOT_FOUND, "ui-err-not-found")
}
