//! Operator review of cloud-key accounts (admin token): list, approve, reject.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tessera_proto::cloud::{Account, AccountStatus};

use crate::AppState;
use crate::api::extract::{Admin, ApiQuery, Ctx};
use crate::cloud::{CloudError, accounts};
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
    Ok(Json(rows.iter().map(accounts::account_view).collect()))
}

async fn review(ctx: &Ctx<Admin>, id: &str, to: AccountStatus) -> Result<Json<Account>, ApiError> {
    let state = &ctx.state;
    let row = accounts::review_account(
        &state.store,
        &state.audit,
        id,
        to,
        &ctx.auth.actor(),
        &ctx.origin,
    )
    .await
    .map_err(|e| match e {
        CloudError::Invalid(_) => ApiError::Missing(format!("pending account {id}")),
        other => other.into(),
    })?;
    Ok(Json(accounts::account_view(&row)))
}

/// Approves a pending account.
#[utoipa::path(post, path = "/v1/admin/cloud/accounts/{id}/approve", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn approve(
    ctx: Ctx<Admin>,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    review(&ctx, &id, AccountStatus::Approved).await
}

/// Rejects a pending account.
#[utoipa::path(post, path = "/v1/admin/cloud/accounts/{id}/reject", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn reject(
    ctx: Ctx<Admin>,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    review(&ctx, &id, AccountStatus::Rejected).await
}
