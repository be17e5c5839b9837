//! SM2 digital signatures (GB/T 32918.2 §6-7).

use der::{Decode as _, asn1::UintRef};
use elliptic_curve::{PrimeField as _, group::Group as _, point::AffineCoordinates as _};
use sm2::{FieldBytes, NonZeroScalar, ProjectivePoint, Scalar};
use subtle::ConstantTimeEq as _;

use super::comb::Comb;
use super::point::Affine;
use super::{ALG, Sm2PrivateKey, Sm2PublicKey, random_nonzero_scalar, scalar_from_bytes};
use crate::{CryptoError, Result};

/// An SM2 signature `(r, s)`, both in [1, n-1].
///
/// In certificates, CSRs and CMS it is DER `SEQUENCE { r INTEGER, s INTEGER }` (GM/T 0009 §7);
/// some device interfaces use the raw 64 bytes `r || s`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sm2Signature {
    r: NonZeroScalar,
    s: NonZeroScalar,
}

impl std::fmt::Debug for Sm2Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sm2Signature({})", super::hex_lower(&self.to_raw()))
    }
}

#[derive(der::Sequence)]
struct DerSignature<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

impl Sm2Signature {
    fn malformed() -> CryptoError {
        CryptoError::MalformedSignature { algorithm: ALG }
    }

    /// From `r` and `s` as big-endian bytes of at most 32 bytes each; both must be in [1, n-1].
    pub fn from_scalars(r: &[u8], s: &[u8]) -> Result<Self> {
        Ok(Self {
            r: nonzero_from_be(r)?,
            s: nonzero_from_be(s)?,
        })
    }

    /// From the raw 64 bytes `r || s`.
    pub fn from_raw(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 64 {
            return Err(Self::malformed());
        }
        Self::from_scalars(&bytes[..32], &bytes[32..])
    }

    /// From DER `SEQUENCE { r INTEGER, s INTEGER }`; strict DER, no trailing bytes.
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        let sig = DerSignature::from_der(bytes).map_err(|_| Self::malformed())?;
        Self::from_scalars(sig.r.as_bytes(), sig.s.as_bytes())
    }

    /// The raw 64 bytes `r || s`.
    pub fn to_raw(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.r.to_repr());
        out[32..].copy_from_slice(&self.s.to_repr());
        out
    }

    /// DER `SEQUENCE { r INTEGER, s INTEGER }`.
    pub fn to_der(&self) -> Vec<u8> {
        let r = der_positive_integer(&self.r.to_repr());
        let s = der_positive_integer(&self.s.to_repr());
        // At most 2 * (2 + 33) = 70 content bytes: always the short length form.
        let mut out = Vec::with_capacity(2 + r.len() + s.len());
        out.push(0x30);
        out.push((r.len() + s.len()) as u8);
        out.extend_from_slice(&r);
        out.extend_from_slice(&s);
        out
    }

    /// `r` as 32 big-endian bytes.
    pub fn r(&self) -> [u8; 32] {
        self.r.to_repr().into()
    }

    /// `s` as 32 big-endian bytes.
    pub fn s(&self) -> [u8; 32] {
        self.s.to_repr().into()
    }
}

/// A DER INTEGER holding the unsigned big-endian `bytes` (X.690 §8.3): minimal, with a
/// leading zero when the high bit is set.
fn der_positive_integer(bytes: &[u8]) -> Vec<u8> {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    let value = &bytes[first..];
    let pad = value.first().is_some_and(|b| b & 0x80 != 0);
    let mut out = vec![0x02, (value.len() + usize::from(pad)) as u8];
    if pad {
        out.push(0);
    }
    out.extend_from_slice(value);
    out
}

fn nonzero_from_be(bytes: &[u8]) -> Result<NonZeroScalar> {
    if bytes.len() > 32 {
        return Err(Sm2Signature::malformed());
    }
    let mut repr = FieldBytes::default();
    repr[32 - bytes.len()..].copy_from_slice(bytes);
    Option::from(NonZeroScalar::from_repr(repr)).ok_or_else(Sm2Signature::malformed)
}

impl Sm2PrivateKey {
    /// Signs `msg` for the signer ID `id` (use [`super::DEFAULT_ID`] unless told otherwise).
    pub fn sign(&self, id: &[u8], msg: &[u8]) -> Result<Sm2Signature> {
        let e = self.public.message_digest(id, msg)?;
        self.sign_digest(&e)
    }

    /// Signs a precomputed `e = SM3(Z_A || M)` (GB/T 32918.2 §6.1 from step A3), with a fresh
    /// nonce from the OS CSPRNG for every attempt.
    pub fn sign_digest(&self, e: &[u8; 32]) -> Result<Sm2Signature> {
        loop {
            let k = random_nonzero_scalar()?;
            if let Some(sig) = self.sign_digest_with_nonce(e, &k) {
                return Ok(sig);
            }
        }
    }

