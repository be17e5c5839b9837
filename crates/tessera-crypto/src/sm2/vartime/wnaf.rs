//! Width-w non-adjacent form (wNAF) of 256-bit scalars.
//!
//! Digits are zero or odd in (−2^(w−1), 2^(w−1)), and any w consecutive digits hold at most one
//! non-zero (Hankerson, Menezes, Vanstone, *Guide to Elliptic Curve Cryptography*, Alg. 3.35;
//! this window-scanning form follows libsecp256k1's `secp256k1_ecmult_wnaf`).

use crate::sm2::field::limbs_from_be;

/// Digits needed for a value below 2^256: a final carry can set digit 256.
pub(super) const DIGITS: usize = 257;

/// The wNAF of the 256-bit big-endian `bytes`, least significant digit first, `2 ≤ w ≤ 8`.
pub(super) fn wnaf(bytes: &[u8; 32], w: usize) -> [i8; DIGITS] {
    let [l0, l1, l2, l3] = limbs_from_be(bytes);
    let limbs = [l0, l1, l2, l3, 0];
    // Bits [bit, bit + count) of the value, count ≤ 8 and bit < DIGITS.
    let bits = |bit: usize, count: usize| -> u64 {
        let (idx, off) = (bit / 64, bit % 64);
        let mut v = limbs[idx] >> off;
        if off + count > 64 && idx + 1 < limbs.len() {
            v |= limbs[idx + 1] << (64 - off);
        }
        v & ((1u64 << count) - 1)
    };

    let mut digits = [0i8; DIGITS];
    let mut carry = 0u64;
    let mut bit = 0;
    while bit < DIGITS {
        if bits(bit, 1) == carry {
            bit += 1;
            continue;
        }
        let now = w.min(DIGITS - bit);
        // Odd, since bit `bit` differs from the carry; at most 2^w.
        let word = bits(bit, now) + carry;
        carry = (word >> (w - 1)) & 1;
        // word − carry·2^w lies in (−2^(w−1), 2^(w−1)) and w ≤ 8, so it fits an i8.
        digits[bit] = (word as i64 - ((carry as i64) << w)) as i8;
        bit += now;
    }
    // The value is below 2^256, so bit 256 is zero and no carry is left over: a full window
    // reaching bit 256 has a clear top bit and an odd word, hence word < 2^(w−1).
    debug_assert_eq!(carry, 0);
    digits
}
