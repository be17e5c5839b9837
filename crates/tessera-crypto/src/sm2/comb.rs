//! Combs: for a point P, row j holds the odd multiples (2i + 1)·2^(5j)·P. With a scalar in
//! the regular odd recoding of [`recode`] (52 digits in {±1, ±3, …, ±31}), k·P is one entry per
//! row added up: 52 additions and no doubling. The constant-time `secret_mul` uses the comb of
//! G; verification (`vartime`) also uses a comb of a public key that signs often.

use std::sync::LazyLock;

use elliptic_curve::PrimeField as _;
use sm2::Scalar;
use subtle::{Choice, ConditionallySelectable as _};
use zeroize::Zeroize as _;

use super::field::limbs_from_be;
use super::point::{Affine, N, batch_to_affine, odd_multiples};

/// Bits per digit.
pub(super) const WINDOW: usize = 5;
/// Digits of a scalar below 2^256: 51 of the recoding loop and the remaining top digit (1).
pub(super) const DIGITS: usize = 52;
/// Odd multiples 1, 3, …, 31 of a point: one row.
pub(super) const ROW: usize = 1 << (WINDOW - 1);

pub(super) type Row = [Affine; ROW];

/// Row j holds (2i + 1)·2^(5j)·P for i in 0..16 (about 53 KB).
pub(super) struct Comb {
    pub(super) rows: Box<[Row; DIGITS]>,
}

impl Comb {
    /// The comb of a public point; `None` only if P is not of order n (then some multiple in the
    /// table is the identity). Built in variable time.
    pub(super) fn new(p: &Affine) -> Option<Self> {
        let mut rows = Box::new([[*p; ROW]; DIGITS]);
        let mut base = *p;
        for row in rows.iter_mut() {
            *row = batch_to_affine(&odd_multiples::<ROW>(&base)?)?;
            let mut next = base.to_jacobian();
            for _ in 0..WINDOW {
                next = next.double();
            }
            base = next.to_affine()?;
        }
        Some(Self { rows })
    }
}

/// The comb of G, computed on first use.
#[allow(
    clippy::expect_used,
    reason = "multiples k·G with 0 < k < n are never the identity, so the comb always builds; \
              `generator_comb_rows_are_multiples_of_g` checks each entry"
)]
pub(super) fn generator() -> &'static Comb {
    static G: LazyLock<Comb> =
        LazyLock::new(|| Comb::new(&Affine::generator()).expect("the comb of G"));
    &G
}

/// A scalar as 52 odd digits, least significant first, and whether the product must be negated.
pub(super) struct Recoded {
    pub(super) digits: [i8; DIGITS],
    pub(super) negate: Choice,
}

impl Drop for Recoded {
    fn drop(&mut self) {
        self.digits.zeroize();
    }
}

/// Recodes k ∈ [0, n): `k' = k` when k is odd, else `k' = n − k` (odd, as n is) and the result
/// is to be negated. Then 51 times `d = (k' mod 64) − 32`, `k' = (k' − d)/32`: d is odd in
/// [−31, 31] and k' stays odd; `k' − d` only rewrites the low six bits (to 100000₂), so there is
/// no carry. By induction k' ≤ 2^(256−5t) − 1 after t steps, so after 51 it is odd and at most 1:
/// the top digit is 1.
pub(super) fn recode(k: &Scalar) -> Recoded {
    let mut bytes: [u8; 32] = k.to_repr().into();
    let mut limbs = limbs_from_be(&bytes);
    bytes.zeroize();
    let mut minus = [0u64; 4];
    let mut borrow = false;
    for ((out, n), a) in minus.iter_mut().zip(N).zip(limbs) {
        (*out, borrow) = n.borrowing_sub(a, borrow);
    }
    let even = Choice::from(((limbs[0] & 1) ^ 1) as u8);
    for (limb, m) in limbs.iter_mut().zip(&minus) {
        limb.conditional_assign(m, even);
    }
    minus.zeroize();

    let mut digits = [0i8; DIGITS];
    for digit in digits.iter_mut().take(DIGITS - 1) {
        // Six bits fit an i8 and leave a value in [−32, 31]; odd k' makes it odd.
        *digit = (limbs[0] & 63) as i8 - 32;
        limbs[0] = (limbs[0] & !63) | 32;
        limbs = [
            (limbs[0] >> WINDOW) | (limbs[1] << (64 - WINDOW)),
            (limbs[1] >> WINDOW) | (limbs[2] << (64 - WINDOW)),
            (limbs[2] >> WINDOW) | (limbs[3] << (64 - WINDOW)),
            limbs[3] >> WINDOW,
        ];
    }
    digits[DIGITS - 1] = limbs[0] as i8;
    limbs.zeroize();
    Recoded {
        digits,
        negate: even,
    }
}
