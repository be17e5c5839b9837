//! `tessera enroll` against a real service on 127.0.0.1 (the `tessera-server` library served
//! on a random port in this process, so the test can read the captcha answer it drew): scan the
//! QR (text and PNG), apply, approval by the operator, business-query login, install onto a file
//! device, renew with the same key after moving the service's clock, and the refusals a holder
//! meets: forged QR, wrong password, no session, unreachable service. The JSON of every step is
//! the contract.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support;

const PHONE: &str = "13900000011";
const PASSWORD: &str = "cert pass 2026";

struct Holder {
    dir: tempfile::TempDir,
    server: String,
}

impl Holder {
    fn new(server: &str) -> Self {
        let h = Self {
            dir: tempfile::tempdir().unwrap(),
            server: server.to_owned(),
        };
        std::fs::write(h.path("pin"), "482916\n").unwrap();
        std::fs::write(h.path("so"), "so-secret-1\n").unwrap();
        std::fs::write(h.path("password"), format!("{PASSWORD}\n")).unwrap();
        std::fs::write(h.path("wrong"), "not the password 1\n").unwrap();
        h
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    fn run(&self, args: &[&str]) -> Output {
        let server: &[&str] = if args.first() == Some(&"enroll") {
            &["--server", &self.server]
        } else {
            &[]
        };
        let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .args(server)
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("NO_COLOR", "1")
            .env("LANG", "en_US.UTF-8")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("panicked"), "{args:?}: {all}");
        assert!(
            !all.contains(PASSWORD) && !all.contains("482916"),
            "a secret was printed"
        );
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs a command expected to fail with `code`; returns stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        stderr
    }
}

