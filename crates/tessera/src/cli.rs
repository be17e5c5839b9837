//! Command-line definitions and dispatch: `tessera <noun> <verb>`.

mod cert;
mod cloud;
mod confirm;
mod device;
mod enroll;
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
use tessera::app::{App, AppError};
use tessera::i18n::{Lang, Localizer};
use tessera_media::{FormatError, Medium, MediumError};

pub(crate) use output::Output;

/// Output format of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    /// Labelled lines for people, in the chosen language (`pem` is the same: commands that
    /// print a certificate print it as PEM).
    #[default]
    #[value(alias = "pem")]
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
    Enroll(#[from] tessera::enroll::EnrollError),
    /// A cloud-key step failed.
    #[error(transparent)]
    Cloud(#[from] tessera::cloud::CloudError),
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
pub(crate) mod exit {
    pub(crate) const OK: u8 = 0;
    pub(crate) const INTERNAL: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const READ: u8 = 3;
    pub(crate) const PARSE: u8 = 4;
    pub(crate) const INVALID: u8 = 5;
    pub(crate) const PIN_INCORRECT: u8 = 6;
    pub(crate) const LOCKED: u8 = 7;
    pub(crate) const NOT_FOUND: u8 = 8;
    pub(crate) const REFUSED: u8 = 9;
    pub(crate) const UNREACHABLE: u8 = 10;
}

impl From<MediumError> for Failure {
    fn from(e: MediumError) -> Self {
        Self::App(AppError::Medium(e))
    }
}

impl From<tessera::settings::SettingsError> for Failure {
    fn from(e: tessera::settings::SettingsError) -> Self {
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
            Self::App(e) => app_exit_code(e),
            Self::Enroll(e) => enroll::exit_code(e),
            Self::Cloud(e) => cloud::exit_code(e),
            Self::Write(_) | Self::Internal(_) => exit::INTERNAL,
        }
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
            Self::App(e) => app_reason(l, e),
            Self::Enroll(e) => enroll::reason(l, e),
            Self::Cloud(e) => cloud::reason(l, e),
            Self::NoPin => l.text("err-no-pin"),
            Self::PinMismatch => l.text("err-pin-mismatch"),
            Self::Unconfirmed => {
                format!(
                    "{}\n{}",
                    l.text("err-unconfirmed"),
                    l.text("rec-unconfirmed")
                )
            }
            Self::Declined => l.text("err-declined"),
            Self::Usage(message) => message.clone(),
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
    let result = dispatch(cli.command, cli.data_dir.as_deref(), &mut out);
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
fn ask_pin<'a>(
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

/// Logs in to `medium` with `--pin-file` or a prompt, never with a cached PIN (deleting asks
/// for the PIN every time).
pub(crate) fn login_asking(
    app: &mut App,
    medium: &mut dyn Medium,
    l: &Localizer,
    pin_file: Option<&Path>,
) -> Result<(), Failure> {
    Ok(app.login_asking(medium, &mut ask_pin(l, pin_file))?)
}

pub(crate) fn medium_exit_code(m: &MediumError) -> u8 {
    match m {
        MediumError::PinIncorrect { .. }
        | MediumError::SoPinIncorrect { .. }
        | MediumError::Format(FormatError::Pkcs12Password) => exit::PIN_INCORRECT,
        MediumError::Locked | MediumError::SoPinLocked => exit::LOCKED,
        MediumError::NotFound { .. } | MediumError::NoSuchCertificate | MediumError::NoSuchKey => {
            exit::NOT_FOUND
        }
        MediumError::Io { .. } => exit::READ,
        _ => exit::REFUSED,
    }
}

fn app_exit_code(e: &AppError) -> u8 {
    match e {
        AppError::Medium(m) => medium_exit_code(m),
        AppError::NoSuchCertificate { .. } | AppError::AmbiguousCertificate { .. } => {
            exit::NOT_FOUND
        }
        AppError::PinUnavailable { .. } => exit::USAGE,
        AppError::Settings(
            tessera::settings::SettingsError::UnknownKey { .. }
            | tessera::settings::SettingsError::InvalidValue { .. },
        ) => exit::USAGE,
        _ => exit::INTERNAL,
    }
}

fn app_reason(l: &Localizer, e: &AppError) -> String {
    match e {
        AppError::Medium(m) => tessera::words::medium_reason(l, m),
        AppError::NoSuchCertificate { selector } => l.text_with(
            "err-no-such-certificate",
            &[("selector", V::from(selector.as_str()))],
        ),
        AppError::AmbiguousCertificate { selector, count } => l.text_with(
            "err-ambiguous-certificate",
            &[
                ("selector", V::from(selector.as_str())),
                ("count", V::from(*count)),
            ],
        ),
        AppError::PinUnavailable { reason } => reason.clone(),
        AppError::Settings(tessera::settings::SettingsError::UnknownKey { key }) => {
            l.text_with("err-setting-unknown", &[("key", V::from(key.as_str()))])
        }
        AppError::Settings(tessera::settings::SettingsError::InvalidValue {
            key,
            value,
            expected,
        }) => l.text_with(
            "err-setting-invalid",
            &[
                ("key", V::from(*key)),
                ("value", V::from(value.as_str())),
                ("expected", V::from(*expected)),
            ],
        ),
        other => l.text_with("err-internal", &[("reason", V::from(other.to_string()))]),
    }
}
