//! Cloud keys: accounts (apply, review, login with a server-side lockout counter, passwords,
//! phone, device binding) and the service's half of two-party SM2 (DESIGN.md, "Two-party SM2").
//!
//! The service half `d2` is wrapped under the master key (`tessera_crypto::wrap`, SM4-GCM, bound
//! to `cloud:<account id>`) the moment it is made and unwrapped only for one operation. Every point from a client is checked
//! by `tessera_crypto::sm2::two_party` (on the curve, not the identity). Argon2id and key
//! generation run on the blocking pool; a co-signature or decryption step, short and frequent,
//! runs where its request does.

pub mod audit;
mod batch;
pub mod nonces;
pub mod sessions;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sha2::{Digest as _, Sha256};
use tessera_crypto::sm2::{
    Sm2PreparedKey, Sm2PublicKey, Sm2Signature,
    two_party::{PartialSignature, ServiceShare},
};
use tessera_proto::cloud::{Account, AccountStatus, Password, SessionToken};

use crate::ca::wrap::MasterKey;
use crate::store::{CloudAccountRow, StoreError};

/// Wrong passwords before password login locks (and refused device signatures before key use
/// locks, counted apart).
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long the first lock lasts, seconds; each further wrong try while over the limit doubles
/// it, up to 96 times (24 hours) ([`crate::store::Store::cloud_login_reserve`]).
pub const LOCK_SECS: i64 = 15 * 60;
/// Lifetime of a login session, seconds.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Days a cloud-key certificate is valid.
pub const CERT_DAYS: u32 = 365;

/// Why a cloud-key request was refused. Texts carry no secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudError {
    /// A field failed validation.
    #[error("{0}")]
    Invalid(String),
    /// A point or scalar from the client is malformed or not on the curve.
    #[error("{0}")]
    BadPoint(String),
    /// No session, or an expired or unknown one.
    #[error("not logged in")]
    SessionInvalid,
    /// The session belongs to another account.
    #[error("this session may not act on that account")]
    Forbidden,
    /// The device signature is missing, stale or does not verify.
    #[error("missing or invalid device signature")]
    DeviceSignature,
    /// The account has no bound device, which key operations need.
    #[error("bind a device first")]
    DeviceNotBound,
    /// A device is already bound.
    #[error("a device is already bound to this account")]
    DeviceAlreadyBound,
    /// Wrong user ID or password. The same answer, without a count of tries left, whether the
    /// user exists or not.
    #[error("wrong user ID or password")]
    PasswordIncorrect,
    /// A device-signed request seen before (its nonce is remembered until its window ends).
    #[error("this device-signed request was used already")]
    Replayed,
    /// The change needs the account password or a device signature, not a session alone.
    #[error("this change needs the account password or a signature by the bound device")]
    ReauthRequired,
    /// A phone is bound: changing it needs the code sent to it.
    #[error("a phone is bound: changing it needs the code sent to that phone")]
    OldPhoneCodeRequired,
    /// Password recovery: wrong, expired or missing code, or no such account or phone (one
    /// answer for all, so that it does not tell whether an account exists).
    #[error("wrong or expired code")]
    RecoveryCodeIncorrect,
    /// Too many wrong passwords.
    #[error("too many wrong passwords; try again in {retry_after} seconds")]
    Locked {
        /// Seconds until the lock ends.
        retry_after: u64,
    },
    /// The account is not approved (yet).
    #[error("the account is {status}")]
    NotApproved {
        /// `pending` or `rejected`.
        status: String,
    },
    /// The account has a key already, or none yet.
    #[error("{0}")]
    KeyState(&'static str),
    /// No phone is bound, so a password cannot be recovered by SMS.
    #[error("no phone is bound to this account")]
    NoPhone,
    /// Too many password checks at once (the Argon2 gate is full): 503 with `Retry-After`.
    #[error("too many password checks at once; try again in {retry_after} seconds")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after: u64,
    },
    /// The master key could not wrap or unwrap a share, or hashing failed: a server fault.
    #[error("internal: {0}")]
    Internal(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the cloud area needs beyond the store: the master key, the audit writer, the session
/// lookups and the bound device keys prepared for verification.
#[derive(Debug)]
pub struct CloudKeys {
    /// Wraps d2.
    pub master: Arc<MasterKey>,
    /// Group-committed audit rows.
    pub audit: audit::AuditQueue,
    /// Batched session lookups.
    pub sessions: sessions::SessionLookups,
    /// Device keys that signed recently.
    pub device_keys: DeviceKeys,
    /// Batched nonce checks of device-signed requests.
    pub nonces: nonces::DeviceNonces,
}

/// How many prepared device keys are kept (about 53 KB each, so about 14 MB at most).
const DEVICE_KEYS_KEPT: NonZeroUsize = NonZeroUsize::new(256).unwrap();

/// Bound device keys as [`Sm2PreparedKey`]s, least recently used dropped first. Preparing a key
/// takes about a millisecond and makes each of its verifications about three times faster, so
/// a device that signs again (every co-signature carries its signature) is checked quicker.
/// Keyed by the stored SEC1 bytes: rebinding a device brings a new key, never a stale one.
pub struct DeviceKeys(Mutex<lru::LruCache<Vec<u8>, Arc<Sm2PreparedKey>>>);

impl std::fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKeys").finish_non_exhaustive()
    }
}

