#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a bench binary"
)]
//! Two-party SM2 co-signatures per second that the `tessera-server` binary sustains over HTTP
//! on 127.0.0.1 (SQLite store in a fresh data folder, request logs off), driven by a concurrent
//! load generator on one thread; p50 and p99 latency; beside `openssl speed -multi 2 sm2`
//! signing and the service half's raw math on 2 threads, measured in the same run.
//!
//! Each request is a full `POST /v1/cloud/accounts/{id}/sign` as a client sends it: bearer
//! session, device signature over the request, fresh `(e, Q1)`. The service checks the session,
//! the account, the device signature and Q1, opens d2 from its seal, computes `(r, s2, s3)` and
//! writes the audit row. Requests are prepared before the clock starts (the client's `k1·G` and
//! device signature are the client's cost, not the service's); a sample of the answers is
//! completed and verified afterwards.
//!
//! `cargo bench -p tessera-server --bench cosign_http` (`TESSERA_BENCH_SECONDS`, default 5;
//! `TESSERA_BENCH_CONCURRENCY`, default 32).

#[path = "../tests/support/cloud_driver.rs"]
#[allow(dead_code, reason = "shared with the tests")]
mod driver;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tessera_crypto::sm2::DEFAULT_ID;
use tessera_crypto::sm2::two_party::{ClientShare, ClientSigning, ServiceShare};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn openssl_speed(seconds: u64) -> f64 {
    let out = std::process::Command::new("openssl")
        .args([
            "speed",
            "-seconds",
            &seconds.to_string(),
            "-multi",
            "2",
            "sm2",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // "256 bits SM2 (CurveSM2)   0.0005s   0.0006s   2122.2   1641.7": sign/s is the 3rd number.
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("SM2 (CurveSM2)"))
        .unwrap_or_else(|| panic!("no SM2 line in openssl speed output:\n{text}"));
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.trim_end_matches('s').parse().ok())
        .collect();
    numbers[numbers.len() - 2]
}

fn raw_math(seconds: u64) -> f64 {
    let (d1, p1) = ClientShare::generate().unwrap();
    drop(d1);
    let (d2, public) = ServiceShare::generate(&p1).unwrap();
    let (_, req) = ClientSigning::start(&public, DEFAULT_ID, b"m").unwrap();
    let d2 = Arc::new(d2);
    let count = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (d2, count, req) = (d2.clone(), count.clone(), req.clone());
            std::thread::spawn(move || {
                while Instant::now() < until {
                    d2.cosign(&req.e, &req.q1).unwrap();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / seconds as f64
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let seconds = env_or("TESSERA_BENCH_SECONDS", 5);
    let concurrency = env_or("TESSERA_BENCH_CONCURRENCY", 32) as usize;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = driver::spawn(
        env!("CARGO_BIN_EXE_tessera-server"),
        &data,
        &dir.path().join("server.log"),
        "warn",
    );
    // The load generator: one thread, so the service keeps the other core and a half.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = driver::client();
    let user = rt.block_on(driver::new_user(
        &http,
        &server,
        "BENCH1",
        "bench password 1",
    ));
    let path = format!("/v1/cloud/accounts/{}/sign", user.id);

    // Enough fresh requests for the run at up to 12,000/s.
    let n = (seconds as usize) * 12_000;
    let prep = Instant::now();
    let mut states = Vec::with_capacity(n);
    let mut requests = Vec::with_capacity(n);
    for i in 0..n {
        let msg = format!("prescription {i}");
        let (state, req) = ClientSigning::start(&user.public, DEFAULT_ID, msg.as_bytes()).unwrap();
        let body = json!({"e": hex::encode(req.e), "q1": hex::encode(req.q1)});
        requests.push(Some(driver::signed(
            &http,
            &server.url,
            &path,
            &user.session,
            &user.device,
            &body,
        )));
        states.push(Some(state));
    }
    eprintln!(
        "prepared {n} requests in {:.1} s",
        prep.elapsed().as_secs_f64()
    );
    let requests = Arc::new(std::sync::Mutex::new(requests));
    let next = Arc::new(AtomicUsize::new(0));

    let (elapsed, mut latencies, answers) = rt.block_on(async {
        let until = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                let (requests, next) = (requests.clone(), next.clone());
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut answers = Vec::new();
                    while Instant::now() < until {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(req) = requests.lock().unwrap().get_mut(i).and_then(Option::take)
                        else {
                            break;
                        };
                        let t = Instant::now();
                        let res = req.send().await.unwrap();
                        let status = res.status();
                        let text = res.text().await.unwrap();
                        assert!(status.is_success(), "{status}: {text}");
                        lat.push(t.elapsed());
                        if answers.len() < 10 {
                            answers.push((i, text));
                        }
                    }
                    (lat, answers)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut answers = Vec::new();
        for w in workers {
            let (lat, a) = w.await.unwrap();
            all.extend(lat);
            answers.extend(a);
        }
        (start.elapsed(), all, answers)
    });
    drop(server);

    // The answers complete to signatures that verify (the client's check, off the clock).
    for (i, text) in &answers {
        let answer: serde_json::Value = serde_json::from_str(text).unwrap();
        let state = states[*i].take().unwrap();
        let msg = format!("prescription {i}");
        let sig = state.finish(&user.d1, &driver::partial(&answer)).unwrap();
        user.public
            .verify(DEFAULT_ID, msg.as_bytes(), &sig)
            .unwrap();
    }

    latencies.sort();
    let done = latencies.len();
    let rate = done as f64 / elapsed.as_secs_f64();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    let openssl = openssl_speed(seconds);
    let math = raw_math(seconds);
    println!("| measure | rate |");
    println!("|---|---:|");
    println!(
        "| co-signatures over HTTP ({concurrency} concurrent, {done} in {:.1} s) | {rate:.0}/s |",
        elapsed.as_secs_f64()
    );
    println!(
        "| latency p50 / p99 | {:.2} ms / {:.2} ms |",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    println!("| `openssl speed -multi 2 sm2`, sign | {openssl:.0}/s |");
    println!("| service half of the math only (2 threads, no HTTP) | {math:.0}/s |");
    println!(
        "| HTTP co-signing vs OpenSSL signing | {:.2}x |",
        rate / openssl
    );
    println!("(verified {} sampled answers)", answers.len());
}
