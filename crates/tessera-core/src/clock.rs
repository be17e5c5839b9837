//! The time the core reads. Natively the system clock; in WebAssembly, where
//! `OffsetDateTime::now_utc` has no clock to ask, the phone app installs one over the
//! browser's `Date`. Installed once per process, like the HTTP transport ([`crate::net`]).

use std::sync::OnceLock;

use time::OffsetDateTime;

/// A source of the current time (UTC).
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> OffsetDateTime;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

static CLOCK: OnceLock<Box<dyn Clock>> = OnceLock::new();

/// Installs the process's clock. Returns `false` (and keeps the first) when one was installed
/// or read already: the time source does not change under running flows.
pub fn install(clock: Box<dyn Clock>) -> bool {
    CLOCK.set(clock).is_ok()
}

/// The current time from the installed clock ([`SystemClock`] when none was installed).
pub fn now() -> OffsetDateTime {
    CLOCK.get_or_init(|| Box::new(SystemClock)).now()
}
