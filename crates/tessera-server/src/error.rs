//! `ApiError`: every failure a handler returns, rendered as `application/problem+json` in the
//! one `IntoResponse` below. Server-side detail is logged (inside the request's span, so with
//! its request id) and never put in the response.

use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tessera_proto::{PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

use crate::captcha::CaptchaError;
use crate::cloud::CloudError;
use crate::phone::InvalidPhoneNumber;
use crate::ra::RaError;
use crate::sms::SmsError;
use crate::store::StoreError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No route matches the path.
    #[error("no such resource")]
    NotFound,
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body was not acceptable JSON (syntax, shape, content type or size).
    #[error("{detail}")]
    BadBody {
        /// 400, 413, 415 or 422.
        status: StatusCode,
        /// What was wrong, safe to show.
        detail: String,
    },
    /// A field failed validation; the text is safe to show.
    #[error("{0}")]
    Invalid(String),
    /// Missing or unknown bearer token.
    #[error("missing or invalid admin token")]
    Unauthorized,
    /// A named object does not exist.
    #[error("{0} not found")]
    Missing(String),
    /// A unique key is taken.
    #[error("{0} already exists")]
    Conflict(String),
    /// SMS code issuing or checking failed.
    #[error(transparent)]
    Sms(#[from] SmsError),
    /// Captcha checking failed.
    #[error(transparent)]
    Captcha(#[from] CaptchaError),
    /// A self-service (RA) request was refused.
    #[error(transparent)]
    Ra(#[from] RaError),
    /// A cloud-key request was refused.
    #[error(transparent)]
    Cloud(CloudError),
    /// Too much costly work under way (Argon2 slots and queue full): 503 with `Retry-After`.
    #[error("the service is busy; try again in {retry_after} seconds")]
    Busy {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Too many requests from one client address: 429 with `Retry-After`.
    #[error("too many requests from this address; try again in {retry_after} seconds")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The store failed; detail is logged only.
    #[error(transparent)]
    Store(StoreError),
    /// Anything else on the server's side; detail is logged only.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<std::convert::Infallible> for ApiError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => Self::Conflict(what),
            StoreError::NotFound { what } => Self::Missing(what),
            other => Self::Store(other),
        }
    }
}

impl From<crate::password::PasswordError> for ApiError {
    fn from(e: crate::password::PasswordError) -> Self {
        match e {
            crate::password::PasswordError::Busy { retry_after } => Self::Busy { retry_after },
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<InvalidPhoneNumber> for ApiError {
    fn from(e: InvalidPhoneNumber) -> Self {
        Self::Invalid(e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::BadBody {
            status: r.status(),
            detail: r.body_text(),
        }
    }
}

/// (status, stable code, constant title, public detail, retry-after seconds)
type Parts = (
    StatusCode,
    ProblemCode,
    &'static str,
    Option<String>,
    Option<u64>,
);

impl ApiError {
    fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::NotFound => (S::NOT_FOUND, ProblemCode::NotFound, "Not Found", None, None),
            Self::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                ProblemCode::MethodNotAllowed,
                "Method Not Allowed",
                None,
                None,
            ),
            Self::BadBody { status, detail } => {
                let (code, title) = match *status {
                    S::PAYLOAD_TOO_LARGE => (ProblemCode::PayloadTooLarge, "Payload Too Large"),
                    S::UNSUPPORTED_MEDIA_TYPE => {
                        (ProblemCode::UnsupportedMediaType, "Unsupported Media Type")
                    }
                    S::UNPROCESSABLE_ENTITY => (ProblemCode::InvalidBody, "Invalid Request Body"),
                    _ => (ProblemCode::MalformedJson, "Malformed JSON"),
                };
                let status = if status.is_client_error() {
                    *status
                } else {
                    S::BAD_REQUEST
                };
                (status, code, title, Some(detail.clone()), None)
            }
            Self::Invalid(d) => (
                S::UNPROCESSABLE_ENTITY,
                ProblemCode::InvalidField,
                "Invalid Field",
                Some(d.clone()),
                None,
            ),
            Self::Unauthorized => (
                S::UNAUTHORIZED,
                ProblemCode::Unauthorized,
                "Unauthorized",
                None,
                None,
            ),
            Self::Missing(what) => (
                S::NOT_FOUND,
                ProblemCode::NotFound,
                "Not Found",
                Some(format!("{what} not found")),
                None,
            ),
            Self::Conflict(what) => (
                S::CONFLICT,
                ProblemCode::Conflict,
                "Conflict",
                Some(format!("{what} already exists")),
                None,
            ),
            Self::Sms(e) => sms_parts(e),
            Self::Captcha(e) => match e {
                CaptchaError::Invalid => (
                    S::BAD_REQUEST,
                    ProblemCode::CaptchaInvalid,
                    "Captcha Invalid",
                    Some("unknown, used or expired captcha".into()),
                    None,
                ),
                CaptchaError::Incorrect => (
                    S::BAD_REQUEST,
                    ProblemCode::CaptchaIncorrect,
                    "Captcha Incorrect",
                    None,
                    None,
                ),
                CaptchaError::Render | CaptchaError::Store(_) => internal(),
            },
            Self::Ra(e) => ra_parts(e),
            Self::Cloud(e) => cloud_parts(e),
            Self::Busy { retry_after } => (
                S::SERVICE_UNAVAILABLE,
                ProblemCode::Busy,
                "Service Busy",
                Some(self.to_string()),
                Some(*retry_after),
            ),
            Self::RateLimited { retry_after } => (
                S::TOO_MANY_REQUESTS,
                ProblemCode::RateLimited,
                "Too Many Requests",
                Some(self.to_string()),
                Some(*retry_after),
            ),
            Self::Store(_) | Self::Internal(_) => internal(),
        }
    }
}

impl ApiError {
    /// RFC 9457 extension members: tries left, days until something opens.
    fn extensions(&self) -> (Option<u64>, Option<i64>) {
        match self {
            Self::Sms(SmsError::Incorrect { tries_left }) => (Some(u64::from(*tries_left)), None),
            Self::Ra(RaError::PasswordIncorrect { tries_left }) => {
                (u64::try_from(*tries_left).ok(), None)
            }
            Self::Ra(RaError::RenewalNotOpen { opens_in_days }) => (None, Some(*opens_in_days)),
            _ => (None, None),
        }
    }
}

fn ra_parts(e: &RaError) -> Parts {
    use StatusCode as S;
    let (status, code, title) = match e {
        RaError::Invalid(_) => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::InvalidField,
            "Invalid Field",
        ),
        RaError::ConsentOutdated => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::ConsentOutdated,
            "Consent Outdated",
        ),
        RaError::SessionInvalid => (
            S::UNAUTHORIZED,
            ProblemCode::SessionInvalid,
            "Not Logged In",
        ),
        RaError::NotPending { .. } => (
            S::CONFLICT,
            ProblemCode::ApplicationNotPending,
            "Application Not Pending",
        ),
        RaError::NotApproved { .. } => (
            S::CONFLICT,
            ProblemCode::ApplicationNotApproved,
            "Application Not Approved",
        ),
        RaError::PasswordIncorrect { .. } => (
            S::FORBIDDEN,
            ProblemCode::PasswordIncorrect,
            "Password Incorrect",
        ),
        RaError::PasswordLocked => (S::FORBIDDEN, ProblemCode::PasswordLocked, "Password Locked"),
        RaError::SubjectMismatch { .. } => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::CsrSubjectMismatch,
            "Subject Mismatch",
        ),
        RaError::KeyAlgorithmMismatch { .. } => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::CsrKeyMismatch,
            "Key Algorithm Mismatch",
        ),
        RaError::UnknownCertificate => (
            S::NOT_FOUND,
            ProblemCode::CertificateUnknown,
            "Unknown Certificate",
        ),
        RaError::Revoked => (
            S::CONFLICT,
            ProblemCode::CertificateRevoked,
            "Certificate Revoked",
        ),
        RaError::AlreadyRenewed => (
            S::CONFLICT,
            ProblemCode::CertificateRenewed,
            "Already Renewed",
        ),
        RaError::Expired => (
            S::CONFLICT,
            ProblemCode::CertificateExpired,
            "Certificate Expired",
        ),
        RaError::RenewalNotOpen { .. } => {
            (S::CONFLICT, ProblemCode::RenewalNotOpen, "Renewal Not Open")
        }
        RaError::KeyMismatch => (
            S::FORBIDDEN,
            ProblemCode::RenewalKeyMismatch,
            "Key Mismatch",
        ),
    };
    (status, code, title, Some(e.to_string()), None)
}

