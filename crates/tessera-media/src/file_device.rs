//! File device (文件型设备): a soft medium kept in one file, keys wrapped under the PIN.
//!
//! Format: `docs/file-device.md`. Key derivation: Argon2id (RFC 9106); key wrapping
//! (`tessera_crypto::wrap`): AES-256-GCM or SM4-GCM (RFC 8998). Every write replaces the file
//! atomically ([`atomic`]).
//!
//! The retry counter stops guessing through the app only. Whoever copies the file can guess
//! offline; against that, the Argon2id cost per guess is the defence, so choose a PIN longer than
//! six digits where the threat matters.
//!
//! Processes share a device through two lock files beside it ([`lock`]): every read-modify-write
//! of the file holds the write lock, and a PIN try is reserved (the counter decremented and
//! written) under it before the Argon2id check runs, so N processes guessing at once never get
//! more than the counter allows.

pub(crate) mod atomic;
mod format;
mod lock;
mod objects;
mod wrap;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub use format::DEFAULT_SO_MAX_RETRIES;
use format::{Cipher, DeviceFile, FORMAT_NAME, FORMAT_VERSION, MAX_FILE_LEN, PinState};
pub use format::{KdfAlgorithm, KdfParams};

use crate::{AlgorithmMode, FormatError, MediumError, MediumInfo, MediumKind, Pin, Result, SoPin};

/// File name extension of device files.
pub const EXTENSION: &str = "tdev";
/// Shortest PIN or SO PIN accepted when one is set.
pub const MIN_PIN_LEN: usize = 6;
/// Longest PIN or SO PIN accepted when one is set.
pub const MAX_PIN_LEN: usize = 64;
/// Wrong PINs allowed before the device locks, unless chosen otherwise at creation.
pub const DEFAULT_MAX_RETRIES: u8 = 6;

/// How to make a new file device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateOptions {
    /// Name shown to the user; unique within a store.
    pub label: String,
    /// National mode wraps with SM4-GCM; standard mode with AES-256-GCM.
    pub mode: AlgorithmMode,
    /// Wrong PINs allowed before the device locks (1 to 100).
    pub max_retries: u8,
    /// Wrong SO PINs allowed before the SO PIN is blocked for good (1 to 100).
    pub so_max_retries: u8,
    /// Argon2id cost; [`KdfParams::default`] unless testing.
    pub kdf: KdfParams,
}

impl CreateOptions {
    /// Standard mode, 6 retries, default Argon2id cost.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            mode: AlgorithmMode::Standard,
            max_retries: DEFAULT_MAX_RETRIES,
            so_max_retries: DEFAULT_SO_MAX_RETRIES,
            kdf: KdfParams::default(),
        }
    }

    /// The same options in `mode`.
    pub fn mode(mut self, mode: AlgorithmMode) -> Self {
        self.mode = mode;
        self
    }

    /// The same options with `n` retries.
    pub fn max_retries(mut self, n: u8) -> Self {
        self.max_retries = n;
        self
    }

    /// The same options with `n` SO PIN retries.
    pub fn so_max_retries(mut self, n: u8) -> Self {
        self.so_max_retries = n;
        self
    }

    /// The same options with another Argon2id cost.
    pub fn kdf(mut self, kdf: KdfParams) -> Self {
        self.kdf = kdf;
        self
    }
}

/// A folder of device files, one per device (the client chooses the folder).
#[derive(Debug, Clone)]
pub struct FileDeviceStore {
    dir: PathBuf,
}

/// One entry of [`FileDeviceStore::list`]: a file and what it says, or why it cannot be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct ListedDevice {
    pub path: PathBuf,
    pub info: Result<MediumInfo>,
}

