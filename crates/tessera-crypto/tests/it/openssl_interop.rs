//! Interoperability with the `openssl` command (OpenSSL 3.0, `/usr/bin/openssl`; the test script
//! installs it), in both directions: what we sign or encrypt, OpenSSL verifies or decrypts, and
//! the other way round. Files go through a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;
use tessera_crypto::{
    CryptoError,
    digest::DigestAlgorithm,
    ecdsa::{EcCurve, EcdsaPrivateKey, EcdsaPublicKey, SignatureEncoding},
    rsa::{RsaPadding, RsaPrivateKey, RsaPublicKey},
    sm2::{
        CiphertextFormat, DEFAULT_ID, Sm2PreparedKey, Sm2PrivateKey, Sm2PublicKey, Sm2Signature,
    },
};

/// `-pkeyopt distid:…` naming the GM/T 0009 default ID; without it OpenSSL 3.0 uses an empty ID.
const DEFAULT_DISTID: &str = "distid:1234567812345678";

/// A scratch directory and the `openssl` command run in it.
struct Scratch(TempDir);

impl Scratch {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .current_dir(self.0.path())
            .args(args)
            .output()
            .expect("the openssl command (OpenSSL 3.0) on PATH")
    }

    /// Runs `openssl args…` and returns its output, failing the test if it fails.
    fn ok(&self, args: &[&str]) -> Vec<u8> {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "openssl {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Whether `openssl args…` succeeds.
    fn succeeds(&self, args: &[&str]) -> bool {
        self.run(args).status.success()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap()
}

fn pem_der(text: &[u8]) -> Vec<u8> {
    pem_rfc7468::decode_vec(text).unwrap().1
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Messages of a few shapes: one byte, a short text, a block boundary, several KiB.
fn messages() -> Vec<Vec<u8>> {
    vec![
        b"a".to_vec(),
        b"message digest".to_vec(),
        vec![0x5a; 64],
        (0..5000u32).map(|i| (i * 31 % 251) as u8).collect(),
    ]
}

// --- SM2 signatures -------------------------------------------------------------------------

#[test]
fn sm2_our_signature_verifies_in_openssl() {
    let dir = Scratch::new();
    let key = Sm2PrivateKey::generate().unwrap();
    let public = dir.write(
        "pub.pem",
        pem("PUBLIC KEY", &key.public_key().to_spki_der().unwrap()),
    );
    for (i, msg) in messages().iter().enumerate() {
        let msg_file = dir.write(&format!("msg{i}"), msg);
        let sig = key.sign(DEFAULT_ID, msg).unwrap();
        let sig_file = dir.write(&format!("sig{i}"), sig.to_der());
        let verify = |distid: Option<&str>| {
            let mut args = vec!["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin"];
            args.extend([
                "-inkey",
                s(&public),
                "-in",
                s(&msg_file),
                "-sigfile",
                s(&sig_file),
            ]);
            if let Some(d) = distid {
                args.extend(["-pkeyopt", d]);
            }
            dir.succeeds(&args)
        };
        assert!(
            verify(Some(DEFAULT_DISTID)),
            "message {i}: OpenSSL rejects our signature"
        );
        // The interop trap: without distid OpenSSL 3.0 hashes an empty ID, and must not verify.
        assert!(
            !verify(None),
            "message {i}: verified with OpenSSL's empty default ID"
        );
    }
}

#[test]
fn sm2_openssl_signature_verifies_with_ours() {
    let dir = Scratch::new();
    dir.ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:SM2",
        "-out",
        "key.pem",
    ]);
    let key = Sm2PrivateKey::from_pem(&String::from_utf8(dir.read("key.pem")).unwrap()).unwrap();
    let public = key.public_key();
    let prepared = Sm2PreparedKey::new(public).unwrap();
    let other_id: &[u8] = b"alice@tessera.example";
    let other_distid = format!("distid:{}", std::str::from_utf8(other_id).unwrap());

    for (i, msg) in messages().iter().enumerate() {
        let msg_file = dir.write(&format!("msg{i}"), msg);
        let sign = |distid: Option<&str>| {
            let sig_file = format!("sig{i}-{}", distid.unwrap_or("none"));
            let mut args = vec![
                "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "key.pem",
            ];
            args.extend(["-in", s(&msg_file), "-out", &sig_file]);
            if let Some(d) = distid {
                args.extend(["-pkeyopt", d]);
            }
            dir.ok(&args);
            let der = dir.read(&sig_file);
            Sm2Signature::from_der(&der).expect("OpenSSL writes DER SEQUENCE { r, s }")
        };

        let with_default = sign(Some(DEFAULT_DISTID));
        public
            .verify(DEFAULT_ID, msg, &with_default)
            .expect("OpenSSL's signature with the default ID");
        assert!(public.verify(b"", msg, &with_default).is_err());
        prepared
            .verify(DEFAULT_ID, msg, &with_default)
            .expect("OpenSSL's signature, prepared key");
        assert!(prepared.verify(b"", msg, &with_default).is_err());

        let with_other = sign(Some(&other_distid));
        public
            .verify(other_id, msg, &with_other)
            .expect("OpenSSL's signature with another ID");
        assert_eq!(
            public.verify(DEFAULT_ID, msg, &with_other),
            Err(CryptoError::BadSignature { algorithm: "SM2" }),
            "a signature for another ID must not verify with the default ID"
        );

        // No distid at all: OpenSSL 3.0 hashes an empty ID.
        let with_none = sign(None);
        public
            .verify(b"", msg, &with_none)
            .expect("OpenSSL's signature with its empty default ID");
        assert!(public.verify(DEFAULT_ID, msg, &with_none).is_err());
    }
}

