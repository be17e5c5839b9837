//! The Tessera client: the app core the faces (CLI, web UI, local app API) sit on.
//!
//! The app core ([`app`]) owns flows over media, the PIN cache ([`pin_cache`]) and settings
//! ([`settings`]); the holder's flows for the UI are in [`holder`] and [`start`], the log and its
//! export in [`logs`], update checks in [`update`]; [`i18n`] and [`words`] hold the user-facing
//! text; [`ui`] is the web face.
#![forbid(unsafe_code)]

pub mod app;
pub mod cloud;
pub mod enroll;
pub mod failure;
pub mod holder;
pub mod i18n;
pub mod logs;
pub mod personal;
pub mod pin_cache;
pub mod service;
pub mod settings;
pub mod start;
pub mod third_party;
pub mod ui;
pub mod update;
pub mod words;
