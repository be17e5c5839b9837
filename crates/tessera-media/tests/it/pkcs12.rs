//! PKCS#12 and PEM import/export against files made and read by `openssl pkcs12` (3.0), modern
//! and `-legacy`, for RSA, P-256 and SM2 keys.

use crate::openssl;

use openssl::{DISTID, Scratch};
use secrecy::SecretString;
use tessera_crypto::digest::DigestAlgorithm;
use tessera_media::{
    CertRef, FormatError, Medium, MediumError, Pin, SignAlg, SoPin,
    file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams},
    pkcs12::{export_pkcs12, import_pem, import_pkcs12},
};

const PASSWORD: &str = "p12 pass";

fn device(dir: &tempfile::TempDir, label: &str) -> FileDevice {
    let store = FileDeviceStore::open(dir.path()).unwrap();
    let options = CreateOptions::new(label).kdf(KdfParams::insecure_minimum_for_tests());
    let mut d = store
        .create(&options, &Pin::new("123456"), &SoPin::new("12345678"))
        .unwrap();
    d.login(&Pin::new("123456")).unwrap();
    d
}

/// Key and self-signed certificate made by OpenSSL: `k.pem`, `c.pem`.
fn openssl_key_and_cert(s: &Scratch, alg: &str) {
    match alg {
        "rsa" => {
            s.ok(&[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out",
                "c.pem", "-subj", "/CN=rsa", "-days", "30",
            ]);
        }
        "p256" => {
            s.ok(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
                "-subj",
                "/CN=p256",
                "-days",
                "30",
            ]);
        }
        _ => {
            s.ok(&["genpkey", "-algorithm", "sm2", "-out", "k.pem"]);
            s.ok(&[
                "req", "-x509", "-new", "-key", "k.pem", "-sm3", "-sigopt", DISTID, "-subj",
                "/CN=sm2", "-days", "30", "-out", "c.pem",
            ]);
        }
    }
    s.ok(&[
        "x509", "-in", "c.pem", "-pubkey", "-noout", "-out", "pub.pem",
    ]);
}

/// Signs with the imported key and has OpenSSL verify against the certificate's key.
fn signature_verifies(s: &Scratch, m: &mut FileDevice, cert: &CertRef, alg: &str) {
    let entry = m
        .certificates()
        .unwrap()
        .into_iter()
        .find(|c| c.reference == *cert)
        .unwrap();
    let key = entry.key.expect("certificate bound to the imported key");
    let msg = s.write("msg", b"pkcs12 import");
    let sign_alg = match alg {
        "rsa" => SignAlg::RsaPkcs1 {
            digest: DigestAlgorithm::Sha256,
        },
        "p256" => SignAlg::Ecdsa {
            digest: DigestAlgorithm::Sha256,
        },
        _ => SignAlg::Sm2Sm3 { id: None },
    };
    let sig = s.write("sig", m.sign(&key, &sign_alg, b"pkcs12 import").unwrap());
    if alg == "sm2" {
        s.ok(&[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "pub.pem", "-in",
            &msg, "-sigfile", &sig, "-pkeyopt", DISTID,
        ]);
    } else {
        s.ok(&[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            &sig,
            &msg,
        ]);
    }
}

#[test]
fn import_openssl_pkcs12_modern_and_legacy_then_export() {
    let dir = tempfile::tempdir().unwrap();
    let password = SecretString::from(PASSWORD);
    for alg in ["rsa", "p256", "sm2"] {
        for legacy in [false, true] {
            let s = Scratch::new();
            openssl_key_and_cert(&s, alg);
            let mut args = vec![
                "pkcs12",
                "-export",
                "-inkey",
                "k.pem",
                "-in",
                "c.pem",
                "-passout",
                "pass:p12 pass",
                "-out",
                "x.p12",
            ];
            if legacy {
                args.push("-legacy");
            }
            s.ok(&args);
            let p12 = s.read("x.p12");
            let mut m = device(&dir, &format!("{alg}-{legacy}"));

            assert!(matches!(
                import_pkcs12(&mut m, &p12, &SecretString::from("wrong"), false),
                Err(MediumError::Format(FormatError::Pkcs12Password))
            ));
            let imported = import_pkcs12(&mut m, &p12, &password, legacy).unwrap();
            assert_eq!(imported.len(), 1, "{alg}");
            let cert = imported[0].1[0].reference.clone();
            signature_verifies(&s, &mut m, &cert, alg);

            // Export: with the key only when imported as exportable (here: the legacy round).
            let out = if legacy {
                export_pkcs12(&mut m, &cert, &password, true).unwrap()
            } else {
                assert!(matches!(
                    export_pkcs12(&mut m, &cert, &password, true),
                    Err(MediumError::NotExportable)
                ));
                export_pkcs12(&mut m, &cert, &password, false).unwrap()
            };
            let ours = s.write("ours.p12", &out);
            let text = s.ok(&["pkcs12", "-in", &ours, "-nodes", "-passin", "pass:p12 pass"]);
            assert!(text.contains("BEGIN CERTIFICATE"), "{alg}: {text}");
            assert_eq!(text.contains("PRIVATE KEY"), legacy, "{alg}: {text}");
        }
    }
}

#[test]
fn import_pem_key_and_certificate() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ["rsa", "p256", "sm2"] {
        let s = Scratch::new();
        openssl_key_and_cert(&s, alg);
        let mut both = s.read("k.pem");
        both.extend(s.read("c.pem"));
        let mut m = device(&dir, &format!("pem-{alg}"));
        let (key, certs) = import_pem(&mut m, &both, false).unwrap();
        assert!(key.is_some());
        assert_eq!(certs.len(), 1);
        signature_verifies(&s, &mut m, &certs[0].reference, alg);
        // The certificate alone, again: it binds to the key already there.
        let (key, certs) = import_pem(&mut m, &s.read("c.pem"), false).unwrap();
        assert!(key.is_none() && certs[0].key.is_some());
    }
}
