//! Typed configuration: defaults, then a TOML file, then `TESSERA_*` environment variables,
//! then command-line flags (each flag has its variable; clap applies flag over variable).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::sms::{GatewayConfig, SmsLimits};

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";

/// Command line of `tessera-server`.
#[derive(Debug, Parser)]
#[command(
    name = "tessera-server",
    version,
    about = "Tessera service: certificates, enrollment, SMS and captcha",
    after_help = "EXAMPLES:\n  tessera-server                                   # first start: data folder, demo org, admin token, QR\n  tessera-server --data-dir ./data --listen 127.0.0.1:8443\n  tessera-server --listen 0.0.0.0:8443 --tls auto\n  tessera-server --database-url postgres://tessera@127.0.0.1/tessera\n  tessera-server sms tail --data-dir ./data --follow\n  tessera-server admin applications list --status pending --data-dir ./data\n  tessera-server admin applications approve ID --data-dir ./data\n  tessera-server admin applications reject ID --reason \"ID photo unreadable\" --data-dir ./data"
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Options of the service itself.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Operator commands; none runs the service.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data lives.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// Data folder (database, keys, admin token). Default: the OS data folder for Tessera. The
    /// operator commands (`sms tail`, `admin …`) refuse a folder without a database.
    #[arg(long, env = "TESSERA_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, `postgres://…` or `sqlite:…`; default: `DIR/tessera.sqlite3`.
    #[arg(long, env = "TESSERA_DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Config file (TOML). Default: `DIR/config.toml` when it exists.
    #[arg(long, env = "TESSERA_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Service options.
#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "TESSERA_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// `auto`: HTTPS with a certificate from the service's own CA; `off`: plain HTTP (loopback only).
    #[arg(long, env = "TESSERA_TLS", value_name = "auto|off", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls: Option<TlsSwitch>,
    /// HTTPS certificate chain, PEM.
    #[arg(
        long,
        env = "TESSERA_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// HTTPS private key, PEM (PKCS#8, SEC1 or PKCS#1).
    #[arg(
        long,
        env = "TESSERA_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// URL clients reach the service at (default: from the listen address).
    #[arg(long, env = "TESSERA_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Log format on stderr.
    #[arg(long, env = "TESSERA_LOG_FORMAT", value_name = "compact|json")]
    pub log_format: Option<LogFormat>,
}

/// `--tls` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsSwitch {
    /// Certificate from the service's own CA.
    Auto,
    /// Plain HTTP.
    Off,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Compact,
    /// One JSON object per event.
    Json,
}

/// Operator commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The SMS outbox.
    Sms {
        /// What to do with it.
        #[command(subcommand)]
        command: SmsCommand,
    },
    /// Operator work on the data folder, beside the admin API.
    Admin {
        /// What to work on.
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// `tessera-server admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Certificate applications of the self-service flows.
    Applications {
        /// What to do.
        #[command(subcommand)]
        command: ApplicationsCommand,
    },
    /// Cloud-key accounts waiting for review.
    Accounts {
        /// What to do.
        #[command(subcommand)]
        command: AccountsCommand,
    },
}

/// `tessera-server admin accounts …`
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List cloud-key accounts (oldest first).
    List {
        /// Only those in this state: pending, approved, rejected.
        #[arg(long, value_name = "STATE")]
        status: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending account.
    Approve {
        /// Account id.
        id: String,
    },
    /// Reject a pending account.
    Reject {
        /// Account id.
        id: String,
    },
}

/// `tessera-server admin applications …`
#[derive(Debug, Subcommand)]
pub enum ApplicationsCommand {
    /// List applications (newest first).
    List {
        /// Only those in this state: pending, approved, rejected, issued.
        #[arg(long, value_name = "STATE")]
        status: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending application; the applicant gets an SMS.
    Approve {
        /// Application id.
        id: String,
    },
    /// Reject a pending application with a reason; the applicant gets an SMS.
    Reject {
        /// Application id.
        id: String,
        /// Why, shown to the applicant.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// `tessera-server sms …`
#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Print the newest outbox messages (and, with --follow, new ones as they come).
    Tail {
        /// How many of the newest messages to print first.
        #[arg(short = 'n', long, default_value_t = 20)]
        lines: i64,
        /// Keep polling for new messages.
        #[arg(short, long)]
        follow: bool,
        /// Print one JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

/// The TOML file; every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    /// As `--listen`.
    pub listen: Option<SocketAddr>,
    /// As `--database-url`.
    pub database_url: Option<String>,
    /// As `--public-url`.
    pub public_url: Option<String>,
    /// As `--tls`.
    pub tls: Option<TlsSwitch>,
    /// As `--tls-cert`.
    pub tls_cert: Option<PathBuf>,
    /// As `--tls-key`.
    pub tls_key: Option<PathBuf>,
    /// As `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `[sms]`.
    pub sms: SmsSection,
    /// `[ca]`.
    pub ca: CaSection,
    /// `[ra]`.
    pub ra: crate::ra::RaSettings,
    /// `[release]`: what the release feed offers (default: this service's own version).
    pub release: Option<tessera_proto::Release>,
    /// `[limits]`: bounds on costly work and per-address request rates.
    pub limits: LimitsSection,
}

/// `[limits]`: how much costly work the service takes on at once.
///
/// ```toml
/// [limits.argon2]
/// running = 2      # Argon2 runs at once, 19 MiB each (default: the number of cores)
/// waiting = 32     # queued beyond them; more are answered 503 + Retry-After
/// [limits.rate]
/// burst = 20       # requests per client address at once on unauthenticated costly routes
/// per_minute = 20  # regained per minute; burst = 0 turns the limit off
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsSection {
    /// `[limits.argon2]`.
    pub argon2: crate::password::Argon2Limits,
    /// `[limits.rate]`.
    pub rate: crate::api::rate::RateLimits,
}

/// `[ca]`: the CA's key algorithm and the master key that wraps CA keys at rest. Its `Debug`
/// never shows the master key.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaSection {
    /// `sm2` (default), `p256`, `p384`, `rsa` or `rsa-BITS`; used at first start only.
    pub algorithm: Option<String>,
    /// Master key, 64 hex digits or base64 of 32 bytes; `TESSERA_MASTER_KEY` overrides it;
    /// default: `DIR/master-key`, created at first start.
    pub master_key: Option<String>,
}

impl std::fmt::Debug for CaSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaSection")
            .field("algorithm", &self.algorithm)
            .field("master_key", &self.master_key.as_ref().map(|_| "***"))
            .finish()
    }
}

