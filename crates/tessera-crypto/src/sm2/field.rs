//! Arithmetic in GF(p), p = 2^256 − 2^224 − 2^96 + 2^64 − 1, the field of sm2p256v1
//! (GB/T 32918.5 §3), in Montgomery form with R = 2^256.
//!
//! Montgomery reduction is specialised to this p: its low limb is 2^64 − 1, so −p^−1 mod 2^64
//! is 1 and each reduction step uses the low limb itself as the multiplier (the same shape as
//! OpenSSL's `ecp_nistz256` and Tongsuo's `ecp_sm2p256`).
//!
//! `add`, `sub`, `neg`, `mul`, `square`, `invert` (a fixed addition chain), `ct_is_zero` and the
//! selections have no branch and no index that depends on the values: carries and the final
//! subtraction work through masks, so `secret_mul` may use them with secret data. `from_bytes`,
//! `is_zero`, `==` and `lt` branch on the value and are for public data only.

/// p as little-endian 64-bit limbs.
pub(super) const P: [u64; 4] = [
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFF_0000_0000,
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFE_FFFF_FFFF,
];

/// R^2 mod p, to enter Montgomery form.
const R2: [u64; 4] = [
    0x0000_0002_0000_0003,
    0x0000_0002_FFFF_FFFF,
    0x0000_0001_0000_0001,
    0x0000_0004_0000_0002,
];

use subtle::{Choice, ConditionallySelectable};

/// An element of GF(p) held as `a·R mod p`, always fully reduced, so equal elements have equal
/// limbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fe([u64; 4]);

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `a + b·c + carry` as (low, high); cannot overflow 128 bits.
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) * u128::from(c) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `(hi·2^256 + r) mod p` for a value below 2p.
#[inline(always)]
fn sub_p_if_ge(r: [u64; 4], hi: u64) -> [u64; 4] {
    let (d0, b) = r[0].borrowing_sub(P[0], false);
    let (d1, b) = r[1].borrowing_sub(P[1], b);
    let (d2, b) = r[2].borrowing_sub(P[2], b);
    let (d3, b) = r[3].borrowing_sub(P[3], b);
    let (_, b) = hi.borrowing_sub(0, b);
    // All ones when the subtraction borrowed, i.e. the value was already below p.
    let keep = 0u64.wrapping_sub(u64::from(b));
    [
        (r[0] & keep) | (d0 & !keep),
        (r[1] & keep) | (d1 & !keep),
        (r[2] & keep) | (d2 & !keep),
        (r[3] & keep) | (d3 & !keep),
    ]
}

/// Montgomery reduction `w·R^−1 mod p` of a 512-bit `w < p·2^256`.
///
/// Step i adds `m·p` with `m = w_i`: since p ≡ −1 (mod 2^64), that clears limb i, and
/// `w_i + m·p_0 = m·2^64` carries exactly `m` into limb i + 1.
#[inline(always)]
fn montgomery_reduce(w: [u64; 8]) -> [u64; 4] {
    let [r0, r1, r2, r3, r4, r5, r6, r7] = w;

    let (r1, c) = mac(r1, r0, P[1], r0);
    let (r2, c) = mac(r2, r0, P[2], c);
    let (r3, c) = mac(r3, r0, P[3], c);
    let (r4, c2) = adc(r4, c, 0);

    let (r2, c) = mac(r2, r1, P[1], r1);
    let (r3, c) = mac(r3, r1, P[2], c);
    let (r4, c) = mac(r4, r1, P[3], c);
    let (r5, c2) = adc(r5, c, c2);

    let (r3, c) = mac(r3, r2, P[1], r2);
    let (r4, c) = mac(r4, r2, P[2], c);
    let (r5, c) = mac(r5, r2, P[3], c);
    let (r6, c2) = adc(r6, c, c2);

    let (r4, c) = mac(r4, r3, P[1], r3);
    let (r5, c) = mac(r5, r3, P[2], c);
    let (r6, c) = mac(r6, r3, P[3], c);
    let (r7, c2) = adc(r7, c, c2);

    sub_p_if_ge([r4, r5, r6, r7], c2)
}

