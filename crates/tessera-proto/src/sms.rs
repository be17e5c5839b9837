//! SMS code and image captcha bodies.

use serde::{Deserialize, Serialize};

/// Body of `POST /v1/sms/code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SmsCodeRequest {
    /// Mainland China mobile number, 11 digits (`+86` prefix allowed).
    pub phone: String,
    /// What the code is for, e.g. `enroll`, `login`; a code only verifies for its purpose.
    pub purpose: String,
}

/// Answer of `POST /v1/sms/code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsCodeSent {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested for this phone.
    pub resend_after: u64,
}

/// Answer of `POST /v1/captcha`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptchaChallenge {
    /// Opaque id to send back with the answer.
    pub id: String,
    /// The image, PNG, standard base64.
    pub png_base64: String,
    /// Seconds the captcha stays valid.
    pub expires_in: u64,
}

/// One message in the SMS outbox (admin API `GET /v1/admin/sms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    /// Row id, increasing.
    pub id: i64,
    /// Recipient, 11 digits.
    pub phone: String,
    /// Message text as it would be sent.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}
