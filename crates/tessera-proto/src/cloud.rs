//! Cloud-key bodies (`/v1/cloud/…`): accounts, login, device binding and the two-party SM2
//! exchange of DESIGN.md, "Two-party SM2 (co-signing)".
//!
//! Points travel as lowercase hex of SEC1 uncompressed bytes (`04 || x || y`, 130 characters),
//! scalars and digests as lowercase hex of 32 bytes. The service checks every point it receives
//! (on the curve, not the identity) and answers 400 otherwise.
//!
//! Authentication: `Authorization: Bearer <session token>` from [`LoginResponse`]; once a device
//! is bound, every request that uses the key share also carries [`DEVICE_TIME_HEADER`],
//! [`DEVICE_NONCE_HEADER`] and [`DEVICE_SIGNATURE_HEADER`], an SM2 signature (default ID, DER,
//! hex) by the device key over [`device_signed_bytes`]. Each signed request is accepted once.

use crate::hex::{Hex32, HexPoint};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// SMS purpose of the code that binds a phone to an account.
pub const PURPOSE_BIND_PHONE: &str = "cloud_bind_phone";
/// SMS purpose of the code that recovers a password.
pub const PURPOSE_RECOVER: &str = "cloud_recover";
/// SMS purpose of the code sent to the phone already bound, which a change of phone needs
/// (`POST /v1/cloud/accounts/{id}/phone/code`).
pub const PURPOSE_CHANGE_PHONE: &str = "cloud_change_phone";
/// Header with the Unix time the device signature was made at.
pub const DEVICE_TIME_HEADER: &str = "x-tessera-device-time";
/// Header with the device signature, hex of DER `SEQUENCE { r, s }`.
pub const DEVICE_SIGNATURE_HEADER: &str = "x-tessera-device-signature";
/// Header with a fresh random nonce for this one request: 16 bytes from the OS CSPRNG, 32
/// lowercase hex characters. The service remembers it until the request's time window ends and
/// refuses it a second time (403 `replayed`), across replicas.
pub const DEVICE_NONCE_HEADER: &str = "x-tessera-device-nonce";
/// How far behind the service's clock the device time may be, seconds.
pub const DEVICE_TIME_SKEW: i64 = 300;
/// How far ahead of the service's clock the device time may be, seconds.
pub const DEVICE_TIME_AHEAD: i64 = 30;
/// Largest handwritten-signature image, bytes of PNG.
pub const MAX_SIGNATURE_IMAGE: usize = 256 * 1024;

/// What a device signs: `tessera-cloud-v2\n{METHOD}\n{PATH?QUERY}\n{TIME}\n{NONCE}\n{SESSION
/// TOKEN}\n` then the body. `PATH?QUERY` is the request target as sent (path, and `?` with the
/// query string when there is one). Binding the session token, the time and the nonce makes a
/// signature useless on another session, after its window ([`DEVICE_TIME_SKEW`] behind,
/// [`DEVICE_TIME_AHEAD`] ahead) and a second time.
pub fn device_signed_bytes(
    method: &str,
    path_and_query: &str,
    time: i64,
    nonce: &str,
    session: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out =
        format!("tessera-cloud-v2\n{method}\n{path_and_query}\n{time}\n{nonce}\n{session}\n")
            .into_bytes();
    out.extend_from_slice(body);
    out
}

pub use crate::secret::Password;

/// A session token: `Debug` shows nothing, `==` takes the same time wherever they differ.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for SessionToken {}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl Drop for SessionToken {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `GET /v1/cloud/orgs?q=`: one organization of the directory and where its services are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloudOrg {
    /// Organization code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Base URL of the account service.
    pub service_url: String,
    /// Base URL of the co-signing service.
    pub cosign_url: String,
}

/// `GET /v1/cloud/about`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct About {
    /// Base URL of the account service.
    pub service_url: String,
    /// Base URL of the co-signing service.
    pub cosign_url: String,
    /// Service version.
    pub version: String,
}

/// `POST /v1/cloud/accounts`: self-registration, reviewed by an operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountApplication {
    /// Organization code.
    pub org: String,
    /// User ID or employee number, unique in the organization: 1-64 of letters, digits, `-_.@`.
    pub user_id: String,
    /// Full name, goes into the certificate's CN.
    pub name: String,
    /// Mainland China mobile number, optional at application.
    #[serde(default)]
    pub phone: Option<String>,
    /// The password the user will log in with.
    pub password: Password,
}

/// Review state of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountStatus {
    /// Waiting for an operator.
    Pending,
    /// Approved: the user may log in.
    Approved,
    /// Refused by an operator.
    Rejected,
}

impl AccountStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// An account as its owner and the operator see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Organization code.
    pub org: String,
    /// User ID or employee number.
    pub user_id: String,
    /// Full name.
    pub name: String,
    /// Bound phone, masked (`138****0000`), if any.
    pub phone: Option<String>,
    /// Review state.
    pub status: AccountStatus,
    /// Whether a device key is bound.
    pub device_bound: bool,
    /// Whether the two-party key exists.
    pub has_key: bool,
    /// Serial (hex) of the current certificate, if one was issued.
    pub certificate_serial: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /v1/cloud/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Organization code.
    pub org: String,
    /// User ID or employee number.
    pub user_id: String,
    /// Password.
    pub password: Password,
}

/// Answer to a successful login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Bearer token for the other calls.
    pub session: SessionToken,
    /// Unix seconds the session ends at.
    pub expires_at: i64,
    /// The account.
    pub account: Account,
}

/// `POST /v1/cloud/accounts/{id}/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    pub old: Password,
    /// The new password.
    pub new: Password,
}

