//! Account rules of the cloud-key area: the organization directory, application and review,
//! login with a lockout counter (a try is reserved before Argon2 runs), logout, password change
//! and recovery by SMS, phone and device binding, the handwritten-signature image and the
//! relying-application sessions. No HTTP here: `super::api` maps requests onto these functions.
//!
//! Every state change writes an audit row ([`crate::audit::Audit`]); changes of phone, password
//! and device are announced by SMS to the phone bound before.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use tessera_proto::cloud::{
    self as wire, About, Account, AccountApplication, AccountStatus, AppSession, BindDevice,
    BindPhone, ChangePassword, CloudOrg, LoginRequest, LoginResponse, NewAppSession, Password,
    RecoverCodeRequest, RecoverPassword, SessionToken, SignatureImage,
};
use tessera_proto::sms::SmsCodeSent;

use super::{CloudError, LOCK_SECS, MAX_FAILED_LOGINS, SESSION_SECS, new_id};
use crate::AppState;
use crate::audit::{Action, Audit, Event, Origin};
use crate::error::ApiError;
use crate::phone::{PhoneNumber, mask_phone};
use crate::sms::SmsError;
use crate::store::{AppSessionRow, CloudAccountRow, Store};

type Result<T, E = ApiError> = std::result::Result<T, E>;

/// The audit actor of an account: `cloud:<org>/<user ID>`.
pub fn actor(a: &CloudAccountRow) -> String {
    format!("cloud:{}/{}", a.org, a.user_id)
}

/// Records a change made by (or to) `row`'s account; a failed write is logged.
async fn audit(state: &AppState, actor: &str, action: Action, subject: &str, origin: &Origin) {
    state
        .audit
        .record(Event {
            actor,
            action,
            subject,
            origin,
        })
        .await;
}

/// The account as its owner and the operator see it.
pub fn account_view(row: &CloudAccountRow) -> Account {
    Account {
        id: row.id.clone(),
        org: row.org.clone(),
        user_id: row.user_id.clone(),
        name: row.name.clone(),
        phone: row.phone.as_deref().map(mask_phone),
        status: AccountStatus::parse(&row.status).unwrap_or(AccountStatus::Pending),
        device_bound: row.device_key.is_some(),
        has_key: row.public_key.is_some(),
        certificate_serial: row.certificate_serial.clone(),
        created_at: row.created_at,
    }
}

/// Checks a user ID: 1-64 of letters, digits and `-_.@`.
pub fn check_user_id(user_id: &str) -> Result<(), CloudError> {
    let ok = (1..=64).contains(&user_id.len())
        && user_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(CloudError::Invalid(
            "user ID must be 1-64 of letters, digits, - _ . @".into(),
        ))
    }
}

fn check_person_name(name: &str) -> Result<(), CloudError> {
    let n = name.chars().count();
    // Bidirectional overrides and invisible characters would make the issued CN read other
    // than it is (tessera_proto::text::forbidden_in_name).
    let ok = (1..=64).contains(&n)
        && tessera_proto::text::forbidden_in_name(name).is_none()
        && !name
            .chars()
            .any(|c| c.is_control() || ",+=\"\\<>;#".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CloudError::Invalid(
            "name must be 1-64 characters without , + = \" \\ < > ; # or control, bidirectional or invisible characters".into(),
        ))
    }
}

/// The service's password policy ([`crate::password::check_policy`]).
pub fn check_password_policy(p: &Password) -> Result<(), CloudError> {
    crate::password::check_policy(p).map_err(|e| CloudError::Invalid(e.into()))
}

/// Argon2id PHC string of `password` ([`crate::password::hash`]).
pub async fn hash_password(password: &Password) -> Result<String, CloudError> {
    crate::password::hash(password)
        .await
        .map_err(password_error)
}

