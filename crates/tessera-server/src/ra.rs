//! RA self-service: the rules of applying, reviewing, installing and renewing.
//!
//! - Apply: SMS-proven phone, consent to the current notices (versions stored), validated
//!   applicant details (ID number per GB 11643-1999), a certificate password kept as Argon2id.
//!   A project with pre-entered records approves a matching applicant at once; anyone else
//!   waits for an operator.
//! - Review: an operator approves or rejects with a reason; the applicant gets an SMS.
//! - Install: after a business-query login (captcha + SMS code), the applicant sends a CSR made
//!   on a medium and the password; the CSR's subject and key algorithm must fit the
//!   application. Five wrong passwords lock the application.
//! - Renew: within the window before expiry, a CSR for the same subject and public key, signed
//!   by the current key, gets a new certificate; the old one is marked renewed so a replayed
//!   request gets nothing.
//!
//! Every state change writes an audit row.

pub mod api;
pub mod id_card;
pub mod pre_entered;
pub(crate) mod store;

use der::Encode as _;
use sha2::{Digest as _, Sha256};
use tessera_proto::ra::{
    Application, ApplicationStatus, Applied, ApplyRequest, InstallRequest, IssuedCertificate,
    Notices, PURPOSE_APPLY, PURPOSE_QUERY, QueryLogin, QuerySession, RenewRequest,
};
use tessera_x509::certificate::NameDetails;
use tessera_x509::issue::{Name, Profile};

use crate::AppState;
use crate::phone::PhoneNumber;
use crate::sms::SmsSender;
use crate::store::{ApplicationRow, RaPolicy, Store};

/// Version of the privacy notice applicants consent to.
pub const PRIVACY_VERSION: &str = "2026-11-01";
/// Version of the certificate terms applicants consent to.
pub const TERMS_VERSION: &str = "2026-11-01";
const PRIVACY_TEXT: &str = include_str!("../notices/privacy.zh-CN.txt");
const TERMS_TEXT: &str = include_str!("../notices/terms.zh-CN.txt");

/// Wrong install passwords before an application locks.
pub const MAX_PASSWORD_TRIES: i64 = 5;
/// Life of a business-query session, seconds.
pub const SESSION_TTL: i64 = 30 * 60;
/// Profile name recorded for RA-issued certificates.
pub const PROFILE: &str = "signing";

/// `[ra]` of the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaSettings {
    /// Validity of issued and renewed certificates, days.
    pub validity_days: u32,
    /// Renewal opens this many days before expiry.
    pub renewal_window_days: u32,
}

impl Default for RaSettings {
    fn default() -> Self {
        Self {
            validity_days: 365,
            renewal_window_days: 30,
        }
    }
}

/// An RA request refused; each variant is a stable problem `code` (see `crate::error`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RaError {
    /// A field failed validation; the text is safe to show.
    #[error("{0}")]
    Invalid(String),
    /// The consent names notice versions that are not the current ones.
    #[error(
        "consent must name the current notices (privacy {PRIVACY_VERSION}, terms {TERMS_VERSION})"
    )]
    ConsentOutdated,
    /// Missing, unknown or expired business-query session.
    #[error("log in to the business query first")]
    SessionInvalid,
    /// Review of an application that is not pending.
    #[error("the application is {status}, not pending")]
    NotPending {
        /// Its state.
        status: &'static str,
    },
    /// Install of an application that is not approved.
    #[error("the application is {status}{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    NotApproved {
        /// Its state.
        status: &'static str,
        /// The rejection reason, if rejected.
        reason: Option<String>,
    },
    /// Wrong certificate password.
    #[error("wrong certificate password, {tries_left} tries left")]
    PasswordIncorrect {
        /// Tries before the application locks.
        tries_left: i64,
    },
    /// Too many wrong passwords; an operator must help.
    #[error("too many wrong passwords; the application is locked")]
    PasswordLocked,
    /// The CSR's subject is not the application's.
    #[error("the request's subject must be {expected}")]
    SubjectMismatch {
        /// The subject expected, RFC 4514.
        expected: String,
    },
    /// The CSR's key is not of the application's algorithm.
    #[error("the request's key must be {expected}")]
    KeyAlgorithmMismatch {
        /// `sm2`, `p256`, `p384` or `rsa`.
        expected: String,
    },
    /// The certificate to renew was not issued here (or differs from the stored one).
    #[error("this certificate was not issued by this service")]
    UnknownCertificate,
    /// The certificate to renew is revoked.
    #[error("the certificate is revoked")]
    Revoked,
    /// The certificate was renewed already.
    #[error("the certificate was renewed already")]
    AlreadyRenewed,
    /// The certificate has expired; apply anew.
    #[error("the certificate has expired; apply for a new one")]
    Expired,
    /// Too early to renew.
    #[error("renewal opens {opens_in_days} days from now")]
    RenewalNotOpen {
        /// Whole days until the window opens.
        opens_in_days: i64,
    },
    /// The renewal request is not signed by the certificate's key.
    #[error("the renewal request is not signed by the certificate's key")]
    KeyMismatch,
}

