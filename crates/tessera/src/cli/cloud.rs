//! `tessera cloud …`: cloud keys (two-party SM2 with a cloud-key service). The flows are in
//! `tessera_core::cloud`; this face gathers input, reads passwords from a prompt or
//! `--password-file` (never argv) and prints.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use fluent_bundle::FluentValue as V;
use tessera_core::app::App;
use tessera_core::cloud::{Cloud, CloudError};
use tessera_core::i18n::Localizer;
use tessera_proto::cloud::{AccountApplication, Password};

use super::{Failure, Format, Output, exit, read_input, secret};

#[derive(Debug, Args)]
pub(crate) struct CloudArgs {
    #[command(subcommand)]
    command: CloudCommand,
}

/// Where the password comes from.
#[derive(Debug, Clone, Args)]
struct PasswordArgs {
    /// Read the account password from the first line of FILE (`-`: standard input); else a
    /// prompt.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

/// An account named at a service, for the commands that work without a downloaded one.
#[derive(Debug, Args)]
struct AccountAt {
    /// Service URL.
    #[arg(long, value_name = "URL")]
    server: String,
    /// Organization code.
    #[arg(long, value_name = "CODE")]
    org: String,
    /// User ID.
    #[arg(long = "user", value_name = "ID")]
    user_id: String,
}

#[derive(Debug, Subcommand)]
enum CloudCommand {
    /// List or search the organizations of a service; each names its service addresses.
    Orgs {
        /// Service URL.
        #[arg(long, value_name = "URL")]
        server: String,
        /// Part of the code or name to look for.
        #[arg(long, default_value = "")]
        query: String,
    },
    /// The service and co-signing addresses of a service.
    About {
        /// Service URL (default: the active account's).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
    },
    /// Choose the organization (from the directory at `--server`, or by its QR): its service
    /// address becomes the default of `apply` and `download`.
    Use {
        /// Service URL (with `--org`).
        #[arg(long, value_name = "URL", requires = "org")]
        server: Option<String>,
        /// Organization code (with `--server`).
        #[arg(long, value_name = "CODE", requires = "server")]
        org: Option<String>,
        /// The organization's QR: a file with its text or image (`-`: standard input).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["server", "org"])]
        qr: Option<String>,
    },
    /// Apply for a cloud-key account; an operator reviews it.
    Apply {
        /// Service URL (default: the chosen organization's).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Organization code (default: the chosen organization).
        #[arg(long, value_name = "CODE")]
        org: Option<String>,
        /// User ID or employee number.
        #[arg(long = "user", value_name = "ID")]
        user_id: String,
        /// Full name (goes into the certificate).
        #[arg(long)]
        name: String,
        /// Mainland China mobile number.
        #[arg(long)]
        phone: Option<String>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Log in, bind this install, make the two-party key if needed and download the
    /// certificate; the account becomes the active one.
    Download {
        /// Service URL (default: the chosen organization's).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Organization code (default: the chosen organization).
        #[arg(long, value_name = "CODE")]
        org: Option<String>,
        /// User ID or employee number.
        #[arg(long = "user", value_name = "ID")]
        user_id: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// The accounts on this install; `*` marks the active one.
    Accounts,
    /// Make another account the active one.
    Switch {
        /// Account id or user ID.
        id: String,
    },
    /// Delete an account from this install with its key share and certificate. Asks on a
    /// terminal; elsewhere needs --yes. Without its share this install cannot use the key again.
    Delete {
        /// Account id or user ID.
        id: String,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Show the active account's certificate: its fields (`--format text`), PEM (`--format
    /// pem`) or JSON with the PEM in it (`--format json`).
    Cert {
        /// Also print the chain (issuing CA, root).
        #[arg(long)]
        chain: bool,
    },
    /// Download the certificate again, e.g. after the service renewed it.
    Refresh {
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Sign a file with the active account's key (SM2, ID 1234567812345678); writes DER.
    Sign {
        /// File to sign (`-`: standard input).
        #[arg(long = "in", value_name = "FILE")]
        input: String,
        /// Where to write the DER signature.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Decrypt an SM2 ciphertext (DER as OpenSSL writes it, or C1C3C2) to the active account.
    Decrypt {
        /// The ciphertext (`-`: standard input).
        #[arg(long = "in", value_name = "FILE")]
        input: String,
        /// Where to write the plaintext (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Change the password at the service.
    Password {
        #[command(flatten)]
        password: PasswordArgs,
        /// Read the new password from FILE; else a prompt.
        #[arg(long, value_name = "FILE", conflicts_with = "reseal")]
        new_password_file: Option<PathBuf>,
        /// Only reseal this install's share, kept by an earlier version under the password,
        /// under this install's key (needed only when that password was recovered elsewhere);
        /// the old password (--password-file) opens it.
        #[arg(long)]
        reseal: bool,
    },
    /// Ask for a password-recovery SMS code to the bound phone, after an image captcha
    /// (`tessera enroll captcha --server URL --out captcha.png`).
    RecoverCode {
        #[command(flatten)]
        account: AccountAt,
        /// Captcha id.
        #[arg(long)]
        captcha_id: String,
        /// What the captcha shows.
        #[arg(long)]
        captcha_answer: String,
    },
    /// Set a new password with the recovery SMS code.
    Recover {
        #[command(flatten)]
        account: AccountAt,
        /// The SMS code.
        #[arg(long)]
        code: String,
        /// Read the new password from FILE; else a prompt.
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
    /// Send a code to the phone bound now: changing the phone needs it (`bind-phone
    /// --old-code`).
    PhoneCode {
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Bind a phone with the code sent to it (`tessera enroll code --for bind-phone --phone
    /// NUMBER`) and, when a phone is bound already, the code sent to that one (`tessera cloud
    /// phone-code`). This install's device signs.
    BindPhone {
        /// Mainland China mobile number.
        #[arg(long)]
        phone: String,
        /// The SMS code sent to the new phone.
        #[arg(long)]
        code: String,
        /// The SMS code sent to the phone bound now.
        #[arg(long, value_name = "CODE")]
        old_code: Option<String>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Upload (`--put FILE`) or fetch (`--out FILE`) the handwritten-signature image (PNG).
    SignatureImage {
        /// PNG to upload.
        #[arg(long, value_name = "FILE", conflicts_with = "out")]
        put: Option<PathBuf>,
        /// Where to save the stored image.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// The applications the account is logged in to; `--end ID` or `--end-all` logs out.
    AppSessions {
        /// Log out of this application session.
        #[arg(long, value_name = "ID", conflicts_with = "end_all")]
        end: Option<String>,
        /// Log out of every application.
        #[arg(long)]
        end_all: bool,
        #[command(flatten)]
        password: PasswordArgs,
    },
}

fn password(l: &Localizer, args: &PasswordArgs) -> Result<Password, Failure> {
    secret::read_secret(l, args.password_file.as_deref(), "prompt-cloud-password")
        .map(Password::new)
}

fn new_password(l: &Localizer, file: Option<&Path>) -> Result<Password, Failure> {
    secret::read_secret(l, file, "prompt-cloud-new-password").map(Password::new)
}

/// `--server`/`--org` as given, else the organization chosen with `tessera cloud use`.
fn org_of(
    l: &Localizer,
    cloud: &Cloud,
    server: Option<String>,
    org: Option<String>,
) -> Result<(String, String), Failure> {
    let (chosen_server, chosen_org) = cloud.chosen_org()?;
    match (server.or(chosen_server), org.or(chosen_org)) {
        (Some(s), Some(o)) => Ok((s, o)),
        _ => Err(Failure::Usage(l.text("cloud-no-org"))),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(Failure::Write)
}

pub(crate) fn run(args: CloudArgs, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let l = out.l;
    let cloud = Cloud::new(app.data_dir());
    match args.command {
        CloudCommand::Orgs { server, query } => {
            let orgs = Cloud::orgs(&server, &query)?;
            match out.format {
                Format::Json => out.json(&orgs)?,
                Format::Text if orgs.is_empty() => out.line(&l.text("cloud-orgs-none"))?,
                Format::Text => {
                    for o in &orgs {
                        out.line(&format!("{}  {}  {}", o.code, o.name, o.service_url))?;
                    }
                }
            }
        }
        CloudCommand::About { server } => {
            let server = match server {
                Some(s) => s,
                None => match cloud.chosen_org()?.0 {
                    Some(s) => s,
                    None => cloud.active()?.server,
                },
            };
            let about = Cloud::about(&server)?;
            let update_check = app.settings().update_check.as_str();
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "service_url": about.service_url,
                    "cosign_url": about.cosign_url,
                    "version": about.version,
                    "update_check": update_check,
                }))?,
                Format::Text => {
                    out.line(&l.text_with(
                        "cloud-about-service",
                        &[("url", V::from(about.service_url.as_str()))],
                    ))?;
                    out.line(&l.text_with(
                        "cloud-about-cosign",
                        &[("url", V::from(about.cosign_url.as_str()))],
                    ))?;
                    out.line(&l.text_with(
                        "cloud-about-update-check",
                        &[("frequency", V::from(update_check))],
                    ))?;
                }
            }
        }
        CloudCommand::Use { server, org, qr } => {
            let chosen = match (server, org, qr) {
                (Some(server), Some(org), None) => cloud.choose_org(&server, &org)?,
                (None, None, Some(qr)) => cloud.choose_org_by_qr(&read_input(&qr)?)?,
                _ => return Err(Failure::Usage(l.text("cloud-use-usage"))),
            };
            out.report(
                &chosen,
                "cloud-org-chosen",
                &[
                    ("org", V::from(chosen.name.as_str())),
                    ("url", V::from(chosen.service_url.as_str())),
                ],
            )?;
        }
        CloudCommand::Apply {
            server,
            org,
            user_id,
            name,
            phone,
            password: p,
        } => {
            let (server, org) = org_of(l, &cloud, server, org)?;
            let application = AccountApplication {
                org,
                user_id,
                name,
                phone,
                password: password(l, &p)?,
            };
            let account = Cloud::apply(&server, &application)?;
            match out.format {
                Format::Json => out.json(&account)?,
                Format::Text => out
                    .line(&l.text_with("cloud-applied", &[("id", V::from(account.id.as_str()))]))?,
            }
        }
        CloudCommand::Download {
            server,
            org,
            user_id,
            password: p,
        } => {
            let (server, org) = org_of(l, &cloud, server, org)?;
            let pw = password(l, &p)?;
            let done = cloud.download(&server, &org, &user_id, &pw)?;
            out.report(
                &done,
                "cloud-downloaded",
                &[("serial", V::from(done.serial.as_str()))],
            )?;
        }
        CloudCommand::Accounts => {
            let (accounts, active) = cloud.accounts()?;
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "active": active,
                    "accounts": accounts.iter().map(|a| serde_json::json!({
                        "id": a.id, "server": a.server, "org": a.org, "user_id": a.user_id,
                        "name": a.name, "serial": a.serial,
                    })).collect::<Vec<_>>(),
                }))?,
                Format::Text if accounts.is_empty() => out.line(&l.text("cloud-none"))?,
                Format::Text => {
                    for a in &accounts {
                        let mark = if active.as_deref() == Some(a.id.as_str()) {
                            "*"
                        } else {
                            " "
                        };
                        out.line(&format!(
                            "{mark} {}  {}  {}  {}  {}",
                            a.id, a.org, a.user_id, a.name, a.server
                        ))?;
                    }
                }
            }
        }
        CloudCommand::Switch { id } => {
            let a = cloud.switch(&id)?;
            out.line(&l.text_with("cloud-switched", &[("user", V::from(a.user_id.as_str()))]))?;
        }
        CloudCommand::Delete { id, yes } => {
            let question = l.text_with("cloud-delete-confirm", &[("id", V::from(id.as_str()))]);
            if !yes {
                super::confirm::ask(out, &question)?;
            }
            let a = cloud.delete(&id)?;
            out.line(&l.text_with("cloud-deleted", &[("user", V::from(a.user_id.as_str()))]))?;
        }
        CloudCommand::Cert { chain } => {
            let a = cloud.active()?;
            let pem = a.certificate_pem.ok_or(CloudError::NoCertificate)?;
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "serial": a.serial, "certificate_pem": pem, "chain_pem": a.chain_pem,
                }))?,
                Format::Text if out.pem => {
                    out.line(pem.trim_end())?;
                    if chain && let Some(c) = a.chain_pem {
                        out.line(c.trim_end())?;
                    }
                }
                Format::Text => {
                    let source = format!("cloud:{}", a.id);
                    let mut shown = super::cert::shown_from_pem(&source, &pem)?;
                    if chain && let Some(c) = &a.chain_pem {
                        shown.extend(super::cert::shown_from_pem(&source, c)?);
                    }
                    super::cert::show_all_text(&shown, out)?;
                }
            }
        }
        CloudCommand::Refresh { password: p } => {
            let changed = cloud.refresh(&password(l, &p)?)?;
            let id = if changed {
                "cloud-refreshed-new"
            } else {
                "cloud-refreshed-same"
            };
            match out.format {
                Format::Json => out.json(&serde_json::json!({ "renewed": changed }))?,
                Format::Text => out.line(&l.text(id))?,
            }
        }
        CloudCommand::Sign {
            input,
            out: sig_path,
            password: p,
        } => {
            let msg = read_input(&input)?;
            let sig = cloud.sign(&msg, &password(l, &p)?)?;
            write_file(&sig_path, &sig.to_der())?;
            match out.format {
                Format::Json => out.json(&serde_json::json!({
                    "out": sig_path.display().to_string(), "signature": hex::encode(sig.to_der()),
                }))?,
                Format::Text => out.line(&l.text_with(
                    "cloud-signed",
                    &[("path", V::from(sig_path.display().to_string()))],
                ))?,
            }
        }
        CloudCommand::Decrypt {
            input,
            out: plain_path,
            password: p,
        } => {
            let ct = read_input(&input)?;
            let plain = cloud.decrypt(&ct, &password(l, &p)?)?;
            match plain_path {
                Some(path) => write_file(&path, &plain)?,
                None => {
                    use std::io::Write as _;
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(&plain)?;
                    stdout.flush()?;
                }
            }
        }
        CloudCommand::Password {
            password: p,
            new_password_file,
            reseal,
        } => {
            let old = password(l, &p)?;
            if reseal {
                cloud.rewrap(&old)?;
                out.line(&l.text("cloud-resealed"))?;
            } else {
                let new = new_password(l, new_password_file.as_deref())?;
                cloud.change_password(&old, &new)?;
                out.line(&l.text("cloud-password-changed"))?;
            }
        }
        CloudCommand::RecoverCode {
            account:
                AccountAt {
                    server,
                    org,
                    user_id,
                },
            captcha_id,
            captcha_answer,
        } => {
            let sent = Cloud::recover_code(&server, &org, &user_id, &captcha_id, &captcha_answer)?;
            match out.format {
                Format::Json => out.json(&sent)?,
                Format::Text => out.line(&l.text("cloud-code-sent"))?,
            }
        }
        CloudCommand::Recover {
            account:
                AccountAt {
                    server,
                    org,
                    user_id,
                },
            code,
            new_password_file,
        } => {
            let new = new_password(l, new_password_file.as_deref())?;
            Cloud::recover(&server, &org, &user_id, &code, &new)?;
            out.line(&l.text("cloud-recovered"))?;
        }
        CloudCommand::PhoneCode { password: p } => {
            let sent = cloud.old_phone_code(&password(l, &p)?)?;
            match out.format {
                Format::Json => out.json(&sent)?,
                Format::Text => out.line(&l.text("cloud-code-sent"))?,
            }
        }
        CloudCommand::BindPhone {
            phone,
            code,
            old_code,
            password: p,
        } => {
            cloud.bind_phone(&phone, &code, old_code.as_deref(), &password(l, &p)?)?;
            out.line(&l.text("cloud-phone-bound"))?;
        }
        CloudCommand::SignatureImage {
            put,
            out: save,
            password: p,
        } => {
            let pw = password(l, &p)?;
            if let Some(path) = put {
                let png = read_input(&path.display().to_string())?;
                cloud.put_signature_image(&png, &pw)?;
                out.line(&l.text("cloud-image-uploaded"))?;
            } else if let Some(path) = save {
                let png = cloud.signature_image(&pw)?;
                write_file(&path, &png)?;
                out.line(&l.text_with(
                    "cloud-image-saved",
                    &[("path", V::from(path.display().to_string()))],
                ))?;
            } else {
                return Err(Failure::Usage(l.text("cloud-image-usage")));
            }
        }
        CloudCommand::AppSessions {
            end,
            end_all,
            password: p,
        } => {
            let pw = password(l, &p)?;
            if end.is_some() || end_all {
                cloud.end_app_sessions(end.as_deref(), &pw)?;
                out.line(&l.text("cloud-app-sessions-ended"))?;
            } else {
                let list = cloud.app_sessions(&pw)?;
                match out.format {
                    Format::Json => out.json(&list)?,
                    Format::Text if list.is_empty() => {
                        out.line(&l.text("cloud-app-sessions-none"))?
                    }
                    Format::Text => {
                        for s in &list {
                            out.line(&format!("{}  {}  {}", s.id, s.app_id, s.app_name))?;
                        }
                    }
                }
            }
        }
    }
    Ok(exit::OK)
}
