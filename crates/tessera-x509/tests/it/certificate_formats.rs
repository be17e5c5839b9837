//! Containers and bad input: PEM bundles, DER, PKCS#7 made by `openssl crl2pkcs7` (DER and PEM)
//! and by hand in BER, OpenSSL's TRUSTED CERTIFICATE, then malformed and hostile input, which
//! must give typed errors and never panic. Also a certificate with Chinese names made by
//! `openssl req -utf8`, in UTF8String and in BMPString.

use std::path::Path;

use tessera_x509::certificate::{Certificate, MAX_INPUT_LEN, ParseError, parse_certificates};

use tessera_testkit::openssl::stdout_in as openssl;

/// A self-signed P-256 certificate with `subject`, as PEM, written to `dir/file`.
fn make_cert(dir: &Path, file: &str, subject: &str, extra: &[&str]) -> Vec<u8> {
    let key = format!("{file}.key");
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-utf8",
        "-subj",
        subject,
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-days",
        "30",
        "-out",
        file,
    ];
    args.extend_from_slice(extra);
    openssl(dir, &args);
    std::fs::read(dir.join(file)).unwrap()
}

struct Pair {
    dir: tempfile::TempDir,
    a: Certificate,
    b: Certificate,
}

fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let a = make_cert(dir.path(), "a.pem", "/CN=Alpha/O=Tessera/C=CN", &[]);
    let b = make_cert(dir.path(), "b.pem", "/CN=Beta/O=Tessera/C=CN", &[]);
    let a = parse_certificates(&a).unwrap().remove(0);
    let b = parse_certificates(&b).unwrap().remove(0);
    Pair { dir, a, b }
}

fn ders(certs: &[Certificate]) -> Vec<&[u8]> {
    certs.iter().map(Certificate::der).collect()
}

#[test]
fn pem_bundle_with_text_and_crlf() {
    let p = pair();
    let bundle = format!(
        "Bag Attributes\n  friendlyName: a\nsubject=CN=Alpha\n{}\nsome text between\n{}",
        p.a.to_pem(),
        p.b.to_pem().replace('\n', "\r\n")
    );
    let certs = parse_certificates(bundle.as_bytes()).unwrap();
    assert_eq!(ders(&certs), [p.a.der(), p.b.der()]);
    // What OpenSSL itself writes, with `-text` before the block.
    let text = openssl(p.dir.path(), &["x509", "-in", "a.pem", "-text"]);
    assert_eq!(ders(&parse_certificates(&text).unwrap()), [p.a.der()]);
}

#[test]
fn pem_label_variants() {
    let p = pair();
    let x509 = p.a.to_pem().replace("CERTIFICATE", "X509 CERTIFICATE");
    assert_eq!(
        ders(&parse_certificates(x509.as_bytes()).unwrap()),
        [p.a.der()]
    );
    let trusted = openssl(
        p.dir.path(),
        &[
            "x509",
            "-in",
            "a.pem",
            "-trustout",
            "-addtrust",
            "serverAuth",
        ],
    );
    assert!(String::from_utf8_lossy(&trusted).contains("BEGIN TRUSTED CERTIFICATE"));
    assert_eq!(ders(&parse_certificates(&trusted).unwrap()), [p.a.der()]);
    // Bare base64, as pasted from a web form, with odd line widths.
    let b64: String =
        p.a.to_pem()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("");
    let wrapped: String = b64
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    assert_eq!(
        ders(&parse_certificates(wrapped.as_bytes()).unwrap()),
        [p.a.der()]
    );
    // A UTF-8 byte order mark.
    let bom = [b"\xef\xbb\xbf".as_slice(), p.a.to_pem().as_bytes()].concat();
    assert_eq!(ders(&parse_certificates(&bom).unwrap()), [p.a.der()]);
}

#[test]
fn der_single_and_concatenated() {
    let p = pair();
    let der = openssl(p.dir.path(), &["x509", "-in", "a.pem", "-outform", "DER"]);
    let certs = parse_certificates(&der).unwrap();
    assert_eq!(ders(&certs), [der.as_slice()]);
    assert_eq!(Certificate::from_der(&der).unwrap(), p.a);
    let both = [p.a.der(), p.b.der()].concat();
    assert_eq!(
        ders(&parse_certificates(&both).unwrap()),
        [p.a.der(), p.b.der()]
    );
    let with_newline = [p.a.der(), b"\n"].concat();
    assert_eq!(parse_certificates(&with_newline).unwrap().len(), 1);
    // Exactly one certificate: trailing bytes are refused.
    assert!(matches!(
        Certificate::from_der(&both),
        Err(ParseError::Der { .. })
    ));
}

