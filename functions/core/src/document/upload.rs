//! An upload in progress: declared, then completed (it becomes the current [`Document`] of its
//! type) or aborted. Records left open vanish after [`UPLOAD_TTL_DAYS`].

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{is_sha256_hex, Declared, Document, DocumentType, MediaType};
use crate::dto::uploads::Mode;
use crate::i18n::Text;
use crate::policy::Principal;

/// How long an upload record is kept, whatever became of it.
pub const UPLOAD_TTL_DAYS: i64 = 7;

/// Where an upload stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UploadState {
    Open,
    Completed,
    Aborted,
}

/// The multipart upload behind an upload, for large files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Multipart {
    /// The object store's multipart upload id.
    pub upload_id: String,
    /// Bytes per part (the last part may be smaller).
    pub part_size: u64,
}

/// An upload in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upload {
    /// ULID.
    pub upload_id: String,
    pub nomination_id: String,
    pub code: DocumentType,
    pub file_name: String,
    pub media_type: MediaType,
    /// Declared size, in bytes.
    pub size: u64,
    /// `nominations/{id}/{code}/{upload_id}`.
    pub object_key: String,
    /// The object store's multipart upload id, when multipart.
    pub multipart_upload_id: Option<String>,
    /// Bytes per part, when multipart.
    pub part_size: Option<u64>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// When the record vanishes ([`UPLOAD_TTL_DAYS`] after it was started).
    pub expires_at: DateTime<Utc>,
    /// What the browser identifies the file by (name, size, modification time and a hash of
    /// its first MiB), so that a reloaded page finds the upload of the same file again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub state: UploadState,
    /// Optimistic-locking version; every change increments it.
    pub version: u64,
}

/// Why an upload could not change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// It was already completed or aborted.
    #[error("the upload is no longer open")]
    NotOpen(UploadState),
    /// It was left open too long.
    #[error("the upload has expired")]
    Expired,
    /// The checksum is not a SHA-256 in hex.
    #[error("the checksum is not a SHA-256 in hex")]
    BadChecksum,
}

impl UploadError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            UploadError::NotOpen(_) => "upload_not_open",
            UploadError::Expired => "upload_expired",
            UploadError::BadChecksum => "bad_checksum",
        }
    }

    /// What to tell the user.
    pub fn message(&self) -> Text {
        match self {
            UploadError::NotOpen(UploadState::Completed) => Text::new(
                "Unggahan ini sudah selesai.",
                "This upload is already complete.",
            ),
            UploadError::NotOpen(_) => Text::new(
                "Unggahan ini sudah dibatalkan.",
                "This upload was cancelled.",
            ),
            UploadError::Expired => Text::new(
                "Unggahan ini kedaluwarsa; unggah berkasnya lagi.",
                "This upload has expired; upload the file again.",
            ),
            UploadError::BadChecksum => Text::new(
                "Checksum harus SHA-256 dalam 64 digit heksadesimal.",
                "The checksum must be a SHA-256 in 64 hexadecimal digits.",
            ),
        }
    }
}

