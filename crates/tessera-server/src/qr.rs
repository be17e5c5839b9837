//! Rendering a QR payload: as text for the terminal and as a PNG file.

use std::path::Path;

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// A QR code could not be made or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The payload does not fit a QR code.
    #[error("QR encoding: {0}")]
    Encode(#[from] qrcode::types::QrError),
    /// Writing the PNG failed.
    #[error("writing {path}: {message}")]
    Png {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
}

/// The QR code of `text` drawn with half-block characters (two modules per character row),
/// dark on light, quiet zone included.
pub fn to_terminal(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// Writes the QR code of `text` as a PNG of at least 360×360 pixels.
pub fn write_png(text: &str, path: &Path) -> Result<(), QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(360, 360)
        .build();
    image.save(path).map_err(|e| QrError::Png {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
