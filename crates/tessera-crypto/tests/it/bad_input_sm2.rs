//! Bad SM2 input gives an error of the right kind, never a panic: malformed DER signatures,
//! signatures of the wrong length or out of range, points off the curve, keys out of range or in
//! containers for another curve, over-long IDs, truncated or malformed ciphertexts.

use crate::malformed;

use der::Encode as _;
use malformed::{
    P256_GX, P256_GY, SM2_GX, SM2_GY, h, int, is_invalid_key, point, seq, tlv, unwrap_err,
};
use tessera_crypto::{
    CryptoError,
    ecdsa::{EcCurve, EcdsaPrivateKey},
    sm2::{CURVE_OID, CiphertextFormat, DEFAULT_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature},
};

/// Order n of the SM2 group (GB/T 32918.5 §3).
const SM2_N: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
/// Field prime p of sm2p256v1.
const SM2_P: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF";

const MALFORMED: CryptoError = CryptoError::MalformedSignature { algorithm: "SM2" };
const BAD_SM2: CryptoError = CryptoError::BadSignature { algorithm: "SM2" };
const DECRYPTION_FAILED: CryptoError = CryptoError::DecryptionFailed { algorithm: "SM2" };

/// `n + delta` (delta small) as 32 big-endian bytes.
fn n_plus(delta: i8) -> Vec<u8> {
    let mut n = h(SM2_N);
    let mut carry = i16::from(delta);
    for b in n.iter_mut().rev() {
        let v = i16::from(*b) + carry;
        *b = v.rem_euclid(256) as u8;
        carry = v.div_euclid(256);
    }
    n
}

fn test_key() -> Sm2PrivateKey {
    Sm2PrivateKey::from_bytes(&h(
        "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8",
    ))
    .unwrap()
}

// --- SM2 signatures ----------------------------------------------------------------------------

#[test]
fn sm2_malformed_der_signatures_are_refused() {
    let key = test_key();
    let good = key.sign(DEFAULT_ID, b"abc").unwrap().to_der();
    let one = int(&[1]);
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("empty SEQUENCE", seq(&[])),
        ("one INTEGER", seq(std::slice::from_ref(&one))),
        (
            "three INTEGERs",
            seq(&[one.clone(), one.clone(), one.clone()]),
        ),
        (
            "SET instead of SEQUENCE",
            tlv(0x31, &[one.clone(), one.clone()].concat()),
        ),
        (
            "BIT STRING instead of INTEGER",
            seq(&[tlv(0x03, &[0, 1]), one.clone()]),
        ),
        (
            "OCTET STRING instead of INTEGER",
            seq(&[one.clone(), tlv(0x04, &[1])]),
        ),
        ("empty INTEGER", seq(&[int(&[]), one.clone()])),
        ("r = 0", seq(&[int(&[0]), one.clone()])),
        ("s = 0", seq(&[one.clone(), int(&[0])])),
        ("negative r", seq(&[int(&[0x81]), one.clone()])),
        ("negative s", seq(&[one.clone(), int(&[0xff; 32])])),
        (
            "non-minimal r (leading zero)",
            seq(&[int(&[0, 1]), one.clone()]),
        ),
        (
            "r = n",
            seq(&[int(&[&[0][..], &h(SM2_N)].concat()), one.clone()]),
        ),
        (
            "s = n + 1",
            seq(&[one.clone(), int(&[&[0][..], &n_plus(1)].concat())]),
        ),
        (
            "r = 2^256 - 1",
            seq(&[int(&[&[0][..], &[0xff; 32]].concat()), one.clone()]),
        ),
        (
            "33-byte r",
            seq(&[int(&[&[1][..], &[0; 32]].concat()), one.clone()]),
        ),
        (
            "indefinite length",
            [&[0x30, 0x80][..], &one, &one, &[0, 0]].concat(),
        ),
        (
            "long-form length for a short SEQUENCE",
            [&[0x30, 0x81, good[1]][..], &good[2..]].concat(),
        ),
        ("trailing byte", [&good[..], &[0]].concat()),
        ("trailing SEQUENCE", [&good[..], &good[..]].concat()),
        (
            "raw r || s instead of DER",
            key.sign(DEFAULT_ID, b"abc").unwrap().to_raw().to_vec(),
        ),
    ];
    for len in 0..good.len() {
        cases.push(("truncated", good[..len].to_vec()));
    }
    for (what, der) in cases {
        assert_eq!(
            Sm2Signature::from_der(&der),
            Err(MALFORMED),
            "{what}: {}",
            hex::encode(&der)
        );
    }
    // The edges that are fine: r = s = 1, r = n - 1.
    Sm2Signature::from_der(&seq(&[one.clone(), one.clone()])).unwrap();
    Sm2Signature::from_der(&seq(&[int(&[&[0][..], &n_plus(-1)].concat()), one])).unwrap();
}

