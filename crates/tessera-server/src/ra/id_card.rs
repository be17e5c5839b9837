//! Resident identity card numbers (GB 11643-1999): 6-digit area code, 8-digit birth date,
//! 3-digit sequence, and a check character from ISO 7064 MOD 11-2.

use time::{Date, Month};

/// Weights of the first 17 digits (GB 11643-1999 §8.1: 2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0-10.
const CHECK: &[u8; 11] = b"10X98765432";

/// Why a string is not a valid ID number; the text is safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdNumberError {
    /// Not 17 digits followed by a digit or `X`.
    #[error("ID number must be 18 characters: 17 digits then a digit or X")]
    Shape,
    /// Digits 7-14 are not a real date.
    #[error("ID number has an impossible birth date")]
    BirthDate,
    /// The check character does not match (GB 11643-1999 §8.1).
    #[error("ID number checksum does not match")]
    Checksum,
}

/// The check character of the first 17 digits.
fn check_char(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Validates `input` and returns it normalized (trimmed, lowercase `x` as `X`).
pub fn validate(input: &str) -> Result<String, IdNumberError> {
    let s = input.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    let shape = b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X');
    if !shape {
        return Err(IdNumberError::Shape);
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(num(6..10)).map_err(|_| IdNumberError::BirthDate)?;
    let month = u8::try_from(num(10..12))
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(IdNumberError::BirthDate)?;
    let day = u8::try_from(num(12..14)).map_err(|_| IdNumberError::BirthDate)?;
    if year < 1900 || Date::from_calendar_date(year, month, day).is_err() {
        return Err(IdNumberError::BirthDate);
    }
    if check_char(&b[..17]) != b[17] {
        return Err(IdNumberError::Checksum);
    }
    Ok(s)
}

/// `110105********002X`: the area code and the last four, the birth date hidden.
pub fn mask(id: &str) -> String {
    let head: String = id.chars().take(6).collect();
    let n = id.chars().count();
    let tail: String = id.chars().skip(n.saturating_sub(4)).collect();
    format!("{head}{}{tail}", "*".repeat(n.saturating_sub(10)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_example_and_its_corruptions() {
        // The example of GB 11643-1999 Annex A.
        assert_eq!(
            validate("11010519491231002x").as_deref(),
            Ok("11010519491231002X")
        );
        assert_eq!(
            validate("440524198001010013").as_deref(),
            Ok("440524198001010013")
        );
        assert_eq!(validate("11010519491231002Y"), Err(IdNumberError::Shape));
        assert_eq!(validate("110105194912310021"), Err(IdNumberError::Checksum));
        assert_eq!(
            validate("11010519491331002X"),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            validate("11010519490230002X"),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(validate("1101051949123100"), Err(IdNumberError::Shape));
        assert_eq!(validate("１１0105194912310021"), Err(IdNumberError::Shape));
        assert_eq!(mask("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn every_wrong_check_character_is_refused() {
        let body = b"32010619900307123";
        let good = check_char(body);
        for c in b"0123456789X" {
            let s = format!("{}{}", std::str::from_utf8(body).unwrap_or(""), *c as char);
            assert_eq!(validate(&s).is_ok(), *c == good, "{s}");
        }
    }
}
