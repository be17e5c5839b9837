//! HTTP mapping of the two-party key operations onto [`crate::cloud::keys`]: key generation,
//! the co-signed CSR and its certificate, co-signing and co-decryption. All but reading the
//! certificate need [`DeviceAuth`]; co-signing and co-decryption a [`KeyUse`].

use axum::routing::post;
use axum::{Json, Router};
use tessera_proto::cloud::{
    CertificateRequest, CloudCertificate, CodecryptRequest, CodecryptResponse, CosignRequest,
    CosignResponse, KeygenRequest, KeygenResponse,
};

use super::{CloudAuth, DeviceAuth, KeyUse};
use crate::AppState;
use crate::api::extract::Ctx;
use crate::cloud::keys;
use crate::error::ApiError;

/// The key routes (merged into the cloud area).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts/{id}/key", post(keygen))
        .route(
            "/accounts/{id}/certificate",
            post(request_certificate).get(certificate),
        )
        .route("/accounts/{id}/sign", post(sign))
        .route("/accounts/{id}/decrypt", post(decrypt))
}

/// Key generation, step 2 (service): checks `P1`, draws and seals `d2`, returns `P`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/key", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = KeygenRequest,
    responses((status = 201, body = KeygenResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn keygen(
    ctx: Ctx,
    req: DeviceAuth<KeygenRequest>,
) -> Result<(axum::http::StatusCode, Json<KeygenResponse>), ApiError> {
    let answer = keys::keygen(&ctx.state, &req.auth.account, &req.body, &ctx.origin).await?;
    Ok((axum::http::StatusCode::CREATED, Json(answer)))
}

/// Issues the certificate for the joint key from a CSR co-signed with it. The subject is the
/// service's: `CN=<name>,OU=<user ID>,O=<org>,C=CN`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/certificate", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CertificateRequest,
    responses((status = 201, body = CloudCertificate), (status = 403, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn request_certificate(
    ctx: Ctx,
    req: DeviceAuth<CertificateRequest>,
) -> Result<(axum::http::StatusCode, Json<CloudCertificate>), ApiError> {
    let issued =
        keys::request_certificate(&ctx.state, &req.auth.account, &req.body, &ctx.origin).await?;
    Ok((axum::http::StatusCode::CREATED, Json(issued)))
}

/// The account's current certificate and its chain (download and refresh).
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/certificate", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = CloudCertificate), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn certificate(ctx: Ctx<CloudAuth>) -> Result<Json<CloudCertificate>, ApiError> {
    Ok(Json(
        keys::certificate(&ctx.state, &ctx.auth.account).await?,
    ))
}

/// Signing, step 2 (service): `(r, s2, s3)` for `(e, Q1)`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/sign", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CosignRequest,
    responses((status = 200, body = CosignResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn sign(
    ctx: Ctx,
    req: KeyUse<CosignRequest>,
) -> Result<Json<CosignResponse>, ApiError> {
    let share = req.sealed_share.as_deref();
    Ok(Json(
        keys::sign(&ctx.state, &req.auth.account, share, &req.body, &ctx.origin).await?,
    ))
}

/// Decryption, service step: `T2 = d2^-1 · T1`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/decrypt", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CodecryptRequest,
    responses((status = 200, body = CodecryptResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn decrypt(
    ctx: Ctx,
    req: KeyUse<CodecryptRequest>,
) -> Result<Json<CodecryptResponse>, ApiError> {
    let share = req.sealed_share.as_deref();
    Ok(Json(
        keys::decrypt(&ctx.state, &req.auth.account, share, &req.body, &ctx.origin).await?,
    ))
}
