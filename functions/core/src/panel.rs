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

/// A selection panel of a round: a province's (its offices' and experts' assessors score that
/// province's nominations) or the ministry's (all nominations that passed verification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PanelScope {
    Province {
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "33"))]
        province: crate::region::ProvinceCode,
    },
    Ministry,
}

impl PanelScope {
    /// Whether a nomination of `regency` is the panel's to score.
    pub fn covers(&self, regency: &RegencyCode) -> bool {
        match self {
            PanelScope::Province { province } => regency.province() == *province,
            PanelScope::Ministry => true,
        }
    }
}

/// One assessor of a panel, as the balancing sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member<'a> {
    pub assessor: &'a Principal,
    /// Nominations already assigned to them (in this round).
    pub load: usize,
}

/// One nomination to staff, with what the conflict rules need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToStaff<'a> {
    pub id: &'a str,
    pub regency: &'a RegencyCode,
    /// Assessors already on it.
    pub assigned: Vec<&'a str>,
    /// Assessors who declared a conflict on it (with the reason).
    pub declared: Vec<(&'a str, &'a str)>,
    /// Assessors the nomination names as related.
    pub named: Vec<&'a str>,
}

/// What automatic balancing decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Staffing {
    /// `(nomination, assessor)` pairs to add.
    pub assignments: Vec<(String, String)>,
    /// Nominations that could not get `per_nomination` assessors without a conflict, with how
    /// many are still missing.
    pub short: Vec<(String, usize)>,
}

/// Gives every nomination `per_nomination` assessors from `members`: never one in conflict,
/// never twice the same, the least loaded first (ties by user id, so the result is the same
/// every time). Nominations with the fewest eligible assessors are staffed first, so that
/// scarce assessors go where they are needed.
pub fn balance(
    members: &[Member<'_>],
    nominations: &[ToStaff<'_>],
    per_nomination: usize,
) -> Staffing {
    let mut load: Vec<usize> = members.iter().map(|m| m.load).collect();
    let eligible = |n: &ToStaff<'_>, m: &Member<'_>| {
        let id = m.assessor.user_id.as_str();
        let declared = n.declared.iter().find(|(a, _)| *a == id).map(|(_, r)| *r);
        !n.assigned.contains(&id)
            && conflict(m.assessor, n.regency, declared, n.named.contains(&id)).is_none()
    };
    let mut order: Vec<(usize, &ToStaff<'_>)> = nominations
        .iter()
        .map(|n| (members.iter().filter(|m| eligible(n, m)).count(), n))
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(b.1.id)));
    let mut staffing = Staffing::default();
    for (_, n) in order {
        let needed = per_nomination.saturating_sub(n.assigned.len());
        let mut candidates: Vec<usize> = (0..members.len())
            .filter(|i| eligible(n, &members[*i]))
            .collect();
        candidates.sort_by(|a, b| {
            load[*a].cmp(&load[*b]).then(
                members[*a]
                    .assessor
                    .user_id
                    .cmp(&members[*b].assessor.user_id),
            )
        });
        for i in candidates.iter().take(needed) {
            load[*i] += 1;
            staffing
                .assignments
                .push((n.id.to_owned(), members[*i].assessor.user_id.clone()));
        }
        if candidates.len() < needed {
            staffing
                .short
                .push((n.id.to_owned(), needed - candidates.len()));
        }
    }
    staffing
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

    fn nominations<'a>(regencies: &'a [RegencyCode], ids: &'a [String]) -> Vec<ToStaff<'a>> {
        ids.iter()
            .zip(regencies.iter().cycle())
            .map(|(id, regency)| ToStaff {
                id,
                regency,
                assigned: vec![],
                declared: vec![],
                named: vec![],
            })
            .collect()
    }

    fn panel(n: usize) -> Vec<Principal> {
        (0..n)
            .map(|i| Principal {
                user_id: format!("penilai-{i:02}"),
                ..assessor(None)
            })
            .collect()
    }

    #[test]
    fn balancing_gives_every_nomination_its_assessors_with_loads_at_most_one_apart() {
        let people = panel(7);
        let members: Vec<Member> = people
            .iter()
            .map(|a| Member {
                assessor: a,
                load: 0,
            })
            .collect();
        let regencies = [reg("33.26"), reg("35.15")];
        let ids: Vec<String> = (0..40).map(|i| format!("N{i:02}")).collect();
        let staffing = balance(&members, &nominations(&regencies, &ids), 3);
        assert!(staffing.short.is_empty());
        assert_eq!(staffing.assignments.len(), 120);
        let mut per_assessor = std::collections::BTreeMap::new();
        for (n, a) in &staffing.assignments {
            *per_assessor.entry(a.as_str()).or_insert(0) += 1;
            let on_n = staffing
                .assignments
                .iter()
                .filter(|(m, b)| m == n && b == a)
                .count();
            assert_eq!(on_n, 1, "{a} twice on {n}");
        }
        let (min, max) = (
            per_assessor.values().min().unwrap(),
            per_assessor.values().max().unwrap(),
        );
        assert!(max - min <= 1, "{per_assessor:?}");
        assert_eq!(
            staffing,
            balance(&members, &nominations(&regencies, &ids), 3),
            "deterministic"
        );
    }

    #[test]
    fn balancing_never_assigns_a_conflicted_assessor_and_reports_what_it_cannot_staff() {
        let mut people = panel(3);
        people[0].region = Some(RegionScope::parse("33").unwrap()); // Jawa Tengah's office
        let members: Vec<Member> = people
            .iter()
            .map(|a| Member {
                assessor: a,
                load: 0,
            })
            .collect();
        let pekalongan = reg("33.26");
        let sidoarjo = reg("35.15");
        let staff = [
            ToStaff {
                id: "jateng",
                regency: &pekalongan,
                assigned: vec![],
                declared: vec![("penilai-01", "Kerabat pemilik")],
                named: vec![],
            },
            ToStaff {
                id: "jatim",
                regency: &sidoarjo,
                assigned: vec!["penilai-02"],
                declared: vec![],
                named: vec![],
            },
        ];
        let staffing = balance(&members, &staff, 2);
        let on = |n: &str| -> Vec<&str> {
            staffing
                .assignments
                .iter()
                .filter(|(m, _)| m == n)
                .map(|(_, a)| a.as_str())
                .collect()
        };
        assert_eq!(
            on("jateng"),
            vec!["penilai-02"],
            "00 is from the province, 01 declared"
        );
        assert_eq!(staffing.short, vec![("jateng".to_owned(), 1)]);
        assert_eq!(
            on("jatim").len(),
            1,
            "one more beside the one already there"
        );
        assert!(!on("jatim").contains(&"penilai-02"));
    }

    #[test]
    fn a_province_panel_covers_its_province_and_the_ministry_panel_everything() {
        let p = PanelScope::Province {
            province: reg("33.26").province(),
        };
        assert!(p.covers(&reg("33.74")));
        assert!(!p.covers(&reg("35.15")));
        assert!(PanelScope::Ministry.covers(&reg("35.15")));
    }
}
