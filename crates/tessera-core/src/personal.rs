//! The personal-information list: what the app holds about the holder, shown masked.
//!
//! Self-service keeps the name, phone number and resident ID number the holder entered in
//! `personal.json` in the data directory; nothing else about the person is stored (certificates
//! on media are the holder's own and listed on the home screen).

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::store::{DirStore, Store, StoreError, read_json, write_json};

/// File name of the stored personal information inside the data directory.
pub const FILE_NAME: &str = "personal.json";

/// What self-service stored about the holder.
/// What self-service stored about the holder (the 个人信息 list), in `personal.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct PersonalInfo {
    /// Full name.
    pub name: Option<String>,
    /// Mobile phone number.
    pub phone: Option<String>,
    /// Identity document number.
    pub id_number: Option<String>,
}

/// One line of the list: what it is and its masked value, `None` when not held.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PersonalItem {
    /// `name`, `phone` or `id-number`.
    pub key: &'static str,
    /// The value with its middle masked, `None` when not held.
    pub masked: Option<String>,
}

/// The first character, then one `*` per remaining character (`张三丰` → `张**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    let first: String = chars.next().into_iter().collect();
    first + &"*".repeat(chars.count())
}

/// Keeps the first `head` and last `tail` characters, stars in between; all stars when the
/// value is too short to show anything safely.
fn mask_middle(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A phone number with the middle four digits hidden (`138****5678`).
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone, 3, 4)
}

/// A resident ID number showing only the first and last four characters.
pub fn mask_id_number(id: &str) -> String {
    mask_middle(id, 4, 4)
}

impl PersonalInfo {
    /// What a self-service application entered.
    pub fn from_applicant(name: &str, phone: &str, id_number: &str) -> Self {
        Self {
            name: Some(name.trim().to_owned()),
            phone: Some(phone.trim().to_owned()),
            id_number: Some(id_number.trim().to_ascii_uppercase()),
        }
    }

    /// Keeps it as `personal.json` in `store` (atomic, owner-only), replacing what was there.
    pub fn save(&self, store: &dyn Store) -> Result<(), StoreError> {
        write_json(store, FILE_NAME, self)
    }
}

impl App {
    /// What the app holds about the holder, masked. A missing or unreadable file means nothing
    /// is held.
    pub fn personal_information(&self) -> Vec<PersonalItem> {
        let info: PersonalInfo = read_json(&DirStore::new(self.data_dir()), FILE_NAME)
            .ok()
            .flatten()
            .unwrap_or_default();
        vec![
            PersonalItem {
                key: "name",
                masked: info.name.as_deref().map(mask_name),
            },
            PersonalItem {
                key: "phone",
                masked: info.phone.as_deref().map(mask_phone),
            },
            PersonalItem {
                key: "id-number",
                masked: info.id_number.as_deref().map(mask_id_number),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn values_are_masked() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn list_reads_what_self_service_stored() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(Some(dir.path())).unwrap();
        assert!(
            app.personal_information()
                .iter()
                .all(|i| i.masked.is_none())
        );
        std::fs::write(
            dir.path().join(FILE_NAME),
            r#"{"name":"李四","phone":"13912345678"}"#,
        )
        .unwrap();
        let items = app.personal_information();
        assert_eq!(items[0].masked.as_deref(), Some("李*"));
        assert_eq!(items[1].masked.as_deref(), Some("139****5678"));
        assert_eq!(items[2].masked, None);
    }
}
