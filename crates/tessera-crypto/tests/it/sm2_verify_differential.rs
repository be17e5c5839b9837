//! SM2 verification (own variable-time arithmetic, plain and with a prepared key's comb)
//! against the path it replaced: the `sm2` crate's `ProjectivePoint::mul_by_generator_and_mul_add_vartime`, then `(e + x1) mod n = r`
//! (GB/T 32918.2 §7.1). Valid signatures, perturbed ones, and signatures constructed for
//! arbitrary keys — including keys where the special cases of point addition occur, and a sum
//! whose x1 lies in [n, p).

use elliptic_curve::{
    PrimeField as _,
    group::Group as _,
    ops::{MulByGeneratorVartime as _, Reduce},
    point::AffineCoordinates as _,
    sec1::{FromSec1Point as _, ToSec1Point as _},
};
use sm2::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
use tessera_crypto::sm2::{Sm2PreparedKey, Sm2PrivateKey, Sm2PublicKey, Sm2Signature};

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
        reduce(&self.bytes())
    }
}

fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*bytes))
}

fn bytes(s: &Scalar) -> [u8; 32] {
    s.to_repr().into()
}

fn sm2_point(key: &Sm2PublicKey) -> AffinePoint {
    let encoded = sm2::Sec1Point::from_bytes(key.to_sec1_uncompressed()).unwrap();
    AffinePoint::from_sec1_point(&encoded).unwrap()
}

fn public_key(point: &ProjectivePoint) -> Sm2PublicKey {
    Sm2PublicKey::from_sec1_bytes(point.to_affine().to_sec1_point(false).as_bytes()).unwrap()
}

/// `[s]G + [t]P` by the `sm2` crate.
fn reference_sum(key: &Sm2PublicKey, s: &Scalar, t: &Scalar) -> ProjectivePoint {
    ProjectivePoint::mul_by_generator_and_mul_add_vartime(s, t, &sm2_point(key).into())
}

/// The verification this crate used before, step for step.
fn reference_verify(key: &Sm2PublicKey, e: &[u8; 32], r: &Scalar, s: &Scalar) -> bool {
    let t = *r + s;
    if bool::from(t.is_zero()) {
        return false;
    }
    let point = reference_sum(key, s, &t);
    if bool::from(point.is_identity()) {
        return false;
    }
    reduce(e) + <Scalar as Reduce<FieldBytes>>::reduce(&point.to_affine().x()) == *r
}

/// The digest that makes `(r, s)` valid under `key`, if `[s]G + [r + s]P` is not the identity.
fn digest_making_valid(key: &Sm2PublicKey, r: &Scalar, s: &Scalar) -> Option<[u8; 32]> {
    let point = reference_sum(key, s, &(*r + s));
    if bool::from(point.is_identity()) {
        return None;
    }
    let x1 = <Scalar as Reduce<FieldBytes>>::reduce(&point.to_affine().x());
    Some(bytes(&(*r - x1)))
}

/// The three verifications (plain, prepared key, reference) agree on `(e, r, s)`; returns their
/// verdict. Pairs with r or s zero are not signatures and are skipped (`None`).
fn agree(key: &Sm2PublicKey, e: &[u8; 32], r: &Scalar, s: &Scalar) -> Option<bool> {
    let sig = Sm2Signature::from_scalars(&bytes(r), &bytes(s)).ok()?;
    let ours = key.verify_digest(e, &sig).is_ok();
    let prepared = Sm2PreparedKey::new(key)
        .unwrap()
        .verify_digest(e, &sig)
        .is_ok();
    let expected = reference_verify(key, e, r, s);
    let case = format!("key {key:?}, e = {}, sig = {sig:?}", hex::encode(e));
    assert_eq!(ours, expected, "{case}");
    assert_eq!(prepared, expected, "prepared: {case}");
    Some(ours)
}

