//! The conformance suite of a medium, generic over [`Medium`]: run by tessera-media's tests
//! (file device, SoftHSM2) and by the client's `cloud_conformance` tests (a cloud key against a
//! local service).
//!
//! What a backend cannot do is declared in its [`Profile`] with the reason, printed as `SKIP`,
//! and the suite checks that asking for it anyway fails with a typed error, not some other way.

use tessera_crypto::{digest::DigestAlgorithm, sm2::CiphertextFormat};
use tessera_media::{
    CsrRequest, EncAlg, KeyAlgorithm, KeyRef, KeySpec, Medium, MediumError, Pin, SignAlg, SoPin,
};

use crate::openssl::{DISTID, Scratch, pem};

/// The SO PIN of media that have one.
pub const SO_PIN: &str = "12345678";

/// What a backend can do, and why not where it cannot.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The user PIN fresh media open with.
    pub pin: &'static str,
    /// A new user PIN the medium accepts (for PIN change and SO unlock).
    pub new_pin: &'static str,
    /// Why wrong PINs do not count down one by one to a lock, if they do not.
    pub no_exact_lockout: Option<&'static str>,
    /// Why there is no SO PIN to unlock with, if there is none.
    pub no_so_unlock: Option<&'static str>,
    /// Why SM2 is unavailable, if it is.
    pub no_sm2: Option<&'static str>,
    /// Private objects are invisible, not refused, before login (PKCS#11 v2.40 §4.4).
    pub private_hidden_before_login: bool,
    /// Why the medium comes with exactly one SM2 key and its certificate and makes, imports,
    /// exports and deletes none, if so.
    pub fixed_key: Option<&'static str>,
    /// Why there are no data objects, if there are none.
    pub no_data_objects: Option<&'static str>,
}

fn skip(check: &str, reason: &str) {
    eprintln!("SKIP {check}: {reason}");
}

fn unsupported<T: std::fmt::Debug>(what: &str, r: tessera_media::Result<T>) {
    match r {
        Err(MediumError::Unsupported { what: why }) => {
            assert!(!why.is_empty(), "{what}: Unsupported without a reason");
        }
        other => panic!("{what}: expected Unsupported, got {other:?}"),
    }
}

/// Runs every check on fresh media from `fresh`, whose user PIN is `p.pin` and SO PIN
/// [`SO_PIN`].
pub fn conformance<M: Medium>(p: Profile, mut fresh: impl FnMut() -> M) {
    info_before_login(&mut fresh(), p);
    match p.no_exact_lockout {
        None => {
            wrong_pin_counts_down_and_locks(&mut fresh(), p);
            right_pin_resets_the_count(&mut fresh(), p);
        }
        Some(reason) => {
            skip("wrong_pin_counts_down_and_locks", reason);
            wrong_pin_lowers_the_count_and_so_resets(&mut fresh(), p);
        }
    }
    change_pin(&mut fresh(), p);
    private_operations_need_login(&mut fresh(), p);
    match p.fixed_key {
        None => {
            for spec in [KeySpec::Sm2, KeySpec::P256, KeySpec::Rsa2048] {
                match (spec, p.no_sm2) {
                    (KeySpec::Sm2, Some(reason)) => {
                        skip("generate_sign_verify_with_openssl(Sm2)", reason);
                        sm2_refused(&mut fresh(), p);
                    }
                    _ => generate_sign_verify_with_openssl(&mut fresh(), p, spec),
                }
            }
        }
        Some(reason) => {
            skip("generate_sign_verify_with_openssl", reason);
            fixed_key_signs_verify_with_openssl(&mut fresh(), p);
            fixed_key_refuses_key_management(&mut fresh(), p);
        }
    }
    match p.no_sm2 {
        None => sm2_decrypts_openssl_ciphertext(&mut fresh(), p),
        Some(reason) => skip("sm2_decrypts_openssl_ciphertext", reason),
    }
    match p.fixed_key {
        None => {
            let specs = match p.no_sm2 {
                None => [KeySpec::Sm2, KeySpec::P256],
                Some(_) => [KeySpec::P256, KeySpec::Rsa2048],
            };
            certificate_import_binds_and_delete_needs_pin(&mut fresh(), p, specs);
            let spec = if p.no_sm2.is_none() {
                KeySpec::Sm2
            } else {
                KeySpec::P256
            };
            keys_not_exportable_unless_asked(&mut fresh(), p, spec);
        }
        Some(reason) => {
            skip("certificate_import_binds_and_delete_needs_pin", reason);
            skip("keys_not_exportable_unless_asked", reason);
        }
    }
    match p.no_data_objects {
        None => data_objects_round_trip(&mut fresh(), p),
        Some(reason) => {
            skip("data_objects_round_trip", reason);
            data_objects_refused(&mut fresh(), p);
        }
    }
}

