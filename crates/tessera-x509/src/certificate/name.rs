//! Distinguished names (RFC 5280 §4.1.2.4, §4.1.2.6) as a user reads them: an RFC 4514 string
//! and the usual components, with every ASN.1 string type decoded to Unicode.

use der::Encode as _;
use serde::{Deserialize, Serialize};
use x509_cert::name::Name;

/// A subject or issuer name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameDetails {
    /// The whole name as an RFC 4514 string: last RDN first, `,` between RDNs, `+` inside a
    /// multi-valued RDN (whose members are also listed last first, as OpenSSL does), special
    /// characters escaped (§2.4). Attribute types use the short names
    /// of [`short_name`]; unknown types are dotted OIDs with a `#`-hex BER value, as §2.4 asks.
    pub rfc4514: String,
    /// commonName (2.5.4.3) values, in encoded order.
    pub cn: Vec<String>,
    /// organizationName (2.5.4.10).
    pub o: Vec<String>,
    /// organizationalUnitName (2.5.4.11).
    pub ou: Vec<String>,
    /// countryName (2.5.4.6).
    pub c: Vec<String>,
    /// stateOrProvinceName (2.5.4.8).
    pub st: Vec<String>,
    /// localityName (2.5.4.7).
    pub l: Vec<String>,
    /// emailAddress (PKCS #9, 1.2.840.113549.1.9.1), shown as `E`.
    pub email: Vec<String>,
    /// Every attribute, in encoded order (the first RDN first).
    pub attributes: Vec<NameAttribute>,
}

/// One attribute of a distinguished name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameAttribute {
    /// Attribute type, dotted decimal.
    pub oid: String,
    /// Short name (`CN`, `O`, `serialNumber`...) when the type is known.
    pub short_name: Option<String>,
    /// The value as text; values that are not strings are `#` and the hex of their encoding.
    pub value: String,
    /// Index of the RDN holding it (attributes sharing an index form a multi-valued RDN).
    pub rdn: usize,
}

impl NameDetails {
    /// Decodes `name`. Never fails: undecodable values appear in `#hex` form.
    pub fn from_name(name: &Name) -> Self {
        let mut details = NameDetails {
            rfc4514: String::new(),
            cn: Vec::new(),
            o: Vec::new(),
            ou: Vec::new(),
            c: Vec::new(),
            st: Vec::new(),
            l: Vec::new(),
            email: Vec::new(),
            attributes: Vec::new(),
        };
        let mut rdns: Vec<String> = Vec::new();
        for (index, rdn) in name.iter_rdn().enumerate() {
            let mut parts = Vec::new();
            for atv in rdn.iter() {
                let oid = atv.oid.to_string();
                let short = short_name(&oid);
                let encoded = atv.value.to_der().unwrap_or_default();
                let text = encoded
                    .first()
                    .and_then(|id| decode_string(*id, atv.value.value()));
                let value = text
                    .clone()
                    .unwrap_or_else(|| format!("#{}", hex::encode(&encoded)));
                let rendered = match (short, &text) {
                    (Some(short), Some(text)) => format!("{short}={}", escape(text)),
                    _ => format!("{oid}=#{}", hex::encode(&encoded)),
                };
                parts.push(rendered);
                if let Some(list) = match oid.as_str() {
                    "2.5.4.3" => Some(&mut details.cn),
                    "2.5.4.10" => Some(&mut details.o),
                    "2.5.4.11" => Some(&mut details.ou),
                    "2.5.4.6" => Some(&mut details.c),
                    "2.5.4.8" => Some(&mut details.st),
                    "2.5.4.7" => Some(&mut details.l),
                    "1.2.840.113549.1.9.1" => Some(&mut details.email),
                    _ => None,
                } {
                    list.push(value.clone());
                }
                details.attributes.push(NameAttribute {
                    oid,
                    short_name: short.map(str::to_owned),
                    value,
                    rdn: index,
                });
            }
            parts.reverse();
            rdns.push(parts.join("+"));
        }
        rdns.reverse();
        details.rfc4514 = rdns.join(",");
        details
    }
}

/// Short names for attribute types: RFC 4514 §3 for the nine it lists, `E` for emailAddress,
/// and otherwise the names OpenSSL prints, so users can compare with `openssl x509`.
pub fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.16" => "postalAddress",
        "2.5.4.17" => "postalCode",
        "2.5.4.18" => "postOfficeBox",
        "2.5.4.20" => "telephoneNumber",
        "2.5.4.41" => "name",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.45" => "x500UniqueIdentifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.72" => "role",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "E",
        "1.2.840.113549.1.9.2" => "unstructuredName",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return None,
    })
}

/// Decodes a string value to Unicode given its identifier octet (X.680 §41; RFC 5280 §4.1.2.4
/// DirectoryString): UTF8String, PrintableString, IA5String, VisibleString and NumericString as
/// themselves, TeletexString as Latin-1 (what RFC 5280 Appendix B and most software do),
/// BMPString as UTF-16BE, UniversalString as UCS-4 big-endian. `None` for other types.
pub(super) fn decode_string(identifier: u8, bytes: &[u8]) -> Option<String> {
    match identifier {
        0x0c => Some(String::from_utf8_lossy(bytes).into_owned()),
        0x12 | 0x13 | 0x14 | 0x16 | 0x1a => Some(latin1(bytes)),
        0x1e => Some(utf16be(bytes)),
        0x1c => {
            let chunks = bytes.chunks_exact(4);
            if !chunks.remainder().is_empty() {
                return None;
            }
            Some(
                chunks
                    .map(|c| match c {
                        [a, b, c, d] => char::from_u32(u32::from_be_bytes([*a, *b, *c, *d]))
                            .unwrap_or('\u{fffd}'),
                        _ => '\u{fffd}',
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn utf16be(bytes: &[u8]) -> String {
    let units = bytes.chunks(2).map(|c| match c {
        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
        _ => 0xfffd,
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{fffd}'))
        .collect()
}

/// Escapes a value per RFC 4514 §2.4; control characters become `\XX` as OpenSSL writes them.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, ch) in value.chars().enumerate() {
        match ch {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn string_types() {
        assert_eq!(
            decode_string(0x1e, &[0x5f, 0x20, 0x4e, 0x09]).unwrap(),
            "张三"
        );
        assert_eq!(decode_string(0x14, &[0x4d, 0xfc, 0x6c]).unwrap(), "Mül");
        assert_eq!(
            decode_string(0x1c, &[0, 0, 0x5f, 0x20, 0, 0, 0, 0x41]).unwrap(),
            "张A"
        );
        assert_eq!(decode_string(0x1c, &[0, 0, 0x5f]), None);
        assert_eq!(
            decode_string(0x0c, "某某单位".as_bytes()).unwrap(),
            "某某单位"
        );
        assert_eq!(decode_string(0x04, b"x"), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape(" #x "), "\\ #x\\ ");
        assert_eq!(escape("#x"), "\\#x");
        assert_eq!(escape("a\nb"), "a\\0Ab");
        assert_eq!(escape("某某单位"), "某某单位");
    }
}
