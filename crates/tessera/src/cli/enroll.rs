//! `tessera enroll …`: self-service against a Tessera service (apply, business query, install,
//! renew). The flows are in `tessera_core::enroll`; this face gathers input and prints.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use fluent_bundle::FluentValue as V;
use serde::Serialize;
use tessera_core::app::App;
use tessera_core::enroll::{self, EnrollError};
use tessera_core::service::{ServiceClient, ServiceError};
use tessera_proto::ra::{Applicant, Application, ApplyRequest, Consent, Password, QueryLogin};

use super::{Failure, Format, Output, exit, login, read_input, secret};

/// Where the service is.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServerArgs {
    /// Service URL (default: the `server` setting; for `apply`, else the URL in the QR).
    #[arg(long, global = true, value_name = "URL")]
    server: Option<String>,
    /// Extra CA certificates (PEM) to trust for the service, e.g. its `--tls auto` CA.
    #[arg(long, global = true, value_name = "FILE")]
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct EnrollArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: EnrollCommand,
}

/// What an SMS code from `enroll code` is for (each maps to the service's purpose).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CodePurpose {
    /// Prove the phone of an application.
    Apply,
    /// Log in to the business query.
    Query,
    /// Prove a phone to bind to a cloud-key account.
    BindPhone,
}

#[derive(Debug, Subcommand)]
enum EnrollCommand {
    /// Show the privacy notice and certificate terms an application consents to.
    Notices,
    /// Send an SMS code to a phone: `apply` proves the phone of an application, `query` logs in,
    /// `bind-phone` proves a phone to bind to a cloud-key account (`tessera cloud bind-phone`).
    Code {
        /// Mainland China mobile number.
        #[arg(long)]
        phone: String,
        /// What the code is for.
        #[arg(long = "for", value_enum)]
        purpose: CodePurpose,
    },
    /// Get an image captcha for the business-query login; saves the PNG and prints its id.
    Captcha {
        /// Where to save the image.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Apply for a certificate in the project of a scanned enrollment QR.
    Apply(ApplyArgs),
    /// Log in to the business query (captcha + SMS code); the session is kept for 30 minutes.
    Login {
        /// Mobile number of the applications.
        #[arg(long)]
        phone: String,
        /// Id printed by `tessera enroll captcha`.
        #[arg(long)]
        captcha_id: String,
        /// The characters in the captcha image.
        #[arg(long)]
        captcha_answer: String,
        /// The code from `tessera enroll code --for query`.
        #[arg(long)]
        sms_code: String,
    },
    /// List the applications of the logged-in phone and their states.
    List,
    /// Install an approved application: make the key on a device and store the certificate.
    Install {
        /// Application id (from `tessera enroll list`).
        id: String,
        /// Label or serial of the device that gets the key and certificate.
        #[arg(long)]
        device: String,
        /// File whose first line is the device PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// File whose first line is the certificate password set at application (default: prompt).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Renew a certificate on a device with its own key (30 days before expiry by default).
    Renew {
        /// The certificate: thumbprint (or a unique prefix) as `tessera cert list` shows.
        cert: String,
        /// Label or serial of the device holding it.
        #[arg(long)]
        device: String,
        /// File whose first line is the device PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
    },
    /// Forget the business-query session.
    Logout,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// The project's enrollment QR: a file with its text or a PNG/JPEG image of it; "-" reads
    /// standard input.
    #[arg(long, value_name = "FILE")]
    qr: String,
    /// Mobile number.
    #[arg(long)]
    phone: String,
    /// The code from `tessera enroll code --for apply`.
    #[arg(long)]
    sms_code: String,
    /// Full name as on the ID card.
    #[arg(long)]
    name: String,
    /// Resident ID card number (18 characters).
    #[arg(long)]
    id_number: String,
    /// Organization (employer).
    #[arg(long)]
    organization: String,
    /// E-mail address.
    #[arg(long)]
    email: String,
    /// Key type of the certificate.
    #[arg(long, default_value = "sm2", value_parser = ["sm2", "p256", "rsa"])]
    key_alg: String,
    /// I have read the notices (`tessera enroll notices`) and accept them.
    #[arg(long)]
    accept_notices: bool,
    /// File whose first line is the new certificate password (default: prompt twice).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

fn service(args: &ServerArgs, app: &App, fallback: Option<&str>) -> Result<ServiceClient, Failure> {
    let url = args
        .server
        .clone()
        .or_else(|| app.service_url().map(str::to_owned))
        .or_else(|| fallback.map(str::to_owned))
        .ok_or(Failure::Enroll(EnrollError::Service(
            ServiceError::BadUrl { url: String::new() },
        )))?;
    Ok(ServiceClient::new(&url, args.ca_file.as_deref()).map_err(EnrollError::from)?)
}

#[derive(Debug, Serialize)]
struct Installed<'a> {
    device: &'a str,
    thumbprint: String,
    serial: String,
    subject: String,
    not_after: String,
    replaced: Option<String>,
}

fn installed<'a>(
    device: &'a str,
    entry: &tessera_media::CertEntry,
    replaced: Option<String>,
) -> Installed<'a> {
    let details = entry.certificate.details(time::OffsetDateTime::now_utc());
    Installed {
        device,
        thumbprint: entry.reference.thumbprint().to_owned(),
        serial: details.serial.clone(),
        subject: details.subject.rfc4514.clone(),
        not_after: details.validity.not_after.clone(),
        replaced,
    }
}

