//! Device-signature nonces in batches: every device-signed request names a fresh nonce, which
//! the store remembers (its primary key decides, so the check holds across replicas) until the
//! request's time window ends. The nonces of concurrent co-signatures go to the store as one
//! statement ([`Batcher`]), so replay protection costs a co-signature a share of one round trip.
//! Stale nonces are deleted at most once a minute by each service.

use super::batch::{Batcher, Serve};
use crate::store::{KeptConnection, Store};

/// Nonces per statement at most.
const BATCH: usize = 256;
/// Seconds between two sweeps of stale nonces.
const SWEEP_EVERY: i64 = 60;

/// A nonce to remember: its bytes, the time its request goes stale, and the caller's time.
type Nonce = ([u8; 16], i64, i64);

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct DeviceNonces(Batcher<Nonces>);

/// The task's side: its own store connection, and when it last swept.
struct Nonces {
    conn: KeptConnection,
    store: Store,
    next_sweep: i64,
}

impl Serve for Nonces {
    type Request = Nonce;
    type Answer = Result<bool, String>;

    async fn serve(&mut self, nonces: Vec<Nonce>) -> Vec<Self::Answer> {
        let now = nonces.iter().map(|(_, _, now)| *now).max().unwrap_or(0);
        if now >= self.next_sweep {
            self.next_sweep = now + SWEEP_EVERY;
            if let Err(e) = self.store.forget_device_nonces(now).await {
                tracing::warn!(error = %e, "stale device nonces not deleted");
            }
        }
        let rows: Vec<([u8; 16], i64)> = nonces.iter().map(|(n, exp, _)| (*n, *exp)).collect();
        match self.conn.remember_device_nonces(&rows).await {
            Ok(fresh) => fresh.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e.to_string()); nonces.len()],
        }
    }
}

impl DeviceNonces {
    /// Starts the task on the current tokio runtime.
    pub fn start(store: &Store) -> Self {
        let store = store.clone();
        Self(Batcher::start("device nonces", BATCH, move || Nonces {
            conn: store.kept_connection(),
            store: store.clone(),
            next_sweep: 0,
        }))
    }

    /// Remembers `nonce` until `expires_at`; false when it was seen before (a replay).
    pub async fn remember(
        &self,
        nonce: [u8; 16],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, String> {
        self.0
            .call((nonce, expires_at, now))
            .await
            .map_err(|e| e.to_string())?
    }
}
