//! The variable-time arithmetic against outside oracles: crypto-bigint for GF(p) and for the
//! wNAF digits, the `sm2` crate's constant-time points for the curve.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use elliptic_curve::{
    PrimeField as _,
    bigint::{NonZero, U256, U512},
    ops::Reduce,
    point::AffineCoordinates as _,
    sec1::FromSec1Point as _,
};
use sm2::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};

use super::wnaf::{DIGITS, wnaf};
use super::{G_TABLE, G_TABLE_LEN, mul_g_add_mul, x_mod_n_equals};
use crate::sm2::field::Fe;
use crate::sm2::point::{Affine, Cached, Jacobian};

const P_HEX: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF";
const N_HEX: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

/// SplitMix64: reproducible inputs, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn bytes(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_be_bytes());
        }
        out
    }

    fn scalar(&mut self) -> Scalar {
        <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(self.bytes()))
    }
}

fn p() -> NonZero<U256> {
    NonZero::new(U256::from_be_hex(P_HEX)).unwrap()
}

fn uint(bytes: &[u8; 32]) -> U256 {
    U256::from_be_slice(bytes)
}

fn be(x: &U256) -> [u8; 32] {
    x.to_be_bytes().as_ref().try_into().unwrap()
}

fn fe(x: &U256) -> Fe {
    Fe::from_bytes(&be(x)).unwrap()
}

fn val(x: &Fe) -> U256 {
    uint(&x.to_bytes())
}

/// Field elements at the edges (0, 1, p − 1, limb and word boundaries, Montgomery's R) and
/// pseudo-random ones below p.
fn field_samples(random: usize) -> Vec<U256> {
    let p = U256::from_be_hex(P_HEX);
    let one = U256::ONE;
    let mut out = vec![
        U256::ZERO,
        one,
        U256::from_u64(2),
        U256::from_u64(3),
        p.wrapping_sub(&one),
        p.wrapping_sub(&U256::from_u64(2)),
        p.wrapping_sub(&U256::from_u64(3)),
        p.shr_vartime(1),
        one.shl_vartime(255),
        one.shl_vartime(224),
        one.shl_vartime(224).wrapping_sub(&one),
        one.shl_vartime(192),
        one.shl_vartime(128).wrapping_sub(&one),
        one.shl_vartime(96),
        one.shl_vartime(64),
        one.shl_vartime(64).wrapping_sub(&one),
        one.shl_vartime(32).wrapping_sub(&one),
        U256::from_u64(u64::MAX),
        // R mod p = 2^224 + 2^96 − 2^64 + 1, and its neighbours.
        U256::from_be_hex("0000000100000000000000000000000000000000FFFFFFFF0000000000000001"),
        U256::from_be_hex("0000000100000000000000000000000000000000FFFFFFFF0000000000000000"),
        // Limbs all ones where p allows.
        U256::from_be_hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF"),
        U256::from_be_hex("FFFFFFFEFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"),
        U256::from_be_hex(N_HEX),
    ];
    let mut rng = Rng(0x5EED_F1E1D);
    while out.len() < 23 + random {
        let x = uint(&rng.bytes());
        if x < p {
            out.push(x);
        }
    }
    out
}

#[test]
fn field_operations_match_crypto_bigint() {
    let p = p();
    let samples = field_samples(40);
    for a in &samples {
        let fa = fe(a);
        assert_eq!(val(&fa), *a, "round trip {a}");
        assert_eq!(val(&fa.square()), a.mul_mod(a, &p), "{a}^2");
        assert_eq!(val(&fa.neg()), U256::ZERO.sub_mod(a, &p), "-{a}");
        assert_eq!(val(&fa.double()), a.add_mod(a, &p), "2·{a}");
        for b in &samples {
            let fb = fe(b);
            assert_eq!(val(&fa.mul(&fb)), a.mul_mod(b, &p), "{a}·{b}");
            assert_eq!(val(&fa.add(&fb)), a.add_mod(b, &p), "{a}+{b}");
            assert_eq!(val(&fa.sub(&fb)), a.sub_mod(b, &p), "{a}-{b}");
        }
    }
}

