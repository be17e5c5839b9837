//! `tessera cert show|verify`.

use clap::{Subcommand, ValueEnum};
use fluent_bundle::FluentValue as V;
use serde::{Deserialize, Serialize};
use tessera::i18n::Localizer;
use tessera_crypto::digest::DigestAlgorithm;
use tessera_x509::{
    Certificate, CertificateDetails, ChainError, Field, ParseError, TrustStore, ValidationOptions,
    chain::TrustStoreError,
};
use time::OffsetDateTime;

use super::{Failure, Format, Output, exit, read_input};

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
    /// Delete a certificate from a device (asks for the PIN).
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
    let app = || tessera::app::App::open(data_dir);
    match cmd {
        CertCommand::Show { files, fingerprint } => show(&files, fingerprint, out),
        CertCommand::Verify { chain, roots, at } => verify(&chain, roots.as_deref(), at, out),
        CertCommand::List { device } => list(&app()?, device.as_deref(), out),
        CertCommand::Import {
            device,
            file,
            key,
            pkcs12,
            password_file,
            exportable,
            pin_file,
        } => {
            let source = ImportSource {
                file,
                key,
                pkcs12,
                password_file,
                exportable,
            };
            import(&mut app()?, &device, &source, pin_file.as_deref(), out)
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
            let target = ExportTarget {
                file,
                pkcs12,
                with_key,
                password_file,
                pin_file,
            };
            export(&mut app()?, &device, &cert, &target, out)
        }
        CertCommand::Delete {
            device,
            cert,
            with_key,
            pin_file,
        } => delete(
            &mut app()?,
            &device,
            &cert,
            with_key,
            pin_file.as_deref(),
            out,
        ),
    }
}

/// One certificate in `cert list --format json`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ListedCertificate {
    pub(crate) device: String,
    pub(crate) sha256: String,
    pub(crate) sha1: String,
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) not_after: String,
    pub(crate) status: String,
    pub(crate) usage: String,
    /// Hex id of the private key on the device, if it is there.
    pub(crate) key: Option<String>,
}

fn listed(
    device: &str,
    entry: &tessera_media::CertEntry,
    now: OffsetDateTime,
) -> ListedCertificate {
    let d = entry.certificate.details(now);
    ListedCertificate {
        device: device.to_owned(),
        sha256: d.thumbprints.sha256.clone(),
        sha1: d.thumbprints.sha1.clone(),
        subject: d.subject.rfc4514.clone(),
        issuer: d.issuer.rfc4514.clone(),
        not_after: d.validity.not_after.clone(),
        status: d.validity.status.id().to_owned(),
        usage: d.kind.usage.id().to_owned(),
        key: entry.key.as_ref().map(tessera_media::KeyRef::to_hex),
    }
}

fn list(
    app: &tessera::app::App,
    device: Option<&str>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let now = OffsetDateTime::now_utc();
    let rows: Vec<ListedCertificate> = app
        .certificates(device)?
        .iter()
        .flat_map(|m| {
            m.certificates
                .iter()
                .map(|c| listed(&m.medium.label, c, now))
        })
        .collect();
    match out.format {
        Format::Json => out.json(&rows)?,
        Format::Text => {
            let l = out.l;
            for r in &rows {
                let status = l.text(&fluent_id(
                    &fluent_id("value", "validity.status"),
                    &r.status,
                ));
                out.line(&format!(
                    "{}  {}  {}  {}  {}",
                    r.device,
                    &r.sha256[..16],
                    r.subject,
                    r.not_after,
                    status
                ))?;
            }
        }
    }
    Ok(exit::OK)
}

/// What `cert import` reads.
struct ImportSource {
    file: String,
    key: Option<String>,
    pkcs12: bool,
    password_file: Option<std::path::PathBuf>,
    exportable: bool,
}

