//! PKCS#10 certification requests (RFC 2986): making one signed by any [`Signer`], and checking
//! one before a CA acts on it: the structure, and the signature over `certificationRequestInfo`
//! by the key it carries (proof of possession, RFC 2986 §3 step 3).

use const_oid::ObjectIdentifier;
use der::{
    Decode as _, Encode as _, Sequence,
    asn1::{AnyRef, BitStringRef},
};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};
use tessera_crypto::{
    digest::DigestAlgorithm,
    public_key::{PublicKey, VerifyAlgorithm},
    rsa::RsaPadding,
    sm2::{DEFAULT_ID, SM2_WITH_SM3_OID},
};
use x509_cert::{
    name::Name,
    request::{CertReq, CertReqInfo, Version},
};

use crate::signer::Signer;

use super::{
    IssueError,
    key::{
        ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ECDSA_WITH_SHA512, RSASSA_PSS, SHA256_WITH_RSA,
        SHA384_WITH_RSA, SHA512_WITH_RSA,
    },
};

const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// The largest request [`verify_csr`] reads.
pub const MAX_CSR_LEN: usize = 64 * 1024;

/// A certification request whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedCsr {
    /// The subject the requester asked for (RFC 2986 §4.1).
    pub subject: Name,
    /// The public key, DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// The algorithm the request was signed with, dotted decimal.
    pub signature_algorithm: String,
    /// The request's DER, as given.
    pub der: Vec<u8>,
}

impl VerifiedCsr {
    /// The subject as an RFC 4514 string.
    pub fn subject_string(&self) -> String {
        self.subject.to_string()
    }
}

/// `CertificationRequest` with `certificationRequestInfo` kept as the exact bytes signed.
#[derive(Sequence)]
struct RawRequest<'a> {
    info: AnyRef<'a>,
    algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// RSASSA-PSS-params (RFC 4055 §3.1); only the hash matters here, since verification uses
/// MGF1 with the same hash and accepts any salt length.
#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", optional = "true")]
    trailer_field: Option<u32>,
}

fn malformed(reason: impl ToString) -> IssueError {
    IssueError::MalformedCsr {
        reason: reason.to_string(),
    }
}

/// DER `CertificationRequest` (RFC 2986 §4) for `subject` and the signer's key, no attributes,
/// signed by `signer` over the DER `CertificationRequestInfo`. Written by hand rather than
/// through `RequestBuilder` so that SM2 signs with SM2-with-SM3 over the default ID (GM/T 0010)
/// and any medium can sign.
pub fn sign_csr(signer: &dyn Signer, subject: Name) -> Result<Vec<u8>, IssueError> {
    let enc = super::tbs::encoding;
    let spki = signer.spki_der()?;
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: spki::SubjectPublicKeyInfoOwned::from_der(&spki).map_err(|_| {
            IssueError::UnsupportedKey {
                reason: "malformed SubjectPublicKeyInfo",
            }
        })?,
        attributes: Default::default(),
    };
    let signature = signer.sign(&info.to_der().map_err(enc("CertificationRequestInfo"))?)?;
    CertReq {
        info,
        algorithm: signer.algorithm(),
        signature: der::asn1::BitString::from_bytes(&signature).map_err(enc("signature"))?,
    }
    .to_der()
    .map_err(enc("CertificationRequest"))
}

