//! What the faces say about the core's results: media failures, certificate fields and their
//! values, in the chosen language. Every face (CLI, web UI) renders through here, so a failure
//! reads the same everywhere.

use fluent_bundle::FluentValue as V;
use tessera_media::{FormatError, MediumError};
use tessera_x509::{ChainError, Field};
use time::OffsetDateTime;

use crate::i18n::Localizer;

/// The Fluent id for `key` under `prefix`: dots and underscores become dashes
/// (`field` + `subject.cn` → `field-subject-cn`).
pub fn fluent_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-{}", key.replace(['.', '_'], "-"))
}

/// A service's refusal in words: the `enroll-err-{code}` message where there is one (with the
/// problem's `tries_left` and `days` extension members as `$tries` and `$days`), else the
/// service's own detail.
pub fn service_problem(
    l: &Localizer,
    code: &str,
    detail: Option<&str>,
    tries_left: Option<u64>,
    days: Option<i64>,
) -> String {
    let id = fluent_id("enroll-err", code);
    let args = [
        ("detail", V::from(detail.unwrap_or(code).to_owned())),
        ("tries", V::from(tries_left.unwrap_or(0))),
        ("days", V::from(days.unwrap_or(0))),
    ];
    if l.has(&id) {
        l.text_with(&id, &args)
    } else {
        l.text_with("enroll-err-service", &args)
    }
}

/// A medium's refusal in words.
pub fn medium_reason(l: &Localizer, e: &MediumError) -> String {
    match e {
        MediumError::PinIncorrect { retries_left } => {
            l.text_with("err-pin-incorrect", &[("retries", V::from(*retries_left))])
        }
        MediumError::SoPinIncorrect {
            retries_left: Some(left),
        } => l.text_with("err-so-pin-incorrect-left", &[("retries", V::from(*left))]),
        MediumError::SoPinIncorrect { retries_left: None } => l.text("err-so-pin-incorrect"),
        MediumError::SoPinLocked => format!(
            "{}\n{}",
            l.text("err-so-pin-locked"),
            l.text("rec-so-pin-locked")
        ),
        MediumError::Format(FormatError::Pkcs12Password) => l.text("err-pkcs12-password"),
        MediumError::Format(FormatError::Corrupt { reason }) => l.text_with(
            "err-device-corrupt",
            &[("reason", V::from(reason.as_str()))],
        ),
        MediumError::Format(FormatError::NewerVersion { found, supported }) => l.text_with(
            "err-device-newer",
            &[
                ("found", V::from(*found)),
                ("supported", V::from(*supported)),
            ],
        ),
        MediumError::Format(FormatError::Tampered) => l.text("err-device-tampered"),
        MediumError::Locked => l.text("err-locked"),
        MediumError::NotLoggedIn => l.text("err-not-logged-in"),
        MediumError::PinLength { min, max } => l.text_with(
            "err-pin-length",
            &[("min", V::from(*min)), ("max", V::from(*max))],
        ),
        MediumError::NotFound { label } => l.text_with(
            "err-device-not-found",
            &[("label", V::from(label.as_str()))],
        ),
        MediumError::AlreadyExists { label } => {
            l.text_with("err-device-exists", &[("label", V::from(label.as_str()))])
        }
        MediumError::NotExportable => l.text("err-not-exportable"),
        MediumError::NoMatchingKey { thumbprint } => l.text_with(
            "err-no-matching-key",
            &[("thumbprint", V::from(thumbprint.as_str()))],
        ),
        other => l.text_with("err-medium", &[("reason", V::from(other.to_string()))]),
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
