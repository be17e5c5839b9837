//! The organizations directory: organizations and their projects, and the service's public key
//! that signs enrollment QR payloads.

pub mod admin;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde::Serialize;

use crate::AppState;
use crate::error::ApiError;
use crate::store::{Organization, Project};

/// The organizations area (nested under `/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_orgs))
        .route("/orgs/{org}/projects", get(list_projects))
        .route("/service-key", get(service_key))
}

/// The key clients check enrollment QR signatures with.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceKeyInfo {
    /// `sm2-sm3`.
    pub alg: String,
    /// SubjectPublicKeyInfo DER, standard base64.
    pub spki_base64: String,
}

/// All organizations.
#[utoipa::path(get, path = "/v1/orgs", tag = "orgs", responses((status = 200, body = Vec<Organization>)))]
pub(crate) async fn list_orgs(
    State(state): State<AppState>,
) -> Result<Json<Vec<Organization>>, ApiError> {
    Ok(Json(state.store.list_organizations().await?))
}

/// The projects of one organization.
#[utoipa::path(get, path = "/v1/orgs/{org}/projects", tag = "orgs",
    params(("org" = String, Path, description = "organization code")),
    responses((status = 200, body = Vec<Project>), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn list_projects(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Json<Vec<Project>>, ApiError> {
    let known = state
        .store
        .list_organizations()
        .await?
        .iter()
        .any(|o| o.code == org);
    if !known {
        return Err(ApiError::Missing(format!("organization {org}")));
    }
    Ok(Json(state.store.list_projects(Some(&org)).await?))
}

/// The service's QR-signing public key.
#[utoipa::path(get, path = "/v1/service-key", tag = "orgs", responses((status = 200, body = ServiceKeyInfo)))]
pub(crate) async fn service_key(
    State(state): State<AppState>,
) -> Result<Json<ServiceKeyInfo>, ApiError> {
    let der = state
        .service_key
        .public_key_der()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(ServiceKeyInfo {
        alg: crate::identity::ENROLL_ALG.into(),
        spki_base64: base64::engine::general_purpose::STANDARD.encode(der),
    }))
}
