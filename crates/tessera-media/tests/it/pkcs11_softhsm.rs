//! PKCS#11 bad input on SoftHSM2: not a module, a module whose `C_Initialize` fails, a token
//! removed mid-way, wrong PINs, a certificate object holding garbage. Clear errors, no panic.

use crate::softhsm;

use std::path::Path;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use softhsm::{MODULE, USER_PIN, isolated, isolated_with_conf};
use tessera_media::pkcs11::{Pkcs11Failure, Pkcs11Module, Pkcs11Options};
use tessera_media::{CsrRequest, KeySpec, Medium, MediumError, Pin};

fn failure(e: &MediumError) -> Option<&Pkcs11Failure> {
    match e {
        MediumError::Io { source, .. } => source.get_ref()?.downcast_ref::<Pkcs11Failure>(),
        _ => None,
    }
}

#[test]
fn not_a_module() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("module.so");
    std::fs::write(&text, "not a shared library").unwrap();
    let e = Pkcs11Module::load(&text, Pkcs11Options::default()).unwrap_err();
    assert!(
        matches!(failure(&e), Some(Pkcs11Failure::NotAModule { .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("module.so"), "{e}");
    // A real shared library that is not PKCS#11.
    for lib in [
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
    ] {
        if Path::new(lib).exists() {
            let e = Pkcs11Module::load(lib, Pkcs11Options::default()).unwrap_err();
            assert!(
                matches!(failure(&e), Some(Pkcs11Failure::NotAModule { .. })),
                "{e:?}"
            );
            break;
        }
    }
    let e =
        Pkcs11Module::load(dir.path().join("missing.so"), Pkcs11Options::default()).unwrap_err();
    assert!(matches!(e, MediumError::Io { .. }), "{e:?}");
}

#[test]
fn module_failing_initialize() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("missing.conf");
    let Some(_) = isolated_with_conf("pkcs11_softhsm::module_failing_initialize", &conf) else {
        return;
    };
    let e = Pkcs11Module::load(MODULE, Pkcs11Options::default()).unwrap_err();
    assert!(
        matches!(failure(&e), Some(Pkcs11Failure::Initialize { .. })),
        "{e:?}"
    );
    eprintln!("C_Initialize failure reads: {e}");
}

#[test]
fn wrong_pins_never_panic_and_right_pin_still_works() {
    let Some(hsm) = isolated("pkcs11_softhsm::wrong_pins_never_panic_and_right_pin_still_works")
    else {
        return;
    };
    hsm.init_token("L");
    let mut token = hsm.open("L");
    // SoftHSM2 never locks; each wrong PIN is reported with an estimate that errs low.
    for _ in 0..12 {
        match token.login(&Pin::new("000000")) {
            Err(MediumError::PinIncorrect { retries_left }) => assert!(retries_left <= 2),
            Err(MediumError::Locked) => break,
            other => panic!("wrong PIN gave {other:?}"),
        }
    }
    let info = token.info().unwrap();
    assert!(!info.locked);
    token.login(&Pin::new(USER_PIN)).unwrap();
    assert_eq!(token.info().unwrap().pin_retries_left, info.pin_max_retries);
}

#[test]
fn garbage_certificate_does_not_hide_the_rest() {
    let Some(hsm) = isolated("pkcs11_softhsm::garbage_certificate_does_not_hide_the_rest") else {
        return;
    };
    hsm.init_token("L");
    let mut token = hsm.open("L");
    token.login(&Pin::new(USER_PIN)).unwrap();
    let g = token
        .generate_key(KeySpec::P256, &CsrRequest::new("CN=good"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("csr.der"), &g.csr).unwrap();
    let ca = dir.path();
    let run = |args: &[&str]| tessera_testkit::openssl::ok_in(ca, args);
    tessera_testkit::openssl::throwaway_ca(ca, "CA");
    run(&[
        "x509", "-req", "-inform", "DER", "-in", "csr.der", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-days", "3", "-outform", "DER", "-out", "good.der",
    ]);
    token
        .import_certificate(&std::fs::read(ca.join("good.der")).unwrap())
        .unwrap();

    // A certificate object whose value is garbage, written past our checks with cryptoki.
    let ctx = Pkcs11::new(MODULE).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == "L")
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&USER_PIN.to_owned().into()));
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Id(vec![0xee]),
            Attribute::Subject(vec![0x30, 0x00]),
            Attribute::Value(b"\x30\x03garbage".to_vec()),
        ])
        .unwrap();
    drop(session);

    let listed = token.certificates().unwrap();
    assert_eq!(listed.len(), 1, "the good certificate is still listed");
    let bad = token.unreadable_certificates().unwrap();
    assert_eq!(bad.len(), 1);
    eprintln!("unreadable: {}", bad[0].reason);
    // It can still be deleted by its thumbprint.
    token.delete_certificate(&bad[0].reference).unwrap();
    assert!(token.unreadable_certificates().unwrap().is_empty());
}

#[test]
fn token_removed_mid_way() {
    let Some(hsm) = isolated("pkcs11_softhsm::token_removed_mid_way") else {
        return;
    };
    hsm.init_token("L");
    let mut token = hsm.open("L");
    token.login(&Pin::new(USER_PIN)).unwrap();
    token.write_data_object("seal", b"x", false).unwrap();
    let out = std::process::Command::new("softhsm2-util")
        .args(["--delete-token", "--token", "L"])
        .env("SOFTHSM2_CONF", hsm.conf())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Whatever the module notices, every call returns; errors are typed.
    let results = [
        token.info().err(),
        token.certificates().err(),
        token.write_data_object("seal2", b"y", false).err(),
        token.login(&Pin::new(USER_PIN)).err(),
    ];
    for e in results.into_iter().flatten() {
        eprintln!("after removal: {e}");
        assert!(matches!(e, MediumError::NotFound { .. }), "{e:?}");
    }
    drop(token);
    // A fresh open does not find it.
    match hsm.module().open_token("L") {
        Ok(t) => eprintln!("SoftHSM2 still lists the deleted token until restart: {t:?}"),
        Err(e) => assert!(matches!(e, MediumError::NotFound { .. }), "{e:?}"),
    }
}
