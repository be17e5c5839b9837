//! Self-service (RA) flows of the holder against a Tessera service: read and check a project's
//! enrollment QR, apply, log in to the business query, install an approved certificate with a
//! key made on a medium, and renew a certificate with its own key.
//!
//! The faces (CLI, web UI) own no logic: they gather input and call these functions.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tessera_media::{CertEntry, CsrRequest, KeySpec, Medium, MediumError};
use tessera_proto::ra::{
    Application, Applied, ApplyRequest, InstallRequest, IssuedCertificate, Notices, Password,
    QueryLogin, QuerySession, RenewRequest,
};
use tessera_proto::sms::{CaptchaChallenge, SmsCodeRequest, SmsCodeSent};
use tessera_proto::{EnrollmentQr, ProblemCode};

use crate::service::{ServiceClient, ServiceError};
use crate::store::{DirStore, Store as _, StoreError, read_json, write_json};

/// File in the data folder with the business-query session (mode 0600).
pub const SESSION_FILE: &str = "business-session.json";
/// File in the data folder with the service keys pinned at first contact.
pub const PINNED_KEYS_FILE: &str = "service-keys.json";
/// Largest QR image read.
const MAX_QR_IMAGE: usize = 16 * 1024 * 1024;

/// Why a self-service step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnrollError {
    /// The service refused or could not be reached.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The medium refused (wrong PIN, locked, no space…).
    #[error(transparent)]
    Medium(#[from] MediumError),
    /// The input is not a Tessera enrollment QR (text or image).
    #[error("not a Tessera enrollment QR: {reason}")]
    NotEnrollmentQr {
        /// Why.
        reason: String,
    },
    /// The QR's signature does not verify with the service's key: forged or altered.
    #[error("the enrollment QR is not signed by the service at {url}")]
    ForgedQr {
        /// The service asked.
        url: String,
    },
    /// The service's key differs from the one pinned at first contact.
    #[error("the service key of {url} changed since first contact")]
    ServiceKeyChanged {
        /// The service.
        url: String,
    },
    /// The logged-in phone has no application with this id.
    #[error("no application {id} for this phone")]
    NoSuchApplication {
        /// The id asked for.
        id: String,
    },
    /// No business-query session, or it expired: log in first.
    #[error("not logged in to the business query (or the session expired)")]
    NoSession,
    /// The application names a key algorithm no medium here can make.
    #[error("key algorithm {0} cannot be generated on a medium")]
    UnsupportedKeyAlgorithm(String),
    /// The certificate has no key on this medium, so it cannot be renewed from here.
    #[error("the certificate's key is not on this medium")]
    NoKey,
    /// The service answered with a certificate that does not parse.
    #[error("issued certificate: {0}")]
    Certificate(#[from] tessera_x509::ParseError),
    /// A local file could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

type Result<T, E = EnrollError> = std::result::Result<T, E>;

impl From<StoreError> for EnrollError {
    fn from(e: StoreError) -> Self {
        Self::File {
            path: e.location.into(),
            reason: e.reason,
        }
    }
}

/// Reads an enrollment QR from its text (`TESSERA-ENROLL:{…}`) or from an image of it (PNG or
/// JPEG, decoded with `rqrr`). The signature is checked by [`verify_qr`].
pub fn read_qr(input: &[u8]) -> Result<EnrollmentQr> {
    let not_qr = |reason: String| EnrollError::NotEnrollmentQr { reason };
    if let Ok(text) = std::str::from_utf8(input)
        && text
            .trim_start()
            .starts_with(tessera_proto::enroll::QR_PREFIX)
    {
        return EnrollmentQr::from_qr_text(text).map_err(|e| not_qr(e.to_string()));
    }
    if input.len() > MAX_QR_IMAGE {
        return Err(not_qr("image too large".into()));
    }
    let image = image::load_from_memory(input)
        .map_err(|e| not_qr(format!("neither QR text nor a readable image ({e})")))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode()
            && let Ok(qr) = EnrollmentQr::from_qr_text(&text)
        {
            return Ok(qr);
        }
    }
    Err(not_qr("no Tessera QR code found in the image".into()))
}

/// Checks the QR's signature with the key of the service it names. That key is pinned in the
/// data folder at first contact; a later different key is refused, so a forged QR pointing at
/// an impostor service is caught once the real one has been seen.
pub fn verify_qr(service: &ServiceClient, data_dir: &Path, qr: &EnrollmentQr) -> Result<()> {
    #[derive(Deserialize)]
    struct ServiceKeyInfo {
        spki_base64: String,
    }
    let info: ServiceKeyInfo = service.get("/v1/service-key", None)?;
    let store = DirStore::new(data_dir);
    let mut pins: std::collections::BTreeMap<String, String> =
        read_json(&store, PINNED_KEYS_FILE)?.unwrap_or_default();
    match pins.get(service.url()) {
        Some(pinned) if *pinned != info.spki_base64 => {
            return Err(EnrollError::ServiceKeyChanged {
                url: service.url().to_owned(),
            });
        }
        Some(_) => {}
        None => {
            pins.insert(service.url().to_owned(), info.spki_base64.clone());
            write_json(&store, PINNED_KEYS_FILE, &pins)?;
        }
    }
    let forged = || EnrollError::ForgedQr {
        url: service.url().to_owned(),
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let spki = b64.decode(&info.spki_base64).map_err(|_| forged())?;
    let key = tessera_crypto::sm2::Sm2PublicKey::from_spki_der(&spki).map_err(|_| forged())?;
    let sig = b64.decode(&qr.sig).map_err(|_| forged())?;
    let sig = tessera_crypto::sm2::Sm2Signature::from_der(&sig).map_err(|_| forged())?;
    if qr.alg != "sm2-sm3" || qr.url.trim_end_matches('/') != service.url() {
        return Err(forged());
    }
    let msg = EnrollmentQr::signed_message(qr.v, &qr.url, &qr.project);
    key.verify(tessera_crypto::sm2::DEFAULT_ID, &msg, &sig)
        .map_err(|_| forged())
}

/// The notices an applicant consents to.
pub fn notices(service: &ServiceClient) -> Result<Notices> {
    Ok(service.get("/v1/ra/notices", None)?)
}

/// Sends an SMS code for `purpose` (`tessera_proto::ra::PURPOSE_APPLY` or `PURPOSE_QUERY`).
pub fn send_code(service: &ServiceClient, phone: &str, purpose: &str) -> Result<SmsCodeSent> {
    let body = SmsCodeRequest {
        phone: phone.to_owned(),
        purpose: purpose.to_owned(),
    };
    Ok(service.post("/v1/sms/code", &body, None)?)
}

/// A new image captcha; `png` is the image to show.
pub fn captcha(service: &ServiceClient) -> Result<(CaptchaChallenge, Vec<u8>)> {
    let challenge: CaptchaChallenge = service.post("/v1/captcha", &serde_json::json!({}), None)?;
    let png = base64::engine::general_purpose::STANDARD
        .decode(&challenge.png_base64)
        .map_err(|e| ServiceError::Protocol(e.to_string()))?;
    Ok((challenge, png))
}

/// Applies for a certificate; once the service has it, the applicant's name, phone and ID
/// number are kept in the data folder for the personal-information list (`crate::personal`).
pub fn apply(service: &ServiceClient, data_dir: &Path, request: &ApplyRequest) -> Result<Applied> {
    let applied = service.post("/v1/ra/applications", request, None)?;
    let a = &request.applicant;
    crate::personal::PersonalInfo::from_applicant(&a.name, &request.phone, &a.id_number)
        .save(&DirStore::new(data_dir))?;
    Ok(applied)
}

/// A business-query session kept in the data folder between commands.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    /// The service it belongs to.
    pub server: String,
    /// Bearer token.
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.server)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn now() -> i64 {
    crate::clock::now().unix_timestamp()
}

/// Logs in to the business query and keeps the session in the data folder (mode 0600).
pub fn login(service: &ServiceClient, data_dir: &Path, request: &QueryLogin) -> Result<Session> {
    let answer: QuerySession = service.post("/v1/ra/sessions", request, None)?;
    let session = Session {
        server: service.url().to_owned(),
        token: answer.token.clone(),
        expires_at: now() + i64::try_from(answer.expires_in).unwrap_or(0),
    };
    write_json(&DirStore::new(data_dir), SESSION_FILE, &session)?;
    Ok(session)
}

/// The live session for `service`, if any.
pub fn session(service: &ServiceClient, data_dir: &Path) -> Result<Session> {
    let session: Session =
        read_json(&DirStore::new(data_dir), SESSION_FILE)?.ok_or(EnrollError::NoSession)?;
    if session.server != service.url() || session.expires_at <= now() {
        return Err(EnrollError::NoSession);
    }
    Ok(session)
}

/// Forgets the business-query session.
pub fn logout(data_dir: &Path) -> Result<()> {
    let store = DirStore::new(data_dir);
    store
        .remove(SESSION_FILE)
        .map_err(|e| StoreError::at(&store, SESSION_FILE, e).into())
}

/// The expired-session answer of the service as [`EnrollError::NoSession`].
fn session_call<T>(result: Result<T, ServiceError>) -> Result<T> {
    match result {
        Err(e) if e.code() == Some(&ProblemCode::SessionInvalid) => Err(EnrollError::NoSession),
        other => Ok(other?),
    }
}

/// The applications of the logged-in phone.
pub fn applications(service: &ServiceClient, session: &Session) -> Result<Vec<Application>> {
    session_call(service.get("/v1/ra/my/applications", Some(&session.token)))
}

/// One application of the logged-in phone.
pub fn application(service: &ServiceClient, session: &Session, id: &str) -> Result<Application> {
    applications(service, session)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| EnrollError::NoSuchApplication { id: id.to_owned() })
}

