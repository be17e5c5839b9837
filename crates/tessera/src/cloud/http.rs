//! HTTP to the cloud-key service: JSON bodies, bearer sessions, device signatures over each key
//! request (`tessera_proto::cloud::device_signed_bytes`), problem+json errors kept with their
//! stable code. Plain `http://` only for loopback hosts: passwords travel here.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_crypto::sm2::{DEFAULT_ID, Sm2PrivateKey};
use tessera_proto::Problem;
use tessera_proto::cloud as wire;

use super::CloudError;

const TIMEOUT: Duration = Duration::from_secs(30);
const MAX_BODY: u64 = 4 * 1024 * 1024;

/// A cloud-key service at a base URL.
#[derive(Debug, Clone)]
pub struct CloudHttp {
    base: String,
    http: reqwest::blocking::Client,
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    /// Not at all.
    None,
    /// With a login session.
    Session(&'a str),
    /// With a login session and the device key's signature.
    Device(&'a str, &'a Sm2PrivateKey),
}

impl std::fmt::Debug for Auth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::Session(_) => "Session(***)",
            Self::Device(..) => "Device(***)",
        })
    }
}

fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl CloudHttp {
    /// A client for `url` (`https://…`, or `http://` on a loopback host).
    pub fn new(url: &str) -> Result<Self, CloudError> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let bad = || CloudError::BadUrl { url: base.clone() };
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
        let http = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("tessera/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CloudError::Unreachable {
                url: base.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self { base, http })
    }

    /// The base URL without a trailing `/`.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `GET path`.
    pub fn get<T: DeserializeOwned>(&self, path: &str, auth: Auth<'_>) -> Result<T, CloudError> {
        self.send::<(), T>("GET", path, None, auth)
    }

    /// `POST path` with a JSON body.
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        auth: Auth<'_>,
    ) -> Result<T, CloudError> {
        self.send("POST", path, Some(body), auth)
    }

    /// Any method; `T = ()` accepts an empty answer (204).
    pub fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
        auth: Auth<'_>,
    ) -> Result<T, CloudError> {
        use std::io::Read as _;
        let bytes = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| CloudError::Protocol(e.to_string()))?,
            None => Vec::new(),
        };
        let method_value = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| CloudError::Protocol(e.to_string()))?;
        let mut request = self
            .http
            .request(method_value, format!("{}{path}", self.base))
            .header(reqwest::header::ACCEPT, "application/json");
        match auth {
            Auth::None => {}
            Auth::Session(token) => request = request.bearer_auth(token),
            Auth::Device(token, key) => {
                let time = unix_now();
                let signed = wire::device_signed_bytes(method, path, time, token, &bytes);
                let sig = key.sign(DEFAULT_ID, &signed)?.to_der();
                request = request
                    .bearer_auth(token)
                    .header(wire::DEVICE_TIME_HEADER, time.to_string())
                    .header(wire::DEVICE_SIGNATURE_HEADER, hex::encode(sig));
            }
        }
        if body.is_some() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes);
        }
        let response = request.send().map_err(|e| CloudError::Unreachable {
            url: self.base.clone(),
            reason: error_chain(&e),
        })?;
        let status = response.status();
        let mut answer = Vec::new();
        response
            .take(MAX_BODY)
            .read_to_end(&mut answer)
            .map_err(|e| CloudError::Protocol(e.to_string()))?;
        if status.is_success() {
            let answer = if answer.is_empty() {
                b"null".to_vec()
            } else {
                answer
            };
            return serde_json::from_slice(&answer)
                .map_err(|e| CloudError::Protocol(e.to_string()));
        }
        match serde_json::from_slice::<Problem>(&answer) {
            Ok(p) => Err(CloudError::Service {
                status: status.as_u16(),
                code: p.code,
                detail: p.detail.unwrap_or(p.title),
            }),
            Err(_) => Err(CloudError::Protocol(format!(
                "HTTP {status} without a problem body"
            ))),
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

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