#[test]
fn field_products_chain_like_crypto_bigint() {
    // Long chains reach Montgomery intermediates that single products of samples do not.
    let p = p();
    let mut rng = Rng(7);
    let mut a = uint(&rng.bytes()).rem_vartime(&p);
    let mut b = uint(&rng.bytes()).rem_vartime(&p);
    let (mut fa, mut fb) = (fe(&a), fe(&b));
    for i in 0..20_000 {
        (a, b) = (a.mul_mod(&b, &p), a.add_mod(&b, &p).mul_mod(&a, &p));
        (fa, fb) = (fa.mul(&fb), fa.add(&fb).mul(&fa));
        if i % 3 == 0 {
            a = a.mul_mod(&a, &p).sub_mod(&b, &p);
            fa = fa.square().sub(&fb);
        }
        assert_eq!((val(&fa), val(&fb)), (a, b), "step {i}");
    }
}

#[test]
fn field_inverse() {
    let p = p();
    assert_eq!(Fe::ZERO.invert(), Fe::ZERO);
    for a in field_samples(40).iter().filter(|a| **a != U256::ZERO) {
        let inv = fe(a).invert();
        assert_eq!(val(&inv), a.invert_mod(&p).unwrap(), "1/{a}");
        assert_eq!(fe(a).mul(&inv), Fe::ONE, "{a}·(1/{a})");
    }
}

#[test]
fn field_encoding_rejects_p_and_above() {
    let p = U256::from_be_hex(P_HEX);
    for bad in [p, p.wrapping_add(&U256::ONE), U256::MAX] {
        assert!(Fe::from_bytes(&be(&bad)).is_none(), "{bad}");
    }
    assert_eq!(Fe::from_bytes(&be(&U256::ONE)), Some(Fe::ONE));
    assert_eq!(Fe::from_bytes(&[0; 32]), Some(Fe::ZERO));
}

/// Checks the wNAF rules and that the digits add up to `bytes`.
fn check_wnaf(bytes: &[u8; 32], w: usize) {
    let digits = wnaf(bytes, w);
    let (mut pos, mut neg) = (U512::ZERO, U512::ZERO);
    let mut last_nonzero: Option<usize> = None;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            continue;
        }
        assert!(d % 2 != 0, "even digit {d} at {i}");
        assert!(
            i32::from(d).abs() < 1 << (w - 1),
            "digit {d} too large for w = {w}"
        );
        if let Some(last) = last_nonzero {
            assert!(
                i - last >= w,
                "digits at {last} and {i} closer than w = {w}"
            );
        }
        last_nonzero = Some(i);
        let term = U512::from_u64(u64::from(d.unsigned_abs())).shl_vartime(i as u32);
        if d > 0 {
            pos = pos.wrapping_add(&term);
        } else {
            neg = neg.wrapping_add(&term);
        }
    }
    let value: U512 = uint(bytes).resize();
    assert_eq!(
        pos.wrapping_sub(&neg),
        value,
        "w = {w}, {}",
        hex::encode(bytes)
    );
}

#[test]
fn wnaf_digits_add_up() {
    let mut rng = Rng(11);
    let mut values = vec![[0u8; 32], [0xFF; 32]];
    for low in [1u8, 2, 3, 0x7F, 0x80, 0xFF] {
        let mut v = [0u8; 32];
        v[31] = low;
        values.push(v);
    }
    values.push(be(&U256::from_be_hex(N_HEX).wrapping_sub(&U256::ONE)));
    values.push(be(&U256::ONE.shl_vartime(255)));
    for _ in 0..300 {
        values.push(rng.bytes());
    }
    for v in &values {
        for w in 2..=8 {
            check_wnaf(v, w);
        }
    }
    assert_eq!(
        wnaf(&[0xFF; 32], 5)[DIGITS - 1],
        1,
        "2^256 − 1 needs digit 256"
    );
}