#[test]
fn sm2_raw_signatures_of_wrong_length_or_range_are_refused() {
    for len in [0, 1, 32, 63, 65, 70, 128] {
        assert_eq!(
            Sm2Signature::from_raw(&vec![1; len]),
            Err(MALFORMED),
            "{len} bytes"
        );
    }
    let n = h(SM2_N);
    let one = [&[0u8; 31][..], &[1]].concat();
    for (what, r, s) in [
        ("r = 0", vec![0; 32], one.clone()),
        ("s = 0", one.clone(), vec![0; 32]),
        ("r = n", n.clone(), one.clone()),
        ("s = n", one.clone(), n.clone()),
        ("s = 2^256 - 1", one.clone(), vec![0xff; 32]),
    ] {
        assert_eq!(
            Sm2Signature::from_raw(&[r.as_slice(), &s].concat()),
            Err(MALFORMED),
            "{what}"
        );
        assert_eq!(Sm2Signature::from_scalars(&r, &s), Err(MALFORMED), "{what}");
    }
    assert_eq!(
        Sm2Signature::from_scalars(&[1; 33], &[1]),
        Err(MALFORMED),
        "33-byte r"
    );
    assert_eq!(
        Sm2Signature::from_scalars(&[], &[1]),
        Err(MALFORMED),
        "empty r"
    );
    // Short scalars are left-padded.
    assert_eq!(
        Sm2Signature::from_scalars(&[1], &[2]).unwrap().to_raw()[..32],
        one[..]
    );
}

#[test]
fn sm2_degenerate_signatures_do_not_verify() {
    let public = *test_key().public_key();
    let e = public.message_digest(DEFAULT_ID, b"abc").unwrap();
    // r + s = n: t = 0, rejected at GB/T 32918.2 §7.1 step B5.
    let t_zero = Sm2Signature::from_scalars(&[1], &n_plus(-1)).unwrap();
    assert_eq!(public.verify_digest(&e, &t_zero), Err(BAD_SM2));
    for (r, s) in [
        (vec![1], vec![1]),
        (n_plus(-1), n_plus(-1)),
        (e.to_vec(), vec![1]),
    ] {
        let sig = Sm2Signature::from_scalars(&r, &s).unwrap();
        assert_eq!(public.verify_digest(&e, &sig), Err(BAD_SM2));
    }
}

#[test]
fn sm2_distinguishing_id_length_is_bounded() {
    let key = test_key();
    // ENTL is 16 bits of *bit* length: 8191 bytes is the longest ID (GB/T 32918.2 §5.5).
    let longest = vec![b'a'; 8191];
    let sig = key.sign(&longest, b"msg").unwrap();
    key.public_key().verify(&longest, b"msg", &sig).unwrap();
    let too_long = vec![b'a'; 8192];
    for result in [
        key.public_key().z(&too_long).map(|_| ()),
        key.sign(&too_long, b"msg").map(|_| ()),
        key.public_key().verify(&too_long, b"msg", &sig),
    ] {
        assert!(
            matches!(result, Err(CryptoError::InvalidInput { .. })),
            "{result:?}"
        );
    }
}

// --- SM2 keys ----------------------------------------------------------------------------------

#[test]
fn sm2_points_off_the_curve_are_refused() {
    let g = point(SM2_GX, SM2_GY);
    assert!(Sm2PublicKey::from_sec1_bytes(&g).is_ok());
    let mut off_curve = g.clone();
    off_curve[64] ^= 1;
    let p = h(SM2_P);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("identity (0x00)", vec![0]),
        ("y + 1", off_curve),
        ("x = p", [&[4u8][..], &p, &h(SM2_GY)].concat()),
        ("x = y = 0", [&[4u8][..], &[0; 64]].concat()),
        ("x || y without the 04 tag", g[1..].to_vec()),
        (
            "64 coordinate bytes with tag 05",
            [&[5u8][..], &g[1..]].concat(),
        ),
        ("one byte short", g[..64].to_vec()),
        ("one byte long", [&g[..], &[0]].concat()),
        ("compressed, x = p", [&[2u8][..], &p].concat()),
        (
            "compressed, truncated",
            [&[3u8][..], &h(SM2_GX)[..31]].concat(),
        ),
        ("P-256 generator", point(P256_GX, P256_GY)),
    ];
    for (what, bytes) in cases {
        let err = unwrap_err(Sm2PublicKey::from_sec1_bytes(&bytes));
        assert!(is_invalid_key(&err), "{what}: {err:?}");
    }
    // Compressed points: G in both parities decodes; no x panics.
    let compressed_g = [&[2u8 | (g[64] & 1)][..], &h(SM2_GX)].concat();
    assert_eq!(
        Sm2PublicKey::from_sec1_bytes(&compressed_g).unwrap(),
        Sm2PublicKey::from_sec1_bytes(&g).unwrap()
    );
    for x in 0u8..32 {
        let mut bytes = [0u8; 33];
        bytes[0] = 2;
        bytes[32] = x;
        if let Err(e) = Sm2PublicKey::from_sec1_bytes(&bytes) {
            assert!(is_invalid_key(&e));
        }
    }
}

