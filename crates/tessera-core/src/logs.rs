//! The app's log: one line per thing the holder did (media opened, certificate deleted, PIN
//! changed, settings changed), never a PIN or other secret, written only while the `logs`
//! setting is on; and the export for support: the log files in a gzip-compressed tar archive,
//! encrypted with age (X25519, <https://age-encryption.org/v1>) to the support team's public key
//! from the settings, saved as one file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::App;
use crate::settings::OnOff;

/// Sub-folder of the data directory holding the log files.
pub const LOGS_DIR: &str = "logs";
/// Sub-folder of the data directory exports are saved in.
pub const EXPORTS_DIR: &str = "exports";
const LOG_FILE: &str = "tessera.log";
const OLD_LOG_FILE: &str = "tessera.log.1";
/// Size at which the log is rotated (one older file is kept).
const MAX_LOG_LEN: u64 = 1 << 20;

/// Why the logs could not be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// No support public key is configured (`tessera settings set support-key age1…`).
    #[error("no support public key is configured")]
    NoSupportKey,
    /// The configured key is not an age X25519 recipient.
    #[error("the support public key is not a valid age X25519 recipient")]
    BadSupportKey,
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Encryption failed.
    #[error("encryption failed: {reason}")]
    Encrypt {
        /// Why (age's words).
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.to_owned(),
        source,
    }
}

impl App {
    /// Appends `event` to the log when logs are on. Logging never fails a flow: a log that
    /// cannot be written is skipped. Callers pass only what may be read by support staff.
    pub fn log(&self, event: &str) {
        if self.settings().logs == OnOff::Off {
            return;
        }
        let dir = self.data_dir().join(LOGS_DIR);
        let path = dir.join(LOG_FILE);
        let _ = std::fs::create_dir_all(&dir);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_LOG_LEN) {
            let _ = std::fs::rename(&path, dir.join(OLD_LOG_FILE));
        }
        let now = crate::clock::now()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .unwrap_or_default();
        let line = format!("{now} {}\n", event.replace(['\n', '\r'], " "));
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }

    /// The log files that exist, oldest first.
    pub fn log_files(&self) -> Vec<PathBuf> {
        let dir = self.data_dir().join(LOGS_DIR);
        [OLD_LOG_FILE, LOG_FILE]
            .iter()
            .map(|f| dir.join(f))
            .filter(|p| p.is_file())
            .collect()
    }

    /// Compresses the log files and encrypts them to the support key; returns the saved file
    /// (`exports/tessera-logs-YYYYMMDDTHHMMSSZ.tar.gz.age` in the data directory).
    pub fn export_logs(&self, now: OffsetDateTime) -> Result<PathBuf, LogError> {
        let key = self
            .settings()
            .support_key
            .as_deref()
            .ok_or(LogError::NoSupportKey)?;
        let recipient: age::x25519::Recipient = key.parse().map_err(|_| LogError::BadSupportKey)?;

        let mut archive = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for path in self.log_files() {
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            archive
                .append_path_with_name(&path, &name)
                .map_err(io(&path))?;
        }
        let about = format!(
            "tessera {}\nexported {}\n",
            env!("CARGO_PKG_VERSION"),
            now.format(&Rfc3339).unwrap_or_default()
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(about.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(u64::try_from(now.unix_timestamp()).unwrap_or(0));
        header.set_cksum();
        let dir = self.data_dir().join(EXPORTS_DIR);
        archive
            .append_data(&mut header, "about.txt", about.as_bytes())
            .map_err(io(&dir))?;
        let compressed = archive
            .into_inner()
            .and_then(flate2::write::GzEncoder::finish)
            .map_err(io(&dir))?;

        let encrypt = |e: &dyn std::fmt::Display| LogError::Encrypt {
            reason: e.to_string(),
        };
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| encrypt(&e))?;
        let mut sealed = Vec::new();
        let mut writer = encryptor
            .wrap_output(&mut sealed)
            .map_err(|e| encrypt(&e))?;
        writer.write_all(&compressed).map_err(|e| encrypt(&e))?;
        writer.finish().map_err(|e| encrypt(&e))?;

        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
        let path = dir.join(format!("tessera-logs-{stamp}.tar.gz.age"));
        tessera_media::write_atomic(&path, &sealed).map_err(|e| LogError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        self.log("logs exported");
        Ok(path)
    }

    /// A saved export by file name, if it exists; names with a path in them are refused.
    pub fn export_file(&self, name: &str) -> Option<PathBuf> {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && !name.starts_with('.');
        let path = self.data_dir().join(EXPORTS_DIR).join(name);
        (plain && path.is_file()).then_some(path)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::io::Read as _;

    use super::*;

    #[test]
    fn export_decrypts_with_the_support_identity_and_holds_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(Some(dir.path())).unwrap();
        assert!(matches!(
            app.export_logs(OffsetDateTime::now_utc()),
            Err(LogError::NoSupportKey)
        ));
        let identity = age::x25519::Identity::generate();
        app.set_setting("support-key", &identity.to_public().to_string())
            .unwrap();
        app.log("medium opened: test");
        let path = app.export_logs(OffsetDateTime::now_utc()).unwrap();
        assert!(
            app.export_file(path.file_name().unwrap().to_str().unwrap())
                .is_some()
        );
        assert!(app.export_file("../settings.json").is_none());

        let sealed = std::fs::read(&path).unwrap();
        let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
        let mut compressed = Vec::new();
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut compressed)
            .unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&compressed[..]));
        let mut names = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            if name == "tessera.log" {
                assert!(text.contains("medium opened: test"));
            }
            names.push(name);
        }
        assert_eq!(names, ["tessera.log", "about.txt"]);

        app.set_setting("logs", "off").unwrap();
        app.log("not written");
        let log = std::fs::read_to_string(&app.log_files()[0]).unwrap();
        assert!(!log.contains("not written"));
    }
}
