//! The CA area's state: a root and an issuing CA made at first start (SM2 by default), their
//! keys wrapped at rest under the master key ([`wrap`]), issuing from CSRs, revocation and the
//! CRL (RFC 5280 §5) kept in the store and regenerated on revocation.
//!
//! The engine is `tessera_x509::issue`; this module adds storage, key wrapping and the clock. Key
//! generation and signing run in `spawn_blocking`.

pub mod api;
pub(crate) mod store;
pub mod wrap;

use std::str::FromStr as _;
use std::sync::{Arc, OnceLock};

use tessera_x509::Certificate;
use tessera_x509::issue::{
    self, CaAlgorithm, CaCertAndKey, CaKey, IssueError, IssueRequest, Name, Profile,
    RevocationReason, RevokedEntry,
};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::store::{CaKeyRow, CrlRow, NewCertificate, Store, StoreError};
pub use wrap::{MasterKey, MasterKeyError};

/// Name of the root CA's row.
pub const ROOT: &str = "root";
/// Name of the issuing CA's row.
pub const ISSUING: &str = "issuing";
/// Path of the CRL under the public URL (stable; written into cRLDistributionPoints).
pub const CRL_PATH: &str = "/v1/ca/crl";
/// Path of the CA certificates (written into authorityInfoAccess caIssuers).
pub const CERTS_PATH: &str = "/v1/ca/certificates";
/// How long a CRL is valid (nextUpdate - thisUpdate).
pub const CRL_VALIDITY_SECS: i64 = 7 * 86_400;
/// A cached CRL older than this is made again even without a revocation.
pub const CRL_REFRESH_SECS: i64 = 86_400;
/// Longest validity an operator may ask for, days.
pub const MAX_DAYS: u32 = 3650;

/// The CA failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaError {
    /// The engine refused (bad CSR, bad validity...). Safe to show.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Wrapping or unwrapping a key under the master key.
    #[error(transparent)]
    Wrap(#[from] MasterKeyError),
    /// A stored CA row that does not read back.
    #[error("stored CA is corrupt: {0}")]
    Corrupt(String),
    /// A request the operator can fix. Safe to show.
    #[error("{0}")]
    Invalid(String),
    /// A blocking task died.
    #[error("background task failed: {0}")]
    Task(String),
}

impl From<CaError> for ApiError {
    fn from(e: CaError) -> Self {
        match e {
            CaError::Issue(
                e @ (IssueError::MalformedCsr { .. }
                | IssueError::CsrSignature
                | IssueError::UnsupportedSignatureAlgorithm { .. }
                | IssueError::UnsupportedKey { .. }
                | IssueError::InvalidValidity { .. }
                | IssueError::InvalidName { .. }),
            ) => ApiError::Invalid(e.to_string()),
            CaError::Invalid(text) => ApiError::Invalid(text),
            CaError::Store(e) => e.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Where the CA lives in `AppState`: empty until [`Ca::load_or_create`] fills it.
#[derive(Debug, Clone, Default)]
pub struct CaSlot(Arc<OnceLock<Arc<Ca>>>);

impl CaSlot {
    /// Puts the CA in; a second call keeps the first.
    pub fn install(&self, ca: Arc<Ca>) {
        let _ = self.0.set(ca);
    }

    /// The CA, or a 500 problem if the service started without one.
    pub fn get(&self) -> Result<Arc<Ca>, ApiError> {
        self.0
            .get()
            .cloned()
            .ok_or_else(|| ApiError::Internal("the CA is not initialised".into()))
    }
}

/// A certificate the CA issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate.
    pub certificate: Certificate,
    /// Lowercase hex serial.
    pub serial: String,
}

/// The service's CA: root, issuing CA, the store and the CRL lock.
#[derive(Debug)]
pub struct Ca {
    root: Arc<CaCertAndKey>,
    issuing: Arc<CaCertAndKey>,
    store: Store,
    crl_url: String,
    ca_issuers_url: String,
    crl_lock: tokio::sync::Mutex<()>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CaError> + Send + 'static,
) -> Result<T, CaError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CaError::Task(e.to_string()))?
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn at(secs: i64) -> Result<OffsetDateTime, CaError> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| CaError::Corrupt(e.to_string()))
}