impl FileDeviceStore {
    /// The store in `dir`, creating the folder if needed.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| MediumError::io(&dir, e))?;
        Ok(Self { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every device file in the folder, sorted by path; unreadable ones are listed with their
    /// error rather than hidden.
    pub fn list(&self) -> Result<Vec<ListedDevice>> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| MediumError::io(&self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| MediumError::io(&self.dir, e))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let is_device = name.is_some_and(|n| !n.starts_with(atomic::TEMP_PREFIX))
                && path.extension().is_some_and(|e| e == EXTENSION);
            if is_device {
                let info = FileDevice::open(&path).and_then(|d| crate::Medium::info(&d));
                out.push(ListedDevice { path, info });
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Opens the device whose label or serial is `name`.
    pub fn open_device(&self, name: &str) -> Result<FileDevice> {
        for listed in self.list()? {
            if let Ok(info) = &listed.info
                && (info.label == name || info.serial == name)
            {
                return FileDevice::open(&listed.path);
            }
        }
        Err(MediumError::NotFound {
            label: name.to_owned(),
        })
    }

    /// Makes a new device with its user PIN and SO PIN; fails if the label is taken.
    pub fn create(&self, options: &CreateOptions, pin: &Pin, so_pin: &SoPin) -> Result<FileDevice> {
        if self
            .list()?
            .iter()
            .any(|d| d.info.as_ref().is_ok_and(|i| i.label == options.label))
        {
            return Err(MediumError::AlreadyExists {
                label: options.label.clone(),
            });
        }
        check_pin_len(pin.char_len())?;
        check_pin_len(so_pin.char_len())?;
        if !(1..=100).contains(&options.max_retries) || !(1..=100).contains(&options.so_max_retries)
        {
            return Err(FormatError::Invalid {
                what: "device options",
                reason: "max_retries and so_max_retries must be 1 to 100".into(),
            }
            .into());
        }
        options.kdf.check()?;
        let serial = hex::encode(tessera_crypto::rng::bytes::<8>()?);
        let cipher = Cipher::for_mode(options.mode);
        let data_key = wrap::random_key(cipher)?;
        let mut file = DeviceFile {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            label: options.label.clone(),
            serial: serial.clone(),
            maker: "Tessera".into(),
            mode: options.mode,
            cipher,
            kdf: options.kdf,
            pin: PinState::full(options.max_retries),
            so_pin_retries: Some(PinState::full(options.so_max_retries)),
            user_pin: format::WrappedKey::Blob(format::B64::default()),
            so_pin: format::WrappedKey::Blob(format::B64::default()),
            keys: Vec::new(),
            certificates: Vec::new(),
            data_objects: Vec::new(),
        };
        file.user_pin = wrap::wrap_data_key(&file, "user-pin", pin.expose(), &data_key)?;
        file.so_pin = wrap::wrap_data_key(&file, "so-pin", so_pin.expose(), &data_key)?;
        let path = self.dir.join(format!("{serial}.{EXTENSION}"));
        atomic::write(&path, &file.to_bytes()?)?;
        Ok(FileDevice {
            path,
            state: file,
            data_key: None,
            unwrapped_keys: Default::default(),
        })
    }
}

fn check_pin_len(len: usize) -> Result<()> {
    if (MIN_PIN_LEN..=MAX_PIN_LEN).contains(&len) {
        Ok(())
    } else {
        Err(MediumError::PinLength {
            min: MIN_PIN_LEN,
            max: MAX_PIN_LEN,
        })
    }
}

/// An open file device. Holds the data key in memory (zeroized on logout and drop) after a
/// successful login, and the private keys it has unwrapped since, so that repeated signatures
/// skip the unwrap, parse and public-key check (zeroized likewise).
pub struct FileDevice {
    path: PathBuf,
    state: DeviceFile,
    data_key: Option<Zeroizing<Vec<u8>>>,
    unwrapped_keys: std::collections::HashMap<String, crate::keys::PrivateKey>,
}

impl std::fmt::Debug for FileDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDevice")
            .field("path", &self.path)
            .field("label", &self.state.label)
            .field("logged_in", &self.data_key.is_some())
            .finish_non_exhaustive()
    }
}

impl FileDevice {
    /// Opens a device file. A damaged file gives [`FormatError::Corrupt`] and is left untouched;
    /// a file from a newer Tessera gives [`FormatError::NewerVersion`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let state = read_file(&path)?;
        Ok(Self {
            path,
            state,
            data_key: None,
            unwrapped_keys: Default::default(),
        })
    }

