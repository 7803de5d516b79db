//! The document bundle of a nomination (domain brief §4): the fourteen document types D01–D14,
//! what each requires and accepts, the per-round size limits, the validation of a declared file
//! ([`declare`]), attached documents, uploads in progress, the physical product sample (D08) and
//! the [`Checklist`] that says whether a bundle is complete.
//!
//! Pure: no I/O. The uploads function stores files; this module only decides.

pub(crate) mod checklist;
pub(crate) mod sample;
mod upload;

pub use checklist::{Checklist, ChecklistEntry, EntryState};
pub use sample::{
    ProductSample, SampleCondition, SampleError, SampleReceipt, SampleReceiptForm, SampleShipment,
    SampleShipmentForm,
};
pub use upload::{Multipart, Upload, UploadError, UploadState, UPLOAD_TTL_DAYS};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::commodity::Commodity;
use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::text::{clean, Lines, MAX_NAME};

/// One mebibyte, the "MB" of the limits and messages.
pub const MB: u64 = 1024 * 1024;
/// One gibibyte.
pub const GB: u64 = 1024 * MB;
/// No file is ever larger than this, whatever a round configures (S3's largest single `PUT`).
pub const MAX_FILE_BYTES: u64 = 5 * GB;
/// Longest file name kept, in characters.
pub const MAX_FILE_NAME: usize = MAX_NAME;

/// A document type of the checklist (domain brief §4). Serialised as its code, `D01`…`D14`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocumentType {
    /// Proposal letter (surat usulan) of the regency/city office, copy to the province.
    #[serde(rename = "D01")]
    ProposalLetter,
    /// Regent/mayor decree establishing the sentra IKM (SK penetapan sentra).
    #[serde(rename = "D02")]
    SentraDecree,
    /// Sentra profile: location, units, commodity, members.
    #[serde(rename = "D03")]
    SentraProfile,
    /// Industrial legality of the IKM (NIB / OSS licence).
    #[serde(rename = "D04")]
    BusinessLicence,
    /// IKM profile: owner, address, workers, investment, capacity, turnover, markets.
    #[serde(rename = "D05")]
    IkmProfile,
    /// Product description and story of its local uniqueness.
    #[serde(rename = "D06")]
    ProductDescription,
    /// Product photos (angles, packaging, label).
    #[serde(rename = "D07")]
    ProductPhotos,
    /// The physical product sample: tracked (shipment, receipt), not uploaded.
    #[serde(rename = "D08")]
    ProductSample,
    /// Food & beverages: distribution permit (PIRT or BPOM MD).
    #[serde(rename = "D09")]
    DistributionPermit,
    /// Food & beverages: halal certificate.
    #[serde(rename = "D10")]
    HalalCertificate,
    /// Food & beverages: food-safety laboratory report.
    #[serde(rename = "D11")]
    LabReport,
    /// Trademark (HKI), SNI or other certificates.
    #[serde(rename = "D12")]
    Certificates,
    /// Evidence of market reach: sales records, export documents, buyer letters, links.
    #[serde(rename = "D13")]
    MarketEvidence,
    /// Statement of truth of data (surat pernyataan kebenaran data).
    #[serde(rename = "D14")]
    TruthStatement,
}

/// When a document type is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Requirement {
    /// Always.
    Required,
    /// Required when the condition holds for the nomination's commodity; not applicable
    /// otherwise.
    Conditional(Condition),
    /// Never required; counted when attached.
    Optional,
}

/// A condition on the nomination's commodity group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Condition {
    /// The commodity group is food & beverages ([`Commodity::food`]).
    FoodAndBeverage,
}

impl Condition {
    /// Whether the condition holds for `commodity`.
    pub fn holds_for(self, commodity: &Commodity) -> bool {
        match self {
            Condition::FoodAndBeverage => commodity.food,
        }
    }

    pub fn label(self) -> Text {
        match self {
            Condition::FoodAndBeverage => Text::new(
                "Wajib untuk komoditas makanan dan minuman.",
                "Required for food and beverage commodities.",
            ),
        }
    }
}

/// What a requirement means for one nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Need {
    Required,
    Optional,
    /// A conditional document whose condition does not hold.
    NotApplicable,
}

