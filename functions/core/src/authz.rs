//! One authorization decision: may this principal do this action on this resource?
//!
//! Every use case asks [`decide`] before it runs; the UI may ask too, to hide buttons, but the
//! answer that counts is the server's.

use crate::policy::{ListScope, Principal, RegionScope, Role};
use crate::region::RegencyCode;

/// Something a principal asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// List nominations (the list is scoped by [`Principal::list_scope`]).
    ListNominations,
    /// Read one nomination.
    ReadNomination,
    /// Read one nomination's history.
    ReadNominationHistory,
    /// Create a nomination for a regency.
    CreateNomination,
    /// Edit a draft or a nomination returned for revision.
    EditNomination,
    /// Submit (or resubmit) a nomination.
    SubmitNomination,
    /// Withdraw a nomination.
    WithdrawNomination,
    /// Read the award rounds.
    ReadRounds,
    /// Create, open and close rounds.
    ManageRounds,
    /// Record the arrival of a nomination's physical product sample (D08): the secretariat.
    RecordSampleReceipt,
    /// Decide a nomination's administrative selection (pass, fail, return for revision): the
    /// secretariat.
    VerifyNomination,
    /// Assign assessors to a nomination (or take them off): the admin.
    AssignAssessors,
    /// Score a nomination: an assessor assigned to it and not in conflict.
    ScoreNomination,
    /// Declare a conflict of interest on a nomination assigned to oneself: the assessor.
    DeclareConflict,
    /// Read a nomination's submitted scores and aggregate: the admin, and its assessors (who
    /// see the others' only once their own is in, unless the round shows them earlier).
    ReadScores,
    /// Moderate a nomination's final score, with a justification: the admin.
    ModerateScore,
    /// Read a nomination's audit trail: the admin.
    ReadAudit,
    /// Read an award's record and download its certificate: the ministry and the offices of
    /// the award's region (the public sees the published gallery instead).
    ReadAward,
}

impl Action {
    /// Every action, for tests and permission tables.
    pub const ALL: [Action; 18] = [
        Action::ListNominations,
        Action::ReadNomination,
        Action::ReadNominationHistory,
        Action::CreateNomination,
        Action::EditNomination,
        Action::SubmitNomination,
        Action::WithdrawNomination,
        Action::ReadRounds,
        Action::ManageRounds,
        Action::RecordSampleReceipt,
        Action::VerifyNomination,
        Action::AssignAssessors,
        Action::ScoreNomination,
        Action::DeclareConflict,
        Action::ReadScores,
        Action::ModerateScore,
        Action::ReadAudit,
        Action::ReadAward,
    ];
}

/// What the action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// One nomination; for [`Action::CreateNomination`], the one about to be created.
    Nomination(NominationFacts<'a>),
    /// The programme as a whole: rounds and lists, not tied to a region.
    Programme,
}

/// The facts about a nomination that the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NominationFacts<'a> {
    /// The regency/city that proposes it.
    pub regency: &'a RegencyCode,
    /// Where the principal stands as an assessor of it (only assessors have a standing).
    pub standing: Standing,
}

impl<'a> NominationFacts<'a> {
    /// The facts of a nomination of `regency` for a principal who is not its assessor.
    pub fn of(regency: &'a RegencyCode) -> Self {
        NominationFacts {
            regency,
            standing: Standing::Unassigned,
        }
    }
}

/// An assessor's standing on one nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// Not assigned to it.
    Unassigned,
    /// Assigned, and not in conflict.
    Assigned,
    /// Assigned, but in conflict of interest ([`crate::panel::conflict`]): may neither open
    /// nor score it.
    Conflicted,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refused, and the principal may know why (403).
    Forbid,
    /// Answer as if it did not exist (404), so that its existence does not leak.
    Hide,
}

