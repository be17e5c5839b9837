//! The details model on certificates made by `openssl req` at test time: every extension kind,
//! key and signature algorithms beyond the Mozilla set (RSA-PSS, P-521, Ed25519, Ed448)
//! checked against `openssl x509`, validity status, the JSON contract and the flat field list.

use crate::certificate_oracle as oracle;

use tessera_x509::certificate::{
    Authority, CertificateDetails, ExtensionValue, GeneralNameKind, KeyAlgorithm, KeyUsageBit,
    KeyUsageClass, ValidityStatus, parse_certificates,
};
use time::OffsetDateTime;

use tessera_testkit::openssl::ok_in as openssl;

/// A self-signed certificate from `openssl req -x509` with `key_args` and `extra`.
fn make(key_args: &[&str], extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("req.cnf"),
        "[req]\ndistinguished_name=dn\n[dn]\n[dir_sect]\nCN=Dir Name\nO=Org\n",
    )
    .unwrap();
    let mut args = vec![
        "req", "-x509", "-new", "-config", "req.cnf", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
    ];
    args.extend_from_slice(key_args);
    args.extend_from_slice(extra);
    openssl(dir.path(), &args);
    std::fs::read(dir.path().join("c.pem")).unwrap()
}

fn details(pem: &[u8]) -> CertificateDetails {
    parse_certificates(pem)
        .unwrap()
        .remove(0)
        .details(OffsetDateTime::now_utc())
}

fn full_extensions() -> Vec<u8> {
    make(
        &[
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-days",
            "10",
            "-subj",
            "/CN=ext/emailAddress=a@example.com/serialNumber=42",
        ],
        &[
            "-addext",
            "subjectAltName=DNS:example.com,IP:192.0.2.1,IP:2001:db8::1,email:a@b.example,URI:https://x.example/,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example,dirName:dir_sect",
            "-addext",
            "extendedKeyUsage=serverAuth,clientAuth,1.2.3.5",
            "-addext",
            "authorityInfoAccess=OCSP;URI:http://ocsp.example,caIssuers;URI:http://ca.example/ca.crt",
            "-addext",
            "crlDistributionPoints=URI:http://crl.example/a.crl",
            "-addext",
            "certificatePolicies=1.2.3.6,2.23.140.1.2.1",
            "-addext",
            "basicConstraints=critical,CA:TRUE,pathlen:2",
            "-addext",
            "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
            "-addext",
            "authorityKeyIdentifier=keyid:always,issuer:always",
            "-addext",
            "1.2.3.4=critical,DER:0101FF",
        ],
    )
}

#[test]
fn every_extension_kind() {
    let d = details(&full_extensions());
    let find = |id: &str| {
        d.extensions
            .iter()
            .find(|e| e.id() == id)
            .unwrap_or_else(|| panic!("no {id}: {d:#?}"))
    };

    let ku = find("key_usage");
    assert!(ku.critical);
    assert_eq!(
        ku.value,
        ExtensionValue::KeyUsage {
            usages: vec![
                KeyUsageBit::DigitalSignature,
                KeyUsageBit::KeyEncipherment,
                KeyUsageBit::KeyCertSign
            ]
        }
    );
    assert_eq!(d.kind.usage, KeyUsageClass::Both);
    assert_eq!(d.kind.authority, Authority::Ca);
    assert_eq!(d.kind.path_len, Some(2));
    assert_eq!(
        find("basic_constraints").value,
        ExtensionValue::BasicConstraints {
            ca: true,
            path_len: Some(2)
        }
    );

    let ExtensionValue::ExtendedKeyUsage { purposes } = &find("extended_key_usage").value else {
        unreachable!()
    };
    let names: Vec<_> = purposes
        .iter()
        .map(|p| p.name.as_deref().unwrap_or(&p.oid))
        .collect();
    assert_eq!(names, ["server_auth", "client_auth", "1.2.3.5"]);

    let ExtensionValue::SubjectAltName { names } = &find("subject_alt_name").value else {
        unreachable!()
    };
    let got: Vec<_> = names
        .iter()
        .map(|n| (n.kind, n.value.as_str(), n.oid.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (GeneralNameKind::Dns, "example.com", None),
            (GeneralNameKind::Ip, "192.0.2.1", None),
            (GeneralNameKind::Ip, "2001:db8::1", None),
            (GeneralNameKind::Email, "a@b.example", None),
            (GeneralNameKind::Uri, "https://x.example/", None),
            (
                GeneralNameKind::OtherName,
                "upn@example",
                Some("1.3.6.1.4.1.311.20.2.3")
            ),
            (GeneralNameKind::Directory, "O=Org,CN=Dir Name", None),
        ]
    );
    assert_eq!(
        find("authority_info_access").value,
        ExtensionValue::AuthorityInfoAccess {
            ocsp: vec!["http://ocsp.example".to_owned()],
            ca_issuers: vec!["http://ca.example/ca.crt".to_owned()]
        }
    );
    assert_eq!(
        find("crl_distribution_points").value,
        ExtensionValue::CrlDistributionPoints {
            uris: vec!["http://crl.example/a.crl".to_owned()],
            other_names: vec![]
        }
    );
    let ExtensionValue::CertificatePolicies { policies, .. } = &find("certificate_policies").value
    else {
        unreachable!()
    };
    assert_eq!(policies, &["1.2.3.6", "2.23.140.1.2.1"]);

    let ExtensionValue::SubjectKeyIdentifier { key_id } = &find("subject_key_identifier").value
    else {
        unreachable!()
    };
    assert_eq!(key_id.len(), 40);
    let ExtensionValue::AuthorityKeyIdentifier {
        key_id: aki,
        issuer,
        serial,
    } = &find("authority_key_identifier").value
    else {
        unreachable!()
    };
    assert_eq!(aki.as_deref(), Some(key_id.as_str()));
    assert_eq!(issuer[0].value, d.issuer.rfc4514);
    assert_eq!(serial.as_deref(), Some(d.serial.as_str()));

    let other = find("other");
    assert_eq!(other.oid, "1.2.3.4");
    assert!(other.critical);
    assert!(
        matches!(&other.value, ExtensionValue::Other { value_hex, .. } if value_hex == "0101ff")
    );

    assert_eq!(d.subject.email, ["a@example.com"]);
    assert_eq!(d.subject.rfc4514, "serialNumber=42,E=a@example.com,CN=ext");
}