impl Default for DeviceKeys {
    fn default() -> Self {
        Self(Mutex::new(lru::LruCache::new(DEVICE_KEYS_KEPT)))
    }
}

impl DeviceKeys {
    /// The prepared form of a stored device key (SEC1), from the cache or made now.
    fn prepared(&self, sec1: &[u8]) -> Result<Arc<Sm2PreparedKey>, CloudError> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = lock().get(sec1) {
            return Ok(key.clone());
        }
        let key = Sm2PublicKey::from_sec1_bytes(sec1)
            .and_then(|key| Sm2PreparedKey::new(&key))
            .map_err(|e| CloudError::Internal(format!("stored device key: {e}")))?;
        let key = Arc::new(key);
        lock().put(sec1.to_vec(), key.clone());
        Ok(key)
    }

    /// Verifies a device signature (hex DER, SM2 with the default ID) over `signed` with the
    /// bound device key (SEC1).
    pub fn verify(
        &self,
        device_key: &[u8],
        signed: &[u8],
        signature_hex: &str,
    ) -> Result<(), CloudError> {
        let der = hex::decode(signature_hex).map_err(|_| CloudError::DeviceSignature)?;
        let sig = Sm2Signature::from_der(&der).map_err(|_| CloudError::DeviceSignature)?;
        self.prepared(device_key)?
            .verify(tessera_crypto::sm2::DEFAULT_ID, signed, &sig)
            .map_err(|_| CloudError::DeviceSignature)
    }
}

/// The master key, audit writer and session lookups, installed at start (as [`crate::ca::CaSlot`] holds the CA).
#[derive(Debug, Clone, Default)]
pub struct CloudSlot(Arc<OnceLock<Arc<CloudKeys>>>);

impl CloudSlot {
    /// Puts the master key in and starts the audit writer and the session lookups on the
    /// current tokio runtime; a second call keeps the first.
    pub fn install(&self, key: Arc<MasterKey>, store: &crate::store::Store) {
        let _ = self.0.get_or_init(|| {
            Arc::new(CloudKeys {
                master: key,
                audit: audit::AuditQueue::start(store),
                sessions: sessions::SessionLookups::start(store),
                device_keys: DeviceKeys::default(),
                nonces: nonces::DeviceNonces::start(store),
            })
        });
    }

    fn keys(&self) -> Result<&Arc<CloudKeys>, CloudError> {
        self.0
            .get()
            .ok_or_else(|| CloudError::Internal("the cloud area is not initialised".into()))
    }

    /// The master key, or an internal error if the service started without one.
    pub fn master(&self) -> Result<Arc<MasterKey>, CloudError> {
        Ok(self.keys()?.master.clone())
    }

    /// The audit writer.
    pub fn audit(&self) -> Result<audit::AuditQueue, CloudError> {
        Ok(self.keys()?.audit.clone())
    }

    /// The account of the live session whose token hashes to `token_hash`
    /// ([`sessions::SessionLookups`]).
    pub async fn session_account(
        &self,
        token_hash: [u8; 32],
        now: i64,
    ) -> Result<Option<CloudAccountRow>, CloudError> {
        self.keys()?
            .sessions
            .account(token_hash, now)
            .await
            .map_err(CloudError::Internal)
    }

