//! The operator's routes of the organizations area (bearer admin token): organizations and
//! projects, and a project's signed enrollment QR payload.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tessera_proto::EnrollmentQr;

use crate::AppState;
use crate::api::admin::audit;
use crate::api::extract::{Admin, ApiJson, Ctx};
use crate::audit::Action;
use crate::error::ApiError;
use crate::orgs::{check_code, check_name};
use crate::store::{Organization, Project, RaPolicy};

/// The operator's routes (merged under `/v1/admin`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_orgs).post(create_org))
        .route("/orgs/{org}/projects", axum::routing::post(create_project))
        .route("/projects/{code}/enrollment-qr", get(enrollment_qr))
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
    ctx: Ctx<Admin>,
    ApiJson(body): ApiJson<NewOrganization>,
) -> Result<(StatusCode, Json<Organization>), ApiError> {
    let state = &ctx.state;
    check_code(&body.code)?;
    check_name(&body.name)?;
    let org = state
        .store
        .create_organization(&body.code, body.name.trim(), state.clock.now())
        .await?;
    audit(&ctx, Action::OrganizationCreate, &org.code).await;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Creates a project in an organization.
#[utoipa::path(post, path = "/v1/admin/orgs/{org}/projects", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path, description = "organization code")),
    request_body = NewProject,
    responses((status = 201, body = Project), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn create_project(
    ctx: Ctx<Admin>,
    Path(org): Path<String>,
    ApiJson(body): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    let state = &ctx.state;
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
    audit(&ctx, Action::ProjectCreate, &project.code).await;
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
