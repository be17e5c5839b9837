//! PKCS#11 on SoftHSM2: listing a token holding 1,000 certificates (library, `tessera cert list`
//! if built, and `pkcs11-tool --list-objects --type cert` in the same run), and P-256 signatures
//! per second through the token vs in software.
//!
//! `cargo bench -p tessera-media --bench pkcs11`. SoftHSM2 reads `SOFTHSM2_CONF` at
//! `C_Initialize`, so the bench runs itself again in a child process with its own token folder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tessera_crypto::digest::DigestAlgorithm;
use tessera_crypto::ecdsa::{EcCurve, EcdsaPrivateKey, SignatureEncoding};
use tessera_media::pkcs11::{Pkcs11Module, Pkcs11Options};
use tessera_media::{CsrRequest, KeySpec, Medium, Pin, SignAlg};
use tessera_testkit::openssl::ok_in as openssl;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const CHILD: &str = "TESSERA_BENCH_SOFTHSM_DIR";
const CERTS: usize = 1000;

fn main() {
    if !Path::new(MODULE).exists() {
        eprintln!("SKIP pkcs11 bench: {MODULE} missing (apt-get install -y softhsm2 opensc)");
        return;
    }
    match std::env::var(CHILD) {
        Ok(dir) => child(Path::new(&dir)),
        Err(_) => parent(),
    }
}

fn parent() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("tokens")).unwrap();
    let conf = tmp.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tmp.path().join("tokens").display()
        ),
    )
    .unwrap();
    let ok = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            "L",
            "--pin",
            "123456",
            "--so-pin",
            "12345678",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .status()
        .unwrap()
        .success();
    assert!(ok, "softhsm2-util failed");
    let status = Command::new(std::env::current_exe().unwrap())
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD, tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn rate(window: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < window {
        f();
        n += 1;
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn tessera_binary() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    ["release", "debug"]
        .iter()
        .map(|p| root.join(p).join("tessera"))
        .find(|p| p.exists())
}

fn child(dir: &Path) {
    let module = Pkcs11Module::load(MODULE, Pkcs11Options::default()).unwrap();
    let mut token = module.open_token("L").unwrap();
    token.login(&Pin::new("123456")).unwrap();
    let g = token
        .generate_key(KeySpec::P256, &CsrRequest::new("CN=Bench Holder,O=Tessera"))
        .unwrap();
    std::fs::write(dir.join("csr.der"), &g.csr).unwrap();
    tessera_testkit::openssl::throwaway_ca(dir, "Bench CA");
    let setup = Instant::now();
    for i in 1..=CERTS {
        let serial = i.to_string();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-inform",
                "DER",
                "-in",
                "csr.der",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                &serial,
                "-days",
                "30",
                "-outform",
                "DER",
                "-out",
                "c.der",
            ],
        );
        token
            .import_certificate(&std::fs::read(dir.join("c.der")).unwrap())
            .unwrap();
    }
    println!(
        "setup: {CERTS} certificates issued and imported in {:.1?}",
        setup.elapsed()
    );
    token.logout();

    let lib = median(5, || {
        let t = module.open_token("L").unwrap();
        assert_eq!(t.certificates().unwrap().len(), CERTS);
    });
    let env_cmd = |program: &Path, args: &[&str]| {
        let mut c = Command::new(program);
        c.args(args)
            .env("SOFTHSM2_CONF", dir.join("softhsm2.conf"))
            .env("TESSERA_PKCS11_MODULES", MODULE)
            .env("TESSERA_DATA_DIR", dir.join("data"));
        c
    };
    let tool = median(5, || {
        let out = env_cmd(
            Path::new("pkcs11-tool"),
            &[
                "--module",
                MODULE,
                "--token-label",
                "L",
                "--list-objects",
                "--type",
                "cert",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success());
    });
    println!("list {CERTS} certs, library (open + parse + match keys): {lib:.1?}");
    println!("list {CERTS} certs, pkcs11-tool --list-objects --type cert: {tool:.1?}");
    println!(
        "ratio library/pkcs11-tool: {:.2}",
        lib.as_secs_f64() / tool.as_secs_f64()
    );
    match tessera_binary() {
        Some(bin) => {
            let cli = median(5, || {
                let out = env_cmd(&bin, &["cert", "list", "--device", "L", "--format", "json"])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            });
            println!(
                "list {CERTS} certs, {} cert list --format json: {cli:.1?}",
                bin.display()
            );
            println!(
                "ratio tessera CLI/pkcs11-tool: {:.2}",
                cli.as_secs_f64() / tool.as_secs_f64()
            );
        }
        None => println!(
            "tessera binary not built: CLI timing skipped (cargo build --release -p tessera)"
        ),
    }

    let msg = vec![0x5a_u8; 1024];
    let alg = SignAlg::Ecdsa {
        digest: DigestAlgorithm::Sha256,
    };
    token.login(&Pin::new("123456")).unwrap();
    let key = g.key.reference.clone();
    let through = rate(Duration::from_secs(2), || {
        token.sign(&key, &alg, &msg).unwrap();
    });
    let soft = EcdsaPrivateKey::generate(EcCurve::P256).unwrap();
    let direct = rate(Duration::from_secs(2), || {
        soft.sign(DigestAlgorithm::Sha256, &msg, SignatureEncoding::Der)
            .unwrap();
    });
    println!("P-256 sign/s through SoftHSM2: {through:.0}");
    println!("P-256 sign/s direct (tessera-crypto): {direct:.0}");
    println!("ratio token/direct: {:.2}", through / direct);
}
