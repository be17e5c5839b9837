//! Drives the cloud-key API of a spawned `tessera-server` binary over a real socket on
//! 127.0.0.1, as a client would: apply, operator approval, login, device binding, two-party key
//! generation, co-signing. Shared by `tests/cloud_spawn.rs` and `benches/cosign_http.rs`.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tessera_crypto::sm2::two_party::{ClientShare, ClientSigning, PartialSignature};
use tessera_crypto::sm2::{DEFAULT_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature};
use tessera_proto::cloud as wire;

/// A running service; killed on drop.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) admin_token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bin` with `--data-dir data` on a random port; the log (stderr) goes to `log`.
pub(crate) fn spawn(bin: &str, data: &Path, log: &Path, rust_log: &str) -> Server {
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("TESSERA_DATABASE_URL")
        .env("RUST_LOG", rust_log)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    // Keep draining stdout so the banner never blocks the server.
    std::thread::spawn(move || for _ in stdout.lines() {});
    let url = first
        .trim()
        .strip_prefix("tessera-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    // The token file is written just after the first line; the CA a moment later.
    let mut admin_token = String::new();
    for _ in 0..600 {
        if let Ok(t) = std::fs::read_to_string(data.join("admin-token"))
            && !t.trim().is_empty()
        {
            admin_token = t.trim().to_owned();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!admin_token.is_empty(), "no admin token written");
    Server {
        child,
        url,
        admin_token,
    }
}

/// `RequestBuilder::json` without reqwest's `json` feature.
pub(crate) trait JsonBody {
    fn json_body(self, v: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, v: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }
}

pub(crate) fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build()
        .unwrap()
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A logged-in user with a bound device and a two-party key.
pub(crate) struct User {
    pub(crate) org: String,
    pub(crate) id: String,
    pub(crate) session: String,
    pub(crate) device: Sm2PrivateKey,
    pub(crate) d1: ClientShare,
    pub(crate) public: Sm2PublicKey,
}

/// A request with its device signature, ready to send.
pub(crate) fn signed(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    session: &str,
    device: &Sm2PrivateKey,
    body: &Value,
) -> reqwest::RequestBuilder {
    let bytes = body.to_string().into_bytes();
    let now = unix_now();
    let nonce = hex::encode(tessera_crypto::rng::bytes::<16>().unwrap());
    let to_sign = wire::device_signed_bytes("POST", path, now, &nonce, session, &bytes);
    let sig = device.sign(DEFAULT_ID, &to_sign).unwrap().to_der();
    http.post(format!("{url}{path}"))
        .bearer_auth(session)
        .header("content-type", "application/json")
        .header(wire::DEVICE_TIME_HEADER, now.to_string())
        .header(wire::DEVICE_NONCE_HEADER, nonce)
        .header(wire::DEVICE_SIGNATURE_HEADER, hex::encode(sig))
        .body(bytes)
}

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// Applies as `user_id` in the first organization, approves as the operator, logs in, binds a
/// fresh device key and makes the two-party key.
pub(crate) async fn new_user(
    http: &reqwest::Client,
    s: &Server,
    user_id: &str,
    password: &str,
) -> User {
    let orgs = ok(http
        .get(format!("{}/v1/cloud/orgs", s.url))
        .send()
        .await
        .unwrap())
    .await;
    let org = orgs[0]["code"].as_str().unwrap().to_owned();
    let account = ok(http
        .post(format!("{}/v1/cloud/accounts", s.url))
        .json_body(&json!({"org": org, "user_id": user_id, "name": "王护士", "phone": "13700000001", "password": password}))
        .send()
        .await
        .unwrap())
    .await;
    let id = account["id"].as_str().unwrap().to_owned();
    ok(http
        .post(format!("{}/v1/admin/cloud/accounts/{id}/approve", s.url))
        .bearer_auth(&s.admin_token)
        .send()
        .await
        .unwrap())
    .await;
    let login = ok(http
        .post(format!("{}/v1/cloud/login", s.url))
        .json_body(&json!({"org": org, "user_id": user_id, "password": password}))
        .send()
        .await
        .unwrap())
    .await;
    let session = login["session"].as_str().unwrap().to_owned();
    let device = Sm2PrivateKey::generate().unwrap();
    ok(http
        .post(format!("{}/v1/cloud/accounts/{id}/device", s.url))
        .bearer_auth(&session)
        .json_body(&json!({"public_key": hex::encode(device.public_key().to_sec1_uncompressed())}))
        .send()
        .await
        .unwrap())
    .await;
    let (d1, p1) = ClientShare::generate().unwrap();
    let path = format!("/v1/cloud/accounts/{id}/key");
    let made = ok(signed(
        http,
        &s.url,
        &path,
        &session,
        &device,
        &json!({"p1": hex::encode(p1)}),
    )
    .send()
    .await
    .unwrap())
    .await;
    let public =
        Sm2PublicKey::from_sec1_bytes(&hex::decode(made["public_key"].as_str().unwrap()).unwrap())
            .unwrap();
    User {
        org,
        id,
        session,
        device,
        d1,
        public,
    }
}

/// The answer of the service to a sign request, as the client's math takes it.
pub(crate) fn partial(answer: &Value) -> PartialSignature {
    let h = |k: &str| -> [u8; 32] {
        hex::decode(answer[k].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    PartialSignature {
        r: h("r"),
        s2: h("s2"),
        s3: h("s3"),
    }
}

/// One whole co-signature of `msg`, verified by the client.
pub(crate) async fn cosign(
    http: &reqwest::Client,
    s: &Server,
    u: &User,
    msg: &[u8],
) -> Sm2Signature {
    let (state, req) = ClientSigning::start(&u.public, DEFAULT_ID, msg).unwrap();
    let path = format!("/v1/cloud/accounts/{}/sign", u.id);
    let body = json!({"e": hex::encode(req.e), "q1": hex::encode(req.q1)});
    let answer = ok(signed(http, &s.url, &path, &u.session, &u.device, &body)
        .send()
        .await
        .unwrap())
    .await;
    state.finish(&u.d1, &partial(&answer)).unwrap()
}
