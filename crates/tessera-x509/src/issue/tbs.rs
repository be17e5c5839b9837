//! The DER shapes the CA writes: TBSCertificate and Certificate (RFC 5280 §4.1), times
//! (§4.1.2.5) and serial numbers (§4.1.2.2).

use std::time::Duration;

use der::{
    Encode as _, EncodeValue as _, Sequence,
    asn1::{BitString, GeneralizedTime, Uint, UtcTime},
};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::{ext::Extension, name::Name, time::Time};

use super::IssueError;

/// `TBSCertificate` (RFC 5280 §4.1) as this CA writes it: always v3, no unique identifiers
/// (§4.1.2.8: a conforming CA MUST NOT generate them).
#[derive(Sequence)]
pub(super) struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(super) version: u8,
    pub(super) serial_number: Uint,
    pub(super) signature: AlgorithmIdentifierOwned,
    pub(super) issuer: Name,
    pub(super) validity: Validity,
    pub(super) subject: Name,
    pub(super) subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) extensions: Option<Vec<Extension>>,
}

/// `Validity` (RFC 5280 §4.1.2.5).
#[derive(Sequence)]
pub(super) struct Validity {
    pub(super) not_before: Time,
    pub(super) not_after: Time,
}

/// `Certificate` (RFC 5280 §4.1).
#[derive(Sequence)]
struct SignedCertificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature_value: BitString,
}

pub(super) fn encoding(what: &'static str) -> impl Fn(der::Error) -> IssueError {
    move |e| IssueError::Encoding {
        what,
        reason: e.to_string(),
    }
}

/// DER of `tbs`, the bytes the CA signs.
pub(super) fn tbs_der(tbs: &TbsCertificate) -> Result<Vec<u8>, IssueError> {
    tbs.to_der().map_err(encoding("TBSCertificate"))
}

/// DER of the signed certificate.
pub(super) fn assemble(tbs: TbsCertificate, signature: &[u8]) -> Result<Vec<u8>, IssueError> {
    let cert = SignedCertificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature_value: BitString::from_bytes(signature).map_err(encoding("signature"))?,
    };
    cert.to_der().map_err(encoding("Certificate"))
}

/// UTCTime for dates through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5, §5.1.2.4),
/// whole seconds.
pub(super) fn x509_time(t: OffsetDateTime) -> Result<Time, IssueError> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| IssueError::InvalidValidity {
        reason: "times before 1970 cannot be encoded",
    })?;
    let d = Duration::from_secs(secs);
    let bad = |_| IssueError::InvalidValidity {
        reason: "time out of the range X.509 can encode",
    };
    if t.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d).map_err(bad)?))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d).map_err(bad)?,
        ))
    }
}

/// A fresh serial number: 16 bytes from the OS CSPRNG read as a non-negative integer, which
/// DER writes with a leading zero octet when the top bit is set (RFC 5280 §4.1.2.2: positive,
/// at most 20 octets). Zero (probability 2^-128) is drawn again.
pub(super) fn random_serial() -> Result<Vec<u8>, IssueError> {
    loop {
        let bytes = tessera_crypto::rng::bytes::<16>()?;
        if bytes.iter().any(|b| *b != 0) {
            return Ok(bytes.to_vec());
        }
    }
}

/// A serial given by the caller: big-endian magnitude, positive, at most 20 octets encoded.
pub(super) fn serial_uint(magnitude: &[u8]) -> Result<Uint, IssueError> {
    let bad = IssueError::InvalidSerial;
    if magnitude.iter().all(|b| *b == 0) {
        return Err(bad);
    }
    let uint = Uint::new(magnitude).map_err(|_| IssueError::InvalidSerial)?;
    let encoded_len = uint.value_len().map_err(|_| IssueError::InvalidSerial)?;
    if u32::from(encoded_len) > 20 {
        return Err(IssueError::InvalidSerial);
    }
    Ok(uint)
}