/// The key algorithms an application may name, in the order offered (the first is the
/// default: SM2, the national algorithm), with the key type a medium makes for each.
pub const KEY_ALGORITHMS: [(&str, KeySpec); 3] = [
    ("sm2", KeySpec::Sm2),
    ("p256", KeySpec::P256),
    ("rsa", KeySpec::Rsa2048),
];

/// The key type a medium makes for an application's `key_algorithm`.
pub fn key_spec(key_algorithm: &str) -> Result<KeySpec> {
    KEY_ALGORITHMS
        .iter()
        .find(|(name, _)| *name == key_algorithm)
        .map(|(_, spec)| *spec)
        .ok_or_else(|| EnrollError::UnsupportedKeyAlgorithm(key_algorithm.to_owned()))
}

fn to_pem(label: &str, der: &[u8]) -> Result<String> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|e| EnrollError::Service(ServiceError::Protocol(e.to_string())))
}

/// Stores an issued certificate on the medium (the key is there already).
fn store_issued(medium: &mut dyn Medium, issued: &IssuedCertificate) -> Result<CertEntry> {
    let certs = tessera_x509::parse_certificates(issued.certificate_pem.as_bytes())?;
    let leaf = certs.first().ok_or_else(|| {
        EnrollError::Service(ServiceError::Protocol(
            "no certificate in the answer".into(),
        ))
    })?;
    Ok(medium.import_certificate(leaf.der())?)
}

