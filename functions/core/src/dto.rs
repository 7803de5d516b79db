//! Request and response bodies of the API, shared by the server and the SPA.

use serde::{Deserialize, Serialize};

use crate::nomination::Nomination;
use crate::policy::{Principal, Role};
use crate::round::Round;

/// A list of nominations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NominationList {
    pub items: Vec<Nomination>,
}

/// A list of rounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundList {
    pub items: Vec<Round>,
}

/// A demo account the local dev login offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevUser {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    /// `PP` or `PP.KK`, when the role has a region.
    pub region: Option<String>,
}

/// Dev login request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevLoginRequest {
    pub user_id: String,
}

/// A session: bearer token and who it is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub token: String,
    /// Seconds since the epoch at which the token expires.
    pub expires_at: i64,
    pub principal: Principal,
}
