//! `tessera sign` and `tessera verify`: raw signatures over a file or a hash.

use std::path::PathBuf;

use base64::Engine as _;
use clap::{Args, ValueEnum};
use serde::Serialize;
use tessera::app::{App, default_sign_alg, find_certificate};
use tessera_crypto::digest::DigestAlgorithm;
use tessera_crypto::public_key::{PublicKey, VerifyAlgorithm};
use tessera_crypto::rsa::RsaPadding;
use tessera_media::{KeyAlgorithm, Medium as _, MediumError, SignAlg};

use super::{Failure, Format, Output, exit, login, read_input};

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

fn sign_alg(key: KeyAlgorithm, scheme: &Scheme, prehashed: bool) -> SignAlg {
    let digest = scheme.digest.map(Digest::algorithm);
    match (key, digest, scheme.pss) {
        (KeyAlgorithm::Sm2, _, _) if !prehashed => SignAlg::Sm2Sm3 {
            id: scheme.id.as_ref().map(|i| i.as_bytes().to_vec()),
        },
        (KeyAlgorithm::Rsa { .. }, d, true) => SignAlg::RsaPss {
            digest: d.unwrap_or(DigestAlgorithm::Sha256),
        },
        (KeyAlgorithm::Rsa { .. }, Some(d), false) if prehashed => {
            SignAlg::RsaPkcs1Prehashed { digest: d }
        }
        (KeyAlgorithm::Rsa { .. }, Some(d), false) => SignAlg::RsaPkcs1 { digest: d },
        (KeyAlgorithm::P256 | KeyAlgorithm::P384, Some(d), _) if !prehashed => {
            SignAlg::Ecdsa { digest: d }
        }
        _ => default_sign_alg(key, prehashed),
    }
}

pub(crate) fn sign(args: SignArgs, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let data = read_input(&args.input)?;
    let mut medium = app.open_medium(&args.device)?;
    let entry = find_certificate(&medium, &args.cert)?;
    let key = entry
        .key
        .clone()
        .ok_or_else(|| MediumError::NoMatchingKey {
            thumbprint: entry.reference.to_string(),
        })?;
    let algorithm = medium
        .keys()?
        .into_iter()
        .find(|k| k.reference == key)
        .map(|k| k.algorithm)
        .ok_or(MediumError::NoSuchKey)?;
    login(app, &mut medium, out.l, args.pin_file.as_deref())?;
    let signature = medium.sign(
        &key,
        &sign_alg(algorithm, &args.scheme, args.prehashed),
        &data,
    )?;
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
    let crypto = |source| Failure::Crypto {
        path: args.cert.clone(),
        source,
    };
    let key = match tessera_x509::parse_certificates(&cert_bytes) {
        Ok(certs) => match certs.first() {
            Some(cert) => cert.public_key().map_err(crypto)?,
            None => {
                return Err(Failure::Parse {
                    path: args.cert.clone(),
                    source: tessera_x509::ParseError::NoCertificate,
                });
            }
        },
        Err(source) => {
            let text = String::from_utf8_lossy(&cert_bytes);
            let spki = pem_rfc7468::decode_vec(text.trim().as_bytes())
                .ok()
                .filter(|(label, _)| *label == "PUBLIC KEY")
                .map(|(_, der)| der)
                .ok_or(Failure::Parse {
                    path: args.cert.clone(),
                    source,
                })?;
            PublicKey::from_spki_der(&spki).map_err(crypto)?
        }
    };
    let data = read_input(&args.input)?;
    let sig = read_input(&args.sig)?;
    let digest = args.scheme.digest.map(Digest::algorithm);
    let alg = match (key.default_algorithm(), digest) {
        (VerifyAlgorithm::Sm2 { id }, _) => VerifyAlgorithm::Sm2 {
            id: args.scheme.id.map_or(id, String::into_bytes),
        },
        (VerifyAlgorithm::Ecdsa { digest: d }, other) => VerifyAlgorithm::Ecdsa {
            digest: other.unwrap_or(d),
        },
        (VerifyAlgorithm::Rsa { digest: d, .. }, other) => VerifyAlgorithm::Rsa {
            padding: if args.scheme.pss {
                RsaPadding::Pss
            } else {
                RsaPadding::Pkcs1v15
            },
            digest: other.unwrap_or(d),
        },
        (other, _) => other,
    };
    let valid = key.verify(&alg, &data, &sig).is_ok();
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
