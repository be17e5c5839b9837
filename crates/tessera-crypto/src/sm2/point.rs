//! Points of sm2p256v1, y² = x³ − 3x + b (GB/T 32918.5 §3), in Jacobian coordinates:
//! (X, Y, Z) stands for the affine (X/Z², Y/Z³), and Z = 0 for the identity.
//!
//! Formulas from the Explicit-Formulas Database (EFD), `g1p/shortw/jacobian-3`: `dbl-2001-b`
//! (a = −3), `madd-2007-bl` (second point affine) and `add-2007-bl` (with Z², Z³ of the second
//! point cached). Doubling is branch-free. The additions here are the variable-time ones, for
//! public points: each tests for the identity, for equal points and for opposite points with a
//! branch. The constant-time additions for secret scalars live in `secret_mul`.

use elliptic_curve::point::AffineCoordinates as _;
use sm2::AffinePoint;
use subtle::{Choice, ConditionallySelectable};

use super::field::Fe;

/// Base point coordinates x_G, y_G (GB/T 32918.5 §3).
pub(super) const GX: [u8; 32] =
    super::hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
pub(super) const GY: [u8; 32] =
    super::hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

/// n, the order of G (GB/T 32918.5 §3), as little-endian limbs.
pub(super) const N: [u64; 4] = [
    0x53BB_F409_39D5_4123,
    0x7203_DF6B_21C6_052B,
    0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFE_FFFF_FFFF,
];

/// An affine point other than the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Affine {
    pub(super) x: Fe,
    pub(super) y: Fe,
}

/// A point in Jacobian coordinates; Z = 0 is the identity.
#[derive(Clone, Copy, Debug)]
pub(super) struct Jacobian {
    pub(super) x: Fe,
    pub(super) y: Fe,
    pub(super) z: Fe,
}

/// A Jacobian point with Z² and Z³ kept, for adding it many times.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cached {
    x: Fe,
    y: Fe,
    z: Fe,
    zz: Fe,
    zzz: Fe,
}

impl Affine {
    /// The base point G.
    pub(super) fn generator() -> Self {
        Self {
            x: Fe::from_canonical_bytes(&GX),
            y: Fe::from_canonical_bytes(&GY),
        }
    }

    /// Our affine form of a point of the `sm2` crate; `None` for the identity.
    pub(super) fn from_sm2(point: &AffinePoint) -> Option<Self> {
        if point == &AffinePoint::IDENTITY {
            return None;
        }
        Some(Self {
            x: Fe::from_bytes(&point.x().into())?,
            y: Fe::from_bytes(&point.y().into())?,
        })
    }

    pub(super) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: self.y.neg(),
        }
    }

    pub(super) fn to_jacobian(self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: self.y,
            z: Fe::ONE,
        }
    }
}

impl Cached {
    pub(super) fn neg(&self) -> Self {
        Self {
            y: self.y.neg(),
            ..*self
        }
    }
}

impl Jacobian {
    pub(super) const IDENTITY: Self = Self {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    pub(super) fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    pub(super) fn to_cached(self) -> Cached {
        let zz = self.z.square();
        Cached {
            x: self.x,
            y: self.y,
            z: self.z,
            zz,
            zzz: zz.mul(&self.z),
        }
    }

    /// The affine point, `None` for the identity; one inversion (a fixed chain, constant time).
    pub(super) fn to_affine(self) -> Option<Affine> {
        if bool::from(self.z.ct_is_zero()) {
            return None;
        }
        let zinv = self.z.invert();
        let zinv2 = zinv.square();
        Some(Affine {
            x: self.x.mul(&zinv2),
            y: self.y.mul(&zinv2.mul(&zinv)),
        })
    }

    /// `2·self`, EFD `dbl-2001-b` for a = −3: 3M + 5S. The identity maps to itself (Z3 = 2·Y·Z).
    pub(super) fn double(&self) -> Self {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for affine q, EFD `madd-2007-bl`: 7M + 4S, any operands (variable time).
    pub(super) fn add_affine(&self, q: &Affine) -> Self {
        if self.is_identity() {
            return q.to_jacobian();
        }
        let (sum, equal) = self.add_affine_incomplete(q);
        // Same x: equal points double; opposite points cancel, which the sum already says (Z = 0).
        if bool::from(equal) {
            self.double()
        } else {
            sum
        }
    }

    /// `self + q` by `madd-2007-bl` without special cases or branches, and whether self = q.
    ///
    /// Right whenever self is not the identity and self ≠ q; for self = −q it gives the identity
    /// (Z3 = 0). Constant time: `secret_mul` builds its additions on it.
    pub(super) fn add_affine_incomplete(&self, q: &Affine) -> (Self, Choice) {
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        let equal = h.ct_is_zero() & r.ct_is_zero();
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x = r.square().sub(&j).sub(&v.double());
        let y = r.mul(&v.sub(&x)).sub(&self.y.mul(&j).double());
        let z = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        (Self { x, y, z }, equal)
    }

    /// `self + q`, EFD `add-2007-bl` with q's Z² and Z³ precomputed: 10M + 4S.
    pub(super) fn add_cached(&self, q: &Cached) -> Self {
        if self.is_identity() {
            return Self {
                x: q.x,
                y: q.y,
                z: q.z,
            };
        }
        if q.z.is_zero() {
            return *self;
        }
        let z1z1 = self.z.square();
        let u1 = self.x.mul(&q.zz);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.zzz);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&q.zz).mul(&h);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

impl ConditionallySelectable for Affine {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
        }
    }
}

impl ConditionallySelectable for Jacobian {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: Fe::conditional_select(&a.x, &b.x, choice),
            y: Fe::conditional_select(&a.y, &b.y, choice),
            z: Fe::conditional_select(&a.z, &b.z, choice),
        }
    }
}

/// The affine forms of `points` (none the identity) with one inversion, by Montgomery's trick.
/// An identity among them yields `None`.
pub(super) fn batch_to_affine<const N: usize>(points: &[Jacobian; N]) -> Option<[Affine; N]> {
    // prefix[i] = z_0 · … · z_i
    let mut prefix = [Fe::ONE; N];
    let mut acc = Fe::ONE;
    for (p, point) in prefix.iter_mut().zip(points) {
        if point.is_identity() {
            return None;
        }
        acc = acc.mul(&point.z);
        *p = acc;
    }
    let mut inv = acc.invert();
    let mut out = [Affine {
        x: Fe::ZERO,
        y: Fe::ZERO,
    }; N];
    for i in (0..N).rev() {
        // inv = (z_0 · … · z_i)^−1 here.
        let zinv = match i.checked_sub(1) {
            Some(prev) => inv.mul(&prefix[prev]),
            None => inv,
        };
        inv = inv.mul(&points[i].z);
        let zinv2 = zinv.square();
        out[i] = Affine {
            x: points[i].x.mul(&zinv2),
            y: points[i].y.mul(&zinv2.mul(&zinv)),
        };
    }
    Some(out)
}

/// P, 3P, 5P, …, (2L − 1)P in Jacobian form, in variable time (P is public).
pub(super) fn odd_multiples<const L: usize>(p: &Affine) -> Option<[Jacobian; L]> {
    let double = p.to_jacobian().double().to_cached();
    let mut out = [p.to_jacobian(); L];
    for i in 1..L {
        out[i] = out[i - 1].add_cached(&double);
        if out[i].is_identity() {
            return None;
        }
    }
    Some(out)
}