impl From<CloudError> for ApiError {
    fn from(e: CloudError) -> Self {
        match e {
            CloudError::Store(e) => e.into(),
            CloudError::Busy { retry_after } => Self::Busy { retry_after },
            other => Self::Cloud(other),
        }
    }
}

fn cloud_parts(e: &CloudError) -> Parts {
    use StatusCode as S;
    let (status, code, title) = match e {
        CloudError::Invalid(_) => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::InvalidField,
            "Invalid Field",
        ),
        CloudError::BadPoint(_) => (S::BAD_REQUEST, ProblemCode::InvalidPoint, "Invalid Point"),
        CloudError::SessionInvalid => (
            S::UNAUTHORIZED,
            ProblemCode::SessionInvalid,
            "Not Logged In",
        ),
        CloudError::Forbidden => (S::FORBIDDEN, ProblemCode::Forbidden, "Forbidden"),
        CloudError::DeviceSignature => (
            S::FORBIDDEN,
            ProblemCode::DeviceSignature,
            "Device Signature Required",
        ),
        CloudError::DeviceNotBound => (
            S::FORBIDDEN,
            ProblemCode::DeviceNotBound,
            "Device Not Bound",
        ),
        CloudError::DeviceAlreadyBound => (
            S::CONFLICT,
            ProblemCode::DeviceBound,
            "Device Already Bound",
        ),
        CloudError::PasswordIncorrect => (
            S::FORBIDDEN,
            ProblemCode::PasswordIncorrect,
            "Password Incorrect",
        ),
        CloudError::Replayed => (S::FORBIDDEN, ProblemCode::Replayed, "Request Replayed"),
        CloudError::ReauthRequired => (
            S::FORBIDDEN,
            ProblemCode::ReauthRequired,
            "Password Or Device Signature Required",
        ),
        CloudError::OldPhoneCodeRequired => (
            S::BAD_REQUEST,
            ProblemCode::OldPhoneCodeRequired,
            "Code To The Bound Phone Required",
        ),
        CloudError::RecoveryCodeIncorrect => (
            S::BAD_REQUEST,
            ProblemCode::SmsCodeIncorrect,
            "SMS Code Incorrect",
        ),
        CloudError::Locked { retry_after } => {
            return (
                S::FORBIDDEN,
                ProblemCode::AccountLocked,
                "Account Locked",
                Some(e.to_string()),
                Some(*retry_after),
            );
        }
        CloudError::NotApproved { .. } => (
            S::FORBIDDEN,
            ProblemCode::AccountNotApproved,
            "Account Not Approved",
        ),
        CloudError::KeyState(_) => (S::CONFLICT, ProblemCode::KeyState, "Key State"),
        CloudError::NoPhone => (S::CONFLICT, ProblemCode::NoPhone, "No Phone Bound"),
        // Busy becomes ApiError::Busy in `From`; here only for completeness.
        CloudError::Internal(_) | CloudError::Store(_) | CloudError::Busy { .. } => {
            return internal();
        }
    };
    (status, code, title, Some(e.to_string()), None)
}

