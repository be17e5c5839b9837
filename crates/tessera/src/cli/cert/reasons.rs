//! Chain and parse failures in words, and the stable ids JSON reports them by.

use fluent_bundle::FluentValue as V;
use tessera::i18n::Localizer;
use tessera_x509::{ChainError, ParseError, chain::TrustStoreError};
use time::OffsetDateTime;

use super::fluent_id;
use crate::cli::Failure;

pub(super) fn trust_store_failure(path: &str, e: TrustStoreError) -> Failure {
    match e {
        TrustStoreError::Io { source, .. } => Failure::Read {
            path: path.to_owned(),
            source,
        },
        TrustStoreError::Certificate(source) => Failure::Parse {
            path: path.to_owned(),
            source,
        },
        other => Failure::Parse {
            path: path.to_owned(),
            source: ParseError::Der {
                index: 0,
                reason: other.to_string(),
            },
        },
    }
}

/// A stable id for each chain failure, used in JSON and to pick the Fluent message.
pub(crate) fn chain_error_id(e: &ChainError) -> &'static str {
    match e {
        ChainError::Expired { .. } => "expired",
        ChainError::NotYetValid { .. } => "not_yet_valid",
        ChainError::UnknownIssuer => "unknown_issuer",
        ChainError::BadSignature => "bad_signature",
        ChainError::UnsupportedSignatureAlgorithm { .. } => "unsupported_signature_algorithm",
        ChainError::UnsupportedPublicKey { .. } => "unsupported_public_key",
        ChainError::PathLenExceeded => "path_len_exceeded",
        ChainError::TooManyIntermediates { .. } => "too_many_intermediates",
        ChainError::NameConstraintViolation => "name_constraint_violation",
        ChainError::NameMismatch { .. } => "name_mismatch",
        ChainError::KeyUsageNotAllowed { .. } => "key_usage_not_allowed",
        ChainError::RequiredEkuNotFound { .. } => "required_eku_not_found",
        ChainError::CaUsedAsEndEntity => "ca_used_as_end_entity",
        ChainError::EndEntityUsedAsCa => "end_entity_used_as_ca",
        ChainError::Revoked => "revoked",
        ChainError::BadCrl { .. } => "bad_crl",
        ChainError::CrlExpired { .. } => "crl_expired",
        ChainError::Distrusted => "distrusted",
        ChainError::UnsupportedCriticalExtension { .. } => "unsupported_critical_extension",
        ChainError::Malformed { .. } => "malformed",
        ChainError::TooComplex => "too_complex",
        _ => "other",
    }
}

fn rfc3339(t: &OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// A chain failure in words: the Fluent message for its id, with the variant's data.
pub(crate) fn chain_reason(l: &Localizer, e: &ChainError) -> String {
    let id = fluent_id("chain-error", chain_error_id(e));
    let detail = match e {
        ChainError::Expired { not_after: t }
        | ChainError::NotYetValid { not_before: t }
        | ChainError::CrlExpired { next_update: t } => rfc3339(t),
        _ => e.to_string(),
    };
    l.text_with(&id, &[("detail", V::from(detail))])
}

/// A parse failure in words.
pub(crate) fn parse_reason(l: &Localizer, e: &ParseError) -> String {
    let (id, detail) = match e {
        ParseError::Empty => ("parse-error-empty", String::new()),
        ParseError::TooLarge { limit } => ("parse-error-too-large", limit.to_string()),
        ParseError::UnrecognizedFormat => ("parse-error-unrecognized", String::new()),
        ParseError::Pem { reason } => ("parse-error-pem", reason.clone()),
        ParseError::Der { index, reason } => {
            ("parse-error-der", format!("#{}: {reason}", index + 1))
        }
        ParseError::Pkcs7 { reason } => ("parse-error-pkcs7", reason.clone()),
        ParseError::UnsupportedContainer { content_type } => {
            ("parse-error-container", content_type.clone())
        }
        ParseError::NoCertificate => ("parse-error-no-certificate", String::new()),
        other => ("parse-error-other", other.to_string()),
    };
    l.text_with(id, &[("detail", V::from(detail))])
}
