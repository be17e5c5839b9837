//! Passwords at rest: Argon2id (RFC 9106) PHC strings with a random 16-byte salt, hashed and
//! checked on threads of their own so a login never stalls the async workers.
//!
//! Every Argon2 run of the service (RA and cloud alike) passes one process-wide gate: at most
//! `running` at once (each holds 19 MiB), at most `waiting` more queued, and beyond that
//! [`PasswordError::Busy`] at once, which the API answers 503 with `Retry-After`. So a burst of
//! unauthenticated requests costs bounded memory instead of 19 MiB each.

use std::sync::{Arc, LazyLock, RwLock};

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tessera_proto::ra::Password;
use tokio::sync::Semaphore;

/// Why a password could not be hashed or checked (a server fault, never the user's).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// The OS random generator failed.
    #[error("random generator failed")]
    Random,
    /// Argon2 refused its inputs, or a stored hash is not a PHC string.
    #[error("argon2: {0}")]
    Argon2(String),
    /// The blocking task died.
    #[error("hashing task: {0}")]
    Task(String),
    /// Too many password checks are running and queued; the caller should answer 503.
    #[error("too many password checks at once; try again in {retry_after} seconds")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after: u64,
    },
}

/// How much Argon2 work may run at once (config `[limits.argon2]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Argon2Limits {
    /// Argon2 runs at once (19 MiB each); default: the number of cores.
    pub running: usize,
    /// Runs waiting for a slot; beyond them a request is refused with 503.
    pub waiting: usize,
}

impl Default for Argon2Limits {
    fn default() -> Self {
        Self {
            running: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            waiting: 32,
        }
    }
}

/// A bound on concurrent Argon2 runs: `running` worker threads of its own and a queue of
/// `waiting`. Dedicated threads (not the blocking pool) keep the memory bounded too: the
/// allocator keeps a freed 19 MiB block in the arena of the thread that used it, so Argon2 on
/// ever new pool threads would leave one such block per thread behind.
#[derive(Debug)]
pub struct Argon2Gate {
    /// Runs admitted (running or waiting).
    admitted: Arc<Semaphore>,
    /// Work for the threads.
    jobs: std::sync::mpsc::Sender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Seconds a refused caller is told to wait.
const BUSY_RETRY_AFTER: u64 = 1;

impl Argon2Gate {
    /// A gate with `limits` (at least one running thread).
    pub fn new(limits: Argon2Limits) -> Self {
        let running = limits.running.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..running {
            let queue = queue.clone();
            // a thread that cannot start leaves the others; none at all fails each run
            let _ = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = {
                            let queue = match queue.lock() {
                                Ok(q) => q,
                                Err(poisoned) => poisoned.into_inner(),
                            };
                            match queue.recv() {
                                Ok(job) => job,
                                // the gate was replaced or dropped
                                Err(_) => return,
                            }
                        };
                        // a panicking run fails alone (its caller sees a dropped answer)
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
        }
        Self {
            admitted: Arc::new(Semaphore::new(running.saturating_add(limits.waiting))),
            jobs,
        }
    }

    /// Runs `f` on the gate's threads once one is free, or refuses at once with
    /// [`PasswordError::Busy`] when the queue is full. The admission is held until `f` ends,
    /// so a caller that goes away does not free it early.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
    ) -> Result<T, PasswordError> {
        let admitted =
            self.admitted
                .clone()
                .try_acquire_owned()
                .map_err(|_| PasswordError::Busy {
                    retry_after: BUSY_RETRY_AFTER,
                })?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let out = f();
            drop(admitted);
            let _ = answer.send(out);
        });
        self.jobs
            .send(job)
            .map_err(|_| PasswordError::Task("no Argon2 thread".into()))?;
        answered
            .await
            .map_err(|_| PasswordError::Task("Argon2 run failed".into()))?
    }
}

static GATE: LazyLock<RwLock<Arc<Argon2Gate>>> =
    LazyLock::new(|| RwLock::new(Arc::new(Argon2Gate::new(Argon2Limits::default()))));