impl Ca {
    /// Loads the CA from the store, or on first start creates a root (20 years) and an issuing
    /// CA (10 years, pathLen 0) with keys of `algorithm`, wrapped under `master`. The flag says
    /// whether they were created. `public_url` gives the CRL and caIssuers URLs.
    pub async fn load_or_create(
        store: &Store,
        master: &MasterKey,
        algorithm: CaAlgorithm,
        public_url: &str,
        now: i64,
    ) -> Result<(Self, bool), CaError> {
        let base = public_url.trim_end_matches('/');
        let crl_url = format!("{base}{CRL_PATH}");
        let ca_issuers_url = format!("{base}{CERTS_PATH}");
        let root = store.ca_key(ROOT).await?;
        let issuing = store.ca_key(ISSUING).await?;
        let created = match (root, issuing) {
            (Some(root), Some(issuing)) => {
                let ca = Self {
                    root: Arc::new(open(master, &root)?),
                    issuing: Arc::new(open(master, &issuing)?),
                    store: store.clone(),
                    crl_url,
                    ca_issuers_url,
                    crl_lock: tokio::sync::Mutex::new(()),
                };
                return Ok((ca, false));
            }
            (None, None) => true,
            _ => return Err(CaError::Corrupt("only one of root and issuing CA".into())),
        };
        let crl = crl_url.clone();
        let (root, issuing) = blocking(move || {
            let now = at(now)?;
            let root = CaCertAndKey::self_signed(
                CaKey::generate(algorithm)?,
                name("CN=Tessera Root CA,O=Tessera,C=CN")?,
                now - time::Duration::minutes(5),
                now + time::Duration::days(20 * 365),
                None,
            )?;
            let key = CaKey::generate(algorithm)?;
            let cert = issue::issue(
                &root,
                IssueRequest::new(
                    name("CN=Tessera Issuing CA,O=Tessera,C=CN")?,
                    key.spki_der()?,
                    Profile::IssuingCa { path_len: Some(0) },
                    now - time::Duration::minutes(5),
                    now + time::Duration::days(10 * 365),
                )
                .with_crl_url(crl),
            )?;
            let issuing = CaCertAndKey::new(cert, key)?;
            Ok((root, issuing))
        })
        .await?;
        for (row_name, ca) in [(ROOT, &root), (ISSUING, &issuing)] {
            let pkcs8 = ca.key().to_pkcs8_der()?;
            let row = CaKeyRow {
                name: row_name.to_owned(),
                algorithm: ca.key().algorithm().name(),
                certificate: ca.certificate().der().to_vec(),
                sealed_key: master.wrap(row_name, &pkcs8)?,
            };
            store.insert_ca_key(&row, now).await?;
        }
        let ca = Self {
            root: Arc::new(root),
            issuing: Arc::new(issuing),
            store: store.clone(),
            crl_url,
            ca_issuers_url,
            crl_lock: tokio::sync::Mutex::new(()),
        };
        Ok((ca, created))
    }

    /// The root CA certificate.
    pub fn root(&self) -> &Certificate {
        self.root.certificate()
    }

    /// The issuing CA certificate.
    pub fn issuing(&self) -> &Certificate {
        self.issuing.certificate()
    }

    /// The URL of the CRL written into issued certificates.
    pub fn crl_url(&self) -> &str {
        &self.crl_url
    }

    /// Root then issuing CA, PEM.
    pub fn certificates_pem(&self) -> String {
        format!("{}{}", self.root().to_pem(), self.issuing().to_pem())
    }

