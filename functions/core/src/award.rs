//! Determination (penetapan) and awards (domain brief §7): the Minister's decree turns a round's
//! locked recommendation into awards — IKM, product, commodity, regency, province and stars on
//! a star scale, valid from the decree's date until the next evaluation — each with its
//! certificate (piagam) number. An award can later be revoked with a reason. What the public
//! sees of an award is [`PublicAward`]: never the NIB, turnover, owner, assessors or scores.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::moderation::Recommendation;
use crate::nomination::Nomination;
use crate::region::{ProvinceCode, RegencyCode};
use crate::stars::{Score, Stars};
use crate::status::NominationStatus;
use crate::text::{clean, Lines};

/// How long an award holds when the decree does not say: until the next round's evaluation,
/// two years on (the programme runs every other year; the brief found no stated period).
pub const DEFAULT_VALIDITY_YEARS: i32 = 2;

/// What the admin records of the ministerial decree (Keputusan Menteri).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DecreeForm {
    pub number: String,
    /// The decree's date (`YYYY-MM-DD`).
    pub date: Option<NaiveDate>,
    /// Who signed it (the Minister, or on the Minister's behalf).
    pub signer: String,
    /// Until when the awards hold; [`DEFAULT_VALIDITY_YEARS`] after the decree when left out.
    pub valid_until: Option<NaiveDate>,
}

/// A checked decree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decree {
    pub number: String,
    pub date: NaiveDate,
    pub signer: String,
    pub valid_until: NaiveDate,
}

impl DecreeForm {
    /// Checks the form on `today`: a number and a signer (one line each), a date not in the
    /// future, and a validity end after the date.
    pub fn validate(&self, today: NaiveDate) -> Result<Decree, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut line =
            |field: &str, value: &str, max: usize| match clean(value.trim(), max, Lines::Single) {
                Ok(v) if !v.is_empty() => Some(v),
                Ok(_) => {
                    e.add(field, required());
                    None
                }
                Err(t) => {
                    e.add(field, t.into());
                    None
                }
            };
        let number = line("number", &self.number, 120);
        let signer = line("signer", &self.signer, 200);
        let date = match self.date {
            None => {
                e.add("date", required());
                None
            }
            Some(d) if d > today => {
                e.add(
                    "date",
                    Text::new(
                        "Tanggal keputusan tidak boleh di masa depan.",
                        "The decree cannot be dated in the future.",
                    ),
                );
                None
            }
            Some(d) => Some(d),
        };
        let valid_until = date.and_then(|d| {
            let until = self
                .valid_until
                .unwrap_or_else(|| d.with_year(d.year() + DEFAULT_VALIDITY_YEARS).unwrap_or(d));
            if until <= d {
                e.add(
                    "valid_until",
                    Text::new(
                        "Masa berlaku harus berakhir setelah tanggal keputusan.",
                        "The validity must end after the decree's date.",
                    ),
                );
                None
            } else {
                Some(until)
            }
        });
        match (number, signer, date, valid_until) {
            (Some(number), Some(signer), Some(date), Some(valid_until)) if e.is_empty() => {
                Ok(Decree {
                    number,
                    date,
                    signer,
                    valid_until,
                })
            }
            _ => Err(e),
        }
    }
}

/// A revocation: why, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revocation {
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// An award of the programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Award {
    /// The nomination's id: one award per nomination.
    pub id: String,
    pub round_id: String,
    pub year: i32,
    pub ikm_name: String,
    pub product_name: String,
    /// The product's story, as the nomination tells it.
    pub product_story: String,
    pub commodity: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33.74"))]
    pub regency_code: RegencyCode,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33"))]
    pub province_code: ProvinceCode,
    pub stars: Stars,
    /// The final score it was recommended with (internal: never published).
    pub final_score: Score,
    pub decree_number: String,
    pub decree_date: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// The certificate's (piagam's) number.
    pub certificate_number: String,
    /// The product photo's thumbnail (made at upload, no EXIF) in the uploads bucket, if the
    /// nomination had one: publication copies it to the public bucket.
    #[serde(default)]
    pub photo_key: Option<String>,
    pub revocation: Option<Revocation>,
    pub version: u64,
}

