//! Answers of the selection API as the server writes them: the JSON of the core crate's DTOs,
//! for the tests of the pages that read them as JSON (`ui::Value`).

use chrono::{DateTime, Utc};
use ovop_core::aggregate::Aggregate;
use ovop_core::dto::selection::{
    AssessorProgress, AssignmentList, AuditTrail, Count, Leaderboard, PanelProgress, Progress,
    ScoresView,
};
use ovop_core::moderation::{Moderation, NominationResult, Ranked, Recommendation, Recommended};
use ovop_core::nomination::AuditEntry;
use ovop_core::panel::{Assignment, ConflictReason};
use ovop_core::scoring::{ScoreSheet, SheetState};
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use serde_json::Value;

/// 29-11-2026 08:30 WIB.
pub fn at() -> DateTime<Utc> {
    "2026-11-29T01:30:00Z".parse().unwrap()
}

pub fn json<T: serde::Serialize>(dto: &T) -> Value {
    serde_json::to_value(dto).unwrap()
}

fn score(hundredths: u32) -> Score {
    Score::from_hundredths(hundredths).unwrap()
}

pub fn stars(n: u8) -> Outcome {
    Outcome::Awarded {
        stars: Stars::new(StarScale::Ovop2021, n).unwrap(),
    }
}

/// Penilai `assessor` on nomination N1, scored or not, maybe conflicted and overridden.
pub fn assignment(assessor: &str, scored: bool, conflict: Option<ConflictReason>) -> Assignment {
    let overridden = conflict.is_some();
    Assignment {
        round_id: "ovop-2026".into(),
        nomination_id: "N1".into(),
        assessor: assessor.into(),
        assessor_name: format!("Nama {assessor}"),
        panel_id: "kementerian".into(),
        assigned_by: "admin".into(),
        assigned_at: at(),
        conflict,
        overridden_by: overridden.then(|| "admin".into()),
        override_reason: overridden.then(|| "Tidak ada penilai lain.".into()),
        ikm_name: "Anyaman <Jaya> & Co".into(),
        commodity: "anyaman".into(),
        scored_at: scored.then(at),
        version: 1,
    }
}

pub fn assignments(items: Vec<Assignment>) -> Value {
    json(&AssignmentList { items })
}

fn aggregate() -> Aggregate {
    Aggregate {
        assessors: 2,
        mean: score(8333),
        median: score(8333),
        sd: 16.666_666,
        min: score(6667),
        max: score(10_000),
        disagreement: true,
        normalised: None,
        outcome: stars(2),
    }
}

pub fn result(moderated: bool) -> NominationResult {
    NominationResult {
        round_id: "ovop-2026".into(),
        nomination_id: "N1".into(),
        commodity: "anyaman".into(),
        ikm_name: "Anyaman <Jaya> & Co".into(),
        aggregate: aggregate(),
        totals: Vec::new(),
        moderation: moderated.then(|| Moderation {
            score: score(9150),
            justification: "Mutu sampel di atas penilaian awal.".into(),
            by: "admin".into(),
            at: at(),
        }),
        version: 3,
    }
}

pub fn scores() -> Value {
    let sheet = ScoreSheet {
        round_id: "ovop-2026".into(),
        nomination_id: "N1".into(),
        assessor: "penilai-1".into(),
        rubric_version: 2,
        levels: Default::default(),
        comments: Default::default(),
        general_comment: None,
        state: SheetState::Submitted,
        score: Some(score(10_000)),
        total: None,
        saved_at: at(),
        submitted_at: Some(at()),
        version: 2,
    };
    json(&ScoresView {
        sheets: vec![sheet],
        aggregate: Some(aggregate()),
        result: Some(result(true)),
    })
}

pub fn leaderboard(locked: bool) -> Value {
    let mut distribution = vec![0; 20];
    distribution[16] = 1;
    json(&Leaderboard {
        round_id: "ovop-2026".into(),
        commodity: None,
        items: vec![Ranked {
            rank: 1,
            final_score: score(9150),
            outcome: stars(3),
            result: result(true),
        }],
        distribution,
        bucket_width: 5,
        recommendation: locked.then(|| Recommendation {
            round_id: "ovop-2026".into(),
            items: vec![Recommended {
                round_id: "ovop-2026".into(),
                nomination_id: "N1".into(),
                ikm_name: "Anyaman <Jaya> & Co".into(),
                commodity: "anyaman".into(),
                final_score: score(9150),
                outcome: stars(3),
                result_version: 3,
            }],
            locked_by: "admin".into(),
            locked_at: at(),
        }),
    })
}

pub fn progress() -> Value {
    let count = |assigned, scored| Count { assigned, scored };
    json(&Progress {
        round_id: "ovop-2026".into(),
        count: count(2, 1),
        panels: vec![PanelProgress {
            panel_id: "kementerian".into(),
            count: count(2, 1),
            assessors: vec![AssessorProgress {
                user_id: "penilai-1".into(),
                name: "Dr. Ratna".into(),
                count: count(1, 1),
            }],
        }],
    })
}

pub fn audit() -> Value {
    let later = "2026-11-29T02:00:00Z".parse().unwrap();
    json(&AuditTrail {
        history: vec![
            AuditEntry {
                nomination_id: "N1".into(),
                at: at(),
                actor: "sekretariat".into(),
                action: "verify".into(),
                from_status: Some(NominationStatus::Submitted),
                to_status: NominationStatus::AdminPassed,
                version: 4,
            },
            AuditEntry {
                nomination_id: "N1".into(),
                at: later,
                actor: "admin".into(),
                action: "assess".into(),
                from_status: Some(NominationStatus::AdminPassed),
                to_status: NominationStatus::InAssessment,
                version: 5,
            },
        ],
        records: vec![ovop_core::audit::AuditRecord::assignment(
            "R1".into(),
            &Assignment {
                assigned_at: "2026-11-29T01:45:00Z".parse().unwrap(),
                ..assignment("penilai-1", false, None)
            },
        )],
    })
}
