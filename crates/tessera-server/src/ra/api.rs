//! The RA self-service area: notices, applying, the business query (captcha + SMS login, list,
//! install) and renewal; and the operator's review and pre-entered import. The rules are in
//! [`crate::ra`]; this module only maps HTTP onto them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tessera_proto::ra::{
    Application, Applied, ApplyRequest, InstallRequest, IssuedCertificate, Notices,
    PreEnteredImport, QueryLogin, QuerySession, Rejection, RenewRequest,
};

use crate::AppState;
use crate::api::extract::{Admin, ApiJson, ApiQuery, ApiText, Ctx, bearer};
use crate::audit::Action;
use crate::error::ApiError;
use crate::ra::{self, Decision, RaError};

/// Public routes (nested under `/v1/ra`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(notices))
        .route("/applications", post(apply))
        .route("/sessions", post(login))
        .route("/my/applications", get(my_applications))
        .route("/my/applications/{id}", get(my_application))
        .route("/my/applications/{id}/install", post(install))
        .route("/renewals", post(renew))
}

/// Operator routes (nested under `/v1/admin`).
pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list_applications))
        .route("/applications/{id}", get(get_application))
        .route("/applications/{id}/approve", post(approve))
        .route("/applications/{id}/reject", post(reject))
        .route("/projects/{code}/pre-entered", post(import_pre_entered))
}

/// A business-query session: `Authorization: Bearer <token from POST /v1/ra/sessions>`.
#[derive(Debug, Clone)]
pub struct QuerySessionPhone(pub String);

impl axum::extract::FromRequestParts<AppState> for QuerySessionPhone {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(RaError::SessionInvalid)?;
        Ok(Self(ra::session_phone(state, token.trim()).await?))
    }
}

/// The privacy notice and certificate terms an applicant consents to, with their versions.
#[utoipa::path(get, path = "/v1/ra/notices", tag = "ra", responses((status = 200, body = Notices)))]
pub(crate) async fn notices() -> Json<Notices> {
    Json(ra::notices())
}

