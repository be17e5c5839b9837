//! What a caller asks of a chain besides "it reaches a trusted root": time, key usage, extended
//! key usage, the subject's name, chain length and revocation lists.

use std::net::IpAddr;

use const_oid::{ObjectIdentifier, db::rfc5280};
use time::OffsetDateTime;
use webpki::{ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter};

pub use crate::key_usage::KeyUsageBit;

/// The name the end-entity certificate must carry (RFC 5280 §4.2.1.6; RFC 6125 for DNS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubjectName {
    /// A DNS name, matched against dNSName entries (wildcards as RFC 6125 §6.4.3 allows),
    /// never against the subject's common name.
    Dns(String),
    /// An IP address, matched against iPAddress entries.
    Ip(IpAddr),
    /// A mailbox, matched against rfc822Name entries (RFC 5280 §4.2.1.6: local part exact,
    /// domain case-insensitive).
    Email(String),
}

/// Options for [`validate`](super::validate). Start from [`ValidationOptions::new`] (no usage
/// requirement) or a preset, then adjust.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ValidationOptions {
    pub(crate) time: Option<OffsetDateTime>,
    pub(crate) key_usage: Vec<KeyUsageBit>,
    pub(crate) extended_key_usage: Vec<ObjectIdentifier>,
    pub(crate) subject_name: Option<SubjectName>,
    pub(crate) max_intermediates: Option<usize>,
    pub(crate) crls: Vec<Vec<u8>>,
    pub(crate) tls_server_profile: bool,
}

impl ValidationOptions {
    /// Validate now, with no requirement on the end entity's usage or name.
    pub fn new() -> Self {
        Self::default()
    }

    /// For a certificate whose key signs documents: keyUsage, when present, must allow
    /// digitalSignature or nonRepudiation. No extended key usage is required.
    pub fn signing() -> Self {
        Self::new().key_usage_any_of(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
    }

    /// For a TLS server: id-kp-serverAuth (RFC 5280 §4.2.1.12), the given name, and the
    /// CA/Browser Forum server profile (see [`Self::tls_server_profile`]).
    pub fn tls_server(name: SubjectName) -> Self {
        Self::new()
            .require_extended_key_usage(rfc5280::ID_KP_SERVER_AUTH)
            .tls_server_profile(true)
            .subject_name(name)
    }

    /// For a TLS client: id-kp-clientAuth.
    pub fn tls_client() -> Self {
        Self::new().require_extended_key_usage(rfc5280::ID_KP_CLIENT_AUTH)
    }

    /// Validate as of `time` instead of now (RFC 5280 §6.1.1 (b)). Sub-second parts are
    /// dropped: certificate times have a resolution of one second.
    pub fn at(mut self, time: OffsetDateTime) -> Self {
        self.time = Some(time);
        self
    }

    /// The end entity's keyUsage, when present, must assert at least one of `bits`
    /// (RFC 5280 §4.2.1.3). An empty list removes the requirement.
    pub fn key_usage_any_of(mut self, bits: &[KeyUsageBit]) -> Self {
        self.key_usage = bits.to_vec();
        self
    }

    /// The end entity and every intermediate that has extKeyUsage must list `purpose` (RFC 5280
    /// §4.2.1.12; for CA certificates this is the "EKU chaining" convention of Mozilla and
    /// Microsoft). A certificate without the extension is unrestricted. anyExtendedKeyUsage
    /// does not stand in for a named purpose (RFC 5280 §4.2.1.12 allows rejecting it).
    pub fn require_extended_key_usage(mut self, purpose: ObjectIdentifier) -> Self {
        if !self.extended_key_usage.contains(&purpose) {
            self.extended_key_usage.push(purpose);
        }
        self
    }

    /// The end entity must be valid for `name` (RFC 5280 §4.2.1.6).
    pub fn subject_name(mut self, name: SubjectName) -> Self {
        self.subject_name = Some(name);
        self
    }

    /// At most `max` intermediates, not counting self-issued ones (RFC 5280 §6.1 counts only
    /// certificates that are not self-issued toward path length).
    pub fn max_intermediates(mut self, max: usize) -> Self {
        self.max_intermediates = Some(max);
        self
    }

    /// Check revocation against this CRL (DER, RFC 5280 §5) for the end entity and every
    /// intermediate it is authoritative for. Certificates no CRL covers are not rejected.
    pub fn crl(mut self, der: Vec<u8>) -> Self {
        self.crls.push(der);
        self
    }

    /// Also hold the chain to the CA/Browser Forum Baseline Requirements for TLS server
    /// certificates, beyond RFC 5280: the end entity's common name, if any, is one of its
    /// subjectAltName entries (BR §7.1.4.3); its subjectAltName is critical only when the
    /// subject is empty (§7.1.2.7.12); its extKeyUsage is not critical and has no
    /// anyExtendedKeyUsage (§7.1.2.7.10); a root the user added has no extKeyUsage
    /// (§7.1.2.1.2) and no issuer in its authorityKeyIdentifier (§7.1.2.1.3).
    pub fn tls_server_profile(mut self, on: bool) -> Self {
        self.tls_server_profile = on;
        self
    }

    /// The validation time, now if none was set.
    pub fn time(&self) -> OffsetDateTime {
        self.time.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

/// webpki's hook for extendedKeyUsage, called for the end entity and every intermediate.
#[derive(Debug)]
pub(crate) struct EkuPolicy<'a> {
    pub(crate) required: &'a [ObjectIdentifier],
}

impl ExtendedKeyUsageValidator for EkuPolicy<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let present = iter.collect::<Result<Vec<_>, _>>()?;
        if present.is_empty() {
            return Ok(());
        }
        let listed = |oid: &ObjectIdentifier| {
            present
                .iter()
                .any(|p| *p == KeyPurposeId::new(oid.as_bytes()))
        };
        if self.required.iter().all(listed) {
            Ok(())
        } else {
            #[allow(
                deprecated,
                reason = "the context variant needs 'static OIDs; ours are dynamic"
            )]
            Err(webpki::Error::RequiredEkuNotFound)
        }
    }
}
