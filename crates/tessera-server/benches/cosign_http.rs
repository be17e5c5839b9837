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
//! the account, the device signature and Q1, unwraps d2, computes `(r, s2, s3)` and
//! writes the audit row. Requests are prepared before the clock starts (the client's `k1·G` and
//! device signature are the client's cost, not the service's) as raw HTTP/1.1 bytes, sent on
//! kept-alive connections; a sample of the answers is completed and verified afterwards.
//!
//! Three rounds, each an HTTP run followed by `openssl speed` of the same length, so load from
//! elsewhere on the machine falls on both sides alike; the table compares the medians.
//!
//! `cargo bench -p tessera-server --bench cosign_http` (`TESSERA_BENCH_SECONDS` per run, default
//! 4; `TESSERA_BENCH_CONCURRENCY`, default 32).

#[path = "../tests/it/support/cloud_driver.rs"]
#[allow(dead_code, reason = "shared with the tests")]
mod driver;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tessera_crypto::sm2::DEFAULT_ID;
use tessera_crypto::sm2::two_party::{ClientShare, ClientSigning, ServiceShare};
use tessera_proto::cloud as wire;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn clock_ticks() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

/// User + system CPU seconds of process `pid` (fields 14 and 15 of `/proc/PID/stat`), or of its
/// waited-for children (fields 16 and 17) with `children`.
fn cpu_seconds(stat: &str, children: bool) -> f64 {
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3.
    let (a, b) = if children { (16, 17) } else { (14, 15) };
    let ticks: f64 = fields[a - 3].parse::<f64>().unwrap() + fields[b - 3].parse::<f64>().unwrap();
    ticks / clock_ticks()
}

/// `openssl speed -multi 2 sm2`: signatures per wall second, and per CPU second of signing.
///
/// The CPU time is that of the waited-for children, read by the shell that ran them. Each
/// process signs for `seconds`, then verifies for as long, so half of it is signing.
fn openssl_speed(seconds: u64) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("speed.txt");
    let script = format!(
        "openssl speed -seconds {seconds} -multi 2 sm2 >'{}' 2>&1; cat /proc/$$/stat",
        out_file.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    let stat = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = std::fs::read_to_string(&out_file).unwrap();
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
    let rate = numbers[numbers.len() - 2];
    let signing_cpu = cpu_seconds(&stat, true) / 2.0;
    (rate, rate * seconds as f64 / signing_cpu)
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

/// Writes one request and reads one response (status and body) on a kept-alive connection.
async fn round_trip(
    conn: &mut tokio::net::TcpStream,
    req: &[u8],
    buf: &mut Vec<u8>,
) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    conn.write_all(req).await.unwrap();
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head[9..12].parse().unwrap();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            while buf.len() < end + 4 + len {
                let k = conn.read(&mut chunk).await.unwrap();
                assert!(k > 0, "connection closed");
                buf.extend_from_slice(&chunk[..k]);
            }
            return (status, buf[end + 4..end + 4 + len].to_vec());
        }
        let k = conn.read(&mut chunk).await.unwrap();
        assert!(k > 0, "connection closed");
        buf.extend_from_slice(&chunk[..k]);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Alternating HTTP and OpenSSL runs.
const ROUNDS: usize = 3;

/// One round: the HTTP run and the OpenSSL run right after it.
struct Round {
    done: usize,
    elapsed: f64,
    /// Service CPU seconds during the HTTP run.
    cpu: f64,
    openssl: f64,
    openssl_per_cpu: f64,
}