/// Replaces the process-wide gate (at start, from the config; runs admitted by the old gate
/// finish under it).
pub fn set_limits(limits: Argon2Limits) {
    let gate = Arc::new(Argon2Gate::new(limits));
    match GATE.write() {
        Ok(mut g) => *g = gate,
        Err(poisoned) => *poisoned.into_inner() = gate,
    }
}

fn gate() -> Arc<Argon2Gate> {
    match GATE.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Shortest accepted password.
pub const MIN_LEN: usize = 8;
/// Longest accepted password.
pub const MAX_LEN: usize = 64;

/// The policy every new password meets: 8-64 characters, at least one letter and one digit,
/// no control characters. `Err` carries the text shown to the user.
pub fn check_policy(password: &Password) -> Result<(), &'static str> {
    let p = password.expose();
    let n = p.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&n) {
        return Err("password must be 8-64 characters");
    }
    if p.chars().any(char::is_control) {
        return Err("password must not contain control characters");
    }
    if !p.chars().any(char::is_alphabetic) || !p.chars().any(|c| c.is_ascii_digit()) {
        return Err("password must contain letters and digits");
    }
    Ok(())
}

/// Argon2id PHC string of `password` (argon2 crate defaults: m = 19 MiB, t = 2, p = 1), under
/// the process-wide gate ([`PasswordError::Busy`] when it is full).
pub async fn hash(password: &Password) -> Result<String, PasswordError> {
    let password = password.clone();
    gate()
        .run(move || {
            let salt = tessera_crypto::rng::bytes::<16>().map_err(|_| PasswordError::Random)?;
            argon2::Argon2::default()
                .hash_password_with_salt(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| PasswordError::Argon2(e.to_string()))
        })
        .await
}

/// Whether `password` matches the stored PHC string (constant-time comparison inside argon2),
/// under the process-wide gate ([`PasswordError::Busy`] when it is full).
pub async fn verify(password: &Password, phc: &str) -> Result<bool, PasswordError> {
    let password = password.clone();
    let phc = phc.to_owned();
    gate()
        .run(move || {
            match argon2::Argon2::default()
                .verify_password(password.expose().as_bytes(), phc.as_str())
            {
                Ok(()) => Ok(true),
                Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
                Err(e) => Err(PasswordError::Argon2(e.to_string())),
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let pw = Password::new("correct horse 9");
        let a = hash(&pw).await.unwrap();
        let b = hash(&pw).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b);
        assert!(verify(&pw, &a).await.unwrap());
        assert!(!verify(&Password::new("correct horse 8"), &a).await.unwrap());
        assert!(verify(&pw, "not a phc string").await.is_err());
    }

    /// 64 hashes at once through a gate of 2 running + 4 waiting: at most 2 run at a time,
    /// at most 6 are admitted, the rest are refused at once with `Busy`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_gate_bounds_concurrent_work() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = Arc::new(Argon2Gate::new(Argon2Limits {
            running: 2,
            waiting: 4,
        }));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (gate, now, peak) = (gate.clone(), now.clone(), peak.clone());
                tokio::spawn(async move {
                    gate.run(move || {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        now.fetch_sub(1, Ordering::SeqCst);
                        Ok(())
                    })
                    .await
                })
            })
            .collect();
        let (mut done, mut busy) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => done += 1,
                Err(PasswordError::Busy { retry_after: 1 }) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!((2..=6).contains(&done), "{done} ran");
        assert_eq!(done + busy, 64);
        assert!(
            peak.load(Ordering::SeqCst) <= 2,
            "peak {}",
            peak.load(Ordering::SeqCst)
        );
    }

    #[test]
    fn policy() {
        for bad in [
            "short1",
            "onlyletters",
            "1234567890",
            "tab\there1",
            &"a1".repeat(40),
        ] {
            assert!(check_policy(&Password::new(bad)).is_err(), "{bad}");
        }
        for good in ["abcdefg1", "证书密码很安全12", "Pass word 2026"] {
            assert!(check_policy(&Password::new(good)).is_ok(), "{good}");
        }
    }
}
