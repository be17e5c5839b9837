//! Cloud key shares (`0041_cloud_key_shares.sql`): the service's half of each two-party key,
//! keyed by (account, grant). Fetching a share for use counts the use in the same statement
//! (`UPDATE … RETURNING`), so no share is read for a key operation without being counted; the
//! nonce of the device-signed request that uses it is stored in the same transaction.

use std::collections::HashMap;

use sqlx::{PgExecutor, SqliteExecutor};

use super::{nonces_postgres, nonces_sqlite};
use crate::store::{Backend, Kept, KeptConnection, Result, Store, dispatch};

/// Which share: the account's, used under a grant (`None`: the owner's own share).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShareKey {
    /// The account whose key it is.
    pub account_id: String,
    /// The delegation grant it is used under; `None` for the owner's own share.
    pub grant_id: Option<String>,
}

impl ShareKey {
    /// The owner's own share of `account_id`.
    pub fn own(account_id: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
            grant_id: None,
        }
    }
}

/// A stored share and its use count. The sealed bytes are a secret at rest; `Debug` leaves
/// them out.
#[derive(Clone, sqlx::FromRow)]
pub struct KeyShareRow {
    /// d2 sealed under the master key (AAD `cloud:<account id>`).
    pub sealed_share: Vec<u8>,
    /// Key operations that fetched it.
    pub uses: i64,
    /// Unix seconds of the last use.
    pub last_used_at: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

impl std::fmt::Debug for KeyShareRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyShareRow")
            .field("uses", &self.uses)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

/// A device-signed request to admit: its nonce, the time it goes stale, and the share the
/// request uses, if it is a key operation.
#[derive(Debug, Clone)]
pub struct DeviceRequest {
    /// 16 random bytes drawn by the device.
    pub nonce: [u8; 16],
    /// Unix seconds after which the request is stale (and its nonce forgotten).
    pub expires_at: i64,
    /// The share a key operation uses, fetched and counted if the nonce is new.
    pub share: Option<ShareKey>,
}

/// What the store answered for a [`DeviceRequest`].
#[derive(Clone, PartialEq, Eq)]
pub enum Admission {
    /// The nonce was seen before (or earlier in the same batch): nothing was fetched or counted.
    Replayed,
    /// The nonce is stored now; the sealed share when one was asked for and exists.
    Admitted {
        /// The share asked for, its use counted; `None` when none was asked for or stored.
        sealed_share: Option<Vec<u8>>,
    },
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Replayed => f.write_str("Replayed"),
            Self::Admitted { sealed_share } => f
                .debug_struct("Admitted")
                .field("sealed_share", &sealed_share.as_ref().map(|_| "***"))
                .finish(),
        }
    }
}

impl Store {
    /// The share `key` and its use count, without counting a use (operators and tests).
    pub async fn cloud_key_share(&self, key: &ShareKey) -> Result<Option<KeyShareRow>> {
        Ok(dispatch!(self, pool => sqlx::query_as(
            "SELECT sealed_share, uses, last_used_at, created_at FROM cloud_key_shares \
             WHERE account_id = $1 AND COALESCE(grant_id, '') = COALESCE(CAST($2 AS TEXT), '')",
        )
        .bind(&key.account_id)
        .bind(&key.grant_id)
        .fetch_optional(pool)
        .await?))
    }

    /// Fetches the share `key` for one use and counts the use, in one statement; `None` when
    /// there is no such share.
    pub async fn use_cloud_key_share(&self, key: &ShareKey, now: i64) -> Result<Option<Vec<u8>>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "UPDATE cloud_key_shares SET uses = uses + 1, last_used_at = $3 \
             WHERE account_id = $1 AND COALESCE(grant_id, '') = COALESCE(CAST($2 AS TEXT), '') \
             RETURNING sealed_share",
        )
        .bind(&key.account_id)
        .bind(&key.grant_id)
        .bind(now)
        .fetch_optional(pool)
        .await?))
    }

    /// Admits device-signed requests: stores their nonces (the primary key decides, so a nonce
    /// is accepted once across replicas) and, for each request whose nonce is new and that
    /// uses a share, fetches the share and counts the use — one transaction, one commit.
    pub async fn admit_device_requests(
        &self,
        requests: &[DeviceRequest],
        now: i64,
    ) -> Result<Vec<Admission>> {
        match &self.backend {
            Backend::Sqlite(pool) => admit_sqlite(&mut *pool.acquire().await?, requests, now).await,
            Backend::Postgres(pool) => {
                admit_postgres(&mut *pool.acquire().await?, requests, now).await
            }
        }
    }
}

impl KeptConnection {
    /// [`Store::admit_device_requests`] on the kept connection.
    pub async fn admit_device_requests(
        &mut self,
        requests: &[DeviceRequest],
        now: i64,
    ) -> Result<Vec<Admission>> {
        let result = match self.get().await? {
            Some(Kept::Sqlite(conn)) => admit_sqlite(conn, requests, now).await,
            Some(Kept::Postgres(conn)) => admit_postgres(conn, requests, now).await,
            None => self.store.admit_device_requests(requests, now).await,
        };
        self.checked(result)
    }
}

