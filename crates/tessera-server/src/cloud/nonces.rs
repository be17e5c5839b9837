//! Device-signature nonces in batches: every device-signed request names a fresh nonce, which
//! the store remembers (its primary key decides, so the check holds across replicas) until the
//! request's time window ends. The nonces of concurrent co-signatures go to the store as one
//! statement ([`Batcher`]), so replay protection costs a co-signature a share of one round trip.
//! A key operation's request also names its key share: the same transaction fetches the share
//! and counts the use ([`crate::store::Store::admit_device_requests`]), so the count costs no
//! commit of its own. Stale nonces are deleted at most once a minute by each service.

use crate::batch::{Batcher, Serve};
use crate::store::{Admission, DeviceRequest, KeptConnection, ShareKey, Store};

/// Nonces per statement at most.
const BATCH: usize = 256;
/// Seconds between two sweeps of stale nonces.
const SWEEP_EVERY: i64 = 60;

/// A request to admit, and the caller's time.
type Nonce = (DeviceRequest, i64);

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
    type Answer = Result<Admission, String>;

    async fn serve(&mut self, nonces: Vec<Nonce>) -> Vec<Self::Answer> {
        let now = nonces.iter().map(|(_, now)| *now).max().unwrap_or(0);
        if now >= self.next_sweep {
            self.next_sweep = now + SWEEP_EVERY;
            if let Err(e) = self.store.forget_device_nonces(now).await {
                tracing::warn!(error = %e, "stale device nonces not deleted");
            }
        }
        let requests: Vec<DeviceRequest> = nonces.into_iter().map(|(r, _)| r).collect();
        match self.conn.admit_device_requests(&requests, now).await {
            Ok(answers) => answers.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e.to_string()); requests.len()],
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

    /// Remembers `nonce` until `expires_at` and, when it is new and `share` is named, fetches
    /// that share and counts its use; [`Admission::Replayed`] when the nonce was seen before.
    pub async fn admit(
        &self,
        nonce: [u8; 16],
        expires_at: i64,
        share: Option<ShareKey>,
        now: i64,
    ) -> Result<Admission, String> {
        let request = DeviceRequest {
            nonce,
            expires_at,
            share,
        };
        self.0
            .call((request, now))
            .await
            .map_err(|e| e.to_string())?
    }
}
