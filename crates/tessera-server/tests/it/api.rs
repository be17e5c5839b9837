//! Router tests without a socket: `app(state).oneshot(request)`.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera_proto::EnrollmentQr;
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts, app};
use tower::ServiceExt as _;

const TOKEN: &str = "test-admin-token";

async fn state() -> AppState {
    let store = Store::open_memory().await.unwrap();
    let hash: [u8; 32] = Sha256::digest(TOKEN.as_bytes()).into();
    store.add_admin_token("test", &hash, 0).await.unwrap();
    AppState::new(StateParts::ephemeral(store).unwrap())
}

struct Answer {
    status: StatusCode,
    content_type: String,
    request_id: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type, "application/problem+json");
        let v = self.json();
        assert_eq!(v["status"], status);
        assert_eq!(v["code"], code);
        assert_eq!(
            v["type"],
            format!("https://tessera.invalid/problems/{code}")
        );
        assert!(v["title"].is_string());
        v
    }
}

async fn send(state: &AppState, req: Request<Body>) -> Answer {
    let router =
        app(state.clone()).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        content_type,
        request_id,
        body,
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn admin(method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

fn post_json(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn healthz_reports_store() {
    let s = state().await;
    let a = send(&s, get("/healthz")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["status"], "ok");
    assert_eq!(a.json()["store"], "sqlite");
    assert!(
        a.request_id.is_some_and(|id| id.len() == 36),
        "a UUID request id is set"
    );
    s.store.close().await;
    let down = send(&s, get("/healthz")).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.json()["status"], "unavailable");
}

#[tokio::test]
async fn request_id_is_propagated() {
    let s = state().await;
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, req).await.request_id.as_deref(), Some("abc-123"));
    // problems name the request they answer
    let req = Request::get("/nope")
        .header("x-request-id", "abc-456")
        .body(Body::empty())
        .unwrap();
    let problem = send(&s, req).await.problem(404, "not_found");
    assert_eq!(problem["instance"], "urn:tessera:request:abc-456");
    let problem = send(&s, post_json("/v1/sms/code", "{"))
        .await
        .problem(400, "malformed_json");
    assert!(
        problem["instance"]
            .as_str()
            .unwrap()
            .starts_with("urn:tessera:request:")
    );
}