impl Requirement {
    /// What this requirement means for a nomination of `commodity`.
    pub fn for_commodity(self, commodity: &Commodity) -> Need {
        match self {
            Requirement::Required => Need::Required,
            Requirement::Optional => Need::Optional,
            Requirement::Conditional(c) if c.holds_for(commodity) => Need::Required,
            Requirement::Conditional(_) => Need::NotApplicable,
        }
    }
}

/// What a document type is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocumentKind {
    /// An uploaded document (letter, decree, certificate, profile): the per-document limit.
    Document,
    /// An uploaded photo: the per-photo limit.
    Photo,
    /// A physical item, tracked rather than uploaded (D08).
    Physical,
}

/// The media types a document may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [
        MediaType::Pdf,
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Webp,
    ];

    /// The `Content-Type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Jpeg => "JPEG",
            MediaType::Png => "PNG",
            MediaType::Webp => "WebP",
        }
    }

    /// Reads a `Content-Type` value (case-insensitive; parameters after `;` ignored).
    pub fn parse(value: &str) -> Option<MediaType> {
        let essence = value.split(';').next().unwrap_or("").trim();
        MediaType::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(essence))
    }

    /// The type of a file a browser offers: its `type` when that is one of ours, else the
    /// file name's extension (some systems leave `type` empty).
    pub fn of_file(browser_type: &str, file_name: &str) -> Option<MediaType> {
        MediaType::parse(browser_type).or_else(|| {
            let (_, ext) = file_name.rsplit_once('.')?;
            match ext.to_ascii_lowercase().as_str() {
                "pdf" => Some(MediaType::Pdf),
                "jpg" | "jpeg" => Some(MediaType::Jpeg),
                "png" => Some(MediaType::Png),
                "webp" => Some(MediaType::Webp),
                _ => None,
            }
        })
    }
}

/// Official letters, decrees and certificates: a PDF or a scan.
const SCANNABLE: &[MediaType] = &[MediaType::Pdf, MediaType::Jpeg, MediaType::Png];
/// Profiles and descriptions written for the nomination.
const WRITTEN: &[MediaType] = &[MediaType::Pdf];
/// Photos.
const PICTURES: &[MediaType] = &[MediaType::Jpeg, MediaType::Png, MediaType::Webp];
/// Evidence of any kind (screenshots of marketplaces included).
const ANY: &[MediaType] = &MediaType::ALL;

impl DocumentType {
    /// Every type, in checklist order.
    pub const ALL: [DocumentType; 14] = [
        DocumentType::ProposalLetter,
        DocumentType::SentraDecree,
        DocumentType::SentraProfile,
        DocumentType::BusinessLicence,
        DocumentType::IkmProfile,
        DocumentType::ProductDescription,
        DocumentType::ProductPhotos,
        DocumentType::ProductSample,
        DocumentType::DistributionPermit,
        DocumentType::HalalCertificate,
        DocumentType::LabReport,
        DocumentType::Certificates,
        DocumentType::MarketEvidence,
        DocumentType::TruthStatement,
    ];

