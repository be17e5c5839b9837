//! OpenSSL's own evp-test vectors for SM2, SM3, SM4 and HMAC-SM3
//! (`shared/testdata/vectors/openssl-evp/*.txt`, from Tongsuo `test/recipes/30-test_evp_data`),
//! run through our API. Entries for operations we do not offer are skipped with the reason
//! printed; run with `--nocapture` to see the tally.

use crate::evp_file;

use std::collections::HashMap;

use evp_file::Stanza;
use tessera_crypto::{
    digest::{self, DigestAlgorithm},
    hmac,
    sm2::{CiphertextFormat, Sm2PrivateKey, Sm2Signature},
    sm4::{self, Padding},
};
use tessera_testkit::{tally::Tally, testdata::read_testdata};

const DIR: &str = "vectors/openssl-evp";

fn stanzas(file: &str) -> (String, Vec<Stanza>) {
    let name = format!("{DIR}/{file}");
    let text = read_testdata(&name);
    (name, evp_file::parse(&text))
}

/// Every `Ctrl` we cannot express. SM2 in our API always hashes with SM3, so `digest:SM3` is the
/// one control that changes nothing.
fn unsupported_ctrls(stanza: &Stanza) -> Vec<&str> {
    stanza
        .all("Ctrl")
        .filter(|c| !c.eq_ignore_ascii_case("digest:SM3"))
        .collect()
}

#[test]
fn evppkey_sm2() {
    let (file, stanzas) = stanzas("evppkey_sm2.txt");
    let mut tally = Tally::new(&file);
    let mut keys: HashMap<String, Sm2PrivateKey> = HashMap::new();

    for st in &stanzas {
        let (kind, name) = st.kind();
        let at = st.at(&file);
        match kind {
            "Title" => {}
            "PrivateKey" => {
                let loaded =
                    Sm2PrivateKey::from_pem(st.pem.as_deref().expect("PEM after PrivateKey"));
                tally.check(loaded.is_ok(), || {
                    format!("{at}: key does not load: {loaded:?}")
                });
                if let Ok(key) = loaded {
                    keys.insert(name.to_owned(), key);
                }
            }
            "Verify" | "Decrypt" => {
                let ctrls = unsupported_ctrls(st);
                if !ctrls.is_empty() {
                    let expected = st.get("Result").unwrap_or("success");
                    tally.skip(format!(
                        "{kind} with {ctrls:?} (expects {expected}): \
                         our SM2 takes no digest control, it is SM3 only"
                    ));
                    continue;
                }
                let key = keys
                    .get(name)
                    .unwrap_or_else(|| panic!("{at}: unknown key"));
                let input = st.bytes("Input").expect("Input");
                // Any `Result` names the error OpenSSL expects; all that matters here is failure.
                let expect_ok = st.get("Result").is_none();
                if kind == "Verify" {
                    // EVP_PKEY_verify takes the already computed e = SM3(Z_A || M).
                    let sig = st.bytes("Output").expect("Output (the signature)");
                    let outcome = <[u8; 32]>::try_from(input.as_slice())
                        .map_err(|_| "e is not 32 bytes".to_owned())
                        .and_then(|e| {
                            let sig = Sm2Signature::from_der(&sig).map_err(|e| e.to_string())?;
                            key.public_key()
                                .verify_digest(&e, &sig)
                                .map_err(|e| e.to_string())?;
                            // Not vacuous: the same signature over another e must fail.
                            let mut other = e;
                            other[31] ^= 1;
                            match key.public_key().verify_digest(&other, &sig) {
                                Ok(()) => Err("also verifies over a different e".to_owned()),
                                Err(_) => Ok(()),
                            }
                        });
                    tally.check(outcome.is_ok() == expect_ok, || {
                        format!(
                            "{at}: expected {}, got {outcome:?}",
                            if expect_ok { "Ok" } else { "failure" }
                        )
                    });
                } else {
                    let outcome = key.decrypt(&input, CiphertextFormat::Der);
                    let agrees = match (&outcome, st.bytes("Output")) {
                        (Ok(pt), Some(expected)) if expect_ok => {
                            pt.as_slice() == expected.as_slice()
                        }
                        (Err(_), _) => !expect_ok,
                        _ => false,
                    };
                    tally.check(agrees, || format!("{at}: got {outcome:?}"));
                }
            }
            "Sign" => tally.skip(format!(
                "Sign expecting {}: SM2 signatures are randomized, so OpenSSL's entry only \
                 checks that signing runs and its output differs from a fixed value; \
                 not an oracle",
                st.get("Result").unwrap_or("a fixed output")
            )),
            "KeyGen" => tally.skip("KeyGen: generates a key, nothing to compare against"),
            other => tally.skip(format!("{other}: not an SM2 operation we offer")),
        }
    }
    tally.finish();
}

