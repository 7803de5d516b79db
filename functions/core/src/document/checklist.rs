//! The checklist of a nomination's bundle: per document type, what is needed and what is there.

use serde::{Deserialize, Serialize};

use super::{
    format_size, AttachedFile, Document, DocumentKind, DocumentLimits, DocumentType, MediaType,
    Need, ProductSample, SampleReceipt, SampleShipment,
};
use crate::commodity::Commodity;
use crate::i18n::Text;

/// Where one document type of a bundle stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EntryState {
    /// Needed and not there.
    Missing,
    /// A file is attached and fits the type's rules.
    Attached(AttachedFile),
    /// A file is attached but no longer fits the type's rules (the round's limits changed
    /// since): counts as missing when needed.
    NonConforming { file: AttachedFile, reason: Text },
    /// D08: the sample's shipment is recorded.
    SampleShipped(SampleShipment),
    /// D08: the sample arrived (in whatever condition the receipt says).
    SampleReceived {
        shipment: SampleShipment,
        receipt: SampleReceipt,
    },
    /// Optional, or not applicable to the commodity, and not there.
    NotNeeded,
}

/// One line of the checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistEntry {
    pub document: DocumentType,
    pub need: Need,
    pub kind: DocumentKind,
    /// The media types accepted; empty for the physical sample.
    pub accepts: Vec<MediaType>,
    /// The largest file accepted under the round's limits; none for the physical sample.
    pub max_bytes: Option<u64>,
    pub state: EntryState,
}

impl ChecklistEntry {
    /// Whether a file of `media_type` (the browser's, possibly empty) named `file_name` and of
    /// `size` bytes may be sent for this line: the same rules as the server's declaration, so
    /// the browser refuses a wrong type or an oversize file before any byte is sent.
    pub fn check_file(
        &self,
        media_type: &str,
        file_name: &str,
        size: u64,
    ) -> Result<MediaType, Text> {
        let Some(max) = self.max_bytes else {
            return Err(Text::new(
                "Sampel produk dikirim secara fisik, bukan diunggah.",
                "The product sample is shipped, not uploaded.",
            ));
        };
        let media = match MediaType::of_file(media_type, file_name) {
            Some(m) if self.accepts.contains(&m) => m,
            Some(m) => return Err(super::wrong_media_type(self.document, m)),
            None => {
                return Err(Text::new(
                    "Jenis berkas harus PDF, JPEG, PNG atau WebP.",
                    "The file must be a PDF, JPEG, PNG or WebP.",
                ))
            }
        };
        if size == 0 {
            return Err(Text::new(
                "Berkas kosong (0 bita).",
                "The file is empty (0 bytes).",
            ));
        }
        if size > max {
            return Err(super::too_large(self.document, size, max));
        }
        Ok(media)
    }

    /// Whether this line keeps the bundle from being complete: needed, and not there.
    pub fn is_missing(&self) -> bool {
        self.need == Need::Required
            && matches!(
                self.state,
                EntryState::Missing | EntryState::NonConforming { .. }
            )
    }
}

/// A nomination's bundle against its requirements, one entry per document type in checklist
/// order (D01–D14).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    pub entries: Vec<ChecklistEntry>,
}

impl Checklist {
    /// The checklist of a nomination of `commodity`, under a round's `limits`, with the
    /// `documents` attached (its current documents) and its `sample` record. A submission
    /// needs D08's shipment recorded; its receipt comes later.
    pub fn build(
        commodity: &Commodity,
        limits: &DocumentLimits,
        documents: &[Document],
        sample: Option<&ProductSample>,
    ) -> Checklist {
        let entries = DocumentType::ALL
            .into_iter()
            .map(|document| {
                let need = document.need_for(commodity);
                let max_bytes = document.max_bytes(limits);
                let state = if document.is_uploaded() {
                    let current = documents
                        .iter()
                        .filter(|d| d.code == document)
                        .max_by_key(|d| (d.uploaded_at, d.version));
                    match current {
                        Some(d) => match nonconformity(d, max_bytes) {
                            None => EntryState::Attached(d.attached()),
                            Some(reason) => EntryState::NonConforming {
                                file: d.attached(),
                                reason,
                            },
                        },
                        None => absent(need),
                    }
                } else {
                    match sample {
                        Some(ProductSample {
                            shipment: Some(shipment),
                            receipt: Some(receipt),
                            ..
                        }) => EntryState::SampleReceived {
                            shipment: shipment.clone(),
                            receipt: receipt.clone(),
                        },
                        Some(ProductSample {
                            shipment: Some(shipment),
                            ..
                        }) => EntryState::SampleShipped(shipment.clone()),
                        _ => absent(need),
                    }
                };
                ChecklistEntry {
                    document,
                    need,
                    kind: document.kind(),
                    accepts: document.accepts().to_vec(),
                    max_bytes,
                    state,
                }
            })
            .collect();
        Checklist { entries }
    }

    /// The line of `document`.
    pub fn entry(&self, document: DocumentType) -> Option<&ChecklistEntry> {
        self.entries.iter().find(|e| e.document == document)
    }

