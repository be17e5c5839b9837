//! Certificates as a holder sees them: parsing what a user hands us, and the details model.
//!
//! [`parse_certificates`] takes DER, PEM (any number of `CERTIFICATE` blocks, text around them
//! allowed; `X509 CERTIFICATE` and OpenSSL's `TRUSTED CERTIFICATE` too), bare base64, and
//! PKCS#7 certs-only bundles (RFC 2315 §9.1, RFC 5652 §5.1) in DER, BER or PEM (`PKCS7`). Each
//! [`Certificate`] keeps its exact DER (for chain validation, thumbprints, export) beside the
//! decoded RFC 5280 structure. [`Certificate::details`] gives the [`CertificateDetails`] a view
//! shows and `tessera cert show --format json` prints; [`CertificateDetails::fields`] gives the
//! same as a flat list of labelled values.
//!
//! Nothing here panics on any input; input is capped at [`MAX_INPUT_LEN`].

mod algorithm;
mod ber;
mod container;
mod details;
mod extensions;
mod fields;
mod name;

use der::Decode as _;
use tessera_crypto::digest::DigestAlgorithm;
use time::OffsetDateTime;

pub use algorithm::{KeyAlgorithm, PublicKeyDetails, SignatureAlgorithmDetails};
pub use details::{
    Authority, CertificateDetails, CertificateKind, EXPIRING_SOON, KeyUsageClass, Thumbprints,
    ValidityDetails, ValidityStatus,
};
pub use extensions::{
    ExtensionDetails, ExtensionValue, GeneralNameDetails, GeneralNameKind, KeyPurpose, KeyUsageBit,
};
pub use fields::Field;
pub use name::{NameAttribute, NameDetails, short_name};

/// The largest input [`parse_certificates`] reads: far above any real bundle, small enough
/// that a wrong file cannot exhaust memory.
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

/// Why input could not be read as certificates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing but whitespace.
    #[error("the input is empty")]
    Empty,
    /// Larger than [`MAX_INPUT_LEN`].
    #[error("the input is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Neither DER, PEM, base64 nor PKCS#7.
    #[error("the input is not a certificate in DER, PEM or PKCS#7 form")]
    UnrecognizedFormat,
    /// PEM that is cut short or whose base64 is bad (RFC 7468).
    #[error("malformed PEM: {reason}")]
    Pem {
        /// What was wrong.
        reason: String,
    },
    /// A certificate (counting from 0 in input order) that is not valid DER for RFC 5280 §4.1.
    #[error("certificate {index} is malformed: {reason}")]
    Der {
        /// Position of the certificate in the input.
        index: usize,
        /// What was wrong.
        reason: String,
    },
    /// A PKCS#7 structure that is cut short or misshapen.
    #[error("malformed PKCS#7: {reason}")]
    Pkcs7 {
        /// What was wrong.
        reason: String,
    },
    /// PKCS#7 whose content type is not signedData (e.g. envelopedData).
    #[error("PKCS#7 content type {content_type} holds no certificates")]
    UnsupportedContainer {
        /// The contentType OID, dotted decimal.
        content_type: String,
    },
    /// Well-formed input with no certificate in it (a PEM key, an empty PKCS#7 bundle).
    #[error("no certificate found")]
    NoCertificate,
}

/// One X.509 certificate: its exact DER and the decoded structure (RFC 5280 §4.1).
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    x509: x509_cert::Certificate,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field(
                "subject",
                &name::NameDetails::from_name(self.x509.tbs_certificate().subject()).rfc4514,
            )
            .field("sha1", &self.thumbprint(DigestAlgorithm::Sha1))
            .finish_non_exhaustive()
    }
}

/// Reads every certificate in `bytes`, sniffing the format: DER (one or several back to back),
/// PEM, bare base64, or PKCS#7 certs-only in any of those.
///
/// Fails as a whole if any certificate in it is malformed; the error says which.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, ParseError> {
    if bytes.len() > MAX_INPUT_LEN {
        return Err(ParseError::TooLarge {
            limit: MAX_INPUT_LEN,
        });
    }
    container::extract(bytes)?
        .into_iter()
        .enumerate()
        .map(|(index, der)| Certificate::decode(der, index))
        .collect()
}

