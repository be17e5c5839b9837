//! Building blocks for malformed input: hex literals, hand-made DER, curve generators, and the
//! error checks the bad-input tests share.

use tessera_crypto::CryptoError;

/// Generator of sm2p256v1 (GB/T 32918.5 §3).
pub(crate) const SM2_GX: &str = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7";
pub(crate) const SM2_GY: &str = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";
/// Generator of P-256 (FIPS 186-4 §D.1.2.3).
pub(crate) const P256_GX: &str = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296";
pub(crate) const P256_GY: &str = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";

pub(crate) fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// An uncompressed SEC1 point `04 || x || y` from hex coordinates.
pub(crate) fn point(x: &str, y: &str) -> Vec<u8> {
    [&[4u8][..], &h(x), &h(y)].concat()
}

/// A DER TLV with a short or long definite length.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        len @ 0..=127 => out.push(len as u8),
        len @ 128..=255 => out.extend([0x81, len as u8]),
        len => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// An INTEGER with exactly these content bytes, minimal or not.
pub(crate) fn int(content: &[u8]) -> Vec<u8> {
    tlv(0x02, content)
}

pub(crate) fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

pub(crate) fn unwrap_err<T: std::fmt::Debug>(r: Result<T, CryptoError>) -> CryptoError {
    r.expect_err("bad input was accepted")
}

pub(crate) fn is_invalid_key(e: &CryptoError) -> bool {
    matches!(e, CryptoError::InvalidKey { .. })
}