#[test]
fn algorithms_match_openssl() {
    let cases: &[(&[&str], KeyAlgorithm, Option<u32>, &str)] = &[
        (
            &["-newkey", "rsa:2048", "-sha384"],
            KeyAlgorithm::Rsa,
            Some(2048),
            "sha384WithRSAEncryption",
        ),
        (
            &[
                "-newkey",
                "rsa:2048",
                "-sha256",
                "-sigopt",
                "rsa_padding_mode:pss",
            ],
            KeyAlgorithm::Rsa,
            Some(2048),
            "RSASSA-PSS",
        ),
        (
            &["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"],
            KeyAlgorithm::RsaPss,
            Some(2048),
            "RSASSA-PSS",
        ),
        (
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyAlgorithm::Ec,
            Some(256),
            "ecdsa-with-SHA256",
        ),
        (
            &[
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-521",
                "-sha512",
            ],
            KeyAlgorithm::Ec,
            Some(521),
            "ecdsa-with-SHA512",
        ),
        (
            &["-newkey", "ed25519"],
            KeyAlgorithm::Ed25519,
            None,
            "Ed25519",
        ),
        (&["-newkey", "ed448"], KeyAlgorithm::Ed448, None, "Ed448"),
    ];
    for (args, alg, bits, sig) in cases {
        let mut args = args.to_vec();
        args.extend(["-subj", "/CN=alg", "-days", "1"]);
        let pem = make(&args, &[]);
        let cert = parse_certificates(&pem).unwrap().remove(0);
        let d = cert.details(OffsetDateTime::now_utc());
        assert_eq!(
            (d.public_key.algorithm, d.public_key.bits),
            (*alg, *bits),
            "{args:?}"
        );
        assert_eq!(d.signature_algorithm.name, *sig, "{args:?}");
        let diffs = oracle::compare(&cert, &d, &oracle::openssl_view(&pem));
        assert!(diffs.is_empty(), "{args:?}: {diffs:?}");
        if *sig == "RSASSA-PSS" {
            assert_eq!(
                d.signature_algorithm.hash.as_deref(),
                Some("SHA-256"),
                "{args:?}"
            );
        }
    }
}

#[test]
fn validity_status_at_given_times() {
    let pem = make(
        &[
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-subj",
            "/CN=v",
            "-days",
            "100",
        ],
        &[],
    );
    let cert = parse_certificates(&pem).unwrap().remove(0);
    let (nb, na) = (cert.not_before(), cert.not_after());
    let day = time::Duration::DAY;
    let at = |t| cert.details(t).validity.status;
    assert_eq!(at(nb - day), ValidityStatus::NotYetValid);
    assert_eq!(at(nb), ValidityStatus::Valid);
    assert_eq!(at(na - day * 31), ValidityStatus::Valid);
    assert_eq!(at(na - day * 29), ValidityStatus::ExpiringSoon);
    assert_eq!(at(na), ValidityStatus::ExpiringSoon);
    assert_eq!(at(na + time::Duration::SECOND), ValidityStatus::Expired);
    let d = cert.details(na - day * 10);
    assert_eq!(d.validity.days_remaining, 10);
    assert!(d.validity.not_after.ends_with('Z'));
    // No keyUsage: nothing restricts the key; no basicConstraints: an end entity.
    let d = cert.details(nb);
    assert_eq!(d.kind.usage, KeyUsageClass::Unrestricted);
}