/// Decides whether `principal` may do `action` on `resource`.
///
/// A nomination nobody lets the principal see is hidden whatever the action, except
/// creation, where nothing exists yet to hide. Asking about the wrong kind of resource (a
/// nomination action on [`Resource::Programme`], a programme action on a nomination) is a
/// programming error and is forbidden.
pub fn decide(principal: &Principal, action: Action, resource: &Resource<'_>) -> Decision {
    use Action as A;
    match (action, resource) {
        (A::ListNominations | A::ReadRounds, Resource::Programme) => Decision::Allow,
        (A::ManageRounds, Resource::Programme) => allow_if(principal.role == Role::Admin),
        // The wrong kind of resource: a caller's mistake, never a permission.
        (A::ListNominations | A::ReadRounds | A::ManageRounds, Resource::Nomination(_))
        | (
            A::ReadNomination
            | A::ReadNominationHistory
            | A::CreateNomination
            | A::EditNomination
            | A::SubmitNomination
            | A::WithdrawNomination
            | A::RecordSampleReceipt
            | A::VerifyNomination
            | A::AssignAssessors
            | A::ScoreNomination
            | A::DeclareConflict
            | A::ReadScores
            | A::ModerateScore
            | A::ReadAudit
            | A::ReadAward,
            Resource::Programme,
        ) => Decision::Forbid,
        (A::CreateNomination, Resource::Nomination(facts)) => {
            allow_if(proposes_for(principal, facts.regency))
        }
        (_, Resource::Nomination(facts)) if !sees(principal, facts) => Decision::Hide,
        (A::ReadNomination | A::ReadNominationHistory, Resource::Nomination(_)) => Decision::Allow,
        (
            A::EditNomination | A::SubmitNomination | A::WithdrawNomination,
            Resource::Nomination(facts),
        ) => allow_if(proposes_for(principal, facts.regency)),
        (A::RecordSampleReceipt, Resource::Nomination(_)) => {
            allow_if(matches!(principal.role, Role::Verifikator | Role::Admin))
        }
        // Only the secretariat changes a nomination after submission (domain brief §2.2).
        (A::VerifyNomination, Resource::Nomination(_)) => {
            allow_if(principal.role == Role::Verifikator)
        }
        (A::AssignAssessors | A::ModerateScore | A::ReadAudit, Resource::Nomination(_)) => {
            allow_if(principal.role == Role::Admin)
        }
        (A::ReadScores, Resource::Nomination(_)) => {
            allow_if(matches!(principal.role, Role::Admin | Role::Penilai))
        }
        // Awards are the ministry's and the offices' business; an assessor's part ended.
        (A::ReadAward, Resource::Nomination(_)) => allow_if(principal.role != Role::Penilai),
        // An assessor sees only what is assigned and not conflicted (else hidden above).
        (A::ScoreNomination | A::DeclareConflict, Resource::Nomination(_)) => {
            allow_if(principal.role == Role::Penilai)
        }
    }
}

fn allow_if(allowed: bool) -> Decision {
    if allowed {
        Decision::Allow
    } else {
        Decision::Forbid
    }
}

/// Whether the nomination is visible at all: the same rule that scopes the lists.
fn sees(principal: &Principal, facts: &NominationFacts<'_>) -> bool {
    match principal.list_scope() {
        ListScope::All => true,
        ListScope::Province(province) => facts.regency.province() == province,
        ListScope::Regency(regency) => regency == *facts.regency,
        // Assessors see the nominations assigned to them, unless in conflict.
        ListScope::Assigned => facts.standing == Standing::Assigned,
    }
}

