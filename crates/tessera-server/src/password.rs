//! Passwords at rest: Argon2id (RFC 9106) PHC strings with a random 16-byte salt, hashed and
//! checked on the blocking pool so a login never stalls the async workers.

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tessera_proto::ra::Password;

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

/// Argon2id PHC string of `password` (argon2 crate defaults: m = 19 MiB, t = 2, p = 1).
pub async fn hash(password: &Password) -> Result<String, PasswordError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = tessera_crypto::rng::bytes::<16>().map_err(|_| PasswordError::Random)?;
        argon2::Argon2::default()
            .hash_password_with_salt(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Argon2(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Task(e.to_string()))?
}

/// Whether `password` matches the stored PHC string (constant-time comparison inside argon2).
pub async fn verify(password: &Password, phc: &str) -> Result<bool, PasswordError> {
    let password = password.clone();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || {
        match argon2::Argon2::default().verify_password(password.expose().as_bytes(), phc.as_str())
        {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(e) => Err(PasswordError::Argon2(e.to_string())),
        }
    })
    .await
    .map_err(|e| PasswordError::Task(e.to_string()))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
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
