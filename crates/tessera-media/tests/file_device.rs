//! File-device specifics beyond the conformance suite: bad files, format fields, the store.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

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
fn national_mode_seals_with_sm4_gcm() {
    let (_d, store) = store();
    let dev = create(&store, "国密", AlgorithmMode::National);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dev.path()).unwrap()).unwrap();
    assert_eq!(json["cipher"], "sm4-gcm");
    assert_eq!(json["mode"], "national");
    // 16-byte data key + 16-byte tag.
    use base64::Engine as _;
    let wrapped = base64::engine::general_purpose::STANDARD
        .decode(json["user_pin"]["sealed"]["ciphertext"].as_str().unwrap())
        .unwrap();
    assert_eq!(wrapped.len(), 32);
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
    let newer = text.replace("\"version\": 1", "\"version\": 2");
    std::fs::write(&path, &newer).unwrap();
    assert!(matches!(
        FileDevice::open(&path),
        Err(MediumError::Format(FormatError::NewerVersion {
            found: 2,
            supported: 1
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
