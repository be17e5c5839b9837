//! The CLI against a SoftHSM2 token: `device list` shows it beside file devices, `cert list`
//! shows what `pkcs11-tool` wrote with SHA-256 thumbprints, `pin change` works for the token (and
//! the new PIN in `pkcs11-tool`), `device watch` reports a removed token. Each test has its own
//! token folder, passed to the child processes through `SOFTHSM2_CONF`; needs `softhsm2` and
//! `opensc` (set `TESSERA_SKIP_PKCS11=1` to skip where they cannot be installed).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

#[derive(Debug, Deserialize)]
struct ListedMedium {
    path: String,
    kind: Option<String>,
    label: Option<String>,
    serial: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListedCertificate {
    device: String,
    sha256: String,
    subject: String,
    key: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Event {
    event: String,
    label: String,
    serial: String,
}

struct Hsm {
    dir: tempfile::TempDir,
}

impl Hsm {
    /// A token folder with tokens `labels`, or `None` when skipped on purpose.
    fn new(test: &str, labels: &[&str]) -> Option<Self> {
        if std::env::var("TESSERA_SKIP_PKCS11").is_ok_and(|v| v == "1") {
            eprintln!("SKIP {test}: TESSERA_SKIP_PKCS11=1");
            return None;
        }
        assert!(
            Path::new(MODULE).exists(),
            "{test}: SoftHSM2 missing: apt-get install -y softhsm2 opensc (or TESSERA_SKIP_PKCS11=1)"
        );
        let hsm = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(hsm.path("tokens")).unwrap();
        hsm.write(
            "softhsm2.conf",
            &format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                hsm.path("tokens").display()
            ),
        );
        hsm.write("pin", "123456\n");
        hsm.write("newpin", "24681357\n");
        for label in labels {
            hsm.cmd_ok(
                "softhsm2-util",
                &[
                    "--init-token",
                    "--free",
                    "--label",
                    label,
                    "--pin",
                    "123456",
                    "--so-pin",
                    "12345678",
                ],
            );
        }
        Some(hsm)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(self.dir.path())
            .env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .env("TESSERA_PKCS11_MODULES", MODULE)
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("NO_COLOR", "1")
            .env("LANG", "en_US.UTF-8")
            .stdin(Stdio::null());
        c
    }

    fn cmd_ok(&self, program: &str, args: &[&str]) -> String {
        let out: Output = self.cmd(program, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{program} {args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn tessera(&self, args: &[&str]) -> String {
        self.cmd_ok(env!("CARGO_BIN_EXE_tessera"), args)
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, args: &[&str]) -> T {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let text = self.tessera(&all);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// `pkcs11-tool --module SoftHSM2 …` on token `label`.
    fn tool(&self, label: &str, args: &[&str]) -> Output {
        let mut all = vec!["--module", MODULE, "--token-label", label];
        all.extend(args);
        self.cmd("pkcs11-tool", &all).output().unwrap()
    }

    /// An EC key pair made by pkcs11-tool with CKA_ID 01 and a certificate for it; returns the
    /// certificate's DER.
    fn key_and_certificate(&self, label: &str) -> Vec<u8> {
        let ok = |out: Output| {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        ok(self.tool(
            label,
            &[
                "--login",
                "--pin",
                "123456",
                "--keypairgen",
                "--key-type",
                "EC:prime256v1",
                "--id",
                "01",
                "--label",
                "k",
            ],
        ));
        ok(self.tool(
            label,
            &[
                "--read-object",
                "--type",
                "pubkey",
                "--id",
                "01",
                "-o",
                "pub.der",
            ],
        ));
        tessera_testkit::openssl::throwaway_ca(self.dir.path(), "CLI CA");
        for args in [
            &[
                "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem",
            ][..],
            &[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "t.key",
                "-out",
                "t.csr",
                "-subj",
                "/CN=Token Holder/O=Tessera",
            ],
            &[
                "x509",
                "-req",
                "-in",
                "t.csr",
                "-force_pubkey",
                "pub.pem",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-days",
                "30",
                "-outform",
                "DER",
                "-out",
                "cert.der",
            ],
        ] {
            self.cmd_ok("openssl", args);
        }
        ok(self.tool(
            label,
            &[
                "--login",
                "--pin",
                "123456",
                "--write-object",
                "cert.der",
                "--type",
                "cert",
                "--id",
                "01",
                "--label",
                "k",
            ],
        ));
        std::fs::read(self.path("cert.der")).unwrap()
    }
}

fn sha256_hex(data: &[u8]) -> String {
    tessera_crypto::digest::DigestAlgorithm::Sha256
        .digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn tokens_listed_beside_file_devices_with_their_certificates() {
    let Some(hsm) = Hsm::new("tokens_listed_beside_file_devices", &["USB1"]) else {
        return;
    };
    let cert = hsm.key_and_certificate("USB1");
    hsm.write("so", "so-secret-1\n");
    // a device PIN passes the one PIN policy; the tokens' 123456 was set by softhsm2-util
    hsm.write("device-pin", "482916\n");
    hsm.tessera(&[
        "device",
        "create",
        "--label",
        "soft",
        "--pin-file",
        &hsm.p("device-pin"),
        "--so-pin-file",
        &hsm.p("so"),
    ]);
    let media: Vec<ListedMedium> = hsm.json(&["device", "list"]);
    assert!(media.iter().any(|m| m.label.as_deref() == Some("soft")));
    let token = media
        .iter()
        .find(|m| m.label.as_deref() == Some("USB1"))
        .unwrap_or_else(|| panic!("no token in {media:?}"));
    assert_eq!(token.kind.as_deref(), Some("pkcs11"));
    assert!(token.serial.as_deref().is_some_and(|s| !s.is_empty()));
    assert!(token.path.starts_with("pkcs11:"), "{}", token.path);

    let certs: Vec<ListedCertificate> = hsm.json(&["cert", "list", "--device", "USB1"]);
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0].sha256, sha256_hex(&cert));
    assert_eq!(certs[0].key.as_deref(), Some("01"));
    assert!(
        certs[0].subject.contains("Token Holder"),
        "{}",
        certs[0].subject
    );
    assert!(!certs[0].device.is_empty());
    // Also by serial.
    let serial = token.serial.clone().unwrap();
    let by_serial: Vec<ListedCertificate> = hsm.json(&["cert", "list", "--device", &serial]);
    assert_eq!(by_serial.len(), 1);
}

#[test]
fn pin_change_on_a_token_works_in_pkcs11_tool() {
    let Some(hsm) = Hsm::new("pin_change_on_a_token", &["USB1"]) else {
        return;
    };
    hsm.tessera(&[
        "pin",
        "change",
        "--device",
        "USB1",
        "--pin-file",
        &hsm.p("pin"),
        "--new-pin-file",
        &hsm.p("newpin"),
    ]);
    let out = hsm.tool("USB1", &["--login", "--pin", "24681357", "--list-objects"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hsm.tool("USB1", &["--login", "--pin", "123456", "--list-objects"]);
    assert!(!out.status.success(), "the old PIN still works");
    // A wrong PIN is refused with the PIN exit code.
    let out = hsm
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &[
                "pin",
                "change",
                "--device",
                "USB1",
                "--pin-file",
                &hsm.p("pin"),
                "--new-pin-file",
                &hsm.p("newpin"),
            ],
        )
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The same module named twice, once through a symbolic link (as Debian links
/// /usr/lib/softhsm/libsofthsm2.so to the multiarch file): each token is listed once.
#[test]
fn a_module_reached_by_two_paths_lists_its_tokens_once() {
    let Some(hsm) = Hsm::new("a_module_reached_by_two_paths", &["USB1"]) else {
        return;
    };
    std::os::unix::fs::symlink(MODULE, hsm.path("linked.so")).unwrap();
    let modules = format!("{MODULE}:{}", hsm.p("linked.so"));
    let out = hsm
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &["device", "list", "--format", "json"],
        )
        .env("TESSERA_PKCS11_MODULES", &modules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let media: Vec<ListedMedium> = serde_json::from_slice(&out.stdout).unwrap();
    let tokens = media
        .iter()
        .filter(|m| m.label.as_deref() == Some("USB1"))
        .count();
    assert_eq!(tokens, 1, "{media:?}");
}

#[test]
fn broken_module_is_listed_not_fatal() {
    let Some(hsm) = Hsm::new("broken_module_is_listed_not_fatal", &["USB1"]) else {
        return;
    };
    hsm.write("fake.so", "not a library");
    let modules = format!("{}:{MODULE}", hsm.p("fake.so"));
    let out = hsm
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &["device", "list", "--format", "json"],
        )
        .env("TESSERA_PKCS11_MODULES", &modules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let media: Vec<ListedMedium> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(media.iter().any(|m| m.label.as_deref() == Some("USB1")));
    let broken = media.iter().find(|m| m.path.ends_with("fake.so")).unwrap();
    assert!(broken.error.is_some(), "{broken:?}");
}

#[test]
fn device_watch_reports_a_removed_token_and_stops() {
    let Some(hsm) = Hsm::new("device_watch_reports_a_removed_token", &["USB1", "USB2"]) else {
        return;
    };
    // Bounded by --timeout when nothing happens.
    let started = std::time::Instant::now();
    let quiet = hsm.tessera(&["device", "watch", "--timeout", "1", "--interval", "100"]);
    assert!(quiet.trim().is_empty(), "{quiet}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    let mut child = hsm
        .cmd(
            env!("CARGO_BIN_EXE_tessera"),
            &[
                "device",
                "watch",
                "--count",
                "1",
                "--timeout",
                "30",
                "--interval",
                "100",
                "--format",
                "json",
            ],
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    hsm.cmd_ok("softhsm2-util", &["--delete-token", "--token", "USB2"]);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let event: Event = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(
        (event.event.as_str(), event.label.as_str()),
        ("removed", "USB2")
    );
    assert!(!event.serial.is_empty());
}
