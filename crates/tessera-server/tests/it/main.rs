//! The integration tests of tessera-server, one binary (link time is the cost on two cores).
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

mod support {
    pub(crate) mod cloud_driver;
    pub(crate) use tessera_testkit::pg;
}

mod api;
mod ca;
mod cloud;
mod cloud_spawn;
mod config;
mod gateway;
mod ra;
mod spawn;
mod store;
