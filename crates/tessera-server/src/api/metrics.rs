//! `GET /metrics`: Prometheus text exposition, for operators only (admin bearer token): the
//! route and status counts tell an outsider what the service is doing.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;
use crate::api::extract::Admin;

/// The metrics area.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Request counts and latencies by route and status.
#[utoipa::path(get, path = "/metrics", tag = "health", security(("admin_token" = [])),
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"),
              (status = 401, description = "No or unknown admin token")))]
pub(crate) async fn metrics(_: Admin, State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
