//! The integration tests of tessera-media, one binary (link time is the cost on two cores).
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

use tessera_testkit::{conformance as suite, openssl, softhsm};

mod conformance;
mod crash;
mod file_device;
mod framed;
mod pkcs11_interop;
mod pkcs11_softhsm;
mod pkcs12;
