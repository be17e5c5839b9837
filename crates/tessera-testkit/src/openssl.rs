//! The `openssl` command line as an outside oracle, run in a scratch folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `-pkeyopt`/`-vfyopt` naming the GM/T 0009 default ID; OpenSSL 3.0 uses an empty ID without it.
pub const DISTID: &str = "distid:1234567812345678";

/// Runs a prepared `openssl` command. A missing `openssl` fails the test with what to install:
/// an oracle that is not there checks nothing.
pub fn output(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("openssl could not be run ({e}): apt-get install -y openssl"))
}

/// `openssl args` run in `dir`: whether it exited 0, and its stdout and stderr.
pub fn run_in(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = output(Command::new("openssl").args(args).current_dir(dir));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl args` run in `dir`, failing the test if it fails; its stdout and stderr.
pub fn ok_in(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = run_in(dir, args);
    assert!(ok, "openssl {args:?} failed:\n{text}");
    text
}

/// `openssl args` run in `dir`, failing the test if it fails; its stdout alone, as bytes.
pub fn stdout_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = output(Command::new("openssl").args(args).current_dir(dir));
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A throwaway CA in `dir`: a P-256 key `ca.key` and its self-signed certificate `ca.pem`
/// (`CN=<cn>`, 30 days), for `openssl x509 -req -CA ca.pem -CAkey ca.key`.
pub fn throwaway_ca(dir: &Path, cn: &str) {
    ok_in(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            &format!("/CN={cn}"),
            "-days",
            "30",
        ],
    );
}

/// A scratch folder for files handed to `openssl`.
#[derive(Debug)]
pub struct Scratch(tempfile::TempDir);

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

impl Scratch {
    pub fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// Writes `bytes` to `name` and returns the full path as a string.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Runs `openssl args` in the folder; whether it exited 0, and its output.
    pub fn run(&self, args: &[&str]) -> (bool, String) {
        run_in(self.0.path(), args)
    }

    /// Runs `openssl args` and fails the test if it fails.
    pub fn ok(&self, args: &[&str]) -> String {
        ok_in(self.0.path(), args)
    }

    /// A throwaway CA in the folder (see [`throwaway_ca`]).
    pub fn throwaway_ca(&self, cn: &str) {
        throwaway_ca(self.0.path(), cn);
    }
}

/// PEM around DER.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
