//! Confirmation of a destructive command: a question on the terminal, else `--yes`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use super::{Failure, Format, Output};

/// Asks `question` on standard error and reads the answer from standard input. Without a
/// terminal on standard input, or in JSON mode (a program is reading), nothing is asked and the
/// command needs `--yes` ([`Failure::Unconfirmed`]). Only a yes (`y`, `yes`, `是`) goes on.
pub(crate) fn ask(out: &Output<'_>, question: &str) -> Result<(), Failure> {
    if out.format == Format::Json || !std::io::stdin().is_terminal() {
        return Err(Failure::Unconfirmed);
    }
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question} ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim().to_lowercase();
    if matches!(answer.as_str(), "y" | "yes" | "是") {
        Ok(())
    } else {
        Err(Failure::Declined)
    }
}
