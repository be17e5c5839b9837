//! Certificate revocation lists (RFC 5280 §5): v2, signed by the CA key, with
//! authorityKeyIdentifier (§5.2.1) and cRLNumber (§5.2.3), a reasonCode per entry (§5.3.1).

use const_oid::AssociatedOid as _;
use der::{
    Encode as _,
    asn1::{BitString, OctetString, Uint},
};
use time::OffsetDateTime;
use x509_cert::{
    certificate::Version,
    crl::{CertificateList, RevokedCert, TbsCertList},
    ext::{
        Extension,
        pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason},
    },
    serial_number::SerialNumber,
};

use super::{CaCertAndKey, IssueError, tbs};
use crate::signer::Signer;

const ID_CE_CRL_REASONS: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.21");

/// A revocation reason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0): written as no reasonCode at all, as §5.3.1 recommends.
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
}

impl RevocationReason {
    /// The RFC 5280 name in camelCase (`keyCompromise`) or kebab/snake case; case-insensitive.
    pub fn from_name(name: &str) -> Option<Self> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "unspecified" => Self::Unspecified,
            "keycompromise" => Self::KeyCompromise,
            "cacompromise" => Self::CaCompromise,
            "affiliationchanged" => Self::AffiliationChanged,
            "superseded" => Self::Superseded,
            "cessationofoperation" => Self::CessationOfOperation,
            "certificatehold" => Self::CertificateHold,
            "privilegewithdrawn" => Self::PrivilegeWithdrawn,
            _ => return None,
        })
    }

    /// The RFC 5280 name, e.g. `keyCompromise`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
        }
    }

    fn code(self) -> Option<CrlReason> {
        Some(match self {
            Self::Unspecified => return None,
            Self::KeyCompromise => CrlReason::KeyCompromise,
            Self::CaCompromise => CrlReason::CaCompromise,
            Self::AffiliationChanged => CrlReason::AffiliationChanged,
            Self::Superseded => CrlReason::Superseded,
            Self::CessationOfOperation => CrlReason::CessationOfOperation,
            Self::CertificateHold => CrlReason::CertificateHold,
            Self::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
        })
    }
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The certificate's serial number, big-endian magnitude (as [`crate::Certificate::serial_hex`]
    /// prints it, decoded from hex).
    pub serial: Vec<u8>,
    /// When it was revoked (revocationDate, §5.1.2.6).
    pub revocation_time: OffsetDateTime,
    /// Why.
    pub reason: RevocationReason,
}

/// Signs a v2 CRL (RFC 5280 §5.1) for `ca` listing `revoked`, valid from `this_update` to
/// `next_update` (§5.1.2.5: conforming CAs include nextUpdate), numbered `crl_number`
/// (§5.2.3: monotonically increasing).
pub fn crl<S: Signer>(
    ca: &CaCertAndKey<S>,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, IssueError> {
    if next_update <= this_update {
        return Err(IssueError::InvalidValidity {
            reason: "nextUpdate must be after thisUpdate",
        });
    }
    let enc = tbs::encoding;
    let mut entries: Vec<RevokedCert> = Vec::with_capacity(revoked.len());
    for entry in revoked {
        let serial = tbs::serial_uint(&entry.serial)?;
        let extensions = match entry.reason.code() {
            None => None,
            Some(code) => Some(vec![Extension {
                extn_id: ID_CE_CRL_REASONS,
                critical: false,
                extn_value: OctetString::new(code.to_der().map_err(enc("reasonCode"))?)
                    .map_err(enc("reasonCode"))?,
            }]),
        };
        entries.push(RevokedCert {
            serial_number: SerialNumber::new(serial.as_bytes())
                .map_err(|_| IssueError::InvalidSerial)?,
            revocation_date: tbs::x509_time(entry.revocation_time)?,
            crl_entry_extensions: extensions,
        });
    }

    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(ca.key_identifier.clone()).map_err(enc("AKI"))?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let number = CrlNumber(Uint::new(&crl_number.to_be_bytes()).map_err(enc("cRLNumber"))?);
    let crl_extensions = vec![
        Extension {
            extn_id: AuthorityKeyIdentifier::OID,
            critical: false,
            extn_value: OctetString::new(aki.to_der().map_err(enc("AKI"))?).map_err(enc("AKI"))?,
        },
        Extension {
            extn_id: CrlNumber::OID,
            critical: false,
            extn_value: OctetString::new(number.to_der().map_err(enc("cRLNumber"))?)
                .map_err(enc("cRLNumber"))?,
        },
    ];

    let signature_algorithm = ca.key.algorithm();
    let tbs_list = TbsCertList {
        version: Version::V2,
        signature: signature_algorithm.clone(),
        issuer: ca.subject().clone(),
        this_update: tbs::x509_time(this_update)?,
        next_update: Some(tbs::x509_time(next_update)?),
        // §5.1.2.6: absent, not empty, when nothing is revoked.
        revoked_certificates: if entries.is_empty() {
            None
        } else {
            Some(entries)
        },
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs_list.to_der().map_err(enc("TBSCertList"))?;
    let signature = ca.key.sign(&tbs_der)?;
    let list = CertificateList {
        tbs_cert_list: tbs_list,
        signature_algorithm,
        signature: BitString::from_bytes(&signature).map_err(enc("signature"))?,
    };
    list.to_der().map_err(enc("CertificateList"))
}
