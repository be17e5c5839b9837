//! Bad input to the CA engine gets typed errors: tampered requests, SM2 requests signed without
//! Z_A over the default ID, garbage, impossible validity and serials.

use std::str::FromStr as _;

use tessera_x509::issue::{
    CaAlgorithm, CaCertAndKey, CaKey, IssueError, IssueRequest, Name, Profile, issue, verify_csr,
    verify_csr_pem_or_der,
};
use time::{Duration, OffsetDateTime};

use tessera_testkit::openssl::ok_in as openssl;

fn openssl_csr(sigopt: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    openssl(
        dir.path(),
        &["genpkey", "-algorithm", "SM2", "-out", "k.pem"],
    );
    let mut args = vec![
        "req", "-new", "-key", "k.pem", "-subj", "/CN=x", "-sm3", "-outform", "DER", "-out",
        "r.der",
    ];
    args.extend(sigopt);
    openssl(dir.path(), &args);
    std::fs::read(dir.path().join("r.der")).unwrap()
}

#[test]
fn sm2_csr_with_default_id_verifies() {
    verify_csr(&openssl_csr(&["-sigopt", "distid:1234567812345678"])).unwrap();
}

/// OpenSSL 3.0 signs SM2 with an empty ID unless told otherwise: no Z_A over the default ID.
#[test]
fn sm2_csr_without_default_id_fails() {
    let err = verify_csr(&openssl_csr(&[])).unwrap_err();
    assert!(matches!(err, IssueError::CsrSignature), "{err:?}");
}

#[test]
fn tampered_csr_fails() {
    let mut der = openssl_csr(&["-sigopt", "distid:1234567812345678"]);
    // The subject's one-letter common name "x" (a string of length 1): change it to "y".
    let pos = der.windows(2).position(|w| w == [0x01, b'x']).unwrap() + 1;
    der[pos] = b'y';
    let err = verify_csr(&der).unwrap_err();
    assert!(matches!(err, IssueError::CsrSignature), "{err:?}");
}

#[test]
fn garbage_is_malformed() {
    for input in [
        &b""[..],
        b"\x30\x03\x02\x01",
        b"hello world",
        &[0x30, 0x80, 0, 0],
    ] {
        let err = verify_csr(input).unwrap_err();
        assert!(matches!(err, IssueError::MalformedCsr { .. }), "{err:?}");
    }
    let err = verify_csr_pem_or_der(
        b"-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----\n",
    )
    .unwrap_err();
    assert!(matches!(err, IssueError::MalformedCsr { .. }), "{err:?}");
    let err = verify_csr(&vec![0x30; 100_000]).unwrap_err();
    assert!(matches!(err, IssueError::MalformedCsr { .. }), "{err:?}");
}

#[test]
fn bad_requests_to_issue() {
    let now = OffsetDateTime::now_utc();
    let ca = CaCertAndKey::self_signed(
        CaKey::generate(CaAlgorithm::Sm2).unwrap(),
        Name::from_str("CN=Root").unwrap(),
        now,
        now + Duration::days(1),
        None,
    )
    .unwrap();
    let key = CaKey::generate(CaAlgorithm::Sm2)
        .unwrap()
        .spki_der()
        .unwrap();
    let req = |nb, na| {
        IssueRequest::new(
            Name::from_str("CN=x").unwrap(),
            key.clone(),
            Profile::signing(),
            nb,
            na,
        )
    };
    let err = issue(&ca, req(now, now)).unwrap_err();
    assert!(matches!(err, IssueError::InvalidValidity { .. }), "{err:?}");
    let err = issue(&ca, req(now, now + Duration::days(1)).with_serial(vec![0])).unwrap_err();
    assert!(matches!(err, IssueError::InvalidSerial), "{err:?}");
    let err = issue(
        &ca,
        req(now, now + Duration::days(1)).with_serial(vec![0xff; 21]),
    )
    .unwrap_err();
    assert!(matches!(err, IssueError::InvalidSerial), "{err:?}");
    let mut bad = req(now, now + Duration::days(1));
    bad.spki_der = b"not a key".to_vec();
    let err = issue(&ca, bad).unwrap_err();
    assert!(matches!(err, IssueError::UnsupportedKey { .. }), "{err:?}");
    let err = issue(
        &ca,
        req(now, now + Duration::days(1)).with_crl_url("http://例え.jp/crl"),
    )
    .unwrap_err();
    assert!(matches!(err, IssueError::InvalidName { .. }), "{err:?}");
    // A given serial is used as is.
    let cert = issue(
        &ca,
        req(now, now + Duration::days(1)).with_serial(vec![0x01, 0x02]),
    )
    .unwrap();
    assert_eq!(cert.serial_hex(), "0102");

    // An end-entity certificate cannot be a CA; a key that is not the certificate's is refused.
    let other = CaKey::generate(CaAlgorithm::Sm2).unwrap();
    let err = CaCertAndKey::new(cert, other.clone()).unwrap_err();
    assert!(matches!(err, IssueError::CaMismatch { .. }), "{err:?}");
    let err = CaCertAndKey::new(ca.certificate().clone(), other).unwrap_err();
    assert!(matches!(err, IssueError::CaMismatch { .. }), "{err:?}");
}

#[test]
fn keys_round_trip_through_pkcs8() {
    for alg in [CaAlgorithm::Sm2, CaAlgorithm::P256, CaAlgorithm::P384] {
        let key = CaKey::generate(alg).unwrap();
        let back = CaKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(back.algorithm(), alg);
        assert_eq!(back.spki_der().unwrap(), key.spki_der().unwrap());
    }
    assert_eq!(CaAlgorithm::from_name("SM2"), Some(CaAlgorithm::Sm2));
    assert_eq!(
        CaAlgorithm::from_name("rsa-3072"),
        Some(CaAlgorithm::Rsa { bits: 3072 })
    );
    assert_eq!(CaAlgorithm::from_name("rsa-1024"), None);
    assert!(CaKey::from_pkcs8_der(b"junk").is_err());
}
