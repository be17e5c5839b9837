//! `tessera pin change`.

use std::path::PathBuf;

use clap::Subcommand;
use tessera_core::app::App;
use tessera_media::Medium as _;

use super::{Failure, Output, exit, secret};

#[derive(Debug, Subcommand)]
pub(crate) enum PinCommand {
    /// Change the user PIN of a device.
    Change {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// File whose first line is the current PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// File whose first line is the new PIN (default: prompt, twice).
        #[arg(long, value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: PinCommand, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let PinCommand::Change {
        device,
        pin_file,
        new_pin_file,
    } = cmd;
    let l = out.l;
    let mut medium = app.open_medium(&device)?;
    let old = secret::pin(l, pin_file.as_deref(), "prompt-pin")?;
    let new = secret::new_pin(l, new_pin_file.as_deref())?;
    let result = medium.change_pin(&old, &new);
    app.forget_pin(&medium)?;
    result?;
    out.line(&l.text("pin-changed"))?;
    Ok(exit::OK)
}