#[test]
fn json_contract() {
    let d = details(&full_extensions());
    let v = serde_json::to_value(&d).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "version",
        "serial",
        "subject",
        "issuer",
        "self_issued",
        "validity",
        "kind",
        "public_key",
        "signature_algorithm",
        "extensions",
        "thumbprints",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(v["version"], 3);
    assert_eq!(v["subject"]["cn"][0], "ext");
    assert_eq!(v["kind"]["usage"], "both");
    assert_eq!(v["kind"]["authority"], "ca");
    assert_eq!(v["public_key"]["algorithm"], "ec");
    assert_eq!(v["public_key"]["curve"], "P-384");
    assert_eq!(v["public_key"]["bits"], 384);
    assert_eq!(v["signature_algorithm"]["name"], "ecdsa-with-SHA256");
    assert_eq!(v["validity"]["status"], "expiring_soon", "ten days left");
    assert_eq!(v["thumbprints"]["sha1"].as_str().unwrap().len(), 40);
    let ku = v["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "key_usage")
        .unwrap();
    assert_eq!(ku["oid"], "2.5.29.15");
    assert_eq!(ku["critical"], true);
    assert_eq!(ku["usages"][0], "digital_signature");
    let san = v["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "subject_alt_name")
        .unwrap();
    assert_eq!(
        san["names"][0],
        serde_json::json!({"kind": "dns", "value": "example.com"})
    );
    // The JSON decodes back into the same typed value.
    let back: CertificateDetails = serde_json::from_value(v).unwrap();
    assert_eq!(back, d);
}

#[test]
fn flat_fields_cover_the_details() {
    let pem = full_extensions();
    let cert = parse_certificates(&pem).unwrap().remove(0);
    let d = cert.details(OffsetDateTime::now_utc());
    let fields = d.fields();
    let get = |key: &str| -> Vec<&str> {
        fields
            .iter()
            .filter(|f| f.key == key)
            .map(|f| f.value.as_str())
            .collect()
    };
    assert_eq!(get("serial"), [d.serial.as_str()]);
    assert_eq!(get("subject.cn"), ["ext"]);
    assert_eq!(get("subject.email"), ["a@example.com"]);
    assert_eq!(get("subject"), [d.subject.rfc4514.as_str()]);
    assert_eq!(
        get("thumbprint.sha1"),
        [cert
            .thumbprint(tessera_crypto::digest::DigestAlgorithm::Sha1)
            .as_str()]
    );
    assert_eq!(get("thumbprint.sha256"), [d.thumbprints.sha256.as_str()]);
    assert_eq!(get("thumbprint.sm3"), [d.thumbprints.sm3.as_str()]);
    assert_eq!(get("thumbprint.md5"), [d.thumbprints.md5.as_str()]);
    assert_eq!(get("public_key.curve"), ["P-384"]);
    assert_eq!(
        get("extension.key_usage"),
        ["digital_signature, key_encipherment, key_cert_sign"]
    );
    assert_eq!(
        get("extension.authority_info_access.ocsp"),
        ["http://ocsp.example"]
    );
    assert_eq!(get("extension.subject_alt_name").len(), 7);
    let serial_attr = fields
        .iter()
        .find(|f| f.key == "subject.attribute")
        .unwrap();
    assert_eq!(
        (serial_attr.value.as_str(), serial_attr.qualifier.as_deref()),
        ("42", Some("serialNumber"))
    );
    let other = fields.iter().find(|f| f.key == "extension.other").unwrap();
    assert_eq!(
        (other.qualifier.as_deref(), other.critical),
        (Some("1.2.3.4"), Some(true))
    );
    let dns = fields
        .iter()
        .find(|f| f.key == "extension.subject_alt_name")
        .unwrap();
    assert_eq!(dns.qualifier.as_deref(), Some("dns"));
    // Keys are identifiers, never prose.
    for f in &fields {
        assert!(
            f.key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_' || b.is_ascii_digit()),
            "{}",
            f.key
        );
    }
}

#[test]
fn tricky_names_match_openssl() {
    let pem = make(
        &[
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-days",
            "1",
            "-multivalue-rdn",
            "-subj",
            r#"/CN=Smith\, John+UID=js/O=a\+b <c>;d\\e"f/OU= lead#/OU=#x trail /C=CN"#,
        ],
        &[],
    );
    let cert = parse_certificates(&pem).unwrap().remove(0);
    let d = cert.details(OffsetDateTime::now_utc());
    assert_eq!(d.subject.ou, [" lead#", "#x trail "]);
    assert_eq!(d.subject.cn, ["Smith, John"]);
    let diffs = oracle::compare(&cert, &d, &oracle::openssl_view(&pem));
    assert!(diffs.is_empty(), "{diffs:?}");
}
