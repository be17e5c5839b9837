//! `openssl x509` as the oracle for the details model: what OpenSSL prints for a certificate,
//! and a comparison with ours that lists every disagreement.
//!
//! Used by tessera-x509's certificate tests and the client's `cert show` tests.

use std::io::Write as _;
use std::process::{Command, Stdio};

use tessera_x509::certificate::{Certificate, CertificateDetails};
use time::OffsetDateTime;

/// What OpenSSL says about one certificate.
#[derive(Debug)]
pub struct OpensslView {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub sha1: String,
    pub sha256: String,
    pub key_algorithm: String,
    pub key_bits: Option<u32>,
    pub curve: Option<String>,
    pub signature_algorithm: String,
}

const NAMEOPT: &str = "RFC2253,-esc_msb,utf8";

fn openssl(input: &[u8], args: &[&str]) -> String {
    let mut child = Command::new("openssl")
        .arg("x509")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl x509 {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs OpenSSL twice on the first certificate in `input` (PEM or DER... PEM here): once for
/// names, serial, dates, SHA-256 fingerprint and `-text`, once for the SHA-1 fingerprint.
pub fn openssl_view(input: &[u8]) -> OpensslView {
    let main = openssl(
        input,
        &[
            "-noout",
            "-subject",
            "-issuer",
            "-serial",
            "-startdate",
            "-enddate",
            "-fingerprint",
            "-sha256",
            "-nameopt",
            NAMEOPT,
            "-dateopt",
            "iso_8601",
            "-text",
        ],
    );
    let sha1 = openssl(input, &["-noout", "-fingerprint", "-sha1"]);
    let field = |text: &str, prefix: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {text}"))
            .to_owned()
    };
    let text_line = |needle: &str| -> Option<String> {
        main.lines()
            .find_map(|l| l.trim().strip_prefix(needle).map(|s| s.trim().to_owned()))
    };
    let fingerprint = |s: String| s.replace(':', "").to_lowercase();
    let key_bits = text_line("Public-Key: (").map(|s| s.trim_end_matches(" bit)").parse().unwrap());
    let curve = text_line("NIST CURVE:").or_else(|| text_line("ASN1 OID:"));
    OpensslView {
        subject: field(&main, "subject="),
        issuer: field(&main, "issuer="),
        serial: field(&main, "serial=").to_lowercase(),
        not_before: parse_openssl_date(&field(&main, "notBefore=")),
        not_after: parse_openssl_date(&field(&main, "notAfter=")),
        sha256: fingerprint(field(&main, "sha256 Fingerprint=")),
        sha1: fingerprint(field(&sha1, "sha1 Fingerprint=")),
        key_algorithm: text_line("Public Key Algorithm:").expect("key algorithm"),
        key_bits,
        curve,
        signature_algorithm: text_line("Signature Algorithm:").expect("signature algorithm"),
    }
}

/// `-dateopt iso_8601` form: `2011-05-05 09:37:37Z`.
pub fn parse_openssl_date(s: &str) -> OffsetDateTime {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(s, format)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .assume_utc()
}

/// Splits an RFC 2253 string into `(TYPE, escaped value, separator before)` without unescaping,
/// mapping OpenSSL's type names onto ours (`emailAddress` is `E`) and upper-casing types.
pub fn split_dn(dn: &str) -> Vec<(String, String, char)> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut sep = ',';
    let mut chars = dn.chars();
    let mut push = |piece: &str, sep: char| {
        let (ty, value) = piece
            .split_once('=')
            .unwrap_or_else(|| panic!("no = in {piece:?} of {dn:?}"));
        let ty = match ty.to_uppercase().as_str() {
            "EMAILADDRESS" => "E".to_owned(),
            other => other.to_owned(),
        };
        out.push((ty, value.to_owned(), sep));
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                piece.push(c);
                if let Some(n) = chars.next() {
                    piece.push(n);
                }
            }
            ',' | '+' => {
                push(&piece, sep);
                piece.clear();
                sep = c;
            }
            _ => piece.push(c),
        }
    }
    if !piece.is_empty() {
        push(&piece, sep);
    }
    out
}

