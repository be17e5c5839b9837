//! SoftHSM2 tokens in a temp dir for tests.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` once, at `C_Initialize`, and a module is initialised once per
//! process; setting the variable in-process would need `unsafe` (edition 2024). So each test that
//! needs a token runs itself again in a child process with its own token folder and conf passed
//! through `Command::env`: no two tests share a token dir or race on the environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tessera_media::pkcs11::{Pkcs11Module, Pkcs11Options, Pkcs11Token};

/// SoftHSM2's module as Debian installs it (`apt-get install softhsm2`).
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const USER_PIN: &str = "123456";
pub const SO_PIN: &str = "12345678";
const CHILD_DIR: &str = "TESSERA_TEST_SOFTHSM_DIR";

/// A SoftHSM2 token folder and its conf.
#[derive(Debug)]
pub struct SoftHsm {
    dir: PathBuf,
}

/// Whether SoftHSM2 tests are skipped on purpose (`TESSERA_SKIP_PKCS11=1`). Without that, a
/// missing SoftHSM2 or `pkcs11-tool` fails the test with the packages to install.
pub fn skipped(test: &str) -> bool {
    if std::env::var("TESSERA_SKIP_PKCS11").is_ok_and(|v| v == "1") {
        eprintln!("SKIP {test}: TESSERA_SKIP_PKCS11=1");
        return true;
    }
    assert!(
        Path::new(MODULE).exists(),
        "{test}: SoftHSM2 is not installed ({MODULE} missing): apt-get install -y softhsm2 opensc, \
         or set TESSERA_SKIP_PKCS11=1 to skip"
    );
    false
}

/// In the child: the token folder. In the parent: runs `test` again in a child process with a
/// fresh folder and returns `None` after checking that it passed.
pub fn isolated(test: &str) -> Option<SoftHsm> {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        return Some(SoftHsm {
            dir: PathBuf::from(dir),
        });
    }
    if skipped(test) {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hsm = SoftHsm::create(tmp.path());
    run_child(test, &hsm.conf(), tmp.path());
    None
}

/// Like [`isolated`], with `SOFTHSM2_CONF` naming `conf` (a broken one, say).
pub fn isolated_with_conf(test: &str, conf: &Path) -> Option<SoftHsm> {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        return Some(SoftHsm {
            dir: PathBuf::from(dir),
        });
    }
    if skipped(test) {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    run_child(test, conf, tmp.path());
    None
}

fn run_child(test: &str, conf: &Path, dir: &Path) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", conf)
        .env(CHILD_DIR, dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("--- {test} in its own SoftHSM2 process ---\n{text}");
    assert!(
        out.status.success(),
        "{test} failed in its SoftHSM2 process"
    );
    assert!(
        text.contains("1 passed"),
        "{test}: the child process ran no test"
    );
}

impl SoftHsm {
    /// Writes `softhsm2.conf` with its token folder in `dir`.
    pub fn create(dir: &Path) -> Self {
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        std::fs::write(
            dir.join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        Self {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.join("softhsm2.conf")
    }

    /// `softhsm2-util --init-token --free --label LABEL` with the test PINs.
    pub fn init_token(&self, label: &str) {
        let out = Command::new("softhsm2-util")
            .args([
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                USER_PIN,
                "--so-pin",
                SO_PIN,
            ])
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .expect("softhsm2-util on PATH (apt-get install softhsm2)");
        assert!(
            out.status.success(),
            "softhsm2-util: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The module, loaded in this (child) process.
    pub fn module(&self) -> Pkcs11Module {
        Pkcs11Module::load(MODULE, Pkcs11Options::default()).unwrap()
    }

    pub fn open(&self, label: &str) -> Pkcs11Token {
        self.module().open_token(label).unwrap()
    }

    /// Runs `pkcs11-tool --module SoftHSM2 args` against this folder.
    pub fn tool(&self, args: &[&str]) -> Output {
        Command::new("pkcs11-tool")
            .arg("--module")
            .arg(MODULE)
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .expect("pkcs11-tool on PATH (apt-get install opensc)")
    }

    /// Like [`SoftHsm::tool`], failing the test if it fails; returns stdout + stderr.
    pub fn tool_ok(&self, args: &[&str]) -> String {
        let out = self.tool(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "pkcs11-tool {args:?}:\n{text}");
        text
    }
}
