//! An SMS sender that posts to an HTTP gateway: URL, headers and a body template from config.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{SendFuture, SmsError, SmsSender};
use crate::phone::PhoneNumber;

/// Config section `[sms.gateway]`.
///
/// In `body_template`, `{phone}` and `{text}` are replaced by the number and the message,
/// each escaped as the inside of a JSON string, so a JSON template stays JSON. Its `Debug`
/// names the headers but never shows their values (API keys live there).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Endpoint, `https://…` (or `http://127.0.0.1…` for tests).
    pub url: String,
    /// Extra request headers, e.g. an API key.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body with `{phone}` and `{text}` placeholders.
    pub body_template: String,
    /// `Content-Type` of the body.
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// Seconds before giving up on the gateway.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: BTreeMap<&str, &str> =
            self.headers.keys().map(|k| (k.as_str(), "***")).collect();
        f.debug_struct("GatewayConfig")
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_template", &self.body_template)
            .field("content_type", &self.content_type)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

fn default_content_type() -> String {
    "application/json".into()
}

fn default_timeout() -> u64 {
    10
}

/// Sends through an HTTP gateway; any non-2xx answer is a [`SmsError::Send`].
#[derive(Debug, Clone)]
pub struct HttpGateway {
    config: GatewayConfig,
    client: reqwest::Client,
}

/// The inside of a JSON string literal holding `s`.
fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or("")
        .to_owned()
}

impl HttpGateway {
    /// A gateway client for `config` (rustls with the ring provider, webpki roots of the OS).
    pub fn new(config: GatewayConfig) -> Result<Self, SmsError> {
        // Already installed is fine: some provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .map_err(|e| SmsError::Send(format!("gateway client: {e}")))?;
        Ok(Self { config, client })
    }

    /// The body that would be sent.
    pub fn render_body(&self, to: &PhoneNumber, text: &str) -> String {
        self.config
            .body_template
            .replace("{phone}", &json_escape(to.as_str()))
            .replace("{text}", &json_escape(text))
    }
}

impl SmsSender for HttpGateway {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let mut request = self
                .client
                .post(&self.config.url)
                .header(reqwest::header::CONTENT_TYPE, &self.config.content_type)
                .body(self.render_body(to, text));
            for (name, value) in &self.config.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let response = request
                .send()
                .await
                .map_err(|e| SmsError::Send(e.without_url().to_string()))?;
            let status = response.status();
            if status.is_success() {
                tracing::info!(phone = ?to, status = status.as_u16(), "sms sent through gateway");
                Ok(())
            } else {
                Err(SmsError::Send(format!("gateway answered {status}")))
            }
        })
    }
}
