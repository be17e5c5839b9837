//! Scalar multiplication by secret scalars on sm2p256v1, in constant time: the service's
//! `k3·Q1 + k2·G` of two-party signing and `d2⁻¹·T1` of two-party decryption (DESIGN.md,
//! "Two-party SM2": every multiplication with a secret scalar runs in constant time).
//!
//! A scalar is made odd (k, or n − k with the result negated) and written as 52 signed odd
//! digits of 5 bits, `k = Σ dⱼ·2^(5j)` with dⱼ ∈ {±1, ±3, …, ±31}: every window adds exactly
//! one table entry, and an entry is read by scanning its whole row with masked selection, so no
//! branch and no memory address depends on the scalar.
//! - `k·Q` for a public Q: the row Q, 3Q, …, 31Q (built in variable time, Q being public),
//!   then 51 rounds of five doublings and one addition.
//! - `k·G`: a comb whose row j holds (2i + 1)·2^(5j)·G, so 52 additions and no doubling.
//!
//! The main additions are the incomplete Jacobian formulas. The digit bounds keep every partial
//! sum away from ± the point being added except in the last addition (argued at each
//! function), which is guarded: it also computes the doubling and selects it for equal points,
//! gives the identity for opposite points, and the other point when one is the identity.

use sm2::Scalar;
use subtle::{Choice, ConditionallySelectable as _, ConstantTimeEq as _};

use super::comb::{self, DIGITS, ROW, Row, WINDOW, recode};
use super::point::{Affine, Jacobian, batch_to_affine, odd_multiples};

/// Q, 3Q, …, 31Q for a public point Q, the table of [`mul`].
pub(super) struct OddMultiples(Row);

impl OddMultiples {
    /// The table for `q`; `None` only if `q` is not a point of order n (then some multiple
    /// below 32 is the identity).
    pub(super) fn new(q: &Affine) -> Option<Self> {
        odd_multiples::<ROW>(q)
            .and_then(|t| batch_to_affine(&t))
            .map(Self)
    }
}

/// `digit·P` from the row P, 3P, …, 31P for an odd digit in [−31, 31], reading every entry.
fn select(row: &Row, digit: i8) -> Affine {
    let sign = digit >> 7; // −1 for a negative digit, else 0
    let magnitude = ((digit ^ sign) - sign) as u8;
    let index = magnitude >> 1;
    let mut out = row[0];
    for (i, entry) in (0u8..).zip(row.iter()).skip(1) {
        out.conditional_assign(entry, i.ct_eq(&index));
    }
    out.y = out.y.conditional_negate(Choice::from((sign & 1) as u8));
    out
}

/// `p + q` for every p, by selection: the doubling for p = q, q for the identity p.
fn add_affine_guarded(p: &Jacobian, q: &Affine) -> Jacobian {
    let (sum, equal) = p.add_affine_incomplete(q);
    let sum = Jacobian::conditional_select(&sum, &p.double(), equal);
    Jacobian::conditional_select(&sum, &q.to_jacobian(), p.z.ct_is_zero())
}

/// `p + q` for every p and q, by EFD `add-2007-bl` (11M + 5S) and selection.
fn add_guarded(p: &Jacobian, q: &Jacobian) -> Jacobian {
    let z1z1 = p.z.square();
    let z2z2 = q.z.square();
    let u1 = p.x.mul(&z2z2);
    let u2 = q.x.mul(&z1z1);
    let s1 = p.y.mul(&q.z).mul(&z2z2);
    let s2 = q.y.mul(&p.z).mul(&z1z1);
    let h = u2.sub(&u1);
    let r = s2.sub(&s1).double();
    let equal = h.ct_is_zero() & r.ct_is_zero();
    let i = h.double().square();
    let j = h.mul(&i);
    let v = u1.mul(&i);
    let x = r.square().sub(&j).sub(&v.double());
    let y = r.mul(&v.sub(&x)).sub(&s1.mul(&j).double());
    let z = p.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
    let sum = Jacobian { x, y, z };
    let sum = Jacobian::conditional_select(&sum, &p.double(), equal);
    let sum = Jacobian::conditional_select(&sum, q, p.z.ct_is_zero());
    Jacobian::conditional_select(&sum, p, q.z.ct_is_zero())
}

/// `k·Q` in constant time in k, Q public (its table from [`OddMultiples::new`]).
///
/// Top-down: after the digits from the top down to j + 1 the accumulator is m·Q with m the
/// value of those digits, odd and positive, m < 2^(256 − 5(j+1)) + 2. Adding dⱼ·Q to 32m·Q
/// hits an exceptional case only if 32m ≡ ±dⱼ (mod n); 32m is even and dⱼ odd, so that needs
/// 32m ≥ n − 31, which only the last window (j = 0) can reach: only it is guarded.
pub(super) fn mul(k: &Scalar, q: &OddMultiples) -> Jacobian {
    let recoded = recode(k);
    let d = &recoded.digits;
    let mut acc = select(&q.0, d[DIGITS - 1]).to_jacobian();
    for j in (0..DIGITS - 1).rev() {
        for _ in 0..WINDOW {
            acc = acc.double();
        }
        let entry = select(&q.0, d[j]);
        acc = if j == 0 {
            add_affine_guarded(&acc, &entry)
        } else {
            acc.add_affine_incomplete(&entry).0
        };
    }
    acc.y = acc.y.conditional_negate(recoded.negate);
    acc
}

/// `k·G` in constant time in k.
///
/// Bottom-up: before row j the accumulator is S·G with |S| ≤ Σ_{i<j} 31·2^(5i) < 2^(5j), S ≠ 0,
/// and row j adds dⱼ·2^(5j)·G with |dⱼ·2^(5j)| ≥ 2^(5j). For j ≤ 50, |S ± dⱼ·2^(5j)| lies in
/// [1, 2^255) below n, so the sum is neither the identity nor a doubling; only the top row
/// (j = 51) is guarded.
pub(super) fn mul_generator(k: &Scalar) -> Jacobian {
    let rows = &comb::generator().rows;
    let recoded = recode(k);
    let d = &recoded.digits;
    let mut acc = select(&rows[0], d[0]).to_jacobian();
    for j in 1..DIGITS {
        let entry = select(&rows[j], d[j]);
        acc = if j == DIGITS - 1 {
            add_affine_guarded(&acc, &entry)
        } else {
            acc.add_affine_incomplete(&entry).0
        };
    }
    acc.y = acc.y.conditional_negate(recoded.negate);
    acc
}

/// The affine x of `k3·Q1 + k2·G` as 32 big-endian bytes, `None` when the sum is the identity:
/// the point of two-party signing's step 2.
pub(super) fn joint_nonce_x(k3: &Scalar, q1: &OddMultiples, k2: &Scalar) -> Option<[u8; 32]> {
    let sum = add_guarded(&mul(k3, q1), &mul_generator(k2));
    sum.to_affine().map(|point| point.x.to_bytes())
}

#[cfg(test)]
mod tests;
