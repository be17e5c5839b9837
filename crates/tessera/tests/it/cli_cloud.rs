//! `tessera cloud` against a real service on 127.0.0.1 (the `tessera-server` library served on
//! a random port in this process, so the test reads SMS codes and captcha answers): the
//! interface the acceptance checks use (orgs, apply, operator approval through the admin API,
//! download, cert --format pem, sign, decrypt), `openssl pkeyutl` as the outside oracle, several
//! accounts with switch and delete (confirmed), password change, bind phone (with the code to
//! the phone bound before), recovery by captcha + SMS after which the install's key signs with
//! the new password (OpenSSL verifies), migration of a share wrapped under the password by an
//! earlier version, signature image, app sessions, lockout, and no secret in the client's data
//! folder.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tessera_proto::cloud::Password;
use tessera_server::store::RaPolicy;

const PASSWORD: &str = "cloud pass 2026";
const NEW_PASSWORD: &str = "changed pass 77";

struct Holder {
    dir: tempfile::TempDir,
}

impl Holder {
    fn new() -> Self {
        let h = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(h.path("password"), format!("{PASSWORD}\n")).unwrap();
        std::fs::write(h.path("new-password"), format!("{NEW_PASSWORD}\n")).unwrap();
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
        let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
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
            !all.contains(PASSWORD) && !all.contains(NEW_PASSWORD),
            "a password was printed"
        );
        out
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_slice(&self.ok(&all).stdout).unwrap()
    }

    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        stderr
    }
}

fn openssl(args: &[&str]) -> bool {
    tessera_testkit::openssl::output(Command::new("openssl").args(args))
        .status
        .success()
}

fn start_service() -> support::service::Service {
    support::service::start(async |store, parts| {
        store
            .create_organization("HOSP", "第一人民医院", 0)
            .await
            .unwrap();
        store
            .create_organization("CLINIC", "社区诊所", 0)
            .await
            .unwrap();
        store
            .create_project("CLINIC", "CLINIC-STAFF", "员工", RaPolicy::Review, 0)
            .await
            .unwrap();
        // Binding and recovery send two codes to one phone within a minute.
        parts.sms_limits.phone_interval = 0;
    })
}

fn apply(s: &support::service::Service, h: &Holder, org: &str, user: &str, phone: &str) -> String {
    let account = h.json(&[
        "cloud",
        "apply",
        "--server",
        &s.url,
        "--org",
        org,
        "--user",
        user,
        "--name",
        "李医生",
        "--phone",
        phone,
        "--password-file",
        &h.p("password"),
    ]);
    assert_eq!(account["status"], "pending");
    account["id"].as_str().unwrap().to_owned()
}

fn download(s: &support::service::Service, h: &Holder, org: &str, user: &str) -> Value {
    h.json(&[
        "cloud",
        "download",
        "--server",
        &s.url,
        "--org",
        org,
        "--user",
        user,
        "--password-file",
        &h.p("password"),
    ])
}

