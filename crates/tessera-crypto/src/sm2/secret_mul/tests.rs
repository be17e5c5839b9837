//! The constant-time multiplications against the `sm2` crate's points (an independent
//! implementation), on random scalars and on every scalar near the edges where the incomplete
//! additions would break: small k, k near n, powers of two, equal and opposite joint nonces.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use elliptic_curve::{
    PrimeField as _, group::Group as _, ops::Reduce, point::AffineCoordinates as _,
};
use sm2::{FieldBytes, ProjectivePoint, Scalar};

use super::{OddMultiples, joint_nonce_x, mul, mul_generator};
use crate::sm2::comb::{self, DIGITS, ROW, recode};
use crate::sm2::point::{Affine, Jacobian};

/// SplitMix64: reproducible scalars, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn scalar(&mut self) -> Scalar {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            chunk.copy_from_slice(&(z ^ (z >> 31)).to_be_bytes());
        }
        <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(bytes))
    }
}

/// Scalars where the recoding and the guarded additions matter: 0..=200, n − 200..n − 1,
/// 2^i and 2^i ± 1 (mod n) for i ≤ 256, n − 2^256 mod n, and pseudo-random ones. The
/// exceptional ones are all in: for `mul`, 0 (opposite points in the last addition) and 6,
/// n − 6 (equal points); for `mul_generator`, 0 and c = 2^256 mod n, n − c (equal points in the
/// top row's addition).
fn scalars(random: usize) -> Vec<Scalar> {
    let mut out = Vec::new();
    for i in 0..=200u64 {
        out.push(Scalar::from(i));
        out.push(-Scalar::from(i + 1));
    }
    let mut power = Scalar::ONE;
    for _ in 0..=256 {
        out.extend([power, power + Scalar::ONE, power - Scalar::ONE]);
        power = power.double();
    }
    // `power` ran one doubling past 2^256; take it back for n − (2^256 mod n).
    out.push(-(power * Scalar::from(2u64).invert().unwrap()));
    let mut rng = Rng(0x005E_C2E7);
    out.extend((0..random).map(|_| rng.scalar()));
    out
}

/// Affine (x, y) bytes of our point; `None` for the identity.
fn ours(point: &Jacobian) -> Option<([u8; 32], [u8; 32])> {
    point.to_affine().map(|a| (a.x.to_bytes(), a.y.to_bytes()))
}

/// The same for the `sm2` crate's point.
fn theirs(point: &ProjectivePoint) -> Option<([u8; 32], [u8; 32])> {
    if bool::from(point.is_identity()) {
        return None;
    }
    let a = point.to_affine();
    Some((a.x().into(), a.y().into()))
}

fn affine(point: &ProjectivePoint) -> Affine {
    Affine::from_sm2(&point.to_affine()).unwrap()
}

#[test]
fn recoding_gives_odd_digits_that_sum_to_the_scalar() {
    for k in scalars(200) {
        let recoded = recode(&k);
        let d = recoded.digits;
        assert!(
            d.iter().all(|&x| x % 2 != 0 && (-31..=31).contains(&x)),
            "{d:?}"
        );
        assert_eq!(d[DIGITS - 1], 1, "{d:?}");
        let mut sum = Scalar::ZERO;
        for &digit in d.iter().rev() {
            let magnitude = Scalar::from(u64::from(digit.unsigned_abs()));
            sum = sum * Scalar::from(32u64) + if digit < 0 { -magnitude } else { magnitude };
        }
        let expected = if bool::from(recoded.negate) { -k } else { k };
        assert_eq!(sum, expected);
        assert_eq!(bool::from(recoded.negate), k.to_repr()[31] & 1 == 0);
    }
}

#[test]
fn generator_comb_rows_are_multiples_of_g() {
    let mut base = Scalar::ONE;
    for row in comb::generator().rows.iter() {
        for (i, entry) in (0u64..).zip(row.iter()) {
            let expected = ProjectivePoint::GENERATOR * (base * Scalar::from(2 * i + 1));
            assert_eq!(
                Some((entry.x.to_bytes(), entry.y.to_bytes())),
                theirs(&expected)
            );
        }
        base *= Scalar::from(1u64 << 5);
    }
    assert_eq!(comb::generator().rows[0].len(), ROW);
}

#[test]
fn mul_matches_the_sm2_crate() {
    let mut rng = Rng(42);
    let points = [
        ProjectivePoint::GENERATOR,
        ProjectivePoint::GENERATOR * rng.scalar(),
        ProjectivePoint::GENERATOR * rng.scalar(),
    ];
    for q in points {
        let table = OddMultiples::new(&affine(&q)).unwrap();
        for k in scalars(300) {
            assert_eq!(ours(&mul(&k, &table)), theirs(&(q * k)), "k = {k:?}");
        }
    }
}

#[test]
fn mul_generator_matches_the_sm2_crate() {
    for k in scalars(500) {
        assert_eq!(
            ours(&mul_generator(&k)),
            theirs(&ProjectivePoint::mul_by_generator(&k)),
            "k = {k:?}"
        );
    }
}

#[test]
fn joint_nonce_matches_the_sm2_crate() {
    let mut rng = Rng(7);
    for _ in 0..200 {
        let (k1, k2, k3) = (rng.scalar(), rng.scalar(), rng.scalar());
        let q1 = ProjectivePoint::GENERATOR * k1;
        let table = OddMultiples::new(&affine(&q1)).unwrap();
        let expected = theirs(&(q1 * k3 + ProjectivePoint::GENERATOR * k2)).map(|(x, _)| x);
        assert_eq!(joint_nonce_x(&k3, &table, &k2), expected);
    }
}

#[test]
fn joint_nonce_handles_equal_and_opposite_halves() {
    let mut rng = Rng(9);
    for _ in 0..20 {
        let (k1, k3) = (rng.scalar(), rng.scalar());
        let q1 = ProjectivePoint::GENERATOR * k1;
        let table = OddMultiples::new(&affine(&q1)).unwrap();
        // k2 = k1·k3: both halves are the same point, so the sum is a doubling.
        let k2 = k1 * k3;
        let doubled = theirs(&(ProjectivePoint::GENERATOR * k2).double()).map(|(x, _)| x);
        assert_eq!(joint_nonce_x(&k3, &table, &k2), doubled);
        // k2 = −k1·k3: the halves cancel.
        assert_eq!(joint_nonce_x(&k3, &table, &-k2), None);
    }
}

#[test]
fn guarded_addition_takes_the_identity_on_either_side() {
    let g = Affine::generator().to_jacobian();
    let three_g = ProjectivePoint::GENERATOR * Scalar::from(3u64);
    let p = mul_generator(&Scalar::from(3u64));
    assert_eq!(
        ours(&super::add_guarded(&Jacobian::IDENTITY, &p)),
        theirs(&three_g)
    );
    assert_eq!(
        ours(&super::add_guarded(&p, &Jacobian::IDENTITY)),
        theirs(&three_g)
    );
    assert_eq!(
        ours(&super::add_guarded(
            &Jacobian::IDENTITY,
            &Jacobian::IDENTITY
        )),
        None
    );
    assert_eq!(
        ours(&super::add_guarded(&g, &g)),
        theirs(&ProjectivePoint::GENERATOR.double())
    );
}
