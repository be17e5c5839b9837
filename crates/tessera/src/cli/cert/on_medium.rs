//! `tessera cert list|import|export|delete`: certificates on media.

use fluent_bundle::FluentValue as V;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::fluent_id;
use crate::cli::output::terminal_safe;
use crate::cli::{Failure, Format, Output, exit, read_input};

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

pub(super) fn list(
    app: &tessera_core::app::App,
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
                    terminal_safe(&r.device),
                    &r.sha256[..16],
                    terminal_safe(&r.subject),
                    r.not_after,
                    status
                ))?;
            }
        }
    }
    Ok(exit::OK)
}

/// What `cert import` reads.
pub(super) struct ImportSource {
    pub(super) file: String,
    pub(super) key: Option<String>,
    pub(super) pkcs12: bool,
    pub(super) password_file: Option<std::path::PathBuf>,
    pub(super) exportable: bool,
}

pub(super) fn import(
    app: &mut tessera_core::app::App,
    device: &str,
    source: &ImportSource,
    pin_file: Option<&std::path::Path>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    use tessera_core::transfer::ImportSource;
    use tessera_media::Medium as _;
    let l = out.l;
    let bytes = zeroize::Zeroizing::new(read_input(&source.file)?);
    let mut medium = app.open_medium(device)?;
    let password;
    let key;
    let what = if source.pkcs12 || tessera_core::transfer::is_pkcs12_name(&source.file) {
        password = secrecy::SecretString::from(crate::cli::secret::read_secret(
            l,
            source.password_file.as_deref(),
            "prompt-pkcs12-password",
        )?);
        ImportSource::Pkcs12 {
            bytes: &bytes,
            password: &password,
        }
    } else if let Some(key_path) = &source.key {
        key = zeroize::Zeroizing::new(read_input(key_path)?);
        ImportSource::WithKey {
            certificates: &bytes,
            key: &key,
        }
    } else {
        ImportSource::Pem(&bytes)
    };
    let imported = app
        .import(
            &mut medium,
            what,
            source.exportable,
            &mut crate::cli::ask_pin(l, pin_file),
        )
        .map_err(|e| match e {
            tessera_core::app::AppError::NotImportable { source: e } => Failure::Parse {
                path: source.file.clone(),
                source: e,
            },
            other => other.into(),
        })?;
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
                out.line(&format!("{}  {}", r.sha256, terminal_safe(&r.subject)))?;
            }
        }
    }
    Ok(exit::OK)
}

/// Where and how `cert export` writes.
pub(super) struct ExportTarget {
    pub(super) file: Option<std::path::PathBuf>,
    pub(super) pkcs12: bool,
    pub(super) with_key: bool,
    pub(super) password_file: Option<std::path::PathBuf>,
    pub(super) pin_file: Option<std::path::PathBuf>,
}

pub(super) fn export(
    app: &mut tessera_core::app::App,
    device: &str,
    cert: &str,
    target: &ExportTarget,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let mut medium = app.open_medium(device)?;
    if target.pkcs12 {
        let l = out.l;
        let password = secrecy::SecretString::from(crate::cli::secret::read_secret(
            l,
            target.password_file.as_deref(),
            "prompt-pkcs12-password",
        )?);
        let p12 = app.export_pkcs12(
            &mut medium,
            cert,
            &password,
            target.with_key,
            &mut crate::cli::ask_pin(l, target.pin_file.as_deref()),
        )?;
        if let Some(path) = &target.file {
            std::fs::write(path, p12).map_err(Failure::Write)?;
        }
        return Ok(exit::OK);
    }
    let entry = tessera_core::app::find_certificate(&medium, cert)?;
    let pem = entry.certificate.to_pem();
    match &target.file {
        Some(path) => std::fs::write(path, &pem).map_err(Failure::Write)?,
        None => out.line(pem.trim_end())?,
    }
    Ok(exit::OK)
}

/// How `cert delete` is confirmed.
pub(super) struct DeleteOptions<'a> {
    pub(super) with_key: bool,
    pub(super) yes: bool,
    pub(super) pin_file: Option<&'a std::path::Path>,
}

/// Deletes a certificate: after a confirmation (a question on a terminal, else `--yes`, which
/// JSON mode always needs) and the PIN, asked every time (a cached PIN does not stand in for
/// it: deleting is the one operation the holder confirms with the PIN each time).
pub(super) fn delete(
    app: &mut tessera_core::app::App,
    device: &str,
    cert: &str,
    options: &DeleteOptions<'_>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    use tessera_media::Medium as _;
    let mut medium = app.open_medium(device)?;
    let entry = tessera_core::app::find_certificate(&medium, cert)?;
    if !options.yes {
        let now = OffsetDateTime::now_utc();
        let subject = entry.certificate.details(now).subject.rfc4514;
        let label = medium.info()?.label;
        let question = out.l.text_with(
            "confirm-cert-delete",
            &[
                ("subject", V::from(terminal_safe(&subject).into_owned())),
                ("device", V::from(terminal_safe(&label).into_owned())),
                ("thumbprint", V::from(entry.reference.to_string())),
            ],
        );
        crate::cli::confirm::ask(out, &question)?;
    }
    app.delete_from(
        &mut medium,
        &entry,
        options.with_key,
        &mut crate::cli::ask_pin(out.l, options.pin_file),
    )?;
    let message = out.l.text_with(
        "cert-deleted",
        &[("thumbprint", V::from(entry.reference.to_string()))],
    );
    out.line(&message)?;
    Ok(exit::OK)
}
