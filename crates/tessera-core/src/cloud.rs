//! Cloud keys, the client side: accounts at a cloud-key service, this install's device key,
//! and the client half `d1` of two-party SM2 (DESIGN.md, "Two-party SM2 (co-signing)").
//!
//! Every co-signed signature is checked with the plain SM2 verifier against the joint public
//! key before it is returned (`tessera_crypto::sm2::two_party::ClientSigning::finish`). The
//! password logs in (the service counts wrong ones); `d1` is wrapped under this install's own
//! key (`local`), so a password changed or recovered by SMS leaves it usable.

pub mod http;
pub mod local;
pub mod medium;

use std::path::{Path, PathBuf};

use tessera_crypto::sm2::two_party::{
    ClientDecryption, ClientShare, ClientSigning, PartialSignature,
};
use tessera_crypto::sm2::{
    CiphertextFormat, DEFAULT_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature,
};
use tessera_proto::ProblemCode;
use tessera_proto::cloud::{
    self as wire, Account, AccountApplication, AppSession, CloudCertificate, CloudOrg,
    CodecryptResponse, CosignResponse, KeygenResponse, LoginResponse, Password,
};
use tessera_proto::hex::HexBytes;

use http::{Auth, CloudHttp};
use local::{CloudDir, LocalAccount, ShareWrap};

