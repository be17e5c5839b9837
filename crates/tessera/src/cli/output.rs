//! Where command output goes: stdout for results, stderr for errors, colour only on a terminal
//! without `NO_COLOR`. Text output never carries terminal control characters from the data it
//! shows ([`terminal_safe`]); JSON output keeps every string as it is, escaped by JSON.

use std::borrow::Cow;
use std::io::{IsTerminal as _, Write};

use tessera_core::i18n::Localizer;

use super::{Failure, Format};

/// The output of one command run.
pub(crate) struct Output<'a> {
    pub(crate) format: Format,
    /// `--format pem`: a command that prints a certificate prints it as PEM.
    pub(crate) pem: bool,
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
            pem: false,
            l,
            colour,
            stdout: stdout.lock(),
        }
    }

    /// Writes a line of result text. In text mode every control character but the line breaks
    /// of multi-line text is escaped ([`terminal_safe`]); a JSON line (`device watch`) is
    /// written as it is.
    pub(crate) fn line(&mut self, text: &str) -> Result<(), Failure> {
        match self.format {
            Format::Json => writeln!(self.stdout, "{text}")?,
            Format::Text => writeln!(self.stdout, "{}", safe_lines(text))?,
        }
        Ok(())
    }

    /// A section heading, bold when colour is allowed.
    pub(crate) fn heading(&mut self, text: &str) -> Result<(), Failure> {
        let text = safe_lines(text);
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

    /// Reports a result: `value` as JSON, or in text the message `id` with `args`.
    pub(crate) fn report<T: serde::Serialize>(
        &mut self,
        value: &T,
        id: &str,
        args: &[(&str, fluent_bundle::FluentValue<'_>)],
    ) -> Result<(), Failure> {
        match self.format {
            Format::Json => self.json(value),
            Format::Text => {
                let text = self.l.text_with(id, args);
                self.line(&text)
            }
        }
    }

    /// Reports an error on stderr, red when colour is allowed.
    #[allow(clippy::print_stderr, reason = "the CLI's one place for error output")]
    pub(crate) fn error(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let message = safe_lines(message);
        let colour = self.colour && std::io::stderr().is_terminal();
        if colour {
            eprintln!("\x1b[31m{message}\x1b[0m");
        } else {
            eprintln!("{message}");
        }
    }

    /// The recovery hint under an error, on stderr, uncoloured.
    #[allow(clippy::print_stderr, reason = "the CLI's one place for error output")]
    pub(crate) fn hint(&mut self, hint: &str) {
        eprintln!("{}", safe_lines(hint));
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

/// `s` made safe to print on a terminal: C0 and C1 control characters (ESC, CR, BEL, DEL...),
/// bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), directional
/// marks, zero-width characters, line and paragraph separators and the BOM are written as
/// `\u{…}`, so that a label or certificate name can neither drive the terminal nor disguise
/// itself. Everything else, CJK and other scripts included, is kept.
pub(crate) fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal_safe`] line by line, keeping the line breaks of text that has several lines
/// (a PEM block, a message with its hint).
fn safe_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(terminal_safe)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_other_text_kept() {
        assert_eq!(
            terminal_safe("evil\u{1b}[31mRED\rX\u{202e}cba\u{200b}"),
            "evil\\u{1b}[31mRED\\u{d}X\\u{202e}cba\\u{200b}"
        );
        assert_eq!(terminal_safe("张三 CN=a\tb"), "张三 CN=a\\u{9}b");
        assert!(matches!(terminal_safe("我的证书　2"), Cow::Borrowed(_)));
        assert_eq!(safe_lines("a\nb\u{7}"), "a\nb\\u{7}");
    }
}