/// Where the backend has no exact counter: a wrong PIN is reported and lowers the count, the right
/// one restores it, and the SO PIN sets a new user PIN.
fn wrong_pin_lowers_the_count_and_so_resets(m: &mut impl Medium, p: Profile) {
    let max = m.info().unwrap().pin_max_retries;
    match m.login(&Pin::new("000000")) {
        Err(MediumError::PinIncorrect { retries_left }) => assert!(retries_left < max),
        other => panic!("wrong PIN gave {other:?}"),
    }
    assert!(m.info().unwrap().pin_retries_left < max);
    m.login(&Pin::new(p.pin)).unwrap();
    assert_eq!(m.info().unwrap().pin_retries_left, max);
    so_unlock(m, p);
}

/// The SO PIN sets a new user PIN, or, without one, unlocking says it is unsupported.
fn so_unlock(m: &mut impl Medium, p: Profile) {
    if let Some(reason) = p.no_so_unlock {
        skip("so_unlock", reason);
        unsupported(
            "unlock",
            m.unlock(&SoPin::new(SO_PIN), &Pin::new(p.new_pin)),
        );
        return;
    }
    assert!(matches!(
        m.unlock(&SoPin::new("99999999"), &Pin::new(p.new_pin)),
        Err(MediumError::SoPinIncorrect { .. })
    ));
    m.unlock(&SoPin::new(SO_PIN), &Pin::new(p.new_pin)).unwrap();
    assert!(!m.info().unwrap().locked);
    assert!(matches!(
        m.login(&Pin::new(p.pin)),
        Err(MediumError::PinIncorrect { .. })
    ));
    m.login(&Pin::new(p.new_pin)).unwrap();
    assert!(m.info().unwrap().logged_in);
}

/// Where SM2 is unavailable, asking for it says so instead of failing some other way.
fn sm2_refused(m: &mut impl Medium, p: Profile) {
    m.login(&Pin::new(p.pin)).unwrap();
    unsupported(
        "generate_key(Sm2)",
        m.generate_key(KeySpec::Sm2, &CsrRequest::new("CN=sm2")),
    );
}

fn info_before_login(m: &mut impl Medium, p: Profile) {
    let info = m.info().unwrap();
    assert!(!info.logged_in);
    assert!(!info.locked);
    assert_eq!(info.pin_retries_left, info.pin_max_retries);
    let certs = m.certificates().unwrap();
    let keys = m.keys().unwrap();
    if p.fixed_key.is_some() {
        // One key, its certificate bound to it, both readable without the PIN.
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].algorithm, KeyAlgorithm::Sm2);
        assert!(!keys[0].exportable);
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].key.as_ref(), Some(&keys[0].reference));
    } else {
        assert!(certs.is_empty());
        assert!(keys.is_empty());
    }
}

/// Whether `e` is the lock this profile's medium has: an SO-PIN lock, or, where no SO PIN
/// unlocks (a cloud key), the service's lock for a while.
fn is_lock(e: &MediumError, p: Profile) -> bool {
    match p.no_so_unlock {
        None => matches!(e, MediumError::Locked),
        Some(_) => matches!(e, MediumError::TemporarilyLocked { .. }),
    }
}

fn wrong_pin_counts_down_and_locks(m: &mut impl Medium, p: Profile) {
    let max = m.info().unwrap().pin_max_retries;
    for expected in (0..max).rev() {
        match m.login(&Pin::new("000000")) {
            Err(MediumError::PinIncorrect { retries_left }) => assert_eq!(retries_left, expected),
            // The try that locks may say so at once (a cloud-key service does).
            Err(e) if expected == 0 && is_lock(&e, p) => {}
            other => panic!("wrong PIN gave {other:?}"),
        }
        assert_eq!(m.info().unwrap().pin_retries_left, expected);
    }
    assert!(m.info().unwrap().locked);
    // Locked: even the right PIN is refused.
    let refused = m.login(&Pin::new(p.pin));
    assert!(
        refused.as_ref().is_err_and(|e| is_lock(e, p)),
        "{refused:?}"
    );
    so_unlock(m, p);
    if p.no_so_unlock.is_none() {
        let info = m.info().unwrap();
        assert!(!info.locked);
        assert_eq!(info.pin_retries_left, max);
    }
}

