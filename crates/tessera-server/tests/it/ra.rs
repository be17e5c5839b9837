//! RA self-service through the router, on SQLite and PostgreSQL: apply → review → business
//! query → install → renew, with keys and CSRs made by `openssl` and the issued certificates
//! verified by `openssl verify`; the pre-entered flow from CSV; and every refusal the issue
//! names (wrong or expired SMS code, replayed captcha, bad ID checksum, CSR subject mismatch,
//! rejected or someone else's application, renewal with another key, oversized and malformed
//! bodies), each a 4xx problem+json.

use crate::support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera_server::ca::{Ca, MasterKey};
use tessera_server::clock::{Clock as _, ManualClock};
use tessera_server::store::{RaPolicy, Store};
use tessera_server::{AppState, StateParts, app};
use tessera_testkit::openssl::ok_in as openssl;
use tessera_x509::issue::CaAlgorithm;
use tower::ServiceExt as _;

const TOKEN: &str = "ra-admin-token";
const DISTID: &str = "distid:1234567812345678";
const DAY: i64 = 86_400;
const PASSWORD: &str = "cert pass 2026";
const ID_ZHANG: &str = "11010519491231002X";
const ID_LI: &str = "440524198001010013";

struct Harness {
    state: AppState,
    clock: ManualClock,
    dir: tempfile::TempDir,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn harness(store: Store) -> Harness {
    let hash: [u8; 32] = Sha256::digest(TOKEN.as_bytes()).into();
    store.add_admin_token("ra-test", &hash, 0).await.unwrap();
    store
        .create_organization("HOSP", "示例医院", 0)
        .await
        .unwrap();
    store
        .create_project("HOSP", "STAFF", "员工证书", RaPolicy::Review, 0)
        .await
        .unwrap();
    store
        .create_project("HOSP", "PRE", "预录入", RaPolicy::PreEntered, 0)
        .await
        .unwrap();
    let clock = ManualClock::new(now());
    let mut parts = StateParts::ephemeral(store.clone()).unwrap();
    parts.clock = Arc::new(clock.clone());
    let state = AppState::new(parts);
    let master = MasterKey::from_bytes([7; 32]);
    let (ca, _) = Ca::load_or_create(
        &store,
        &master,
        CaAlgorithm::Sm2,
        "http://127.0.0.1",
        clock.now(),
    )
    .await
    .unwrap();
    state.ca.install(Arc::new(ca));
    Harness {
        state,
        clock,
        dir: tempfile::tempdir().unwrap(),
    }
}

struct Reply {
    status: StatusCode,
    content_type: String,
    json: Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }

    /// Asserts a problem+json refusal with `status` and `code`.
    fn refused(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "{}",
            self.json
        );
        assert_eq!(self.content_type, "application/problem+json");
    }
}

