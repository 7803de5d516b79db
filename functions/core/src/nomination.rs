//! A nomination (usulan): the IKM, its sentra and its product, as proposed by a regency office.
//!
//! [`NominationForm`] is what a person types (every field may be missing or wrong);
//! [`NominationForm::validate`] turns it into a [`Profile`] whose values are all valid, or into
//! field errors. The SPA and the API run the same function. The use cases
//! ([`Nomination::create`], [`Nomination::edit`], [`Nomination::submit`],
//! [`Nomination::withdraw`]) each return a [`Change`] or a [`NominationError`].

mod change;

pub use change::{Change, NominationError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::commodity::CommodityCatalog;
use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::ikm::{Nib, Rupiah, SizeClass, WorkerCount};
use crate::region::{ProvinceCode, RegencyCode};
use crate::status::NominationStatus;
use crate::text::{clean, Lines, MAX_NAME, MAX_TEXT};
use crate::verification::RevisionRequest;

/// Minimum business units of a sentra IKM (PP 29/2018).
pub const MIN_SENTRA_UNITS: u32 = 5;

/// The IKM part of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IkmForm {
    pub name: String,
    pub nib: String,
    pub owner_name: String,
    pub address: String,
    pub year_founded: Option<i32>,
    pub workers: Option<u32>,
    pub investment_idr: Option<u64>,
}

/// The sentra part of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentraForm {
    pub name: String,
    pub unit_count: Option<u32>,
    /// Number of the regent/mayor decree establishing the sentra.
    pub sk_number: String,
}

/// The product part of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductForm {
    pub name: String,
    pub commodity: String,
    pub description: String,
    /// Share of local raw material, in percent.
    pub local_material_pct: Option<u32>,
}

/// What a regency office fills in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominationForm {
    pub round_id: String,
    pub regency_code: String,
    pub ikm: IkmForm,
    pub sentra: SentraForm,
    pub product: ProductForm,
}

/// A validated IKM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ikm {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub nib: Nib,
    pub owner_name: String,
    pub address: String,
    pub year_founded: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = u32))]
    pub workers: WorkerCount,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub investment_idr: Rupiah,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub size_class: SizeClass,
}

/// A validated sentra.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sentra {
    pub name: String,
    pub unit_count: u32,
    pub sk_number: String,
}

/// A validated product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub name: String,
    pub commodity: String,
    pub description: String,
    pub local_material_pct: u32,
}

/// The validated profile of a nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub ikm: Ikm,
    pub sentra: Sentra,
    pub product: Product,
}

/// Everything the form produces once valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidForm {
    pub round_id: String,
    pub regency: RegencyCode,
    pub profile: Profile,
}

fn present<T>(errors: &mut FieldErrors, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        errors.add(field, required());
    }
    value
}

