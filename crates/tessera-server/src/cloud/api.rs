//! HTTP mapping of the cloud-key area (`/v1/cloud`): each handler extracts, calls a rule of
//! [`super::accounts`] or [`super::keys`], and answers; the two-party key routes are in
//! [`keys`], the operator's review in [`admin`].
//!
//! Authentication: [`CloudAuth`] (a login session whose account is the `{id}` of the path,
//! else 403), [`DeviceAuth`] (that, plus a single-use signature by the bound device key over the
//! request, else 403), [`KeyUse`] (a [`DeviceAuth`] whose admission also fetched the key share
//! and counted its use) and [`MaybeDeviceAuth`] (a session, and a device signature when there
//! is one: changing the phone needs it or the password).

pub mod admin;
pub mod keys;

use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tessera_proto::cloud::{
    self as wire, About, Account, AccountApplication, AppSession, BindDevice, BindPhone,
    ChangePassword, CloudOrg, LoginRequest, LoginResponse, NewAppSession, RecoverCodeRequest,
    RecoverPassword, SessionToken, SignatureImage,
};
use tessera_proto::sms::SmsCodeSent;

use super::{CloudError, accounts};
use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery, Bearer, Ctx, bearer};
use crate::error::ApiError;
use crate::store::{Admission, CloudAccountRow, ShareKey};

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
        .merge(keys::router())
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

impl FromRequestParts<AppState> for CloudAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = SessionToken::new(bearer(&parts.headers).ok_or(CloudError::SessionInvalid)?);
        let account = state
            .cloud
            .session_account(accounts::session_hash(token.expose()), state.clock.now())
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
    axum::body::to_bytes(body, crate::api::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::BadBody {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: "body too large".into(),
        })
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for DeviceAuth<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (auth, body, _) = device_request(req, state, false).await?;
        Ok(Self { auth, body })
    }
}

/// A [`DeviceAuth`] for a key operation: admitting the request (its nonce stored) also fetched
/// the account owner's key share and counted its use, in one transaction
/// ([`crate::store::Store::admit_device_requests`]). `Debug` does not show the share.
pub struct KeyUse<T> {
    /// The session and account.
    pub auth: CloudAuth,
    /// The body.
    pub body: T,
    /// The owner's sealed d2; `None` when the account has no key.
    pub sealed_share: Option<Vec<u8>>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for KeyUse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyUse")
            .field("auth", &self.auth)
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for KeyUse<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (auth, body, sealed_share) = device_request(req, state, true).await?;
        Ok(Self {
            auth,
            body,
            sealed_share,
        })
    }
}

