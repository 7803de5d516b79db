//! Who a user is: role and region. What they may do is decided in [`crate::authz`].

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::region::{ProvinceCode, RegencyCode};

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Regency/city industry office (dinas kabupaten/kota): proposes.
    Pengusul,
    /// Provincial industry office: reads its province's proposals.
    Provinsi,
    /// Ministry secretariat: administrative selection.
    Verifikator,
    /// Selection-team assessor.
    Penilai,
    /// Ditjen IKMA programme staff: rounds, assignments, publication.
    Admin,
}

impl Role {
    /// Every role, for tests and permission tables.
    pub const ALL: [Role; 5] = [
        Role::Pengusul,
        Role::Provinsi,
        Role::Verifikator,
        Role::Penilai,
        Role::Admin,
    ];

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pengusul" => Some(Role::Pengusul),
            "provinsi" => Some(Role::Provinsi),
            "verifikator" => Some(Role::Verifikator),
            "penilai" => Some(Role::Penilai),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> Text {
        let (id, en) = match self {
            Role::Pengusul => ("Dinas kabupaten/kota", "Regency/city office"),
            Role::Provinsi => ("Dinas provinsi", "Province office"),
            Role::Verifikator => ("Sekretariat (verifikator)", "Secretariat (verifier)"),
            Role::Penilai => ("Tim penilai", "Assessor"),
            Role::Admin => ("Admin Ditjen IKMA", "Ditjen IKMA admin"),
        };
        Text::new(id, en)
    }
}

/// The region a user acts for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum RegionScope {
    Province(ProvinceCode),
    Regency(RegencyCode),
}

impl RegionScope {
    /// Parses `PP` (province) or `PP.KK` (regency/city).
    pub fn parse(s: &str) -> Result<Self, Text> {
        if s.contains('.') {
            RegencyCode::parse(s).map(RegionScope::Regency)
        } else {
            ProvinceCode::parse(s).map(RegionScope::Province)
        }
    }
}

/// An authenticated user, as the API sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub region: Option<RegionScope>,
}

/// Which nominations a list may show to a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListScope {
    All,
    Province(ProvinceCode),
    Regency(RegencyCode),
    /// Nothing yet: assessors see only assigned nominations (assignment comes with scoring).
    Assigned,
}

/// Why a principal is malformed: a role that needs a region has none of the right level.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("role {role:?} needs a {needs} region")]
pub struct MissingRegion {
    pub role: Role,
    pub needs: &'static str,
}

impl Principal {
    /// Checks that the role carries the region level it needs.
    pub fn check(&self) -> Result<(), MissingRegion> {
        match (self.role, &self.region) {
            (Role::Pengusul, Some(RegionScope::Regency(_))) => Ok(()),
            (Role::Pengusul, _) => Err(MissingRegion {
                role: self.role,
                needs: "regency",
            }),
            (Role::Provinsi, Some(RegionScope::Province(_))) => Ok(()),
            (Role::Provinsi, _) => Err(MissingRegion {
                role: self.role,
                needs: "province",
            }),
            _ => Ok(()),
        }
    }

    /// The list scope for this principal.
    pub fn list_scope(&self) -> ListScope {
        match (self.role, &self.region) {
            (Role::Verifikator | Role::Admin, _) => ListScope::All,
            (Role::Pengusul, Some(RegionScope::Regency(r))) => ListScope::Regency(r.clone()),
            (Role::Provinsi, Some(RegionScope::Province(p))) => ListScope::Province(p.clone()),
            _ => ListScope::Assigned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, region: Option<&str>) -> Principal {
        Principal {
            user_id: "u".into(),
            name: "U".into(),
            role,
            region: region.map(|r| RegionScope::parse(r).unwrap()),
        }
    }

    fn reg(c: &str) -> RegencyCode {
        RegencyCode::parse(c).unwrap()
    }

    #[test]
    fn each_role_lists_the_nominations_of_its_region() {
        assert_eq!(
            user(Role::Pengusul, Some("33.26")).list_scope(),
            ListScope::Regency(reg("33.26"))
        );
        assert_eq!(
            user(Role::Provinsi, Some("33")).list_scope(),
            ListScope::Province(reg("33.26").province())
        );
        assert_eq!(user(Role::Verifikator, None).list_scope(), ListScope::All);
        assert_eq!(user(Role::Admin, None).list_scope(), ListScope::All);
        assert_eq!(user(Role::Penilai, None).list_scope(), ListScope::Assigned);
    }

    #[test]
    fn a_regency_office_without_its_regency_lists_nothing() {
        assert_eq!(
            user(Role::Pengusul, Some("33")).list_scope(),
            ListScope::Assigned
        );
        assert_eq!(user(Role::Pengusul, None).list_scope(), ListScope::Assigned);
    }

    #[test]
    fn roles_need_a_region_of_the_right_level() {
        assert!(user(Role::Pengusul, Some("33")).check().is_err());
        assert!(user(Role::Pengusul, None).check().is_err());
        assert!(user(Role::Provinsi, Some("33.26")).check().is_err());
        assert!(user(Role::Provinsi, Some("33")).check().is_ok());
        assert!(user(Role::Admin, None).check().is_ok());
    }
}
