//! The audit trail of state changes: who, what, when and from where, one row per change. Every
//! row goes through [`Audit`] with a typed [`Action`]: through the group-committing
//! [`writer`] once the service started it, else straight to the store (operator commands).
//! Either way the caller waits for the commit.

pub mod writer;

use std::sync::{Arc, OnceLock};

use crate::clock::Clock;
use crate::store::{AuditEntry, Store, StoreError};

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Client address.
    pub ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

/// What was done. The stored spelling ([`Action::as_str`]) is part of the audit table's format:
/// operators search for it, so a spelling never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `admin_token.create` (first start).
    AdminTokenCreate,
    /// `organization.create`.
    OrganizationCreate,
    /// `project.create`.
    ProjectCreate,
    /// `certificate.issue` (an operator's CSR).
    CertificateIssue,
    /// `certificate.revoke`.
    CertificateRevoke,
    /// `ca.issue` (a certificate issued at an RA install).
    CaIssue,
    /// `ra.apply`.
    RaApply,
    /// `ra.approve`.
    RaApprove,
    /// `ra.reject`.
    RaReject,
    /// `ra.login`.
    RaLogin,
    /// `ra.install`.
    RaInstall,
    /// `ra.install.wrong-password`.
    RaInstallWrongPassword,
    /// `ra.renew`.
    RaRenew,
    /// `ra.pre-entered.import`.
    RaPreEnteredImport,
    /// `cloud.account.apply`.
    CloudAccountApply,
    /// `cloud.account.approved`.
    CloudAccountApproved,
    /// `cloud.account.rejected`.
    CloudAccountRejected,
    /// `cloud.login`.
    CloudLogin,
    /// `cloud.login.failed`: a wrong password, or an unknown user.
    CloudLoginFailed,
    /// `cloud.login.locked`: refused while locked, no password checked.
    CloudLoginLocked,
    /// `cloud.password.change`.
    CloudPasswordChange,
    /// `cloud.password.recover`.
    CloudPasswordRecover,
    /// `cloud.phone.bind`.
    CloudPhoneBind,
    /// `cloud.device.bind`.
    CloudDeviceBind,
    /// `cloud.signature_image.set`.
    CloudSignatureImageSet,
    /// `cloud.app_session.create`.
    CloudAppSessionCreate,
    /// `cloud.app_session.end`.
    CloudAppSessionEnd,
    /// `cloud.app_session.end_all`.
    CloudAppSessionEndAll,
    /// `cloud.key.generate`.
    CloudKeyGenerate,
    /// `cloud.certificate.issue`.
    CloudCertificateIssue,
    /// `cloud.sign`: a use of d2 to co-sign.
    CloudSign,
    /// `cloud.decrypt`: a use of d2 to co-decrypt.
    CloudDecrypt,
}

impl Action {
    /// Every action, for tests and documentation.
    pub const ALL: [Self; 32] = [
        Self::AdminTokenCreate,
        Self::OrganizationCreate,
        Self::ProjectCreate,
        Self::CertificateIssue,
        Self::CertificateRevoke,
        Self::CaIssue,
        Self::RaApply,
        Self::RaApprove,
        Self::RaReject,
        Self::RaLogin,
        Self::RaInstall,
        Self::RaInstallWrongPassword,
        Self::RaRenew,
        Self::RaPreEnteredImport,
        Self::CloudAccountApply,
        Self::CloudAccountApproved,
        Self::CloudAccountRejected,
        Self::CloudLogin,
        Self::CloudLoginFailed,
        Self::CloudLoginLocked,
        Self::CloudPasswordChange,
        Self::CloudPasswordRecover,
        Self::CloudPhoneBind,
        Self::CloudDeviceBind,
        Self::CloudSignatureImageSet,
        Self::CloudAppSessionCreate,
        Self::CloudAppSessionEnd,
        Self::CloudAppSessionEndAll,
        Self::CloudKeyGenerate,
        Self::CloudCertificateIssue,
        Self::CloudSign,
        Self::CloudDecrypt,
    ];

