//! Login-session lookups in batches: every cloud-key request names its session, and the
//! lookups of concurrent requests go to the store as one query ([`Batcher`]), so a busy
//! co-signing service makes one database round trip for many requests instead of one each.
//! The query runs after the request arrived, so a session ended (or an account changed) before
//! that is seen as ended.

use crate::batch::{Batcher, Serve};
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
        let earliest = lookups
            .iter()
            .map(|(_, now)| *now)
            .min()
            .unwrap_or(i64::MAX);
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
        let store = store.clone();
        Self(Batcher::start("session lookup", BATCH, move || {
            Lookups(store.kept_connection())
        }))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn account(id: &str, user_id: &str) -> CloudAccountRow {
        CloudAccountRow {
            status: "approved".into(),
            ..CloudAccountRow::pending(
                id.into(),
                "HOSP".into(),
                user_id.into(),
                "李四".into(),
                None,
                "$argon2id$…".into(),
                0,
            )
        }
    }

    /// In one batch each caller gets the account of its own session, and its own time decides
    /// whether that session has expired.
    #[tokio::test]
    async fn each_caller_gets_its_own_session_at_its_own_time() {
        let store = Store::open_memory().await.unwrap();
        for (id, user) in [("acct-1", "U1"), ("acct-2", "U2")] {
            store
                .insert_cloud_account(&account(id, user), 0)
                .await
                .unwrap();
        }
        let (one, two, unknown) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        store
            .insert_cloud_session(&one, "acct-1", 100)
            .await
            .unwrap();
        store
            .insert_cloud_session(&two, "acct-2", 200)
            .await
            .unwrap();

        let mut lookups = Lookups(store.kept_connection());
        let batch = vec![(one, 150), (one, 50), (two, 150), (unknown, 0), (two, 200)];
        let ids: Vec<Option<String>> = lookups
            .serve(batch)
            .await
            .into_iter()
            .map(|answer| answer.unwrap().map(|row| row.id))
            .collect();
        assert_eq!(
            ids,
            [
                None,
                Some("acct-1".into()),
                Some("acct-2".into()),
                None,
                None
            ]
        );
    }
}
