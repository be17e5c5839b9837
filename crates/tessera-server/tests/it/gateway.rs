//! The HTTP SMS gateway against a local axum stub on 127.0.0.1.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use tessera_server::phone::PhoneNumber;
use tessera_server::sms::{GatewayConfig, HttpGateway, SmsError, SmsSender};

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

async fn stub(status: StatusCode) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = Router::new().route(
        "/send",
        post(move |headers: HeaderMap, body: String| async move {
            record.lock().unwrap().push((headers, body));
            status
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/send"), seen)
}

fn config(url: String) -> GatewayConfig {
    GatewayConfig {
        url,
        headers: BTreeMap::from([("x-api-key".to_owned(), "k-123".to_owned())]),
        body_template: r#"{"to":"{phone}","msg":"{text}","sign":"Tessera"}"#.into(),
        content_type: "application/json".into(),
        timeout_secs: 5,
    }
}

#[tokio::test]
async fn posts_the_rendered_template_with_headers() {
    let (url, seen) = stub(StatusCode::OK).await;
    let gateway = HttpGateway::new(config(url)).unwrap();
    let phone = PhoneNumber::parse("13800138000").unwrap();
    let text = "验证码 123456，\"引号\" 与 \\ 反斜杠\n换行";
    gateway.send(&phone, text).await.unwrap();
    let seen = seen.lock().unwrap();
    let (headers, body) = &seen[0];
    assert_eq!(headers["x-api-key"], "k-123");
    assert_eq!(headers["content-type"], "application/json");
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["to"], "13800138000");
    assert_eq!(v["msg"], text, "placeholders are JSON-escaped");
    assert_eq!(v["sign"], "Tessera");
}

#[tokio::test]
async fn a_refusal_is_a_send_error() {
    let (url, _) = stub(StatusCode::SERVICE_UNAVAILABLE).await;
    let gateway = HttpGateway::new(config(url)).unwrap();
    let phone = PhoneNumber::parse("13800138000").unwrap();
    match gateway.send(&phone, "x").await {
        Err(SmsError::Send(m)) => assert!(m.contains("503"), "{m}"),
        other => panic!("{other:?}"),
    }
    // nothing listening
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/send", closed.local_addr().unwrap());
    drop(closed);
    let gateway = HttpGateway::new(config(url)).unwrap();
    assert!(matches!(
        gateway.send(&phone, "x").await,
        Err(SmsError::Send(_))
    ));
}
