//! Demo data: an open round and a few nominations, written through the same ports.

use chrono::{Datelike, Duration, TimeZone, Utc};
use ovop_core::nomination::{
    IkmForm, Nomination, NominationError, NominationForm, ProductForm, SentraForm,
};
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::round::{Round, RoundForm};
use ovop_intake::AppState;
use ovop_platform::store::{StoreError, Tx};

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
/// nominations, when the store has no round yet. Written through the same use cases and store
/// as the API's.
pub async fn demo(state: &AppState) -> Result<(), StoreError> {
    let now = state.clock.now();
    let id = demo_round_id(state);
    if state.store.get::<Round>(&id).await?.is_some() {
        return Ok(());
    }
    let day = (now + Duration::days(60)).date_naive();
    let deadline = Utc
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 16, 59, 59)
        .single()
        .unwrap_or(now + Duration::days(60));
    let round = RoundForm {
        year: Some(now.year()),
        name: format!("OVOP {}", now.year()),
        proposal_deadline: Some(deadline),
    }
    .validate(now)
    .map_err(|e| StoreError::backend("seed round", format!("{e:?}")))?
    .open(None, now)
    .map_err(|e| StoreError::backend("seed round", e))?;
    let mut tx = Tx::new();
    tx.create(&round)?;
    state.store.commit(tx).await?;

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
    for (regency, name, commodity, nib, submitted) in demos {
        let form = demo_form(&id, regency, name, commodity, nib);
        let valid = form
            .validate(&state.commodities, now.year())
            .map_err(|e| StoreError::backend("seed nomination", format!("{e:?}")))?;
        let office = Principal {
            user_id: "seed".into(),
            name: "Demo".into(),
            role: Role::Pengusul,
            region: Some(RegionScope::Regency(valid.regency.clone())),
        };
        let refused = |e: NominationError| StoreError::backend("seed nomination", e);
        let created = Nomination::create(ovop_platform::ids::new_id(), valid, &round, &office, now)
            .map_err(refused)?;
        let mut tx = Tx::new();
        tx.create(&created.nomination)?;
        tx.create(&created.audit)?;
        state.store.commit(tx).await?;
        if submitted {
            let before = created.nomination.version;
            let sent = created
                .nomination
                .submit(None, &round, &office, now)
                .map_err(refused)?;
            let mut tx = Tx::new();
            tx.update(&sent.nomination, before)?;
            tx.create(&sent.audit)?;
            state.store.commit(tx).await?;
        }
    }
    tracing::info!(round = %id, "seeded demo round and nominations");
    Ok(())
}