#[test]
fn pkcs7_from_openssl_der_and_pem() {
    let p = pair();
    for outform in ["DER", "PEM"] {
        let p7 = openssl(
            p.dir.path(),
            &[
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                "a.pem",
                "-certfile",
                "b.pem",
                "-outform",
                outform,
            ],
        );
        let certs = parse_certificates(&p7).unwrap_or_else(|e| panic!("{outform}: {e}"));
        assert_eq!(ders(&certs), [p.a.der(), p.b.der()], "{outform}");
    }
    // A PKCS#7 mislabelled CERTIFICATE, as some servers hand out.
    let p7 = openssl(p.dir.path(), &["crl2pkcs7", "-nocrl", "-certfile", "b.pem"]);
    let relabelled = String::from_utf8(p7)
        .unwrap()
        .replace("PKCS7", "CERTIFICATE");
    assert_eq!(
        ders(&parse_certificates(relabelled.as_bytes()).unwrap()),
        [p.b.der()]
    );
    // No certificates at all.
    let empty = openssl(p.dir.path(), &["crl2pkcs7", "-nocrl", "-outform", "DER"]);
    assert_eq!(
        parse_certificates(&empty).unwrap_err(),
        ParseError::NoCertificate
    );
}

#[test]
fn pkcs7_in_ber_with_indefinite_lengths() {
    let p = pair();
    let signed_data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let mut ber = vec![0x30, 0x80];
    ber.extend(signed_data_oid);
    ber.extend([
        0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x80,
    ]);
    ber.extend(data_oid);
    ber.extend([0x00, 0x00, 0xa0, 0x80]);
    ber.extend(p.a.der());
    ber.extend(p.b.der());
    ber.extend([0x00, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!(
        ders(&parse_certificates(&ber).unwrap()),
        [p.a.der(), p.b.der()]
    );
}

#[test]
fn other_pkcs7_content_types_are_unsupported() {
    // ContentInfo { id-envelopedData }
    let enveloped = [
        0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
    ];
    assert_eq!(
        parse_certificates(&enveloped).unwrap_err(),
        ParseError::UnsupportedContainer {
            content_type: "1.2.840.113549.1.7.3".to_owned()
        }
    );
}

#[test]
fn bad_inputs_give_typed_errors() {
    let p = pair();
    assert_eq!(parse_certificates(b"").unwrap_err(), ParseError::Empty);
    assert_eq!(
        parse_certificates(b" \r\n\t").unwrap_err(),
        ParseError::Empty
    );

    let der = p.a.der();
    for cut in [1, 2, 10, der.len() / 2, der.len() - 1] {
        assert!(
            matches!(
                parse_certificates(&der[..cut]),
                Err(ParseError::Der { index: 0, .. })
            ),
            "cut at {cut}"
        );
    }
    let second_cut = [p.a.der(), &p.b.der()[..50]].concat();
    assert!(matches!(
        parse_certificates(&second_cut),
        Err(ParseError::Der { index: 1, .. })
    ));

    let garbage = "-----BEGIN CERTIFICATE-----\nMIIB!!!!not*base64@@\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        parse_certificates(garbage.as_bytes()),
        Err(ParseError::Pem { .. })
    ));
    let unterminated = p.a.to_pem().replace("-----END CERTIFICATE-----", "");
    assert!(matches!(
        parse_certificates(unterminated.as_bytes()),
        Err(ParseError::Pem { .. })
    ));
    let bad_cert = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        parse_certificates(bad_cert.as_bytes()),
        Err(ParseError::Der { .. })
    ));

    let key = std::fs::read(p.dir.path().join("a.pem.key")).unwrap();
    assert_eq!(
        parse_certificates(&key).unwrap_err(),
        ParseError::NoCertificate
    );
    let csr = b"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
    assert_eq!(
        parse_certificates(csr).unwrap_err(),
        ParseError::NoCertificate
    );

    assert_eq!(
        parse_certificates(b"hello, world\n").unwrap_err(),
        ParseError::UnrecognizedFormat
    );
    assert_eq!(
        parse_certificates(&[0xde, 0xad, 0xbe, 0xef]).unwrap_err(),
        ParseError::UnrecognizedFormat
    );
}

