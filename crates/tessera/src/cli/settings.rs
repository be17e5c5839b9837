//! `tessera settings get|set`.

use clap::Subcommand;
use serde::Serialize;
use tessera_core::app::App;
use tessera_core::settings::KEYS;

use super::{Failure, Format, Output, exit};

#[derive(Debug, Subcommand)]
pub(crate) enum SettingsCommand {
    /// Print one setting, or all of them.
    Get {
        /// A setting's name (see `set`); all when omitted.
        key: Option<String>,
    },
    /// Change a setting: pin-cache off|1|5|10|30|60, language zh-CN|en-US|system,
    /// business certificate|cloud-key|none, logs on|off, update-check daily|weekly|never,
    /// server URL|none (the service: self-service, release feed), support-key age1…|none (the
    /// public key exported logs are encrypted to), privacy-accepted N|none, pkcs11-modules,
    /// pkcs11-sm2-mechanism.
    Set { key: String, value: String },
}

#[derive(Debug, Serialize)]
struct Setting {
    key: String,
    value: String,
}

pub(crate) fn run(
    cmd: SettingsCommand,
    app: &mut App,
    out: &mut Output<'_>,
) -> Result<u8, Failure> {
    let keys: Vec<String> = match cmd {
        SettingsCommand::Get { key: Some(key) } => vec![key],
        SettingsCommand::Get { key: None } => KEYS.iter().map(|(k, _)| (*k).to_owned()).collect(),
        SettingsCommand::Set { key, value } => {
            app.set_setting(&key, &value)?;
            vec![key]
        }
    };
    let values = keys
        .into_iter()
        .map(|key| {
            Ok(Setting {
                value: app.settings().get(&key)?,
                key,
            })
        })
        .collect::<Result<Vec<_>, tessera_core::settings::SettingsError>>()?;
    match out.format {
        Format::Json if values.len() == 1 => out.json(&values[0])?,
        Format::Json => out.json(&values)?,
        Format::Text => {
            for s in &values {
                out.line(&format!("{} = {}", s.key, s.value))?;
            }
        }
    }
    Ok(exit::OK)
}
