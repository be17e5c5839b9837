//! Command-line definitions and dispatch: `tessera <noun> <verb>`.

mod cert;
mod cloud;
mod confirm;
mod device;
mod enroll;
mod examples;
mod key;
mod output;
mod pin;
mod secret;
mod settings;
mod sign;
mod ui;

use std::process::ExitCode;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use fluent_bundle::FluentValue as V;
use tessera_core::app::{App, AppError};
use tessera_core::failure::{Classified, Classify as _};
use tessera_core::i18n::{Lang, Localizer};
use tessera_media::{Medium, MediumError};

pub(crate) use output::Output;

/// Output format of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Format {
    /// Labelled lines for people, in the chosen language.
    #[default]
    Text,
    /// JSON for programs; the shape is a tested contract.
    Json,
}

/// `--format` as given: `pem` is text for every command but those that print a certificate,
/// which print it as PEM ([`Output::pem`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Labelled lines for people, in the chosen language.
    Text,
    /// JSON for programs; the shape is a tested contract.
    Json,
    /// A certificate as PEM (other output as text).
    Pem,
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
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Data directory (default: TESSERA_DATA_DIR, else the platform's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Noun,
}

#[derive(Debug, Subcommand)]
enum Noun {
    /// Certificates: show details, verify chains, list, import, export and delete on devices.
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Media: list, create, inspect and unlock devices.
    #[command(subcommand)]
    Device(device::DeviceCommand),
    /// Key pairs on devices.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// PINs of devices.
    #[command(subcommand)]
    Pin(pin::PinCommand),
    /// Sign a file or a hash with a key on a device.
    Sign(sign::SignArgs),
    /// Verify a signature with a certificate or public key.
    Verify(sign::VerifyArgs),
    /// Self-service at a Tessera service: apply, business query, install, renew.
    Enroll(enroll::EnrollArgs),
    /// Cloud keys: accounts at a co-signing service, sign and decrypt with two-party SM2.
    Cloud(cloud::CloudArgs),
    /// Client settings: PIN cache time, language, business type.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Serve the app's web UI on 127.0.0.1 and open it in the browser; the first line of output
    /// is the opening URL with its per-launch token. Runs until Ctrl-C.
    Ui(ui::UiArgs),
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
    /// A key in a file is not usable.
    #[error("{path}: {source}")]
    Crypto {
        path: String,
        source: tessera_crypto::CryptoError,
    },
    /// The app core refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// A self-service step failed.
    #[error(transparent)]
    Enroll(#[from] tessera_core::enroll::EnrollError),
    /// A cloud-key step failed.
    #[error(transparent)]
    Cloud(#[from] tessera_core::cloud::CloudError),
    /// No PIN file was given and there is no terminal to ask on.
    #[error("no PIN given")]
    NoPin,
    /// The new PIN and its confirmation differ.
    #[error("PINs differ")]
    PinMismatch,
    /// A destructive command was neither confirmed at a terminal nor given `--yes`.
    #[error("not confirmed")]
    Unconfirmed,
    /// The holder answered no to a confirmation.
    #[error("declined")]
    Declined,
    /// The arguments are not usable, in words.
    #[error("{0}")]
    Usage(String),
    /// Output could not be written (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
    /// An unexpected internal error.
    #[error("{0}")]
    Internal(String),
}

/// Exit codes, as documented in `tessera --help`.
pub(crate) use tessera_core::failure::exit;

impl From<MediumError> for Failure {
    fn from(e: MediumError) -> Self {
        Self::App(AppError::Medium(e))
    }
}

impl From<tessera_core::settings::SettingsError> for Failure {
    fn from(e: tessera_core::settings::SettingsError) -> Self {
        Self::App(AppError::Settings(e))
    }
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Read { .. } => exit::READ,
            Self::Parse { .. } => exit::PARSE,
            Self::ChainInvalid { .. } => exit::INVALID,
            Self::Crypto { .. } => exit::PARSE,
            Self::NoPin | Self::PinMismatch | Self::Usage(_) | Self::Unconfirmed => exit::USAGE,
            Self::Declined => exit::REFUSED,
            Self::App(e) => e.classify().exit,
            Self::Enroll(e) => e.classify().exit,
            Self::Cloud(e) => e.classify().exit,
            Self::Write(_) | Self::Internal(_) => exit::INTERNAL,
        }
    }

