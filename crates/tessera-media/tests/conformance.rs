//! The conformance suite every medium passes, generic over [`Medium`], run here against the file
//! device in both modes and against a SoftHSM2 token through PKCS#11. Outside oracle: the
//! `openssl` command line (3.0). What a backend cannot do is declared in its [`Profile`] with the
//! reason, and printed as `SKIP` when the suite runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests"
)]

#[path = "conformance/openssl.rs"]
mod openssl;
#[path = "conformance/softhsm.rs"]
mod softhsm;

use openssl::{DISTID, Scratch, pem};
use tessera_crypto::{digest::DigestAlgorithm, sm2::CiphertextFormat};
use tessera_media::{
    AlgorithmMode, CsrRequest, EncAlg, KeySpec, Medium, MediumError, Pin, SignAlg, SoPin,
    file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams},
};

const PIN: &str = "123456";
const SO_PIN: &str = "12345678";

/// What a backend can do, and why not where it cannot.
#[derive(Debug, Clone, Copy)]
struct Profile {
    /// Why wrong PINs do not count down one by one to a lock, if they do not.
    no_exact_lockout: Option<&'static str>,
    /// Why SM2 is unavailable, if it is.
    no_sm2: Option<&'static str>,
    /// Private objects are invisible, not refused, before login (PKCS#11 v2.40 §4.4).
    private_hidden_before_login: bool,
}

const FILE_DEVICE: Profile = Profile {
    no_exact_lockout: None,
    no_sm2: None,
    private_hidden_before_login: false,
};

const SOFTHSM2: Profile = Profile {
    no_exact_lockout: Some(
        "SoftHSM2 keeps no retry counter and never locks the user PIN; PKCS#11 reports only the \
         COUNT_LOW/FINAL_TRY/LOCKED flags",
    ),
    no_sm2: Some("SoftHSM2 offers no SM2 mechanism (operations return Unsupported)"),
    private_hidden_before_login: true,
};

fn skip(check: &str, reason: &str) {
    eprintln!("SKIP {check}: {reason}");
}

fn pin() -> Pin {
    Pin::new(PIN)
}

/// Runs every check on fresh media from `fresh`, whose user PIN is [`PIN`] and SO PIN
/// [`SO_PIN`].
fn conformance<M: Medium>(p: Profile, mut fresh: impl FnMut() -> M) {
    info_before_login(&mut fresh());
    match p.no_exact_lockout {
        None => {
            wrong_pin_counts_down_and_locks(&mut fresh());
            right_pin_resets_the_count(&mut fresh());
        }
        Some(reason) => {
            skip("wrong_pin_counts_down_and_locks", reason);
            wrong_pin_lowers_the_count_and_so_resets(&mut fresh());
        }
    }
    change_pin(&mut fresh());
    private_operations_need_login(&mut fresh());
    for spec in [KeySpec::Sm2, KeySpec::P256, KeySpec::Rsa2048] {
        match (spec, p.no_sm2) {
            (KeySpec::Sm2, Some(reason)) => {
                skip("generate_sign_verify_with_openssl(Sm2)", reason);
                sm2_refused(&mut fresh());
            }
            _ => generate_sign_verify_with_openssl(&mut fresh(), spec),
        }
    }
    match p.no_sm2 {
        None => sm2_decrypts_openssl_ciphertext(&mut fresh()),
        Some(reason) => skip("sm2_decrypts_openssl_ciphertext", reason),
    }
    let specs = match p.no_sm2 {
        None => [KeySpec::Sm2, KeySpec::P256],
        Some(_) => [KeySpec::P256, KeySpec::Rsa2048],
    };
    certificate_import_binds_and_delete_needs_pin(&mut fresh(), specs);
    data_objects_round_trip(&mut fresh(), p);
    let spec = if p.no_sm2.is_none() {
        KeySpec::Sm2
    } else {
        KeySpec::P256
    };
    keys_not_exportable_unless_asked(&mut fresh(), spec);
}

/// Where the backend has no exact counter: a wrong PIN is reported and lowers the count, the right
/// one restores it, and the SO PIN sets a new user PIN.
fn wrong_pin_lowers_the_count_and_so_resets(m: &mut impl Medium) {
    let max = m.info().unwrap().pin_max_retries;
    match m.login(&Pin::new("000000")) {
        Err(MediumError::PinIncorrect { retries_left }) => assert!(retries_left < max),
        other => panic!("wrong PIN gave {other:?}"),
    }
    assert!(m.info().unwrap().pin_retries_left < max);
    m.login(&pin()).unwrap();
    assert_eq!(m.info().unwrap().pin_retries_left, max);
    assert!(matches!(
        m.unlock(&SoPin::new("99999999"), &Pin::new("654321")),
        Err(MediumError::SoPinIncorrect { .. })
    ));
    m.unlock(&SoPin::new(SO_PIN), &Pin::new("654321")).unwrap();
    assert!(!m.info().unwrap().locked);
    assert!(matches!(
        m.login(&pin()),
        Err(MediumError::PinIncorrect { .. })
    ));
    m.login(&Pin::new("654321")).unwrap();
    assert!(m.info().unwrap().logged_in);
}