impl Certificate {
    /// Decodes exactly one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, ParseError> {
        if der.len() > MAX_INPUT_LEN {
            return Err(ParseError::TooLarge {
                limit: MAX_INPUT_LEN,
            });
        }
        Self::decode(der.to_vec(), 0)
    }

    fn decode(der: Vec<u8>, index: usize) -> Result<Self, ParseError> {
        let x509 = x509_cert::Certificate::from_der(&der).map_err(|e| ParseError::Der {
            index,
            reason: e.to_string(),
        })?;
        Ok(Certificate { der, x509 })
    }

    /// The certificate exactly as encoded: what signatures, thumbprints and export use.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded structure.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.x509
    }

    /// The subject's public key (RFC 5280 §4.1.2.7), ready to verify signatures with.
    pub fn public_key(
        &self,
    ) -> Result<tessera_crypto::public_key::PublicKey, tessera_crypto::CryptoError> {
        use der::Encode as _;
        let spki = self
            .x509
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| tessera_crypto::CryptoError::InvalidKey {
                algorithm: "public",
                reason: "encoding",
            })?;
        tessera_crypto::public_key::PublicKey::from_spki_der(&spki)
    }

    /// PEM with the `CERTIFICATE` label (RFC 7468 §5), LF line endings.
    pub fn to_pem(&self) -> String {
        container::encode_pem("CERTIFICATE", &self.der)
    }

    /// Digest of the whole DER, lowercase hex without separators.
    pub fn thumbprint(&self, algorithm: DigestAlgorithm) -> String {
        hex::encode(algorithm.digest(&self.der))
    }

    /// serialNumber as in [`CertificateDetails::serial`].
    pub fn serial_hex(&self) -> String {
        serial_hex(self.x509.tbs_certificate().serial_number().as_bytes())
    }

    /// notBefore (RFC 5280 §4.1.2.5), UTC.
    pub fn not_before(&self) -> OffsetDateTime {
        to_datetime(self.x509.tbs_certificate().validity().not_before)
    }

    /// notAfter (RFC 5280 §4.1.2.5), UTC.
    pub fn not_after(&self) -> OffsetDateTime {
        to_datetime(self.x509.tbs_certificate().validity().not_after)
    }

    /// The details, with the validity status at `now`.
    pub fn details(&self, now: OffsetDateTime) -> CertificateDetails {
        CertificateDetails::new(self, now)
    }
}

fn to_datetime(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    // UTCTime and GeneralizedTime as `der` decodes them stay within 1970..=9999.
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Hex of a DER INTEGER's contents as OpenSSL prints a serial (`i2a_ASN1_INTEGER`): the
/// magnitude without leading zero octets, `-` before a negative one, `00` for zero; lowercase.
pub(crate) fn serial_hex(contents: &[u8]) -> String {
    let negative = contents.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude: Vec<u8> = if negative {
        // Two's complement: invert and add one.
        let mut m: Vec<u8> = contents.iter().map(|b| !b).collect();
        for byte in m.iter_mut().rev() {
            let (sum, carry) = byte.overflowing_add(1);
            *byte = sum;
            if !carry {
                break;
            }
        }
        m
    } else {
        contents.to_vec()
    };
    let digits: Vec<u8> = magnitude.into_iter().skip_while(|b| *b == 0).collect();
    let hex = if digits.is_empty() {
        "00".to_owned()
    } else {
        hex::encode(digits)
    };
    if negative { format!("-{hex}") } else { hex }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_like_openssl() {
        assert_eq!(serial_hex(&[0x00, 0x8f, 0x01]), "8f01");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x01]), "01");
        assert_eq!(serial_hex(&[0xff]), "-01");
        assert_eq!(serial_hex(&[0xff, 0x00]), "-0100");
    }
}
