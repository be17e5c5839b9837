//! File-device specifics beyond the conformance suite: bad files, format fields, the store.

use tessera_media::{
    AlgorithmMode, FormatError, Medium, MediumError, Pin, SoPin,
    file_device::{CreateOptions, FileDevice, FileDeviceStore, KdfParams},
};

fn store() -> (tempfile::TempDir, FileDeviceStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = FileDeviceStore::open(dir.path().join("devices")).unwrap();
    (dir, store)
}

fn create(store: &FileDeviceStore, label: &str, mode: AlgorithmMode) -> FileDevice {
    let options = CreateOptions::new(label)
        .mode(mode)
        .kdf(KdfParams::insecure_minimum_for_tests());
    store
        .create(&options, &Pin::new("123456"), &SoPin::new("12345678"))
        .unwrap()
}

#[test]
fn default_kdf_meets_the_floor_and_is_stored() {
    let (_d, store) = store();
    let options = CreateOptions::new("real");
    let dev = store
        .create(&options, &Pin::new("123456"), &SoPin::new("12345678"))
        .unwrap();
    let kdf = dev.kdf_params();
    assert!(kdf.memory_kib >= 19 * 1024 && kdf.iterations >= 2);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dev.path()).unwrap()).unwrap();
    assert_eq!(json["kdf"]["algorithm"], "argon2id");
    assert_eq!(json["kdf"]["memory_kib"], 19 * 1024);
    assert_eq!(json["cipher"], "aes-256-gcm");
    assert_eq!(json["pin"]["max_retries"], 6);
}

#[test]
fn national_mode_wraps_with_sm4_gcm() {
    let (_d, store) = store();
    let dev = create(&store, "国密", AlgorithmMode::National);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dev.path()).unwrap()).unwrap();
    assert_eq!(json["cipher"], "sm4-gcm");
    assert_eq!(json["mode"], "national");
    // 16-byte data key + 16-byte tag, SM4-GCM named in the wrapped blob's header.
    use base64::Engine as _;
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(json["user_pin"].as_str().unwrap())
        .unwrap();
    let (header, _, ciphertext) = tessera_crypto::wrap::Header::parse(&wrapped).unwrap();
    assert_eq!(header.aead, tessera_crypto::wrap::Aead::Sm4Gcm);
    assert_eq!(ciphertext.len(), 32);
}

#[test]
fn store_lists_opens_by_label_and_refuses_duplicates() {
    let (_d, store) = store();
    create(&store, "a", AlgorithmMode::Standard);
    create(&store, "b", AlgorithmMode::National);
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(store.open_device("b").unwrap().info().unwrap().label, "b");
    assert!(matches!(
        store.open_device("c"),
        Err(MediumError::NotFound { .. })
    ));
    let options = CreateOptions::new("a").kdf(KdfParams::insecure_minimum_for_tests());
    assert!(matches!(
        store.create(&options, &Pin::new("123456"), &SoPin::new("12345678")),
        Err(MediumError::AlreadyExists { .. })
    ));
    let options = CreateOptions::new("short").kdf(KdfParams::insecure_minimum_for_tests());
    assert!(matches!(
        store.create(&options, &Pin::new("123"), &SoPin::new("12345678")),
        Err(MediumError::PinLength { .. })
    ));
}

#[test]
fn truncated_file_is_reported_and_left_alone() {
    let (_d, store) = store();
    let path = create(&store, "t", AlgorithmMode::Standard)
        .path()
        .to_owned();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        FileDevice::open(&path),
        Err(MediumError::Format(FormatError::Corrupt { .. }))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), &bytes[..bytes.len() / 2]);
    // The store still lists it, with its error.
    assert!(store.list().unwrap()[0].info.is_err());
}

#[test]
fn newer_version_is_refused() {
    let (_d, store) = store();
    let path = create(&store, "v", AlgorithmMode::Standard)
        .path()
        .to_owned();
    let text = std::fs::read_to_string(&path).unwrap();
    let newer = text.replace("\"version\": 3", "\"version\": 4");
    std::fs::write(&path, &newer).unwrap();
    assert!(matches!(
        FileDevice::open(&path),
        Err(MediumError::Format(FormatError::NewerVersion {
            found: 4,
            supported: 3
        }))
    ));
}

