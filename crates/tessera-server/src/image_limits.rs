//! Images from clients are decoded only when their header promises a bounded size.
//!
//! A PNG says its width and height in its first chunk (IHDR, PNG §11.2.2), before any pixel
//! data; a 59 KB file can claim 22000 × 22000 pixels and make a decoder allocate 460 MiB or
//! more. So the header is read first and the pixel count capped, and the decoder itself runs
//! with allocation limits in case a file lies about itself further on.

/// Most pixels a client image may have (4096 × 4096: far more than a signature or seal needs).
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// Longest side accepted, pixels.
pub const MAX_SIDE: u32 = 8192;
/// Most memory the decoder may allocate, bytes (RGBA at [`MAX_PIXELS`] plus slack).
pub const MAX_DECODE_ALLOC: u64 = MAX_PIXELS * 4 + 16 * 1024 * 1024;

/// Why an image was refused before (or while) decoding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageLimitError {
    /// Not a PNG, or its header chunk is missing or malformed.
    #[error("not a PNG image")]
    NotPng,
    /// The header claims more pixels than accepted.
    #[error(
        "image of {width}x{height} pixels is too large (at most {MAX_SIDE} per side and {MAX_PIXELS} pixels)"
    )]
    TooLarge {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
    },
    /// The decoder refused the data.
    #[error("image does not decode: {0}")]
    Decode(String),
}

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Width and height from a PNG's IHDR chunk, refused when zero, larger than [`MAX_SIDE`] on a
/// side or [`MAX_PIXELS`] in all; reads 24 bytes and decodes nothing.
pub fn check_png_dimensions(png: &[u8]) -> Result<(u32, u32), ImageLimitError> {
    let header = png.get(..24).ok_or(ImageLimitError::NotPng)?;
    if header[..8] != SIGNATURE || &header[8..16] != b"\0\0\0\x0dIHDR" {
        return Err(ImageLimitError::NotPng);
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (width, height) = (be(&header[16..20]), be(&header[20..24]));
    if width == 0 || height == 0 {
        return Err(ImageLimitError::NotPng);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageLimitError::TooLarge { width, height });
    }
    Ok((width, height))
}

/// Decodes a client's PNG after [`check_png_dimensions`], with the decoder's own limits set.
pub fn decode_png(png: &[u8]) -> Result<image::DynamicImage, ImageLimitError> {
    check_png_dimensions(png)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| ImageLimitError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// A PNG header claiming `w` × `h` pixels (IHDR only; the CRC is not read here).
    fn header(w: u32, h: u32) -> Vec<u8> {
        let mut v = SIGNATURE.to_vec();
        v.extend_from_slice(b"\0\0\0\x0dIHDR");
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    #[test]
    fn huge_claims_are_refused_before_decoding() {
        // the 22000 x 22000 bomb
        assert!(matches!(
            check_png_dimensions(&header(22_000, 22_000)),
            Err(ImageLimitError::TooLarge {
                width: 22_000,
                height: 22_000
            })
        ));
        assert!(matches!(
            decode_png(&header(22_000, 22_000)),
            Err(ImageLimitError::TooLarge { .. })
        ));
        // long and thin: within the pixel count, not the side
        assert!(check_png_dimensions(&header(100_000, 1)).is_err());
        assert!(check_png_dimensions(&header(4096, 4097)).is_err());
        assert_eq!(
            check_png_dimensions(&header(4096, 4096)).unwrap(),
            (4096, 4096)
        );
        assert!(matches!(
            check_png_dimensions(&header(0, 5)),
            Err(ImageLimitError::NotPng)
        ));
        assert!(matches!(
            check_png_dimensions(b"GIF89a"),
            Err(ImageLimitError::NotPng)
        ));
    }

    #[test]
    fn a_small_png_decodes() {
        let img = image::RgbaImage::from_pixel(40, 20, image::Rgba([0, 0, 0, 255]));
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(check_png_dimensions(&png).unwrap(), (40, 20));
        let back = decode_png(&png).unwrap();
        assert_eq!((back.width(), back.height()), (40, 20));
    }
}