fn internal() -> Parts {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        ProblemCode::Internal,
        "Internal Server Error",
        None,
        None,
    )
}

fn sms_parts(e: &SmsError) -> Parts {
    use StatusCode as S;
    match e {
        SmsError::RateLimited { retry_after, .. } => (
            S::TOO_MANY_REQUESTS,
            ProblemCode::RateLimited,
            "Too Many Requests",
            Some(e.to_string()),
            Some(*retry_after),
        ),
        SmsError::InvalidPurpose => (
            S::UNPROCESSABLE_ENTITY,
            ProblemCode::InvalidField,
            "Invalid Field",
            Some(e.to_string()),
            None,
        ),
        SmsError::NoCode => (
            S::BAD_REQUEST,
            ProblemCode::SmsCodeMissing,
            "No SMS Code",
            Some(e.to_string()),
            None,
        ),
        SmsError::Expired => (
            S::BAD_REQUEST,
            ProblemCode::SmsCodeExpired,
            "SMS Code Expired",
            None,
            None,
        ),
        SmsError::Incorrect { .. } => (
            S::BAD_REQUEST,
            ProblemCode::SmsCodeIncorrect,
            "SMS Code Incorrect",
            Some(e.to_string()),
            None,
        ),
        SmsError::TooManyTries => (
            S::BAD_REQUEST,
            ProblemCode::SmsCodeLocked,
            "Too Many Tries",
            Some(e.to_string()),
            None,
        ),
        SmsError::Send(_) => (
            S::BAD_GATEWAY,
            ProblemCode::SmsSendFailed,
            "SMS Gateway Failed",
            None,
            None,
        ),
        SmsError::Store(_) | SmsError::Random => internal(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title, detail, retry_after) = self.parts();
        if status.is_server_error() {
            // the span carries the request id; the response carries only the code
            tracing::error!(error = %self, code = code.as_str(), "request failed");
        } else {
            tracing::debug!(
                code = code.as_str(),
                status = status.as_u16(),
                "request rejected"
            );
        }
        let mut problem = Problem::new(code, title, status.as_u16());
        problem.detail = detail;
        problem.instance =
            crate::api::current_request_id().map(|id| format!("urn:tessera:request:{id}"));
        problem.retry_after = retry_after;
        (problem.tries_left, problem.days) = self.extensions();
        problem_response(&problem, status)
    }
}

/// Serializes `problem` with the problem+json content type (and `Retry-After` when set).
pub(crate) fn problem_response(problem: &Problem, status: StatusCode) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if let Some(secs) = problem.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
