//! What the client keeps for its cloud keys in `DATA_DIR/cloud/`:
//!
//! - `device.key`: this install's SM2 device key (PKCS#8), made once, mode 0600. It has no PIN
//!   (it must sign without one); the file's permissions are its protection, and a copy of it is
//!   useless without the account password, which the service checks.
//! - `share.key`: 16 random bytes made once, mode 0600, the SM4 key that seals each account's
//!   client share `d1` on this install. The password is not part of the seal: it only logs in
//!   to the service, so a password recovered by SMS leaves the share usable. Whoever copies the
//!   data folder gets `d1`, which signs nothing without a password login and the service's half
//!   `d2` (the service's lockout guards the password).
//! - `accounts.json`: the accounts of this install and which one is active. Each holds `d1`
//!   sealed with SM4-GCM under `share.key` (AAD: a version label and the account id), the joint
//!   public key and the certificate. Accounts written by earlier versions hold `d1` sealed under
//!   a key derived from the account password with Argon2id (RFC 9106; m = 19 MiB, t = 2); the
//!   first use with the password reseals them under `share.key`.
//!
//! Writes are atomic (temporary file, fsync, rename).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tessera_crypto::sm2::Sm2PrivateKey;
use tessera_crypto::sm2::two_party::ClientShare;
use tessera_proto::cloud::Password;
use zeroize::Zeroizing;

use super::CloudError;

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
    /// How `sealed_share` is sealed; absent in files of earlier versions (the password).
    #[serde(default)]
    pub seal: ShareSeal,
    /// Under `share.key`: `nonce (12) || SM4-GCM(d1)`, hex; under the password (earlier
    /// versions): `salt (16) || nonce (12) || SM4-GCM(d1)`, hex.
    pub sealed_share: String,
    /// Serial of the certificate, lowercase hex.
    pub serial: Option<String>,
    /// The certificate, PEM.
    pub certificate_pem: Option<String>,
    /// Issuing CA then root, PEM.
    pub chain_pem: Option<String>,
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

/// What a stored share is sealed under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareSeal {
    /// A key derived from the account password (files of earlier versions).
    #[default]
    Password,
    /// This install's `share.key`.
    Device,
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

/// The cloud folder of a data directory.
#[derive(Debug, Clone)]
pub struct CloudDir {
    dir: PathBuf,
}

