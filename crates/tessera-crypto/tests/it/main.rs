//! The integration tests of tessera-crypto, one binary (link time is the cost on two cores).
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

mod bad_input;
mod bad_input_sm2;
mod evp_file;
mod malformed;
mod openssl_evp;
mod openssl_interop;
mod sm2_properties;
mod sm2_standard;
mod sm2_verify_differential;
mod two_party;
mod wycheproof;
