//! How the core reaches a service without an HTTP stack of its own: the face supplies a
//! [`Connector`] (natively reqwest with rustls, in the `tessera` crate; in the phone app the
//! browser's fetch), and [`crate::service::ServiceClient`] speaks JSON and problem documents
//! (RFC 9457) over the [`Transport`] it makes.
//!
//! The connector is installed once per process, as rustls installs its crypto provider: the
//! faces call [`install`] at start, and every flow that reaches a service finds it there.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// One HTTP request, as the service client builds it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Request<'a> {
    /// `GET`, `POST`, `PUT`, `DELETE`.
    pub method: &'a str,
    /// The whole URL (`https://…`, or `http://` on a loopback host).
    pub url: String,
    /// Headers besides `Accept: application/json` and `User-Agent`, which the transport sets.
    pub headers: Vec<(&'a str, String)>,
    /// The JSON body, sent with `Content-Type: application/json`.
    pub body: Option<Vec<u8>>,
}

/// An HTTP answer: its status and at most [`ConnectOptions::max_body`] bytes of its body.
#[derive(Debug)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body, read up to the limit.
    pub body: Vec<u8>,
}

impl Response {
    /// An answer with this status and body (for transports outside this crate).
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        Self { status, body }
    }
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No connector was installed: a face forgot to call [`install`].
    #[error("no HTTP transport is installed in this program")]
    NotInstalled,
    /// Connection refused, DNS, TLS, timeout, or an extra CA that does not parse.
    #[error("{reason}")]
    Failed {
        /// The error and its causes on one line.
        reason: String,
    },
}

/// How a transport is made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// PEM certificates trusted besides the system roots (a service started with
    /// `--tls auto` has its own CA).
    pub extra_roots_pem: Option<Vec<u8>>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Largest body read from an answer; the rest is dropped.
    pub max_body: u64,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            extra_roots_pem: None,
            timeout: Duration::from_secs(30),
            max_body: 4 * 1024 * 1024,
            user_agent: concat!("tessera/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Sends requests (blocking: the core's flows are sequential; an async face runs them on a
/// blocking thread).
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and reads the answer.
    fn send(&self, request: Request<'_>) -> Result<Response, TransportError>;
}

/// Makes transports: the face's HTTP stack.
pub trait Connector: Send + Sync {
    /// A transport with these options.
    fn connect(&self, options: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError>;
}

static CONNECTOR: OnceLock<Box<dyn Connector>> = OnceLock::new();

/// Installs the process's connector. Returns `false` (and keeps the first) when one was
/// installed already, so faces and tests may both call it.
pub fn install(connector: Box<dyn Connector>) -> bool {
    CONNECTOR.set(connector).is_ok()
}

/// A transport from the installed connector.
pub fn connect(options: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
    CONNECTOR
        .get()
        .ok_or(TransportError::NotInstalled)?
        .connect(options)
}