fn io(path: &Path, e: impl std::fmt::Display) -> CloudError {
    CloudError::Storage {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

impl CloudDir {
    /// `data_dir/cloud`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("cloud"),
        }
    }

    fn ensure(&self) -> Result<(), CloudError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))
    }

    /// This install's device key, made on first use.
    pub fn device_key(&self) -> Result<Sm2PrivateKey, CloudError> {
        let path = self.dir.join("device.key");
        match std::fs::read(&path) {
            Ok(der) => {
                let der = Zeroizing::new(der);
                Sm2PrivateKey::from_der(&der).map_err(|e| io(&path, e))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.ensure()?;
                let key = Sm2PrivateKey::generate()?;
                let der = key.to_pkcs8_der()?;
                tessera_media::write_atomic(&path, &der).map_err(|e| io(&path, e))?;
                Ok(key)
            }
            Err(e) => Err(io(&path, e)),
        }
    }

    /// This install's share-sealing key, made on first use (mode 0600).
    pub fn share_key(&self) -> Result<Zeroizing<[u8; 16]>, CloudError> {
        let path = self.dir.join("share.key");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let key: [u8; 16] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| io(&path, "not 16 bytes"))?;
                Ok(Zeroizing::new(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.ensure()?;
                let key = Zeroizing::new(tessera_crypto::rng::bytes::<16>()?);
                tessera_media::write_atomic(&path, key.as_slice()).map_err(|e| io(&path, e))?;
                Ok(key)
            }
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Seals `d1` of `account_id` under this install's share key: `nonce || SM4-GCM(d1)`, hex.
    pub fn seal_share(&self, d1: &ClientShare, account_id: &str) -> Result<String, CloudError> {
        let key = self.share_key()?;
        let nonce = tessera_crypto::rng::bytes::<12>()?;
        let aad = [DEVICE_SHARE_AAD, account_id.as_bytes()].concat();
        let sealed = tessera_crypto::sm4::gcm_seal(&key, &nonce, &aad, d1.to_bytes().as_slice())?;
        Ok(hex::encode([nonce.as_slice(), &sealed].concat()))
    }

    /// Opens a share sealed by [`Self::seal_share`].
    pub fn open_share(&self, sealed: &str, account_id: &str) -> Result<ClientShare, CloudError> {
        let bytes = hex::decode(sealed).map_err(|e| CloudError::Protocol(e.to_string()))?;
        if bytes.len() < 12 + 16 {
            return Err(CloudError::Protocol("sealed share too short".into()));
        }
        let (nonce, body) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| CloudError::Protocol("nonce".into()))?;
        let key = self.share_key()?;
        let aad = [DEVICE_SHARE_AAD, account_id.as_bytes()].concat();
        let plain = tessera_crypto::sm4::gcm_open(&key, &nonce, &aad, body)
            .map_err(|_| CloudError::ShareKeyMismatch)?;
        Ok(ClientShare::from_bytes(&plain)?)
    }

    /// The accounts file (empty when there is none yet).
    pub fn load(&self) -> Result<AccountsFile, CloudError> {
        let path = self.dir.join("accounts.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| io(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AccountsFile::default()),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Writes the accounts file atomically.
    pub fn save(&self, file: &AccountsFile) -> Result<(), CloudError> {
        self.ensure()?;
        let path = self.dir.join("accounts.json");
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| io(&path, e))?;
        tessera_media::write_atomic(&path, &bytes).map_err(|e| io(&path, e))
    }
}

fn password_key(password: &Password, salt: &[u8]) -> Result<Zeroizing<[u8; 16]>, CloudError> {
    let mut key = Zeroizing::new([0u8; 16]);
    argon2::Argon2::default()
        .hash_password_into(password.expose().as_bytes(), salt, key.as_mut())
        .map_err(|e| CloudError::Protocol(format!("argon2: {e}")))?;
    Ok(key)
}

const SHARE_AAD: &[u8] = b"tessera cloud d1 v1";
const DEVICE_SHARE_AAD: &[u8] = b"tessera cloud d1 v2 ";

/// Opens a `d1` sealed under the password by earlier versions; a wrong password is
/// [`CloudError::PasswordIncorrect`].
pub fn open_password_share(sealed: &str, password: &Password) -> Result<ClientShare, CloudError> {
    let bytes = hex::decode(sealed).map_err(|e| CloudError::Protocol(e.to_string()))?;
    if bytes.len() < 16 + 12 + 16 {
        return Err(CloudError::Protocol("sealed share too short".into()));
    }
    let (salt, rest) = bytes.split_at(16);
    let (nonce, body) = rest.split_at(12);
    let nonce: [u8; 12] = nonce
        .try_into()
        .map_err(|_| CloudError::Protocol("nonce".into()))?;
    let key = password_key(password, salt)?;
    let plain = tessera_crypto::sm4::gcm_open(&key, &nonce, SHARE_AAD, body)
        .map_err(|_| CloudError::PasswordIncorrect)?;
    Ok(ClientShare::from_bytes(&plain)?)
}

/// Seals `d1` under a password as earlier versions did (to test their migration).
#[doc(hidden)]
pub fn seal_password_share(d1: &ClientShare, password: &Password) -> Result<String, CloudError> {
    let salt = tessera_crypto::rng::bytes::<16>()?;
    let nonce = tessera_crypto::rng::bytes::<12>()?;
    let key = password_key(password, &salt)?;
    let sealed = tessera_crypto::sm4::gcm_seal(&key, &nonce, SHARE_AAD, d1.to_bytes().as_slice())?;
    Ok(hex::encode([salt.as_slice(), &nonce, &sealed].concat()))
}