fn nonce_rows(requests: &[DeviceRequest]) -> Vec<([u8; 16], i64)> {
    requests.iter().map(|r| (r.nonce, r.expires_at)).collect()
}

/// The shares wanted by the requests whose nonce is new, one entry per use.
fn wanted<'a>(requests: &'a [DeviceRequest], fresh: &[bool]) -> Vec<&'a ShareKey> {
    requests
        .iter()
        .zip(fresh)
        .filter(|(_, fresh)| **fresh)
        .filter_map(|(r, _)| r.share.as_ref())
        .collect()
}

/// Pairs each request with its answer.
fn answers(
    requests: &[DeviceRequest],
    fresh: &[bool],
    shares: &HashMap<ShareKey, Vec<u8>>,
) -> Vec<Admission> {
    requests
        .iter()
        .zip(fresh)
        .map(|(r, fresh)| {
            if *fresh {
                Admission::Admitted {
                    sealed_share: r.share.as_ref().and_then(|k| shares.get(k).cloned()),
                }
            } else {
                Admission::Replayed
            }
        })
        .collect()
}

type ShareUseRow = (String, Option<String>, Vec<u8>);

fn share_map(rows: Vec<ShareUseRow>) -> HashMap<ShareKey, Vec<u8>> {
    rows.into_iter()
        .map(|(account_id, grant_id, sealed)| {
            (
                ShareKey {
                    account_id,
                    grant_id,
                },
                sealed,
            )
        })
        .collect()
}

/// The body of [`admit_sqlite`] and [`admit_postgres`], alike but for the dialect's two
/// statements: a batch without key operations stores its nonces in one statement (its own
/// commit); otherwise the nonces and the share uses go in one transaction.
macro_rules! admit {
    ($conn:ident, $requests:ident, $now:ident, $nonces:ident, $use_shares:ident) => {{
        let nonces = nonce_rows($requests);
        if $requests.iter().all(|r| r.share.is_none()) {
            let fresh = $nonces(&mut *$conn, &nonces).await?;
            return Ok(answers($requests, &fresh, &HashMap::new()));
        }
        let mut tx = sqlx::Connection::begin(&mut *$conn).await?;
        let fresh = $nonces(&mut *tx, &nonces).await?;
        let uses = wanted($requests, &fresh);
        let shares = if uses.is_empty() {
            HashMap::new()
        } else {
            share_map($use_shares(&mut *tx, &uses, $now).await?)
        };
        tx.commit().await?;
        Ok(answers($requests, &fresh, &shares))
    }};
}

async fn admit_sqlite(
    conn: &mut sqlx::SqliteConnection,
    requests: &[DeviceRequest],
    now: i64,
) -> Result<Vec<Admission>> {
    admit!(conn, requests, now, nonces_sqlite, use_shares_sqlite)
}

async fn admit_postgres(
    conn: &mut sqlx::PgConnection,
    requests: &[DeviceRequest],
    now: i64,
) -> Result<Vec<Admission>> {
    admit!(conn, requests, now, nonces_postgres, use_shares_postgres)
}

/// Counts one use per entry of `uses` (an account used twice in the batch counts two) and
/// returns the shares, in one statement.
async fn use_shares_sqlite<'c>(
    conn: impl SqliteExecutor<'c>,
    uses: &[&ShareKey],
    now: i64,
) -> Result<Vec<ShareUseRow>> {
    let rows: Vec<_> = uses
        .iter()
        .map(|k| serde_json::json!([k.account_id, k.grant_id]))
        .collect();
    Ok(sqlx::query_as(
        "UPDATE cloud_key_shares SET uses = uses + j.n, last_used_at = $2 \
         FROM (SELECT value ->> 0 AS account, COALESCE(value ->> 1, '') AS g, count(*) AS n \
               FROM json_each($1) GROUP BY 1, 2) AS j \
         WHERE account_id = j.account AND COALESCE(grant_id, '') = j.g \
         RETURNING account_id, grant_id, sealed_share",
    )
    .bind(serde_json::Value::Array(rows).to_string())
    .bind(now)
    .fetch_all(conn)
    .await?)
}

async fn use_shares_postgres<'c>(
    conn: impl PgExecutor<'c>,
    uses: &[&ShareKey],
    now: i64,
) -> Result<Vec<ShareUseRow>> {
    let accounts: Vec<&str> = uses.iter().map(|k| k.account_id.as_str()).collect();
    let grants: Vec<Option<&str>> = uses.iter().map(|k| k.grant_id.as_deref()).collect();
    Ok(sqlx::query_as(
        "UPDATE cloud_key_shares SET uses = uses + j.n, last_used_at = $3 \
         FROM (SELECT u.a AS account, COALESCE(u.g, '') AS g, count(*) AS n \
               FROM UNNEST($1::text[], $2::text[]) AS u(a, g) GROUP BY 1, 2) AS j \
         WHERE account_id = j.account AND COALESCE(grant_id, '') = j.g \
         RETURNING account_id, grant_id, sealed_share",
    )
    .bind(accounts)
    .bind(grants)
    .bind(now)
    .fetch_all(conn)
    .await?)
}
