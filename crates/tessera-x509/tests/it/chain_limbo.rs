//! Every x509-limbo case (C2SP/x509-limbo, `../shared/testdata/x509-limbo/limbo.json`) through
//! `tessera_x509::chain::validate`, counting agreement with the expected result.
//!
//! Plain rustls-webpki agrees on 131 of the 208 cases; the floor below is what our extra RFC
//! 5280 checks reach, so a regression shows as a failure.

use std::{collections::BTreeMap, net::IpAddr};

use const_oid::{ObjectIdentifier, db::rfc5280};
use serde_json::Value;
use tessera_x509::chain::{
    ChainError, KeyUsageBit, SubjectName, TrustStore, ValidationOptions, validate,
};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// The number of cases we must agree on at least.
const FLOOR: usize = 189;

fn pem_blocks(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let end = block.find("-----END ").unwrap();
        let line_end = block[end..].find('\n').map_or(block.len(), |p| end + p + 1);
        let (_, der) = pem_rfc7468::decode_vec(&block.as_bytes()[..line_end]).unwrap();
        out.push(der);
        rest = &block[line_end..];
    }
    out
}

fn eku_oid(name: &str) -> Option<ObjectIdentifier> {
    Some(match name {
        "serverAuth" => rfc5280::ID_KP_SERVER_AUTH,
        "clientAuth" => rfc5280::ID_KP_CLIENT_AUTH,
        "codeSigning" => rfc5280::ID_KP_CODE_SIGNING,
        "emailProtection" => rfc5280::ID_KP_EMAIL_PROTECTION,
        "timeStamping" => rfc5280::ID_KP_TIME_STAMPING,
        "OCSPSigning" => rfc5280::ID_KP_OCSP_SIGNING,
        "anyExtendedKeyUsage" => rfc5280::ANY_EXTENDED_KEY_USAGE,
        _ => return None,
    })
}

/// Runs one case; `Err` carries a reason it could not be expressed.
fn run(case: &Value) -> Result<Result<(), ChainError>, String> {
    let mut store = TrustStore::new();
    for pem in case["trusted_certs"].as_array().unwrap() {
        if store
            .add_user_roots(pem.as_str().unwrap().as_bytes())
            .is_err()
        {
            // A root we cannot use as an anchor: nothing can chain to it.
            return Ok(Err(ChainError::UnknownIssuer));
        }
    }
    let intermediates: Vec<Vec<u8>> = case["untrusted_intermediates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| pem_blocks(p.as_str().unwrap()))
        .collect();
    let leaf = pem_blocks(case["peer_certificate"].as_str().unwrap()).remove(0);

    // A SERVER case validates a TLS server certificate: id-kp-serverAuth and the CA/B Forum
    // server profile; a CLIENT case only what it lists.
    let mut options = match case["validation_kind"].as_str().unwrap() {
        "SERVER" => ValidationOptions::new()
            .require_extended_key_usage(rfc5280::ID_KP_SERVER_AUTH)
            .tls_server_profile(true),
        "CLIENT" => ValidationOptions::new(),
        other => return Err(format!("validation kind {other}")),
    };
    if let Some(t) = case["validation_time"].as_str() {
        options = options.at(OffsetDateTime::parse(t, &Rfc3339).unwrap());
    }
    let bits: Vec<KeyUsageBit> = case["key_usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| KeyUsageBit::from_name(k.as_str().unwrap()).ok_or(format!("key usage {k}")))
        .collect::<Result<_, _>>()?;
    options = options.key_usage_any_of(&bits);
    for eku in case["extended_key_usage"].as_array().unwrap() {
        let eku = eku.as_str().unwrap();
        options = options.require_extended_key_usage(eku_oid(eku).ok_or(format!("EKU {eku}"))?);
    }
    if let Some(depth) = case["max_chain_depth"].as_u64() {
        options = options.max_intermediates(usize::try_from(depth).unwrap());
    }
    for crl in case["crls"].as_array().unwrap() {
        for der in pem_blocks(crl.as_str().unwrap()) {
            options = options.crl(der);
        }
    }
    let mut names: Vec<&Value> = case["expected_peer_names"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    if !case["expected_peer_name"].is_null() {
        names.push(&case["expected_peer_name"]);
    }
    let mut outcome = Ok(());
    let base = options;
    let mut first = true;
    for name in names
        .iter()
        .copied()
        .chain(names.is_empty().then_some(&Value::Null))
    {
        let mut options = base.clone();
        if !name.is_null() {
            let value = name["value"].as_str().unwrap().to_string();
            let subject = match name["kind"].as_str().unwrap() {
                "DNS" => SubjectName::Dns(value),
                "IP" => SubjectName::Ip(value.parse::<IpAddr>().map_err(|e| e.to_string())?),
                "RFC822" => SubjectName::Email(value),
                other => return Err(format!("peer name kind {other}")),
            };
            options = options.subject_name(subject);
        }
        if first || outcome.is_ok() {
            outcome = validate(&leaf, &intermediates, &store, &options).map(|_| ());
        }
        first = false;
    }
    Ok(outcome)
}

#[test]
fn limbo() {
    let text = tessera_testkit::testdata::read_testdata("x509-limbo/limbo.json");
    let limbo: Value = serde_json::from_str(&text).unwrap();
    let cases = limbo["testcases"].as_array().unwrap();
    let (mut agreed, mut skipped) = (0, 0);
    let mut skip_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut disagreed_features: BTreeMap<String, usize> = BTreeMap::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expected_ok = case["expected_result"] == "SUCCESS";
        match run(case) {
            Err(reason) => {
                skipped += 1;
                *skip_reasons.entry(reason).or_default() += 1;
            }
            Ok(outcome) => {
                if outcome.is_ok() == expected_ok {
                    agreed += 1;
                } else {
                    let features = case["features"].as_array().unwrap();
                    let features: Vec<&str> = features.iter().filter_map(Value::as_str).collect();
                    for feature in &features {
                        *disagreed_features.entry(feature.to_string()).or_default() += 1;
                    }
                    disagreements.push(format!(
                        "{id} {features:?}: expected {}, got {outcome:?}",
                        case["expected_result"]
                    ));
                }
            }
        }
    }
    println!(
        "limbo: agreed {agreed} of {}, skipped {skipped}",
        cases.len()
    );
    for (reason, n) in &skip_reasons {
        println!("  skipped {n}: {reason}");
    }
    for (feature, n) in &disagreed_features {
        println!("  disagreed {n} with feature {feature}");
    }
    for d in &disagreements {
        println!("  disagree: {d}");
    }
    assert!(
        agreed >= FLOOR,
        "limbo agreement fell to {agreed} (floor {FLOOR})"
    );
}
