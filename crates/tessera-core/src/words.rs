//! What the faces say about the core's results: media failures, certificate fields and their
//! values, in the chosen language. Every face (CLI, web UI) renders through here, so a failure
//! reads the same everywhere.

use fluent_bundle::FluentValue as V;
use tessera_media::{MediumError, MediumInfo, MediumKind};
use tessera_x509::{ChainError, Field, ParseError};
use time::OffsetDateTime;

use crate::failure::Classify as _;
use crate::holder::{ChainStatus, PinWeakness};
use crate::i18n::Localizer;

/// The Fluent id for `key` under `prefix`: dots and underscores become dashes
/// (`field` + `subject.cn` → `field-subject-cn`).
pub fn fluent_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-{}", key.replace(['.', '_'], "-"))
}

/// A medium's refusal in words (its [`Classify`] message; a blocked SO PIN says what to do
/// too, since nothing else can be done with the medium).
pub fn medium_reason(l: &Localizer, e: &MediumError) -> String {
    let c = e.classify();
    match e {
        MediumError::SoPinLocked => format!("{}\n{}", c.text(l), c.recovery_text(l)),
        _ => c.text(l),
    }
}

/// The label of a certificate field, with its qualifier (general-name form, OID) and
/// criticality.
pub fn field_label(l: &Localizer, field: &Field) -> String {
    let mut label = l.text(&fluent_id("field", field.key));
    if let Some(q) = &field.qualifier {
        let id = fluent_id("qualifier", q);
        let q = if l.has(&id) { l.text(&id) } else { q.clone() };
        label = l.text_with(
            "field-with-qualifier",
            &[("label", V::from(label)), ("qualifier", V::from(q))],
        );
    }
    if field.critical == Some(true) {
        label = l.text_with("field-critical", &[("label", V::from(label))]);
    }
    label
}

/// The value of a certificate field; values from a fixed set (status, usage, key usage
/// bits...) are localized, each item of a list on its own.
pub fn field_value(l: &Localizer, field: &Field) -> String {
    let prefix = fluent_id("value", field.key);
    let localize = |item: &str| {
        let id = fluent_id(&prefix, item);
        if l.has(&id) {
            l.text(&id)
        } else {
            item.to_owned()
        }
    };
    if field.key == "extension.key_usage" {
        return field
            .value
            .split(", ")
            .map(localize)
            .collect::<Vec<_>>()
            .join(l.text("list-separator").as_str());
    }
    localize(&field.value)
}

/// A stable id for each chain failure, used in JSON and to pick the Fluent message.
pub fn chain_error_id(e: &ChainError) -> &'static str {
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
pub fn chain_reason(l: &Localizer, e: &ChainError) -> String {
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
pub fn parse_reason(l: &Localizer, e: &ParseError) -> String {
    let (id, detail) = parse_error_id(e);
    l.text_with(id, &[("detail", V::from(detail))])
}

/// The Fluent id of a parse failure (`parse-error-*`) and its `detail` argument.
pub fn parse_error_id(e: &ParseError) -> (&'static str, String) {
    match e {
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
    }
}

/// Why a new PIN was refused, under the new-PIN field.
pub fn weak_pin(l: &Localizer, weakness: PinWeakness) -> String {
    match weakness {
        PinWeakness::TooShort { min } => l.text_with("ui-pin-weak-short", &[("min", V::from(min))]),
        PinWeakness::Repeated => l.text("ui-pin-weak-repeated"),
        PinWeakness::Sequence => l.text("ui-pin-weak-sequence"),
    }
}

/// A certificate's chain status: whether it validated, in words, and the path's subjects.
pub fn chain_status(l: &Localizer, status: &ChainStatus) -> (bool, String, Vec<String>) {
    match status {
        ChainStatus::Valid { path } => (true, l.text("ui-chain-valid"), path.clone()),
        ChainStatus::Invalid(e) => (false, chain_reason(l, e), Vec::new()),
        ChainStatus::NoTrustStore { reason } => (
            false,
            l.text_with("ui-chain-no-store", &[("reason", V::from(reason.as_str()))]),
            Vec::new(),
        ),
    }
}

/// Why a locked medium is locked and what opens it again, as (message, next step): a device
/// or token with its SO PIN; a cloud key (which has none) by time or by recovering the
/// password.
pub fn locked(l: &Localizer, info: &MediumInfo) -> (String, String) {
    match info.kind {
        MediumKind::CloudKey => (
            l.text("ui-err-cloud-locked"),
            l.text("ui-next-cloud-locked"),
        ),
        _ => (l.text("ui-err-locked"), l.text("ui-next-unlock")),
    }
}
