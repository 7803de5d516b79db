//! D08, the physical product sample: the regency office records its shipment, the secretariat
//! its receipt. Nothing is uploaded.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::nomination::Nomination;
use crate::policy::Principal;
use crate::text::{clean, Lines, MAX_NAME, MAX_TEXT};

/// Longest tracking number, in characters.
pub const MAX_TRACKING: usize = 100;

/// The state the sample arrived in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SampleCondition {
    Good,
    Damaged,
    /// Part of what was announced is missing.
    Incomplete,
    /// Past its best-before date (food).
    Expired,
}

impl SampleCondition {
    pub fn label(self) -> Text {
        let (id, en) = match self {
            SampleCondition::Good => ("Baik", "Good"),
            SampleCondition::Damaged => ("Rusak", "Damaged"),
            SampleCondition::Incomplete => ("Tidak lengkap", "Incomplete"),
            SampleCondition::Expired => ("Kedaluwarsa", "Expired"),
        };
        Text::new(id, en)
    }
}

/// The sample's shipment, as the regency office records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleShipment {
    pub courier: String,
    pub tracking_number: String,
    pub shipped_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// The sample's receipt, as the secretariat records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleReceipt {
    pub received_on: NaiveDate,
    pub condition: SampleCondition,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// What the regency office fills in when it ships the sample.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleShipmentForm {
    pub courier: String,
    pub tracking_number: String,
    /// `YYYY-MM-DD`.
    pub shipped_on: Option<NaiveDate>,
}

/// What the secretariat fills in when the sample arrives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleReceiptForm {
    /// `YYYY-MM-DD`.
    pub received_on: Option<NaiveDate>,
    pub condition: Option<SampleCondition>,
    /// Required unless the condition is good.
    pub note: String,
}

/// The latest date anywhere in Indonesia at `now` (WIT, UTC+9, is first to reach a date): a
/// date after it is in the future for everyone.
fn latest_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(9)).date_naive()
}

fn not_in_future(e: &mut FieldErrors, field: &str, date: Option<NaiveDate>, now: DateTime<Utc>) {
    match date {
        None => e.add(field, required()),
        Some(d) if d > latest_today(now) => e.add(
            field,
            Text::new(
                "Tanggal tidak boleh di masa depan.",
                "The date cannot be in the future.",
            ),
        ),
        Some(_) => {}
    }
}

impl SampleShipmentForm {
    /// The shipment recorded by `actor` at `now`, or what is wrong with each field.
    pub fn validate(
        &self,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<SampleShipment, FieldErrors> {
        let mut e = FieldErrors::new();
        let courier = e.check("courier", clean(&self.courier, MAX_NAME, Lines::Single));
        let tracking = e.check(
            "tracking_number",
            clean(&self.tracking_number, MAX_TRACKING, Lines::Single),
        );
        not_in_future(&mut e, "shipped_on", self.shipped_on, now);
        match (courier, tracking, self.shipped_on) {
            (Some(courier), Some(tracking_number), Some(shipped_on)) if e.is_empty() => {
                Ok(SampleShipment {
                    courier,
                    tracking_number,
                    shipped_on,
                    recorded_by: actor.user_id.clone(),
                    recorded_at: now,
                })
            }
            _ => Err(e),
        }
    }
}

impl SampleReceiptForm {
    /// The receipt of the sample sent as `shipment`, recorded by `actor` at `now`: not before
    /// it was shipped, not in the future; a note unless it arrived in good condition.
    pub fn validate(
        &self,
        shipment: &SampleShipment,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<SampleReceipt, FieldErrors> {
        let mut e = FieldErrors::new();
        not_in_future(&mut e, "received_on", self.received_on, now);
        if let Some(d) = self.received_on {
            if d < shipment.shipped_on {
                e.add(
                    "received_on",
                    Text::new(
                        format!(
                            "Tanggal terima tidak boleh sebelum tanggal kirim ({}).",
                            shipment.shipped_on
                        ),
                        format!(
                            "The date received cannot be before the date shipped ({}).",
                            shipment.shipped_on
                        ),
                    ),
                );
            }
        }
        if self.condition.is_none() {
            e.add("condition", required());
        }
        let note = if self.note.trim().is_empty() {
            if self.condition.is_some_and(|c| c != SampleCondition::Good) {
                e.add(
                    "note",
                    Text::new(
                        "Jelaskan kondisi sampel yang tidak baik.",
                        "Describe what is wrong with the sample.",
                    ),
                );
            }
            None
        } else {
            e.check("note", clean(&self.note, MAX_TEXT, Lines::Multi))
        };
        match (self.received_on, self.condition) {
            (Some(received_on), Some(condition)) if e.is_empty() => Ok(SampleReceipt {
                received_on,
                condition,
                note,
                recorded_by: actor.user_id.clone(),
                recorded_at: now,
            }),
            _ => Err(e),
        }
    }
}

/// The sample of one nomination: stored apart from the nomination so that recording it does
/// not conflict with edits of the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductSample {
    pub nomination_id: String,
    pub shipment: Option<SampleShipment>,
    pub receipt: Option<SampleReceipt>,
    /// Optimistic-locking version; every write increments it.
    pub version: u64,
}

/// Why a sample record could not change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    /// `If-Match` named another version (0: no record yet).
    #[error("stale sample version; current is {current}")]
    Stale { current: u64 },
    /// The shipment is recorded while the regency office may still change the nomination.
    #[error("the nomination is not editable in its status")]
    NotEditable,
    /// A received sample's shipment is history.
    #[error("the sample was already received")]
    AlreadyReceived,
    /// A receipt needs a shipment.
    #[error("the sample has not been shipped")]
    NotShipped,
    /// Fields are missing or wrong.
    #[error("invalid sample record")]
    Invalid(FieldErrors),
}

