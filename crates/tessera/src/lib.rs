//! The Tessera client: the app core the faces (CLI, web UI, local app API) sit on.
//!
//! The app core ([`app`]) owns flows over media, the PIN cache ([`pin_cache`]) and settings
//! ([`settings`]); [`i18n`] holds the user-facing text.
#![forbid(unsafe_code)]

pub mod app;
pub mod i18n;
pub mod pin_cache;
pub mod settings;
