//! Feeds arbitrary bytes to the certificate parser and the details model: any input must give a
//! certificate or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = tessera_x509::certificate::parse_certificates(data) {
        for cert in &certs {
            let details = tessera_x509::certificate::CertificateDetails::new(cert, time::OffsetDateTime::UNIX_EPOCH);
            let _ = details.fields();
        }
    }
});