impl Upload {
    /// A new open upload of a declared file for `nomination_id`, by `actor` at `now`.
    pub fn start(
        upload_id: String,
        nomination_id: &str,
        declared: Declared,
        multipart: Option<Multipart>,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Upload {
        let (multipart_upload_id, part_size) = match multipart {
            Some(m) => (Some(m.upload_id), Some(m.part_size)),
            None => (None, None),
        };
        Upload {
            object_key: Document::object_key_for(nomination_id, declared.code, &upload_id),
            upload_id,
            nomination_id: nomination_id.to_owned(),
            code: declared.code,
            file_name: declared.file_name,
            media_type: declared.media_type,
            size: declared.size,
            multipart_upload_id,
            part_size,
            created_by: actor.user_id.clone(),
            created_at: now,
            expires_at: now + Duration::days(UPLOAD_TTL_DAYS),
            fingerprint: None,
            state: UploadState::Open,
            version: 1,
        }
    }

    /// Whether it is past its expiry at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// How its bytes travel: `(mode, part size, part count)`; a single upload is one part of
    /// the whole size.
    pub fn transfer(&self) -> (Mode, u64, u64) {
        match (&self.multipart_upload_id, self.part_size) {
            (Some(_), Some(part_size)) => (
                Mode::Multipart,
                part_size,
                self.size.div_ceil(part_size.max(1)).max(1),
            ),
            _ => (Mode::Single, self.size, 1),
        }
    }

    /// The size part `number` (from 1) must have.
    pub fn part_len(&self, number: u64) -> u64 {
        let (_, part_size, count) = self.transfer();
        if number < count {
            part_size
        } else {
            self.size - part_size * (count - 1)
        }
    }

    /// Completes an open upload whose content hashes to `sha256`: the upload, completed, and
    /// the document that replaces `previous` (the current document of its type, if any).
    pub fn complete(
        &self,
        sha256: &str,
        previous: Option<&Document>,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(Upload, Document), UploadError> {
        self.check_open(now)?;
        let sha256 = sha256.trim().to_ascii_lowercase();
        if !is_sha256_hex(&sha256) {
            return Err(UploadError::BadChecksum);
        }
        let document = Document {
            nomination_id: self.nomination_id.clone(),
            code: self.code,
            upload_id: self.upload_id.clone(),
            object_key: self.object_key.clone(),
            file_name: self.file_name.clone(),
            media_type: self.media_type,
            size: self.size,
            sha256,
            uploaded_at: now,
            uploaded_by: actor.user_id.clone(),
            version: previous.map_or(1, |d| d.version + 1),
        };
        Ok((self.moved_to(UploadState::Completed), document))
    }

    /// Aborts an open upload.
    pub fn abort(&self) -> Result<Upload, UploadError> {
        match self.state {
            UploadState::Open => Ok(self.moved_to(UploadState::Aborted)),
            state => Err(UploadError::NotOpen(state)),
        }
    }

    fn check_open(&self, now: DateTime<Utc>) -> Result<(), UploadError> {
        match self.state {
            UploadState::Open if self.is_expired(now) => Err(UploadError::Expired),
            UploadState::Open => Ok(()),
            state => Err(UploadError::NotOpen(state)),
        }
    }

    fn moved_to(&self, state: UploadState) -> Upload {
        Upload {
            state,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::sample::tests::{now, office};
    use crate::document::tests::batik;
    use crate::document::{declare, DocumentLimits, MB};

    fn upload(multipart: Option<Multipart>) -> Upload {
        let declared = declare(
            "D07",
            "depan.jpg",
            "image/jpeg",
            3 * MB,
            &batik(),
            &DocumentLimits::default(),
        )
        .unwrap();
        Upload::start("01U".into(), "01N", declared, multipart, &office(), now())
    }

    #[test]
    fn an_upload_starts_open_with_its_object_key_and_a_seven_day_expiry() {
        let u = upload(Some(Multipart {
            upload_id: "mp-1".into(),
            part_size: 8 * MB,
        }));
        assert_eq!(u.object_key, "nominations/01N/D07/01U");
        assert_eq!((u.state, u.version), (UploadState::Open, 1));
        assert_eq!(u.expires_at, now() + Duration::days(7));
        assert_eq!(u.multipart_upload_id.as_deref(), Some("mp-1"));
        assert_eq!(u.part_size, Some(8 * MB));
        assert_eq!(upload(None).multipart_upload_id, None);
    }

    #[test]
    fn a_multipart_upload_travels_in_parts_of_its_part_size_the_last_one_shorter() {
        let mut u = upload(Some(Multipart {
            upload_id: "mp-1".into(),
            part_size: MB,
        }));
        assert_eq!(u.transfer(), (Mode::Multipart, MB, 3));
        assert_eq!((u.part_len(1), u.part_len(2), u.part_len(3)), (MB, MB, MB));
        u.size = 2 * MB + 5;
        assert_eq!(u.transfer(), (Mode::Multipart, MB, 3));
        assert_eq!((u.part_len(2), u.part_len(3)), (MB, 5));
        let single = upload(None);
        assert_eq!(single.transfer(), (Mode::Single, 3 * MB, 1));
        assert_eq!(single.part_len(1), 3 * MB);
    }

    #[test]
    fn completing_makes_the_current_document_and_replaces_the_previous_one() {
        let sha = "AB".repeat(32);
        let (done, doc) = upload(None).complete(&sha, None, &office(), now()).unwrap();
        assert_eq!((done.state, done.version), (UploadState::Completed, 2));
        assert_eq!(doc.sha256, "ab".repeat(32));
        assert_eq!(
            (doc.code, doc.version, doc.size, doc.object_key.as_str()),
            (
                DocumentType::ProductPhotos,
                1,
                3 * MB,
                "nominations/01N/D07/01U"
            )
        );
        let (_, replacement) = upload(None)
            .complete(&sha, Some(&doc), &office(), now())
            .unwrap();
        assert_eq!(replacement.version, 2);
        assert_eq!(
            done.complete(&sha, None, &office(), now()),
            Err(UploadError::NotOpen(UploadState::Completed))
        );
    }

    #[test]
    fn a_bad_checksum_an_expired_or_aborted_upload_cannot_complete() {
        let u = upload(None);
        assert_eq!(
            u.complete("xyz", None, &office(), now()),
            Err(UploadError::BadChecksum)
        );
        let later = now() + Duration::days(7);
        let err = u
            .complete(&"a".repeat(64), None, &office(), later)
            .unwrap_err();
        assert_eq!(
            (err.code(), err.message().en.contains("expired")),
            ("upload_expired", true)
        );
        let aborted = u.abort().unwrap();
        assert_eq!((aborted.state, aborted.version), (UploadState::Aborted, 2));
        assert_eq!(
            aborted.abort(),
            Err(UploadError::NotOpen(UploadState::Aborted))
        );
    }
}
