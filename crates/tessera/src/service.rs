//! A blocking JSON client for a Tessera service: base URL, optional extra CA, and the service's
//! problem+json errors (RFC 9457) turned into [`ServiceError::Problem`] with their stable code.
//!
//! Plain `http://` is accepted only for loopback hosts: passwords and SMS codes travel here.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_proto::{Problem, ProblemCode};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer read.
const MAX_BODY: u64 = 4 * 1024 * 1024;

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
    http: reqwest::blocking::Client,
}

fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl ServiceClient {
    /// A client for `url`, trusting the system roots plus, if given, the CA certificates in
    /// `ca_file` (PEM; e.g. the CA of a service started with `--tls auto`).
    pub fn new(url: &str, ca_file: Option<&Path>) -> Result<Self, ServiceError> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let bad = || ServiceError::BadUrl { url: base.clone() };
        let (scheme, rest) = base.split_once("://").ok_or_else(bad)?;
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        };
        match scheme {
            "https" if !host.is_empty() => {}
            "http" if loopback(host) => {}
            _ => return Err(bad()),
        }
        // reqwest is built without a default TLS provider; the first caller installs ring's.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("tessera/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            let ca_error = |reason: String| ServiceError::CaFile {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            for cert in
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| ServiceError::Unreachable {
            url: base.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self { base, http })
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
        use std::io::Read as _;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| ServiceError::Protocol(e.to_string()))?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().map_err(|e| ServiceError::Unreachable {
            url: self.base.clone(),
            reason: error_chain(&e),
        })?;
        let status = response.status();
        let mut answer = Vec::new();
        response
            .take(MAX_BODY)
            .read_to_end(&mut answer)
            .map_err(|e| ServiceError::Protocol(e.to_string()))?;
        if status.is_success() {
            let answer: &[u8] = if answer.is_empty() { b"null" } else { &answer };
            return serde_json::from_slice(answer)
                .map_err(|e| ServiceError::Protocol(e.to_string()));
        }
        match serde_json::from_slice::<Problem>(&answer) {
            Ok(p) => Err(ServiceError::Problem {
                status: status.as_u16(),
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

/// The error and its sources on one line (reqwest's own text hides the cause).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
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
            assert!(ServiceClient::new(ok, None).is_ok(), "{ok}");
        }
        for bad in [
            "http://ca.example.cn",
            "ftp://x",
            "ca.example.cn",
            "http://10.0.0.1:80",
            "https://",
        ] {
            assert!(
                matches!(
                    ServiceClient::new(bad, None),
                    Err(ServiceError::BadUrl { .. })
                ),
                "{bad}"
            );
        }
    }
}
