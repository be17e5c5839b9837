//! Operator review of cloud-key accounts (admin token): list, approve, reject.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tessera_proto::cloud::{Account, AccountStatus};

use crate::AppState;
use crate::api::extract::{Admin, ApiQuery, ClientIp, RequestId};
use crate::cloud;
use crate::error::ApiError;

/// The admin routes (merged under `/v1/admin`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cloud/accounts", get(list))
        .route("/cloud/accounts/{id}/approve", post(approve))
        .route("/cloud/accounts/{id}/reject", post(reject))
}

/// `?status=` of the listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AccountsQuery {
    /// `pending`, `approved` or `rejected`.
    pub status: Option<String>,
}

/// Cloud-key accounts, oldest first.
#[utoipa::path(get, path = "/v1/admin/cloud/accounts", tag = "admin", security(("admin_token" = [])),
    params(AccountsQuery),
    responses((status = 200, body = Vec<Account>), (status = 401, body = tessera_proto::Problem)))]
pub(crate) async fn list(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AccountsQuery>,
) -> Result<Json<Vec<Account>>, ApiError> {
    let rows = state.store.list_cloud_accounts(q.status.as_deref()).await?;
    Ok(Json(rows.iter().map(cloud::account_view).collect()))
}

async fn review(
    state: &AppState,
    admin: &Admin,
    id: &str,
    to: AccountStatus,
    ip: ClientIp,
    rid: &RequestId,
) -> Result<Json<Account>, ApiError> {
    let actor = format!("admin:{}", admin.label);
    let ip = ip.0.map(|ip| ip.to_string());
    let row = cloud::review_account(
        &state.store,
        id,
        to,
        &actor,
        (ip.as_deref(), rid.0.as_deref()),
        state.clock.now(),
    )
    .await
    .map_err(|e| match e {
        cloud::CloudError::Invalid(_) => ApiError::Missing(format!("pending account {id}")),
        other => other.into(),
    })?;
    Ok(Json(cloud::account_view(&row)))
}

/// Approves a pending account.
#[utoipa::path(post, path = "/v1/admin/cloud/accounts/{id}/approve", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn approve(
    admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ip: ClientIp,
    rid: RequestId,
) -> Result<Json<Account>, ApiError> {
    review(&state, &admin, &id, AccountStatus::Approved, ip, &rid).await
}

/// Rejects a pending account.
#[utoipa::path(post, path = "/v1/admin/cloud/accounts/{id}/reject", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn reject(
    admin: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ip: ClientIp,
    rid: RequestId,
) -> Result<Json<Account>, ApiError> {
    review(&state, &admin, &id, AccountStatus::Rejected, ip, &rid).await
}