// --- SM2 keys ---------------------------------------------------------------------------------

#[test]
fn sm2_openssl_keys_load_in_ours() {
    let dir = Scratch::new();
    for i in 0..4 {
        let key_file = format!("key{i}.pem");
        dir.ok(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:SM2",
            "-out",
            &key_file,
        ]);
        let pkcs8 = String::from_utf8(dir.read(&key_file)).unwrap();
        let key = Sm2PrivateKey::from_pem(&pkcs8).expect("PKCS#8 from openssl genpkey");

        // The PKCS#8 DER form too.
        let der = dir.ok(&["pkey", "-in", &key_file, "-outform", "DER"]);
        assert_eq!(
            *Sm2PrivateKey::from_der(&der).unwrap().to_bytes(),
            *key.to_bytes()
        );

        // OpenSSL's public key, PEM and DER, is ours.
        let pub_pem = String::from_utf8(dir.ok(&["pkey", "-in", &key_file, "-pubout"])).unwrap();
        assert_eq!(Sm2PublicKey::from_pem(&pub_pem).unwrap(), *key.public_key());
        let pub_der = dir.ok(&["pkey", "-in", &key_file, "-pubout", "-outform", "DER"]);
        assert_eq!(
            Sm2PublicKey::from_spki_der(&pub_der).unwrap(),
            *key.public_key()
        );
        assert_eq!(
            key.public_key().to_spki_der().unwrap(),
            pub_der,
            "we write the SPKI OpenSSL writes"
        );
    }
}