#[test]
fn pin_debug_hides_the_secret_and_file_holds_no_plaintext_key() {
    assert_eq!(format!("{:?}", Pin::new("123456")), "Pin(***)");
    assert_eq!(format!("{:?}", SoPin::new("12345678")), "SoPin(***)");
    let (_d, store) = store();
    let mut dev = create(&store, "k", AlgorithmMode::Standard);
    dev.login(&Pin::new("123456")).unwrap();
    let g = dev
        .generate_key(
            tessera_media::KeySpec::P256,
            &tessera_media::CsrRequest::new("CN=k").exportable(true),
        )
        .unwrap();
    let pkcs8 = dev.export_key(&g.key.reference).unwrap();
    let file = std::fs::read(dev.path()).unwrap();
    // The PKCS#8 bytes appear nowhere in the file, raw or base64.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&pkcs8[..]);
    assert!(!file.windows(32).any(|w| pkcs8.windows(32).any(|p| p == w)));
    assert!(!String::from_utf8_lossy(&file).contains(&b64[..40]));
}

/// `tests/data/v1-device.tdev`: written by the format-1 code (see `tests/data/README.md`).
const V1_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v1-device.tdev");

fn on_disk(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn version_1_file_opens_signs_and_becomes_the_current_version_on_its_first_write() {
    let (_d, store) = store();
    let path = store.dir().join("5aa1f676d68ef028.tdev");
    std::fs::copy(V1_FIXTURE, &path).unwrap();
    let mut dev = store.open_device("v1-fixture").unwrap();
    let info = dev.info().unwrap();
    assert_eq!(
        (info.so_pin_retries_left, info.so_pin_max_retries),
        (Some(10), Some(10))
    );
    // Reading does not rewrite.
    assert_eq!(on_disk(&path)["version"], 1);
    assert!(on_disk(&path).get("so_pin_retries").is_none());

    dev.login(&Pin::new("123456")).unwrap();
    let json = on_disk(&path);
    assert_eq!(json["version"], 3);
    assert_eq!(json["so_pin_retries"]["max_retries"], 10);
    assert_eq!(json["so_pin_retries"]["retries_left"], 10);
    assert_eq!(json["pin"]["retries_left"], 6);
    // The key wrapped by the version 1 code still unwraps (its own AAD) and signs.
    let cert = dev.certificates().unwrap().remove(0);
    let key = cert.key.expect("the key is on the device");
    let data = b"migrated";
    let sig = dev
        .sign(&key, &tessera_media::SignAlg::Sm2Sm3 { id: None }, data)
        .unwrap();
    assert!(!sig.is_empty());
    // The SO PIN of the version 1 file unlocks, now counted.
    dev.logout();
    let err = dev
        .unlock(&SoPin::new("wrong-so-pin"), &Pin::new("24680135"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            MediumError::SoPinIncorrect {
                retries_left: Some(9)
            }
        ),
        "{err:?}"
    );
    dev.unlock(&SoPin::new("so-secret-1"), &Pin::new("24680135"))
        .unwrap();
    dev.login(&Pin::new("24680135")).unwrap();
    assert_eq!(dev.info().unwrap().so_pin_retries_left, Some(10));
}

/// `tests/data/v2-device.tdev`: written by the format-2 code (see `tests/data/README.md`):
/// standard mode (AES-256-GCM), a P-256 key (`v2-device-key.p8`), a private and a public data
/// object.
const V2_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v2-device.tdev");
const V2_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v2-device-key.p8");

#[test]
fn version_2_file_opens_and_what_it_wrapped_survives_rewrapping() {
    let (_d, store) = store();
    let fixture: serde_json::Value =
        serde_json::from_slice(&std::fs::read(V2_FIXTURE).unwrap()).unwrap();
    let path = store
        .dir()
        .join(format!("{}.tdev", fixture["serial"].as_str().unwrap()));
    std::fs::copy(V2_FIXTURE, &path).unwrap();
    let pkcs8 = std::fs::read(V2_KEY).unwrap();
    let mut dev = store.open_device("v2-fixture").unwrap();
    assert_eq!(on_disk(&path)["version"], 2);
    dev.login(&Pin::new("123456")).unwrap();
    assert_eq!(on_disk(&path)["version"], 3);
    let key = dev.keys().unwrap().remove(0);
    assert_eq!(dev.export_key(&key.reference).unwrap().as_slice(), pkcs8);
    assert_eq!(
        dev.read_data_object("private-note").unwrap().unwrap(),
        b"kept since version 2"
    );
    assert_eq!(
        dev.read_data_object("public-note").unwrap().unwrap(),
        b"in clear"
    );
    // Objects of version 2 stay as they are until written anew.
    assert!(on_disk(&path)["keys"][0]["private_key"].is_object());

    dev.change_pin(&Pin::new("123456"), &Pin::new("654321"))
        .unwrap();
    dev.write_data_object("private-note", b"rewritten", true)
        .unwrap();
    let json = on_disk(&path);
    assert!(json["user_pin"].is_string(), "the data key is rewrapped");
    assert!(
        json["so_pin"].is_object(),
        "the SO PIN's wrap waits for its own use"
    );
    let note = json["data_objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "private-note")
        .unwrap();
    assert!(note["wrapped"].is_string() && note.get("sealed").is_none());

    // Read back from disk: old and new wrapping side by side.
    dev.logout();
    let mut dev = store.open_device("v2-fixture").unwrap();
    dev.login(&Pin::new("654321")).unwrap();
    assert_eq!(dev.export_key(&key.reference).unwrap().as_slice(), pkcs8);
    assert_eq!(
        dev.read_data_object("private-note").unwrap().unwrap(),
        b"rewritten"
    );
    dev.logout();
    assert!(matches!(
        dev.login(&Pin::new("123456")),
        Err(MediumError::PinIncorrect { .. })
    ));
    // The SO PIN wrapped by the version 2 code still unlocks.
    dev.unlock(&SoPin::new("12345678"), &Pin::new("24680135"))
        .unwrap();
    dev.login(&Pin::new("24680135")).unwrap();
    assert_eq!(dev.export_key(&key.reference).unwrap().as_slice(), pkcs8);
}

#[test]
fn so_pin_is_counted_and_blocked_for_good_at_zero() {
    let (_d, store) = store();
    let options = CreateOptions::new("so")
        .so_max_retries(3)
        .max_retries(2)
        .kdf(KdfParams::insecure_minimum_for_tests());
    let mut dev = store
        .create(&options, &Pin::new("123456"), &SoPin::new("12345678"))
        .unwrap();
    assert_eq!(on_disk(dev.path())["so_pin_retries"]["max_retries"], 3);
    let new = Pin::new("24680135");
    // A wrong SO PIN counts down; a right one restores the count.
    let wrong = |dev: &mut FileDevice| dev.unlock(&SoPin::new("87654321"), &new).unwrap_err();
    assert!(matches!(
        wrong(&mut dev),
        MediumError::SoPinIncorrect {
            retries_left: Some(2)
        }
    ));
    dev.unlock(&SoPin::new("12345678"), &new).unwrap();
    assert_eq!(dev.info().unwrap().so_pin_retries_left, Some(3));
    for left in [2, 1, 0] {
        let err = wrong(&mut dev);
        assert!(
            matches!(err, MediumError::SoPinIncorrect { retries_left: Some(l) } if l == left),
            "{err:?}"
        );
    }
    // Blocked: the right SO PIN is refused without a check, for good.
    assert!(matches!(
        dev.unlock(&SoPin::new("12345678"), &new),
        Err(MediumError::SoPinLocked)
    ));
    let reopened = FileDevice::open(dev.path()).unwrap();
    assert_eq!(reopened.info().unwrap().so_pin_retries_left, Some(0));
    // The user PIN still works while the device is not locked.
    dev.login(&new).unwrap();
}

#[test]
fn a_write_through_a_stale_handle_keeps_the_counter_another_handle_spent() {
    let (_d, store) = store();
    let mut a = create(&store, "stale", AlgorithmMode::Standard);
    a.login(&Pin::new("123456")).unwrap();
    // Another handle (another process, in real use) spends two tries.
    let mut b = FileDevice::open(a.path()).unwrap();
    for _ in 0..2 {
        assert!(b.login(&Pin::new("000000")).is_err());
    }
    // The logged-in handle writes: the counter on disk stays where b left it.
    a.write_data_object("note", b"x", false).unwrap();
    assert_eq!(on_disk(a.path())["pin"]["retries_left"], 4);
    assert_eq!(a.info().unwrap().pin_retries_left, 4);
}
