//! Group commit of audit rows: each request hands its row to one writer task and waits until
//! the transaction holding it has committed, so a co-signature is never answered before its
//! audit row is stored, while one commit (one sync on SQLite) covers every row that arrived
//! meanwhile.

use crate::batch::{Batcher, Serve};
use crate::store::{AuditEntry, KeptConnection, Store};

/// Rows written per transaction at most.
const BATCH: usize = 512;

/// An audit row owned by the queue.
#[derive(Debug, Clone)]
pub struct AuditRow {
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

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditQueue(Batcher<Writer>);

/// The writer task's side: its own store connection.
struct Writer(KeptConnection);

impl Serve for Writer {
    type Request = AuditRow;
    type Answer = Result<(), String>;

    async fn serve(&mut self, rows: Vec<AuditRow>) -> Vec<Result<(), String>> {
        let entries: Vec<AuditEntry<'_>> = rows
            .iter()
            .map(|r| AuditEntry {
                at: r.at,
                actor: &r.actor,
                action: &r.action,
                subject: r.subject.as_deref(),
                source_ip: r.source_ip.as_deref(),
                request_id: r.request_id.as_deref(),
            })
            .collect();
        let result = self
            .0
            .audit_batch(&entries)
            .await
            .map_err(|e| e.to_string());
        vec![result; rows.len()]
    }
}

impl AuditQueue {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: &Store) -> Self {
        let store = store.clone();
        Self(Batcher::start("audit writer", BATCH, move || {
            Writer(store.kept_connection())
        }))
    }

    /// Stores `row`; returns once its transaction committed.
    pub async fn record(&self, row: AuditRow) -> Result<(), String> {
        self.0.call(row).await.map_err(|e| e.to_string())?
    }
}
