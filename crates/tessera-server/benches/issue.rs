#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a bench binary"
)]
//! Certificates issued per second by the service's CA path (`Ca::issue_from_csr`: CSR
//! verification, SM2 signing by the issuing CA, the row written to the store) on a SQLite file
//! and on PostgreSQL (a throwaway cluster), with 8 concurrent issuers on the 2-core box; beside
//! the raw signing rate of the same CA key in the same run.
//!
//! `cargo bench -p tessera-server --bench issue` (set `TESSERA_BENCH_SECONDS`, default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tessera_testkit::pg;

use tessera_server::ca::{Ca, MasterKey};
use tessera_server::store::Store;
use tessera_x509::issue::{CaAlgorithm, CaKey, Profile};

const CONCURRENCY: usize = 8;

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("TESSERA_BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    )
}

/// A PEM SM2 CSR made by our media code path's engine (signed with the default ID).
fn csr_pem() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["genpkey", "-algorithm", "SM2", "-out", "k.pem"]);
    run(&[
        "req",
        "-new",
        "-key",
        "k.pem",
        "-subj",
        "/C=CN/O=Bench/CN=bench",
        "-sm3",
        "-sigopt",
        "distid:1234567812345678",
        "-out",
        "r.pem",
    ]);
    std::fs::read(dir.path().join("r.pem")).unwrap()
}

/// Issues for `seconds()` with `CONCURRENCY` tasks; certificates per second.
async fn issue_rate(store: Store) -> f64 {
    let (ca, _) = Ca::load_or_create(
        &store,
        &MasterKey::from_bytes([3; 32]),
        CaAlgorithm::Sm2,
        "http://127.0.0.1",
        1_800_000_000,
    )
    .await
    .unwrap();
    let ca = Arc::new(ca);
    let csr = Arc::new(csr_pem());
    // warm up the pool and the caches
    for _ in 0..20 {
        ca.issue_from_csr(&csr, Profile::signing(), "signing", 365, 1_800_000_000)
            .await
            .unwrap();
    }
    let deadline = Instant::now() + seconds();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (ca, csr) = (ca.clone(), csr.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                ca.issue_from_csr(&csr, Profile::signing(), "signing", 365, 1_800_000_000)
                    .await
                    .unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    store.close().await;
    rate
}

/// Raw SM2 signatures per second over a 600-byte TBS with one key, on all cores.
fn raw_sign_rate() -> f64 {
    let key = Arc::new(CaKey::generate(CaAlgorithm::Sm2).unwrap());
    let tbs = Arc::new(vec![0x5a_u8; 600]);
    let deadline = Instant::now() + seconds();
    let start = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (key, tbs) = (key.clone(), tbs.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    key.sign(&tbs).unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench`-less args: only measure on bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let raw = raw_sign_rate();
    println!("raw SM2 signing (CA key, 2 threads):      {raw:>8.0} signatures/s");
    let dir = tempfile::tempdir().unwrap();
    let sqlite = runtime.block_on(async {
        issue_rate(
            Store::open_sqlite(&dir.path().join("bench.sqlite3"))
                .await
                .unwrap(),
        )
        .await
    });
    println!(
        "issue_from_csr on SQLite ({CONCURRENCY} tasks):     {sqlite:>8.0} certificates/s ({:.2}x raw)",
        sqlite / raw
    );
    match pg::PgCluster::start() {
        Some(cluster) => {
            let pg = runtime.block_on(async {
                let url = cluster.database("tessera_bench").await;
                issue_rate(Store::connect(&url).await.unwrap()).await
            });
            println!(
                "issue_from_csr on PostgreSQL ({CONCURRENCY} tasks): {pg:>8.0} certificates/s ({:.2}x raw)",
                pg / raw
            );
        }
        None => println!("PostgreSQL skipped (TESSERA_SKIP_POSTGRES=1)"),
    }
}
