//! SM2 chains from Tongsuo's test certificates (`../shared/testdata/sm2-certs`, see its README),
//! validated by `tessera_x509::chain` and cross-checked link by link with OpenSSL 3, which
//! verifies SM2 with `-vfyopt distid:1234567812345678`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use tessera_x509::chain::{
    ChainError, KeyUsageBit, RootSource, SubjectName, TrustStore, ValidationOptions, validate,
};
use time::{OffsetDateTime, macros::datetime};

/// A time inside every certificate's validity below (the expired ones aside).
const INSIDE: OffsetDateTime = datetime!(2024-06-01 00:00 UTC);

fn data(name: &str) -> PathBuf {
    tessera_testkit::testdata::testdata(&format!("sm2-certs/{name}"))
}

/// Every certificate in a PEM file, DER.
fn certs(path: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let block = &rest[start..];
        let end =
            block.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----".len();
        out.push(pem_rfc7468::decode_vec(&block.as_bytes()[..end]).unwrap().1);
        rest = &block[end..];
    }
    out
}

fn cert(path: &Path) -> Vec<u8> {
    certs(path).remove(0)
}

fn store(roots: &[&[u8]]) -> TrustStore {
    let mut store = TrustStore::new();
    for root in roots {
        assert!(store.add_user_root_der(root).unwrap());
    }
    store
}

/// Writes DER as PEM into a temporary file for OpenSSL.
fn pem_file(dir: &Path, name: &str, der: &[u8]) -> PathBuf {
    let path = dir.join(name);
    let pem = pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, der).unwrap();
    std::fs::write(&path, pem).unwrap();
    path
}

/// OpenSSL's verdict on one link: is `cert` signed by `issuer` (a partial chain, so the issuer
/// need not be self-signed), at `at`?
fn openssl_link(cert: &[u8], issuer: &[u8], at: OffsetDateTime) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let cert = pem_file(dir.path(), "cert.pem", cert);
    let issuer = pem_file(dir.path(), "issuer.pem", issuer);
    let out = tessera_testkit::openssl::output(
        Command::new("openssl")
            .args([
                "verify",
                "-vfyopt",
                "distid:1234567812345678",
                "-partial_chain",
                "-attime",
            ])
            .arg(at.unix_timestamp().to_string())
            .arg("-CAfile")
            .arg(&issuer)
            .arg(&cert),
    );
    out.status.success()
}

/// Each adjacent pair of a validated chain must verify under OpenSSL too.
fn assert_openssl_agrees(chain: &[Vec<u8>], at: OffsetDateTime) {
    for link in chain.windows(2) {
        assert!(
            openssl_link(&link[0], &link[1], at),
            "OpenSSL rejects a link we accepted"
        );
    }
}

/// Tongsuo `sm2/`: root ca -> sub ca -> {client,server}_{sign,enc}.
#[test]
fn tongsuo_root_sub_leaves() {
    let bundle = data("sm2/chain-ca.crt");
    let ca = certs(&bundle);
    let (root, sub) = (&ca[0], &ca[1]);
    let store = store(&[root]);
    for name in ["client_sign", "server_sign", "client_enc", "server_enc"] {
        let leaf = cert(&data(&format!("sm2/{name}.crt")));
        for options in [
            ValidationOptions::new().at(INSIDE),
            ValidationOptions::new(),
        ] {
            let chain = validate(&leaf, &[sub], &store, &options)
                .unwrap_or_else(|e| unreachable!("{name}: {e}"));
            assert_eq!(
                chain.certificates,
                vec![leaf.clone(), sub.clone(), root.clone()]
            );
            assert_eq!(chain.root_source, RootSource::User);
            assert_openssl_agrees(&chain.certificates, INSIDE);
        }
        // Signing certificates allow digitalSignature; encryption certificates do not.
        let signing = validate(
            &leaf,
            &[sub],
            &store,
            &ValidationOptions::signing().at(INSIDE),
        );
        if name.ends_with("sign") {
            assert!(signing.is_ok(), "{name}: {signing:?}");
        } else {
            assert!(
                matches!(&signing, Err(ChainError::KeyUsageNotAllowed { required }) if required.contains(&KeyUsageBit::DigitalSignature)),
                "{name}: {signing:?}"
            );
        }
        // Without the sub CA there is no path.
        assert_eq!(
            validate::<Vec<u8>>(&leaf, &[], &store, &ValidationOptions::new().at(INSIDE)),
            Err(ChainError::UnknownIssuer)
        );
    }
}

