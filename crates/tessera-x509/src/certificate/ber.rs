//! A minimal BER TLV walker (X.690 §8.1) for the containers around certificates.
//!
//! Certificates themselves are strict DER and go to `x509-cert`; the wrappers around them
//! (PKCS#7 `ContentInfo`, `SignedData`) are BER in the wild — Windows and Java write
//! indefinite lengths — so this walker accepts definite and indefinite lengths, high tag
//! numbers, and stops at a fixed nesting depth instead of recursing without bound.

/// Nesting deeper than this is refused rather than followed.
const MAX_DEPTH: usize = 32;

/// One element: identifier octets, contents, and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tlv<'a> {
    /// The first identifier octet (class, constructed bit, low tag number or 0x1f).
    pub(super) first: u8,
    /// The contents octets; for an indefinite length, without the end-of-contents marker.
    pub(super) contents: &'a [u8],
    /// The whole element, identifier to end.
    pub(super) raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The elements inside a constructed element.
    pub(super) fn children(&self) -> Children<'a> {
        Children {
            rest: self.contents,
            failed: false,
        }
    }
}

/// Iterator over consecutive elements; yields one error then stops on malformed input.
#[derive(Debug)]
pub(super) struct Children<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match read(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Reads one element from the front of `input`, returning it and what follows.
pub(super) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), &'static str> {
    read_at(input, 0)
}

fn read_at(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), &'static str> {
    if depth > MAX_DEPTH {
        return Err("nesting too deep");
    }
    let (&first, mut rest) = input.split_first().ok_or("unexpected end of data")?;
    if first & 0x1f == 0x1f {
        // High tag number form (X.690 §8.1.2.4): base-128 digits, last one without bit 8.
        let mut digits = 0usize;
        loop {
            let (&b, r) = rest.split_first().ok_or("truncated tag")?;
            rest = r;
            digits += 1;
            if digits > 4 {
                return Err("tag number too large");
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&len0, after_len) = rest.split_first().ok_or("truncated length")?;
    rest = after_len;
    let header_len = input.len() - rest.len();
    if len0 == 0x80 {
        // Indefinite length (X.690 §8.1.3.6): constructed only, ends with 00 00.
        if first & 0x20 == 0 {
            return Err("indefinite length on a primitive element");
        }
        let mut cursor = rest;
        loop {
            if cursor.len() >= 2 && cursor[0] == 0 && cursor[1] == 0 {
                let contents_len = rest.len() - cursor.len();
                let total = header_len + contents_len + 2;
                let (raw, after) = input.split_at_checked(total).ok_or("truncated element")?;
                let contents = rest.get(..contents_len).ok_or("truncated element")?;
                return Ok((
                    Tlv {
                        first,
                        contents,
                        raw,
                    },
                    after,
                ));
            }
            let (_, next) = read_at(cursor, depth + 1)?;
            cursor = next;
        }
    }
    let len = if len0 & 0x80 == 0 {
        usize::from(len0)
    } else {
        let n = usize::from(len0 & 0x7f);
        if n > std::mem::size_of::<u32>() {
            return Err("length too large");
        }
        let (bytes, r) = rest.split_at_checked(n).ok_or("truncated length")?;
        rest = r;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let header_len = input.len() - rest.len();
    let contents = rest.get(..len).ok_or("truncated element")?;
    let total = header_len + len;
    let (raw, after) = input.split_at_checked(total).ok_or("truncated element")?;
    Ok((
        Tlv {
            first,
            contents,
            raw,
        },
        after,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite() {
        let (t, rest) = read(&[0x30, 0x03, 0x02, 0x01, 0x05, 0xff]).unwrap();
        assert_eq!(t.contents, &[0x02, 0x01, 0x05]);
        assert_eq!(rest, &[0xff]);
        let (t, rest) = read(&[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]).unwrap();
        assert_eq!(t.contents, &[0x02, 0x01, 0x05]);
        assert_eq!(t.raw.len(), 7);
        assert!(rest.is_empty());
    }

    #[test]
    fn malformed_is_an_error() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x01],
            &[0x30, 0x84, 0xff],
            &[0x04, 0x80, 0, 0],
            &[0x30, 0x80, 0x02],
        ] {
            assert!(read(bad).is_err(), "{bad:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30, 0x80], 100).flatten().collect();
        assert!(read(&deep).is_err());
    }
}