#[test]
fn evpmd_sm3() {
    let (file, stanzas) = stanzas("evpmd_sm3.txt");
    let mut tally = Tally::new(&file);
    for st in &stanzas {
        let (kind, name) = st.kind();
        let at = st.at(&file);
        match kind {
            "Title" => {}
            "Digest" => {
                let Some(alg) = DigestAlgorithm::from_name(name) else {
                    tally.skip(format!(
                        "Digest = {name}: not an algorithm DigestAlgorithm offers"
                    ));
                    continue;
                };
                // `Input` lines append chunks; `Count = n` repeats the last chunk n times and
                // `Ncopy = n` replaces it with n copies (evp_test.c, digest_test_parse).
                let mut chunks: Vec<(Vec<u8>, usize)> = Vec::new();
                for (key, value) in &st.fields {
                    match key.as_str() {
                        "Input" => chunks.push((evp_file::decode_value(value).unwrap(), 1)),
                        "Count" | "Ncopy" => {
                            chunks.last_mut().expect("Count after Input").1 = value.parse().unwrap()
                        }
                        "Digest" | "Output" | "Availablein" => {}
                        other => panic!("{at}: unexpected field {other}"),
                    }
                }
                let expected = st.bytes("Output").expect("Output");
                let mut hasher = alg.hasher();
                let mut whole = Vec::new();
                for (chunk, count) in &chunks {
                    for _ in 0..*count {
                        hasher.update(chunk);
                        whole.extend_from_slice(chunk);
                    }
                }
                let incremental = hasher.finalize().into_vec();
                let one_shot = alg.digest(&whole);
                let mut agrees = incremental == expected
                    && one_shot == expected
                    && alg.output_len() == expected.len();
                if alg == DigestAlgorithm::Sm3 {
                    agrees &= digest::sm3(&whole).as_slice() == expected.as_slice();
                }
                tally.check(agrees, || format!("{at}: got {}", hex::encode(&one_shot)));
            }
            other => tally.skip(format!("{other}: not a digest entry")),
        }
    }
    tally.finish();
}