/// RFC 4514 §3 unescaping of one value (`\,` and `\XX` hex pairs, the latter as UTF-8 bytes).
pub fn unescape(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let pair = bytes
                .get(i + 1..i + 3)
                .filter(|p| p.iter().all(u8::is_ascii_hexdigit));
            let pair = pair.and_then(|p| std::str::from_utf8(p).ok());
            if let Some(b) = pair.and_then(|p| u8::from_str_radix(p, 16).ok()) {
                out.push(b);
                i += 3;
            } else {
                out.push(bytes[i + 1]);
                i += 2;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn key_algorithm_id(openssl_name: &str, curve: Option<&str>) -> String {
    match (openssl_name, curve) {
        ("id-ecPublicKey", Some("SM2")) | ("sm2", _) => "sm2",
        ("id-ecPublicKey", _) => "ec",
        ("rsaEncryption", _) => "rsa",
        ("rsassaPss", _) => "rsa_pss",
        ("ED25519", _) => "ed25519",
        ("ED448", _) => "ed448",
        ("dsaEncryption", _) => "dsa",
        (other, _) => other,
    }
    .to_owned()
}

/// OpenSSL's curve name (`NIST CURVE` or `ASN1 OID`) as ours.
fn curve_name(openssl: &str) -> &str {
    match openssl {
        "prime256v1" => "P-256",
        "secp384r1" => "P-384",
        "secp521r1" => "P-521",
        other => other,
    }
}

/// Signature algorithm names compared without case, OpenSSL's `rsassaPss` being our `RSASSA-PSS`.
fn signature_name(name: &str) -> String {
    match name {
        "rsassaPss" => "rsassa-pss".to_owned(),
        other => other.to_lowercase(),
    }
}

/// Every way `details` of `cert` disagrees with OpenSSL's `view`; empty when they agree.
pub fn compare(
    cert: &Certificate,
    details: &CertificateDetails,
    view: &OpensslView,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut check = |what: &str, ours: &dyn std::fmt::Debug, theirs: &dyn std::fmt::Debug| {
        let (o, t) = (format!("{ours:?}"), format!("{theirs:?}"));
        if o != t {
            diffs.push(format!("{what}: ours {o}, openssl {t}"));
        }
    };
    for (what, ours, theirs) in [
        ("subject", &details.subject, &view.subject),
        ("issuer", &details.issuer, &view.issuer),
    ] {
        check(what, &split_dn(&ours.rfc4514), &split_dn(theirs));
        let pieces = split_dn(theirs);
        for (ty, list) in [
            ("CN", &ours.cn),
            ("O", &ours.o),
            ("OU", &ours.ou),
            ("C", &ours.c),
            ("E", &ours.email),
        ] {
            // OpenSSL lists the last RDN first; components are in encoded order.
            let mut theirs: Vec<String> = pieces
                .iter()
                .filter(|p| p.0 == ty && !p.1.starts_with('#'))
                .map(|p| unescape(&p.1))
                .collect();
            theirs.reverse();
            check(&format!("{what}.{ty}"), list, &theirs);
        }
    }
    check("serial", &details.serial, &view.serial);
    check("serial (Certificate)", &cert.serial_hex(), &view.serial);
    check(
        "notBefore",
        &OffsetDateTime::parse(
            &details.validity.not_before,
            &time::format_description::well_known::Rfc3339,
        )
        .ok(),
        &Some(view.not_before),
    );
    check(
        "notAfter",
        &OffsetDateTime::parse(
            &details.validity.not_after,
            &time::format_description::well_known::Rfc3339,
        )
        .ok(),
        &Some(view.not_after),
    );
    check(
        "notBefore (Certificate)",
        &cert.not_before(),
        &view.not_before,
    );
    check("notAfter (Certificate)", &cert.not_after(), &view.not_after);
    check("sha1", &details.thumbprints.sha1, &view.sha1);
    check("sha256", &details.thumbprints.sha256, &view.sha256);
    let ours_alg = serde_json::to_value(details.public_key.algorithm).unwrap();
    check(
        "key algorithm",
        &ours_alg.as_str().unwrap_or_default(),
        &key_algorithm_id(&view.key_algorithm, view.curve.as_deref()).as_str(),
    );
    check("key bits", &details.public_key.bits, &view.key_bits);
    check(
        "curve",
        &details.public_key.curve.as_deref(),
        &view.curve.as_deref().map(curve_name),
    );
    check(
        "signature algorithm",
        &signature_name(&details.signature_algorithm.name),
        &signature_name(&view.signature_algorithm),
    );
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_splitting_keeps_escapes() {
        let parts = split_dn(r"CN=a\,b+emailAddress=x@y,O=\#q\ ,C=CN");
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], ("CN".to_owned(), r"a\,b".to_owned(), ','));
        assert_eq!(parts[1], ("E".to_owned(), "x@y".to_owned(), '+'));
        assert_eq!(unescape(&parts[2].1), "#q ");
        assert_eq!(unescape(r"a\0Ab\E5\BC\A0"), "a\nb张");
        assert_eq!(unescape(r"a\+b\,c"), "a+b,c");
    }

    #[test]
    fn openssl_dates() {
        assert_eq!(
            parse_openssl_date("2011-05-05 09:37:37Z").unix_timestamp(),
            1_304_588_257
        );
    }

    #[test]
    fn comparison_sees_differences() {
        let dir = "/usr/share/ca-certificates/mozilla";
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let a = std::fs::read(&files[0]).unwrap();
        let b = std::fs::read(&files[1]).unwrap();
        let cert = tessera_x509::certificate::parse_certificates(&a)
            .unwrap()
            .remove(0);
        let details = cert.details(OffsetDateTime::now_utc());
        assert!(compare(&cert, &details, &openssl_view(&a)).is_empty());
        let diffs = compare(&cert, &details, &openssl_view(&b));
        for what in ["subject", "serial", "sha1", "sha256", "notBefore"] {
            assert!(
                diffs.iter().any(|d| d.starts_with(&format!("{what}:"))),
                "{what} not compared: {diffs:?}"
            );
        }
    }
}