    /// Where the device lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Argon2id parameters stored in the file.
    pub fn kdf_params(&self) -> KdfParams {
        self.state.kdf
    }

    /// Re-reads the file, so that the retry counter is the one on disk.
    fn reload(&mut self) -> Result<()> {
        self.state = read_file(&self.path)?;
        Ok(())
    }

    /// Writes `next` atomically and makes it the state. Callers hold the write lock.
    fn commit(&mut self, next: DeviceFile) -> Result<()> {
        atomic::write(&self.path, &next.to_bytes()?)?;
        self.state = next;
        self.unwrapped_keys.clear();
        Ok(())
    }

    /// The one way a change is written: under the write lock, `change` is applied to the state
    /// as it is on disk now (not as this handle last saw it), so that no write puts back a retry
    /// counter another process has since decremented.
    fn update<T>(&mut self, change: impl FnOnce(&mut DeviceFile) -> Result<T>) -> Result<T> {
        let _write = lock::WriteLock::acquire(&self.path)?;
        self.reload()?;
        let mut next = self.state.clone();
        let out = change(&mut next)?;
        self.commit(next)?;
        Ok(out)
    }

    /// The data key, if logged in.
    fn data_key(&self) -> Result<&[u8]> {
        self.data_key
            .as_deref()
            .map(Vec::as_slice)
            .ok_or(MediumError::NotLoggedIn)
    }

    /// Checks `secret` (the user PIN or the SO PIN, as `role` says) against the file, its try
    /// reserved first: under the write lock the counter on disk is decremented and written, and
    /// this check marked in flight; the lock is released for the Argon2id check itself, so
    /// parallel attempts each pay for theirs but none is evaluated beyond the counter. Killing
    /// the app mid-check therefore does not buy a free guess either (the order smart cards use).
    /// On success returns the data key and the in-flight mark, which [`Self::settle`] ends.
    fn check_secret(
        &mut self,
        role: Role,
        secret: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, lock::CheckLock)> {
        let check = lock::CheckLock::open(&self.path)?;
        let left = {
            let _write = lock::WriteLock::acquire(&self.path)?;
            self.reload()?;
            let left = role.counter(&self.state).retries_left;
            if left == 0 {
                return Err(role.blocked());
            }
            let mut next = self.state.clone();
            role.counter_mut(&mut next).retries_left = left - 1;
            self.commit(next)?;
            check.hold_shared()?;
            left - 1
        };
        let (wrapped, name) = match role {
            Role::User => (&self.state.user_pin, "user-pin"),
            Role::So => (&self.state.so_pin, "so-pin"),
        };
        match wrap::unwrap_data_key(&self.state, name, secret, wrapped)? {
            Some(key) => Ok((key, check)),
            None => Err(role.incorrect(left)),
        }
    }

    /// After a right secret: under the write lock, restores `role`'s counter to its maximum if
    /// no other check is in flight (a success forgives the wrong tries already decided, never
    /// those still being checked, so a right PIN in a burst of guesses frees no slot for them),
    /// applies `change` and writes the result if anything changed.
    fn settle(
        &mut self,
        role: Role,
        check: lock::CheckLock,
        change: impl FnOnce(&mut DeviceFile),
    ) -> Result<()> {
        check.release()?;
        let _write = lock::WriteLock::acquire(&self.path)?;
        self.reload()?;
        let mut next = self.state.clone();
        if check.none_in_flight()? {
            let counter = role.counter_mut(&mut next);
            counter.retries_left = counter.max_retries;
        }
        change(&mut next);
        if next != self.state {
            self.commit(next)?;
        }
        Ok(())
    }

