//! `PhoneNumber`: a mainland China mobile number, validated at the edge.

use std::fmt;

/// A mainland China mobile number: 11 digits, `1` then `3`–`9`.
///
/// `Debug` masks the middle four digits so numbers don't land whole in logs; `Display` and
/// [`PhoneNumber::as_str`] give the digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

/// Why a string is not a mainland China mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a mainland China mobile number (11 digits starting with 13–19)")]
pub struct InvalidPhoneNumber;

impl PhoneNumber {
    /// Parses `13812345678`, also with a `+86`/`86` prefix and spaces or hyphens between groups.
    pub fn parse(input: &str) -> Result<Self, InvalidPhoneNumber> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| {
                (compact.len() == 13)
                    .then(|| compact.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&compact);
        let bytes = digits.as_bytes();
        let ok = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if ok {
            Ok(Self(digits.to_owned()))
        } else {
            Err(InvalidPhoneNumber)
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", mask_phone(&self.0))
    }
}

/// A phone number as shown to others (applicants' and accounts' views, audit actors, notices):
/// `138****0000`, the first three and last four kept; `****` for anything shorter than seven
/// characters.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn accepts_mobile_numbers_with_prefixes() {
        for s in [
            "13812345678",
            "+86 138 1234 5678",
            "8613812345678",
            "0086-138-1234-5678",
        ] {
            assert_eq!(
                PhoneNumber::parse(s).unwrap().as_str(),
                "13812345678",
                "{s}"
            );
        }
        assert_eq!(
            format!("{:?}", PhoneNumber::parse("19912345678").unwrap()),
            "PhoneNumber(199****5678)"
        );
    }

    #[test]
    fn masks_keep_three_and_four() {
        assert_eq!(mask_phone("13812340000"), "138****0000");
        assert_eq!(mask_phone("123456"), "****");
    }

    #[test]
    fn rejects_other_numbers() {
        for s in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "23812345678",
            "1381234567a",
            "+1 13812345678",
            "１３８１２３４５６７８",
        ] {
            assert!(PhoneNumber::parse(s).is_err(), "{s}");
        }
    }
}
