//! `tessera sign` and `tessera verify`: raw signatures over a file or a hash.

use std::path::PathBuf;

use base64::Engine as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use tessera_core::app::App;
use tessera_core::signing::{self, VerifierError};
use tessera_crypto::digest::DigestAlgorithm;

use super::{Failure, Format, Output, ask_pin, exit, read_input};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Digest {
    Sha256,
    Sha384,
    Sha512,
    Sm3,
}

impl Digest {
    fn algorithm(self) -> DigestAlgorithm {
        match self {
            Self::Sha256 => DigestAlgorithm::Sha256,
            Self::Sha384 => DigestAlgorithm::Sha384,
            Self::Sha512 => DigestAlgorithm::Sha512,
            Self::Sm3 => DigestAlgorithm::Sm3,
        }
    }
}

/// Options shared by sign and verify that pick the scheme.
#[derive(Debug, Args)]
pub(crate) struct Scheme {
    /// Hash for ECDSA and RSA (default: SHA-256, SHA-384 for P-384). SM2 always uses SM3.
    #[arg(long, value_enum)]
    digest: Option<Digest>,
    /// RSA: use PSS instead of PKCS#1 v1.5.
    #[arg(long)]
    pss: bool,
    /// SM2: the signer's distinguishing ID (default 1234567812345678).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
}

impl Scheme {
    fn core(&self) -> signing::Scheme {
        signing::Scheme::new(
            self.digest.map(Digest::algorithm),
            self.pss,
            self.id.as_ref().map(|i| i.as_bytes().to_vec()),
        )
    }
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// Label or serial of the device.
    #[arg(long)]
    device: String,
    /// Thumbprint (SHA-256 or SHA-1, at least 8 hex digits) of the certificate whose key signs.
    #[arg(long)]
    cert: String,
    /// Data to sign; `-` for standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: String,
    /// The input is already a hash (for SM2: e = SM3(Z_A || M)).
    #[arg(long)]
    prehashed: bool,
    /// Write the signature (DER for SM2/ECDSA) here; otherwise it is printed in base64.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// File whose first line is the PIN (default: prompt).
    #[arg(long, value_name = "FILE")]
    pin_file: Option<PathBuf>,
    #[command(flatten)]
    scheme: Scheme,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The signer's certificate (or a PEM public key).
    #[arg(long, value_name = "FILE")]
    cert: String,
    /// The signed data; `-` for standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: String,
    /// The signature (DER for SM2/ECDSA, raw for RSA).
    #[arg(long, value_name = "FILE")]
    sig: String,
    #[command(flatten)]
    scheme: Scheme,
}

#[derive(Debug, Serialize)]
struct Signed {
    certificate_sha256: String,
    signature_base64: String,
}

#[derive(Debug, Serialize)]
struct Verified {
    valid: bool,
}

pub(crate) fn sign(args: SignArgs, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let data = read_input(&args.input)?;
    let mut medium = app.open_medium(&args.device)?;
    let scheme = args.scheme.core().prehashed(args.prehashed);
    let l = out.l;
    let signed = app.sign(
        &mut medium,
        &args.cert,
        &scheme,
        &data,
        &mut ask_pin(l, args.pin_file.as_deref()),
    )?;
    let (entry, signature) = (signed.certificate, signed.signature);
    if let Some(path) = &args.out {
        std::fs::write(path, &signature).map_err(Failure::Write)?;
    }
    let report = Signed {
        certificate_sha256: entry.certificate.thumbprint(DigestAlgorithm::Sha256),
        signature_base64: base64::engine::general_purpose::STANDARD.encode(&signature),
    };
    match out.format {
        Format::Json => out.json(&report)?,
        Format::Text if args.out.is_none() => out.line(&report.signature_base64)?,
        Format::Text => {}
    }
    Ok(exit::OK)
}

pub(crate) fn verify(args: VerifyArgs, out: &mut Output<'_>) -> Result<u8, Failure> {
    let cert_bytes = read_input(&args.cert)?;
    let path = || args.cert.clone();
    let key = signing::verifier_key(&cert_bytes).map_err(|e| match e {
        VerifierError::Parse(source) => Failure::Parse {
            path: path(),
            source,
        },
        VerifierError::Crypto(source) => Failure::Crypto {
            path: path(),
            source,
        },
        other => Failure::Internal(other.to_string()),
    })?;
    let data = read_input(&args.input)?;
    let sig = read_input(&args.sig)?;
    let valid = signing::verify(&key, &args.scheme.core(), &data, &sig);
    match out.format {
        Format::Json => out.json(&Verified { valid })?,
        Format::Text => {
            let text = out.l.text(if valid {
                "signature-valid"
            } else {
                "signature-invalid"
            });
            out.line(&text)?;
        }
    }
    Ok(if valid { exit::OK } else { exit::INVALID })
}