#[test]
fn sm2_private_keys_out_of_range_are_refused() {
    for (what, bytes) in [
        ("zero", vec![0; 32]),
        ("n", h(SM2_N)),
        ("n - 1 (1 + d has no inverse)", n_plus(-1)),
        ("n + 1", n_plus(1)),
        ("2^256 - 1", vec![0xff; 32]),
        ("31 bytes", vec![1; 31]),
        ("33 bytes", vec![1; 33]),
        ("empty", vec![]),
    ] {
        let err = unwrap_err(Sm2PrivateKey::from_bytes(&bytes));
        assert!(is_invalid_key(&err), "{what}: {err:?}");
    }
    Sm2PrivateKey::from_bytes(&n_plus(-2)).expect("n - 2 is the largest key");
    Sm2PrivateKey::from_bytes(&[&[0u8; 31][..], &[1]].concat()).expect("1 is the smallest key");
}

#[test]
fn sm2_key_containers_that_do_not_hold_an_sm2_key_are_refused() {
    let key = test_key();
    let other = Sm2PrivateKey::from_bytes(&[7; 32]).unwrap();
    let d = key.to_bytes();
    let p256_oid = EcCurve::P256.oid();

    let sec1 = |curve: Option<der::oid::ObjectIdentifier>, public: &[u8]| {
        sec1::EcPrivateKey {
            private_key: &d[..],
            parameters: curve.map(sec1::EcParameters::NamedCurve),
            public_key: Some(public),
        }
        .to_der()
        .unwrap()
    };
    let own_public = key.public_key().to_sec1_uncompressed();
    assert_eq!(
        *Sm2PrivateKey::from_der(&sec1(Some(CURVE_OID), &own_public))
            .unwrap()
            .to_bytes(),
        *d
    );
    assert_eq!(
        *Sm2PrivateKey::from_der(&sec1(None, &own_public))
            .unwrap()
            .to_bytes(),
        *d
    );

    let pkcs8 = key.to_pkcs8_der().unwrap();
    let p256_pkcs8 = EcdsaPrivateKey::generate(EcCurve::P256)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("SEC1 naming P-256", sec1(Some(p256_oid), &own_public)),
        (
            "SEC1 with another key's public point",
            sec1(Some(CURVE_OID), &other.public_key().to_sec1_uncompressed()),
        ),
        ("SEC1 with an off-curve public point", {
            let mut p = own_public.clone();
            p[64] ^= 1;
            sec1(Some(CURVE_OID), &p)
        }),
        ("PKCS#8 holding a P-256 key", p256_pkcs8.to_vec()),
        (
            "SubjectPublicKeyInfo",
            key.public_key().to_spki_der().unwrap(),
        ),
        ("empty", vec![]),
        ("trailing byte", [&pkcs8[..], &[0]].concat()),
    ];
    for len in 0..pkcs8.len() {
        cases.push(("truncated PKCS#8", pkcs8[..len].to_vec()));
    }
    for (what, der) in cases {
        let err = unwrap_err(Sm2PrivateKey::from_der(&der));
        assert!(is_invalid_key(&err), "{what}: {err:?}");
    }

    // Public keys: SPKI for another curve or with a bad point.
    let spki = key.public_key().to_spki_der().unwrap();
    let p256_spki = EcdsaPrivateKey::generate(EcCurve::P256)
        .unwrap()
        .public_key()
        .to_spki_der()
        .unwrap();
    let mut off_curve_spki = spki.clone();
    *off_curve_spki.last_mut().unwrap() ^= 1;
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("P-256 SPKI", p256_spki),
        ("off-curve point", off_curve_spki),
        ("PKCS#8", pkcs8.to_vec()),
    ];
    for len in 0..spki.len() {
        cases.push(("truncated SPKI", spki[..len].to_vec()));
    }
    for (what, der) in cases {
        let err = unwrap_err(Sm2PublicKey::from_spki_der(&der));
        assert!(is_invalid_key(&err), "{what}: {err:?}");
    }

    // PEM: no block, the wrong block, broken base64, a BEGIN without END.
    let pem = key.to_pkcs8_pem().unwrap();
    for text in [
        String::new(),
        "not PEM at all".to_owned(),
        pem.replace("PRIVATE KEY", "CERTIFICATE"),
        pem.replace('M', "*"),
        pem.lines().take(2).collect::<Vec<_>>().join("\n"),
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n".to_owned(),
    ] {
        let err = unwrap_err(Sm2PrivateKey::from_pem(&text));
        assert!(is_invalid_key(&err), "{text:?}: {err:?}");
        let err = unwrap_err(Sm2PublicKey::from_pem(&text));
        assert!(is_invalid_key(&err), "{text:?}: {err:?}");
    }
}