/// Affine coordinates as bytes, `None` for the identity.
type Coordinates = Option<([u8; 32], [u8; 32])>;

fn ours(point: &Jacobian) -> Coordinates {
    point.to_affine().map(|a| (a.x.to_bytes(), a.y.to_bytes()))
}

fn reference(point: &ProjectivePoint) -> Coordinates {
    let a = point.to_affine();
    (a != AffinePoint::IDENTITY).then(|| (a.x().into(), a.y().into()))
}

fn affine_of(point: &ProjectivePoint) -> Affine {
    Affine::from_sm2(&point.to_affine()).unwrap()
}

/// The same point as `a` with Jacobian Z = `z`.
fn with_z(a: &Affine, z: Fe) -> Jacobian {
    let zz = z.square();
    Jacobian {
        x: a.x.mul(&zz),
        y: a.y.mul(&zz.mul(&z)),
        z,
    }
}

fn cached(a: &Affine, z: Fe) -> Cached {
    with_z(a, z).to_cached()
}

#[test]
fn g_table_holds_odd_multiples_of_g() {
    let table = G_TABLE.as_ref().unwrap();
    assert_eq!(table.len(), G_TABLE_LEN);
    for (i, entry) in table.iter().enumerate() {
        let expected = ProjectivePoint::GENERATOR * Scalar::from(2 * i as u64 + 1);
        assert_eq!(
            ours(&entry.to_jacobian()),
            reference(&expected),
            "{}G",
            2 * i + 1
        );
    }
    assert_eq!(table[0], Affine::generator());
}

#[test]
fn formulas_special_cases() {
    let g = ProjectivePoint::GENERATOR;
    let (ga, g2a, g3a) = (
        affine_of(&g),
        affine_of(&(g + g)),
        affine_of(&(g * Scalar::from(3u64))),
    );
    let mut rng = Rng(3);
    for _ in 0..8 {
        let z = fe(&uint(&rng.bytes()).rem_vartime(&p()));
        let z = if z.is_zero() { Fe::ONE } else { z };
        let g_z = with_z(&ga, z);
        assert_eq!(ours(&g_z), ours(&ga.to_jacobian()));
        // Doubling, and additions that turn out to be doublings.
        assert_eq!(ours(&g_z.double()), reference(&(g + g)));
        assert_eq!(ours(&g_z.add_affine(&ga)), reference(&(g + g)));
        assert_eq!(
            ours(&g_z.add_cached(&cached(&ga, z.square()))),
            reference(&(g + g))
        );
        // Opposite points cancel.
        assert_eq!(ours(&g_z.add_affine(&ga.neg())), None);
        assert_eq!(ours(&g_z.add_cached(&cached(&ga, z).neg())), None);
        // Generic additions.
        assert_eq!(ours(&g_z.add_affine(&g2a)), ours(&g3a.to_jacobian()));
        assert_eq!(
            ours(&g_z.add_cached(&cached(&g2a, z.double()))),
            ours(&g3a.to_jacobian())
        );
        // The identity on either side.
        let id = Jacobian::IDENTITY;
        assert_eq!(ours(&id.double()), None);
        assert_eq!(ours(&id.add_affine(&ga)), ours(&g_z));
        assert_eq!(ours(&id.add_cached(&cached(&ga, z))), ours(&g_z));
        assert_eq!(ours(&g_z.add_cached(&id.to_cached())), ours(&g_z));
    }
}

/// `[s]G + [t]P` both ways; `expected` is the sm2 crate's value.
fn compare_mul(s: &Scalar, t: &Scalar, p: &ProjectivePoint, expected: &ProjectivePoint) {
    let ours = ours(&mul_g_add_mul(s, t, &p.to_affine()).unwrap());
    assert_eq!(
        ours,
        reference(expected),
        "s = {}, t = {}, P = {:?}",
        hex::encode(s.to_repr()),
        hex::encode(t.to_repr()),
        reference(p)
    );
}

