//! Config resolution: file, then flags over it; plain HTTP only on loopback.

use clap::Parser as _;
use tessera_server::config::{Cli, Config, ConfigError, LogFormat, TlsMode};

fn resolve(args: &[&str]) -> Result<Config, ConfigError> {
    let cli =
        Cli::try_parse_from(std::iter::once("tessera-server").chain(args.iter().copied())).unwrap();
    Config::resolve(&cli.common, &cli.serve)
}

#[test]
fn file_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        r#"
listen = "127.0.0.1:9000"
public_url = "https://ca.example.invalid"
log_format = "json"
database_url = "sqlite::memory:"

[sms.limits]
code_ttl = 600
phone_daily = 3

[sms.gateway]
url = "https://sms.example.invalid/send"
body_template = '{"to":"{phone}","text":"{text}"}'
headers = { authorization = "Bearer x" }
"#,
    )
    .unwrap();
    let c = resolve(&["--data-dir", d]).unwrap();
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.log_format, LogFormat::Json);
    assert_eq!(c.public_url.as_deref(), Some("https://ca.example.invalid"));
    assert_eq!(c.database_url.as_deref(), Some("sqlite::memory:"));
    assert_eq!(c.sms.limits.code_ttl, 600);
    assert_eq!(c.sms.limits.phone_daily, 3);
    assert_eq!(c.sms.limits.max_tries, 5, "unset keys keep defaults");
    assert_eq!(c.sms.gateway.unwrap().headers["authorization"], "Bearer x");
    assert_eq!(c.tls, TlsMode::Off);

    let c = resolve(&[
        "--data-dir",
        d,
        "--listen",
        "127.0.0.1:9001",
        "--log-format",
        "compact",
    ])
    .unwrap();
    assert_eq!(c.listen.port(), 9001);
    assert_eq!(c.log_format, LogFormat::Compact);
}

#[test]
fn unknown_keys_and_missing_explicit_file_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join("config.toml"), "lisen = \"127.0.0.1:1\"\n").unwrap();
    assert!(matches!(
        resolve(&["--data-dir", d]),
        Err(ConfigError::Parse { .. })
    ));
    let missing = dir.path().join("nope.toml");
    let r = resolve(&["--data-dir", d, "--config", missing.to_str().unwrap()]);
    assert!(matches!(r, Err(ConfigError::Read { .. })));
}

#[test]
fn plain_http_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(matches!(
        resolve(&["--data-dir", d, "--listen", "0.0.0.0:8443"]),
        Err(ConfigError::PlainHttpNotLoopback(_))
    ));
    assert!(resolve(&["--data-dir", d, "--listen", "[::1]:8443"]).is_ok());
    let auto = resolve(&["--data-dir", d, "--listen", "0.0.0.0:8443", "--tls", "auto"]).unwrap();
    assert_eq!(auto.tls, TlsMode::Auto);
    let files = resolve(&[
        "--data-dir",
        d,
        "--listen",
        "0.0.0.0:8443",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
    ])
    .unwrap();
    assert!(matches!(files.tls, TlsMode::Files { .. }));
    // one TLS file without the other is a usage error
    assert!(Cli::try_parse_from(["tessera-server", "--tls-cert", "c.pem"]).is_err());
}

/// `[limits]`: defaults are on (the per-address limit and an Argon2 gate sized to the cores);
/// the file can set or turn off each.
#[test]
fn limits_have_safe_defaults_and_can_be_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let c = resolve(&["--data-dir", d]).unwrap();
    assert!(c.limits.rate.burst > 0 && c.limits.rate.per_minute > 0);
    assert!(c.limits.argon2.running >= 1 && c.limits.argon2.waiting >= 1);
    std::fs::write(
        dir.path().join("config.toml"),
        "[limits.rate]\nburst = 0\n[limits.argon2]\nrunning = 3\nwaiting = 7\n",
    )
    .unwrap();
    let c = resolve(&["--data-dir", d]).unwrap();
    assert_eq!(c.limits.rate.burst, 0);
    assert_eq!((c.limits.argon2.running, c.limits.argon2.waiting), (3, 7));
}

/// Secrets in the config never show in `Debug` (which startup errors and logs may print): the
/// CA master key, the SMS gateway's header values.
#[test]
fn debug_hides_the_master_key_and_gateway_headers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let key = "ab".repeat(32);
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[ca]\nmaster_key = \"{key}\"\n[sms.gateway]\nurl = \"https://sms.example.invalid\"\n\
             body_template = \"{{text}}\"\nheaders = {{ x-api-key = \"k-secret-123\" }}\n"
        ),
    )
    .unwrap();
    // the environment may name a key of its own: compare with what the config holds
    let c = resolve(&["--data-dir", d]).unwrap();
    let shown = format!("{c:?}");
    let held = c.ca.master_key.clone().unwrap();
    assert!(!shown.contains(&held), "{shown}");
    assert!(!shown.contains("k-secret-123"), "{shown}");
    assert!(shown.contains("x-api-key"), "{shown}");
}
