//! SM2 public-key cryptography on the curve sm2p256v1 (GB/T 32918.1-5, GM/T 0003).
//!
//! Signatures hash `Z_A || M` with SM3, where `Z_A` binds the signer's distinguishing ID and
//! public key (GB/T 32918.2 §5.5). The ID defaults to [`DEFAULT_ID`] (GM/T 0009 §10); OpenSSL
//! 3.0 uses an empty ID unless given `distid:1234567812345678`.

mod comb;
mod encoding;
mod encryption;
mod field;
mod point;
mod secret_mul;
mod signature;
pub mod two_party;
mod vartime;

pub use encoding::{EC_PUBLIC_KEY_OID, is_sm2_algorithm};
pub use encryption::CiphertextFormat;
pub use signature::{Sm2PreparedKey, Sm2Signature};

use elliptic_curve::{
    Generate, PrimeField as _,
    group::Group as _,
    ops::Reduce,
    point::AffineCoordinates as _,
    sec1::{FromSec1Point as _, ToSec1Point as _},
};
use sm2::{AffinePoint, FieldBytes, NonZeroScalar, ProjectivePoint, Scalar};
use zeroize::{Zeroize, Zeroizing};

use crate::{CryptoError, Result, rng::SysRng};

const ALG: &str = "SM2";

/// The default distinguishing ID, `1234567812345678` (GM/T 0009-2012 §10).
pub const DEFAULT_ID: &[u8] = b"1234567812345678";

/// Object identifier of the SM2 curve, also used as a key algorithm (GM/T 0006).
pub const CURVE_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");

/// Object identifier of SM2-with-SM3 signatures in certificates (GM/T 0006).
pub const SM2_WITH_SM3_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

/// An SM2 private key `d` in [1, n-2], with `(1 + d)^-1` kept so signing needs no inversion.
#[derive(Clone)]
pub struct Sm2PrivateKey {
    d: NonZeroScalar,
    d_plus_one_inv: Scalar,
    public: Sm2PublicKey,
}

impl Drop for Sm2PrivateKey {
    fn drop(&mut self) {
        self.d_plus_one_inv.zeroize();
        // `NonZeroScalar` zeroizes to one, never to an invalid zero.
        self.d.zeroize();
    }
}

impl std::fmt::Debug for Sm2PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sm2PrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Sm2PrivateKey {
    /// A fresh key from the OS CSPRNG (GB/T 32918.1 §6.1).
    pub fn generate() -> Result<Self> {
        loop {
            let d =
                NonZeroScalar::try_generate_from_rng(&mut SysRng).map_err(|_| CryptoError::Rng)?;
            // d = n - 1 has no (1 + d)^-1; draw again (probability 2^-256).
            if let Ok(key) = Self::from_scalar(d) {
                return Ok(key);
            }
        }
    }

    /// The key whose scalar is the 32 big-endian bytes `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let invalid = |reason| CryptoError::InvalidKey {
            algorithm: ALG,
            reason,
        };
        if bytes.len() != 32 {
            return Err(invalid("private key is not 32 bytes"));
        }
        let repr =
            FieldBytes::try_from(bytes).map_err(|_| invalid("private key is not 32 bytes"))?;
        let d: Option<NonZeroScalar> = NonZeroScalar::from_repr(repr).into();
        Self::from_scalar(d.ok_or(invalid("private key out of range"))?)
    }

    pub(crate) fn from_scalar(d: NonZeroScalar) -> Result<Self> {
        let d_plus_one_inv: Option<Scalar> = (*d + Scalar::ONE).invert().into();
        let d_plus_one_inv = d_plus_one_inv.ok_or(CryptoError::InvalidKey {
            algorithm: ALG,
            reason: "private key is n - 1",
        })?;
        let point = (ProjectivePoint::mul_by_generator(&*d)).to_affine();
        Ok(Self {
            d,
            d_plus_one_inv,
            public: Sm2PublicKey { point },
        })
    }

    /// The private scalar as 32 big-endian bytes.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.d.to_repr().into())
    }

    /// The matching public key.
    pub fn public_key(&self) -> &Sm2PublicKey {
        &self.public
    }

    pub(crate) fn scalar(&self) -> &NonZeroScalar {
        &self.d
    }
}

