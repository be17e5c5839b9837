//! The audit trail of state changes: who, what, when and from where. One row per change, through
//! [`record`]; the cloud-key area batches its rows (`crate::cloud::audit`) on the same table.

use crate::clock::Clock;
use crate::store::{AuditEntry, Store};

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Client address.
    pub ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

/// Writes an audit row (who, what, when, from where); a failed write is logged, never fatal.
pub async fn record(
    store: &Store,
    clock: &dyn Clock,
    actor: &str,
    action: &str,
    subject: &str,
    origin: &Origin,
) {
    let entry = AuditEntry {
        at: clock.now(),
        actor,
        action,
        subject: Some(subject),
        source_ip: origin.ip.as_deref(),
        request_id: origin.request_id.as_deref(),
    };
    if let Err(e) = store.audit(&entry).await {
        tracing::error!(error = %e, action, "audit write failed");
    }
}
