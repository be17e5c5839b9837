//! Where the core keeps what it must remember between runs (a cloud account's wrapped share,
//! this install's device key): named blobs in a [`Store`]. Natively a folder ([`DirStore`]:
//! atomic writes, owner-only files); in the phone app, IndexedDB.

use std::path::PathBuf;

/// Named blobs, each written whole or not at all.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The bytes kept under `name`, or `None` when there are none.
    fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>>;

    /// Keeps `bytes` under `name`, replacing what was there, atomically and readable by this
    /// user only.
    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()>;

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
    }
}
