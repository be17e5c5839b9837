//! `tessera cert show|verify`.

use clap::{Subcommand, ValueEnum};
use fluent_bundle::FluentValue as V;
use serde::{Deserialize, Serialize};
use tessera_core::i18n::Localizer;
use tessera_crypto::digest::DigestAlgorithm;
use tessera_x509::{
    Certificate, CertificateDetails, Field, ParseError, TrustStore, ValidationOptions,
};
use time::OffsetDateTime;

use super::{Failure, Format, Output, exit, read_input};

mod on_medium;
mod reasons;

use reasons::{chain_error_id, trust_store_failure};
pub(crate) use reasons::{chain_reason, parse_reason};

#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Show every detail of one or more certificates.
    Show {
        /// Certificate files (DER, PEM, bundles, PKCS#7); `-` for standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Thumbprint algorithm shown in text output.
        #[arg(long, value_enum, default_value_t = Fingerprint::Sha1)]
        fingerprint: Fingerprint,
    },
    /// Verify a certificate chain against trusted roots.
    Verify {
        /// The end-entity certificate first, then any intermediates; `-` for standard input.
        #[arg(value_name = "CHAIN")]
        chain: String,
        /// Trusted roots (PEM bundle or DER) instead of the system's.
        #[arg(long, value_name = "FILE")]
        roots: Option<String>,
        /// Validate at this instant (RFC 3339) instead of now.
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        at: Option<OffsetDateTime>,
    },
    /// List the certificates on the media (all, or one device).
    List {
        /// Label or serial of the device; all media when omitted.
        #[arg(long)]
        device: Option<String>,
    },
    /// Put a certificate on a device: for a key already there, or with its private key.
    Import {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// Certificate file (DER or PEM; a bundle imports every certificate); `-` for stdin.
        #[arg(value_name = "FILE")]
        file: String,
        /// Private key file (PKCS#8 or SEC1, PEM or DER) to import with the certificate.
        #[arg(long, value_name = "FILE", conflicts_with = "pkcs12")]
        key: Option<String>,
        /// FILE is PKCS#12 (.pfx/.p12; also assumed from those extensions).
        #[arg(long)]
        pkcs12: bool,
        /// File whose first line is the PKCS#12 password (default: prompt).
        #[arg(long, value_name = "FILE")]
        password_file: Option<std::path::PathBuf>,
        /// Allow the imported private key to be exported later.
        #[arg(long)]
        exportable: bool,
        /// File whose first line is the PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<std::path::PathBuf>,
    },
    /// Write a certificate from a device to a file (PEM) or standard output.
    Export {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// Thumbprint (SHA-256 or SHA-1, at least 8 hex digits).
        #[arg(long)]
        cert: String,
        /// Output file; standard output when omitted (PEM only).
        #[arg(long, value_name = "FILE", required_if_eq("pkcs12", "true"))]
        out: Option<std::path::PathBuf>,
        /// Write PKCS#12 instead of PEM.
        #[arg(long)]
        pkcs12: bool,
        /// With --pkcs12: include the private key (only if it was made or imported exportable).
        #[arg(long, requires = "pkcs12")]
        with_key: bool,
        /// File whose first line is the PKCS#12 password (default: prompt).
        #[arg(long, value_name = "FILE", requires = "pkcs12")]
        password_file: Option<std::path::PathBuf>,
        /// File whose first line is the PIN, needed with --with-key (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<std::path::PathBuf>,
    },
    /// Delete a certificate from a device: asks for confirmation on a terminal (elsewhere, and
    /// with --format json, --yes is needed) and for the PIN every time, cached or not.
    Delete {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// Thumbprint (SHA-256 or SHA-1, at least 8 hex digits).
        #[arg(long)]
        cert: String,
        /// Also delete its private key.
        #[arg(long)]
        with_key: bool,
        /// Delete without asking (needed when standard input is not a terminal, and in JSON
        /// mode).
        #[arg(long, short = 'y')]
        yes: bool,
        /// File whose first line is the PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<std::path::PathBuf>,
    },
}

/// Thumbprint algorithms offered to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Fingerprint {
    Sha1,
    Sha256,
    Sm3,
    Md5,
}

