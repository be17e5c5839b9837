//! The Tessera service: one folder per business area (CA, RA, cloud keys, SMS, organizations),
//! each with its rules, its HTTP mapping and its SQL, over shared infrastructure: one
//! [`AppState`], a [`store::Store`] on SQLite or PostgreSQL, the audit service, config, the
//! first-start bootstrap.
//!
//! `app(state)` is the whole HTTP service; the binary adds config, TLS and a socket.
#![forbid(unsafe_code)]

// Business areas: each `area.rs` holds the rules, `area/api.rs` maps HTTP onto them and
// `area/store.rs` holds the area's SQL (both dialects).
pub mod ca;
pub mod cloud;
pub mod orgs;
pub mod ra;
pub mod sms;

// Domain values the areas share.
pub mod captcha;
pub mod identity;
pub mod phone;
pub mod qr;

// Infrastructure: the HTTP server and its middleware, the store plumbing and migrations, the
// audit service, configuration, first start, clock, password gate, batching, metrics, files.
pub mod api;
pub mod audit;
pub(crate) mod batch;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod error;
pub mod files;
pub mod image_limits;
pub mod metrics;
pub mod password;
pub mod pepper;
pub mod state;
pub mod store;
pub mod tls;

pub use api::app;
pub use error::ApiError;
pub use state::{AppState, Shared, StateParts};
