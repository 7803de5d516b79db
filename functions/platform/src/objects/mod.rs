//! Objects: one object-store port ([`ObjectStore`]) with one adapter on `aws-sdk-s3`
//! (`s3::S3Objects`, feature `s3`), used against real S3 in production and against the embedded
//! s3s + s3s-fs endpoint of `ovop-local` locally and in the tests (`tests/tests/object_store.rs`).
//! A function that does not touch S3 builds without the feature and links no S3 SDK.
//!
//! The port speaks plain types only ([`PresignedRequest`], [`Part`], [`ObjectInfo`], …): no
//! AWS type crosses it, so the upload use cases can be tested against any store.
//!
//! The browser never sends file bytes through a Lambda (docs: architecture §5). It gets
//! presigned requests instead:
//! - a small file: [`ObjectStore::presign_put`], its content type **and** length signed, so S3
//!   refuses any other type or size;
//! - a large file: [`ObjectStore::create_multipart`], then [`ObjectStore::presign_upload_part`]
//!   for a few parts at a time (re-signed when they expire), [`ObjectStore::list_parts`] to
//!   resume, [`ObjectStore::complete_multipart`] or [`ObjectStore::abort_multipart`].
//!
//! After an upload the server checks what arrived ([`ObjectStore::head`],
//! [`ObjectStore::read_prefix`] for magic bytes, [`ObjectStore::open`] / [`ObjectStore::read`]
//! for checksums and thumbnails) and writes what it makes itself ([`ObjectStore::put`]);
//! publication deletes a replaced gallery version in batches ([`ObjectStore::delete_all`]).
//!
//! Files are read through `downloads::DownloadLinks` (feature `s3`): presigned S3 GETs locally,
//! CloudFront signed URLs (`cloudfront`) in production.

use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};

#[cfg(feature = "s3")]
pub mod cloudfront;
#[cfg(feature = "s3")]
pub mod downloads;
#[cfg(feature = "s3")]
pub mod s3;

#[cfg(feature = "s3")]
pub use cloudfront::CloudFrontSigner;
#[cfg(feature = "s3")]
pub use downloads::{DownloadLinks, DownloadsConfig, DownloadsError};
#[cfg(feature = "s3")]
pub use s3::S3Objects;

/// S3's smallest part, except the last one of an upload.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest part number (part numbers run from 1).
pub const MAX_PART_NUMBER: u32 = 10_000;
/// S3's longest presigned-URL lifetime (SigV4: seven days).
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// S3's largest single PUT (5 GiB); larger files go in parts.
pub const MAX_PUT_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// The most keys one DeleteObjects request deletes.
pub const MAX_DELETE_BATCH: usize = 1000;

/// A request the browser sends as given: `method` to `url` with exactly these `headers`.
///
/// The headers are signed: sending another value (or leaving one out) makes S3 answer 403.
/// `content-length` is among them for [`ObjectStore::presign_put`]; browsers set it from the
/// body themselves (it is a forbidden header for scripts), so the body must have that size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedRequest {
    /// `PUT` or `GET`.
    pub method: String,
    pub url: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// When S3 stops accepting the request (re-sign before this).
    pub expires_at: DateTime<Utc>,
}

impl PresignedRequest {
    /// The value of header `name` (case-insensitive), if the request has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A part S3 holds for a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// 1 ..= [`MAX_PART_NUMBER`].
    pub number: u32,
    pub size: u64,
    /// As S3 gives it, quotes included (`"…"`).
    pub etag: String,
}

/// A part named in [`ObjectStore::complete_multipart`]: its number and the ETag its upload
/// answered (or [`ObjectStore::list_parts`] listed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedPart {
    pub number: u32,
    pub etag: String,
}

impl From<&Part> for CompletedPart {
    fn from(part: &Part) -> Self {
        CompletedPart {
            number: part.number,
            etag: part.etag.clone(),
        }
    }
}

/// What S3 knows of a stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    /// The `Content-Type` it was stored with.
    pub content_type: Option<String>,
    /// As S3 gives it, quotes included; `"…-N"` for an object made of N parts.
    pub etag: String,
}

/// How a presigned GET asks the browser to treat the file (`response-content-disposition`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the browser (images, PDFs), saved under `filename` if the user saves it.
    Inline { filename: String },
    /// Downloaded as `filename`.
    Attachment { filename: String },
}

