//! Properties of SM2 over random keys, IDs and messages: signatures verify and any change to the
//! message, the ID or the signature breaks them; encryption round-trips in every ciphertext
//! format, and any change to a ciphertext gives `DecryptionFailed`, never a panic or a wrong
//! plaintext.

use proptest::{collection::vec, prelude::*, sample::Index};
use tessera_crypto::{
    CryptoError,
    sm2::{CiphertextFormat, Sm2PrivateKey, Sm2Signature},
};

const FORMATS: [CiphertextFormat; 3] = [
    CiphertextFormat::C1C3C2,
    CiphertextFormat::C1C2C3,
    CiphertextFormat::Der,
];

const DECRYPTION_FAILED: CryptoError = CryptoError::DecryptionFailed { algorithm: "SM2" };

/// A private key from 32 random bytes; the few byte strings that are not a key (0, >= n - 1)
/// are discarded.
fn key_strategy() -> impl Strategy<Value = Sm2PrivateKey> {
    any::<[u8; 32]>().prop_filter_map("not a valid SM2 private key", |d| {
        Sm2PrivateKey::from_bytes(&d).ok()
    })
}

/// Decryption with the plaintext dropped, for comparing results.
fn decrypt(key: &Sm2PrivateKey, ct: &[u8], format: CiphertextFormat) -> Result<(), CryptoError> {
    key.decrypt(ct, format).map(|_| ())
}

fn flipped(bytes: &[u8], at: Index, by: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at.index(bytes.len())] ^= by;
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_then_verify_and_any_change_fails(
        key in key_strategy(),
        id in vec(any::<u8>(), 0..40),
        msg in vec(any::<u8>(), 1..300),
        at in any::<Index>(),
        by in 1u8..,
    ) {
        let public = key.public_key();
        let sig = key.sign(&id, &msg).unwrap();
        prop_assert_eq!(public.verify(&id, &msg, &sig), Ok(()));

        // Both encodings round-trip to the same signature.
        let der = sig.to_der();
        prop_assert_eq!(Sm2Signature::from_der(&der).unwrap(), sig);
        let raw = sig.to_raw();
        prop_assert_eq!(Sm2Signature::from_raw(&raw).unwrap(), sig);
        prop_assert_eq!(Sm2Signature::from_scalars(&sig.r(), &sig.s()).unwrap(), sig);

        // The digest path agrees with the message path.
        let e = public.message_digest(&id, &msg).unwrap();
        prop_assert_eq!(public.verify_digest(&e, &sig), Ok(()));

        // A changed message or ID fails.
        let bad = Err(CryptoError::BadSignature { algorithm: "SM2" });
        prop_assert_eq!(public.verify(&id, &flipped(&msg, at, by), &sig), bad.clone());
        let mut other_id = id.clone();
        other_id.push(by);
        prop_assert_eq!(public.verify(&other_id, &msg, &sig), bad.clone());
        if !id.is_empty() {
            prop_assert_eq!(public.verify(&flipped(&id, at, by), &msg, &sig), bad.clone());
        }

        // A changed signature, in either encoding, is refused when parsed or fails to verify.
        let tampered_der = flipped(&der, at, by);
        if let Ok(parsed) = Sm2Signature::from_der(&tampered_der) {
            prop_assert!(
                public.verify(&id, &msg, &parsed).is_err(),
                "tampered DER {} verifies",
                hex::encode(&tampered_der)
            );
        }
        let tampered_raw = flipped(&raw, at, by);
        if let Ok(parsed) = Sm2Signature::from_raw(&tampered_raw) {
            prop_assert_eq!(public.verify(&id, &msg, &parsed), bad.clone());
        }

        // Another key's public key does not verify it.
        let other = Sm2PrivateKey::generate().unwrap();
        prop_assert_eq!(other.public_key().verify(&id, &msg, &sig), bad);
    }

    #[test]
    fn encrypt_then_decrypt_in_every_format(
        key in key_strategy(),
        msg in vec(any::<u8>(), 1..200),
        at in any::<Index>(),
        by in 1u8..,
        cut in any::<Index>(),
    ) {
        let other = Sm2PrivateKey::generate().unwrap();
        for format in FORMATS {
            let ct = key.public_key().encrypt(&msg, format).unwrap();
            let pt = key.decrypt(&ct, format).unwrap();
            prop_assert_eq!(pt.as_slice(), msg.as_slice());
            if format != CiphertextFormat::Der {
                prop_assert_eq!(ct.len(), 65 + 32 + msg.len());
            }

            // Any flipped byte, anywhere, fails cleanly.
            let tampered = flipped(&ct, at, by);
            prop_assert_eq!(decrypt(&key, &tampered, format), Err(DECRYPTION_FAILED));
            // So does any truncation, and any extra byte.
            let truncated = &ct[..cut.index(ct.len())];
            prop_assert_eq!(decrypt(&key, truncated, format), Err(DECRYPTION_FAILED));
            // In the raw layouts an extra byte lengthens C2 (or moves C3); either way C3 fails.
            let mut longer = ct.clone();
            longer.push(by);
            prop_assert_eq!(decrypt(&key, &longer, format), Err(DECRYPTION_FAILED));
            // Another key cannot decrypt it.
            prop_assert_eq!(decrypt(&other, &ct, format), Err(DECRYPTION_FAILED));
        }

        // Read in the wrong layout, a ciphertext does not decrypt.
        let c1c3c2 = key.public_key().encrypt(&msg, CiphertextFormat::C1C3C2).unwrap();
        prop_assert_eq!(decrypt(&key, &c1c3c2, CiphertextFormat::C1C2C3), Err(DECRYPTION_FAILED));
        prop_assert_eq!(decrypt(&key, &c1c3c2, CiphertextFormat::Der), Err(DECRYPTION_FAILED));
    }

    /// Arbitrary bytes are never a ciphertext, in any format, and never panic.
    #[test]
    fn garbage_is_not_a_ciphertext(
        bytes in vec(any::<u8>(), 0..300),
        lead in prop::sample::select(vec![0x04u8, 0x30, 0x02, 0x03, 0x00]),
    ) {
        let key = Sm2PrivateKey::from_bytes(&[0x11; 32]).unwrap();
        let mut with_lead = vec![lead];
        with_lead.extend_from_slice(&bytes);
        for format in FORMATS {
            prop_assert_eq!(decrypt(&key, &bytes, format), Err(DECRYPTION_FAILED));
            prop_assert_eq!(decrypt(&key, &with_lead, format), Err(DECRYPTION_FAILED));
        }
    }
}