/// OpenSSL 3.0 reads but cannot write SM2 keys as SEC1 `ECPrivateKey` ("EC PRIVATE KEY",
/// "SM2 PRIVATE KEY": `openssl pkey -traditional` fails), so the SEC1 files come from
/// `shared/testdata/sm2-certs`, with PKCS#8 ones beside them, and OpenSSL says which key each
/// holds.
#[test]
fn sm2_sec1_keys_agree_with_openssl() {
    let dir = Scratch::new();
    let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sm2-certs");
    let names = [
        "sm2_begin_ec.key",  // EC PRIVATE KEY
        "sm2_begin_sm2.key", // SM2 PRIVATE KEY
        "sm2-leaf.key",      // EC PARAMETERS, then EC PRIVATE KEY
        "sm2.key",
        "sm2-root.key",
        "sm2-first-key.pem",
        "sm2/client_sign.key",
        "sm2/client_enc.key",
        "sm2/server_sign.key",
        "sm2/server_enc.key",
    ];
    for name in names {
        let file = certs.join(name);
        let ours = Sm2PrivateKey::from_pem(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let pkcs8 = dir.ok(&["pkey", "-in", s(&file), "-outform", "DER"]);
        assert_eq!(
            *Sm2PrivateKey::from_der(&pkcs8).unwrap().to_bytes(),
            *ours.to_bytes(),
            "{name}"
        );
        let spki = dir.ok(&["pkey", "-in", s(&file), "-pubout", "-outform", "DER"]);
        assert_eq!(
            Sm2PublicKey::from_spki_der(&spki).unwrap(),
            *ours.public_key(),
            "{name}"
        );
    }
}

#[test]
fn sm2_our_keys_load_in_openssl() {
    let dir = Scratch::new();
    let msg = dir.write("msg", b"signed by OpenSSL with a key Tessera made");
    for i in 0..4 {
        let key = Sm2PrivateKey::generate().unwrap();
        let key_file = dir.write(
            &format!("key{i}.pem"),
            key.to_pkcs8_pem().unwrap().as_bytes(),
        );
        dir.ok(&["pkey", "-check", "-noout", "-in", s(&key_file)]);
        let pub_der = dir.ok(&["pkey", "-in", s(&key_file), "-pubout", "-outform", "DER"]);
        assert_eq!(pub_der, key.public_key().to_spki_der().unwrap());
        // The DER form of our PKCS#8 too.
        let der_file = dir.write(
            &format!("key{i}.der"),
            key.to_pkcs8_der().unwrap().as_slice(),
        );
        dir.ok(&[
            "pkey",
            "-check",
            "-noout",
            "-inform",
            "DER",
            "-in",
            s(&der_file),
        ]);

        // OpenSSL signs with our key; we verify with our public key.
        let sig_file = format!("sig{i}");
        dir.ok(&[
            "pkeyutl",
            "-sign",
            "-rawin",
            "-digest",
            "sm3",
            "-inkey",
            s(&key_file),
            "-in",
            s(&msg),
            "-out",
            &sig_file,
            "-pkeyopt",
            DEFAULT_DISTID,
        ]);
        let sig = Sm2Signature::from_der(&dir.read(&sig_file)).unwrap();
        key.public_key()
            .verify(DEFAULT_ID, &std::fs::read(&msg).unwrap(), &sig)
            .unwrap();
    }
}

// --- SM2 encryption ----------------------------------------------------------------------------

#[test]
fn sm2_encryption_both_ways() {
    let dir = Scratch::new();
    dir.ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:SM2",
        "-out",
        "key.pem",
    ]);
    dir.ok(&["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
    let key = Sm2PrivateKey::from_pem(&String::from_utf8(dir.read("key.pem")).unwrap()).unwrap();

    // Several rounds per message: C1's coordinates come out as DER INTEGERs of 31 to 33 bytes.
    for (i, msg) in messages().iter().enumerate() {
        for round in 0..4 {
            // Ours -> OpenSSL.
            let ct = key
                .public_key()
                .encrypt(msg, CiphertextFormat::Der)
                .unwrap();
            let ct_file = dir.write(&format!("ours{i}-{round}"), &ct);
            let pt = dir.ok(&[
                "pkeyutl",
                "-decrypt",
                "-inkey",
                "key.pem",
                "-in",
                s(&ct_file),
            ]);
            assert_eq!(&pt, msg, "message {i}: OpenSSL decrypts our ciphertext");

            // OpenSSL -> ours.
            let msg_file = dir.write(&format!("msg{i}"), msg);
            let theirs = format!("theirs{i}-{round}");
            dir.ok(&[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                "pub.pem",
                "-in",
                s(&msg_file),
                "-out",
                &theirs,
            ]);
            let pt = key
                .decrypt(&dir.read(&theirs), CiphertextFormat::Der)
                .expect("OpenSSL's ciphertext");
            assert_eq!(pt.as_slice(), msg.as_slice());
        }
    }
}

// --- ECDSA -------------------------------------------------------------------------------------

#[test]
fn ecdsa_p256_and_p384_both_ways() {
    let dir = Scratch::new();
    for (curve, name, digest, flag) in [
        (EcCurve::P256, "P-256", DigestAlgorithm::Sha256, "-sha256"),
        (EcCurve::P384, "P-384", DigestAlgorithm::Sha384, "-sha384"),
    ] {
        assert_eq!(curve.default_digest(), digest);
        // Ours -> OpenSSL.
        let ours = EcdsaPrivateKey::generate(curve).unwrap();
        let pub_file = dir.write(
            &format!("{name}-ours.pub"),
            pem("PUBLIC KEY", &ours.public_key().to_spki_der().unwrap()),
        );
        for (i, msg) in messages().iter().enumerate() {
            let msg_file = dir.write(&format!("{name}-msg{i}"), msg);
            let sig = ours.sign(digest, msg, SignatureEncoding::Der).unwrap();
            let sig_file = dir.write(&format!("{name}-ours-sig{i}"), &sig);
            dir.ok(&[
                "dgst",
                flag,
                "-verify",
                s(&pub_file),
                "-signature",
                s(&sig_file),
                s(&msg_file),
            ]);
            // A signature over another message fails in OpenSSL too (the oracle can say no).
            let other = ours
                .sign(digest, b"another message", SignatureEncoding::Der)
                .unwrap();
            let other_file = dir.write(&format!("{name}-ours-other{i}"), &other);
            assert!(!dir.succeeds(&[
                "dgst",
                flag,
                "-verify",
                s(&pub_file),
                "-signature",
                s(&other_file),
                s(&msg_file)
            ]));
        }

        // OpenSSL -> ours, with its key loaded into ours.
        let key_file = format!("{name}-theirs.pem");
        dir.ok(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &format!("ec_paramgen_curve:{name}"),
            "-out",
            &key_file,
        ]);
        let theirs =
            EcdsaPrivateKey::from_der(&pem_der(&dir.read(&key_file))).expect("OpenSSL's PKCS#8");
        assert_eq!(theirs.curve(), curve);
        let pub_der = dir.ok(&["pkey", "-in", &key_file, "-pubout", "-outform", "DER"]);
        let public = EcdsaPublicKey::from_spki_der(&pub_der).unwrap();
        assert_eq!(public, theirs.public_key());
        for (i, msg) in messages().iter().enumerate() {
            let msg_file = dir.write(&format!("{name}-msg{i}"), msg);
            let sig_file = format!("{name}-theirs-sig{i}");
            dir.ok(&[
                "dgst",
                flag,
                "-sign",
                &key_file,
                "-out",
                &sig_file,
                s(&msg_file),
            ]);
            let sig = dir.read(&sig_file);
            public
                .verify(digest, msg, &sig, SignatureEncoding::Der)
                .expect("OpenSSL's ECDSA signature");
            assert!(
                public
                    .verify(digest, b"another message", &sig, SignatureEncoding::Der)
                    .is_err()
            );
        }
    }
}

