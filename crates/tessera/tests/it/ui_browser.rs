//! `tessera ui` in a real browser (Debian's Chromium through chromedriver, driven with
//! fantoccini), as a new holder uses it: first-run choice and language switch, privacy consent,
//! the list with a file device and a SoftHSM2 token, details with a copied field and the
//! thumbprint menu (values checked against `openssl`), wrong then right PIN on delete, the PIN
//! cache and its setting, PIN change (checked with `pkcs11-tool`) and lockout, update check
//! against a release feed served here (down, then up), log export decrypted with `age`, the
//! entries not available yet, a token removed while its page is open, return to start. A second
//! test checks the local-web-app safety over plain HTTP: Host, session cookie, CSRF, CSP, loopback.
//!
//! Screenshots at 390×844 and 1280×800 go to `target/ui-screenshots`. Needs `chromium`,
//! `chromium-driver`, `age`, `softhsm2`, `opensc` (scripts/test.sh installs them; set
//! `TESSERA_SKIP_BROWSER=1` to skip where they cannot be installed).

use crate::support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fantoccini::{Client, Locator};
use support::browser::{Killed, body, browser, click, fill, go, shots_dir, wait_text};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const DEVICE_PIN: &str = "d3vice-PIN";
const TOKEN_PIN: &str = "t0ken-PIN";
const NEW_TOKEN_PIN: &str = "k3y-h0lder9";
const WRONG_PIN: &str = "wr0ng-PIN";
const SIZES: [(u32, u32); 2] = [(390, 844), (1280, 800)];

fn sm2_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/sm2-certs/sm2")
        .join(name)
}

