//! A stored nomination as the pages read it: the JSON of core's
//! [`Nomination`](ovop_core::nomination::Nomination), with what the pages act on — id,
//! status, version, the form to edit — read out; the rest is only shown. Reading it as JSON
//! rather than into core's type spares the wasm that type's derived deserializer (~3 KB
//! brotli'd).

use chrono::{DateTime, Utc};
use ovop_core::nomination::{IkmForm, NominationForm, ProductForm, SentraForm};
use ovop_core::region::{time_zone_of, RegencyCode, TimeZone};
use ovop_core::status::NominationStatus;

use crate::api::ApiFailure;
use crate::ui::{s, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct NominationView {
    pub id: String,
    pub round_id: String,
    pub regency_code: String,
    pub status: NominationStatus,
    /// Optimistic-locking version, for `If-Match`.
    pub version: u64,
    /// The whole answer: the profile, the submission's time, the revision asked for.
    pub json: Value,
}

impl NominationView {
    pub fn read(json: Value) -> Result<NominationView, ApiFailure> {
        let unreadable = || ApiFailure::Network("not a nomination".into());
        let status = NominationStatus::parse(s(&json["status"])).ok_or_else(unreadable)?;
        Ok(NominationView {
            id: s(&json["id"]).to_owned(),
            round_id: s(&json["round_id"]).to_owned(),
            regency_code: s(&json["regency_code"]).to_owned(),
            status,
            version: json["version"].as_u64().ok_or_else(unreadable)?,
            json,
        })
    }

    /// A field of the profile (`ikm`, `sentra` or `product`).
    pub fn profile(&self, part: &str, field: &str) -> &Value {
        &self.json["profile"][part][field]
    }

    pub fn ikm_name(&self) -> &str {
        s(self.profile("ikm", "name"))
    }

    /// The regency's time zone, in which its times are shown.
    pub fn zone(&self) -> TimeZone {
        RegencyCode::parse(&self.regency_code).map_or(TimeZone::Wib, |r| time_zone_of(&r))
    }

    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        s(&self.json["submitted_at"]).parse().ok()
    }

    /// The profile as the form edits it (what core's `Profile::to_form` makes).
    pub fn form(&self) -> NominationForm {
        let text = |part, field| s(self.profile(part, field)).to_owned();
        let number = |part, field| {
            let n: &Value = self.profile(part, field);
            n.as_u64().and_then(|n| u32::try_from(n).ok())
        };
        NominationForm {
            round_id: self.round_id.clone(),
            regency_code: self.regency_code.clone(),
            ikm: IkmForm {
                name: text("ikm", "name"),
                nib: text("ikm", "nib"),
                owner_name: text("ikm", "owner_name"),
                address: text("ikm", "address"),
                year_founded: number("ikm", "year_founded").and_then(|y| i32::try_from(y).ok()),
                workers: number("ikm", "workers"),
                investment_idr: self.profile("ikm", "investment_idr").as_u64(),
            },
            sentra: SentraForm {
                name: text("sentra", "name"),
                unit_count: number("sentra", "unit_count"),
                sk_number: text("sentra", "sk_number"),
            },
            product: ProductForm {
                name: text("product", "name"),
                commodity: text("product", "commodity"),
                description: text("product", "description"),
                local_material_pct: number("product", "local_material_pct"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{json, nomination};

    #[test]
    fn a_nomination_reads_as_core_writes_it_and_edits_as_core_would() {
        let n = nomination();
        let view = NominationView::read(json(&n)).unwrap();
        assert_eq!(
            (
                view.id.as_str(),
                view.round_id.as_str(),
                view.status,
                view.version
            ),
            ("N1", "ovop-2026", n.status, n.version)
        );
        assert_eq!(view.form(), n.profile.to_form(&n.round_id, &n.regency_code));
        assert_eq!(view.ikm_name(), n.profile.ikm.name);
        assert_eq!(view.submitted_at(), n.submitted_at);
        assert_eq!(view.zone(), TimeZone::Wib);
    }

    #[test]
    fn an_answer_that_is_no_nomination_is_refused() {
        assert!(NominationView::read(serde_json::json!({"id": "N1"})).is_err());
    }
}
