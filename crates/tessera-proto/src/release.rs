//! `GET /v1/releases/latest`: the release feed clients check for updates.
//!
//! The service answers with the newest client release it offers; the client compares versions
//! (semantic versioning, `MAJOR.MINOR.PATCH`, pre-release tags rank below the release) and tells
//! the holder when a newer one exists. The feed is advisory: the client never downloads or
//! installs anything by itself.

use serde::{Deserialize, Serialize};

/// Path of the feed under the service's base URL.
pub const LATEST_PATH: &str = "/v1/releases/latest";

/// Answer of `GET /v1/releases/latest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Release {
    /// Version of the release, `MAJOR.MINOR.PATCH` with an optional `-pre` suffix.
    pub version: String,
    /// Publication date, RFC 3339 (`2026-11-01T00:00:00Z`).
    pub published: String,
    /// Where the holder can read about and fetch the release (an `https` page).
    pub url: String,
    /// Release notes per language tag (`zh-CN`, `en-US`); may be empty.
    #[serde(default)]
    pub notes: std::collections::BTreeMap<String, String>,
    /// Whether every older client should update (a security fix); clients say so more loudly.
    #[serde(default)]
    pub critical: bool,
}

/// A parsed `MAJOR.MINOR.PATCH[-pre]` version, ordered as semantic versioning orders releases
/// (SemVer 2.0.0 §11, with the pre-release compared as one string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// `MAJOR`, `MINOR`, `PATCH`.
    pub numbers: [u64; 3],
    /// The text after `-`, if any.
    pub pre: Option<String>,
}

impl Version {
    /// Parses `1.2.3` or `1.2.3-rc.1` (a leading `v` is allowed; build metadata after `+` is
    /// ignored). `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split('+').next().unwrap_or(s);
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_owned())),
            Some(_) => return None,
            None => (s, None),
        };
        let mut parts = core.split('.');
        let mut numbers = [0u64; 3];
        for n in &mut numbers {
            *n = parts.next()?.parse().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(Self { numbers, pre })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn versions_order_as_semver() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("0.2.0") > v("0.1.9"));
        assert!(v("1.0.0") > v("1.0.0-rc.1"));
        assert!(v("v1.10.0") > v("1.9.0"));
        assert_eq!(v("1.2.3+build.5"), v("1.2.3"));
        for bad in ["1.2", "1.2.3.4", "x.y.z", "1.2.3-", ""] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn feed_decodes_with_optional_members_missing() {
        let r: Release = serde_json::from_str(
            r#"{"version":"0.2.0","published":"2026-11-01T00:00:00Z","url":"https://example.invalid/r"}"#,
        )
        .unwrap();
        assert!(!r.critical && r.notes.is_empty());
        assert_eq!(
            serde_json::from_value::<Release>(serde_json::to_value(&r).unwrap()).unwrap(),
            r
        );
    }
}