/// Why a cloud-key operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudError {
    /// The service URL is not usable.
    #[error("service URL must be https:// (http:// only for localhost): {url}")]
    BadUrl {
        /// What was given.
        url: String,
    },
    /// No answer from the service.
    #[error("service {url} unreachable: {reason}")]
    Unreachable {
        /// The service.
        url: String,
        /// Why.
        reason: String,
    },
    /// The service refused, with its stable problem code.
    #[error("{detail}")]
    Service {
        /// HTTP status.
        status: u16,
        /// Stable code, e.g. `password_incorrect`, `account_locked`.
        code: ProblemCode,
        /// The service's words.
        detail: String,
        /// Tries left on a wrong password, when the service says (RFC 9457 extension member).
        tries_left: Option<u64>,
        /// Seconds until a retry can succeed (how long a locked account stays locked).
        retry_after: Option<u32>,
    },
    /// The password does not open this install's key share (wrapped by an earlier version under
    /// a password the service no longer has).
    #[error("wrong password")]
    PasswordIncorrect,
    /// This install's share key does not open the stored share (`share.key` lost or replaced).
    #[error("this install's share key does not open the account's key share")]
    ShareKeyMismatch,
    /// No account on this install (or none with that id).
    #[error("no cloud account {0}")]
    NoAccount(String),
    /// An id prefix that matches several accounts.
    #[error("{prefix} matches {count} cloud accounts")]
    AmbiguousAccount {
        /// What was given.
        prefix: String,
        /// How many accounts it matches.
        count: usize,
    },
    /// The account has a key at the service but this install does not hold its share.
    #[error("the key of this account was made on another install")]
    ShareElsewhere,
    /// The account has no certificate yet.
    #[error("the account has no certificate yet")]
    NoCertificate,
    /// An answer that is not what the API promises, or a local file out of shape.
    #[error("unexpected data: {0}")]
    Protocol(String),
    /// A local file could not be read or written.
    #[error("{path}: {reason}")]
    Storage {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The organization's QR is not usable (not a Tessera QR, forged, or its service changed).
    #[error(transparent)]
    Qr(#[from] crate::enroll::EnrollError),
    /// No organization with that code (or project of a QR) at the service.
    #[error("no organization {0} at the service")]
    NoOrganization(String),
    /// The algorithm layer refused (a co-signed signature that does not verify lands here).
    #[error(transparent)]
    Crypto(#[from] tessera_crypto::CryptoError),
}

impl CloudError {
    /// The service's problem code, when it answered with one.
    pub fn code(&self) -> Option<&ProblemCode> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The account `id` names: its whole id or user ID, else the one account whose id starts with
/// it (as `cert` takes a thumbprint prefix). A prefix of several accounts is refused.
fn find_account(accounts: &[LocalAccount], id: &str) -> Result<usize, CloudError> {
    if let Some(at) = accounts.iter().position(|a| a.id == id || a.user_id == id) {
        return Ok(at);
    }
    let mut matches = accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| !id.is_empty() && a.id.starts_with(id));
    match (matches.next(), matches.count()) {
        (Some((at, _)), 0) => Ok(at),
        (Some(_), others) => Err(CloudError::AmbiguousAccount {
            prefix: id.to_owned(),
            count: others + 1,
        }),
        (None, _) => Err(CloudError::NoAccount(id.to_owned())),
    }
}

/// Cloud keys of one data directory.
#[derive(Debug, Clone)]
pub struct Cloud {
    dir: CloudDir,
    data_dir: PathBuf,
}

/// What `download` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Downloaded {
    /// The account.
    pub account: String,
    /// Whether a key pair was made now (else the existing one was refreshed).
    pub new_key: bool,
    /// Serial of the certificate.
    pub serial: String,
}

/// `bytes` as a wire value of its fixed length (a point, a scalar).
fn to_wire<const N: usize>(what: &str, bytes: &[u8]) -> Result<HexBytes<N>, CloudError> {
    HexBytes::try_from(bytes).map_err(|e| CloudError::Protocol(format!("{what} {e}")))
}

/// The bytes of a wire value the service sent.
fn from_wire<const N: usize>(what: &str, value: &HexBytes<N>) -> Result<[u8; N], CloudError> {
    value
        .decode()
        .map_err(|e| CloudError::Protocol(format!("{what} {e}")))
}

/// A logged-in account with everything a key operation needs.
struct Ready {
    http: CloudHttp,
    session: String,
    device: Sm2PrivateKey,
    account: LocalAccount,
    d1: ClientShare,
    public: Sm2PublicKey,
}

impl Cloud {
    /// The cloud keys kept in `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: CloudDir::new(data_dir),
            data_dir: data_dir.to_owned(),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Organizations at `server` whose code or name contains `query`.
    pub fn orgs(server: &str, query: &str) -> Result<Vec<CloudOrg>, CloudError> {
        let http = CloudHttp::new(server)?;
        let q: String = query
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        http.get(&format!("/v1/cloud/orgs?q={q}"), Auth::None)
    }

    /// Chooses organization `org` of the directory at `server`: its service address becomes
    /// the default of `apply` and `download`.
    pub fn choose_org(&self, server: &str, org: &str) -> Result<CloudOrg, CloudError> {
        let found = Self::orgs(server, "")?
            .into_iter()
            .find(|o| o.code == org)
            .ok_or_else(|| CloudError::NoOrganization(org.to_owned()))?;
        let mut file = self.dir.load()?;
        file.server = Some(found.service_url.clone());
        file.org = Some(found.code.clone());
        self.dir.save(&file)?;
        Ok(found)
    }

    /// Chooses the organization of a scanned enrollment QR (text or image): the QR's signature
    /// is checked with the service's pinned key, then the organization owning its project.
    pub fn choose_org_by_qr(&self, input: &[u8]) -> Result<CloudOrg, CloudError> {
        let qr = crate::enroll::read_qr(input)?;
        let service = crate::service::ServiceClient::new(&qr.url, None)
            .map_err(crate::enroll::EnrollError::from)?;
        crate::enroll::verify_qr(&service, &self.data_dir, &qr)?;
        let http = CloudHttp::new(&qr.url)?;
        #[derive(serde::Deserialize)]
        struct Project {
            code: String,
        }
        for org in Self::orgs(&qr.url, "")? {
            let projects: Vec<Project> =
                http.get(&format!("/v1/orgs/{}/projects", org.code), Auth::None)?;
            if projects.iter().any(|p| p.code == qr.project) {
                return self.choose_org(&qr.url, &org.code);
            }
        }
        Err(CloudError::NoOrganization(qr.project))
    }

    /// The chosen organization's service URL and code, if one was chosen.
    pub fn chosen_org(&self) -> Result<(Option<String>, Option<String>), CloudError> {
        let file = self.dir.load()?;
        Ok((file.server, file.org))
    }

    /// Applies for an account; an operator reviews it.
    pub fn apply(server: &str, application: &AccountApplication) -> Result<Account, CloudError> {
        CloudHttp::new(server)?.post("/v1/cloud/accounts", application, Auth::None)
    }

    /// The accounts on this install and the active one's id.
    pub fn accounts(&self) -> Result<(Vec<LocalAccount>, Option<String>), CloudError> {
        let file = self.dir.load()?;
        Ok((file.accounts, file.active))
    }

    /// The active account.
    pub fn active(&self) -> Result<LocalAccount, CloudError> {
        let file = self.dir.load()?;
        let id = file
            .active
            .clone()
            .ok_or_else(|| CloudError::NoAccount(String::new()))?;
        file.accounts
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(CloudError::NoAccount(id))
    }

    /// Makes `id` (an account id or a user ID) the active account.
    pub fn switch(&self, id: &str) -> Result<LocalAccount, CloudError> {
        let mut file = self.dir.load()?;
        let account = file.accounts[find_account(&file.accounts, id)?].clone();
        file.active = Some(account.id.clone());
        self.dir.save(&file)?;
        Ok(account)
    }

    /// Deletes an account from this install with everything kept for it (share, certificate);
    /// the account at the service stays.
    pub fn delete(&self, id: &str) -> Result<LocalAccount, CloudError> {
        let mut file = self.dir.load()?;
        let at = find_account(&file.accounts, id)?;
        let removed = file.accounts.remove(at);
        if file.active.as_deref() == Some(removed.id.as_str()) {
            file.active = file.accounts.first().map(|a| a.id.clone());
        }
        self.dir.save(&file)?;
        Ok(removed)
    }

    fn store_account(&self, account: LocalAccount) -> Result<(), CloudError> {
        let mut file = self.dir.load()?;
        file.accounts.retain(|a| a.id != account.id);
        file.active = Some(account.id.clone());
        file.accounts.push(account);
        self.dir.save(&file)
    }

    fn login(
        http: &CloudHttp,
        org: &str,
        user_id: &str,
        password: &Password,
    ) -> Result<LoginResponse, CloudError> {
        http.post(
            "/v1/cloud/login",
            &wire::LoginRequest {
                org: org.to_owned(),
                user_id: user_id.to_owned(),
                password: password.clone(),
            },
            Auth::None,
        )
    }

    /// Logs in to `account`'s service with `password` and keeps what the service says of the
    /// password's tries with the account (a good login clears it), so that the medium shows
    /// the tries left and the lock before the next try.
    fn counted_login(
        &self,
        http: &CloudHttp,
        account: &mut LocalAccount,
        password: &Password,
    ) -> Result<LoginResponse, CloudError> {
        let result = Self::login(http, &account.org, &account.user_id, password);
        let state = match &result {
            Ok(_) => None,
            Err(CloudError::Service {
                code: ProblemCode::PasswordIncorrect,
                tries_left,
                ..
            }) => Some(local::PasswordState {
                // The service does not say (known and unknown users get the same answer):
                // count this install's wrong tries down, never to zero before the service
                // says it locked.
                tries_left: tries_left
                    .and_then(|t| u8::try_from(t).ok())
                    .unwrap_or_else(|| {
                        let before = account
                            .password_state
                            .filter(|s| s.tries_left > 0)
                            .map_or(medium::MAX_RETRIES, |s| s.tries_left);
                        before.saturating_sub(1).max(1)
                    }),
                locked_until: None,
            }),
            Err(CloudError::Service {
                code: ProblemCode::AccountLocked,
                retry_after,
                ..
            }) => Some(local::PasswordState {
                tries_left: 0,
                locked_until: retry_after
                    .map(|secs| crate::clock::now().unix_timestamp() + i64::from(secs)),
            }),
            Err(_) => account.password_state,
        };
        if state != account.password_state {
            account.password_state = state;
            self.update_account(account)?;
        }
        result
    }

    /// Logs in to `server` as `user_id` of `org`, binds this install's device if the account
    /// has none, makes the two-party key with a co-signed CSR if the account has none, and
    /// downloads the certificate. The account becomes the active one.
    pub fn download(
        &self,
        server: &str,
        org: &str,
        user_id: &str,
        password: &Password,
    ) -> Result<Downloaded, CloudError> {
        let http = CloudHttp::new(server)?;
        let login = Self::login(&http, org, user_id, password)?;
        let session = login.session.expose().to_owned();
        let account = login.account;
        let device = self.dir.device_key()?;
        let base = format!("/v1/cloud/accounts/{}", account.id);
        if !account.device_bound {
            http.post::<_, ()>(
                &format!("{base}/device"),
                &wire::BindDevice {
                    public_key: to_wire("device key", &device.public_key().to_sec1_uncompressed())?,
                    label: Some(format!("tessera {}", env!("CARGO_PKG_VERSION"))),
                },
                Auth::Session(&session),
            )?;
        }
        let existing = self
            .dir
            .load()?
            .accounts
            .into_iter()
            .find(|a| a.id == account.id);
        let (local, new_key) = match (account.has_key, existing) {
            (true, Some(local)) => (local, false),
            (true, None) => return Err(CloudError::ShareElsewhere),
            (false, _) => {
                let (d1, p1) = ClientShare::generate()?;
                let made: KeygenResponse = http.post(
                    &format!("{base}/key"),
                    &wire::KeygenRequest {
                        p1: to_wire("P1", &p1)?,
                    },
                    Auth::Device(&session, &device),
                )?;
                let local = LocalAccount {
                    id: account.id.clone(),
                    server: http.url().to_owned(),
                    org: account.org.clone(),
                    user_id: account.user_id.clone(),
                    name: account.name.clone(),
                    public_key: made.public_key.as_str().to_owned(),
                    share_wrap: ShareWrap::InstallKey,
                    wrapped_share: self.dir.wrap_share(&d1, &account.id)?,
                    serial: None,
                    certificate_pem: None,
                    chain_pem: None,
                    password_state: None,
                };
                // Kept before the certificate is asked for: the share must not be lost.
                self.store_account(local.clone())?;
                (local, true)
            }
        };
        let mut local = local;
        let d1 = self.unwrap_share(&mut local, password)?;
        let public = public_key(&local)?;
        let mut ready = Ready {
            http,
            session,
            device,
            account: local,
            d1,
            public,
        };
        let cert = if account.certificate_serial.is_none() {
            let csr = self.cosigned_csr(&ready)?;
            let pem = pem_rfc7468::encode_string(
                "CERTIFICATE REQUEST",
                pem_rfc7468::LineEnding::LF,
                &csr,
            )
            .map_err(|e| CloudError::Protocol(e.to_string()))?;
            ready.http.post::<_, CloudCertificate>(
                &format!("{base}/certificate"),
                &wire::CertificateRequest { csr_pem: pem },
                Auth::Device(&ready.session, &ready.device),
            )?
        } else {
            ready.http.get(
                &format!("{base}/certificate"),
                Auth::Session(&ready.session),
            )?
        };
        ready.account.serial = Some(cert.serial.clone());
        ready.account.certificate_pem = Some(cert.certificate_pem);
        ready.account.chain_pem = Some(cert.chain_pem);
        self.store_account(ready.account.clone())?;
        Ok(Downloaded {
            account: ready.account.id,
            new_key,
            serial: cert.serial,
        })
    }

    fn cosigned_csr(&self, ready: &Ready) -> Result<Vec<u8>, CloudError> {
        let subject = format!("CN={}", ready.account.name);
        let subject = <tessera_x509::issue::Name as std::str::FromStr>::from_str(&subject)
            .map_err(|e| CloudError::Protocol(e.to_string()))?;
        tessera_x509::issue::sign_csr(&CoSigner { ready }, subject).map_err(|e| match e {
            tessera_x509::issue::IssueError::Signer(inner) => {
                match inner.downcast::<CloudError>() {
                    Ok(cloud) => *cloud,
                    Err(other) => CloudError::Protocol(other.to_string()),
                }
            }
            other => CloudError::Protocol(other.to_string()),
        })
    }

    /// The share of `account`; one wrapped under the password by an earlier version is
    /// unwrapped with it and rewrapped under this install's share key.
    fn unwrap_share(
        &self,
        account: &mut LocalAccount,
        password: &Password,
    ) -> Result<ClientShare, CloudError> {
        match account.share_wrap {
            ShareWrap::InstallKey | ShareWrap::InstallKeyV2 => self.dir.unwrap_share(account),
            ShareWrap::Password => {
                let d1 = local::unwrap_password_share(&account.wrapped_share, password)?;
                account.wrapped_share = self.dir.wrap_share(&d1, &account.id)?;
                account.share_wrap = ShareWrap::InstallKey;
                self.update_account(account)?;
                Ok(d1)
            }
        }
    }

    /// Rewrites a stored account in place (the active one stays).
    fn update_account(&self, account: &LocalAccount) -> Result<(), CloudError> {
        let mut file = self.dir.load()?;
        for a in &mut file.accounts {
            if a.id == account.id {
                *a = account.clone();
            }
        }
        self.dir.save(&file)
    }

    fn ready(&self, password: &Password) -> Result<Ready, CloudError> {
        let mut account = self.active()?;
        let http = CloudHttp::new(&account.server)?;
        // The service checks the password (and counts a wrong one); the share is this
        // install's.
        let login = self.counted_login(&http, &mut account, password)?;
        let d1 = self.unwrap_share(&mut account, password)?;
        let public = public_key(&account)?;
        Ok(Ready {
            http,
            session: login.session.expose().to_owned(),
            device: self.dir.device_key()?,
            account,
            d1,
            public,
        })
    }

    fn cosign(ready: &Ready, msg: &[u8]) -> Result<Sm2Signature, CloudError> {
        let (state, req) = ClientSigning::start(&ready.public, DEFAULT_ID, msg)?;
        Self::cosign_started(ready, state, req)
    }

    fn cosign_started(
        ready: &Ready,
        state: ClientSigning,
        req: tessera_crypto::sm2::two_party::SignRequest,
    ) -> Result<Sm2Signature, CloudError> {
        let answer: CosignResponse = ready.http.post(
            &format!("/v1/cloud/accounts/{}/sign", ready.account.id),
            &wire::CosignRequest {
                e: to_wire("e", &req.e)?,
                q1: to_wire("Q1", &req.q1)?,
            },
            Auth::Device(&ready.session, &ready.device),
        )?;
        let answer = PartialSignature {
            r: from_wire("r", &answer.r)?,
            s2: from_wire("s2", &answer.s2)?,
            s3: from_wire("s3", &answer.s3)?,
        };
        // `finish` verifies (r, s) against the joint key with the plain SM2 verifier.
        Ok(state.finish(&ready.d1, &answer)?)
    }

    /// Signs `msg` with the active account's key (SM2, default ID); the signature is checked
    /// before it is returned.
    pub fn sign(&self, msg: &[u8], password: &Password) -> Result<Sm2Signature, CloudError> {
        let ready = self.ready(password)?;
        Self::cosign(&ready, msg)
    }

    /// Signs several messages in one login (the medium and the benchmark use this).
    pub fn sign_many(
        &self,
        msgs: &[&[u8]],
        password: &Password,
    ) -> Result<Vec<Sm2Signature>, CloudError> {
        let ready = self.ready(password)?;
        msgs.iter().map(|m| Self::cosign(&ready, m)).collect()
    }

    /// Decrypts an SM2 ciphertext to the active account's key (DER as OpenSSL writes it, or
    /// C1‖C3‖C2).
    pub fn decrypt(
        &self,
        ciphertext: &[u8],
        password: &Password,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CloudError> {
        let format = if ciphertext.first() == Some(&0x30) {
            CiphertextFormat::Der
        } else {
            CiphertextFormat::C1C3C2
        };
        self.decrypt_as(ciphertext, format, password)
    }

    /// Signs a digest `e = SM3(Z_A || M)` the caller computed (any signer ID) with the active
    /// account's key; the signature is checked before it is returned.
    pub fn sign_digest(
        &self,
        e: &[u8; 32],
        password: &Password,
    ) -> Result<Sm2Signature, CloudError> {
        let ready = self.ready(password)?;
        let (state, req) = ClientSigning::start_digest(&ready.public, e)?;
        Self::cosign_started(&ready, state, req)
    }

    /// Checks `password` at the service, which counts a wrong one against the account's
    /// lockout (the medium's login); a share of an earlier version is rewrapped meanwhile.
    pub fn check_password(&self, password: &Password) -> Result<(), CloudError> {
        let mut account = self.active()?;
        let http = CloudHttp::new(&account.server)?;
        self.counted_login(&http, &mut account, password)?;
        self.unwrap_share(&mut account, password).map(drop)
    }

    /// Decrypts an SM2 ciphertext in the given layout to the active account's key.
    pub fn decrypt_as(
        &self,
        ciphertext: &[u8],
        format: CiphertextFormat,
        password: &Password,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CloudError> {
        let ready = self.ready(password)?;
        let (state, t1) = ClientDecryption::start(&ready.d1, ciphertext, format)?;
        let answer: CodecryptResponse = ready.http.post(
            &format!("/v1/cloud/accounts/{}/decrypt", ready.account.id),
            &wire::CodecryptRequest {
                t1: to_wire("T1", &t1)?,
            },
            Auth::Device(&ready.session, &ready.device),
        )?;
        let t2 = from_wire("T2", &answer.t2)?;
        Ok(state.finish(&t2)?)
    }

    /// Downloads the certificate again; true when the service has a new one (renewed).
    pub fn refresh(&self, password: &Password) -> Result<bool, CloudError> {
        let mut ready = self.ready(password)?;
        let cert: CloudCertificate = ready.http.get(
            &format!("/v1/cloud/accounts/{}/certificate", ready.account.id),
            Auth::Session(&ready.session),
        )?;
        let changed = ready.account.serial.as_deref() != Some(cert.serial.as_str());
        ready.account.serial = Some(cert.serial);
        ready.account.certificate_pem = Some(cert.certificate_pem);
        ready.account.chain_pem = Some(cert.chain_pem);
        self.store_account(ready.account)?;
        Ok(changed)
    }

    /// Changes the password at the service (this install's share is not wrapped under it).
    pub fn change_password(&self, old: &Password, new: &Password) -> Result<(), CloudError> {
        let ready = self.ready(old)?;
        ready.http.post::<_, ()>(
            &format!("/v1/cloud/accounts/{}/password", ready.account.id),
            &wire::ChangePassword {
                old: old.clone(),
                new: new.clone(),
            },
            Auth::Session(&ready.session),
        )
    }

    /// Rewraps a share that an earlier version wrapped under the password, after the password
    /// was recovered by SMS elsewhere: `old` unwraps it. Nothing to do for a share already under
    /// this install's key.
    pub fn rewrap(&self, old: &Password) -> Result<(), CloudError> {
        let mut account = self.active()?;
        self.unwrap_share(&mut account, old).map(drop)
    }

    /// Asks for a password-recovery SMS code (after the image captcha `captcha_id`).
    pub fn recover_code(
        server: &str,
        org: &str,
        user_id: &str,
        captcha_id: &str,
        captcha_answer: &str,
    ) -> Result<tessera_proto::sms::SmsCodeSent, CloudError> {
        CloudHttp::new(server)?.post(
            "/v1/cloud/password/recover/code",
            &wire::RecoverCodeRequest {
                org: org.to_owned(),
                user_id: user_id.to_owned(),
                captcha_id: captcha_id.to_owned(),
                captcha_answer: captcha_answer.to_owned(),
            },
            Auth::None,
        )
    }

    /// Sets a new password with the recovery SMS code.
    pub fn recover(
        server: &str,
        org: &str,
        user_id: &str,
        code: &str,
        new: &Password,
    ) -> Result<(), CloudError> {
        CloudHttp::new(server)?.post(
            "/v1/cloud/password/recover",
            &wire::RecoverPassword {
                org: org.to_owned(),
                user_id: user_id.to_owned(),
                code: code.to_owned(),
                new_password: new.clone(),
            },
            Auth::None,
        )
    }

    /// Sends a code to the phone bound now, which changing the phone needs.
    pub fn old_phone_code(
        &self,
        password: &Password,
    ) -> Result<tessera_proto::sms::SmsCodeSent, CloudError> {
        let ready = self.ready(password)?;
        ready.http.send::<(), _>(
            "POST",
            &format!("/v1/cloud/accounts/{}/phone/code", ready.account.id),
            None,
            Auth::Session(&ready.session),
        )
    }

    /// Binds `phone` to the active account with the SMS code sent to it and, when a phone is
    /// bound already, the code sent to that one; the device signs the request (else the
    /// password goes with it).
    pub fn bind_phone(
        &self,
        phone: &str,
        code: &str,
        old_code: Option<&str>,
        password: &Password,
    ) -> Result<(), CloudError> {
        let ready = self.ready(password)?;
        ready.http.post(
            &format!("/v1/cloud/accounts/{}/phone", ready.account.id),
            &wire::BindPhone {
                phone: phone.to_owned(),
                code: code.to_owned(),
                password: None,
                old_code: old_code.map(str::to_owned),
            },
            Auth::Device(&ready.session, &ready.device),
        )
    }

    /// Uploads the handwritten-signature image (PNG).
    pub fn put_signature_image(&self, png: &[u8], password: &Password) -> Result<(), CloudError> {
        use base64::Engine as _;
        let ready = self.ready(password)?;
        ready.http.send(
            "PUT",
            &format!("/v1/cloud/accounts/{}/signature-image", ready.account.id),
            Some(&wire::SignatureImage {
                png_base64: base64::engine::general_purpose::STANDARD.encode(png),
            }),
            Auth::Session(&ready.session),
        )
    }

    /// Fetches the handwritten-signature image (PNG).
    pub fn signature_image(&self, password: &Password) -> Result<Vec<u8>, CloudError> {
        use base64::Engine as _;
        let ready = self.ready(password)?;
        let img: wire::SignatureImage = ready.http.get(
            &format!("/v1/cloud/accounts/{}/signature-image", ready.account.id),
            Auth::Session(&ready.session),
        )?;
        base64::engine::general_purpose::STANDARD
            .decode(img.png_base64.as_bytes())
            .map_err(|e| CloudError::Protocol(e.to_string()))
    }

    /// The relying applications the active account is logged in to.
    pub fn app_sessions(&self, password: &Password) -> Result<Vec<AppSession>, CloudError> {
        let ready = self.ready(password)?;
        ready.http.get(
            &format!("/v1/cloud/accounts/{}/app-sessions", ready.account.id),
            Auth::Session(&ready.session),
        )
    }

    /// Logs out of one application (`Some(id)`) or all.
    pub fn end_app_sessions(
        &self,
        id: Option<&str>,
        password: &Password,
    ) -> Result<(), CloudError> {
        let ready = self.ready(password)?;
        let path = match id {
            Some(id) => format!("/v1/cloud/accounts/{}/app-sessions/{id}", ready.account.id),
            None => format!("/v1/cloud/accounts/{}/app-sessions", ready.account.id),
        };
        ready
            .http
            .send::<(), ()>("DELETE", &path, None, Auth::Session(&ready.session))
    }

    /// The service's addresses (for the About screen).
    pub fn about(server: &str) -> Result<wire::About, CloudError> {
        CloudHttp::new(server)?.get("/v1/cloud/about", Auth::None)
    }
}

fn public_key(account: &LocalAccount) -> Result<Sm2PublicKey, CloudError> {
    let bytes =
        hex::decode(&account.public_key).map_err(|e| CloudError::Protocol(e.to_string()))?;
    Ok(Sm2PublicKey::from_sec1_bytes(&bytes)?)
}

/// The account's two-party key as an x509 [`Signer`](tessera_x509::Signer): SM2-with-SM3 with
/// the default ID, co-signed with the service (its request signs itself this way).
struct CoSigner<'a> {
    ready: &'a Ready,
}

impl tessera_x509::Signer for CoSigner<'_> {
    fn algorithm(&self) -> tessera_x509::signer::AlgorithmIdentifierOwned {
        tessera_x509::signer::sm2_with_sm3()
    }

    fn spki_der(&self) -> Result<Vec<u8>, tessera_x509::issue::IssueError> {
        Ok(self.ready.public.to_spki_der()?)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, tessera_x509::issue::IssueError> {
        Cloud::cosign(self.ready, message)
            .map(|signature| signature.to_der())
            .map_err(|e| tessera_x509::issue::IssueError::Signer(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, user_id: &str) -> LocalAccount {
        LocalAccount {
            id: id.to_owned(),
            server: String::new(),
            org: String::new(),
            user_id: user_id.to_owned(),
            name: String::new(),
            public_key: String::new(),
            share_wrap: ShareWrap::default(),
            wrapped_share: String::new(),
            serial: None,
            certificate_pem: None,
            chain_pem: None,
            password_state: None,
        }
    }

    /// `cloud switch` and `cloud delete` take the id, the user ID, or an unambiguous id prefix.
    #[test]
    fn accounts_are_found_by_id_user_or_unambiguous_prefix() {
        let all = [
            account("ab12", "D1"),
            account("ab34", "D2"),
            account("cd56", "ab"),
        ];
        assert_eq!(find_account(&all, "ab34").ok(), Some(1));
        assert_eq!(find_account(&all, "D1").ok(), Some(0));
        // a user ID wins over an id prefix
        assert_eq!(find_account(&all, "ab").ok(), Some(2));
        assert_eq!(find_account(&all, "cd").ok(), Some(2));
        assert_eq!(find_account(&all, "ab1").ok(), Some(0));
        assert!(matches!(
            find_account(&all, "a"),
            Err(CloudError::AmbiguousAccount { count: 2, .. })
        ));
        assert!(matches!(
            find_account(&all, "ef"),
            Err(CloudError::NoAccount(_))
        ));
        assert!(matches!(
            find_account(&all, ""),
            Err(CloudError::NoAccount(_))
        ));
    }
}
