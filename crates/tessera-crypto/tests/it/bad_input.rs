//! Bad input gives an error of the right kind, never a panic: ECDSA signatures, points and
//! hashes, RSA keys and signatures, SM4 lengths and padding, HMAC-SM3 tag lengths; and random or
//! mutated bytes fed to every parser (SM2 included). The SM2-specific cases are in
//! `bad_input_sm2.rs`.

use crate::malformed;

use der::Encode as _;
use malformed::{P256_GX, P256_GY, SM2_GX, SM2_GY, int, is_invalid_key, point, seq, unwrap_err};
use proptest::{collection::vec, prelude::*, sample::Index};
use tessera_crypto::{
    CryptoError,
    digest::DigestAlgorithm,
    ecdsa::{EcCurve, EcdsaPrivateKey, EcdsaPublicKey, SignatureEncoding},
    hmac,
    rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey},
    sm2::{DEFAULT_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature},
    sm4::{self, Padding},
};

// --- ECDSA -------------------------------------------------------------------------------------

#[test]
fn ecdsa_bad_signatures_keys_and_hashes_are_refused() {
    let malformed = CryptoError::MalformedSignature { algorithm: "ECDSA" };
    for curve in [EcCurve::P256, EcCurve::P384] {
        let key = EcdsaPrivateKey::generate(curve).unwrap();
        let public = key.public_key();
        let digest = curve.default_digest();
        let hash = digest.digest(b"abc");
        let der = key.sign_prehash(&hash, SignatureEncoding::Der).unwrap();
        let raw = key.sign_prehash(&hash, SignatureEncoding::P1363).unwrap();
        public
            .verify_prehash(&hash, &der, SignatureEncoding::Der)
            .unwrap();
        public
            .verify_prehash(&hash, &raw, SignatureEncoding::P1363)
            .unwrap();

        let mut bad_der: Vec<Vec<u8>> = (0..der.len()).map(|len| der[..len].to_vec()).collect();
        bad_der.push([&der[..], &[0]].concat());
        bad_der.push(raw.clone());
        bad_der.push(seq(&[int(&[0]), int(&[1])]));
        bad_der.push(seq(&[int(&[0x81]), int(&[1])]));
        bad_der.push(seq(&[int(&[0, 1]), int(&[1])]));
        for sig in bad_der {
            assert_eq!(
                public.verify_prehash(&hash, &sig, SignatureEncoding::Der),
                Err(malformed.clone()),
                "{curve:?} {}",
                hex::encode(&sig)
            );
        }
        let width = raw.len();
        for len in [0, 1, width / 2, width - 1, width + 1, 2 * width] {
            assert_eq!(
                public.verify_prehash(&hash, &vec![1; len], SignatureEncoding::P1363),
                Err(malformed.clone()),
                "{curve:?} {len}"
            );
        }
        assert_eq!(
            public.verify_prehash(&hash, &vec![0; width], SignatureEncoding::P1363),
            Err(malformed.clone())
        );
        assert_eq!(
            public.verify_prehash(&hash, &vec![0xff; width], SignatureEncoding::P1363),
            Err(malformed.clone())
        );

        // Hashes too short to sign or verify are errors, not panics.
        for len in [0, 1, 8] {
            let short = vec![1; len];
            assert!(
                matches!(
                    key.sign_prehash(&short, SignatureEncoding::Der),
                    Err(CryptoError::InvalidInput { .. })
                ),
                "{curve:?} {len}"
            );
            assert!(
                public
                    .verify_prehash(&short, &der, SignatureEncoding::Der)
                    .is_err()
            );
        }
    }

    // Points off the curve, or on another curve.
    let g256 = point(P256_GX, P256_GY);
    EcdsaPublicKey::from_sec1_bytes(EcCurve::P256, &g256).unwrap();
    let mut off = g256.clone();
    off[64] ^= 1;
    let sm2_g = point(SM2_GX, SM2_GY);
    let p384_point = EcdsaPrivateKey::generate(EcCurve::P384)
        .unwrap()
        .public_key()
        .to_spki_der()
        .unwrap();
    for (what, curve, bytes) in [
        ("P-256 G with y + 1", EcCurve::P256, off),
        ("SM2 G on P-256", EcCurve::P256, sm2_g),
        ("P-256 G on P-384", EcCurve::P384, g256.clone()),
        ("identity", EcCurve::P256, vec![0]),
        ("empty", EcCurve::P384, vec![]),
        (
            "P-384 point on P-256",
            EcCurve::P256,
            p384_point[p384_point.len() - 97..].to_vec(),
        ),
    ] {
        let err = unwrap_err(EcdsaPublicKey::from_sec1_bytes(curve, &bytes));
        assert!(is_invalid_key(&err), "{what}: {err:?}");
    }
    let sm2 = Sm2PrivateKey::generate().unwrap();
    let err = unwrap_err(EcdsaPublicKey::from_spki_der(
        &sm2.public_key().to_spki_der().unwrap(),
    ));
    assert!(is_invalid_key(&err), "SM2 SPKI as ECDSA: {err:?}");
    let err = unwrap_err(EcdsaPrivateKey::from_der(&sm2.to_pkcs8_der().unwrap()));
    assert!(is_invalid_key(&err), "SM2 PKCS#8 as ECDSA: {err:?}");
}

