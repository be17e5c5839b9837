//! The two-party key operations: key generation, the co-signed CSR and its certificate,
//! co-signing and co-decryption. All but reading the certificate need [`DeviceAuth`].

use std::str::FromStr as _;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use tessera_proto::cloud::{
    CertificateRequest, CloudCertificate, CodecryptRequest, CodecryptResponse, CosignRequest,
    CosignResponse, KeygenRequest, KeygenResponse,
};
use tessera_x509::Certificate;
use tessera_x509::issue::Profile;

use super::{CloudAuth, DeviceAuth, actor, audit, audit_key_use};
use crate::AppState;
use crate::api::extract::{ClientIp, RequestId};
use crate::cloud::{self, CloudError};
use crate::error::ApiError;
use crate::store::CloudAccountRow;

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

fn approved(row: &CloudAccountRow) -> Result<(), CloudError> {
    if row.status == tessera_proto::cloud::AccountStatus::Approved.as_str() {
        Ok(())
    } else {
        Err(CloudError::NotApproved {
            status: row.status.clone(),
        })
    }
}

fn wrapped_share(row: &CloudAccountRow) -> Result<&[u8], CloudError> {
    row.sealed_share
        .as_deref()
        .ok_or(CloudError::KeyState("the account has no key yet"))
}

/// Key generation, step 2 (service): checks `P1`, draws and wraps `d2`, returns `P`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/key", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = KeygenRequest,
    responses((status = 201, body = KeygenResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem), (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn keygen(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    req: DeviceAuth<KeygenRequest>,
) -> Result<(axum::http::StatusCode, Json<KeygenResponse>), ApiError> {
    let row = &req.auth.account;
    approved(row)?;
    if row.public_key.is_some() {
        return Err(CloudError::KeyState("the account has a key already").into());
    }
    let p1 = cloud::decode_hex("p1", &req.body.p1, 65)?;
    let (public, wrapped) = cloud::keygen(state.cloud.master()?, &row.id, p1).await?;
    if !state
        .store
        .set_cloud_key(&row.id, &public, &wrapped, state.clock.now())
        .await?
    {
        return Err(CloudError::KeyState("the account has a key already").into());
    }
    audit(&state, &actor(row), "cloud.key.generate", &row.id, ip, &rid).await;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(KeygenResponse {
            public_key: hex::encode(public),
        }),
    ))
}

/// Issues the certificate for the joint key from a CSR co-signed with it. The subject is the
/// service's: `CN=<name>,OU=<user ID>,O=<org>,C=CN`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/certificate", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CertificateRequest,
    responses((status = 201, body = CloudCertificate), (status = 403, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn request_certificate(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    req: DeviceAuth<CertificateRequest>,
) -> Result<(axum::http::StatusCode, Json<CloudCertificate>), ApiError> {
    let row = &req.auth.account;
    approved(row)?;
    let public = row
        .public_key
        .as_deref()
        .ok_or(CloudError::KeyState("the account has no key yet"))?;
    let csr = crate::ca::verify_csr(req.body.csr_pem.as_bytes()).await?;
    let expected = tessera_crypto::sm2::Sm2PublicKey::from_sec1_bytes(public)
        .and_then(|k| k.to_spki_der())
        .map_err(|e| CloudError::Internal(e.to_string()))?;
    if csr.spki_der != expected {
        return Err(CloudError::Invalid("the CSR is not for the account's key".into()).into());
    }
    let subject = format!("CN={},OU={},O={},C=CN", row.name, row.user_id, row.org);
    let subject = x509_name(&subject)?;
    let ca = state.ca.get()?;
    let issued = ca
        .issue_for_key(
            subject,
            csr.spki_der,
            Profile::signing(),
            "cloud-signing",
            cloud::CERT_DAYS,
            state.clock.now(),
        )
        .await?;
    state
        .store
        .set_cloud_certificate(&row.id, &issued.serial, state.clock.now())
        .await?;
    audit(
        &state,
        &actor(row),
        "cloud.certificate.issue",
        &issued.serial,
        ip,
        &rid,
    )
    .await;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CloudCertificate {
            serial: issued.serial,
            certificate_pem: issued.certificate.to_pem(),
            chain_pem: ca.chain_pem(),
        }),
    ))
}

fn x509_name(text: &str) -> Result<tessera_x509::issue::Name, CloudError> {
    tessera_x509::issue::Name::from_str(text).map_err(|e| CloudError::Invalid(e.to_string()))
}

/// The account's current certificate and its chain (download and refresh).
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/certificate", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = CloudCertificate), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn certificate(
    State(state): State<AppState>,
    auth: CloudAuth,
) -> Result<Json<CloudCertificate>, ApiError> {
    let serial = auth
        .account
        .certificate_serial
        .clone()
        .ok_or_else(|| ApiError::Missing("certificate".into()))?;
    let der = state
        .store
        .certificate_der(&serial)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("certificate {serial}")))?;
    let cert = Certificate::from_der(&der).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(CloudCertificate {
        serial,
        certificate_pem: cert.to_pem(),
        chain_pem: state.ca.get()?.chain_pem(),
    }))
}

/// Signing, step 2 (service): `(r, s2, s3)` for `(e, Q1)`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/sign", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CosignRequest,
    responses((status = 200, body = CosignResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn sign(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    req: DeviceAuth<CosignRequest>,
) -> Result<Json<CosignResponse>, ApiError> {
    let row = &req.auth.account;
    approved(row)?;
    let e: [u8; 32] = cloud::decode_hex("e", &req.body.e, 32)?
        .try_into()
        .map_err(|_| CloudError::BadPoint("e must be 32 bytes".into()))?;
    let q1 = cloud::decode_hex("q1", &req.body.q1, 65)?;
    let answer = cloud::cosign(
        state.cloud.master()?.as_ref(),
        &row.id,
        wrapped_share(row)?,
        &e,
        &q1,
    )?;
    audit_key_use(&state, &actor(row), "cloud.sign", &row.id, ip, &rid).await?;
    Ok(Json(CosignResponse {
        r: hex::encode(answer.r),
        s2: hex::encode(answer.s2),
        s3: hex::encode(answer.s3),
    }))
}

/// Decryption, service step: `T2 = d2^-1 · T1`.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/decrypt", tag = "cloud",
    security(("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")), request_body = CodecryptRequest,
    responses((status = 200, body = CodecryptResponse), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn decrypt(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    req: DeviceAuth<CodecryptRequest>,
) -> Result<Json<CodecryptResponse>, ApiError> {
    let row = &req.auth.account;
    approved(row)?;
    let t1 = cloud::decode_hex("t1", &req.body.t1, 65)?;
    let t2 = cloud::codecrypt(
        state.cloud.master()?.as_ref(),
        &row.id,
        wrapped_share(row)?,
        &t1,
    )?;
    audit_key_use(&state, &actor(row), "cloud.decrypt", &row.id, ip, &rid).await?;
    Ok(Json(CodecryptResponse {
        t2: hex::encode(t2),
    }))
}
