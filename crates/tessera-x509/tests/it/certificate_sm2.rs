//! SM2 certificates from `../shared/testdata/sm2-certs` (Tongsuo's test certificates): every one
//! parses, names its key SM2 (also when the key algorithm is the SM2 curve OID itself) and its
//! signature SM2-with-SM3, the `*_expire` ones are expired, and the details agree with
//! `openssl x509`.

use crate::certificate_oracle as oracle;

use std::path::{Path, PathBuf};

use tessera_x509::certificate::{
    Authority, Certificate, ExtensionValue, KeyAlgorithm, KeyUsageClass, ValidityStatus,
    parse_certificates,
};
use time::OffsetDateTime;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sm2-certs")
}

/// The files holding certificates (not keys or CSRs), with the certificates in each.
fn certificate_files() -> Vec<(PathBuf, Vec<Certificate>)> {
    let mut files = Vec::new();
    for dir in [testdata(), testdata().join("sm2")] {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".crt") || name.ends_with("-cert.pem") || name.ends_with("-crt.pem") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let certs = parse_certificates(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, certs)
        })
        .collect()
}

#[test]
fn every_sm2_certificate_parses_as_sm2() {
    let files = certificate_files();
    assert_eq!(files.len(), 18, "certificate files in the test data");
    let now = OffsetDateTime::now_utc();
    let mut count = 0;
    for (path, certs) in &files {
        let expected = if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("chain-ca")
        {
            2
        } else {
            1
        };
        assert_eq!(certs.len(), expected, "{}", path.display());
        for cert in certs {
            let d = cert.details(now);
            assert_eq!(
                d.public_key.algorithm,
                KeyAlgorithm::Sm2,
                "{}",
                path.display()
            );
            assert_eq!(d.public_key.curve.as_deref(), Some("SM2"));
            assert_eq!(d.public_key.bits, Some(256));
            assert_eq!(
                d.signature_algorithm.name,
                "SM2-with-SM3",
                "{}",
                path.display()
            );
            assert_eq!(d.signature_algorithm.oid, "1.2.156.10197.1.501");
            assert_eq!(d.signature_algorithm.hash.as_deref(), Some("SM3"));
            assert_eq!(d.thumbprints.sm3.len(), 64);
            count += 1;
        }
    }
    assert_eq!(count, 20);
}

#[test]
fn key_algorithm_named_by_the_curve_oid() {
    let bytes = std::fs::read(testdata().join("sm2-root-cert.pem")).unwrap();
    let cert = parse_certificates(&bytes).unwrap().remove(0);
    let d = cert.details(OffsetDateTime::now_utc());
    assert_eq!(d.public_key.oid, "1.2.156.10197.1.301");
    assert_eq!(d.public_key.algorithm, KeyAlgorithm::Sm2);
    assert_eq!(d.kind.authority, Authority::Ca);
}

#[test]
fn expired_ones_are_expired() {
    let now = OffsetDateTime::now_utc();
    let mut seen = 0;
    for (path, certs) in certificate_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let status = certs[0].details(now).validity.status;
        if name.contains("_expire") {
            assert_eq!(status, ValidityStatus::Expired, "{name}");
            assert!(certs[0].details(now).validity.days_remaining < 0);
            seen += 1;
        } else {
            assert_ne!(status, ValidityStatus::Expired, "{name}");
        }
    }
    assert_eq!(seen, 4);
}

#[test]
fn sign_and_encryption_pairs() {
    let now = OffsetDateTime::now_utc();
    for (path, certs) in certificate_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let d = certs[0].details(now);
        if name.contains("_sign") {
            assert_eq!(d.kind.usage, KeyUsageClass::Signing, "{name}");
            assert_eq!(d.kind.authority, Authority::EndEntity, "{name}");
        } else if name.contains("_enc") {
            assert_eq!(d.kind.usage, KeyUsageClass::Encryption, "{name}");
            let ku = d.extensions.iter().find_map(|e| match &e.value {
                ExtensionValue::KeyUsage { usages } => Some(usages.clone()),
                _ => None,
            });
            assert!(ku.is_some_and(|u| !u.is_empty()), "{name}");
        }
    }
}

#[test]
fn sm2_details_match_openssl() {
    let now = OffsetDateTime::now_utc();
    let mut compared = 0;
    let mut failures = Vec::new();
    for (path, certs) in certificate_files() {
        for (i, cert) in certs.iter().enumerate() {
            // Each certificate goes to OpenSSL in our PEM, which checks `to_pem` on the way.
            let view = oracle::openssl_view(cert.to_pem().as_bytes());
            let diffs = oracle::compare(cert, &cert.details(now), &view);
            if !diffs.is_empty() {
                failures.push(format!(
                    "{} #{i}:\n  {}",
                    path.display(),
                    diffs.join("\n  ")
                ));
            }
            compared += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(compared, 20);
}