impl NominationForm {
    /// Checks every field and returns all errors at once, keyed by field path.
    /// `current_year` bounds the founding year.
    pub fn validate(
        &self,
        commodities: &CommodityCatalog,
        current_year: i32,
    ) -> Result<ValidForm, FieldErrors> {
        let mut e = FieldErrors::new();
        let round_id = e.check("round_id", clean(&self.round_id, MAX_NAME, Lines::Single));
        let regency = if self.regency_code.trim().is_empty() {
            e.add("regency_code", required());
            None
        } else {
            e.check("regency_code", RegencyCode::parse(&self.regency_code))
        };

        let i = &self.ikm;
        let name = e.check("ikm.name", clean(&i.name, MAX_NAME, Lines::Single));
        let nib = if i.nib.trim().is_empty() {
            e.add("ikm.nib", required());
            None
        } else {
            e.check("ikm.nib", Nib::parse(&i.nib))
        };
        let owner = e.check(
            "ikm.owner_name",
            clean(&i.owner_name, MAX_NAME, Lines::Single),
        );
        let address = e.check("ikm.address", clean(&i.address, MAX_TEXT, Lines::Multi));
        let year = present(&mut e, "ikm.year_founded", i.year_founded).and_then(|y| {
            let ok = (1900..=current_year).contains(&y);
            e.check(
                "ikm.year_founded",
                ok.then_some(y).ok_or_else(|| {
                    Text::new(
                        format!("Tahun berdiri antara 1900 dan {current_year}."),
                        format!("The founding year is between 1900 and {current_year}."),
                    )
                }),
            )
        });
        let workers = present(&mut e, "ikm.workers", i.workers)
            .and_then(|n| e.check("ikm.workers", WorkerCount::parse(n)));
        let investment = present(&mut e, "ikm.investment_idr", i.investment_idr).map(Rupiah);
        let size_class = match (workers, investment) {
            (Some(w), Some(inv)) => e.check("ikm.investment_idr", SizeClass::classify(w, inv)),
            _ => None,
        };

        let s = &self.sentra;
        let sentra_name = e.check("sentra.name", clean(&s.name, MAX_NAME, Lines::Single));
        let units = present(&mut e, "sentra.unit_count", s.unit_count).and_then(|n| {
            e.check(
                "sentra.unit_count",
                (n >= MIN_SENTRA_UNITS).then_some(n).ok_or_else(|| {
                    Text::new(
                        format!("Sentra IKM minimal {MIN_SENTRA_UNITS} unit usaha."),
                        format!("A sentra IKM has at least {MIN_SENTRA_UNITS} business units."),
                    )
                }),
            )
        });
        let sk = e.check(
            "sentra.sk_number",
            clean(&s.sk_number, MAX_NAME, Lines::Single),
        );

        let p = &self.product;
        let product_name = e.check("product.name", clean(&p.name, MAX_NAME, Lines::Single));
        let commodity = if p.commodity.trim().is_empty() {
            e.add("product.commodity", required());
            None
        } else {
            e.check("product.commodity", commodities.find(&p.commodity))
                .map(|c| c.code.clone())
        };
        let description = e.check(
            "product.description",
            clean(&p.description, MAX_TEXT, Lines::Multi),
        );
        let local =
            present(&mut e, "product.local_material_pct", p.local_material_pct).and_then(|pct| {
                e.check(
                    "product.local_material_pct",
                    (pct <= 100).then_some(pct).ok_or_else(|| {
                        Text::new("Persentase 0 sampai 100.", "A percentage from 0 to 100.")
                    }),
                )
            });

        if !e.is_empty() {
            return Err(e);
        }
        // Every Option is Some when no error was recorded.
        let all = || -> Option<ValidForm> {
            Some(ValidForm {
                round_id: round_id?,
                regency: regency?,
                profile: Profile {
                    ikm: Ikm {
                        name: name?,
                        nib: nib?,
                        owner_name: owner?,
                        address: address?,
                        year_founded: year?,
                        workers: workers?,
                        investment_idr: investment?,
                        size_class: size_class?,
                    },
                    sentra: Sentra {
                        name: sentra_name?,
                        unit_count: units?,
                        sk_number: sk?,
                    },
                    product: Product {
                        name: product_name?,
                        commodity: commodity?,
                        description: description?,
                        local_material_pct: local?,
                    },
                },
            })
        };
        all().ok_or_else(|| FieldErrors::single("form", required()))
    }
}

impl Profile {
    /// The form that shows this profile again, for editing.
    pub fn to_form(&self, round_id: &str, regency: &RegencyCode) -> NominationForm {
        NominationForm {
            round_id: round_id.to_owned(),
            regency_code: regency.to_string(),
            ikm: IkmForm {
                name: self.ikm.name.clone(),
                nib: self.ikm.nib.to_string(),
                owner_name: self.ikm.owner_name.clone(),
                address: self.ikm.address.clone(),
                year_founded: Some(self.ikm.year_founded),
                workers: Some(self.ikm.workers.get()),
                investment_idr: Some(self.ikm.investment_idr.0),
            },
            sentra: SentraForm {
                name: self.sentra.name.clone(),
                unit_count: Some(self.sentra.unit_count),
                sk_number: self.sentra.sk_number.clone(),
            },
            product: ProductForm {
                name: self.product.name.clone(),
                commodity: self.product.commodity.clone(),
                description: self.product.description.clone(),
                local_material_pct: Some(self.product.local_material_pct),
            },
        }
    }
}

/// A stored nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nomination {
    /// ULID.
    pub id: String,
    pub round_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33.26"))]
    pub regency_code: RegencyCode,
    /// The province that receives a copy (tembusan).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33"))]
    pub province_code: ProvinceCode,
    pub status: NominationStatus,
    pub profile: Profile,
    /// Optimistic-locking version; every write increments it.
    pub version: u64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// While returned for revision: what the secretariat asks to fix, and by when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<RevisionRequest>,
}

/// One line of a nomination's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub nomination_id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `create`, `update`, `submit`, `withdraw`, …
    pub action: String,
    pub from_status: Option<NominationStatus>,
    pub to_status: NominationStatus,
    /// Version written by this change.
    pub version: u64,
}