/// Where SM2 is unavailable, asking for it says so instead of failing some other way.
fn sm2_refused(m: &mut impl Medium) {
    m.login(&pin()).unwrap();
    assert!(matches!(
        m.generate_key(KeySpec::Sm2, &CsrRequest::new("CN=sm2")),
        Err(MediumError::Unsupported { .. })
    ));
}

fn info_before_login(m: &mut impl Medium) {
    let info = m.info().unwrap();
    assert!(!info.logged_in);
    assert!(!info.locked);
    assert_eq!(info.pin_retries_left, info.pin_max_retries);
    assert!(m.certificates().unwrap().is_empty());
    assert!(m.keys().unwrap().is_empty());
}

fn wrong_pin_counts_down_and_locks(m: &mut impl Medium) {
    let max = m.info().unwrap().pin_max_retries;
    for expected in (0..max).rev() {
        match m.login(&Pin::new("000000")) {
            Err(MediumError::PinIncorrect { retries_left }) => assert_eq!(retries_left, expected),
            other => panic!("wrong PIN gave {other:?}"),
        }
        assert_eq!(m.info().unwrap().pin_retries_left, expected);
    }
    assert!(m.info().unwrap().locked);
    // Locked: even the right PIN is refused.
    assert!(matches!(m.login(&pin()), Err(MediumError::Locked)));
    assert!(matches!(
        m.unlock(&SoPin::new("99999999"), &Pin::new("654321")),
        Err(MediumError::SoPinIncorrect { .. })
    ));
    m.unlock(&SoPin::new(SO_PIN), &Pin::new("654321")).unwrap();
    let info = m.info().unwrap();
    assert!(!info.locked);
    assert_eq!(info.pin_retries_left, max);
    assert!(matches!(
        m.login(&pin()),
        Err(MediumError::PinIncorrect { .. })
    ));
    m.login(&Pin::new("654321")).unwrap();
    assert!(m.info().unwrap().logged_in);
}

fn right_pin_resets_the_count(m: &mut impl Medium) {
    let max = m.info().unwrap().pin_max_retries;
    assert!(m.login(&Pin::new("111111")).is_err());
    assert!(m.login(&Pin::new("222222")).is_err());
    assert_eq!(m.info().unwrap().pin_retries_left, max - 2);
    m.login(&pin()).unwrap();
    assert_eq!(m.info().unwrap().pin_retries_left, max);
}

fn change_pin(m: &mut impl Medium) {
    assert!(matches!(
        m.change_pin(&Pin::new("999999"), &Pin::new("24681357")),
        Err(MediumError::PinIncorrect { .. })
    ));
    assert!(matches!(
        m.change_pin(&pin(), &Pin::new("12")),
        Err(MediumError::PinLength { .. })
    ));
    m.change_pin(&pin(), &Pin::new("24681357")).unwrap();
    m.logout();
    assert!(m.login(&pin()).is_err());
    m.login(&Pin::new("24681357")).unwrap();
}

fn private_operations_need_login(m: &mut impl Medium) {
    let req = CsrRequest::new("CN=nobody");
    assert!(matches!(
        m.generate_key(KeySpec::P256, &req),
        Err(MediumError::NotLoggedIn)
    ));
    m.login(&pin()).unwrap();
    let key = m.generate_key(KeySpec::P256, &req).unwrap().key.reference;
    m.logout();
    let alg = SignAlg::Ecdsa {
        digest: DigestAlgorithm::Sha256,
    };
    assert!(matches!(
        m.sign(&key, &alg, b"x"),
        Err(MediumError::NotLoggedIn)
    ));
    assert!(matches!(
        m.write_data_object("d", b"x", false),
        Err(MediumError::NotLoggedIn)
    ));
    assert!(matches!(m.delete_key(&key), Err(MediumError::NotLoggedIn)));
}