// --- RSA ---------------------------------------------------------------------------------------

#[test]
fn rsa_bad_keys_signatures_and_hashes_are_refused() {
    for bits in [0, 1024, 2047, 2056 + 4, 4104, 8192] {
        assert!(
            matches!(
                RsaPrivateKey::generate(bits),
                Err(CryptoError::InvalidKey { .. })
            ),
            "{bits} bits"
        );
    }
    for der in [
        vec![],
        vec![0x30, 0],
        Sm2PrivateKey::generate()
            .unwrap()
            .public_key()
            .to_spki_der()
            .unwrap(),
    ] {
        assert!(matches!(
            RsaPublicKey::from_der(&der),
            Err(CryptoError::InvalidKey { .. })
        ));
        assert!(matches!(
            RsaPrivateKey::from_der(&der),
            Err(CryptoError::InvalidKey { .. })
        ));
    }

    let key = RsaPrivateKey::generate(2048).unwrap();
    let public = key.public_key();
    let digest = DigestAlgorithm::Sha256;
    let msg = b"abc";
    let good = key.sign(RsaPadding::Pkcs1v15, digest, msg).unwrap();
    public
        .verify(RsaPadding::Pkcs1v15, digest, msg, &good)
        .unwrap();
    let bad = CryptoError::BadSignature { algorithm: "RSA" };
    for padding in [RsaPadding::Pkcs1v15, RsaPadding::Pss] {
        for sig in [
            vec![],
            vec![1; 255],
            vec![1; 257],
            vec![0xff; 256],
            vec![0; 256],
            good[1..].to_vec(),
        ] {
            assert_eq!(
                public.verify(padding, digest, msg, &sig),
                Err(bad.clone()),
                "{padding:?} {} bytes",
                sig.len()
            );
        }
    }
    // Hash length that does not match the digest, and digests RSA does not allow.
    assert!(matches!(
        key.sign_prehash(RsaPadding::Pkcs1v15, digest, &[1; 31]),
        Err(CryptoError::InvalidInput { .. })
    ));
    assert!(matches!(
        key.sign_prehash(RsaPadding::Pss, digest, &[1; 33]),
        Err(CryptoError::InvalidInput { .. })
    ));
    assert!(matches!(
        key.sign(RsaPadding::Pkcs1v15, DigestAlgorithm::Md5, msg),
        Err(CryptoError::InvalidInput { .. })
    ));
    assert!(matches!(
        key.sign(RsaPadding::Pss, DigestAlgorithm::Md5, msg),
        Err(CryptoError::InvalidInput { .. })
    ));
    assert!(matches!(
        public.verify(RsaPadding::Pss, DigestAlgorithm::Md5, msg, &good),
        Err(CryptoError::InvalidInput { .. })
    ));
    assert!(
        public
            .verify_prehash(RsaPadding::Pkcs1v15, digest, &[1; 31], &good)
            .is_err()
    );
}

// --- SM4 and HMAC ------------------------------------------------------------------------------

