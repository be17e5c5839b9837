//! RFC 5280 rules rustls-webpki leaves out, applied to each candidate path it finds.
//!
//! webpki checks what path validation needs (RFC 5280 §6.1) but not that each certificate is
//! a conforming one, and it never looks at the trust anchor beyond its name, key and name
//! constraints. These rules close that gap. Trust anchors from the system bundle are held only
//! to the rules every root Mozilla ships meets (validity, basicConstraints cA, keyUsage
//! keyCertSign, no unknown critical extension); roots a user added are also held to the CA
//! profile (critical basicConstraints, subjectKeyIdentifier), since no root program vetted them.

use const_oid::db::rfc5280 as oids;
use x509_cert::{certificate::Version, ext::pkix::KeyUsages};

use super::{ChainError, RootSource, ValidationOptions, algorithms, names, parsed::Parsed};

/// What the rules need besides the path.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub(crate) options: &'a ValidationOptions,
    /// Validation time, seconds since 1970.
    pub(crate) time: u64,
    /// DER issuer names of the CRLs given.
    pub(crate) crl_issuers: &'a [Vec<u8>],
}

fn malformed(reason: &'static str) -> ChainError {
    ChainError::Malformed { reason }
}

/// Checks a candidate path `certs` (end entity first, trust anchor last) whose anchor came from
/// `anchor_source`.
pub(crate) fn check_path(
    certs: &[&[u8]],
    anchor_source: RootSource,
    cx: &Context<'_>,
) -> Result<(), ChainError> {
    let path = certs
        .iter()
        .map(|der| Parsed::new(der))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((anchor, issued)) = path.split_last() else {
        return Err(ChainError::UnknownIssuer);
    };
    for cert in &path {
        check_any(cert)?;
    }
    for cert in issued {
        check_issued(cert)?;
    }
    for cert in issued.iter().skip(1) {
        check_ca(cert)?;
        check_ca_profile(cert)?;
    }
    check_anchor(anchor, anchor_source, cx)?;
    if let Some(leaf) = issued.first() {
        check_leaf(leaf, cx.options)?;
    }

    if let Some(max) = cx.options.max_intermediates {
        let counted = issued.iter().skip(1).filter(|c| !c.self_issued()).count();
        if counted > max {
            return Err(ChainError::TooManyIntermediates { max });
        }
    }
    // RFC 5280 §4.2.1.3: a CRL's issuer must assert cRLSign; webpki skips this for anchors.
    for pair in path.windows(2) {
        let [subject, issuer] = pair else { continue };
        if cx.crl_issuers.contains(&subject.issuer_der)
            && !issuer.key_usage_allows(KeyUsages::CRLSign)
        {
            return Err(ChainError::BadCrl {
                reason: "the CRL issuer's keyUsage lacks cRLSign (RFC 5280 §4.2.1.3)",
            });
        }
    }
    Ok(())
}

/// Rules for every certificate in the path, trust anchor included.
fn check_any(cert: &Parsed) -> Result<(), ChainError> {
    let ext = &cert.ext;
    if let Some(aki) = &ext.aki {
        if aki.critical {
            return Err(malformed(
                "authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1)",
            ));
        }
        if aki.value.key_identifier.is_none() {
            return Err(malformed(
                "authorityKeyIdentifier without keyIdentifier (RFC 5280 §4.2.1.1)",
            ));
        }
    }
    if ext.ski.as_ref().is_some_and(|ski| ski.critical) {
        return Err(malformed(
            "subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2)",
        ));
    }
    let asserts_cert_sign = ext
        .key_usage
        .as_ref()
        .is_some_and(|ku| ku.value.0.contains(KeyUsages::KeyCertSign));
    if asserts_cert_sign && !cert.is_ca() {
        return Err(malformed(
            "keyCertSign asserted without basicConstraints cA (RFC 5280 §4.2.1.3)",
        ));
    }
    if let Some(pc) = &ext.policy_constraints {
        if !pc.critical {
            return Err(malformed(
                "policyConstraints is not critical (RFC 5280 §4.2.1.11)",
            ));
        }
        if pc.value.require_explicit_policy.is_none() && pc.value.inhibit_policy_mapping.is_none() {
            return Err(malformed("empty policyConstraints (RFC 5280 §4.2.1.11)"));
        }
    }
    if let Some(nc) = &ext.name_constraints {
        if !cert.is_ca() {
            return Err(malformed(
                "nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)",
            ));
        }
        names::check_name_constraints(&nc.value)?;
    }
    if cert.cert.tbs_certificate().subject().is_empty()
        && !ext.san.as_ref().is_some_and(|san| san.critical)
    {
        return Err(malformed(
            "empty subject without a critical subjectAltName (RFC 5280 §4.2.1.6)",
        ));
    }
    Ok(())
}