impl Fingerprint {
    fn algorithm(self) -> DigestAlgorithm {
        match self {
            Self::Sha1 => DigestAlgorithm::Sha1,
            Self::Sha256 => DigestAlgorithm::Sha256,
            Self::Sm3 => DigestAlgorithm::Sm3,
            Self::Md5 => DigestAlgorithm::Md5,
        }
    }
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())
}

/// One certificate as `cert show --format json` prints it: the details model plus where it
/// came from and the thumbprint asked for.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ShownCertificate {
    /// The file it was read from (`-` for standard input).
    pub(crate) source: String,
    /// The thumbprint selected with `--fingerprint`.
    pub(crate) fingerprint: ShownFingerprint,
    #[serde(flatten)]
    pub(crate) details: CertificateDetails,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ShownFingerprint {
    pub(crate) algorithm: Fingerprint,
    pub(crate) value: String,
}

/// The result of `cert verify --format json`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct VerifyReport {
    pub(crate) valid: bool,
    /// Stable id of the failure (`expired`, `unknown_issuer`...), absent when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// The failure in words, in the chosen language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
    /// The validated chain, leaf to root.
    pub(crate) chain: Vec<ChainLink>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ChainLink {
    pub(crate) subject: String,
    pub(crate) sha256: String,
}

pub(crate) fn run(
    cmd: CertCommand,
    data_dir: Option<&std::path::Path>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let app = || tessera_core::app::App::open(data_dir);
    match cmd {
        CertCommand::Show { files, fingerprint } => show(&files, fingerprint, out),
        CertCommand::Verify { chain, roots, at } => verify(&chain, roots.as_deref(), at, out),
        CertCommand::List { device } => on_medium::list(&app()?, device.as_deref(), out),
        CertCommand::Import {
            device,
            file,
            key,
            pkcs12,
            password_file,
            exportable,
            pin_file,
        } => {
            let source = on_medium::ImportSource {
                file,
                key,
                pkcs12,
                password_file,
                exportable,
            };
            on_medium::import(&mut app()?, &device, &source, pin_file.as_deref(), out)
        }
        CertCommand::Export {
            device,
            cert,
            out: file,
            pkcs12,
            with_key,
            password_file,
            pin_file,
        } => {
            let target = on_medium::ExportTarget {
                file,
                pkcs12,
                with_key,
                password_file,
                pin_file,
            };
            on_medium::export(&mut app()?, &device, &cert, &target, out)
        }
        CertCommand::Delete {
            device,
            cert,
            with_key,
            yes,
            pin_file,
        } => on_medium::delete(
            &mut app()?,
            &device,
            &cert,
            &on_medium::DeleteOptions {
                with_key,
                yes,
                pin_file: pin_file.as_deref(),
            },
            out,
        ),
    }
}

fn read_certificates(path: &str) -> Result<Vec<Certificate>, Failure> {
    let bytes = read_input(path)?;
    tessera_x509::parse_certificates(&bytes).map_err(|source| Failure::Parse {
        path: path.to_owned(),
        source,
    })
}

fn show(files: &[String], fingerprint: Fingerprint, out: &mut Output<'_>) -> Result<u8, Failure> {
    let now = OffsetDateTime::now_utc();
    let mut shown = Vec::new();
    for path in files {
        for cert in read_certificates(path)? {
            shown.push(ShownCertificate {
                source: path.clone(),
                fingerprint: ShownFingerprint {
                    algorithm: fingerprint,
                    value: cert.thumbprint(fingerprint.algorithm()),
                },
                details: cert.details(now),
            });
        }
    }
    match out.format {
        Format::Json if shown.len() == 1 => out.json(&shown[0])?,
        Format::Json => out.json(&shown)?,
        Format::Text => show_all_text(&shown, out)?,
    }
    Ok(exit::OK)
}

/// Certificates as labelled fields, one block each (`cert show`, `cloud cert`).
pub(crate) fn show_all_text(
    shown: &[ShownCertificate],
    out: &mut Output<'_>,
) -> Result<(), Failure> {
    let total = shown.len();
    for (i, cert) in shown.iter().enumerate() {
        if i > 0 {
            out.line("")?;
        }
        show_text(cert, i + 1, total, out)?;
    }
    Ok(())
}

