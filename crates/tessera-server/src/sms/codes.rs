//! One-time SMS codes: 6 digits from the OS CSPRNG, stored as keyed hashes, a 5-minute life,
//! 5 tries, and rate limits per phone (1 a minute, 10 a day) and per client address.

use std::sync::Arc;

use serde::Deserialize;
use tessera_proto::sms::SmsCodeSent;

use super::{SmsError, SmsSender};
use crate::clock::Clock;
use crate::pepper::Pepper;
use crate::phone::PhoneNumber;
use crate::store::Store;

const HASH_CONTEXT: &str = "tessera-sms-code-v1";
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// Lifetimes, tries and rate limits of SMS codes (config section `[sms.limits]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsLimits {
    /// Seconds a code stays valid.
    pub code_ttl: i64,
    /// Wrong answers a code survives.
    pub max_tries: u32,
    /// Seconds between two codes to one phone.
    pub phone_interval: i64,
    /// Codes per phone per 24 hours.
    pub phone_daily: i64,
    /// Codes per client address per hour.
    pub ip_hourly: i64,
}

impl Default for SmsLimits {
    fn default() -> Self {
        Self {
            code_ttl: 300,
            max_tries: 5,
            phone_interval: 60,
            phone_daily: 10,
            ip_hourly: 30,
        }
    }
}

/// Issues and checks SMS codes.
#[derive(Debug, Clone)]
pub struct SmsCodes {
    store: Store,
    sender: Arc<dyn SmsSender>,
    clock: Arc<dyn Clock>,
    pepper: Pepper,
    limits: SmsLimits,
}

fn check_purpose(purpose: &str) -> Result<(), SmsError> {
    let ok = (1..=32).contains(&purpose.len())
        && purpose
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(SmsError::InvalidPurpose)
    }
}

/// A uniformly random 6-digit code (rejection sampling, no modulo bias).
fn random_code() -> Result<String, SmsError> {
    const LIMIT: u32 = 4_294_000_000; // largest multiple of 10^6 below 2^32
    loop {
        let n =
            u32::from_le_bytes(tessera_crypto::rng::bytes::<4>().map_err(|_| SmsError::Random)?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

fn secs(n: i64) -> u64 {
    u64::try_from(n.max(1)).unwrap_or(1)
}

impl SmsCodes {
    /// Codes kept in `store`, sent through `sender`.
    pub fn new(
        store: Store,
        sender: Arc<dyn SmsSender>,
        clock: Arc<dyn Clock>,
        pepper: Pepper,
        limits: SmsLimits,
    ) -> Self {
        Self {
            store,
            sender,
            clock,
            pepper,
            limits,
        }
    }

    /// The sender codes go through (also used for notifications such as review results).
    pub fn sender(&self) -> Arc<dyn SmsSender> {
        self.sender.clone()
    }

    /// The limits in force.
    pub fn limits(&self) -> SmsLimits {
        self.limits
    }

    /// Sends a new code for `purpose` to `phone`, after the rate limits; `ip` is the client's
    /// address. The code itself goes only into the message, never into a log or a return value.
    pub async fn send_code(
        &self,
        phone: &PhoneNumber,
        purpose: &str,
        ip: Option<&str>,
    ) -> Result<SmsCodeSent, SmsError> {
        check_purpose(purpose)?;
        let now = self.clock.now();
        let l = &self.limits;
        let (today, newest) = self
            .store
            .sms_codes_for_phone_since(phone.as_str(), now - DAY)
            .await?;
        if let Some(newest) = newest
            && now - newest < l.phone_interval
        {
            return Err(SmsError::RateLimited {
                scope: "phone",
                retry_after: secs(newest + l.phone_interval - now),
            });
        }
        if today >= l.phone_daily {
            return Err(SmsError::RateLimited {
                scope: "phone",
                retry_after: secs(DAY),
            });
        }
        if let Some(ip) = ip {
            let (count, oldest) = self.store.sms_codes_for_ip_since(ip, now - HOUR).await?;
            if count >= l.ip_hourly {
                let wait = oldest.map_or(HOUR, |t| t + HOUR - now);
                return Err(SmsError::RateLimited {
                    scope: "address",
                    retry_after: secs(wait),
                });
            }
        }
        let code = random_code()?;
        let hash = self
            .pepper
            .hash(HASH_CONTEXT, &[phone.as_str(), purpose, &code]);
        let stored = self
            .store
            .sms_code_insert_limited(
                phone.as_str(),
                purpose,
                &hash,
                ip,
                now,
                now + l.code_ttl,
                l.phone_interval,
                l.phone_daily,
            )
            .await?;
        if stored.is_none() {
            // another request for this phone won the race since the checks above
            return Err(SmsError::RateLimited {
                scope: "phone",
                retry_after: secs(l.phone_interval),
            });
        }
        let minutes = l.code_ttl / 60;
        let text = format!("【Tessera】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。");
        self.sender.send(phone, &text).await?;
        Ok(SmsCodeSent {
            expires_in: secs(l.code_ttl),
            resend_after: secs(l.phone_interval),
        })
    }

    /// Checks `code` against the newest unused code for `phone` and `purpose`; on success the
    /// code is used up. Every answer first reserves one of the code's tries (one conditional
    /// statement), so a burst of concurrent answers gets at most `max_tries` comparisons.
    pub async fn verify(
        &self,
        phone: &PhoneNumber,
        purpose: &str,
        code: &str,
    ) -> Result<(), SmsError> {
        check_purpose(purpose)?;
        let now = self.clock.now();
        let max = i64::from(self.limits.max_tries);
        let Some(row) = self
            .store
            .sms_code_reserve_try(phone.as_str(), purpose, max, now)
            .await?
        else {
            // nothing reserved: say why, from the newest unused code
            let row = self
                .store
                .sms_code_latest(phone.as_str(), purpose)
                .await?
                .ok_or(SmsError::NoCode)?;
            return Err(if now >= row.expires_at {
                SmsError::Expired
            } else {
                SmsError::TooManyTries
            });
        };
        let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if well_formed
            && self.pepper.verify(
                HASH_CONTEXT,
                &[phone.as_str(), purpose, code],
                &row.code_hash,
            )
        {
            return if self.store.sms_code_consume(row.id).await? {
                Ok(())
            } else {
                Err(SmsError::NoCode)
            };
        }
        // `row.tries` counts this answer
        let left = u32::try_from(max - row.tries).unwrap_or(0);
        if left == 0 {
            Err(SmsError::TooManyTries)
        } else {
            Err(SmsError::Incorrect { tries_left: left })
        }
    }
}