    /// The core's classification, for the failures that come from the core.
    fn classified(&self) -> Option<Classified> {
        match self {
            Self::App(e) => Some(e.classify()),
            Self::Enroll(e) => Some(e.classify()),
            Self::Cloud(e) => Some(e.classify()),
            _ => None,
        }
    }

    /// What to do about it (rage's pattern: the hint under the error), in the user's language.
    fn recovery(&self, l: &Localizer) -> Option<String> {
        let id = match self {
            Self::Read { .. } => "rec-read",
            Self::Parse { .. } | Self::Crypto { .. } => "rec-parse",
            Self::ChainInvalid { .. } => "rec-chain-invalid",
            Self::NoPin => "rec-no-pin",
            Self::PinMismatch => "rec-pin-mismatch",
            Self::Unconfirmed => "rec-unconfirmed",
            Self::Write(_) => "rec-write",
            Self::Internal(_) => "rec-internal",
            Self::Declined | Self::Usage(_) => return None,
            Self::App(_) | Self::Enroll(_) | Self::Cloud(_) => {
                return self.classified().map(|c| c.recovery_text(l));
            }
        };
        Some(l.text(id))
    }

    fn message(&self, l: &Localizer) -> String {
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
            Self::Crypto { path, source } => l.text_with(
                "err-parse",
                &[
                    ("path", V::from(path.as_str())),
                    ("reason", V::from(source.to_string())),
                ],
            ),
            Self::App(e) => core_message(l, &e.classify()),
            Self::Enroll(e) => core_message(l, &e.classify()),
            Self::Cloud(e) => core_message(l, &e.classify()),
            Self::NoPin => l.text("err-no-pin"),
            Self::PinMismatch => l.text("err-pin-mismatch"),
            Self::Unconfirmed => l.text("err-unconfirmed"),
            Self::Declined => l.text("err-declined"),
            Self::Usage(message) => message.clone(),
            Self::Write(e) => l.text_with("err-write", &[("reason", V::from(e.to_string()))]),
            Self::Internal(detail) => {
                l.text_with("err-internal", &[("reason", V::from(detail.as_str()))])
            }
        }
    }
}

/// A failure of the core in words; a service refusal names its problem code too, for the
/// service's support.
fn core_message(l: &Localizer, c: &Classified) -> String {
    match &c.code {
        Some(code) => l.text_with(
            "err-service-refused",
            &[
                ("message", V::from(c.text(l))),
                ("code", V::from(code.as_str())),
            ],
        ),
        None => c.text(l),
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
    let main = Cli::command()
        .after_help(l.text("help-after-main"))
        .mut_subcommand("cert", |c| {
            c.mut_subcommand("show", |s| s.after_help(l.text("help-after-cert-show")))
                .mut_subcommand("verify", |s| s.after_help(l.text("help-after-cert-verify")))
        });
    with_examples(main, "", l)
}

/// Gives every command without its own `after_help` the shared one: its examples, then the
/// exit codes (`tessera --help` promises both for every command).
fn with_examples(mut cmd: clap::Command, path: &str, l: &Localizer) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| with_examples(s, &sub_path, l));
    }
    if cmd.get_after_help().is_some() {
        return cmd;
    }
    let mut text = String::new();
    if let Some(lines) = examples::of(path) {
        text.push_str(&l.text("help-examples"));
        for line in lines {
            text.push_str("\n  ");
            text.push_str(line);
        }
        text.push_str("\n\n");
    }
    text.push_str(&l.text("help-exit-codes"));
    cmd.after_help(text)
}

