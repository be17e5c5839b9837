//! Why a chain was rejected, as data; the faces turn a variant into words.

use const_oid::ObjectIdentifier;
use time::OffsetDateTime;

use super::policy::KeyUsageBit;

/// Why a certificate chain did not validate.
///
/// Each variant names the RFC 5280 rule that failed; where rustls-webpki found the problem its
/// error is mapped onto the closest variant (see `From<webpki::Error>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A certificate's notAfter is before the validation time (RFC 5280 §4.1.2.5, §6.1.3 (a)(2)).
    #[error("a certificate in the chain expired at {not_after}")]
    Expired {
        /// The notAfter of the expired certificate.
        not_after: OffsetDateTime,
    },
    /// A certificate's notBefore is after the validation time (RFC 5280 §4.1.2.5).
    #[error("a certificate in the chain is not valid before {not_before}")]
    NotYetValid {
        /// The notBefore of that certificate.
        not_before: OffsetDateTime,
    },
    /// No path leads to a trusted root (RFC 5280 §6.1: no prospective certification path).
    #[error("no chain to a trusted root was found")]
    UnknownIssuer,
    /// A signature in the chain does not verify under its issuer's key (RFC 5280 §6.1.3 (a)(1)).
    #[error("a certificate's signature does not verify")]
    BadSignature,
    /// A certificate is signed with an algorithm Tessera does not accept.
    #[error("unsupported signature algorithm {algorithm}")]
    UnsupportedSignatureAlgorithm {
        /// Dotted OID of the signature algorithm (or hex when it is not an OID).
        algorithm: String,
    },
    /// An issuer's (or the end entity's) public key is of a type, curve or size Tessera does not
    /// accept, or does not fit the signature algorithm.
    #[error("unsupported public key: {reason}")]
    UnsupportedPublicKey {
        /// What is wrong with the key.
        reason: String,
    },
    /// A CA's pathLenConstraint is exceeded (RFC 5280 §4.2.1.9, §6.1.4 (l)-(m)).
    #[error("a CA's path length constraint is exceeded")]
    PathLenExceeded,
    /// More intermediates than the caller allows.
    #[error("the chain has more than {max} intermediate certificates")]
    TooManyIntermediates {
        /// The caller's limit.
        max: usize,
    },
    /// A name in the chain is outside a CA's name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)).
    #[error("a name in the chain violates a CA's name constraints")]
    NameConstraintViolation,
    /// The end entity is not valid for the requested name (RFC 5280 §4.2.1.6).
    #[error("the certificate is not valid for {expected}")]
    NameMismatch {
        /// The name that was asked for.
        expected: String,
    },
    /// A keyUsage extension does not allow the use (RFC 5280 §4.2.1.3).
    #[error("key usage does not allow {}", display_bits(.required))]
    KeyUsageNotAllowed {
        /// The bits of which at least one was needed.
        required: Vec<KeyUsageBit>,
    },
    /// An extKeyUsage extension in the path lacks a required purpose (RFC 5280 §4.2.1.12).
    #[error("extended key usage lacks a required purpose")]
    RequiredEkuNotFound {
        /// The purposes that were required.
        required: Vec<ObjectIdentifier>,
    },
    /// A CA certificate was presented as the end entity.
    #[error("a CA certificate is used as an end-entity certificate")]
    CaUsedAsEndEntity,
    /// A certificate that is not a CA issues another (RFC 5280 §4.2.1.9, §6.1.4 (k)).
    #[error("an end-entity certificate is used as a CA")]
    EndEntityUsedAsCa,
    /// A certificate in the chain is on a CRL (RFC 5280 §6.3).
    #[error("a certificate in the chain is revoked")]
    Revoked,
    /// A CRL that covers a certificate in the chain could not be used (RFC 5280 §5, §6.3.3).
    #[error("CRL rejected: {reason}")]
    BadCrl {
        /// What is wrong with the CRL.
        reason: &'static str,
    },
    /// A CRL's nextUpdate is before the validation time (RFC 5280 §5.1.2.5).
    #[error("a CRL is out of date since {next_update}")]
    CrlExpired {
        /// The CRL's nextUpdate.
        next_update: OffsetDateTime,
    },
    /// A certificate's key is explicitly distrusted.
    #[error("a certificate's key is distrusted")]
    Distrusted,
    /// A certificate has a critical extension we do not process (RFC 5280 §4.2).
    #[error("unsupported critical extension{}", .oid.as_ref().map(|o| format!(" {o}")).unwrap_or_default())]
    UnsupportedCriticalExtension {
        /// The extension's OID, when known.
        oid: Option<ObjectIdentifier>,
    },
    /// A certificate is badly encoded or breaks an RFC 5280 profile rule.
    #[error("malformed certificate: {reason}")]
    Malformed {
        /// Which rule is broken, citing its clause.
        reason: &'static str,
    },
    /// Path building gave up: too many candidate paths, signatures or name comparisons.
    #[error("the chain is too complex to validate")]
    TooComplex,
}

