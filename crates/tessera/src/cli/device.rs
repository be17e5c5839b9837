//! `tessera device list|create|info|unlock|watch`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use fluent_bundle::FluentValue as V;
use serde::Serialize;
use tessera_core::app::App;
use tessera_media::{AlgorithmMode, Medium as _, MediumInfo, file_device::CreateOptions};

use super::output::terminal_safe;
use super::{Failure, Format, Output, exit, secret};

#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCommand {
    /// List the media: file devices and PKCS#11 tokens (modules from TESSERA_PKCS11_MODULES,
    /// paths separated by `:`, else the OpenSC and SoftHSM2 modules found on this machine).
    List,
    /// Report PKCS#11 tokens inserted or removed, one line (or JSON object) per change, until
    /// Ctrl-C, --count changes or --timeout.
    Watch {
        /// Stop after this many changes.
        #[arg(long, value_name = "N")]
        count: Option<usize>,
        /// Stop after this many seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// Milliseconds between polls of the slots.
        #[arg(long, value_name = "MS", default_value_t = 500)]
        interval: u64,
    },
    /// Create a file device protected by a PIN and an SO PIN.
    Create {
        /// Name of the new device.
        #[arg(long)]
        label: String,
        /// standard seals keys with AES-256-GCM; national (国密) with SM4-GCM.
        #[arg(long, value_enum, default_value_t = Mode::Standard)]
        mode: Mode,
        /// Shorthand for --mode national.
        #[arg(long, conflicts_with = "mode")]
        national: bool,
        /// Wrong PINs allowed before the device locks.
        #[arg(long, default_value_t = tessera_media::file_device::DEFAULT_MAX_RETRIES)]
        max_retries: u8,
        /// File whose first line is the new user PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// File whose first line is the SO PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        so_pin_file: Option<PathBuf>,
    },
    /// Show what a device says about itself.
    Info {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
    },
    /// Unlock a locked device with the SO PIN and set a new user PIN.
    Unlock {
        /// Label or serial of the device.
        #[arg(long)]
        device: String,
        /// File whose first line is the SO PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        so_pin_file: Option<PathBuf>,
        /// File whose first line is the new user PIN (default: prompt).
        #[arg(long, value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Mode {
    Standard,
    National,
}

/// One medium in `device list --format json`.
#[derive(Debug, Serialize)]
struct Listed {
    path: String,
    #[serde(flatten)]
    info: Option<MediumInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub(crate) fn run(cmd: DeviceCommand, app: &mut App, out: &mut Output<'_>) -> Result<u8, Failure> {
    let l = out.l;
    match cmd {
        DeviceCommand::List => {
            let listed: Vec<Listed> = app
                .media()?
                .into_iter()
                .map(|m| {
                    let path = m.location.display().to_string();
                    match m.info {
                        Ok(info) => Listed {
                            path,
                            info: Some(info),
                            error: None,
                        },
                        Err(e) => Listed {
                            path,
                            info: None,
                            error: Some(tessera_core::words::medium_reason(l, &e)),
                        },
                    }
                })
                .collect();
            match out.format {
                Format::Json => out.json(&listed)?,
                Format::Text if listed.is_empty() => out.line(&l.text("device-none"))?,
                Format::Text => {
                    for m in &listed {
                        match (&m.info, &m.error) {
                            (Some(info), _) => out.line(&info_line(l, info))?,
                            (None, Some(e)) => {
                                out.line(&format!("{}: {e}", terminal_safe(&m.path)))?
                            }
                            (None, None) => {}
                        }
                    }
                }
            }
        }
        DeviceCommand::Create {
            label,
            mode,
            national,
            max_retries,
            pin_file,
            so_pin_file,
        } => {
            let pin = secret::new_pin(l, pin_file.as_deref())?;
            let so_pin = secret::so_pin(l, so_pin_file.as_deref())?;
            let mode = match (mode, national) {
                (Mode::National, _) | (_, true) => AlgorithmMode::National,
                (Mode::Standard, false) => AlgorithmMode::Standard,
            };
            let options = CreateOptions::new(label)
                .mode(mode)
                .max_retries(max_retries);
            let device = app.file_devices()?.create(&options, &pin, &so_pin)?;
            show_info(&device.info()?, out)?;
        }
        DeviceCommand::Watch {
            count,
            timeout,
            interval,
        } => {
            let interval = std::time::Duration::from_millis(interval.max(10));
            let timeout = timeout.map(std::time::Duration::from_secs);
            let format = out.format;
            app.watch_tokens(interval, timeout, count, &mut |e| match format {
                Format::Json => out
                    .line(&serde_json::to_string(e).map_err(|e| Failure::Internal(e.to_string()))?),
                Format::Text => out.line(&format!(
                    "{}  {}  {}",
                    e.event,
                    terminal_safe(&e.label),
                    terminal_safe(&e.serial)
                )),
            })?;
        }
        DeviceCommand::Info { device } => {
            let device = app.open_medium(&device)?;
            show_info(&device.info()?, out)?;
        }
        DeviceCommand::Unlock {
            device,
            so_pin_file,
            new_pin_file,
        } => {
            let mut device = app.open_medium(&device)?;
            let so_pin = secret::so_pin(l, so_pin_file.as_deref())?;
            let new_pin = secret::new_pin(l, new_pin_file.as_deref())?;
            device.unlock(&so_pin, &new_pin)?;
            app.forget_pin(&device)?;
            show_info(&device.info()?, out)?;
        }
    }
    Ok(exit::OK)
}

fn info_line(l: &tessera_core::i18n::Localizer, info: &MediumInfo) -> String {
    let state = if info.locked {
        l.text("device-locked")
    } else {
        l.text_with(
            "device-retries",
            &[
                ("left", V::from(info.pin_retries_left)),
                ("max", V::from(info.pin_max_retries)),
            ],
        )
    };
    let mode = match info.mode {
        AlgorithmMode::National => l.text("device-mode-national"),
        _ => l.text("device-mode-standard"),
    };
    let mut line = format!(
        "{}  {}  {}  {}",
        terminal_safe(&info.label),
        terminal_safe(&info.serial),
        mode,
        state
    );
    match (info.so_pin_retries_left, info.so_pin_max_retries) {
        (Some(0), _) => line.push_str(&format!("  {}", l.text("device-so-blocked"))),
        (Some(left), Some(max)) => line.push_str(&format!(
            "  {}",
            l.text_with(
                "device-so-retries",
                &[("left", V::from(left)), ("max", V::from(max))]
            )
        )),
        _ => {}
    }
    line
}

fn show_info(info: &MediumInfo, out: &mut Output<'_>) -> Result<(), Failure> {
    match out.format {
        Format::Json => out.json(info),
        Format::Text => {
            let line = info_line(out.l, info);
            out.line(&line)
        }
    }
}