/// An SM2 public key: a point on sm2p256v1 other than the identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sm2PublicKey {
    point: AffinePoint,
}

impl std::fmt::Debug for Sm2PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sm2PublicKey({})",
            hex_lower(&self.to_sec1_uncompressed())
        )
    }
}

impl Sm2PublicKey {
    /// Decodes a SEC1 point (`04 || x || y`, or compressed `02/03 || x`), checking it lies on
    /// the curve and is not the identity (GB/T 32918.1 §6.2).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self> {
        let invalid = |reason| CryptoError::InvalidKey {
            algorithm: ALG,
            reason,
        };
        let encoded = sm2::Sec1Point::from_bytes(bytes).map_err(|_| invalid("not a SEC1 point"))?;
        let point: Option<AffinePoint> = AffinePoint::from_sec1_point(&encoded).into();
        let point = point.ok_or(invalid("point is not on the curve"))?;
        Self::from_affine(point)
    }

    pub(crate) fn from_affine(point: AffinePoint) -> Result<Self> {
        if bool::from(ProjectivePoint::from(point).is_identity()) {
            return Err(CryptoError::InvalidKey {
                algorithm: ALG,
                reason: "point at infinity",
            });
        }
        Ok(Self { point })
    }

    /// `04 || x || y`, 65 bytes.
    pub fn to_sec1_uncompressed(&self) -> Vec<u8> {
        self.point.to_sec1_point(false).as_bytes().to_vec()
    }

    /// `x || y`, 64 bytes, as some vendor interfaces expect.
    pub fn to_xy(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(&self.to_sec1_uncompressed()[1..]);
        out
    }

    /// `Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A)` (GB/T 32918.2 §5.5).
    ///
    /// Fails only for an ID of 8192 bytes or more, whose bit length does not fit ENTL_A.
    pub fn z(&self, id: &[u8]) -> Result<[u8; 32]> {
        use sm3::Digest as _;
        let entl = u16::try_from(id.len() * 8).map_err(|_| CryptoError::InvalidInput {
            algorithm: ALG,
            reason: "distinguishing ID longer than 8191 bytes",
        })?;
        let mut h = sm3::Sm3::new();
        h.update(entl.to_be_bytes());
        h.update(id);
        h.update(CURVE_A);
        h.update(CURVE_B);
        h.update(point::GX);
        h.update(point::GY);
        h.update(self.point.x());
        h.update(self.point.y());
        Ok(h.finalize().into())
    }

    /// `e = SM3(Z_A || M)`, the value that is signed (GB/T 32918.2 §6.1, steps A1-A2).
    pub fn message_digest(&self, id: &[u8], msg: &[u8]) -> Result<[u8; 32]> {
        use sm3::Digest as _;
        let mut h = sm3::Sm3::new();
        h.update(self.z(id)?);
        h.update(msg);
        Ok(h.finalize().into())
    }

    pub(crate) fn point(&self) -> &AffinePoint {
        &self.point
    }
}

/// Curve coefficient a of sm2p256v1 (GB/T 32918.5 §3).
const CURVE_A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
/// Curve coefficient b of sm2p256v1 (GB/T 32918.5 §3).
const CURVE_B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");

/// Reduces a 32-byte big-endian value mod n.
fn scalar_from_bytes(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*bytes))
}

/// A scalar drawn uniformly from [1, n-1] by the OS CSPRNG.
fn random_nonzero_scalar() -> Result<NonZeroScalar> {
    NonZeroScalar::try_generate_from_rng(&mut SysRng).map_err(|_| CryptoError::Rng)
}

#[allow(
    clippy::panic,
    reason = "only evaluated in constants: a bad literal fails the build"
)]
const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not hex"),
        }
    }
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
