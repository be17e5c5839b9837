//! The Tessera service: axum routers per area over one [`AppState`], a [`store::Store`] on
//! SQLite or PostgreSQL, SMS codes, image captchas, audit, and the first-start bootstrap.
//!
//! `app(state)` is the whole HTTP service; the binary adds config, TLS and a socket.
#![forbid(unsafe_code)]

pub mod api;
pub mod audit;
pub mod bootstrap;
pub mod ca;
pub mod captcha;
pub mod clock;
pub mod cloud;
pub mod config;
pub mod error;
pub mod files;
pub mod identity;
pub mod image_limits;
pub mod metrics;
pub mod password;
pub mod pepper;
pub mod phone;
pub mod qr;
pub mod ra;
pub mod sms;
pub mod state;
pub mod store;
pub mod tls;

pub use api::app;
pub use error::ApiError;
pub use state::{AppState, Shared, StateParts};