fn right_pin_resets_the_count(m: &mut impl Medium, p: Profile) {
    let max = m.info().unwrap().pin_max_retries;
    assert!(m.login(&Pin::new("111111")).is_err());
    assert!(m.login(&Pin::new("222222")).is_err());
    assert_eq!(m.info().unwrap().pin_retries_left, max - 2);
    m.login(&Pin::new(p.pin)).unwrap();
    assert_eq!(m.info().unwrap().pin_retries_left, max);
}

fn change_pin(m: &mut impl Medium, p: Profile) {
    assert!(matches!(
        m.change_pin(&Pin::new("999999"), &Pin::new(p.new_pin)),
        Err(MediumError::PinIncorrect { .. })
    ));
    assert!(matches!(
        m.change_pin(&Pin::new(p.pin), &Pin::new("12")),
        Err(MediumError::PinLength { .. })
    ));
    m.change_pin(&Pin::new(p.pin), &Pin::new(p.new_pin))
        .unwrap();
    m.logout();
    assert!(m.login(&Pin::new(p.pin)).is_err());
    m.login(&Pin::new(p.new_pin)).unwrap();
}

/// A key to use: made on the medium, or its one fixed key.
fn some_key(m: &mut impl Medium, p: Profile, spec: KeySpec) -> (KeyRef, Vec<u8>) {
    if p.fixed_key.is_some() {
        let key = m.keys().unwrap().remove(0);
        return (key.reference, key.public_key);
    }
    let g = m.generate_key(spec, &CsrRequest::new("CN=nobody")).unwrap();
    (g.key.reference, g.key.public_key)
}

fn private_operations_need_login(m: &mut impl Medium, p: Profile) {
    let (spec, alg) = if p.fixed_key.is_some() {
        (KeySpec::Sm2, SignAlg::Sm2Sm3 { id: None })
    } else {
        let req = CsrRequest::new("CN=nobody");
        assert!(matches!(
            m.generate_key(KeySpec::P256, &req),
            Err(MediumError::NotLoggedIn)
        ));
        let alg = SignAlg::Ecdsa {
            digest: DigestAlgorithm::Sha256,
        };
        (KeySpec::P256, alg)
    };
    m.login(&Pin::new(p.pin)).unwrap();
    let (key, _) = some_key(m, p, spec);
    m.logout();
    assert!(matches!(
        m.sign(&key, &alg, b"x"),
        Err(MediumError::NotLoggedIn)
    ));
    if p.no_data_objects.is_none() {
        assert!(matches!(
            m.write_data_object("d", b"x", false),
            Err(MediumError::NotLoggedIn)
        ));
    }
    if p.fixed_key.is_none() {
        assert!(matches!(m.delete_key(&key), Err(MediumError::NotLoggedIn)));
    }
}

fn generate_sign_verify_with_openssl(m: &mut impl Medium, p: Profile, spec: KeySpec) {
    let dir = Scratch::new();
    m.login(&Pin::new(p.pin)).unwrap();
    let generated = m
        .generate_key(spec, &CsrRequest::new("CN=测试 Test,O=Tessera,C=CN"))
        .unwrap();
    let csr = dir.write("csr.pem", pem("CERTIFICATE REQUEST", &generated.csr));
    let mut verify = vec!["req", "-verify", "-noout", "-in", &csr];
    if spec == KeySpec::Sm2 {
        verify.extend(["-vfyopt", DISTID]);
    }
    let out = dir.ok(&verify);
    assert!(out.contains("verify OK"), "{spec:?}: {out}");
    let text = dir.ok(&["req", "-noout", "-subject", "-in", &csr]);
    assert!(text.contains("Tessera"), "{text}");
    sign_verify_with_openssl(
        m,
        &dir,
        spec,
        &generated.key.reference,
        &generated.key.public_key,
    );
}