/// A full Argon2 gate stays a 503 with `Retry-After`; any other hashing failure is a fault.
fn password_error(e: crate::password::PasswordError) -> CloudError {
    match e {
        crate::password::PasswordError::Busy { retry_after } => CloudError::Busy { retry_after },
        other => CloudError::Internal(other.to_string()),
    }
}

/// Whether `password` matches the stored PHC string ([`crate::password::verify`]).
pub async fn verify_password(password: &Password, phc: &str) -> Result<bool, CloudError> {
    crate::password::verify(password, phc)
        .await
        .map_err(password_error)
}

/// An Argon2id hash of a random password, made once with the same parameters as real ones
/// ([`crate::password::hash`]).
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// The same work as checking a password, for a user that does not exist: a verification
/// against a dummy hash, so that unknown and known users are answered in the same time.
pub async fn verify_dummy_password(password: &Password) -> Result<(), CloudError> {
    let dummy = DUMMY_HASH
        .get_or_try_init(|| async {
            let random = tessera_crypto::rng::bytes::<16>()
                .map_err(|_| CloudError::Internal("random generator failed".into()))?;
            hash_password(&Password::new(hex::encode(random))).await
        })
        .await?;
    verify_password(password, dummy).await.map(drop)
}

/// A fresh session token and the SHA-256 stored for it.
pub fn new_session() -> Result<(SessionToken, [u8; 32]), CloudError> {
    let raw = tessera_crypto::rng::bytes::<32>()
        .map_err(|_| CloudError::Internal("random generator failed".into()))?;
    let token = SessionToken::new(hex::encode(raw));
    let hash = session_hash(token.expose());
    Ok((token, hash))
}

/// SHA-256 of a session token, as stored.
pub fn session_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Sends a notice to the phone bound before a change (of phone, password or device), so that
/// its owner learns of a change made by someone else. A failed send is logged: the change is
/// made already.
async fn announce(state: &AppState, phone: Option<&str>, text: &str) {
    let Some(phone) = phone.and_then(|p| PhoneNumber::parse(p).ok()) else {
        return;
    };
    let text = format!("【Tessera】{text}如非本人操作，请立即修改密码并联系管理员。");
    if let Err(e) = state.sms.sender().send(&phone, &text).await {
        tracing::warn!(error = %e, "change notice not sent");
    }
}

/// Organizations whose code or name contains `q` (any case), with the service addresses.
pub async fn directory(state: &AppState, q: Option<String>) -> Result<Vec<CloudOrg>> {
    let needle = q.unwrap_or_default().to_lowercase();
    let orgs = state.store.list_organizations().await?;
    Ok(orgs
        .into_iter()
        .filter(|o| {
            o.code.to_lowercase().contains(&needle) || o.name.to_lowercase().contains(&needle)
        })
        .map(|o| CloudOrg {
            code: o.code,
            name: o.name,
            service_url: state.public_url.clone(),
            cosign_url: state.public_url.clone(),
        })
        .collect())
}

/// Where the services are.
pub fn about(state: &AppState) -> About {
    About {
        service_url: state.public_url.clone(),
        cosign_url: state.public_url.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Applies for an account, pending review. The cheap checks run before Argon2.
pub async fn apply(state: &AppState, body: AccountApplication, origin: &Origin) -> Result<Account> {
    check_user_id(&body.user_id)?;
    check_person_name(&body.name)?;
    check_password_policy(&body.password)?;
    let phone = match body.phone.as_deref() {
        Some(p) => Some(PhoneNumber::parse(p)?.as_str().to_owned()),
        None => None,
    };
    let known = state
        .store
        .list_organizations()
        .await?
        .iter()
        .any(|o| o.code == body.org);
    if !known {
        return Err(ApiError::Missing(format!("organization {}", body.org)));
    }
    // Cheap checks before the costly hash: a taken user ID is refused without Argon2 (the
    // unique key still decides a race between two applications).
    if state
        .store
        .cloud_account_by_user(&body.org, &body.user_id)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "account {} in {}",
            body.user_id, body.org
        )));
    }
    let now = state.clock.now();
    let row = CloudAccountRow::pending(
        new_id()?,
        body.org,
        body.user_id,
        body.name,
        phone,
        hash_password(&body.password).await?,
        now,
    );
    state.store.insert_cloud_account(&row, now).await?;
    audit(
        state,
        &actor(&row),
        Action::CloudAccountApply,
        &row.id,
        origin,
    )
    .await;
    Ok(account_view(&row))
}

