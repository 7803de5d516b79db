//! Demo data: an open round and a few nominations, written through the same ports.

use chrono::{Datelike, Duration, TimeZone, Utc};
use ovop_core::nomination::{
    AuditEntry, IkmForm, Nomination, NominationForm, ProductForm, SentraForm,
};
use ovop_core::round::{Round, RoundForm, RoundPhase};
use ovop_core::status::{Event, NominationStatus};
use ovop_intake::AppState;
use ovop_platform::store::StoreError;

/// The demo round's id for the current year.
pub fn demo_round_id(state: &AppState) -> String {
    Round::id_for(state.clock.now().year())
}

/// A complete form for a demo IKM.
pub fn demo_form(
    round_id: &str,
    regency: &str,
    name: &str,
    commodity: &str,
    nib: &str,
) -> NominationForm {
    NominationForm {
        round_id: round_id.into(),
        regency_code: regency.into(),
        ikm: IkmForm {
            name: name.into(),
            nib: nib.into(),
            owner_name: "Siti Aminah".into(),
            address: "Jl. Sentra IKM No. 1".into(),
            year_founded: Some(2010),
            workers: Some(15),
            investment_idr: Some(450_000_000),
        },
        sentra: SentraForm {
            name: format!("Sentra {name}"),
            unit_count: Some(25),
            sk_number: "188.4/123/2020".into(),
        },
        product: ProductForm {
            name: format!("Produk unggulan {name}"),
            commodity: commodity.into(),
            description: "Dibuat dengan teknik turun-temurun dari bahan baku lokal.".into(),
            local_material_pct: Some(85),
        },
    }
}

/// Seeds an open round for this year (deadline 60 days ahead, 23:59:59 WIB) and three demo
/// nominations, when the store has no round yet.
pub async fn demo(state: &AppState) -> Result<(), StoreError> {
    let now = state.clock.now();
    let id = demo_round_id(state);
    if state.rounds.get_round(&id).await?.is_some() {
        return Ok(());
    }
    let day = (now + Duration::days(60)).date_naive();
    let deadline = Utc
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 16, 59, 59)
        .single()
        .unwrap_or(now + Duration::days(60));
    let mut round = RoundForm {
        year: Some(now.year()),
        name: format!("OVOP {}", now.year()),
        proposal_deadline: Some(deadline),
    }
    .validate(now)
    .map_err(|e| StoreError::backend("seed round", format!("{e:?}")))?;
    round.phase = RoundPhase::OpenForProposals;
    state.rounds.create_round(&round).await?;

    let demos = [
        (
            "33.26",
            "Batik Pesisir Wiradesa",
            "kain_batik",
            "9120001234567",
            true,
        ),
        (
            "33.26",
            "Tenun Goyor Sejahtera",
            "kain_tenun",
            "9120001234568",
            false,
        ),
        (
            "35.15",
            "Kerupuk Udang Sidoarjo Jaya",
            "makanan_minuman",
            "9120001234569",
            true,
        ),
    ];
    for (i, (regency, name, commodity, nib, submitted)) in demos.into_iter().enumerate() {
        let form = demo_form(&id, regency, name, commodity, nib);
        let valid = form
            .validate(&state.commodities, now.year())
            .map_err(|e| StoreError::backend("seed nomination", format!("{e:?}")))?;
        let created_at = now + Duration::milliseconds(i as i64);
        let mut n = Nomination::draft(ulid::Ulid::new().to_string(), valid, "seed", created_at);
        let entry = |n: &Nomination, action: &str, from| AuditEntry::of(n, "seed", action, from);
        state
            .nominations
            .create_nomination(
                n.clone().into(),
                &entry(&n, "create", None),
                "seed",
                &format!("seed-{i}"),
                now,
            )
            .await?;
        if submitted {
            let before = n.version;
            n.status = n
                .status
                .apply(Event::Submit)
                .map_err(|e| StoreError::backend("seed submit", e))?;
            n.version += 1;
            n.submitted_at = Some(created_at);
            state
                .nominations
                .update_nomination(
                    n.clone().into(),
                    before,
                    &entry(&n, "submit", Some(NominationStatus::Draft)),
                )
                .await?;
        }
    }
    tracing::info!(round = %id, "seeded demo round and nominations");
    Ok(())
}
