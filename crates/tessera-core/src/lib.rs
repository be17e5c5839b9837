//! The Tessera client's core: every flow the faces (the `tessera` CLI, the web UI, later the
//! local app API and the phone app) offer, and one classification of what goes wrong.
//!
//! [`app`] owns the media (through [`providers`]), the PIN cache ([`pin_cache`]) and settings
//! ([`settings`]); the holder's flows are in [`holder`] and [`start`], enrolment with a service
//! in [`enroll`], cloud-key accounts and two-party co-signing in [`cloud`], the log and its
//! export in [`logs`], update checks in [`update`]. Every failure becomes a message id, a
//! recovery hint and an exit code in [`failure`]; [`i18n`] and [`words`] hold the text.
//!
//! The core has no HTTP stack, no web framework and no terminal: it reaches services through
//! [`net`] (the face installs a transport), reads the time through [`clock`], and builds for
//! `wasm32-unknown-unknown`, where the PKCS#11 backend drops out.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod clock;
pub mod cloud;
pub mod enroll;
pub mod failure;
pub mod holder;
pub mod i18n;
pub mod logs;
pub mod net;
pub mod personal;
pub mod pin_cache;
pub mod providers;
pub mod service;
pub mod settings;
pub mod signing;
pub mod start;
pub mod store;
pub mod transfer;
pub mod update;
pub mod words;
