//! The public gallery's files: what publication writes as JSON beside the pre-rendered pages,
//! and what the gallery's small script reads. Public fields only ([`crate::award::PublicAward`]).
//!
//! Layout below the gallery's root (`galeri/` in the public bucket), every path of a version
//! relative to `v/{version}/` (the publication's design: `ovop_awards::publish`):
//!
//! - `latest.json` — [`Pointer`], written last;
//! - `v/{version}/data/index.json` — [`GalleryIndex`]: the rounds with their counts;
//! - `v/{version}/data/{round}.json` — [`RoundAwards`]: a round's public awards.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::award::PublicAward;
use crate::stars::StarScale;

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

/// `data/{round}.json`: a round's public awards, by province, regency and id. Each award's
/// page is `penghargaan/{id}/index.html` below the version's root; its photo, if any, is
/// [`PublicAward::photo`] below the gallery's root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundAwards {
    pub round_id: String,
    pub awards: Vec<PublicAward>,
}