/// Moves a pending account to `to` (approved or rejected) and audits it as `actor`; the admin
/// API and `tessera-server admin accounts approve` both come here.
pub async fn review_account(
    store: &Store,
    audit: &Audit,
    id: &str,
    to: AccountStatus,
    actor: &str,
    origin: &Origin,
) -> Result<CloudAccountRow, CloudError> {
    let now = audit.clock().now();
    if !store.review_cloud_account(id, to.as_str(), now).await? {
        return Err(CloudError::Invalid(format!("no pending account {id}")));
    }
    let action = match to {
        AccountStatus::Approved => Action::CloudAccountApproved,
        _ => Action::CloudAccountRejected,
    };
    audit
        .record_or_fail(Event {
            actor,
            action,
            subject: id,
            origin,
        })
        .await
        .map_err(|e| CloudError::Internal(e.to_string()))?;
    store
        .cloud_account(id)
        .await?
        .ok_or_else(|| CloudError::Invalid(format!("no account {id}")))
}

/// Checks the password of `row` with a try reserved first
/// ([`crate::store::Store::cloud_login_reserve`]), so that concurrent attempts never check more
/// passwords than the limit. A right password gives the try back and ends the count.
async fn check_password(
    state: &AppState,
    row: &CloudAccountRow,
    password: &Password,
) -> Result<(), CloudError> {
    let now = state.clock.now();
    let reserved = state
        .store
        .cloud_login_reserve(&row.id, now, MAX_FAILED_LOGINS, LOCK_SECS)
        .await?;
    if reserved.is_none() {
        return Err(locked(state, &row.id, now).await?);
    }
    let checked = match verify_password(password, &row.password_hash).await {
        Ok(checked) => checked,
        Err(e) => {
            // Not checked (a full Argon2 gate, or a fault): the try is not the holder's to pay.
            state.store.cloud_login_give_back(&row.id).await?;
            return Err(e);
        }
    };
    if checked {
        state.store.cloud_login_ok(&row.id).await?;
        return Ok(());
    }
    // The try that reached the limit locked the account already; it is answered like the
    // others, and the next one learns of the lock.
    Err(CloudError::PasswordIncorrect)
}

/// The answer while password login is locked, with the seconds left.
async fn locked(state: &AppState, id: &str, now: i64) -> Result<CloudError, CloudError> {
    let until = state
        .store
        .cloud_account(id)
        .await?
        .map_or(now + LOCK_SECS, |r| r.locked_until);
    Ok(CloudError::Locked {
        retry_after: u64::try_from(until - now).unwrap_or(1).max(1),
    })
}

/// Logs in with user ID and password. Five wrong passwords lock password login for 15
/// minutes, each further one twice as long (a device already bound keeps signing with its
/// session). Unknown users get the same answer after the same work.
pub async fn login(state: &AppState, body: LoginRequest, origin: &Origin) -> Result<LoginResponse> {
    let Some(row) = state
        .store
        .cloud_account_by_user(&body.org, &body.user_id)
        .await?
    else {
        // Same work and same answer as a wrong password: the user ID is not confirmed.
        verify_dummy_password(&body.password).await?;
        let who = format!("cloud:{}/{}", body.org, body.user_id);
        audit(state, &who, Action::CloudLoginFailed, "-", origin).await;
        return Err(CloudError::PasswordIncorrect.into());
    };
    if let Err(e) = check_password(state, &row, &body.password).await {
        // A refusal while locked checked no password: audited apart from a wrong one.
        let action = if matches!(e, CloudError::Locked { .. }) {
            Action::CloudLoginLocked
        } else {
            Action::CloudLoginFailed
        };
        audit(state, &actor(&row), action, &row.id, origin).await;
        return Err(e.into());
    }
    if row.status != AccountStatus::Approved.as_str() {
        return Err(CloudError::NotApproved { status: row.status }.into());
    }
    let (session, hash) = new_session()?;
    let expires_at = state.clock.now() + SESSION_SECS;
    state
        .store
        .insert_cloud_session(&hash, &row.id, expires_at)
        .await?;
    audit(state, &actor(&row), Action::CloudLogin, &row.id, origin).await;
    Ok(LoginResponse {
        session,
        expires_at,
        account: account_view(&row),
    })
}

