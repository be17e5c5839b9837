//! Chain and parse failures in words, and the stable ids JSON reports them by.

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

pub(crate) use tessera_core::words::{chain_error_id, chain_reason, parse_reason};
