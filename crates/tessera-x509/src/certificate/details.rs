//! The details model: everything the certificate view shows, as one serializable value.
//!
//! Its JSON is a contract (`tessera cert show --format json`): members are only ever added.

use serde::{Deserialize, Serialize};
use tessera_crypto::digest::DigestAlgorithm;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Certificate;
use super::algorithm::{PublicKeyDetails, SignatureAlgorithmDetails};
use super::extensions::{ExtensionDetails, ExtensionValue, KeyUsageBit};
use super::name::NameDetails;

/// How long before notAfter a certificate counts as expiring soon.
pub const EXPIRING_SOON: time::Duration = time::Duration::days(30);

/// Everything about one certificate, for display and `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateDetails {
    /// X.509 version: 1, 2 or 3 (RFC 5280 §4.1.2.1).
    pub version: u8,
    /// serialNumber (RFC 5280 §4.1.2.2): lowercase hex of the INTEGER's magnitude without
    /// leading zero octets — what `openssl x509 -serial` prints, in lower case; `-` first if
    /// negative, `00` for zero.
    pub serial: String,
    /// subject (RFC 5280 §4.1.2.6).
    pub subject: NameDetails,
    /// issuer (RFC 5280 §4.1.2.4).
    pub issuer: NameDetails,
    /// Whether subject and issuer are the same name (self-issued, RFC 5280 §3.2).
    pub self_issued: bool,
    /// validity (RFC 5280 §4.1.2.5) and where `now` falls in it.
    pub validity: ValidityDetails,
    /// What the key is for and whether the subject is a CA.
    pub kind: CertificateKind,
    /// subjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub public_key: PublicKeyDetails,
    /// signatureAlgorithm (RFC 5280 §4.1.1.2).
    pub signature_algorithm: SignatureAlgorithmDetails,
    /// Extensions in encoded order (RFC 5280 §4.2); empty for v1 certificates.
    pub extensions: Vec<ExtensionDetails>,
    /// Digests of the whole DER certificate.
    pub thumbprints: Thumbprints,
}

/// The validity period, in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityDetails {
    /// notBefore, RFC 3339 (`2024-01-31T08:00:00Z`).
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Status at the time the details were made.
    pub status: ValidityStatus,
    /// Whole days from then until notAfter (negative once expired).
    pub days_remaining: i64,
}

/// Where a moment falls in the validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityStatus {
    /// Before notBefore.
    NotYetValid,
    /// Within the period, more than [`EXPIRING_SOON`] before notAfter.
    Valid,
    /// Within the period and at most [`EXPIRING_SOON`] before notAfter.
    ExpiringSoon,
    /// After notAfter.
    Expired,
}

impl ValidityStatus {
    /// Stable identifier, as in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::NotYetValid => "not_yet_valid",
            Self::Valid => "valid",
            Self::ExpiringSoon => "expiring_soon",
            Self::Expired => "expired",
        }
    }

    /// Status of the period `[not_before, not_after]` at `now` (RFC 5280 §4.1.2.5: both ends
    /// are inclusive).
    pub fn at(not_before: OffsetDateTime, not_after: OffsetDateTime, now: OffsetDateTime) -> Self {
        if now < not_before {
            Self::NotYetValid
        } else if now > not_after {
            Self::Expired
        } else if not_after - now <= EXPIRING_SOON {
            Self::ExpiringSoon
        } else {
            Self::Valid
        }
    }
}

/// The kind of certificate, as users classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateKind {
    /// Signing, encryption or both, from keyUsage.
    pub usage: KeyUsageClass,
    /// CA or end entity, from basicConstraints.
    pub authority: Authority,
    /// pathLenConstraint of a CA, if any.
    pub path_len: Option<u32>,
}

/// What keyUsage allows the key to do (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyUsageClass {
    /// Only signing bits (digitalSignature, nonRepudiation, keyCertSign, cRLSign).
    Signing,
    /// Only encryption bits (keyEncipherment, dataEncipherment, keyAgreement).
    Encryption,
    /// Bits of both kinds.
    Both,
    /// No keyUsage extension (or no bits): RFC 5280 places no restriction on the key.
    Unrestricted,
}