impl Round {
    fn rate(&self) -> f64 {
        self.done as f64 / self.elapsed
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

type Requests = Arc<std::sync::Mutex<Vec<Option<Vec<u8>>>>>;

/// `concurrency` kept-alive connections sending the next prepared request as soon as the last
/// answer is in, for `seconds`: elapsed time, latencies, and a few answers to check later.
async fn http_round(
    addr: &str,
    concurrency: usize,
    seconds: u64,
    requests: Requests,
    next: Arc<AtomicUsize>,
) -> (Duration, Vec<Duration>, Vec<(usize, String)>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (requests, next, addr) = (requests.clone(), next.clone(), addr.to_owned());
            tokio::spawn(async move {
                let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
                conn.set_nodelay(true).unwrap();
                let mut lat = Vec::new();
                let mut answers = Vec::new();
                let mut buf = Vec::with_capacity(4096);
                while Instant::now() < until {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(req) = requests.lock().unwrap().get_mut(i).and_then(Option::take)
                    else {
                        break;
                    };
                    let t = Instant::now();
                    let (status, body) = round_trip(&mut conn, &req, &mut buf).await;
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                    lat.push(t.elapsed());
                    if answers.len() < 4 {
                        answers.push((i, String::from_utf8(body).unwrap()));
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
}

fn main() {
    let seconds = env_or("TESSERA_BENCH_SECONDS", 4);
    let concurrency = env_or("TESSERA_BENCH_CONCURRENCY", 32) as usize;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = driver::spawn(
        env!("CARGO_BIN_EXE_tessera-server"),
        &data,
        &dir.path().join("server.log"),
        "warn",
    );
    // The load generator: one thread writing prepared HTTP/1.1 requests on kept-alive
    // connections, so the service keeps most of both cores.
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

    // Enough fresh requests for every round at up to 10,000/s, serialized to the bytes of an
    // HTTP/1.1 request so the generator spends almost nothing per request.
    let n = ROUNDS * (seconds as usize) * 10_000;
    let addr = server.url.trim_start_matches("http://").to_owned();
    let prep = Instant::now();
    let mut states = Vec::with_capacity(n);
    let mut requests = Vec::with_capacity(n);
    for i in 0..n {
        let msg = format!("prescription {i}");
        let (state, req) = ClientSigning::start(&user.public, DEFAULT_ID, msg.as_bytes()).unwrap();
        let body = json!({"e": hex::encode(req.e), "q1": hex::encode(req.q1)}).to_string();
        let now = driver::unix_now();
        let nonce = hex::encode(tessera_crypto::rng::bytes::<16>().unwrap());
        let to_sign =
            wire::device_signed_bytes("POST", &path, now, &nonce, &user.session, body.as_bytes());
        let sig = user.device.sign(DEFAULT_ID, &to_sign).unwrap().to_der();
        let raw = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
             content-type: application/json\r\n{}: {now}\r\n{}: {nonce}\r\n{}: {}\r\n\
             content-length: {}\r\n\r\n{body}",
            user.session,
            wire::DEVICE_TIME_HEADER,
            wire::DEVICE_NONCE_HEADER,
            wire::DEVICE_SIGNATURE_HEADER,
            hex::encode(sig),
            body.len()
        );
        requests.push(Some(raw.into_bytes()));
        states.push(Some(state));
    }
    eprintln!(
        "prepared {n} requests in {:.1} s",
        prep.elapsed().as_secs_f64()
    );
    let requests = Arc::new(std::sync::Mutex::new(requests));
    let next = Arc::new(AtomicUsize::new(0));

    let pid = server.child.id();
    let server_cpu = || {
        cpu_seconds(
            &std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap(),
            false,
        )
    };
    // Rounds alternate the HTTP run and `openssl speed`, so a burst of load from elsewhere on
    // the machine hits both sides alike; the medians are compared.
    let mut rounds = Vec::new();
    let mut latencies = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..ROUNDS {
        let cpu_before = server_cpu();
        let (elapsed, lat, sampled) = rt.block_on(http_round(
            &addr,
            concurrency,
            seconds,
            requests.clone(),
            next.clone(),
        ));
        let cpu = server_cpu() - cpu_before;
        let (openssl, openssl_per_cpu) = openssl_speed(seconds);
        rounds.push(Round {
            done: lat.len(),
            elapsed: elapsed.as_secs_f64(),
            cpu,
            openssl,
            openssl_per_cpu,
        });
        latencies.extend(lat);
        answers.extend(sampled);
    }
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
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    let math = raw_math(seconds);
    println!(
        "| round | co-signatures/s over HTTP | service CPU per co-signature | `openssl speed -multi 2 sm2` sign/s | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for (i, r) in rounds.iter().enumerate() {
        println!(
            "| {} | {:.0} ({} in {:.1} s) | {:.0} µs | {:.0} | {:.2}x |",
            i + 1,
            r.rate(),
            r.done,
            r.elapsed,
            r.cpu / r.done as f64 * 1e6,
            r.openssl,
            r.rate() / r.openssl
        );
    }
    let rate = median(rounds.iter().map(Round::rate));
    let openssl = median(rounds.iter().map(|r| r.openssl));
    let per_cpu = median(rounds.iter().map(|r| r.done as f64 / r.cpu));
    let openssl_per_cpu = median(rounds.iter().map(|r| r.openssl_per_cpu));
    println!();
    println!(
        "| median of {ROUNDS} rounds ({concurrency} concurrent connections) | per wall second | per CPU second |"
    );
    println!("|---|---:|---:|");
    println!("| co-signatures over HTTP | {rate:.0} | {per_cpu:.0} |");
    println!(
        "| latency p50 / p99 (all rounds) | {:.2} ms / {:.2} ms | |",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    println!("| `openssl speed -multi 2 sm2`, sign | {openssl:.0} | {openssl_per_cpu:.0} |");
    println!("| service half of the math only (2 threads, no HTTP) | {math:.0} | |");
    println!(
        "| HTTP co-signing vs OpenSSL signing | {:.2}x | {:.2}x |",
        rate / openssl,
        per_cpu / openssl_per_cpu
    );
    println!("(verified {} sampled answers)", answers.len());
}