    /// `D01`…`D14`.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ProposalLetter => "D01",
            DocumentType::SentraDecree => "D02",
            DocumentType::SentraProfile => "D03",
            DocumentType::BusinessLicence => "D04",
            DocumentType::IkmProfile => "D05",
            DocumentType::ProductDescription => "D06",
            DocumentType::ProductPhotos => "D07",
            DocumentType::ProductSample => "D08",
            DocumentType::DistributionPermit => "D09",
            DocumentType::HalalCertificate => "D10",
            DocumentType::LabReport => "D11",
            DocumentType::Certificates => "D12",
            DocumentType::MarketEvidence => "D13",
            DocumentType::TruthStatement => "D14",
        }
    }

    /// The type with this code (`D07`, case-insensitive).
    pub fn parse(code: &str) -> Option<DocumentType> {
        let code = code.trim();
        DocumentType::ALL
            .into_iter()
            .find(|d| d.code().eq_ignore_ascii_case(code))
    }

    /// Its name in both languages.
    pub fn label(self) -> Text {
        let (id, en) = match self {
            DocumentType::ProposalLetter => (
                "Surat usulan dinas kabupaten/kota",
                "Proposal letter of the regency/city office",
            ),
            DocumentType::SentraDecree => (
                "SK bupati/wali kota tentang penetapan sentra IKM",
                "Regent/mayor decree establishing the sentra IKM",
            ),
            DocumentType::SentraProfile => ("Profil sentra IKM", "Sentra IKM profile"),
            DocumentType::BusinessLicence => (
                "Legalitas usaha industri (NIB/izin usaha industri)",
                "Industrial business legality (NIB/industrial licence)",
            ),
            DocumentType::IkmProfile => ("Profil IKM", "IKM profile"),
            DocumentType::ProductDescription => (
                "Deskripsi produk dan keunikan lokal",
                "Product description and local uniqueness",
            ),
            DocumentType::ProductPhotos => ("Foto produk", "Product photos"),
            DocumentType::ProductSample => ("Sampel produk", "Product sample"),
            DocumentType::DistributionPermit => (
                "Izin edar (PIRT atau BPOM MD)",
                "Distribution permit (PIRT or BPOM MD)",
            ),
            DocumentType::HalalCertificate => ("Sertifikat halal", "Halal certificate"),
            DocumentType::LabReport => (
                "Laporan uji laboratorium keamanan pangan",
                "Food safety laboratory test report",
            ),
            DocumentType::Certificates => (
                "Sertifikat merek (HKI), SNI atau sertifikat lain",
                "Trademark (IPR), SNI or other certificates",
            ),
            DocumentType::MarketEvidence => ("Bukti jangkauan pasar", "Evidence of market reach"),
            DocumentType::TruthStatement => (
                "Surat pernyataan kebenaran data",
                "Statement of truth of data",
            ),
        };
        Text::new(id, en)
    }

    /// `D07 Foto produk` / `D07 Product photos`.
    pub fn title(self) -> Text {
        let label = self.label();
        Text::new(
            format!("{} {}", self.code(), label.id),
            format!("{} {}", self.code(), label.en),
        )
    }

    /// When it is needed.
    pub fn requirement(self) -> Requirement {
        match self {
            DocumentType::DistributionPermit
            | DocumentType::HalalCertificate
            | DocumentType::LabReport => Requirement::Conditional(Condition::FoodAndBeverage),
            DocumentType::Certificates | DocumentType::MarketEvidence => Requirement::Optional,
            _ => Requirement::Required,
        }
    }

    /// Whether a nomination of `commodity` needs it.
    pub fn need_for(self, commodity: &Commodity) -> Need {
        self.requirement().for_commodity(commodity)
    }

    /// What it is made of.
    pub fn kind(self) -> DocumentKind {
        match self {
            DocumentType::ProductPhotos => DocumentKind::Photo,
            DocumentType::ProductSample => DocumentKind::Physical,
            _ => DocumentKind::Document,
        }
    }

    /// The media types accepted for it; none for the physical sample.
    pub fn accepts(self) -> &'static [MediaType] {
        match self {
            DocumentType::ProductSample => &[],
            DocumentType::ProductPhotos => PICTURES,
            DocumentType::SentraProfile
            | DocumentType::IkmProfile
            | DocumentType::ProductDescription => WRITTEN,
            DocumentType::MarketEvidence => ANY,
            _ => SCANNABLE,
        }
    }

    /// Whether a file is uploaded for it (every type but the physical sample).
    pub fn is_uploaded(self) -> bool {
        self.kind() != DocumentKind::Physical
    }

    /// The largest file accepted for it under `limits`; `None` for the physical sample.
    pub fn max_bytes(self, limits: &DocumentLimits) -> Option<u64> {
        limits.max_bytes(self.kind())
    }
}

/// A round's size limits for uploaded files. Every limit is capped at [`MAX_FILE_BYTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentLimits {
    /// Largest document (letter, decree, certificate, profile), in bytes. Default 20 MB.
    pub document_max_bytes: u64,
    /// Largest photo, in bytes. Default 15 MB.
    pub photo_max_bytes: u64,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits {
            document_max_bytes: 20 * MB,
            photo_max_bytes: 15 * MB,
        }
    }
}

impl DocumentLimits {
    /// The largest file of `kind`, capped at [`MAX_FILE_BYTES`]; `None` for a physical item.
    pub fn max_bytes(&self, kind: DocumentKind) -> Option<u64> {
        match kind {
            DocumentKind::Document => Some(self.document_max_bytes.min(MAX_FILE_BYTES)),
            DocumentKind::Photo => Some(self.photo_max_bytes.min(MAX_FILE_BYTES)),
            DocumentKind::Physical => None,
        }
    }