/// Installs an approved application: makes the key pair on `medium` (logged in), sends the
/// CSR with the certificate password, and stores the issued certificate on the medium.
pub fn install(
    service: &ServiceClient,
    session: &Session,
    application: &Application,
    medium: &mut dyn Medium,
    password: &Password,
) -> Result<CertEntry> {
    let spec = key_spec(&application.key_algorithm)?;
    let generated = medium.generate_key(spec, &CsrRequest::new(application.subject.clone()))?;
    let request = InstallRequest {
        csr_pem: to_pem("CERTIFICATE REQUEST", &generated.csr)?,
        password: password.clone(),
    };
    let path = format!("/v1/ra/my/applications/{}/install", application.id);
    let issued = match session_call(service.post(&path, &request, Some(&session.token))) {
        Ok(issued) => issued,
        Err(e) => {
            // nothing was issued: the new key is of no use
            let _ = medium.delete_key(&generated.key.reference);
            return Err(e);
        }
    };
    store_issued(medium, &issued)
}

/// Renews the certificate `entry` of `medium` (logged in) with its own key: a CSR signed on
/// the medium proves possession; the new certificate is stored before the old one is removed.
pub fn renew(
    service: &ServiceClient,
    medium: &mut dyn Medium,
    entry: &CertEntry,
) -> Result<CertEntry> {
    let key_ref = entry.key.as_ref().ok_or(EnrollError::NoKey)?;
    let key = medium
        .keys()?
        .into_iter()
        .find(|k| &k.reference == key_ref)
        .ok_or(EnrollError::NoKey)?;
    let subject = entry
        .certificate
        .details(crate::clock::now())
        .subject
        .rfc4514;
    let csr = tessera_media::request_for_key(medium, &key, &CsrRequest::new(subject))?;
    let request = RenewRequest {
        certificate_pem: entry.certificate.to_pem(),
        csr_pem: to_pem("CERTIFICATE REQUEST", &csr)?,
    };
    let issued: IssuedCertificate = service.post("/v1/ra/renewals", &request, None)?;
    let new = store_issued(medium, &issued)?;
    medium.delete_certificate(&entry.reference)?;
    Ok(new)
}
