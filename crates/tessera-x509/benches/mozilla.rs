//! Parse + details + all four thumbprints of the whole system bundle (the Mozilla roots), next to
//! `openssl storeutl -noout -text -certs` printing every certificate of the same file.
//!
//! `cargo bench -p tessera-x509 --bench mozilla`; figures in BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "bench binary"
)]

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

fn time_per_run(min: Duration, mut run: impl FnMut()) -> Duration {
    run();
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < min {
        run();
        n += 1;
    }
    start.elapsed() / n
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("mozilla: bench");
        return;
    }
    let bytes = std::fs::read(BUNDLE).expect("ca-certificates is installed");
    let now = time::OffsetDateTime::now_utc();
    let count = tessera_x509::parse_certificates(&bytes).unwrap().len();

    let ours = time_per_run(Duration::from_secs(3), || {
        for cert in tessera_x509::parse_certificates(black_box(&bytes)).unwrap() {
            black_box(cert.details(now).fields());
        }
    });
    let openssl = time_per_run(Duration::from_secs(3), || {
        let status = Command::new("openssl")
            .args(["storeutl", "-noout", "-text", "-certs", BUNDLE])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
    println!("{count} certificates in {BUNDLE}");
    println!("| work | Tessera | OpenSSL | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| whole bundle: parse, details, fields, SHA-1/SHA-256/SM3/MD5 thumbprints (ours); storeutl -text (openssl) | {:.2} ms | {:.2} ms | {:.1}x faster |",
        ours.as_secs_f64() * 1e3,
        openssl.as_secs_f64() * 1e3,
        openssl.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "| per certificate | {:.1} µs | {:.1} µs | |",
        ours.as_secs_f64() * 1e6 / count as f64,
        openssl.as_secs_f64() * 1e6 / count as f64
    );
}
