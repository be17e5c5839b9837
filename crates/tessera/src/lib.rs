//! The faces of the Tessera client over [`tessera_core`]: the command line ([`cli`], run by
//! the `tessera` binary) and the web UI ([`ui`], started by `tessera ui`); [`net`] is the native HTTP transport the core reaches services
//! through, and [`third_party`] the crates this program is built from (shown in Settings).
//! Faces parse, call the core and render: the decisions are in the core.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod net;
pub mod third_party;
pub mod ui;
