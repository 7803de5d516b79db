//! The public gallery's files: what publication writes as JSON beside the pre-rendered pages,
//! and what the gallery's small script reads. Public fields only ([`crate::award::PublicAward`]).
//!
//! Layout below the gallery's root (`galeri/` in the public bucket; the publication's design:
//! `ovop_awards::publish`):
//!
//! - `latest.json` — [`Pointer`], written last;
//! - `v/{version}/data/index.json` — [`GalleryIndex`]: the rounds with their counts;
//! - `v/{version}/data/{round}.json` — [`RoundAwards`]: a round's awards as its lists show
//!   them ([`ListedAward`]);
//! - `penghargaan/{id}/` — an award's own page, at the same address in every version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::award::PublicAward;
use crate::region::{ProvinceCode, RegencyCode};
use crate::stars::{StarScale, Stars};

/// `latest.json` at the gallery's root: the version the gallery shows. Written last, so a
/// visitor never sees a half-published version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pointer {
    /// A short hash of the published files: the same awards give the same version.
    pub version: String,
    pub published_at: DateTime<Utc>,
}

/// `data/index.json`: every published round, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryIndex {
    pub rounds: Vec<RoundSummary>,
}

/// A published round and its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    pub round_id: String,
    pub name: String,
    pub year: i32,
    pub scale: StarScale,
    /// The decree (Keputusan Menteri) that made the awards.
    pub decree_number: String,
    pub decree_date: NaiveDate,
    /// Public awards of the round (revoked ones left out).
    pub awards: u32,
    /// Awards per star level, most stars first, every level of the scale.
    pub stars: Vec<StarCount>,
    /// Awards per province with at least one, by province code.
    pub provinces: Vec<ProvinceCount>,
    /// The round's page, relative to the version's root (`ovop-2026/index.html`).
    pub page: String,
    /// The round's [`RoundAwards`], relative to the version's root (`data/ovop-2026.json`).
    pub data: String,
}

/// How many awards a star level has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarCount {
    pub stars: u8,
    pub awards: u32,
}

/// How many awards a province has in a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceCount {
    pub province_code: String,
    pub province_name: String,
    pub awards: u32,
    /// The province's page, relative to the version's root (`ovop-2026/33/index.html`).
    pub page: String,
}

/// `data/{round}.json`: a round's awards, by province, regency and id, for the gallery's
/// script to filter and search. Each award's page is `penghargaan/{id}/` below the gallery's
/// root, as is its photo ([`ListedAward::photo`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundAwards {
    pub round_id: String,
    pub awards: Vec<ListedAward>,
}

/// An award as a round's list shows it: every field of [`PublicAward`] but the product story,
/// which only the award's own page carries (a national round's list stays light to load).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAward {
    pub id: String,
    pub round_id: String,
    pub year: i32,
    pub ikm_name: String,
    pub product_name: String,
    pub commodity: String,
    pub regency_code: RegencyCode,
    pub province_code: ProvinceCode,
    pub stars: Stars,
    pub decree_number: String,
    pub decree_date: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub certificate_number: String,
    pub regency_name: String,
    pub province_name: String,
    /// The product photo's thumbnail, relative to the gallery's root (`foto/{id}/{name}.jpg`).
    pub photo: Option<String>,
}

impl From<&PublicAward> for ListedAward {
    fn from(a: &PublicAward) -> Self {
        ListedAward {
            id: a.id.clone(),
            round_id: a.round_id.clone(),
            year: a.year,
            ikm_name: a.ikm_name.clone(),
            product_name: a.product_name.clone(),
            commodity: a.commodity.clone(),
            regency_code: a.regency_code.clone(),
            province_code: a.province_code.clone(),
            stars: a.stars,
            decree_number: a.decree_number.clone(),
            decree_date: a.decree_date,
            valid_from: a.valid_from,
            valid_until: a.valid_until,
            certificate_number: a.certificate_number.clone(),
            regency_name: a.regency_name.clone(),
            province_name: a.province_name.clone(),
            photo: a.photo.clone(),
        }
    }
}
