//! Fixed-length byte strings on the wire as lowercase hex: SEC1 uncompressed points
//! (`04 || x || y`, 65 bytes; GB/T 32918.1 §4.2.9) and 32-byte scalars and digests. A value
//! keeps the text as it arrived, so a bad one reaches the receiver's own checks and answers
//! (the service's `bad_point`), and [`HexBytes::decode`] is the one place that reads it.

use serde::{Deserialize, Serialize};

/// `N` bytes as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HexBytes<const N: usize>(String);

/// An elliptic-curve point, SEC1 uncompressed (`04 || x || y`).
pub type HexPoint = HexBytes<65>;

/// A 32-byte scalar or digest (SM2's `r`, `s`, `e`).
pub type Hex32 = HexBytes<32>;

/// A value that is not hex of the expected length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be hex of {expected} bytes")]
pub struct HexLengthError {
    /// The length expected, in bytes.
    pub expected: usize,
}

impl<const N: usize> HexBytes<N> {
    /// `bytes` as lowercase hex.
    pub fn new(bytes: &[u8; N]) -> Self {
        Self(hex::encode(bytes))
    }

    /// The bytes, if the text is hex of exactly `N` bytes (either case).
    pub fn decode(&self) -> Result<[u8; N], HexLengthError> {
        let mut out = [0u8; N];
        hex::decode_to_slice(&self.0, &mut out).map_err(|_| HexLengthError { expected: N })?;
        Ok(out)
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> From<[u8; N]> for HexBytes<N> {
    fn from(bytes: [u8; N]) -> Self {
        Self::new(&bytes)
    }
}

impl<const N: usize> TryFrom<&[u8]> for HexBytes<N> {
    type Error = HexLengthError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        let bytes: &[u8; N] = bytes
            .try_into()
            .map_err(|_| HexLengthError { expected: N })?;
        Ok(Self::new(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_of_the_exact_length_decodes() {
        let e = Hex32::new(&[0xab; 32]);
        assert_eq!(e.as_str(), "ab".repeat(32));
        assert_eq!(e.decode(), Ok([0xab; 32]));
        let json = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        for bad in [
            "",
            "ab",
            &"ab".repeat(33),
            &"zz".repeat(32),
            &"a".repeat(63),
        ] {
            let value: Hex32 = serde_json::from_str(&format!("\"{bad}\"")).unwrap_or(e.clone());
            assert_eq!(
                value.decode(),
                Err(HexLengthError { expected: 32 }),
                "{bad}"
            );
        }
        assert_eq!(
            HexPoint::new(&[4; 65]).decode().map(|p| p[0]),
            Ok(4),
            "points are 65 bytes"
        );
    }
}