    /// Checks the user PIN (see [`Self::check_secret`]).
    fn verify_pin(&mut self, pin: &Pin) -> Result<Zeroizing<Vec<u8>>> {
        self.data_key = None;
        let (key, check) = self.check_secret(Role::User, pin.expose())?;
        self.settle(Role::User, check, |_| {})?;
        Ok(key)
    }

    fn login_impl(&mut self, pin: &Pin) -> Result<()> {
        let key = self.verify_pin(pin)?;
        self.data_key = Some(key);
        self.unwrapped_keys.clear();
        Ok(())
    }

    fn change_pin_impl(&mut self, old: &Pin, new: &Pin) -> Result<()> {
        check_pin_len(new.char_len())?;
        self.data_key = None;
        let (key, check) = self.check_secret(Role::User, old.expose())?;
        let user_pin = wrap::wrap_data_key(&self.state, "user-pin", new.expose(), &key)?;
        self.settle(Role::User, check, |next| next.user_pin = user_pin)?;
        self.data_key = Some(key);
        Ok(())
    }

    /// The SO PIN re-wraps the data key under a new user PIN and restores the user counter. The
    /// SO PIN has its own counter (format version 2), reserved the same way; at 0 it is blocked
    /// for good and the device can no longer be unlocked.
    fn unlock_impl(&mut self, so_pin: &SoPin, new: &Pin) -> Result<()> {
        check_pin_len(new.char_len())?;
        self.data_key = None;
        let (key, check) = self.check_secret(Role::So, so_pin.expose())?;
        let user_pin = wrap::wrap_data_key(&self.state, "user-pin", new.expose(), &key)?;
        self.settle(Role::So, check, |next| {
            next.user_pin = user_pin;
            next.pin.retries_left = next.pin.max_retries;
        })
    }

    fn info_impl(&self) -> MediumInfo {
        let s = &self.state;
        MediumInfo {
            kind: MediumKind::FileDevice,
            label: s.label.clone(),
            serial: s.serial.clone(),
            maker: s.maker.clone(),
            mode: s.mode,
            pin_retries_left: s.pin.retries_left,
            pin_max_retries: s.pin.max_retries,
            locked: s.pin.retries_left == 0,
            so_pin_retries_left: Some(s.so_counter().retries_left),
            so_pin_max_retries: Some(s.so_counter().max_retries),
            logged_in: self.data_key.is_some(),
            free_space: None,
        }
    }
}

/// Which PIN a check is for.
#[derive(Debug, Clone, Copy)]
enum Role {
    User,
    So,
}

impl Role {
    fn counter(self, file: &DeviceFile) -> PinState {
        match self {
            Role::User => file.pin,
            Role::So => file.so_counter(),
        }
    }

    fn counter_mut(self, file: &mut DeviceFile) -> &mut PinState {
        match self {
            Role::User => &mut file.pin,
            Role::So => file
                .so_pin_retries
                .get_or_insert(PinState::full(DEFAULT_SO_MAX_RETRIES)),
        }
    }

    /// The error when the counter is at 0.
    fn blocked(self) -> MediumError {
        match self {
            Role::User => MediumError::Locked,
            Role::So => MediumError::SoPinLocked,
        }
    }

    /// The error for a wrong secret with `left` tries left.
    fn incorrect(self, left: u8) -> MediumError {
        match self {
            Role::User => MediumError::PinIncorrect { retries_left: left },
            Role::So => MediumError::SoPinIncorrect {
                retries_left: Some(left),
            },
        }
    }
}

fn read_file(path: &Path) -> Result<DeviceFile> {
    use std::io::Read as _;
    let f = std::fs::File::open(path).map_err(|e| MediumError::io(path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| MediumError::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(FormatError::corrupt("file larger than 64 MiB").into());
    }
    DeviceFile::parse(&bytes)
}