/// The holder's machine: a data folder, a SoftHSM2 token folder, the support key.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(self.dir.path())
            .env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .env("TESSERA_PKCS11_MODULES", MODULE)
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("LANG", "zh_CN.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::null());
        c
    }

    fn ok(&self, program: &str, args: &[&str]) -> String {
        let out = self.cmd(program, args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn tessera(&self, args: &[&str]) -> String {
        self.ok(env!("CARGO_BIN_EXE_tessera"), args)
    }

    fn tool(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--module", MODULE, "--token-label", "USB1"];
        all.extend(args);
        self.cmd("pkcs11-tool", &all).output().unwrap()
    }

    /// A fresh machine with nothing on it.
    fn bare() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn new() -> Self {
        let m = Self::bare();
        std::fs::create_dir_all(m.path("tokens")).unwrap();
        std::fs::write(
            m.path("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                m.path("tokens").display()
            ),
        )
        .unwrap();
        std::fs::write(m.path("pin"), format!("{DEVICE_PIN}\n")).unwrap();
        std::fs::write(m.path("so"), "so-secret-1\n").unwrap();

        // A USB key: a SoftHSM2 token holding a valid and an expired certificate.
        m.ok(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                "USB1",
                "--pin",
                TOKEN_PIN,
                "--so-pin",
                "12345678",
            ],
        );
        for (i, name) in ["server_sign.crt", "server_sign_expire.crt"]
            .iter()
            .enumerate()
        {
            let der = format!("token{i}.der");
            m.ok(
                "openssl",
                &[
                    "x509",
                    "-in",
                    sm2_data(name).to_str().unwrap(),
                    "-outform",
                    "DER",
                    "-out",
                    &der,
                ],
            );
            let id = format!("0{}", i + 1);
            let out = m.tool(&[
                "--login",
                "--pin",
                TOKEN_PIN,
                "--write-object",
                &der,
                "--type",
                "cert",
                "--id",
                &id,
                "--label",
                name,
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        // A file device with two certificates and their keys, and one that locks quickly.
        for (label, retries) in [("我的设备", "6"), ("备用设备", "2")] {
            m.tessera(&[
                "device",
                "create",
                "--label",
                label,
                "--max-retries",
                retries,
                "--pin-file",
                &m.p("pin"),
                "--so-pin-file",
                &m.p("so"),
            ]);
        }
        for name in ["client_sign", "client_enc"] {
            m.tessera(&[
                "cert",
                "import",
                "--device",
                "我的设备",
                sm2_data(&format!("{name}.crt")).to_str().unwrap(),
                "--key",
                sm2_data(&format!("{name}.key")).to_str().unwrap(),
                "--pin-file",
                &m.p("pin"),
            ]);
        }

        // The support team's age key pair; logs are exported to its public half.
        m.ok("age-keygen", &["-o", "support.key"]);
        let key = std::fs::read_to_string(m.path("support.key")).unwrap();
        let public = key
            .lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .unwrap()
            .to_owned();
        m.tessera(&["settings", "set", "support-key", &public]);
        m
    }

    /// `openssl x509 -fingerprint -<alg>` of a test certificate, as lowercase hex.
    fn fingerprint(&self, name: &str, alg: &str) -> String {
        let out = self.ok(
            "openssl",
            &[
                "x509",
                "-in",
                sm2_data(name).to_str().unwrap(),
                "-noout",
                "-fingerprint",
                &format!("-{alg}"),
            ],
        );
        out.trim()
            .split('=')
            .nth(1)
            .unwrap()
            .replace(':', "")
            .to_ascii_lowercase()
    }

    /// `openssl dgst -sm3` of a test certificate's DER.
    fn sm3(&self, name: &str) -> String {
        let der = format!("{name}.der");
        self.ok(
            "openssl",
            &[
                "x509",
                "-in",
                sm2_data(name).to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                &der,
            ],
        );
        let out = self.ok("openssl", &["dgst", "-sm3", "-r", &der]);
        out.split_whitespace().next().unwrap().to_owned()
    }
}

/// A release feed as the service will serve it, switchable between down (503) and up.
async fn feed(up: Arc<AtomicBool>) -> SocketAddr {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let app = axum::Router::new().route(
        tessera_proto::release::LATEST_PATH,
        axum::routing::get(move || {
            let up = up.clone();
            async move {
                if !up.load(Ordering::SeqCst) {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                axum::Json(tessera_proto::Release {
                    version: "99.0.0".to_owned(),
                    published: "2026-11-01T00:00:00Z".to_owned(),
                    url: "https://example.invalid/tessera/99.0.0".to_owned(),
                    notes: [("zh-CN".to_owned(), "修复若干问题".to_owned())].into(),
                    critical: false,
                })
                .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Starts `tessera ui`; returns the process and the opening URL from its first line.
fn start_ui(m: &Machine) -> (Killed, String) {
    let mut child = m
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &["ui", "--listen", "127.0.0.1:0", "--no-open"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/open?token="),
        "first line: {url:?}"
    );
    (Killed(child), url)
}

/// Lets the page read and write the clipboard (the WebDriver permissions extension), so the
/// test can read back what a tap copied.
async fn grant_clipboard(c: &Client, driver_port: u16) {
    let session = c.session_id().await.unwrap().unwrap();
    for name in ["clipboard-read", "clipboard-write"] {
        let body = format!(r#"{{"descriptor":{{"name":"{name}"}},"state":"granted"}}"#);
        let (status, answer) = http(
            &format!("127.0.0.1:{driver_port}"),
            &format!(
                "POST /session/{session}/permissions HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        assert_eq!(status, 200, "{answer}");
    }
}

/// Screenshots of the current page at phone and desktop width.
async fn shoot(c: &Client, name: &str) {
    for (w, h) in SIZES {
        // The window includes the browser's frame; size it so the page gets w × h.
        c.set_window_size(w, h).await.unwrap();
        let inner = c
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap();
        let dim = |i: usize| inner[i].as_u64().unwrap() as u32;
        c.set_window_size(2 * w - dim(0), 2 * h - dim(1))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = c.screenshot().await.unwrap();
        std::fs::write(shots_dir().join(format!("{name}-{w}x{h}.png")), png).unwrap();
    }
    c.set_window_size(SIZES[0].0, SIZES[0].1).await.unwrap();
}

/// The text of the element `css`, once it exists (retried while the page changes under it).
async fn text(c: &Client, css: &str) -> String {
    let mut last = None;
    for _ in 0..200 {
        match c.find(Locator::Css(css)).await {
            Ok(e) => match e.text().await {
                Ok(t) => return t,
                Err(err) => last = Some(err),
            },
            Err(err) => last = Some(err),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last:?}");
}

/// Waits until the page's body contains `needle`.
async fn wait_for_text(c: &Client, needle: &str) {
    for _ in 0..100 {
        if let Ok(b) = c.find(Locator::Css("body")).await
            && b.text().await.is_ok_and(|t| t.contains(needle))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{needle:?} never appeared; page: {}", body(c).await);
}

/// Chooses `value` in the auto-submitting select `css` and waits for the page it loads.
async fn choose(c: &Client, css: &str, value: &str, then: &str) {
    let select = c.find(Locator::Css(css)).await.unwrap();
    select.select_by_value(value).await.unwrap();
    wait_for_text(c, then).await;
}

/// A raw HTTP/1.1 request; returns status and the whole answer.
fn http(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    // Read until the peer closes or goes quiet (chromedriver keeps connections open).
    let mut bytes = Vec::new();
    let _ = s.read_to_end(&mut bytes);
    let answer = String::from_utf8_lossy(&bytes).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn safety_checks(url: &str, m: &Machine) {
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let token = url.split("token=").nth(1).unwrap();
    let get = |path: &str, host: &str, cookie: Option<&str>| {
        let cookie = cookie
            .map(|c| format!("Cookie: tessera_session={c}\r\n"))
            .unwrap_or_default();
        http(
            &addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie}Connection: close\r\n\r\n"),
        )
    };
    // Without the cookie, nothing but the opening URL and static files.
    let (status, answer) = get("/home", &addr, None);
    assert_eq!(status, 403, "{answer}");
    assert_eq!(get("/open?token=0000", &addr, None).0, 403);
    // The URL's token is not a session.
    assert_eq!(get("/home", &addr, Some(token)).0, 403);
    let (status, answer) = get(&format!("/open?token={token}"), &addr, None);
    assert_eq!(status, 303);
    let lower = answer.to_ascii_lowercase();
    assert!(lower.contains("set-cookie: tessera_session="), "{answer}");
    assert!(lower.contains("httponly") && lower.contains("samesite=strict"));
    let session = answer
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie").then_some(value)
        })
        .and_then(|v| v.trim().strip_prefix("tessera_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    assert_ne!(session, token, "the cookie is not the URL's token");
    let session = session.as_str();
    // The opening URL is single-use: a second visit (a copy from history or a process list)
    // gets no cookie.
    let (status, answer) = get(&format!("/open?token={token}"), &addr, None);
    assert_eq!(status, 403, "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("set-cookie"),
        "{answer}"
    );
    // DNS rebinding: another host name is refused even with the cookie.
    assert_eq!(get("/home", "evil.example", Some(session)).0, 421);
    let (status, answer) = get("/start", &addr, Some(session));
    assert_eq!(status, 200);
    let csp = answer
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("content-security-policy:")
        })
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(!answer.contains("<script>") && !answer.contains(" style=\""));
    // A POST without the CSRF token changes nothing.
    let form = "key=pin-cache&value=1";
    let (status, _) = http(
        &addr,
        &format!(
            "POST /settings/set HTTP/1.1\r\nHost: {addr}\r\nCookie: tessera_session={session}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert_eq!(status, 403);
    assert!(
        !m.tessera(&["settings", "get", "pin-cache"])
            .contains("= 1\n")
    );
    // Only loopback.
    let out = m
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &["ui", "--listen", "0.0.0.0:0", "--no-open"],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The local-web-app defences, over plain HTTP (no browser needed).
#[test]
fn only_this_browser_session_on_this_machine_gets_in() {
    let m = Machine::bare();
    let (_ui, url) = start_ui(&m);
    safety_checks(&url, &m);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_holder_uses_the_app_at_phone_and_desktop_width() {
    if std::env::var("TESSERA_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SKIP: TESSERA_SKIP_BROWSER=1");
        return;
    }
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver", MODULE] {
        assert!(
            Path::new(tool).exists(),
            "{tool} missing: apt-get install -y chromium chromium-driver softhsm2 opensc age \
             (or TESSERA_SKIP_BROWSER=1)"
        );
    }
    let m = Arc::new(Machine::new());
    let feed_up = Arc::new(AtomicBool::new(false));
    let feed_addr = feed(feed_up.clone()).await;
    m.tessera(&["settings", "set", "server", &format!("http://{feed_addr}")]);
    let (mut ui, url) = start_ui(&m);
    let (_driver, c, driver_port) = browser().await;
    // The walk runs as its own task so that a failure still ends the browser session (a
    // chromium left behind would outlive the test).
    let walk = tokio::spawn(walk(
        c.clone(),
        driver_port,
        Arc::clone(&m),
        url.clone(),
        Arc::clone(&feed_up),
    ))
    .await;
    let _ = c.close().await;
    if let Err(e) = walk {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("{e}"),
        }
    }

    // No PIN in any log or output.
    let _ = ui.0.kill();
    let mut output = String::new();
    if let Some(mut e) = ui.0.stderr.take() {
        let _ = e.read_to_string(&mut output);
    }
    let mut logs = output;
    for f in std::fs::read_dir(m.path("data/logs")).unwrap() {
        logs.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    for pin in [DEVICE_PIN, TOKEN_PIN, NEW_TOKEN_PIN, WRONG_PIN] {
        assert!(!logs.contains(pin), "PIN {pin} in logs: {logs}");
    }
    assert!(!logs.contains("panicked"), "{logs}");
}

/// Everything a new holder does, in one browser session.
async fn walk(c: Client, driver_port: u16, m: Arc<Machine>, url: String, feed_up: Arc<AtomicBool>) {
    // First start: Simplified Chinese, the business choice; the language can be switched.
    c.goto(&url).await.unwrap();
    wait_text(&c, "h1", "欢迎使用").await;
    shoot(&c, "01-start").await;
    choose(&c, "#start-language", "en-US", "Welcome").await;
    assert!(body(&c).await.contains("Digital certificates"));
    shoot(&c, "01-start-en").await;
    choose(&c, "#start-language", "zh-CN", "欢迎使用").await;

    // The certificate business asks for consent first, and nothing proceeds without it.
    click(&c, "#choose-certificate").await;
    wait_text(&c, "h1", "隐私政策").await;
    shoot(&c, "02-privacy").await;
    go(&c, &url, "/home").await;
    wait_text(&c, "h1", "隐私政策").await;
    click(&c, "#accept-privacy").await;
    wait_text(&c, "#notice", "感谢").await;
    assert!(
        m.tessera(&["settings", "get", "privacy-accepted"])
            .contains("= 1")
    );

    // Home: tools, then both media with their certificates and status badges.
    let home = body(&c).await;
    for expected in [
        "扫码",
        "自助服务",
        "电子印章",
        "我的设备",
        "备用设备",
        "USB1",
        "USB Key",
        "文件型设备",
        "client sign",
        "client enc",
        "server sign",
        "有效",
        "已过期",
    ] {
        assert!(
            home.contains(expected),
            "{expected} missing from home: {home}"
        );
    }
    shoot(&c, "03-home").await;

    // Details of a certificate on the file device.
    let sha256 = m.fingerprint("client_sign.crt", "sha256");
    click(&c, &format!("a.cert[href$='{sha256}']")).await;
    assert_eq!(text(&c, "#cert-subject").await, "client sign");
    let details = body(&c).await;
    assert!(
        details.contains("client sign") && details.contains("CC"),
        "{details}"
    );
    // SHA-1 by default; the menu offers SHA-256, SM3 and MD5, each as openssl computes it.
    assert_eq!(text(&c, "#thumbprint-label").await, "SHA-1");
    assert_eq!(
        text(&c, "#thumbprint-value .value").await,
        m.fingerprint("client_sign.crt", "sha1")
    );
    shoot(&c, "04-certificate").await;
    for (alg, label, expected) in [
        ("sha256", "SHA-256", sha256.clone()),
        ("sm3", "SM3", m.sm3("client_sign.crt")),
        ("md5", "MD5", m.fingerprint("client_sign.crt", "md5")),
    ] {
        c.find(Locator::Css("#tp"))
            .await
            .unwrap()
            .select_by_value(alg)
            .await
            .unwrap();
        assert_eq!(text(&c, "#thumbprint-label").await, label);
        assert_eq!(text(&c, "#thumbprint-value .value").await, expected);
        let copy = c
            .find(Locator::Css("#thumbprint-value"))
            .await
            .unwrap()
            .attr("data-copy")
            .await
            .unwrap();
        assert_eq!(copy.as_deref(), Some(expected.as_str()));
    }
    // Tapping a field copies it and says so; the clipboard then holds the value.
    grant_clipboard(&c, driver_port).await;
    let field = c
        .find(Locator::Css("#fields .field:nth-child(2)"))
        .await
        .unwrap();
    let value = field.attr("data-copy").await.unwrap().unwrap();
    field.click().await.unwrap();
    wait_text(&c, "#toast", "已复制").await;
    let pasted = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             navigator.clipboard.readText().then(done, e => done('error: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(pasted.as_str(), Some(value.as_str()));
    shoot(&c, "05-copied").await;

    // Delete: wrong PIN shows the retries left, the right one deletes.
    click(&c, "#cert-menu summary").await;
    click(&c, "#menu-delete").await;
    fill(&c, "#pin", WRONG_PIN).await;
    click(&c, "#confirm-delete").await;
    wait_text(&c, "#failure", "还可尝试 5 次").await;
    assert_no_pin_in_url(&c).await;
    shoot(&c, "06-delete-wrong-pin").await;
    fill(&c, "#pin", DEVICE_PIN).await;
    click(&c, "#confirm-delete").await;
    wait_text(&c, "#notice", "证书已删除").await;
    let home = body(&c).await;
    assert!(!home.contains("client sign") && home.contains("client enc"));

    // The PIN is cached now (30 minutes by default), yet deleting the other one asks for it:
    // a cached PIN never stands in for the PIN a deletion asks for.
    let enc = m.fingerprint("client_enc.crt", "sha256");
    click(&c, &format!("a.cert[href$='{enc}']")).await;
    click(&c, "#cert-menu summary").await;
    click(&c, "#menu-delete").await;
    text(&c, "#pin").await;
    assert!(c.find(Locator::Css("#pin-cached")).await.is_err());
    let delete_url = c.current_url().await.unwrap();
    // Turning the cache off in the settings changes nothing here.
    go(&c, &url, "/settings").await;
    // The first visit checks for updates: the feed is down.
    wait_text(&c, "#update-status", "无法连接更新服务").await;
    choose(&c, "#pin-cache", "off", "已保存").await;
    assert!(m.tessera(&["settings", "get", "pin-cache"]).contains("off"));
    c.goto(delete_url.as_str()).await.unwrap();
    text(&c, "#pin").await;
    assert!(c.find(Locator::Css("#pin-cached")).await.is_err());
    choose_settings_value(&c, &url, "#pin-cache", "5").await;
    assert!(m.tessera(&["settings", "get", "pin-cache"]).contains("5"));

    // The same pages in English, by the setting.
    choose(&c, "#language", "en-US", "Saved.").await;
    assert!(
        m.tessera(&["settings", "get", "language"])
            .contains("en-US")
    );
    wait_text(&c, "h1", "Settings").await;
    shoot(&c, "07-settings-en").await;
    go(&c, &url, "/home").await;
    wait_text(&c, "h1", "Digital certificates").await;
    assert!(body(&c).await.contains("Change PIN"));
    shoot(&c, "03-home-en").await;
    click(&c, &format!("a.cert[href$='{enc}']")).await;
    wait_text(&c, "#fields", "Subject").await;
    shoot(&c, "04-certificate-en").await;
    go(&c, &url, "/settings").await;
    choose(&c, "#language", "zh-CN", "已保存").await;

    // Updates: the feed comes up; checking now finds 99.0.0.
    feed_up.store(true, Ordering::SeqCst);
    click(&c, "#check-now").await;
    wait_for_text(&c, "99.0.0").await;
    wait_text(&c, "#update-status", "有新版本 99.0.0").await;
    wait_text(&c, "#update-notes", "修复若干问题").await;
    shoot(&c, "07-settings").await;

    // Log export: one file, which the support key decrypts to the compressed logs.
    click(&c, "#export-logs").await;
    let exported = PathBuf::from(text(&c, "#export-path").await);
    assert!(
        exported.starts_with(m.path("data")),
        "{}",
        exported.display()
    );
    m.ok(
        "age",
        &[
            "-d",
            "-i",
            "support.key",
            "-o",
            "logs.tar.gz",
            exported.to_str().unwrap(),
        ],
    );
    let listing = m.ok("tar", &["-tzf", "logs.tar.gz"]);
    assert!(
        listing.contains("tessera.log") && listing.contains("about.txt"),
        "{listing}"
    );
    m.ok("tar", &["-xzf", "logs.tar.gz", "tessera.log"]);
    let log = std::fs::read_to_string(m.path("tessera.log")).unwrap();
    assert!(log.contains("certificate deleted"), "{log}");
    shoot(&c, "08-logs-exported").await;

    // The legal pages, lists and about.
    click(&c, "#link-third-party").await;
    let third = body(&c).await;
    assert!(third.contains("axum") && third.contains("MIT") && third.contains("否"));
    shoot(&c, "09-third-party").await;
    c.back().await.unwrap();
    click(&c, "#link-personal").await;
    assert!(body(&c).await.contains("身份证号"));
    c.back().await.unwrap();
    click(&c, "#link-agreement").await;
    wait_text(&c, "h1", "用户协议").await;
    c.back().await.unwrap();
    click(&c, "#link-about").await;
    let mail = c.find(Locator::Css("#about-email")).await.unwrap();
    assert!(
        mail.attr("href")
            .await
            .unwrap()
            .unwrap()
            .starts_with("mailto:")
    );
    let tel = c.find(Locator::Css("#about-hotline")).await.unwrap();
    assert!(tel.attr("href").await.unwrap().unwrap().starts_with("tel:"));
    shoot(&c, "10-about").await;

    // PIN change on the USB key: mismatch, weak, then right (checked with pkcs11-tool).
    go(&c, &url, "/home").await;
    click(&c, "section[data-medium='USB1'] .medium-head a.button").await;
    fill(&c, "#old", TOKEN_PIN).await;
    fill(&c, "#new", NEW_TOKEN_PIN).await;
    fill(&c, "#confirm", "something-else1").await;
    click(&c, "#change-pin").await;
    wait_text(&c, "#failure", "两次输入的新密码不一致").await;
    // The hint under the new PIN rates it while it is typed.
    fill(&c, "#new", "111111").await;
    wait_text(&c, "#pin-strength", "重复").await;
    fill(&c, "#new", NEW_TOKEN_PIN).await;
    wait_text(&c, "#pin-strength", "强度：强").await;
    fill(&c, "#old", TOKEN_PIN).await;
    fill(&c, "#new", "111111").await;
    fill(&c, "#confirm", "111111").await;
    click(&c, "#change-pin").await;
    wait_text(&c, "#failure", "重复").await;
    fill(&c, "#old", TOKEN_PIN).await;
    fill(&c, "#new", NEW_TOKEN_PIN).await;
    fill(&c, "#confirm", NEW_TOKEN_PIN).await;
    click(&c, "#change-pin").await;
    wait_text(&c, "#notice", "密码已修改").await;
    assert_no_pin_in_url(&c).await;
    shoot(&c, "11-pin-changed").await;
    let out = m.tool(&["--login", "--pin", NEW_TOKEN_PIN, "--list-objects"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Lockout: the spare device allows two wrong PINs, then says it is locked.
    go(&c, &url, "/home").await;
    click(&c, "section[data-medium='备用设备'] .medium-head a.button").await;
    // After the last try the page shows the lock itself, not the failure that caused it.
    for (css, needle) in [("#failure", "还可尝试 1 次"), ("#medium-state", "已锁定")] {
        fill(&c, "#old", WRONG_PIN).await;
        fill(&c, "#new", NEW_TOKEN_PIN).await;
        fill(&c, "#confirm", NEW_TOKEN_PIN).await;
        click(&c, "#change-pin").await;
        wait_text(&c, css, needle).await;
    }
    wait_text(&c, "#medium-state", "已锁定").await;
    assert!(c.find(Locator::Css("#pin-form")).await.is_err());
    shoot(&c, "12-locked").await;

    // Entries for what is not available yet.
    go(&c, &url, "/home").await;
    click(&c, "#tool-qr").await;
    wait_text(&c, "#unavailable", "暂不支持").await;
    shoot(&c, "13-unavailable").await;

    // A token removed while its page is open.
    go(&c, &url, "/home").await;
    let server = m.fingerprint("server_sign.crt", "sha256");
    click(&c, &format!("a.cert[href$='{server}']")).await;
    assert_eq!(text(&c, "#cert-subject").await, "server sign");
    m.ok("softhsm2-util", &["--delete-token", "--token", "USB1"]);
    c.refresh().await.unwrap();
    wait_text(&c, "#message", "已断开连接").await;
    shoot(&c, "14-medium-gone").await;

    // Return to start; the cloud key says plainly it is not available yet.
    go(&c, &url, "/settings").await;
    click(&c, "#return-to-start").await;
    wait_text(&c, "h1", "欢迎使用").await;
    click(&c, "#choose-cloud-key").await;
    wait_text(&c, "#unavailable", "云密钥").await;
    shoot(&c, "15-cloud-key").await;
    click(&c, "#return-to-start").await;
    wait_text(&c, "h1", "欢迎使用").await;
}

/// PINs travel in POST bodies only: never in the address bar (nor history).
async fn assert_no_pin_in_url(c: &Client) {
    let url = c.current_url().await.unwrap().to_string();
    for pin in [DEVICE_PIN, TOKEN_PIN, NEW_TOKEN_PIN, WRONG_PIN] {
        assert!(!url.contains(pin), "{url}");
    }
}

/// Opens the settings and chooses `value` in `css`.
async fn choose_settings_value(c: &Client, url: &str, css: &str, value: &str) {
    go(c, url, "/settings").await;
    choose(c, css, value, "已保存").await;
}
