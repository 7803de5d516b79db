//! Conflict of interest between an assessor and a nomination: the assessor's own region, a
//! conflict the assessor declared, or a relation declared on the nomination. A conflicted
//! assessor can neither open nor score it ([`crate::authz::Standing::Conflicted`]) unless an
//! admin overrides the conflict.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::Standing;
use crate::errors::FieldErrors;
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

/// Most panels in a round (one per province and the ministry's, with room).
pub const MAX_PANELS: usize = 60;
/// Most members of one panel.
pub const MAX_MEMBERS: usize = 200;

/// An assessor on a panel, as the admin registers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelMember {
    /// The assessor's user id (the sign-in's username).
    pub user_id: String,
    pub name: String,
    /// The office the assessor works for, `PP` or `PP.KK`; none for ministry staff and experts.
    #[serde(default)]
    pub region: Option<String>,
}

impl PanelMember {
    /// The member as the conflict rules see them.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.user_id.clone(),
            name: self.name.clone(),
            role: crate::policy::Role::Penilai,
            region: self
                .region
                .as_deref()
                .and_then(|r| RegionScope::parse(r).ok()),
        }
    }
}

/// A panel of a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Panel {
    /// Short id within the round (`jateng`, `kementerian`): lowercase letters, digits, `-`.
    pub id: String,
    pub name: String,
    pub scope: PanelScope,
    pub members: Vec<PanelMember>,
}

/// The panels of a round, kept as one record (a few dozen panels of a few dozen members).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Panels {
    pub round_id: String,
    pub panels: Vec<Panel>,
    pub version: u64,
}

/// What the admin sends for a round's panels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelsForm {
    pub panels: Vec<Panel>,
}

impl PanelsForm {
    /// Checks the panels — ids unique and well-formed, names given, members unique within a
    /// panel with valid regions — and makes version `previous + 1` of the round's panels.
    pub fn validate(
        self,
        round_id: &str,
        previous: Option<&Panels>,
    ) -> Result<Panels, FieldErrors> {
        let mut e = FieldErrors::new();
        if self.panels.len() > MAX_PANELS {
            e.add(
                "panels",
                Text::new(
                    format!("Paling banyak {MAX_PANELS} panel."),
                    format!("At most {MAX_PANELS} panels."),
                ),
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, p) in self.panels.iter().enumerate() {
            let well_formed = !p.id.is_empty()
                && p.id.len() <= 40
                && p.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !well_formed || !ids.insert(p.id.as_str()) {
                e.add(
                    format!("panels[{i}].id"),
                    Text::new(
                        "Id panel unik: huruf kecil, angka atau tanda hubung.",
                        "A unique panel id: lowercase letters, digits or hyphens.",
                    ),
                );
            }
            if p.name.trim().is_empty() || p.name.chars().count() > 200 {
                e.add(format!("panels[{i}].name"), crate::errors::required());
            }
            if p.members.len() > MAX_MEMBERS {
                e.add(
                    format!("panels[{i}].members"),
                    Text::new(
                        format!("Paling banyak {MAX_MEMBERS} anggota."),
                        format!("At most {MAX_MEMBERS} members."),
                    ),
                );
            }
            let mut users = std::collections::BTreeSet::new();
            for (j, m) in p.members.iter().enumerate() {
                let at = format!("panels[{i}].members[{j}]");
                if m.user_id.trim().is_empty() || !users.insert(m.user_id.as_str()) {
                    e.add(
                        format!("{at}.user_id"),
                        Text::new("Pengguna diisi dan tidak berulang.", "A user, given once."),
                    );
                }
                if let Some(Err(why)) = m.region.as_deref().map(RegionScope::parse) {
                    e.add(format!("{at}.region"), why);
                }
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Panels {
            round_id: round_id.to_owned(),
            panels: self.panels,
            version: previous.map_or(1, |p| p.version + 1),
        })
    }
}

impl Panels {
    /// The panel `id`.
    pub fn panel(&self, id: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }
}

/// An assessor assigned to a nomination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub round_id: String,
    pub nomination_id: String,
    pub assessor: String,
    pub assessor_name: String,
    pub panel_id: String,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
    /// The conflict of interest, if any (found at assignment or declared since).
    pub conflict: Option<ConflictReason>,
    /// The admin's override of the conflict: who and why.
    pub overridden_by: Option<String>,
    pub override_reason: Option<String>,
    /// The nomination's IKM and commodity group, for the assessor's work list.
    pub ikm_name: String,
    pub commodity: String,
    /// When the assessor submitted their final score.
    pub scored_at: Option<DateTime<Utc>>,
    pub version: u64,
}

/// Why an assessor cannot be assigned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    #[error("no such panel")]
    NoSuchPanel,
    #[error("the assessor is not on the panel")]
    NotAMember,
    #[error("the panel does not cover the nomination's region")]
    OutOfScope,
    #[error("the nomination is not awaiting assessment")]
    NotAssessable,
    #[error("the assessor is in conflict of interest")]
    Conflicted(ConflictReason),
    #[error("an override needs a reason")]
    OverrideWithoutReason,
}

