//! Two-party SM2 (DESIGN.md, "Two-party SM2"): property tests over random shares, the outside
//! oracle (`openssl pkeyutl` verifies co-signed signatures and makes ciphertexts we co-decrypt),
//! malformed points, and nonce uniqueness over 10,000 signatures.

use std::collections::HashSet;
use std::process::Command;

use proptest::prelude::*;
use tessera_crypto::sm2::{
    CiphertextFormat, DEFAULT_ID, Sm2PublicKey,
    two_party::{
        ClientDecryption, ClientShare, ClientSigning, PartialSignature, RefreshFactor, ServiceShare,
    },
};

fn keygen() -> (ClientShare, ServiceShare, Sm2PublicKey) {
    let (d1, p1) = ClientShare::generate().unwrap();
    let (d2, public) = ServiceShare::generate(&p1).unwrap();
    (d1, d2, public)
}

fn cosign(d1: &ClientShare, d2: &ServiceShare, public: &Sm2PublicKey, msg: &[u8]) -> Vec<u8> {
    let (state, req) = ClientSigning::start(public, DEFAULT_ID, msg).unwrap();
    let answer = d2.cosign(&req.e, &req.q1).unwrap();
    state.finish(d1, &answer).unwrap().to_der()
}

/// A scalar in [1, n-1] from 32 random bytes (rejects the rare out-of-range draw).
fn share_bytes() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>().prop_filter("in [1, n-1]", |b| ClientShare::from_bytes(b).is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_cosigned_signature_verifies(
        d1 in share_bytes(), d2 in share_bytes(), msg in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let d1 = ClientShare::from_bytes(&d1).unwrap();
        let d2 = ServiceShare::from_bytes(&d2).unwrap();
        // P = O only for (d1 d2)^-1 = 1 + (n - 1), probability 2^-256.
        let public = d2.joint_public_key(&d1.p1().unwrap()).unwrap();
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, &msg).unwrap();
        let answer = d2.cosign(&req.e, &req.q1).unwrap();
        let sig = state.finish(&d1, &answer).unwrap();
        prop_assert!(public.verify(DEFAULT_ID, &msg, &sig).is_ok());
    }

    #[test]
    fn refresh_keeps_public_key_and_signing(d1 in share_bytes(), d2 in share_bytes(), t in share_bytes()) {
        let d1 = ClientShare::from_bytes(&d1).unwrap();
        let d2 = ServiceShare::from_bytes(&d2).unwrap();
        let t = RefreshFactor::from_bytes(&t).unwrap();
        let public = d2.joint_public_key(&d1.p1().unwrap()).unwrap();
        let (d1t, d2t) = (d1.refreshed(&t), d2.refreshed(&t));
        prop_assert_eq!(d2t.joint_public_key(&d1t.p1().unwrap()).unwrap(), public);
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"refreshed").unwrap();
        let sig = state.finish(&d1t, &d2t.cosign(&req.e, &req.q1).unwrap()).unwrap();
        prop_assert!(public.verify(DEFAULT_ID, b"refreshed", &sig).is_ok());
        // Old and new halves do not mix (unless t = 1).
        if t.to_bytes()[..] != [[0u8; 31].as_slice(), &[1]].concat()[..] {
            let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"mixed").unwrap();
            prop_assert!(state.finish(&d1, &d2t.cosign(&req.e, &req.q1).unwrap()).is_err());
        }
    }

    #[test]
    fn wrong_share_never_verifies(d1 in share_bytes(), d2 in share_bytes(), other in share_bytes()) {
        prop_assume!(d1 != other && d2 != other);
        let d1 = ClientShare::from_bytes(&d1).unwrap();
        let d2 = ServiceShare::from_bytes(&d2).unwrap();
        let public = d2.joint_public_key(&d1.p1().unwrap()).unwrap();
        // A wrong client share.
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"m").unwrap();
        let answer = d2.cosign(&req.e, &req.q1).unwrap();
        prop_assert!(state.finish(&ClientShare::from_bytes(&other).unwrap(), &answer).is_err());
        // A wrong service share.
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"m").unwrap();
        let answer = ServiceShare::from_bytes(&other).unwrap().cosign(&req.e, &req.q1).unwrap();
        prop_assert!(state.finish(&d1, &answer).is_err());
    }

    #[test]
    fn codecryption_opens_what_the_joint_key_encrypts(
        d1 in share_bytes(), d2 in share_bytes(), msg in proptest::collection::vec(any::<u8>(), 1..200)
    ) {
        let d1 = ClientShare::from_bytes(&d1).unwrap();
        let d2 = ServiceShare::from_bytes(&d2).unwrap();
        let public = d2.joint_public_key(&d1.p1().unwrap()).unwrap();
        for format in [CiphertextFormat::C1C3C2, CiphertextFormat::C1C2C3, CiphertextFormat::Der] {
            let ct = public.encrypt(&msg, format).unwrap();
            let (state, t1) = ClientDecryption::start(&d1, &ct, format).unwrap();
            let t2 = d2.decrypt_step(&t1).unwrap();
            let pt = state.finish(&t2).unwrap();
            prop_assert_eq!(pt.as_slice(), msg.as_slice());
        }
    }

    #[test]
    fn tampered_answers_are_refused(byte in 0usize..96, bit in 0u8..8) {
        let (d1, d2, public) = keygen();
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"m").unwrap();
        let good = d2.cosign(&req.e, &req.q1).unwrap();
        let mut raw = [good.r, good.s2, good.s3].concat();
        raw[byte] ^= 1 << bit;
        let bad = PartialSignature {
            r: raw[..32].try_into().unwrap(),
            s2: raw[32..64].try_into().unwrap(),
            s3: raw[64..].try_into().unwrap(),
        };
        prop_assert!(state.finish(&d1, &bad).is_err());
    }
}