impl Disposition {
    /// The `Content-Disposition` value: an ASCII `filename` (other characters replaced by `_`)
    /// for old clients, and the exact name as RFC 8187 `filename*` (UTF-8, percent-encoded).
    pub fn header_value(&self) -> String {
        let (kind, filename) = match self {
            Disposition::Inline { filename } => ("inline", filename),
            Disposition::Attachment { filename } => ("attachment", filename),
        };
        let ascii: String = filename
            .chars()
            .map(|c| match c {
                ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
                _ => '_',
            })
            .collect();
        let mut encoded = String::with_capacity(filename.len() * 3);
        for b in filename.bytes() {
            // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                encoded.push(b as char);
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
    }
}

/// An object-store call failed.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// No such object, or no such multipart upload (aborted, completed, never made).
    #[error("not found: {0}")]
    NotFound(String),
    /// What is stored does not match what was asked: a part's ETag, a part below the minimum
    /// size, an object larger than the reader accepts, a failed condition.
    #[error("precondition failed: {0}")]
    Precondition(String),
    /// The call itself is wrong (a part number outside 1..=10000, an expiry over 7 days).
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("object store failed: {context}")]
    Backend {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ObjectError {
    /// A backend failure with what we were doing.
    pub fn backend(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        ObjectError::Backend {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// Where the chunks of an [`ObjectReader`] come from.
#[async_trait]
pub trait ChunkSource: Send {
    /// The next chunk, `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ObjectError>;
}

/// An object being read: what S3 said of it, then its bytes chunk by chunk.
pub struct ObjectReader {
    pub info: ObjectInfo,
    source: Box<dyn ChunkSource>,
}

impl std::fmt::Debug for ObjectReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectReader")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl ObjectReader {
    pub fn new(info: ObjectInfo, source: Box<dyn ChunkSource>) -> Self {
        ObjectReader { info, source }
    }

    /// The next chunk of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ObjectError> {
        self.source.next_chunk().await
    }

    /// The whole body, refused ([`ObjectError::Precondition`]) beyond `max_bytes`.
    pub async fn read_to_end(mut self, max_bytes: u64) -> Result<Bytes, ObjectError> {
        if self.info.size > max_bytes {
            return Err(too_large(self.info.size, max_bytes));
        }
        let mut out = BytesMut::with_capacity(usize::try_from(self.info.size).unwrap_or(0));
        while let Some(chunk) = self.chunk().await? {
            if (out.len() + chunk.len()) as u64 > max_bytes {
                return Err(too_large((out.len() + chunk.len()) as u64, max_bytes));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }
}

fn too_large(size: u64, max: u64) -> ObjectError {
    ObjectError::Precondition(format!("object of {size} bytes is over {max} bytes"))
}

/// The object store of one bucket. Keys are the server's own (`nominations/{id}/…`); every
/// presigned request is for one key, one method and, for uploads, one content type and size.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// A PUT of `key` that S3 accepts only with this `Content-Type` and `Content-Length`,
    /// until `expires_in` from now.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError>;

    /// Starts a multipart upload of `key` that will be stored with `content_type`; returns the
    /// upload id.
    async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, ObjectError>;

    /// A PUT of part `part_number` of the upload, until `expires_in` from now; with
    /// `content_length`, S3 accepts only a body of that size.
    async fn presign_upload_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        content_length: Option<u64>,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError>;

    /// Every part S3 holds for the upload (all pages of ListParts), by part number.
    /// [`ObjectError::NotFound`] when the upload is gone (aborted or completed) or never was.
    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<Part>, ObjectError>;

    /// Assembles the object from `parts` (ascending numbers, the ETags their uploads gave);
    /// returns the object's ETag. A wrong ETag or a part under [`MIN_PART_SIZE`] (but the last)
    /// is [`ObjectError::Precondition`].
    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<String, ObjectError>;

    /// Discards the upload and its parts.
    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), ObjectError>;

    /// Size, content type and ETag of `key`.
    async fn head(&self, key: &str) -> Result<ObjectInfo, ObjectError>;

    /// The first `n` bytes of `key` (fewer if it is shorter): for magic-byte checks.
    async fn read_prefix(&self, key: &str, n: u64) -> Result<Bytes, ObjectError>;

    /// `key`'s body as a stream of chunks.
    async fn open(&self, key: &str) -> Result<ObjectReader, ObjectError>;

    /// `key`'s whole body, refused ([`ObjectError::Precondition`]) beyond `max_bytes`.
    async fn read(&self, key: &str, max_bytes: u64) -> Result<Bytes, ObjectError> {
        self.open(key).await?.read_to_end(max_bytes).await
    }

    /// Stores `body` as `key` (server-made, small: thumbnails, published files); returns its
    /// ETag.
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<String, ObjectError>;

    /// Deletes `key`; deleting a missing key succeeds (as S3).
    async fn delete(&self, key: &str) -> Result<(), ObjectError>;

    /// Deletes every key of `keys` (missing ones succeed), in as few requests as the store
    /// allows: S3's DeleteObjects takes [`MAX_DELETE_BATCH`] keys a request. One by one unless
    /// the adapter does better.
    async fn delete_all(&self, keys: &[String]) -> Result<(), ObjectError> {
        for key in keys {
            self.delete(key).await?;
        }
        Ok(())
    }

    /// A GET of `key` until `expires_in` from now, answered with `disposition`.
    async fn presign_get(
        &self,
        key: &str,
        disposition: &Disposition,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError>;
}

/// Checks a part number against S3's range.
pub fn check_part_number(part_number: u32) -> Result<(), ObjectError> {
    if (1..=MAX_PART_NUMBER).contains(&part_number) {
        Ok(())
    } else {
        Err(ObjectError::Invalid(format!(
            "part number {part_number} is outside 1..={MAX_PART_NUMBER}"
        )))
    }
}

/// Checks a presigned request's lifetime: more than zero, at most [`MAX_PRESIGN_EXPIRY`].
pub fn check_expiry(expires_in: Duration) -> Result<(), ObjectError> {
    if expires_in.is_zero() || expires_in > MAX_PRESIGN_EXPIRY {
        Err(ObjectError::Invalid(format!(
            "a presigned request lives 1 s to 7 days, not {expires_in:?}"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_keep_the_exact_name_and_an_ascii_fallback() {
        let d = Disposition::Attachment {
            filename: "Proposal \"final\" 100%.pdf".into(),
        };
        assert_eq!(
            d.header_value(),
            "attachment; filename=\"Proposal _final_ 100_.pdf\"; \
             filename*=UTF-8''Proposal%20%22final%22%20100%25.pdf"
        );
        let d = Disposition::Inline {
            filename: "Kopi Gayo – foto.jpg".into(),
        };
        assert_eq!(
            d.header_value(),
            "inline; filename=\"Kopi Gayo _ foto.jpg\"; \
             filename*=UTF-8''Kopi%20Gayo%20%E2%80%93%20foto.jpg"
        );
    }

    #[test]
    fn part_numbers_and_expiries_are_checked() {
        assert!(check_part_number(0).is_err());
        assert!(check_part_number(1).is_ok());
        assert!(check_part_number(10_000).is_ok());
        assert!(check_part_number(10_001).is_err());
        assert!(check_expiry(Duration::ZERO).is_err());
        assert!(check_expiry(Duration::from_secs(1)).is_ok());
        assert!(check_expiry(MAX_PRESIGN_EXPIRY).is_ok());
        assert!(check_expiry(MAX_PRESIGN_EXPIRY + Duration::from_secs(1)).is_err());
    }

    struct Chunks(Vec<Bytes>);

    #[async_trait]
    impl ChunkSource for Chunks {
        async fn next_chunk(&mut self) -> Result<Option<Bytes>, ObjectError> {
            Ok((!self.0.is_empty()).then(|| self.0.remove(0)))
        }
    }

    fn reader(size: u64, chunks: &[&'static [u8]]) -> ObjectReader {
        let info = ObjectInfo {
            size,
            content_type: None,
            etag: "\"x\"".into(),
        };
        let chunks = chunks.iter().map(|c| Bytes::from_static(c)).collect();
        ObjectReader::new(info, Box::new(Chunks(chunks)))
    }

    #[tokio::test]
    async fn a_reader_reads_to_the_end_within_its_limit() {
        let whole = reader(6, &[b"abc", b"def"]).read_to_end(6).await.unwrap();
        assert_eq!(&whole[..], b"abcdef");
        // Refused up front by the announced size, or on the way if the size was wrong.
        assert!(matches!(
            reader(6, &[b"abc", b"def"]).read_to_end(5).await,
            Err(ObjectError::Precondition(_))
        ));
        assert!(matches!(
            reader(3, &[b"abc", b"def"]).read_to_end(5).await,
            Err(ObjectError::Precondition(_))
        ));
    }
}