/// Parses a DER PKCS#10 request and verifies its signature with the key inside it.
///
/// Signature algorithms: SM2-with-SM3 with Z_A over the default ID `1234567812345678`
/// (GM/T 0009; a request signed with an empty ID, as OpenSSL 3.0 does unless given
/// `-sigopt distid:…`, fails), ecdsa-with-SHA256/384/512, sha256/384/512WithRSAEncryption and
/// RSASSA-PSS with SHA-256/384/512.
pub fn verify_csr(der: &[u8]) -> Result<VerifiedCsr, IssueError> {
    if der.len() > MAX_CSR_LEN {
        return Err(malformed(format!("larger than {MAX_CSR_LEN} bytes")));
    }
    let raw = RawRequest::from_der(der).map_err(malformed)?;
    let info_der = raw.info.to_der().map_err(malformed)?;
    let info = CertReqInfo::from_der(&info_der).map_err(malformed)?;
    if info.version != Version::V1 {
        return Err(malformed("version is not v1 (RFC 2986 §4.1)"));
    }
    let spki_der = info.public_key.to_der().map_err(malformed)?;
    let key = PublicKey::from_spki_der(&spki_der).map_err(|_| IssueError::UnsupportedKey {
        reason: "the request's key is not SM2, P-256, P-384 or RSA",
    })?;
    let algorithm = verify_algorithm(&raw.algorithm)?;
    let signature = raw
        .signature
        .as_bytes()
        .ok_or_else(|| malformed("signature BIT STRING has unused bits"))?;
    key.verify(&algorithm, &info_der, signature)
        .map_err(|_| IssueError::CsrSignature)?;
    Ok(VerifiedCsr {
        subject: info.subject,
        spki_der,
        signature_algorithm: raw.algorithm.oid.to_string(),
        der: der.to_vec(),
    })
}

/// Reads a request in PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`, RFC 7468 §7) or
/// DER and verifies it as [`verify_csr`] does.
pub fn verify_csr_pem_or_der(input: &[u8]) -> Result<VerifiedCsr, IssueError> {
    if input.len() > 4 * MAX_CSR_LEN {
        return Err(malformed("too large"));
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return verify_csr(input);
    };
    let Some(start) = text.find("-----BEGIN ") else {
        return verify_csr(input);
    };
    let (label, der) = pem_rfc7468::decode_vec(text[start..].trim_end().as_bytes())
        .map_err(|e| malformed(format!("PEM: {e}")))?;
    if label != "CERTIFICATE REQUEST" && label != "NEW CERTIFICATE REQUEST" {
        return Err(malformed(format!(
            "PEM label {label} is not a certificate request"
        )));
    }
    verify_csr(&der)
}

fn verify_algorithm(alg: &AlgorithmIdentifierRef<'_>) -> Result<VerifyAlgorithm, IssueError> {
    let rsa = |digest| VerifyAlgorithm::Rsa {
        padding: RsaPadding::Pkcs1v15,
        digest,
    };
    let oid = alg.oid;
    Ok(match oid {
        o if o == SM2_WITH_SM3_OID => VerifyAlgorithm::Sm2 {
            id: DEFAULT_ID.to_vec(),
        },
        o if o == ECDSA_WITH_SHA256 => VerifyAlgorithm::Ecdsa {
            digest: DigestAlgorithm::Sha256,
        },
        o if o == ECDSA_WITH_SHA384 => VerifyAlgorithm::Ecdsa {
            digest: DigestAlgorithm::Sha384,
        },
        o if o == ECDSA_WITH_SHA512 => VerifyAlgorithm::Ecdsa {
            digest: DigestAlgorithm::Sha512,
        },
        o if o == SHA256_WITH_RSA => rsa(DigestAlgorithm::Sha256),
        o if o == SHA384_WITH_RSA => rsa(DigestAlgorithm::Sha384),
        o if o == SHA512_WITH_RSA => rsa(DigestAlgorithm::Sha512),
        o if o == RSASSA_PSS => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or_else(|| malformed("RSASSA-PSS without parameters (RFC 4055 §3.1)"))?;
            let params = PssParams::from_der(&params.to_der().map_err(malformed)?)
                .map_err(|e| malformed(format!("RSASSA-PSS parameters: {e}")))?;
            let hash = params.hash.map_or(ID_SHA1, |h| h.oid);
            let digest = match hash {
                h if h == ID_SHA256 => DigestAlgorithm::Sha256,
                h if h == ID_SHA384 => DigestAlgorithm::Sha384,
                h if h == ID_SHA512 => DigestAlgorithm::Sha512,
                _ => {
                    return Err(IssueError::UnsupportedSignatureAlgorithm {
                        oid: format!("{oid} with hash {hash}"),
                    });
                }
            };
            VerifyAlgorithm::Rsa {
                padding: RsaPadding::Pss,
                digest,
            }
        }
        _ => {
            return Err(IssueError::UnsupportedSignatureAlgorithm {
                oid: oid.to_string(),
            });
        }
    })
}