type Result<T, E = crate::ApiError> = std::result::Result<T, E>;

pub use crate::audit::Origin;
use crate::audit::{Action, Audit, Event};

/// The notices and their versions.
pub fn notices() -> Notices {
    Notices {
        privacy_version: PRIVACY_VERSION.into(),
        privacy_text: PRIVACY_TEXT.into(),
        terms_version: TERMS_VERSION.into(),
        terms_text: TERMS_TEXT.into(),
    }
}

/// A name, organization or e-mail: trimmed, 1-`max` characters, none of the characters that
/// are special in an RFC 4514 string or control characters.
fn text_field(what: &str, value: &str, max: usize) -> Result<String, RaError> {
    let v = value.trim();
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(RaError::Invalid(format!(
            "{what} must be 1-{max} characters"
        )));
    }
    if let Some(c) = tessera_proto::text::forbidden_in_name(v) {
        return Err(RaError::Invalid(format!(
            "{what} must not contain invisible, bidirectional or control characters (U+{:04X})",
            u32::from(c)
        )));
    }
    if v.chars()
        .any(|c| matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' | '#'))
    {
        return Err(RaError::Invalid(format!(
            "{what} must not contain control characters or any of , + \" \\ < > ; = #"
        )));
    }
    Ok(v.to_owned())
}

fn email(value: &str) -> Result<String, RaError> {
    let v = value.trim();
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(RaError::Invalid("not an e-mail address".into()))
    }
}

fn key_algorithm(value: Option<&str>) -> Result<String, RaError> {
    match value.unwrap_or("sm2") {
        a @ ("sm2" | "p256" | "rsa") => Ok(a.to_owned()),
        _ => Err(RaError::Invalid(
            "key_algorithm must be sm2, p256 or rsa".into(),
        )),
    }
}

/// The subject an application's certificate carries.
pub fn subject_of(name: &str, organization: &str) -> String {
    format!("CN={name},O={organization},C=CN")
}

fn status_of(row: &ApplicationRow) -> Result<ApplicationStatus> {
    ApplicationStatus::parse(&row.status)
        .ok_or_else(|| crate::ApiError::Internal(format!("stored status {:?}", row.status)))
}

/// The wire view; `full` adds the unmasked phone and ID number (operators only).
pub fn view(row: &ApplicationRow, full: bool) -> Result<Application> {
    let phone_masked = crate::phone::mask_phone(&row.phone);
    Ok(Application {
        id: row.id.clone(),
        project: row.project.clone(),
        status: status_of(row)?,
        reason: row.reason.clone(),
        name: row.name.clone(),
        id_number_masked: id_card::mask(&row.id_number),
        organization: row.organization.clone(),
        email: row.email.clone(),
        phone_masked,
        key_algorithm: row.key_algorithm.clone(),
        subject: subject_of(&row.name, &row.organization),
        serial: row.serial.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        phone: full.then(|| row.phone.clone()),
        id_number: full.then(|| row.id_number.clone()),
    })
}

