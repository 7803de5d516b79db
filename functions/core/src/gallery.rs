//! The public gallery's files: what publication writes as JSON beside the pre-rendered pages,
//! and what the gallery's small script reads. Public fields only ([`crate::award::PublicAward`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `latest.json` at the gallery's root: the version the gallery shows. Written last, so a
/// visitor never sees a half-published version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    pub version: String,
    pub published_at: DateTime<Utc>,
}
