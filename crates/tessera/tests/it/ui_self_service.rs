//! The self-service screens of `tessera ui` in a real browser (Debian's Chromium through
//! chromedriver, driven with fantoccini) against a real service: the `tessera-server` library
//! served on 127.0.0.1 in this process with a manual clock, so the test reads the SMS codes
//! from its outbox and draws a captcha whose answer it knows.
//!
//! The walk: no service configured (and a bad address refused), then the service set on the
//! page; a forged QR (pasted text) refused; the real one chosen as a picture; apply with a wrong then the right SMS code; the business query
//! with a wrong captcha, then logged in; the operator approves; install onto a file device with
//! a wrong PIN, a wrong certificate password, then right; renew too early, then in the window;
//! the list shows the application issued; logout; a service that is not there (in Chinese, then
//! in English by setting). No password or PIN reaches an address bar or a file of the data
//! folder.
//!
//! The captcha the page shows is a real image this test cannot read, so it draws its own from
//! the service's captcha store and puts that id in the form's hidden field before typing the
//! answer, as a holder would type what the image says.
//!
//! Screenshots at 390×844 go to `target/ui-screenshots/ss-*`. Needs `chromium` and
//! `chromium-driver` (`TESSERA_SKIP_BROWSER=1` skips where they cannot be installed).

use crate::support;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, Locator};
use support::browser::{Killed, browser, click, fill, go, shots_dir, wait_text};
use support::service::{ADMIN, Served, serve};

const PHONE: &str = "13900000022";
const PASSWORD: &str = "cert pass 2026";
const WRONG_PASSWORD: &str = "not the password 1";
const PIN: &str = "d3vice-PIN";
const WRONG_PIN: &str = "wr0ng-PIN";

impl Served {
    /// The operator approves through the admin API.
    async fn approve(&self, id: &str) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let status = reqwest::Client::new()
            .post(format!("{}/v1/admin/applications/{id}/approve", self.url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 200);
    }
}

/// The holder's data folder with one file device, "phone".
struct Holder {
    dir: tempfile::TempDir,
}

impl Holder {
    fn new() -> Self {
        let h = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(h.path("pin"), format!("{PIN}\n")).unwrap();
        std::fs::write(h.path("so"), "so-secret-1\n").unwrap();
        let out = h
            .cmd(&[
                "device",
                "create",
                "--label",
                "phone",
                "--mode",
                "national",
                "--pin-file",
                &h.path("pin").display().to_string(),
                "--so-pin-file",
                &h.path("so").display().to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_file(h.path("pin")).unwrap();
        h
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tessera"));
        c.args(args)
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("TESSERA_PKCS11_MODULES", "")
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::null());
        c
    }

    fn start_ui(&self) -> (Killed, String) {
        let mut child = self
            .cmd(&["ui", "--listen", "127.0.0.1:0", "--no-open"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first.trim().to_owned();
        assert!(url.contains("/open?token="), "first line: {url:?}");
        (Killed(child), url)
    }
}

async fn shoot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("ss-{name}-390x844.png")), png).unwrap();
}

/// Sets a field's value at once (long texts: the QR; hidden fields: the captcha id).
async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![id.into(), value.into()],
    )
    .await
    .unwrap();
}

/// Secrets travel in POST bodies only: never in the address bar (nor history).
async fn assert_no_secret_in_url(c: &Client) {
    let url = c.current_url().await.unwrap().to_string();
    for secret in [PASSWORD, WRONG_PASSWORD, PIN, WRONG_PIN] {
        assert!(!url.contains(&secret.replace(' ', "+")), "{url}");
        assert!(!url.contains(&secret.replace(' ', "%20")), "{url}");
    }
}

/// Fills step 2 of the application (all but the code).
async fn fill_applicant(c: &Client) {
    fill(c, "#name", "张三").await;
    fill(c, "#id_number", "11010519491231002X").await;
    fill(c, "#organization", "示例医院").await;
    fill(c, "#email", "zhang@example.cn").await;
}

async fn fill_passwords_and_consent(c: &Client) {
    fill(c, "#password", PASSWORD).await;
    fill(c, "#password_again", PASSWORD).await;
    let consent = c.find(Locator::Css("#consent")).await.unwrap();
    if consent.prop("checked").await.unwrap().as_deref() != Some("true") {
        consent.click().await.unwrap();
    }
}

/// Types the PIN when the page asks for it (a remembered PIN is not asked again).
async fn pin_if_asked(c: &Client, pin: &str) {
    if c.find(Locator::Css("#pin")).await.is_ok() {
        fill(c, "#pin", pin).await;
    }
}

/// A PNG of the QR code for `text`, written into `dir`.
fn qr_png(text: &str, dir: &Path) -> PathBuf {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let img = code
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let path = dir.join("enroll-qr.png");
    img.save_with_format(&path, image::ImageFormat::Png)
        .unwrap();
    path
}