/// `*_expire.crt` ran from 2000 to 2001: expired now; in 2000 the sub CA (from 2023) is not
/// yet valid, so no time makes the chain valid.
#[test]
fn tongsuo_expired_leaves() {
    let bundle = data("sm2/chain-ca.crt");
    let ca = certs(&bundle);
    let store = store(&[&ca[0]]);
    for name in [
        "client_sign_expire",
        "server_sign_expire",
        "client_enc_expire",
        "server_enc_expire",
    ] {
        let leaf = cert(&data(&format!("sm2/{name}.crt")));
        let now = validate(&leaf, &[&ca[1]], &store, &ValidationOptions::new());
        assert_eq!(
            now,
            Err(ChainError::Expired {
                not_after: datetime!(2001-01-01 00:00 UTC)
            }),
            "{name}"
        );
        let then = validate(
            &leaf,
            &[&ca[1]],
            &store,
            &ValidationOptions::new().at(datetime!(2000-06-01 00:00 UTC)),
        );
        assert!(
            matches!(then, Err(ChainError::NotYetValid { .. })),
            "{name}: {then:?}"
        );
        // OpenSSL agrees the signature is fine but the chain is not valid now.
        assert!(!openssl_link(&leaf, &ca[1], OffsetDateTime::now_utc()));
    }
}

/// `sm2-root-cert.pem` names its key with the SM2 curve OID (not id-ecPublicKey) and signs
/// `sm2-cert.pem` and `sm2-first-crt.pem`, both also keyed that way or with id-ecPublicKey.
#[test]
fn root_keyed_by_curve_oid() {
    let root_path = data("sm2-root-cert.pem");
    let root = cert(&root_path);
    let store = store(&[&root]);
    for name in ["sm2-cert.pem", "sm2-first-crt.pem"] {
        let leaf = cert(&data(name));
        for options in [
            ValidationOptions::signing().at(INSIDE),
            ValidationOptions::signing(),
        ] {
            let chain = validate::<Vec<u8>>(&leaf, &[], &store, &options)
                .unwrap_or_else(|e| unreachable!("{name}: {e}"));
            assert_eq!(chain.certificates, vec![leaf.clone(), root.clone()]);
            assert_openssl_agrees(&chain.certificates, INSIDE);
        }
    }
}

/// `sm2-chain-ca.crt`: www.example.com (root) -> www.middle.com (pathlen 0) -> *.alipay.com,
/// a TLS server certificate.
#[test]
fn alipay_server_chain() {
    let bundle = data("sm2-chain-ca.crt");
    let ca = certs(&bundle);
    let (middle, root) = (&ca[0], &ca[1]);
    let leaf = cert(&data("sm2-leaf.crt"));
    let store = store(&[root]);
    let server = ValidationOptions::tls_server(SubjectName::Dns("www.alipay.com".into()));
    for options in [
        ValidationOptions::new().at(INSIDE),
        server.clone().at(INSIDE),
        server.clone(),
    ] {
        let chain = validate(&leaf, &[middle], &store, &options).unwrap();
        assert_eq!(
            chain.certificates,
            vec![leaf.clone(), middle.clone(), root.clone()]
        );
        assert_openssl_agrees(&chain.certificates, INSIDE);
    }
    let other =
        ValidationOptions::tls_server(SubjectName::Dns("www.example.org".into())).at(INSIDE);
    assert!(matches!(
        validate(&leaf, &[middle], &store, &other),
        Err(ChainError::NameMismatch { .. })
    ));
    // The root and the middle given as a bundle, the middle out of order: path building copes.
    let chain = validate(
        &leaf,
        &[root, middle],
        &store,
        &ValidationOptions::new().at(INSIDE),
    )
    .unwrap();
    assert_eq!(chain.intermediates(), std::slice::from_ref(middle));
}

/// `sm2-noza-*` were signed over SM3(M) without Z_A: standard verification must fail, here
/// and in OpenSSL.
#[test]
fn signed_without_za_fails() {
    let root_path = data("sm2-noza-root-cert.pem");
    let root = cert(&root_path);
    let leaf = cert(&data("sm2-noza-cert.pem"));
    let store = store(&[&root]);
    for options in [
        ValidationOptions::new().at(INSIDE),
        ValidationOptions::new(),
    ] {
        assert_eq!(
            validate::<Vec<u8>>(&leaf, &[], &store, &options),
            Err(ChainError::BadSignature)
        );
    }
    assert!(
        !openssl_link(&leaf, &root, INSIDE),
        "OpenSSL accepts a signature without Z_A"
    );
}

/// Leaves whose issuer is not in the test data (`SUBCA SM2`) have no path.
#[test]
fn unknown_issuer() {
    let bundle = data("sm2/chain-ca.crt");
    let ca = certs(&bundle);
    let store = store(&[&ca[0]]);
    for name in ["sm2/server_sign2.crt", "sm2/server_enc2.crt"] {
        let leaf = cert(&data(name));
        let result = validate(
            &leaf,
            &[&ca[1]],
            &store,
            &ValidationOptions::new().at(INSIDE),
        );
        assert_eq!(result, Err(ChainError::UnknownIssuer), "{name}");
    }
    // Nor does any leaf validate against an empty store.
    let leaf = cert(&data("sm2/client_sign.crt"));
    assert_eq!(
        validate(
            &leaf,
            &[&ca[1]],
            &TrustStore::new(),
            &ValidationOptions::new().at(INSIDE)
        ),
        Err(ChainError::UnknownIssuer)
    );
}