/// `POST /v1/ra/applications`.
pub async fn apply(state: &AppState, req: ApplyRequest, origin: &Origin) -> Result<Applied> {
    let project = state
        .store
        .project_by_code(&req.project)
        .await?
        .ok_or_else(|| crate::ApiError::Missing(format!("project {}", req.project)))?;
    let phone = PhoneNumber::parse(&req.phone)?;
    let name = text_field("name", &req.applicant.name, 64)?;
    let organization = text_field("organization", &req.applicant.organization, 128)?;
    let email = email(&req.applicant.email)?;
    let id_number =
        id_card::validate(&req.applicant.id_number).map_err(|e| RaError::Invalid(e.to_string()))?;
    let key_algorithm = key_algorithm(req.key_algorithm.as_deref())?;
    if req.consent.privacy_version != PRIVACY_VERSION || req.consent.terms_version != TERMS_VERSION
    {
        return Err(RaError::ConsentOutdated.into());
    }
    crate::password::check_policy(&req.password).map_err(|e| RaError::Invalid(e.into()))?;
    // the code is spent only once everything else is known to be acceptable
    state
        .sms
        .verify(&phone, PURPOSE_APPLY, &req.sms_code)
        .await?;
    let password_hash = crate::password::hash(&req.password).await?;

    let record = match project.ra_policy {
        RaPolicy::PreEntered => state
            .store
            .pre_entered(project.id, &id_number)
            .await?
            .filter(|r| r.application_id.is_none() && r.name == name && r.phone == phone.as_str()),
        RaPolicy::Review => None,
    };
    let now = state.clock.now();
    let id = hex::encode(
        tessera_crypto::rng::bytes::<16>().map_err(|e| crate::ApiError::Internal(e.to_string()))?,
    );
    let mut row = ApplicationRow {
        id: id.clone(),
        project: project.code.clone(),
        phone: phone.as_str().to_owned(),
        name,
        id_number,
        organization,
        email,
        key_algorithm,
        password_hash,
        password_tries: 0,
        privacy_version: req.consent.privacy_version.clone(),
        terms_version: req.consent.terms_version.clone(),
        consented_at: now,
        status: ApplicationStatus::Pending.as_str().into(),
        reason: None,
        reviewed_by: None,
        reviewed_at: None,
        serial: None,
        created_at: now,
        updated_at: now,
    };
    let mut pre_entered = false;
    if let Some(record) = record {
        row.status = ApplicationStatus::Approved.as_str().into();
        row.reviewed_by = Some("pre-entered".into());
        row.reviewed_at = Some(now);
        match state
            .store
            .insert_application(&row, project.id, Some(record.id))
            .await
        {
            Ok(()) => pre_entered = true,
            // another application took the record a moment ago: this one is reviewed
            Err(crate::store::StoreError::Conflict { .. }) => {
                row.status = ApplicationStatus::Pending.as_str().into();
                row.reviewed_by = None;
                row.reviewed_at = None;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !pre_entered {
        state
            .store
            .insert_application(&row, project.id, None)
            .await?;
    }
    let actor = format!("applicant:{}", view(&row, false)?.phone_masked);
    state
        .audit
        .record(Event {
            actor: &actor,
            action: Action::RaApply,
            subject: &id,
            origin,
        })
        .await;
    if pre_entered {
        state
            .audit
            .record(Event {
                actor: "pre-entered",
                action: Action::RaApprove,
                subject: &id,
                origin,
            })
            .await;
    }
    Ok(Applied {
        application: view(&row, false)?,
        pre_entered,
    })
}

/// An operator's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve.
    Approve,
    /// Reject, with the reason shown to the applicant.
    Reject(String),
}

/// Approves or rejects a pending application and tells the applicant by SMS. Used by the admin
/// API and by `tessera-server admin applications`, hence the parts rather than `AppState`.
pub async fn review(
    store: &Store,
    sender: &dyn SmsSender,
    audit: &Audit,
    id: &str,
    decision: &Decision,
    actor: &str,
    origin: &Origin,
) -> Result<Application> {
    let row = store
        .application(id)
        .await?
        .ok_or_else(|| crate::ApiError::Missing(format!("application {id}")))?;
    let (status, reason) = match decision {
        Decision::Approve => (ApplicationStatus::Approved, None),
        Decision::Reject(reason) => {
            let reason = reason.trim();
            if reason.is_empty()
                || reason.chars().count() > 200
                || reason.chars().any(char::is_control)
            {
                return Err(RaError::Invalid("reason must be 1-200 characters".into()).into());
            }
            (ApplicationStatus::Rejected, Some(reason.to_owned()))
        }
    };
    let now = audit.clock().now();
    if !store
        .review_application(id, status.as_str(), reason.as_deref(), actor, now)
        .await?
    {
        return Err(RaError::NotPending {
            status: status_of(&row)?.as_str(),
        }
        .into());
    }
    let action = match status {
        ApplicationStatus::Approved => Action::RaApprove,
        _ => Action::RaReject,
    };
    audit
        .record(Event {
            actor,
            action,
            subject: id,
            origin,
        })
        .await;
    let text = match &reason {
        None => "【Tessera】您的证书申请已通过审核，请在应用的“业务查询”中安装证书。".to_owned(),
        Some(r) => format!("【Tessera】您的证书申请未通过审核，原因：{r}"),
    };
    match PhoneNumber::parse(&row.phone) {
        Ok(phone) => {
            if let Err(e) = sender.send(&phone, &text).await {
                // the decision stands; the applicant also sees it in the business query
                tracing::warn!(error = %e, application = id, "review SMS not sent");
            }
        }
        Err(_) => tracing::warn!(application = id, "stored phone does not parse"),
    }
    let row = store
        .application(id)
        .await?
        .ok_or_else(|| crate::ApiError::Missing(format!("application {id}")))?;
    view(&row, true)
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `POST /v1/ra/sessions`: captcha first (used up either way), then the SMS code.
pub async fn login(state: &AppState, req: QueryLogin, origin: &Origin) -> Result<QuerySession> {
    let phone = PhoneNumber::parse(&req.phone)?;
    state
        .captchas
        .verify(&req.captcha_id, &req.captcha_answer)
        .await?;
    state
        .sms
        .verify(&phone, PURPOSE_QUERY, &req.sms_code)
        .await?;
    let token = hex::encode(
        tessera_crypto::rng::bytes::<32>().map_err(|e| crate::ApiError::Internal(e.to_string()))?,
    );
    let now = state.clock.now();
    state
        .store
        .insert_ra_session(&token_hash(&token), phone.as_str(), now, now + SESSION_TTL)
        .await?;
    let actor = format!("applicant:{phone:?}");
    state
        .audit
        .record(Event {
            actor: &actor,
            action: Action::RaLogin,
            subject: "business-query",
            origin,
        })
        .await;
    Ok(QuerySession {
        token,
        expires_in: SESSION_TTL.unsigned_abs(),
    })
}

/// The phone a bearer token of the business query belongs to.
pub async fn session_phone(state: &AppState, token: &str) -> Result<String> {
    state
        .store
        .ra_session_phone(&token_hash(token), state.clock.now())
        .await?
        .ok_or_else(|| RaError::SessionInvalid.into())
}

/// The applications of the session's phone.
pub async fn my_applications(state: &AppState, phone: &str) -> Result<Vec<Application>> {
    state
        .store
        .applications_of_phone(phone)
        .await?
        .iter()
        .map(|r| view(r, false))
        .collect()
}

/// One application of the session's phone; another phone's is "not found".
async fn my_application(state: &AppState, phone: &str, id: &str) -> Result<ApplicationRow> {
    state
        .store
        .application(id)
        .await?
        .filter(|r| r.phone == phone)
        .ok_or_else(|| crate::ApiError::Missing(format!("application {id}")))
}

/// Attribute-by-attribute equality of two names, whatever ASN.1 string types encode them.
fn same_name(a: &Name, b: &Name) -> bool {
    let key = |n: &Name| {
        NameDetails::from_name(n)
            .attributes
            .into_iter()
            .map(|a| (a.oid, a.value, a.rdn))
            .collect::<Vec<_>>()
    };
    key(a) == key(b)
}

/// `sm2`, `p256`, `p384` or `rsa` for a DER SubjectPublicKeyInfo.
fn spki_algorithm(spki_der: &[u8]) -> Option<&'static str> {
    use tessera_crypto::ecdsa::EcCurve;
    use tessera_crypto::public_key::PublicKey;
    Some(match PublicKey::from_spki_der(spki_der).ok()? {
        PublicKey::Sm2(_) => "sm2",
        PublicKey::Ecdsa(k) => match k.curve() {
            EcCurve::P256 => "p256",
            EcCurve::P384 => "p384",
            _ => return None,
        },
        PublicKey::Rsa(_) => "rsa",
        _ => return None,
    })
}

fn issued(ca: &crate::ca::Ca, issued: &crate::ca::Issued) -> IssuedCertificate {
    IssuedCertificate {
        serial: issued.serial.clone(),
        certificate_pem: issued.certificate.to_pem(),
        chain_pem: ca.chain_pem(),
        not_after: issued.certificate.not_after().unix_timestamp(),
    }
}

/// `POST /v1/ra/my/applications/{id}/install`.
pub async fn install(
    state: &AppState,
    phone: &str,
    id: &str,
    req: InstallRequest,
    origin: &Origin,
) -> Result<IssuedCertificate> {
    let row = my_application(state, phone, id).await?;
    let status = status_of(&row)?;
    if status != ApplicationStatus::Approved {
        return Err(RaError::NotApproved {
            status: status.as_str(),
            reason: row.reason.clone(),
        }
        .into());
    }
    // the try is reserved before Argon2 runs, so a burst of guesses gets MAX_PASSWORD_TRIES
    // checks between them, however they interleave (replicas included)
    let Some(tries) = state
        .store
        .reserve_password_try(id, MAX_PASSWORD_TRIES)
        .await?
    else {
        let status = my_application(state, phone, id)
            .await
            .and_then(|r| status_of(&r))?;
        return Err(if status == ApplicationStatus::Approved {
            RaError::PasswordLocked
        } else {
            RaError::NotApproved {
                status: status.as_str(),
                reason: None,
            }
        }
        .into());
    };
    let ok = match crate::password::verify(&req.password, &row.password_hash).await {
        Ok(ok) => ok,
        Err(e) => {
            // nothing was checked (busy or failed): the try goes back
            state.store.give_back_password_try(id).await?;
            return Err(e.into());
        }
    };
    let actor = format!("applicant:{}", view(&row, false)?.phone_masked);
    if !ok {
        state
            .audit
            .record(Event {
                actor: &actor,
                action: Action::RaInstallWrongPassword,
                subject: id,
                origin,
            })
            .await;
        return Err(if tries >= MAX_PASSWORD_TRIES {
            RaError::PasswordLocked
        } else {
            RaError::PasswordIncorrect {
                tries_left: MAX_PASSWORD_TRIES - tries,
            }
        }
        .into());
    }
    // a right password gives its try back: only wrong ones count towards the lock
    state.store.give_back_password_try(id).await?;
    let csr = crate::ca::verify_csr(req.csr_pem.as_bytes()).await?;
    let expected = subject_of(&row.name, &row.organization);
    let expected_name: Name = expected
        .parse()
        .map_err(|_| crate::ApiError::Internal("stored subject does not parse".into()))?;
    if !same_name(&csr.subject, &expected_name) {
        return Err(RaError::SubjectMismatch { expected }.into());
    }
    if spki_algorithm(&csr.spki_der) != Some(row.key_algorithm.as_str()) {
        return Err(RaError::KeyAlgorithmMismatch {
            expected: row.key_algorithm.clone(),
        }
        .into());
    }
    let ca = state.ca.get()?;
    let now = state.clock.now();
    let new = ca
        .issue_for_key(
            csr.subject,
            csr.spki_der,
            Profile::signing(),
            PROFILE,
            state.ra.validity_days,
            now,
        )
        .await?;
    if !state.store.mark_issued(id, &new.serial, now).await? {
        // a concurrent install won; this certificate must not stay valid
        ca.revoke(
            &new.serial,
            tessera_x509::issue::RevocationReason::Superseded,
            now,
        )
        .await?;
        return Err(RaError::NotApproved {
            status: ApplicationStatus::Issued.as_str(),
            reason: None,
        }
        .into());
    }
    state
        .audit
        .record(Event {
            actor: &actor,
            action: Action::RaInstall,
            subject: id,
            origin,
        })
        .await;
    state
        .audit
        .record(Event {
            actor: &actor,
            action: Action::CaIssue,
            subject: &new.serial,
            origin,
        })
        .await;
    Ok(issued(&ca, &new))
}

/// `POST /v1/ra/renewals`: same subject and key, new validity.
pub async fn renew(
    state: &AppState,
    req: RenewRequest,
    origin: &Origin,
) -> Result<IssuedCertificate> {
    let current = tessera_x509::parse_certificates(req.certificate_pem.as_bytes())
        .map_err(|e| RaError::Invalid(format!("certificate: {e}")))?;
    let [current] = current.as_slice() else {
        return Err(RaError::Invalid("give exactly one certificate".into()).into());
    };
    let serial = current.serial_hex();
    let stored = state
        .store
        .issued_certificate(&serial)
        .await?
        .filter(|r| r.der == current.der())
        .ok_or(RaError::UnknownCertificate)?;
    let now = state.clock.now();
    if stored.status != "valid" {
        return Err(RaError::Revoked.into());
    }
    if stored.renewed_by.is_some() {
        return Err(RaError::AlreadyRenewed.into());
    }
    if now >= stored.not_after {
        return Err(RaError::Expired.into());
    }
    let opens = stored.not_after - i64::from(state.ra.renewal_window_days) * 86_400;
    if now < opens {
        return Err(RaError::RenewalNotOpen {
            opens_in_days: (opens - now + 86_399) / 86_400,
        }
        .into());
    }
    let csr = crate::ca::verify_csr(req.csr_pem.as_bytes()).await?;
    let tbs = current.x509().tbs_certificate();
    let spki = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|e| crate::ApiError::Internal(e.to_string()))?;
    if csr.spki_der != spki {
        return Err(RaError::KeyMismatch.into());
    }
    let subject = tbs.subject().clone();
    if !same_name(&csr.subject, &subject) {
        return Err(RaError::SubjectMismatch {
            expected: subject.to_string(),
        }
        .into());
    }
    let ca = state.ca.get()?;
    let new = ca
        .issue_for_key(
            subject,
            spki,
            Profile::signing(),
            PROFILE,
            state.ra.validity_days,
            now,
        )
        .await?;
    if !state.store.mark_renewed(&serial, &new.serial, now).await? {
        ca.revoke(
            &new.serial,
            tessera_x509::issue::RevocationReason::Superseded,
            now,
        )
        .await?;
        return Err(RaError::AlreadyRenewed.into());
    }
    let actor = format!("certificate:{serial}");
    state
        .audit
        .record(Event {
            actor: &actor,
            action: Action::RaRenew,
            subject: &new.serial,
            origin,
        })
        .await;
    Ok(issued(&ca, &new))
}

/// The operator's listing: newest first, `status` one of the four states, 1-1000 rows.
pub async fn list(store: &Store, status: Option<&str>, limit: i64) -> Result<Vec<Application>> {
    if let Some(s) = status
        && ApplicationStatus::parse(s).is_none()
    {
        return Err(RaError::Invalid(
            "status must be pending, approved, rejected or issued".into(),
        )
        .into());
    }
    if !(1..=1000).contains(&limit) {
        return Err(RaError::Invalid("limit must be 1-1000".into()).into());
    }
    store
        .applications(status, limit)
        .await?
        .iter()
        .map(|r| view(r, true))
        .collect()
}