/// Whether the principal is the regency office of `regency`, the only one that proposes there.
fn proposes_for(principal: &Principal, regency: &RegencyCode) -> bool {
    principal.role == Role::Pengusul
        && matches!(&principal.region, Some(RegionScope::Regency(own)) if own == regency)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the resource stands from the principal's home. Home is Kabupaten Pekalongan
    /// (33.26) in Jawa Tengah (33): the regency office works there, the province office is
    /// Jawa Tengah's; ministry roles and assessors have no home, so it must not matter to them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Relation {
        /// A nomination of 33.26, Kabupaten Pekalongan.
        OwnRegency,
        /// A nomination of 33.74, Kota Semarang.
        SameProvinceOtherRegency,
        /// A nomination of 35.78, Kota Surabaya (Jawa Timur).
        OtherProvince,
        /// The programme: rounds and lists.
        NotApplicable,
    }

    const RELATIONS: [Relation; 4] = [
        Relation::OwnRegency,
        Relation::SameProvinceOtherRegency,
        Relation::OtherProvince,
        Relation::NotApplicable,
    ];

    const STANDINGS: [Standing; 3] = [
        Standing::Unassigned,
        Standing::Assigned,
        Standing::Conflicted,
    ];

    /// The permission table, in one place. `standing` is the principal's as an assessor of the
    /// nomination; it matters to assessors only.
    fn expected(role: Role, action: Action, relation: Relation, standing: Standing) -> Decision {
        use Action::*;
        use Decision::*;
        use Relation::*;
        use Role::*;
        if role == Penilai && relation != NotApplicable && action != CreateNomination {
            return match (standing, action) {
                // Programme actions on a nomination: a caller's mistake.
                (_, ListNominations | ReadRounds | ManageRounds) => Forbid,
                // Unassigned or in conflict: the nomination does not exist for them.
                (Standing::Unassigned | Standing::Conflicted, _) => Hide,
                (Standing::Assigned, ReadNomination | ReadNominationHistory) => Allow,
                (Standing::Assigned, ScoreNomination | DeclareConflict | ReadScores) => Allow,
                (Standing::Assigned, _) => Forbid,
            };
        }
        match (role, action, relation) {
            // Programme actions are about the programme, never about one nomination.
            (
                _,
                ListNominations | ReadRounds | ManageRounds,
                OwnRegency | SameProvinceOtherRegency | OtherProvince,
            ) => Forbid,
            // Everyone lists (the list is scoped) and reads rounds; only the admin manages them.
            (_, ListNominations | ReadRounds, NotApplicable) => Allow,
            (Admin, ManageRounds, NotApplicable) => Allow,
            (_, ManageRounds, NotApplicable) => Forbid,
            // Nomination actions need a nomination.
            (
                _,
                ReadNomination
                | ReadNominationHistory
                | CreateNomination
                | EditNomination
                | SubmitNomination
                | WithdrawNomination
                | RecordSampleReceipt
                | VerifyNomination
                | AssignAssessors
                | ScoreNomination
                | DeclareConflict
                | ReadScores
                | ModerateScore
                | ReadAudit
                | ReadAward,
                NotApplicable,
            ) => Forbid,
            // Only a regency office creates, and only for its own regency; nothing to hide yet.
            (Pengusul, CreateNomination, OwnRegency) => Allow,
            (_, CreateNomination, _) => Forbid,
            // Who does not see a nomination gets "not found", whatever the action.
            (Pengusul, _, SameProvinceOtherRegency | OtherProvince) => Hide,
            (Provinsi, _, OtherProvince) => Hide,
            (Penilai, _, _) => unreachable!("assessors are decided above"),
            // Whoever sees it reads it and its history, and its award.
            (_, ReadNomination | ReadNominationHistory | ReadAward, _) => Allow,
            // Only its own regency office changes it; the others see but do not touch.
            (Pengusul, EditNomination | SubmitNomination | WithdrawNomination, OwnRegency) => Allow,
            (
                Provinsi | Verifikator | Admin,
                EditNomination | SubmitNomination | WithdrawNomination,
                _,
            ) => Forbid,
            // The secretariat (and the admin) records the sample's arrival; nobody else.
            (Verifikator | Admin, RecordSampleReceipt, _) => Allow,
            (Pengusul | Provinsi, RecordSampleReceipt, _) => Forbid,
            // Administrative selection is the secretariat's alone, not even the admin's.
            (Verifikator, VerifyNomination, _) => Allow,
            (Pengusul | Provinsi | Admin, VerifyNomination, _) => Forbid,
            // The admin assigns assessors; scoring and conflicts are the assessors' own.
            (Admin, AssignAssessors, _) => Allow,
            (Pengusul | Provinsi | Verifikator, AssignAssessors, _) => Forbid,
            (Pengusul | Provinsi | Verifikator | Admin, ScoreNomination | DeclareConflict, _) => {
                Forbid
            }
            // Scores, moderation and the audit trail are the admin's (assessors read scores
            // of what they are assigned, decided above); the offices and the secretariat see
            // none of it.
            (Admin, ReadScores | ModerateScore | ReadAudit, _) => Allow,
            (Pengusul | Provinsi | Verifikator, ReadScores | ModerateScore | ReadAudit, _) => {
                Forbid
            }
        }
    }

    fn principal(role: Role) -> Principal {
        let region = match role {
            Role::Pengusul => Some(RegionScope::parse("33.26").unwrap()),
            Role::Provinsi => Some(RegionScope::parse("33").unwrap()),
            Role::Verifikator | Role::Penilai | Role::Admin => None,
        };
        Principal {
            user_id: format!("{role:?}").to_lowercase(),
            name: format!("{role:?}"),
            role,
            region,
        }
    }

    fn reg(code: &str) -> RegencyCode {
        RegencyCode::parse(code).unwrap()
    }

    fn nomination_of(regency: &RegencyCode) -> Resource<'_> {
        Resource::Nomination(NominationFacts::of(regency))
    }

    #[test]
    fn every_role_action_and_relation_matches_the_permission_table() {
        let pekalongan = reg("33.26");
        let semarang = reg("33.74");
        let surabaya = reg("35.78");
        let mut mismatches = Vec::new();
        let mut checked = 0;
        for role in Role::ALL {
            let who = principal(role);
            for action in Action::ALL {
                for relation in RELATIONS {
                    for standing in STANDINGS {
                        let facts =
                            |regency| Resource::Nomination(NominationFacts { regency, standing });
                        let resource = match relation {
                            Relation::OwnRegency => facts(&pekalongan),
                            Relation::SameProvinceOtherRegency => facts(&semarang),
                            Relation::OtherProvince => facts(&surabaya),
                            Relation::NotApplicable => Resource::Programme,
                        };
                        let got = decide(&who, action, &resource);
                        let want = expected(role, action, relation, standing);
                        if got != want {
                            mismatches.push(format!(
                                "{role:?} {action:?} {relation:?} {standing:?}: got {got:?}, want {want:?}"
                            ));
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        assert_eq!(
            checked,
            5 * 18 * 4 * 3,
            "roles × actions × relations × standings"
        );
    }

    #[test]
    fn a_conflicted_assessor_can_neither_open_nor_score_and_an_unassigned_one_sees_nothing() {
        let assessor = principal(Role::Penilai);
        let regency = reg("33.74");
        for standing in [Standing::Unassigned, Standing::Conflicted] {
            let r = Resource::Nomination(NominationFacts {
                regency: &regency,
                standing,
            });
            for action in [Action::ReadNomination, Action::ScoreNomination] {
                assert_eq!(
                    decide(&assessor, action, &r),
                    Decision::Hide,
                    "{standing:?} {action:?}"
                );
            }
        }
        let assigned = Resource::Nomination(NominationFacts {
            regency: &regency,
            standing: Standing::Assigned,
        });
        assert_eq!(
            decide(&assessor, Action::ScoreNomination, &assigned),
            Decision::Allow
        );
        assert_eq!(
            decide(&assessor, Action::EditNomination, &assigned),
            Decision::Forbid
        );
    }

    #[test]
    fn a_regency_office_cannot_even_see_another_regencys_nomination() {
        let pekalongan_office = principal(Role::Pengusul);
        let semarang = reg("33.74");
        for action in [
            Action::ReadNomination,
            Action::ReadNominationHistory,
            Action::EditNomination,
            Action::SubmitNomination,
            Action::WithdrawNomination,
        ] {
            assert_eq!(
                decide(&pekalongan_office, action, &nomination_of(&semarang)),
                Decision::Hide,
                "{action:?}"
            );
        }
    }

    #[test]
    fn a_regency_office_is_told_it_cannot_propose_for_another_regency() {
        let pekalongan_office = principal(Role::Pengusul);
        let semarang = reg("33.74");
        assert_eq!(
            decide(
                &pekalongan_office,
                Action::CreateNomination,
                &nomination_of(&semarang)
            ),
            Decision::Forbid
        );
    }

    #[test]
    fn a_province_office_reads_but_never_changes() {
        let jawa_tengah = principal(Role::Provinsi);
        let semarang = reg("33.74");
        let nomination = nomination_of(&semarang);
        assert_eq!(
            decide(&jawa_tengah, Action::ReadNomination, &nomination),
            Decision::Allow
        );
        for action in [
            Action::CreateNomination,
            Action::EditNomination,
            Action::SubmitNomination,
            Action::WithdrawNomination,
        ] {
            assert_eq!(
                decide(&jawa_tengah, action, &nomination),
                Decision::Forbid,
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_secretariat_sees_every_nomination_but_only_the_admin_manages_rounds() {
        let surabaya = reg("35.78");
        let secretariat = principal(Role::Verifikator);
        assert_eq!(
            decide(
                &secretariat,
                Action::ReadNomination,
                &nomination_of(&surabaya)
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(&secretariat, Action::ManageRounds, &Resource::Programme),
            Decision::Forbid
        );
        assert_eq!(
            decide(
                &principal(Role::Admin),
                Action::ManageRounds,
                &Resource::Programme
            ),
            Decision::Allow
        );
    }

    #[test]
    fn a_regency_office_without_its_regency_sees_and_proposes_nothing() {
        let malformed = Principal {
            region: None,
            ..principal(Role::Pengusul)
        };
        let pekalongan = reg("33.26");
        assert_eq!(
            decide(
                &malformed,
                Action::ReadNomination,
                &nomination_of(&pekalongan)
            ),
            Decision::Hide
        );
        assert_eq!(
            decide(
                &malformed,
                Action::CreateNomination,
                &nomination_of(&pekalongan)
            ),
            Decision::Forbid
        );
    }
}
