//! HTTP to the cloud-key service: the client's [`ServiceClient`] (JSON, bearer sessions,
//! problem+json codes, `http://` only on loopback) plus device signatures over each key request
//! (`tessera_proto::cloud::device_signed_bytes`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_crypto::sm2::{DEFAULT_ID, Sm2PrivateKey};
use tessera_proto::cloud as wire;

use super::CloudError;
use crate::service::{ServiceClient, ServiceError};

/// A cloud-key service at a base URL (the client's [`ServiceClient`] plus device signatures).
#[derive(Debug, Clone)]
pub struct CloudHttp {
    service: ServiceClient,
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

impl From<ServiceError> for CloudError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::BadUrl { url } => Self::BadUrl { url },
            ServiceError::Unreachable { url, reason } => Self::Unreachable { url, reason },
            ServiceError::Problem {
                status,
                code,
                title,
                detail,
                tries_left,
                retry_after,
                ..
            } => Self::Service {
                status,
                code,
                detail: detail.unwrap_or(title),
                tries_left,
                retry_after,
            },
            other => Self::Protocol(other.to_string()),
        }
    }
}

impl CloudHttp {
    /// A client for `url` (`https://…`, or `http://` on a loopback host).
    pub fn new(url: &str) -> Result<Self, CloudError> {
        Ok(Self {
            service: ServiceClient::new(url, None)?,
        })
    }

    /// The base URL without a trailing `/`.
    pub fn url(&self) -> &str {
        self.service.url()
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

    /// Any method; `T = ()` accepts an empty answer (204). With [`Auth::Device`] the device key
    /// signs method, path (with its query string), time, a fresh nonce, session and the exact
    /// body bytes sent.
    pub fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
        auth: Auth<'_>,
    ) -> Result<T, CloudError> {
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| CloudError::Protocol(e.to_string()))?;
        let (bearer, headers) = match auth {
            Auth::None => (None, Vec::new()),
            Auth::Session(token) => (Some(token), Vec::new()),
            Auth::Device(token, key) => {
                let time = unix_now();
                // Fresh for every request: the service accepts each signed request once.
                let nonce = hex::encode(tessera_crypto::rng::bytes::<16>()?);
                let signed = wire::device_signed_bytes(
                    method,
                    path,
                    time,
                    &nonce,
                    token,
                    bytes.as_deref().unwrap_or_default(),
                );
                let sig = key.sign(DEFAULT_ID, &signed)?.to_der();
                let headers = vec![
                    (wire::DEVICE_TIME_HEADER, time.to_string()),
                    (wire::DEVICE_NONCE_HEADER, nonce),
                    (wire::DEVICE_SIGNATURE_HEADER, hex::encode(sig)),
                ];
                (Some(token), headers)
            }
        };
        Ok(self.service.send(method, path, bytes, bearer, &headers)?)
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