/// Ends the session of `token`.
pub async fn logout(state: &AppState, token: Option<&str>) -> Result<()> {
    let token = token.ok_or(CloudError::SessionInvalid)?;
    state
        .store
        .delete_cloud_session(&session_hash(token))
        .await?;
    Ok(())
}

/// Changes the password (the old one checked with a reserved try, as at login); the bound
/// phone is told.
pub async fn change_password(
    state: &AppState,
    row: &CloudAccountRow,
    body: &ChangePassword,
    origin: &Origin,
) -> Result<()> {
    check_password(state, row, &body.old).await?;
    check_password_policy(&body.new)?;
    let hash = hash_password(&body.new).await?;
    state
        .store
        .set_cloud_password(&row.id, &hash, state.clock.now())
        .await?;
    audit(
        state,
        &actor(row),
        Action::CloudPasswordChange,
        &row.id,
        origin,
    )
    .await;
    let text = format!("您的云密钥账户 {} 的密码已修改。", row.user_id);
    announce(state, row.phone.as_deref(), &text).await;
    Ok(())
}

/// What `recover_code` answers, whether or not a code went out.
fn code_sent_answer(state: &AppState) -> SmsCodeSent {
    let l = state.sms.limits();
    let secs = |n: i64| u64::try_from(n.max(1)).unwrap_or(1);
    SmsCodeSent {
        expires_in: secs(l.code_ttl),
        resend_after: secs(l.phone_interval),
    }
}

/// After an image captcha, sends a recovery code to the account's bound phone. The answer is
/// the same whether the account exists, has a phone, or its phone's limit was reached.
pub async fn recover_code(
    state: &AppState,
    body: &RecoverCodeRequest,
    ip: Option<&str>,
) -> Result<SmsCodeSent> {
    state
        .captchas
        .verify(&body.captcha_id, &body.captcha_answer)
        .await?;
    let phone = state
        .store
        .cloud_account_by_user(&body.org, &body.user_id)
        .await?
        .and_then(|row| row.phone)
        .and_then(|p| PhoneNumber::parse(&p).ok());
    if let Some(phone) = phone
        && let Err(e) = state.sms.send_code(&phone, wire::PURPOSE_RECOVER, ip).await
    {
        // Told to nobody: another answer would confirm the account and its phone.
        tracing::warn!(error = %e, "recovery code not sent");
    }
    Ok(code_sent_answer(state))
}

