//! The enrollment QR of a project: service URL and project code, signed by the service.

use serde::{Deserialize, Serialize};

/// Prefix of the QR text, so a scanner can tell a Tessera enrollment QR from other codes.
pub const QR_PREFIX: &str = "TESSERA-ENROLL:";

/// Domain separator of the signed message (see [`EnrollmentQr::signed_message`]).
const SIGNED_CONTEXT: &str = "tessera-enroll-v1";

/// Payload of a project's enrollment QR.
///
/// The service signs [`EnrollmentQr::signed_message`] with its own key; a client that knows
/// the service key (pinned at first contact, or later from its certificate) rejects a forged QR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentQr {
    /// Payload version, 1.
    pub v: u8,
    /// Base URL of the service, e.g. `https://ca.example.cn`.
    pub url: String,
    /// Project code within the service.
    pub project: String,
    /// Signature algorithm: `sm2-sm3` (GM/T 0009 default ID) or `ecdsa-p256-sha256`.
    pub alg: String,
    /// Signature over [`EnrollmentQr::signed_message`], DER, standard base64.
    pub sig: String,
}

/// Why a QR text is not an enrollment payload.
#[derive(Debug)]
pub struct QrFormatError(String);

impl std::fmt::Display for QrFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a Tessera enrollment QR: {}", self.0)
    }
}

impl std::error::Error for QrFormatError {}

impl EnrollmentQr {
    /// The exact bytes the signature covers: context, version, URL and project, one per line.
    pub fn signed_message(v: u8, url: &str, project: &str) -> Vec<u8> {
        format!("{SIGNED_CONTEXT}\n{v}\n{url}\n{project}").into_bytes()
    }

    /// The QR text: [`QR_PREFIX`] followed by compact JSON.
    pub fn to_qr_text(&self) -> Result<String, QrFormatError> {
        serde_json::to_string(self)
            .map(|json| format!("{QR_PREFIX}{json}"))
            .map_err(|e| QrFormatError(e.to_string()))
    }

    /// Parses a scanned QR text (signature not checked here).
    pub fn from_qr_text(text: &str) -> Result<Self, QrFormatError> {
        let json = text
            .trim()
            .strip_prefix(QR_PREFIX)
            .ok_or_else(|| QrFormatError("missing prefix".into()))?;
        let qr: Self = serde_json::from_str(json).map_err(|e| QrFormatError(e.to_string()))?;
        if qr.v != 1 {
            return Err(QrFormatError(format!("unsupported version {}", qr.v)));
        }
        Ok(qr)
    }
}
