//! File device: unlock time at the production Argon2id cost, signatures per second through the
//! device next to the raw `tessera-crypto` call, and listing 1,000 certificates on one device.
//!
//! `cargo bench -p tessera-media --bench file_device`; figures in BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "bench binary"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use tessera_crypto::digest::DigestAlgorithm;
use tessera_crypto::ecdsa::{EcCurve, EcdsaPrivateKey, SignatureEncoding};
use tessera_crypto::sm2::{DEFAULT_ID, Sm2PrivateKey};
use tessera_media::file_device::{CreateOptions, FileDeviceStore};
use tessera_media::{AlgorithmMode, CsrRequest, KeySpec, Medium, Pin, SignAlg, SoPin};
use tessera_testkit::openssl::ok_in as openssl;

fn per_second(run: Duration, mut op: impl FnMut()) -> f64 {
    op();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run {
        op();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("file_device: bench");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = FileDeviceStore::open(dir.path().join("devices")).unwrap();
    let pin = Pin::new("123456");
    let so = SoPin::new("12345678");
    let options = CreateOptions::new("bench").mode(AlgorithmMode::National);
    let mut device = store.create(&options, &pin, &so).unwrap();
    let kdf = device.kdf_params();

    // Unlock: one Argon2id derivation and the data-key unwrap.
    let mut unlock = Vec::new();
    for _ in 0..10 {
        let mut d = store.open_device("bench").unwrap();
        let start = Instant::now();
        d.login(&pin).unwrap();
        unlock.push(start.elapsed());
    }
    unlock.sort();
    let unlock_median = unlock[unlock.len() / 2];

    device.login(&pin).unwrap();
    let sm2 = device
        .generate_key(KeySpec::Sm2, &CsrRequest::new("CN=bench sm2"))
        .unwrap();
    let p256 = device
        .generate_key(KeySpec::P256, &CsrRequest::new("CN=bench p256"))
        .unwrap();
    let msg = [7u8; 64];
    let run = Duration::from_secs(2);
    let sm2_alg = SignAlg::Sm2Sm3 { id: None };
    let device_sm2 = per_second(run, || {
        black_box(
            device
                .sign(&sm2.key.reference, &sm2_alg, black_box(&msg))
                .unwrap(),
        );
    });
    let raw_sm2_key = Sm2PrivateKey::generate().unwrap();
    let raw_sm2 = per_second(run, || {
        black_box(raw_sm2_key.sign(DEFAULT_ID, black_box(&msg)).unwrap());
    });
    let p256_alg = SignAlg::Ecdsa {
        digest: DigestAlgorithm::Sha256,
    };
    let device_p256 = per_second(run, || {
        black_box(
            device
                .sign(&p256.key.reference, &p256_alg, black_box(&msg))
                .unwrap(),
        );
    });
    let raw_p256_key = EcdsaPrivateKey::generate(EcCurve::P256).unwrap();
    let raw_p256 = per_second(run, || {
        black_box(
            raw_p256_key
                .sign(
                    DigestAlgorithm::Sha256,
                    black_box(&msg),
                    SignatureEncoding::Der,
                )
                .unwrap(),
        );
    });

    // 1,000 certificates for one key, issued by openssl, imported in one call.
    let work = dir.path();
    openssl(
        work,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "k.pem",
        ],
    );
    openssl(
        work,
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der",
        ],
    );
    let mut certs = Vec::with_capacity(1000);
    for i in 0..1000 {
        let subj = format!("/CN=holder {i}/O=Bench/C=CN");
        let serial = format!("{}", i + 1);
        openssl(
            work,
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                "k.pem",
                "-subj",
                &subj,
                "-set_serial",
                &serial,
                "-days",
                "365",
                "-outform",
                "DER",
                "-out",
                "c.der",
            ],
        );
        certs.push(std::fs::read(work.join("c.der")).unwrap());
    }
    let mut big = store
        .create(&CreateOptions::new("thousand"), &pin, &so)
        .unwrap();
    big.login(&pin).unwrap();
    let pkcs8 = std::fs::read(work.join("k.der")).unwrap();
    big.import_key(&pkcs8, &certs, false).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut listed = 0;
    let lists = per_second(Duration::from_secs(3), || {
        let d = store.open_device("thousand").unwrap();
        let entries = d.certificates().unwrap();
        for e in &entries {
            black_box(e.certificate.details(now));
        }
        listed = entries.len();
    });
    assert_eq!(listed, 1000);

    println!(
        "Argon2id m={} KiB, t={}, p={}",
        kdf.memory_kib, kdf.iterations, kdf.parallelism
    );
    println!("| measure | file device | raw tessera-crypto | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| unlock (median of 10) | {:.1} ms | | |",
        unlock_median.as_secs_f64() * 1e3
    );
    println!(
        "| SM2 sign/s (64-byte message, Z_A + SM3) | {device_sm2:.0} | {raw_sm2:.0} | {:.2} |",
        device_sm2 / raw_sm2
    );
    println!(
        "| ECDSA P-256 sign/s (SHA-256) | {device_p256:.0} | {raw_p256:.0} | {:.2} |",
        device_p256 / raw_p256
    );
    println!(
        "| open + list + details of 1,000 certificates | {:.1} ms | | |",
        1e3 / lists
    );
}
