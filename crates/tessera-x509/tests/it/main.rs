//! The integration tests of tessera-x509, one binary (link time is the cost on two cores).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failure panics"
)]
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "tests report what they ran"
)]

use tessera_testkit::certificate_oracle;

mod certificate_details;
mod certificate_formats;
mod certificate_mozilla;
mod certificate_sm2;
mod chain_algorithms;
mod chain_limbo;
mod chain_sm2;
mod chain_store;
mod issue_errors;
mod issue_openssl;
