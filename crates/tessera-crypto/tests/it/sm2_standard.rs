//! GB/T 32918.5 Annex A (signature) and Annex C (encryption), SM3 (GB/T 32905 Annex A) and SM4
//! (GB/T 32907 Annex A) reference values from `shared/testdata/vectors/sm2-standard.json`.

use serde::Deserialize;
use tessera_crypto::{
    digest,
    sm2::{CiphertextFormat, Sm2PrivateKey, Sm2Signature},
    sm4,
};

#[derive(Deserialize)]
struct Vectors {
    signatures: Vec<SignatureCase>,
    encryptions: Vec<EncryptionCase>,
    sm3: Vec<Sm3Case>,
    sm4: Vec<Sm4Case>,
}

#[derive(Deserialize)]
struct SignatureCase {
    curve: String,
    user_id: String,
    private_key: String,
    message_ascii: String,
    k: String,
    r: String,
    s: String,
}

#[derive(Deserialize)]
struct EncryptionCase {
    curve: String,
    private_key: String,
    message_ascii: String,
    k: String,
    ciphertext_der_gmt0009: String,
}

#[derive(Deserialize)]
struct Sm3Case {
    message_ascii: String,
    digest: String,
}

#[derive(Deserialize)]
struct Sm4Case {
    key: String,
    plaintext: String,
    ciphertext: String,
    iterations: Option<u32>,
}

fn vectors() -> Vectors {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/vectors/sm2-standard.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("shared/ beside the checkout"))
        .unwrap()
}

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[test]
fn signature_annex_a_with_fixed_k() {
    let cases: Vec<_> = vectors()
        .signatures
        .into_iter()
        .filter(|c| c.curve == "sm2p256v1")
        .collect();
    assert!(!cases.is_empty());
    for case in cases {
        let key = Sm2PrivateKey::from_bytes(&hex::decode(&case.private_key).unwrap()).unwrap();
        let e = key
            .public_key()
            .message_digest(case.user_id.as_bytes(), case.message_ascii.as_bytes())
            .unwrap();
        let sig = key.sign_digest_with_fixed_nonce(&e, &h32(&case.k)).unwrap();
        assert_eq!(hex::encode_upper(sig.r()), case.r);
        assert_eq!(hex::encode_upper(sig.s()), case.s);
        // The standard's signature verifies, and a random-nonce signature verifies too.
        let expected = Sm2Signature::from_scalars(&h32(&case.r), &h32(&case.s)).unwrap();
        key.public_key()
            .verify(
                case.user_id.as_bytes(),
                case.message_ascii.as_bytes(),
                &expected,
            )
            .unwrap();
        let fresh = key
            .sign(case.user_id.as_bytes(), case.message_ascii.as_bytes())
            .unwrap();
        key.public_key()
            .verify(
                case.user_id.as_bytes(),
                case.message_ascii.as_bytes(),
                &fresh,
            )
            .unwrap();
        // Another ID or another message does not verify.
        assert!(
            key.public_key()
                .verify(
                    b"1234567812345679",
                    case.message_ascii.as_bytes(),
                    &expected
                )
                .is_err()
        );
        assert!(
            key.public_key()
                .verify(case.user_id.as_bytes(), b"message digesT", &expected)
                .is_err()
        );
    }
}

#[test]
fn encryption_annex_c_with_fixed_k() {
    for case in vectors()
        .encryptions
        .into_iter()
        .filter(|c| c.curve == "sm2p256v1")
    {
        let key = Sm2PrivateKey::from_bytes(&hex::decode(&case.private_key).unwrap()).unwrap();
        let ct = key
            .public_key()
            .encrypt_with_fixed_nonce(
                case.message_ascii.as_bytes(),
                &h32(&case.k),
                CiphertextFormat::Der,
            )
            .unwrap();
        assert_eq!(hex::encode_upper(&ct), case.ciphertext_der_gmt0009);
        let pt = key.decrypt(&ct, CiphertextFormat::Der).unwrap();
        assert_eq!(pt.as_slice(), case.message_ascii.as_bytes());
        for format in [
            CiphertextFormat::C1C3C2,
            CiphertextFormat::C1C2C3,
            CiphertextFormat::Der,
        ] {
            let ct = key
                .public_key()
                .encrypt(case.message_ascii.as_bytes(), format)
                .unwrap();
            assert_eq!(
                key.decrypt(&ct, format).unwrap().as_slice(),
                case.message_ascii.as_bytes()
            );
        }
    }
}

#[test]
fn sm3_reference_values() {
    for case in vectors().sm3 {
        assert_eq!(
            hex::encode(digest::sm3(case.message_ascii.as_bytes())),
            case.digest
        );
    }
}

#[test]
fn sm4_reference_values() {
    for case in vectors().sm4 {
        let key: [u8; 16] = hex::decode(&case.key).unwrap().try_into().unwrap();
        let mut block = hex::decode(&case.plaintext).unwrap();
        for _ in 0..case.iterations.unwrap_or(1) {
            block = sm4::ecb_encrypt(&key, &block, sm4::Padding::None).unwrap();
        }
        assert_eq!(hex::encode(&block), case.ciphertext);
    }
}