/// The medium's one key signs what OpenSSL verifies, with its certificate too.
fn fixed_key_signs_verify_with_openssl(m: &mut impl Medium, p: Profile) {
    let dir = Scratch::new();
    m.login(&Pin::new(p.pin)).unwrap();
    let (key, public) = some_key(m, p, KeySpec::Sm2);
    sign_verify_with_openssl(m, &dir, KeySpec::Sm2, &key, &public);
    // The certificate's key is the key that signs.
    let cert = m.certificates().unwrap().remove(0);
    let cert_pem = dir.write("cert.pem", cert.certificate.to_pem());
    let msg = dir.write("m", "证书 certificate");
    let sig = dir.write(
        "m.sig",
        m.sign(
            &key,
            &SignAlg::Sm2Sm3 { id: None },
            "证书 certificate".as_bytes(),
        )
        .unwrap(),
    );
    dir.ok(&[
        "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-certin", "-inkey", &cert_pem, "-in",
        &msg, "-sigfile", &sig, "-pkeyopt", DISTID,
    ]);
}

fn sign_verify_with_openssl(
    m: &mut impl Medium,
    dir: &Scratch,
    spec: KeySpec,
    key: &KeyRef,
    public_key: &[u8],
) {
    let public = dir.write("pub.pem", pem("PUBLIC KEY", public_key));
    let msg = b"the quick brown fox".repeat(20);
    let msg_file = dir.write("msg", &msg);
    let (alg, dgst_flag) = match spec {
        KeySpec::Sm2 => (SignAlg::Sm2Sm3 { id: None }, "-sm3"),
        KeySpec::P256 => (
            SignAlg::Ecdsa {
                digest: DigestAlgorithm::Sha256,
            },
            "-sha256",
        ),
        _ => (
            SignAlg::RsaPkcs1 {
                digest: DigestAlgorithm::Sha256,
            },
            "-sha256",
        ),
    };
    let sig = m.sign(key, &alg, &msg).unwrap();
    let sig_file = dir.write("sig", &sig);
    let sm2_verify = |sig: &str, distid: &str| {
        dir.run(&[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", &public, "-in",
            &msg_file, "-sigfile", sig, "-pkeyopt", distid,
        ])
        .0
    };
    if spec == KeySpec::Sm2 {
        assert!(sm2_verify(&sig_file, DISTID), "SM2 signature refused");
        // Prehashed: e = SM3(Z_A || M) from the caller gives a signature over the same message.
        let sm2 = tessera_crypto::sm2::Sm2PublicKey::from_spki_der(public_key).unwrap();
        let e = sm2
            .message_digest(tessera_crypto::sm2::DEFAULT_ID, &msg)
            .unwrap();
        let sig2 = dir.write("sig2", m.sign(key, &SignAlg::Sm2Prehashed, &e).unwrap());
        assert!(sm2_verify(&sig2, DISTID), "prehashed SM2 signature refused");
        // Another signer ID goes into Z_A.
        let alice = SignAlg::Sm2Sm3 {
            id: Some(b"ALICE123@YAHOO.COM".to_vec()),
        };
        let sig3 = dir.write("sig3", m.sign(key, &alice, &msg).unwrap());
        assert!(sm2_verify(&sig3, "distid:ALICE123@YAHOO.COM"));
        assert!(!sm2_verify(&sig3, DISTID));
        assert!(matches!(
            m.sign(key, &SignAlg::Sm2Prehashed, &e[..31]),
            Err(MediumError::Crypto(_))
        ));
    } else {
        dir.ok(&[
            "dgst",
            dgst_flag,
            "-verify",
            &public,
            "-signature",
            &sig_file,
            &msg_file,
        ]);
        // Prehashed signing gives a signature over the same message.
        let hash = DigestAlgorithm::Sha256.digest(&msg);
        let pre = match spec {
            KeySpec::P256 => SignAlg::EcdsaPrehashed,
            _ => SignAlg::RsaPkcs1Prehashed {
                digest: DigestAlgorithm::Sha256,
            },
        };
        let sig2 = dir.write("sig2", m.sign(key, &pre, &hash).unwrap());
        dir.ok(&[
            "dgst",
            dgst_flag,
            "-verify",
            &public,
            "-signature",
            &sig2,
            &msg_file,
        ]);
    }
    // The oracle can say no: a signature over another message fails.
    let other = dir.write("other", m.sign(key, &alg, b"another message").unwrap());
    let ok = if spec == KeySpec::Sm2 {
        sm2_verify(&other, DISTID)
    } else {
        dir.run(&[
            "dgst",
            dgst_flag,
            "-verify",
            &public,
            "-signature",
            &other,
            &msg_file,
        ])
        .0
    };
    assert!(
        !ok,
        "{spec:?}: openssl accepted a signature over another message"
    );
}

