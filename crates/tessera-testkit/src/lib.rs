//! What Tessera's integration tests share, so that each oracle, throwaway service and test data
//! path exists once: the `openssl` command line, SoftHSM2 tokens each in their own process, a
//! PostgreSQL cluster, `../shared/testdata`, tallies that count what ran and what was skipped,
//! and the conformance suite every medium passes.
//!
//! A missing tool or data file fails the test with what to install, unless an explicit
//! `TESSERA_SKIP_…` variable says to skip (`TESSERA_SKIP_PKCS11`, `TESSERA_SKIP_POSTGRES`).
#![forbid(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::print_stdout,
    reason = "test support: a failure here is a failed test, and tests say what they skip"
)]

pub mod certificate_oracle;
pub mod conformance;
pub mod openssl;
pub mod pg;
pub mod softhsm;
pub mod tally;
pub mod testdata;
