//! The cloud-key area (`/v1/cloud`): organization directory, account application, login with
//! lockout, password change and recovery, phone and device binding, handwritten-signature
//! image, application sessions; the two-party key operations live in [`key`], the operator's
//! review in [`admin`].
//!
//! Authentication: [`CloudAuth`] (a login session whose account is the `{id}` of the path,
//! else 403), [`DeviceAuth`] (that, plus a single-use signature by the bound device key over the
//! request, else 403) and [`MaybeDeviceAuth`] (a session, and a device signature when there is
//! one: changing the phone needs it or the password). Every state change writes an audit row;
//! changes of phone, password and device are announced by SMS to the phone bound before.

pub mod admin;
pub mod key;

use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use tessera_proto::cloud::{
    self as wire, About, Account, AccountApplication, AppSession, BindDevice, BindPhone,
    ChangePassword, CloudOrg, LoginRequest, LoginResponse, NewAppSession, RecoverCodeRequest,
    RecoverPassword, SessionToken, SignatureImage,
};
use tessera_proto::sms::SmsCodeSent;

use super::extract::{ApiJson, ApiQuery, ClientIp, RequestId};
use crate::AppState;
use crate::cloud::{self, CloudError};
use crate::error::ApiError;
use crate::phone::PhoneNumber;
use crate::sms::SmsError;
use crate::store::{AppSessionRow, CloudAccountRow};

/// The cloud-key area (nested under `/v1/cloud`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(orgs))
        .route("/about", get(about))
        .route("/accounts", post(apply))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/password/recover/code", post(recover_code))
        .route("/password/recover", post(recover))
        .route("/accounts/{id}", get(account))
        .route("/accounts/{id}/password", post(change_password))
        .route("/accounts/{id}/phone", post(bind_phone))
        .route("/accounts/{id}/phone/code", post(old_phone_code))
        .route("/accounts/{id}/device", post(bind_device))
        .route(
            "/accounts/{id}/signature-image",
            get(get_signature_image).put(put_signature_image),
        )
        .route(
            "/accounts/{id}/app-sessions",
            get(list_app_sessions)
                .post(new_app_session)
                .delete(end_all_app_sessions),
        )
        .route(
            "/accounts/{id}/app-sessions/{sid}",
            axum::routing::delete(end_app_session),
        )
        .merge(key::router())
}

/// A request made with a login session of the account named in the path. `Debug` does not
/// show the token.
#[derive(Debug, Clone)]
pub struct CloudAuth {
    /// The account, as stored.
    pub account: CloudAccountRow,
    /// The bearer token (to bind device signatures to the session).
    pub token: SessionToken,
}

/// The bearer token of a request: the one parser of the cloud area.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

impl FromRequestParts<AppState> for CloudAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = SessionToken::new(bearer(&parts.headers).ok_or(CloudError::SessionInvalid)?);
        let account = state
            .cloud
            .session_account(cloud::session_hash(token.expose()), state.clock.now())
            .await?
            .ok_or(CloudError::SessionInvalid)?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let id = params
            .iter()
            .find(|(k, _)| *k == "id")
            .map(|(_, v)| v.to_owned())
            .ok_or(ApiError::NotFound)?;
        if id != account.id {
            return Err(CloudError::Forbidden.into());
        }
        Ok(Self { account, token })
    }
}

/// [`CloudAuth`] plus a valid, never used signature by the account's bound device key over
/// [`wire::device_signed_bytes`] of this request, and the JSON body `T`.
#[derive(Debug)]
pub struct DeviceAuth<T> {
    /// The session and account.
    pub auth: CloudAuth,
    /// The body.
    pub body: T,
}

fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadBody {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        detail: e.to_string(),
    })
}

async fn body_bytes(body: axum::body::Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::BadBody {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: "body too large".into(),
        })
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for DeviceAuth<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let auth = CloudAuth::from_request_parts(&mut parts, state).await?;
        let bytes = device_verified(&parts, body, state, &auth).await?;
        Ok(Self {
            body: json_body(&bytes)?,
            auth,
        })
    }
}

