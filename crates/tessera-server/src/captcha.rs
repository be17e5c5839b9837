//! Image captchas: a PNG of 5 characters, single use, 2-minute life; the answer is stored as
//! a keyed hash and compared case-insensitively.

use std::sync::Arc;

use base64::Engine as _;
use tessera_proto::sms::CaptchaChallenge;

use crate::clock::Clock;
use crate::pepper::Pepper;
use crate::store::{Store, StoreError};

const HASH_CONTEXT: &str = "tessera-captcha-v1";

/// Why a captcha could not be made or did not pass.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptchaError {
    /// Unknown id, already answered, or expired.
    #[error("unknown, used or expired captcha")]
    Invalid,
    /// Wrong answer (the captcha is used up all the same).
    #[error("wrong captcha answer")]
    Incorrect,
    /// Drawing the image failed.
    #[error("captcha rendering failed")]
    Render,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Issues and checks captchas.
#[derive(Debug, Clone)]
pub struct Captchas {
    store: Store,
    clock: Arc<dyn Clock>,
    pepper: Pepper,
    ttl: i64,
}

/// A new captcha and its answer (the answer stays on the server; tests use it).
#[derive(Debug)]
pub struct IssuedCaptcha {
    /// What the client gets.
    pub challenge: CaptchaChallenge,
    /// The characters in the image.
    pub answer: String,
}

fn normalize(answer: &str) -> String {
    answer.trim().to_ascii_lowercase()
}

/// Draws a captcha: (answer, PNG). CPU work: call from `spawn_blocking`.
fn draw() -> Option<(String, Vec<u8>)> {
    use captcha::filters::{Noise, Wave};
    let mut c = captcha::Captcha::new();
    c.add_chars(5)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 12.0).horizontal())
        .apply_filter(Wave::new(2.0, 12.0).vertical())
        .view(220, 120);
    c.as_tuple()
}

impl Captchas {
    /// Captchas kept in `store`, living `ttl` seconds.
    pub fn new(store: Store, clock: Arc<dyn Clock>, pepper: Pepper, ttl: i64) -> Self {
        Self {
            store,
            clock,
            pepper,
            ttl,
        }
    }

    /// Draws and stores a new captcha.
    pub async fn issue(&self) -> Result<IssuedCaptcha, CaptchaError> {
        let (answer, png) = tokio::task::spawn_blocking(draw)
            .await
            .map_err(|_| CaptchaError::Render)?
            .ok_or(CaptchaError::Render)?;
        let id = hex::encode(tessera_crypto::rng::bytes::<16>().map_err(|_| CaptchaError::Render)?);
        let now = self.clock.now();
        let hash = self.pepper.hash(HASH_CONTEXT, &[&id, &normalize(&answer)]);
        self.store
            .captcha_insert(&id, &hash, now, now + self.ttl)
            .await?;
        let challenge = CaptchaChallenge {
            id,
            png_base64: base64::engine::general_purpose::STANDARD.encode(png),
            expires_in: u64::try_from(self.ttl).unwrap_or(0),
        };
        Ok(IssuedCaptcha { challenge, answer })
    }

    /// Checks an answer; the captcha is used up whether the answer is right or wrong.
    pub async fn verify(&self, id: &str, answer: &str) -> Result<(), CaptchaError> {
        let stored = self
            .store
            .captcha_take(id, self.clock.now())
            .await?
            .ok_or(CaptchaError::Invalid)?;
        if self
            .pepper
            .verify(HASH_CONTEXT, &[id, &normalize(answer)], &stored)
        {
            Ok(())
        } else {
            Err(CaptchaError::Incorrect)
        }
    }
}