/// A medium with one fixed key makes, imports, exports and deletes none, and says so.
fn fixed_key_refuses_key_management(m: &mut impl Medium, p: Profile) {
    let dir = Scratch::new();
    m.login(&Pin::new(p.pin)).unwrap();
    let key = m.keys().unwrap().remove(0).reference;
    let cert = m.certificates().unwrap().remove(0);
    for spec in [KeySpec::Sm2, KeySpec::P256] {
        unsupported(
            "generate_key",
            m.generate_key(spec, &CsrRequest::new("CN=x")),
        );
    }
    dir.ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-outform",
        "DER",
        "-out",
        "k.der",
    ]);
    unsupported("import_key", m.import_key(&dir.read("k.der"), &[], true));
    unsupported(
        "import_certificate",
        m.import_certificate(cert.certificate.der()),
    );
    assert!(matches!(
        m.export_key(&key),
        Err(MediumError::NotExportable)
    ));
    unsupported("delete_certificate", m.delete_certificate(&cert.reference));
    unsupported("delete_key", m.delete_key(&key));
    assert_eq!(m.keys().unwrap().len(), 1);
    assert_eq!(m.certificates().unwrap().len(), 1);
    // A key that is not there, and a scheme the key cannot do.
    let other = KeyRef::new(vec![0; 20]);
    assert!(matches!(
        m.sign(&other, &SignAlg::Sm2Sm3 { id: None }, b"x"),
        Err(MediumError::NoSuchKey)
    ));
    assert!(matches!(
        m.sign(
            &key,
            &SignAlg::Ecdsa {
                digest: DigestAlgorithm::Sha256
            },
            b"x"
        ),
        Err(MediumError::KeyMismatch { .. })
    ));
}

fn sm2_decrypts_openssl_ciphertext(m: &mut impl Medium, p: Profile) {
    let dir = Scratch::new();
    m.login(&Pin::new(p.pin)).unwrap();
    let (key, public_key) = if p.fixed_key.is_some() {
        some_key(m, p, KeySpec::Sm2)
    } else {
        let g = m
            .generate_key(KeySpec::Sm2, &CsrRequest::new("CN=decrypt"))
            .unwrap();
        (g.key.reference, g.key.public_key)
    };
    let public = dir.write("pub.pem", pem("PUBLIC KEY", &public_key));
    let plain = dir.write("plain", "机密 secret message");
    dir.ok(&[
        "pkeyutl", "-encrypt", "-pubin", "-inkey", &public, "-in", &plain, "-out", "ct",
    ]);
    let ct = dir.read("ct");
    let alg = EncAlg::Sm2 {
        format: CiphertextFormat::Der,
    };
    let out = m.decrypt(&key, &alg, &ct).unwrap();
    assert_eq!(out.as_slice(), "机密 secret message".as_bytes());
    let mut tampered = ct.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(m.decrypt(&key, &alg, &tampered).is_err());
    m.logout();
    assert!(matches!(
        m.decrypt(&key, &alg, &ct),
        Err(MediumError::NotLoggedIn)
    ));
}

/// A certificate for the CSR, issued by a throwaway OpenSSL CA.
fn issue(dir: &Scratch, csr_der: &[u8], sm2: bool) -> Vec<u8> {
    if !dir.path("ca.key").exists() {
        dir.throwaway_ca("Test CA");
    }
    let csr = dir.write("issue.csr", pem("CERTIFICATE REQUEST", csr_der));
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-days",
        "30",
        "-out",
        "issued.der",
        "-outform",
        "DER",
    ];
    if sm2 {
        args.extend(["-vfyopt", DISTID]);
    }
    dir.ok(&args);
    dir.read("issued.der")
}

