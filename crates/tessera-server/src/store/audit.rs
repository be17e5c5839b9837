//! The audit table: who did what, when, from where.

use serde::{Deserialize, Serialize};

use super::{Result, Store, dispatch};

/// An audit event to record.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'a> {
    /// Unix seconds.
    pub at: i64,
    /// Who: `admin:<label>`, `phone:<masked>`, `system`.
    pub actor: &'a str,
    /// What: a stable verb such as `organization.create`.
    pub action: &'a str,
    /// What it was done to, e.g. a project code.
    pub subject: Option<&'a str>,
    /// From where: the client IP address.
    pub source_ip: Option<&'a str>,
    /// The request id, to find the matching log lines.
    pub request_id: Option<&'a str>,
}

/// A recorded audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Row id, increasing.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: Option<String>,
    /// From where.
    pub source_ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

type AuditRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Appends an audit event.
    pub async fn audit(&self, e: &AuditEntry<'_>) -> Result<()> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO audit (at, actor, action, subject, source_ip, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.at)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.subject)
        .bind(e.source_ip)
        .bind(e.request_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The newest `limit` audit events, newest first.
    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<AuditRecord>> {
        let rows: Vec<AuditRow> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, at, actor, action, subject, source_ip, request_id FROM audit \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(
                |(id, at, actor, action, subject, source_ip, request_id)| AuditRecord {
                    id,
                    at,
                    actor,
                    action,
                    subject,
                    source_ip,
                    request_id,
                },
            )
            .collect())
    }
}