impl AuditEntry {
    /// The history line of the change that produced `n` (its version and status), made by
    /// `actor` from state `from`.
    pub fn of(n: &Nomination, actor: &str, action: &str, from: Option<NominationStatus>) -> Self {
        AuditEntry {
            nomination_id: n.id.clone(),
            at: n.updated_at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            from_status: from,
            to_status: n.status,
            version: n.version,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::text::TextError;

    pub(crate) fn valid_form() -> NominationForm {
        NominationForm {
            round_id: "ovop-2026".into(),
            regency_code: "33.26".into(),
            ikm: IkmForm {
                name: "Batik Pesisir Sejahtera".into(),
                nib: "1234567890123".into(),
                owner_name: "Siti Aminah".into(),
                address: "Jl. Pantura 1, Wiradesa".into(),
                year_founded: Some(2009),
                workers: Some(12),
                investment_idr: Some(350_000_000),
            },
            sentra: SentraForm {
                name: "Sentra Batik Wiradesa".into(),
                unit_count: Some(40),
                sk_number: "188/45/2019".into(),
            },
            product: ProductForm {
                name: "Batik tulis motif jlamprang".into(),
                commodity: "kain_batik".into(),
                description: "Batik tulis pewarna alam.".into(),
                local_material_pct: Some(85),
            },
        }
    }

    #[test]
    fn a_complete_form_becomes_a_profile_with_size_class() {
        let v = valid_form()
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap();
        assert_eq!(v.regency.as_str(), "33.26");
        assert_eq!(v.profile.ikm.size_class, SizeClass::Kecil);
        assert_eq!(v.profile.to_form("ovop-2026", &v.regency), valid_form());
    }

    #[test]
    fn an_empty_form_names_every_required_field() {
        let errors = NominationForm::default()
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap_err();
        for field in [
            "round_id",
            "regency_code",
            "ikm.name",
            "ikm.nib",
            "ikm.owner_name",
            "ikm.address",
            "ikm.year_founded",
            "ikm.workers",
            "ikm.investment_idr",
            "sentra.name",
            "sentra.unit_count",
            "sentra.sk_number",
            "product.name",
            "product.commodity",
            "product.description",
            "product.local_material_pct",
        ] {
            assert!(errors.get(field).is_some(), "{field} not reported");
        }
    }

    #[test]
    fn a_sentra_needs_at_least_five_units() {
        let mut form = valid_form();
        form.sentra.unit_count = Some(4);
        let errors = form
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap_err();
        assert!(errors
            .get("sentra.unit_count")
            .unwrap()
            .en
            .contains("at least 5"));
    }

    #[test]
    fn bad_values_are_reported_in_both_languages() {
        let mut form = valid_form();
        form.ikm.nib = "12345".into();
        form.regency_code = "33.98".into();
        form.product.commodity = "perhiasan".into();
        form.product.local_material_pct = Some(120);
        form.ikm.year_founded = Some(2031);
        form.ikm.investment_idr = Some(20_000_000_000);
        let errors = form
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap_err();
        assert_eq!(errors.0.len(), 6, "{errors:?}");
        let nib = errors.get("ikm.nib").unwrap();
        assert!(nib.id.contains("13 digit") && nib.en.contains("13 digits"));
    }

    #[test]
    fn every_free_text_field_refuses_control_characters() {
        type Field = fn(&mut NominationForm) -> &mut String;
        let fields: [(&str, Field); 8] = [
            ("round_id", |f| &mut f.round_id),
            ("ikm.name", |f| &mut f.ikm.name),
            ("ikm.owner_name", |f| &mut f.ikm.owner_name),
            ("ikm.address", |f| &mut f.ikm.address),
            ("sentra.name", |f| &mut f.sentra.name),
            ("sentra.sk_number", |f| &mut f.sentra.sk_number),
            ("product.name", |f| &mut f.product.name),
            ("product.description", |f| &mut f.product.description),
        ];
        for (path, field) in fields {
            let mut form = valid_form();
            field(&mut form).push_str("\u{0007}x");
            let errors = form
                .validate(&CommodityCatalog::default(), 2026)
                .unwrap_err();
            assert_eq!(
                errors.get(path),
                Some(&TextError::ControlCharacter.message()),
                "{path}"
            );
        }
    }

    #[test]
    fn an_address_and_a_description_may_span_lines_but_a_name_may_not() {
        let mut form = valid_form();
        form.ikm.address = "Jl. Pantura 1\r\nWiradesa".into();
        form.product.description = "Batik tulis.\n\tPewarna alam.".into();
        let valid = form.validate(&CommodityCatalog::default(), 2026).unwrap();
        assert_eq!(valid.profile.ikm.address, "Jl. Pantura 1\nWiradesa");
        form.ikm.name = "Batik\nPesisir".into();
        let errors = form
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap_err();
        assert_eq!(
            errors.get("ikm.name"),
            Some(&TextError::LineBreak.message())
        );
    }

    #[test]
    fn a_form_with_an_unknown_field_is_refused() {
        for json in [
            r#"{"round_id": "ovop-2026", "status": "AWARDED"}"#,
            r#"{"ikm": {"name": "Batik", "verified": true}}"#,
            r#"{"sentra": {"name": "Sentra", "units": 40}}"#,
            r#"{"product": {"name": "Batik", "stars": 3}}"#,
        ] {
            let err = serde_json::from_str::<NominationForm>(json).unwrap_err();
            assert!(err.to_string().contains("unknown field"), "{json}: {err}");
        }
    }

    #[test]
    fn overlong_text_is_refused() {
        let mut form = valid_form();
        form.ikm.name = "x".repeat(MAX_NAME + 1);
        let errors = form
            .validate(&CommodityCatalog::default(), 2026)
            .unwrap_err();
        assert!(errors.get("ikm.name").is_some());
    }
}
