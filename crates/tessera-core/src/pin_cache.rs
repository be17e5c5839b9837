//! The PIN cache: after a successful PIN check the PIN may be kept in memory for a chosen time,
//! so that the holder is not asked again for every signature.
//!
//! Entries are per medium, evaluated against the setting in force at each use (a change applies
//! at the next PIN use), zeroized when they expire or are removed, dropped when a PIN turns out
//! wrong, never written anywhere, and gone when the client exits.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tessera_media::Pin;

/// How long a PIN stays cached: 1, 5, 10, 30 (default) or 60 minutes, or not at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[non_exhaustive]
pub enum PinCacheTime {
    /// Never cache: ask for the PIN every time.
    #[serde(rename = "off")]
    Off,
    /// One minute.
    #[serde(rename = "1")]
    Minutes1,
    /// Five minutes.
    #[serde(rename = "5")]
    Minutes5,
    /// Ten minutes.
    #[serde(rename = "10")]
    Minutes10,
    /// Thirty minutes (the default, as the reference client).
    #[default]
    #[serde(rename = "30")]
    Minutes30,
    /// An hour.
    #[serde(rename = "60")]
    Minutes60,
}

impl PinCacheTime {
    /// Every choice, in the order a settings screen offers them.
    pub const ALL: [PinCacheTime; 6] = [
        Self::Minutes1,
        Self::Minutes5,
        Self::Minutes10,
        Self::Minutes30,
        Self::Minutes60,
        Self::Off,
    ];

    /// How long an entry lives; `None` for [`PinCacheTime::Off`].
    pub fn duration(self) -> Option<Duration> {
        let minutes = match self {
            Self::Off => return None,
            Self::Minutes1 => 1,
            Self::Minutes5 => 5,
            Self::Minutes10 => 10,
            Self::Minutes30 => 30,
            Self::Minutes60 => 60,
        };
        Some(Duration::from_secs(minutes * 60))
    }

    /// The setting's value as written and read: `off`, `1`, `5`, `10`, `30`, `60`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Minutes1 => "1",
            Self::Minutes5 => "5",
            Self::Minutes10 => "10",
            Self::Minutes30 => "30",
            Self::Minutes60 => "60",
        }
    }

    /// Parses [`PinCacheTime::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// A source of monotonic time, injectable so tests control expiry.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

struct Entry {
    pin: Pin,
    cached_at: Instant,
}

/// PINs of the media the holder unlocked recently, in memory only.
pub struct PinCache<C: Clock = SystemClock> {
    clock: C,
    entries: HashMap<String, Entry>,
}