#[test]
fn sm4_bad_lengths_and_padding_fail() {
    let key = [0x42; 16];
    let iv = [0x24; 16];
    let failed = CryptoError::DecryptionFailed { algorithm: "SM4" };
    for len in [1, 15, 17, 31] {
        let data = vec![0; len];
        assert!(matches!(
            sm4::ecb_encrypt(&key, &data, Padding::None),
            Err(CryptoError::InvalidInput { .. })
        ));
        assert!(matches!(
            sm4::cbc_encrypt(&key, &iv, &data, Padding::None),
            Err(CryptoError::InvalidInput { .. })
        ));
        for padding in [Padding::None, Padding::Pkcs7] {
            assert_eq!(
                sm4::ecb_decrypt(&key, &data, padding).map(|p| p.to_vec()),
                Err(failed.clone())
            );
            assert_eq!(
                sm4::cbc_decrypt(&key, &iv, &data, padding).map(|p| p.to_vec()),
                Err(failed.clone())
            );
        }
    }
    // PKCS#7: empty input has no padding block; a last byte of 0 or > 16 is not padding.
    assert_eq!(
        sm4::ecb_decrypt(&key, &[], Padding::Pkcs7).map(|p| p.to_vec()),
        Err(failed.clone())
    );
    for last in [0u8, 17, 0xff] {
        let mut block = [last; 16];
        block[0] = 1;
        let ct = sm4::ecb_encrypt(&key, &block, Padding::None).unwrap();
        assert_eq!(
            sm4::ecb_decrypt(&key, &ct, Padding::Pkcs7).map(|p| p.to_vec()),
            Err(failed.clone()),
            "last byte {last}"
        );
        let ct = sm4::cbc_encrypt(&key, &iv, &block, Padding::None).unwrap();
        assert_eq!(
            sm4::cbc_decrypt(&key, &iv, &ct, Padding::Pkcs7).map(|p| p.to_vec()),
            Err(failed.clone()),
            "last byte {last}"
        );
    }
    // Inconsistent padding bytes: 3 claimed, only 2 present.
    let mut block = [0u8; 16];
    block[14] = 3;
    block[15] = 3;
    let ct = sm4::ecb_encrypt(&key, &block, Padding::None).unwrap();
    assert_eq!(
        sm4::ecb_decrypt(&key, &ct, Padding::Pkcs7).map(|p| p.to_vec()),
        Err(failed)
    );

    // GCM: anything shorter than a tag, and any change, fails.
    let nonce = [7; 12];
    let gcm_failed = CryptoError::DecryptionFailed {
        algorithm: "SM4-GCM",
    };
    for len in 0..16 {
        assert_eq!(
            sm4::gcm_open(&key, &nonce, b"", &vec![0; len]).map(|p| p.to_vec()),
            Err(gcm_failed.clone())
        );
    }
    let sealed = sm4::gcm_seal(&key, &nonce, b"aad", b"plaintext").unwrap();
    for i in 0..sealed.len() {
        let mut t = sealed.clone();
        t[i] ^= 0x01;
        assert_eq!(
            sm4::gcm_open(&key, &nonce, b"aad", &t).map(|p| p.to_vec()),
            Err(gcm_failed.clone())
        );
    }
    assert_eq!(
        sm4::gcm_open(&key, &nonce, b"aaD", &sealed).map(|p| p.to_vec()),
        Err(gcm_failed.clone())
    );
    assert_eq!(
        sm4::gcm_open(&key, &[8; 12], b"aad", &sealed).map(|p| p.to_vec()),
        Err(gcm_failed)
    );
}

#[test]
fn hmac_sm3_tags_of_bad_length_fail() {
    let (key, data) = (b"key".as_slice(), b"data".as_slice());
    let tag = hmac::hmac_sm3(key, data);
    assert_eq!(tag.len(), 32);
    for len in [0, 1, 10, 15] {
        assert!(
            matches!(
                hmac::verify_hmac_sm3(key, data, &tag[..len]),
                Err(CryptoError::InvalidInput { .. })
            ),
            "{len}"
        );
    }
    for len in [16, 31, 32] {
        hmac::verify_hmac_sm3(key, data, &tag[..len]).unwrap();
    }
    let longer = [&tag[..], &[0]].concat();
    assert!(
        hmac::verify_hmac_sm3(key, data, &longer).is_err(),
        "a tag longer than SM3's output"
    );
    // Truncation keeps the left bytes (RFC 2104 §5): the right half does not verify.
    assert!(hmac::verify_hmac_sm3(key, data, &tag[16..]).is_err());
}