    /// Verifies `csr` (PEM or DER PKCS#10) and issues a certificate for its subject and key
    /// with `profile`, valid `days` from `now`, signed by the issuing CA, with the CRL and
    /// caIssuers URLs; records it.
    pub async fn issue_from_csr(
        &self,
        csr: &[u8],
        profile: Profile,
        profile_name: &str,
        days: u32,
        now: i64,
    ) -> Result<Issued, CaError> {
        let csr = verify_csr(csr).await?;
        self.issue_for_key(csr.subject, csr.spki_der, profile, profile_name, days, now)
            .await
    }

    /// Issues a certificate for `subject` and the public key `spki_der` (DER
    /// SubjectPublicKeyInfo) whose possession the caller has checked (a verified CSR, or the
    /// current certificate's key at renewal); otherwise as [`Ca::issue_from_csr`].
    pub async fn issue_for_key(
        &self,
        subject: Name,
        spki_der: Vec<u8>,
        profile: Profile,
        profile_name: &str,
        days: u32,
        now: i64,
    ) -> Result<Issued, CaError> {
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(CaError::Invalid(format!("days must be 1-{MAX_DAYS}")));
        }
        if profile.is_ca() {
            return Err(CaError::Invalid(
                "the CA does not issue CA certificates here".into(),
            ));
        }
        let issuing = self.issuing.clone();
        let (crl, aia) = (self.crl_url.clone(), self.ca_issuers_url.clone());
        let certificate = blocking(move || {
            let now = at(now)?;
            let request = IssueRequest::new(
                subject,
                spki_der,
                profile,
                now - time::Duration::minutes(5),
                now + time::Duration::days(i64::from(days)),
            )
            .with_crl_url(crl)
            .with_ca_issuers_url(aia);
            Ok(issue::issue(&issuing, request)?)
        })
        .await?;
        let serial = certificate.serial_hex();
        let details = certificate.details(OffsetDateTime::now_utc());
        self.store
            .insert_certificate(&NewCertificate {
                serial: &serial,
                subject: &details.subject.rfc4514,
                issuer: &details.issuer.rfc4514,
                not_before: unix(certificate.not_before()),
                not_after: unix(certificate.not_after()),
                profile: profile_name,
                der: certificate.der(),
                issued_at: now,
            })
            .await?;
        Ok(Issued {
            certificate,
            serial,
        })
    }

    /// Issuing CA then root, PEM: the chain handed out with an issued certificate.
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.issuing().to_pem(), self.root().to_pem())
    }

    /// Revokes `serial` (hex) for `reason` and makes a new CRL at once.
    pub async fn revoke(
        &self,
        serial: &str,
        reason: RevocationReason,
        now: i64,
    ) -> Result<(), CaError> {
        let serial = normalize_serial(serial)?;
        self.store
            .revoke_certificate(&serial, now, reason.name())
            .await?;
        self.regenerate_crl(now).await?;
        Ok(())
    }

    /// The current CRL (DER): the stored one while fresh, else a new one.
    pub async fn crl(&self, now: i64) -> Result<Vec<u8>, CaError> {
        if let Some(row) = self.store.crl_state().await?
            && now < row.this_update + CRL_REFRESH_SECS
            && now >= row.this_update
        {
            return Ok(row.der);
        }
        self.regenerate_crl(now).await
    }

    /// Makes and stores the next CRL. The lock orders this process's callers; between
    /// replicas the store keeps only a higher number, and a loser builds again from the
    /// revocations as they are now, so no revocation is left out.
    async fn regenerate_crl(&self, now: i64) -> Result<Vec<u8>, CaError> {
        let _guard = self.crl_lock.lock().await;
        for _ in 0..8 {
            if let Some(der) = self.try_next_crl(now).await? {
                return Ok(der);
            }
        }
        Err(CaError::Corrupt(
            "the CRL number kept moving under concurrent updates".into(),
        ))
    }

    async fn try_next_crl(&self, now: i64) -> Result<Option<Vec<u8>>, CaError> {
        let number = self
            .store
            .crl_state()
            .await?
            .map_or(1, |row| row.crl_number + 1);
        let mut revoked = Vec::new();
        for row in self.store.revoked_certificates().await? {
            revoked.push(RevokedEntry {
                serial: hex::decode(&row.serial).map_err(|e| CaError::Corrupt(e.to_string()))?,
                revocation_time: at(row.revoked_at)?,
                reason: RevocationReason::from_name(&row.reason)
                    .unwrap_or(RevocationReason::Unspecified),
            });
        }
        let issuing = self.issuing.clone();
        let crl_number = u64::try_from(number).map_err(|e| CaError::Corrupt(e.to_string()))?;
        let der = blocking(move || {
            let this = at(now)?;
            Ok(issue::crl(
                &issuing,
                &revoked,
                this,
                this + time::Duration::seconds(CRL_VALIDITY_SECS),
                crl_number,
            )?)
        })
        .await?;
        let stored = self
            .store
            .save_crl(&CrlRow {
                crl_number: number,
                this_update: now,
                next_update: now + CRL_VALIDITY_SECS,
                der: der.clone(),
            })
            .await?;
        Ok(stored.then_some(der))
    }
}

