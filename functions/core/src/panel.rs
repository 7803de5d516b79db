//! Conflict of interest between an assessor and a nomination: the assessor's own region, a
//! conflict the assessor declared, or a relation declared on the nomination. A conflicted
//! assessor can neither open nor score it ([`crate::authz::Standing::Conflicted`]) unless an
//! admin overrides the conflict.

use serde::{Deserialize, Serialize};

use crate::authz::Standing;
use crate::i18n::Text;
use crate::policy::{Principal, RegionScope};
use crate::region::RegencyCode;

/// Why an assessor may not assess a nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConflictReason {
    /// The assessor works for the proposing regency, or for its province's office.
    OwnRegion,
    /// The assessor declared a conflict, with the reason given.
    Declared { reason: String },
    /// The nomination names the assessor as related (family, business, adviser).
    NamedOnNomination,
}

impl ConflictReason {
    /// What the admin reads.
    pub fn label(&self) -> Text {
        match self {
            ConflictReason::OwnRegion => Text::new(
                "Penilai berasal dari daerah pengusul.",
                "The assessor is from the proposing region.",
            ),
            ConflictReason::Declared { reason } => Text::new(
                format!("Dinyatakan oleh penilai: {reason}"),
                format!("Declared by the assessor: {reason}"),
            ),
            ConflictReason::NamedOnNomination => Text::new(
                "Penilai disebut memiliki hubungan dalam usulan.",
                "The nomination names the assessor as related.",
            ),
        }
    }
}

/// The conflict between `assessor` and a nomination of `regency`, if any: `declared` is the
/// assessor's own declaration on it, `named` whether the nomination names the assessor. The
/// assessor's home region counts when the assessor works for a regency or province office.
pub fn conflict(
    assessor: &Principal,
    regency: &RegencyCode,
    declared: Option<&str>,
    named: bool,
) -> Option<ConflictReason> {
    let own_region = match &assessor.region {
        Some(RegionScope::Regency(home)) => home == regency,
        Some(RegionScope::Province(home)) => regency.province() == *home,
        None => false,
    };
    if own_region {
        Some(ConflictReason::OwnRegion)
    } else if let Some(reason) = declared {
        Some(ConflictReason::Declared {
            reason: reason.to_owned(),
        })
    } else if named {
        Some(ConflictReason::NamedOnNomination)
    } else {
        None
    }
}

/// The standing the authorization decision gets: unassigned; assigned; or assigned but in
/// conflict, unless an admin overrode the conflict.
pub fn standing(assigned: bool, conflict: Option<&ConflictReason>, overridden: bool) -> Standing {
    match (assigned, conflict, overridden) {
        (false, _, _) => Standing::Unassigned,
        (true, Some(_), false) => Standing::Conflicted,
        (true, _, _) => Standing::Assigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Role;

    fn assessor(region: Option<&str>) -> Principal {
        Principal {
            user_id: "penilai-1".into(),
            name: "Penilai".into(),
            role: Role::Penilai,
            region: region.map(|r| RegionScope::parse(r).unwrap()),
        }
    }

    fn reg(code: &str) -> RegencyCode {
        RegencyCode::parse(code).unwrap()
    }

    #[test]
    fn an_assessor_from_the_proposing_regency_or_its_province_is_in_conflict() {
        let pekalongan = reg("33.26");
        assert_eq!(
            conflict(&assessor(Some("33.26")), &pekalongan, None, false),
            Some(ConflictReason::OwnRegion)
        );
        assert_eq!(
            conflict(&assessor(Some("33")), &pekalongan, None, false),
            Some(ConflictReason::OwnRegion)
        );
        assert_eq!(
            conflict(&assessor(Some("35")), &pekalongan, None, false),
            None
        );
        assert_eq!(
            conflict(&assessor(None), &pekalongan, None, false),
            None,
            "ministry and experts"
        );
    }

    #[test]
    fn a_declared_conflict_or_a_relation_named_on_the_nomination_counts_too() {
        let semarang = reg("33.74");
        let declared = conflict(
            &assessor(None),
            &semarang,
            Some("Kerabat pemilik IKM"),
            false,
        );
        assert_eq!(
            declared,
            Some(ConflictReason::Declared {
                reason: "Kerabat pemilik IKM".into()
            })
        );
        assert!(declared.unwrap().label().en.contains("Kerabat pemilik IKM"));
        assert_eq!(
            conflict(&assessor(None), &semarang, None, true),
            Some(ConflictReason::NamedOnNomination)
        );
    }

    #[test]
    fn only_an_admin_override_lets_a_conflicted_assessor_in() {
        let reason = ConflictReason::OwnRegion;
        assert_eq!(standing(false, None, false), Standing::Unassigned);
        assert_eq!(standing(false, Some(&reason), true), Standing::Unassigned);
        assert_eq!(standing(true, None, false), Standing::Assigned);
        assert_eq!(standing(true, Some(&reason), false), Standing::Conflicted);
        assert_eq!(standing(true, Some(&reason), true), Standing::Assigned);
    }
}
