//! SM2 sign and verify per second, next to `openssl speed sm2` in the same run.
//!
//! `cargo bench -p tessera-crypto --bench sm2` prints one table; BENCHMARKS.md keeps the figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "bench binary"
)]

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use tessera_crypto::sm2::{DEFAULT_ID, Sm2PreparedKey, Sm2PrivateKey};

const RUN: Duration = Duration::from_secs(3);

/// Calls `op` repeatedly for about `RUN` and returns operations per second.
fn per_second(mut op: impl FnMut()) -> f64 {
    for _ in 0..100 {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < RUN {
        for _ in 0..64 {
            op();
        }
        n += 64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// `openssl speed -seconds 3 sm2` → (sign/s, verify/s), if openssl is there.
fn openssl_speed() -> Option<(f64, f64)> {
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", "sm2"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The result line: " 256 bits SM2 (CurveSM2)   0.0001s   0.0004s   7000.0   2500.0"
    let line = text.lines().find(|l| l.contains("SM2 (CurveSM2)"))?;
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let n = nums.len();
    (n >= 2).then(|| (nums[n - 2], nums[n - 1]))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("sm2: bench");
        return;
    }
    let key = Sm2PrivateKey::generate().unwrap();
    let msg = [0x5au8; 32];
    let e = key.public_key().message_digest(DEFAULT_ID, &msg).unwrap();
    let sig = key.sign_digest(&e).unwrap();

    let sign = per_second(|| {
        black_box(key.sign_digest(black_box(&e)).unwrap());
    });
    let verify = per_second(|| {
        key.public_key()
            .verify_digest(black_box(&e), black_box(&sig))
            .unwrap();
    });
    let prepared = Sm2PreparedKey::new(key.public_key()).unwrap();
    let verify_prepared = per_second(|| {
        prepared
            .verify_digest(black_box(&e), black_box(&sig))
            .unwrap();
    });
    let sign_msg = per_second(|| {
        black_box(key.sign(DEFAULT_ID, black_box(&msg)).unwrap());
    });

    println!("| operation | Tessera (ops/s) | OpenSSL (ops/s) | ratio |");
    println!("|---|---:|---:|---:|");
    match openssl_speed() {
        Some((o_sign, o_verify)) => {
            println!(
                "| SM2 sign (digest) | {sign:.0} | {o_sign:.0} | {:.2}x |",
                sign / o_sign
            );
            println!(
                "| SM2 verify (digest) | {verify:.0} | {o_verify:.0} | {:.2}x |",
                verify / o_verify
            );
            println!(
                "| SM2 verify (digest), prepared key | {verify_prepared:.0} | {o_verify:.0} | {:.2}x |",
                verify_prepared / o_verify
            );
        }
        None => {
            println!("| SM2 sign (digest) | {sign:.0} | n/a | |");
            println!("| SM2 verify (digest) | {verify:.0} | n/a | |");
            println!("| SM2 verify (digest), prepared key | {verify_prepared:.0} | n/a | |");
        }
    }
    println!("| SM2 sign incl. Z_A and SM3 of 32 bytes | {sign_msg:.0} | | |");
}