#[test]
fn evpciph_sm4() {
    let (file, stanzas) = stanzas("evpciph_sm4.txt");
    let mut tally = Tally::new(&file);
    for st in &stanzas {
        let (kind, name) = st.kind();
        let at = st.at(&file);
        if kind == "Title" {
            continue;
        }
        if kind != "Cipher" {
            tally.skip(format!("{kind}: not a cipher entry"));
            continue;
        }
        let mode = name.to_ascii_uppercase();
        if !matches!(mode.as_str(), "SM4-ECB" | "SM4-CBC" | "SM4-GCM") {
            tally.skip(format!(
                "{name}: tessera_crypto::sm4 offers ECB, CBC and GCM only"
            ));
            continue;
        }
        let key: [u8; 16] = st
            .bytes("Key")
            .expect("Key")
            .try_into()
            .expect("16-byte key");
        let plaintext = st.bytes("Plaintext").expect("Plaintext");
        let ciphertext = st.bytes("Ciphertext").expect("Ciphertext");
        let operation = st.get("Operation").map(str::to_ascii_uppercase);
        let (encrypt, decrypt) = match operation.as_deref() {
            None => (true, true),
            Some("ENCRYPT") => (true, false),
            Some("DECRYPT") => (false, true),
            Some(other) => panic!("{at}: Operation = {other}"),
        };
        let expect_ok = st.get("Result").is_none();
        let iv = st.bytes("IV");

        let agrees = match mode.as_str() {
            "SM4-ECB" => {
                // evp_test turns padding off; every entry is whole blocks.
                (!encrypt
                    || sm4::ecb_encrypt(&key, &plaintext, Padding::None).ok()
                        == Some(ciphertext.clone()))
                    && (!decrypt
                        || match sm4::ecb_decrypt(&key, &ciphertext, Padding::None) {
                            Ok(pt) => expect_ok && *pt == plaintext,
                            Err(_) => !expect_ok,
                        })
            }
            "SM4-CBC" => {
                let iv: [u8; 16] = iv.expect("IV").try_into().expect("16-byte IV");
                (!encrypt
                    || sm4::cbc_encrypt(&key, &iv, &plaintext, Padding::None).ok()
                        == Some(ciphertext.clone()))
                    && (!decrypt
                        || match sm4::cbc_decrypt(&key, &iv, &ciphertext, Padding::None) {
                            Ok(pt) => expect_ok && *pt == plaintext,
                            Err(_) => !expect_ok,
                        })
            }
            _ => {
                let Ok(nonce) = <[u8; 12]>::try_from(iv.expect("IV").as_slice()) else {
                    tally.skip("SM4-GCM, IV not 96 bits: RFC 8998 SM4-GCM uses 96-bit nonces");
                    continue;
                };
                // AAD may be given in several pieces; they are concatenated.
                let aad: Vec<u8> = st
                    .all("AAD")
                    .flat_map(|v| evp_file::decode_value(v).unwrap())
                    .collect();
                let tag = st.bytes("Tag").expect("Tag");
                let sealed = [ciphertext.as_slice(), tag.as_slice()].concat();
                let tampered = {
                    let mut t = sealed.clone();
                    *t.last_mut().unwrap() ^= 1;
                    t
                };
                (!encrypt
                    || sm4::gcm_seal(&key, &nonce, &aad, &plaintext).ok() == Some(sealed.clone()))
                    && (!decrypt
                        || match sm4::gcm_open(&key, &nonce, &aad, &sealed) {
                            Ok(pt) => expect_ok && *pt == plaintext,
                            Err(_) => !expect_ok,
                        })
                    && sm4::gcm_open(&key, &nonce, &aad, &tampered).is_err()
            }
        };
        tally.check(agrees, || format!("{at}: disagrees"));
    }
    tally.finish();
}

#[test]
fn evpmac_sm3() {
    let (file, stanzas) = stanzas("evpmac_sm3.txt");
    let mut tally = Tally::new(&file);
    for st in &stanzas {
        let (kind, name) = st.kind();
        let at = st.at(&file);
        match (kind, name, st.get("Algorithm")) {
            ("Title", _, _) => {}
            ("MAC", "HMAC", Some(alg)) if alg.eq_ignore_ascii_case("SM3") => {
                if let Some((k, _)) = st.fields.iter().find(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "MAC" | "Algorithm" | "Key" | "Input" | "Output" | "Availablein"
                    )
                }) {
                    tally.skip(format!(
                        "HMAC-SM3 with {k}: a parameter our HMAC does not take"
                    ));
                    continue;
                }
                let key = st.bytes("Key").expect("Key");
                let input = st.bytes("Input").expect("Input");
                let expected = st.bytes("Output").expect("Output");
                let tag = hmac::hmac_sm3(&key, &input);
                let mut wrong = expected.clone();
                wrong[0] ^= 0x80;
                let agrees = tag == expected
                    && hmac::verify_hmac_sm3(&key, &input, &expected).is_ok()
                    && hmac::verify_hmac_sm3(&key, &input, &expected[..16]).is_ok()
                    && hmac::verify_hmac_sm3(&key, &input, &wrong).is_err();
                tally.check(agrees, || format!("{at}: got {}", hex::encode(&tag)));
            }
            (kind, name, alg) => tally.skip(format!(
                "{kind} = {name} ({alg:?}): only HMAC-SM3 is in scope"
            )),
        }
    }
    tally.finish();
}