#[test]
fn signatures_and_perturbations_agree() {
    let mut rng = Rng(0x5132);
    let mut accepted = 0;
    for _ in 0..1000 {
        let key = Sm2PrivateKey::from_bytes(&rng.bytes()).unwrap();
        let public = key.public_key();
        let e = rng.bytes();
        let sig = key.sign_digest(&e).unwrap();
        let (r, s) = (reduce(&sig.r()), reduce(&sig.s()));
        accepted += usize::from(agree(public, &e, &r, &s) == Some(true));

        let mut e_flipped = e;
        e_flipped[usize::from(rng.next_u64() as u8 % 32)] ^= 1 << (rng.next_u64() % 8);
        for (e, r, s) in [
            (e_flipped, r, s),
            (e, r + Scalar::ONE, s),
            (e, r, s + Scalar::ONE),
            (e, r - Scalar::ONE, s),
            (e, rng.scalar(), s),
            (e, r, rng.scalar()),
            // s swapped for −r gives t = 0, rejected at B5.
            (e, r, -r),
        ] {
            assert_eq!(agree(public, &e, &r, &s), Some(false));
        }
    }
    assert_eq!(accepted, 1000);
}

#[test]
fn constructed_signatures_for_random_keys_agree() {
    let mut rng = Rng(0x7E55);
    for _ in 0..1000 {
        let key = public_key(&(ProjectivePoint::GENERATOR * rng.scalar()));
        let (r, s) = (rng.scalar(), rng.scalar());
        let e = digest_making_valid(&key, &r, &s).unwrap();
        assert_eq!(agree(&key, &e, &r, &s), Some(true));
        let e_next = bytes(&(reduce(&e) + Scalar::ONE));
        assert_eq!(agree(&key, &e_next, &r, &s), Some(false));
    }
}

#[test]
fn small_multiples_of_g_as_keys_agree() {
    // Keys ±kG with small scalars make the running sum meet equal and opposite table points.
    let g = ProjectivePoint::GENERATOR;
    let mut scalars: Vec<Scalar> = (1u64..7).map(Scalar::from).collect();
    scalars.extend((1u64..4).map(|k| -Scalar::from(k)));
    let (mut valid, mut identity) = (0, 0);
    for k in [1u64, 2, 3, 7] {
        for m in [Scalar::from(k), -Scalar::from(k)] {
            let key = public_key(&(g * m));
            for r in &scalars {
                for s in &scalars {
                    match digest_making_valid(&key, r, s) {
                        Some(e) => {
                            valid += 1;
                            let expected = (*r + s) != Scalar::ZERO;
                            assert_eq!(agree(&key, &e, r, s), Some(expected));
                        }
                        None => {
                            // [s]G + [t]P is the identity: nothing verifies.
                            identity += 1;
                            assert_eq!(agree(&key, &[0; 32], r, s), Some(false));
                            assert_eq!(agree(&key, &bytes(r), r, s), Some(false));
                        }
                    }
                }
            }
        }
    }
    assert!(
        valid > 0 && identity > 0,
        "{valid} valid, {identity} identity"
    );
}

#[test]
fn x1_at_least_n_verifies() {
    // A point Q with n ≤ x_Q < p, written as [s]G + [t]P with t = 1: P = Q − [s]G, r = 1 − s.
    // Then R = (e + x1) mod n uses x1 − n, the rare branch of the inversion-free check.
    let n = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
    let mut x: [u8; 32] = hex::decode(n).unwrap().try_into().unwrap();
    let mut rng = Rng(0xB16);
    let mut found = 0;
    while found < 8 {
        let mut sec1 = vec![0x02 | (rng.next_u64() as u8 & 1)];
        sec1.extend_from_slice(&x);
        if let Ok(q) = Sm2PublicKey::from_sec1_bytes(&sec1) {
            found += 1;
            let s = rng.scalar();
            let q = ProjectivePoint::from(sm2_point(&q));
            let key = public_key(&(q - ProjectivePoint::GENERATOR * s));
            let r = Scalar::ONE - s;
            let e = digest_making_valid(&key, &r, &s).unwrap();
            assert_eq!(agree(&key, &e, &r, &s), Some(true));
            for wrong in [reduce(&e) + Scalar::ONE, reduce(&e) - Scalar::ONE] {
                assert_eq!(agree(&key, &bytes(&wrong), &r, &s), Some(false));
            }
        }
        // Next x, big-endian increment.
        for byte in x.iter_mut().rev() {
            *byte = byte.wrapping_add(1);
            if *byte != 0 {
                break;
            }
        }
    }
}