impl SampleError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SampleError::Stale { .. } => "stale",
            SampleError::NotEditable => "not_editable",
            SampleError::AlreadyReceived => "sample_received",
            SampleError::NotShipped => "sample_not_shipped",
            SampleError::Invalid(_) => "validation",
        }
    }

    /// What to tell the user.
    pub fn message(&self) -> Text {
        match self {
            SampleError::Stale { current } => Text::new(
                format!(
                    "Data sampel telah diubah oleh orang lain (versi terkini {current}). \
                     Muat ulang lalu coba lagi."
                ),
                format!(
                    "The sample record was changed by someone else (current version {current}). \
                     Reload it and try again."
                ),
            ),
            SampleError::NotEditable => Text::new(
                "Pengiriman sampel dicatat selagi usulan berstatus Draf atau Perlu perbaikan.",
                "A sample shipment is recorded while the nomination is a draft or needs revision.",
            ),
            SampleError::AlreadyReceived => Text::new(
                "Sampel sudah diterima; pengirimannya tidak dapat diubah lagi.",
                "The sample was already received; its shipment can no longer change.",
            ),
            SampleError::NotShipped => Text::new(
                "Pengiriman sampel belum dicatat.",
                "The sample's shipment has not been recorded.",
            ),
            SampleError::Invalid(_) => Text::new(
                "Periksa kembali isian data sampel.",
                "Check the sample record's fields.",
            ),
        }
    }
}