async fn walk(c: Client, service: Arc<Served>, url: String, qr_dir: PathBuf) {
    // First start: the certificate business and the privacy consent.
    c.goto(&url).await.unwrap();
    click(&c, "#choose-certificate").await;
    click(&c, "#accept-privacy").await;
    wait_text(&c, "#notice", "感谢").await;

    // Self-service without a service: it says so; a bad address is refused; then it is set.
    click(&c, "#tool-self-service").await;
    wait_text(&c, "#ss-no-server", "尚未配置服务").await;
    shoot(&c, "01-no-service").await;
    fill(&c, "#server", "ftp://ca.example.cn").await;
    click(&c, "#ss-server-save").await;
    wait_text(&c, "#failure", "不可用").await;
    fill(&c, "#server", &service.url).await;
    click(&c, "#ss-server-save").await;
    wait_text(&c, "#ss-apply", "申请证书").await;
    shoot(&c, "02-hub").await;

    // Apply, step 1: a forged QR (project changed, signature kept) is refused.
    click(&c, "#ss-apply").await;
    wait_text(&c, "h1", "申请证书").await;
    let forged = service.qr_text.replace("\"DEMO\"", "\"EVIL\"");
    assert_ne!(forged, service.qr_text);
    set_value(&c, "qr", &forged).await;
    fill(&c, "#phone", PHONE).await;
    click(&c, "#ss-send-code").await;
    wait_text(&c, "#failure", "伪造").await;
    shoot(&c, "03-forged-qr").await;
    // The real QR as the picture a phone camera would give (the page script sends it).
    set_value(&c, "qr", "").await;
    let picture = qr_png(&service.qr_text, &qr_dir);
    c.find(Locator::Css("#qr_file"))
        .await
        .unwrap()
        .send_keys(&picture.display().to_string())
        .await
        .unwrap();
    for _ in 0..100 {
        let v = c
            .execute("return document.getElementById('qr_image').value;", vec![])
            .await
            .unwrap();
        if v.as_str().is_some_and(|v| v.starts_with("data:image/")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(&c, "#ss-send-code").await;
    wait_text(&c, "#ss-code-sent", "已发送").await;
    wait_text(&c, "#ss-project", "DEMO").await;
    let code = service.newest_code(PHONE).await;

    // Step 2: the notices with their versions; a wrong code, then the right one.
    let notices = c
        .find(Locator::Css("#ss-notices"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notices.contains("2026-11-01"), "{notices}");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    fill(&c, "#code", wrong).await;
    fill_applicant(&c).await;
    fill_passwords_and_consent(&c).await;
    shoot(&c, "04-apply").await;
    click(&c, "#ss-submit-apply").await;
    wait_text(&c, "#failure", "短信验证码错误").await;
    assert_no_secret_in_url(&c).await;
    let kept = c
        .find(Locator::Css("#organization"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("示例医院"), "entries are kept");
    shoot(&c, "05-wrong-code").await;
    fill(&c, "#code", &code).await;
    fill_passwords_and_consent(&c).await;
    click(&c, "#ss-submit-apply").await;
    wait_text(&c, "#notice", "已收到").await;
    wait_text(&c, "#ss-next", "等待审核").await;
    let card = c
        .find(Locator::Css(".ss-application"))
        .await
        .unwrap()
        .attr("id")
        .await
        .unwrap()
        .unwrap();
    let id = card.trim_start_matches("app-").to_owned();
    wait_text(&c, &format!("#status-{id}"), "待审核").await;
    shoot(&c, "06-applied").await;

    // Business query: not logged in, so the login; a wrong captcha, then in.
    click(&c, "#ss-to-query").await;
    wait_text(&c, "h1", "业务查询").await;
    fill(&c, "#phone", PHONE).await;
    service.clock.advance(61);
    click(&c, "#ss-send-code").await;
    wait_text(&c, "#ss-code-sent", "已发送").await;
    let src = c
        .find(Locator::Css("#captcha"))
        .await
        .unwrap()
        .attr("src")
        .await
        .unwrap()
        .unwrap();
    assert!(src.starts_with("data:image/png;base64,iVBOR"), "{src:.40}");
    shoot(&c, "07-login").await;
    let code = service.newest_code(PHONE).await;
    fill(&c, "#captcha_answer", "0O0O").await;
    fill(&c, "#code", &code).await;
    click(&c, "#ss-login").await;
    wait_text(&c, "#failure", "图形验证码错误").await;
    let (captcha_id, answer) = service.new_captcha().await;
    set_value(&c, "captcha_id", &captcha_id).await;
    fill(&c, "#captcha_answer", &answer).await;
    fill(&c, "#code", &code).await;
    click(&c, "#ss-login").await;
    wait_text(&c, &format!("#status-{id}"), "待审核").await;

    // The operator approves: the list offers the install.
    service.approve(&id).await;
    c.refresh().await.unwrap();
    wait_text(&c, &format!("#status-{id}"), "已通过").await;
    shoot(&c, "08-approved").await;
    click(&c, &format!("#install-{id}")).await;
    wait_text(&c, "#ss-install-subject", "张三").await;

    // Install: a wrong PIN (tries left), a wrong certificate password, then both right.
    fill(&c, "#pin", WRONG_PIN).await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "#ss-install").await;
    wait_text(&c, "#failure", "还可尝试").await;
    assert_no_secret_in_url(&c).await;
    fill(&c, "#pin", PIN).await;
    fill(&c, "#password", WRONG_PASSWORD).await;
    click(&c, "#ss-install").await;
    wait_text(&c, "#failure", "证书密码错误").await;
    shoot(&c, "09-wrong-password").await;
    pin_if_asked(&c, PIN).await;
    fill(&c, "#password", PASSWORD).await;
    click(&c, "#ss-install").await;
    wait_text(&c, "#message", "已安装").await;
    shoot(&c, "10-installed").await;
    click(&c, ".message a.button").await;
    wait_text(&c, "#cert-subject", "张三").await;

    let cert_url = c.current_url().await.unwrap().to_string();

    // The list shows the application issued; logout ends the session.
    go(&c, &url, "/self-service/query").await;
    wait_text(&c, &format!("#status-{id}"), "已签发").await;
    click(&c, "#ss-logout").await;
    wait_text(&c, "#ss-query", "业务查询").await;
    click(&c, "#ss-query").await;
    wait_text(&c, "#ss-query-code-form", "手机号").await;

    // Back to the certificate.
    c.goto(&cert_url).await.unwrap();
    wait_text(&c, "#cert-subject", "张三").await;

    // Renew: too early, then ten days before expiry; the new certificate replaces the old.
    let old_url = cert_url;
    click(&c, "#cert-menu summary").await;
    click(&c, "#menu-renew").await;
    wait_text(&c, "#renew-subject", "张三").await;
    pin_if_asked(&c, PIN).await;
    click(&c, "#ss-renew").await;
    wait_text(&c, "#failure", "尚未到续期时间").await;
    shoot(&c, "11-renew-early").await;
    service.clock.advance(355 * 86_400);
    pin_if_asked(&c, PIN).await;
    click(&c, "#ss-renew").await;
    wait_text(&c, "#message", "续期成功").await;
    shoot(&c, "12-renewed").await;
    click(&c, ".message a.button").await;
    wait_text(&c, "#cert-subject", "张三").await;
    let new_url = c.current_url().await.unwrap().to_string();
    assert_ne!(old_url, new_url);
    go(&c, &url, "/home").await;
    wait_text(&c, "body", "张三").await;
    let certs = c.find_all(Locator::Css("a.cert")).await.unwrap();
    assert_eq!(certs.len(), 1, "the old certificate is gone");

    // A service that is not there: what happened and what to do.
    go(&c, &url, "/self-service").await;
    fill(&c, "#server", "http://127.0.0.1:9").await;
    click(&c, "#ss-server-save").await;
    wait_text(&c, "#ss-apply", "申请证书").await;
    click(&c, "#ss-apply").await;
    set_value(&c, "qr", &service.qr_text).await;
    fill(&c, "#phone", PHONE).await;
    click(&c, "#ss-send-code").await;
    wait_text(&c, "#failure", "无法连接服务").await;
    wait_text(&c, "#failure", "请检查网络").await;
    shoot(&c, "13-unreachable").await;

    // In English by setting.
    go(&c, &url, "/settings").await;
    c.find(Locator::Css("#language"))
        .await
        .unwrap()
        .select_by_value("en-US")
        .await
        .unwrap();
    wait_text(&c, "h1", "Settings").await;
    go(&c, &url, "/self-service").await;
    wait_text(&c, "#ss-apply", "Apply for a certificate").await;
    click(&c, "#ss-apply").await;
    set_value(&c, "qr", &service.qr_text).await;
    fill(&c, "#phone", PHONE).await;
    click(&c, "#ss-send-code").await;
    wait_text(&c, "#failure", "Cannot reach the service").await;
    wait_text(&c, "#failure", "Check the network").await;
    shoot(&c, "14-unreachable-en").await;
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_applies_installs_and_renews_from_the_browser() {
    if std::env::var("TESSERA_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SKIP: TESSERA_SKIP_BROWSER=1");
        return;
    }
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            Path::new(tool).exists(),
            "{tool} missing: apt-get install -y chromium chromium-driver \
             (or TESSERA_SKIP_BROWSER=1)"
        );
    }
    let service = Arc::new(serve(async |_, _| {}).await);
    let holder = Holder::new();
    let (ui, url) = holder.start_ui();
    let (_driver, c, _) = browser().await;
    // The walk runs as its own task so that a failure still ends the browser session.
    let result = tokio::spawn(walk(c.clone(), Arc::clone(&service), url, holder.path("."))).await;
    let _ = c.close().await;
    if let Err(e) = result {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("{e}"),
        }
    }
    drop(ui);

    // No password or PIN in any file of the data folder (logs, session, settings).
    for file in files(&holder.path("data")) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [PASSWORD, WRONG_PASSWORD, PIN, WRONG_PIN] {
            assert!(!text.contains(secret), "{secret:?} in {}", file.display());
        }
    }
}
