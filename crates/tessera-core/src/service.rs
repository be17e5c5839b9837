//! A blocking JSON client for a Tessera service: base URL, optional extra CA, and the service's
//! problem+json errors (RFC 9457) turned into [`ServiceError::Problem`] with their stable code.
//!
//! Plain `http://` is accepted only for loopback hosts: passwords and SMS codes travel here.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_proto::{Problem, ProblemCode};

use crate::net::{self, ConnectOptions, Request, Transport, TransportError};

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The URL is not `https://…` (or `http://` on a loopback host).
    #[error("service URL must be https:// (http:// only for localhost): {url}")]
    BadUrl {
        /// What was given.
        url: String,
    },
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("service {url} unreachable: {reason}")]
    Unreachable {
        /// The service.
        url: String,
        /// Why.
        reason: String,
    },
    /// The service refused, with its problem document.
    #[error("{}", .detail.as_deref().unwrap_or(.title.as_str()))]
    Problem {
        /// HTTP status.
        status: u16,
        /// Stable problem code, e.g. `password_incorrect`.
        code: ProblemCode,
        /// Constant title.
        title: String,
        /// The service's explanation, if any.
        detail: Option<String>,
        /// Tries left on a wrong code or password, when the service says.
        tries_left: Option<u64>,
        /// Days until something opens (a renewal window), when the service says.
        days: Option<i64>,
        /// Seconds until a retry can succeed (rate limit, busy, locked account); `u32` keeps
        /// the error small (over 136 years, saturated).
        retry_after: Option<u32>,
    },
    /// An answer that is not what the API promises.
    #[error("unexpected answer from the service: {0}")]
    Protocol(String),
    /// The extra CA file could not be read.
    #[error("CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl ServiceError {
    /// The problem code, when the service answered with one.
    pub fn code(&self) -> Option<&ProblemCode> {
        match self {
            Self::Problem { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A service at a base URL.
#[derive(Debug, Clone)]
pub struct ServiceClient {
    base: String,
    http: Arc<dyn Transport>,
}

fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `url` without its trailing `/`, if it is `https://host…`, or `http://` on a loopback host
/// (passwords and SMS codes travel here).
fn checked_base(url: &str) -> Result<String, ServiceError> {
    let base = url.trim().trim_end_matches('/').to_owned();
    let bad = || ServiceError::BadUrl { url: base.clone() };
    let (scheme, rest) = base.split_once("://").ok_or_else(bad)?;
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    match scheme {
        "https" if !host.is_empty() => Ok(base),
        "http" if loopback(host) => Ok(base),
        _ => Err(bad()),
    }
}

impl ServiceClient {
    /// A client for `url` over the installed transport ([`net::install`]), trusting the
    /// system roots plus, if given, the CA certificates in `ca_file` (PEM; e.g. the CA of a
    /// service started with `--tls auto`).
    pub fn new(url: &str, ca_file: Option<&Path>) -> Result<Self, ServiceError> {
        let base = checked_base(url)?;
        let mut options = ConnectOptions::default();
        if let Some(path) = ca_file {
            options.extra_roots_pem =
                Some(std::fs::read(path).map_err(|e| ServiceError::CaFile {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?);
        }
        let http = net::connect(&options).map_err(|e| match (e, ca_file) {
            // The only thing a connector can fail on is the extra CA.
            (TransportError::Failed { reason }, Some(path)) => ServiceError::CaFile {
                path: path.display().to_string(),
                reason,
            },
            (e, _) => ServiceError::Unreachable {
                url: base.clone(),
                reason: e.to_string(),
            },
        })?;
        Ok(Self { base, http })
    }

    /// A client for `url` over a given transport (the phone app's, or a test's).
    pub fn with_transport(url: &str, http: Arc<dyn Transport>) -> Result<Self, ServiceError> {
        Ok(Self {
            base: checked_base(url)?,
            http,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `GET path`.
    pub fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        bearer: Option<&str>,
    ) -> Result<T, ServiceError> {
        self.send("GET", path, None, bearer, &[])
    }

    /// `POST path` with a JSON body.
    pub fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        bearer: Option<&str>,
    ) -> Result<T, ServiceError> {
        let body = serde_json::to_vec(body).map_err(|e| ServiceError::Protocol(e.to_string()))?;
        self.send("POST", path, Some(body), bearer, &[])
    }

    /// Any `method` with an optional JSON `body` (already serialized, so callers can sign the
    /// exact bytes), a bearer token and extra headers. An empty answer (204) reads as JSON
    /// `null`, so `T = ()` accepts it.
    pub fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        bearer: Option<&str>,
        headers: &[(&str, String)],
    ) -> Result<T, ServiceError> {
        let mut all = Vec::with_capacity(headers.len() + 1);
        if let Some(token) = bearer {
            all.push(("Authorization", format!("Bearer {token}")));
        }
        all.extend(headers.iter().map(|(n, v)| (*n, v.clone())));
        let response = self
            .http
            .send(Request {
                method,
                url: format!("{}{path}", self.base),
                headers: all,
                body,
            })
            .map_err(|e| ServiceError::Unreachable {
                url: self.base.clone(),
                reason: e.to_string(),
            })?;
        let (status, answer) = (response.status, response.body);
        if (200..300).contains(&status) {
            let answer: &[u8] = if answer.is_empty() { b"null" } else { &answer };
            return serde_json::from_slice(answer)
                .map_err(|e| ServiceError::Protocol(e.to_string()));
        }
        match serde_json::from_slice::<Problem>(&answer) {
            Ok(p) => Err(ServiceError::Problem {
                status,
                code: p.code,
                title: p.title,
                detail: p.detail,
                tries_left: p.tries_left,
                days: p.days,
                retry_after: p.retry_after.map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
            }),
            Err(_) => Err(ServiceError::Protocol(format!(
                "HTTP {status} without a problem body"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://ca.example.cn",
            "https://ca.example.cn:8443/",
            "http://127.0.0.1:8443",
            "http://localhost:1",
            "http://[::1]:8443",
        ] {
            assert!(checked_base(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://ca.example.cn",
            "ftp://x",
            "ca.example.cn",
            "http://10.0.0.1:80",
            "https://",
        ] {
            assert!(
                matches!(checked_base(bad), Err(ServiceError::BadUrl { .. })),
                "{bad}"
            );
        }
    }
}
