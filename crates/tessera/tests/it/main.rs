//! The integration tests of the tessera client, one binary (link time is the cost on two cores).
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

use tessera_testkit::{certificate_oracle as oracle, conformance as suite};

mod support {
    pub(crate) mod browser;
    pub(crate) mod service;
}

mod cli_cert;
mod cli_cloud;
mod cli_enroll;
mod cli_media;
mod cli_pkcs11;
mod cloud_conformance;
mod ui_browser;
mod ui_self_service;
mod update_feed;
