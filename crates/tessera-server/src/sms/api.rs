//! Public anti-abuse endpoints: SMS codes and image captchas. Checking them is a library
//! call ([`crate::sms::SmsCodes::verify`], [`crate::captcha::Captchas::verify`]) made by the
//! flows that need them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use tessera_proto::sms::{CaptchaChallenge, SmsCodeRequest, SmsCodeSent};

use crate::AppState;
use crate::api::extract::{ApiJson, ClientIp};
use crate::error::ApiError;
use crate::phone::PhoneNumber;

/// The SMS and captcha area (nested under `/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sms/code", post(send_code))
        .route("/captcha", post(new_captcha))
}

/// Sends a 6-digit code to a mainland China mobile number.
#[utoipa::path(post, path = "/v1/sms/code", tag = "sms", request_body = SmsCodeRequest,
    responses((status = 202, body = SmsCodeSent), (status = 400, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem), (status = 429, body = tessera_proto::Problem)))]
pub(crate) async fn send_code(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<SmsCodeRequest>,
) -> Result<(StatusCode, Json<SmsCodeSent>), ApiError> {
    let phone = PhoneNumber::parse(&body.phone)?;
    let ip = ip.0.map(|ip| ip.to_string());
    let sent = state
        .sms
        .send_code(&phone, &body.purpose, ip.as_deref())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// A new image captcha.
#[utoipa::path(post, path = "/v1/captcha", tag = "sms",
    responses((status = 201, body = CaptchaChallenge)))]
pub(crate) async fn new_captcha(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<CaptchaChallenge>), ApiError> {
    let issued = state.captchas.issue().await?;
    Ok((StatusCode::CREATED, Json(issued.challenge)))
}