fn display_bits(bits: &[KeyUsageBit]) -> String {
    bits.iter()
        .map(|b| b.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A webpki time as a date.
pub(crate) fn datetime(t: rustls_pki_types::UnixTime) -> OffsetDateTime {
    datetime_secs(t.as_secs())
}

/// Seconds since 1970 as a date, saturating at the ends of what `time` can show.
pub(crate) fn datetime_secs(secs: u64) -> OffsetDateTime {
    i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::macros::datetime!(9999-12-31 23:59:59 UTC))
}

/// The OID at the head of an AlgorithmIdentifier's DER content, dotted, else the bytes in hex.
fn algorithm_name(alg_id: &[u8]) -> String {
    match alg_id {
        [0x06, len, rest @ ..] if usize::from(*len) <= rest.len() => {
            match ObjectIdentifier::from_bytes(&rest[..usize::from(*len)]) {
                Ok(oid) => oid.to_string(),
                Err(_) => hex::encode(alg_id),
            }
        }
        _ => hex::encode(alg_id),
    }
}

impl From<webpki::Error> for ChainError {
    fn from(err: webpki::Error) -> Self {
        use webpki::Error as E;
        #[allow(
            deprecated,
            reason = "webpki still returns the context-free variants in places"
        )]
        match err {
            E::CertExpired { not_after, .. } => Self::Expired {
                not_after: datetime(not_after),
            },
            E::CertNotValidYet { not_before, .. } => Self::NotYetValid {
                not_before: datetime(not_before),
            },
            E::UnknownIssuer => Self::UnknownIssuer,
            E::InvalidSignatureForPublicKey => Self::BadSignature,
            E::UnsupportedSignatureAlgorithmContext(cx) => Self::UnsupportedSignatureAlgorithm {
                algorithm: algorithm_name(&cx.signature_algorithm_id),
            },
            E::UnsupportedSignatureAlgorithm => Self::UnsupportedSignatureAlgorithm {
                algorithm: "unknown".into(),
            },
            E::UnsupportedSignatureAlgorithmForPublicKeyContext(cx) => Self::UnsupportedPublicKey {
                reason: format!(
                    "key algorithm {} cannot verify {}",
                    algorithm_name(&cx.public_key_algorithm_id),
                    algorithm_name(&cx.signature_algorithm_id)
                ),
            },
            E::UnsupportedSignatureAlgorithmForPublicKey => Self::UnsupportedPublicKey {
                reason: "key algorithm does not fit the signature".into(),
            },
            E::PathLenConstraintViolated => Self::PathLenExceeded,
            E::MaximumPathDepthExceeded => Self::TooManyIntermediates {
                max: MAX_WEBPKI_INTERMEDIATES,
            },
            E::NameConstraintViolation => Self::NameConstraintViolation,
            E::CertNotValidForName(cx) => Self::NameMismatch {
                expected: format!("{:?}", cx.expected),
            },
            E::UnsupportedNameType => Self::NameMismatch {
                expected: "an unsupported name type".into(),
            },
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
                Self::RequiredEkuNotFound {
                    required: Vec::new(),
                }
            }
            E::CaUsedAsEndEntity => Self::CaUsedAsEndEntity,
            E::EndEntityUsedAsCa => Self::EndEntityUsedAsCa,
            E::CertRevoked => Self::Revoked,
            E::UnknownRevocationStatus => Self::BadCrl {
                reason: "revocation status unknown",
            },
            E::CrlExpired { next_update, .. } => Self::CrlExpired {
                next_update: datetime(next_update),
            },
            E::InvalidCrlSignatureForPublicKey => Self::BadCrl {
                reason: "signature does not verify",
            },
            E::UnsupportedCrlSignatureAlgorithm
            | E::UnsupportedCrlSignatureAlgorithmContext(_)
            | E::UnsupportedCrlSignatureAlgorithmForPublicKey
            | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Self::BadCrl {
                reason: "unsupported signature algorithm",
            },
            E::IssuerNotCrlSigner => Self::BadCrl {
                reason: "issuer's key usage lacks cRLSign (RFC 5280 §4.2.1.3)",
            },
            E::InvalidCrlNumber => Self::BadCrl {
                reason: "invalid cRLNumber (RFC 5280 §5.2.3)",
            },
            E::UnsupportedCrlVersion => Self::BadCrl {
                reason: "not a v2 CRL (RFC 5280 §5.1.2.1)",
            },
            E::UnsupportedDeltaCrl => Self::BadCrl {
                reason: "delta CRLs are not supported",
            },
            E::UnsupportedIndirectCrl => Self::BadCrl {
                reason: "indirect CRLs are not supported",
            },
            E::UnsupportedRevocationReason => Self::BadCrl {
                reason: "unsupported revocation reason",
            },
            E::UnsupportedRevocationReasonsPartitioning => Self::BadCrl {
                reason: "CRLs partitioned by reason are not supported",
            },
            E::UnsupportedCrlIssuingDistributionPoint => Self::BadCrl {
                reason: "unsupported issuing distribution point",
            },
            E::CertDistrusted => Self::Distrusted,
            E::UnsupportedCriticalExtension => Self::UnsupportedCriticalExtension { oid: None },
            E::UnsupportedCertVersion => Self::Malformed {
                reason: "not an X.509 v3 certificate (RFC 5280 §4.1.2.1)",
            },
            E::SignatureAlgorithmMismatch => Self::Malformed {
                reason: "signature and signatureAlgorithm differ (RFC 5280 §4.1.1.2)",
            },
            E::InvalidCertValidity => Self::Malformed {
                reason: "notBefore is after notAfter (RFC 5280 §4.1.2.5)",
            },
            E::InvalidSerialNumber => Self::Malformed {
                reason: "invalid serial number (RFC 5280 §4.1.2.2)",
            },
            E::EmptyEkuExtension => Self::Malformed {
                reason: "empty extKeyUsage (RFC 5280 §4.2.1.12)",
            },
            E::MalformedDnsIdentifier => Self::Malformed {
                reason: "malformed DNS name",
            },
            E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => Self::Malformed {
                reason: "malformed name constraint (RFC 5280 §4.2.1.10)",
            },
            E::MalformedExtensions | E::ExtensionValueInvalid => Self::Malformed {
                reason: "malformed extension",
            },
            E::BadDerTime => Self::Malformed {
                reason: "malformed time",
            },
            E::BadDer | E::TrailingData(_) => Self::Malformed {
                reason: "malformed DER",
            },
            E::MaximumSignatureChecksExceeded
            | E::MaximumPathBuildCallsExceeded
            | E::MaximumNameConstraintComparisonsExceeded => Self::TooComplex,
            _ => Self::Malformed {
                reason: "rejected by rustls-webpki for a reason it does not classify",
            },
        }
    }
}

/// webpki's own limit on intermediates in a path.
const MAX_WEBPKI_INTERMEDIATES: usize = 6;
