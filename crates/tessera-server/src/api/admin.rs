//! The admin API (bearer admin token): organizations and projects, enrollment QR payloads,
//! the SMS outbox and the audit trail.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tessera_proto::EnrollmentQr;
use tessera_proto::sms::OutboxMessage;

use super::extract::{Admin, ApiJson, ClientIp, RequestId};
use crate::AppState;
use crate::error::ApiError;
use crate::store::{AuditRecord, Organization, Project, RaPolicy};

/// The admin area (nested under `/v1/admin`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_orgs).post(create_org))
        .route("/orgs/{org}/projects", axum::routing::post(create_project))
        .route("/projects/{code}/enrollment-qr", get(enrollment_qr))
        .route("/sms", get(list_sms))
        .route("/audit", get(list_audit))
}

/// Body of `POST /v1/admin/orgs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// Unique code: 1–32 of `A-Z`, `0-9`, `-`, `_`.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// Body of `POST /v1/admin/orgs/{org}/projects`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// Unique code: 1–32 of `A-Z`, `0-9`, `-`, `_`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// RA policy.
    pub ra_policy: RaPolicy,
}

/// An enrollment QR payload and its text form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrollmentQrInfo {
    /// The signed payload.
    pub payload: EnrollmentQr,
    /// What the QR code encodes.
    pub text: String,
}

/// `?after=ID&limit=N` of the outbox listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutboxQuery {
    /// Only messages with a greater id (default 0).
    pub after: Option<i64>,
    /// At most this many (default 100, max 1000).
    pub limit: Option<i64>,
}

fn check_code(code: &str) -> Result<(), ApiError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::Invalid(
            "code must be 1-32 of A-Z, 0-9, - and _".into(),
        ))
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let n = name.trim().chars().count();
    if (1..=200).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::Invalid("name must be 1-200 characters".into()))
    }
}

/// Writes an audit row for an admin action; a failed write is logged, never fatal.
pub(super) async fn audit(
    state: &AppState,
    admin: &Admin,
    action: &str,
    subject: &str,
    ip: ClientIp,
    rid: &RequestId,
) {
    let actor = format!("admin:{}", admin.label);
    let origin = super::extract::origin(ip, rid);
    crate::audit::record(
        &state.store,
        state.clock.as_ref(),
        &actor,
        action,
        subject,
        &origin,
    )
    .await;
}

/// All organizations.
#[utoipa::path(get, path = "/v1/admin/orgs", tag = "admin", security(("admin_token" = [])),
    responses((status = 200, body = Vec<Organization>), (status = 401, body = tessera_proto::Problem)))]
pub(crate) async fn list_orgs(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<Vec<Organization>>, ApiError> {
    Ok(Json(state.store.list_organizations().await?))
}

/// Creates an organization.
#[utoipa::path(post, path = "/v1/admin/orgs", tag = "admin", security(("admin_token" = [])),
    request_body = NewOrganization,
    responses((status = 201, body = Organization), (status = 401, body = tessera_proto::Problem),
        (status = 409, body = tessera_proto::Problem), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn create_org(
    admin: Admin,
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<NewOrganization>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    check_code(&body.code)?;
    check_name(&body.name)?;
    let org = state
        .store
        .create_organization(&body.code, body.name.trim(), state.clock.now())
        .await?;
    audit(&state, &admin, "organization.create", &org.code, ip, &rid).await;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Creates a project in an organization.
#[utoipa::path(post, path = "/v1/admin/orgs/{org}/projects", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path, description = "organization code")),
    request_body = NewProject,
    responses((status = 201, body = Project), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn create_project(
    admin: Admin,
    State(state): State<AppState>,
    Path(org): Path<String>,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    check_code(&body.code)?;
    check_name(&body.name)?;
    let project = state
        .store
        .create_project(
            &org,
            &body.code,
            body.name.trim(),
            body.ra_policy,
            state.clock.now(),
        )
        .await?;
    audit(&state, &admin, "project.create", &project.code, ip, &rid).await;
    Ok((StatusCode::CREATED, Json(project)))
}

/// The signed enrollment QR payload of a project.
#[utoipa::path(get, path = "/v1/admin/projects/{code}/enrollment-qr", tag = "admin", security(("admin_token" = [])),
    params(("code" = String, Path, description = "project code")),
    responses((status = 200, body = EnrollmentQrInfo), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn enrollment_qr(
    _: Admin,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<EnrollmentQrInfo>, ApiError> {
    let project = state
        .store
        .project_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("project {code}")))?;
    let key = state.service_key.clone();
    let url = state.public_url.clone();
    let payload = tokio::task::spawn_blocking(move || key.sign_enrollment(&url, &project.code))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let text = payload
        .to_qr_text()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(EnrollmentQrInfo { payload, text }))
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
