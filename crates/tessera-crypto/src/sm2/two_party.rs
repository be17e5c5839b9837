//! Two-party SM2: the private key `d` is never whole anywhere. `(1 + d)^-1 = d1 · d2 mod n`;
//! the client holds `d1`, the service holds `d2` (DESIGN.md, "Two-party SM2 (co-signing)").
//!
//! Each party's half is a type here; what crosses the wire is bytes: points as SEC1 uncompressed
//! (`04 || x || y`, 65 bytes), scalars as 32 big-endian bytes. Every point received is checked
//! on the curve and not the identity before it is used. Every multiplication by a secret scalar
//! (`d1`, `d2`, `k1`, `k2`, `k3`, `t`) runs in constant time: the service's hot paths
//! (`k3·Q1 + k2·G`, `d2⁻¹·T1`) on this crate's `secret_mul`, the rest on the `sm2` crate.
//!
//! The scheme protects against either party alone (honest-but-curious); the client checks every
//! joint signature with the plain verifier before returning it, so a wrong or malicious answer
//! from the service gives an error, never a bad signature.

use elliptic_curve::{
    Generate as _, PrimeField as _, group::Group as _, ops::Invert as _, sec1::ToSec1Point as _,
};
use sm2::{AffinePoint, FieldBytes, NonZeroScalar, ProjectivePoint, Scalar};
use zeroize::{Zeroize, Zeroizing};

use super::point::Affine;
use super::secret_mul::{self, OddMultiples};
use super::{
    ALG, CiphertextFormat, Sm2PublicKey, Sm2Signature, encryption, random_nonzero_scalar,
    scalar_from_bytes,
};
use crate::{CryptoError, Result, rng::SysRng};

/// Length of a point on the wire: SEC1 uncompressed.
pub const POINT_LEN: usize = 65;

fn invalid_point(reason: &'static str) -> CryptoError {
    CryptoError::InvalidKey {
        algorithm: ALG,
        reason,
    }
}

/// Decodes a point received from the other party: SEC1 uncompressed only, on the curve, not the
/// identity (GB/T 32918.1 §6.2).
pub fn decode_point(bytes: &[u8]) -> Result<AffinePoint> {
    if bytes.len() != POINT_LEN || bytes[0] != 4 {
        return Err(invalid_point("not a SEC1 uncompressed point"));
    }
    Ok(*Sm2PublicKey::from_sec1_bytes(bytes)?.point())
}

/// A received point (checked as by [`decode_point`]) as the table of its odd multiples, for a
/// constant-time multiplication by a secret scalar.
fn odd_multiples(bytes: &[u8]) -> Result<OddMultiples> {
    Affine::from_sm2(&decode_point(bytes)?)
        .and_then(|point| OddMultiples::new(&point))
        .ok_or_else(|| invalid_point("not a point of the group"))
}

fn encode_point(point: &ProjectivePoint) -> Result<[u8; POINT_LEN]> {
    if bool::from(point.is_identity()) {
        return Err(invalid_point("point at infinity"));
    }
    let mut out = [0u8; POINT_LEN];
    out.copy_from_slice(point.to_affine().to_sec1_point(false).as_bytes());
    Ok(out)
}

fn scalar_from_repr(bytes: &[u8], what: &'static str) -> Result<NonZeroScalar> {
    let invalid = || CryptoError::InvalidKey {
        algorithm: ALG,
        reason: what,
    };
    let repr = FieldBytes::try_from(bytes).map_err(|_| invalid())?;
    Option::from(NonZeroScalar::from_repr(repr)).ok_or_else(invalid)
}

macro_rules! secret_scalar {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(NonZeroScalar);

        impl Drop for $name {
            fn drop(&mut self) {
                // `NonZeroScalar` zeroizes to one, never to an invalid zero.
                self.0.zeroize();
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }

        impl $name {
            /// From 32 big-endian bytes in [1, n-1].
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                scalar_from_repr(bytes, concat!($what, " is not a scalar in [1, n-1]")).map(Self)
            }

            /// The scalar as 32 big-endian bytes.
            pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
                Zeroizing::new(self.0.to_repr().into())
            }
        }
    };
}

secret_scalar!(
    /// The client's share `d1`.
    ClientShare,
    "client share"
);
secret_scalar!(
    /// The service's share `d2`.
    ServiceShare,
    "service share"
);
secret_scalar!(
    /// The refresh factor `t`: `d1' = d1 · t`, `d2' = d2 · t^-1` keep the public key.
    RefreshFactor,
    "refresh factor"
);

impl RefreshFactor {
    /// A fresh factor from the OS CSPRNG.
    pub fn generate() -> Result<Self> {
        random_nonzero_scalar().map(Self)
    }
}

// --- Key generation ------------------------------------------------------------------------

impl ClientShare {
    /// Step 1: a random `d1` in [1, n-1] and `P1 = d1^-1 · G` to send to the service.
    pub fn generate() -> Result<(Self, [u8; POINT_LEN])> {
        let d1 = random_nonzero_scalar()?;
        let p1 = ProjectivePoint::mul_by_generator(&*d1.invert());
        Ok((Self(d1), encode_point(&p1)?))
    }

