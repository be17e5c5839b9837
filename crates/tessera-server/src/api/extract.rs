//! Extractors: JSON bodies whose rejections become problems, the admin bearer token, and the
//! client address.

use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// `Json<T>` whose every rejection (syntax, shape, content type, size) is a 4xx [`ApiError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// `Query<T>` whose rejection is a 4xx [`ApiError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state)
                .await
                .map_err(|r| ApiError::Invalid(r.body_text()))?;
        Ok(Self(value))
    }
}

/// A UTF-8 text body (CSV and the like) whose every rejection is a 4xx [`ApiError`].
#[derive(Debug, Clone, Default)]
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::BadBody {
                status: r.status(),
                detail: r.body_text(),
            })?;
        String::from_utf8(bytes.to_vec())
            .map(Self)
            .map_err(|_| ApiError::Invalid("the body is not UTF-8 text".into()))
    }
}

/// An authenticated operator: the request carried `Authorization: Bearer <admin token>`.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The token's label, for the audit trail.
    pub label: String,
}

/// SHA-256 of an admin token as stored.
pub fn admin_token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        let label = state
            .store
            .admin_token_label(&admin_token_hash(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Self { label })
    }
}

/// The peer address, when the server was started with connect info (tests may lack it).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl ClientIp {
    /// The peer address recorded in a request's extensions (real or mock connect info).
    pub fn of(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
        let real = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let mock = || extensions.get::<MockConnectInfo<SocketAddr>>().map(|c| c.0);
        real.or_else(mock).map(|a| a.ip())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(Self::of(&parts.extensions)))
    }
}

/// Where a request came from, for the audit trail.
pub fn origin(ip: ClientIp, rid: &RequestId) -> crate::audit::Origin {
    crate::audit::Origin {
        ip: ip.0.map(|ip| ip.to_string()),
        request_id: rid.0.clone(),
    }
}

/// The request id set by the request-id layer.
#[derive(Debug, Clone)]
pub struct RequestId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(&super::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        ))
    }
}