#[test]
fn scalar_multiplication_matches_sm2_crate() {
    let mut rng = Rng(5);
    let g = ProjectivePoint::GENERATOR;
    for _ in 0..60 {
        let p = g * rng.scalar();
        let (a, b) = (rng.scalar(), rng.scalar());
        compare_mul(&a, &Scalar::ZERO, &p, &(g * a)); // [a]G
        compare_mul(&Scalar::ZERO, &b, &p, &(p * b)); // [b]P
        compare_mul(&a, &b, &p, &(g * a + p * b));
    }
}

#[test]
fn scalar_multiplication_hits_equal_and_opposite_points() {
    // With P a small multiple of ±G and small scalars (or n minus small ones), the running sum
    // meets table entries that are equal or opposite to it: the additions' special cases.
    let g = ProjectivePoint::GENERATOR;
    let mut scalars: Vec<Scalar> = (0u64..8).map(Scalar::from).collect();
    scalars.extend((1u64..5).map(|k| -Scalar::from(k)));
    scalars.extend([Scalar::from(127u64), Scalar::from(129u64)]);
    for k in [1u64, 2, 3, 5, 16, 127] {
        for m in [Scalar::from(k), -Scalar::from(k)] {
            let p = g * m;
            for s in &scalars {
                for t in &scalars {
                    // [s]G + [t][m]G = [s + t·m]G, by the fixed-base path.
                    compare_mul(s, t, &p, &(g * (*s + *t * m)));
                }
            }
        }
    }
}

#[test]
fn x_mod_n_check_without_inversion() {
    let mut rng = Rng(13);
    for _ in 0..40 {
        let point = ProjectivePoint::GENERATOR * rng.scalar();
        let a = affine_of(&point);
        let x_mod_n = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(a.x.to_bytes()));
        let z = fe(&uint(&rng.bytes()).rem_vartime(&p()));
        let j = with_z(&a, if z.is_zero() { Fe::ONE } else { z });
        assert!(x_mod_n_equals(&j, &x_mod_n));
        assert!(!x_mod_n_equals(&j, &(x_mod_n + Scalar::ONE)));
        assert!(!x_mod_n_equals(&j, &(x_mod_n - Scalar::ONE)));
    }
    assert!(!x_mod_n_equals(&Jacobian::IDENTITY, &Scalar::ZERO));
    assert!(!x_mod_n_equals(&Jacobian::IDENTITY, &Scalar::ONE));
}

#[test]
fn x_mod_n_check_when_x_is_at_least_n() {
    // Points with n ≤ x1 < p (about one in 2^128 at random): found by trying x = n, n + 1, …
    let n = U256::from_be_hex(N_HEX);
    let mut found = 0;
    let mut x = n;
    while found < 4 {
        let mut sec1 = [0u8; 33];
        sec1[0] = 0x02;
        sec1[1..].copy_from_slice(&be(&x));
        let encoded = sm2::Sec1Point::from_bytes(sec1).unwrap();
        let point: Option<AffinePoint> = AffinePoint::from_sec1_point(&encoded).into();
        if let Some(point) = point {
            found += 1;
            let a = Affine::from_sm2(&point).unwrap();
            let c = Scalar::from_repr(FieldBytes::from(be(&x.wrapping_sub(&n)))).unwrap();
            for z in [
                Fe::ONE,
                fe(&U256::from_u64(0xDEAD_BEEF)),
                fe(&x.wrapping_sub(&n)),
            ] {
                let j = with_z(&a, z);
                assert!(x_mod_n_equals(&j, &c), "x = {x}");
                assert!(!x_mod_n_equals(&j, &(c + Scalar::ONE)), "x = {x}");
                assert!(!x_mod_n_equals(&j, &(c - Scalar::ONE)), "x = {x}");
                assert!(!x_mod_n_equals(&j.add_affine(&a), &c), "x = {x}");
            }
        }
        x = x.wrapping_add(&U256::ONE);
    }
}
