//! Signing through a token: choosing the mechanism (PKCS#11 v2.40 Current Mechanisms §2.1 RSA,
//! §2.3 ECDSA) and shaping its output the way [`SignAlg`] promises.

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use tessera_crypto::digest::DigestAlgorithm;

use crate::{KeyAlgorithm, MediumError, Result, SignAlg};

use super::objects::uint_sequence;

/// What to ask the token for, and how to finish its output.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    pub(crate) mechanism: Mechanism<'a>,
    /// The bytes handed to `C_Sign`.
    pub(crate) input: Vec<u8>,
    /// The token returns `r || s` (PKCS#11 v2.40 §2.3.1); we return DER.
    pub(crate) raw_ec: bool,
}

fn unsupported(what: impl Into<String>) -> MediumError {
    MediumError::Unsupported { what: what.into() }
}

/// DER `DigestInfo` prefix for RSASSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
fn digest_info_prefix(d: DigestAlgorithm) -> Result<&'static [u8]> {
    Ok(match d {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        other => return Err(unsupported(format!("RSA with {}", other.name()))),
    })
}

/// The `CKM_SHAx` mechanism type and MGF1 for a digest (v2.40 §2.1.8, §2.1.10).
fn pss_hash(d: DigestAlgorithm) -> Result<(MechanismType, PkcsMgfType)> {
    Ok(match d {
        DigestAlgorithm::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1),
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
        other => return Err(unsupported(format!("RSA-PSS with {}", other.name()))),
    })
}

/// Plans a signature with a key of `key` per `alg`. `offered` is the token's mechanism list;
/// where the token lacks a hash-and-sign mechanism the hash is computed here and the raw
/// mechanism used (`CKM_ECDSA`, `CKM_RSA_PKCS` over a DigestInfo, `CKM_RSA_PKCS_PSS`).
/// `sm2` is the vendor mechanism configured for SM2 over `e`, if any.
pub(crate) fn plan<'a>(
    key: KeyAlgorithm,
    alg: &SignAlg,
    data: &[u8],
    offered: &[MechanismType],
    sm2: Option<(MechanismType, &tessera_crypto::sm2::Sm2PublicKey)>,
) -> Result<Plan<'a>> {
    let has = |m: MechanismType| offered.contains(&m);
    let mismatch = || MediumError::KeyMismatch {
        operation: "this signature scheme",
    };
    let ec = matches!(key, KeyAlgorithm::P256 | KeyAlgorithm::P384);
    let rsa = matches!(key, KeyAlgorithm::Rsa { .. });
    let plan = |mechanism, input, raw_ec| Plan {
        mechanism,
        input,
        raw_ec,
    };
    match alg {
        SignAlg::Ecdsa { digest } if ec => {
            let native = match digest {
                DigestAlgorithm::Sha256 => {
                    Some((Mechanism::EcdsaSha256, MechanismType::ECDSA_SHA256))
                }
                DigestAlgorithm::Sha384 => {
                    Some((Mechanism::EcdsaSha384, MechanismType::ECDSA_SHA384))
                }
                _ => None,
            };
            match native {
                Some((m, t)) if has(t) => Ok(plan(m, data.to_vec(), true)),
                _ => Ok(plan(Mechanism::Ecdsa, digest.digest(data), true)),
            }
        }
        SignAlg::EcdsaPrehashed if ec => Ok(plan(Mechanism::Ecdsa, data.to_vec(), true)),
        SignAlg::RsaPkcs1 { digest } if rsa => {
            let native = match digest {
                DigestAlgorithm::Sha256 => {
                    Some((Mechanism::Sha256RsaPkcs, MechanismType::SHA256_RSA_PKCS))
                }
                DigestAlgorithm::Sha384 => {
                    Some((Mechanism::Sha384RsaPkcs, MechanismType::SHA384_RSA_PKCS))
                }
                _ => None,
            };
            match native {
                Some((m, t)) if has(t) => Ok(plan(m, data.to_vec(), false)),
                _ => {
                    let mut input = digest_info_prefix(*digest)?.to_vec();
                    input.extend_from_slice(&digest.digest(data));
                    Ok(plan(Mechanism::RsaPkcs, input, false))
                }
            }
        }
        SignAlg::RsaPkcs1Prehashed { digest } if rsa => {
            if data.len() != digest.output_len() {
                return Err(unsupported("a hash of the wrong length for its algorithm"));
            }
            let mut input = digest_info_prefix(*digest)?.to_vec();
            input.extend_from_slice(data);
            Ok(plan(Mechanism::RsaPkcs, input, false))
        }
        SignAlg::RsaPss { digest } if rsa => {
            let (hash_alg, mgf) = pss_hash(*digest)?;
            let params = PkcsPssParams {
                hash_alg,
                mgf,
                s_len: (digest.output_len() as u64).into(),
            };
            let combined = match digest {
                DigestAlgorithm::Sha256 => Some((
                    Mechanism::Sha256RsaPkcsPss(params),
                    MechanismType::SHA256_RSA_PKCS_PSS,
                )),
                DigestAlgorithm::Sha384 => Some((
                    Mechanism::Sha384RsaPkcsPss(params),
                    MechanismType::SHA384_RSA_PKCS_PSS,
                )),
                _ => None,
            };
            match combined {
                Some((m, t)) if has(t) => Ok(plan(m, data.to_vec(), false)),
                _ => Ok(plan(
                    Mechanism::RsaPkcsPss(params),
                    digest.digest(data),
                    false,
                )),
            }
        }
        SignAlg::Sm2Sm3 { .. } | SignAlg::Sm2Prehashed if key == KeyAlgorithm::Sm2 => {
            let Some((mech, public)) = sm2 else {
                return Err(unsupported(
                    "SM2 signing: this PKCS#11 module offers no SM2 mechanism (none is configured; \
                     SoftHSM2 has none)",
                ));
            };
            let e = match alg {
                SignAlg::Sm2Sm3 { id } => public.message_digest(
                    id.as_deref().unwrap_or(tessera_crypto::sm2::DEFAULT_ID),
                    data,
                )?,
                _ => data
                    .try_into()
                    .map_err(|_| unsupported("an SM2 digest that is not 32 bytes"))?,
            };
            Ok(plan(
                Mechanism::VendorDefined(
                    cryptoki::mechanism::vendor_defined::VendorDefinedMechanism::new::<()>(
                        mech, None,
                    ),
                ),
                e.to_vec(),
                true,
            ))
        }
        _ => Err(mismatch()),
    }
}

/// DER `SEQUENCE { r, s }` from the `r || s` a token returns (PKCS#11 v2.40 §2.3.1); a module
/// that already answers in DER is passed through.
pub(crate) fn ec_der(raw: Vec<u8>) -> Result<Vec<u8>> {
    if raw.len() % 2 == 1 || raw.is_empty() {
        return Ok(raw);
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    uint_sequence(&[r, s])
}