/// Runs the command line and returns the process exit code.
/// Runs the command line: parse, call the core, render; returns the exit code.
pub fn run() -> ExitCode {
    crate::net::install();
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
    let format = match cli.format {
        FormatArg::Json => Format::Json,
        FormatArg::Text | FormatArg::Pem => Format::Text,
    };
    let mut out = Output::stdout(format, &l);
    out.pem = cli.format == FormatArg::Pem;
    let result = dispatch(cli.command, cli.data_dir.as_deref(), &mut out);
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that stops early (`| head`) is not an error.
        Err(Failure::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::OK)
        }
        Err(failure) => {
            out.error(&failure.message(&l));
            if let Some(hint) = failure.recovery(&l) {
                out.hint(&hint);
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

fn dispatch(command: Noun, data_dir: Option<&Path>, out: &mut Output<'_>) -> Result<u8, Failure> {
    let app = || App::open(data_dir);
    match command {
        Noun::Cert(cmd) => cert::run(cmd, data_dir, out),
        Noun::Device(cmd) => device::run(cmd, &mut app()?, out),
        Noun::Key(cmd) => key::run(cmd, &mut app()?, out),
        Noun::Pin(cmd) => pin::run(cmd, &mut app()?, out),
        Noun::Sign(args) => sign::sign(args, &mut app()?, out),
        Noun::Verify(args) => sign::verify(args, out),
        Noun::Settings(cmd) => settings::run(cmd, &mut app()?, out),
        Noun::Enroll(args) => enroll::run(args, &mut app()?, out),
        Noun::Cloud(args) => cloud::run(args, &mut app()?, out),
        Noun::Ui(args) => ui::run(args, data_dir, out),
    }
}

/// Reads a whole input file (`-` for standard input), refusing anything over the parser's limit.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    const LIMIT: usize = tessera_x509::certificate::MAX_INPUT_LEN;
    let read_failure = |source| Failure::Read {
        path: path.to_owned(),
        source,
    };
    let mut buf = Vec::new();
    if path == "-" {
        std::io::stdin()
            .take(LIMIT as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(read_failure)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(LIMIT as u64 + 1).read_to_end(&mut buf))
            .map_err(read_failure)?;
    }
    if buf.len() > LIMIT {
        return Err(Failure::Parse {
            path: path.to_owned(),
            source: tessera_x509::ParseError::TooLarge { limit: LIMIT },
        });
    }
    Ok(buf)
}

/// The PIN from `--pin-file` or a prompt, as the app core asks for it.
pub(crate) fn ask_pin<'a>(
    l: &'a Localizer,
    pin_file: Option<&'a Path>,
) -> impl FnMut() -> Result<tessera_media::Pin, AppError> + 'a {
    move || {
        secret::pin(l, pin_file, "prompt-pin").map_err(|e| AppError::PinUnavailable {
            reason: e.message(l),
        })
    }
}

/// Logs in to `medium` through the app core (PIN cache first, then `--pin-file` or a prompt).
pub(crate) fn login(
    app: &mut App,
    medium: &mut dyn Medium,
    l: &Localizer,
    pin_file: Option<&Path>,
) -> Result<(), Failure> {
    Ok(app.login(medium, &mut ask_pin(l, pin_file))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's help ends with examples and the exit codes, in both languages, and
    /// every example is a command line the parser accepts.
    #[test]
    fn every_command_has_examples_and_exit_codes() {
        fn walk(cmd: &clap::Command, path: &str, l: &Localizer, seen: &mut Vec<String>) {
            let after = cmd
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            let exit_heading = l.text("help-exit-codes");
            let exit_heading = exit_heading.lines().next().unwrap_or_default();
            assert!(
                after.contains(&l.text("help-examples")),
                "{path}: no examples"
            );
            assert!(after.contains(exit_heading), "{path}: no exit codes");
            seen.push(path.to_owned());
            for sub in cmd.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name()).trim().to_owned();
                walk(sub, &sub_path, l, seen);
            }
        }
        for lang in [Lang::ZhCn, Lang::EnUs] {
            let l = Localizer::new(lang);
            let mut seen = Vec::new();
            let cmd = command(&l);
            walk(&cmd, "", &l, &mut seen);
            assert!(seen.len() > 40, "{seen:?}");
        }
        let l = Localizer::new(Lang::EnUs);
        for (path, lines) in examples::all() {
            for line in lines {
                let line = line.split(" > ").next().unwrap_or(line);
                let args: Vec<&str> = line
                    .split_whitespace()
                    .map(|a| a.trim_matches('"'))
                    .collect();
                assert!(
                    command(&l).try_get_matches_from(&args).is_ok(),
                    "{path}: {line}"
                );
            }
        }
    }
}