    /// Steps A4-A7 with the nonce `k`; `None` when the standard says to draw another `k`.
    fn sign_digest_with_nonce(&self, e: &[u8; 32], k: &NonZeroScalar) -> Option<Sm2Signature> {
        let e = scalar_from_bytes(e);
        // A4: (x1, y1) = [k]G, constant time in k.
        let x1 = ProjectivePoint::mul_by_generator(&**k).to_affine().x();
        // A5: r = (e + x1) mod n; retry if r = 0 or r + k = n.
        let r = e + <Scalar as elliptic_curve::ops::Reduce<FieldBytes>>::reduce(&x1);
        if bool::from(r.is_zero() | (r + **k).ct_eq(&Scalar::ZERO)) {
            return None;
        }
        // A6: s = (1 + d)^-1 (k - r d) mod n; retry if s = 0.
        let s = self.d_plus_one_inv * (**k - r * *self.d);
        let r = Option::from(NonZeroScalar::new(r))?;
        let s = Option::from(NonZeroScalar::new(s))?;
        Some(Sm2Signature { r, s })
    }

    /// Signs with a caller-chosen nonce, to reproduce the standard's fixed-k vectors.
    #[cfg(feature = "fixed-nonce-vectors")]
    #[doc(hidden)]
    pub fn sign_digest_with_fixed_nonce(&self, e: &[u8; 32], k: &[u8; 32]) -> Result<Sm2Signature> {
        let k = Option::from(NonZeroScalar::from_repr((*k).into())).ok_or(
            CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "k out of range",
            },
        )?;
        self.sign_digest_with_nonce(e, &k)
            .ok_or(CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "k gives r = 0 or s = 0",
            })
    }
}

impl Sm2PublicKey {
    /// Verifies `sig` over `msg` for the signer ID `id` (GB/T 32918.2 §7.1).
    pub fn verify(&self, id: &[u8], msg: &[u8], sig: &Sm2Signature) -> Result<()> {
        let e = self.message_digest(id, msg)?;
        self.verify_digest(&e, sig)
    }

    /// Verifies `sig` over a precomputed `e = SM3(Z_A || M)` (GB/T 32918.2 §7.1 from step B5).
    ///
    /// `[s]G + [t]P_A` is one interleaved two-scalar multiplication with a precomputed table
    /// for G, in the crate's own variable-time arithmetic (`super::vartime`): all inputs are
    /// public. Step B7 is checked as `x1 ≡ r − e (mod n)`, which needs no inversion.
    pub fn verify_digest(&self, e: &[u8; 32], sig: &Sm2Signature) -> Result<()> {
        check_b5_b7(e, sig, |s, t, c| {
            super::vartime::check_b6_b7(s, t, self.point(), c)
        })
    }
}

/// GB/T 32918.2 §7.1 from step B5, with B6-B7 (`[s]G + [t]P_A` is not the identity and
/// `x1 ≡ c (mod n)`) done by `check`.
fn check_b5_b7(
    e: &[u8; 32],
    sig: &Sm2Signature,
    check: impl FnOnce(&Scalar, &Scalar, &Scalar) -> bool,
) -> Result<()> {
    let bad = CryptoError::BadSignature { algorithm: ALG };
    // B1-B2 hold by construction: r and s are in [1, n-1].
    let (r, s) = (*sig.r, *sig.s);
    // B5: t = (r + s) mod n, fail if t = 0.
    let t = r + s;
    if bool::from(t.is_zero()) {
        return Err(bad);
    }
    // B6-B7: (x1, y1) = [s]G + [t]P_A is not the identity and (e + x1) mod n = r, checked as
    // x1 ≡ r − e (mod n).
    let c = r - scalar_from_bytes(e);
    if check(&s, &t, &c) { Ok(()) } else { Err(bad) }
}

/// An SM2 public key prepared for many verifications: a comb of the key's multiples (about
/// 53 KB, built in about a millisecond) turns `[t]P_A` into 52 table additions without
/// doublings, so each verification costs roughly a third of [`Sm2PublicKey::verify`]'s. For a
/// service that checks many signatures by the same key, such as a bound device key.
pub struct Sm2PreparedKey {
    key: Sm2PublicKey,
    comb: Comb,
}

impl std::fmt::Debug for Sm2PreparedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sm2PreparedKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Sm2PreparedKey {
    /// Builds the comb of `key`.
    pub fn new(key: &Sm2PublicKey) -> Result<Self> {
        let comb = Affine::from_sm2(key.point())
            .and_then(|point| Comb::new(&point))
            .ok_or(CryptoError::InvalidKey {
                algorithm: ALG,
                reason: "not a point of the group",
            })?;
        Ok(Self { key: *key, comb })
    }

    /// The key itself.
    pub fn public_key(&self) -> &Sm2PublicKey {
        &self.key
    }

    /// Verifies `sig` over `msg` for the signer ID `id` (GB/T 32918.2 §7.1), as
    /// [`Sm2PublicKey::verify`] does.
    pub fn verify(&self, id: &[u8], msg: &[u8], sig: &Sm2Signature) -> Result<()> {
        let e = self.key.message_digest(id, msg)?;
        self.verify_digest(&e, sig)
    }

    /// Verifies `sig` over a precomputed `e = SM3(Z_A || M)`, as [`Sm2PublicKey::verify_digest`]
    /// does.
    pub fn verify_digest(&self, e: &[u8; 32], sig: &Sm2Signature) -> Result<()> {
        check_b5_b7(e, sig, |s, t, c| {
            super::vartime::check_b6_b7_comb(s, t, &self.comb, c)
        })
    }
}
