//! The native HTTP transport under the core: reqwest's blocking client over rustls (ring), with
//! the system roots plus an optional extra CA. [`install`] puts it in place for the process;
//! the CLI does so at start, and so does every test that reaches a service through the core.

use std::io::Read as _;
use std::sync::Arc;

use tessera_core::net::{ConnectOptions, Connector, Request, Response, Transport, TransportError};

/// Installs the native connector for this process (a second call keeps the first).
pub fn install() {
    // reqwest is built without a default TLS provider; the first caller installs ring's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tessera_core::net::install(Box::new(Native));
}

/// Makes [`NativeTransport`]s.
struct Native;

impl Connector for Native {
    fn connect(&self, options: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(options.timeout)
            .user_agent(options.user_agent.clone());
        if let Some(pem) = &options.extra_roots_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(failed)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        Ok(Arc::new(NativeTransport {
            http: builder.build().map_err(failed)?,
            max_body: options.max_body,
        }))
    }
}

/// One reqwest client: its connection pool serves every request of a service client.
#[derive(Debug)]
struct NativeTransport {
    http: reqwest::blocking::Client,
    max_body: u64,
}

impl Transport for NativeTransport {
    fn send(&self, request: Request<'_>) -> Result<Response, TransportError> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(failed)?;
        let mut builder = self
            .http
            .request(method, request.url)
            .header(reqwest::header::ACCEPT, "application/json");
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = builder.send().map_err(failed)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .take(self.max_body)
            .read_to_end(&mut body)
            .map_err(failed)?;
        Ok(Response::new(status, body))
    }
}

/// The error and its sources on one line (reqwest's own text hides the cause).
fn failed(e: impl std::error::Error) -> TransportError {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    TransportError::Failed { reason }
}