impl Fe {
    pub(super) const ZERO: Self = Self([0; 4]);
    /// 1 in Montgomery form: R mod p = 2^224 + 2^96 − 2^64 + 1.
    pub(super) const ONE: Self = Self([
        0x0000_0000_0000_0001,
        0x0000_0000_FFFF_FFFF,
        0x0000_0000_0000_0000,
        0x0000_0001_0000_0000,
    ]);

    /// The element whose canonical value is the 32 big-endian bytes `bytes`; `None` if ≥ p.
    pub(super) fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let limbs = limbs_from_be(bytes);
        if !lt(&limbs, &P) {
            return None;
        }
        Some(Self(limbs).mul(&Self(R2)))
    }

    /// A constant known to be below p (curve parameters).
    pub(super) fn from_canonical_bytes(bytes: &[u8; 32]) -> Self {
        Self(limbs_from_be(bytes)).mul(&Self(R2))
    }

    /// The canonical value as 32 big-endian bytes.
    pub(super) fn to_bytes(self) -> [u8; 32] {
        let [a0, a1, a2, a3] = self.0;
        let v = montgomery_reduce([a0, a1, a2, a3, 0, 0, 0, 0]);
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(v.iter().rev()) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    pub(super) fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Whether the element is zero, without a branch (elements are fully reduced).
    pub(super) fn ct_is_zero(&self) -> Choice {
        let any = self.0[0] | self.0[1] | self.0[2] | self.0[3];
        // The top bit of `any | −any` is set exactly when `any` ≠ 0.
        let nonzero = (any | any.wrapping_neg()) >> 63;
        Choice::from((nonzero ^ 1) as u8)
    }

    /// `−self` where `choice` is set, else `self`.
    pub(super) fn conditional_negate(&self, choice: Choice) -> Self {
        Self::conditional_select(self, &self.neg(), choice)
    }

    pub(super) fn add(&self, rhs: &Self) -> Self {
        let (a, b) = (self.0, rhs.0);
        let (r0, c) = adc(a[0], b[0], 0);
        let (r1, c) = adc(a[1], b[1], c);
        let (r2, c) = adc(a[2], b[2], c);
        let (r3, c) = adc(a[3], b[3], c);
        Self(sub_p_if_ge([r0, r1, r2, r3], c))
    }

    pub(super) fn double(&self) -> Self {
        self.add(self)
    }

    pub(super) fn sub(&self, rhs: &Self) -> Self {
        let (a, b) = (self.0, rhs.0);
        let (r0, w) = a[0].borrowing_sub(b[0], false);
        let (r1, w) = a[1].borrowing_sub(b[1], w);
        let (r2, w) = a[2].borrowing_sub(b[2], w);
        let (r3, w) = a[3].borrowing_sub(b[3], w);
        // On a borrow the difference wrapped past 2^256; adding p brings it back into [0, p).
        let mask = 0u64.wrapping_sub(u64::from(w));
        let (r0, c) = adc(r0, P[0] & mask, 0);
        let (r1, c) = adc(r1, P[1] & mask, c);
        let (r2, c) = adc(r2, P[2] & mask, c);
        let (r3, _) = adc(r3, P[3] & mask, c);
        Self([r0, r1, r2, r3])
    }

    pub(super) fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    pub(super) fn mul(&self, rhs: &Self) -> Self {
        let (a, b) = (self.0, rhs.0);
        let (w0, c) = mac(0, a[0], b[0], 0);
        let (w1, c) = mac(0, a[0], b[1], c);
        let (w2, c) = mac(0, a[0], b[2], c);
        let (w3, w4) = mac(0, a[0], b[3], c);

        let (w1, c) = mac(w1, a[1], b[0], 0);
        let (w2, c) = mac(w2, a[1], b[1], c);
        let (w3, c) = mac(w3, a[1], b[2], c);
        let (w4, w5) = mac(w4, a[1], b[3], c);

        let (w2, c) = mac(w2, a[2], b[0], 0);
        let (w3, c) = mac(w3, a[2], b[1], c);
        let (w4, c) = mac(w4, a[2], b[2], c);
        let (w5, w6) = mac(w5, a[2], b[3], c);

        let (w3, c) = mac(w3, a[3], b[0], 0);
        let (w4, c) = mac(w4, a[3], b[1], c);
        let (w5, c) = mac(w5, a[3], b[2], c);
        let (w6, w7) = mac(w6, a[3], b[3], c);

        Self(montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7]))
    }

    /// Squaring: the six cross products once, doubled, plus the diagonal.
    pub(super) fn square(&self) -> Self {
        let a = self.0;
        let (w1, c) = mac(0, a[0], a[1], 0);
        let (w2, c) = mac(0, a[0], a[2], c);
        let (w3, w4) = mac(0, a[0], a[3], c);

        let (w3, c) = mac(w3, a[1], a[2], 0);
        let (w4, w5) = mac(w4, a[1], a[3], c);

        let (w5, w6) = mac(w5, a[2], a[3], 0);

        let w7 = w6 >> 63;
        let w6 = (w6 << 1) | (w5 >> 63);
        let w5 = (w5 << 1) | (w4 >> 63);
        let w4 = (w4 << 1) | (w3 >> 63);
        let w3 = (w3 << 1) | (w2 >> 63);
        let w2 = (w2 << 1) | (w1 >> 63);
        let w1 = w1 << 1;

        let (w0, c) = mac(0, a[0], a[0], 0);
        let (w1, c) = adc(w1, 0, c);
        let (w2, c) = mac(w2, a[1], a[1], c);
        let (w3, c) = adc(w3, 0, c);
        let (w4, c) = mac(w4, a[2], a[2], c);
        let (w5, c) = adc(w5, 0, c);
        let (w6, c) = mac(w6, a[3], a[3], c);
        let (w7, _) = adc(w7, 0, c);

        Self(montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7]))
    }

    /// `self^(2^k)`.
    fn square_n(&self, k: u32) -> Self {
        let mut x = *self;
        for _ in 0..k {
            x = x.square();
        }
        x
    }

    /// `self^−1` by Fermat, `self^(p−2)`; zero maps to zero.
    ///
    /// p − 2 = 1^31 0 1^128 0^32 1^62 0 1 in binary (most significant first); the chain builds
    /// `x^(2^k − 1)` for the runs: 256 squarings and 15 multiplications.
    pub(super) fn invert(&self) -> Self {
        let x1 = *self;
        let x2 = x1.square().mul(&x1);
        let x3 = x2.square().mul(&x1);
        let x6 = x3.square_n(3).mul(&x3);
        let x12 = x6.square_n(6).mul(&x6);
        let x15 = x12.square_n(3).mul(&x3);
        let x30 = x15.square_n(15).mul(&x15);
        let x31 = x30.square().mul(&x1);
        let x32 = x31.square().mul(&x1);

        // 1^31 0 1^32
        let mut r = x31.square_n(33).mul(&x32);
        // three more runs of 32 ones: 1^128 in all
        for _ in 0..3 {
            r = r.square_n(32).mul(&x32);
        }
        // 0^32 1^32 1^30
        r = r.square_n(64).mul(&x32);
        r = r.square_n(30).mul(&x30);
        // 0 1
        r.square_n(2).mul(&x1)
    }
}

impl ConditionallySelectable for Fe {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self([
            u64::conditional_select(&a.0[0], &b.0[0], choice),
            u64::conditional_select(&a.0[1], &b.0[1], choice),
            u64::conditional_select(&a.0[2], &b.0[2], choice),
            u64::conditional_select(&a.0[3], &b.0[3], choice),
        ])
    }
}

/// 32 big-endian bytes as little-endian limbs.
pub(super) fn limbs_from_be(bytes: &[u8; 32]) -> [u64; 4] {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().rev().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_be_bytes(word);
    }
    limbs
}

/// `a < b` for little-endian limbs.
pub(super) fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}