/// [`CloudAuth`] and the JSON body `T`, and whether the request is signed by the bound device
/// (checked as [`DeviceAuth`] when it carries a device signature): for changes that need the
/// password or the device, not a session alone.
#[derive(Debug)]
pub struct MaybeDeviceAuth<T> {
    /// The session and account.
    pub auth: CloudAuth,
    /// The body.
    pub body: T,
    /// Whether the bound device signed the request.
    pub device_signed: bool,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for MaybeDeviceAuth<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let auth = CloudAuth::from_request_parts(&mut parts, state).await?;
        let device_signed = parts.headers.contains_key(wire::DEVICE_SIGNATURE_HEADER);
        let bytes = if device_signed {
            device_verified(&parts, body, state, &auth).await?
        } else {
            body_bytes(body).await?
        };
        Ok(Self {
            body: json_body(&bytes)?,
            auth,
            device_signed,
        })
    }
}

/// Checks the device signature of a request and returns its body. Key use by the bound device
/// is not stopped by the password lock (a stranger's wrong logins must not lock the owner's
/// live session out of its key); refused device signatures have their own counter and lock.
async fn device_verified(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    auth: &CloudAuth,
) -> Result<axum::body::Bytes, ApiError> {
    let Some(device_key) = auth.account.device_key.as_deref() else {
        return Err(CloudError::DeviceNotBound.into());
    };
    let now = state.clock.now();
    let a = &auth.account;
    if a.device_locked_until > now {
        return Err(CloudError::Locked {
            retry_after: u64::try_from(a.device_locked_until - now).unwrap_or(1),
        }
        .into());
    }
    match check_device_signature(parts, body, state, auth, device_key).await {
        Ok(bytes) => {
            if a.device_failures > 0 {
                state.store.cloud_device_ok(&a.id).await?;
            }
            Ok(bytes)
        }
        Err(e @ ApiError::Cloud(CloudError::DeviceSignature)) => {
            // Only a session holder gets here: a session without its device locks key use.
            state
                .store
                .cloud_device_failed(&a.id, now, cloud::MAX_FAILED_LOGINS, cloud::LOCK_SECS)
                .await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The nonce header: 32 hex characters (16 bytes).
fn parse_nonce(text: &str) -> Option<[u8; 16]> {
    if text.len() != 32 {
        return None;
    }
    hex::decode(text).ok()?.try_into().ok()
}

/// Checks the device signature of a request (time window, signature, then the nonce, once)
/// and returns its body.
async fn check_device_signature(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    auth: &CloudAuth,
    device_key: &[u8],
) -> Result<axum::body::Bytes, ApiError> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let time: i64 = header(wire::DEVICE_TIME_HEADER)
        .and_then(|t| t.parse().ok())
        .ok_or(CloudError::DeviceSignature)?;
    let now = state.clock.now();
    if time > now + wire::DEVICE_TIME_AHEAD || time < now - wire::DEVICE_TIME_SKEW {
        return Err(CloudError::DeviceSignature.into());
    }
    let nonce_text = header(wire::DEVICE_NONCE_HEADER).ok_or(CloudError::DeviceSignature)?;
    let nonce = parse_nonce(nonce_text).ok_or(CloudError::DeviceSignature)?;
    let signature = header(wire::DEVICE_SIGNATURE_HEADER).ok_or(CloudError::DeviceSignature)?;
    // Nested routers see the path without `/v1/cloud`; the device signed the whole target.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |u| &u.0);
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let bytes = body_bytes(body).await?;
    let signed = wire::device_signed_bytes(
        parts.method.as_str(),
        target,
        time,
        nonce_text,
        auth.token.expose(),
        &bytes,
    );
    state
        .cloud
        .verify_device_signature(device_key, &signed, signature)?;
    // Remembered until the request would be too old anyway; the primary key decides.
    let expires_at = time + wire::DEVICE_TIME_SKEW + 1;
    if !state.cloud.remember_nonce(nonce, expires_at, now).await? {
        return Err(CloudError::Replayed.into());
    }
    Ok(bytes)
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

/// Writes an audit row of a state change through the group-committing writer and waits for its
/// commit; the change is made already, so a failed write is logged, not returned.
pub(crate) async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    ip: ClientIp,
    rid: &RequestId,
) {
    if let Err(e) = audit_key_use(state, actor, action, subject, ip, rid).await {
        tracing::error!(error = %e, action, "audit write failed");
    }
}

/// Writes the audit row of a use of d2 and waits for its commit; the result is answered only
/// after that, so a failed write withholds it (fails closed).
pub(crate) async fn audit_key_use(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    ip: ClientIp,
    rid: &RequestId,
) -> Result<(), ApiError> {
    let row = cloud::audit::AuditRow {
        at: state.clock.now(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: Some(subject.to_owned()),
        source_ip: ip.0.map(|ip| ip.to_string()),
        request_id: rid.0.clone(),
    };
    state
        .cloud
        .audit()?
        .record(row)
        .await
        .map_err(|e| ApiError::Internal(format!("audit write failed: {e}")))
}

/// The audit actor of an account.
pub(crate) fn actor(a: &CloudAccountRow) -> String {
    format!("cloud:{}/{}", a.org, a.user_id)
}

/// `?q=` of the organization directory.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// Case-insensitive part of the code or name.
    pub q: Option<String>,
}

/// Organizations whose code or name contains `q`, with their service addresses.
#[utoipa::path(get, path = "/v1/cloud/orgs", tag = "cloud", params(OrgQuery),
    responses((status = 200, body = Vec<CloudOrg>)))]