    /// Checks limits an administrator sets: each from 1 byte to [`MAX_FILE_BYTES`].
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (field, value) in [
            ("document_max_bytes", self.document_max_bytes),
            ("photo_max_bytes", self.photo_max_bytes),
        ] {
            if !(1..=MAX_FILE_BYTES).contains(&value) {
                let cap = format_size(MAX_FILE_BYTES);
                e.add(
                    field,
                    Text::new(
                        format!("Batas ukuran antara 1 bita dan {cap}."),
                        format!("A size limit from 1 byte to {cap}."),
                    ),
                );
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// A size as people read it: `20 MB`, `1.5 MB`, `5 GB`, `300 KB`, `12 bytes` (1 MB = 2^20
/// bytes).
pub fn format_size(bytes: u64) -> String {
    fn scaled(bytes: u64, unit: u64, name: &str) -> String {
        // In u128: a declared size may be anything up to u64::MAX.
        let tenths = (u128::from(bytes) * 10 + u128::from(unit / 2)) / u128::from(unit);
        if tenths.is_multiple_of(10) {
            format!("{} {name}", tenths / 10)
        } else {
            format!("{}.{} {name}", tenths / 10, tenths % 10)
        }
    }
    if bytes >= GB {
        scaled(bytes, GB, "GB")
    } else if bytes >= MB {
        scaled(bytes, MB, "MB")
    } else if bytes >= 1024 {
        scaled(bytes, 1024, "KB")
    } else {
        format!("{bytes} bytes")
    }
}

/// A file a regency office declares before uploading it, once valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declared {
    pub code: DocumentType,
    /// Cleaned: one line, no path separators, at most [`MAX_FILE_NAME`] characters.
    pub file_name: String,
    pub media_type: MediaType,
    /// In bytes.
    pub size: u64,
}

/// Checks a file declared for the document `code` of a nomination of `commodity` under a
/// round's `limits`: the code names a document this nomination may have that is uploaded, the
/// media type is one it accepts, the size is within its limit and the file name is clean.
/// Every error is reported at once, under `document_code`, `file_name`, `media_type` or `size`.
pub fn declare(
    code: &str,
    file_name: &str,
    media_type: &str,
    size: u64,
    commodity: &Commodity,
    limits: &DocumentLimits,
) -> Result<Declared, FieldErrors> {
    let mut e = FieldErrors::new();
    let document = if code.trim().is_empty() {
        e.add("document_code", required());
        None
    } else {
        e.check("document_code", uploadable(code, commodity))
    };
    let file_name = e.check("file_name", clean_file_name(file_name));
    let media = if media_type.trim().is_empty() {
        e.add("media_type", required());
        None
    } else {
        match (MediaType::parse(media_type), document) {
            (None, _) => {
                e.add(
                    "media_type",
                    Text::new(
                        "Jenis berkas harus PDF, JPEG, PNG atau WebP.",
                        "The file must be a PDF, JPEG, PNG or WebP.",
                    ),
                );
                None
            }
            (Some(m), Some(d)) if !d.accepts().contains(&m) => {
                e.add("media_type", wrong_media_type(d, m));
                None
            }
            (Some(m), _) => Some(m),
        }
    };
    let max = document.and_then(|d| d.max_bytes(limits).map(|max| (d, max)));
    if size == 0 {
        e.add(
            "size",
            Text::new("Berkas kosong (0 bita).", "The file is empty (0 bytes)."),
        );
    } else if size > max.map_or(MAX_FILE_BYTES, |(_, max)| max) {
        e.add(
            "size",
            match max {
                Some((d, max)) => too_large(d, size, max),
                None => too_large_absolute(),
            },
        );
    }
    match (document, file_name, media) {
        (Some(code), Some(file_name), Some(media_type)) if e.is_empty() => Ok(Declared {
            code,
            file_name,
            media_type,
            size,
        }),
        _ => Err(e),
    }
}

/// The document type `code` if a nomination of `commodity` may upload it.
fn uploadable(code: &str, commodity: &Commodity) -> Result<DocumentType, Text> {
    let document = DocumentType::parse(code).ok_or_else(|| {
        Text::new(
            "Kode dokumen tidak dikenal (D01 sampai D14).",
            "Unknown document code (D01 to D14).",
        )
    })?;
    if !document.is_uploaded() {
        return Err(Text::new(
            format!(
                "{} dikirim secara fisik; catat pengirimannya, bukan unggahan.",
                document.title().id
            ),
            format!(
                "{} is sent physically; record its shipment instead of uploading.",
                document.title().en
            ),
        ));
    }
    if document.need_for(commodity) == Need::NotApplicable {
        return Err(Text::new(
            format!(
                "{} hanya untuk komoditas makanan dan minuman, bukan {}.",
                document.title().id,
                commodity.name_id
            ),
            format!(
                "{} is only for food and beverage commodities, not {}.",
                document.title().en,
                commodity.name_en
            ),
        ));
    }
    Ok(document)
}

pub(crate) fn wrong_media_type(document: DocumentType, media: MediaType) -> Text {
    let names: Vec<&str> = document.accepts().iter().map(|m| m.label()).collect();
    let (id_list, en_list) = match names.split_last() {
        Some((last, [])) => (last.to_string(), last.to_string()),
        Some((last, rest)) => (
            format!("{} atau {last}", rest.join(", ")),
            format!("{} or {last}", rest.join(", ")),
        ),
        None => (String::new(), String::new()),
    };
    let title = document.title();
    Text::new(
        format!(
            "{}: berkas {} tidak diterima; gunakan {id_list}.",
            title.id,
            media.label()
        ),
        format!(
            "{}: a {} file is not accepted; use {en_list}.",
            title.en,
            media.label()
        ),
    )
}

pub(crate) fn too_large(document: DocumentType, size: u64, max: u64) -> Text {
    let (size, max, title) = (format_size(size), format_size(max), document.title());
    Text::new(
        format!("{}: berkas {size} melebihi batas {max}.", title.id),
        format!(
            "{}: the file of {size} exceeds the limit of {max}.",
            title.en
        ),
    )
}

fn too_large_absolute() -> Text {
    let max = format_size(MAX_FILE_BYTES);
    Text::new(
        format!("Berkas melebihi batas {max}."),
        format!("The file exceeds the limit of {max}."),
    )
}

/// Cleans a file name as the user's device named it: one line of clean text, no path (no `/`
/// or `\`), not `.` or `..`, at most [`MAX_FILE_NAME`] characters.
pub fn clean_file_name(name: &str) -> Result<String, Text> {
    let name = clean(name, MAX_FILE_NAME, Lines::Single)?;
    if name.contains(['/', '\\']) {
        return Err(Text::new(
            "Nama berkas tidak boleh berisi / atau \\.",
            "A file name may not contain / or \\.",
        ));
    }
    if name.chars().all(|c| c == '.') {
        return Err(Text::new(
            "Nama berkas tidak valid.",
            "The file name is not valid.",
        ));
    }
    Ok(name)
}

/// A file attached to a nomination: the current document of its type (one per type; a new
/// upload of the same type replaces it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub nomination_id: String,
    pub code: DocumentType,
    /// The upload that brought this file.
    pub upload_id: String,
    /// Where the file is: [`Document::object_key_for`].
    pub object_key: String,
    pub file_name: String,
    pub media_type: MediaType,
    /// In bytes.
    pub size: u64,
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
    /// Optimistic-locking version; a replacement increments it.
    pub version: u64,
}

impl Document {
    /// The object key of the file of `upload_id`: `nominations/{id}/{code}/{upload_id}`.
    pub fn object_key_for(nomination_id: &str, code: DocumentType, upload_id: &str) -> String {
        format!("nominations/{nomination_id}/{}/{upload_id}", code.code())
    }

