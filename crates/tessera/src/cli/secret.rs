//! PINs from a file or a prompt, never from the command line.

use std::io::IsTerminal as _;
use std::path::Path;

use tessera_core::i18n::Localizer;
use tessera_media::{Pin, SoPin};

use super::Failure;

/// Where a PIN comes from: the first line of `file` (`-` for standard input), else a prompt on
/// the terminal without echo.
pub(crate) fn read_secret(
    l: &Localizer,
    file: Option<&Path>,
    prompt_id: &str,
) -> Result<String, Failure> {
    if let Some(path) = file {
        let text = if path == Path::new("-") {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|source| Failure::Read {
            path: path.display().to_string(),
            source,
        })?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::NoPin);
    }
    rpassword::prompt_password(format!("{}: ", l.text(prompt_id))).map_err(|_| Failure::NoPin)
}

/// The user PIN.
pub(crate) fn pin(l: &Localizer, file: Option<&Path>, prompt_id: &str) -> Result<Pin, Failure> {
    read_secret(l, file, prompt_id).map(Pin::new)
}

/// The SO PIN.
pub(crate) fn so_pin(l: &Localizer, file: Option<&Path>) -> Result<SoPin, Failure> {
    read_secret(l, file, "prompt-so-pin").map(SoPin::new)
}

/// A new PIN: from `file`, or typed twice at the prompt; refused when weak, by the same policy
/// as the web UI's ([`tessera_core::holder::check_new_pin`]).
pub(crate) fn new_pin(l: &Localizer, file: Option<&Path>) -> Result<Pin, Failure> {
    let new = if file.is_some() {
        pin(l, file, "prompt-new-pin")?
    } else {
        let first = read_secret(l, None, "prompt-new-pin")?;
        let second = read_secret(l, None, "prompt-new-pin-again")?;
        if first != second {
            return Err(Failure::PinMismatch);
        }
        Pin::new(first)
    };
    tessera_core::holder::check_new_pin(&new)?;
    Ok(new)
}
