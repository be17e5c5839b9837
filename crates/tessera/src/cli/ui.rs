//! `tessera ui`: serve the web UI on 127.0.0.1 and open it in the browser.

use std::net::SocketAddr;
use std::path::Path;

use crate::ui::{UiError, UiOptions};
use clap::Args;

use super::{Failure, Output, exit};

#[derive(Debug, Args)]
pub(crate) struct UiArgs {
    /// Address to listen on; loopback only (default: 127.0.0.1 on a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Print the opening URL without opening the browser.
    #[arg(long)]
    no_open: bool,
}

pub(crate) fn run(
    args: UiArgs,
    data_dir: Option<&Path>,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let options = UiOptions::new(args.listen, out.l.lang()).data_dir(data_dir.map(Path::to_owned));
    let mut printed = Ok(());
    let result = crate::ui::run(options, |url| {
        // The first line of output is the opening URL, token included.
        printed = out.line(url);
        if !args.no_open {
            crate::ui::open_browser(url);
        }
    });
    printed?;
    match result {
        Ok(()) => Ok(exit::OK),
        Err(UiError::App(e)) => Err(e.into()),
        Err(UiError::NotLoopback { addr }) => Err(Failure::Usage(
            out.l
                .text_with("err-ui-not-loopback", &[("addr", addr.to_string().into())]),
        )),
        Err(other) => Err(Failure::Internal(other.to_string())),
    }
}