fn apply_args<'a>(h: &'a Holder, qr: &'a str, code: &'a str) -> Vec<String> {
    [
        "enroll",
        "apply",
        "--qr",
        qr,
        "--phone",
        PHONE,
        "--sms-code",
        code,
        "--name",
        "张三",
        "--id-number",
        "11010519491231002X",
        "--organization",
        "示例医院",
        "--email",
        "zhang@example.cn",
        "--accept-notices",
        "--password-file",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([h.p("password")])
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn apply_approve_install_renew_from_the_cli() {
    let service = support::service::start(async |_, _| {});
    let h = Holder::new(&service.url);
    h.json(&[
        "device",
        "create",
        "--label",
        "phone",
        "--mode",
        "national",
        "--pin-file",
        &h.p("pin"),
        "--so-pin-file",
        &h.p("so"),
    ]);

    // the QR as text and as the PNG a phone camera would see
    std::fs::write(h.path("qr.txt"), &service.qr_text).unwrap();
    let png = {
        let code = qrcode::QrCode::new(service.qr_text.as_bytes()).unwrap();
        let img = code
            .render::<image::Luma<u8>>()
            .min_dimensions(400, 400)
            .build();
        let mut bytes = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
        bytes
    };
    std::fs::write(h.path("qr.png"), png).unwrap();

    // a forged QR (project changed, signature kept) is refused before anything is sent
    std::fs::write(
        h.path("forged.txt"),
        service.qr_text.replace("\"DEMO\"", "\"EVIL\""),
    )
    .unwrap();
    let err = h.fails(&strs(&apply_args(&h, &h.p("forged.txt"), "000000")), 9);
    assert!(err.contains("forged"), "{err}");

    let notices = h.json(&["enroll", "notices"]);
    assert_eq!(notices["privacy_version"], "2026-11-01");
    let sent = h.json(&["enroll", "code", "--phone", PHONE, "--for", "apply"]);
    assert_eq!(sent["expires_in"], 300);
    let code = service.last_code(PHONE);
    let applied = h.json(&strs(&apply_args(&h, &h.p("qr.png"), &code)));
    assert_eq!(applied["application"]["status"], "pending");
    assert_eq!(applied["application"]["project"], "DEMO");
    let id = applied["application"]["id"].as_str().unwrap().to_owned();
    // what the app now holds about the holder, for the personal-information list
    let personal: Value =
        serde_json::from_slice(&std::fs::read(h.path("data/personal.json")).unwrap()).unwrap();
    assert_eq!(personal["name"], "张三");
    assert_eq!(personal["id-number"], "11010519491231002X");

    // not logged in yet
    let err = h.fails(&["enroll", "list"], 9);
    assert!(err.contains("tessera enroll login"), "{err}");

    service.admin("POST", &format!("/v1/admin/applications/{id}/approve"));
    let sms = service
        .runtime
        .block_on(service.state.store.outbox_after(0, 1000))
        .unwrap();
    assert!(sms.last().unwrap().body.contains("通过审核"));

    // business query: the captcha command saves a real PNG; the login uses one whose answer
    // this test can read
    let c = h.json(&["enroll", "captcha", "--out", &h.p("captcha.png")]);
    let png = std::fs::read(h.path("captcha.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{c}");
    service.clock.advance(61);
    h.json(&["enroll", "code", "--phone", PHONE, "--for", "query"]);
    let (captcha_id, answer) = service.captcha();
    let code = service.last_code(PHONE);
    h.json(&[
        "enroll",
        "login",
        "--phone",
        PHONE,
        "--captcha-id",
        &captcha_id,
        "--captcha-answer",
        &answer,
        "--sms-code",
        &code,
    ]);
    let session = std::fs::metadata(h.path("data/business-session.json")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(session.permissions().mode() & 0o777, 0o600);
    }
    let list = h.json(&["enroll", "list"]);
    assert_eq!(list[0]["status"], "approved");

    // wrong password: exit 6 with the tries left (from the problem's extension member), and no
    // key is left behind on the device
    let err = h.fails(
        &[
            "enroll",
            "install",
            &id,
            "--device",
            "phone",
            "--pin-file",
            &h.p("pin"),
            "--password-file",
            &h.p("wrong"),
        ],
        6,
    );
    assert!(err.contains("4 tries left"), "{err}");
    let installed = h.json(&[
        "enroll",
        "install",
        &id,
        "--device",
        "phone",
        "--pin-file",
        &h.p("pin"),
        "--password-file",
        &h.p("password"),
    ]);
    assert_eq!(installed["subject"], "CN=张三,O=示例医院,C=CN");
    let listed = h.json(&["cert", "list", "--device", "phone"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(listed[0]["key"].is_string(), "{listed}");
    let old = installed["thumbprint"].as_str().unwrap().to_owned();

    // too early to renew: exit 9
    let err = h.fails(
        &[
            "enroll",
            "renew",
            &old,
            "--device",
            "phone",
            "--pin-file",
            &h.p("pin"),
        ],
        9,
    );
    assert!(err.contains("renew"), "{err}");
    // ten days before expiry: renewed with the same key; the old certificate is gone
    service.clock.advance(355 * 86_400);
    let renewed = h.json(&[
        "enroll",
        "renew",
        &old,
        "--device",
        "phone",
        "--pin-file",
        &h.p("pin"),
    ]);
    assert_eq!(renewed["replaced"], old.as_str());
    assert_ne!(renewed["thumbprint"], old.as_str());
    let listed = h.json(&["cert", "list", "--device", "phone"]);
    let certs = listed.as_array().unwrap();
    assert_eq!(certs.len(), 1, "{listed}");
    assert_eq!(certs[0]["sha256"], renewed["thumbprint"]);
    assert!(certs[0]["key"].is_string(), "the key stayed: {listed}");

    // a service that is not there: exit 10 with the address in the message
    let gone = Holder::new("http://127.0.0.1:9");
    let err = gone.fails(&["enroll", "notices"], 10);
    assert!(err.contains("127.0.0.1:9"), "{err}");
    // plain HTTP to a non-loopback host is refused before any connection
    let remote = Holder::new("http://ca.example.cn");
    remote.fails(&["enroll", "notices"], 2);
}