#[test]
fn a_20_mib_file_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pem");
    let mut big = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    big.resize(20 * 1024 * 1024, b'A');
    std::fs::write(&path, &big).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        parse_certificates(&bytes).unwrap_err(),
        ParseError::TooLarge {
            limit: MAX_INPUT_LEN
        }
    );
    assert_eq!(
        Certificate::from_der(&bytes).unwrap_err(),
        ParseError::TooLarge {
            limit: MAX_INPUT_LEN
        }
    );
}

/// xorshift64*: reproducible noise without a dependency.
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn noise_and_mutations_never_panic() {
    let p = pair();
    let mut noise = Noise(0x7e55_e4a0_2024_0001);
    for i in 0..2000 {
        let len = (noise.next() % 600) as usize;
        let mut input = noise.bytes(len);
        match i % 4 {
            0 if !input.is_empty() => input[0] = 0x30,
            1 => input
                .splice(0..0, b"-----BEGIN CERTIFICATE-----\n".iter().copied())
                .for_each(drop),
            2 => input
                .splice(0..0, b"-----BEGIN PKCS7-----\nMIA".iter().copied())
                .for_each(drop),
            _ => {}
        }
        let _ = parse_certificates(&input);
    }
    // Every truncation and every single-byte change of a real certificate and PKCS#7 bundle.
    let p7 = openssl(
        p.dir.path(),
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "a.pem",
            "-outform",
            "DER",
        ],
    );
    for original in [p.a.der().to_vec(), p7] {
        for cut in 0..original.len() {
            let _ = parse_certificates(&original[..cut]);
        }
        for at in 0..original.len() {
            let mut changed = original.clone();
            changed[at] ^= 1 << (noise.next() % 8);
            if let Ok(certs) = parse_certificates(&changed) {
                // Whatever still parses must still describe itself.
                for cert in certs {
                    let details = cert.details(time::OffsetDateTime::now_utc());
                    let _ = details.fields();
                }
            }
        }
    }
}

#[test]
fn chinese_names_come_back_intact() {
    let dir = tempfile::tempdir().unwrap();
    let subject = "/CN=张三/O=某某单位/OU=信息中心/ST=北京市/L=海淀区/C=CN";
    let utf8 = make_cert(dir.path(), "utf8.pem", subject, &[]);
    // OpenSSL's `string_mask = default` picks BMPString for these characters.
    std::fs::write(
        dir.path().join("bmp.cnf"),
        "[req]\ndistinguished_name = dn\nstring_mask = default\n[dn]\n",
    )
    .unwrap();
    let bmp = make_cert(dir.path(), "bmp.pem", subject, &["-config", "bmp.cnf"]);
    let asn1 = openssl(dir.path(), &["asn1parse", "-in", "bmp.pem"]);
    assert!(
        String::from_utf8_lossy(&asn1).contains("BMPSTRING"),
        "test needs a BMPString name"
    );

    for (what, pem) in [("UTF8String", utf8), ("BMPString", bmp)] {
        let cert = parse_certificates(&pem).unwrap().remove(0);
        let d = cert.details(time::OffsetDateTime::now_utc());
        for name in [&d.subject, &d.issuer] {
            assert_eq!(name.cn, ["张三"], "{what}");
            assert_eq!(name.o, ["某某单位"], "{what}");
            assert_eq!(name.ou, ["信息中心"], "{what}");
            assert_eq!(name.st, ["北京市"], "{what}");
            assert_eq!(name.l, ["海淀区"], "{what}");
            assert_eq!(name.c, ["CN"], "{what}");
            assert_eq!(
                name.rfc4514, "C=CN,L=海淀区,ST=北京市,OU=信息中心,O=某某单位,CN=张三",
                "{what}"
            );
        }
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"cn\":[\"张三\"]"), "{what}: {json}");
        let fields = d.fields();
        assert!(
            fields
                .iter()
                .any(|f| f.key == "subject.cn" && f.value == "张三")
        );
    }
}