impl<C: Clock> std::fmt::Debug for PinCache<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinCache")
            .field("media", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Default for PinCache<SystemClock> {
    fn default() -> Self {
        Self::new(SystemClock)
    }
}

impl<C: Clock> PinCache<C> {
    /// An empty cache reading time from `clock`.
    pub fn new(clock: C) -> Self {
        Self {
            clock,
            entries: HashMap::new(),
        }
    }

    /// Keeps `pin` for `medium` after it was checked successfully, if `setting` allows caching.
    pub fn remember(&mut self, medium: &str, pin: &Pin, setting: PinCacheTime) {
        if setting.duration().is_none() {
            self.entries.remove(medium);
            return;
        }
        let entry = Entry {
            pin: pin.clone(),
            cached_at: self.clock.now(),
        };
        self.entries.insert(medium.to_owned(), entry);
    }

    /// The cached PIN of `medium` if it is still fresh under `setting`; a stale entry is removed
    /// (and zeroized) on the way.
    pub fn get(&mut self, medium: &str, setting: PinCacheTime) -> Option<Pin> {
        let now = self.clock.now();
        let fresh = match (self.entries.get(medium), setting.duration()) {
            (Some(entry), Some(ttl)) => now.saturating_duration_since(entry.cached_at) < ttl,
            _ => false,
        };
        if fresh {
            self.entries.get(medium).map(|e| e.pin.clone())
        } else {
            self.entries.remove(medium);
            None
        }
    }

    /// Drops the entry of `medium`: its PIN was wrong, changed, or the medium went away.
    pub fn forget(&mut self, medium: &str) {
        self.entries.remove(medium);
    }

    /// Drops every entry whose time is up under `setting`.
    pub fn purge_expired(&mut self, setting: PinCacheTime) {
        let now = self.clock.now();
        match setting.duration() {
            None => self.entries.clear(),
            Some(ttl) => self
                .entries
                .retain(|_, e| now.saturating_duration_since(e.cached_at) < ttl),
        }
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// How many media have a PIN cached (fresh or not yet purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no PIN is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    /// A clock the test moves by hand.
    #[derive(Clone)]
    struct ManualClock(Rc<Cell<Instant>>);

    impl ManualClock {
        fn new() -> Self {
            Self(Rc::new(Cell::new(Instant::now())))
        }
        fn advance(&self, by: Duration) {
            self.0.set(self.0.get() + by);
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Instant {
            self.0.get()
        }
    }

    fn pin(s: &str) -> Pin {
        Pin::new(s)
    }

    fn same(a: &Pin, b: &str) -> bool {
        a.expose() == b.as_bytes()
    }

    #[test]
    fn every_setting_expires_on_time() {
        for setting in PinCacheTime::ALL {
            let clock = ManualClock::new();
            let mut cache = PinCache::new(clock.clone());
            cache.remember("dev", &pin("123456"), setting);
            let Some(ttl) = setting.duration() else {
                assert!(cache.get("dev", setting).is_none(), "off caches nothing");
                assert!(cache.is_empty());
                continue;
            };
            clock.advance(ttl - Duration::from_secs(1));
            assert!(
                same(&cache.get("dev", setting).unwrap(), "123456"),
                "{setting:?} fresh"
            );
            clock.advance(Duration::from_secs(1));
            assert!(cache.get("dev", setting).is_none(), "{setting:?} expired");
            assert!(cache.is_empty(), "the expired entry is gone");
        }
    }

    #[test]
    fn default_is_thirty_minutes() {
        assert_eq!(
            PinCacheTime::default().duration(),
            Some(Duration::from_secs(30 * 60))
        );
    }

    #[test]
    fn entries_are_per_medium_and_a_wrong_pin_drops_one() {
        let clock = ManualClock::new();
        let mut cache = PinCache::new(clock);
        let s = PinCacheTime::Minutes5;
        cache.remember("a", &pin("1111"), s);
        cache.remember("b", &pin("2222"), s);
        assert!(same(&cache.get("a", s).unwrap(), "1111"));
        assert!(same(&cache.get("b", s).unwrap(), "2222"));
        cache.forget("a");
        assert!(cache.get("a", s).is_none());
        assert!(cache.get("b", s).is_some());
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn a_changed_setting_applies_at_the_next_use() {
        let clock = ManualClock::new();
        let mut cache = PinCache::new(clock.clone());
        cache.remember("dev", &pin("1234"), PinCacheTime::Minutes60);
        clock.advance(Duration::from_secs(6 * 60));
        // Shortened to 5 minutes: the 6-minute-old entry is stale at the next use.
        assert!(cache.get("dev", PinCacheTime::Minutes5).is_none());
        cache.remember("dev", &pin("1234"), PinCacheTime::Minutes60);
        assert!(
            cache.get("dev", PinCacheTime::Off).is_none(),
            "off drops what was cached"
        );
        assert!(cache.is_empty());
        cache.remember("dev", &pin("1234"), PinCacheTime::Minutes1);
        clock.advance(Duration::from_secs(2 * 60));
        cache.purge_expired(PinCacheTime::Minutes1);
        assert!(cache.is_empty());
    }

    #[test]
    fn setting_values_round_trip() {
        for t in PinCacheTime::ALL {
            assert_eq!(PinCacheTime::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(PinCacheTime::parse("15"), None);
    }

    #[test]
    fn debug_shows_no_pin() {
        let mut cache = PinCache::new(ManualClock::new());
        cache.remember("dev", &pin("987654"), PinCacheTime::Minutes30);
        let debug = format!("{cache:?}");
        assert!(!debug.contains("987654"));
    }
}
