//! A real `tessera-server` for client tests: the library served on a random 127.0.0.1 port in
//! this process, so a test can read the SMS outbox and draw captchas whose answer it knows, and
//! move the service's clock. A root CA, the cloud-key master key, the demo organization and
//! project (with its signed enrollment QR) and an admin token are set up as at a first start.

#![allow(dead_code, reason = "each test binary uses a part of its support")]
use std::sync::Arc;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_server::ca::{Ca, MasterKey};
use tessera_server::clock::{Clock as _, ManualClock};
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts};
use tessera_x509::issue::CaAlgorithm;

/// The admin token of every test service.
pub(crate) const ADMIN: &str = "test-admin-token";

/// A service served on the current tokio runtime ([`serve`]).
pub(crate) struct Served {
    pub(crate) url: String,
    pub(crate) state: AppState,
    pub(crate) clock: ManualClock,
    /// The demo project's enrollment QR text.
    pub(crate) qr_text: String,
}

/// A running service with its own runtime ([`start`]), for tests that are not async.
pub(crate) struct Service {
    pub(crate) served: Served,
    pub(crate) runtime: tokio::runtime::Runtime,
}

impl std::ops::Deref for Service {
    type Target = Served;

    fn deref(&self) -> &Served {
        &self.served
    }
}

/// Serves a service on the current tokio runtime; `setup` adds organizations and projects and
/// may change the state's parts (e.g. SMS limits) before the state is built.
pub(crate) async fn serve(setup: impl AsyncFnOnce(&Store, &mut StateParts)) -> Served {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let clock = ManualClock::new(time::OffsetDateTime::now_utc().unix_timestamp());
    let store = Store::open_memory().await.unwrap();
    let hash: [u8; 32] = Sha256::digest(ADMIN.as_bytes()).into();
    store.add_admin_token("test", &hash, 0).await.unwrap();
    let mut parts = StateParts::ephemeral(store.clone()).unwrap();
    parts.clock = Arc::new(clock.clone());
    parts.public_url = url.clone();
    let dir = tempfile::tempdir().unwrap();
    let first = tessera_server::bootstrap::first_start(
        &store,
        dir.path(),
        &parts.service_key,
        &url,
        &clock,
    )
    .await
    .unwrap()
    .unwrap();
    setup(&store, &mut parts).await;
    let state = AppState::new(parts);
    let master = MasterKey::from_bytes([9; 32]);
    let (ca, _) = Ca::load_or_create(&store, &master, CaAlgorithm::Sm2, &url, clock.now())
        .await
        .unwrap();
    state.ca.install(Arc::new(ca));
    state.cloud.install(Arc::new(master), &store);
    let app = tessera_server::app(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, app).await.unwrap();
    });
    Served {
        url,
        state,
        clock,
        qr_text: first.qr_text,
    }
}

/// Starts a service on a runtime of its own ([`serve`]).
pub(crate) fn start(setup: impl AsyncFnOnce(&Store, &mut StateParts)) -> Service {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let served = runtime.block_on(serve(setup));
    Service { served, runtime }
}

impl Served {
    /// The code in the newest SMS to `phone`.
    pub(crate) async fn newest_code(&self, phone: &str) -> String {
        let msgs = self.state.store.outbox_after(0, 10_000).await.unwrap();
        let body = &msgs.iter().rev().find(|m| m.phone == phone).unwrap().body;
        body.chars().filter(char::is_ascii_digit).take(6).collect()
    }

    /// A captcha drawn by the service, with its answer: (id, answer).
    pub(crate) async fn new_captcha(&self) -> (String, String) {
        let c = self.state.captchas.issue().await.unwrap();
        (c.challenge.id, c.answer)
    }
}

impl Service {
    /// The code in the newest SMS to `phone`.
    pub(crate) fn last_code(&self, phone: &str) -> String {
        self.runtime.block_on(self.served.newest_code(phone))
    }

    /// A captcha drawn by the service, with its answer: (id, answer).
    pub(crate) fn captcha(&self) -> (String, String) {
        self.runtime.block_on(self.served.new_captcha())
    }

    /// An admin API call with the admin token; the answer must be a success.
    pub(crate) fn admin(&self, method: &str, path: &str) -> Value {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::new();
        let url = format!("{}{path}", self.url);
        let req = match method {
            "GET" => client.get(url),
            _ => client.post(url),
        };
        let res = req.bearer_auth(ADMIN).send().unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().unwrap()
    }

    /// Asks the service for an SMS code, as a client would.
    pub(crate) fn send_code(&self, phone: &str, purpose: &str) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let res = reqwest::blocking::Client::new()
            .post(format!("{}/v1/sms/code", self.url))
            .json(&serde_json::json!({"phone": phone, "purpose": purpose}))
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), 202);
    }
}