// --- RSA ---------------------------------------------------------------------------------------

#[test]
fn rsa_2048_pkcs1v15_and_pss_both_ways() {
    let dir = Scratch::new();
    let msg: &[u8] = b"RSA interop between Tessera and OpenSSL";
    let msg_file = dir.write("msg", msg);
    let digest = DigestAlgorithm::Sha256;

    // Ours -> OpenSSL, with a key we generate.
    let ours = RsaPrivateKey::generate(2048).unwrap();
    let pub_file = dir.write(
        "ours.pub",
        pem("PUBLIC KEY", &ours.public_key().to_spki_der().unwrap()),
    );
    let verify_in_openssl = |sig: &[u8], sigopts: &[&str]| {
        let sig_file = dir.write("ours.sig", sig);
        let mut args = vec![
            "dgst",
            "-sha256",
            "-verify",
            s(&pub_file),
            "-signature",
            s(&sig_file),
        ];
        for opt in sigopts {
            args.extend(["-sigopt", opt]);
        }
        args.push(s(&msg_file));
        dir.succeeds(&args)
    };
    let pkcs1 = ours.sign(RsaPadding::Pkcs1v15, digest, msg).unwrap();
    assert!(
        verify_in_openssl(&pkcs1, &[]),
        "OpenSSL verifies our PKCS#1 v1.5 signature"
    );
    assert!(!verify_in_openssl(&pkcs1, &["rsa_padding_mode:pss"]));
    let pss = ours.sign(RsaPadding::Pss, digest, msg).unwrap();
    assert!(
        verify_in_openssl(&pss, &["rsa_padding_mode:pss"]),
        "OpenSSL verifies our PSS signature"
    );
    // Our documented salt length: as long as the digest.
    assert!(verify_in_openssl(
        &pss,
        &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"]
    ));
    assert!(
        !verify_in_openssl(&pss, &[]),
        "a PSS signature is not a PKCS#1 v1.5 one"
    );

    // OpenSSL -> ours, with a key OpenSSL generates.
    dir.ok(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "theirs.pem",
    ]);
    let theirs = RsaPrivateKey::from_der(&pem_der(&dir.read("theirs.pem")))
        .expect("OpenSSL's PKCS#8 RSA key");
    let public = RsaPublicKey::from_der(&dir.ok(&[
        "pkey",
        "-in",
        "theirs.pem",
        "-pubout",
        "-outform",
        "DER",
    ]))
    .unwrap();
    assert_eq!(public, theirs.public_key());
    assert_eq!(public.bits(), 2048);
    let sign_in_openssl = |name: &str, sigopts: &[&str]| {
        let mut args = vec!["dgst", "-sha256", "-sign", "theirs.pem", "-out", name];
        for opt in sigopts {
            args.extend(["-sigopt", opt]);
        }
        args.push(s(&msg_file));
        dir.ok(&args);
        dir.read(name)
    };
    let theirs_pkcs1 = sign_in_openssl("pkcs1.sig", &[]);
    public
        .verify(RsaPadding::Pkcs1v15, digest, msg, &theirs_pkcs1)
        .expect("OpenSSL's PKCS#1 v1.5");
    assert!(
        public
            .verify(RsaPadding::Pss, digest, msg, &theirs_pkcs1)
            .is_err()
    );
    assert!(
        public
            .verify(RsaPadding::Pkcs1v15, digest, b"other", &theirs_pkcs1)
            .is_err()
    );
    // PSS with OpenSSL's default salt length and several explicit ones: we accept any.
    for (name, saltlen) in [
        ("pss-default", None),
        ("pss-0", Some("0")),
        ("pss-20", Some("20")),
        ("pss-32", Some("32")),
        ("pss-max", Some("max")),
    ] {
        let saltopt = saltlen.map(|l| format!("rsa_pss_saltlen:{l}"));
        let mut opts = vec!["rsa_padding_mode:pss"];
        opts.extend(saltopt.as_deref());
        let sig = sign_in_openssl(name, &opts);
        public
            .verify(RsaPadding::Pss, digest, msg, &sig)
            .unwrap_or_else(|e| panic!("OpenSSL's {name}: {e}"));
        assert!(
            public
                .verify(RsaPadding::Pkcs1v15, digest, msg, &sig)
                .is_err()
        );
        assert!(
            public
                .verify(RsaPadding::Pss, digest, b"other", &sig)
                .is_err()
        );
    }
    // And OpenSSL's key used through ours verifies in OpenSSL.
    let sig = theirs.sign(RsaPadding::Pss, digest, msg).unwrap();
    let sig_file = dir.write("theirs-by-us.sig", &sig);
    dir.ok(&[
        "dgst",
        "-sha256",
        "-prverify",
        "theirs.pem",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-signature",
        s(&sig_file),
        s(&msg_file),
    ]);
}
