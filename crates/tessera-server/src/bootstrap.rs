//! Opening a data folder: the store, the hashing key, the service key, and on first start a
//! demo organization with one project, an admin token and the project's enrollment QR.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::extract::admin_token_hash;
use crate::audit::{Action, AuditError, Event, Origin};
use crate::clock::Clock;
use crate::config::Config;
use crate::files::{FileError, create_dir, read_secret, write_secret};
use crate::identity::{IdentityError, ServiceKey};
use crate::pepper::Pepper;
use crate::qr::QrError;
use crate::store::{Project, RaPolicy, Store, StoreError};

/// File names inside the data folder.
pub mod paths {
    /// SQLite database (when no `--database-url`).
    pub const DATABASE: &str = "tessera.sqlite3";
    /// The first admin token, as printed at first start.
    pub const ADMIN_TOKEN: &str = "admin-token";
    /// The service's SM2 key, PKCS#8 PEM.
    pub const SERVICE_KEY: &str = "service-key.pem";
    /// Key for hashing SMS codes and captcha answers (32 raw bytes).
    pub const HASH_KEY: &str = "hash-key";
}

/// Code of the demo organization made at first start.
pub const DEMO_ORG: &str = "DEMO-ORG";
/// Code of its project.
pub const DEMO_PROJECT: &str = "DEMO";

/// Opening the data folder failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootstrapError {
    /// A file in the data folder.
    #[error(transparent)]
    File(#[from] FileError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The audit trail.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The service key.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The QR code.
    #[error(transparent)]
    Qr(#[from] QrError),
    /// The QR payload could not be serialized.
    #[error("QR payload: {0}")]
    QrText(String),
    /// The hash key file has the wrong size.
    #[error("{0}: expected 32 bytes")]
    BadHashKey(PathBuf),
    /// The OS random generator failed.
    #[error("random generator: {0}")]
    Random(#[from] tessera_crypto::CryptoError),
    /// An operator command was pointed at a data folder without a database (it would have
    /// made an empty one and answered from it).
    #[error(
        "no database in {0}: name the service's data folder with --data-dir or TESSERA_DATA_DIR (or --database-url)"
    )]
    NoDatabase(PathBuf),
}

/// An admin token in clear; `Debug` hides it. Printed once, then only its hash is kept.
pub struct AdminToken(String);

impl AdminToken {
    /// The token text, for printing once and for the token file.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

/// What the first start created, for the binary to print.
#[derive(Debug)]
pub struct FirstStart {
    /// The admin token (also in [`FirstStart::token_file`]).
    pub admin_token: AdminToken,
    /// `DIR/admin-token`.
    pub token_file: PathBuf,
    /// The demo project.
    pub project: Project,
    /// The text the enrollment QR encodes.
    pub qr_text: String,
    /// The QR drawn for a terminal.
    pub qr_terminal: String,
    /// `DIR/enroll-DEMO.png`.
    pub qr_png: PathBuf,
}

/// Opens the store named by the config: `--database-url`, or `DIR/tessera.sqlite3`.
pub async fn open_store(config: &Config) -> Result<Store, BootstrapError> {
    create_dir(&config.data_dir)?;
    Ok(match &config.database_url {
        Some(url) => Store::connect(url).await?,
        None => Store::open_sqlite(&config.data_dir.join(paths::DATABASE)).await?,
    })
}

/// Opens the store of a data folder that a service has used already, for the operator
/// commands: [`BootstrapError::NoDatabase`] when the folder holds no SQLite database, instead
/// of creating an empty one (nothing is created). A `--database-url` is opened as given.
pub async fn open_existing_store(config: &Config) -> Result<Store, BootstrapError> {
    if config.database_url.is_none() && !config.data_dir.join(paths::DATABASE).is_file() {
        return Err(BootstrapError::NoDatabase(config.data_dir.clone()));
    }
    open_store(config).await
}

/// Loads `DIR/hash-key`, creating it on first use.
pub fn load_pepper(dir: &Path) -> Result<Pepper, BootstrapError> {
    let path = dir.join(paths::HASH_KEY);
    if let Some(bytes) = read_secret(&path)? {
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| BootstrapError::BadHashKey(path))?;
        return Ok(Pepper::from_bytes(key));
    }
    let pepper = Pepper::random()?;
    write_secret(&path, &pepper.to_bytes())?;
    Ok(pepper)
}

/// Loads `DIR/service-key.pem`, creating it on first use.
pub fn load_service_key(dir: &Path) -> Result<Arc<ServiceKey>, BootstrapError> {
    let (key, created) = ServiceKey::load_or_create(&dir.join(paths::SERVICE_KEY))?;
    if created {
        tracing::info!("created the service signing key (SM2)");
    }
    Ok(Arc::new(key))
}

/// On an empty store: creates the demo organization and project, an admin token (hash in the
/// store, clear text in `DIR/admin-token`), and the project's enrollment QR (PNG in `dir`).
/// On a store that has organizations already: does nothing and returns `None`.
pub async fn first_start(
    store: &Store,
    dir: &Path,
    key: &ServiceKey,
    public_url: &str,
    clock: &dyn Clock,
) -> Result<Option<FirstStart>, BootstrapError> {
    if !store.list_organizations().await?.is_empty() {
        return Ok(None);
    }
    let now = clock.now();
    store
        .create_organization(DEMO_ORG, "示例机构 Demo Organization", now)
        .await?;
    let project = store
        .create_project(
            DEMO_ORG,
            DEMO_PROJECT,
            "示例项目 Demo Project",
            RaPolicy::Review,
            now,
        )
        .await?;
    let token = AdminToken(hex::encode(tessera_crypto::rng::bytes::<32>()?));
    store
        .add_admin_token("initial", &admin_token_hash(token.expose()), now)
        .await?;
    let token_file = dir.join(paths::ADMIN_TOKEN);
    // a token file left from an earlier database is stale: replace it
    if token_file.exists() {
        std::fs::remove_file(&token_file).map_err(|source| FileError {
            path: token_file.clone(),
            source,
        })?;
    }
    write_secret(&token_file, format!("{}\n", token.expose()).as_bytes())?;
    for (action, subject) in [
        (Action::OrganizationCreate, DEMO_ORG),
        (Action::ProjectCreate, DEMO_PROJECT),
        (Action::AdminTokenCreate, "initial"),
    ] {
        let event = Event {
            actor: "system",
            action,
            subject,
            origin: &Origin::default(),
        };
        crate::audit::write(store, now, event).await?;
    }
    let payload = key.sign_enrollment(public_url, &project.code)?;
    let qr_text = payload
        .to_qr_text()
        .map_err(|e| BootstrapError::QrText(e.to_string()))?;
    let qr_png = dir.join(format!("enroll-{}.png", project.code));
    crate::qr::write_png(&qr_text, &qr_png)?;
    let qr_terminal = crate::qr::to_terminal(&qr_text)?;
    Ok(Some(FirstStart {
        admin_token: token,
        token_file,
        project,
        qr_text,
        qr_terminal,
        qr_png,
    }))
}