/// Sets a new password with the SMS code sent to the bound phone; the phone is told. A wrong
/// code and an unknown account (or one without a phone) get the same answer.
pub async fn recover(state: &AppState, body: &RecoverPassword, origin: &Origin) -> Result<()> {
    check_password_policy(&body.new_password)?;
    let row = state
        .store
        .cloud_account_by_user(&body.org, &body.user_id)
        .await?;
    let phone = row
        .as_ref()
        .and_then(|r| r.phone.as_deref())
        .and_then(|p| PhoneNumber::parse(p).ok());
    let (Some(row), Some(phone)) = (row, phone) else {
        return Err(CloudError::RecoveryCodeIncorrect.into());
    };
    match state
        .sms
        .verify(&phone, wire::PURPOSE_RECOVER, &body.code)
        .await
    {
        Ok(()) => {}
        Err(
            SmsError::NoCode
            | SmsError::Expired
            | SmsError::Incorrect { .. }
            | SmsError::TooManyTries,
        ) => return Err(CloudError::RecoveryCodeIncorrect.into()),
        Err(e) => return Err(e.into()),
    }
    let hash = hash_password(&body.new_password).await?;
    state
        .store
        .set_cloud_password(&row.id, &hash, state.clock.now())
        .await?;
    audit(
        state,
        &actor(&row),
        Action::CloudPasswordRecover,
        &row.id,
        origin,
    )
    .await;
    let text = format!(
        "您的云密钥账户 {} 的密码已通过短信验证码重设。",
        row.user_id
    );
    announce(state, Some(phone.as_str()), &text).await;
    Ok(())
}

/// Binds the phone a code (purpose `cloud_bind_phone`) was sent to. A session alone is not
/// enough (a stolen one would take the account over through recovery by SMS): the request
/// carries the password (a reserved try, as at login) or the bound device's signature
/// (`device_signed`), and, when a phone is bound, the code sent to it. The phone bound before
/// is told.
pub async fn bind_phone(
    state: &AppState,
    row: &CloudAccountRow,
    body: &BindPhone,
    device_signed: bool,
    origin: &Origin,
) -> Result<()> {
    let phone = PhoneNumber::parse(&body.phone)?;
    let old = row
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p).ok());
    if old.is_some() && body.old_code.is_none() {
        return Err(CloudError::OldPhoneCodeRequired.into());
    }
    if !device_signed {
        let password = body.password.as_ref().ok_or(CloudError::ReauthRequired)?;
        check_password(state, row, password).await?;
    }
    if let (Some(old), Some(code)) = (&old, &body.old_code) {
        state
            .sms
            .verify(old, wire::PURPOSE_CHANGE_PHONE, code)
            .await?;
    }
    state
        .sms
        .verify(&phone, wire::PURPOSE_BIND_PHONE, &body.code)
        .await?;
    state
        .store
        .set_cloud_phone(&row.id, phone.as_str(), state.clock.now())
        .await?;
    audit(state, &actor(row), Action::CloudPhoneBind, &row.id, origin).await;
    let text = format!(
        "您的云密钥账户 {} 绑定的手机号已改为 {}。",
        row.user_id,
        mask_phone(phone.as_str())
    );
    announce(state, old.as_ref().map(PhoneNumber::as_str), &text).await;
    Ok(())
}

/// Sends a code (purpose `cloud_change_phone`) to the phone bound now, which changing the
/// phone needs.
pub async fn old_phone_code(
    state: &AppState,
    row: &CloudAccountRow,
    ip: Option<&str>,
) -> Result<SmsCodeSent> {
    let phone = row.phone.as_deref().ok_or(CloudError::NoPhone)?;
    let phone = PhoneNumber::parse(phone)?;
    Ok(state
        .sms
        .send_code(&phone, wire::PURPOSE_CHANGE_PHONE, ip)
        .await?)
}

/// Binds this install's device key; from then on key operations need its signature.
pub async fn bind_device(
    state: &AppState,
    row: &CloudAccountRow,
    body: &BindDevice,
    origin: &Origin,
) -> Result<()> {
    let key = super::decode_hex("public_key", &body.public_key)?;
    tessera_crypto::sm2::two_party::decode_point(&key)
        .map_err(|e| CloudError::BadPoint(format!("device key: {e}")))?;
    let label = body
        .label
        .as_deref()
        .map(|l| l.chars().take(64).collect::<String>());
    if !state
        .store
        .set_cloud_device(&row.id, &key, label.as_deref(), state.clock.now())
        .await?
    {
        return Err(CloudError::DeviceAlreadyBound.into());
    }
    audit(state, &actor(row), Action::CloudDeviceBind, &row.id, origin).await;
    let text = format!(
        "您的云密钥账户 {} 已绑定新设备 {}。",
        row.user_id,
        label.as_deref().unwrap_or("-")
    );
    announce(state, row.phone.as_deref(), &text).await;
    Ok(())
}

