//! SMS: the `SmsSender` trait with its two senders (outbox, HTTP gateway) and the one-time
//! codes sent through it (`codes`).

pub mod api;
mod codes;
mod gateway;
pub(crate) mod store;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use codes::{SmsCodes, SmsLimits};
pub use gateway::{GatewayConfig, HttpGateway};

use crate::clock::Clock;
use crate::phone::PhoneNumber;
use crate::store::{Store, StoreError};

/// The future a [`SmsSender`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// Sends a text message to a phone.
pub trait SmsSender: Send + Sync + std::fmt::Debug {
    /// Sends `text` to `to`. Implementations must not log `text` (it may hold a code).
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SendFuture<'a>;
}

/// Why an SMS operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmsError {
    /// Too many codes for this phone or from this address; retry after the given seconds.
    #[error("too many codes requested for this {scope}; retry in {retry_after} s")]
    RateLimited {
        /// `phone` or `address`.
        scope: &'static str,
        /// Seconds until the next request is accepted.
        retry_after: u64,
    },
    /// The purpose is not 1–32 characters of `a-z`, `0-9`, `_`.
    #[error("purpose must be 1-32 characters of a-z, 0-9 and _")]
    InvalidPurpose,
    /// No unused code was sent to this phone for this purpose.
    #[error("no code was sent to this phone for this purpose")]
    NoCode,
    /// The newest code has expired.
    #[error("the code has expired")]
    Expired,
    /// Wrong code.
    #[error("wrong code, {tries_left} tries left")]
    Incorrect {
        /// Tries left on this code.
        tries_left: u32,
    },
    /// The code has used up its tries; request a new one.
    #[error("too many wrong tries; request a new code")]
    TooManyTries,
    /// The sender failed (gateway down, refused, …); detail is for the log.
    #[error("sending failed: {0}")]
    Send(String),
    /// The OS random generator failed.
    #[error("random generator failed")]
    Random,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The default sender: messages go to the `sms_outbox` table, where the admin API
/// (`GET /v1/admin/sms`) and `tessera-server sms tail` show them.
#[derive(Debug, Clone)]
pub struct OutboxSender {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl OutboxSender {
    /// An outbox in `store`, stamped by `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

impl SmsSender for OutboxSender {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let id = self
                .store
                .outbox_push(to.as_str(), text, self.clock.now())
                .await?;
            tracing::info!(outbox_id = id, phone = ?to, "sms queued in outbox");
            Ok(())
        })
    }
}
