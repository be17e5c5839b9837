//! A leakage check in the manner of dudect (Reparaz, Balasch, Verbauwhede 2017) for the service's
//! constant-time multiplication by a secret scalar: the two-party decryption step `d2⁻¹·T1`
//! timed with a fixed, extreme share (d2 = 1, so the scalar is 1; d2 = n − 1) against random
//! shares, the classes interleaved at random. Welch's t over all samples and over the samples
//! below a few percentiles; |t| above 4.5 would be evidence that the time depends on the secret.
//! A control row times the `sm2` crate's variable-time multiplication the same way, to show
//! the check sees a leak where there is one.
//!
//! `cargo bench -p tessera-crypto --bench constant_time` (`TESSERA_CT_SAMPLES`, default 40,000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "bench binary"
)]

use std::hint::black_box;
use std::time::Instant;

use sm2::{ProjectivePoint, Scalar};
use tessera_crypto::sm2::two_party::{ClientShare, ServiceShare};

/// n − 1 for sm2p256v1, big-endian.
const N_MINUS_1: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122";

/// Welch's t between two samples.
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let (na, ma, va) = stats(a);
    let (nb, mb, vb) = stats(b);
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// Cheap reproducible bits to pick the class of each measurement (the choice is not secret).
struct Coin(u64);

impl Coin {
    fn flip(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 1
    }
}

/// Times `op(fixed_class, i)` for `samples` randomly interleaved calls and prints a table row.
fn run(label: &str, samples: usize, mut op: impl FnMut(bool, usize)) {
    let mut coin = Coin(0x2545_F491_4F6C_DD1D);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let fixed_class = coin.flip();
        let start = Instant::now();
        op(fixed_class, i);
        let ns = start.elapsed().as_nanos() as f64;
        if fixed_class { a.push(ns) } else { b.push(ns) }
    }
    let mut all: Vec<f64> = a.iter().chain(&b).copied().collect();
    all.sort_by(f64::total_cmp);
    let mut cells = vec![format!("{:.2}", welch_t(&a, &b))];
    for p in [0.5, 0.75, 0.9] {
        let cut = all[((all.len() as f64) * p) as usize];
        let below = |x: &[f64]| x.iter().copied().filter(|v| *v <= cut).collect::<Vec<_>>();
        cells.push(format!("{:.2}", welch_t(&below(&a), &below(&b))));
    }
    let median = all[all.len() / 2] / 1000.0;
    println!(
        "| {label} | {samples} | {median:.1} µs | {} |",
        cells.join(" | ")
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("constant_time: bench");
        return;
    }
    let samples = std::env::var("TESSERA_CT_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40_000);
    let (_, t1) = ClientShare::generate().unwrap();
    let random: Vec<ServiceShare> = (0..256)
        .map(|_| ServiceShare::generate(&t1).unwrap().0)
        .collect();
    let mut one = [0u8; 32];
    one[31] = 1;
    let one = ServiceShare::from_bytes(&one).unwrap();
    let minus_one = ServiceShare::from_bytes(&hex::decode(N_MINUS_1).unwrap()).unwrap();

    println!(
        "| fixed class vs random shares | samples | median | t (all) | t (≤ p50) | t (≤ p75) | t (≤ p90) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (label, fixed) in [("d2 = 1", &one), ("d2 = n − 1", &minus_one)] {
        run(label, samples, |fixed_class, i| {
            let share = if fixed_class {
                fixed
            } else {
                &random[i % random.len()]
            };
            black_box(share.decrypt_step(black_box(&t1)).unwrap());
        });
    }
    let scalars: Vec<Scalar> = (0..256u64)
        .map(|i| Scalar::from(i + 1).invert().unwrap())
        .collect();
    run(
        "control: `sm2` crate `mul_vartime`, k = 1",
        samples,
        |fixed_class, i| {
            let k = if fixed_class {
                Scalar::ONE
            } else {
                scalars[i % scalars.len()]
            };
            black_box(ProjectivePoint::GENERATOR.mul_vartime(black_box(&k)));
        },
    );
    println!("(|t| > 4.5 would indicate a secret-dependent time)");
}