/// Parses (PEM or DER) and verifies a PKCS#10 request on the blocking pool.
pub async fn verify_csr(csr: &[u8]) -> Result<issue::VerifiedCsr, CaError> {
    let csr = csr.to_vec();
    blocking(move || Ok(issue::verify_csr_pem_or_der(&csr)?)).await
}

fn name(text: &str) -> Result<Name, CaError> {
    Name::from_str(text).map_err(|e| CaError::Invalid(e.to_string()))
}

/// Lowercase hex without leading zero octets (as stored), from what an operator types
/// (`0A:1B…`, `0a1b…`).
fn normalize_serial(serial: &str) -> Result<String, CaError> {
    let hex: String = serial
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let bytes = hex::decode(&hex).map_err(|_| CaError::Invalid("serial must be hex".into()))?;
    let digits: Vec<u8> = bytes.into_iter().skip_while(|b| *b == 0).collect();
    if digits.is_empty() || digits.len() > 20 {
        return Err(CaError::Invalid("serial must be 1-20 octets of hex".into()));
    }
    Ok(hex::encode(digits))
}

fn open(master: &MasterKey, row: &CaKeyRow) -> Result<CaCertAndKey, CaError> {
    let pkcs8 = master.unwrap(&row.name, &row.sealed_key)?;
    let key = CaKey::from_pkcs8_der(&pkcs8)?;
    let cert =
        Certificate::from_der(&row.certificate).map_err(|e| CaError::Corrupt(e.to_string()))?;
    Ok(CaCertAndKey::new(cert, key)?)
}

/// At start: the master key (config, `TESSERA_MASTER_KEY` or `DIR/master-key`) and the CA,
/// created on first start with `[ca] algorithm` (SM2 by default).
pub async fn load(
    config: &crate::config::Config,
    store: &Store,
    public_url: &str,
    now: i64,
) -> Result<Arc<Ca>, CaError> {
    let (master, created_key) =
        MasterKey::load_or_create(&config.data_dir, config.ca.master_key.as_deref())?;
    if created_key {
        tracing::info!("created the master key in {}", wrap::MASTER_KEY_FILE);
    }
    let algorithm = match config.ca.algorithm.as_deref() {
        None => CaAlgorithm::Sm2,
        Some(name) => CaAlgorithm::from_name(name)
            .ok_or_else(|| CaError::Invalid(format!("unknown [ca] algorithm {name}")))?,
    };
    let (ca, created) = Ca::load_or_create(store, &master, algorithm, public_url, now).await?;
    if created {
        tracing::info!(algorithm = %algorithm.name(), "created the root and issuing CA");
    }
    Ok(Arc::new(ca))
}