/// What the public sees of an award.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicAward {
    pub id: String,
    pub round_id: String,
    pub year: i32,
    pub ikm_name: String,
    pub product_name: String,
    pub product_story: String,
    pub commodity: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub regency_code: RegencyCode,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub province_code: ProvinceCode,
    pub stars: Stars,
    pub decree_number: String,
    pub decree_date: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub certificate_number: String,
    /// The regency/city's name (`Kabupaten Jepara`).
    pub regency_name: String,
    /// The province's name.
    pub province_name: String,
    /// The product photo's thumbnail, relative to the gallery's root
    /// (`foto/{id}/{name}.jpg`), if there is one.
    pub photo: Option<String>,
}

/// A round's determination, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Determination {
    pub round_id: String,
    pub decree: Decree,
    /// The decree's PDF in the uploads bucket (uploaded by the admin on a presigned PUT).
    pub decree_document: String,
    pub awards: u32,
    pub determined_by: String,
    pub determined_at: DateTime<Utc>,
}

/// Why a round cannot be determined, or an award cannot change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AwardError {
    #[error("invalid")]
    Invalid(FieldErrors),
    /// A recommended nomination is gone or no longer recommended.
    #[error("nomination {0} is not recommended")]
    NotRecommended(String),
    #[error("the award is revoked already")]
    Revoked,
}

