//! The CRL profile (RFC 5280 §5) beyond what webpki checks when it uses a CRL.

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode};
use x509_cert::{
    crl::CertificateList,
    ext::pkix::{AuthorityKeyIdentifier, CrlNumber},
};

use super::ChainError;

fn bad(reason: &'static str) -> ChainError {
    ChainError::BadCrl { reason }
}

/// Checks `der` is a conforming CRL and returns its issuer name (DER).
///
/// RFC 5280 §5.2: each extension at most once; §5.2.1: authorityKeyIdentifier present;
/// §5.2.3: cRLNumber present and not critical.
pub(crate) fn check(der: &[u8]) -> Result<Vec<u8>, ChainError> {
    let crl = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
        .map_err(|_| bad("not a DER CRL (RFC 5280 §5.1)"))?;
    let tbs = &crl.tbs_cert_list;
    let extensions = tbs.crl_extensions.as_deref().unwrap_or_default();
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    for ext in extensions {
        if seen.contains(&ext.extn_id) {
            return Err(bad("an extension appears twice (RFC 5280 §5.2)"));
        }
        seen.push(ext.extn_id);
    }
    let number = extensions
        .iter()
        .find(|e| e.extn_id == CrlNumber::OID)
        .ok_or(bad("cRLNumber missing (RFC 5280 §5.2.3)"))?;
    if number.critical {
        return Err(bad("cRLNumber is critical (RFC 5280 §5.2.3)"));
    }
    if !extensions
        .iter()
        .any(|e| e.extn_id == AuthorityKeyIdentifier::OID)
    {
        return Err(bad("authorityKeyIdentifier missing (RFC 5280 §5.2.1)"));
    }
    tbs.issuer.to_der().map_err(|_| bad("issuer name"))
}
