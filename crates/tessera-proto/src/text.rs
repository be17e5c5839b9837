//! Text that goes into certificates and onto screens: which characters a name may not hold.
//!
//! Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) make `CN=` + U+202E + `exe.txt`
//! read as something it is not; zero-width and other invisible characters (U+200B–U+200F,
//! U+2060–U+2064, U+FEFF, …) make two names that look the same differ; line and paragraph
//! separators (U+2028, U+2029) and control characters break lines in logs and terminals. The
//! service refuses all of them in names that go into certificates (RA and cloud alike).

/// Whether `c` may not appear in a name that goes into a certificate: a control character, a
/// bidirectional control, a zero-width or otherwise invisible format character, or a line or
/// paragraph separator.
pub fn is_forbidden_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'                      // soft hyphen
            | '\u{061C}'                    // Arabic letter mark
            | '\u{115F}' | '\u{1160}'       // Hangul fillers
            | '\u{180E}'                    // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}'       // zero-width space/non-joiner/joiner, LRM, RLM
            | '\u{2028}' | '\u{2029}'       // line and paragraph separators
            | '\u{202A}'..='\u{202E}'       // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'       // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'       // bidi isolates
            | '\u{206A}'..='\u{206F}'       // deprecated format characters
            | '\u{3164}' | '\u{FFA0}'       // Hangul fillers
            | '\u{FEFF}'                    // zero-width no-break space (BOM)
            | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotation
        )
}

/// The first character of `name` that [`is_forbidden_in_name`], if any.
pub fn forbidden_in_name(name: &str) -> Option<char> {
    name.chars().find(|&c| is_forbidden_in_name(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_invisible_and_separators_are_refused() {
        for bad in [
            "张\u{202E}三",
            "a\u{202A}b",
            "a\u{2066}b",
            "a\u{2069}b",
            "a\u{200B}b",
            "a\u{200F}b",
            "\u{FEFF}a",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{2060}b",
            "a\u{0007}b",
            "a\nb",
        ] {
            assert!(forbidden_in_name(bad).is_some(), "{bad:?}");
        }
        for good in [
            "张三",
            "Zhang San",
            "O'Brien-Smith",
            "示例医院 (北京)",
            "Ünal",
        ] {
            assert_eq!(forbidden_in_name(good), None, "{good:?}");
        }
    }
}