/// Stores the handwritten-signature image (PNG, at most 256 KiB, dimensions checked before
/// anything is decoded).
pub async fn set_signature_image(
    state: &AppState,
    row: &CloudAccountRow,
    body: &SignatureImage,
    origin: &Origin,
) -> Result<()> {
    let png = base64::engine::general_purpose::STANDARD
        .decode(body.png_base64.as_bytes())
        .map_err(|_| CloudError::Invalid("png_base64 is not base64".into()))?;
    if png.len() > wire::MAX_SIGNATURE_IMAGE {
        return Err(CloudError::Invalid("the image is larger than 256 KiB".into()).into());
    }
    // The header's dimensions are checked before anything is decoded: a small PNG can claim
    // a huge canvas.
    crate::image_limits::decode_png(&png).map_err(|e| CloudError::Invalid(e.to_string()))?;
    state
        .store
        .set_cloud_signature_image(&row.id, &png, state.clock.now())
        .await?;
    audit(
        state,
        &actor(row),
        Action::CloudSignatureImageSet,
        &row.id,
        origin,
    )
    .await;
    Ok(())
}

/// The handwritten-signature image.
pub async fn signature_image(state: &AppState, row: &CloudAccountRow) -> Result<SignatureImage> {
    let png = state
        .store
        .cloud_signature_image(&row.id)
        .await?
        .ok_or_else(|| ApiError::Missing("signature image".into()))?;
    Ok(SignatureImage {
        png_base64: base64::engine::general_purpose::STANDARD.encode(png),
    })
}

fn app_session_view(s: AppSessionRow) -> AppSession {
    AppSession {
        id: s.id,
        app_id: s.app_id,
        app_name: s.app_name,
        created_at: s.created_at,
    }
}

/// Records that the user logged in to a relying application.
pub async fn new_app_session(
    state: &AppState,
    row: &CloudAccountRow,
    body: NewAppSession,
    origin: &Origin,
) -> Result<AppSession> {
    let short = |s: &str| (1..=128).contains(&s.chars().count());
    if !short(&body.app_id) || !short(&body.app_name) {
        return Err(
            CloudError::Invalid("app_id and app_name must be 1-128 characters".into()).into(),
        );
    }
    let session = AppSessionRow {
        id: new_id()?,
        app_id: body.app_id,
        app_name: body.app_name,
        created_at: state.clock.now(),
    };
    state.store.insert_app_session(&row.id, &session).await?;
    audit(
        state,
        &actor(row),
        Action::CloudAppSessionCreate,
        &session.id,
        origin,
    )
    .await;
    Ok(app_session_view(session))
}

/// The applications the user is logged in to.
pub async fn app_sessions(state: &AppState, row: &CloudAccountRow) -> Result<Vec<AppSession>> {
    let rows = state.store.app_sessions(&row.id).await?;
    Ok(rows.into_iter().map(app_session_view).collect())
}

/// Logs out of one application (`Some(id)`, missing if unknown) or of all.
pub async fn end_app_sessions(
    state: &AppState,
    row: &CloudAccountRow,
    sid: Option<&str>,
    origin: &Origin,
) -> Result<()> {
    let n = state.store.delete_app_sessions(&row.id, sid).await?;
    match sid {
        Some(sid) => {
            if n == 0 {
                return Err(ApiError::Missing(format!("application session {sid}")));
            }
            audit(state, &actor(row), Action::CloudAppSessionEnd, sid, origin).await;
        }
        None => {
            audit(
                state,
                &actor(row),
                Action::CloudAppSessionEndAll,
                &row.id,
                origin,
            )
            .await;
        }
    }
    Ok(())
}