    /// Remembers the nonce of a device-signed request until `expires_at`; false when it was
    /// seen before ([`nonces::DeviceNonces`]).
    pub async fn remember_nonce(
        &self,
        nonce: [u8; 16],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, CloudError> {
        self.keys()?
            .nonces
            .remember(nonce, expires_at, now)
            .await
            .map_err(CloudError::Internal)
    }

    /// Verifies a device signature ([`DeviceKeys::verify`]).
    pub fn verify_device_signature(
        &self,
        device_key: &[u8],
        signed: &[u8],
        signature_hex: &str,
    ) -> Result<(), CloudError> {
        self.keys()?
            .device_keys
            .verify(device_key, signed, signature_hex)
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CloudError> + Send + 'static,
) -> Result<T, CloudError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CloudError::Internal(e.to_string()))?
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

/// A fresh random id (16 bytes, hex).
pub fn new_id() -> Result<String, CloudError> {
    tessera_crypto::rng::bytes::<16>()
        .map(hex::encode)
        .map_err(|_| CloudError::Internal("random generator failed".into()))
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

/// A phone number as shown to others: `138****0000`.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
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

/// Decodes lowercase or uppercase hex of exactly `len` bytes, as a 400 for points.
pub fn decode_hex(what: &str, text: &str, len: usize) -> Result<Vec<u8>, CloudError> {
    match hex::decode(text) {
        Ok(bytes) if bytes.len() == len => Ok(bytes),
        _ => Err(CloudError::BadPoint(format!(
            "{what} must be hex of {len} bytes"
        ))),
    }
}

/// The name `d2` is wrapped under (its associated data).
fn wrap_name(account_id: &str) -> String {
    format!("cloud:{account_id}")
}

/// Two-party key generation, service side: checks `P1`, draws `d2`, wraps it. Returns the
/// joint public key (SEC1 uncompressed) and the wrapped share.
pub async fn keygen(
    master: Arc<MasterKey>,
    account_id: &str,
    p1: Vec<u8>,
) -> Result<(Vec<u8>, Vec<u8>), CloudError> {
    let name = wrap_name(account_id);
    blocking(move || {
        let (d2, public) =
            ServiceShare::generate(&p1).map_err(|e| CloudError::BadPoint(format!("P1: {e}")))?;
        let wrapped = master
            .wrap(&name, d2.to_bytes().as_slice())
            .map_err(|e| CloudError::Internal(e.to_string()))?;
        Ok((public.to_sec1_uncompressed(), wrapped))
    })
    .await
}

fn unwrap_share(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
) -> Result<ServiceShare, CloudError> {
    let plain = master
        .unwrap(&wrap_name(account_id), wrapped)
        .map_err(|e| CloudError::Internal(e.to_string()))?;
    ServiceShare::from_bytes(&plain).map_err(|e| CloudError::Internal(e.to_string()))
}

/// Signing step 2 with the account's wrapped share. Runs on the caller's thread, like the
/// device signature check before it: two scalar multiplications (well under a millisecond)
/// cost less there than a round trip through the blocking pool, whose threads would outnumber
/// the cores under load.
pub fn cosign(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
    e: &[u8; 32],
    q1: &[u8],
) -> Result<PartialSignature, CloudError> {
    let d2 = unwrap_share(master, account_id, wrapped)?;
    d2.cosign(e, q1)
        .map_err(|e| CloudError::BadPoint(format!("Q1: {e}")))
}

/// Decryption step with the account's wrapped share: `T2 = d2^-1 · T1`, on the caller's
/// thread as [`cosign`].
pub fn codecrypt(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
    t1: &[u8],
) -> Result<[u8; 65], CloudError> {
    let d2 = unwrap_share(master, account_id, wrapped)?;
    d2.decrypt_step(t1)
        .map_err(|e| CloudError::BadPoint(format!("T1: {e}")))
}

/// Moves a pending account to `to` (approved or rejected) and audits it as `actor`; the admin
/// API and `tessera-server admin accounts approve` both come here.
pub async fn review_account(
    store: &crate::store::Store,
    id: &str,
    to: AccountStatus,
    actor: &str,
    origin: (Option<&str>, Option<&str>),
    now: i64,
) -> Result<CloudAccountRow, CloudError> {
    if !store.review_cloud_account(id, to.as_str(), now).await? {
        return Err(CloudError::Invalid(format!("no pending account {id}")));
    }
    let action = format!("cloud.account.{}", to.as_str());
    let entry = crate::store::AuditEntry {
        at: now,
        actor,
        action: &action,
        subject: Some(id),
        source_ip: origin.0,
        request_id: origin.1,
    };
    store.audit(&entry).await?;
    store
        .cloud_account(id)
        .await?
        .ok_or_else(|| CloudError::Invalid(format!("no account {id}")))
}
