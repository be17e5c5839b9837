//! What the client keeps for its cloud keys, in a [`Store`] (natively `DATA_DIR/cloud/`):
//!
//! - `device.key`: this install's SM2 device key (PKCS#8), made once, mode 0600. It has no PIN
//!   (it must sign without one); the file's permissions are its protection, and a copy of it is
//!   useless without the account password, which the service checks.
//! - `share.key`: 16 random bytes made once, mode 0600, the key-encryption key that wraps each
//!   account's client share `d1` on this install. The password is not part of it: it only logs in
//!   to the service, so a password recovered by SMS leaves the share usable. Whoever copies the
//!   data folder gets `d1`, which signs nothing without a password login and the service's half
//!   `d2` (the service's lockout guards the password).
//! - `accounts.json`: the accounts of this install and which one is active. Each holds `d1`
//!   wrapped under `share.key` with `tessera_crypto::wrap` (SM4-GCM, bound to the account id),
//!   the joint public key and the certificate. Accounts written by earlier versions hold `d1`
//!   either under `share.key` as `nonce || SM4-GCM(d1)` (still read as it is), or under a key
//!   derived from the account password with Argon2id (RFC 9106; m = 19 MiB, t = 2), which the
//!   first use with the password rewraps under `share.key`. [`ShareWrap`] says which.
//!
//! Writes are atomic (natively: temporary file, fsync, rename).

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tessera_crypto::sm2::Sm2PrivateKey;
use tessera_crypto::sm2::two_party::ClientShare;
use tessera_crypto::wrap::{self as key_wrap, Aead, Argon2Params, Kek, Secret, WrapError};
use tessera_proto::cloud::Password;
use zeroize::Zeroizing;

use super::CloudError;
use crate::store::{DirStore, Store};

/// One account on this install.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalAccount {
    /// Account id at the service.
    pub id: String,
    /// Service URL.
    pub server: String,
    /// Organization code.
    pub org: String,
    /// User ID or employee number.
    pub user_id: String,
    /// Full name.
    pub name: String,
    /// Joint public key, hex SEC1 uncompressed.
    pub public_key: String,
    /// How `wrapped_share` is wrapped; absent in files of the first version (the password).
    /// Written as `share_wrap`; files of earlier versions call it `seal`.
    #[serde(default, alias = "seal")]
    pub share_wrap: ShareWrap,
    /// `d1` as [`Self::share_wrap`] says, hex. Written as `wrapped_share`; files of earlier
    /// versions call it `sealed_share`.
    #[serde(alias = "sealed_share")]
    pub wrapped_share: String,
    /// Serial of the certificate, lowercase hex.
    pub serial: Option<String>,
    /// The certificate, PEM.
    pub certificate_pem: Option<String>,
    /// Issuing CA then root, PEM.
    pub chain_pem: Option<String>,
    /// What the service last said of the password; absent until it said anything, and
    /// cleared by a good login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_state: Option<PasswordState>,
}

/// The password tries the service reported for an account (DESIGN.md, "Service": five wrong
/// passwords lock password use for a while).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordState {
    /// Wrong passwords left before the lock.
    pub tries_left: u8,
    /// Unix seconds until which password use is locked, when the service said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
}

impl PasswordState {
    /// Whether password use is locked at `now` (Unix seconds): no tries left, and the lock
    /// has no known end or has not reached it.
    pub fn locked(&self, now: i64) -> bool {
        self.tries_left == 0 && self.locked_until.is_none_or(|t| t > now)
    }
}

impl std::fmt::Debug for LocalAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAccount")
            .field("id", &self.id)
            .field("org", &self.org)
            .field("user_id", &self.user_id)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// What a stored share is wrapped under, and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareWrap {
    /// `salt (16) || nonce (12) || SM4-GCM(d1)` under a key derived from the account password
    /// (files of the first version).
    #[default]
    #[serde(rename = "password")]
    Password,
    /// `nonce (12) || SM4-GCM(d1)` under this install's `share.key` (files of the second
    /// version).
    #[serde(rename = "device")]
    InstallKeyV2,
    /// A `tessera_crypto::wrap` blob under this install's `share.key` (what this version
    /// writes).
    #[serde(rename = "install_key")]
    InstallKey,
}

/// `accounts.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountsFile {
    /// Id of the active account.
    pub active: Option<String>,
    /// The organization chosen from the directory or its QR: service URL.
    #[serde(default)]
    pub server: Option<String>,
    /// The organization chosen: its code.
    #[serde(default)]
    pub org: Option<String>,
    /// Every account on this install.
    pub accounts: Vec<LocalAccount>,
}

/// What the client keeps for its cloud keys: `DATA_DIR/cloud/` natively (a [`DirStore`]), or
/// whatever [`Store`] the face gives (IndexedDB in the phone app).
#[derive(Debug, Clone)]
pub struct CloudDir {
    store: Arc<dyn Store>,
}

