//! The CA area: the CA certificates and the CRL (public), and the operator's issue and revoke
//! (bearer admin token, audited).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tessera_x509::issue::{Profile, RevocationReason};

use crate::AppState;
use crate::api::admin::audit;
use crate::api::extract::{Admin, ApiJson, Ctx};
use crate::audit::Action;
use crate::error::ApiError;

/// Public CA routes (nested under `/v1/ca`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/certificates", get(certificates))
        .route("/crl", get(crl))
}

/// Operator CA routes (nested under `/v1/admin`).
pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/certificates/issue", post(issue))
        .route("/certificates/{serial}/revoke", post(revoke))
}

/// Body of `POST /v1/admin/certificates/issue`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// PKCS#10 request, PEM.
    pub csr_pem: String,
    /// `signing` (default), `signing-client`, `signing-email` or `encryption`.
    pub profile: Option<String>,
    /// Validity in days (default 365, at most 3650).
    pub days: Option<u32>,
}

/// An issued certificate.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IssuedBody {
    /// Lowercase hex serial.
    pub serial: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The issuing CA then the root, PEM.
    pub chain_pem: String,
}

/// Body of `POST /v1/admin/certificates/{serial}/revoke`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    /// RFC 5280 §5.3.1 reason, e.g. `keyCompromise` (default `unspecified`).
    pub reason: Option<String>,
}

/// The root and issuing CA certificates, PEM.
#[utoipa::path(get, path = "/v1/ca/certificates", tag = "ca",
    responses((status = 200, description = "root then issuing CA, PEM",
        content_type = "application/pem-certificate-chain", body = String)))]
pub(crate) async fn certificates(
    State(state): State<AppState>,
) -> Result<impl IntoResponse, ApiError> {
    let ca = state.ca.get()?;
    Ok((
        [(header::CONTENT_TYPE, "application/pem-certificate-chain")],
        ca.certificates_pem(),
    ))
}

/// The current CRL, DER (RFC 5280 §5), at a stable URL.
#[utoipa::path(get, path = "/v1/ca/crl", tag = "ca",
    responses((status = 200, description = "the CRL, DER (RFC 5280 §5)",
        content_type = "application/pkix-crl", body = Vec<u8>)))]
pub(crate) async fn crl(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let ca = state.ca.get()?;
    let der = ca.crl(state.clock.now()).await?;
    Ok(([(header::CONTENT_TYPE, "application/pkix-crl")], der))
}

/// Issues a certificate from a PKCS#10 request, signed by the issuing CA (audited).
#[utoipa::path(post, path = "/v1/admin/certificates/issue", tag = "ca", security(("admin_token" = [])),
    request_body = IssueBody,
    responses((status = 200, body = IssuedBody), (status = 401, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn issue(
    ctx: Ctx<Admin>,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<Json<IssuedBody>, ApiError> {
    let state = &ctx.state;
    let ca = state.ca.get()?;
    let profile_name = body.profile.as_deref().unwrap_or("signing");
    let profile = Profile::from_name(profile_name)
        .filter(|p| !p.is_ca())
        .ok_or_else(|| ApiError::Invalid(format!("unknown profile {profile_name}")))?;
    let issued = ca
        .issue_from_csr(
            body.csr_pem.as_bytes(),
            profile,
            profile_name,
            body.days.unwrap_or(365),
            state.clock.now(),
        )
        .await?;
    audit(&ctx, Action::CertificateIssue, &issued.serial).await;
    Ok(Json(IssuedBody {
        serial: issued.serial,
        certificate_pem: issued.certificate.to_pem(),
        chain_pem: format!("{}{}", ca.issuing().to_pem(), ca.root().to_pem()),
    }))
}

/// Revokes a certificate by serial and makes the CRL again (audited).
#[utoipa::path(post, path = "/v1/admin/certificates/{serial}/revoke", tag = "ca",
    security(("admin_token" = [])),
    params(("serial" = String, Path, description = "serial number, hex")),
    request_body = RevokeBody,
    responses((status = 204, description = "revoked"), (status = 401, body = tessera_proto::Problem),
        (status = 404, body = tessera_proto::Problem), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn revoke(
    ctx: Ctx<Admin>,
    Path(serial): Path<String>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    let state = &ctx.state;
    let ca = state.ca.get()?;
    let reason_name = body.reason.as_deref().unwrap_or("unspecified");
    let reason = RevocationReason::from_name(reason_name)
        .ok_or_else(|| ApiError::Invalid(format!("unknown revocation reason {reason_name}")))?;
    ca.revoke(&serial, reason, state.clock.now()).await?;
    audit(&ctx, Action::CertificateRevoke, &serial).await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