impl AssignError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AssignError::NoSuchPanel => "no_such_panel",
            AssignError::NotAMember => "not_a_member",
            AssignError::OutOfScope => "out_of_scope",
            AssignError::NotAssessable => "not_assessable",
            AssignError::Conflicted(_) => "conflict_of_interest",
            AssignError::OverrideWithoutReason => "override_without_reason",
        }
    }

    /// What the admin reads.
    pub fn message(&self) -> Text {
        match self {
            AssignError::NoSuchPanel => Text::new("Panel tidak dikenal.", "Unknown panel."),
            AssignError::NotAMember => Text::new(
                "Penilai bukan anggota panel ini.",
                "The assessor is not on this panel.",
            ),
            AssignError::OutOfScope => Text::new(
                "Panel ini tidak menilai usulan dari daerah tersebut.",
                "This panel does not assess nominations from that region.",
            ),
            AssignError::NotAssessable => Text::new(
                "Usulan belum lulus seleksi administrasi atau sudah dinilai.",
                "The nomination has not passed administrative selection, or is scored already.",
            ),
            AssignError::Conflicted(reason) => {
                let why = reason.label();
                Text::new(
                    format!(
                        "Konflik kepentingan: {} Isi alasan untuk mengesampingkannya.",
                        why.id
                    ),
                    format!(
                        "Conflict of interest: {} Give a reason to override it.",
                        why.en
                    ),
                )
            }
            AssignError::OverrideWithoutReason => Text::new(
                "Tuliskan alasan pengesampingan.",
                "Give the reason for the override.",
            ),
        }
    }
}