impl CloudDir {
    /// `data_dir/cloud`.
    pub fn new(data_dir: &Path) -> Self {
        Self::in_store(Arc::new(DirStore::new(data_dir.join("cloud"))))
    }

    /// The cloud keys kept in `store`.
    pub fn in_store(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    fn io(&self, name: &str, e: impl std::fmt::Display) -> CloudError {
        CloudError::Storage {
            path: self.store.locate(name),
            reason: e.to_string(),
        }
    }

    /// The blob `name`, made by `make` (and kept) on first use.
    fn read_or_make(
        &self,
        name: &str,
        make: impl FnOnce() -> Result<Zeroizing<Vec<u8>>, CloudError>,
    ) -> Result<Zeroizing<Vec<u8>>, CloudError> {
        match self.store.read(name).map_err(|e| self.io(name, e))? {
            Some(bytes) => Ok(Zeroizing::new(bytes)),
            None => {
                let bytes = make()?;
                self.store
                    .write(name, &bytes)
                    .map_err(|e| self.io(name, e))?;
                Ok(bytes)
            }
        }
    }

    /// This install's device key, made on first use.
    pub fn device_key(&self) -> Result<Sm2PrivateKey, CloudError> {
        let der = self.read_or_make("device.key", || {
            Ok(Zeroizing::new(
                Sm2PrivateKey::generate()?.to_pkcs8_der()?.to_vec(),
            ))
        })?;
        Sm2PrivateKey::from_der(&der).map_err(|e| self.io("device.key", e))
    }

    /// This install's share-wrapping key, made on first use (owner-only).
    pub fn share_key(&self) -> Result<Zeroizing<[u8; 16]>, CloudError> {
        let bytes = self.read_or_make("share.key", || {
            Ok(Zeroizing::new(tessera_crypto::rng::bytes::<16>()?.to_vec()))
        })?;
        let key: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| self.io("share.key", "not 16 bytes"))?;
        Ok(Zeroizing::new(key))
    }

    fn share_kek(&self) -> Result<Kek, CloudError> {
        let key = self.share_key()?;
        Kek::from_bytes(key.as_slice()).map_err(|e| CloudError::Protocol(e.to_string()))
    }

    /// Wraps `d1` of `account_id` under this install's share key ([`ShareWrap::InstallKey`]),
    /// hex.
    pub fn wrap_share(&self, d1: &ClientShare, account_id: &str) -> Result<String, CloudError> {
        let blob = key_wrap::wrap_with_kek(
            &self.share_kek()?,
            Aead::Sm4Gcm,
            &share_ad(account_id),
            d1.to_bytes().as_slice(),
        )
        .map_err(|e| CloudError::Protocol(e.to_string()))?;
        Ok(hex::encode(blob))
    }

    /// Unwraps the share of `account` kept under this install's share key (either format); a
    /// share under the password needs it ([`unwrap_password_share`]).
    pub fn unwrap_share(&self, account: &LocalAccount) -> Result<ClientShare, CloudError> {
        let bytes =
            hex::decode(&account.wrapped_share).map_err(|e| CloudError::Protocol(e.to_string()))?;
        let plain = match account.share_wrap {
            ShareWrap::InstallKey => {
                key_wrap::unwrap_with_kek(&self.share_kek()?, &share_ad(&account.id), &bytes)
                    .map_err(|e| match e {
                        WrapError::Unwrap => CloudError::ShareKeyMismatch,
                        other => CloudError::Protocol(other.to_string()),
                    })?
            }
            ShareWrap::InstallKeyV2 => {
                if bytes.len() < 12 + 16 {
                    return Err(CloudError::Protocol("wrapped share too short".into()));
                }
                let (nonce, body) = bytes.split_at(12);
                let nonce: [u8; 12] = nonce
                    .try_into()
                    .map_err(|_| CloudError::Protocol("nonce".into()))?;
                let key = self.share_key()?;
                let aad = [V2_SHARE_AAD, account.id.as_bytes()].concat();
                tessera_crypto::sm4::gcm_open(&key, &nonce, &aad, body)
                    .map_err(|_| CloudError::ShareKeyMismatch)?
            }
            ShareWrap::Password => {
                return Err(CloudError::Protocol(
                    "this share is wrapped under the password".into(),
                ));
            }
        };
        Ok(ClientShare::from_bytes(&plain)?)
    }

    /// The accounts file (empty when there is none yet).
    pub fn load(&self) -> Result<AccountsFile, CloudError> {
        const NAME: &str = "accounts.json";
        match self.store.read(NAME).map_err(|e| self.io(NAME, e))? {
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.io(NAME, e)),
            None => Ok(AccountsFile::default()),
        }
    }

    /// Writes the accounts file atomically.
    pub fn save(&self, file: &AccountsFile) -> Result<(), CloudError> {
        const NAME: &str = "accounts.json";
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| self.io(NAME, e))?;
        self.store.write(NAME, &bytes).map_err(|e| self.io(NAME, e))
    }
}

