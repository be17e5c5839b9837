//! The client's settings: a small typed file in the data directory, written atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::pin_cache::PinCacheTime;

/// File name of the settings inside the data directory.
pub const FILE_NAME: &str = "settings.json";

/// The lock file that serialises changes to the settings between processes (never deleted).
const LOCK_NAME: &str = "settings.json.lock";

/// The line of business the holder chose at first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BusinessType {
    /// 数字证书业务: certificates on file devices and USB keys.
    Certificate,
    /// 云密钥业务: a cloud key co-signed with the service.
    CloudKey,
}

impl BusinessType {
    /// The value as written and read: `certificate`, `cloud-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::CloudKey => "cloud-key",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Certificate, Self::CloudKey]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// Whether the app writes its log files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OnOff {
    /// Enabled (the default).
    #[default]
    On,
    /// Disabled.
    Off,
}

impl OnOff {
    /// `on` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
        }
    }
}

/// How often the app asks the service's release feed whether a newer client exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UpdateCheck {
    /// At most once a day.
    #[default]
    Daily,
    /// At most once a week.
    Weekly,
    /// Only when the holder asks.
    Never,
}

impl UpdateCheck {
    /// Every choice, in the order a settings screen offers them.
    pub const ALL: [UpdateCheck; 3] = [Self::Daily, Self::Weekly, Self::Never];

    /// `daily`, `weekly` or `never`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Never => "never",
        }
    }

    /// How long a check stays good; `None` when the app never checks by itself.
    pub fn interval(self) -> Option<time::Duration> {
        match self {
            Self::Daily => Some(time::Duration::days(1)),
            Self::Weekly => Some(time::Duration::weeks(1)),
            Self::Never => None,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

/// Every setting, with its default when the file or a field is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Settings {
    /// How long a checked PIN stays in memory.
    pub pin_cache: PinCacheTime,
    /// Language of the interface; `None` follows the system locale.
    pub language: Option<Lang>,
    /// Business type chosen at first start; `None` until chosen.
    pub business: Option<BusinessType>,
    /// PKCS#11 modules (USB key drivers) to load besides `TESSERA_PKCS11_MODULES`.
    pub pkcs11_modules: Vec<PathBuf>,
    /// The vendor mechanism number (`CKM_VENDOR_DEFINED` and up) with which the USB keys sign
    /// SM2; PKCS#11 v2.40 defines none.
    pub pkcs11_sm2_mechanism: Option<u64>,
    /// Version of the privacy notice the holder accepted; `None` until accepted.
    pub privacy_accepted: Option<u32>,
    /// Whether the app keeps log files.
    pub logs: OnOff,
    /// How often to check the release feed for a newer client.
    pub update_check: UpdateCheck,
    /// Base URL of the Tessera service (`https://…`); `None` when none is configured.
    pub server: Option<String>,
    /// The support team's age X25519 public key (`age1…`) that exported logs are encrypted to.
    pub support_key: Option<String>,
}

/// Why settings could not be read, written or changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid settings JSON.
    #[error("{path} is not a valid settings file: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        reason: String,
    },
    /// Writing the file atomically failed.
    #[error(transparent)]
    Write(#[from] tessera_media::MediumError),
    /// No setting has this name.
    #[error("unknown setting {key}")]
    UnknownKey {
        /// The name given.
        key: String,
    },
    /// The value is not one the setting accepts.
    #[error("invalid value {value:?} for {key}; expected one of: {expected}")]
    InvalidValue {
        /// The setting.
        key: &'static str,
        /// The value given.
        value: String,
        /// The values it accepts.
        expected: &'static str,
    },
}

/// The names `settings get|set` accept, with the values each takes.
pub const KEYS: [(&str, &str); 10] = [
    ("pin-cache", "off, 1, 5, 10, 30, 60"),
    ("language", "zh-CN, en-US, system"),
    ("business", "certificate, cloud-key, none"),
    ("pkcs11-modules", "module paths separated by ':', or none"),
    (
        "pkcs11-sm2-mechanism",
        "a mechanism number (decimal or 0x hex), or none",
    ),
    (
        "privacy-accepted",
        "the accepted privacy-notice version, or none",
    ),
    ("logs", "on, off"),
    ("update-check", "daily, weekly, never"),
    ("server", "the service's http(s) URL, or none"),
    ("support-key", "an age X25519 recipient (age1...), or none"),
];

