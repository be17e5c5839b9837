#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use super::*;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// AES-256-GCM test cases 13, 14 and 16 of McGrew and Viega, "The Galois/Counter Mode of
/// Operation (GCM)", the vectors NIST's GCM validation lists (SP 800-38D); also checked against
/// Python's `cryptography` (OpenSSL) when they were copied here. SM4-GCM has Wycheproof's and
/// OpenSSL's vectors in `tests/wycheproof.rs` and `tests/openssl_evp.rs`.
#[test]
fn aes_256_gcm_standard_vectors() {
    let cases = [
        (
            "0000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000",
            "",
            "",
            "530f8afbc74536b9a963b4f1c4cb738b",
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000000",
            "000000000000000000000000",
            "",
            "00000000000000000000000000000000",
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
        ),
        (
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
             76fc6ece0f4e1768cddf8853bb2d551b",
        ),
    ];
    for (key, iv, aad, pt, ct) in cases {
        let (key, aad, pt, ct) = (unhex(key), unhex(aad), unhex(pt), unhex(ct));
        let nonce: [u8; 12] = unhex(iv).try_into().unwrap();
        let aead = Aead::Aes256Gcm;
        assert_eq!(aead.encrypt(&key, &nonce, &aad, &pt).unwrap(), ct);
        assert_eq!(
            aead.decrypt(&key, &nonce, &aad, &ct).unwrap().as_slice(),
            pt
        );
        let mut bad = ct.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert!(matches!(
            aead.decrypt(&key, &nonce, &aad, &bad),
            Err(CryptoError::DecryptionFailed { .. })
        ));
    }
}

fn cheap() -> Argon2Params {
    Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

fn kek() -> Kek {
    Kek::from_bytes(&[7; 32]).unwrap()
}

const AD: &[u8] = b"tessera test: owner 42";
const PLAIN: &[u8] = b"a private key, PKCS#8";

fn blobs() -> Vec<(Aead, KeyKind, Vec<u8>)> {
    let secret = Secret::new(b"123456");
    let mut out = Vec::new();
    for aead in [Aead::Aes256Gcm, Aead::Sm4Gcm] {
        out.push((
            aead,
            KeyKind::Kek,
            wrap_with_kek(&kek(), aead, AD, PLAIN).unwrap(),
        ));
        out.push((
            aead,
            KeyKind::Secret,
            wrap_with_secret(&secret, cheap(), aead, AD, PLAIN).unwrap(),
        ));
    }
    out
}

fn open(kind: KeyKind, ad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    match kind {
        KeyKind::Kek => unwrap_with_kek(&kek(), ad, blob),
        KeyKind::Secret => unwrap_with_secret(&Secret::new(b"123456"), ad, blob),
    }
}

#[test]
fn round_trip_and_header() {
    for (aead, kind, blob) in blobs() {
        assert_eq!(open(kind, AD, &blob).unwrap().as_slice(), PLAIN);
        let (header, _, ciphertext) = Header::parse(&blob).unwrap();
        assert_eq!((header.version, header.aead), (VERSION, aead));
        assert_eq!(header.kind(), kind);
        assert_eq!(ciphertext.len(), PLAIN.len() + TAG_LEN);
        assert!(Header::is_wrapped(&blob));
    }
    // Fresh nonce (and salt) every time.
    let a = wrap_with_kek(&kek(), Aead::Sm4Gcm, AD, PLAIN).unwrap();
    let b = wrap_with_kek(&kek(), Aead::Sm4Gcm, AD, PLAIN).unwrap();
    assert_ne!(a, b);
}

#[test]
fn every_flipped_bit_is_a_typed_error() {
    for (_, kind, blob) in blobs() {
        for i in 0..blob.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = blob.clone();
                if let Some(b) = bad.get_mut(i) {
                    *b ^= bit;
                }
                let err = open(kind, AD, &bad).expect_err("an altered blob opened");
                // Magic, version, ids, parameters, salt length: format errors; salt, nonce,
                // ciphertext, tag and in-range parameters: the tag fails.
                assert!(
                    matches!(
                        err,
                        WrapError::NotWrapped
                            | WrapError::UnsupportedVersion { .. }
                            | WrapError::UnknownAead { .. }
                            | WrapError::UnknownKdf { .. }
                            | WrapError::KdfParams
                            | WrapError::Truncated
                            | WrapError::WrongKeyKind { .. }
                            | WrapError::Unwrap
                    ),
                    "byte {i}: {err:?}"
                );
            }
        }
    }
}

