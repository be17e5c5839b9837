//! Chain and parse failures in words, and the stable ids JSON reports them by.

use fluent_bundle::FluentValue as V;
use tessera::i18n::Localizer;
use tessera_x509::{ParseError, chain::TrustStoreError};

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

pub(crate) use tessera::words::{chain_error_id, chain_reason};

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