/// Whether the subject may issue certificates (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// basicConstraints with cA TRUE.
    Ca,
    /// Anything else.
    EndEntity,
}

/// Thumbprints over the whole DER, lowercase hex without separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbprints {
    /// SHA-1: the one users compare by default (Windows and most CAs show it).
    pub sha1: String,
    /// SHA-256.
    pub sha256: String,
    /// SM3 (GB/T 32905).
    pub sm3: String,
    /// MD5.
    pub md5: String,
}

impl KeyUsageClass {
    /// Stable identifier, as in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Encryption => "encryption",
            Self::Both => "both",
            Self::Unrestricted => "unrestricted",
        }
    }

    /// Classifies a set of keyUsage bits.
    pub fn from_bits(bits: &[KeyUsageBit]) -> Self {
        use KeyUsageBit as B;
        let sign = bits.iter().any(|b| {
            matches!(
                b,
                B::DigitalSignature | B::NonRepudiation | B::KeyCertSign | B::CrlSign
            )
        });
        let enc = bits.iter().any(|b| {
            matches!(
                b,
                B::KeyEncipherment
                    | B::DataEncipherment
                    | B::KeyAgreement
                    | B::EncipherOnly
                    | B::DecipherOnly
            )
        });
        match (sign, enc) {
            (true, true) => Self::Both,
            (true, false) => Self::Signing,
            (false, true) => Self::Encryption,
            (false, false) => Self::Unrestricted,
        }
    }
}

impl Authority {
    /// Stable identifier, as in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::Ca => "ca",
            Self::EndEntity => "end_entity",
        }
    }
}

/// RFC 3339 in UTC with a `Z`; falls back to the Unix timestamp, which cannot happen for the
/// years 1950–9999 a certificate can encode.
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

impl CertificateDetails {
    /// Builds the details of `cert`, with the validity status at `now`.
    pub fn new(cert: &Certificate, now: OffsetDateTime) -> Self {
        let tbs = cert.x509().tbs_certificate();
        let extensions: Vec<ExtensionDetails> = tbs
            .extensions()
            .into_iter()
            .flatten()
            .map(ExtensionDetails::from_extension)
            .collect();
        let mut usage = KeyUsageClass::Unrestricted;
        let mut authority = Authority::EndEntity;
        let mut path_len = None;
        for ext in &extensions {
            match &ext.value {
                ExtensionValue::KeyUsage { usages } => usage = KeyUsageClass::from_bits(usages),
                ExtensionValue::BasicConstraints {
                    ca: true,
                    path_len: p,
                } => {
                    authority = Authority::Ca;
                    path_len = *p;
                }
                _ => {}
            }
        }
        let (not_before, not_after) = (cert.not_before(), cert.not_after());
        let status = ValidityStatus::at(not_before, not_after, now);
        let days_remaining = (not_after - now).whole_days();
        CertificateDetails {
            version: match tbs.version() {
                x509_cert::certificate::Version::V1 => 1,
                x509_cert::certificate::Version::V2 => 2,
                x509_cert::certificate::Version::V3 => 3,
            },
            serial: cert.serial_hex(),
            subject: NameDetails::from_name(tbs.subject()),
            issuer: NameDetails::from_name(tbs.issuer()),
            self_issued: tbs.subject() == tbs.issuer(),
            validity: ValidityDetails {
                not_before: rfc3339(not_before),
                not_after: rfc3339(not_after),
                status,
                days_remaining,
            },
            kind: CertificateKind {
                usage,
                authority,
                path_len,
            },
            public_key: PublicKeyDetails::from_spki(tbs.subject_public_key_info()),
            signature_algorithm: SignatureAlgorithmDetails::from_algorithm(
                cert.x509().signature_algorithm(),
            ),
            extensions,
            thumbprints: Thumbprints {
                sha1: cert.thumbprint(DigestAlgorithm::Sha1),
                sha256: cert.thumbprint(DigestAlgorithm::Sha256),
                sm3: cert.thumbprint(DigestAlgorithm::Sm3),
                md5: cert.thumbprint(DigestAlgorithm::Md5),
            },
        }
    }
}