// --- SM2 ciphertexts ---------------------------------------------------------------------------

#[test]
fn sm2_truncated_and_malformed_ciphertexts_fail() {
    let key = test_key();
    let msg = b"encryption standard";
    for format in [
        CiphertextFormat::C1C3C2,
        CiphertextFormat::C1C2C3,
        CiphertextFormat::Der,
    ] {
        let ct = key.public_key().encrypt(msg, format).unwrap();
        for len in 0..ct.len() {
            assert_eq!(
                key.decrypt(&ct[..len], format).map(|p| p.to_vec()),
                Err(DECRYPTION_FAILED),
                "{format:?} cut to {len}"
            );
            // Cut from the front too.
            assert_eq!(
                key.decrypt(&ct[ct.len() - len..], format)
                    .map(|p| p.to_vec()),
                Err(DECRYPTION_FAILED)
            );
        }
    }

    // Raw layouts: C1 off the curve, C1 compressed, nothing after C1 || C3.
    let ct = key
        .public_key()
        .encrypt(msg, CiphertextFormat::C1C3C2)
        .unwrap();
    let mut off_curve = ct.clone();
    off_curve[64] ^= 1;
    let (c1, rest) = ct.split_at(65);
    let compressed = [&[2 | (c1[64] & 1)][..], &c1[1..33], rest].concat();
    for (what, bytes) in [
        ("C1 off the curve", off_curve),
        ("C1 compressed", compressed),
        ("empty C2", ct[..97].to_vec()),
        ("C1 = x || y without 04", ct[1..].to_vec()),
    ] {
        assert_eq!(
            key.decrypt(&bytes, CiphertextFormat::C1C3C2)
                .map(|p| p.to_vec()),
            Err(DECRYPTION_FAILED),
            "{what}"
        );
    }

    // GM/T 0009 DER: a valid one, then broken fields.
    let (x, y, c3, c2) = (&c1[1..33], &c1[33..65], &rest[..32], &rest[32..]);
    let uint = |v: &[u8]| {
        if v[0] & 0x80 != 0 {
            int(&[&[0][..], v].concat())
        } else {
            int(v)
        }
    };
    let der =
        |x: Vec<u8>, y: Vec<u8>, c3: &[u8], c2: &[u8]| seq(&[x, y, tlv(0x04, c3), tlv(0x04, c2)]);
    let good = der(uint(x), uint(y), c3, c2);
    assert_eq!(
        key.decrypt(&good, CiphertextFormat::Der)
            .unwrap()
            .as_slice(),
        msg
    );
    let mut y_off = y.to_vec();
    y_off[31] ^= 1;
    for (what, bytes) in [
        (
            "x with a non-zero 33rd byte",
            der(int(&[&[1][..], x].concat()), uint(y), c3, c2),
        ),
        (
            "x = p",
            der(int(&[&[0][..], &h(SM2_P)].concat()), uint(y), c3, c2),
        ),
        (
            "negative x",
            der(int(&[&[0x80][..], x].concat()), uint(y), c3, c2),
        ),
        ("y off the curve", der(uint(x), uint(&y_off), c3, c2)),
        ("31-byte hash", der(uint(x), uint(y), &c3[..31], c2)),
        (
            "33-byte hash",
            der(uint(x), uint(y), &[c3, &[0]].concat(), c2),
        ),
        ("empty C2", der(uint(x), uint(y), c3, &[])),
        ("C3 and C2 swapped", der(uint(x), uint(y), c2, c3)),
        (
            "x and y as OCTET STRINGs",
            der(tlv(0x04, x), tlv(0x04, y), c3, c2),
        ),
        ("missing C2", seq(&[uint(x), uint(y), tlv(0x04, c3)])),
        ("trailing byte", [&good[..], &[0]].concat()),
    ] {
        assert_eq!(
            key.decrypt(&bytes, CiphertextFormat::Der)
                .map(|p| p.to_vec()),
            Err(DECRYPTION_FAILED),
            "{what}"
        );
    }

    assert!(matches!(
        key.public_key().encrypt(b"", CiphertextFormat::C1C3C2),
        Err(CryptoError::InvalidInput { .. })
    ));
}
