//! Where command output goes: stdout for results, stderr for errors, colour only on a terminal
//! without `NO_COLOR`.

use std::io::{IsTerminal as _, Write};

use tessera::i18n::Localizer;

use super::{Failure, Format};

/// The output of one command run.
pub(crate) struct Output<'a> {
    pub(crate) format: Format,
    pub(crate) l: &'a Localizer,
    colour: bool,
    stdout: std::io::StdoutLock<'static>,
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("format", &self.format)
            .field("colour", &self.colour)
            .finish()
    }
}

impl<'a> Output<'a> {
    pub(crate) fn stdout(format: Format, l: &'a Localizer) -> Self {
        let stdout = std::io::stdout();
        let colour =
            stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            format,
            l,
            colour,
            stdout: stdout.lock(),
        }
    }

    /// Writes a line of result text.
    pub(crate) fn line(&mut self, text: &str) -> Result<(), Failure> {
        writeln!(self.stdout, "{text}")?;
        Ok(())
    }

    /// A section heading, bold when colour is allowed.
    pub(crate) fn heading(&mut self, text: &str) -> Result<(), Failure> {
        if self.colour {
            writeln!(self.stdout, "\x1b[1m{text}\x1b[0m")?;
        } else {
            writeln!(self.stdout, "{text}")?;
        }
        Ok(())
    }

    /// Writes `value` as pretty JSON.
    pub(crate) fn json<T: serde::Serialize>(&mut self, value: &T) -> Result<(), Failure> {
        serde_json::to_writer_pretty(&mut self.stdout, value)
            .map_err(|e| Failure::Internal(e.to_string()))?;
        writeln!(self.stdout)?;
        Ok(())
    }

    /// Reports an error on stderr, red when colour is allowed.
    #[allow(clippy::print_stderr, reason = "the CLI's one place for error output")]
    pub(crate) fn error(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let colour = self.colour && std::io::stderr().is_terminal();
        if colour {
            eprintln!("\x1b[31m{message}\x1b[0m");
        } else {
            eprintln!("{message}");
        }
    }
}

/// A spinner on standard error for work that takes seconds (RSA key generation on a token),
/// hidden when standard error is not a terminal.
pub(crate) fn spinner(message: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
