//! Per-address rate limits on the unauthenticated routes that do work (captcha images, SMS
//! codes, applications, logins, password recovery): a token bucket per client address, kept in
//! memory, answering 429 with `Retry-After` when empty.
//!
//! In memory on purpose: a replica that forgets its buckets on restart lets a client through a
//! little early, nothing worse; the limits that must hold across replicas (tries, SMS codes per
//! phone) are in the store.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::extract::ClientIp;
use crate::AppState;
use crate::error::ApiError;

/// Requests per client address on the limited routes (config `[limits.rate]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Requests an address may make at once (the bucket's size); 0 turns the limit off.
    pub burst: u32,
    /// Requests an address regains per minute.
    pub per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            burst: 20,
            per_minute: 20,
        }
    }
}

impl RateLimits {
    /// No limit: for in-process tests and tools.
    pub const OFF: Self = Self {
        burst: 0,
        per_minute: 0,
    };
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of one service process.
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(RateLimits::OFF)
    }
}

impl RateLimiter {
    /// A limiter with `limits`.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Takes one token for `ip` (an IPv6 address counts by its /64, which one client holds);
    /// `Err(seconds)` to wait when its bucket is empty.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let ip = bucket_of(ip);
        let RateLimits { burst, per_minute } = self.limits;
        if burst == 0 {
            return Ok(());
        }
        let burst = f64::from(burst);
        let per_sec = f64::from(per_minute) / 60.0;
        let refill = |b: &Bucket| {
            let secs = now.saturating_duration_since(b.at).as_secs_f64();
            (b.tokens + secs * per_sec).min(burst)
        };
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| refill(b) < burst);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = refill(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else if per_sec > 0.0 {
            let wait = Duration::from_secs_f64((1.0 - tokens) / per_sec);
            // whole seconds, rounded up
            Err(wait
                .as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0))
                .max(1))
        } else {
            Err(3600)
        }
    }
}

/// The bucket an address counts in: IPv4 as is (also when mapped into IPv6), IPv6 by /64.
fn bucket_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Whether `method path` is an unauthenticated route that does costly work.
pub fn is_limited(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && matches!(
            path,
            "/v1/captcha"
                | "/v1/sms/code"
                | "/v1/ra/applications"
                | "/v1/ra/sessions"
                | "/v1/ra/renewals"
                | "/v1/cloud/accounts"
                | "/v1/cloud/login"
                | "/v1/cloud/password/recover/code"
                | "/v1/cloud/password/recover"
        )
}

/// Middleware: a token from the client's bucket for each limited request, else 429. A request
/// without a known peer address (in-process tests) is not limited.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| request.uri().path(), |u| u.0.path());
    if is_limited(request.method(), path)
        && let Some(ip) = ClientIp::of(request.extensions())
        && let Err(retry_after) = state.rate.take(ip, Instant::now())
    {
        return ApiError::RateLimited { retry_after }.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn buckets_refill_per_address() {
        let l = RateLimiter::new(RateLimits {
            burst: 3,
            per_minute: 60,
        });
        let t0 = Instant::now();
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            l.take(a, t0).unwrap();
        }
        assert_eq!(l.take(a, t0), Err(1));
        l.take(b, t0).unwrap();
        l.take(a, t0 + Duration::from_secs(1)).unwrap();
        assert!(l.take(a, t0 + Duration::from_secs(1)).is_err());
        // one /64 is one client
        let c: IpAddr = "2001:db8::1".parse().unwrap();
        let d: IpAddr = "2001:db8::ffff:2".parse().unwrap();
        for _ in 0..3 {
            l.take(c, t0).unwrap();
        }
        assert!(l.take(d, t0).is_err());
        let off = RateLimiter::new(RateLimits::OFF);
        for _ in 0..1000 {
            off.take(a, t0).unwrap();
        }
    }
}
