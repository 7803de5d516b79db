//! Bodies of the awards API: the decree's upload, the determination (penetapan), revocation
//! and publication.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::award::{Award, DecreeForm};
use crate::dto::uploads::SignedRequest;

/// Largest decree PDF accepted (bytes).
pub const MAX_DECREE_SIZE: u64 = 20 * 1024 * 1024;

/// `POST /rounds/{round}/decree/upload`: the admin is about to send the decree's PDF.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecreeUploadRequest {
    /// The PDF's size in bytes (1 ..= [`MAX_DECREE_SIZE`]).
    pub size: u64,
}

/// Where to send the decree's PDF: one presigned PUT (`application/pdf`, this size), and the
/// key to name in the determination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecreeUpload {
    pub key: String,
    pub request: SignedRequest,
}

/// `POST /rounds/{round}/determination`: the decree, and the PDF sent on a [`DecreeUpload`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeterminationRequest {
    pub decree: DecreeForm,
    /// The `key` of the decree's [`DecreeUpload`].
    pub document_key: String,
}

/// `POST /awards/{id}/revocation`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevocationRequest {
    /// Why (required, up to 1,000 characters).
    pub reason: String,
}

/// A round's awards as officials see them (revoked ones included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardList {
    pub awards: Vec<Award>,
}

/// What a publication did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationReport {
    /// The published version (a hash of what was published).
    pub version: String,
    pub published_at: DateTime<Utc>,
    pub rounds: u32,
    /// Awards on the public pages (revoked ones left out; expired ones stay as history).
    pub awards: u32,
    pub files_written: u32,
    pub bytes_written: u64,
    /// `true` when this version was already the published one: nothing was written.
    pub unchanged: bool,
}
