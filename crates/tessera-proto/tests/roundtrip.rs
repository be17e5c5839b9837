#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use tessera_proto::{EnrollmentQr, Problem};

#[test]
fn problem_serializes_rfc9457_members() {
    let p = Problem::new("not_found", "Not Found", 404).with_detail("no route");
    let v: serde_json::Value = serde_json::to_value(&p).unwrap();
    assert_eq!(v["type"], "https://tessera.invalid/problems/not_found");
    assert_eq!(v["title"], "Not Found");
    assert_eq!(v["status"], 404);
    assert_eq!(v["detail"], "no route");
    assert_eq!(v["code"], "not_found");
    assert!(v.get("instance").is_none());
    let back: Problem = serde_json::from_value(v).unwrap();
    assert_eq!(back, p);
}

#[test]
fn enrollment_qr_text_round_trips_and_rejects_others() {
    let qr = EnrollmentQr {
        v: 1,
        url: "https://127.0.0.1:8443".into(),
        project: "DEMO".into(),
        alg: "sm2-sm3".into(),
        sig: "AAAA".into(),
    };
    let text = qr.to_qr_text().unwrap();
    assert!(text.starts_with("TESSERA-ENROLL:{"));
    assert_eq!(EnrollmentQr::from_qr_text(&text).unwrap(), qr);
    assert!(EnrollmentQr::from_qr_text("https://example.invalid").is_err());
    let v2 = text.replace("\"v\":1", "\"v\":2");
    assert!(EnrollmentQr::from_qr_text(&v2).is_err());
    assert_eq!(
        EnrollmentQr::signed_message(1, "u", "p"),
        b"tessera-enroll-v1\n1\nu\np".to_vec()
    );
}