/// The session, the device-verified JSON body, and the owner's share when `share` is asked.
async fn device_request<T: serde::de::DeserializeOwned>(
    req: Request,
    state: &AppState,
    share: bool,
) -> Result<(CloudAuth, T, Option<Vec<u8>>), ApiError> {
    let (mut parts, body) = req.into_parts();
    let auth = CloudAuth::from_request_parts(&mut parts, state).await?;
    let share = share.then(|| super::keys::own_share(&auth.account.id));
    let (bytes, sealed) = device_verified(&parts, body, state, &auth, share).await?;
    Ok((auth, json_body(&bytes)?, sealed))
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
            device_verified(&parts, body, state, &auth, None).await?.0
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

/// Checks the device signature of a request and returns its body (and `share`, fetched and
/// counted, when named). Key use by the bound device is not stopped by the password lock (a
/// stranger's wrong logins must not lock the owner's live session out of its key); refused
/// device signatures have their own counter and lock.
async fn device_verified(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    auth: &CloudAuth,
    share: Option<ShareKey>,
) -> Result<(axum::body::Bytes, Option<Vec<u8>>), ApiError> {
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
    match check_device_signature(parts, body, state, auth, device_key, share).await {
        Ok(admitted) => {
            if a.device_failures > 0 {
                state.store.cloud_device_ok(&a.id).await?;
            }
            Ok(admitted)
        }
        Err(e @ ApiError::Cloud(CloudError::DeviceSignature)) => {
            // Only a session holder gets here: a session without its device locks key use.
            state
                .store
                .cloud_device_failed(&a.id, now, super::MAX_FAILED_LOGINS, super::LOCK_SECS)
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

/// Checks the device signature of a request (time window, signature, then the nonce, once,
/// with `share` fetched and counted in the same transaction) and returns its body and share.
async fn check_device_signature(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    auth: &CloudAuth,
    device_key: &[u8],
    share: Option<ShareKey>,
) -> Result<(axum::body::Bytes, Option<Vec<u8>>), ApiError> {
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
    match state.cloud.admit(nonce, expires_at, share, now).await? {
        Admission::Replayed => Err(CloudError::Replayed.into()),
        Admission::Admitted { sealed_share } => Ok((bytes, sealed_share)),
    }
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
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> Result<Json<Vec<CloudOrg>>, ApiError> {
    Ok(Json(accounts::directory(&ctx.state, q.q).await?))
}

/// Where the services are.
#[utoipa::path(get, path = "/v1/cloud/about", tag = "cloud", responses((status = 200, body = About)))]
pub(crate) async fn about(State(state): State<AppState>) -> Json<About> {
    Json(accounts::about(&state))
}

/// Applies for an account; an operator reviews it.
#[utoipa::path(post, path = "/v1/cloud/accounts", tag = "cloud", request_body = AccountApplication,
    responses((status = 201, body = Account), (status = 409, body = tessera_proto::Problem),
        (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn apply(
    ctx: Ctx,
    ApiJson(body): ApiJson<AccountApplication>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    let account = accounts::apply(&ctx.state, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Logs in with user ID and password. Five wrong passwords lock password login for 15 minutes,
/// each further one twice as long (a device already bound keeps signing with its session).
/// Unknown users get the same answer after the same work.
#[utoipa::path(post, path = "/v1/cloud/login", tag = "cloud", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn login(
    ctx: Ctx,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    Ok(Json(accounts::login(&ctx.state, body, &ctx.origin).await?))
}

/// Ends the session of the bearer token.
#[utoipa::path(post, path = "/v1/cloud/logout", tag = "cloud", security(("cloud_session" = [])),
    responses((status = 204)))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    token: Bearer,
) -> Result<StatusCode, ApiError> {
    accounts::logout(&state, token.token()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}", tag = "cloud", security(("cloud_session" = [])),
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Account), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn account(auth: CloudAuth) -> Json<Account> {
    Json(accounts::account_view(&auth.account))
}

/// Changes the password (the old one is checked with a reserved try, as at login); the bound
/// phone is told.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/password", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = ChangePassword,
    responses((status = 204), (status = 403, body = tessera_proto::Problem)))]
pub(crate) async fn change_password(
    ctx: Ctx<CloudAuth>,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    accounts::change_password(&ctx.state, &ctx.auth.account, &body, &ctx.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// After an image captcha, sends a recovery code to the account's bound phone. The answer is
/// the same 202 whether the account exists, has a phone, or its phone's limit was reached.
#[utoipa::path(post, path = "/v1/cloud/password/recover/code", tag = "cloud",
    request_body = RecoverCodeRequest,
    responses((status = 202, body = SmsCodeSent), (status = 400, body = tessera_proto::Problem)))]
pub(crate) async fn recover_code(
    ctx: Ctx,
    ApiJson(body): ApiJson<RecoverCodeRequest>,
) -> Result<(StatusCode, Json<SmsCodeSent>), ApiError> {
    let sent = accounts::recover_code(&ctx.state, &body, ctx.ip()).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Sets a new password with the SMS code sent to the bound phone; the phone is told. A wrong
/// code and an unknown account (or one without a phone) get the same answer.
#[utoipa::path(post, path = "/v1/cloud/password/recover", tag = "cloud",
    request_body = RecoverPassword,
    responses((status = 204), (status = 400, body = tessera_proto::Problem)))]
pub(crate) async fn recover(
    ctx: Ctx,
    ApiJson(body): ApiJson<RecoverPassword>,
) -> Result<StatusCode, ApiError> {
    accounts::recover(&ctx.state, &body, &ctx.origin).await?;
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
    ctx: Ctx,
    req: MaybeDeviceAuth<BindPhone>,
) -> Result<StatusCode, ApiError> {
    accounts::bind_phone(
        &ctx.state,
        &req.auth.account,
        &req.body,
        req.device_signed,
        &ctx.origin,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a code (purpose `cloud_change_phone`) to the phone bound now, which changing the
/// phone needs.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/phone/code", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 202, body = SmsCodeSent), (status = 409, body = tessera_proto::Problem),
        (status = 429, body = tessera_proto::Problem)))]
pub(crate) async fn old_phone_code(
    ctx: Ctx<CloudAuth>,
) -> Result<(StatusCode, Json<SmsCodeSent>), ApiError> {
    let sent = accounts::old_phone_code(&ctx.state, &ctx.auth.account, ctx.ip()).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Binds this install's device key; from then on key operations need its signature.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/device", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = BindDevice,
    responses((status = 204), (status = 400, body = tessera_proto::Problem),
        (status = 409, body = tessera_proto::Problem)))]
pub(crate) async fn bind_device(
    ctx: Ctx<CloudAuth>,
    ApiJson(body): ApiJson<BindDevice>,
) -> Result<StatusCode, ApiError> {
    accounts::bind_device(&ctx.state, &ctx.auth.account, &body, &ctx.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores the handwritten-signature image (PNG, at most 256 KiB).
#[utoipa::path(put, path = "/v1/cloud/accounts/{id}/signature-image", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = SignatureImage,
    responses((status = 204), (status = 422, body = tessera_proto::Problem)))]
pub(crate) async fn put_signature_image(
    ctx: Ctx<CloudAuth>,
    ApiJson(body): ApiJson<SignatureImage>,
) -> Result<StatusCode, ApiError> {
    accounts::set_signature_image(&ctx.state, &ctx.auth.account, &body, &ctx.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The handwritten-signature image.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/signature-image", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = SignatureImage), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn get_signature_image(
    ctx: Ctx<CloudAuth>,
) -> Result<Json<SignatureImage>, ApiError> {
    Ok(Json(
        accounts::signature_image(&ctx.state, &ctx.auth.account).await?,
    ))
}

/// Records that the user logged in to a relying application.
#[utoipa::path(post, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    request_body = NewAppSession, responses((status = 201, body = AppSession)))]
pub(crate) async fn new_app_session(
    ctx: Ctx<CloudAuth>,
    ApiJson(body): ApiJson<NewAppSession>,
) -> Result<(StatusCode, Json<AppSession>), ApiError> {
    let session =
        accounts::new_app_session(&ctx.state, &ctx.auth.account, body, &ctx.origin).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// The applications the user is logged in to.
#[utoipa::path(get, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Vec<AppSession>)))]
pub(crate) async fn list_app_sessions(
    ctx: Ctx<CloudAuth>,
) -> Result<Json<Vec<AppSession>>, ApiError> {
    Ok(Json(
        accounts::app_sessions(&ctx.state, &ctx.auth.account).await?,
    ))
}

/// Logs out of every application.
#[utoipa::path(delete, path = "/v1/cloud/accounts/{id}/app-sessions", tag = "cloud",
    security(("cloud_session" = [])), params(("id" = String, Path, description = "account id")),
    responses((status = 204)))]
pub(crate) async fn end_all_app_sessions(ctx: Ctx<CloudAuth>) -> Result<StatusCode, ApiError> {
    accounts::end_app_sessions(&ctx.state, &ctx.auth.account, None, &ctx.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs out of one application.
#[utoipa::path(delete, path = "/v1/cloud/accounts/{id}/app-sessions/{sid}", tag = "cloud",
    security(("cloud_session" = [])),
    params(("id" = String, Path, description = "account id"), ("sid" = String, Path, description = "session id")),
    responses((status = 204), (status = 404, body = tessera_proto::Problem)))]
pub(crate) async fn end_app_session(
    ctx: Ctx<CloudAuth>,
    Path((_, sid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    accounts::end_app_sessions(&ctx.state, &ctx.auth.account, Some(&sid), &ctx.origin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The cloud-key part of `/openapi.json`, merged into [`crate::api::openapi::ApiDoc`].
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
        keys::keygen,
        keys::request_certificate,
        keys::certificate,
        keys::sign,
        keys::decrypt,
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
        use axum::http::{HeaderMap, header};
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
