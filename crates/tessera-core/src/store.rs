//! Where the core keeps what it must remember between runs (a cloud account's wrapped share,
//! this install's device key): named blobs in a [`Store`]. Natively a folder ([`DirStore`]:
//! atomic writes, owner-only files); in the phone app, IndexedDB.

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A blob that could not be read, written or parsed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct StoreError {
    /// Where it is kept ([`Store::locate`]).
    pub location: String,
    /// Why.
    pub reason: String,
}

impl StoreError {
    /// `reason` about `name` in `store`.
    pub fn at(store: &dyn Store, name: &str, reason: impl std::fmt::Display) -> Self {
        Self {
            location: store.locate(name),
            reason: reason.to_string(),
        }
    }
}

/// The JSON value kept under `name`, or `None` when there is none.
pub fn read_json<T: DeserializeOwned>(
    store: &dyn Store,
    name: &str,
) -> Result<Option<T>, StoreError> {
    let fail = |e: &dyn std::fmt::Display| StoreError::at(store, name, e);
    match store.read(name).map_err(|e| fail(&e))? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| fail(&e)),
        None => Ok(None),
    }
}

/// Keeps `value` as JSON under `name`.
pub fn write_json<T: Serialize>(
    store: &dyn Store,
    name: &str,
    value: &T,
) -> Result<(), StoreError> {
    let fail = |e: &dyn std::fmt::Display| StoreError::at(store, name, e);
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| fail(&e))?;
    store.write(name, &bytes).map_err(|e| fail(&e))
}

/// Named blobs, each written whole or not at all.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The bytes kept under `name`, or `None` when there are none.
    fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>>;

    /// Keeps `bytes` under `name`, replacing what was there, atomically and readable by this
    /// user only.
    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()>;

    /// Forgets `name`; nothing to do when it is not there.
    fn remove(&self, name: &str) -> std::io::Result<()>;

    /// Where `name` is kept, for messages (a path, a database key).
    fn locate(&self, name: &str) -> String;
}

/// A folder: each name a file in it (`/` in a name is a sub-folder).
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// The store in `root` (made on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

impl Store for DirStore {
    fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        tessera_media::write_atomic(&path, bytes).map_err(std::io::Error::other)
    }

    fn remove(&self, name: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn locate(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn a_folder_keeps_blobs_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirStore::new(dir.path().join("cloud"));
        assert_eq!(store.read("share.key").unwrap(), None);
        store.write("share.key", b"first").unwrap();
        store.write("share.key", b"second").unwrap();
        assert_eq!(
            store.read("share.key").unwrap().as_deref(),
            Some(&b"second"[..])
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("cloud/share.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        assert!(store.locate("share.key").ends_with("cloud/share.key"));
        store.remove("share.key").unwrap();
        store.remove("share.key").unwrap();
        assert_eq!(store.read("share.key").unwrap(), None);
    }
}
