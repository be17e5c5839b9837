//! Pre-entered people of a project, imported from CSV (RFC 4180, UTF-8, optional BOM).
//!
//! The header names the columns, in any order: `name`, `id_number`, `phone`, `organization`
//! (or 姓名, 身份证号, 手机号, 单位). Each line is checked as an application would be; good lines
//! are stored (a known ID number's details are replaced), bad ones reported by line number.
//! Only a project whose policy is `pre_entered` takes them: a `review` project never reads
//! them, so an import there is refused rather than reported as done.

use tessera_proto::ra::{CsvLineError, PreEnteredImport};

use super::id_card;
use crate::phone::PhoneNumber;
use crate::store::{Project, RaPolicy, Store, StoreError};

/// Most records one import takes.
pub const MAX_RECORDS: usize = 10_000;

/// A record of the file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreEnteredPerson {
    /// Name.
    pub name: String,
    /// ID number, normalized.
    pub id_number: String,
    /// 11 digits.
    pub phone: String,
    /// Organization.
    pub organization: String,
}

const COLUMNS: [(&str, &str); 4] = [
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("organization", "单位"),
];

/// A CSV file read: the good records and the lines refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedCsv {
    /// Valid records, in file order.
    pub people: Vec<PreEnteredPerson>,
    /// Refused lines.
    pub errors: Vec<CsvLineError>,
}

/// Reads the CSV text; `Err` when the file as a whole is unusable.
pub fn parse(text: &str) -> Result<ParsedCsv, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("header: {e}"))?
        .clone();
    let mut index = [0usize; 4];
    for (slot, (en, zh)) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(en) || h == zh)
            .ok_or_else(|| format!("header lacks the column {en} ({zh})"))?;
    }
    let mut people = Vec::new();
    let mut errors = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(2);
        if people.len() + errors.len() >= MAX_RECORDS {
            return Err(format!("more than {MAX_RECORDS} records"));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(CsvLineError {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let field = |i: usize| record.get(index[i]).unwrap_or("");
        let person = (|| {
            let name = super::text_field("name", field(0), 64).map_err(|e| e.to_string())?;
            let id_number = id_card::validate(field(1)).map_err(|e| e.to_string())?;
            let phone = PhoneNumber::parse(field(2)).map_err(|e| e.to_string())?;
            let organization =
                super::text_field("organization", field(3), 128).map_err(|e| e.to_string())?;
            Ok::<_, String>(PreEnteredPerson {
                name,
                id_number,
                phone: phone.as_str().to_owned(),
                organization,
            })
        })();
        match person {
            Ok(p) => people.push(p),
            Err(reason) => errors.push(CsvLineError { line, reason }),
        }
    }
    Ok(ParsedCsv { people, errors })
}

/// Parses and stores the records of `text` for `project`, which must have the `pre_entered`
/// policy ([`ImportError::NotPreEntered`] otherwise, before anything is read or stored).
pub async fn import(
    store: &Store,
    project: &Project,
    text: &str,
    now: i64,
) -> Result<PreEnteredImport, ImportError> {
    if project.ra_policy != RaPolicy::PreEntered {
        return Err(ImportError::NotPreEntered {
            project: project.code.clone(),
        });
    }
    let project_id = project.id;
    let ParsedCsv { people, errors } = parse(text).map_err(ImportError::Format)?;
    let mut imported = 0;
    for p in &people {
        store
            .upsert_pre_entered(
                project_id,
                &p.name,
                &p.id_number,
                &p.phone,
                &p.organization,
                now,
            )
            .await?;
        imported += 1;
    }
    Ok(PreEnteredImport { imported, errors })
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is not usable CSV (no header, missing column, too long); safe to show.
    #[error("{0}")]
    Format(String),
    /// The project reviews every application and never reads pre-entered people; safe to show.
    #[error(
        "project {project} reviews every application; pre-entered people are read only by a project with ra_policy pre_entered"
    )]
    NotPreEntered {
        /// The project's code.
        project: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn reads_either_header_language_and_reports_bad_lines() {
        let text = "\u{feff}姓名,身份证号,手机号,单位\n\
                    张三,11010519491231002x,138 1234 5678,示例医院\n\
                    李四,110105194912310021,13812345679,示例医院\n\
                    \"王,五\",440524198001010013,13812345670,示例医院\n\
                    赵六,440524198001010013,12345,示例医院\n";
        let ParsedCsv { people, errors } = parse(text).unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].id_number, "11010519491231002X");
        assert_eq!(people[0].phone, "13812345678");
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(errors[0].reason.contains("checksum"), "{errors:?}");

        let parsed =
            parse("organization,phone,id_number,name\nA,13812345678,440524198001010013,Li\n")
                .unwrap();
        assert_eq!((parsed.people.len(), parsed.errors.len()), (1, 0));
        assert!(
            parse("name,phone\nx,y\n")
                .unwrap_err()
                .contains("id_number")
        );
    }
}
