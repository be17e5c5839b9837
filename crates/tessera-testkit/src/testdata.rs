//! `../shared/testdata` (standard vectors, Wycheproof, x509-limbo, NIST PKITS, real SM2
//! certificates), which sits beside the checkout and is read in place. A missing file fails the
//! test: it never passes by checking nothing.

use std::path::{Path, PathBuf};

/// A file under `shared/testdata`; fails the test when it is not there.
pub fn testdata(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(relative);
    assert!(
        path.exists(),
        "{} is missing (shared/ must sit beside the checkout)",
        path.display()
    );
    path
}

/// The bytes of a file under `shared/testdata`.
pub fn read_testdata_bytes(relative: &str) -> Vec<u8> {
    let path = testdata(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of a file under `shared/testdata`.
pub fn read_testdata(relative: &str) -> String {
    let path = testdata(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