fn import(
    app: &mut tessera::app::App,
    device: &str,
    source: &ImportSource,
    pin_file: Option<&std::path::Path>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    use tessera_media::Medium as _;
    let l = out.l;
    let is_pkcs12 = source.pkcs12
        || [".p12", ".pfx"]
            .iter()
            .any(|ext| source.file.to_ascii_lowercase().ends_with(ext));
    let bytes = zeroize::Zeroizing::new(read_input(&source.file)?);
    let mut medium = app.open_medium(device)?;
    let imported: Vec<tessera_media::CertEntry> = if is_pkcs12 {
        let password = super::secret::read_secret(
            l,
            source.password_file.as_deref(),
            "prompt-pkcs12-password",
        )?;
        let password = secrecy::SecretString::from(password);
        super::login(app, &mut medium, l, pin_file)?;
        tessera_media::pkcs12::import_pkcs12(&mut medium, &bytes, &password, source.exportable)?
            .into_iter()
            .flat_map(|(_, certs)| certs)
            .collect()
    } else if let Some(key_path) = &source.key {
        let certs = tessera_x509::parse_certificates(&bytes).map_err(|e| Failure::Parse {
            path: source.file.clone(),
            source: e,
        })?;
        let pkcs8 =
            tessera_media::pkcs8_from_key_file(&zeroize::Zeroizing::new(read_input(key_path)?))?;
        super::login(app, &mut medium, l, pin_file)?;
        let ders: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
        medium.import_key(&pkcs8, &ders, source.exportable)?.1
    } else {
        // Refuse what is neither a certificate nor a key before asking for the PIN.
        if let Err(e) = tessera_x509::parse_certificates(&bytes)
            && tessera_media::pkcs8_from_key_file(&bytes).is_err()
        {
            return Err(Failure::Parse {
                path: source.file.clone(),
                source: e,
            });
        }
        super::login(app, &mut medium, l, pin_file)?;
        tessera_media::pkcs12::import_pem(&mut medium, &bytes, source.exportable)?.1
    };
    let now = OffsetDateTime::now_utc();
    let info = medium.info()?;
    let rows: Vec<ListedCertificate> = imported
        .iter()
        .map(|c| listed(&info.label, c, now))
        .collect();
    match out.format {
        Format::Json => out.json(&rows)?,
        Format::Text => {
            for r in &rows {
                out.line(&format!("{}  {}", r.sha256, r.subject))?;
            }
        }
    }
    Ok(exit::OK)
}

/// Where and how `cert export` writes.
struct ExportTarget {
    file: Option<std::path::PathBuf>,
    pkcs12: bool,
    with_key: bool,
    password_file: Option<std::path::PathBuf>,
    pin_file: Option<std::path::PathBuf>,
}

fn export(
    app: &mut tessera::app::App,
    device: &str,
    cert: &str,
    target: &ExportTarget,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let mut medium = app.open_medium(device)?;
    let entry = tessera::app::find_certificate(&medium, cert)?;
    if target.pkcs12 {
        let l = out.l;
        let password = super::secret::read_secret(
            l,
            target.password_file.as_deref(),
            "prompt-pkcs12-password",
        )?;
        let password = secrecy::SecretString::from(password);
        if target.with_key {
            super::login(app, &mut medium, l, target.pin_file.as_deref())?;
        }
        let p12 = tessera_media::pkcs12::export_pkcs12(
            &mut medium,
            &entry.reference,
            &password,
            target.with_key,
        )?;
        if let Some(path) = &target.file {
            std::fs::write(path, p12).map_err(Failure::Write)?;
        }
        return Ok(exit::OK);
    }
    let pem = entry.certificate.to_pem();
    match &target.file {
        Some(path) => std::fs::write(path, &pem).map_err(Failure::Write)?,
        None => out.line(pem.trim_end())?,
    }
    Ok(exit::OK)
}

fn delete(
    app: &mut tessera::app::App,
    device: &str,
    cert: &str,
    with_key: bool,
    pin_file: Option<&std::path::Path>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    use tessera_media::Medium as _;
    let mut medium = app.open_medium(device)?;
    let entry = tessera::app::find_certificate(&medium, cert)?;
    super::login(app, &mut medium, out.l, pin_file)?;
    medium.delete_certificate(&entry.reference)?;
    // A file device drops a key no certificate uses any more on its own; a token keeps it.
    if let (true, Some(key)) = (with_key, &entry.key)
        && medium.keys()?.iter().any(|k| k.reference == *key)
    {
        medium.delete_key(key)?;
    }
    let message = out.l.text_with(
        "cert-deleted",
        &[("thumbprint", V::from(entry.reference.to_string()))],
    );
    out.line(&message)?;
    Ok(exit::OK)
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
        Format::Text => {
            let total = shown.len();
            for (i, cert) in shown.iter().enumerate() {
                if i > 0 {
                    out.line("")?;
                }
                show_text(cert, i + 1, total, out)?;
            }
        }
    }
    Ok(exit::OK)
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

fn fluent_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-{}", key.replace(['.', '_'], "-"))
}