#[tokio::test]
async fn errors_are_problem_json() {
    let s = state().await;
    send(&s, get("/nope")).await.problem(404, "not_found");
    send(&s, Request::delete("/healthz").body(Body::empty()).unwrap())
        .await
        .problem(405, "method_not_allowed");
    let malformed = send(&s, post_json("/v1/sms/code", "{\"phone\": "))
        .await
        .problem(400, "malformed_json");
    assert!(malformed["detail"].as_str().unwrap().contains("JSON"));
    send(&s, post_json("/v1/sms/code", r#"{"phone": 1}"#))
        .await
        .problem(422, "invalid_body");
    send(
        &s,
        post_json(
            "/v1/sms/code",
            r#"{"phone":"13812345678","purpose":"x","extra":1}"#,
        ),
    )
    .await
    .problem(422, "invalid_body");
    let no_type = Request::post("/v1/sms/code")
        .body(Body::from("{}"))
        .unwrap();
    send(&s, no_type)
        .await
        .problem(415, "unsupported_media_type");
    let big = format!(
        r#"{{"phone":"{}","purpose":"x"}}"#,
        "1".repeat(2 * 1024 * 1024)
    );
    send(&s, post_json("/v1/sms/code", big))
        .await
        .problem(413, "payload_too_large");
    send(
        &s,
        post_json("/v1/sms/code", r#"{"phone":"12345","purpose":"x"}"#),
    )
    .await
    .problem(422, "invalid_field");
    send(
        &s,
        post_json("/v1/sms/code", r#"{"phone":"13812345678","purpose":"X Y"}"#),
    )
    .await
    .problem(422, "invalid_field");
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let s = state().await;
    let a = send(&s, get("/openapi.json")).await;
    assert_eq!(a.status, StatusCode::OK);
    let doc = a.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/metrics",
        "/v1/orgs",
        "/v1/orgs/{org}/projects",
        "/v1/service-key",
        "/v1/sms/code",
        "/v1/captcha",
        "/v1/admin/orgs",
        "/v1/admin/orgs/{org}/projects",
        "/v1/admin/projects/{code}/enrollment-qr",
        "/v1/admin/sms",
        "/v1/admin/audit",
        "/v1/ca/certificates",
        "/v1/ca/crl",
        "/v1/admin/certificates/issue",
        "/v1/admin/certificates/{serial}/revoke",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    // the problem codes are listed, from the enum both sides share (the code member refers
    // to it, inline or by name)
    let code = &doc["components"]["schemas"]["Problem"]["properties"]["code"];
    let listed = if code["$ref"].is_string() {
        &doc["components"]["schemas"]["ProblemCode"]["enum"]
    } else {
        &code["enum"]
    };
    let listed = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    for c in tessera_proto::ProblemCode::ALL {
        assert!(
            listed.iter().any(|l| l == c.as_str()),
            "{c} not listed: {code}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["admin_token"].is_object());
    for schema in ["IssueBody", "IssuedBody", "RevokeBody"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "missing schema {schema}"
        );
    }
    let issue = &paths["/v1/admin/certificates/issue"]["post"];
    assert!(issue["security"][0]["admin_token"].is_array(), "{issue}");
    assert!(
        paths["/v1/ca/crl"]["get"]["responses"]["200"]["content"]["application/pkix-crl"]
            .is_object()
    );
}

#[tokio::test]
async fn metrics_count_by_route_and_status() {
    let s = state().await;
    send(&s, get("/healthz")).await;
    send(&s, get("/healthz")).await;
    send(&s, get("/v1/orgs/NOPE/projects")).await;
    send(&s, get("/missing")).await;
    // metrics are for operators only
    send(&s, get("/metrics")).await.problem(401, "unauthorized");
    let a = send(&s, admin("GET", "/metrics", None)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.content_type.starts_with("text/plain"));
    let text = String::from_utf8(a.body).unwrap();
    assert!(
        text.contains(
            r#"tessera_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/v1/orgs/{org}/projects",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"tessera_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 2"#));
}

#[tokio::test]
async fn admin_needs_the_token() {
    let s = state().await;
    send(&s, get("/v1/admin/sms"))
        .await
        .problem(401, "unauthorized");
    let wrong = Request::get("/v1/admin/sms")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    send(&s, wrong).await.problem(401, "unauthorized");
    let a = send(&s, admin("GET", "/v1/admin/sms", None)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json(), json!([]));
}

#[tokio::test]
async fn orgs_projects_and_signed_qr() {
    let s = state().await;
    let a = send(
        &s,
        admin(
            "POST",
            "/v1/admin/orgs",
            Some(json!({"code": "ORG1", "name": "机构一"})),
        ),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    send(
        &s,
        admin(
            "POST",
            "/v1/admin/orgs",
            Some(json!({"code": "ORG1", "name": "again"})),
        ),
    )
    .await
    .problem(409, "conflict");
    send(
        &s,
        admin(
            "POST",
            "/v1/admin/orgs",
            Some(json!({"code": "bad code", "name": "x"})),
        ),
    )
    .await
    .problem(422, "invalid_field");
    let body = json!({"code": "P1", "name": "项目", "ra_policy": "pre_entered"});
    let a = send(
        &s,
        admin("POST", "/v1/admin/orgs/ORG1/projects", Some(body.clone())),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["ra_policy"], "pre_entered");
    send(
        &s,
        admin("POST", "/v1/admin/orgs/NOPE/projects", Some(body)),
    )
    .await
    .problem(404, "not_found");
    let bad_policy = json!({"code": "P2", "name": "x", "ra_policy": "whatever"});
    send(
        &s,
        admin("POST", "/v1/admin/orgs/ORG1/projects", Some(bad_policy)),
    )
    .await
    .problem(422, "invalid_body");

    let orgs = send(&s, get("/v1/orgs")).await.json();
    assert_eq!(orgs[0]["code"], "ORG1");
    let projects = send(&s, get("/v1/orgs/ORG1/projects")).await.json();
    assert_eq!(projects[0]["code"], "P1");
    send(&s, get("/v1/orgs/NOPE/projects"))
        .await
        .problem(404, "not_found");

    let qr = send(
        &s,
        admin("GET", "/v1/admin/projects/P1/enrollment-qr", None),
    )
    .await
    .json();
    let payload = EnrollmentQr::from_qr_text(qr["text"].as_str().unwrap()).unwrap();
    assert_eq!(payload.project, "P1");
    assert_eq!(payload.url, s.public_url);
    tessera_server::identity::verify_enrollment(s.service_key.public_key(), &payload).unwrap();
    let mut forged = payload.clone();
    forged.url = "https://evil.invalid".into();
    assert!(
        tessera_server::identity::verify_enrollment(s.service_key.public_key(), &forged).is_err()
    );
    send(
        &s,
        admin("GET", "/v1/admin/projects/NOPE/enrollment-qr", None),
    )
    .await
    .problem(404, "not_found");
    let key = send(&s, get("/v1/service-key")).await.json();
    assert_eq!(key["alg"], "sm2-sm3");

    let audit = send(&s, admin("GET", "/v1/admin/audit", None)).await.json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["project.create", "organization.create"]);
    assert_eq!(audit[0]["actor"], "admin:test");
    assert_eq!(audit[0]["source_ip"], "127.0.0.1");
    assert!(audit[0]["request_id"].is_string());
}

#[tokio::test]
async fn sms_code_goes_to_outbox_and_is_rate_limited() {
    let s = state().await;
    let req = || {
        post_json(
            "/v1/sms/code",
            r#"{"phone":"+86 139 0000 1111","purpose":"enroll"}"#,
        )
    };
    let a = send(&s, req()).await;
    assert_eq!(
        a.status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(a.json(), json!({"expires_in": 300, "resend_after": 60}));
    let outbox = send(&s, admin("GET", "/v1/admin/sms", None)).await.json();
    assert_eq!(outbox[0]["phone"], "13900001111");
    assert!(outbox[0]["body"].as_str().unwrap().contains("验证码"));
    let limited = send(&s, req()).await.problem(429, "rate_limited");
    assert_eq!(limited["retry_after"], 60);
}

#[tokio::test]
async fn captcha_is_a_png() {
    let s = state().await;
    let a = send(
        &s,
        Request::post("/v1/captcha").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let v = a.json();
    assert_eq!(v["expires_in"], 120);
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(v["png_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

#[tokio::test]
async fn release_feed_offers_the_services_version_or_the_configured_release() {
    let mut state = state().await;
    let a = send(&state, get("/v1/releases/latest")).await;
    assert_eq!(a.status, StatusCode::OK);
    let own: tessera_proto::Release = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(own.version, env!("CARGO_PKG_VERSION"));
    assert!(tessera_proto::release::Version::parse(&own.version).is_some());
    assert!(own.published.ends_with('Z'), "{}", own.published);

    let configured: tessera_server::config::FileConfig = toml::from_str(
        "[release]\nversion = \"0.2.0\"\npublished = \"2026-12-01T00:00:00Z\"\n\
         url = \"https://example.invalid/tessera/0.2.0\"\ncritical = true\n\
         [release.notes]\nzh-CN = \"修复\"\n",
    )
    .unwrap();
    state.configure().unwrap().release = std::sync::Arc::new(configured.release.unwrap());
    let offered = send(&state, get("/v1/releases/latest")).await.json();
    assert_eq!(offered["version"], "0.2.0");
    assert_eq!(offered["critical"], true);
    assert_eq!(offered["notes"]["zh-CN"], "修复");
}

/// A client's `x-request-id` reaches logs and audit rows only when it is 1-64 characters of
/// `[A-Za-z0-9._-]`; anything else is replaced by a generated id (a UUID).
#[tokio::test]
async fn client_request_ids_are_checked_before_the_audit_trail() {
    let s = state().await;
    let long = "a".repeat(65);
    for bad in [
        "evil\u{202e}id",
        "two words",
        "<script>",
        "x\tid",
        long.as_str(),
        "ünïcode",
    ] {
        let req = Request::get("/healthz")
            .header(
                "x-request-id",
                axum::http::HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
            )
            .body(Body::empty())
            .unwrap();
        let id = send(&s, req).await.request_id.unwrap();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 36, "generated: {id}");
    }
    let ok = "a".repeat(64);
    for good in ["abc-123", "A.b_c-9", ok.as_str()] {
        let req = Request::get("/healthz")
            .header("x-request-id", good)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&s, req).await.request_id.as_deref(), Some(good));
    }
    // an audited request with a bad id: the row carries the generated one
    let mut req = admin(
        "POST",
        "/v1/admin/orgs",
        Some(json!({"code": "RID", "name": "Request ids"})),
    );
    req.headers_mut().insert(
        "x-request-id",
        axum::http::HeaderValue::from_static("bad id; DROP TABLE audit"),
    );
    let a = send(&s, req).await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let audit = send(&s, admin("GET", "/v1/admin/audit", None)).await.json();
    let row = &audit[0];
    assert_eq!(row["action"], "organization.create");
    assert_eq!(row["request_id"].as_str(), a.request_id.as_deref());
    assert_eq!(row["request_id"].as_str().unwrap().len(), 36);
}

/// 32 concurrent captcha requests from one address with a burst of 5: 5 get an image, the rest
/// 429 with `Retry-After`; another address still gets in; routes that do no costly work are not
/// counted. (Before the limit all 32 were drawn.)
#[tokio::test]
async fn unauthenticated_costly_routes_are_limited_per_address() {
    use tessera_server::api::rate::{RateLimiter, RateLimits};
    let mut s = state().await;
    s.configure().unwrap().rate = RateLimiter::new(RateLimits {
        burst: 5,
        per_minute: 1,
    });
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                send(
                    &s,
                    Request::post("/v1/captcha").body(Body::empty()).unwrap(),
                )
                .await
            })
        })
        .collect();
    let (mut made, mut limited) = (0, 0);
    for t in tasks {
        let a = t.await.unwrap();
        match a.status.as_u16() {
            201 => made += 1,
            429 => {
                let p = a.problem(429, "rate_limited");
                assert!(p["retry_after"].as_u64().unwrap() >= 1);
                limited += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!((made, limited), (5, 27));
    // the RA and cloud entry points share the address's bucket
    for uri in [
        "/v1/sms/code",
        "/v1/ra/applications",
        "/v1/ra/sessions",
        "/v1/cloud/accounts",
        "/v1/cloud/login",
        "/v1/cloud/password/recover",
    ] {
        send(&s, post_json(uri, "{}"))
            .await
            .problem(429, "rate_limited");
    }
    // cheap routes are not counted
    assert_eq!(send(&s, get("/healthz")).await.status, StatusCode::OK);
    // another address has its own bucket
    let other = app(s.clone()).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 2], 40000))));
    let res = other
        .oneshot(Request::post("/v1/captcha").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// A full Argon2 queue is a 503 with `Retry-After`, not a 500.
#[tokio::test]
async fn a_busy_password_gate_answers_503() {
    use axum::response::IntoResponse as _;
    let res = tessera_server::ApiError::from(tessera_server::password::PasswordError::Busy {
        retry_after: 1,
    })
    .into_response();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "busy");
}
