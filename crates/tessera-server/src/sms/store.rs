//! SMS outbox, SMS codes and captchas: rows only; the rules live in `crate::sms`/`crate::captcha`.

use tessera_proto::sms::OutboxMessage;

use crate::store::{Result, Store, dispatch};

/// The newest unused code of a phone for a purpose.
#[derive(Clone)]
pub struct SmsCodeRow {
    /// Row id.
    pub id: i64,
    /// Keyed hash of the code.
    pub code_hash: Vec<u8>,
    /// Unix seconds.
    pub expires_at: i64,
    /// Wrong answers so far.
    pub tries: i64,
}

impl std::fmt::Debug for SmsCodeRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsCodeRow")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .field("tries", &self.tries)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Appends a message to the outbox; returns its id.
    pub async fn outbox_push(&self, phone: &str, body: &str, now: i64) -> Result<i64> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "INSERT INTO sms_outbox (phone, body, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(phone)
        .bind(body)
        .bind(now)
        .fetch_one(pool)
        .await?))
    }

    /// Outbox messages with id greater than `after`, oldest first, at most `limit`.
    pub async fn outbox_after(&self, after: i64, limit: i64) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<(i64, String, String, i64)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, phone, body, created_at FROM sms_outbox WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, phone, body, created_at)| OutboxMessage {
                id,
                phone,
                body,
                created_at,
            })
            .collect())
    }

    /// The newest `limit` outbox messages, oldest first.
    pub async fn outbox_tail(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let newest: Option<i64> = dispatch!(self, pool => sqlx::query_scalar("SELECT MAX(id) FROM sms_outbox").fetch_one(pool).await?);
        let after = newest.unwrap_or(0).saturating_sub(limit);
        self.outbox_after(after, limit).await
    }

    /// Stores a new code unless the phone's limits forbid it, in one step that concurrent
    /// requests (other replicas included) cannot both pass: no code for `phone` after
    /// `now - interval`, fewer than `daily` since `now - 86400`. `None` when a limit holds.
    /// SQLite runs the conditional insert as one write; PostgreSQL first takes a transaction
    /// lock on the phone (`pg_advisory_xact_lock`).
    #[allow(
        clippy::too_many_arguments,
        reason = "one row's columns and its two limits"
    )]
    pub async fn sms_code_insert_limited(
        &self,
        phone: &str,
        purpose: &str,
        code_hash: &[u8],
        ip: Option<&str>,
        now: i64,
        expires_at: i64,
        interval: i64,
        daily: i64,
    ) -> Result<Option<i64>> {
        const INSERT: &str = "INSERT INTO sms_codes (phone, purpose, code_hash, ip, created_at, \
             expires_at) SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM sms_codes \
             WHERE phone = $1 AND created_at > $5 - $7) AND (SELECT COUNT(*) FROM sms_codes \
             WHERE phone = $1 AND created_at >= $5 - 86400) < $8 RETURNING id";
        Ok(dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            if self.backend_name() == "postgres" {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                    .bind(phone)
                    .execute(&mut *tx)
                    .await?;
            }
            let id: Option<i64> = sqlx::query_scalar(INSERT)
                .bind(phone)
                .bind(purpose)
                .bind(code_hash)
                .bind(ip)
                .bind(now)
                .bind(expires_at)
                .bind(interval)
                .bind(daily)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        }))
    }

    /// Codes issued to `phone` at or after `since`, and the newest one's time.
    pub async fn sms_codes_for_phone_since(
        &self,
        phone: &str,
        since: i64,
    ) -> Result<(i64, Option<i64>)> {
        Ok(dispatch!(self, pool => sqlx::query_as(
            "SELECT COUNT(*), MAX(created_at) FROM sms_codes WHERE phone = $1 AND created_at >= $2",
        )
        .bind(phone)
        .bind(since)
        .fetch_one(pool)
        .await?))
    }

    /// Codes requested from `ip` at or after `since`, and the oldest one's time.
    pub async fn sms_codes_for_ip_since(&self, ip: &str, since: i64) -> Result<(i64, Option<i64>)> {
        Ok(dispatch!(self, pool => sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM sms_codes WHERE ip = $1 AND created_at >= $2",
        )
        .bind(ip)
        .bind(since)
        .fetch_one(pool)
        .await?))
    }

    /// The newest unused code for `phone` and `purpose`.
    pub async fn sms_code_latest(&self, phone: &str, purpose: &str) -> Result<Option<SmsCodeRow>> {
        let row: Option<(i64, Vec<u8>, i64, i64)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, code_hash, expires_at, tries FROM sms_codes \
             WHERE phone = $1 AND purpose = $2 AND used = FALSE ORDER BY id DESC LIMIT 1",
        )
        .bind(phone)
        .bind(purpose)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|(id, code_hash, expires_at, tries)| SmsCodeRow {
            id,
            code_hash,
            expires_at,
            tries,
        }))
    }

    /// Reserves one try on the newest unused code of `phone` for `purpose`, before the answer
    /// is compared: one conditional statement, so N concurrent answers never get more than
    /// `max` comparisons between them. Only a code that has not expired at `now` and has fewer
    /// than `max` tries is reserved; its row comes back with the try counted. `None` when there
    /// is no such code ([`Self::sms_code_latest`] tells why).
    pub async fn sms_code_reserve_try(
        &self,
        phone: &str,
        purpose: &str,
        max: i64,
        now: i64,
    ) -> Result<Option<SmsCodeRow>> {
        let row: Option<(i64, Vec<u8>, i64, i64)> = dispatch!(self, pool => sqlx::query_as(
            "UPDATE sms_codes SET tries = tries + 1 WHERE id = (SELECT id FROM sms_codes \
             WHERE phone = $1 AND purpose = $2 AND used = FALSE ORDER BY id DESC LIMIT 1) \
             AND used = FALSE AND tries < $3 AND expires_at > $4 \
             RETURNING id, code_hash, expires_at, tries",
        )
        .bind(phone)
        .bind(purpose)
        .bind(max)
        .bind(now)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|(id, code_hash, expires_at, tries)| SmsCodeRow {
            id,
            code_hash,
            expires_at,
            tries,
        }))
    }

    /// Marks code `id` used; false if it was already used (a concurrent verification won).
    pub async fn sms_code_consume(&self, id: i64) -> Result<bool> {
        let n = dispatch!(self, pool => sqlx::query(
            "UPDATE sms_codes SET used = TRUE WHERE id = $1 AND used = FALSE",
        )
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Stores a captcha's answer hash.
    pub async fn captcha_insert(
        &self,
        id: &str,
        answer_hash: &[u8],
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO captchas (id, answer_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(answer_hash)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Marks captcha `id` used and returns its answer hash, if it exists, was unused and has
    /// not expired at `now`; one atomic statement, so a captcha is answered at most once.
    pub async fn captcha_take(&self, id: &str, now: i64) -> Result<Option<Vec<u8>>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "UPDATE captchas SET used = TRUE WHERE id = $1 AND used = FALSE AND expires_at > $2 \
             RETURNING answer_hash",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await?))
    }

    /// Deletes expired captchas and SMS codes older than `before`; returns rows removed.
    pub async fn purge_expired(&self, now: i64, before: i64) -> Result<u64> {
        let a = dispatch!(self, pool => sqlx::query("DELETE FROM captchas WHERE expires_at <= $1")
            .bind(now).execute(pool).await?.rows_affected());
        let b = dispatch!(self, pool => sqlx::query("DELETE FROM sms_codes WHERE created_at < $1")
            .bind(before).execute(pool).await?.rows_affected());
        let c = dispatch!(self, pool => sqlx::query("DELETE FROM ra_sessions WHERE expires_at <= $1")
            .bind(now).execute(pool).await?.rows_affected());
        Ok(a + b + c)
    }
}
