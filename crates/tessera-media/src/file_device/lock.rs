//! Locks between processes that use one device file, kept in two files beside it (the device
//! file itself is replaced by `rename(2)` on every write, so a lock on it would be lost):
//!
//! - `<name>.lock`, held exclusively across every read-modify-write of the device file, so that
//!   a PIN try is reserved atomically and no writer puts back a counter it read before another
//!   process decremented it;
//! - `<name>.checking`, held shared by every PIN check while its Argon2id runs (outside the
//!   write lock, so parallel attempts each pay for their own), so that a right PIN restores the
//!   counter only when no other check is in flight.
//!
//! Both are `flock(2)` locks (std's [`File::lock`]): the system drops them when the process
//! ends, killed or not, so a crash never leaves a device locked.

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::{Path, PathBuf},
};

use crate::{MediumError, Result};

/// Suffix of the write lock file.
pub(crate) const WRITE_SUFFIX: &str = "lock";
/// Suffix of the PIN-check lock file.
pub(crate) const CHECK_SUFFIX: &str = "checking";

/// `<device file name>.<suffix>` in the device's folder.
fn sidecar(device: &Path, suffix: &str) -> PathBuf {
    let mut name = device.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    device.with_file_name(name)
}

/// Opens (creating, mode 0600) a lock file. Lock files are never deleted: removing one while
/// another process waits on it would let two holders in.
fn open(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| MediumError::io(path, e))
}

/// The exclusive write lock; released when dropped.
pub(super) struct WriteLock {
    _file: File,
}

impl WriteLock {
    /// Waits for and takes the device's write lock.
    pub(super) fn acquire(device: &Path) -> Result<Self> {
        let path = sidecar(device, WRITE_SUFFIX);
        let file = open(&path)?;
        file.lock().map_err(|e| MediumError::io(&path, e))?;
        Ok(Self { _file: file })
    }
}

/// One PIN check's handle on the check lock.
pub(super) struct CheckLock {
    file: File,
    path: PathBuf,
}

impl CheckLock {
    /// Opens the device's check lock without taking it.
    pub(super) fn open(device: &Path) -> Result<Self> {
        let path = sidecar(device, CHECK_SUFFIX);
        Ok(Self {
            file: open(&path)?,
            path,
        })
    }

    /// Marks this check as in flight. Taken while the write lock is held, together with the
    /// reservation, so that no one can see the reservation without the mark.
    pub(super) fn hold_shared(&self) -> Result<()> {
        self.file
            .lock_shared()
            .map_err(|e| MediumError::io(&self.path, e))
    }

    /// Ends this check's mark.
    pub(super) fn release(&self) -> Result<()> {
        self.file
            .unlock()
            .map_err(|e| MediumError::io(&self.path, e))
    }

    /// Whether no check is in flight now. Call with the write lock held and this handle's own
    /// mark released.
    pub(super) fn none_in_flight(&self) -> Result<bool> {
        match self.file.try_lock() {
            Ok(()) => {
                self.release()?;
                Ok(true)
            }
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(MediumError::io(&self.path, e)),
        }
    }
}
