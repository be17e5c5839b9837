//! Finding certificates in what a user hands us: DER, PEM (one or many blocks, any text around
//! them), bare base64, and PKCS#7 certs-only bundles (`.p7b`/`.p7c`, RFC 2315 §9.1, RFC 5652
//! §5.1), in DER, BER or PEM.
//!
//! This module only cuts out the DER of each certificate; decoding it is the caller's job.

use base64::Engine as _;

use super::ParseError;
use super::ber::{self, Tlv};

/// `id-signedData` (RFC 5652 §5.1), content octets of the OID.
const SIGNED_DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// PEM labels whose contents are a certificate, a sequence of them, or PKCS#7 holding them.
const CERTIFICATE_LABELS: &[&str] = &[
    "CERTIFICATE",
    "X509 CERTIFICATE",
    "X.509 CERTIFICATE",
    "CERTIFICATE CHAIN",
];
/// PEM labels for PKCS#7/CMS (RFC 7468 §8 names `PKCS7`; OpenSSL also writes `PKCS #7 SIGNED DATA`).
const PKCS7_LABELS: &[&str] = &["PKCS7", "PKCS #7 SIGNED DATA", "CMS"];
/// OpenSSL's certificate with trust settings appended (`X509_AUX`): the first element is the
/// certificate, the rest is OpenSSL's own and ignored here.
const TRUSTED_LABEL: &str = "TRUSTED CERTIFICATE";

/// The DER of every certificate in `input`, in the order found.
pub(super) fn extract(input: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let first = input
        .iter()
        .position(|b| !is_space(*b))
        .ok_or(ParseError::Empty)?;
    let trimmed = &input[first..];
    let blobs = if input.first() == Some(&0x30) {
        der_elements(input)?
    } else if find(trimmed, b"-----BEGIN").is_some() {
        pem(trimmed)?
    } else if trimmed.iter().all(|b| is_base64(*b) || is_space(*b)) {
        let der = decode_base64(trimmed).map_err(|_| ParseError::UnrecognizedFormat)?;
        if der.first() != Some(&0x30) {
            return Err(ParseError::UnrecognizedFormat);
        }
        der_elements(&der)?
    } else {
        return Err(ParseError::UnrecognizedFormat);
    };
    if blobs.is_empty() {
        Err(ParseError::NoCertificate)
    } else {
        Ok(blobs)
    }
}

/// One or more DER/BER elements back to back, each a certificate or a PKCS#7 `ContentInfo`.
fn der_elements(mut data: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut out = Vec::new();
    let mut index = 0usize;
    loop {
        let (tlv, rest) = ber::read(data).map_err(|e| der_error(index, e))?;
        if tlv.first != 0x30 {
            return Err(der_error(index, "not a SEQUENCE"));
        }
        match tlv.children().next() {
            Some(Ok(inner)) if inner.first == 0x06 => {
                let certs = pkcs7(tlv)?;
                index += certs.len();
                out.extend(certs);
            }
            Some(Ok(inner)) if inner.first == 0x30 => {
                out.push(tlv.raw.to_vec());
                index += 1;
            }
            Some(Err(e)) => return Err(der_error(index, e)),
            _ => return Err(der_error(index, "neither a certificate nor PKCS#7")),
        }
        // Files often end with a newline or padding after the last element.
        if rest.iter().all(|b| is_space(*b) || *b == 0) {
            return Ok(out);
        }
        data = rest;
    }
}

fn der_error(index: usize, reason: &str) -> ParseError {
    ParseError::Der {
        index,
        reason: reason.to_owned(),
    }
}

fn pkcs7_error(reason: &str) -> ParseError {
    ParseError::Pkcs7 {
        reason: reason.to_owned(),
    }
}

