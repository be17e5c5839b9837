//! The operator's views of the service's own records (bearer admin token): the SMS outbox and
//! the audit trail; and [`audit`], how every operator route records its change. The areas'
//! operator routes are with their areas (`crate::orgs::api::admin`, `crate::ra::api`, …).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tessera_proto::sms::OutboxMessage;

use super::extract::{Admin, Ctx};
use crate::AppState;
use crate::audit::{Action, Event};
use crate::error::ApiError;
use crate::store::AuditRecord;

/// The operator's views (nested under `/v1/admin`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sms", get(list_sms))
        .route("/audit", get(list_audit))
}

/// `?after=ID&limit=N` of the outbox listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutboxQuery {
    /// Only messages with a greater id (default 0).
    pub after: Option<i64>,
    /// At most this many (default 100, max 1000).
    pub limit: Option<i64>,
}

/// Records an operator's action (actor `admin:<label>`); a failed write is logged, never fatal.
pub(crate) async fn audit(ctx: &Ctx<Admin>, action: Action, subject: &str) {
    ctx.state
        .audit
        .record(Event {
            actor: &ctx.auth.actor(),
            action,
            subject,
            origin: &ctx.origin,
        })
        .await;
}

/// The SMS outbox, oldest first.
#[utoipa::path(get, path = "/v1/admin/sms", tag = "admin", security(("admin_token" = [])),
    params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxMessage>), (status = 401, body = tessera_proto::Problem)))]
pub(crate) async fn list_sms(
    _: Admin,
    State(state): State<AppState>,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(
        state
            .store
            .outbox_after(q.after.unwrap_or(0), limit)
            .await?,
    ))
}

/// The newest 200 audit events, newest first.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("admin_token" = [])),
    responses((status = 200, body = Vec<AuditRecord>), (status = 401, body = tessera_proto::Problem)))]
pub(crate) async fn list_audit(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<Vec<AuditRecord>>, ApiError> {
    Ok(Json(state.store.audit_recent(200).await?))
}