/// Rules for certificates issued inside the path (all but the trust anchor).
fn check_issued(cert: &Parsed) -> Result<(), ChainError> {
    let serial = cert.cert.tbs_certificate().serial_number().as_bytes();
    if serial.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(malformed("negative serial number (RFC 5280 §4.1.2.2)"));
    }
    if serial.iter().all(|&b| b == 0) {
        return Err(malformed("serial number zero (RFC 5280 §4.1.2.2)"));
    }
    let magnitude = serial.strip_prefix(&[0]).unwrap_or(serial);
    if magnitude.len() > 20 {
        return Err(malformed(
            "serial number longer than 20 octets (RFC 5280 §4.1.2.2)",
        ));
    }
    if cert.cert.tbs_certificate().issuer().is_empty() {
        return Err(malformed("empty issuer name (RFC 5280 §4.1.2.4)"));
    }
    // Only a self-signed certificate may omit it; a trust anchor is not checked, as RFC 5280
    // §6.1.1 (d) takes its name and key as given.
    if cert.ext.aki.is_none() && !cert.self_issued() {
        return Err(malformed(
            "authorityKeyIdentifier missing (RFC 5280 §4.2.1.1)",
        ));
    }
    Ok(())
}

/// Rules for every CA certificate: intermediates and the trust anchor.
fn check_ca(cert: &Parsed) -> Result<(), ChainError> {
    if cert.cert.tbs_certificate().subject().is_empty() {
        return Err(malformed(
            "CA certificate with an empty subject (RFC 5280 §4.1.2.6)",
        ));
    }
    if !cert.is_ca() {
        return Err(ChainError::EndEntityUsedAsCa);
    }
    if !cert.key_usage_allows(KeyUsages::KeyCertSign) {
        return Err(ChainError::KeyUsageNotAllowed {
            required: vec![super::KeyUsageBit::KeyCertSign],
        });
    }
    Ok(())
}

/// The CA profile beyond what makes a certificate usable as a CA: basicConstraints critical
/// (RFC 5280 §4.2.1.9) and a subjectKeyIdentifier (§4.2.1.2).
fn check_ca_profile(cert: &Parsed) -> Result<(), ChainError> {
    if !cert
        .ext
        .basic_constraints
        .as_ref()
        .is_some_and(|bc| bc.critical)
    {
        return Err(malformed(
            "basicConstraints of a CA is not critical (RFC 5280 §4.2.1.9)",
        ));
    }
    if cert.ext.ski.is_none() {
        return Err(malformed(
            "CA certificate without subjectKeyIdentifier (RFC 5280 §4.2.1.2)",
        ));
    }
    Ok(())
}

