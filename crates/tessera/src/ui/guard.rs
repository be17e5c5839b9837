//! The checks every request passes before a handler sees it, and the headers every answer gets.
//!
//! 1. `Host` must be the listener's `127.0.0.1:PORT`: a page on another origin that rebinds its
//!    DNS name to 127.0.0.1 still sends its own name.
//! 2. `/open?token=…` with the launch token, on its first visit only, sets the session cookie
//!    (`HttpOnly`, `SameSite=Strict`, path `/`; a secret other than the URL's token) and
//!    redirects to `/`; a second visit of the same URL is refused; every other page needs the
//!    cookie.
//! 3. A POST must carry the launch's CSRF token in its form, and an `Origin` header, when sent,
//!    must be this origin.
//! 4. Answers carry a content security policy without inline script, `nosniff`, a referrer only
//!    to this origin, no framing and no caching. (The referrer policy is `same-origin`, not
//!    `no-referrer`: under `no-referrer` browsers send `Origin: null` on form posts, which would
//!    defeat check 3.)

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq as _;

use super::State;
use super::view;

/// Name of the session cookie.
pub(super) const COOKIE: &str = "tessera_session";
/// Name of the CSRF form field.
pub(super) const CSRF_FIELD: &str = "csrf";
/// Largest form accepted.
const MAX_FORM: usize = 64 * 1024;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn session_cookie(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn form_field(body: &[u8], field: &str) -> Option<String> {
    url_pairs(body)
        .into_iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v)
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    decode_pairs(body).unwrap_or_default()
}

fn decode_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let decode = |s: &str| -> Option<String> {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).ok()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

fn refuse(state: &State, status: StatusCode, message_id: &str) -> Response {
    let l = state.localizer();
    view::message_page(&l, state, status, message_id)
}

/// The checks, then the handler, then the headers.
pub(super) async fn guard(
    AxState(state): AxState<State>,
    request: Request,
    next: Next,
) -> Response {
    let host_ok = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == state.host);
    let mut response = if !host_ok {
        (StatusCode::MISDIRECTED_REQUEST, "host not allowed").into_response()
    } else {
        checked(&state, request, next).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn checked(state: &State, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/open" || path.starts_with("/static/") {
        return next.run(request).await;
    }
    let session_ok = session_cookie(&request).is_some_and(|c| same(&c, &state.session));
    if !session_ok {
        return refuse(state, StatusCode::FORBIDDEN, "ui-err-no-session");
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let origin_ok = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_none_or(|o| o == format!("http://{}", state.host));
    if !origin_ok {
        return refuse(state, StatusCode::FORBIDDEN, "ui-err-csrf");
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_FORM).await {
        Ok(b) => b,
        Err(_) => return refuse(state, StatusCode::PAYLOAD_TOO_LARGE, "ui-err-csrf"),
    };
    let csrf_ok = form_field(&bytes, CSRF_FIELD).is_some_and(|t| same(&t, &state.csrf));
    if !csrf_ok {
        return refuse(state, StatusCode::FORBIDDEN, "ui-err-csrf");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[derive(serde::Deserialize)]
pub(super) struct OpenQuery {
    token: Option<String>,
}

/// `GET /open?token=…`: the opening URL, good for one visit.
pub(super) async fn open(AxState(state): AxState<State>, Query(q): Query<OpenQuery>) -> Response {
    let right = q.token.as_deref().is_some_and(|t| same(t, &state.token));
    // the first visit with the right token uses the URL up
    if !right || state.opened.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return refuse(&state, StatusCode::FORBIDDEN, "ui-err-no-session");
    }
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        state.session
    );
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /static/{file}`: the style sheet, the script and the icon, compiled in.
pub(super) async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static str, &'static str) = match file.as_str() {
        "app.css" => (
            include_str!("../../ui/static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_str!("../../ui/static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "icon.svg" => (include_str!("../../ui/static/icon.svg"), "image/svg+xml"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode() {
        let body = b"csrf=ab%2Bc&pin=1+2&x=%E5%BC%A0";
        assert_eq!(form_field(body, "csrf").as_deref(), Some("ab+c"));
        assert_eq!(form_field(body, "pin").as_deref(), Some("1 2"));
        assert_eq!(form_field(body, "x").as_deref(), Some("张"));
        assert_eq!(form_field(b"csrf=%zz", "csrf"), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
