//! PKCS#10 certification requests (RFC 2986) signed by a key on a medium, built by
//! [`tessera_x509::issue::sign_csr`] through the [`Signer`] seam: SM2 keys sign the DER
//! `CertificationRequestInfo` with SM2-with-SM3 and the default ID, as GM/T 0010 asks.

use std::str::FromStr as _;

use tessera_x509::Signer;
use x509_cert::name::Name;

use crate::keys::KeyAlgorithm;
use crate::medium::{KeyEntry, Medium, SignAlg};
use crate::signer::{MediumSigner, from_issue};
use crate::{FormatError, Result};
use tessera_crypto::digest::DigestAlgorithm;

/// What goes into a certification request besides the key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsrRequest {
    /// Subject as an RFC 4514 string, e.g. `CN=张三,O=Example,C=CN`.
    pub subject: String,
    /// Whether the new private key may be exported later (`CKA_EXTRACTABLE`).
    pub exportable: bool,
}

impl CsrRequest {
    /// A request for `subject` (RFC 4514), the key not exportable.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            exportable: false,
        }
    }

    /// The same request with the key exportable or not.
    pub fn exportable(mut self, exportable: bool) -> Self {
        self.exportable = exportable;
        self
    }
}

fn invalid(reason: impl ToString) -> FormatError {
    FormatError::Invalid {
        what: "certification request",
        reason: reason.to_string(),
    }
}

/// DER `CertificationRequest` (RFC 2986 §4, no attributes) for `request.subject`, signed by
/// `signer` (a key in memory, or [`MediumSigner`] for a key on a medium).
pub(crate) fn build(signer: &dyn Signer, request: &CsrRequest) -> Result<Vec<u8>> {
    let subject = Name::from_str(&request.subject).map_err(invalid)?;
    tessera_x509::issue::sign_csr(signer, subject).map_err(from_issue)
}

/// How a key of `algorithm` signs a request: the PKCS#10 `signatureAlgorithm` and the medium's
/// scheme. SM2-with-SM3 over the default ID (GM/T 0010); ECDSA with SHA-256 (SHA-384 on
/// P-384); RSA PKCS#1 v1.5 with SHA-256.
pub(crate) fn signature_scheme(
    algorithm: KeyAlgorithm,
) -> (spki::AlgorithmIdentifierOwned, SignAlg) {
    use const_oid::db::rfc5912;
    let (oid, parameters, alg) = match algorithm {
        KeyAlgorithm::Sm2 => (
            tessera_crypto::sm2::SM2_WITH_SM3_OID,
            None,
            SignAlg::Sm2Sm3 { id: None },
        ),
        KeyAlgorithm::P384 => (
            rfc5912::ECDSA_WITH_SHA_384,
            None,
            SignAlg::Ecdsa {
                digest: DigestAlgorithm::Sha384,
            },
        ),
        KeyAlgorithm::P256 => (
            rfc5912::ECDSA_WITH_SHA_256,
            None,
            SignAlg::Ecdsa {
                digest: DigestAlgorithm::Sha256,
            },
        ),
        KeyAlgorithm::Rsa { .. } => (
            rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            Some(der::asn1::Null.into()),
            SignAlg::RsaPkcs1 {
                digest: DigestAlgorithm::Sha256,
            },
        ),
    };
    (spki::AlgorithmIdentifierOwned { oid, parameters }, alg)
}

/// DER PKCS#10 request for a key already on `medium` (logged in), signed there: the proof of
/// possession a renewal sends (as EST re-enrollment, RFC 7030 §4.2.2).
pub fn request_for_key(
    medium: &mut dyn Medium,
    key: &KeyEntry,
    request: &CsrRequest,
) -> Result<Vec<u8>> {
    build(&MediumSigner::new(medium, key), request)
}