#[test]
fn cloud_key_from_the_cli() {
    let s = start_service();
    let h = Holder::new();

    // Directory: list and search.
    let orgs = h.json(&["cloud", "orgs", "--server", &s.url]);
    let codes: Vec<&str> = orgs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "{orgs}");
    assert!(codes.contains(&"HOSP") && codes.contains(&"CLINIC") && codes.contains(&"DEMO-ORG"));
    let orgs = h.json(&["cloud", "orgs", "--server", &s.url, "--query", "医院"]);
    assert_eq!(orgs[0]["code"], "HOSP");
    assert_eq!(orgs[0]["service_url"], s.url.as_str());

    // Choose the organization: its address becomes the default; apply without --server.
    let chosen = h.json(&["cloud", "use", "--server", &s.url, "--org", "HOSP"]);
    assert_eq!(chosen["service_url"], s.url.as_str());
    let about = h.json(&["cloud", "about"]);
    assert_eq!(about["service_url"], s.url.as_str());
    assert_eq!(about["update_check"], "daily");

    // Apply, refused download while pending, operator approval, download.
    let account = h.json(&[
        "cloud",
        "apply",
        "--user",
        "D2001",
        "--name",
        "李医生",
        "--phone",
        "13800000001",
        "--password-file",
        &h.p("password"),
    ]);
    let id = account["id"].as_str().unwrap().to_owned();
    let err = h.fails(
        &[
            "cloud",
            "download",
            "--server",
            &s.url,
            "--org",
            "HOSP",
            "--user",
            "D2001",
            "--password-file",
            &h.p("password"),
        ],
        9,
    );
    assert!(err.contains("pending"), "{err}");
    let pending = s.admin("GET", "/v1/admin/cloud/accounts?status=pending");
    assert_eq!(pending[0]["id"], id.as_str());
    s.admin("POST", &format!("/v1/admin/cloud/accounts/{id}/approve"));
    let done = download(&s, &h, "HOSP", "D2001");
    assert_eq!(done["new_key"], true);

    // The certificate as text is its fields, not PEM; as PEM on request.
    let text = String::from_utf8(h.ok(&["cloud", "cert"]).stdout).unwrap();
    assert!(!text.contains("BEGIN CERTIFICATE"), "{text}");
    assert!(text.contains("李医生") && text.contains("D2001"), "{text}");
    // The certificate, as PEM.
    let pem = h.ok(&["cloud", "cert", "--format", "pem"]).stdout;
    std::fs::write(h.path("cert.pem"), &pem).unwrap();
    let subject = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8",
            "-in",
            &h.p("cert.pem"),
        ])
        .output()
        .unwrap();
    let subject = String::from_utf8(subject.stdout).unwrap();
    assert!(
        subject.contains("李医生") && subject.contains("D2001"),
        "{subject}"
    );

    // Sign; OpenSSL verifies with the default ID, and not with its empty one.
    std::fs::write(h.path("doc"), "处方：阿莫西林 0.5g tid").unwrap();
    h.ok(&[
        "cloud",
        "sign",
        "--in",
        &h.p("doc"),
        "--out",
        &h.p("doc.sig"),
        "--password-file",
        &h.p("password"),
    ]);
    let verify = |distid: bool| {
        let mut args = vec![
            "pkeyutl",
            "-verify",
            "-rawin",
            "-digest",
            "sm3",
            "-certin",
            "-inkey",
            h.path("cert.pem").to_str().unwrap().to_owned().leak(),
            "-in",
            h.path("doc").to_str().unwrap().to_owned().leak(),
            "-sigfile",
            h.path("doc.sig").to_str().unwrap().to_owned().leak(),
        ];
        if distid {
            args.extend(["-pkeyopt", "distid:1234567812345678"]);
        }
        openssl(&args)
    };
    assert!(verify(true), "OpenSSL rejects the co-signed signature");
    assert!(!verify(false));

    // Decrypt what OpenSSL encrypts to the certificate.
    std::fs::write(h.path("secret.txt"), "检验报告 lab report").unwrap();
    assert!(openssl(&[
        "pkeyutl",
        "-encrypt",
        "-certin",
        "-inkey",
        &h.p("cert.pem"),
        "-in",
        &h.p("secret.txt"),
        "-out",
        &h.p("secret.ct")
    ]));
    let plain = h
        .ok(&[
            "cloud",
            "decrypt",
            "--in",
            &h.p("secret.ct"),
            "--password-file",
            &h.p("password"),
        ])
        .stdout;
    assert_eq!(plain, "检验报告 lab report".as_bytes());

    // A wrong password is refused by the service (the share is this install's, not the
    // password's).
    h.fails(
        &[
            "cloud",
            "sign",
            "--in",
            &h.p("doc"),
            "--out",
            &h.p("x.sig"),
            "--password-file",
            &h.p("wrong"),
        ],
        6,
    );

    // A second account on the same install, its organization chosen by scanning its QR
    // (checked with the service's key), switch between them, refresh, delete.
    let qr = s
        .state
        .service_key
        .sign_enrollment(&s.url, "CLINIC-STAFF")
        .unwrap()
        .to_qr_text()
        .unwrap();
    std::fs::write(h.path("qr.txt"), &qr).unwrap();
    let chosen = h.json(&["cloud", "use", "--qr", &h.p("qr.txt")]);
    assert_eq!(chosen["code"], "CLINIC");
    let forged = qr.replace("CLINIC-STAFF", "CLINIC-STAFX");
    std::fs::write(h.path("forged.txt"), &forged).unwrap();
    assert!(
        !h.run(&["cloud", "use", "--qr", &h.p("forged.txt")])
            .status
            .success()
    );
    let id2 = apply(&s, &h, "CLINIC", "N3002", "13800000002");
    s.admin("POST", &format!("/v1/admin/cloud/accounts/{id2}/approve"));
    download(&s, &h, "CLINIC", "N3002");
    let accounts = h.json(&["cloud", "accounts"]);
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(accounts["active"], id2.as_str());
    h.ok(&["cloud", "switch", "D2001"]);
    assert_eq!(h.json(&["cloud", "accounts"])["active"], id.as_str());
    // An unambiguous prefix of the id is enough; one that matches nothing is refused (exit 8).
    h.ok(&["cloud", "switch", &id2[..8]]);
    assert_eq!(h.json(&["cloud", "accounts"])["active"], id2.as_str());
    let err = h.fails(&["cloud", "switch", "zz"], 8);
    assert!(err.contains("zz"), "{err}");
    h.ok(&["cloud", "switch", "D2001"]);
    assert_eq!(h.json(&["cloud", "accounts"])["active"], id.as_str());
    let refreshed = h.json(&["cloud", "refresh", "--password-file", &h.p("password")]);
    assert_eq!(refreshed["renewed"], false);
    // Deleting the share asks first: without a terminal it needs --yes.
    let err = h.fails(&["cloud", "delete", "N3002"], 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(
        h.json(&["cloud", "accounts"])["accounts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    h.ok(&["cloud", "delete", "N3002", "--yes"]);
    assert_eq!(
        h.json(&["cloud", "accounts"])["accounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Signature image and app sessions.
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::new(8, 4)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    std::fs::write(h.path("sig.png"), &png).unwrap();
    h.ok(&[
        "cloud",
        "signature-image",
        "--put",
        &h.p("sig.png"),
        "--password-file",
        &h.p("password"),
    ]);
    h.ok(&[
        "cloud",
        "signature-image",
        "--out",
        &h.p("back.png"),
        "--password-file",
        &h.p("password"),
    ]);
    assert_eq!(std::fs::read(h.path("back.png")).unwrap(), png);
    let sessions = h.json(&["cloud", "app-sessions", "--password-file", &h.p("password")]);
    assert!(sessions.as_array().unwrap().is_empty());
    h.ok(&[
        "cloud",
        "app-sessions",
        "--end-all",
        "--password-file",
        &h.p("password"),
    ]);

    // Bind another phone: the code to the new phone, the code to the phone bound now, and this
    // install's device signature.
    // The code to the new phone, asked for as `bind-phone --help` says.
    let help = String::from_utf8_lossy(&h.ok(&["cloud", "bind-phone", "--help"]).stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("enroll code --for bind-phone"), "{help}");
    h.ok(&[
        "enroll",
        "--server",
        &s.url,
        "code",
        "--phone",
        "13900000003",
        "--for",
        "bind-phone",
    ]);
    let code = s.last_code("13900000003");
    h.ok(&["cloud", "phone-code", "--password-file", &h.p("password")]);
    let old_code = s.last_code("13800000001");
    let err = h.fails(
        &[
            "cloud",
            "bind-phone",
            "--phone",
            "13900000003",
            "--code",
            &code,
            "--password-file",
            &h.p("password"),
        ],
        // exit 11 (an entry missing or refused), no longer 5, which is for chains and
        // signatures (issue 14)
        11,
    );
    assert!(err.contains("old_phone_code_required"), "{err}");
    h.ok(&[
        "cloud",
        "bind-phone",
        "--phone",
        "13900000003",
        "--code",
        &code,
        "--old-code",
        &old_code,
        "--password-file",
        &h.p("password"),
    ]);
    // Recover the password with captcha + SMS to the new phone.
    let (cid, answer) = s.captcha();
    h.ok(&[
        "cloud",
        "recover-code",
        "--server",
        &s.url,
        "--org",
        "HOSP",
        "--user",
        "D2001",
        "--captcha-id",
        &cid,
        "--captcha-answer",
        &answer,
    ]);
    let code = s.last_code("13900000003");
    h.ok(&[
        "cloud",
        "recover",
        "--server",
        &s.url,
        "--org",
        "HOSP",
        "--user",
        "D2001",
        "--code",
        &code,
        "--new-password-file",
        &h.p("new-password"),
    ]);
    // The old password is refused by the service; the new one signs with this install's share
    // at once, and OpenSSL verifies the signature.
    h.fails(
        &[
            "cloud",
            "sign",
            "--in",
            &h.p("doc"),
            "--out",
            &h.p("y.sig"),
            "--password-file",
            &h.p("password"),
        ],
        6,
    );
    h.ok(&[
        "cloud",
        "sign",
        "--in",
        &h.p("doc"),
        "--out",
        &h.p("doc.sig"),
        "--password-file",
        &h.p("new-password"),
    ]);
    assert!(
        verify(true),
        "OpenSSL rejects the signature made after recovery"
    );
    let about = h.json(&["cloud", "about"]);
    assert_eq!(about["cosign_url"], s.url.as_str());

    // No password or share in clear in the client's data folder.
    let mut files = Vec::new();
    collect(&h.path("data"), &mut files);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in [PASSWORD, NEW_PASSWORD] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a password",
                f.display()
            );
        }
    }
}

#[test]
fn password_change_and_lockout_from_the_cli() {
    let s = start_service();
    let h = Holder::new();
    let id = apply(&s, &h, "HOSP", "L4004", "13800000004");
    s.admin("POST", &format!("/v1/admin/cloud/accounts/{id}/approve"));
    download(&s, &h, "HOSP", "L4004");
    // An install of an earlier version kept d1 wrapped under the password: the first use with
    // the password rewraps it under the install's own key.
    let dir = tessera_core::cloud::local::CloudDir::new(&h.path("data"));
    let mut file = dir.load().unwrap();
    let account = &mut file.accounts[0];
    let d1 = dir.unwrap_share(account).unwrap();
    account.wrapped_share =
        tessera_core::cloud::local::wrap_password_share_v1(&d1, &Password::new(PASSWORD)).unwrap();
    account.share_wrap = tessera_core::cloud::local::ShareWrap::Password;
    dir.save(&file).unwrap();
    std::fs::write(h.path("old"), "x").unwrap();
    h.ok(&[
        "cloud",
        "sign",
        "--in",
        &h.p("old"),
        "--out",
        &h.p("old.sig"),
        "--password-file",
        &h.p("password"),
    ]);
    let file = dir.load().unwrap();
    assert_eq!(
        file.accounts[0].share_wrap,
        tessera_core::cloud::local::ShareWrap::InstallKey
    );
    assert_eq!(
        dir.unwrap_share(&file.accounts[0])
            .unwrap()
            .to_bytes()
            .as_slice(),
        d1.to_bytes().as_slice()
    );
    h.ok(&[
        "cloud",
        "password",
        "--password-file",
        &h.p("password"),
        "--new-password-file",
        &h.p("new-password"),
    ]);
    std::fs::write(h.path("doc"), "x").unwrap();
    h.fails(
        &[
            "cloud",
            "sign",
            "--in",
            &h.p("doc"),
            "--out",
            &h.p("a.sig"),
            "--password-file",
            &h.p("password"),
        ],
        6,
    );
    h.ok(&[
        "cloud",
        "sign",
        "--in",
        &h.p("doc"),
        "--out",
        &h.p("a.sig"),
        "--password-file",
        &h.p("new-password"),
    ]);
    // Wrong passwords at the service (download logs in first): five are checked, the sixth
    // try finds the account locked.
    for _ in 0..5 {
        h.fails(
            &[
                "cloud",
                "download",
                "--server",
                &s.url,
                "--org",
                "HOSP",
                "--user",
                "L4004",
                "--password-file",
                &h.p("wrong"),
            ],
            6,
        );
    }
    let err = h.fails(
        &[
            "cloud",
            "download",
            "--server",
            &s.url,
            "--org",
            "HOSP",
            "--user",
            "L4004",
            "--password-file",
            &h.p("wrong"),
        ],
        7,
    );
    assert!(err.contains("account_locked"), "{err}");
    h.fails(
        &[
            "cloud",
            "sign",
            "--in",
            &h.p("doc"),
            "--out",
            &h.p("b.sig"),
            "--password-file",
            &h.p("new-password"),
        ],
        7,
    );
}

fn collect(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
