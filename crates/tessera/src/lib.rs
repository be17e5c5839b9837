//! The Tessera client: the app core the faces (CLI, web UI, local app API) sit on.
//!
//! For now: localization. Flows, settings, the PIN cache and media arrive with their issues.
#![forbid(unsafe_code)]

pub mod i18n;