/// Rules for the trust anchor (RFC 5280 §6.1.1 (d) trusts its name and key; these make sure
/// the certificate carrying them is a usable, current CA certificate).
fn check_anchor(anchor: &Parsed, source: RootSource, cx: &Context<'_>) -> Result<(), ChainError> {
    let (not_before, not_after) = anchor.validity();
    if cx.time < not_before {
        return Err(ChainError::NotYetValid {
            not_before: super::error::datetime_secs(not_before),
        });
    }
    if cx.time > not_after {
        return Err(ChainError::Expired {
            not_after: super::error::datetime_secs(not_after),
        });
    }
    // RFC 5280 §6.1.4 (k) asks basicConstraints of version 3 certificates only; a version 1
    // root has no extensions to consult and is trusted on its name and key alone.
    if anchor.cert.tbs_certificate().version() == Version::V3 {
        check_ca(anchor)?;
    } else if anchor.cert.tbs_certificate().subject().is_empty() {
        return Err(malformed(
            "CA certificate with an empty subject (RFC 5280 §4.1.2.6)",
        ));
    }
    if let Some(oid) = anchor.ext.unknown_critical.first() {
        return Err(ChainError::UnsupportedCriticalExtension { oid: Some(*oid) });
    }
    // A self-issued certificate names its own key as the authority key.
    if let (true, Some(aki), Some(ski)) = (anchor.self_issued(), &anchor.ext.aki, &anchor.ext.ski)
        && aki
            .value
            .key_identifier
            .as_ref()
            .is_some_and(|k| k.as_bytes() != ski.value.as_slice())
    {
        return Err(malformed(
            "self-issued root whose authorityKeyIdentifier is not its subjectKeyIdentifier",
        ));
    }
    if source == RootSource::User {
        check_ca_profile(anchor)?;
        if cx.options.tls_server_profile {
            // CA/Browser Forum Baseline Requirements §7.1.2.1.2 and §7.1.2.1.3 (root CAs).
            if anchor.ext.eku.is_some() {
                return Err(malformed(
                    "root CA with extKeyUsage (CA/B Forum BR §7.1.2.1.2)",
                ));
            }
            if anchor.ext.aki.as_ref().is_some_and(|aki| {
                aki.value.authority_cert_issuer.is_some()
                    || aki.value.authority_cert_serial_number.is_some()
            }) {
                return Err(malformed(
                    "root CA authorityKeyIdentifier names an issuer (CA/B Forum BR §7.1.2.1.3)",
                ));
            }
        }
    }
    Ok(())
}

/// Rules for the end entity: its key, the caller's key usage, its names.
fn check_leaf(leaf: &Parsed, options: &ValidationOptions) -> Result<(), ChainError> {
    algorithms::check_public_key(&leaf.key_alg_id, &leaf.key).map_err(|reason| {
        ChainError::UnsupportedPublicKey {
            reason: reason.to_string(),
        }
    })?;
    if let Some(ku) = &leaf.ext.key_usage
        && !options.key_usage.is_empty()
        && !options
            .key_usage
            .iter()
            .any(|b| ku.value.0.bits() & (1 << b.bit()) != 0)
    {
        return Err(ChainError::KeyUsageNotAllowed {
            required: options.key_usage.clone(),
        });
    }
    names::check_leaf_names(leaf, options.tls_server_profile)?;
    // CA/Browser Forum BR §7.1.2.7.10: extKeyUsage not critical, no anyExtendedKeyUsage.
    if let Some(eku) = &leaf.ext.eku
        && options.tls_server_profile
    {
        if eku.critical {
            return Err(malformed(
                "critical extKeyUsage in a server certificate (CA/B Forum BR §7.1.2.7.10)",
            ));
        }
        if eku.value.0.contains(&oids::ANY_EXTENDED_KEY_USAGE) {
            return Err(ChainError::RequiredEkuNotFound {
                required: options.extended_key_usage.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// Every root Debian ships passes the anchor rules for system roots, except for being
    /// out of date.
    #[test]
    fn system_roots_pass_anchor_rules() {
        let Ok(bundle) = std::fs::read(super::super::TrustStore::SYSTEM_BUNDLE) else {
            return;
        };
        let options = ValidationOptions::new();
        let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
        let cx = Context {
            options: &options,
            time: now,
            crl_issuers: &[],
        };
        let mut failures = Vec::new();
        for cert in crate::certificate::parse_certificates(&bundle).unwrap() {
            let parsed = Parsed::new(cert.der()).unwrap();
            let result =
                check_any(&parsed).and_then(|()| check_anchor(&parsed, RootSource::System, &cx));
            match result {
                Ok(()) | Err(ChainError::Expired { .. }) => {}
                Err(e) => failures.push(format!(
                    "{:?}: {e}",
                    parsed.cert.tbs_certificate().subject().to_string()
                )),
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
