//! One certificate of a candidate path, decoded with `x509-cert` for the profile checks.

use const_oid::{AssociatedOid, ObjectIdentifier, db::rfc5280 as oids};
use der::{Decode, Encode};
use x509_cert::{
    Certificate,
    ext::pkix::{
        AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
        CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, NameConstraints,
        PolicyConstraints, SubjectAltName, SubjectKeyIdentifier,
    },
};

use super::ChainError;

/// An extension's criticality and decoded value.
#[derive(Debug, Clone)]
pub(crate) struct Ext<T> {
    pub(crate) critical: bool,
    pub(crate) value: T,
}

/// The parts of a certificate the profile rules look at.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) cert: Certificate,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) issuer_der: Vec<u8>,
    /// DER content of the SubjectPublicKeyInfo's AlgorithmIdentifier.
    pub(crate) key_alg_id: Vec<u8>,
    /// The subjectPublicKey bits.
    pub(crate) key: Vec<u8>,
    pub(crate) ext: Exts,
}

/// The extensions the profile rules look at, decoded.
#[derive(Debug, Default)]
pub(crate) struct Exts {
    pub(crate) basic_constraints: Option<Ext<BasicConstraints>>,
    pub(crate) key_usage: Option<Ext<KeyUsage>>,
    pub(crate) eku: Option<Ext<ExtendedKeyUsage>>,
    pub(crate) ski: Option<Ext<Vec<u8>>>,
    pub(crate) aki: Option<Ext<AuthorityKeyIdentifier>>,
    pub(crate) name_constraints: Option<Ext<NameConstraints>>,
    pub(crate) san: Option<Ext<SubjectAltName>>,
    pub(crate) policy_constraints: Option<Ext<PolicyConstraints>>,
    /// Critical extensions outside the set webpki processes (RFC 5280 §4.2).
    pub(crate) unknown_critical: Vec<ObjectIdentifier>,
}

fn malformed(reason: &'static str) -> ChainError {
    ChainError::Malformed { reason }
}

/// Extensions webpki understands (and so may be critical); the rest must not be critical.
const PROCESSED: [ObjectIdentifier; 6] = [
    oids::ID_CE_KEY_USAGE,
    oids::ID_CE_SUBJECT_ALT_NAME,
    oids::ID_CE_BASIC_CONSTRAINTS,
    oids::ID_CE_NAME_CONSTRAINTS,
    oids::ID_CE_CRL_DISTRIBUTION_POINTS,
    oids::ID_CE_EXT_KEY_USAGE,
];

impl Parsed {
    /// Decodes `der` strictly (X.690 DER, RFC 5280 ASN.1 including the `SIZE (1..MAX)` bounds).
    pub(crate) fn new(der: &[u8]) -> Result<Self, ChainError> {
        let cert = Certificate::from_der(der)
            .map_err(|_| malformed("not a DER X.509 certificate (RFC 5280 §4.1)"))?;
        let tbs = cert.tbs_certificate();
        let subject_der = tbs.subject().to_der().map_err(|_| malformed("subject"))?;
        let issuer_der = tbs.issuer().to_der().map_err(|_| malformed("issuer"))?;
        let spki = tbs.subject_public_key_info();
        let key_alg_id = content(
            &spki
                .algorithm
                .to_der()
                .map_err(|_| malformed("key algorithm"))?,
        )
        .to_vec();
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(malformed("public key has unused bits"))?
            .to_vec();

        let ext = Exts::decode(tbs.extensions().map(Vec::as_slice).unwrap_or_default())?;
        Ok(Self {
            cert,
            subject_der,
            issuer_der,
            key_alg_id,
            key,
            ext,
        })
    }

    /// Whether subject and issuer are the same name (RFC 5280 §6.1: "self-issued").
    pub(crate) fn self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }

    /// basicConstraints cA (RFC 5280 §4.2.1.9); false when the extension is absent.
    pub(crate) fn is_ca(&self) -> bool {
        self.ext
            .basic_constraints
            .as_ref()
            .is_some_and(|bc| bc.value.ca)
    }

    /// Whether keyUsage is absent or asserts `bit`.
    pub(crate) fn key_usage_allows(&self, bit: KeyUsages) -> bool {
        self.ext
            .key_usage
            .as_ref()
            .is_none_or(|ku| ku.value.0.contains(bit))
    }

    /// notBefore and notAfter, seconds since 1970.
    pub(crate) fn validity(&self) -> (u64, u64) {
        let v = self.cert.tbs_certificate().validity();
        (
            v.not_before.to_unix_duration().as_secs(),
            v.not_after.to_unix_duration().as_secs(),
        )
    }
}

