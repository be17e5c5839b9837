//! Secret files in the data folder: created with mode 0600, read whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A data-folder file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

fn err(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError {
        path: path.to_owned(),
        source,
    }
}

/// Reads `path`, or `None` if it does not exist.
pub fn read_secret(path: &Path) -> Result<Option<Vec<u8>>, FileError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(err(path)(e)),
    }
}

/// Writes a new file readable by the owner only (fails if it exists).
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(err(path))?;
    file.write_all(bytes).map_err(err(path))?;
    file.sync_all().map_err(err(path))
}

/// Creates the folder `path` (and parents), owner-only on Unix when newly made.
pub fn create_dir(path: &Path) -> Result<(), FileError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path).map_err(err(path))
}