fn print_application(out: &mut Output<'_>, a: &Application) -> Result<(), Failure> {
    let l = out.l;
    let status = l.text(&format!("enroll-status-{}", a.status.as_str()));
    out.heading(&format!("{}  {status}", a.id))?;
    for (label, value) in [
        ("enroll-label-project", a.project.as_str()),
        ("enroll-label-subject", a.subject.as_str()),
        ("enroll-label-id-number", a.id_number_masked.as_str()),
        ("enroll-label-phone", a.phone_masked.as_str()),
        ("enroll-label-key-alg", a.key_algorithm.as_str()),
    ] {
        out.line(&format!("  {}: {value}", l.text(label)))?;
    }
    if let Some(reason) = &a.reason {
        out.line(&format!("  {}: {reason}", l.text("enroll-label-reason")))?;
    }
    if let Some(serial) = &a.serial {
        out.line(&format!("  {}: {serial}", l.text("enroll-label-serial")))?;
    }
    Ok(())
}

fn password(
    l: &tessera_core::i18n::Localizer,
    file: Option<&Path>,
    confirm: bool,
) -> Result<Password, Failure> {
    let first = secret::read_secret(l, file, "prompt-cert-password")?;
    if confirm && file.is_none() {
        let again = secret::read_secret(l, None, "prompt-cert-password-again")?;
        if again != first {
            return Err(Failure::PinMismatch);
        }
    }
    Ok(Password::new(first))
}