/// `[sms]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSection {
    /// `[sms.limits]`.
    pub limits: SmsLimits,
    /// `[sms.gateway]`; absent means the outbox.
    pub gateway: Option<GatewayConfig>,
}

/// How the service speaks HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP (loopback only).
    Off,
    /// HTTPS with a certificate from the service's own CA in the data folder.
    Auto,
    /// HTTPS with the given PEM files.
    Files {
        /// Certificate chain.
        cert: PathBuf,
        /// Private key.
        key: PathBuf,
    },
}

/// The resolved configuration of a service run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data folder.
    pub data_dir: PathBuf,
    /// Database URL; `None` for `DIR/tessera.sqlite3`.
    pub database_url: Option<String>,
    /// Listen address.
    pub listen: SocketAddr,
    /// HTTP or HTTPS.
    pub tls: TlsMode,
    /// Public base URL, if set.
    pub public_url: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// SMS settings.
    pub sms: SmsSection,
    /// CA settings (`[ca]`, with `TESSERA_MASTER_KEY` applied).
    pub ca: CaSection,
    /// Self-service settings (`[ra]`).
    pub ra: crate::ra::RaSettings,
    /// The release feed's answer, when configured.
    pub release: Option<tessera_proto::Release>,
    /// Bounds on costly work (`[limits]`).
    pub limits: LimitsSection,
}

/// The configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No data folder given and the OS has no data folder for this user.
    #[error("no data folder: pass --data-dir")]
    NoDataDir,
    /// The config file could not be read.
    #[error("config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// Plain HTTP on a non-loopback address.
    #[error(
        "refusing plain HTTP on {0}: listen on 127.0.0.1/::1, or use --tls auto or --tls-cert/--tls-key"
    )]
    PlainHttpNotLoopback(SocketAddr),
    /// `[ra]` values out of range.
    #[error("[ra]: validity_days must be 1-3650 and renewal_window_days at most that")]
    RaSettings,
    /// Only one of the TLS files was given in the config file.
    #[error("tls_cert and tls_key go together")]
    HalfTls,
}

/// The data folder: `--data-dir`, or the OS data folder (`~/.local/share/tessera-server` on Linux).
pub fn data_dir(common: &CommonArgs) -> Result<PathBuf, ConfigError> {
    if let Some(dir) = &common.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("", "", "tessera-server")
        .map(|d| d.data_dir().to_owned())
        .ok_or(ConfigError::NoDataDir)
}

/// Reads the config file: `--config`, else `DIR/config.toml` if present, else defaults.
pub fn load_file(common: &CommonArgs, data_dir: &Path) -> Result<FileConfig, ConfigError> {
    let (path, required) = match &common.config {
        Some(p) => (p.clone(), true),
        None => (data_dir.join("config.toml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileConfig::default());
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path,
        message: e.to_string(),
    })
}

impl Config {
    /// Merges defaults, file, environment and flags, and checks the result.
    pub fn resolve(common: &CommonArgs, serve: &ServeArgs) -> Result<Self, ConfigError> {
        let data_dir = data_dir(common)?;
        let file = load_file(common, &data_dir)?;
        let listen = serve
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8443)));
        let tls = match (serve.tls, &serve.tls_cert, &serve.tls_key) {
            (Some(TlsSwitch::Auto), _, _) => TlsMode::Auto,
            (Some(TlsSwitch::Off), _, _) => TlsMode::Off,
            (None, Some(cert), Some(key)) => TlsMode::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            _ => match (file.tls, &file.tls_cert, &file.tls_key) {
                (Some(TlsSwitch::Auto), _, _) => TlsMode::Auto,
                (Some(TlsSwitch::Off), _, _) | (None, None, None) => TlsMode::Off,
                (None, Some(cert), Some(key)) => TlsMode::Files {
                    cert: cert.clone(),
                    key: key.clone(),
                },
                _ => return Err(ConfigError::HalfTls),
            },
        };
        if tls == TlsMode::Off && !listen.ip().is_loopback() {
            return Err(ConfigError::PlainHttpNotLoopback(listen));
        }
        let ra = file.ra;
        if !(1..=crate::ca::MAX_DAYS).contains(&ra.validity_days)
            || ra.renewal_window_days > ra.validity_days
        {
            return Err(ConfigError::RaSettings);
        }
        Ok(Self {
            data_dir,
            database_url: common.database_url.clone().or(file.database_url),
            listen,
            tls,
            public_url: serve.public_url.clone().or(file.public_url),
            log_format: serve.log_format.or(file.log_format).unwrap_or_default(),
            sms: file.sms,
            ca: CaSection {
                algorithm: std::env::var("TESSERA_CA_ALGORITHM")
                    .ok()
                    .or(file.ca.algorithm),
                master_key: std::env::var(crate::ca::wrap::MASTER_KEY_ENV)
                    .ok()
                    .or(file.ca.master_key),
            },
            ra,
            release: file.release,
            limits: file.limits,
        })
    }
}
