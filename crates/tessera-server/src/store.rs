//! `Store`: the database plumbing of the service, over SQLite (default) or PostgreSQL: the
//! pools, migrations, kept connections and the shared tables (audit, admin tokens). Each
//! business area writes its own queries in its `store` module (`crate::cloud::store`, …) as
//! `impl Store` blocks; their row types are re-exported here.
//!
//! One enum dispatches to the two pools; each query is written once, with `$N` placeholders
//! (SQLite accepts them too) and types both backends decode alike: `BIGINT` ↔ `i64`,
//! `TEXT` ↔ `String`, `BOOLEAN` ↔ `bool`, `BLOB`/`BYTEA` ↔ `Vec<u8>`. Times are Unix seconds,
//! passed in by the caller so the store never reads a clock. Schemas: `migrations/{sqlite,postgres}`.

mod audit;
mod auth;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

pub use crate::ca::store::{CaKeyRow, CrlRow, NewCertificate, RevokedRow};
pub use crate::cloud::store::{
    Admission, AppSessionRow, CloudAccountRow, DeviceRequest, KeyShareRow, SessionAccountRow,
    ShareKey,
};
pub use crate::orgs::store::{Organization, Project, RaPolicy};
pub use crate::ra::store::{ApplicationRow, IssuedRow, PreEnteredRow};
pub use crate::sms::store::SmsCodeRow;
pub use audit::{AuditEntry, AuditRecord};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// A store failure. Its text is for the log; clients see a generic problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database answered with an error or could not be reached.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL names no supported database.
    #[error("unsupported database URL (use sqlite: or postgres://)")]
    UnsupportedUrl,
    /// A unique key (organization or project code, …) is taken.
    #[error("{what} already exists")]
    Conflict {
        /// What collided, e.g. `organization DEMO`.
        what: String,
    },
    /// A row the caller named does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was missing, e.g. `organization DEMO`.
        what: String,
    },
    /// The linked SQLite lacks what the queries need.
    #[error("SQLite {found} is too old: 3.41 or later is needed")]
    SqliteTooOld {
        /// `sqlite_version()`.
        found: String,
    },
    /// A stored value has a shape this version does not know.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database file's permissions could not be set.
    #[error("database file {path}: {source}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Makes the SQLite file `path` readable and writable by its owner only (0600): created so when
/// missing and `create`, narrowed when it exists. The database holds password hashes, sealed
/// shares and personal data.
fn owner_only(path: &Path, create: bool) -> Result<()> {
    let fail = |source| StoreError::File {
        path: path.to_owned(),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        match std::fs::metadata(path) {
            Ok(_) => std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if create {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .mode(0o600)
                        .open(path)
                        .map_err(fail)?;
                }
            }
            Err(e) => return Err(fail(e)),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (create, fail);
    }
    Ok(())
}

/// Runs `$body` with `$pool` bound to whichever pool the store holds.
macro_rules! dispatch {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

/// The service's database. Cheap to clone (pools are shared).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

impl Store {
    /// Opens (creating if missing) the SQLite file at `path` and applies the migrations.
    pub async fn open_sqlite(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::from_sqlite_options(options, 8).await
    }

    /// A private in-memory SQLite database (one connection), migrated; for tests and tools.
    pub async fn open_memory() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        Self::from_sqlite_options(options, 1).await
    }

    async fn from_sqlite_options(options: SqliteConnectOptions, max: u32) -> Result<Self> {
        let file = options.get_filename().to_owned();
        // in-memory databases are named `:memory:` or `file:sqlx-in-memory-N`
        let on_disk = !file.as_os_str().is_empty()
            && file.as_os_str() != ":memory:"
            && !file.to_string_lossy().starts_with("file:");
        if on_disk {
            owner_only(&file, true)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            // A file or memory database does not drop connections the way a server can, and
            // a ping before each acquire is one more hand-off to the connection's thread.
            .test_before_acquire(false)
            // an in-memory database lives as long as its one connection
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let store = Self {
            backend: Backend::Sqlite(pool),
        };
        store.migrate().await?;
        if on_disk {
            // SQLite gives these the database file's mode; an older data folder may hold
            // looser ones
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                owner_only(Path::new(&name), false)?;
            }
        }
        Ok(store)
    }

    /// Connects to `url` (`postgres://…`, `postgresql://…` or `sqlite:…`) and migrates.
    pub async fn connect(url: &str) -> Result<Self> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Backend::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            return Self::from_sqlite_options(options, 8).await;
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let store = Self { backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the embedded migrations not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                check_sqlite_version(pool).await?;
                SQLITE_MIGRATIONS.run(pool).await?;
            }
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        let one: i64 = dispatch!(self, pool => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(pool).await?);
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt("SELECT 1 answered otherwise".into()))
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        dispatch!(self, pool => pool.close().await);
    }
}

/// The oldest SQLite the queries run on: 3.41 brought `unhex`, which the batched session lookup
/// uses. The bundled SQLite is newer; a build linked against the system's might not be.
const SQLITE_MIN: (u32, u32) = (3, 41);

/// Refuses a SQLite older than [`SQLITE_MIN`] at start, rather than at the first login.
async fn check_sqlite_version(pool: &SqlitePool) -> Result<()> {
    let found: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(pool)
        .await?;
    let mut parts = found.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if version < SQLITE_MIN {
        return Err(StoreError::SqliteTooOld { found });
    }
    Ok(())
}

/// A pool connection that one long-lived task keeps for itself (the cloud area's audit writer
/// and session lookups, which query all day). sqlx pings a pooled connection each time it goes
/// back to its pool: one more hand-off to SQLite's connection thread and back per query. A kept
/// connection never goes back; it is taken at first use and again after an error. A SQLite pool
/// of fewer than [`KEEP_FROM`] connections (an in-memory database has one) is used as it is,
/// since keeping two of them would starve every other query.
#[derive(Debug)]
pub struct KeptConnection {
    pub(crate) store: Store,
    conn: Option<Kept>,
}

/// The smallest SQLite pool a [`KeptConnection`] takes a connection of its own from.
const KEEP_FROM: u32 = 4;

#[derive(Debug)]
pub(crate) enum Kept {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Store {
    /// A [`KeptConnection`] over this store; it connects at first use.
    pub fn kept_connection(&self) -> KeptConnection {
        KeptConnection {
            store: self.clone(),
            conn: None,
        }
    }
}

impl KeptConnection {
    /// The kept connection, taken from the pool if there is none yet; `None` when the pool is
    /// too small to spare one and stays shared.
    pub(crate) async fn get(&mut self) -> Result<Option<&mut Kept>> {
        if self.conn.is_none() {
            self.conn = match &self.store.backend {
                Backend::Sqlite(pool) if pool.options().get_max_connections() >= KEEP_FROM => {
                    Some(Kept::Sqlite(pool.acquire().await?))
                }
                Backend::Sqlite(_) => None,
                Backend::Postgres(pool) => Some(Kept::Postgres(pool.acquire().await?)),
            };
        }
        Ok(self.conn.as_mut())
    }

    /// Passes `result` on; after an error the connection is dropped, and the next query takes
    /// another.
    pub(crate) fn checked<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.conn = None;
        }
        result
    }
}

/// Maps a unique-key violation to [`StoreError::Conflict`], anything else through `From`.
pub(crate) fn conflict_or(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict { what: what() }
        }
        _ => StoreError::Database(err),
    }
}
