//! Every signature algorithm of `chain::algorithms`, on chains OpenSSL 3 issues at test time:
//! OpenSSL is the signer, `tessera_x509::chain` the verifier, and OpenSSL's own `verify`
//! confirms each chain we accept.

use std::{path::Path, process::Command};

use tessera_x509::chain::{ChainError, TrustStore, ValidationOptions, validate};

const CONFIG: &str = "\
[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Runs OpenSSL in `dir` with whitespace-separated `args`; fails the test if it fails.
fn openssl(dir: &Path, args: &str) {
    tessera_testkit::openssl::ok_in(dir, &args.split_whitespace().collect::<Vec<_>>());
}

fn der(dir: &Path, pem: &str) -> Vec<u8> {
    let text = std::fs::read(dir.join(pem)).unwrap();
    pem_rfc7468::decode_vec(&text).unwrap().1
}

/// `openssl genpkey` arguments for a key kind.
fn keygen(kind: &str) -> &'static str {
    match kind {
        "rsa2048" => "-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
        "rsa1024" => "-algorithm RSA -pkeyopt rsa_keygen_bits:1024",
        "p256" => "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
        "p384" => "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
        "p521" => "-algorithm EC -pkeyopt ec_paramgen_curve:P-521",
        "sm2" => "-algorithm EC -pkeyopt ec_paramgen_curve:SM2",
        other => unreachable!("key kind {other}"),
    }
}

/// How a key of `kind` signs its own certificate or request.
fn self_sign(kind: &str) -> &'static str {
    if kind == "sm2" {
        "-sm3 -sigopt distid:1234567812345678"
    } else {
        "-sha256"
    }
}

/// Issues root (key `root_kind`) -> leaf (key `leaf_kind`), the leaf signed with `sign`
/// (OpenSSL digest and `-sigopt` flags); returns (leaf, root) DER.
fn issue(dir: &Path, root_kind: &str, leaf_kind: &str, sign: &str) -> (Vec<u8>, Vec<u8>) {
    std::fs::write(dir.join("openssl.cnf"), CONFIG).unwrap();
    openssl(dir, &format!("genpkey -out root.key {}", keygen(root_kind)));
    openssl(dir, &format!("genpkey -out leaf.key {}", keygen(leaf_kind)));
    openssl(
        dir,
        &format!(
            "req -x509 -new -config openssl.cnf -key root.key -subj /CN=Root -days 3650 -out root.pem {}",
            self_sign(root_kind)
        ),
    );
    openssl(
        dir,
        &format!(
            "req -new -config openssl.cnf -key leaf.key -subj /CN=Leaf -out leaf.csr {}",
            self_sign(leaf_kind)
        ),
    );
    let csr_check = if leaf_kind == "sm2" {
        "-vfyopt distid:1234567812345678"
    } else {
        ""
    };
    openssl(
        dir,
        &format!(
            "x509 -req -in leaf.csr {csr_check} -CA root.pem -CAkey root.key -set_serial 4242 \
             -days 365 -extfile openssl.cnf -extensions leaf -out leaf.pem {sign}"
        ),
    );
    (der(dir, "leaf.pem"), der(dir, "root.pem"))
}

/// OpenSSL's verdict on the chain in `dir`; an SM2 issuer verifies with the standard ID.
fn openssl_verifies(dir: &Path, root_kind: &str) -> bool {
    let sm2 = if root_kind == "sm2" {
        "-vfyopt distid:1234567812345678"
    } else {
        ""
    };
    let args = format!("verify {sm2} -CAfile root.pem leaf.pem");
    tessera_testkit::openssl::output(
        Command::new("openssl")
            .current_dir(dir)
            .args(args.split_whitespace()),
    )
    .status
    .success()
}

/// Issues a chain and validates it.
fn outcome(
    root_kind: &str,
    leaf_kind: &str,
    sign: &str,
) -> (Result<(), ChainError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (leaf, root) = issue(dir.path(), root_kind, leaf_kind, sign);
    let mut store = TrustStore::new();
    store.add_user_root_der(&root).unwrap();
    let result = validate::<Vec<u8>>(&leaf, &[], &store, &ValidationOptions::signing())
        .map(|chain| assert_eq!(chain.certificates, vec![leaf.clone(), root.clone()]));
    (result, dir)
}

fn check(root_kind: &str, leaf_kind: &str, sign: &str, expected: Result<(), ChainError>) {
    let (result, dir) = outcome(root_kind, leaf_kind, sign);
    assert_eq!(
        result, expected,
        "{root_kind} signing a {leaf_kind} leaf with {sign}"
    );
    if expected.is_ok() {
        let verdict = openssl_verifies(dir.path(), root_kind);
        assert!(
            verdict,
            "OpenSSL rejects what we accept: {root_kind} {sign}"
        );
    }
}