    /// What keeps the bundle from being complete, in checklist order.
    pub fn missing(&self) -> Vec<DocumentType> {
        self.entries
            .iter()
            .filter(|e| e.is_missing())
            .map(|e| e.document)
            .collect()
    }

    /// Whether every needed document is there.
    pub fn is_complete(&self) -> bool {
        !self.entries.iter().any(ChecklistEntry::is_missing)
    }
}

fn absent(need: Need) -> EntryState {
    match need {
        Need::Required => EntryState::Missing,
        Need::Optional | Need::NotApplicable => EntryState::NotNeeded,
    }
}

/// Why an attached document no longer fits its type, if it does not.
fn nonconformity(d: &Document, max_bytes: Option<u64>) -> Option<Text> {
    if !d.code.accepts().contains(&d.media_type) {
        return Some(Text::new(
            format!("Jenis berkas {} tidak diterima.", d.media_type.label()),
            format!("A {} file is not accepted.", d.media_type.label()),
        ));
    }
    match max_bytes {
        Some(max) if d.size > max => {
            let (size, max) = (format_size(d.size), format_size(max));
            Some(Text::new(
                format!("Berkas {size} melebihi batas {max}."),
                format!("The file of {size} exceeds the limit of {max}."),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::commodity::CommodityCatalog;
    use crate::document::sample::tests::{day, now, office, shipped};
    use crate::document::tests::{batik, food};
    use crate::document::{SampleCondition, MB};
    use crate::nomination::Nomination;
    use crate::round::RoundForm;
    use DocumentType as D;

    /// A draft of Kabupaten Pekalongan (batik) in an open round, on [`now`].
    pub(crate) fn nomination() -> Nomination {
        let round = RoundForm {
            year: Some(2026),
            name: "OVOP 2026".into(),
            proposal_deadline: Some(now() + Duration::days(30)),
            documents_required: None,
        }
        .validate(now())
        .unwrap()
        .open(None, now())
        .unwrap();
        let form = crate::nomination::tests::valid_form()
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap();
        Nomination::create("01N".into(), form, &round, &office(), now())
            .unwrap()
            .nomination
    }

    pub(crate) fn document(code: DocumentType, at: DateTime<Utc>) -> Document {
        let media_type = code.accepts()[0];
        Document {
            nomination_id: "01N".into(),
            code,
            upload_id: format!("01U{}", code.code()),
            object_key: Document::object_key_for("01N", code, "01U"),
            file_name: format!("{}.bin", code.code()),
            media_type,
            size: MB,
            sha256: "0".repeat(64),
            uploaded_at: at,
            uploaded_by: "dinas-33.26".into(),
            version: 1,
        }
    }

    /// Every uploaded document that `commodity` needs.
    pub(crate) fn all_needed(commodity: &Commodity) -> Vec<Document> {
        DocumentType::ALL
            .into_iter()
            .filter(|d| d.is_uploaded() && d.need_for(commodity) == Need::Required)
            .map(|d| document(d, now()))
            .collect()
    }

    fn build(
        commodity: &Commodity,
        docs: &[Document],
        sample: Option<&ProductSample>,
    ) -> Checklist {
        Checklist::build(commodity, &DocumentLimits::default(), docs, sample)
    }

    #[test]
    fn an_empty_bundle_misses_every_required_document_and_the_sample() {
        let c = build(&batik(), &[], None);
        assert_eq!(c.entries.len(), 14);
        assert_eq!(
            c.missing(),
            vec![
                D::ProposalLetter,
                D::SentraDecree,
                D::SentraProfile,
                D::BusinessLicence,
                D::IkmProfile,
                D::ProductDescription,
                D::ProductPhotos,
                D::ProductSample,
                D::TruthStatement,
            ]
        );
        assert!(!c.is_complete());
        for d in [D::DistributionPermit, D::HalalCertificate, D::LabReport] {
            let e = c.entry(d).unwrap();
            assert_eq!(
                (e.need, &e.state),
                (Need::NotApplicable, &EntryState::NotNeeded)
            );
        }
        for d in [D::Certificates, D::MarketEvidence] {
            let e = c.entry(d).unwrap();
            assert_eq!((e.need, &e.state), (Need::Optional, &EntryState::NotNeeded));
        }
        let photos = c.entry(D::ProductPhotos).unwrap();
        assert_eq!(photos.max_bytes, Some(15 * MB));
        assert_eq!(photos.kind, DocumentKind::Photo);
    }

    #[test]
    fn food_and_beverages_miss_the_permit_halal_and_lab_report_too() {
        let c = build(&food(), &all_needed(&batik()), Some(&shipped("01N")));
        assert_eq!(
            c.missing(),
            vec![D::DistributionPermit, D::HalalCertificate, D::LabReport]
        );
        let c = build(&food(), &all_needed(&food()), Some(&shipped("01N")));
        assert!(c.is_complete(), "{:?}", c.missing());
    }

    #[test]
    fn a_complete_bundle_shows_each_file_and_the_sample() {
        let docs = all_needed(&batik());
        let c = build(&batik(), &docs, Some(&shipped("01N")));
        assert!(c.is_complete());
        assert_eq!(c.missing(), vec![]);
        let EntryState::Attached(file) = &c.entry(D::SentraDecree).unwrap().state else {
            panic!("D02 attached");
        };
        assert_eq!(
            (
                file.file_name.as_str(),
                file.size,
                file.media_type,
                file.uploaded_at
            ),
            ("D02.bin", MB, MediaType::Pdf, now())
        );
        assert_eq!(file.sha256, "0".repeat(64));
        assert!(matches!(
            c.entry(D::ProductSample).unwrap().state,
            EntryState::SampleShipped(_)
        ));
        // An optional document, when attached, is shown.
        let mut more = docs.clone();
        more.push(document(D::MarketEvidence, now()));
        let c = build(&batik(), &more, Some(&shipped("01N")));
        assert!(matches!(
            c.entry(D::MarketEvidence).unwrap().state,
            EntryState::Attached(_)
        ));
    }

    #[test]
    fn the_sample_counts_once_shipped_and_shows_its_receipt() {
        let docs = all_needed(&batik());
        let unshipped = ProductSample {
            nomination_id: "01N".into(),
            shipment: None,
            receipt: None,
            version: 1,
        };
        assert_eq!(
            build(&batik(), &docs, Some(&unshipped)).missing(),
            vec![D::ProductSample]
        );
        let received = shipped("01N")
            .record_receipt(
                None,
                &crate::document::SampleReceiptForm {
                    received_on: Some(day(10)),
                    condition: Some(SampleCondition::Good),
                    note: String::new(),
                },
                &office(),
                now(),
            )
            .unwrap();
        let c = build(&batik(), &docs, Some(&received));
        assert!(c.is_complete());
        assert!(matches!(
            c.entry(D::ProductSample).unwrap().state,
            EntryState::SampleReceived { .. }
        ));
    }

    #[test]
    fn a_file_that_no_longer_fits_the_rounds_limits_counts_as_missing() {
        let docs = all_needed(&batik());
        let tight = DocumentLimits {
            document_max_bytes: MB / 2,
            ..DocumentLimits::default()
        };
        let c = Checklist::build(&batik(), &tight, &docs, Some(&shipped("01N")));
        assert!(c.missing().contains(&D::ProposalLetter));
        assert!(!c.missing().contains(&D::ProductPhotos));
        let EntryState::NonConforming { reason, .. } = &c.entry(D::ProposalLetter).unwrap().state
        else {
            panic!("D01 non-conforming");
        };
        assert!(reason.en.contains("limit of 512 KB"), "{reason:?}");
        let mut wrong = document(D::ProductPhotos, now());
        wrong.media_type = MediaType::Pdf;
        let c = build(&batik(), &[wrong], None);
        assert!(c.missing().contains(&D::ProductPhotos));
    }

    #[test]
    fn the_latest_upload_of_a_type_is_the_one_shown() {
        let mut old = document(D::ProductPhotos, now() - Duration::days(1));
        old.file_name = "old.jpg".into();
        let new = document(D::ProductPhotos, now());
        let c = build(&batik(), &[new, old], None);
        let EntryState::Attached(file) = &c.entry(D::ProductPhotos).unwrap().state else {
            panic!("D07 attached");
        };
        assert_eq!(file.file_name, "D07.bin");
    }

    #[test]
    fn a_checklist_serialises_with_tagged_states() {
        let c = build(&batik(), &[document(D::ProposalLetter, now())], None);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["entries"][0]["document"], "D01");
        assert_eq!(json["entries"][0]["state"]["state"], "attached");
        assert_eq!(json["entries"][0]["state"]["file_name"], "D01.bin");
        assert_eq!(json["entries"][1]["state"]["state"], "missing");
        assert_eq!(json["entries"][6]["accepts"][0], "image/jpeg");
        let back: Checklist = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn the_browser_refuses_a_wrong_type_or_an_oversize_file_before_sending() {
        let c = build(&batik(), &[], None);
        let letter = c.entry(D::ProposalLetter).unwrap();
        assert_eq!(
            letter.check_file("application/pdf", "surat.pdf", MB),
            Ok(MediaType::Pdf)
        );
        assert_eq!(
            letter.check_file("", "SURAT.PDF", MB),
            Ok(MediaType::Pdf),
            "type from the name"
        );
        let too_big = letter
            .check_file("application/pdf", "surat.pdf", 21 * MB)
            .unwrap_err();
        assert!(
            too_big.en.contains("exceeds the limit of 20 MB"),
            "{}",
            too_big.en
        );
        let word = letter
            .check_file("application/msword", "surat.doc", MB)
            .unwrap_err();
        assert!(word.id.contains("PDF, JPEG, PNG atau WebP"), "{}", word.id);
        let profile = c.entry(D::IkmProfile).unwrap();
        let photo = profile
            .check_file("image/png", "profil.png", MB)
            .unwrap_err();
        assert!(photo.en.contains("PNG"), "{}", photo.en);
        assert!(letter
            .check_file("application/pdf", "kosong.pdf", 0)
            .is_err());
        let sample = c.entry(D::ProductSample).unwrap();
        assert!(sample.check_file("image/jpeg", "sampel.jpg", MB).is_err());
    }
}