/// Applies for a certificate (standard flow; pre-entered applicants are approved at once).
#[utoipa::path(post, path = "/v1/ra/applications", tag = "ra", request_body = ApplyRequest,
    responses((status = 201, body = Applied), (status = 400, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn apply(
    ctx: Ctx,
    ApiJson(body): ApiJson<ApplyRequest>,
) -> Result<(StatusCode, Json<Applied>), ApiError> {
    let applied = ra::apply(&ctx.state, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(applied)))
}

/// Business-query login: image captcha and SMS code; answers a bearer token.
#[utoipa::path(post, path = "/v1/ra/sessions", tag = "ra", request_body = QueryLogin,
    responses((status = 201, body = QuerySession), (status = 400, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn login(
    ctx: Ctx,
    ApiJson(body): ApiJson<QueryLogin>,
) -> Result<(StatusCode, Json<QuerySession>), ApiError> {
    let session = ra::login(&ctx.state, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// The applications of the logged-in phone, newest first.
#[utoipa::path(get, path = "/v1/ra/my/applications", tag = "ra", security(("query_session" = [])),
    responses((status = 200, body = Vec<Application>), (status = 401, body = tessera_proto::Problem)))]
pub(crate) async fn my_applications(
    State(state): State<AppState>,
    QuerySessionPhone(phone): QuerySessionPhone,
) -> Result<Json<Vec<Application>>, ApiError> {
    Ok(Json(ra::my_applications(&state, &phone).await?))
}

/// One application of the logged-in phone.
#[utoipa::path(get, path = "/v1/ra/my/applications/{id}", tag = "ra", security(("query_session" = [])),
    params(("id" = String, Path, description = "application id")),
    responses((status = 200, body = Application), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn my_application(
    State(state): State<AppState>,
    QuerySessionPhone(phone): QuerySessionPhone,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    ra::my_applications(&state, &phone)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::Missing(format!("application {id}")))
}

/// Installs an approved application: checks the password and the CSR, issues the certificate.
#[utoipa::path(post, path = "/v1/ra/my/applications/{id}/install", tag = "ra",
    security(("query_session" = [])), request_body = InstallRequest,
    params(("id" = String, Path, description = "application id")),
    responses((status = 201, body = IssuedCertificate), (status = 401, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem), (status = 404, body = tessera_proto::Problem),
        (status = 409, body = tessera_proto::Problem), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn install(
    ctx: Ctx<QuerySessionPhone>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InstallRequest>,
) -> Result<(StatusCode, Json<IssuedCertificate>), ApiError> {
    let QuerySessionPhone(phone) = &ctx.auth;
    let issued = ra::install(&ctx.state, phone, &id, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Renews a certificate within its renewal window, for the same subject and key.
#[utoipa::path(post, path = "/v1/ra/renewals", tag = "ra", request_body = RenewRequest,
    responses((status = 201, body = IssuedCertificate), (status = 403, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn renew(
    ctx: Ctx,
    ApiJson(body): ApiJson<RenewRequest>,
) -> Result<(StatusCode, Json<IssuedCertificate>), ApiError> {
    let issued = ra::renew(&ctx.state, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// `?status=pending&limit=N` of the operator's listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApplicationsQuery {
    /// Only applications in this state: `pending`, `approved`, `rejected`, `issued`.
    pub status: Option<String>,
    /// At most this many (default 100, max 1000).
    pub limit: Option<i64>,
}

/// Applications, newest first, with the full phone and ID number.
#[utoipa::path(get, path = "/v1/admin/applications", tag = "admin", security(("admin_token" = [])),
    params(ApplicationsQuery),
    responses((status = 200, body = Vec<Application>), (status = 401, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn list_applications(
    _: Admin,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ApplicationsQuery>,
) -> Result<Json<Vec<Application>>, ApiError> {
    Ok(Json(
        ra::list(&state.store, q.status.as_deref(), q.limit.unwrap_or(100)).await?,
    ))
}

/// One application, with the full phone and ID number.
#[utoipa::path(get, path = "/v1/admin/applications/{id}", tag = "admin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "application id")),
    responses((status = 200, body = Application), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn get_application(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    let row = state
        .store
        .application(&id)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("application {id}")))?;
    Ok(Json(ra::view(&row, true)?))
}

async fn decide(
    ctx: &Ctx<Admin>,
    id: &str,
    decision: Decision,
) -> Result<Json<Application>, ApiError> {
    let state = &ctx.state;
    let sender = state.sms.sender();
    Ok(Json(
        ra::review(
            &state.store,
            sender.as_ref(),
            &state.audit,
            id,
            &decision,
            &ctx.auth.actor(),
            &ctx.origin,
        )
        .await?,
    ))
}

/// Approves a pending application; the applicant gets an SMS.
#[utoipa::path(post, path = "/v1/admin/applications/{id}/approve", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "application id")),
    responses((status = 200, body = Application), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn approve(
    ctx: Ctx<Admin>,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    decide(&ctx, &id, Decision::Approve).await
}

/// Rejects a pending application with a reason; the applicant gets an SMS.
#[utoipa::path(post, path = "/v1/admin/applications/{id}/reject", tag = "admin",
    security(("admin_token" = [])), params(("id" = String, Path, description = "application id")),
    request_body = Rejection,
    responses((status = 200, body = Application), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn reject(
    ctx: Ctx<Admin>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Rejection>,
) -> Result<Json<Application>, ApiError> {
    decide(&ctx, &id, Decision::Reject(body.reason)).await
}

/// Imports pre-entered people of a project from CSV (`text/csv`, UTF-8; header `name,
/// id_number, phone, organization` or `姓名,身份证号,手机号,单位`).
#[utoipa::path(post, path = "/v1/admin/projects/{code}/pre-entered", tag = "admin",
    security(("admin_token" = [])), params(("code" = String, Path, description = "project code")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = PreEnteredImport), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn import_pre_entered(
    ctx: Ctx<Admin>,
    Path(code): Path<String>,
    ApiText(body): ApiText,
) -> Result<Json<PreEnteredImport>, ApiError> {
    let state = &ctx.state;
    let project = state
        .store
        .project_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("project {code}")))?;
    let result = ra::pre_entered::import(&state.store, &project, &body, state.clock.now())
        .await
        .map_err(|e| match e {
            ra::pre_entered::ImportError::Format(text) => ApiError::Invalid(text),
            e @ ra::pre_entered::ImportError::NotPreEntered { .. } => {
                ApiError::Invalid(e.to_string())
            }
            ra::pre_entered::ImportError::Store(e) => e.into(),
        })?;
    crate::api::admin::audit(&ctx, Action::RaPreEnteredImport, &code).await;
    Ok(Json(result))
}
