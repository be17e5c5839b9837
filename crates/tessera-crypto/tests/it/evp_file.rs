//! A reader for OpenSSL's evp-test files (`test/recipes/30-test_evp_data/*.txt`).
//!
//! The format, as `test/evp_test.c` reads it: stanzas of `Keyword = value` lines separated by
//! blank lines; lines starting with `#` are ignored. A stanza's test keyword (`Digest`, `Cipher`,
//! `MAC`, `Verify`, `Decrypt`, ...) may be preceded by qualifiers such as `Availablein`.
//! `PrivateKey = NAME` / `PublicKey = NAME` are followed by a PEM block. Binary values are hex,
//! or a string in double quotes taken literally.

/// Keywords that qualify the test that follows them rather than naming one.
const QUALIFIERS: &[&str] = &[
    "Availablein",
    "FIPSversion",
    "Unapproved-fips",
    "Extended-Test",
];

/// One stanza, its fields in file order.
#[derive(Debug, Clone)]
pub(crate) struct Stanza {
    /// 1-based line of the stanza's first field.
    pub(crate) line: usize,
    pub(crate) fields: Vec<(String, String)>,
    /// The PEM block after `PrivateKey =` / `PublicKey =`, if any.
    pub(crate) pem: Option<String>,
}

impl Stanza {
    /// The test keyword and its value, e.g. `("Cipher", "SM4-CBC")`.
    pub(crate) fn kind(&self) -> (&str, &str) {
        self.fields
            .iter()
            .find(|(k, _)| !QUALIFIERS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .unwrap_or(("", ""))
    }

    /// The value of the first field named `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The values of every field named `key`, in order (`Ctrl` and `Input` may repeat).
    pub(crate) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The binary value of the first field named `key`.
    pub(crate) fn bytes(&self, key: &str) -> Option<Vec<u8>> {
        self.get(key)
            .map(|v| decode_value(v).unwrap_or_else(|e| panic!("line {}: {key}: {e}", self.line)))
    }

    /// Where this stanza is, for messages: `file:line (Keyword = value)`.
    pub(crate) fn at(&self, file: &str) -> String {
        let (k, v) = self.kind();
        format!("{file}:{} ({k} = {v})", self.line)
    }
}

/// A binary value: a quoted string taken literally, or hex (either case).
pub(crate) fn decode_value(v: &str) -> Result<Vec<u8>, String> {
    if let Some(inner) = v.strip_prefix('"') {
        let inner = inner.strip_suffix('"').ok_or("unterminated string")?;
        // evp_test unescapes a few sequences; none of our files use any, so refuse rather than
        // misread one.
        if inner.contains('\\') {
            return Err("escape sequences are not supported".into());
        }
        return Ok(inner.as_bytes().to_vec());
    }
    hex::decode(v).map_err(|e| format!("bad hex {v:?}: {e}"))
}

/// Splits the file into stanzas.
pub(crate) fn parse(text: &str) -> Vec<Stanza> {
    let mut stanzas = Vec::new();
    let mut current: Option<Stanza> = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let line = raw.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            stanzas.extend(current.take());
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("line {}: no `=` in {line:?}", i + 1));
        let (key, value) = (key.trim().to_owned(), value.trim().to_owned());
        let stanza = current.get_or_insert_with(|| Stanza {
            line: i + 1,
            fields: Vec::new(),
            pem: None,
        });
        if key == "PrivateKey" || key == "PublicKey" {
            let mut pem = String::new();
            for (j, raw) in lines.by_ref() {
                pem.push_str(raw.trim());
                pem.push('\n');
                if raw.trim().starts_with("-----END") {
                    break;
                }
                assert!(
                    !raw.trim().is_empty(),
                    "line {}: PEM block without END",
                    j + 1
                );
            }
            stanza.pem = Some(pem);
        }
        stanza.fields.push((key, value));
    }
    stanzas.extend(current);
    stanzas
}