    /// `P1 = d1^-1 · G`, the point this share contributes to key generation.
    pub fn p1(&self) -> Result<[u8; POINT_LEN]> {
        encode_point(&ProjectivePoint::mul_by_generator(&*self.0.invert()))
    }

    /// The client's half of a refresh: `d1 · t`.
    pub fn refreshed(&self, t: &RefreshFactor) -> Self {
        Self(self.0 * t.0)
    }
}

impl ServiceShare {
    /// Step 2: given the client's `P1`, a random `d2` in [1, n-1] and the joint public key
    /// `P = d2^-1 · P1 - G`; `P = O` (which would make `d = n - 1`) draws again.
    pub fn generate(p1: &[u8]) -> Result<(Self, Sm2PublicKey)> {
        decode_point(p1)?;
        loop {
            let d2 = Self(
                NonZeroScalar::try_generate_from_rng(&mut SysRng).map_err(|_| CryptoError::Rng)?,
            );
            if let Ok(public) = d2.joint_public_key(p1) {
                return Ok((d2, public));
            }
        }
    }

    /// `P = d2^-1 · P1 - G` for the client's `P1`; an error when `P1` is not a valid point or
    /// `P = O`.
    pub fn joint_public_key(&self, p1: &[u8]) -> Result<Sm2PublicKey> {
        let p1 = ProjectivePoint::from(decode_point(p1)?);
        let p = p1 * *self.0.invert() - ProjectivePoint::generator();
        Sm2PublicKey::from_affine(p.to_affine())
    }

    /// The service's half of a refresh: `d2 · t^-1`.
    pub fn refreshed(&self, t: &RefreshFactor) -> Self {
        Self(self.0 * t.0.invert())
    }
}

// --- Signing -------------------------------------------------------------------------------

/// What the client sends to start a joint signature: `e = SM3(Z_A || M)` and `Q1 = k1 · G`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub e: [u8; 32],
    pub q1: [u8; POINT_LEN],
}

/// What the service answers: `r`, `s2 = d2 · k3`, `s3 = d2 · (r + k2)`, each 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSignature {
    pub r: [u8; 32],
    pub s2: [u8; 32],
    pub s3: [u8; 32],
}

/// The client's state between sending a [`SignRequest`] and receiving the answer: the nonce
/// `k1`, used once (the state is consumed by [`ClientSigning::finish`]).
pub struct ClientSigning {
    k1: NonZeroScalar,
    e: [u8; 32],
    public: Sm2PublicKey,
}

impl Drop for ClientSigning {
    fn drop(&mut self) {
        self.k1.zeroize();
    }
}

impl std::fmt::Debug for ClientSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSigning")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl ClientSigning {
    /// Step 1 for message `msg` under the joint key `public` and signer ID `id`:
    /// `e = SM3(Z_A || M)`, a fresh `k1`, `Q1 = k1 · G`.
    pub fn start(public: &Sm2PublicKey, id: &[u8], msg: &[u8]) -> Result<(Self, SignRequest)> {
        let e = public.message_digest(id, msg)?;
        Self::start_digest(public, &e)
    }

    /// Step 1 for a precomputed `e = SM3(Z_A || M)`.
    pub fn start_digest(public: &Sm2PublicKey, e: &[u8; 32]) -> Result<(Self, SignRequest)> {
        let k1 = random_nonzero_scalar()?;
        let q1 = encode_point(&ProjectivePoint::mul_by_generator(&*k1))?;
        Ok((
            Self {
                k1,
                e: *e,
                public: *public,
            },
            SignRequest { e: *e, q1 },
        ))
    }

    /// Step 3: `s = d1 · k1 · s2 + d1 · s3 - r mod n`, then the plain SM2 verifier checks
    /// `(r, s)` against the joint public key. Any answer that does not give a valid signature
    /// (a wrong share, a malicious or corrupted reply, `s = 0`, `s + r = n`) is an error; the
    /// caller starts again with a fresh nonce.
    pub fn finish(self, d1: &ClientShare, answer: &PartialSignature) -> Result<Sm2Signature> {
        let bad = || CryptoError::BadSignature { algorithm: ALG };
        let r = scalar_from_repr(&answer.r, "r out of range").map_err(|_| bad())?;
        let s2 = scalar_from_repr(&answer.s2, "s2 out of range").map_err(|_| bad())?;
        let s3 = scalar_from_repr(&answer.s3, "s3 out of range").map_err(|_| bad())?;
        let s = *d1.0 * *self.k1 * *s2 + *d1.0 * *s3 - *r;
        if bool::from(s.is_zero() | (s + *r).is_zero()) {
            return Err(bad());
        }
        let sig = Sm2Signature::from_scalars(&r.to_repr(), &s.to_repr()).map_err(|_| bad())?;
        self.public.verify_digest(&self.e, &sig)?;
        Ok(sig)
    }
}