pub(crate) async fn orgs(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> Result<Json<Vec<CloudOrg>>, ApiError> {
    let needle = q.q.unwrap_or_default().to_lowercase();
    let orgs = state.store.list_organizations().await?;
    Ok(Json(
        orgs.into_iter()
            .filter(|o| {
                o.code.to_lowercase().contains(&needle) || o.name.to_lowercase().contains(&needle)
            })
            .map(|o| CloudOrg {
                code: o.code,
                name: o.name,
                service_url: state.public_url.clone(),
                cosign_url: state.public_url.clone(),
            })
            .collect(),
    ))
}

/// Where the services are.
#[utoipa::path(get, path = "/v1/cloud/about", tag = "cloud", responses((status = 200, body = About)))]
pub(crate) async fn about(State(state): State<AppState>) -> Json<About> {
    Json(About {
        service_url: state.public_url.clone(),
        cosign_url: state.public_url.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
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

/// Applies for an account; an operator reviews it.
#[utoipa::path(post, path = "/v1/cloud/accounts", tag = "cloud", request_body = AccountApplication,
    responses((status = 201, body = Account), (status = 409, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn apply(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<AccountApplication>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    cloud::check_user_id(&body.user_id)?;
    check_person_name(&body.name)?;
    cloud::check_password_policy(&body.password)?;
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
        cloud::new_id()?,
        body.org.clone(),
        body.user_id.clone(),
        body.name.clone(),
        phone,
        cloud::hash_password(&body.password).await?,
        now,
    );
    state.store.insert_cloud_account(&row, now).await?;
    audit(
        &state,
        &actor(&row),
        "cloud.account.apply",
        &row.id,
        ip,
        &rid,
    )
    .await;
    Ok((StatusCode::CREATED, Json(cloud::account_view(&row))))
}

/// Checks the password of `row` with a try reserved first
/// ([`crate::store::Store::cloud_login_reserve`]), so that concurrent attempts never check more
/// passwords than the limit. A right password gives the try back and ends the count.
async fn check_password(
    state: &AppState,
    row: &CloudAccountRow,
    password: &wire::Password,
) -> Result<(), CloudError> {
    let now = state.clock.now();
    let reserved = state
        .store
        .cloud_login_reserve(&row.id, now, cloud::MAX_FAILED_LOGINS, cloud::LOCK_SECS)
        .await?;
    if reserved.is_none() {
        return Err(locked(state, &row.id, now).await?);
    }
    let checked = match cloud::verify_password(password, &row.password_hash).await {
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
        .map_or(now + cloud::LOCK_SECS, |r| r.locked_until);
    Ok(CloudError::Locked {
        retry_after: u64::try_from(until - now).unwrap_or(1).max(1),
    })
}

/// Logs in with user ID and password. Five wrong passwords lock password login for 15 minutes,
/// each further one twice as long (a device already bound keeps signing with its session).
/// Unknown users get the same answer after the same work.
#[utoipa::path(post, path = "/v1/cloud/login", tag = "cloud", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Some(row) = state
        .store
        .cloud_account_by_user(&body.org, &body.user_id)
        .await?
    else {
        // Same work and same answer as a wrong password: the user ID is not confirmed.
        cloud::verify_dummy_password(&body.password).await?;
        let who = format!("cloud:{}/{}", body.org, body.user_id);
        audit(&state, &who, "cloud.login.failed", "-", ip, &rid).await;
        return Err(CloudError::PasswordIncorrect.into());
    };
    if let Err(e) = check_password(&state, &row, &body.password).await {
        // A refusal while locked checked no password: audited apart from a wrong one.
        let action = if matches!(e, CloudError::Locked { .. }) {
            "cloud.login.locked"
        } else {
            "cloud.login.failed"
        };
        audit(&state, &actor(&row), action, &row.id, ip, &rid).await;
        return Err(e.into());
    }
    if row.status != wire::AccountStatus::Approved.as_str() {
        return Err(CloudError::NotApproved { status: row.status }.into());
    }
    let (session, hash) = cloud::new_session()?;
    let expires_at = state.clock.now() + cloud::SESSION_SECS;
    state
        .store
        .insert_cloud_session(&hash, &row.id, expires_at)
        .await?;
    audit(&state, &actor(&row), "cloud.login", &row.id, ip, &rid).await;
    Ok(Json(LoginResponse {
        session,
        expires_at,
        account: cloud::account_view(&row),
    }))
}

/// Ends the session of the bearer token.
#[utoipa::path(post, path = "/v1/cloud/logout", tag = "cloud", security(("cloud_session" = [])),
    responses((status = 204)))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers).ok_or(CloudError::SessionInvalid)?;
    state
        .store
        .delete_cloud_session(&cloud::session_hash(token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}", tag = "cloud", security(("cloud_session" = [])),
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn account(auth: CloudAuth) -> Json<Account> {
    Json(cloud::account_view(&auth.account))
}

/// Changes the password (the old one is checked with a reserved try, as at login); the bound
/// phone is told.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/password", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = ChangePassword,
    responses((status = 204), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    let row = &auth.account;
    check_password(&state, row, &body.old).await?;
    cloud::check_password_policy(&body.new)?;
    let hash = cloud::hash_password(&body.new).await?;
    state
        .store
        .set_cloud_password(&row.id, &hash, state.clock.now())
        .await?;
    audit(
        &state,
        &actor(row),
        "cloud.password.change",
        &row.id,
        ip,
        &rid,
    )
    .await;
    let text = format!("您的云密钥账户 {} 的密码已修改。", row.user_id);
    announce(&state, row.phone.as_deref(), &text).await;
    Ok(StatusCode::NO_CONTENT)
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
/// the same 202 whether the account exists, has a phone, or its phone's limit was reached.
#[utoipa::path(post, path = "/v1/cloud/password/recover/code", tag = "cloud",
    request_body = RecoverCodeRequest,
    responses((status = 202, body = SmsCodeSent), (status = 400, body = tessera_proto::Problem)))]
pub(crate) async fn recover_code(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<RecoverCodeRequest>,
) -> Result<(StatusCode, Json<SmsCodeSent>), ApiError> {
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
    if let Some(phone) = phone {
        let ip = ip.0.map(|ip| ip.to_string());
        if let Err(e) = state
            .sms
            .send_code(&phone, wire::PURPOSE_RECOVER, ip.as_deref())
            .await
        {
            // Told to nobody: another answer would confirm the account and its phone.
            tracing::warn!(error = %e, "recovery code not sent");
        }
    }
    Ok((StatusCode::ACCEPTED, Json(code_sent_answer(&state))))
}

/// Sets a new password with the SMS code sent to the bound phone; the phone is told. A wrong
/// code and an unknown account (or one without a phone) get the same answer.
#[utoipa::path(post, path = "/v1/cloud/password/recover", tag = "cloud",
    request_body = RecoverPassword,
    responses((status = 204), (status = 400, body = tessera_proto::Problem)))]
pub(crate) async fn recover(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<RecoverPassword>,
) -> Result<StatusCode, ApiError> {
    cloud::check_password_policy(&body.new_password)?;
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
    let hash = cloud::hash_password(&body.new_password).await?;
    state
        .store
        .set_cloud_password(&row.id, &hash, state.clock.now())
        .await?;
    audit(
        &state,
        &actor(&row),
        "cloud.password.recover",
        &row.id,
        ip,
        &rid,
    )
    .await;
    let text = format!(
        "您的云密钥账户 {} 的密码已通过短信验证码重设。",
        row.user_id
    );
    announce(&state, Some(phone.as_str()), &text).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Binds the phone a code (purpose `cloud_bind_phone`, `POST /v1/sms/code`) was sent to. A
/// session alone is not enough (a stolen one would take the account over through recovery by
/// SMS): the request carries the password (a reserved try, as at login) or the bound device's
/// signature, and, when a phone is bound, the code sent to it
/// (`POST /v1/cloud/accounts/{id}/phone/code`). The phone bound before is told.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/phone", tag = "cloud",
    security(("cloud_session" = []), ("cloud_session" = [], "device_signature" = [])),
    params(("id" = String, Path, description = "account id")),
    request_body = BindPhone,
    responses((status = 204), (status = 400, body = tessera_proto::Problem),
        (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn bind_phone(
    State(state): State<AppState>,
    ip: ClientIp,
    rid: RequestId,
    req: MaybeDeviceAuth<BindPhone>,
) -> Result<StatusCode, ApiError> {
    let row = &req.auth.account;
    let body = &req.body;
    let phone = PhoneNumber::parse(&body.phone)?;
    let old = row
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p).ok());
    if old.is_some() && body.old_code.is_none() {
        return Err(CloudError::OldPhoneCodeRequired.into());
    }
    if !req.device_signed {
        let password = body.password.as_ref().ok_or(CloudError::ReauthRequired)?;
        check_password(&state, row, password).await?;
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
    audit(&state, &actor(row), "cloud.phone.bind", &row.id, ip, &rid).await;
    let text = format!(
        "您的云密钥账户 {} 绑定的手机号已改为 {}。",
        row.user_id,
        cloud::mask_phone(phone.as_str())
    );
    announce(&state, old.as_ref().map(PhoneNumber::as_str), &text).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a code (purpose `cloud_change_phone`) to the phone bound now, which changing the
/// phone needs.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/phone/code", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 202, body = SmsCodeSent), (status = 409, body = tessera_proto::Problem),
        (status = 429, body = tessera_proto::Problem)))]
pub(crate) async fn old_phone_code(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
) -> Result<(StatusCode, Json<SmsCodeSent>), ApiError> {
    let phone = auth.account.phone.as_deref().ok_or(CloudError::NoPhone)?;
    let phone = PhoneNumber::parse(phone)?;
    let ip = ip.0.map(|ip| ip.to_string());
    let sent = state
        .sms
        .send_code(&phone, wire::PURPOSE_CHANGE_PHONE, ip.as_deref())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Binds this install's device key; from then on key operations need its signature.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/device", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = BindDevice,
    responses((status = 204), (status = 400, body = tessera_proto::Problem),
        (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn bind_device(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<BindDevice>,
) -> Result<StatusCode, ApiError> {
    let key = cloud::decode_hex("public_key", &body.public_key, 65)?;
    tessera_crypto::sm2::two_party::decode_point(&key)
        .map_err(|e| CloudError::BadPoint(format!("device key: {e}")))?;
    let label = body
        .label
        .as_deref()
        .map(|l| l.chars().take(64).collect::<String>());
    let row = &auth.account;
    if !state
        .store
        .set_cloud_device(&row.id, &key, label.as_deref(), state.clock.now())
        .await?
    {
        return Err(CloudError::DeviceAlreadyBound.into());
    }
    audit(&state, &actor(row), "cloud.device.bind", &row.id, ip, &rid).await;
    let text = format!(
        "您的云密钥账户 {} 已绑定新设备 {}。",
        row.user_id,
        label.as_deref().unwrap_or("-")
    );
    announce(&state, row.phone.as_deref(), &text).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores the handwritten-signature image (PNG, at most 256 KiB).
#[utoipa::path(put, path = "/v1/cloud/accounts/{id}/signature-image", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = SignatureImage,
    responses((status = 204), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn put_signature_image(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<SignatureImage>,
) -> Result<StatusCode, ApiError> {
    let png = base64::engine::general_purpose::STANDARD
        .decode(body.png_base64.as_bytes())
        .map_err(|_| CloudError::Invalid("png_base64 is not base64".into()))?;
    if png.len() > wire::MAX_SIGNATURE_IMAGE {
        return Err(CloudError::Invalid("the image is larger than 256 KiB".into()).into());
    }
    // The header's dimensions are checked before anything is decoded: a small PNG can claim
    // a huge canvas.
    crate::image_limits::decode_png(&png).map_err(|e| CloudError::Invalid(e.to_string()))?;
    let row = &auth.account;
    state
        .store
        .set_cloud_signature_image(&row.id, &png, state.clock.now())
        .await?;
    audit(
        &state,
        &actor(row),
        "cloud.signature_image.set",
        &row.id,
        ip,
        &rid,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// The handwritten-signature image.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/signature-image", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = SignatureImage), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn get_signature_image(
    State(state): State<AppState>,
    auth: CloudAuth,
) -> Result<Json<SignatureImage>, ApiError> {
    let png = state
        .store
        .cloud_signature_image(&auth.account.id)
        .await?
        .ok_or_else(|| ApiError::Missing("signature image".into()))?;
    Ok(Json(SignatureImage {
        png_base64: base64::engine::general_purpose::STANDARD.encode(png),
    }))
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
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = NewAppSession, responses((status = 201, body = AppSession)))]
pub(crate) async fn new_app_session(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
    rid: RequestId,
    ApiJson(body): ApiJson<NewAppSession>,
) -> Result<(StatusCode, Json<AppSession>), ApiError> {
    let short = |s: &str| (1..=128).contains(&s.chars().count());
    if !short(&body.app_id) || !short(&body.app_name) {
        return Err(
            CloudError::Invalid("app_id and app_name must be 1-128 characters".into()).into(),
        );
    }
    let row = AppSessionRow {
        id: cloud::new_id()?,
        app_id: body.app_id,
        app_name: body.app_name,
        created_at: state.clock.now(),
    };
    state
        .store
        .insert_app_session(&auth.account.id, &row)
        .await?;
    audit(
        &state,
        &actor(&auth.account),
        "cloud.app_session.create",
        &row.id,
        ip,
        &rid,
    )
    .await;
    Ok((StatusCode::CREATED, Json(app_session_view(row))))
}

/// The applications the user is logged in to.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Vec<AppSession>)))]
pub(crate) async fn list_app_sessions(
    State(state): State<AppState>,
    auth: CloudAuth,
) -> Result<Json<Vec<AppSession>>, ApiError> {
    let rows = state.store.app_sessions(&auth.account.id).await?;
    Ok(Json(rows.into_iter().map(app_session_view).collect()))
}

/// Logs out of every application.
#[utoipa::path(delete, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 204)))]
pub(crate) async fn end_all_app_sessions(
    State(state): State<AppState>,
    auth: CloudAuth,
    ip: ClientIp,
    rid: RequestId,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_app_sessions(&auth.account.id, None)
        .await?;
    let a = &auth.account;
    audit(
        &state,
        &actor(a),
        "cloud.app_session.end_all",
        &a.id,
        ip,
        &rid,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs out of one application.
#[utoipa::path(delete, path = "/v1/cloud/accounts/{id}/app-sessions/{sid}", tag = "cloud",
    security(("cloud_session" = [])),
    params(("id" = String, Path, description = "account id"), ("sid" = String, Path, description = "session id")),
    responses((status = 204), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn end_app_session(
    State(state): State<AppState>,
    auth: CloudAuth,
    Path((_, sid)): Path<(String, String)>,
    ip: ClientIp,
    rid: RequestId,
) -> Result<StatusCode, ApiError> {
    let n = state
        .store
        .delete_app_sessions(&auth.account.id, Some(&sid))
        .await?;
    if n == 0 {
        return Err(ApiError::Missing(format!("application session {sid}")));
    }
    audit(
        &state,
        &actor(&auth.account),
        "cloud.app_session.end",
        &sid,
        ip,
        &rid,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// The cloud-key part of `/openapi.json`, merged into [`super::openapi::ApiDoc`].
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(
        orgs,
        about,
        apply,
        login,
        logout,
        recover_code,
        recover,
        account,
        change_password,
        bind_phone,
        old_phone_code,
        bind_device,
        put_signature_image,
        get_signature_image,
        new_app_session,
        list_app_sessions,
        end_all_app_sessions,
        end_app_session,
        key::keygen,
        key::request_certificate,
        key::certificate,
        key::sign,
        key::decrypt,
        admin::list,
        admin::approve,
        admin::reject,
    ),
    modifiers(&DeviceSignatureScheme),
)]
pub struct CloudDoc;

struct DeviceSignatureScheme;

impl utoipa::Modify for DeviceSignatureScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                wire::DEVICE_SIGNATURE_HEADER,
                "SM2 signature (hex DER, default ID) by the bound device key over \
                 tessera-cloud-v2\\nMETHOD\\nPATH?QUERY\\nTIME\\nNONCE\\nSESSION\\n || body, \
                 with TIME (Unix seconds, at most 300 s behind and 30 s ahead of the service) in \
                 x-tessera-device-time and NONCE (16 random bytes as 32 lowercase hex characters, \
                 new for every request) in x-tessera-device-nonce. A request is accepted once: \
                 its nonce is remembered until its window ends; a second use is 403 `replayed`.",
            ))),
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_auth_extractor_does_not_show_its_token() {
        let auth = CloudAuth {
            account: CloudAccountRow {
                status: "approved".into(),
                ..CloudAccountRow::pending(
                    "acct".into(),
                    "HOSP".into(),
                    "U1".into(),
                    "李四".into(),
                    None,
                    "$argon2id$…".into(),
                    0,
                )
            },
            token: SessionToken::new("0123456789abcdef-session-token"),
        };
        let shown = format!("{auth:?}");
        assert!(!shown.contains("session-token"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn one_bearer_parser() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn nonces_are_sixteen_bytes_of_hex() {
        assert_eq!(parse_nonce(&"ab".repeat(16)), Some([0xab; 16]));
        for bad in [
            "",
            "abc",
            &"ab".repeat(15),
            &"ab".repeat(17),
            &"zz".repeat(16),
        ] {
            assert_eq!(parse_nonce(bad), None, "{bad}");
        }
    }
}
