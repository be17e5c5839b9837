//! `tessera`: the command-line face of the Tessera client ([`tessera::cli`]).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    tessera::cli::run()
}
