//! Command-line definitions and dispatch: `tessera <noun> <verb>`.

mod cert;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use tessera::i18n::{Lang, Localizer};

pub(crate) use output::Output;

/// Output format of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    /// Labelled lines for people, in the chosen language.
    #[default]
    Text,
    /// JSON for programs; the shape is a tested contract.
    Json,
}

/// Tessera: certificates and their keys, SM2/SM3/SM4 beside RSA and ECDSA.
#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// Language of messages and labels: zh-CN or en-US (default: from the locale).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(subcommand)]
    command: Noun,
}

#[derive(Debug, Subcommand)]
enum Noun {
    /// Certificates: show details, verify chains.
    #[command(subcommand)]
    Cert(cert::CertCommand),
}

/// How a command failed: the exit code and the localized message in one place.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The input is not a certificate we can parse.
    #[error("{path}: {source}")]
    Parse {
        path: String,
        source: tessera_x509::certificate::ParseError,
    },
    /// The chain did not validate.
    #[error("{reason}")]
    ChainInvalid {
        reason: tessera_x509::chain::ChainError,
    },
    /// Output could not be written (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
    /// An unexpected internal error.
    #[error("{0}")]
    Internal(String),
}

/// Exit codes, as documented in `tessera --help`.
pub(crate) mod exit {
    pub(crate) const OK: u8 = 0;
    pub(crate) const INTERNAL: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const READ: u8 = 3;
    pub(crate) const PARSE: u8 = 4;
    pub(crate) const CHAIN_INVALID: u8 = 5;
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Read { .. } => exit::READ,
            Self::Parse { .. } => exit::PARSE,
            Self::ChainInvalid { .. } => exit::CHAIN_INVALID,
            Self::Write(_) | Self::Internal(_) => exit::INTERNAL,
        }
    }

    fn message(&self, l: &Localizer) -> String {
        use fluent_bundle::FluentValue as V;
        match self {
            Self::Read { path, source } => l.text_with(
                "err-read",
                &[
                    ("path", V::from(path.as_str())),
                    ("reason", V::from(source.to_string())),
                ],
            ),
            Self::Parse { path, source } => l.text_with(
                "err-parse",
                &[
                    ("path", V::from(path.as_str())),
                    ("reason", V::from(cert::parse_reason(l, source))),
                ],
            ),
            Self::ChainInvalid { reason } => l.text_with(
                "err-chain-invalid",
                &[("reason", V::from(cert::chain_reason(l, reason)))],
            ),
            Self::Write(e) => l.text_with("err-write", &[("reason", V::from(e.to_string()))]),
            Self::Internal(detail) => {
                l.text_with("err-internal", &[("reason", V::from(detail.as_str()))])
            }
        }
    }
}

/// The language named by `--lang` on the command line, read before clap so that help and
/// errors from parsing are already localized.
fn lang_from_args() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_owned)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    })
}

fn command(l: &Localizer) -> clap::Command {
    Cli::command()
        .after_help(l.text("help-after-main"))
        .mut_subcommand("cert", |c| {
            c.mut_subcommand("show", |s| s.after_help(l.text("help-after-cert-show")))
                .mut_subcommand("verify", |s| s.after_help(l.text("help-after-cert-verify")))
        })
}

/// Runs the command line and returns the process exit code.
pub(crate) fn run() -> ExitCode {
    let lang = Lang::detect(lang_from_args().as_deref());
    let l = Localizer::new(lang);
    let matches = match command(&l).try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(exit::USAGE);
        }
    };
    let mut out = Output::stdout(cli.format, &l);
    let result = match cli.command {
        Noun::Cert(cmd) => cert::run(cmd, &mut out),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that stops early (`| head`) is not an error.
        Err(Failure::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::OK)
        }
        Err(failure) => {
            out.error(&failure.message(&l));
            ExitCode::from(failure.exit_code())
        }
    }
}