// --- Random bytes into every parser ------------------------------------------------------------

/// Text with PEM markers in it, to walk the PEM block finder down odd paths.
fn pemish() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "((-----BEGIN |-----END |PRIVATE KEY|PUBLIC KEY|EC PARAMETERS|-----|\n|\r\n\
         |[A-Za-z0-9+/=]{0,12}|é)){0,24}",
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..160), text in pemish()) {
        let _ = Sm2Signature::from_der(&bytes);
        let _ = Sm2Signature::from_raw(&bytes);
        let _ = Sm2PublicKey::from_sec1_bytes(&bytes);
        let _ = Sm2PublicKey::from_spki_der(&bytes);
        let _ = Sm2PrivateKey::from_der(&bytes);
        let _ = Sm2PrivateKey::from_bytes(&bytes);
        let _ = Sm2PrivateKey::from_pem(&text);
        let _ = Sm2PublicKey::from_pem(&text);
        for curve in [EcCurve::P256, EcCurve::P384] {
            let _ = EcdsaPublicKey::from_sec1_bytes(curve, &bytes);
        }
        let _ = EcdsaPublicKey::from_spki_der(&bytes);
        let _ = EcdsaPrivateKey::from_der(&bytes);
        let _ = RsaPublicKey::from_der(&bytes);
        let _ = RsaPrivateKey::from_der(&bytes);
    }

    /// One changed byte in a well-formed object: a clean error or a valid result, never a panic.
    #[test]
    fn mutated_encodings_never_panic(at in any::<Index>(), by in 1u8.., seed in any::<[u8; 32]>()) {
        let Ok(key) = Sm2PrivateKey::from_bytes(&seed) else { return Ok(()) };
        let public = key.public_key();
        let flip = |bytes: &[u8]| {
            let mut out = bytes.to_vec();
            out[at.index(bytes.len())] ^= by;
            out
        };
        let sig = key.sign(DEFAULT_ID, b"m").unwrap();
        if let Ok(s) = Sm2Signature::from_der(&flip(&sig.to_der())) {
            prop_assert!(public.verify(DEFAULT_ID, b"m", &s).is_err());
        }
        if let Ok(p) = Sm2PublicKey::from_spki_der(&flip(&public.to_spki_der().unwrap())) {
            prop_assert!(p != *public);
        }
        let _ = Sm2PrivateKey::from_der(&flip(&key.to_pkcs8_der().unwrap()));
        let _ = Sm2PublicKey::from_sec1_bytes(&flip(&public.to_sec1_uncompressed()));
        let pem = key.to_pkcs8_pem().unwrap();
        let _ = Sm2PrivateKey::from_pem(&String::from_utf8_lossy(&flip(pem.as_bytes())));
        let ecdsa = EcdsaPrivateKey::from_der(&{
            let mut d = seed;
            d[0] &= 0x7f; // below the P-256 order
            d[0] |= 1;
            let parameters = Some(sec1::EcParameters::NamedCurve(EcCurve::P256.oid()));
            sec1::EcPrivateKey { private_key: &d, parameters, public_key: None }.to_der().unwrap()
        }).unwrap();
        let hash = DigestAlgorithm::Sha256.digest(b"m");
        let der = ecdsa.sign_prehash(&hash, SignatureEncoding::Der).unwrap();
        let tampered = flip(&der);
        let verified = ecdsa.public_key().verify_prehash(&hash, &tampered, SignatureEncoding::Der);
        prop_assert!(verified.is_err());
        let _ = EcdsaPublicKey::from_spki_der(&flip(&ecdsa.public_key().to_spki_der().unwrap()));
        let _ = EcdsaPrivateKey::from_der(&flip(&ecdsa.to_pkcs8_der().unwrap()));
    }
}
