//! The CA area through the router: issue via the admin API and verify with openssl, revoke and
//! see the CRL list it (our validation says Revoked), keys sealed in the database, the same CA
//! after a restart.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera_server::ca::{Ca, MasterKey};
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts, app};
use tessera_testkit::openssl::ok_in as openssl;
use tessera_x509::issue::CaAlgorithm;
use tessera_x509::{ChainError, TrustStore, ValidationOptions, parse_certificates, validate};
use tower::ServiceExt as _;

const TOKEN: &str = "test-admin-token";
const DISTID: &str = "distid:1234567812345678";

async fn state_with_ca(store: Store, master: &MasterKey, alg: CaAlgorithm) -> (AppState, bool) {
    let hash: [u8; 32] = Sha256::digest(TOKEN.as_bytes()).into();
    let _ = store.add_admin_token("test", &hash, 0).await;
    let state = AppState::new(StateParts::ephemeral(store.clone()).unwrap());
    let (ca, created) =
        Ca::load_or_create(&store, master, alg, "http://127.0.0.1", state.clock.now())
            .await
            .unwrap();
    state.ca.install(std::sync::Arc::new(ca));
    (state, created)
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<Value>,
    admin: bool,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if admin {
        req = req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    let req = match body {
        Some(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, ct, body)
}

fn sm2_csr(dir: &Path) -> String {
    openssl(dir, &["genpkey", "-algorithm", "SM2", "-out", "k.pem"]);
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/C=CN/O=Tessera/CN=张三",
            "-utf8",
            "-sm3",
            "-sigopt",
            DISTID,
            "-out",
            "r.pem",
        ],
    );
    std::fs::read_to_string(dir.join("r.pem")).unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn issue_revoke_crl_wrapped_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = dir.join("tessera.sqlite3");
    let master = MasterKey::from_bytes([0x42; 32]);
    let store = Store::open_sqlite(&db).await.unwrap();
    let (state, created) = state_with_ca(store.clone(), &master, CaAlgorithm::Sm2).await;
    assert!(created);

    // CA certificates, PEM: root then issuing.
    let (status, ct, body) = call(&state, "GET", "/v1/ca/certificates", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/pem-certificate-chain");
    let cas = parse_certificates(&body).unwrap();
    assert_eq!(cas.len(), 2);
    std::fs::write(dir.join("root.pem"), cas[0].to_pem()).unwrap();
    std::fs::write(dir.join("issuing.pem"), cas[1].to_pem()).unwrap();

    // Issue from an openssl SM2 CSR through the admin API; verify with openssl link by link.
    let csr = sm2_csr(dir);
    let (status, _, body) = call(
        &state,
        "POST",
        "/v1/admin/certificates/issue",
        Some(json!({"csr_pem": csr, "profile": "signing-client", "days": 30})),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let issued: Value = serde_json::from_slice(&body).unwrap();
    let serial = issued["serial"].as_str().unwrap().to_owned();
    std::fs::write(
        dir.join("leaf.pem"),
        issued["certificate_pem"].as_str().unwrap(),
    )
    .unwrap();
    for (ca, cert) in [("root.pem", "issuing.pem"), ("issuing.pem", "leaf.pem")] {
        let out = openssl(
            dir,
            &[
                "verify",
                "-partial_chain",
                "-vfyopt",
                DISTID,
                "-CAfile",
                ca,
                cert,
            ],
        );
        assert!(out.contains(": OK"), "{out}");
    }
    let text = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-text"]);
    assert!(text.contains("URI:http://127.0.0.1/v1/ca/crl"), "{text}");
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    let leaf = parse_certificates(issued["certificate_pem"].as_str().unwrap().as_bytes())
        .unwrap()
        .remove(0);
    let mut trust = TrustStore::new();
    trust.add_user_root_der(cas[0].der()).unwrap();
    validate(
        leaf.der(),
        &[cas[1].der()],
        &trust,
        &ValidationOptions::signing(),
    )
    .unwrap();

    // CRL before revocation: leaf fine; cached (same bytes on a second fetch).
    let (status, ct, crl1) = call(&state, "GET", "/v1/ca/crl", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/pkix-crl");
    let (_, _, crl1b) = call(&state, "GET", "/v1/ca/crl", None, false).await;
    assert_eq!(crl1, crl1b);
    validate(
        leaf.der(),
        &[cas[1].der()],
        &trust,
        &ValidationOptions::signing().crl(crl1),
    )
    .unwrap();

    // Revoke: audited, the CRL lists it, our validation says Revoked.
    let (status, _, body) = call(
        &state,
        "POST",
        &format!("/v1/admin/certificates/{serial}/revoke"),
        Some(json!({"reason": "keyCompromise"})),
        true,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let audit = store.audit_recent(10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "certificate.revoke"
                && a.subject.as_deref() == Some(serial.as_str()))
    );
    assert!(audit.iter().any(|a| a.action == "certificate.issue"));
    let (_, _, crl2) = call(&state, "GET", "/v1/ca/crl", None, false).await;
    std::fs::write(dir.join("crl.der"), &crl2).unwrap();
    let crl_text = openssl(
        dir,
        &["crl", "-in", "crl.der", "-inform", "DER", "-noout", "-text"],
    );
    assert!(crl_text.to_lowercase().contains(&serial), "{crl_text}");
    assert!(crl_text.contains("Key Compromise"), "{crl_text}");
    let err = validate(
        leaf.der(),
        &[cas[1].der()],
        &trust,
        &ValidationOptions::signing().crl(crl2),
    )
    .unwrap_err();
    assert!(matches!(err, ChainError::Revoked), "{err:?}");

    // Bad input: problem+json, never 500.
    let (status, ct, _) = call(
        &state,
        "POST",
        &format!("/v1/admin/certificates/{serial}/revoke"),
        Some(json!({})),
        true,
    )
    .await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::CONFLICT, "application/problem+json")
    );
    let (status, _, _) = call(
        &state,
        "POST",
        "/v1/admin/certificates/0badc0de/revoke",
        Some(json!({})),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &state,
        "POST",
        "/v1/admin/certificates/zz/revoke",
        Some(json!({})),
        true,
    )
    .await;
    assert!(status.is_client_error());
    let (status, _, _) = call(
        &state,
        "POST",
        &format!("/v1/admin/certificates/{serial}/revoke"),
        Some(json!({"reason": "bored"})),
        true,
    )
    .await;
    assert!(status.is_client_error());
    let (status, _, _) = call(
        &state,
        "POST",
        "/v1/admin/certificates/issue",
        Some(json!({"csr_pem": csr})),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let tampered = {
        use base64::Engine as _;
        let b64: String = csr.lines().filter(|l| !l.starts_with("-----")).collect();
        let mut der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        // "张" (e5 bc a0) in the subject becomes "张"'s neighbour (e5 bc a1).
        let at = der
            .windows(3)
            .position(|w| w == [0xe5, 0xbc, 0xa0])
            .unwrap();
        der[at + 2] = 0xa1;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n")
    };
    for body in [
        json!({"csr_pem": "garbage"}),
        json!({"csr_pem": tampered}),
        json!({"csr_pem": csr, "profile": "issuing-ca"}),
        json!({"csr_pem": csr, "days": 0}),
        json!({"csr_pem": csr, "days": 100000}),
    ] {
        let (status, ct, b) = call(
            &state,
            "POST",
            "/v1/admin/certificates/issue",
            Some(body.clone()),
            true,
        )
        .await;
        assert!(
            status.is_client_error(),
            "{body}: {status} {}",
            String::from_utf8_lossy(&b)
        );
        assert_eq!(ct, "application/problem+json");
    }

    // Wrapped at rest: the PKCS#8 of neither CA key is in the database files.
    let root_row = store.ca_key("root").await.unwrap().unwrap();
    let pkcs8 = master
        .unwrap("root", &root_row.sealed_key)
        .unwrap()
        .to_vec();
    assert_ne!(pkcs8, root_row.sealed_key);
    let mut files = Vec::new();
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(bytes) = std::fs::read(path) {
            files.extend(bytes);
        }
    }
    assert!(
        contains(&files, &root_row.sealed_key),
        "the sealed key is stored"
    );
    assert!(!contains(&files, &pkcs8), "the plaintext PKCS#8 is not");
    // The raw private scalar (32 bytes after the SEC1 OCTET STRING header) is not either.
    let scalar_at = pkcs8.windows(2).position(|w| w == [0x04, 0x20]).unwrap() + 2;
    assert!(!contains(&files, &pkcs8[scalar_at..scalar_at + 32]));

    // Restart: same CA from the same database; a wrong master key cannot open it.
    let root_der = cas[0].der().to_vec();
    store.close().await;
    let store = Store::open_sqlite(&db).await.unwrap();
    let (state2, created) = state_with_ca(store.clone(), &master, CaAlgorithm::P256).await;
    assert!(!created);
    let (_, _, body) = call(&state2, "GET", "/v1/ca/certificates", None, false).await;
    assert_eq!(
        parse_certificates(&body).unwrap()[0].der(),
        root_der.as_slice()
    );
    let wrong = Ca::load_or_create(
        &store,
        &MasterKey::from_bytes([1; 32]),
        CaAlgorithm::Sm2,
        "http://x",
        0,
    )
    .await;
    assert!(wrong.is_err());
}

#[tokio::test]
async fn p256_and_rsa_cas() {
    for alg in [CaAlgorithm::P256, CaAlgorithm::Rsa { bits: 2048 }] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let store = Store::open_memory().await.unwrap();
        let (state, _) = state_with_ca(store, &MasterKey::from_bytes([9; 32]), alg).await;
        let (_, _, body) = call(&state, "GET", "/v1/ca/certificates", None, false).await;
        let cas = parse_certificates(&body).unwrap();
        std::fs::write(dir.join("issuing.pem"), cas[1].to_pem()).unwrap();
        openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "k.pem",
            ],
        );
        openssl(
            dir,
            &[
                "req", "-new", "-key", "k.pem", "-subj", "/CN=ec", "-out", "r.pem",
            ],
        );
        let csr = std::fs::read_to_string(dir.join("r.pem")).unwrap();
        let (status, _, body) = call(
            &state,
            "POST",
            "/v1/admin/certificates/issue",
            Some(json!({"csr_pem": csr, "profile": "encryption"})),
            true,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let issued: Value = serde_json::from_slice(&body).unwrap();
        std::fs::write(
            dir.join("leaf.pem"),
            issued["certificate_pem"].as_str().unwrap(),
        )
        .unwrap();
        let out = openssl(
            dir,
            &[
                "verify",
                "-partial_chain",
                "-CAfile",
                "issuing.pem",
                "leaf.pem",
            ],
        );
        assert!(out.contains(": OK"), "{out}");
        let (_, _, crl) = call(&state, "GET", "/v1/ca/crl", None, false).await;
        std::fs::write(dir.join("crl.der"), &crl).unwrap();
        let out = openssl(
            dir,
            &[
                "crl",
                "-in",
                "crl.der",
                "-inform",
                "DER",
                "-CAfile",
                "issuing.pem",
                "-noout",
                "-verify",
            ],
        );
        assert!(out.contains("verify OK"), "{out}");
    }
}
