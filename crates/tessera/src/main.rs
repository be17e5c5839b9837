//! `tessera`: the command-line face of the Tessera client.
//!
//! Parse → call the library → render. Errors become a localized message and an exit code in
//! one place, [`cli::Failure`].
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
