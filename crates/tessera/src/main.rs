//! `tessera`: the command-line face of the Tessera client.
//!
//! Parse → call the library → render. Errors become a localized message and an exit code in
//! one place, [`cli::Failure`].

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
