//! What the server checks of an uploaded file: its first bytes against the declared type
//! (magic bytes), its SHA-256 (streamed, never the whole file in memory) and, for photos, a
//! small re-encoded JPEG thumbnail that carries none of the original's metadata (EXIF, GPS).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits};
use ovop_core::document::MediaType;
use ovop_platform::objects::{ObjectError, ObjectReader};
use sha2::{Digest, Sha256};

/// How many leading bytes [`sniff`] needs: a PDF header may follow up to 1 KiB of junk.
pub const SNIFF_BYTES: u64 = 1024;
/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 480;
/// JPEG quality of thumbnails.
const THUMBNAIL_QUALITY: u8 = 80;
/// Largest photo decoded, per side.
const MAX_SIDE: u32 = 16_384;
/// Largest allocation a decoder may make (a 15 MB photo of ~50 megapixels fits).
const MAX_DECODE_ALLOC: u64 = 320 * 1024 * 1024;

/// The media type `prefix` (the first bytes of a file) shows, if it is one we accept.
pub fn sniff(prefix: &[u8]) -> Option<MediaType> {
    if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if prefix.len() >= 12 && &prefix[..4] == b"RIFF" && &prefix[8..12] == b"WEBP" {
        Some(MediaType::Webp)
    } else if prefix
        .windows(5)
        .take(SNIFF_BYTES as usize)
        .any(|w| w == b"%PDF-")
    {
        Some(MediaType::Pdf)
    } else {
        None
    }
}

/// The SHA-256 (lowercase hex) and length of what `reader` reads, chunk by chunk.
pub async fn sha256(mut reader: ObjectReader) -> Result<(String, u64), ObjectError> {
    let mut hash = Sha256::new();
    let mut read = 0u64;
    while let Some(chunk) = reader.chunk().await? {
        read += chunk.len() as u64;
        hash.update(&chunk);
    }
    Ok((hex(&hash.finalize()), read))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A photo could not be made into a thumbnail: it does not decode as its type.
#[derive(Debug)]
pub struct NotAnImage(pub String);

/// A JPEG of `photo` (of type `media`) at most [`THUMBNAIL_MAX_SIDE`] pixels on its longer
/// side: decoded and encoded again, so nothing of the original's metadata survives.
pub fn thumbnail(photo: &[u8], media: MediaType) -> Result<Vec<u8>, NotAnImage> {
    let format = match media {
        MediaType::Jpeg => image::ImageFormat::Jpeg,
        MediaType::Png => image::ImageFormat::Png,
        MediaType::Webp => image::ImageFormat::WebP,
        MediaType::Pdf => return Err(NotAnImage("a PDF is not a photo".into())),
    };
    let mut reader = ImageReader::with_format(Cursor::new(photo), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| NotAnImage(e.to_string()))?;
    let small = if decoded.width().max(decoded.height()) > THUMBNAIL_MAX_SIDE {
        decoded.thumbnail(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE)
    } else {
        decoded
    };
    // JPEG has no alpha: flatten to RGB.
    let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
    let mut out = Vec::new();
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY))
        .map_err(|e| NotAnImage(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_four_accepted_types() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\xEF\xBB\xBF%PDF-1.4"), Some(MediaType::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE1, 0, 0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(MediaType::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_thumbnail_is_a_small_jpeg() {
        let big = DynamicImage::ImageRgba8(image::RgbaImage::new(1200, 600));
        let mut png = Vec::new();
        big.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let thumb = thumbnail(&png, MediaType::Png).unwrap();
        assert_eq!(sniff(&thumb), Some(MediaType::Jpeg));
        let back = image::load_from_memory(&thumb).unwrap();
        assert_eq!((back.width(), back.height()), (480, 240));
        assert!(thumbnail(b"\xFF\xD8\xFFnot really", MediaType::Jpeg).is_err());
        assert!(thumbnail(&png, MediaType::Pdf).is_err());
    }
}