    /// Where the thumbnail of a photo of `upload_id` is (made at upload, no EXIF):
    /// `thumbnails/{id}/{code}/{upload_id}.jpg`.
    pub fn thumbnail_key_for(nomination_id: &str, code: DocumentType, upload_id: &str) -> String {
        format!("thumbnails/{nomination_id}/{}/{upload_id}.jpg", code.code())
    }

    /// Its thumbnail's key, when it is a photo.
    pub fn thumbnail_key(&self) -> Option<String> {
        (self.code.kind() == DocumentKind::Photo)
            .then(|| Self::thumbnail_key_for(&self.nomination_id, self.code, &self.upload_id))
    }

    /// What a checklist shows of it.
    pub fn attached(&self) -> AttachedFile {
        AttachedFile {
            file_name: self.file_name.clone(),
            media_type: self.media_type,
            size: self.size,
            sha256: self.sha256.clone(),
            uploaded_at: self.uploaded_at,
        }
    }
}

/// A file as a checklist shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachedFile {
    pub file_name: String,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Whether `value` is a SHA-256 in lowercase hex.
pub fn is_sha256_hex(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::commodity::CommodityCatalog;

    pub(crate) use super::checklist::tests::{all_needed, document as attached};
    pub(crate) use super::sample::tests::shipped;

    pub(crate) fn commodity(code: &str) -> Commodity {
        CommodityCatalog::default().find(code).unwrap().clone()
    }

    pub(crate) fn batik() -> Commodity {
        commodity("kain_batik")
    }

    pub(crate) fn food() -> Commodity {
        commodity("makanan_minuman")
    }

    #[test]
    fn fourteen_types_with_codes_in_order_that_read_back() {
        for (i, d) in DocumentType::ALL.into_iter().enumerate() {
            assert_eq!(d.code(), format!("D{:02}", i + 1));
            assert_eq!(DocumentType::parse(d.code()), Some(d));
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.code())
            );
            let label = d.label();
            assert!(!label.id.is_empty() && !label.en.is_empty() && label.id != label.en);
        }
        assert_eq!(
            DocumentType::parse(" d07 "),
            Some(DocumentType::ProductPhotos)
        );
        assert_eq!(DocumentType::parse("D15"), None);
    }

    #[test]
    fn required_conditional_and_optional_documents() {
        use DocumentType as D;
        let required = [
            D::ProposalLetter,
            D::SentraDecree,
            D::SentraProfile,
            D::BusinessLicence,
            D::IkmProfile,
            D::ProductDescription,
            D::ProductPhotos,
            D::ProductSample,
            D::TruthStatement,
        ];
        for d in required {
            assert_eq!(d.requirement(), Requirement::Required, "{d:?}");
            assert_eq!(d.need_for(&batik()), Need::Required);
            assert_eq!(d.need_for(&food()), Need::Required);
        }
        for d in [D::Certificates, D::MarketEvidence] {
            assert_eq!(d.requirement(), Requirement::Optional);
            assert_eq!(d.need_for(&food()), Need::Optional);
        }
    }

    #[test]
    fn food_and_beverages_also_need_permit_halal_and_lab_report() {
        use DocumentType as D;
        for d in [D::DistributionPermit, D::HalalCertificate, D::LabReport] {
            assert_eq!(
                d.requirement(),
                Requirement::Conditional(Condition::FoodAndBeverage)
            );
            assert_eq!(d.need_for(&food()), Need::Required, "{d:?}");
            for other in ["kain_tenun", "kain_batik", "anyaman", "gerabah"] {
                assert_eq!(d.need_for(&commodity(other)), Need::NotApplicable);
            }
        }
    }

    #[test]
    fn photos_documents_and_the_physical_sample_accept_different_things() {
        use DocumentType as D;
        assert_eq!(D::ProductPhotos.kind(), DocumentKind::Photo);
        assert!(!D::ProductPhotos.accepts().contains(&MediaType::Pdf));
        assert_eq!(D::ProductSample.kind(), DocumentKind::Physical);
        assert!(D::ProductSample.accepts().is_empty());
        assert_eq!(D::ProductSample.max_bytes(&DocumentLimits::default()), None);
        assert_eq!(D::IkmProfile.accepts(), &[MediaType::Pdf]);
        assert!(D::ProposalLetter.accepts().contains(&MediaType::Jpeg));
        assert_eq!(D::MarketEvidence.accepts(), &MediaType::ALL);
        for d in DocumentType::ALL {
            assert_eq!(d.is_uploaded(), !d.accepts().is_empty(), "{d:?}");
        }
    }

    #[test]
    fn default_limits_are_20_mb_per_document_and_15_mb_per_photo_capped_at_5_gb() {
        let limits = DocumentLimits::default();
        assert_eq!(
            DocumentType::SentraDecree.max_bytes(&limits),
            Some(20 * 1024 * 1024)
        );
        assert_eq!(
            DocumentType::ProductPhotos.max_bytes(&limits),
            Some(15 * 1024 * 1024)
        );
        let huge = DocumentLimits {
            document_max_bytes: 100 * GB,
            photo_max_bytes: 0,
        };
        assert_eq!(
            DocumentType::SentraDecree.max_bytes(&huge),
            Some(5 * 1024 * 1024 * 1024)
        );
        let errors = huge.validate().unwrap_err();
        assert!(errors
            .get("document_max_bytes")
            .unwrap()
            .en
            .contains("5 GB"));
        assert!(errors.get("photo_max_bytes").is_some());
        assert!(limits.validate().is_ok());
        // Missing fields read back as the defaults.
        let partial: DocumentLimits = serde_json::from_str(r#"{"photo_max_bytes": 1024}"#).unwrap();
        assert_eq!(partial.document_max_bytes, 20 * MB);
        assert_eq!(partial.photo_max_bytes, 1024);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(format_size(20 * MB), "20 MB");
        assert_eq!(format_size(15 * MB + MB / 2), "15.5 MB");
        assert_eq!(format_size(5 * GB), "5 GB");
        assert_eq!(format_size(300 * 1024), "300 KB");
        assert_eq!(format_size(12), "12 bytes");
        assert_eq!(format_size(u64::MAX), "17179869184 GB");
    }

    #[test]
    fn media_types_read_case_insensitively_without_parameters() {
        assert_eq!(MediaType::parse("application/pdf"), Some(MediaType::Pdf));
        assert_eq!(MediaType::parse(" Image/JPEG "), Some(MediaType::Jpeg));
        assert_eq!(MediaType::parse("image/webp; q=1"), Some(MediaType::Webp));
        assert_eq!(MediaType::parse("image/gif"), None);
        assert_eq!(MediaType::parse("image/jpg"), None);
        assert_eq!(
            serde_json::to_string(&MediaType::Png).unwrap(),
            "\"image/png\""
        );
    }

    fn ok(code: &str, name: &str, media: &str, size: u64) -> Declared {
        declare(
            code,
            name,
            media,
            size,
            &batik(),
            &DocumentLimits::default(),
        )
        .unwrap()
    }

    fn refused(code: &str, name: &str, media: &str, size: u64, on: &Commodity) -> FieldErrors {
        declare(code, name, media, size, on, &DocumentLimits::default()).unwrap_err()
    }

    #[test]
    fn a_declared_file_that_fits_is_accepted_and_its_name_cleaned() {
        let d = ok("D02", "  SK Sentra 2019.pdf ", "application/pdf", 2 * MB);
        assert_eq!(
            d,
            Declared {
                code: DocumentType::SentraDecree,
                file_name: "SK Sentra 2019.pdf".into(),
                media_type: MediaType::Pdf,
                size: 2 * MB,
            }
        );
        let photo = ok("D07", "depan.webp", "image/webp", 15 * MB);
        assert_eq!(photo.media_type, MediaType::Webp);
    }

    #[test]
    fn a_wrong_media_type_is_refused_under_media_type_in_both_languages() {
        let e = refused("D07", "foto.pdf", "application/pdf", MB, &batik());
        let m = e.get("media_type").unwrap();
        assert!(m.id.contains("D07 Foto produk") && m.id.contains("JPEG, PNG atau WebP"));
        assert!(m.en.contains("D07 Product photos") && m.en.contains("JPEG, PNG or WebP"));
        assert_eq!(e.0.len(), 1);

        let e = refused("D05", "profil.png", "image/png", MB, &batik());
        assert!(e.get("media_type").unwrap().en.contains("use PDF."));

        let e = refused("D01", "surat.docx", "application/msword", MB, &batik());
        let m = e.get("media_type").unwrap();
        assert!(m.id.contains("PDF, JPEG, PNG atau WebP"));
        assert!(m.en.contains("PDF, JPEG, PNG or WebP"));

        let e = refused("D01", "surat.pdf", " ", MB, &batik());
        assert_eq!(e.get("media_type"), Some(&required()));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_under_size_naming_both_sizes() {
        let e = refused("D07", "foto.jpg", "image/jpeg", 16 * MB, &batik());
        let m = e.get("size").unwrap();
        assert!(
            m.id.contains("16 MB") && m.id.contains("batas 15 MB"),
            "{m:?}"
        );
        assert!(m.en.contains("limit of 15 MB"), "{m:?}");
        // The same size is fine for a document, under a round's own limits too.
        assert!(ok("D01", "surat.pdf", "application/pdf", 16 * MB).size == 16 * MB);
        let tight = DocumentLimits {
            document_max_bytes: MB,
            ..DocumentLimits::default()
        };
        let e = declare(
            "D01",
            "surat.pdf",
            "application/pdf",
            2 * MB,
            &batik(),
            &tight,
        )
        .unwrap_err();
        assert!(e.get("size").unwrap().en.contains("limit of 1 MB"));
        let e = refused("D01", "surat.pdf", "application/pdf", 0, &batik());
        assert!(e.get("size").unwrap().en.contains("empty"));
        let e = refused("D07", "foto.jpg", "image/jpeg", u64::MAX, &batik());
        assert!(e.get("size").unwrap().en.contains("limit of 15 MB"));
        // With an unknown code the absolute cap still applies.
        let e = refused("D99", "x.pdf", "application/pdf", 6 * GB, &batik());
        assert!(e.get("size").unwrap().en.contains("5 GB"));
    }

    #[test]
    fn an_unknown_physical_or_not_applicable_code_is_refused_under_document_code() {
        let e = refused("D15", "x.pdf", "application/pdf", MB, &batik());
        assert!(e.get("document_code").unwrap().en.contains("D01 to D14"));
        let e = refused("", "x.pdf", "application/pdf", MB, &batik());
        assert_eq!(e.get("document_code"), Some(&required()));
        let e = refused("D08", "sampel.jpg", "image/jpeg", MB, &batik());
        let m = e.get("document_code").unwrap();
        assert!(m.id.contains("dikirim secara fisik") && m.en.contains("record its shipment"));
        let e = refused("D10", "halal.pdf", "application/pdf", MB, &batik());
        let m = e.get("document_code").unwrap();
        assert!(m.id.contains("D10 Sertifikat halal") && m.id.contains("Kain batik"));
        assert!(m.en.contains("only for food and beverage") && m.en.contains("Batik cloth"));
        // The same code is fine for food.
        assert!(declare(
            "D10",
            "halal.pdf",
            "application/pdf",
            MB,
            &food(),
            &DocumentLimits::default()
        )
        .is_ok());
    }

    #[test]
    fn a_file_name_with_a_path_a_control_character_or_too_long_is_refused() {
        for bad in [
            "../etc/passwd",
            "C:\\Users\\surat.pdf",
            "a/b.pdf",
            "..",
            ".",
        ] {
            let e = refused("D01", bad, "application/pdf", MB, &batik());
            assert!(e.get("file_name").is_some(), "{bad}");
        }
        let e = refused("D01", "surat\u{0000}.pdf", "application/pdf", MB, &batik());
        assert_eq!(
            e.get("file_name"),
            Some(&crate::text::TextError::ControlCharacter.message())
        );
        let e = refused("D01", "surat\n.pdf", "application/pdf", MB, &batik());
        assert!(e.get("file_name").is_some());
        let long = format!("{}.pdf", "a".repeat(197));
        let e = refused("D01", &long, "application/pdf", MB, &batik());
        assert!(e.get("file_name").unwrap().en.contains("200"));
        assert!(ok("D01", &long[1..], "application/pdf", MB).file_name.len() == 200);
        let e = refused("D01", "  ", "application/pdf", MB, &batik());
        assert_eq!(e.get("file_name"), Some(&required()));
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let e = refused("D07", "a/b", "application/pdf", 0, &batik());
        for field in ["file_name", "media_type", "size"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn object_keys_and_checksums() {
        assert_eq!(
            Document::object_key_for("01J", DocumentType::ProductPhotos, "01U"),
            "nominations/01J/D07/01U"
        );
        assert!(is_sha256_hex(&"ab12".repeat(16)));
        assert!(!is_sha256_hex(&"AB12".repeat(16)));
        assert!(!is_sha256_hex("ab12"));
    }
}