impl Settings {
    /// Reads the settings in `data_dir`; a missing file gives the defaults.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        let path = data_dir.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SettingsError::Corrupt {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SettingsError::Io { path, source }),
        }
    }

    /// Changes the settings file in `data_dir` by `change`, read afresh under an exclusive lock
    /// (`settings.json.lock`, `flock(2)`), so that two processes (the UI and the CLI) each
    /// keep what the other wrote: a change is applied to the file as it is now, not to a copy
    /// read when the process started. Returns the settings as written and the file's stamp
    /// ([`Settings::stamp`]) taken while the lock is still held, so that no other writer's
    /// change can hide behind it.
    pub fn update(
        data_dir: &Path,
        change: impl FnOnce(&mut Self) -> Result<(), SettingsError>,
    ) -> Result<(Self, Option<std::time::SystemTime>), SettingsError> {
        std::fs::create_dir_all(data_dir).map_err(|source| SettingsError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let lock_path = data_dir.join(LOCK_NAME);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .and_then(|f| f.lock().map(|()| f))
            .map_err(|source| SettingsError::Io {
                path: lock_path,
                source,
            })?;
        let mut settings = Self::load(data_dir)?;
        change(&mut settings)?;
        settings.save(data_dir)?;
        let stamp = Self::stamp(data_dir);
        drop(lock);
        Ok((settings, stamp))
    }

    /// When the settings file was last written, to notice another process's change.
    pub fn stamp(data_dir: &Path) -> Option<std::time::SystemTime> {
        std::fs::metadata(data_dir.join(FILE_NAME))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Writes the settings to `data_dir` atomically, creating the directory if needed.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        std::fs::create_dir_all(data_dir).map_err(|source| SettingsError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(FILE_NAME);
        let json = serde_json::to_vec_pretty(self).map_err(|e| SettingsError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        tessera_media::write_atomic(&path, &json)?;
        Ok(())
    }

    /// The value of setting `key` as text.
    pub fn get(&self, key: &str) -> Result<String, SettingsError> {
        Ok(match key {
            "pin-cache" => self.pin_cache.as_str().to_owned(),
            "language" => self.language.map_or("system", Lang::tag).to_owned(),
            "business" => self
                .business
                .map_or("none", BusinessType::as_str)
                .to_owned(),
            "pkcs11-sm2-mechanism" => self
                .pkcs11_sm2_mechanism
                .map_or("none".to_owned(), |m| format!("{m:#x}")),
            "privacy-accepted" => self
                .privacy_accepted
                .map_or("none".to_owned(), |v| v.to_string()),
            "logs" => self.logs.as_str().to_owned(),
            "update-check" => self.update_check.as_str().to_owned(),
            "server" => self.server.clone().unwrap_or_else(|| "none".to_owned()),
            "support-key" => self
                .support_key
                .clone()
                .unwrap_or_else(|| "none".to_owned()),
            "pkcs11-modules" if self.pkcs11_modules.is_empty() => "none".to_owned(),
            "pkcs11-modules" => {
                let paths: Vec<String> = self
                    .pkcs11_modules
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                paths.join(":")
            }
            _ => {
                return Err(SettingsError::UnknownKey {
                    key: key.to_owned(),
                });
            }
        })
    }

    /// Sets `key` from text, validating the value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingsError> {
        let invalid = |key: &'static str, expected: &'static str| SettingsError::InvalidValue {
            key,
            value: value.to_owned(),
            expected,
        };
        match key {
            "pin-cache" => {
                self.pin_cache =
                    PinCacheTime::parse(value).ok_or_else(|| invalid("pin-cache", KEYS[0].1))?;
            }
            "language" => {
                self.language = match value {
                    "system" => None,
                    tag => Some(Lang::parse(tag).ok_or_else(|| invalid("language", KEYS[1].1))?),
                };
            }
            "business" => {
                self.business = match value {
                    "none" => None,
                    other => Some(
                        BusinessType::parse(other).ok_or_else(|| invalid("business", KEYS[2].1))?,
                    ),
                };
            }
            "pkcs11-sm2-mechanism" => {
                let parsed = match value.strip_prefix("0x") {
                    _ if value == "none" => None,
                    Some(hex) => Some(u64::from_str_radix(hex, 16)),
                    None => Some(value.parse::<u64>()),
                };
                self.pkcs11_sm2_mechanism = parsed
                    .transpose()
                    .map_err(|_| invalid("pkcs11-sm2-mechanism", KEYS[4].1))?;
            }
            "privacy-accepted" => {
                self.privacy_accepted = match value {
                    "none" => None,
                    v => Some(
                        v.parse()
                            .map_err(|_| invalid("privacy-accepted", KEYS[5].1))?,
                    ),
                };
            }
            "logs" => {
                self.logs = match value {
                    "on" => OnOff::On,
                    "off" => OnOff::Off,
                    _ => return Err(invalid("logs", KEYS[6].1)),
                };
            }
            "update-check" => {
                self.update_check =
                    UpdateCheck::parse(value).ok_or_else(|| invalid("update-check", KEYS[7].1))?;
            }
            "server" => {
                self.server = match value.trim() {
                    "none" | "" => None,
                    url if url.starts_with("https://") || url.starts_with("http://") => {
                        Some(url.trim_end_matches('/').to_owned())
                    }
                    _ => return Err(invalid("server", KEYS[8].1)),
                };
            }
            "support-key" => {
                self.support_key = match value.trim() {
                    "none" | "" => None,
                    key if key.parse::<age::x25519::Recipient>().is_ok() => Some(key.to_owned()),
                    _ => return Err(invalid("support-key", KEYS[9].1)),
                };
            }
            "pkcs11-modules" => {
                self.pkcs11_modules = match value {
                    "none" | "" => Vec::new(),
                    list => list
                        .split(':')
                        .filter(|p| !p.is_empty())
                        .map(PathBuf::from)
                        .collect(),
                };
            }
            _ => {
                return Err(SettingsError::UnknownKey {
                    key: key.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// The client's data directory: `explicit` (`--data-dir`), else `TESSERA_DATA_DIR`, else the
/// platform's data directory for Tessera (`~/.local/share/tessera` on Linux).
pub fn data_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_owned());
    }
    if let Some(dir) = std::env::var_os("TESSERA_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "tessera").map(|d| d.data_dir().to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_values_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::load(dir.path()).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.get("pin-cache").unwrap(), "30");
        s.set("pin-cache", "5").unwrap();
        s.set("language", "en-US").unwrap();
        s.set("business", "cloud-key").unwrap();
        s.set("pkcs11-modules", "/usr/lib/a.so:/opt/b.so").unwrap();
        s.set("pkcs11-sm2-mechanism", "0x80000101").unwrap();
        s.set("privacy-accepted", "1").unwrap();
        s.set("logs", "off").unwrap();
        s.set("update-check", "weekly").unwrap();
        s.set("server", "http://127.0.0.1:8443/").unwrap();
        assert!(s.set("server", "ftp://x").is_err());
        assert!(s.set("support-key", "age1nope").is_err());
        assert!(s.set("pkcs11-sm2-mechanism", "sm2").is_err());
        s.save(dir.path()).unwrap();
        let back = Settings::load(dir.path()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.get("language").unwrap(), "en-US");
        assert_eq!(back.get("business").unwrap(), "cloud-key");
        assert_eq!(back.get("server").unwrap(), "http://127.0.0.1:8443");
        assert_eq!(back.get("update-check").unwrap(), "weekly");
        assert_eq!(back.get("logs").unwrap(), "off");
        assert_eq!(
            back.get("pkcs11-modules").unwrap(),
            "/usr/lib/a.so:/opt/b.so"
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME]);
    }

    #[test]
    fn bad_keys_values_and_files_are_typed_errors() {
        let mut s = Settings::default();
        assert!(matches!(
            s.set("colour", "red"),
            Err(SettingsError::UnknownKey { .. })
        ));
        assert!(matches!(
            s.set("pin-cache", "15"),
            Err(SettingsError::InvalidValue {
                key: "pin-cache",
                ..
            })
        ));
        assert!(matches!(
            s.set("language", "fr"),
            Err(SettingsError::InvalidValue { .. })
        ));
        assert!(matches!(
            s.get("colour"),
            Err(SettingsError::UnknownKey { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), b"{not json").unwrap();
        assert!(matches!(
            Settings::load(dir.path()),
            Err(SettingsError::Corrupt { .. })
        ));
    }

    #[test]
    fn unknown_fields_in_an_older_or_newer_file_are_tolerated() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            br#"{"pin-cache":"60","future":1}"#,
        )
        .unwrap();
        assert_eq!(
            Settings::load(dir.path()).unwrap().pin_cache,
            PinCacheTime::Minutes60
        );
    }
}
