//! `GET /healthz`: 200 when the store answers, 503 otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use tessera_proto::Health;

use crate::AppState;

/// The health area.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// Readiness: the store is reachable.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub(crate) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (code, status) = match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = Health {
        status: status.into(),
        store: state.store.backend_name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (code, Json(body))
}