const PSS: &str = "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest";
const SM3: &str = "-sm3 -sigopt distid:1234567812345678";

#[test]
fn rsa_pkcs1() {
    for digest in ["-sha256", "-sha384", "-sha512"] {
        check("rsa2048", "p256", digest, Ok(()));
    }
}

#[test]
fn rsa_pss() {
    for digest in ["-sha256", "-sha384", "-sha512"] {
        check("rsa2048", "rsa2048", &format!("{digest} {PSS}"), Ok(()));
    }
}

#[test]
fn ecdsa_every_curve_and_digest() {
    for curve in ["p256", "p384"] {
        for digest in ["-sha256", "-sha384", "-sha512"] {
            check(curve, curve, digest, Ok(()));
        }
    }
}

#[test]
fn sm2_with_sm3() {
    check("sm2", "sm2", SM3, Ok(()));
    // Another key type under an SM2 root, and the other way round.
    check("sm2", "p256", SM3, Ok(()));
    check("p384", "sm2", "-sha384", Ok(()));
}

/// OpenSSL 3.0 signs SM2 with an empty ID unless told otherwise: such a certificate does not
/// verify under the standard ID (DESIGN.md, "SM2 interop traps").
#[test]
fn sm2_signed_with_openssl_default_id_fails() {
    check("sm2", "sm2", "-sm3", Err(ChainError::BadSignature));
}

#[test]
fn refused_algorithms() {
    let sha1 = ChainError::UnsupportedSignatureAlgorithm {
        algorithm: "1.2.840.113549.1.1.5".into(),
    };
    check("rsa2048", "rsa2048", "-sha1", Err(sha1));
    // An RSA key under 2048 bits cannot verify anything (webpki hears "bad signature").
    check(
        "rsa1024",
        "rsa2048",
        "-sha256",
        Err(ChainError::BadSignature),
    );
    // P-521 is not supported, neither for an issuer's key nor for the end entity's.
    for (root, leaf) in [("p521", "p256"), ("p256", "p521")] {
        let (result, _dir) = outcome(root, leaf, "-sha256");
        let unsupported = matches!(result, Err(ChainError::UnsupportedPublicKey { .. }));
        assert!(unsupported, "{root} -> {leaf}: {result:?}");
    }
}

const CA_CONFIG: &str = "\
[ca]
default_ca = ca_default
[ca_default]
database = index.txt
crlnumber = crlnumber
new_certs_dir = .
default_md = sm3
default_crl_days = 30
crl_extensions = crl_ext
policy = policy_any
[crl_ext]
authorityKeyIdentifier = keyid:always
[policy_any]
commonName = supplied
";

/// An SM2 CA's CRL, signed with SM2-with-SM3 by `openssl ca`: before the leaf is revoked the
/// chain validates, after it the leaf is reported revoked. A CRL signed with OpenSSL's default
/// empty ID is refused. (OpenSSL 3.0 checks CRL signatures with the empty ID whatever
/// `-vfyopt` says, so it serves here only to confirm the revocation entry.)
#[test]
fn sm2_crl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let (leaf, root) = issue(path, "sm2", "sm2", SM3);
    std::fs::write(path.join("ca.cnf"), CA_CONFIG).unwrap();
    std::fs::write(path.join("index.txt"), "").unwrap();
    std::fs::write(path.join("crlnumber"), "1000\n").unwrap();
    let ca = "ca -config ca.cnf -cert root.pem -keyfile root.key";
    let sm2_crl = "-gencrl -md sm3 -sigopt distid:1234567812345678";
    openssl(path, &format!("{ca} {sm2_crl} -out before.pem"));
    openssl(path, &format!("{ca} -revoke leaf.pem"));
    openssl(path, &format!("{ca} {sm2_crl} -out after.pem"));
    openssl(path, &format!("{ca} -gencrl -md sm3 -out empty-id.pem"));

    let mut store = TrustStore::new();
    store.add_user_root_der(&root).unwrap();
    let with = |name: &str| {
        let crl = pem_rfc7468::decode_vec(&std::fs::read(path.join(name)).unwrap())
            .unwrap()
            .1;
        let options = ValidationOptions::signing().crl(crl);
        validate::<Vec<u8>>(&leaf, &[], &store, &options).map(|_| ())
    };
    assert_eq!(with("before.pem"), Ok(()));
    assert_eq!(with("after.pem"), Err(ChainError::Revoked));
    assert!(matches!(
        with("empty-id.pem"),
        Err(ChainError::BadCrl { .. })
    ));

    let args = "verify -crl_check -CRLfile empty-id.pem -CAfile root.pem -vfyopt distid:1234567812345678 leaf.pem";
    let out = Command::new("openssl")
        .current_dir(path)
        .args(args.split_whitespace())
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains("certificate revoked"), "{text}");
    }
}