/// Associated data of a share wrapped under `share.key`: its purpose and its account.
fn share_ad(account_id: &str) -> Vec<u8> {
    format!("tessera cloud d1: {account_id}").into_bytes()
}

fn password_key(password: &Password, salt: &[u8]) -> Result<Zeroizing<Vec<u8>>, CloudError> {
    // Argon2's defaults as the first version used them: m = 19 MiB, t = 2, p = 1.
    Argon2Params::default()
        .derive(&Secret::new(password.expose().as_bytes()), salt, 16)
        .map_err(|e| CloudError::Protocol(format!("argon2: {e}")))
}

const V1_SHARE_AAD: &[u8] = b"tessera cloud d1 v1";
const V2_SHARE_AAD: &[u8] = b"tessera cloud d1 v2 ";

/// Unwraps a `d1` the first version wrapped under the password ([`ShareWrap::Password`]); a
/// wrong password is [`CloudError::PasswordIncorrect`].
pub fn unwrap_password_share(
    wrapped: &str,
    password: &Password,
) -> Result<ClientShare, CloudError> {
    let bytes = hex::decode(wrapped).map_err(|e| CloudError::Protocol(e.to_string()))?;
    if bytes.len() < 16 + 12 + 16 {
        return Err(CloudError::Protocol("wrapped share too short".into()));
    }
    let (salt, rest) = bytes.split_at(16);
    let (nonce, body) = rest.split_at(12);
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| CloudError::Protocol("nonce".into()))?;
    let key = password_key(password, salt)?;
    let plain = Aead::Sm4Gcm
        .decrypt(&key, &nonce, V1_SHARE_AAD, body)
        .map_err(|_| CloudError::PasswordIncorrect)?;
    Ok(ClientShare::from_bytes(&plain)?)
}

/// Wraps `d1` under a password as the first version did (to test its migration).
#[doc(hidden)]
pub fn wrap_password_share_v1(d1: &ClientShare, password: &Password) -> Result<String, CloudError> {
    let salt = tessera_crypto::rng::bytes::<16>()?;
    let nonce = tessera_crypto::rng::bytes::<12>()?;
    let key = password_key(password, &salt)?;
    let wrapped = Aead::Sm4Gcm.encrypt(&key, &nonce, V1_SHARE_AAD, d1.to_bytes().as_slice())?;
    Ok(hex::encode([salt.as_slice(), &nonce, &wrapped].concat()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// `tests/data/cloud-v2/`: `share.key` and `accounts.json` as the code of commit edb9be9
    /// wrote them (see `tests/data/README.md`): one share under `share.key` in the second
    /// version's format, one under the password in the first version's.
    #[test]
    fn accounts_of_earlier_versions_unwrap() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cloud-v2");
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("cloud")).unwrap();
        for f in ["share.key", "accounts.json"] {
            std::fs::copy(
                fixture.join("cloud").join(f),
                tmp.path().join("cloud").join(f),
            )
            .unwrap();
        }
        let dir = CloudDir::new(tmp.path());
        let file = dir.load().unwrap();
        let device = &file.accounts[0];
        assert_eq!(device.share_wrap, ShareWrap::InstallKeyV2);
        assert_eq!(
            dir.unwrap_share(device).unwrap().to_bytes().as_slice(),
            &[0x11; 32]
        );
        let old = &file.accounts[1];
        assert_eq!(old.share_wrap, ShareWrap::Password);
        assert!(matches!(
            unwrap_password_share(&old.wrapped_share, &Password::new("wrong")),
            Err(CloudError::PasswordIncorrect)
        ));
        let d1 =
            unwrap_password_share(&old.wrapped_share, &Password::new("fixture-pass-1")).unwrap();
        assert_eq!(d1.to_bytes().as_slice(), &[0x22; 32]);

        // Written anew: the current format, which the same install key opens, for this account
        // only; the file keeps reading back.
        let mut renewed = old.clone();
        renewed.wrapped_share = dir.wrap_share(&d1, &old.id).unwrap();
        renewed.share_wrap = ShareWrap::InstallKey;
        assert_eq!(
            dir.unwrap_share(&renewed).unwrap().to_bytes().as_slice(),
            &[0x22; 32]
        );
        let mut moved = renewed.clone();
        moved.id = "acct-device".into();
        assert!(matches!(
            dir.unwrap_share(&moved),
            Err(CloudError::ShareKeyMismatch)
        ));
        let json = serde_json::to_string(&renewed).unwrap();
        assert!(json.contains("\"share_wrap\":\"install_key\"") && json.contains("wrapped_share"));
        let back: LocalAccount = serde_json::from_str(&json).unwrap();
        assert_eq!(back, renewed);
    }
}
