//! The trust store: Debian's Mozilla roots, user roots, and real web chains validated against
//! the system roots (the `online::*` cases of x509-limbo, captured from live sites).

use std::path::Path;

use serde_json::Value;
use tessera_x509::chain::{
    RootSource, SubjectName, TrustStore, TrustStoreError, ValidationOptions, validate,
};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

fn pem_certs(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let block = &rest[start..];
        let end =
            block.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----".len();
        out.push(pem_rfc7468::decode_vec(&block.as_bytes()[..end]).unwrap().1);
        rest = &block[end..];
    }
    out
}

/// Debian's roots; fails the test when ca-certificates is not installed.
fn system_store() -> TrustStore {
    TrustStore::system()
        .unwrap_or_else(|e| panic!("no system roots ({e}): apt-get install -y ca-certificates"))
}

#[test]
fn system_roots_from_bundle_and_folder() {
    let bundle = Path::new(TrustStore::SYSTEM_BUNDLE);
    let dir = Path::new(TrustStore::SYSTEM_DIR);
    assert!(
        bundle.exists() && dir.exists(),
        "ca-certificates is not installed: apt-get install -y ca-certificates"
    );
    let from_bundle = TrustStore::system_from(&[bundle]).unwrap();
    let from_dir = TrustStore::system_from(&[dir]).unwrap();
    assert!(from_bundle.len() >= 100, "{} roots", from_bundle.len());
    // The bundle is the folder plus any local additions.
    assert!(from_bundle.len() >= from_dir.len());
    assert!(
        from_dir
            .roots()
            .iter()
            .all(|r| from_bundle.contains(r.der()))
    );
    assert!(
        from_bundle
            .roots()
            .iter()
            .all(|r| r.source() == RootSource::System)
    );
    // A missing first location falls through to the next.
    let fallback = TrustStore::system_from(&[Path::new("/nonexistent/bundle.crt"), dir]).unwrap();
    assert_eq!(fallback.len(), from_dir.len());
}

#[test]
fn no_system_roots_is_an_error() {
    let err = TrustStore::system_from(&[Path::new("/nonexistent")]).unwrap_err();
    assert!(
        matches!(err, TrustStoreError::NoSystemRoots { .. }),
        "{err}"
    );
}

#[test]
fn user_roots_once_each_all_or_nothing() {
    let bundle = tessera_testkit::testdata::read_testdata_bytes("sm2-certs/sm2/chain-ca.crt");
    let mut store = TrustStore::new();
    assert!(store.is_empty());
    assert_eq!(store.add_user_roots(&bundle).unwrap(), 2);
    assert_eq!(store.add_user_roots(&bundle).unwrap(), 0);
    let der = pem_certs(std::str::from_utf8(&bundle).unwrap()).remove(0);
    assert!(!store.add_user_root_der(&der).unwrap());
    assert_eq!(store.len(), 2);
    assert!(store.roots().iter().all(|r| r.source() == RootSource::User));

    let mut bad = bundle.clone();
    bad.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n");
    let mut fresh = TrustStore::new();
    assert!(fresh.add_user_roots(&bad).is_err());
    assert!(
        fresh.is_empty(),
        "nothing is added when one certificate is unusable"
    );
    assert!(fresh.add_user_roots(b"not a certificate").is_err());
}

/// Live chains from x509-limbo's `online` cases validate against Debian's roots whenever their
/// root is one of them.
#[test]
fn real_server_chains_against_system_roots() {
    let store = system_store();
    let text = tessera_testkit::testdata::read_testdata("x509-limbo/limbo.json");
    let limbo: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for case in limbo["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !id.starts_with("online::") {
            continue;
        }
        let roots: Vec<Vec<u8>> = case["trusted_certs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| pem_certs(p.as_str().unwrap()))
            .collect();
        if !roots.iter().any(|r| store.contains(r)) {
            eprintln!("{id}: root not in the system bundle, skipped");
            continue;
        }
        let leaf = pem_certs(case["peer_certificate"].as_str().unwrap()).remove(0);
        let intermediates: Vec<Vec<u8>> = case["untrusted_intermediates"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| pem_certs(p.as_str().unwrap()))
            .collect();
        let at =
            OffsetDateTime::parse(case["validation_time"].as_str().unwrap(), &Rfc3339).unwrap();
        let name = case["expected_peer_name"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let options = ValidationOptions::tls_server(SubjectName::Dns(name)).at(at);
        let chain = validate(&leaf, &intermediates, &store, &options)
            .unwrap_or_else(|e| unreachable!("{id}: {e}"));
        assert_eq!(chain.root_source, RootSource::System, "{id}");
        assert!(store.contains(chain.root()), "{id}");
        checked += 1;
    }
    assert!(
        checked >= 5,
        "only {checked} online chains had a system root"
    );
}