/// The label of a field, with its qualifier (general-name form, OID) and criticality.
fn field_label(l: &Localizer, field: &Field) -> String {
    let mut label = l.text(&fluent_id("field", field.key));
    if let Some(q) = &field.qualifier {
        let id = fluent_id("qualifier", q);
        let q = if l.has(&id) { l.text(&id) } else { q.clone() };
        label = l.text_with(
            "field-with-qualifier",
            &[("label", V::from(label)), ("qualifier", V::from(q))],
        );
    }
    if field.critical == Some(true) {
        label = l.text_with("field-critical", &[("label", V::from(label))]);
    }
    label
}

/// The value of a field; values from a fixed set (status, usage, key usage bits...) are
/// localized, each item of a list on its own.
fn field_value(l: &Localizer, field: &Field) -> String {
    let prefix = fluent_id("value", field.key);
    let localize = |item: &str| {
        let id = fluent_id(&prefix, item);
        if l.has(&id) {
            l.text(&id)
        } else {
            item.to_owned()
        }
    };
    if field.key == "extension.key_usage" {
        return field
            .value
            .split(", ")
            .map(localize)
            .collect::<Vec<_>>()
            .join(l.text("list-separator").as_str());
    }
    localize(&field.value)
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

fn trust_store_failure(path: &str, e: TrustStoreError) -> Failure {
    match e {
        TrustStoreError::Io { source, .. } => Failure::Read {
            path: path.to_owned(),
            source,
        },
        other => Failure::Parse {
            path: path.to_owned(),
            source: ParseError::Der {
                index: 0,
                reason: other.to_string(),
            },
        },
    }
}

/// A stable id for each chain failure, used in JSON and to pick the Fluent message.
pub(crate) fn chain_error_id(e: &ChainError) -> &'static str {
    match e {
        ChainError::Expired { .. } => "expired",
        ChainError::NotYetValid { .. } => "not_yet_valid",
        ChainError::UnknownIssuer => "unknown_issuer",
        ChainError::BadSignature => "bad_signature",
        ChainError::UnsupportedSignatureAlgorithm { .. } => "unsupported_signature_algorithm",
        ChainError::UnsupportedPublicKey { .. } => "unsupported_public_key",
        ChainError::PathLenExceeded => "path_len_exceeded",
        ChainError::TooManyIntermediates { .. } => "too_many_intermediates",
        ChainError::NameConstraintViolation => "name_constraint_violation",
        ChainError::NameMismatch { .. } => "name_mismatch",
        ChainError::KeyUsageNotAllowed { .. } => "key_usage_not_allowed",
        ChainError::RequiredEkuNotFound { .. } => "required_eku_not_found",
        ChainError::CaUsedAsEndEntity => "ca_used_as_end_entity",
        ChainError::EndEntityUsedAsCa => "end_entity_used_as_ca",
        ChainError::Revoked => "revoked",
        ChainError::BadCrl { .. } => "bad_crl",
        ChainError::CrlExpired { .. } => "crl_expired",
        ChainError::Distrusted => "distrusted",
        ChainError::UnsupportedCriticalExtension { .. } => "unsupported_critical_extension",
        ChainError::Malformed { .. } => "malformed",
        ChainError::TooComplex => "too_complex",
        _ => "other",
    }
}

fn rfc3339(t: &OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// A chain failure in words: the Fluent message for its id, with the variant's data.
pub(crate) fn chain_reason(l: &Localizer, e: &ChainError) -> String {
    let id = fluent_id("chain-error", chain_error_id(e));
    let detail = match e {
        ChainError::Expired { not_after: t }
        | ChainError::NotYetValid { not_before: t }
        | ChainError::CrlExpired { next_update: t } => rfc3339(t),
        _ => e.to_string(),
    };
    l.text_with(&id, &[("detail", V::from(detail))])
}

/// A parse failure in words.
pub(crate) fn parse_reason(l: &Localizer, e: &ParseError) -> String {
    let (id, detail) = match e {
        ParseError::Empty => ("parse-error-empty", String::new()),
        ParseError::TooLarge { limit } => ("parse-error-too-large", limit.to_string()),
        ParseError::UnrecognizedFormat => ("parse-error-unrecognized", String::new()),
        ParseError::Pem { reason } => ("parse-error-pem", reason.clone()),
        ParseError::Der { index, reason } => {
            ("parse-error-der", format!("#{}: {reason}", index + 1))
        }
        ParseError::Pkcs7 { reason } => ("parse-error-pkcs7", reason.clone()),
        ParseError::UnsupportedContainer { content_type } => {
            ("parse-error-container", content_type.clone())
        }
        ParseError::NoCertificate => ("parse-error-no-certificate", String::new()),
        other => ("parse-error-other", other.to_string()),
    };
    l.text_with(id, &[("detail", V::from(detail))])
}
