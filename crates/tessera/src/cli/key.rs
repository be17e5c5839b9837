//! `tessera key generate`.

use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;
use tessera_core::app::App;
use tessera_media::{CsrRequest, KeySpec, Medium as _};

use super::{Failure, Format, Output, exit, login};

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a key pair on a device and print (or save) its PKCS#10 request.
    Generate {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// Key type: sm2, p256, rsa2048, rsa3072.
        #[arg(long, default_value = "sm2", value_parser = parse_spec)]
        alg: KeySpec,
        /// Subject of the request (RFC 4514), e.g. "CN=张三,O=某单位,C=CN".
        #[arg(long)]
        subject: String,
        /// Allow the private key to be exported later (PKCS#12).
        #[arg(long)]
        exportable: bool,
        /// Write the request (PEM) here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// File whose first line is the PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
    },
}

fn parse_spec(s: &str) -> Result<KeySpec, String> {
    KeySpec::from_name(s)
        .ok_or_else(|| format!("unknown key type {s:?}: sm2, p256, rsa2048, rsa3072"))
}

#[derive(Debug, Serialize)]
struct Generated {
    key_id: String,
    algorithm: String,
    csr_pem: String,
}

pub(crate) fn run(cmd: KeyCommand, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let KeyCommand::Generate {
        device,
        alg,
        subject,
        exportable,
        out: out_file,
        pin_file,
    } = cmd;
    let mut medium = app.open_medium(&device)?;
    login(app, &mut medium, out.l, pin_file.as_deref())?;
    let request = CsrRequest::new(subject).exportable(exportable);
    let spinner = super::output::spinner(&out.l.text("progress-generating-key"));
    let generated = medium.generate_key(alg, &request);
    spinner.finish_and_clear();
    let generated = generated?;
    let csr_pem = pem_rfc7468::encode_string(
        "CERTIFICATE REQUEST",
        pem_rfc7468::LineEnding::LF,
        &generated.csr,
    )
    .map_err(|e| Failure::Internal(e.to_string()))?;
    if let Some(path) = &out_file {
        std::fs::write(path, &csr_pem).map_err(Failure::Write)?;
    }
    let report = Generated {
        key_id: generated.key.reference.to_hex(),
        algorithm: generated.key.algorithm.name(),
        csr_pem,
    };
    match out.format {
        Format::Json => out.json(&report)?,
        Format::Text if out_file.is_some() => out.line(&report.key_id)?,
        Format::Text => out.line(report.csr_pem.trim_end())?,
    }
    Ok(exit::OK)
}