/// The certificates in `pem` (read from `source`), as `cert show` shows them with SHA-256.
pub(crate) fn shown_from_pem(source: &str, pem: &str) -> Result<Vec<ShownCertificate>, Failure> {
    let now = OffsetDateTime::now_utc();
    let certs = tessera_x509::parse_certificates(pem.as_bytes()).map_err(|e| Failure::Parse {
        path: source.to_owned(),
        source: e,
    })?;
    Ok(certs
        .iter()
        .map(|cert| ShownCertificate {
            source: source.to_owned(),
            fingerprint: ShownFingerprint {
                algorithm: Fingerprint::Sha256,
                value: cert.thumbprint(Fingerprint::Sha256.algorithm()),
            },
            details: cert.details(now),
        })
        .collect())
}

fn show_text(
    cert: &ShownCertificate,
    number: usize,
    total: usize,
    out: &mut Output<'_>,
) -> Result<(), Failure> {
    let l = out.l;
    let title = l.text_with(
        "cert-heading",
        &[
            ("number", V::from(number)),
            ("total", V::from(total)),
            ("source", V::from(cert.source.as_str())),
        ],
    );
    out.heading(&title)?;
    let shown_thumbprint = format!(
        "thumbprint.{}",
        cert.fingerprint.algorithm.algorithm().name()
    );
    let fields = cert.details.fields();
    let width = fields
        .iter()
        .map(|f| label_width(&field_label(l, f)))
        .max()
        .unwrap_or(0);
    for field in fields
        .iter()
        .filter(|f| !f.key.starts_with("thumbprint.") || f.key == shown_thumbprint)
    {
        let label = field_label(l, field);
        let pad = " ".repeat(width.saturating_sub(label_width(&label)));
        out.line(&format!("  {label}{pad}  {}", field_value(l, field)))?;
    }
    Ok(())
}

/// Display width: CJK characters take two columns in a terminal.
fn label_width(s: &str) -> usize {
    s.chars()
        .map(|c| if c as u32 >= 0x1100 { 2 } else { 1 })
        .sum()
}

pub(super) use tessera_core::words::fluent_id;

fn field_label(l: &Localizer, field: &Field) -> String {
    tessera_core::words::field_label(l, field)
}

fn field_value(l: &Localizer, field: &Field) -> String {
    tessera_core::words::field_value(l, field)
}

fn verify(
    chain: &str,
    roots: Option<&str>,
    at: Option<OffsetDateTime>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let certs = read_certificates(chain)?;
    let Some((leaf, intermediates)) = certs.split_first() else {
        return Err(Failure::Parse {
            path: chain.to_owned(),
            source: ParseError::NoCertificate,
        });
    };
    let store = match roots {
        Some(path) => {
            let mut store = TrustStore::new();
            let bytes = read_input(path)?;
            store
                .add_user_roots(&bytes)
                .map_err(|e| trust_store_failure(path, e))?;
            store
        }
        None => TrustStore::system().map_err(|e| trust_store_failure("system", e))?,
    };
    let intermediates: Vec<&[u8]> = intermediates.iter().map(Certificate::der).collect();
    let mut options = ValidationOptions::new();
    if let Some(at) = at {
        options = options.at(at);
    }
    let now = OffsetDateTime::now_utc();
    let result = tessera_x509::validate(leaf.der(), &intermediates, &store, &options);
    let l = out.l;
    let report = match &result {
        Ok(validated) => VerifyReport {
            valid: true,
            reason: None,
            message: None,
            chain: validated
                .certificates
                .iter()
                .filter_map(|der| Certificate::from_der(der).ok())
                .map(|c| ChainLink {
                    subject: c.details(now).subject.rfc4514,
                    sha256: c.thumbprint(DigestAlgorithm::Sha256),
                })
                .collect(),
        },
        Err(e) => VerifyReport {
            valid: false,
            reason: Some(chain_error_id(e).to_owned()),
            message: Some(chain_reason(l, e)),
            chain: Vec::new(),
        },
    };
    match out.format {
        Format::Json => out.json(&report)?,
        Format::Text if report.valid => {
            out.heading(&l.text("verify-valid"))?;
            for (i, link) in report.chain.iter().enumerate() {
                out.line(&format!(
                    "  {}. {}  (SHA-256 {})",
                    i + 1,
                    link.subject,
                    link.sha256
                ))?;
            }
        }
        Format::Text => {
            if let Err(reason) = result {
                return Err(Failure::ChainInvalid { reason });
            }
        }
    }
    Ok(if report.valid {
        exit::OK
    } else {
        exit::INVALID
    })
}
