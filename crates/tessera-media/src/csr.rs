//! PKCS#10 certification requests (RFC 2986) signed by a key on a medium.
//!
//! Built by hand rather than through `RequestBuilder` so that SM2 keys sign the DER
//! `CertificationRequestInfo` with SM2-with-SM3 and the default ID, as GM/T 0010 asks, with the
//! signature as DER `SEQUENCE { r, s }`.

use std::str::FromStr as _;

use der::{Decode as _, Encode as _};
use x509_cert::{
    name::Name,
    request::{CertReq, CertReqInfo, Version},
};

use crate::{FormatError, Result, keys::PrivateKey};

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

/// DER `CertificationRequest` for `key` (RFC 2986 §4): no attributes.
pub(crate) fn build(key: &PrivateKey, request: &CsrRequest) -> Result<Vec<u8>> {
    build_with(&key.spki_der()?, request, |tbs| key.sign_csr(tbs))
}

/// DER `CertificationRequest` for the public key `spki` (DER SubjectPublicKeyInfo), signed by
/// `sign`, which gets the DER `CertificationRequestInfo` and returns the signature algorithm and
/// the signature (for keys that never leave a token).
pub(crate) fn build_with(
    spki: &[u8],
    request: &CsrRequest,
    sign: impl FnOnce(&[u8]) -> Result<(spki::AlgorithmIdentifierOwned, Vec<u8>)>,
) -> Result<Vec<u8>> {
    let subject = Name::from_str(&request.subject).map_err(invalid)?;
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key: spki::SubjectPublicKeyInfoOwned::from_der(spki).map_err(invalid)?,
        attributes: Default::default(),
    };
    let tbs = info.to_der().map_err(invalid)?;
    let (algorithm, signature) = sign(&tbs)?;
    let req = CertReq {
        info,
        algorithm,
        signature: der::asn1::BitString::from_bytes(&signature).map_err(invalid)?,
    };
    Ok(req.to_der().map_err(invalid)?)
}