/// The `certificates` of a `ContentInfo` holding `SignedData` (RFC 5652 §5.1, RFC 2315 §9.1):
///
/// ```text
/// ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }
/// SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
///                           certificates [0] IMPLICIT CertificateSet OPTIONAL,
///                           crls [1] IMPLICIT RevocationInfoChoices OPTIONAL, signerInfos SET }
/// ```
///
/// Only plain certificates are taken from `CertificateSet`; attribute and other certificate
/// choices (tagged `[1]`..`[3]`) are skipped.
fn pkcs7(content_info: Tlv<'_>) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut parts = content_info.children();
    let oid = parts
        .next()
        .ok_or_else(|| pkcs7_error("empty ContentInfo"))?
        .map_err(pkcs7_error)?;
    if oid.contents != SIGNED_DATA_OID {
        let content_type = const_oid::ObjectIdentifier::from_bytes(oid.contents)
            .map(|o| o.to_string())
            .unwrap_or_else(|_| hex::encode(oid.contents));
        return Err(ParseError::UnsupportedContainer { content_type });
    }
    let explicit = match parts.next() {
        Some(t) => t.map_err(pkcs7_error)?,
        None => return Err(pkcs7_error("SignedData content missing")),
    };
    if explicit.first != 0xa0 {
        return Err(pkcs7_error("content is not [0] EXPLICIT"));
    }
    let signed_data = explicit
        .children()
        .next()
        .ok_or_else(|| pkcs7_error("empty content"))?
        .map_err(pkcs7_error)?;
    if signed_data.first != 0x30 {
        return Err(pkcs7_error("SignedData is not a SEQUENCE"));
    }
    let mut out = Vec::new();
    for item in signed_data.children() {
        let item = item.map_err(pkcs7_error)?;
        if item.first != 0xa0 {
            continue;
        }
        for cert in item.children() {
            let cert = cert.map_err(pkcs7_error)?;
            if cert.first == 0x30 {
                out.push(cert.raw.to_vec());
            }
        }
    }
    Ok(out)
}

/// Every certificate in the PEM blocks of `text` (RFC 7468), tolerating text between blocks,
/// CRLF, RFC 1421 headers, and lines of any width.
fn pem(text: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut blocks = 0usize;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let after_begin = &rest[start + 11..];
        let label_end =
            find(after_begin, b"-----").ok_or_else(|| pem_error("unterminated BEGIN line"))?;
        let label = String::from_utf8_lossy(&after_begin[..label_end])
            .trim()
            .to_owned();
        let body_start = &after_begin[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_len = find(body_start, end_marker.as_bytes())
            .ok_or_else(|| pem_error(&format!("no END line for {label}")))?;
        let body = &body_start[..body_len];
        rest = &body_start[body_len + end_marker.len()..];
        blocks += 1;

        let label_is = |set: &[&str]| set.iter().any(|l| l.eq_ignore_ascii_case(&label));
        if label_is(CERTIFICATE_LABELS) || label_is(PKCS7_LABELS) {
            let der = pem_body(body, &label)?;
            out.extend(der_elements(&der).map_err(|e| renumber(e, out.len()))?);
        } else if label.eq_ignore_ascii_case(TRUSTED_LABEL) {
            let der = pem_body(body, &label)?;
            let (tlv, _aux) = ber::read(&der).map_err(|e| der_error(out.len(), e))?;
            out.push(tlv.raw.to_vec());
        }
    }
    if blocks == 0 {
        return Err(pem_error("no complete PEM block"));
    }
    Ok(out)
}

/// Index errors by position in the whole input rather than within one block.
fn renumber(e: ParseError, offset: usize) -> ParseError {
    match e {
        ParseError::Der { index, reason } => ParseError::Der {
            index: index + offset,
            reason,
        },
        other => other,
    }
}

fn pem_error(reason: &str) -> ParseError {
    ParseError::Pem {
        reason: reason.to_owned(),
    }
}

/// Decodes a block's base64, skipping RFC 1421 header lines (`Name: value`).
fn pem_body(body: &[u8], label: &str) -> Result<Vec<u8>, ParseError> {
    let mut b64 = Vec::with_capacity(body.len());
    for line in body.split(|b| *b == b'\n') {
        if line.contains(&b':') {
            continue;
        }
        b64.extend(line.iter().copied().filter(|b| !is_space(*b)));
    }
    if b64.is_empty() {
        return Err(pem_error(&format!("empty {label} block")));
    }
    decode_base64(&b64).map_err(|e| pem_error(&format!("bad base64 in {label} block: {e}")))
}

fn decode_base64(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: Vec<u8> = text.iter().copied().filter(|b| !is_space(*b)).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(compact)
}

/// Base64 with line breaks every 64 characters, as RFC 7468 §2 asks of generators.
pub(super) fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}