impl ServiceShare {
    /// Step 2: checks `Q1`, draws `k2`, `k3`, computes `(x1, y1) = k3 · Q1 + k2 · G`,
    /// `r = (e + x1) mod n` (drawing again if `r = 0`), `s2 = d2 · k3`, `s3 = d2 · (r + k2)`.
    pub fn cosign(&self, e: &[u8; 32], q1: &[u8]) -> Result<PartialSignature> {
        let q1 = odd_multiples(q1)?;
        let e = scalar_from_bytes(e);
        loop {
            // Zeroized on every way out, a failed draw of k3 included.
            let k2 = Zeroizing::new(random_nonzero_scalar()?);
            let k3 = Zeroizing::new(random_nonzero_scalar()?);
            let Some(x1) = secret_mul::joint_nonce_x(&k3, &q1, &k2) else {
                continue;
            };
            let x1 = FieldBytes::from(x1);
            let r = e + <Scalar as elliptic_curve::ops::Reduce<FieldBytes>>::reduce(&x1);
            if bool::from(r.is_zero()) {
                continue;
            }
            let r_plus_k2 = Zeroizing::new(r + **k2);
            let s2 = Zeroizing::new(*self.0 * **k3);
            let s3 = Zeroizing::new(*self.0 * *r_plus_k2);
            return Ok(PartialSignature {
                r: r.to_repr().into(),
                s2: s2.to_repr().into(),
                s3: s3.to_repr().into(),
            });
        }
    }
}

// --- Decryption ----------------------------------------------------------------------------

/// The client's state between sending `T1` and receiving `T2` for one ciphertext.
pub struct ClientDecryption<'a> {
    format: CiphertextFormat,
    ciphertext: &'a [u8],
    c1: AffinePoint,
}

impl std::fmt::Debug for ClientDecryption<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientDecryption")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl<'a> ClientDecryption<'a> {
    /// Splits the ciphertext and computes `T1 = d1^-1 · C1` to send to the service.
    pub fn start(
        d1: &ClientShare,
        ciphertext: &'a [u8],
        format: CiphertextFormat,
    ) -> Result<(Self, [u8; POINT_LEN])> {
        let c1 = format.split(ciphertext)?.c1;
        let t1 = encode_point(&(ProjectivePoint::from(c1) * *d1.0.invert()))?;
        Ok((
            Self {
                format,
                ciphertext,
                c1,
            },
            t1,
        ))
    }

    /// Given `T2 = d2^-1 · T1 = (1 + d) · C1`: `d · C1 = T2 - C1`, then the KDF and the C3 check
    /// of GB/T 32918.4 §7.1 steps B4-B7. A wrong `T2` fails the C3 check.
    pub fn finish(self, t2: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let failed = || CryptoError::DecryptionFailed { algorithm: ALG };
        let t2 = ProjectivePoint::from(decode_point(t2).map_err(|_| failed())?);
        let shared = t2 - ProjectivePoint::from(self.c1);
        if bool::from(shared.is_identity()) {
            return Err(failed());
        }
        let parts = self.format.split(self.ciphertext)?;
        encryption::open(&shared.to_affine(), &parts)
    }
}

impl ServiceShare {
    /// The service's step of a joint decryption: checks `T1` and returns `T2 = d2^-1 · T1`.
    pub fn decrypt_step(&self, t1: &[u8]) -> Result<[u8; POINT_LEN]> {
        let t1 = odd_multiples(t1)?;
        let mut inverse = self.0.invert();
        let d2_inverse = Zeroizing::new(*inverse);
        inverse.zeroize();
        let t2 = secret_mul::mul(&d2_inverse, &t1).to_affine();
        let t2 = t2.ok_or_else(|| invalid_point("point at infinity"))?;
        let mut out = [0u8; POINT_LEN];
        out[0] = 4;
        out[1..33].copy_from_slice(&t2.x.to_bytes());
        out[33..].copy_from_slice(&t2.y.to_bytes());
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::sm2::DEFAULT_ID;

    #[test]
    fn joint_key_matches_whole_key() {
        let (d1, p1) = ClientShare::generate().unwrap();
        let (d2, public) = ServiceShare::generate(&p1).unwrap();
        // d = (d1 d2)^-1 - 1; its public key is the joint one.
        let d = (*d1.0 * *d2.0).invert().unwrap() - Scalar::ONE;
        let whole = crate::sm2::Sm2PrivateKey::from_bytes(&d.to_repr()).unwrap();
        assert_eq!(whole.public_key(), &public);
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"abc").unwrap();
        let answer = d2.cosign(&req.e, &req.q1).unwrap();
        let sig = state.finish(&d1, &answer).unwrap();
        public.verify(DEFAULT_ID, b"abc", &sig).unwrap();
    }

    #[test]
    fn debug_hides_shares() {
        let (d1, _) = ClientShare::generate().unwrap();
        assert_eq!(format!("{d1:?}"), "ClientShare(***)");
    }
}