impl Harness {
    async fn call_raw(
        &self,
        method: &str,
        uri: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = req
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        assert!(!status.is_server_error(), "{method} {uri}: {status}");
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            json,
        }
    }

    async fn call(&self, method: &str, uri: &str, bearer: Option<&str>, body: Value) -> Reply {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        self.call_raw(method, uri, bearer, "application/json", bytes)
            .await
    }

    async fn sms_code(&self, phone: &str, purpose: &str) -> String {
        let r = self
            .call(
                "POST",
                "/v1/sms/code",
                None,
                json!({"phone": phone, "purpose": purpose}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        let msgs = self.state.store.outbox_after(0, 10_000).await.unwrap();
        let body = &msgs.iter().rev().find(|m| m.phone == phone).unwrap().body;
        body.chars().filter(char::is_ascii_digit).take(6).collect()
    }

    /// Lets the per-phone SMS interval pass.
    fn wait_sms(&self) {
        self.clock.advance(61);
    }

    fn apply_body(&self, project: &str, phone: &str, code: &str, id: &str, name: &str) -> Value {
        json!({
            "project": project,
            "phone": phone,
            "sms_code": code,
            "consent": {"privacy_version": "2026-11-01", "terms_version": "2026-11-01"},
            "applicant": {"name": name, "id_number": id, "organization": "示例医院",
                          "email": "zhang@example.cn"},
            "password": PASSWORD,
        })
    }

    async fn apply(&self, project: &str, phone: &str, id: &str, name: &str) -> Reply {
        let code = self.sms_code(phone, "ra_apply").await;
        self.wait_sms();
        self.call(
            "POST",
            "/v1/ra/applications",
            None,
            self.apply_body(project, phone, &code, id, name),
        )
        .await
    }

    async fn login(&self, phone: &str) -> String {
        let captcha = self.state.captchas.issue().await.unwrap();
        let code = self.sms_code(phone, "ra_query").await;
        self.wait_sms();
        let r = self
            .call(
                "POST",
                "/v1/ra/sessions",
                None,
                json!({"phone": phone, "captcha_id": captcha.challenge.id,
                       "captcha_answer": captcha.answer, "sms_code": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json["token"].as_str().unwrap().to_owned()
    }

    fn openssl(&self, args: &[&str]) -> String {
        openssl(self.dir.path(), args)
    }

    /// A new key `name.key` of `alg` (`SM2` or `EC`) and a CSR for `subj` signed by it.
    fn key_and_csr(&self, name: &str, alg: &str, subj: &str) -> String {
        let key = format!("{name}.key");
        if alg == "EC" {
            self.openssl(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &key,
            ]);
        } else {
            self.openssl(&["genpkey", "-algorithm", alg, "-out", &key]);
        }
        self.csr(name, subj, alg == "SM2")
    }

    /// A CSR for `subj` signed by the existing `name.key` (SM2 with the default ID, or ECDSA).
    fn csr(&self, name: &str, subj: &str, sm2: bool) -> String {
        let key = format!("{name}.key");
        let out = format!("{name}.csr");
        let mut args = vec![
            "req", "-new", "-key", &key, "-subj", subj, "-utf8", "-out", &out,
        ];
        if sm2 {
            args.extend(["-sm3", "-sigopt", DISTID]);
        }
        self.openssl(&args);
        std::fs::read_to_string(self.dir.path().join(out)).unwrap()
    }
}

const ZHANG_SUBJ: &str = "/C=CN/O=示例医院/CN=张三";

/// Writes the issued certificate and its chain and checks them with `openssl verify`, one link
/// at a time (SM2 needs the distinguishing ID).
fn verify_with_openssl(h: &Harness, issued: &Value, name: &str) -> String {
    let dir = h.dir.path();
    let leaf = format!("{name}.pem");
    std::fs::write(dir.join(&leaf), issued["certificate_pem"].as_str().unwrap()).unwrap();
    let chain =
        tessera_x509::parse_certificates(issued["chain_pem"].as_str().unwrap().as_bytes()).unwrap();
    std::fs::write(dir.join("issuing.pem"), chain[0].to_pem()).unwrap();
    std::fs::write(dir.join("root.pem"), chain[1].to_pem()).unwrap();
    let at = h.clock.now().to_string();
    for (ca, cert) in [("root.pem", "issuing.pem"), ("issuing.pem", leaf.as_str())] {
        let out = h.openssl(&[
            "verify",
            "-attime",
            &at,
            "-partial_chain",
            "-vfyopt",
            DISTID,
            "-CAfile",
            ca,
            cert,
        ]);
        assert!(out.contains(": OK"), "{out}");
    }
    leaf
}

async fn standard_flow(h: &Harness) {
    let phone = "13800000001";
    // notices carry the versions consented to
    let notices = h.call("GET", "/v1/ra/notices", None, Value::Null).await;
    assert_eq!(notices.json["privacy_version"], "2026-11-01");
    assert!(
        notices.json["privacy_text"]
            .as_str()
            .unwrap()
            .contains("隐私")
    );

    let applied = h.apply("STAFF", phone, ID_ZHANG, "张三").await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.json);
    assert_eq!(applied.json["pre_entered"], false);
    let app = &applied.json["application"];
    assert_eq!(app["status"], "pending");
    assert_eq!(app["subject"], "CN=张三,O=示例医院,C=CN");
    assert_eq!(app["id_number_masked"], "110105********002X");
    assert!(app.get("id_number").is_none(), "{app}");
    let id = app["id"].as_str().unwrap().to_owned();

    // the password is stored as Argon2id, never in clear
    let row = h.state.store.application(&id).await.unwrap().unwrap();
    assert!(row.password_hash.starts_with("$argon2id$"));
    assert!(!row.password_hash.contains(PASSWORD));
    assert_eq!(row.privacy_version, "2026-11-01");

    // the business query: install before review is refused
    let token = h.login(phone).await;
    let mine = h
        .call("GET", "/v1/ra/my/applications", Some(&token), Value::Null)
        .await;
    assert_eq!(mine.json.as_array().unwrap().len(), 1);
    let csr = h.key_and_csr("zhang", "SM2", ZHANG_SUBJ);
    let install_uri = format!("/v1/ra/my/applications/{id}/install");
    h.call(
        "POST",
        &install_uri,
        Some(&token),
        json!({"csr_pem": csr, "password": PASSWORD}),
    )
    .await
    .refused(409, "application_not_approved");

    // the operator's list shows it in full; approval sends an SMS
    let pending = h
        .call(
            "GET",
            "/v1/admin/applications?status=pending",
            Some(TOKEN),
            Value::Null,
        )
        .await;
    let pending = pending.json.as_array().unwrap();
    assert!(
        pending
            .iter()
            .any(|a| a["id"] == id.as_str() && a["id_number"] == ID_ZHANG)
    );
    let approved = h
        .call(
            "POST",
            &format!("/v1/admin/applications/{id}/approve"),
            Some(TOKEN),
            Value::Null,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.json);
    assert_eq!(approved.json["status"], "approved");
    let last = h.state.store.outbox_after(0, 10_000).await.unwrap();
    let last = last.iter().rev().find(|m| m.phone == phone).unwrap();
    assert!(last.body.contains("通过审核"), "{}", last.body);
    // approving twice is a conflict
    h.call(
        "POST",
        &format!("/v1/admin/applications/{id}/approve"),
        Some(TOKEN),
        Value::Null,
    )
    .await
    .refused(409, "application_not_pending");

    // install: wrong password, wrong subject, wrong key algorithm, then right
    let r = h
        .call(
            "POST",
            &install_uri,
            Some(&token),
            json!({"csr_pem": csr, "password": "wrong pass 1"}),
        )
        .await;
    r.refused(403, "password_incorrect");
    assert!(r.json["detail"].as_str().unwrap().contains("4 tries left"));
    assert_eq!(r.json["tries_left"], 4, "RFC 9457 extension member");
    let other_subject = h.csr("zhang", "/C=CN/O=示例医院/CN=李四", true);
    h.call(
        "POST",
        &install_uri,
        Some(&token),
        json!({"csr_pem": other_subject, "password": PASSWORD}),
    )
    .await
    .refused(422, "csr_subject_mismatch");
    let p256 = h.key_and_csr("zhang-ec", "EC", ZHANG_SUBJ);
    h.call(
        "POST",
        &install_uri,
        Some(&token),
        json!({"csr_pem": p256, "password": PASSWORD}),
    )
    .await
    .refused(422, "csr_key_mismatch");
    let installed = h
        .call(
            "POST",
            &install_uri,
            Some(&token),
            json!({"csr_pem": csr, "password": PASSWORD}),
        )
        .await;
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.json);
    let leaf = verify_with_openssl(h, &installed.json, "zhang-1");
    let text = h.openssl(&[
        "x509", "-in", &leaf, "-noout", "-subject", "-nameopt", "utf8",
    ]);
    assert!(text.replace(" = ", "=").contains("CN=张三"), "{text}");
    // installing twice is refused
    h.call(
        "POST",
        &install_uri,
        Some(&token),
        json!({"csr_pem": csr, "password": PASSWORD}),
    )
    .await
    .refused(409, "application_not_approved");

    // renewal: too early, then in the window; same key and subject, new validity
    let renew_body = json!({"certificate_pem": installed.json["certificate_pem"], "csr_pem": csr});
    h.call("POST", "/v1/ra/renewals", None, renew_body.clone())
        .await
        .refused(409, "renewal_not_open");
    let old_not_after = installed.json["not_after"].as_i64().unwrap();
    h.clock.advance(old_not_after - h.clock.now() - 10 * DAY);
    let stranger = h.key_and_csr("stranger", "SM2", ZHANG_SUBJ);
    h.call(
        "POST",
        "/v1/ra/renewals",
        None,
        json!({"certificate_pem": installed.json["certificate_pem"], "csr_pem": stranger}),
    )
    .await
    .refused(403, "renewal_key_mismatch");
    let renewed = h
        .call("POST", "/v1/ra/renewals", None, renew_body.clone())
        .await;
    assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.json);
    assert!(renewed.json["not_after"].as_i64().unwrap() > old_not_after + 300 * DAY);
    assert_ne!(renewed.json["serial"], installed.json["serial"]);
    let new_leaf = verify_with_openssl(h, &renewed.json, "zhang-2");
    let pubkey = |f: &str| h.openssl(&["x509", "-in", f, "-noout", "-pubkey"]);
    assert_eq!(pubkey(&leaf), pubkey(&new_leaf));
    let subject =
        |f: &str| h.openssl(&["x509", "-in", f, "-noout", "-subject", "-nameopt", "utf8"]);
    assert_eq!(subject(&leaf), subject(&new_leaf));
    // a replay of the same renewal gets nothing
    h.call("POST", "/v1/ra/renewals", None, renew_body)
        .await
        .refused(409, "certificate_renewed");
    // the application now points at the new certificate (a new login: months have passed)
    let token = h.login(phone).await;
    let mine = h
        .call(
            "GET",
            &format!("/v1/ra/my/applications/{id}"),
            Some(&token),
            Value::Null,
        )
        .await;
    assert_eq!(mine.json["serial"], renewed.json["serial"]);
    // expired certificates cannot be renewed
    let new_not_after = renewed.json["not_after"].as_i64().unwrap();
    h.clock.advance(new_not_after - h.clock.now() + DAY);
    h.call(
        "POST",
        "/v1/ra/renewals",
        None,
        json!({"certificate_pem": renewed.json["certificate_pem"], "csr_pem": csr}),
    )
    .await
    .refused(409, "certificate_expired");

    // every state change is audited
    let audit = h.state.store.audit_recent(1000).await.unwrap();
    for action in [
        "ra.apply",
        "ra.approve",
        "ra.login",
        "ra.install",
        "ra.install.wrong-password",
        "ra.renew",
    ] {
        assert!(
            audit.iter().any(|a| a.action == action),
            "no {action} in audit"
        );
    }
}

