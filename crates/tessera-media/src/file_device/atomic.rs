//! Atomic replacement of a file: write a temporary file in the same directory, fsync it, rename
//! it over the target, fsync the directory. A crash at any instant leaves the old or the new
//! file whole (POSIX `rename(2)` is atomic within a file system).

use std::{
    fs::{self, OpenOptions},
    io::Write as _,
    path::Path,
};

use crate::{MediumError, Result};

/// Prefix of temporary files; directory listings skip names starting with it.
pub(crate) const TEMP_PREFIX: &str = ".tmp-";

/// Replaces `path` with `bytes` atomically and durably: a crash at any instant leaves the old
/// or the new file whole. Used for device files and for the client's settings.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix: [u8; 8] = tessera_crypto::rng::bytes()?;
    let tmp = dir.join(format!("{TEMP_PREFIX}{name}.{}", hex::encode(suffix)));
    let result = write_tmp(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| MediumError::io(path, e))?;
        sync_dir(dir)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_tmp(tmp: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e| MediumError::io(tmp, e);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| MediumError::io(dir, e))?;
    }
    // Elsewhere (Windows, WebAssembly) a directory cannot be opened to sync it.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