impl Exts {
    /// Decodes the extensions RFC 5280 §4.2 defines that the rules use; each at most once.
    fn decode(extensions: &[x509_cert::ext::Extension]) -> Result<Self, ChainError> {
        let mut parsed = Self::default();
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for ext in extensions {
            if seen.contains(&ext.extn_id) {
                return Err(malformed("an extension appears twice (RFC 5280 §4.2)"));
            }
            seen.push(ext.extn_id);
            let value = ext.extn_value.as_bytes();
            let critical = ext.critical;
            match ext.extn_id {
                BasicConstraints::OID => {
                    parsed.basic_constraints = Some(Ext {
                        critical,
                        value: decode(value, "malformed basicConstraints (RFC 5280 §4.2.1.9)")?,
                    })
                }
                KeyUsage::OID => {
                    let ku: KeyUsage = decode(value, "malformed keyUsage (RFC 5280 §4.2.1.3)")?;
                    if ku.0.is_empty() {
                        return Err(malformed("keyUsage with no bit set (RFC 5280 §4.2.1.3)"));
                    }
                    parsed.key_usage = Some(Ext {
                        critical,
                        value: ku,
                    });
                }
                ExtendedKeyUsage::OID => {
                    parsed.eku = Some(Ext {
                        critical,
                        value: decode(value, "malformed extKeyUsage (RFC 5280 §4.2.1.12)")?,
                    })
                }
                SubjectKeyIdentifier::OID => {
                    let ski: SubjectKeyIdentifier =
                        decode(value, "malformed subjectKeyIdentifier (RFC 5280 §4.2.1.2)")?;
                    parsed.ski = Some(Ext {
                        critical,
                        value: ski.0.as_bytes().to_vec(),
                    });
                }
                AuthorityKeyIdentifier::OID => {
                    parsed.aki = Some(Ext {
                        critical,
                        value: decode(
                            value,
                            "malformed authorityKeyIdentifier (RFC 5280 §4.2.1.1)",
                        )?,
                    })
                }
                NameConstraints::OID => {
                    parsed.name_constraints = Some(Ext {
                        critical,
                        value: decode(value, "malformed nameConstraints (RFC 5280 §4.2.1.10)")?,
                    })
                }
                SubjectAltName::OID => {
                    let san: SubjectAltName =
                        decode(value, "malformed subjectAltName (RFC 5280 §4.2.1.6)")?;
                    if san.0.is_empty() {
                        return Err(malformed("empty subjectAltName (RFC 5280 §4.2.1.6)"));
                    }
                    parsed.san = Some(Ext {
                        critical,
                        value: san,
                    });
                }
                PolicyConstraints::OID => {
                    parsed.policy_constraints = Some(Ext {
                        critical,
                        value: decode(value, "malformed policyConstraints (RFC 5280 §4.2.1.11)")?,
                    });
                }
                AuthorityInfoAccessSyntax::OID => {
                    let aia: AuthorityInfoAccessSyntax =
                        decode(value, "malformed authorityInfoAccess (RFC 5280 §4.2.2.1)")?;
                    if aia.0.is_empty() {
                        return Err(malformed("empty authorityInfoAccess (RFC 5280 §4.2.2.1)"));
                    }
                }
                CertificatePolicies::OID => {
                    let cp: CertificatePolicies =
                        decode(value, "malformed certificatePolicies (RFC 5280 §4.2.1.4)")?;
                    if cp.0.is_empty() {
                        return Err(malformed("empty certificatePolicies (RFC 5280 §4.2.1.4)"));
                    }
                }
                CrlDistributionPoints::OID => {
                    let dp: CrlDistributionPoints = decode(
                        value,
                        "malformed cRLDistributionPoints (RFC 5280 §4.2.1.13)",
                    )?;
                    if dp.0.is_empty() {
                        return Err(malformed(
                            "empty cRLDistributionPoints (RFC 5280 §4.2.1.13)",
                        ));
                    }
                }
                _ => {}
            }
            if critical && !PROCESSED.contains(&ext.extn_id) {
                parsed.unknown_critical.push(ext.extn_id);
            }
        }
        Ok(parsed)
    }
}

fn decode<'a, T: Decode<'a>>(bytes: &'a [u8], reason: &'static str) -> Result<T, ChainError> {
    T::from_der(bytes).map_err(|_| ChainError::Malformed { reason })
}

/// The content of a DER TLV whose length fits the short or long form.
pub(crate) fn content(tlv: &[u8]) -> &[u8] {
    let Some(&first_len) = tlv.get(1) else {
        return &[];
    };
    let (header, len) = if first_len < 0x80 {
        (2, usize::from(first_len))
    } else {
        let n = usize::from(first_len & 0x7f);
        let len = tlv.get(2..2 + n).map_or(0, |b| {
            b.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x))
        });
        (2 + n, len)
    };
    tlv.get(header..header + len).unwrap_or_default()
}
