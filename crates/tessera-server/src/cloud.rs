//! The cloud-key area (`/v1/cloud`): accounts ([`accounts`]: apply, review, login with a
//! server-side lockout counter, passwords, phone, device binding) and the service's half of
//! two-party SM2 ([`keys`]; DESIGN.md, "Two-party SM2"). [`api`] maps HTTP onto both, [`store`]
//! holds the area's SQL; the batched session lookups and device nonces are [`sessions`] and
//! [`nonces`].
//!
//! The service half `d2` is wrapped under the master key (`tessera_crypto::wrap`, SM4-GCM,
//! bound to `cloud:<account id>`) the moment it is made and unwrapped only for one operation.
//! Every point from a client is checked by `tessera_crypto::sm2::two_party` (on the curve, not
//! the identity). Argon2id and key generation run on the blocking pool; a co-signature or
//! decryption step, short and frequent, runs where its request does.

pub mod accounts;
pub mod api;
pub mod keys;
pub mod nonces;
pub mod sessions;
pub(crate) mod store;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tessera_crypto::sm2::{Sm2PreparedKey, Sm2PublicKey, Sm2Signature};

use crate::audit::Audit;
use crate::ca::wrap::MasterKey;
use crate::store::{Admission, CloudAccountRow, ShareKey, StoreError};

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

/// What the cloud area needs beyond the store: the master key, the session lookups, the bound
/// device keys prepared for verification and the device-nonce batches.
#[derive(Debug)]
pub struct CloudKeys {
    /// Wraps d2.
    pub master: Arc<MasterKey>,
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

/// The master key, session lookups and nonce batches, installed at start (as
/// [`crate::ca::CaSlot`] holds the CA), beside the service's audit writer.
#[derive(Debug, Clone)]
pub struct CloudSlot {
    keys: Arc<OnceLock<Arc<CloudKeys>>>,
    audit: Audit,
}

impl CloudSlot {
    /// An empty slot whose [`CloudSlot::install`] also starts `audit`'s group-committing writer.
    pub fn new(audit: Audit) -> Self {
        Self {
            keys: Arc::default(),
            audit,
        }
    }

    /// Puts the master key in and starts the session lookups, the nonce batches and the audit
    /// writer on the current tokio runtime; a second call keeps the first.
    pub fn install(&self, key: Arc<MasterKey>, store: &crate::store::Store) {
        self.audit.start_writer();
        let _ = self.keys.get_or_init(|| {
            Arc::new(CloudKeys {
                master: key,
                sessions: sessions::SessionLookups::start(store),
                device_keys: DeviceKeys::default(),
                nonces: nonces::DeviceNonces::start(store),
            })
        });
    }

    fn keys(&self) -> Result<&Arc<CloudKeys>, CloudError> {
        self.keys
            .get()
            .ok_or_else(|| CloudError::Internal("the cloud area is not initialised".into()))
    }

    /// The master key, or an internal error if the service started without one.
    pub fn master(&self) -> Result<Arc<MasterKey>, CloudError> {
        Ok(self.keys()?.master.clone())
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

    /// Remembers the nonce of a device-signed request until `expires_at` and fetches (and
    /// counts the use of) `share` with it ([`nonces::DeviceNonces::admit`]).
    pub async fn admit(
        &self,
        nonce: [u8; 16],
        expires_at: i64,
        share: Option<ShareKey>,
        now: i64,
    ) -> Result<Admission, CloudError> {
        self.keys()?
            .nonces
            .admit(nonce, expires_at, share, now)
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

/// Runs `f` on the blocking pool (Argon2id, key generation).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CloudError> + Send + 'static,
) -> Result<T, CloudError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CloudError::Internal(e.to_string()))?
}

/// A fresh random id (16 bytes, hex).
pub fn new_id() -> Result<String, CloudError> {
    tessera_crypto::rng::bytes::<16>()
        .map(hex::encode)
        .map_err(|_| CloudError::Internal("random generator failed".into()))
}

/// Decodes lowercase or uppercase hex of exactly `len` bytes, as a 400 for points.
pub fn decode_hex<const N: usize>(
    what: &str,
    value: &tessera_proto::hex::HexBytes<N>,
) -> Result<[u8; N], CloudError> {
    value
        .decode()
        .map_err(|e| CloudError::BadPoint(format!("{what} {e}")))
}