impl ProductSample {
    /// Records (or corrects) the shipment of `nomination`'s sample while the regency office may
    /// change the nomination and before the sample is received. `current` is the stored record,
    /// if any; `expected_version` comes from `If-Match`.
    pub fn record_shipment(
        current: Option<&ProductSample>,
        expected_version: Option<u64>,
        nomination: &Nomination,
        form: &SampleShipmentForm,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<ProductSample, SampleError> {
        check_version(current, expected_version)?;
        if !nomination.status.editable_by_proposer() {
            return Err(SampleError::NotEditable);
        }
        if current.is_some_and(|s| s.receipt.is_some()) {
            return Err(SampleError::AlreadyReceived);
        }
        let shipment = form.validate(actor, now).map_err(SampleError::Invalid)?;
        Ok(ProductSample {
            nomination_id: nomination.id.clone(),
            shipment: Some(shipment),
            receipt: None,
            version: current.map_or(1, |s| s.version + 1),
        })
    }

    /// Records (or corrects) the receipt of a shipped sample.
    pub fn record_receipt(
        &self,
        expected_version: Option<u64>,
        form: &SampleReceiptForm,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<ProductSample, SampleError> {
        check_version(Some(self), expected_version)?;
        let shipment = self.shipment.as_ref().ok_or(SampleError::NotShipped)?;
        let receipt = form
            .validate(shipment, actor, now)
            .map_err(SampleError::Invalid)?;
        Ok(ProductSample {
            receipt: Some(receipt),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// Whether its shipment is recorded: what a submission needs of D08.
    pub fn is_shipped(&self) -> bool {
        self.shipment.is_some()
    }
}

fn check_version(
    current: Option<&ProductSample>,
    expected: Option<u64>,
) -> Result<(), SampleError> {
    let stored = current.map_or(0, |s| s.version);
    match expected {
        Some(v) if v != stored => Err(SampleError::Stale { current: stored }),
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::policy::{RegionScope, Role};
    use crate::status::NominationStatus;

    pub(crate) fn now() -> DateTime<Utc> {
        // 10 March 2026, 09:00 WIB.
        Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap()
    }

    pub(crate) fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    pub(crate) fn office() -> Principal {
        Principal {
            user_id: "dinas-33.26".into(),
            name: "Dinas".into(),
            role: Role::Pengusul,
            region: Some(RegionScope::parse("33.26").unwrap()),
        }
    }

    fn secretariat() -> Principal {
        Principal {
            user_id: "sekretariat".into(),
            name: "Sekretariat".into(),
            role: Role::Verifikator,
            region: None,
        }
    }

    pub(crate) fn shipment_form() -> SampleShipmentForm {
        SampleShipmentForm {
            courier: "JNE".into(),
            tracking_number: "CGK1234567890".into(),
            shipped_on: Some(day(9)),
        }
    }

    fn nomination(status: NominationStatus) -> Nomination {
        let mut n = crate::document::checklist::tests::nomination();
        n.status = status;
        n
    }

    /// A sample shipped on 9 March, recorded at version 1.
    pub(crate) fn shipped(nomination_id: &str) -> ProductSample {
        let mut n = nomination(NominationStatus::Draft);
        n.id = nomination_id.into();
        ProductSample::record_shipment(None, None, &n, &shipment_form(), &office(), now()).unwrap()
    }

    #[test]
    fn a_shipment_is_recorded_with_who_and_when_and_its_text_cleaned() {
        let mut form = shipment_form();
        form.courier = "  J&T Express\u{200B} ".into();
        let n = nomination(NominationStatus::Draft);
        let s = ProductSample::record_shipment(None, None, &n, &form, &office(), now()).unwrap();
        assert_eq!(s.version, 1);
        assert_eq!(s.nomination_id, n.id);
        let shipment = s.shipment.unwrap();
        assert_eq!(shipment.courier, "J&T Express");
        assert_eq!(
            (shipment.recorded_by.as_str(), shipment.recorded_at),
            ("dinas-33.26", now())
        );
    }

    #[test]
    fn a_shipment_form_names_each_wrong_field() {
        let errors = SampleShipmentForm::default()
            .validate(&office(), now())
            .unwrap_err();
        for field in ["courier", "tracking_number", "shipped_on"] {
            assert_eq!(errors.get(field), Some(&required()), "{field}");
        }
        let form = SampleShipmentForm {
            courier: "JNE\u{0007}".into(),
            tracking_number: "CGK\u{202E}123".into(),
            shipped_on: Some(day(12)),
        };
        let errors = form.validate(&office(), now()).unwrap_err();
        assert_eq!(
            errors.get("courier"),
            Some(&crate::text::TextError::ControlCharacter.message())
        );
        assert_eq!(
            errors.get("tracking_number"),
            Some(&crate::text::TextError::BidiControl.message())
        );
        assert!(errors.get("shipped_on").unwrap().en.contains("future"));
        // Today in eastern Indonesia is not the future, even while it is yesterday in UTC.
        let late_evening_utc = Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 0).unwrap();
        let form = SampleShipmentForm {
            shipped_on: Some(day(10)),
            ..shipment_form()
        };
        assert!(form.validate(&office(), late_evening_utc).is_ok());
    }

    #[test]
    fn a_shipment_is_recorded_only_while_the_nomination_is_editable_and_before_receipt() {
        let submitted = nomination(NominationStatus::Submitted);
        assert_eq!(
            ProductSample::record_shipment(
                None,
                None,
                &submitted,
                &shipment_form(),
                &office(),
                now()
            ),
            Err(SampleError::NotEditable)
        );
        let revision = nomination(NominationStatus::NeedsRevision);
        let first = shipped(&revision.id);
        let corrected = ProductSample::record_shipment(
            Some(&first),
            Some(1),
            &revision,
            &SampleShipmentForm {
                tracking_number: "CGK999".into(),
                ..shipment_form()
            },
            &office(),
            now(),
        )
        .unwrap();
        assert_eq!(corrected.version, 2);
        assert_eq!(
            corrected.shipment.as_ref().unwrap().tracking_number,
            "CGK999"
        );
        let received = corrected
            .record_receipt(None, &good_receipt(), &secretariat(), now())
            .unwrap();
        let again = ProductSample::record_shipment(
            Some(&received),
            None,
            &revision,
            &shipment_form(),
            &office(),
            now(),
        );
        assert_eq!(again, Err(SampleError::AlreadyReceived));
        assert_eq!(SampleError::AlreadyReceived.code(), "sample_received");
    }

    #[test]
    fn a_stale_version_is_refused() {
        let n = nomination(NominationStatus::Draft);
        let first = shipped(&n.id);
        let stale = ProductSample::record_shipment(
            Some(&first),
            Some(3),
            &n,
            &shipment_form(),
            &office(),
            now(),
        );
        assert_eq!(stale, Err(SampleError::Stale { current: 1 }));
        let none =
            ProductSample::record_shipment(None, Some(1), &n, &shipment_form(), &office(), now());
        assert_eq!(none, Err(SampleError::Stale { current: 0 }));
        assert_eq!(
            first.record_receipt(Some(2), &good_receipt(), &secretariat(), now()),
            Err(SampleError::Stale { current: 1 })
        );
    }

    fn good_receipt() -> SampleReceiptForm {
        SampleReceiptForm {
            received_on: Some(day(10)),
            condition: Some(SampleCondition::Good),
            note: String::new(),
        }
    }

    #[test]
    fn a_receipt_needs_a_shipment_a_date_after_it_and_a_note_unless_good() {
        let unshipped = ProductSample {
            nomination_id: "n".into(),
            shipment: None,
            receipt: None,
            version: 1,
        };
        assert_eq!(
            unshipped.record_receipt(None, &good_receipt(), &secretariat(), now()),
            Err(SampleError::NotShipped)
        );
        let sample = shipped("n");
        let received = sample
            .record_receipt(Some(1), &good_receipt(), &secretariat(), now())
            .unwrap();
        let receipt = received.receipt.as_ref().unwrap();
        assert_eq!(
            (
                receipt.condition,
                receipt.note.as_deref(),
                receipt.recorded_by.as_str()
            ),
            (SampleCondition::Good, None, "sekretariat")
        );
        assert_eq!(received.version, 2);

        let damaged = SampleReceiptForm {
            received_on: Some(day(8)),
            condition: Some(SampleCondition::Damaged),
            note: "  ".into(),
        };
        let Err(SampleError::Invalid(errors)) =
            sample.record_receipt(None, &damaged, &secretariat(), now())
        else {
            panic!("a damaged sample without a note is refused");
        };
        assert!(errors
            .get("received_on")
            .unwrap()
            .en
            .contains("before the date shipped (2026-03-09)"));
        assert!(errors.get("note").unwrap().id.contains("kondisi sampel"));

        let described = SampleReceiptForm {
            received_on: Some(day(10)),
            condition: Some(SampleCondition::Damaged),
            note: "Kemasan pecah\r\nsebagian.".into(),
        };
        let received = sample
            .record_receipt(None, &described, &secretariat(), now())
            .unwrap();
        assert_eq!(
            received.receipt.unwrap().note.as_deref(),
            Some("Kemasan pecah\nsebagian.")
        );

        let errors = SampleReceiptForm::default()
            .validate(sample.shipment.as_ref().unwrap(), &secretariat(), now())
            .unwrap_err();
        assert!(errors.get("received_on").is_some() && errors.get("condition").is_some());
    }

    #[test]
    fn conditions_serialise_in_snake_case_and_unknown_fields_are_refused() {
        assert_eq!(
            serde_json::to_string(&SampleCondition::Incomplete).unwrap(),
            "\"incomplete\""
        );
        let err = serde_json::from_str::<SampleShipmentForm>(r#"{"courier":"JNE","cost":1}"#)
            .unwrap_err();
        assert!(err.to_string().contains("unknown field"));
    }
}