/// The awards the decree makes of the locked `recommendation` of round `year`, in its order
/// (certificate numbers `OVOP/{year}/{n:04}`), from the recommended nominations (each must
/// still be `RECOMMENDED`), and the determination itself. `photos` names each nomination's
/// product-photo thumbnail, where it has one; `decree_document` is the decree's PDF.
#[allow(clippy::too_many_arguments)]
pub fn determine(
    recommendation: &Recommendation,
    year: i32,
    nominations: &[Nomination],
    photos: &BTreeMap<String, String>,
    decree: &Decree,
    decree_document: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(Determination, Vec<Award>), AwardError> {
    let mut awards = Vec::with_capacity(recommendation.items.len());
    for (i, item) in recommendation.items.iter().enumerate() {
        let n = nominations
            .iter()
            .find(|n| n.id == item.nomination_id)
            .filter(|n| n.status == NominationStatus::Recommended)
            .ok_or_else(|| AwardError::NotRecommended(item.nomination_id.clone()))?;
        let stars = item
            .outcome
            .stars()
            .ok_or_else(|| AwardError::NotRecommended(item.nomination_id.clone()))?;
        awards.push(Award {
            id: n.id.clone(),
            round_id: recommendation.round_id.clone(),
            year,
            ikm_name: n.profile.ikm.name.clone(),
            product_name: n.profile.product.name.clone(),
            product_story: n.profile.product.description.clone(),
            commodity: n.profile.product.commodity.clone(),
            regency_code: n.regency_code.clone(),
            province_code: n.province_code.clone(),
            stars,
            final_score: item.final_score,
            decree_number: decree.number.clone(),
            decree_date: decree.date,
            valid_from: decree.date,
            valid_until: decree.valid_until,
            certificate_number: format!("OVOP/{year}/{:04}", i + 1),
            photo_key: photos.get(&n.id).cloned(),
            revocation: None,
            version: 1,
        });
    }
    let determination = Determination {
        round_id: recommendation.round_id.clone(),
        decree: decree.clone(),
        decree_document: decree_document.to_owned(),
        awards: u32::try_from(awards.len()).unwrap_or(u32::MAX),
        determined_by: by.to_owned(),
        determined_at: at,
    };
    Ok((determination, awards))
}

impl Award {
    /// Whether it holds on `day`: not revoked, within its validity.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.revocation.is_none() && self.valid_from <= day && day <= self.valid_until
    }

    /// Revokes it for `reason` (required): it leaves the public list at the next publication.
    pub fn revoke(&self, reason: &str, by: &str, at: DateTime<Utc>) -> Result<Award, AwardError> {
        if self.revocation.is_some() {
            return Err(AwardError::Revoked);
        }
        let reason = match clean(reason.trim(), 1_000, Lines::Multi) {
            Ok(r) if !r.is_empty() => r,
            Ok(_) => {
                return Err(AwardError::Invalid(FieldErrors::single(
                    "reason",
                    required(),
                )))
            }
            Err(t) => return Err(AwardError::Invalid(FieldErrors::single("reason", t.into()))),
        };
        Ok(Award {
            revocation: Some(Revocation {
                reason,
                by: by.to_owned(),
                at,
            }),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// What the public sees of it.
    pub fn public(&self) -> PublicAward {
        PublicAward {
            id: self.id.clone(),
            round_id: self.round_id.clone(),
            year: self.year,
            ikm_name: self.ikm_name.clone(),
            product_name: self.product_name.clone(),
            product_story: self.product_story.clone(),
            commodity: self.commodity.clone(),
            regency_code: self.regency_code.clone(),
            province_code: self.province_code.clone(),
            stars: self.stars,
            decree_number: self.decree_number.clone(),
            decree_date: self.decree_date,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            certificate_number: self.certificate_number.clone(),
            regency_name: crate::region::regency(self.regency_code.as_str())
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            province_name: crate::region::province(self.province_code.as_str())
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            photo: self.photo_key.as_deref().map(|key| {
                let name = key.rsplit('/').next().unwrap_or(key);
                format!("foto/{}/{name}", self.id)
            }),
        }
    }
}

impl Nomination {
    /// Named in the decree: recommended → determined (audit "determine").
    pub fn determined(
        &self,
        actor: &crate::policy::Principal,
        now: DateTime<Utc>,
    ) -> Option<crate::nomination::Change> {
        let status = self.status.apply(crate::status::Event::Determine).ok()?;
        let next = Nomination {
            status,
            ..self.clone()
        };
        Some(self.changed(next, actor, "determine", now))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::moderation::Recommended;
    use crate::stars::{Outcome, StarScale};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn decree() -> Decree {
        DecreeForm {
            number: "1234/M-IND/Kep/11/2026".into(),
            date: Some(today()),
            signer: "Menteri Perindustrian".into(),
            valid_until: None,
        }
        .validate(today())
        .unwrap()
    }

    fn recommended(n: &Nomination, stars: u8) -> Recommended {
        Recommended {
            round_id: n.round_id.clone(),
            nomination_id: n.id.clone(),
            ikm_name: n.profile.ikm.name.clone(),
            commodity: n.profile.product.commodity.clone(),
            final_score: Score::try_from(92.5).unwrap(),
            outcome: Outcome::Awarded {
                stars: Stars::new(StarScale::Ovop2021, stars).unwrap(),
            },
            result_version: 1,
        }
    }

    fn nomination(id: &str) -> Nomination {
        Nomination {
            id: id.into(),
            status: NominationStatus::Recommended,
            ..crate::document::checklist::tests::nomination()
        }
    }

    fn recommendation(items: Vec<Recommended>) -> Recommendation {
        Recommendation {
            round_id: "ovop-2026".into(),
            items,
            locked_by: "admin".into(),
            locked_at: crate::document::sample::tests::now(),
        }
    }

    #[test]
    fn a_decree_needs_a_number_a_signer_and_a_date_not_in_the_future_and_holds_two_years_by_default(
    ) {
        let d = decree();
        assert_eq!(
            d.valid_until,
            NaiveDate::from_ymd_opt(2028, 11, 20).unwrap()
        );
        let e = DecreeForm {
            number: " ".into(),
            date: Some(today().succ_opt().unwrap()),
            signer: String::new(),
            valid_until: None,
        }
        .validate(today())
        .unwrap_err();
        assert!(
            e.get("number").is_some() && e.get("signer").is_some() && e.get("date").is_some(),
            "{e:?}"
        );
        let e = DecreeForm {
            valid_until: Some(today()),
            ..DecreeForm {
                number: "1".into(),
                date: Some(today()),
                signer: "Menteri".into(),
                valid_until: None,
            }
        }
        .validate(today())
        .unwrap_err();
        assert!(e.get("valid_until").is_some(), "{e:?}");
    }

    #[test]
    fn the_decree_awards_every_recommended_nomination_with_its_stars_and_a_certificate_number() {
        let (a, b) = (nomination("A"), nomination("B"));
        let rec = recommendation(vec![recommended(&a, 3), recommended(&b, 1)]);
        let (det, awards) = determine(
            &rec,
            2026,
            &[a.clone(), b],
            &BTreeMap::from([("A".to_owned(), "thumbnails/A/D07/u1.jpg".to_owned())]),
            &decree(),
            "decrees/ovop-2026/d.pdf",
            "admin",
            rec.locked_at,
        )
        .unwrap();
        assert_eq!(det.awards, 2);
        let got: Vec<(&str, u8, &str)> = awards
            .iter()
            .map(|w| (w.id.as_str(), w.stars.stars, w.certificate_number.as_str()))
            .collect();
        assert_eq!(
            got,
            [("A", 3, "OVOP/2026/0001"), ("B", 1, "OVOP/2026/0002")]
        );
        assert_eq!(awards[0].regency_code, a.regency_code);
        assert_eq!(
            awards[0].photo_key.as_deref(),
            Some("thumbnails/A/D07/u1.jpg")
        );
        assert_eq!(awards[1].photo_key, None);
        assert_eq!(det.decree_document, "decrees/ovop-2026/d.pdf");
        assert!(awards[0].holds_on(today()));
        assert!(!awards[0].holds_on(NaiveDate::from_ymd_opt(2028, 11, 21).unwrap()));
        // A nomination no longer recommended cannot be determined.
        let mut gone = nomination("B");
        gone.status = NominationStatus::Withdrawn;
        assert_eq!(
            determine(
                &rec,
                2026,
                &[a, gone],
                &BTreeMap::new(),
                &decree(),
                "d.pdf",
                "admin",
                rec.locked_at
            )
            .unwrap_err(),
            AwardError::NotRecommended("B".into())
        );
    }

    #[test]
    fn the_public_sees_no_nib_owner_turnover_assessor_or_score() {
        let a = nomination("A");
        let rec = recommendation(vec![recommended(&a, 2)]);
        let (_, awards) = determine(
            &rec,
            2026,
            std::slice::from_ref(&a),
            &BTreeMap::from([("A".to_owned(), "thumbnails/A/D07/u1.jpg".to_owned())]),
            &decree(),
            "d.pdf",
            "admin",
            rec.locked_at,
        )
        .unwrap();
        let json = serde_json::to_value(awards[0].public()).unwrap();
        let keys: BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let public: BTreeSet<&str> = [
            "id",
            "round_id",
            "year",
            "ikm_name",
            "product_name",
            "product_story",
            "commodity",
            "regency_code",
            "province_code",
            "stars",
            "decree_number",
            "decree_date",
            "valid_from",
            "valid_until",
            "certificate_number",
            "regency_name",
            "province_name",
            "photo",
        ]
        .into();
        assert_eq!(keys, public);
        assert_eq!(json["photo"], "foto/A/u1.jpg");
        assert_eq!(
            json["regency_name"],
            crate::region::regency(a.regency_code.as_str())
                .unwrap()
                .name
        );
        let text = json.to_string();
        for secret in [
            a.profile.ikm.nib.to_string(),
            a.profile.ikm.owner_name.clone(),
            "92.5".to_owned(),
        ] {
            assert!(!text.contains(&secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn a_revocation_needs_a_reason_and_happens_once() {
        let a = nomination("A");
        let rec = recommendation(vec![recommended(&a, 2)]);
        let (_, awards) = determine(
            &rec,
            2026,
            std::slice::from_ref(&a),
            &BTreeMap::from([("A".to_owned(), "thumbnails/A/D07/u1.jpg".to_owned())]),
            &decree(),
            "d.pdf",
            "admin",
            rec.locked_at,
        )
        .unwrap();
        let at = rec.locked_at;
        assert!(matches!(
            awards[0].revoke(" ", "admin", at),
            Err(AwardError::Invalid(_))
        ));
        let revoked = awards[0]
            .revoke("Izin usaha dicabut.", "admin", at)
            .unwrap();
        assert_eq!(revoked.version, 2);
        assert!(!revoked.holds_on(today()));
        assert_eq!(
            revoked.revoke("lagi", "admin", at),
            Err(AwardError::Revoked)
        );
    }

    #[test]
    fn a_recommended_nomination_becomes_determined() {
        let a = nomination("A");
        let admin = crate::policy::Principal {
            user_id: "admin".into(),
            name: "Admin".into(),
            role: crate::policy::Role::Admin,
            region: None,
        };
        let change = a
            .determined(&admin, crate::document::sample::tests::now())
            .unwrap();
        assert_eq!(change.nomination.status, NominationStatus::Determined);
        assert!(change
            .nomination
            .determined(&admin, crate::document::sample::tests::now())
            .is_none());
    }
}