#[test]
fn header_fields_are_authenticated() {
    // Changes that still parse must fail the tag, not give other plaintext.
    let blob = wrap_with_secret(&Secret::new(b"123456"), cheap(), Aead::Sm4Gcm, AD, PLAIN).unwrap();
    // m_kib = 64 -> 65 and t = 1 -> 2: legal parameters, another key.
    for offset in [9, 13] {
        let mut bad = blob.clone();
        if let Some(b) = bad.get_mut(offset) {
            *b += 1;
        }
        assert_eq!(
            open(KeyKind::Secret, AD, &bad).unwrap_err(),
            WrapError::Unwrap
        );
    }
    // The AEAD id switched (16-byte key vs 32): fails, typed.
    let mut bad = wrap_with_kek(&kek(), Aead::Sm4Gcm, AD, PLAIN).unwrap();
    if let Some(b) = bad.get_mut(4) {
        *b = 1;
    }
    assert_eq!(open(KeyKind::Kek, AD, &bad).unwrap_err(), WrapError::Unwrap);
}

#[test]
fn other_purpose_other_key_wrong_secret() {
    for (_, kind, blob) in blobs() {
        assert_eq!(
            open(kind, b"tessera test: owner 43", &blob).unwrap_err(),
            WrapError::Unwrap
        );
        assert_eq!(open(kind, b"", &blob).unwrap_err(), WrapError::Unwrap);
        let wrong = match kind {
            KeyKind::Kek => unwrap_with_kek(&Kek::from_bytes(&[8; 32]).unwrap(), AD, &blob),
            KeyKind::Secret => unwrap_with_secret(&Secret::new(b"654321"), AD, &blob),
        };
        assert_eq!(wrong.unwrap_err(), WrapError::Unwrap);
        let other_kind = match kind {
            KeyKind::Kek => unwrap_with_secret(&Secret::new(b"123456"), AD, &blob),
            KeyKind::Secret => unwrap_with_kek(&kek(), AD, &blob),
        };
        assert!(
            matches!(other_kind.unwrap_err(), WrapError::WrongKeyKind { found, .. } if found == kind)
        );
    }
}

#[test]
fn truncated_and_foreign_input() {
    for (_, kind, blob) in blobs() {
        for len in 0..blob.len() {
            let err = open(kind, AD, blob.get(..len).unwrap()).unwrap_err();
            assert!(
                matches!(
                    err,
                    WrapError::Truncated | WrapError::NotWrapped | WrapError::Unwrap
                ),
                "length {len}: {err:?}"
            );
        }
    }
    assert_eq!(
        open(KeyKind::Kek, AD, b"T1 legacy").unwrap_err(),
        WrapError::NotWrapped
    );
    let mut newer = wrap_with_kek(&kek(), Aead::Aes256Gcm, AD, PLAIN).unwrap();
    if let Some(v) = newer.get_mut(3) {
        *v = 2;
    }
    assert_eq!(
        open(KeyKind::Kek, AD, &newer).unwrap_err(),
        WrapError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
}

#[test]
fn bounds_and_secrets() {
    assert!(Kek::from_bytes(&[1; 15]).is_err());
    assert!(Kek::from_bytes(&[1; 65]).is_err());
    let huge = Argon2Params {
        memory_kib: u32::MAX,
        iterations: 1,
        parallelism: 1,
    };
    assert_eq!(
        wrap_with_secret(&Secret::new(b"x"), huge, Aead::Sm4Gcm, AD, PLAIN).unwrap_err(),
        WrapError::KdfParams
    );
    assert_eq!(format!("{:?}", Secret::new(b"123456")), "Secret(***)");
    assert_eq!(format!("{:?}", kek()), "Kek(***)");
}