impl Assignment {
    /// Assigns `member` of `panel` to `nomination` (which must have passed administrative
    /// selection or be in assessment, from a region the panel covers); `related` when a
    /// [`Relation`] to the assessor is declared on the nomination. An assessor in conflict is
    /// refused unless the admin gives an override reason, kept with who gave it.
    pub fn assign(
        nomination: &crate::nomination::Nomination,
        panel: &Panel,
        user_id: &str,
        related: bool,
        override_reason: Option<&str>,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Assignment, AssignError> {
        use crate::status::NominationStatus as S;
        let member = panel
            .members
            .iter()
            .find(|m| m.user_id == user_id)
            .ok_or(AssignError::NotAMember)?;
        if !panel.scope.covers(&nomination.regency_code) {
            return Err(AssignError::OutOfScope);
        }
        if !matches!(nomination.status, S::AdminPassed | S::InAssessment) {
            return Err(AssignError::NotAssessable);
        }
        let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if override_reason.is_some() && reason.is_none() {
            return Err(AssignError::OverrideWithoutReason);
        }
        let found = conflict(&member.principal(), &nomination.regency_code, None, related);
        if let (Some(c), None) = (&found, reason) {
            return Err(AssignError::Conflicted(c.clone()));
        }
        let overridden = found.is_some() && reason.is_some();
        Ok(Assignment {
            round_id: nomination.round_id.clone(),
            nomination_id: nomination.id.clone(),
            assessor: member.user_id.clone(),
            assessor_name: member.name.clone(),
            panel_id: panel.id.clone(),
            assigned_by: actor.user_id.clone(),
            assigned_at: now,
            conflict: found,
            overridden_by: overridden.then(|| actor.user_id.clone()),
            override_reason: if overridden {
                reason.map(str::to_owned)
            } else {
                None
            },
            ikm_name: nomination.profile.ikm.name.clone(),
            commodity: nomination.profile.product.commodity.clone(),
            scored_at: None,
            version: 1,
        })
    }

    /// The assessor declares a conflict on this assignment: from now on they can neither open
    /// nor score the nomination (an earlier override no longer covers it).
    pub fn declare_conflict(&self, reason: &str) -> Result<Assignment, FieldErrors> {
        let reason = crate::text::clean(reason.trim(), 500, crate::text::Lines::Multi)
            .map_err(|e| FieldErrors::single("reason", e.into()))?;
        if reason.is_empty() {
            return Err(FieldErrors::single("reason", crate::errors::required()));
        }
        Ok(Assignment {
            conflict: Some(ConflictReason::Declared { reason }),
            overridden_by: None,
            override_reason: None,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The assignment once its assessor submitted their final score at `at`.
    pub fn scored(&self, at: DateTime<Utc>) -> Assignment {
        Assignment {
            scored_at: Some(at),
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// The standing the authorization decision gets from this assignment.
    pub fn standing(&self) -> Standing {
        standing(true, self.conflict.as_ref(), self.overridden_by.is_some())
    }
}

/// A relation between a nomination and an assessor (family, business, adviser), declared on
/// the nomination: the assessor is in conflict of interest on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relation {
    pub round_id: String,
    pub nomination_id: String,
    /// The assessor's user id.
    pub assessor: String,
    pub reason: String,
    pub declared_by: String,
    pub declared_at: DateTime<Utc>,
}

impl Relation {
    /// Declares that `assessor` is related to `nomination`, for `reason` (required).
    pub fn declare(
        nomination: &crate::nomination::Nomination,
        assessor: &str,
        reason: &str,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Relation, FieldErrors> {
        let mut e = FieldErrors::new();
        let assessor = assessor.trim();
        if assessor.is_empty() || assessor.len() > 128 {
            e.add("assessor", crate::errors::required());
        }
        let reason = match crate::text::clean(reason.trim(), 500, crate::text::Lines::Multi) {
            Ok(r) if !r.is_empty() => Some(r),
            Ok(_) => {
                e.add("reason", crate::errors::required());
                None
            }
            Err(t) => {
                e.add("reason", t.into());
                None
            }
        };
        match reason {
            Some(reason) if e.is_empty() => Ok(Relation {
                round_id: nomination.round_id.clone(),
                nomination_id: nomination.id.clone(),
                assessor: assessor.to_owned(),
                reason,
                declared_by: actor.user_id.clone(),
                declared_at: now,
            }),
            _ => Err(e),
        }
    }
}

impl Assignment {
    /// The assignment once a relation to its assessor is declared on the nomination: in
    /// conflict, and an earlier override no longer covers it. `None` when it is in conflict
    /// without override already.
    pub fn related(&self) -> Option<Assignment> {
        if self.standing() == Standing::Conflicted {
            return None;
        }
        Some(Assignment {
            conflict: Some(ConflictReason::NamedOnNomination),
            overridden_by: None,
            override_reason: None,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

impl crate::nomination::Nomination {
    /// The nomination's change when an assessor is added: the first assignment moves a
    /// nomination that passed administrative selection into assessment; a later one keeps the
    /// status but still writes a new version (audit action "assign"), so that a final score
    /// read before it cannot close the scoring without the new assessor. `None` when no
    /// assessor may be added.
    pub fn assessor_added(
        &self,
        actor: &Principal,
        now: DateTime<Utc>,
    ) -> Option<crate::nomination::Change> {
        use crate::status::NominationStatus as S;
        let status = match self.status {
            S::InAssessment => S::InAssessment,
            s => s.apply(crate::status::Event::AssignAssessors).ok()?,
        };
        let next = crate::nomination::Nomination {
            status,
            ..self.clone()
        };
        Some(self.changed(next, actor, "assign", now))
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
    fn a_relation_declared_on_the_nomination_refuses_the_assessor_and_ends_an_assignment_they_have()
    {
        let n = passed("35.15");
        let r = Relation::declare(&n, "penilai-1", "Kakak pemilik IKM.", &admin(), now()).unwrap();
        assert_eq!(
            (r.assessor.as_str(), r.declared_by.as_str()),
            ("penilai-1", "admin")
        );
        let e = Relation::declare(&n, "", " ", &admin(), now()).unwrap_err();
        assert!(
            e.get("assessor").is_some() && e.get("reason").is_some(),
            "{e:?}"
        );
        let ministry = Panel {
            scope: PanelScope::Ministry,
            ..jateng_panel()
        };
        assert_eq!(
            Assignment::assign(&n, &ministry, "penilai-1", true, None, &admin(), now()),
            Err(AssignError::Conflicted(ConflictReason::NamedOnNomination))
        );
        let a =
            Assignment::assign(&n, &ministry, "penilai-1", false, None, &admin(), now()).unwrap();
        let related = a.related().expect("now in conflict");
        assert_eq!(related.standing(), Standing::Conflicted);
        assert_eq!(related.version, a.version + 1);
        assert_eq!(related.related(), None, "in conflict already");
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

    fn jateng_panel() -> Panel {
        let member = |user_id: &str, region: Option<&str>| PanelMember {
            user_id: user_id.into(),
            name: user_id.into(),
            region: region.map(Into::into),
        };
        Panel {
            id: "jateng".into(),
            name: "Panel Jawa Tengah".into(),
            scope: PanelScope::Province {
                province: reg("33.26").province(),
            },
            members: vec![
                member("penilai-1", None),
                member("penilai-2", Some("33.74")),
            ],
        }
    }

    fn passed(regency: &str) -> crate::nomination::Nomination {
        crate::nomination::Nomination {
            regency_code: reg(regency),
            province_code: reg(regency).province(),
            status: crate::status::NominationStatus::AdminPassed,
            ..crate::document::checklist::tests::nomination()
        }
    }

    fn admin() -> Principal {
        Principal {
            user_id: "admin".into(),
            name: "Admin".into(),
            role: Role::Admin,
            region: None,
        }
    }

    fn now() -> DateTime<Utc> {
        crate::document::sample::tests::now()
    }

    #[test]
    fn an_assessor_of_the_panel_is_assigned_and_sees_the_nomination() {
        let a = Assignment::assign(
            &passed("33.26"),
            &jateng_panel(),
            "penilai-1",
            false,
            None,
            &admin(),
            now(),
        )
        .unwrap();
        assert_eq!(
            (
                a.assessor.as_str(),
                a.panel_id.as_str(),
                a.conflict.as_ref()
            ),
            ("penilai-1", "jateng", None)
        );
        assert_eq!(a.standing(), Standing::Assigned);
    }

    #[test]
    fn a_conflicted_assessor_is_refused_unless_the_admin_overrides_with_a_reason_kept() {
        let semarang = passed("33.74");
        let refused = Assignment::assign(
            &semarang,
            &jateng_panel(),
            "penilai-2",
            false,
            None,
            &admin(),
            now(),
        );
        assert_eq!(
            refused,
            Err(AssignError::Conflicted(ConflictReason::OwnRegion))
        );
        assert!(refused
            .unwrap_err()
            .message()
            .en
            .contains("proposing region"));
        assert_eq!(
            Assignment::assign(
                &semarang,
                &jateng_panel(),
                "penilai-2",
                false,
                Some("  "),
                &admin(),
                now()
            ),
            Err(AssignError::OverrideWithoutReason)
        );
        let over = Assignment::assign(
            &semarang,
            &jateng_panel(),
            "penilai-2",
            false,
            Some("Satu-satunya ahli batik"),
            &admin(),
            now(),
        )
        .unwrap();
        assert_eq!(over.conflict, Some(ConflictReason::OwnRegion));
        assert_eq!(
            (
                over.overridden_by.as_deref(),
                over.override_reason.as_deref()
            ),
            (Some("admin"), Some("Satu-satunya ahli batik"))
        );
        assert_eq!(over.standing(), Standing::Assigned);
        // Declaring a conflict oneself ends any override.
        let declared = over.declare_conflict("Kerabat pemilik IKM").unwrap();
        assert_eq!(declared.standing(), Standing::Conflicted);
        assert_eq!(declared.version, 2);
        assert!(over.declare_conflict(" ").is_err());
    }

    #[test]
    fn only_members_of_a_covering_panel_are_assigned_to_a_nomination_awaiting_assessment() {
        let panel = jateng_panel();
        assert_eq!(
            Assignment::assign(
                &passed("33.26"),
                &panel,
                "penilai-9",
                false,
                None,
                &admin(),
                now()
            ),
            Err(AssignError::NotAMember)
        );
        assert_eq!(
            Assignment::assign(
                &passed("35.15"),
                &panel,
                "penilai-1",
                false,
                None,
                &admin(),
                now()
            ),
            Err(AssignError::OutOfScope)
        );
        let draft = crate::document::checklist::tests::nomination();
        assert_eq!(
            Assignment::assign(&draft, &panel, "penilai-1", false, None, &admin(), now()),
            Err(AssignError::NotAssessable)
        );
    }

    #[test]
    fn panels_need_unique_ids_names_unique_members_and_valid_regions() {
        let form = PanelsForm {
            panels: vec![jateng_panel(), jateng_panel()],
        };
        let e = form.validate("ovop-2026", None).unwrap_err();
        assert!(e.get("panels[1].id").is_some(), "{e:?}");
        let mut bad = jateng_panel();
        bad.members[1].region = Some("99.99".into());
        bad.members.push(bad.members[0].clone());
        let e = PanelsForm { panels: vec![bad] }
            .validate("ovop-2026", None)
            .unwrap_err();
        assert!(e.get("panels[0].members[1].region").is_some(), "{e:?}");
        assert!(e.get("panels[0].members[2].user_id").is_some(), "{e:?}");
        let first = PanelsForm {
            panels: vec![jateng_panel()],
        }
        .validate("ovop-2026", None)
        .unwrap();
        let second = PanelsForm {
            panels: vec![jateng_panel()],
        }
        .validate("ovop-2026", Some(&first))
        .unwrap();
        assert_eq!((first.version, second.version), (1, 2));
    }

    #[test]
    fn the_first_assignment_puts_the_nomination_in_assessment_and_each_one_writes_a_version() {
        let n = passed("33.26");
        let change = n.assessor_added(&admin(), now()).unwrap();
        assert_eq!(
            change.nomination.status,
            crate::status::NominationStatus::InAssessment
        );
        assert_eq!(change.audit.action, "assign");
        let again = change.nomination.assessor_added(&admin(), now()).unwrap();
        assert_eq!(again.nomination.status, change.nomination.status);
        assert_eq!(again.nomination.version, change.nomination.version + 1);
        let scored = crate::nomination::Nomination {
            status: crate::status::NominationStatus::Scored,
            ..n
        };
        assert!(scored.assessor_added(&admin(), now()).is_none());
    }
}
