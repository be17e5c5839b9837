//! SM2 public-key encryption (GB/T 32918.4 §6-7).

use der::{
    Decode as _, Encode as _,
    asn1::{OctetStringRef, UintRef},
};
use elliptic_curve::{group::Group as _, point::AffineCoordinates as _, sec1::ToSec1Point as _};
use sm2::{AffinePoint, FieldBytes, NonZeroScalar, ProjectivePoint};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::{ALG, Sm2PrivateKey, Sm2PublicKey, random_nonzero_scalar};
use crate::{CryptoError, Result};

/// How a ciphertext is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CiphertextFormat {
    /// `C1 || C3 || C2` with C1 as an uncompressed point `04 || x || y` (GB/T 32918.4-2016).
    #[default]
    C1C3C2,
    /// `C1 || C2 || C3`, the order of the 2010 draft still used by some devices.
    C1C2C3,
    /// GM/T 0009 §7.2: `SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, cipher OCTET STRING }`,
    /// as OpenSSL writes it.
    Der,
}

#[derive(der::Sequence)]
struct DerCiphertext<'a> {
    x: UintRef<'a>,
    y: UintRef<'a>,
    hash: &'a OctetStringRef,
    cipher: &'a OctetStringRef,
}

/// A ciphertext split into its parts.
pub(super) struct Parts<'a> {
    pub(super) c1: AffinePoint,
    c3: &'a [u8],
    c2: &'a [u8],
}

fn failed() -> CryptoError {
    CryptoError::DecryptionFailed { algorithm: ALG }
}

impl CiphertextFormat {
    pub(super) fn split(self, ct: &[u8]) -> Result<Parts<'_>> {
        match self {
            Self::Der => {
                let der = DerCiphertext::from_der(ct).map_err(|_| failed())?;
                let mut sec1 = [0u8; 65];
                sec1[0] = 4;
                copy_right_aligned(&mut sec1[1..33], der.x.as_bytes())?;
                copy_right_aligned(&mut sec1[33..65], der.y.as_bytes())?;
                let c1 = Sm2PublicKey::from_sec1_bytes(&sec1).map_err(|_| failed())?;
                let (c3, c2) = (der.hash.as_bytes(), der.cipher.as_bytes());
                if c3.len() != 32 {
                    return Err(failed());
                }
                Ok(Parts {
                    c1: *c1.point(),
                    c3,
                    c2,
                })
            }
            Self::C1C3C2 | Self::C1C2C3 => {
                if ct.len() < 65 + 32 {
                    return Err(failed());
                }
                let c1 = Sm2PublicKey::from_sec1_bytes(&ct[..65]).map_err(|_| failed())?;
                let rest = &ct[65..];
                let (c3, c2) = if self == Self::C1C3C2 {
                    (&rest[..32], &rest[32..])
                } else {
                    let (c2, c3) = rest.split_at(rest.len() - 32);
                    (c3, c2)
                };
                Ok(Parts {
                    c1: *c1.point(),
                    c3,
                    c2,
                })
            }
        }
    }

    fn join(self, c1: &AffinePoint, c3: &[u8; 32], c2: &[u8]) -> Result<Vec<u8>> {
        let sec1 = c1.to_sec1_point(false);
        let sec1 = sec1.as_bytes();
        Ok(match self {
            Self::C1C3C2 => [sec1, c3, c2].concat(),
            Self::C1C2C3 => [sec1, c2, c3].concat(),
            Self::Der => {
                let too_long = || CryptoError::InvalidInput {
                    algorithm: ALG,
                    reason: "message too long",
                };
                let (x, y) = (strip_zeros(&sec1[1..33]), strip_zeros(&sec1[33..65]));
                DerCiphertext {
                    x: UintRef::new(x).map_err(|_| too_long())?,
                    y: UintRef::new(y).map_err(|_| too_long())?,
                    hash: OctetStringRef::new(c3).map_err(|_| too_long())?,
                    cipher: OctetStringRef::new(c2).map_err(|_| too_long())?,
                }
                .to_der()
                .map_err(|_| too_long())?
            }
        })
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}

fn copy_right_aligned(dst: &mut [u8], src: &[u8]) -> Result<()> {
    let src = strip_zeros(src);
    if src.len() > dst.len() {
        return Err(failed());
    }
    let start = dst.len() - src.len();
    dst[start..].copy_from_slice(src);
    Ok(())
}