    /// The spelling stored in the `action` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AdminTokenCreate => "admin_token.create",
            Self::OrganizationCreate => "organization.create",
            Self::ProjectCreate => "project.create",
            Self::CertificateIssue => "certificate.issue",
            Self::CertificateRevoke => "certificate.revoke",
            Self::CaIssue => "ca.issue",
            Self::RaApply => "ra.apply",
            Self::RaApprove => "ra.approve",
            Self::RaReject => "ra.reject",
            Self::RaLogin => "ra.login",
            Self::RaInstall => "ra.install",
            Self::RaInstallWrongPassword => "ra.install.wrong-password",
            Self::RaRenew => "ra.renew",
            Self::RaPreEnteredImport => "ra.pre-entered.import",
            Self::CloudAccountApply => "cloud.account.apply",
            Self::CloudAccountApproved => "cloud.account.approved",
            Self::CloudAccountRejected => "cloud.account.rejected",
            Self::CloudLogin => "cloud.login",
            Self::CloudLoginFailed => "cloud.login.failed",
            Self::CloudLoginLocked => "cloud.login.locked",
            Self::CloudPasswordChange => "cloud.password.change",
            Self::CloudPasswordRecover => "cloud.password.recover",
            Self::CloudPhoneBind => "cloud.phone.bind",
            Self::CloudDeviceBind => "cloud.device.bind",
            Self::CloudSignatureImageSet => "cloud.signature_image.set",
            Self::CloudAppSessionCreate => "cloud.app_session.create",
            Self::CloudAppSessionEnd => "cloud.app_session.end",
            Self::CloudAppSessionEndAll => "cloud.app_session.end_all",
            Self::CloudKeyGenerate => "cloud.key.generate",
            Self::CloudCertificateIssue => "cloud.certificate.issue",
            Self::CloudSign => "cloud.sign",
            Self::CloudDecrypt => "cloud.decrypt",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change to record: who did what, to what, from where.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// Who: `admin:<label>`, `admin-cli:<user>`, `cloud:<org>/<user ID>`,
    /// `applicant:<masked phone>`, `system`, ….
    pub actor: &'a str,
    /// What.
    pub action: Action,
    /// To what, e.g. an account id or a serial.
    pub subject: &'a str,
    /// From where.
    pub origin: &'a Origin,
}

/// The audit row could not be stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The store refused the row.
    #[error("audit write failed: {0}")]
    Store(#[from] StoreError),
    /// The group-committing writer failed or stopped.
    #[error("audit write failed: {0}")]
    Writer(String),
}

/// The audit service: the one way rows are written. Cheap to clone.
#[derive(Clone)]
pub struct Audit {
    store: Store,
    clock: Arc<dyn Clock>,
    writer: Arc<OnceLock<writer::AuditQueue>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit")
            .field("batched", &self.writer.get().is_some())
            .finish_non_exhaustive()
    }
}

impl Audit {
    /// Rows straight to `store`, stamped by `clock`, until [`Audit::start_writer`].
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            writer: Arc::default(),
        }
    }

    /// Starts the group-committing writer on the current tokio runtime (it keeps a store
    /// connection of its own); a second call keeps the first.
    pub fn start_writer(&self) {
        let _ = self
            .writer
            .get_or_init(|| writer::AuditQueue::start(&self.store));
    }

    /// The clock rows are stamped with.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Records `event` and waits for its commit; a failed write is logged, never returned: the
    /// change is made already.
    pub async fn record(&self, event: Event<'_>) {
        if let Err(e) = self.record_or_fail(event).await {
            tracing::error!(error = %e, action = %event.action, "audit write failed");
        }
    }

    /// Records `event` and waits for its commit; a failed write is returned, so that the
    /// caller withholds its result (a use of a key share fails closed).
    pub async fn record_or_fail(&self, event: Event<'_>) -> Result<(), AuditError> {
        let at = self.clock.now();
        match self.writer.get() {
            Some(writer) => writer
                .record(writer::AuditRow {
                    at,
                    actor: event.actor.to_owned(),
                    action: event.action.as_str().to_owned(),
                    subject: Some(event.subject.to_owned()),
                    source_ip: event.origin.ip.clone(),
                    request_id: event.origin.request_id.clone(),
                })
                .await
                .map_err(AuditError::Writer),
            None => write(&self.store, at, event).await,
        }
    }
}

/// Writes one row at `at` straight to `store` (the first start, before any service runs).
pub async fn write(store: &Store, at: i64, event: Event<'_>) -> Result<(), AuditError> {
    let entry = AuditEntry {
        at,
        actor: event.actor,
        action: event.action.as_str(),
        subject: Some(event.subject),
        source_ip: event.origin.ip.as_deref(),
        request_id: event.origin.request_id.as_deref(),
    };
    store.audit(&entry).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_spelling() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.as_str()), "{a} twice");
            assert!(
                a.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b"._-".contains(&b)),
                "{a}"
            );
        }
    }
}
