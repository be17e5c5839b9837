//! Request counts and latencies by route and status, rendered in the Prometheus text format
//! (exposition format 0.0.4). Hand-rolled: a mutex-guarded map is all a service of this size needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

type Key = (String, String, u16); // method, route, status

/// The request metrics of one service.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    series: Arc<Mutex<BTreeMap<Key, Series>>>,
}

impl Metrics {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<Key, Series>> {
        // a panic while holding the lock leaves counters that are still counters
        self.series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one request.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut map = self.lock();
        let s = map
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += seconds;
        for (bucket, le) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= le {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of everything recorded.
    pub fn render(&self) -> String {
        let map = self.lock();
        let mut out = String::new();
        out.push_str(
            "# HELP tessera_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE tessera_http_requests_total counter\n");
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "tessera_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP tessera_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE tessera_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in map.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            for (count, le) in s.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "tessera_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "tessera_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: times each request and records it under its route template (never the raw
/// path, which would blow up the label set); unmatched paths count as `unmatched`.
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}
