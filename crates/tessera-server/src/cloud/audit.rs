//! Group commit for the cloud area's audit rows: each request hands its row to one writer task
//! and waits until the transaction holding it has committed, so a co-signature is never
//! answered before its audit row is stored, while one commit (one sync on SQLite) covers every
//! row that arrived meanwhile.

use tokio::sync::{mpsc, oneshot};

use crate::store::{AuditEntry, Store};

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

type Job = (AuditRow, oneshot::Sender<Result<(), String>>);

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuditQueue {
    tx: mpsc::UnboundedSender<Job>,
}

impl AuditQueue {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(store, rx));
        Self { tx }
    }

    /// Stores `row`; returns once its transaction committed.
    pub async fn record(&self, row: AuditRow) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((row, done))
            .map_err(|_| "the audit writer stopped".to_owned())?;
        wait.await
            .map_err(|_| "the audit writer stopped".to_owned())?
    }
}

async fn writer(store: Store, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let entries: Vec<AuditEntry<'_>> = jobs
            .iter()
            .map(|(r, _)| AuditEntry {
                at: r.at,
                actor: &r.actor,
                action: &r.action,
                subject: r.subject.as_deref(),
                source_ip: r.source_ip.as_deref(),
                request_id: r.request_id.as_deref(),
            })
            .collect();
        let result = store.audit_batch(&entries).await.map_err(|e| e.to_string());
        drop(entries);
        for (_, done) in jobs {
            let _ = done.send(result.clone());
        }
    }
}
