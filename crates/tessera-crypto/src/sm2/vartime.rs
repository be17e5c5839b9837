//! Variable-time arithmetic on sm2p256v1 for signature verification only.
//!
//! Verification (GB/T 32918.2 §7.1) handles public data alone — the key, the message digest and
//! the signature — so this code branches and indexes tables on its inputs. **Never use it with a
//! secret scalar**: signing, key generation and decryption go through constant-time arithmetic
//! (`secret_mul`, or the `sm2` crate's).
//!
//! It is faster than the `sm2` crate's generic path because it can be specific: the field
//! arithmetic of `field` for the SM2 prime, Jacobian coordinates with the a = −3 doubling, incomplete
//! additions with explicit special cases, a precomputed table of odd multiples of G, and a final
//! check of x1 mod n without an inversion.

mod wnaf;

#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use elliptic_curve::PrimeField as _;
use sm2::{AffinePoint, Scalar};

use super::comb::{self, Comb, DIGITS as COMB_DIGITS, Row, recode};
use super::field::{Fe, P, limbs_from_be, lt};
use super::point::{Affine, Cached, Jacobian, N, batch_to_affine, odd_multiples};
use wnaf::{DIGITS, wnaf};

/// wNAF width for `s` against the precomputed table of G.
const G_WINDOW: usize = 8;
/// Odd multiples G, 3G, …, (2^(G_WINDOW−1) − 1)G.
const G_TABLE_LEN: usize = 1 << (G_WINDOW - 2);
/// wNAF width for `t` against the per-verification table of P_A.
const P_WINDOW: usize = 5;
const P_TABLE_LEN: usize = 1 << (P_WINDOW - 2);

/// G, 3G, 5G, …, 127G in affine form, computed on first use.
static G_TABLE: LazyLock<Option<[Affine; G_TABLE_LEN]>> = LazyLock::new(|| {
    odd_multiples::<G_TABLE_LEN>(&Affine::generator()).and_then(|t| batch_to_affine(&t))
});

/// `[s]G + [t]P` by interleaved wNAF (Straus–Shamir): one chain of doublings, with
/// additions from the precomputed table of G and a per-call table of P.
///
/// `None` only if the tables cannot be built, which for a valid public key does not happen.
fn mul_g_add_mul(s: &Scalar, t: &Scalar, p: &AffinePoint) -> Option<Jacobian> {
    let g_table = G_TABLE.as_ref()?;
    let p = Affine::from_sm2(p)?;
    let p_table: [Cached; P_TABLE_LEN] = odd_multiples::<P_TABLE_LEN>(&p)?.map(Jacobian::to_cached);

    let s_digits = wnaf(&s.to_repr().into(), G_WINDOW);
    let t_digits = wnaf(&t.to_repr().into(), P_WINDOW);
    let top = (0..DIGITS)
        .rev()
        .find(|&i| s_digits[i] != 0 || t_digits[i] != 0);

    let mut acc = Jacobian::IDENTITY;
    for i in (0..=top.unwrap_or(0)).rev() {
        acc = acc.double();
        let d = s_digits[i];
        if d != 0 {
            let entry = g_table[usize::from(d.unsigned_abs() >> 1)];
            acc = acc.add_affine(&if d > 0 { entry } else { entry.neg() });
        }
        let d = t_digits[i];
        if d != 0 {
            let entry = p_table[usize::from(d.unsigned_abs() >> 1)];
            acc = acc.add_cached(&if d > 0 { entry } else { entry.neg() });
        }
    }
    Some(acc)
}

/// Whether `point` is not the identity and its affine x1 satisfies `x1 mod n = c`.
///
/// With x1 = X/Z² in [0, p) and p < 2n, `x1 mod n = c` exactly when x1 = c, or x1 = c + n
/// and c + n < p. Each candidate is compared as `X = candidate · Z²` in GF(p) (Z ≠ 0), which
/// needs no inversion.
fn x_mod_n_equals(point: &Jacobian, c: &Scalar) -> bool {
    if point.is_identity() {
        return false;
    }
    let zz = point.z.square();
    let c_bytes: [u8; 32] = c.to_repr().into();
    let Some(c_fe) = Fe::from_bytes(&c_bytes) else {
        return false;
    };
    if c_fe.mul(&zz) == point.x {
        return true;
    }
    // c + n, if it is still a field element.
    let c_limbs = limbs_from_be(&c_bytes);
    let mut sum = [0u64; 4];
    let mut carry = false;
    for ((out, a), b) in sum.iter_mut().zip(c_limbs).zip(N) {
        (*out, carry) = a.carrying_add(b, carry);
    }
    if carry || !lt(&sum, &P) {
        return false;
    }
    let mut sum_bytes = [0u8; 32];
    for (chunk, limb) in sum_bytes.chunks_exact_mut(8).zip(sum.iter().rev()) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    Fe::from_bytes(&sum_bytes).is_some_and(|fe| fe.mul(&zz) == point.x)
}

/// GB/T 32918.2 §7.1 steps B6-B7 in variable time: whether `(x1, y1) = [s]G + [t]P_A` is not
/// the identity and `x1 ≡ c (mod n)`, where the caller passes `c = r − e mod n` so that the
/// check is `R = (e + x1) mod n = r`.
pub(super) fn check_b6_b7(s: &Scalar, t: &Scalar, public: &AffinePoint, c: &Scalar) -> bool {
    mul_g_add_mul(s, t, public).is_some_and(|point| x_mod_n_equals(&point, c))
}

/// B6-B7 as [`check_b6_b7`], for a public key with a comb: `[s]G + [t]P_A` as one entry per row
/// of G's comb and of P_A's, 104 additions and no doubling.
pub(super) fn check_b6_b7_comb(s: &Scalar, t: &Scalar, public: &Comb, c: &Scalar) -> bool {
    let g = comb::generator();
    let (s, t) = (recode(s), recode(t));
    let mut acc = Jacobian::IDENTITY;
    for j in 0..COMB_DIGITS {
        acc = acc.add_affine(&comb_entry(&g.rows[j], s.digits[j], s.negate.into()));
        acc = acc.add_affine(&comb_entry(&public.rows[j], t.digits[j], t.negate.into()));
    }
    x_mod_n_equals(&acc, c)
}

/// `digit·P` from a comb row, negated when `negate` (the recoded scalar was n − k).
fn comb_entry(row: &Row, digit: i8, negate: bool) -> Affine {
    let entry = row[usize::from(digit.unsigned_abs() >> 1)];
    if (digit < 0) != negate {
        entry.neg()
    } else {
        entry
    }
}
