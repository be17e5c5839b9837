//! Name rules webpki leaves out: the syntax of dNSName entries and constraints (RFC 5280
//! §4.2.1.6, §4.2.1.10), rfc822Name matching, and the CA/Browser Forum common-name rule.

use std::net::IpAddr;

use const_oid::db::rfc4519;
use x509_cert::ext::pkix::{
    NameConstraints, constraints::name::GeneralSubtrees, name::DirectoryString, name::GeneralName,
};

use super::{ChainError, parsed::Parsed};

fn malformed(reason: &'static str) -> ChainError {
    ChainError::Malformed { reason }
}

/// Whether `name` is a host name in the preferred name syntax (RFC 1034 §3.5 as relaxed by
/// RFC 1123 §2.1): dot-separated labels of 1 to 63 letters, digits and inner hyphens, at most
/// 253 characters. With `wildcard`, the first label may be `*` (RFC 6125 §6.4.3).
pub(crate) fn is_host_name(name: &str, wildcard: bool) -> bool {
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    name.split('.').enumerate().all(|(i, label)| {
        (wildcard && i == 0 && label == "*" && name.len() > 2)
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-'))
    })
}

/// RFC 5280 §4.2.1.10: at least one non-empty subtree list, `minimum` zero and `maximum`
/// absent, and dNSName bases that are host names (a leading period belongs to URI and email
/// constraints only).
pub(crate) fn check_name_constraints(nc: &NameConstraints) -> Result<(), ChainError> {
    let lists: Vec<&GeneralSubtrees> = [&nc.permitted_subtrees, &nc.excluded_subtrees]
        .into_iter()
        .flatten()
        .collect();
    if lists.is_empty() || lists.iter().any(|l| l.is_empty()) {
        return Err(malformed(
            "nameConstraints without subtrees (RFC 5280 §4.2.1.10)",
        ));
    }
    for subtree in lists.into_iter().flatten() {
        if subtree.minimum != 0 || subtree.maximum.is_some() {
            return Err(malformed(
                "name constraint with minimum or maximum (RFC 5280 §4.2.1.10)",
            ));
        }
        if let GeneralName::DnsName(base) = &subtree.base {
            let base: &str = base.as_ref();
            if !base.is_empty() && !is_host_name(base, false) {
                return Err(malformed(
                    "dNSName constraint is not a host name (RFC 5280 §4.2.1.10)",
                ));
            }
        }
    }
    Ok(())
}

/// The end entity's dNSName entries must be host names (RFC 5280 §4.2.1.6); with the TLS
/// server profile, its common names must each be one of its subjectAltName entries (CA/B Forum
/// BR §7.1.4.3) and its subjectAltName critical only when the subject is empty (§7.1.2.7.12).
pub(crate) fn check_leaf_names(leaf: &Parsed, tls_server_profile: bool) -> Result<(), ChainError> {
    let sans: &[GeneralName] = leaf
        .ext
        .san
        .as_ref()
        .map_or(&[], |san| san.value.0.as_slice());
    for name in sans {
        if let GeneralName::DnsName(dns) = name
            && !is_host_name(dns.as_ref(), true)
        {
            return Err(malformed("dNSName is not a host name (RFC 5280 §4.2.1.6)"));
        }
    }
    if !tls_server_profile {
        return Ok(());
    }
    let subject = leaf.cert.tbs_certificate().subject();
    if leaf.ext.san.as_ref().is_some_and(|san| san.critical) && !subject.is_empty() {
        return Err(malformed(
            "critical subjectAltName with a subject (CA/B Forum BR §7.1.2.7.12)",
        ));
    }
    for attr in subject.iter().filter(|a| a.oid == rfc4519::COMMON_NAME) {
        let cn = DirectoryString::try_from(&attr.value)
            .map_err(|_| malformed("commonName is not a string"))?;
        let cn = cn.value();
        let listed = sans.iter().any(|name| match name {
            GeneralName::DnsName(dns) => {
                let dns: &str = dns.as_ref();
                dns == cn
            }
            GeneralName::IpAddress(ip) => ip_text(ip.as_bytes()).is_some_and(|ip| ip == cn),
            _ => false,
        });
        if !listed {
            return Err(ChainError::NameMismatch {
                expected: format!("common name {cn} among the subjectAltName entries"),
            });
        }
    }
    Ok(())
}

/// The canonical text of an iPAddress entry: dotted decimal, or RFC 5952 for IPv6.
fn ip_text(bytes: &[u8]) -> Option<String> {
    let ip: IpAddr = match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok()?.into(),
        16 => <[u8; 16]>::try_from(bytes).ok()?.into(),
        _ => return None,
    };
    Some(ip.to_string())
}

/// The end entity must carry `mailbox` as an rfc822Name: the local part compared exactly, the
/// domain without regard to case (RFC 5280 §4.2.1.6, §7.5).
pub(crate) fn check_email(leaf: &[u8], mailbox: &str) -> Result<(), ChainError> {
    let mismatch = || ChainError::NameMismatch {
        expected: mailbox.to_string(),
    };
    let (local, domain) = mailbox.rsplit_once('@').ok_or_else(mismatch)?;
    let leaf = Parsed::new(leaf)?;
    let sans: &[GeneralName] = leaf
        .ext
        .san
        .as_ref()
        .map_or(&[], |san| san.value.0.as_slice());
    let found = sans.iter().any(|name| match name {
        GeneralName::Rfc822Name(presented) => {
            let presented: &str = presented.as_ref();
            presented
                .rsplit_once('@')
                .is_some_and(|(l, d)| l == local && d.eq_ignore_ascii_case(domain))
        }
        _ => false,
    });
    if found { Ok(()) } else { Err(mismatch()) }
}

#[cfg(test)]
mod tests {
    use super::is_host_name;

    #[test]
    fn host_names() {
        assert!(is_host_name("example.com", false));
        assert!(is_host_name("1st.example", false));
        assert!(is_host_name("*.example.com", true));
        assert!(!is_host_name("*.example.com", false));
        assert!(!is_host_name(".example.com", false));
        assert!(!is_host_name("foo_bar.example.com", true));
        assert!(!is_host_name("-a.example", false));
        assert!(!is_host_name("a..example", false));
        assert!(!is_host_name("*", true));
        assert!(!is_host_name("f*o.example.com", true));
    }
}