fn certificate_import_binds_and_delete_needs_pin(
    m: &mut impl Medium,
    p: Profile,
    specs: [KeySpec; 2],
) {
    let dir = Scratch::new();
    m.login(&Pin::new(p.pin)).unwrap();
    let mut certs = Vec::new();
    for spec in specs {
        let g = m.generate_key(spec, &CsrRequest::new("CN=holder")).unwrap();
        let der = issue(&dir, &g.csr, spec == KeySpec::Sm2);
        let entry = m.import_certificate(&der).unwrap();
        assert_eq!(entry.key.as_ref(), Some(&g.key.reference));
        certs.push((entry.reference, g.key.reference));
    }
    // The CA certificate matches no key on the medium.
    dir.ok(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
    assert!(matches!(
        m.import_certificate(&dir.read("ca.der")),
        Err(MediumError::NoMatchingKey { .. })
    ));
    m.logout();
    // Certificates are readable without the PIN.
    let listed = m.certificates().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|c| c.key.is_some()));
    let (cert, key) = &certs[0];
    assert!(matches!(
        m.delete_certificate(cert),
        Err(MediumError::NotLoggedIn)
    ));
    assert_eq!(m.certificates().unwrap().len(), 2);
    m.login(&Pin::new(p.pin)).unwrap();
    m.delete_certificate(cert).unwrap();
    assert_eq!(m.certificates().unwrap().len(), 1);
    assert!(m.keys().unwrap().iter().all(|k| k.reference != *key));
    assert!(matches!(
        m.delete_certificate(cert),
        Err(MediumError::NoSuchCertificate)
    ));
}

fn data_objects_round_trip(m: &mut impl Medium, p: Profile) {
    m.login(&Pin::new(p.pin)).unwrap();
    let seal_image = (0..=255u8).cycle().take(10_000).collect::<Vec<u8>>();
    m.write_data_object("seal.png", &seal_image, false).unwrap();
    m.write_data_object("secret", b"private bytes", true)
        .unwrap();
    m.write_data_object("seal.png", &seal_image[..5000], false)
        .unwrap();
    assert_eq!(m.data_objects().unwrap(), vec!["seal.png", "secret"]);
    m.logout();
    assert_eq!(
        m.read_data_object("seal.png").unwrap().unwrap(),
        &seal_image[..5000]
    );
    if p.private_hidden_before_login {
        assert!(matches!(
            m.read_data_object("secret"),
            Ok(None) | Err(MediumError::NotLoggedIn)
        ));
    } else {
        assert!(matches!(
            m.read_data_object("secret"),
            Err(MediumError::NotLoggedIn)
        ));
    }
    assert_eq!(m.read_data_object("missing").unwrap(), None);
    m.login(&Pin::new(p.pin)).unwrap();
    assert_eq!(
        m.read_data_object("secret").unwrap().unwrap(),
        b"private bytes"
    );
    assert!(m.delete_data_object("secret").unwrap());
    assert!(!m.delete_data_object("secret").unwrap());
    assert_eq!(m.data_objects().unwrap(), vec!["seal.png"]);
}

/// Without data objects: none are listed or found, and writing one says it is unsupported.
fn data_objects_refused(m: &mut impl Medium, p: Profile) {
    m.login(&Pin::new(p.pin)).unwrap();
    unsupported(
        "write_data_object",
        m.write_data_object("seal.png", b"png", false),
    );
    assert!(m.data_objects().unwrap().is_empty());
    assert_eq!(m.read_data_object("seal.png").unwrap(), None);
}

fn keys_not_exportable_unless_asked(m: &mut impl Medium, p: Profile, spec: KeySpec) {
    m.login(&Pin::new(p.pin)).unwrap();
    let fixed = m.generate_key(spec, &CsrRequest::new("CN=a")).unwrap();
    let free = m
        .generate_key(spec, &CsrRequest::new("CN=b").exportable(true))
        .unwrap();
    assert!(!fixed.key.exportable && free.key.exportable);
    assert!(matches!(
        m.export_key(&fixed.key.reference),
        Err(MediumError::NotExportable)
    ));
    let pkcs8 = m.export_key(&free.key.reference).unwrap();
    let dir = Scratch::new();
    let key = dir.write("k.pem", pem("PRIVATE KEY", &pkcs8));
    dir.ok(&[
        "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", "p.der",
    ]);
    assert_eq!(dir.read("p.der"), free.key.public_key);
}

/// Generates, signs and checks with OpenSSL one key of `spec` (the RSA-3072 runs use it alone).
#[allow(
    dead_code,
    reason = "not every test crate that includes the suite uses it"
)]
pub fn generate_one(m: &mut impl Medium, p: Profile, spec: KeySpec) {
    generate_sign_verify_with_openssl(m, p, spec);
}
