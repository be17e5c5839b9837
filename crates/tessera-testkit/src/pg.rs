//! A throwaway PostgreSQL cluster for tests: `initdb` + `pg_ctl` from Debian's `postgresql`
//! (`/usr/lib/postgresql/*/bin`), in a temp dir, on a free 127.0.0.1 port, socket in the temp
//! dir, stopped and removed on drop. As root, the cluster runs as the `postgres` user
//! (`runuser`), since PostgreSQL refuses to run as root.
//!
//! Missing binaries fail the test with a clear message unless `TESSERA_SKIP_POSTGRES=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug)]
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_user: Option<&'static str>,
}

fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    found.sort(); // newest major last (single digits aside, Debian ships one)
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PgCluster {
    /// `None` when skipped through `TESSERA_SKIP_POSTGRES=1`.
    pub fn start() -> Option<Self> {
        if std::env::var("TESSERA_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("PostgreSQL tests skipped: TESSERA_SKIP_POSTGRES=1");
            return None;
        }
        let bin = find_bin().unwrap_or_else(|| {
            panic!(
                "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: \
                 install them with `apt-get install -y postgresql`, \
                 or set TESSERA_SKIP_POSTGRES=1 to skip the PostgreSQL store tests"
            )
        });
        let as_user = is_root().then_some("postgres");
        let dir = tempfile::Builder::new()
            .prefix("tessera-pg-")
            .tempdir()
            .unwrap();
        if let Some(user) = as_user {
            let status = Command::new("chown")
                .arg("-R")
                .arg(format!("{user}:"))
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(
                status.success(),
                "chown of the cluster dir to {user} failed (does the user exist?)"
            );
        }
        let mut cluster = Self {
            dir,
            bin,
            port: 0,
            as_user,
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-A",
                "trust",
                "-U",
                "tessera",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // a port can be taken between our probe and the server's bind: retry a few times
        for attempt in 0..5 {
            cluster.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                cluster.port,
                path(cluster.dir.path())
            );
            let log = cluster.dir.path().join("server.log");
            if cluster.try_run(
                "pg_ctl",
                &[
                    "-D",
                    path(&data),
                    "-o",
                    &opts,
                    "-l",
                    path(&log),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            ) {
                return Some(cluster);
            }
            eprintln!(
                "pg_ctl start failed (attempt {attempt}); log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        panic!("could not start a PostgreSQL cluster");
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool);
        match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(exe).args(args);
                c
            }
            None => {
                let mut c = Command::new(exe);
                c.args(args);
                c
            }
        }
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> bool {
        let out = self
            .command(tool, args)
            .output()
            .unwrap_or_else(|e| panic!("running {tool}: {e}"));
        if !out.status.success() {
            eprintln!(
                "{tool} failed: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        assert!(self.try_run(tool, args), "{tool} failed");
    }

    /// URL of a fresh database `name` in the cluster.
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Executor as _;
        let admin = format!("postgres://tessera@127.0.0.1:{}/postgres", self.port);
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        pool.close().await;
        format!("postgres://tessera@127.0.0.1:{}/{name}", self.port)
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self
            .command(
                "pg_ctl",
                &["-D", path(&data), "-m", "immediate", "-w", "stop"],
            )
            .output();
    }
}