async fn refusals(h: &Harness) {
    let phone = "13800000002";
    // wrong code, then expired code
    let code = h.sms_code(phone, "ra_apply").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.call(
        "POST",
        "/v1/ra/applications",
        None,
        h.apply_body("STAFF", phone, wrong, ID_LI, "李四"),
    )
    .await
    .refused(400, "sms_code_incorrect");
    h.clock.advance(301);
    h.call(
        "POST",
        "/v1/ra/applications",
        None,
        h.apply_body("STAFF", phone, &code, ID_LI, "李四"),
    )
    .await
    .refused(400, "sms_code_expired");
    // field checks come before the code is spent
    let code = h.sms_code(phone, "ra_apply").await;
    h.wait_sms();
    for (body, detail) in [
        (
            h.apply_body("STAFF", phone, &code, "440524198001010014", "李四"),
            "checksum",
        ),
        (h.apply_body("STAFF", phone, &code, ID_LI, "Li, Si"), "name"),
        (h.apply_body("NOPE", phone, &code, ID_LI, "李四"), "project"),
        // names that go into certificates: no bidi overrides, isolates or invisible characters
        (
            h.apply_body("STAFF", phone, &code, ID_LI, "李\u{202E}四"),
            "U+202E",
        ),
        (
            h.apply_body("STAFF", phone, &code, ID_LI, "李\u{2067}四"),
            "U+2067",
        ),
        (
            h.apply_body("STAFF", phone, &code, ID_LI, "李\u{200B}四"),
            "U+200B",
        ),
        (
            h.apply_body("STAFF", phone, &code, ID_LI, "\u{FEFF}李四"),
            "U+FEFF",
        ),
        (
            h.apply_body("STAFF", phone, &code, ID_LI, "李\u{2028}四"),
            "U+2028",
        ),
    ] {
        let r = h.call("POST", "/v1/ra/applications", None, body).await;
        assert!(r.status.is_client_error(), "{}", r.json);
        assert!(
            r.json["detail"].as_str().unwrap_or("").contains(detail),
            "{}",
            r.json
        );
    }
    let mut weak = h.apply_body("STAFF", phone, &code, ID_LI, "李四");
    weak["password"] = json!("short");
    h.call("POST", "/v1/ra/applications", None, weak)
        .await
        .refused(422, "invalid_field");
    let mut old = h.apply_body("STAFF", phone, &code, ID_LI, "李四");
    old["consent"]["privacy_version"] = json!("2020-01-01");
    h.call("POST", "/v1/ra/applications", None, old)
        .await
        .refused(422, "consent_outdated");
    // the code survived the refusals above
    let r = h
        .call(
            "POST",
            "/v1/ra/applications",
            None,
            h.apply_body("STAFF", phone, &code, ID_LI, "李四"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let li_id = r.json["application"]["id"].as_str().unwrap().to_owned();

    // reject with a reason (an empty one is refused); the applicant is told
    h.call(
        "POST",
        &format!("/v1/admin/applications/{li_id}/reject"),
        Some(TOKEN),
        json!({"reason": "  "}),
    )
    .await
    .refused(422, "invalid_field");
    let r = h
        .call(
            "POST",
            &format!("/v1/admin/applications/{li_id}/reject"),
            Some(TOKEN),
            json!({"reason": "身份证照片不清晰"}),
        )
        .await;
    assert_eq!(r.json["status"], "rejected", "{}", r.json);
    let token = h.login(phone).await;
    let csr = h.key_and_csr("li", "SM2", "/C=CN/O=示例医院/CN=李四");
    let r = h
        .call(
            "POST",
            &format!("/v1/ra/my/applications/{li_id}/install"),
            Some(&token),
            json!({"csr_pem": csr, "password": PASSWORD}),
        )
        .await;
    r.refused(409, "application_not_approved");
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("身份证照片不清晰")
    );

    // someone else's application looks like no application at all
    let other = h.apply("STAFF", "13800000003", ID_ZHANG, "张三").await;
    let other_id = other.json["application"]["id"].as_str().unwrap().to_owned();
    h.call(
        "POST",
        &format!("/v1/admin/applications/{other_id}/approve"),
        Some(TOKEN),
        Value::Null,
    )
    .await;
    for (method, uri) in [
        ("GET", format!("/v1/ra/my/applications/{other_id}")),
        ("POST", format!("/v1/ra/my/applications/{other_id}/install")),
    ] {
        h.call(
            method,
            &uri,
            Some(&token),
            json!({"csr_pem": csr, "password": PASSWORD}),
        )
        .await
        .refused(404, "not_found");
    }
    // five wrong passwords lock the application, even for the right one after
    let other_token = h.login("13800000003").await;
    let uri = format!("/v1/ra/my/applications/{other_id}/install");
    for _ in 0..4 {
        h.call(
            "POST",
            &uri,
            Some(&other_token),
            json!({"csr_pem": csr, "password": "guess 12345"}),
        )
        .await
        .refused(403, "password_incorrect");
    }
    for password in ["guess 12345", PASSWORD] {
        h.call(
            "POST",
            &uri,
            Some(&other_token),
            json!({"csr_pem": csr, "password": password}),
        )
        .await
        .refused(403, "password_locked");
    }

    // no session, a made-up session
    h.call("GET", "/v1/ra/my/applications", None, Value::Null)
        .await
        .refused(401, "session_invalid");
    h.call("GET", "/v1/ra/my/applications", Some("00ff"), Value::Null)
        .await
        .refused(401, "session_invalid");
    // sessions expire
    h.clock.advance(31 * 60);
    h.call("GET", "/v1/ra/my/applications", Some(&token), Value::Null)
        .await
        .refused(401, "session_invalid");

    // a replayed captcha
    let captcha = h.state.captchas.issue().await.unwrap();
    let code = h.sms_code(phone, "ra_query").await;
    h.wait_sms();
    let login = json!({"phone": phone, "captcha_id": captcha.challenge.id,
                       "captcha_answer": captcha.answer, "sms_code": code});
    assert_eq!(
        h.call("POST", "/v1/ra/sessions", None, login.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    h.call("POST", "/v1/ra/sessions", None, login)
        .await
        .refused(400, "captcha_invalid");

    // a certificate from elsewhere cannot be renewed here
    let foreign = h.openssl(&[
        "req", "-x509", "-new", "-key", "li.key", "-subj", "/CN=x", "-sm3", "-sigopt", DISTID,
        "-days", "3",
    ]);
    h.call(
        "POST",
        "/v1/ra/renewals",
        None,
        json!({"certificate_pem": foreign, "csr_pem": csr}),
    )
    .await
    .refused(404, "certificate_unknown");

    // malformed, mistyped, oversized, unknown fields
    let r = h
        .call_raw(
            "POST",
            "/v1/ra/applications",
            None,
            "application/json",
            b"{\"project\":".to_vec(),
        )
        .await;
    r.refused(400, "malformed_json");
    let r = h
        .call("POST", "/v1/ra/applications", None, json!({"project": 5}))
        .await;
    r.refused(422, "invalid_body");
    let r = h
        .call_raw(
            "POST",
            "/v1/ra/renewals",
            None,
            "application/json",
            vec![b' '; 2 * 1024 * 1024],
        )
        .await;
    r.refused(413, "payload_too_large");
    h.call(
        "GET",
        "/v1/admin/applications?limit=abc",
        Some(TOKEN),
        Value::Null,
    )
    .await
    .refused(422, "invalid_field");
    h.call(
        "GET",
        "/v1/admin/applications?status=lost",
        Some(TOKEN),
        Value::Null,
    )
    .await
    .refused(422, "invalid_field");
    h.call("GET", "/v1/admin/applications", None, Value::Null)
        .await
        .refused(401, "unauthorized");
}

async fn pre_entered_flow(h: &Harness) {
    let csv = "name,id_number,phone,organization\n\
               王五,320106199003071234,13800000005,示例医院\n\
               坏行,320106199003071235,13800000006,示例医院\n";
    // A review project never reads pre-entered people: the import is refused, and nothing is
    // stored (it used to answer `imported: 1` and change nothing).
    let r = h
        .call_raw(
            "POST",
            "/v1/admin/projects/STAFF/pre-entered",
            Some(TOKEN),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    r.refused(422, "invalid_field");
    assert!(
        r.json["detail"].as_str().unwrap().contains("pre_entered"),
        "{}",
        r.json
    );
    let staff = h
        .state
        .store
        .project_by_code("STAFF")
        .await
        .unwrap()
        .unwrap();
    assert!(
        h.state
            .store
            .pre_entered(staff.id, "320106199003071234")
            .await
            .unwrap()
            .is_none()
    );

    let r = h
        .call_raw(
            "POST",
            "/v1/admin/projects/PRE/pre-entered",
            Some(TOKEN),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["imported"], 1);
    assert_eq!(r.json["errors"][0]["line"], 3);
    h.call_raw(
        "POST",
        "/v1/admin/projects/PRE/pre-entered",
        Some(TOKEN),
        "text/csv",
        b"who,what\n".to_vec(),
    )
    .await
    .refused(422, "invalid_field");

    // a matching applicant is approved at once and installs without review
    let r = h
        .apply("PRE", "13800000005", "320106199003071234", "王五")
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["pre_entered"], true);
    assert_eq!(r.json["application"]["status"], "approved");
    let id = r.json["application"]["id"].as_str().unwrap().to_owned();
    let token = h.login("13800000005").await;
    let csr = h.key_and_csr("wang", "SM2", "/C=CN/O=示例医院/CN=王五");
    let r = h
        .call(
            "POST",
            &format!("/v1/ra/my/applications/{id}/install"),
            Some(&token),
            json!({"csr_pem": csr, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    verify_with_openssl(h, &r.json, "wang");

    // the record is used up; a second applicant with that ID, or other details, waits for review
    let r = h
        .apply("PRE", "13800000007", "320106199003071234", "王五")
        .await;
    assert_eq!(r.json["pre_entered"], false, "{}", r.json);
    assert_eq!(r.json["application"]["status"], "pending");
}

/// 64 wrong install passwords and the right one, all at once, on one approved application:
/// each try is reserved before Argon2 runs, so at most `MAX_PASSWORD_TRIES` passwords are
/// checked between them; when the right one did not get one of those tries, the application
/// ends locked and the right password is refused. Before the fix all 65 read the tries, ran
/// Argon2 and counted afterwards (22 evaluated against a limit of 5 in the issue's attack).
async fn install_password_burst(h: &Harness) {
    use tessera_server::ra::MAX_PASSWORD_TRIES;
    let phone = "13800000009";
    let applied = h.apply("STAFF", phone, "110101199003071233", "赵六").await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.json);
    let id = applied.json["application"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let approved = h
        .call(
            "POST",
            &format!("/v1/admin/applications/{id}/approve"),
            Some(TOKEN),
            Value::Null,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.json);
    let token = h.login(phone).await;
    let csr = h.key_and_csr("zhao", "SM2", "/C=CN/O=示例医院/CN=赵六");
    let uri = format!("/v1/ra/my/applications/{id}/install");
    let mut passwords = vec!["wrong pass 1"; 64];
    passwords.push(PASSWORD);
    let tasks: Vec<_> = passwords
        .into_iter()
        .map(|password| {
            let state = h.state.clone();
            let body = json!({"csr_pem": csr, "password": password}).to_string();
            let req = Request::builder()
                .method("POST")
                .uri(&uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            tokio::spawn(async move {
                let res = app(state).oneshot(req).await.unwrap();
                let status = res.status();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                (
                    password == PASSWORD,
                    status,
                    json["code"].as_str().unwrap_or("").to_owned(),
                )
            })
        })
        .collect();
    let (mut incorrect, mut locked, mut right_issued) = (0, 0, false);
    for t in tasks {
        match t.await.unwrap() {
            (true, StatusCode::CREATED, _) => right_issued = true,
            (_, _, code) if code == "password_incorrect" => incorrect += 1,
            (_, _, code) if code == "password_locked" => locked += 1,
            (right, status, code) => panic!("right {right}: {status} {code}"),
        }
    }
    // every wrong password that went through Argon2 left an audit row
    let evaluated = h
        .state
        .store
        .audit_recent(10_000)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.action == "ra.install.wrong-password" && a.subject.as_deref() == Some(&id))
        .count();
    let evaluated = i64::try_from(evaluated).unwrap();
    eprintln!(
        "RA install burst ({}): {evaluated} wrong passwords evaluated, right issued \
         {right_issued}; answers: {incorrect} incorrect, {locked} locked",
        h.state.store.backend_name()
    );
    let row = h.state.store.application(&id).await.unwrap().unwrap();
    // the fifth wrong one answers locked: at most four answers say incorrect
    assert!(
        incorrect < MAX_PASSWORD_TRIES,
        "{incorrect} incorrect answers"
    );
    if right_issued {
        // the right one gave its try back; the wrong ones never got more than the limit
        assert!(
            evaluated <= MAX_PASSWORD_TRIES,
            "{evaluated} wrong evaluated"
        );
        assert_eq!(row.status, "issued");
    } else {
        assert_eq!(evaluated, MAX_PASSWORD_TRIES, "wrong evaluated");
        assert_eq!(row.password_tries, MAX_PASSWORD_TRIES);
        assert_eq!(row.status, "approved");
        h.call(
            "POST",
            &uri,
            Some(&token),
            json!({"csr_pem": csr, "password": PASSWORD}),
        )
        .await
        .refused(403, "password_locked");
    }
}

async fn run(store: Store) {
    let h = harness(store).await;
    standard_flow(&h).await;
    refusals(&h).await;
    pre_entered_flow(&h).await;
    install_password_burst(&h).await;
    h.state.store.close().await;
}

#[tokio::test]
async fn ra_on_sqlite() {
    run(Store::open_memory().await.unwrap()).await;
}

#[tokio::test]
async fn ra_on_postgres() {
    let Some(cluster) = support::pg::PgCluster::start() else {
        return;
    };
    let url = cluster.database("tessera_ra").await;
    run(Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn the_review_console_is_served_with_a_strict_policy() {
    let h = harness(Store::open_memory().await.unwrap()).await;
    for (path, kind) in [
        ("/admin", "text/html"),
        ("/admin/console.js", "text/javascript"),
        ("/admin/console.css", "text/css"),
    ] {
        let req = Request::builder().uri(path).body(Body::empty()).unwrap();
        let res = app(h.state.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let headers = res.headers();
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        if path == "/admin" {
            assert!(!text.contains("<script>"), "no inline script");
            assert!(text.contains("/admin/console.js"));
        }
    }
}
