//! `tessera cert show` and `tessera cert verify` as a user runs them: the binary, its exit
//! codes, its JSON contract decoded into typed structs, and `openssl x509` as the oracle.

use crate::oracle;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;
use tessera_x509::certificate::{CertificateDetails, parse_certificates};

const MOZILLA: &str = "/usr/share/ca-certificates/mozilla";

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(rel)
}

fn tessera(args: &[&str]) -> Output {
    tessera_with_stdin(args, None)
}

fn tessera_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "tessera {args:?} panicked: {stderr}"
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The JSON contract of `cert show --format json`, as a consumer decodes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shown {
    source: String,
    fingerprint: ShownFingerprint,
    #[serde(flatten)]
    details: CertificateDetails,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShownFingerprint {
    algorithm: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyReport {
    valid: bool,
    reason: Option<String>,
    message: Option<String>,
    chain: Vec<ChainLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainLink {
    subject: String,
    sha256: String,
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn every_mozilla_root_matches_openssl_through_the_cli() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(MOZILLA)
        .expect("ca-certificates is installed")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "crt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 100,
        "only {} certificates in {MOZILLA}",
        files.len()
    );

    let mut args = vec!["cert", "show", "--format", "json"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let out = tessera(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: Vec<Shown> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown.len(), files.len());

    let chunk = files.len().div_ceil(4);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = shown
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for s in chunk {
                        let bytes = std::fs::read(&s.source).unwrap();
                        let cert = &parse_certificates(&bytes).unwrap()[0];
                        let diffs =
                            oracle::compare(cert, &s.details, &oracle::openssl_view(&bytes));
                        if s.fingerprint.algorithm != "sha1"
                            || s.fingerprint.value != s.details.thumbprints.sha1
                        {
                            failures
                                .push(format!("{}: default fingerprint is not SHA-1", s.source));
                        }
                        if !diffs.is_empty() {
                            failures.push(format!("{}:\n  {}", s.source, diffs.join("\n  ")));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    eprintln!(
        "compared {} Mozilla roots: tessera cert show --format json vs openssl x509",
        shown.len()
    );
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_contract_for_one_certificate() {
    let path = testdata("sm2-certs/sm2/server_sign.crt");
    let out = tessera(&[
        "cert",
        "show",
        "--format",
        "json",
        "--fingerprint",
        "sm3",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // One certificate: one object, not an array.
    let shown: Shown = serde_json::from_slice(&out.stdout).unwrap();
    let d = &shown.details;
    assert_eq!(shown.fingerprint.algorithm, "sm3");
    assert_eq!(shown.fingerprint.value, d.thumbprints.sm3);
    assert!(is_lower_hex(&d.thumbprints.sha1, 40));
    assert!(is_lower_hex(&d.thumbprints.sha256, 64));
    assert!(is_lower_hex(&d.thumbprints.sm3, 64));
    assert!(is_lower_hex(&d.thumbprints.md5, 32));
    assert!(
        d.serial
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(&d.validity.not_before, rfc3339).unwrap();
    time::OffsetDateTime::parse(&d.validity.not_after, rfc3339).unwrap();
    assert_eq!(d.subject.cn, ["server sign"]);
    assert_eq!(d.signature_algorithm.oid, "1.2.156.10197.1.501");

    // The thumbprint printed agrees with openssl's.
    let sha256 = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let sha256 = String::from_utf8(sha256.stdout).unwrap();
    let sha256 = sha256
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_lowercase();
    assert_eq!(d.thumbprints.sha256, sha256);
}

#[test]
fn several_certificates_give_an_array_and_stdin_works() {
    let bundle = std::fs::read(testdata("sm2-certs/sm2/chain-ca.crt")).unwrap();
    let out = tessera_with_stdin(&["cert", "show", "--format", "json", "-"], Some(&bundle));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: Vec<Shown> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown.len(), 2);
    assert!(shown.iter().all(|s| s.source == "-"));
    assert_eq!(shown[0].details.subject.cn, ["root ca"]);
    assert_eq!(shown[1].details.subject.cn, ["sub ca"]);
}

#[test]
fn text_output_speaks_both_languages() {
    let path = testdata("sm2-certs/sm2/client_enc_expire.crt");
    let zh = tessera(&["--lang", "zh-CN", "cert", "show", path.to_str().unwrap()]);
    assert!(zh.status.success());
    let zh = stdout(&zh);
    for expected in [
        "序列号",
        "使用者通用名称",
        "已过期",
        "加密证书",
        "指纹（SHA-1）",
        "client enc",
    ] {
        assert!(
            zh.contains(expected),
            "zh-CN output lacks {expected}:\n{zh}"
        );
    }
    assert!(!zh.contains("field-"), "a label has no zh-CN text:\n{zh}");
    let en = tessera(&[
        "--lang",
        "en-US",
        "cert",
        "show",
        "--fingerprint",
        "sha256",
        path.to_str().unwrap(),
    ]);
    let en = stdout(&en);
    for expected in ["Serial number", "expired", "Thumbprint (SHA-256)"] {
        assert!(
            en.contains(expected),
            "en-US output lacks {expected}:\n{en}"
        );
    }
    assert!(
        !en.contains("Thumbprint (SHA-1)"),
        "only the chosen thumbprint is shown"
    );
    assert!(
        !en.contains("\u{1b}["),
        "no colour when NO_COLOR is set or stdout is not a terminal"
    );
}

#[test]
fn every_field_of_real_certificates_has_a_label_in_both_languages() {
    let mut paths: Vec<PathBuf> = [
        "sm2-certs/sm2/server_sign.crt",
        "sm2-certs/sm2-root-cert.pem",
        "sm2-certs/sm2-chain-ca.crt",
    ]
    .iter()
    .map(|p| testdata(p))
    .collect();
    paths.extend(
        std::fs::read_dir(MOZILLA)
            .unwrap()
            .map(|e| e.unwrap().path())
            .take(40),
    );
    for lang in ["zh-CN", "en-US"] {
        let mut args = vec!["--lang", lang, "cert", "show"];
        args.extend(paths.iter().map(|p| p.to_str().unwrap()));
        let out = tessera(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let missing: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("field-") || l.contains("value-"))
            .collect();
        assert!(missing.is_empty(), "{lang}: untranslated: {missing:?}");
    }
}

#[test]
fn bad_input_gives_a_clear_error_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let out = tessera(&["cert", "show", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("missing.pem"), "{}", stderr(&out));

    let good = std::fs::read(testdata("sm2-certs/sm2/server_sign.crt")).unwrap();
    let der = parse_certificates(&good).unwrap()[0].der().to_vec();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.pem", Vec::new()),
        ("truncated.der", der[..der.len() / 2].to_vec()),
        (
            "garbage.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n".to_vec(),
        ),
        (
            "key.pem",
            std::fs::read(testdata("sm2-certs/sm2pub.key")).unwrap(),
        ),
        (
            "random.bin",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for format in ["text", "json"] {
            let out = tessera(&[
                "--lang",
                "en-US",
                "cert",
                "show",
                "--format",
                format,
                path.to_str().unwrap(),
            ]);
            assert_eq!(out.status.code(), Some(4), "{name}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(name),
                "{name}: the error names the file: {}",
                stderr(&out)
            );
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        }
    }
    // Too large: refused before reading it all.
    let huge = dir.path().join("huge.pem");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(20 * 1024 * 1024)
        .unwrap();
    let out = tessera(&["cert", "show", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));

    // Usage errors exit 2.
    assert_eq!(tessera(&["cert", "show"]).status.code(), Some(2));
    assert_eq!(
        tessera(&["cert", "show", "--fingerprint", "crc32", "x"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_documents_exit_codes_and_examples() {
    for lang in ["zh-CN", "en-US"] {
        let out = tessera(&["--lang", lang, "cert", "verify", "--help"]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(
            text.contains('5') && text.contains("tessera cert verify"),
            "{text}"
        );
    }
    let en = stdout(&tessera(&["--lang", "en-US", "--help"]));
    assert!(en.contains("Exit codes") && en.contains("Examples"), "{en}");
    let zh = stdout(&tessera(&["--lang", "zh-CN", "--help"]));
    assert!(zh.contains("退出码") && zh.contains("示例"), "{zh}");
}

fn split_bundle(dir: &Path) -> (PathBuf, PathBuf) {
    // chain-ca.crt holds the root then the sub CA.
    let bundle = std::fs::read(testdata("sm2-certs/sm2/chain-ca.crt")).unwrap();
    let certs = parse_certificates(&bundle).unwrap();
    let root = dir.join("root.pem");
    let sub = dir.join("sub.pem");
    std::fs::write(&root, certs[0].to_pem()).unwrap();
    std::fs::write(&sub, certs[1].to_pem()).unwrap();
    (root, sub)
}

fn chain_file(dir: &Path, name: &str, leaf: &str, sub: &Path) -> PathBuf {
    let mut pem = std::fs::read_to_string(testdata(leaf)).unwrap();
    pem.push_str(&std::fs::read_to_string(sub).unwrap());
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

#[test]
fn verify_sm2_chains() {
    let dir = tempfile::tempdir().unwrap();
    let (root, sub) = split_bundle(dir.path());
    let roots = root.to_str().unwrap();

    let good = chain_file(
        dir.path(),
        "good.pem",
        "sm2-certs/sm2/server_sign.crt",
        &sub,
    );
    let out = tessera(&["cert", "verify", good.to_str().unwrap(), "--roots", roots]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = tessera(&[
        "cert",
        "verify",
        "--format",
        "json",
        good.to_str().unwrap(),
        "--roots",
        roots,
    ]);
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.valid && report.reason.is_none() && report.message.is_none());
    assert_eq!(report.chain.len(), 3);
    assert!(report.chain[0].subject.contains("CN=server sign"));
    assert!(report.chain[2].subject.contains("CN=root ca"));
    assert!(report.chain.iter().all(|l| is_lower_hex(&l.sha256, 64)));

    let expired = chain_file(
        dir.path(),
        "expired.pem",
        "sm2-certs/sm2/server_sign_expire.crt",
        &sub,
    );
    let out = tessera(&[
        "--lang",
        "en-US",
        "cert",
        "verify",
        expired.to_str().unwrap(),
        "--roots",
        roots,
    ]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    let out = tessera(&[
        "cert",
        "verify",
        "--format",
        "json",
        expired.to_str().unwrap(),
        "--roots",
        roots,
    ]);
    assert_eq!(out.status.code(), Some(5));
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report.valid, report.reason.as_deref()),
        (false, Some("expired"))
    );
    assert!(report.message.is_some() && report.chain.is_empty());

    // Without the sub CA there is no path; against the system roots neither.
    let out = tessera(&[
        "--lang",
        "zh-CN",
        "cert",
        "verify",
        testdata("sm2-certs/sm2/server_sign.crt").to_str().unwrap(),
        "--roots",
        roots,
    ]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("颁发者未知"), "{}", stderr(&out));
    let out = tessera(&["cert", "verify", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(5));

    // Valid at a time inside the validity period, not yet valid before it.
    let out = tessera(&[
        "cert",
        "verify",
        "--at",
        "2024-06-01T00:00:00Z",
        good.to_str().unwrap(),
        "--roots",
        roots,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = tessera(&[
        "cert",
        "verify",
        "--format",
        "json",
        "--at",
        "2020-01-01T00:00:00Z",
        good.to_str().unwrap(),
        "--roots",
        roots,
    ]);
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.reason.as_deref(), Some("not_yet_valid"));
}

#[test]
fn verify_rejects_a_certificate_signed_without_za() {
    let out = tessera(&[
        "cert",
        "verify",
        "--format",
        "json",
        testdata("sm2-certs/sm2-noza-cert.pem").to_str().unwrap(),
        "--roots",
        testdata("sm2-certs/sm2-noza-root-cert.pem")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.reason.as_deref(), Some("bad_signature"));
}

/// A data directory with one file device, `dev` (PIN `482916`), holding `client_sign`.
struct Holder {
    dir: tempfile::TempDir,
}

const CLIENT_SIGN: &str = "2680928939d713c19e6d62c4829beb64fb4dec7468bdc7648e86ef724b5801bc";

impl Holder {
    fn new() -> Self {
        let h = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(h.path("pin"), "482916\n").unwrap();
        std::fs::write(h.path("wrong"), "000000\n").unwrap();
        std::fs::write(h.path("so"), "so-secret-1\n").unwrap();
        let (pin, so) = (h.p("pin"), h.p("so"));
        h.ok(&[
            "device",
            "create",
            "--label",
            "dev",
            "--pin-file",
            &pin,
            "--so-pin-file",
            &so,
        ]);
        let cert = testdata("sm2-certs/sm2/client_sign.crt");
        let key = testdata("sm2-certs/sm2/client_sign.key");
        h.ok(&[
            "cert",
            "import",
            "--device",
            "dev",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--pin-file",
            &pin,
        ]);
        h
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("NO_COLOR", "1")
            .env("LANG", "en_US.UTF-8")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// `tessera args…` on a terminal (a pseudo-terminal from util-linux `script`), with
    /// `answer` typed at it.
    fn on_terminal(&self, args: &[&str], answer: &str) -> (Option<i32>, String) {
        let command = std::iter::once(env!("CARGO_BIN_EXE_tessera"))
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("TESSERA_DATA_DIR", self.path("data"))
            .env("NO_COLOR", "1")
            .env("LANG", "en_US.UTF-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` gives the pseudo-terminal");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn certificates(&self) -> usize {
        let out = self.ok(&["cert", "list", "--format", "json"]);
        serde_json::from_str::<Vec<serde_json::Value>>(&out)
            .unwrap()
            .len()
    }
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Issue 13: `cert delete` deleted without asking. On a terminal it asks; elsewhere and in JSON
/// mode it needs `--yes`.
#[test]
fn cert_delete_asks_on_a_terminal_and_needs_yes_elsewhere() {
    let h = Holder::new();
    let pin = h.p("pin");
    let delete = ["cert", "delete", "--device", "dev", "--cert", CLIENT_SIGN];
    let with_pin = |extra: &[&'static str]| -> Vec<String> {
        delete
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .chain(["--pin-file".to_owned(), pin.clone()])
            .collect()
    };

    // No terminal, no --yes: refused (usage, exit 2), nothing deleted, in text and JSON mode.
    for extra in [&[][..], &["--format", "json"][..]] {
        let out = h.run(&args(&with_pin(extra)));
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
        assert_eq!(h.certificates(), 1);
    }
    // On a terminal: the question names the certificate; "n" keeps it (exit 9).
    let (code, screen) = h.on_terminal(&args(&with_pin(&[])), "n\n");
    assert_eq!(code, Some(9), "{screen}");
    assert!(
        screen.contains("Delete certificate CN=client sign") && screen.contains("[y/N]"),
        "{screen}"
    );
    assert_eq!(h.certificates(), 1);
    // JSON mode needs --yes even on a terminal.
    let (code, screen) = h.on_terminal(&args(&with_pin(&["--format", "json"])), "y\n");
    assert_eq!(code, Some(2), "{screen}");
    assert_eq!(h.certificates(), 1);
    // "y" on a terminal deletes.
    let (code, screen) = h.on_terminal(&args(&with_pin(&[])), "y\n");
    assert_eq!(code, Some(0), "{screen}");
    assert_eq!(h.certificates(), 0);
}

/// Issue 13: a cached PIN skipped the PIN on delete (the desktop UI keeps the PIN cache for
/// the session). Delete checks the PIN given, every time.
#[test]
fn a_cached_pin_never_skips_the_pin_on_delete() {
    use tessera_core::app::{App, AppError};
    use tessera_media::{MediumError, Pin};

    let h = Holder::new();
    let data = h.path("data");
    let mut app = App::open(Some(data.as_path())).unwrap();
    // A login caches the PIN (30 minutes by default)...
    let mut medium = app.open_medium("dev").unwrap();
    app.login(&mut medium, &mut || Ok(Pin::new("482916")))
        .unwrap();
    assert!(app.has_cached_pin(&tessera_media::Medium::info(&medium).unwrap().serial));
    drop(medium);
    // ...but delete without a PIN is refused, and a wrong one counts as wrong.
    let err = app
        .delete_certificate("dev", CLIENT_SIGN, None)
        .unwrap_err();
    assert!(matches!(err, AppError::PinUnavailable { .. }), "{err:?}");
    let err = app
        .delete_certificate("dev", CLIENT_SIGN, Some(Pin::new("000000")))
        .unwrap_err();
    assert!(
        matches!(err, AppError::Medium(MediumError::PinIncorrect { .. })),
        "{err:?}"
    );
    assert_eq!(h.certificates(), 1);
    app.delete_certificate("dev", CLIENT_SIGN, Some(Pin::new("482916")))
        .unwrap();
    assert_eq!(h.certificates(), 0);
}
