//! Admin bearer tokens, stored as SHA-256 of the token.
//!
//! Tokens are 32 random bytes, so a plain SHA-256 (no salt, no stretching) is enough: there is
//! nothing to guess, and lookups stay one indexed equality.

use super::{Result, Store, conflict_or, dispatch};

impl Store {
    /// Stores the hash of a new admin token under `label`.
    pub async fn add_admin_token(
        &self,
        label: &str,
        token_sha256: &[u8; 32],
        now: i64,
    ) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO admin_tokens (label, token_sha256, created_at) VALUES ($1, $2, $3)",
        )
        .bind(label)
        .bind(token_sha256.as_slice())
        .bind(now)
        .execute(pool)
        .await
        .map_err(|e| conflict_or(e, || "admin token".into()))?
        .rows_affected());
        Ok(())
    }

    /// The label of the live (not revoked) token with this hash, if any.
    pub async fn admin_token_label(&self, token_sha256: &[u8; 32]) -> Result<Option<String>> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "SELECT label FROM admin_tokens WHERE token_sha256 = $1 AND revoked = FALSE",
        )
        .bind(token_sha256.as_slice())
        .fetch_optional(pool)
        .await?))
    }

    /// Revokes every token with this label; returns how many.
    pub async fn revoke_admin_tokens(&self, label: &str) -> Result<u64> {
        Ok(dispatch!(self, pool => sqlx::query(
            "UPDATE admin_tokens SET revoked = TRUE WHERE label = $1 AND revoked = FALSE",
        )
        .bind(label)
        .execute(pool)
        .await?
        .rows_affected()))
    }

    /// How many live admin tokens exist.
    pub async fn count_admin_tokens(&self) -> Result<i64> {
        Ok(dispatch!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM admin_tokens WHERE revoked = FALSE",
        )
        .fetch_one(pool)
        .await?))
    }
}
