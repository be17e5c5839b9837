//! Private keys as people hand them over: PEM (RFC 7468) or DER, in PKCS#8 (RFC 5958), SEC1
//! (RFC 5915, also labelled `SM2 PRIVATE KEY`) or PKCS#1 (RFC 8017) form.

use tessera_crypto::{ecdsa::EcdsaPrivateKey, rsa::RsaPrivateKey, sm2::Sm2PrivateKey};
use zeroize::Zeroizing;

use crate::{FormatError, Result, keys::PrivateKey};

fn invalid(reason: impl Into<String>) -> FormatError {
    FormatError::Invalid {
        what: "private key file",
        reason: reason.into(),
    }
}

/// The private key in `bytes` as DER PKCS#8, whatever its container.
pub fn pkcs8_from_key_file(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let der = match std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN "))
    {
        Some(text) => pem_private_key(text)?,
        None => Zeroizing::new(bytes.to_vec()),
    };
    if let Ok(key) = PrivateKey::from_pkcs8(&der) {
        return key.to_pkcs8();
    }
    // SEC1 and PKCS#1: SM2 first (it refuses keys naming another curve), then NIST curves, RSA.
    if let Ok(k) = Sm2PrivateKey::from_der(&der) {
        return Ok(k.to_pkcs8_der()?);
    }
    if let Ok(k) = EcdsaPrivateKey::from_der(&der) {
        return Ok(k.to_pkcs8_der()?);
    }
    if let Ok(k) = RsaPrivateKey::from_der(&der) {
        return Ok(k.to_pkcs8_der()?);
    }
    Err(invalid("not an SM2, P-256, P-384 or RSA private key").into())
}

/// The DER of the first PEM block whose label ends in `PRIVATE KEY`; other blocks (such as
/// `EC PARAMETERS` before the key) are skipped. Encrypted PEM is refused with a clear reason.
fn pem_private_key(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let end = block
            .find("-----END ")
            .and_then(|e| {
                block[e..]
                    .find('\n')
                    .map(|n| e + n + 1)
                    .or(Some(block.len()))
            })
            .ok_or_else(|| invalid("PEM block without END line"))?;
        let (label, der) = pem_rfc7468::decode_vec(&block.as_bytes()[..end])
            .map_err(|e| invalid(e.to_string()))?;
        let der = Zeroizing::new(der);
        if label == "ENCRYPTED PRIVATE KEY" {
            return Err(invalid(
                "encrypted private keys are not supported here; import a PKCS#12 file",
            )
            .into());
        }
        if label.ends_with("PRIVATE KEY") {
            return Ok(der);
        }
        rest = &block[end..];
    }
    Err(invalid("no PRIVATE KEY block").into())
}
