//! Update check: asks the service's release feed (`GET {server}/v1/releases/latest`,
//! [`tessera_proto::release`]) whether a newer client exists, at most as often as the
//! `update-check` setting allows, and remembers the last answer in `update-check.json`.

use serde::{Deserialize, Serialize};
use tessera_proto::release::{LATEST_PATH, Release, Version};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::App;
use crate::net::{self, ConnectOptions, Request};
use crate::store::{DirStore, read_json, write_json};

/// This client's version.
pub const CURRENT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// File in the data directory holding the last check.
pub const STATE_FILE: &str = "update-check.json";
/// How long the app waits for the feed.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UpdateOutcome {
    /// This client is the newest release (or newer).
    UpToDate {
        /// The newest release's version.
        latest: String,
    },
    /// A newer release exists.
    Available {
        /// The release offered.
        release: Release,
    },
    /// The service could not be reached (offline, refused, timed out, HTTP error).
    Unreachable {
        /// Why.
        reason: String,
    },
    /// The service answered with something that is not a release feed.
    BadFeed {
        /// What was wrong with it.
        reason: String,
    },
}

/// The last check: when, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateCheckRecord {
    /// RFC 3339.
    pub checked_at: String,
    /// What it found.
    #[serde(flatten)]
    pub outcome: UpdateOutcome,
}

/// Compares a feed's release with this client.
pub fn judge(release: Release) -> UpdateOutcome {
    let (Some(latest), Some(current)) = (
        Version::parse(&release.version),
        Version::parse(CURRENT_VERSION),
    ) else {
        return UpdateOutcome::BadFeed {
            reason: format!("not a version: {}", release.version),
        };
    };
    if latest > current {
        UpdateOutcome::Available { release }
    } else {
        UpdateOutcome::UpToDate {
            latest: release.version,
        }
    }
}

/// Fetches the feed of the service at `server` over the installed transport
/// ([`crate::net::install`]) and judges it. Blocking: an async face runs it on a blocking
/// thread.
pub fn check(server: &str) -> UpdateOutcome {
    let options = ConnectOptions {
        timeout: TIMEOUT,
        ..ConnectOptions::default()
    };
    let unreachable = |reason: String| UpdateOutcome::Unreachable { reason };
    let transport = match net::connect(&options) {
        Ok(t) => t,
        Err(e) => return unreachable(e.to_string()),
    };
    let request = Request {
        method: "GET",
        url: format!("{}{LATEST_PATH}", server.trim_end_matches('/')),
        headers: Vec::new(),
        body: None,
    };
    let response = match transport.send(request) {
        Ok(r) if (200..300).contains(&r.status) => r,
        Ok(r) => return unreachable(format!("HTTP {}", r.status)),
        Err(e) => return unreachable(e.to_string()),
    };
    match serde_json::from_slice::<Release>(&response.body) {
        Ok(release) => judge(release),
        Err(e) => UpdateOutcome::BadFeed {
            reason: e.to_string(),
        },
    }
}

impl App {
    /// The last check, if any was recorded.
    pub fn last_update_check(&self) -> Option<UpdateCheckRecord> {
        read_json(&DirStore::new(self.data_dir()), STATE_FILE)
            .ok()
            .flatten()
    }

    /// Whether the app should check by itself now: a service is configured, the setting is
    /// not `never`, and the last check is older than the setting's interval.
    pub fn update_check_due(&self, now: OffsetDateTime) -> bool {
        let Some(interval) = self.settings().update_check.interval() else {
            return false;
        };
        if self.service_url().is_none() {
            return false;
        }
        let last = self
            .last_update_check()
            .and_then(|r| OffsetDateTime::parse(&r.checked_at, &Rfc3339).ok());
        last.is_none_or(|t| now - t >= interval || t > now)
    }

    /// Remembers a check made at `now`.
    pub fn record_update_check(&self, now: OffsetDateTime, outcome: UpdateOutcome) {
        let record = UpdateCheckRecord {
            checked_at: now
                .replace_nanosecond(0)
                .unwrap_or(now)
                .format(&Rfc3339)
                .unwrap_or_default(),
            outcome,
        };
        // Best effort: a record that cannot be kept only means the next check comes sooner.
        let _ = write_json(&DirStore::new(self.data_dir()), STATE_FILE, &record);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn release(version: &str) -> Release {
        Release {
            version: version.to_owned(),
            published: "2026-11-01T00:00:00Z".to_owned(),
            url: "https://example.invalid/r".to_owned(),
            notes: Default::default(),
            critical: false,
        }
    }

    #[test]
    fn newer_versions_are_offered() {
        assert!(matches!(
            judge(release("99.0.0")),
            UpdateOutcome::Available { .. }
        ));
        assert!(matches!(
            judge(release(CURRENT_VERSION)),
            UpdateOutcome::UpToDate { .. }
        ));
        assert!(matches!(
            judge(release("soon")),
            UpdateOutcome::BadFeed { .. }
        ));
    }

    #[test]
    fn checks_are_due_at_the_configured_frequency() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(Some(dir.path())).unwrap();
        let now = OffsetDateTime::now_utc();
        assert!(!app.update_check_due(now), "no service configured");
        app.set_setting("server", "http://127.0.0.1:9").unwrap();
        assert!(app.update_check_due(now));
        app.record_update_check(now, judge(release("0.0.1")));
        assert!(!app.update_check_due(now + time::Duration::hours(23)));
        assert!(app.update_check_due(now + time::Duration::hours(25)));
        app.set_setting("update-check", "weekly").unwrap();
        assert!(!app.update_check_due(now + time::Duration::days(6)));
        app.set_setting("update-check", "never").unwrap();
        assert!(!app.update_check_due(now + time::Duration::days(60)));
        assert!(matches!(
            app.last_update_check().unwrap().outcome,
            UpdateOutcome::UpToDate { .. }
        ));
    }
}
