//! The cloud-key area through `app(state).oneshot(…)`: the whole account and two-party flow
//! (on SQLite and PostgreSQL), co-signed signatures checked by `openssl pkeyutl`, co-decryption
//! of `openssl pkeyutl -encrypt` output, 403 on every account route for another user's session
//! and on every key route without a device signature, 400 for bad points, lockout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests"
)]

mod support {
    pub(crate) mod pg;
}

use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera_crypto::sm2::two_party::{
    ClientDecryption, ClientShare, ClientSigning, PartialSignature,
};
use tessera_crypto::sm2::{CiphertextFormat, DEFAULT_ID, Sm2PrivateKey, Sm2PublicKey};
use tessera_proto::cloud as wire;
use tessera_server::ca::{Ca, MasterKey};
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts, app};
use tessera_x509::issue::CaAlgorithm;
use tower::ServiceExt as _;

const TOKEN: &str = "test-admin-token";
const PASSWORD: &str = "correct horse 42";

async fn state(store: Store) -> AppState {
    let hash: [u8; 32] = Sha256::digest(TOKEN.as_bytes()).into();
    let _ = store.add_admin_token("test", &hash, 0).await;
    let _ = store.create_organization("HOSP", "某某医院", 0).await;
    let state = AppState::new(StateParts::ephemeral(store.clone()).unwrap());
    let master = MasterKey::from_bytes([9; 32]);
    let (ca, _) = Ca::load_or_create(
        &store,
        &master,
        CaAlgorithm::Sm2,
        "http://127.0.0.1",
        time_now(),
    )
    .await
    .unwrap();
    state.ca.install(Arc::new(ca));
    state.cloud.install(Arc::new(master), &store);
    state
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Admin,
    Session(&'a str),
    Device(&'a str, &'a Sm2PrivateKey),
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<Value>,
    auth: Auth<'_>,
) -> (StatusCode, Value) {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let mut req = Request::builder().method(method).uri(uri);
    match auth {
        Auth::None => {}
        Auth::Admin => req = req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}")),
        Auth::Session(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Auth::Device(t, key) => {
            let now = time_now();
            let signed = wire::device_signed_bytes(method, uri, now, t, &bytes);
            let sig = key.sign(DEFAULT_ID, &signed).unwrap().to_der();
            req = req
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .header(wire::DEVICE_TIME_HEADER, now.to_string())
                .header(wire::DEVICE_SIGNATURE_HEADER, hex::encode(sig));
        }
    }
    if !bytes.is_empty() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let res = app(state.clone())
        .oneshot(req.body(Body::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A user with an approved account, a session, a bound device and a two-party key.
struct User {
    id: String,
    session: String,
    device: Sm2PrivateKey,
    d1: ClientShare,
    public: Sm2PublicKey,
}

async fn approved_user(state: &AppState, user_id: &str) -> (String, String) {
    let (s, body) = call(
        state,
        "POST",
        "/v1/cloud/accounts",
        Some(json!({"org": "HOSP", "user_id": user_id, "name": "张三", "phone": "13800138000", "password": PASSWORD})),
        Auth::None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["status"], "pending");
    let login = json!({"org": "HOSP", "user_id": user_id, "password": PASSWORD});
    let (s, body) = call(
        state,
        "POST",
        "/v1/cloud/login",
        Some(login.clone()),
        Auth::None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "account_not_approved", "{body}");
    let (s, _) = call(
        state,
        "POST",
        &format!("/v1/admin/cloud/accounts/{id}/approve"),
        None,
        Auth::Admin,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = call(state, "POST", "/v1/cloud/login", Some(login), Auth::None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    (id, body["session"].as_str().unwrap().to_owned())
}

async fn user_with_key(state: &AppState, user_id: &str) -> User {
    let (id, session) = approved_user(state, user_id).await;
    let device = Sm2PrivateKey::generate().unwrap();
    let (s, _) = call(
        state,
        "POST",
        &format!("/v1/cloud/accounts/{id}/device"),
        Some(json!({"public_key": hex::encode(device.public_key().to_sec1_uncompressed())})),
        Auth::Session(&session),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (d1, p1) = ClientShare::generate().unwrap();
    let (s, body) = call(
        state,
        "POST",
        &format!("/v1/cloud/accounts/{id}/key"),
        Some(json!({"p1": hex::encode(p1)})),
        Auth::Device(&session, &device),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let public =
        Sm2PublicKey::from_sec1_bytes(&hex::decode(body["public_key"].as_str().unwrap()).unwrap())
            .unwrap();
    User {
        id,
        session,
        device,
        d1,
        public,
    }
}

async fn cosign(state: &AppState, u: &User, msg: &[u8]) -> Vec<u8> {
    let (st, req) = ClientSigning::start(&u.public, DEFAULT_ID, msg).unwrap();
    let (s, body) = call(
        state,
        "POST",
        &format!("/v1/cloud/accounts/{}/sign", u.id),
        Some(json!({"e": hex::encode(req.e), "q1": hex::encode(req.q1)})),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let h = |k: &str| -> [u8; 32] {
        hex::decode(body[k].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    let answer = PartialSignature {
        r: h("r"),
        s2: h("s2"),
        s3: h("s3"),
    };
    st.finish(&u.d1, &answer).unwrap().to_der()
}

fn openssl(dir: &std::path::Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .status()
        .expect("openssl on PATH")
        .success()
}

async fn full_flow(store: Store) {
    let state = state(store).await;
    let u = user_with_key(&state, "E1001").await;
    // The certificate comes from a CSR co-signed with the joint key.
    // The request info is built once to learn what to sign, then again with the signature.
    let mut tbs = Vec::new();
    tessera_media::sm2_request_signed_by(&u.public, "CN=ignored", |info| {
        tbs = info.to_vec();
        Ok(Vec::new())
    })
    .unwrap();
    let sig = cosign(&state, &u, &tbs).await;
    let csr = tessera_media::sm2_request_signed_by(&u.public, "CN=ignored", |_| Ok(sig)).unwrap();
    let csr_pem =
        pem_rfc7468::encode_string("CERTIFICATE REQUEST", pem_rfc7468::LineEnding::LF, &csr)
            .unwrap();
    let uri = format!("/v1/cloud/accounts/{}/certificate", u.id);
    let (s, cert) = call(
        &state,
        "POST",
        &uri,
        Some(json!({"csr_pem": csr_pem})),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{cert}");
    let (s, again) = call(&state, "GET", &uri, None, Auth::Session(&u.session)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["serial"], cert["serial"]);

    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(p("cert.pem"), cert["certificate_pem"].as_str().unwrap()).unwrap();
    let subject = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8",
            "-in",
            &p("cert.pem"),
        ])
        .output()
        .unwrap();
    let subject = String::from_utf8(subject.stdout).unwrap();
    assert!(
        subject.contains("张三") && subject.contains("E1001"),
        "{subject}"
    );
    std::fs::write(
        p("pub.pem"),
        pem_rfc7468::encode_string(
            "PUBLIC KEY",
            pem_rfc7468::LineEnding::LF,
            &u.public.to_spki_der().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    for (i, msg) in [b"".as_slice(), b"prescription #1", &[0xa5; 4096]]
        .iter()
        .enumerate()
    {
        let sig = cosign(&state, &u, msg).await;
        std::fs::write(p(&format!("m{i}")), msg).unwrap();
        std::fs::write(p(&format!("s{i}")), &sig).unwrap();
        assert!(
            openssl(
                dir.path(),
                &[
                    "pkeyutl",
                    "-verify",
                    "-rawin",
                    "-digest",
                    "sm3",
                    "-certin",
                    "-inkey",
                    &p("cert.pem"),
                    "-in",
                    &p(&format!("m{i}")),
                    "-sigfile",
                    &p(&format!("s{i}")),
                    "-pkeyopt",
                    "distid:1234567812345678",
                ]
            ),
            "openssl rejects co-signed signature {i}"
        );
    }
    // Co-decryption of what OpenSSL encrypts to the certificate's key.
    std::fs::write(p("plain"), "病历摘要 summary").unwrap();
    assert!(openssl(
        dir.path(),
        &[
            "pkeyutl",
            "-encrypt",
            "-certin",
            "-inkey",
            &p("cert.pem"),
            "-in",
            &p("plain"),
            "-out",
            &p("ct")
        ]
    ));
    let ct = std::fs::read(p("ct")).unwrap();
    let (st, t1) = ClientDecryption::start(&u.d1, &ct, CiphertextFormat::Der).unwrap();
    let (s, body) = call(
        &state,
        "POST",
        &format!("/v1/cloud/accounts/{}/decrypt", u.id),
        Some(json!({"t1": hex::encode(t1)})),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let plain = st
        .finish(&hex::decode(body["t2"].as_str().unwrap()).unwrap())
        .unwrap();
    assert_eq!(plain.as_slice(), "病历摘要 summary".as_bytes());

    // A second key generation is refused; the device cannot be swapped silently.
    let (d1b, p1b) = ClientShare::generate().unwrap();
    drop(d1b);
    let (s, _) = call(
        &state,
        "POST",
        &format!("/v1/cloud/accounts/{}/key", u.id),
        Some(json!({"p1": hex::encode(p1b)})),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Signature image, app sessions, password change, audit.
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::new(4, 2)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    use base64::Engine as _;
    let img = base64::engine::general_purpose::STANDARD.encode(&png);
    let uri = format!("/v1/cloud/accounts/{}/signature-image", u.id);
    let (s, _) = call(
        &state,
        "PUT",
        &uri,
        Some(json!({"png_base64": img})),
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = call(&state, "GET", &uri, None, Auth::Session(&u.session)).await;
    assert_eq!(
        (s, body["png_base64"].as_str().unwrap()),
        (StatusCode::OK, img.as_str())
    );
    let (s, _) = call(
        &state,
        "PUT",
        &uri,
        Some(json!({"png_base64": "aGVsbG8="})),
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let big =
        base64::engine::general_purpose::STANDARD.encode(vec![0u8; wire::MAX_SIGNATURE_IMAGE + 1]);
    let (s, _) = call(
        &state,
        "PUT",
        &uri,
        Some(json!({"png_base64": big})),
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    let uri = format!("/v1/cloud/accounts/{}/app-sessions", u.id);
    for app_name in ["HIS", "EMR"] {
        let (s, _) = call(
            &state,
            "POST",
            &uri,
            Some(json!({"app_id": app_name.to_lowercase(), "app_name": app_name})),
            Auth::Session(&u.session),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, list) = call(&state, "GET", &uri, None, Auth::Session(&u.session)).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let first = list[0]["id"].as_str().unwrap().to_owned();
    let (s, _) = call(
        &state,
        "DELETE",
        &format!("{uri}/{first}"),
        None,
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = call(&state, "GET", &uri, None, Auth::Session(&u.session)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _) = call(&state, "DELETE", &uri, None, Auth::Session(&u.session)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = call(&state, "GET", &uri, None, Auth::Session(&u.session)).await;
    assert!(list.as_array().unwrap().is_empty());

    let (s, _) = call(
        &state,
        "POST",
        &format!("/v1/cloud/accounts/{}/password", u.id),
        Some(json!({"old": PASSWORD, "new": "new password 7"})),
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Changing the password ends the sessions.
    let (s, _) = call(
        &state,
        "GET",
        &format!("/v1/cloud/accounts/{}", u.id),
        None,
        Auth::Session(&u.session),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(
        &state,
        "POST",
        "/v1/cloud/login",
        Some(json!({"org": "HOSP", "user_id": "E1001", "password": "new password 7"})),
        Auth::None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let (_, audit) = call(&state, "GET", "/v1/admin/audit", None, Auth::Admin).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for a in [
        "cloud.account.apply",
        "cloud.account.approved",
        "cloud.login",
        "cloud.device.bind",
        "cloud.key.generate",
        "cloud.certificate.issue",
        "cloud.sign",
        "cloud.decrypt",
        "cloud.password.change",
    ] {
        assert!(actions.contains(&a), "no audit row {a}: {actions:?}");
    }
}

#[tokio::test]
async fn full_flow_on_sqlite() {
    full_flow(Store::open_memory().await.unwrap()).await;
}

/// A file database has a pool to spare, so the audit writer and the session lookups keep
/// connections of their own.
#[tokio::test]
async fn full_flow_on_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    full_flow(
        Store::open_sqlite(&dir.path().join("t.sqlite3"))
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn full_flow_on_postgres() {
    let Some(cluster) = support::pg::PgCluster::start() else {
        return;
    };
    let url = cluster.database("tessera_cloud").await;
    full_flow(Store::connect(&url).await.unwrap()).await;
}

/// Every route under `/v1/cloud/accounts/{id}`, with a body that would be accepted.
fn account_routes(
    id: &str,
    p1: &str,
    q1: &str,
) -> Vec<(&'static str, String, Option<Value>, bool)> {
    let a = |s: &str| format!("/v1/cloud/accounts/{id}{s}");
    // (method, uri, body, needs a device signature)
    vec![
        ("GET", a(""), None, false),
        (
            "POST",
            a("/password"),
            Some(json!({"old": PASSWORD, "new": "other pass 99"})),
            false,
        ),
        (
            "POST",
            a("/phone"),
            Some(json!({"phone": "13900139000", "code": "123456"})),
            false,
        ),
        ("POST", a("/device"), Some(json!({"public_key": p1})), false),
        ("GET", a("/signature-image"), None, false),
        (
            "PUT",
            a("/signature-image"),
            Some(json!({"png_base64": ""})),
            false,
        ),
        ("GET", a("/app-sessions"), None, false),
        (
            "POST",
            a("/app-sessions"),
            Some(json!({"app_id": "x", "app_name": "X"})),
            false,
        ),
        ("DELETE", a("/app-sessions"), None, false),
        ("DELETE", a("/app-sessions/abc"), None, false),
        ("GET", a("/certificate"), None, false),
        (
            "POST",
            a("/certificate"),
            Some(json!({"csr_pem": ""})),
            true,
        ),
        ("POST", a("/key"), Some(json!({"p1": p1})), true),
        (
            "POST",
            a("/sign"),
            Some(json!({"e": "00".repeat(32), "q1": q1})),
            true,
        ),
        ("POST", a("/decrypt"), Some(json!({"t1": q1})), true),
    ]
}

#[tokio::test]
async fn another_users_session_or_no_device_signature_is_403_on_every_route() {
    let state = state(Store::open_memory().await.unwrap()).await;
    let alice = user_with_key(&state, "alice").await;
    let bob = user_with_key(&state, "bob").await;
    let point = hex::encode(ClientShare::generate().unwrap().1);
    let routes = account_routes(&alice.id, &point, &point);
    let router_paths = tessera_server::api::openapi::document();
    let documented = router_paths
        .paths
        .paths
        .keys()
        .filter(|p| p.starts_with("/v1/cloud/accounts/{id}"))
        .count();
    let distinct: std::collections::BTreeSet<String> = routes
        .iter()
        .map(|(_, u, _, _)| u.replace(&alice.id, "{id}").replace("/abc", "/{sid}"))
        .collect();
    assert_eq!(
        distinct.len(),
        documented,
        "the table covers every documented account route"
    );
    for (method, uri, body, needs_device) in &routes {
        // Bob's session, even with Bob's valid device signature, on Alice's account.
        let (s, b) = call(
            &state,
            method,
            uri,
            body.clone(),
            Auth::Session(&bob.session),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{method} {uri} with another user's session: {b}"
        );
        let (s, b) = call(
            &state,
            method,
            uri,
            body.clone(),
            Auth::Device(&bob.session, &bob.device),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{method} {uri} with another user's device: {b}"
        );
        // No session at all.
        let (s, _) = call(&state, method, uri, body.clone(), Auth::None).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{method} {uri} without a session"
        );
        if *needs_device {
            // Alice's own session without her device signature, or signed by another key.
            let (s, b) = call(
                &state,
                method,
                uri,
                body.clone(),
                Auth::Session(&alice.session),
            )
            .await;
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "{method} {uri} without device signature: {b}"
            );
            assert_eq!(b["code"], "device_signature");
            let (s, b) = call(
                &state,
                method,
                uri,
                body.clone(),
                Auth::Device(&alice.session, &bob.device),
            )
            .await;
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "{method} {uri} with a foreign device key: {b}"
            );
            // Each refused device signature counts towards the lock (tested below); start
            // every route from the same state.
            state.store.cloud_login_ok(&alice.id).await.unwrap();
        }
    }
    // A device signature made for another session does not carry over.
    let uri = format!("/v1/cloud/accounts/{}/sign", alice.id);
    let body = json!({"e": "00".repeat(32), "q1": point}).to_string();
    let now = time_now();
    let signed =
        wire::device_signed_bytes("POST", &uri, now, "some-other-session", body.as_bytes());
    let sig = alice.device.sign(DEFAULT_ID, &signed).unwrap().to_der();
    let req = Request::builder()
        .method("POST")
        .uri(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", alice.session))
        .header(header::CONTENT_TYPE, "application/json")
        .header(wire::DEVICE_TIME_HEADER, now.to_string())
        .header(wire::DEVICE_SIGNATURE_HEADER, hex::encode(sig))
        .body(Body::from(body))
        .unwrap();
    assert_eq!(
        app(state.clone()).oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Alice's own device works.
    state.store.cloud_login_ok(&alice.id).await.unwrap();
    cosign(&state, &alice, b"still fine").await;
}

#[tokio::test]
async fn refused_device_signatures_lock_the_key_like_wrong_passwords() {
    let state = state(Store::open_memory().await.unwrap()).await;
    let u = user_with_key(&state, "stolen").await;
    let thief = Sm2PrivateKey::generate().unwrap();
    let (_, q1) = ClientShare::generate().unwrap();
    let uri = format!("/v1/cloud/accounts/{}/sign", u.id);
    let body = json!({"e": "11".repeat(32), "q1": hex::encode(q1)});
    for _ in 0..5 {
        let (s, b) = call(
            &state,
            "POST",
            &uri,
            Some(body.clone()),
            Auth::Device(&u.session, &thief),
        )
        .await;
        assert_eq!(
            (s, b["code"].as_str().unwrap()),
            (StatusCode::FORBIDDEN, "device_signature")
        );
    }
    // Locked: the right device is refused too, and so is the password.
    let (s, b) = call(
        &state,
        "POST",
        &uri,
        Some(body),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "account_locked")
    );
    let (s, b) = call(
        &state,
        "POST",
        "/v1/cloud/login",
        Some(json!({"org": "HOSP", "user_id": "stolen", "password": PASSWORD})),
        Auth::None,
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "account_locked")
    );
}

#[tokio::test]
async fn malformed_or_off_curve_points_are_400() {
    let state = state(Store::open_memory().await.unwrap()).await;
    let u = user_with_key(&state, "pts").await;
    let (_, good) = ClientShare::generate().unwrap();
    let mut off = good;
    off[64] ^= 1;
    let mut compressed = vec![2 | (good[64] & 1)];
    compressed.extend_from_slice(&good[1..33]);
    let bad = [
        hex::encode(off),
        hex::encode(&compressed),
        hex::encode([0u8]),
        format!("04{}", "00".repeat(64)),
        hex::encode(&good[..64]),
        "zz".repeat(65),
        String::new(),
    ];
    for b in &bad {
        for (path, body) in [
            ("sign", json!({"e": "11".repeat(32), "q1": b})),
            ("decrypt", json!({"t1": b})),
        ] {
            let (s, body) = call(
                &state,
                "POST",
                &format!("/v1/cloud/accounts/{}/{path}", u.id),
                Some(body),
                Auth::Device(&u.session, &u.device),
            )
            .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{path} with {b}: {body}");
        }
    }
    // P1 at key generation, on a fresh account with a device.
    let (id, session) = approved_user(&state, "pts2").await;
    let device = Sm2PrivateKey::generate().unwrap();
    call(
        &state,
        "POST",
        &format!("/v1/cloud/accounts/{id}/device"),
        Some(json!({"public_key": hex::encode(device.public_key().to_sec1_uncompressed())})),
        Auth::Session(&session),
    )
    .await;
    for b in &bad {
        let (s, _) = call(
            &state,
            "POST",
            &format!("/v1/cloud/accounts/{id}/key"),
            Some(json!({"p1": b})),
            Auth::Device(&session, &device),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "P1 {b}");
        let (s, _) = call(
            &state,
            "POST",
            &format!("/v1/cloud/accounts/{id}/device"),
            Some(json!({"public_key": b})),
            Auth::Session(&session),
        )
        .await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::CONFLICT,
            "device key {b}"
        );
    }
    // A bad e is 400 too.
    let (s, _) = call(
        &state,
        "POST",
        &format!("/v1/cloud/accounts/{}/sign", u.id),
        Some(json!({"e": "11", "q1": hex::encode(good)})),
        Auth::Device(&u.session, &u.device),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_passwords_lock_the_account() {
    let state = state(Store::open_memory().await.unwrap()).await;
    approved_user(&state, "lock").await;
    let login = |p: &str| json!({"org": "HOSP", "user_id": "lock", "password": p});
    for left in (1..5).rev() {
        let (s, body) = call(
            &state,
            "POST",
            "/v1/cloud/login",
            Some(login("wrong password 1")),
            Auth::None,
        )
        .await;
        assert_eq!(
            (s, body["code"].as_str().unwrap()),
            (StatusCode::FORBIDDEN, "password_incorrect")
        );
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("{left} tries left")),
            "{body}"
        );
    }
    let (s, body) = call(
        &state,
        "POST",
        "/v1/cloud/login",
        Some(login("wrong password 1")),
        Auth::None,
    )
    .await;
    assert_eq!(
        (s, body["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "account_locked")
    );
    // Locked: even the right password is refused, and the counter is the service's.
    let (s, body) = call(
        &state,
        "POST",
        "/v1/cloud/login",
        Some(login(PASSWORD)),
        Auth::None,
    )
    .await;
    assert_eq!(
        (s, body["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "account_locked")
    );
    // An unknown user gets the same answer as a wrong password.
    let (s, body) = call(
        &state,
        "POST",
        "/v1/cloud/login",
        Some(json!({"org": "HOSP", "user_id": "nobody", "password": PASSWORD})),
        Auth::None,
    )
    .await;
    assert_eq!(
        (s, body["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "password_incorrect")
    );
}

#[tokio::test]
async fn directory_about_and_openapi() {
    let state = state(Store::open_memory().await.unwrap()).await;
    let (s, orgs) = call(&state, "GET", "/v1/cloud/orgs?q=hosp", None, Auth::None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(orgs[0]["code"], "HOSP");
    assert_eq!(orgs[0]["service_url"], "http://127.0.0.1");
    let (_, orgs) = call(&state, "GET", "/v1/cloud/orgs?q=医院", None, Auth::None).await;
    assert_eq!(orgs.as_array().unwrap().len(), 1);
    let (_, orgs) = call(&state, "GET", "/v1/cloud/orgs?q=zzz", None, Auth::None).await;
    assert!(orgs.as_array().unwrap().is_empty());
    let (s, about) = call(&state, "GET", "/v1/cloud/about", None, Auth::None).await;
    assert_eq!(
        (s, &about["cosign_url"]),
        (StatusCode::OK, &json!("http://127.0.0.1"))
    );
    let (_, doc) = call(&state, "GET", "/openapi.json", None, Auth::None).await;
    for p in [
        "/v1/cloud/accounts/{id}/sign",
        "/v1/cloud/login",
        "/v1/admin/cloud/accounts/{id}/approve",
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} missing from /openapi.json"
        );
    }
    assert!(doc["components"]["securitySchemes"]["device_signature"].is_object());
    // Admin listing needs the token.
    let (s, _) = call(&state, "GET", "/v1/admin/cloud/accounts", None, Auth::None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
