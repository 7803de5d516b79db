//! Bodies of the uploads API (`/api/v1/nominations/{id}/uploads…`, `…/documents…`), shared by
//! the uploads function and the SPA, and how a file is cut into parts.
//!
//! A regency office declares a file ([`DeclareRequest`] → [`Declared`]), sends its bytes to S3
//! on presigned requests (one PUT, or parts: [`PartsRequest`] → [`SignedParts`]), then completes
//! ([`CompleteRequest`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::document::{
    ChecklistEntry, DocumentType, MediaType, ProductSample, Upload, UploadState, MB,
};

/// Files up to this size go in one presigned PUT; larger ones in parts.
pub const SINGLE_PUT_MAX: u64 = 16 * MB;
/// Bytes per part of a multipart upload (more only if 10,000 parts would not hold the file).
pub const PART_SIZE: u64 = 8 * MB;
/// Most part URLs signed in one request.
pub const MAX_PARTS_PER_REQUEST: usize = 8;
/// S3's most parts of one multipart upload: part numbers go from 1 to this.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// `(part size, part count)` of a file of `size` bytes sent in parts: [`PART_SIZE`], or larger
/// (whole MiB) when S3's 10,000 parts would not hold it.
pub fn plan(size: u64) -> (u64, u64) {
    let per_part = size.div_ceil(u64::from(MAX_PART_NUMBER));
    let part_size = PART_SIZE.max(per_part.div_ceil(MB) * MB);
    (part_size, size.div_ceil(part_size).max(1))
}

/// How the bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One presigned PUT.
    Single,
    /// Presigned parts of a multipart upload.
    Multipart,
}

/// A request the browser sends as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    /// Send exactly these (the browser sets `content-length` itself from the body).
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// An upload as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadView {
    pub upload_id: String,
    pub document_code: DocumentType,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: u64,
    pub fingerprint: Option<String>,
    pub mode: Mode,
    pub part_size: u64,
    pub part_count: u64,
    pub state: UploadState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<&Upload> for UploadView {
    fn from(u: &Upload) -> Self {
        let (mode, part_size, part_count) = u.transfer();
        UploadView {
            upload_id: u.upload_id.clone(),
            document_code: u.code,
            file_name: u.file_name.clone(),
            media_type: u.media_type,
            size: u.size,
            fingerprint: u.fingerprint.clone(),
            mode,
            part_size,
            part_count,
            state: u.state,
            created_at: u.created_at,
            expires_at: u.expires_at,
        }
    }
}

/// What the browser declares before sending a byte.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DeclareRequest {
    /// `D01`…`D14`.
    pub document_code: String,
    pub file_name: String,
    pub media_type: String,
    /// In bytes.
    pub size: u64,
    /// Name, size, last-modified time and a hash of the first MiB, as the browser makes it.
    pub fingerprint: Option<String>,
}

/// The answer to a declaration: how to send the bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declared {
    pub upload_id: String,
    pub mode: Mode,
    pub part_size: u64,
    pub part_count: u64,
    /// When the upload is forgotten.
    pub expires_at: DateTime<Utc>,
    /// The presigned PUT, for a single upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub put: Option<SignedRequest>,
}

/// The nomination's open uploads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadList {
    pub items: Vec<UploadView>,
}

/// A part S3 holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartView {
    pub number: u32,
    pub size: u64,
    pub etag: String,
}

/// An upload and the parts S3 already holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    #[serde(flatten)]
    pub upload: UploadView,
    pub parts: Vec<PartView>,
}

/// Which parts to sign.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PartsRequest {
    pub numbers: Vec<u32>,
}

/// One signed part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedPart {
    pub number: u32,
    /// The body must have exactly this size.
    pub size: u64,
    #[serde(flatten)]
    pub request: SignedRequest,
}

/// Signed parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedParts {
    pub parts: Vec<SignedPart>,
}

/// A part as its upload answered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartRef {
    pub number: u32,
    pub etag: String,
}

/// `{parts: [...]}` for a multipart upload, `{}` for a single one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CompleteRequest {
    pub parts: Vec<PartRef>,
}

/// The checklist of a nomination's bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistView {
    pub nomination_id: String,
    /// One line per document type, D01–D14.
    pub entries: Vec<ChecklistEntry>,
    /// What keeps the bundle from being complete.
    pub missing: Vec<DocumentType>,
    pub complete: bool,
    /// The product sample's shipment and receipt, when recorded.
    pub sample: Option<ProductSample>,
}

/// A download link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::GB;

    #[test]
    fn parts_are_8_mib_unless_10000_would_not_hold_the_file() {
        assert_eq!(plan(17 * MB), (8 * MB, 3));
        assert_eq!(plan(24 * MB), (8 * MB, 3));
        assert_eq!(plan(5 * GB), (8 * MB, 640));
        let (size, count) = plan(100 * GB);
        assert!(
            count <= u64::from(MAX_PART_NUMBER) && size % MB == 0,
            "{size} {count}"
        );
    }
}
