//! Answers of the selection API as the server writes them: the JSON of the core crate's DTOs,
//! for the tests of the pages that read them as JSON (`ui::Value`).

use chrono::{DateTime, Utc};
use ovop_core::aggregate::Aggregate;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::document::{
    AttachedFile, Checklist, DocumentLimits, DocumentType, EntryState, MediaType, ProductSample,
    SampleCondition, SampleReceipt, SampleShipment,
};
use ovop_core::dto::selection::{
    AssessorProgress, AssignmentList, AuditTrail, Count, Leaderboard, PanelProgress, Progress,
    ScoresView,
};
use ovop_core::dto::uploads::ChecklistView;
use ovop_core::moderation::{Moderation, NominationResult, Ranked, Recommendation, Recommended};
use ovop_core::nomination::{
    AuditEntry, IkmForm, Nomination, NominationForm, ProductForm, SentraForm,
};
use ovop_core::panel::{Assignment, ConflictReason};
use ovop_core::scoring::{ScoreSheet, SheetState};
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use serde_json::Value;

/// 29-11-2026 08:30 WIB.
pub fn at() -> DateTime<Utc> {
    "2026-11-29T01:30:00Z".parse().unwrap()
}

/// A submitted nomination of Kab. Pekalongan (33.26), N1.
pub fn nomination() -> Nomination {
    let form = NominationForm {
        round_id: "ovop-2026".into(),
        regency_code: "33.26".into(),
        ikm: IkmForm {
            name: "Batik <Pesisir> & Co".into(),
            nib: "1234567890123".into(),
            owner_name: "Siti Aminah".into(),
            address: "Jl. Pantura 1, Wiradesa".into(),
            year_founded: Some(2009),
            workers: Some(12),
            investment_idr: Some(350_000_000),
        },
        sentra: SentraForm {
            name: "Sentra Batik Wiradesa".into(),
            unit_count: Some(40),
            sk_number: "188/45/2019".into(),
        },
        product: ProductForm {
            name: "Batik tulis motif jlamprang".into(),
            commodity: "kain_batik".into(),
            description: "Batik tulis pewarna alam.".into(),
            local_material_pct: Some(85),
        },
    };
    let valid = form.validate(&CommodityCatalog::default(), 2026).unwrap();
    Nomination {
        id: "N1".into(),
        round_id: valid.round_id,
        province_code: valid.regency.province(),
        regency_code: valid.regency,
        status: NominationStatus::Submitted,
        profile: valid.profile,
        version: 4,
        created_by: "pengusul-3326".into(),
        created_at: at(),
        updated_at: at(),
        submitted_at: Some(at()),
        revision: None,
    }
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

/// N1's checklist: D01 attached, D07's photo no longer fitting, the sample received damaged,
/// the rest missing or not needed.
pub fn checklist() -> ChecklistView {
    let catalog = CommodityCatalog::default();
    let shipment = SampleShipment {
        courier: "JNE".into(),
        tracking_number: "JNE-123".into(),
        shipped_on: "2026-11-20".parse().unwrap(),
        recorded_by: "pengusul-3326".into(),
        recorded_at: at(),
    };
    let sample = ProductSample {
        nomination_id: "N1".into(),
        shipment: Some(shipment),
        receipt: Some(SampleReceipt {
            received_on: "2026-11-25".parse().unwrap(),
            condition: SampleCondition::Damaged,
            note: Some("Kemasan sobek.".into()),
            recorded_by: "sekretariat".into(),
            recorded_at: at(),
        }),
        version: 2,
    };
    let kain = catalog.get("kain_batik").unwrap();
    let mut checklist = Checklist::build(kain, &DocumentLimits::default(), &[], Some(&sample));
    let file = |name: &str, media_type| AttachedFile {
        file_name: name.into(),
        media_type,
        size: 2_500_000,
        sha256: "ab".repeat(32),
        uploaded_at: at(),
    };
    for e in &mut checklist.entries {
        match e.document {
            DocumentType::ProposalLetter => {
                e.state = EntryState::Attached(file("surat <usulan>.pdf", MediaType::Pdf));
            }
            DocumentType::ProductPhotos => {
                e.state = EntryState::NonConforming {
                    file: file("foto.webp", MediaType::Webp),
                    reason: ovop_core::Text::new("Terlalu besar.", "Too large."),
                };
            }
            _ => {}
        }
    }
    ChecklistView {
        nomination_id: "N1".into(),
        missing: checklist.missing(),
        complete: checklist.is_complete(),
        entries: checklist.entries,
        sample: Some(sample),
    }
}

/// The decree of round ovop-2026, dated 20-11-2026, valid two years.
fn decree() -> ovop_core::award::Decree {
    ovop_core::award::DecreeForm {
        number: "1234/M-IND/Kep/11/2026".into(),
        date: "2026-11-20".parse().ok(),
        signer: "Menteri Perindustrian <RI>".into(),
        valid_until: None,
    }
    .validate("2026-11-29".parse().unwrap())
    .unwrap()
}

/// Round ovop-2026 determined by core's `determine` from its locked recommendation: N1 (3★)
/// and N2 (1★); N2's award then revoked.
fn determined() -> (
    ovop_core::award::Determination,
    Vec<ovop_core::award::Award>,
) {
    let recommended = |n: &Nomination, stars_: u8| Recommended {
        round_id: n.round_id.clone(),
        nomination_id: n.id.clone(),
        ikm_name: n.profile.ikm.name.clone(),
        commodity: n.profile.product.commodity.clone(),
        final_score: score(9150),
        outcome: stars(stars_),
        result_version: 3,
    };
    let first = Nomination {
        status: NominationStatus::Recommended,
        ..nomination()
    };
    let mut second = first.clone();
    second.id = "N2".into();
    second.profile.ikm.name = "Tenun Goyor Sejahtera".into();
    let recommendation = Recommendation {
        round_id: "ovop-2026".into(),
        items: vec![recommended(&first, 3), recommended(&second, 1)],
        locked_by: "admin".into(),
        locked_at: at(),
    };
    let (determination, mut awards) = ovop_core::award::determine(
        &recommendation,
        2026,
        &[first, second],
        &Default::default(),
        &decree(),
        "decrees/ovop-2026/01.pdf",
        "admin",
        at(),
    )
    .unwrap();
    awards[1] = awards[1]
        .revoke("Produk tidak lagi dibuat di sentra.", "admin", at())
        .unwrap();
    (determination, awards)
}

pub fn determination() -> Value {
    json(&determined().0)
}

pub fn awards() -> Value {
    json(&ovop_core::dto::awards::AwardList {
        awards: determined().1,
    })
}

pub fn publication_report(unchanged: bool) -> Value {
    json(&ovop_core::dto::awards::PublicationReport {
        version: "a1b2c3".into(),
        published_at: at(),
        rounds: 2,
        awards: 11,
        files_written: if unchanged { 0 } else { 23 },
        bytes_written: if unchanged { 0 } else { 812_000 },
        unchanged,
    })
}

/// The audit record of N2's revocation.
pub fn revocation_record() -> Value {
    let revoked = &determined().1[1];
    json(&ovop_core::audit::AuditRecord::revocation("R9".into(), revoked).unwrap())
}
