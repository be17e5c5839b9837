//! PKCS#11 interop with outside tools on SoftHSM2: what OpenSC's `pkcs11-tool` writes, we list
//! and use; a PIN we change works in `pkcs11-tool`; our signatures verify in `openssl`.

#[allow(dead_code, reason = "shared with the conformance suite")]
use crate::openssl;
use crate::softhsm;

use openssl::{Scratch, pem};
use softhsm::{USER_PIN, isolated};
use tessera_crypto::digest::DigestAlgorithm;
use tessera_media::{CsrRequest, KeyRef, KeySpec, Medium, MediumError, Pin, SignAlg};

/// A certificate for the public key in `pub.der` (SPKI), issued by a throwaway openssl CA.
fn certificate_for(dir: &Scratch, pub_der: &str) -> Vec<u8> {
    dir.ok(&[
        "pkey", "-pubin", "-inform", "DER", "-in", pub_der, "-out", "pub.pem",
    ]);
    dir.throwaway_ca("Interop CA");
    dir.ok(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "throwaway.key",
        "-out",
        "any.csr",
        "-subj",
        "/CN=pkcs11-tool key",
    ]);
    dir.ok(&[
        "x509",
        "-req",
        "-in",
        "any.csr",
        "-force_pubkey",
        "pub.pem",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-days",
        "30",
        "-outform",
        "DER",
        "-out",
        "cert.der",
    ]);
    dir.read("cert.der")
}

#[test]
fn pkcs11_tool_objects_are_listed_and_usable() {
    let Some(hsm) = isolated("pkcs11_interop::pkcs11_tool_objects_are_listed_and_usable") else {
        return;
    };
    hsm.init_token("L");
    let dir = Scratch::new();
    hsm.tool_ok(&[
        "--token-label",
        "L",
        "--login",
        "--pin",
        USER_PIN,
        "--keypairgen",
        "--key-type",
        "EC:prime256v1",
        "--id",
        "01",
        "--label",
        "k",
    ]);
    let pub_der = dir.path("pub.der").display().to_string();
    hsm.tool_ok(&[
        "--token-label",
        "L",
        "--read-object",
        "--type",
        "pubkey",
        "--id",
        "01",
        "-o",
        &pub_der,
    ]);
    let cert = certificate_for(&dir, &pub_der);
    let cert_file = dir.write("cert-w.der", &cert);
    hsm.tool_ok(&[
        "--token-label",
        "L",
        "--login",
        "--pin",
        USER_PIN,
        "--write-object",
        &cert_file,
        "--type",
        "cert",
        "--id",
        "01",
        "--label",
        "k",
    ]);

    let mut token = hsm.open("L");
    // Without the PIN: the certificate, bound through the public-key object with CKA_ID 01.
    let listed = token.certificates().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, Some(KeyRef::new(vec![0x01])));
    assert_eq!(
        listed[0].reference.thumbprint(),
        hex::encode(DigestAlgorithm::Sha256.digest(&cert))
    );
    // The key, and a signature through the token that openssl verifies.
    token.login(&Pin::new(USER_PIN)).unwrap();
    let keys = token.keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].public_key, dir.read("pub.der"));
    let msg = dir.write("msg", b"signed through SoftHSM2".repeat(10));
    let alg = SignAlg::Ecdsa {
        digest: DigestAlgorithm::Sha256,
    };
    let sig = token
        .sign(&KeyRef::new(vec![1]), &alg, &std::fs::read(&msg).unwrap())
        .unwrap();
    let sig_file = dir.write("sig", &sig);
    let out = dir.ok(&[
        "dgst",
        "-sha256",
        "-verify",
        "pub.pem",
        "-signature",
        &sig_file,
        &msg,
    ]);
    assert!(out.contains("Verified OK"), "{out}");
    // And the oracle says no to a signature over something else.
    let other = dir.write(
        "other",
        token.sign(&KeyRef::new(vec![1]), &alg, b"x").unwrap(),
    );
    let (ok, _) = dir.run(&[
        "dgst",
        "-sha256",
        "-verify",
        "pub.pem",
        "-signature",
        &other,
        &msg,
    ]);
    assert!(!ok);
}

#[test]
fn pin_changed_by_tessera_works_in_pkcs11_tool() {
    let Some(hsm) = isolated("pkcs11_interop::pin_changed_by_tessera_works_in_pkcs11_tool") else {
        return;
    };
    hsm.init_token("L");
    let mut token = hsm.open("L");
    token
        .change_pin(&Pin::new(USER_PIN), &Pin::new("24681357"))
        .unwrap();
    drop(token);
    hsm.tool_ok(&[
        "--token-label",
        "L",
        "--login",
        "--pin",
        "24681357",
        "--list-objects",
    ]);
    let old = hsm.tool(&[
        "--token-label",
        "L",
        "--login",
        "--pin",
        USER_PIN,
        "--list-objects",
    ]);
    assert!(!old.status.success(), "the old PIN still works");
}

#[test]
fn tessera_keys_and_certificates_seen_by_pkcs11_tool() {
    let Some(hsm) = isolated("pkcs11_interop::tessera_keys_and_certificates_seen_by_pkcs11_tool")
    else {
        return;
    };
    hsm.init_token("L");
    let dir = Scratch::new();
    let mut token = hsm.open("L");
    token.login(&Pin::new(USER_PIN)).unwrap();
    let g = token
        .generate_key(KeySpec::P256, &CsrRequest::new("CN=Tessera on a token"))
        .unwrap();
    let pub_der = dir.write("pub.der", &g.key.public_key);
    let cert = certificate_for(&dir, &pub_der);
    let entry = token.import_certificate(&cert).unwrap();
    assert_eq!(entry.key.as_ref(), Some(&g.key.reference));
    drop(token);
    let id = g.key.reference.to_hex();
    let listing = hsm.tool_ok(&["--token-label", "L", "--list-objects", "--type", "cert"]);
    assert!(listing.contains(&id), "{listing}");
    // pkcs11-tool signs with our key (SoftHSM2 offers plain CKM_ECDSA over a hash); openssl
    // verifies against the key from our CSR.
    let msg = dir.write("msg", "by pkcs11-tool");
    let hash = dir.write("hash", DigestAlgorithm::Sha256.digest(b"by pkcs11-tool"));
    let sig = dir.path("sig").display().to_string();
    hsm.tool_ok(&[
        "--token-label",
        "L",
        "--login",
        "--pin",
        USER_PIN,
        "--sign",
        "--id",
        &id,
        "--mechanism",
        "ECDSA",
        "--signature-format",
        "openssl",
        "--input-file",
        &hash,
        "--output-file",
        &sig,
    ]);
    dir.write("pub.pem", pem("PUBLIC KEY", &g.key.public_key));
    let out = dir.ok(&[
        "dgst",
        "-sha256",
        "-verify",
        "pub.pem",
        "-signature",
        &sig,
        &msg,
    ]);
    assert!(out.contains("Verified OK"), "{out}");
    // An SM2 request on SoftHSM2 says why it cannot.
    let mut token = hsm.open("L");
    token.login(&Pin::new(USER_PIN)).unwrap();
    match token.generate_key(KeySpec::Sm2, &CsrRequest::new("CN=sm2")) {
        Err(MediumError::Unsupported { what }) => assert!(what.contains("SM2"), "{what}"),
        other => panic!("SM2 on SoftHSM2 gave {other:?}"),
    }
}