#[test]
fn malformed_and_off_curve_points_are_refused() {
    let (d1, d2, public) = keygen();
    let (_, req) = ClientSigning::start(&public, DEFAULT_ID, b"m").unwrap();
    let good = req.q1;
    let mut off_curve = good;
    off_curve[64] ^= 1;
    let mut compressed = vec![2 | (good[64] & 1)];
    compressed.extend_from_slice(&good[1..33]);
    let identity = [0u8];
    let zeros = [[4u8].as_slice(), &[0u8; 64]].concat();
    let bad: [&[u8]; 7] = [
        &off_curve,
        &compressed,
        &identity,
        &zeros,
        &good[..64],
        &[good.as_slice(), &[0]].concat(),
        &[],
    ];
    for (i, point) in bad.iter().enumerate() {
        assert!(d2.cosign(&req.e, point).is_err(), "Q1 case {i} accepted");
        assert!(d2.decrypt_step(point).is_err(), "T1 case {i} accepted");
        assert!(
            ServiceShare::generate(point).is_err(),
            "P1 case {i} accepted"
        );
    }
    let ct = public.encrypt(b"x", CiphertextFormat::C1C3C2).unwrap();
    let (state, _) = ClientDecryption::start(&d1, &ct, CiphertextFormat::C1C3C2).unwrap();
    assert!(state.finish(&off_curve).is_err());
}

#[test]
fn nonces_never_repeat_across_10000_signatures() {
    let (d1, d2, public) = keygen();
    let (mut q1s, mut rs) = (HashSet::new(), HashSet::new());
    // One message: r = e + x1 differs exactly when the joint nonce's x1 differs.
    for i in 0..10_000 {
        let (state, req) = ClientSigning::start(&public, DEFAULT_ID, b"same message").unwrap();
        let answer = d2.cosign(&req.e, &req.q1).unwrap();
        assert!(q1s.insert(req.q1), "client nonce k1 repeated");
        assert!(rs.insert(answer.r), "joint nonce repeated");
        // Completing (and verifying) every signature adds nothing to the nonce check but time.
        if i % 50 == 0 {
            state.finish(&d1, &answer).unwrap();
        }
    }
}

// --- OpenSSL as the oracle -----------------------------------------------------------------

const DEFAULT_DISTID: &str = "distid:1234567812345678";

fn openssl(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    tessera_testkit::openssl::output(Command::new("openssl").current_dir(dir).args(args))
}

fn pem(label: &str, der: &[u8]) -> String {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap()
}

#[test]
fn cosigned_signatures_verify_in_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2, public) = keygen();
    std::fs::write(
        dir.path().join("pub.pem"),
        pem("PUBLIC KEY", &public.to_spki_der().unwrap()),
    )
    .unwrap();
    for (i, msg) in [b"".as_slice(), b"abc", &[0x5a; 1000]].iter().enumerate() {
        std::fs::write(dir.path().join(format!("msg{i}")), msg).unwrap();
        std::fs::write(
            dir.path().join(format!("sig{i}")),
            cosign(&d1, &d2, &public, msg),
        )
        .unwrap();
        let verify = |distid: Option<&str>| {
            let (m, s) = (format!("msg{i}"), format!("sig{i}"));
            let mut args = vec![
                "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "pub.pem",
                "-in", &m, "-sigfile", &s,
            ];
            if let Some(d) = distid {
                args.extend(["-pkeyopt", d]);
            }
            openssl(dir.path(), &args).status.success()
        };
        assert!(verify(Some(DEFAULT_DISTID)), "message {i}: OpenSSL rejects");
        assert!(!verify(None), "message {i}: verified with the empty ID");
    }
}

#[test]
fn codecryption_opens_openssl_ciphertexts() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2, public) = keygen();
    std::fs::write(
        dir.path().join("pub.pem"),
        pem("PUBLIC KEY", &public.to_spki_der().unwrap()),
    )
    .unwrap();
    for (i, msg) in [b"a".as_slice(), b"hello, co-decryption", &[7u8; 700]]
        .iter()
        .enumerate()
    {
        for round in 0..3 {
            std::fs::write(dir.path().join("msg"), msg).unwrap();
            let out = openssl(
                dir.path(),
                &[
                    "pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem", "-in", "msg", "-out",
                    "ct",
                ],
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let ct = std::fs::read(dir.path().join("ct")).unwrap();
            let (state, t1) = ClientDecryption::start(&d1, &ct, CiphertextFormat::Der).unwrap();
            let pt = state.finish(&d2.decrypt_step(&t1).unwrap()).unwrap();
            assert_eq!(pt.as_slice(), *msg, "message {i} round {round}");
        }
    }
}