pub(crate) fn run(args: EnrollArgs, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let l = out.l;
    let data_dir = app.data_dir().to_owned();
    match args.command {
        EnrollCommand::Notices => {
            let notices = enroll::notices(&service(&args.server, app, None)?)?;
            match out.format {
                Format::Json => out.json(&notices)?,
                Format::Text => {
                    out.heading(&l.text_with(
                        "enroll-privacy-heading",
                        &[("version", V::from(notices.privacy_version.as_str()))],
                    ))?;
                    out.line(notices.privacy_text.trim_end())?;
                    out.line("")?;
                    out.heading(&l.text_with(
                        "enroll-terms-heading",
                        &[("version", V::from(notices.terms_version.as_str()))],
                    ))?;
                    out.line(notices.terms_text.trim_end())?;
                }
            }
        }
        EnrollCommand::Code { phone, purpose } => {
            let purpose = match purpose {
                CodePurpose::Apply => tessera_proto::ra::PURPOSE_APPLY,
                CodePurpose::Query => tessera_proto::ra::PURPOSE_QUERY,
                CodePurpose::BindPhone => tessera_proto::cloud::PURPOSE_BIND_PHONE,
            };
            let sent = enroll::send_code(&service(&args.server, app, None)?, &phone, purpose)?;
            out.report(
                &sent,
                "enroll-code-sent",
                &[("minutes", V::from(sent.expires_in / 60))],
            )?;
        }
        EnrollCommand::Captcha { out: path } => {
            let (challenge, png) = enroll::captcha(&service(&args.server, app, None)?)?;
            std::fs::write(&path, png)?;
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "id": challenge.id,
                    "image": path,
                    "expires_in": challenge.expires_in,
                }))?,
                Format::Text => {
                    out.line(&challenge.id)?;
                    out.line(&l.text_with(
                        "enroll-captcha-saved",
                        &[("path", V::from(path.display().to_string()))],
                    ))?;
                }
            }
        }
        EnrollCommand::Apply(a) => {
            let qr = enroll::read_qr(&read_input(&a.qr)?)?;
            let service = service(&args.server, app, Some(&qr.url))?;
            enroll::verify_qr(&service, &data_dir, &qr)?;
            let notices = enroll::notices(&service)?;
            if !a.accept_notices {
                out.error(&l.text("enroll-accept-notices"));
                return Ok(exit::USAGE);
            }
            let request = ApplyRequest {
                project: qr.project.clone(),
                phone: a.phone,
                sms_code: a.sms_code,
                consent: Consent {
                    privacy_version: notices.privacy_version,
                    terms_version: notices.terms_version,
                },
                applicant: Applicant {
                    name: a.name,
                    id_number: a.id_number,
                    organization: a.organization,
                    email: a.email,
                },
                key_algorithm: Some(a.key_alg),
                password: password(l, a.password_file.as_deref(), true)?,
            };
            let applied = enroll::apply(&service, &data_dir, &request)?;
            match out.format {
                Format::Json => out.json(&applied)?,
                Format::Text => {
                    print_application(out, &applied.application)?;
                    let next = if applied.pre_entered {
                        "enroll-next-install"
                    } else {
                        "enroll-next-review"
                    };
                    out.line(&l.text(next))?;
                }
            }
        }
        EnrollCommand::Login {
            phone,
            captcha_id,
            captcha_answer,
            sms_code,
        } => {
            let service = service(&args.server, app, None)?;
            let request = QueryLogin {
                phone,
                captcha_id,
                captcha_answer,
                sms_code,
            };
            let session = enroll::login(&service, &data_dir, &request)?;
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "server": session.server,
                    "expires_at": session.expires_at,
                }))?,
                Format::Text => out.line(&l.text("enroll-logged-in"))?,
            }
        }
        EnrollCommand::List => {
            let service = service(&args.server, app, None)?;
            let session = enroll::session(&service, &data_dir)?;
            let list = enroll::applications(&service, &session)?;
            match out.format {
                Format::Json => out.json(&list)?,
                Format::Text if list.is_empty() => out.line(&l.text("enroll-none"))?,
                Format::Text => {
                    for a in &list {
                        print_application(out, a)?;
                    }
                }
            }
        }
        EnrollCommand::Install {
            id,
            device,
            pin_file,
            password_file,
        } => {
            let service = service(&args.server, app, None)?;
            let session = enroll::session(&service, &data_dir)?;
            let application = enroll::application(&service, &session, &id)?;
            let password = password(l, password_file.as_deref(), false)?;
            let mut medium = app.open_medium(&device)?;
            login(app, &mut medium, l, pin_file.as_deref())?;
            let spinner = super::output::spinner(&l.text("progress-generating-key"));
            let entry = enroll::install(&service, &session, &application, &mut medium, &password);
            spinner.finish_and_clear();
            let report = installed(&device, &entry?, None);
            out.report(
                &report,
                "enroll-installed",
                &[
                    ("thumbprint", V::from(report.thumbprint.as_str())),
                    ("device", V::from(device.as_str())),
                ],
            )?;
        }
        EnrollCommand::Renew {
            cert,
            device,
            pin_file,
        } => {
            let service = service(&args.server, app, None)?;
            let mut medium = app.open_medium(&device)?;
            let entry = tessera_core::app::find_certificate(&medium, &cert)?;
            login(app, &mut medium, l, pin_file.as_deref())?;
            let new = enroll::renew(&service, &mut medium, &entry)?;
            let report = installed(&device, &new, Some(entry.reference.thumbprint().to_owned()));
            out.report(
                &report,
                "enroll-renewed",
                &[
                    ("thumbprint", V::from(report.thumbprint.as_str())),
                    ("not_after", V::from(report.not_after.as_str())),
                ],
            )?;
        }
        EnrollCommand::Logout => {
            enroll::logout(&data_dir)?;
            if out.format == Format::Text {
                out.line(&l.text("enroll-logged-out"))?;
            }
        }
    }
    Ok(exit::OK)
}
