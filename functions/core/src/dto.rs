//! Request and response bodies of the API, shared by the server and the SPA.

pub mod awards;
pub mod selection;
pub mod uploads;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::nomination::{AuditEntry, Nomination};

use crate::region::{ProvinceCode, RegencyCode};
use crate::round::Round;
use crate::status::NominationStatus;

/// Default number of items in a page of a list.
pub const DEFAULT_PAGE: usize = 50;
/// Most items a client may ask for in one page.
pub const MAX_PAGE: usize = 200;

/// A nomination as lists show it: what a table row needs, not the whole profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominationSummary {
    pub id: String,
    pub round_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33.26"))]
    pub regency_code: RegencyCode,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33"))]
    pub province_code: ProvinceCode,
    pub status: NominationStatus,
    pub ikm_name: String,
    pub product_name: String,
    pub commodity: String,
    pub version: u64,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl NominationSummary {
    /// The summary of a nomination.
    pub fn of(n: &Nomination) -> Self {
        NominationSummary {
            id: n.id.clone(),
            round_id: n.round_id.clone(),
            regency_code: n.regency_code.clone(),
            province_code: n.province_code.clone(),
            status: n.status,
            ikm_name: n.profile.ikm.name.clone(),
            product_name: n.profile.product.name.clone(),
            commodity: n.profile.product.commodity.clone(),
            version: n.version,
            updated_at: n.updated_at,
            submitted_at: n.submitted_at,
        }
    }
}

/// A page of nominations; `next` is the cursor of the following page, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominationPage {
    pub items: Vec<NominationSummary>,
    pub next: Option<String>,
}

/// A page of rounds, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundPage {
    pub items: Vec<Round>,
    pub next: Option<String>,
}

/// Paging of a nomination's history (and of other per-nomination lists), as query parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct PageParams {
    /// Items per page: 1–200, default 50.
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
}

/// A page of a nomination's history, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<String>,
}
