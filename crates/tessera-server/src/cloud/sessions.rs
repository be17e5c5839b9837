//! Login-session lookups in batches: every cloud-key request names its session, and the
//! lookups of concurrent requests go to the store as one query ([`Batcher`]), so a busy
//! co-signing service makes one database round trip for many requests instead of one each.
//! The query runs after the request arrived, so a session ended (or an account changed) before
//! that is seen as ended.

use super::batch::{Batcher, Serve};
use crate::store::{CloudAccountRow, KeptConnection, Store};

/// Lookups per query at most.
const BATCH: usize = 256;

/// A session to look up: the SHA-256 of its token, and the caller's time.
type Lookup = ([u8; 32], i64);

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionLookups(Batcher<Lookups>);

/// The lookup task's side: its own store connection.
struct Lookups(KeptConnection);

impl Serve for Lookups {
    type Request = Lookup;
    type Answer = Result<Option<CloudAccountRow>, String>;

    async fn serve(&mut self, lookups: Vec<Lookup>) -> Vec<Self::Answer> {
        let hashes: Vec<[u8; 32]> = lookups.iter().map(|(hash, _)| *hash).collect();
        // The earliest time asked for, then each caller's own time below.
        let earliest = lookups.iter().map(|(_, now)| *now).min().unwrap_or(0);
        match self.0.cloud_session_accounts(&hashes, earliest).await {
            Ok(rows) => lookups
                .iter()
                .map(|(hash, now)| {
                    Ok(rows
                        .iter()
                        .find(|row| row.token_hash == hash && row.expires_at > *now)
                        .map(|row| row.account.clone()))
                })
                .collect(),
            Err(e) => vec![Err(e.to_string()); lookups.len()],
        }
    }
}

impl SessionLookups {
    /// Starts the lookup task on the current tokio runtime.
    pub fn start(store: &Store) -> Self {
        Self(Batcher::start(
            "session lookup",
            BATCH,
            Lookups(store.kept_connection()),
        ))
    }

    /// The account of the live session whose token hashes to `token_hash`, at `now`.
    pub async fn account(
        &self,
        token_hash: [u8; 32],
        now: i64,
    ) -> Result<Option<CloudAccountRow>, String> {
        self.0
            .call((token_hash, now))
            .await
            .map_err(|e| e.to_string())?
    }
}