/// KDF of GB/T 32918.4 §5.4.3 over SM3, XORed into `data` in place. Returns whether the key
/// stream was all zeros, which the standard rejects.
fn kdf_xor(x2: &[u8], y2: &[u8], data: &mut [u8]) -> bool {
    use sm3::Digest as _;
    let mut all_zero = true;
    for (counter, chunk) in (1u32..).zip(data.chunks_mut(32)) {
        let mut h = sm3::Sm3::new();
        h.update(x2);
        h.update(y2);
        h.update(counter.to_be_bytes());
        let block: Zeroizing<[u8; 32]> = Zeroizing::new(h.finalize().into());
        for (d, k) in chunk.iter_mut().zip(block.iter()) {
            all_zero &= *k == 0;
            *d ^= k;
        }
    }
    all_zero
}

fn c3_hash(x2: &[u8], msg: &[u8], y2: &[u8]) -> [u8; 32] {
    use sm3::Digest as _;
    let mut h = sm3::Sm3::new();
    h.update(x2);
    h.update(msg);
    h.update(y2);
    h.finalize().into()
}

impl Sm2PublicKey {
    /// Encrypts `msg` to this key (GB/T 32918.4 §6.1) with a nonce from the OS CSPRNG.
    pub fn encrypt(&self, msg: &[u8], format: CiphertextFormat) -> Result<Vec<u8>> {
        if msg.is_empty() {
            return Err(CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "empty message",
            });
        }
        loop {
            let k = random_nonzero_scalar()?;
            if let Some(ct) = self.encrypt_with_nonce(msg, &k, format)? {
                return Ok(ct);
            }
        }
    }

    /// Steps A2-A8 with the nonce `k`; `None` when the key stream is all zeros (step A5).
    fn encrypt_with_nonce(
        &self,
        msg: &[u8],
        k: &NonZeroScalar,
        format: CiphertextFormat,
    ) -> Result<Option<Vec<u8>>> {
        let c1 = ProjectivePoint::mul_by_generator(&**k).to_affine();
        // The cofactor of sm2p256v1 is 1: step A3 (S = [h]P_B not the identity) holds.
        let shared = (ProjectivePoint::from(*self.point()) * **k).to_affine();
        let (x2, y2) = (Zeroizing::new(shared.x()), Zeroizing::new(shared.y()));
        let mut c2 = msg.to_vec();
        if kdf_xor(&x2, &y2, &mut c2) {
            return Ok(None);
        }
        let c3 = c3_hash(&x2, msg, &y2);
        format.join(&c1, &c3, &c2).map(Some)
    }

    /// Encrypts with a caller-chosen nonce, to reproduce the standard's fixed-k vectors.
    #[cfg(feature = "fixed-nonce-vectors")]
    #[doc(hidden)]
    pub fn encrypt_with_fixed_nonce(
        &self,
        msg: &[u8],
        k: &[u8; 32],
        format: CiphertextFormat,
    ) -> Result<Vec<u8>> {
        let k = Option::from(NonZeroScalar::from_repr((*k).into())).ok_or(
            CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "k out of range",
            },
        )?;
        self.encrypt_with_nonce(msg, &k, format)?
            .ok_or(CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "k gives a zero key stream",
            })
    }
}

impl Sm2PrivateKey {
    /// Decrypts a ciphertext in `format` (GB/T 32918.4 §7.1); any tampering gives
    /// [`CryptoError::DecryptionFailed`].
    pub fn decrypt(
        &self,
        ciphertext: &[u8],
        format: CiphertextFormat,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let parts = format.split(ciphertext)?;
        // B3: (x2, y2) = [d]C1, constant time in d.
        let shared = (ProjectivePoint::from(parts.c1) * **self.scalar()).to_affine();
        open(&shared, &parts)
    }
}

/// Steps B4-B7 given the shared point `[d]C1`. Kept apart from the scalar multiplication so
/// the two-party decryption, where `[d]C1` is computed jointly, ends the same way.
pub(super) fn open(shared: &AffinePoint, parts: &Parts<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let (x2, y2): (Zeroizing<FieldBytes>, Zeroizing<FieldBytes>) =
        (Zeroizing::new(shared.x()), Zeroizing::new(shared.y()));
    let mut msg = Zeroizing::new(parts.c2.to_vec());
    if msg.is_empty() || kdf_xor(&x2, &y2, &mut msg) {
        return Err(failed());
    }
    let u = c3_hash(&x2, &msg, &y2);
    if bool::from(u.ct_eq(parts.c3)) {
        Ok(msg)
    } else {
        Err(failed())
    }
}