fn generate_sign_verify_with_openssl(m: &mut impl Medium, spec: KeySpec) {
    let dir = Scratch::new();
    m.login(&pin()).unwrap();
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

    let public = dir.write("pub.pem", pem("PUBLIC KEY", &generated.key.public_key));
    let msg = b"the quick brown fox".repeat(20);
    let msg_file = dir.write("msg", &msg);
    let key = &generated.key.reference;
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
    if spec == KeySpec::Sm2 {
        dir.ok(&[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", &public, "-in",
            &msg_file, "-sigfile", &sig_file, "-pkeyopt", DISTID,
        ]);
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
    let (ok, _) = if spec == KeySpec::Sm2 {
        dir.run(&[
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", &public, "-in",
            &msg_file, "-sigfile", &other, "-pkeyopt", DISTID,
        ])
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
    };
    assert!(
        !ok,
        "{spec:?}: openssl accepted a signature over another message"
    );
}

fn sm2_decrypts_openssl_ciphertext(m: &mut impl Medium) {
    let dir = Scratch::new();
    m.login(&pin()).unwrap();
    let generated = m
        .generate_key(KeySpec::Sm2, &CsrRequest::new("CN=decrypt"))
        .unwrap();
    let public = dir.write("pub.pem", pem("PUBLIC KEY", &generated.key.public_key));
    let plain = dir.write("plain", "机密 secret message");
    dir.ok(&[
        "pkeyutl", "-encrypt", "-pubin", "-inkey", &public, "-in", &plain, "-out", "ct",
    ]);
    let ct = dir.read("ct");
    let alg = EncAlg::Sm2 {
        format: CiphertextFormat::Der,
    };
    let out = m.decrypt(&generated.key.reference, &alg, &ct).unwrap();
    assert_eq!(out.as_slice(), "机密 secret message".as_bytes());
    let mut tampered = ct.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(
        m.decrypt(&generated.key.reference, &alg, &tampered)
            .is_err()
    );
    m.logout();
    assert!(matches!(
        m.decrypt(&generated.key.reference, &alg, &ct),
        Err(MediumError::NotLoggedIn)
    ));
}

/// A certificate for the CSR, issued by a throwaway OpenSSL CA.
fn issue(dir: &Scratch, csr_der: &[u8], sm2: bool) -> Vec<u8> {
    if !dir.path("ca.key").exists() {
        dir.ok(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=Test CA",
            "-days",
            "30",
        ]);
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

fn certificate_import_binds_and_delete_needs_pin(m: &mut impl Medium, specs: [KeySpec; 2]) {
    let dir = Scratch::new();
    m.login(&pin()).unwrap();
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
    m.login(&pin()).unwrap();
    m.delete_certificate(cert).unwrap();
    assert_eq!(m.certificates().unwrap().len(), 1);
    assert!(m.keys().unwrap().iter().all(|k| k.reference != *key));
    assert!(matches!(
        m.delete_certificate(cert),
        Err(MediumError::NoSuchCertificate)
    ));
}

fn data_objects_round_trip(m: &mut impl Medium, p: Profile) {
    m.login(&pin()).unwrap();
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
    m.login(&pin()).unwrap();
    assert_eq!(
        m.read_data_object("secret").unwrap().unwrap(),
        b"private bytes"
    );
    assert!(m.delete_data_object("secret").unwrap());
    assert!(!m.delete_data_object("secret").unwrap());
    assert_eq!(m.data_objects().unwrap(), vec!["seal.png"]);
}

fn keys_not_exportable_unless_asked(m: &mut impl Medium, spec: KeySpec) {
    m.login(&pin()).unwrap();
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
    let out = dir.ok(&[
        "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", "p.der",
    ]);
    let _ = out;
    assert_eq!(dir.read("p.der"), free.key.public_key);
}

fn file_device(mode: AlgorithmMode, kdf: KdfParams) -> impl FnMut() -> FileDevice {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    move || {
        n += 1;
        let store = FileDeviceStore::open(dir.path()).unwrap();
        let options = CreateOptions::new(format!("device {n}"))
            .mode(mode)
            .kdf(kdf);
        let created = store.create(&options, &pin(), &SoPin::new(SO_PIN)).unwrap();
        // Every check works on a device opened afresh from its file.
        FileDevice::open(created.path()).unwrap()
    }
}

#[test]
fn file_device_standard_mode() {
    conformance(
        FILE_DEVICE,
        file_device(AlgorithmMode::Standard, KdfParams::default()),
    );
}

#[test]
fn file_device_national_mode() {
    conformance(
        FILE_DEVICE,
        file_device(AlgorithmMode::National, KdfParams::default()),
    );
}

#[test]
fn file_device_rsa3072() {
    let mut fresh = file_device(
        AlgorithmMode::Standard,
        KdfParams::insecure_minimum_for_tests(),
    );
    let mut m = fresh();
    generate_sign_verify_with_openssl(&mut m, KeySpec::Rsa3072);
}

/// The suite on SoftHSM2 tokens made with `softhsm2-util --init-token --free`, each test in its
/// own process and token folder (see `conformance/softhsm.rs`).
#[test]
fn softhsm2() {
    let Some(hsm) = softhsm::isolated("softhsm2") else {
        return;
    };
    // SoftHSM2 sees the tokens present at `C_Initialize`: make them all first.
    for n in 1..=16 {
        hsm.init_token(&format!("conformance {n}"));
    }
    let mut n = 0;
    conformance(SOFTHSM2, move || {
        n += 1;
        hsm.open(&format!("conformance {n}"))
    });
}

#[test]
fn softhsm2_rsa3072() {
    let Some(hsm) = softhsm::isolated("softhsm2_rsa3072") else {
        return;
    };
    hsm.init_token("rsa3072");
    generate_sign_verify_with_openssl(&mut hsm.open("rsa3072"), KeySpec::Rsa3072);
}
