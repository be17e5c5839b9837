//! The EXAMPLES and exit codes at the end of every command's `--help`: one shared `after_help`
//! built from the localized heading and exit-code table (`help-examples`, `help-exit-codes`)
//! and the example command lines below (commands read the same in every language).

/// Example command lines of each command, by its path under `tessera`.
const EXAMPLES: &[(&str, &[&str])] = &[
    ("cert", &["tessera cert list", "tessera cert show cert.pem"]),
    (
        "cert list",
        &[
            "tessera cert list",
            "tessera cert list --device phone --format json",
        ],
    ),
    (
        "cert import",
        &[
            "tessera cert import --device phone cert.pem --key key.pem --pin-file pin.txt",
            "tessera cert import --device phone backup.p12 --pkcs12 --password-file p12.txt",
        ],
    ),
    (
        "cert export",
        &[
            "tessera cert export --device phone --cert 3fa2 --out cert.pem",
            "tessera cert export --device phone --cert 3fa2 --pkcs12 --with-key --out backup.p12",
        ],
    ),
    (
        "cert delete",
        &[
            "tessera cert delete --device phone --cert 3fa2",
            "tessera cert delete --device phone --cert 3fa2 --with-key --yes --pin-file pin.txt",
        ],
    ),
    (
        "device",
        &["tessera device list", "tessera device create --label phone"],
    ),
    (
        "device list",
        &["tessera device list", "tessera device list --format json"],
    ),
    (
        "device watch",
        &[
            "tessera device watch",
            "tessera device watch --count 1 --timeout 60",
        ],
    ),
    (
        "device create",
        &[
            "tessera device create --label phone",
            "tessera device create --label office --national --pin-file pin.txt --so-pin-file so.txt",
        ],
    ),
    ("device info", &["tessera device info --device phone"]),
    (
        "device unlock",
        &["tessera device unlock --device phone --so-pin-file so.txt --new-pin-file pin.txt"],
    ),
    (
        "key",
        &["tessera key generate --device phone --subject \"CN=张三\""],
    ),
    (
        "key generate",
        &[
            "tessera key generate --device phone --subject \"CN=张三,O=示例医院,C=CN\"",
            "tessera key generate --device phone --alg rsa2048 --subject CN=web --out req.csr",
        ],
    ),
    ("pin", &["tessera pin change --device phone"]),
    (
        "pin change",
        &[
            "tessera pin change --device phone",
            "tessera pin change --device phone --pin-file old.txt --new-pin-file new.txt",
        ],
    ),
    (
        "sign",
        &[
            "tessera sign --device phone --cert 3fa2 --in contract.pdf --out contract.sig",
            "tessera sign --device phone --cert 3fa2 --in digest.bin --prehashed --digest sm3",
        ],
    ),
    (
        "verify",
        &["tessera verify --cert cert.pem --in contract.pdf --sig contract.sig"],
    ),
    (
        "enroll",
        &[
            "tessera enroll notices --server https://ca.example.cn",
            "tessera enroll list",
        ],
    ),
    (
        "enroll notices",
        &["tessera enroll notices --server https://ca.example.cn"],
    ),
    (
        "enroll code",
        &[
            "tessera enroll code --phone 13800000000 --for apply",
            "tessera enroll code --phone 13800000000 --for bind-phone",
        ],
    ),
    (
        "enroll captcha",
        &["tessera enroll captcha --out captcha.png"],
    ),
    (
        "enroll apply",
        &[
            "tessera enroll apply --qr qr.png --phone 13800000000 --sms-code 123456 --name 张三 \
           --id-number 110101199003074258 --organization 示例医院 --email zs@example.cn \
           --accept-notices",
        ],
    ),
    (
        "enroll login",
        &[
            "tessera enroll login --phone 13800000000 --captcha-id ID --captcha-answer x7k2 \
           --sms-code 123456",
        ],
    ),
    (
        "enroll list",
        &["tessera enroll list", "tessera enroll list --format json"],
    ),
    (
        "enroll install",
        &["tessera enroll install 42 --device phone --pin-file pin.txt"],
    ),
    (
        "enroll renew",
        &["tessera enroll renew 3fa2 --device phone"],
    ),
    ("enroll logout", &["tessera enroll logout"]),
    (
        "cloud",
        &[
            "tessera cloud accounts",
            "tessera cloud sign --in doc.pdf --out doc.sig",
        ],
    ),
    (
        "cloud orgs",
        &["tessera cloud orgs --server https://ca.example.cn --query 医院"],
    ),
    ("cloud about", &["tessera cloud about"]),
    (
        "cloud use",
        &[
            "tessera cloud use --server https://ca.example.cn --org HOSP",
            "tessera cloud use --qr org-qr.png",
        ],
    ),
    (
        "cloud apply",
        &["tessera cloud apply --user D2001 --name 李医生 --phone 13800000000"],
    ),
    (
        "cloud download",
        &["tessera cloud download --user D2001 --password-file password.txt"],
    ),
    (
        "cloud accounts",
        &[
            "tessera cloud accounts",
            "tessera cloud accounts --format json",
        ],
    ),
    (
        "cloud switch",
        &["tessera cloud switch D2001", "tessera cloud switch 3fa2"],
    ),
    ("cloud delete", &["tessera cloud delete D2001 --yes"]),
    (
        "cloud cert",
        &[
            "tessera cloud cert",
            "tessera cloud cert --format pem --chain > cloud.pem",
        ],
    ),
    ("cloud refresh", &["tessera cloud refresh"]),
    (
        "cloud sign",
        &["tessera cloud sign --in doc.pdf --out doc.sig"],
    ),
    (
        "cloud decrypt",
        &["tessera cloud decrypt --in secret.bin --out secret.txt"],
    ),
    (
        "cloud password",
        &[
            "tessera cloud password",
            "tessera cloud password --reseal --password-file old.txt",
        ],
    ),
    (
        "cloud recover-code",
        &[
            "tessera cloud recover-code --server https://ca.example.cn --org HOSP --user D2001 \
           --captcha-id ID --captcha-answer x7k2",
        ],
    ),
    (
        "cloud recover",
        &[
            "tessera cloud recover --server https://ca.example.cn --org HOSP --user D2001 \
           --code 123456",
        ],
    ),
    ("cloud phone-code", &["tessera cloud phone-code"]),
    (
        "cloud bind-phone",
        &[
            "tessera enroll code --for bind-phone --phone 13900000000",
            "tessera cloud bind-phone --phone 13900000000 --code 123456 --old-code 654321",
        ],
    ),
    (
        "cloud signature-image",
        &[
            "tessera cloud signature-image --put signature.png",
            "tessera cloud signature-image --out signature.png",
        ],
    ),
    (
        "cloud app-sessions",
        &[
            "tessera cloud app-sessions",
            "tessera cloud app-sessions --end-all",
        ],
    ),
    (
        "settings",
        &["tessera settings get", "tessera settings set pin-cache 5"],
    ),
    (
        "settings get",
        &["tessera settings get", "tessera settings get language"],
    ),
    (
        "settings set",
        &[
            "tessera settings set language zh-CN",
            "tessera settings set server https://ca.example.cn",
        ],
    ),
    ("ui", &["tessera ui", "tessera ui --no-open"]),
];

/// The examples of the command at `path` (`"cloud switch"`), if it has any.
pub(super) fn of(path: &str) -> Option<&'static [&'static str]> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// Every command path with examples (for the test that runs them through the parser).
#[cfg(test)]
pub(super) fn all() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    EXAMPLES.iter().copied()
}