/// `POST /v1/cloud/password/recover/code`: sends a code to the bound phone after a captcha.
/// `Debug` hides the captcha answer.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecoverCodeRequest {
    /// Organization code.
    pub org: String,
    /// User ID.
    pub user_id: String,
    /// Captcha id from `POST /v1/captcha`.
    pub captcha_id: String,
    /// What the image shows.
    pub captcha_answer: String,
}

/// `POST /v1/cloud/password/recover`: a new password with the SMS code. `Debug` hides the code.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecoverPassword {
    /// Organization code.
    pub org: String,
    /// User ID.
    pub user_id: String,
    /// The SMS code sent to the bound phone.
    pub code: String,
    /// The new password.
    pub new_password: Password,
}

impl std::fmt::Debug for RecoverCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoverCodeRequest")
            .field("org", &self.org)
            .field("user_id", &self.user_id)
            .field("captcha_id", &self.captcha_id)
            .field("captcha_answer", &"***")
            .finish()
    }
}

impl std::fmt::Debug for RecoverPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoverPassword")
            .field("org", &self.org)
            .field("user_id", &self.user_id)
            .field("code", &"***")
            .field("new_password", &self.new_password)
            .finish()
    }
}

/// `POST /v1/cloud/accounts/{id}/phone`: binds the phone a code (purpose
/// [`PURPOSE_BIND_PHONE`]) was sent to. A session alone is not enough: the request carries the
/// account password (counted against the lockout) or a device signature, and, when a phone is
/// bound already, the code sent to that phone (purpose [`PURPOSE_CHANGE_PHONE`]).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BindPhone {
    /// Mainland China mobile number.
    pub phone: String,
    /// The SMS code sent to the new phone.
    pub code: String,
    /// The account password; not needed when the request is signed by the bound device.
    #[serde(default)]
    pub password: Option<Password>,
    /// The SMS code sent to the phone bound now, when there is one.
    #[serde(default)]
    pub old_code: Option<String>,
}

impl std::fmt::Debug for BindPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BindPhone")
            .field("phone", &self.phone)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/cloud/accounts/{id}/device`: the device key of this install.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BindDevice {
    /// SM2 public key, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub public_key: HexPoint,
    /// A name for the device, shown to the user.
    #[serde(default)]
    pub label: Option<String>,
}

/// `POST /v1/cloud/accounts/{id}/key`: two-party key generation, step 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeygenRequest {
    /// `P1 = d1^-1 · G`, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub p1: HexPoint,
}

/// Answer to key generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeygenResponse {
    /// The joint public key `P`, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub public_key: HexPoint,
}

/// `POST /v1/cloud/accounts/{id}/certificate`: a CSR for the joint key, co-signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    /// PKCS#10, PEM.
    pub csr_pem: String,
}

/// The account's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloudCertificate {
    /// Serial, lowercase hex.
    pub serial: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// Issuing CA then root, PEM.
    pub chain_pem: String,
}

/// `POST /v1/cloud/accounts/{id}/sign`: signing step 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CosignRequest {
    /// `e = SM3(Z_A || M)`, hex of 32 bytes.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub e: Hex32,
    /// `Q1 = k1 · G`, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub q1: HexPoint,
}

/// Signing step 2: `r`, `s2`, `s3`, hex of 32 bytes each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CosignResponse {
    /// `r = (e + x1) mod n`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub r: Hex32,
    /// `s2 = d2 · k3`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub s2: Hex32,
    /// `s3 = d2 · (r + k2)`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub s3: Hex32,
}

/// `POST /v1/cloud/accounts/{id}/decrypt`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodecryptRequest {
    /// `T1 = d1^-1 · C1`, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub t1: HexPoint,
}

/// The service's decryption step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodecryptResponse {
    /// `T2 = d2^-1 · T1`, hex SEC1 uncompressed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub t2: HexPoint,
}

/// `PUT /v1/cloud/accounts/{id}/signature-image` and its `GET`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatureImage {
    /// PNG, standard base64, at most [`MAX_SIGNATURE_IMAGE`] bytes decoded.
    pub png_base64: String,
}

/// `POST /v1/cloud/accounts/{id}/app-sessions`: a relying application the user logged in to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAppSession {
    /// The application's id.
    pub app_id: String,
    /// Its display name.
    pub app_name: String,
}

/// One application session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppSession {
    /// Session id.
    pub id: String,
    /// The application's id.
    pub app_id: String,
    /// Its display name.
    pub app_name: String,
    /// Unix seconds.
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::{BindPhone, Password, RecoverCodeRequest, RecoverPassword, SessionToken};

    #[test]
    fn debug_hides_codes_answers_passwords_and_tokens() {
        let shown = [
            format!("{:?}", SessionToken::new("tok-SECRET")),
            format!(
                "{:?}",
                RecoverCodeRequest {
                    org: "HOSP".into(),
                    user_id: "N1".into(),
                    captcha_id: "c1".into(),
                    captcha_answer: "SECRET".into(),
                }
            ),
            format!(
                "{:?}",
                RecoverPassword {
                    org: "HOSP".into(),
                    user_id: "N1".into(),
                    code: "SECRET".into(),
                    new_password: Password::new("SECRET-pw1"),
                }
            ),
            format!(
                "{:?}",
                BindPhone {
                    phone: "13800138000".into(),
                    code: "SECRET".into(),
                    password: Some(Password::new("SECRET-pw1")),
                    old_code: Some("SECRET".into()),
                }
            ),
        ];
        for s in shown {
            assert!(!s.contains("SECRET"), "{s}");
        }
    }

    #[test]
    fn session_tokens_compare_by_content() {
        assert_eq!(SessionToken::new("abc"), SessionToken::new("abc"));
        assert_ne!(SessionToken::new("abc"), SessionToken::new("abd"));
        assert_ne!(SessionToken::new("abc"), SessionToken::new("abcd"));
    }
}
