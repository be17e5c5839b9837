//! `GET /v1/releases/latest`: the release feed clients check for updates (advisory only; the
//! client never fetches or installs anything by itself). The release comes from `[release]` of
//! the config, else it is this service's own version, published when the service started.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tessera_proto::Release;

use crate::AppState;

/// The releases area (nested under `/v1`).
pub fn router() -> Router<AppState> {
    Router::new().route("/releases/latest", get(latest))
}

/// The newest client release this service offers.
#[utoipa::path(get, path = "/v1/releases/latest", tag = "releases",
    responses((status = 200, body = Release)))]
pub(crate) async fn latest(State(state): State<AppState>) -> Json<Release> {
    Json(state.release.as_ref().clone())
}

/// The release a service without `[release]` offers: its own version.
pub fn own_release(now: i64) -> Release {
    let published = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    Release {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        published,
        url: env!("CARGO_PKG_REPOSITORY").to_owned(),
        notes: Default::default(),
        critical: false,
    }
}
