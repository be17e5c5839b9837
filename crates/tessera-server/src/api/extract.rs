//! Extractors: JSON bodies whose rejections become problems, the one bearer-token parser, the
//! admin token, the client address, and [`Ctx`], what every handler needs besides its body.

use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::audit::Origin;
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

/// The token of `Authorization: Bearer <token>`: the one parser of the service (admin tokens,
/// cloud-key sessions, business-query sessions). The text is returned as sent; each kind of
/// token trims it or not as it always did.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// The bearer token of a request, if it carries one ([`bearer`]), for a handler that reads it
/// itself (logging out). `Debug` does not show it.
#[derive(Clone, Default)]
pub struct Bearer(Option<String>);

impl Bearer {
    /// The token text, if any.
    pub fn token(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Bearer(***)"
        } else {
            "Bearer(None)"
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(bearer(&parts.headers).map(str::to_owned)))
    }
}

/// An authenticated operator: the request carried `Authorization: Bearer <admin token>`.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The token's label, for the audit trail.
    pub label: String,
}

impl Admin {
    /// The audit actor: `admin:<label>`.
    pub fn actor(&self) -> String {
        format!("admin:{}", self.label)
    }
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
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
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
pub fn origin(ip: ClientIp, rid: &RequestId) -> Origin {
    Origin {
        ip: ip.0.map(|ip| ip.to_string()),
        request_id: rid.0.clone(),
    }
}

/// What a handler needs besides its body: the state, the caller `A` (an [`Admin`], a cloud
/// session, …; `()` when anyone may call) and where the request came from. Extracted in that
/// order, so a missing or wrong token is refused before anything else is read.
#[derive(Debug, Clone)]
pub struct Ctx<A = ()> {
    /// The service state.
    pub state: AppState,
    /// The authenticated caller.
    pub auth: A,
    /// Client address and request id, for the audit trail.
    pub origin: Origin,
}

impl<A> FromRequestParts<AppState> for Ctx<A>
where
    A: FromRequestParts<AppState> + Send,
    A::Rejection: Into<ApiError>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = A::from_request_parts(parts, state)
            .await
            .map_err(Into::into)?;
        let Ok(ip) = ClientIp::from_request_parts(parts, state).await;
        let Ok(rid) = RequestId::from_request_parts(parts, state).await;
        Ok(Self {
            state: state.clone(),
            auth,
            origin: origin(ip, &rid),
        })
    }
}

impl<A> Ctx<A> {
    /// The client address as text, if known (SMS limits per address).
    pub fn ip(&self) -> Option<&str> {
        self.origin.ip.as_deref()
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
