//! Cloud-key accounts, their login sessions and application sessions (`0030_cloud.sql`); the
//! key shares in [`shares`] (`0041_cloud_key_shares.sql`).

mod shares;

use sqlx::{PgExecutor, SqliteExecutor};

pub use shares::{Admission, DeviceRequest, KeyShareRow, ShareKey};

use crate::store::{
    AuditEntry, Backend, Kept, KeptConnection, Result, Store, conflict_or, dispatch,
};

/// A cloud-key account as stored. `password_hash` is a secret at rest (an Argon2id hash);
/// `Debug` leaves it out. The wrapped d2 is in its own table ([`KeyShareRow`]).
#[derive(Clone, sqlx::FromRow)]
pub struct CloudAccountRow {
    /// Account id.
    pub id: String,
    /// Organization code.
    pub org: String,
    /// User ID or employee number.
    pub user_id: String,
    /// Full name.
    pub name: String,
    /// Bound phone (normalized), if any.
    pub phone: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Password tries reserved since the last good login or password reset (wrong ones, and
    /// those still being checked); not restarted by a lock.
    pub failed_logins: i64,
    /// Unix seconds until which password logins are refused.
    pub locked_until: i64,
    /// Refused device signatures since the last accepted one.
    pub device_failures: i64,
    /// Unix seconds until which device-signed requests are refused.
    pub device_locked_until: i64,
    /// Device public key, SEC1 uncompressed.
    pub device_key: Option<Vec<u8>>,
    /// Device label.
    pub device_label: Option<String>,
    /// Joint public key, SEC1 uncompressed.
    pub public_key: Option<Vec<u8>>,
    /// Serial of the current certificate.
    pub certificate_serial: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

impl CloudAccountRow {
    /// A new account as applied for: pending review, no tries counted, no device, no key.
    pub fn pending(
        id: String,
        org: String,
        user_id: String,
        name: String,
        phone: Option<String>,
        password_hash: String,
        created_at: i64,
    ) -> Self {
        Self {
            id,
            org,
            user_id,
            name,
            phone,
            password_hash,
            status: tessera_proto::cloud::AccountStatus::Pending.as_str().into(),
            failed_logins: 0,
            locked_until: 0,
            device_failures: 0,
            device_locked_until: 0,
            device_key: None,
            device_label: None,
            public_key: None,
            certificate_serial: None,
            created_at,
        }
    }
}

impl std::fmt::Debug for CloudAccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudAccountRow")
            .field("id", &self.id)
            .field("org", &self.org)
            .field("user_id", &self.user_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A live session and its account ([`Store::cloud_session_accounts`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionAccountRow {
    /// SHA-256 of the session token.
    pub token_hash: Vec<u8>,
    /// Unix seconds.
    pub expires_at: i64,
    /// The session's account.
    #[sqlx(flatten)]
    pub account: CloudAccountRow,
}

/// The columns of a [`SessionAccountRow`], sessions as `s`, accounts as `a`.
macro_rules! select_session_accounts {
    () => {
        "SELECT s.token_hash, s.expires_at, a.id, a.org, a.user_id, a.name, a.phone, \
         a.password_hash, a.status, a.failed_logins, a.locked_until, a.device_failures, \
         a.device_locked_until, a.device_key, a.device_label, a.public_key, a.certificate_serial, a.created_at"
    };
}

/// How many lock periods a lock lasts when `$col + 1` tries reach the limit `$3`: 1 at the
/// limit, doubling for each try beyond it, at most 96. A `CASE` both dialects read alike.
macro_rules! lock_factor {
    ($col:literal) => {
        concat!(
            "(CASE ",
            $col,
            " + 1 - $3 WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 WHEN 4 THEN 16 \
             WHEN 5 THEN 32 WHEN 6 THEN 64 ELSE 96 END)"
        )
    };
}

macro_rules! select_accounts {
    ($rest:literal) => {
        concat!(
            "SELECT id, org, user_id, name, phone, password_hash, status, failed_logins, \
             locked_until, device_failures, device_locked_until, device_key, device_label, public_key, \
             certificate_serial, created_at FROM cloud_accounts ",
            $rest
        )
    };
}

/// One relying-application session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppSessionRow {
    /// Session id.
    pub id: String,
    /// Application id.
    pub app_id: String,
    /// Application name.
    pub app_name: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl Store {
    /// Records a new (pending) account; `Conflict` when the user ID is taken in the org.
    pub async fn insert_cloud_account(&self, a: &CloudAccountRow, now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO cloud_accounts (id, org, user_id, name, phone, password_hash, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&a.id)
        .bind(&a.org)
        .bind(&a.user_id)
        .bind(&a.name)
        .bind(&a.phone)
        .bind(&a.password_hash)
        .bind(&a.status)
        .bind(now)
        .execute(pool)
        .await
        .map_err(|e| conflict_or(e, || format!("account {} in {}", a.user_id, a.org)))?
        .rows_affected());
        Ok(())
    }

    /// The account with `id`.
    pub async fn cloud_account(&self, id: &str) -> Result<Option<CloudAccountRow>> {
        let sql = select_accounts!("WHERE id = $1");
        Ok(dispatch!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }

    /// The account of `user_id` in `org`.
    pub async fn cloud_account_by_user(
        &self,
        org: &str,
        user_id: &str,
    ) -> Result<Option<CloudAccountRow>> {
        let sql = select_accounts!("WHERE org = $1 AND user_id = $2");
        Ok(dispatch!(self, pool => sqlx::query_as(sql)
            .bind(org)
            .bind(user_id)
            .fetch_optional(pool)
            .await?))
    }

    /// Accounts, oldest first, optionally only those in `status`.
    pub async fn list_cloud_accounts(&self, status: Option<&str>) -> Result<Vec<CloudAccountRow>> {
        let sql = select_accounts!(
            "WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) ORDER BY created_at, id"
        );
        Ok(dispatch!(self, pool => sqlx::query_as(sql).bind(status).fetch_all(pool).await?))
    }

    /// Moves a pending account to `status`; false when it is not pending (or does not exist).
    pub async fn review_cloud_account(&self, id: &str, status: &str, now: i64) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET status = $2, updated_at = $3 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Reserves one password try, atomically and before the (costly) check: the counter goes
    /// up unless the account is locked at `now`; the try that reaches `max` locks the account at
    /// once, for `lock_secs`, doubled for each try beyond `max` (at most 96 times, 24 hours for
    /// 15 minutes). So N concurrent attempts evaluate at most `max` passwords, and the counter
    /// is not restarted by a lock: once the lock ends one more try is reserved, and locks again
    /// for twice as long. Returns the tries reserved so far, or `None` while the account is
    /// locked (or does not exist). A right password gives it back with [`Self::cloud_login_ok`].
    pub async fn cloud_login_reserve(
        &self,
        id: &str,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<Option<i64>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(concat!(
            "UPDATE cloud_accounts SET failed_logins = failed_logins + 1, \
               locked_until = CASE WHEN failed_logins + 1 >= $3 THEN $2 + $4 * ",
            lock_factor!("failed_logins"),
            " ELSE locked_until END, updated_at = $2 \
             WHERE id = $1 AND locked_until <= $2 RETURNING failed_logins",
        ))
        .bind(id)
        .bind(now)
        .bind(max)
        .bind(lock_secs)
        .fetch_optional(pool)
        .await?))
    }

    /// A good login: the counter starts again and the lock (set by this very try) ends.
    pub async fn cloud_login_ok(&self, id: &str) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET failed_logins = 0, locked_until = 0 WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Gives back a try reserved by [`Self::cloud_login_reserve`] whose password could not be
    /// checked (the Argon2 gate was full): the holder is not charged for the service's load.
    /// A lock that try set stays; it ends on its own or with the next good login.
    pub async fn cloud_login_give_back(&self, id: &str) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET failed_logins = failed_logins - 1 \
             WHERE id = $1 AND failed_logins > 0",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Counts a refused device signature, apart from wrong passwords: at `max` the account's
    /// device-signed requests are refused for `lock_secs`, doubled for each one beyond (as
    /// [`Self::cloud_login_reserve`]). Password login is not affected.
    pub async fn cloud_device_failed(
        &self,
        id: &str,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(concat!(
            "UPDATE cloud_accounts SET device_failures = device_failures + 1, \
               device_locked_until = CASE WHEN device_failures + 1 >= $3 THEN $2 + $4 * ",
            lock_factor!("device_failures"),
            " ELSE device_locked_until END, updated_at = $2 WHERE id = $1",
        ))
        .bind(id)
        .bind(now)
        .bind(max)
        .bind(lock_secs)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// An accepted device signature after refused ones: their counter starts again.
    pub async fn cloud_device_ok(&self, id: &str) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET device_failures = 0, device_locked_until = 0 WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Remembers device-signature nonces (each with the time its request goes stale); for each
    /// one, whether it is new. The primary key decides, so two replicas on one database cannot
    /// both accept a nonce; a nonce given twice in `nonces` is new at most once.
    pub async fn remember_device_nonces(&self, nonces: &[([u8; 16], i64)]) -> Result<Vec<bool>> {
        match &self.backend {
            Backend::Sqlite(pool) => nonces_sqlite(pool, nonces).await,
            Backend::Postgres(pool) => nonces_postgres(pool, nonces).await,
        }
    }

    /// Forgets the nonces whose requests went stale before `now`; returns how many.
    pub async fn forget_device_nonces(&self, now: i64) -> Result<u64> {
        Ok(dispatch!(self, pool => sqlx::query(
            "DELETE FROM cloud_device_nonces WHERE expires_at < $1",
        )
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()))
    }

    /// A new password hash; unlocks the account and ends its login sessions.
    pub async fn set_cloud_password(&self, id: &str, hash: &str, now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET password_hash = $2, failed_logins = 0, locked_until = 0, \
             updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        dispatch!(self, pool => sqlx::query("DELETE FROM cloud_sessions WHERE account_id = $1")
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Binds `phone` (normalized).
    pub async fn set_cloud_phone(&self, id: &str, phone: &str, now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET phone = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(phone)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Binds a device key; false when one is already bound.
    pub async fn set_cloud_device(
        &self,
        id: &str,
        key: &[u8],
        label: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET device_key = $2, device_label = $3, updated_at = $4 \
             WHERE id = $1 AND device_key IS NULL",
        )
        .bind(id)
        .bind(key)
        .bind(label)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Stores the joint public key and the owner's wrapped d2 (in `cloud_key_shares`, grant
    /// NULL), in one transaction; false (nothing stored) when the account has a key.
    pub async fn set_cloud_key(
        &self,
        id: &str,
        public_key: &[u8],
        sealed_share: &[u8],
        now: i64,
    ) -> Result<bool> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE cloud_accounts SET public_key = $2, updated_at = $3 \
                 WHERE id = $1 AND public_key IS NULL",
            )
            .bind(id)
            .bind(public_key)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO cloud_key_shares (account_id, grant_id, sealed_share, uses, created_at) \
                 VALUES ($1, NULL, $2, 0, $3)",
            )
            .bind(id)
            .bind(sealed_share)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Records the serial of the account's current certificate.
    pub async fn set_cloud_certificate(&self, id: &str, serial: &str, now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET certificate_serial = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(serial)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Stores the handwritten-signature image.
    pub async fn set_cloud_signature_image(&self, id: &str, png: &[u8], now: i64) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "UPDATE cloud_accounts SET signature_png = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(png)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The handwritten-signature image, if any.
    pub async fn cloud_signature_image(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let png: Option<Option<Vec<u8>>> = dispatch!(self, pool => sqlx::query_scalar(
            "SELECT signature_png FROM cloud_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        Ok(png.flatten())
    }

    /// The live sessions among `token_hashes` (SHA-256 of the tokens) with their accounts, in
    /// one query: the service looks up the sessions of concurrent requests together
    /// (`cloud::sessions`). Unknown hashes and sessions expired by `now` are absent; a hash
    /// given twice is answered once.
    pub async fn cloud_session_accounts(
        &self,
        token_hashes: &[[u8; 32]],
        now: i64,
    ) -> Result<Vec<SessionAccountRow>> {
        match &self.backend {
            Backend::Sqlite(pool) => session_accounts_sqlite(pool, token_hashes, now).await,
            Backend::Postgres(pool) => session_accounts_postgres(pool, token_hashes, now).await,
        }
    }

    /// Appends several audit events in one transaction (group commit: one sync for many
    /// co-signatures). On SQLite that is one statement over a JSON array of the rows, so every
    /// batch size shares one prepared statement and needs no `BEGIN`/`COMMIT` round trips.
    pub async fn audit_batch(&self, entries: &[AuditEntry<'_>]) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => audit_batch_sqlite(pool, entries).await,
            Backend::Postgres(pool) => audit_batch_postgres(pool, entries).await,
        }
    }
    /// Records a login session by the SHA-256 of its token.
    pub async fn insert_cloud_session(
        &self,
        token_hash: &[u8],
        account_id: &str,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO cloud_sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(expires_at)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The account of a live session.
    pub async fn cloud_session(&self, token_hash: &[u8], now: i64) -> Result<Option<String>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "SELECT account_id FROM cloud_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?))
    }

    /// Ends a session.
    pub async fn delete_cloud_session(&self, token_hash: &[u8]) -> Result<()> {
        dispatch!(self, pool => sqlx::query("DELETE FROM cloud_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Records an application session.
    pub async fn insert_app_session(&self, account_id: &str, s: &AppSessionRow) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO cloud_app_sessions (id, account_id, app_id, app_name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id)
        .bind(account_id)
        .bind(&s.app_id)
        .bind(&s.app_name)
        .bind(s.created_at)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The account's application sessions, oldest first.
    pub async fn app_sessions(&self, account_id: &str) -> Result<Vec<AppSessionRow>> {
        Ok(dispatch!(self, pool => sqlx::query_as(
            "SELECT id, app_id, app_name, created_at FROM cloud_app_sessions \
             WHERE account_id = $1 ORDER BY created_at, id",
        )
        .bind(account_id)
        .fetch_all(pool)
        .await?))
    }

    /// Ends one application session (`Some(id)`) or all; returns how many ended.
    pub async fn delete_app_sessions(&self, account_id: &str, id: Option<&str>) -> Result<u64> {
        Ok(dispatch!(self, pool => sqlx::query(
            "DELETE FROM cloud_app_sessions WHERE account_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id = $2)",
        )
        .bind(account_id)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()))
    }
}

impl KeptConnection {
    /// [`Store::cloud_session_accounts`] on the kept connection.
    pub async fn cloud_session_accounts(
        &mut self,
        token_hashes: &[[u8; 32]],
        now: i64,
    ) -> Result<Vec<SessionAccountRow>> {
        let result = match self.get().await? {
            Some(Kept::Sqlite(conn)) => {
                session_accounts_sqlite(&mut **conn, token_hashes, now).await
            }
            Some(Kept::Postgres(conn)) => {
                session_accounts_postgres(&mut **conn, token_hashes, now).await
            }
            None => self.store.cloud_session_accounts(token_hashes, now).await,
        };
        self.checked(result)
    }

    /// [`Store::remember_device_nonces`] on the kept connection.
    pub async fn remember_device_nonces(
        &mut self,
        nonces: &[([u8; 16], i64)],
    ) -> Result<Vec<bool>> {
        let result = match self.get().await? {
            Some(Kept::Sqlite(conn)) => nonces_sqlite(&mut **conn, nonces).await,
            Some(Kept::Postgres(conn)) => nonces_postgres(&mut **conn, nonces).await,
            None => self.store.remember_device_nonces(nonces).await,
        };
        self.checked(result)
    }

    /// [`Store::audit_batch`] on the kept connection.
    pub async fn audit_batch(&mut self, entries: &[AuditEntry<'_>]) -> Result<()> {
        let result = match self.get().await? {
            Some(Kept::Sqlite(conn)) => audit_batch_sqlite(&mut **conn, entries).await,
            Some(Kept::Postgres(conn)) => audit_batch_postgres(&mut **conn, entries).await,
            None => self.store.audit_batch(entries).await,
        };
        self.checked(result)
    }
}

/// Hashes sorted and deduplicated, so each session is answered once.
fn distinct(token_hashes: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let mut hashes = token_hashes.to_vec();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

async fn session_accounts_sqlite<'c>(
    conn: impl SqliteExecutor<'c>,
    token_hashes: &[[u8; 32]],
    now: i64,
) -> Result<Vec<SessionAccountRow>> {
    let hex: Vec<String> = distinct(token_hashes).iter().map(hex::encode).collect();
    Ok(sqlx::query_as(concat!(
        select_session_accounts!(),
        " FROM json_each($1) j JOIN cloud_sessions s ON s.token_hash = unhex(j.value) \
         JOIN cloud_accounts a ON a.id = s.account_id WHERE s.expires_at > $2",
    ))
    .bind(serde_json::Value::from(hex).to_string())
    .bind(now)
    .fetch_all(conn)
    .await?)
}

async fn session_accounts_postgres<'c>(
    conn: impl PgExecutor<'c>,
    token_hashes: &[[u8; 32]],
    now: i64,
) -> Result<Vec<SessionAccountRow>> {
    let hashes: Vec<Vec<u8>> = distinct(token_hashes).iter().map(|h| h.to_vec()).collect();
    Ok(sqlx::query_as(concat!(
        select_session_accounts!(),
        " FROM cloud_sessions s JOIN cloud_accounts a ON a.id = s.account_id \
         WHERE s.token_hash = ANY($1) AND s.expires_at > $2",
    ))
    .bind(hashes)
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// For each nonce, whether it is its first occurrence in `nonces` and was not stored yet
/// (`inserted` holds the nonces the statement stored).
fn first_and_new(nonces: &[([u8; 16], i64)], inserted: &[Vec<u8>]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    nonces
        .iter()
        .map(|(n, _)| seen.insert(*n) && inserted.iter().any(|i| i.as_slice() == n))
        .collect()
}

async fn nonces_sqlite<'c>(
    conn: impl SqliteExecutor<'c>,
    nonces: &[([u8; 16], i64)],
) -> Result<Vec<bool>> {
    let rows: Vec<_> = nonces
        .iter()
        .map(|(n, exp)| serde_json::json!([hex::encode(n), exp]))
        .collect();
    // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT.
    let inserted: Vec<Vec<u8>> = sqlx::query_scalar(
        "INSERT INTO cloud_device_nonces (nonce, expires_at) \
         SELECT unhex(value ->> 0), value ->> 1 FROM json_each($1) WHERE true \
         ON CONFLICT DO NOTHING RETURNING nonce",
    )
    .bind(serde_json::Value::Array(rows).to_string())
    .fetch_all(conn)
    .await?;
    Ok(first_and_new(nonces, &inserted))
}

async fn nonces_postgres<'c>(
    conn: impl PgExecutor<'c>,
    nonces: &[([u8; 16], i64)],
) -> Result<Vec<bool>> {
    let keys: Vec<Vec<u8>> = nonces.iter().map(|(n, _)| n.to_vec()).collect();
    let expiries: Vec<i64> = nonces.iter().map(|(_, e)| *e).collect();
    let inserted: Vec<Vec<u8>> = sqlx::query_scalar(
        "INSERT INTO cloud_device_nonces (nonce, expires_at) \
         SELECT * FROM UNNEST($1::bytea[], $2::bigint[]) \
         ON CONFLICT DO NOTHING RETURNING nonce",
    )
    .bind(keys)
    .bind(expiries)
    .fetch_all(conn)
    .await?;
    Ok(first_and_new(nonces, &inserted))
}

async fn audit_batch_sqlite<'c>(
    conn: impl SqliteExecutor<'c>,
    entries: &[AuditEntry<'_>],
) -> Result<()> {
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            serde_json::json!([
                e.at,
                e.actor,
                e.action,
                e.subject,
                e.source_ip,
                e.request_id
            ])
        })
        .collect();
    sqlx::query(
        "INSERT INTO audit (at, actor, action, subject, source_ip, request_id) \
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, \
         value ->> 5 FROM json_each($1) ORDER BY key",
    )
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(conn)
    .await?;
    Ok(())
}

async fn audit_batch_postgres<'c>(
    conn: impl sqlx::Acquire<'c, Database = sqlx::Postgres>,
    entries: &[AuditEntry<'_>],
) -> Result<()> {
    let mut tx = conn.begin().await?;
    for chunk in entries.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO audit (at, actor, action, subject, source_ip, request_id) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        // Only placeholders are formatted in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(e.at)
                .bind(e.actor)
                .bind(e.action)
                .bind(e.subject)
                .bind(e.source_ip)
                .bind(e.request_id);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
