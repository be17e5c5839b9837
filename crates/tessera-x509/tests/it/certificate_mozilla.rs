//! Every Mozilla root in `/usr/share/ca-certificates/mozilla` (Debian's `ca-certificates`)
//! against `openssl x509`, computed at test time: names, serial, validity, key algorithm and
//! size, signature algorithm, SHA-1 and SHA-256 thumbprints.

use crate::certificate_oracle as oracle;

use std::path::PathBuf;

use tessera_x509::certificate::parse_certificates;

const MOZILLA: &str = "/usr/share/ca-certificates/mozilla";

#[test]
fn mozilla_roots_match_openssl() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(MOZILLA)
        .expect("ca-certificates is installed")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "crt"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 100,
        "only {} certificates in {MOZILLA}",
        files.len()
    );
    let now = time::OffsetDateTime::now_utc();

    // OpenSSL runs are the slow part; a few threads keep both cores busy.
    let workers = 4;
    let chunk = files.len().div_ceil(workers);
    let results: Vec<(PathBuf, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|path| {
                            let bytes = std::fs::read(path).unwrap();
                            let certs = match parse_certificates(&bytes) {
                                Ok(certs) => certs,
                                Err(e) => {
                                    return (path.clone(), vec![format!("does not parse: {e}")]);
                                }
                            };
                            if certs.len() != 1 {
                                return (
                                    path.clone(),
                                    vec![format!("{} certificates", certs.len())],
                                );
                            }
                            let details = certs[0].details(now);
                            let view = oracle::openssl_view(&bytes);
                            (path.clone(), oracle::compare(&certs[0], &details, &view))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let failures: Vec<String> = results
        .iter()
        .filter(|(_, diffs)| !diffs.is_empty())
        .map(|(path, diffs)| format!("{}:\n  {}", path.display(), diffs.join("\n  ")))
        .collect();
    eprintln!(
        "compared {} Mozilla root certificates with openssl x509",
        results.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
    assert_eq!(results.len(), files.len());
}
