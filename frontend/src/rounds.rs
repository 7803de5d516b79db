//! Award rounds: everyone signed in reads them; the admin creates a round and opens or closes
//! its proposals.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::policy::{RegionScope, Role};
use ovop_core::region::{time_zone_of, TimeZone};
use ovop_core::round::{format_local, Round, RoundForm, RoundPhase};
use ovop_core::Lang;

use crate::api::{self, ApiFailure};
use crate::i18n::{t, tr};
use crate::pages::alert;
use crate::session::AppCtx;

/// The zone deadlines are read in: the user's regency's, else the ministry's (WIB).
fn zone_of(ctx: AppCtx) -> TimeZone {
    ctx.session.with_untracked(
        |s| match s.as_ref().and_then(|s| s.principal.region.as_ref()) {
            Some(RegionScope::Regency(r)) => time_zone_of(r),
            _ => TimeZone::Wib,
        },
    )
}

/// The instant of a `datetime-local` value (`2027-06-30T23:59`, seconds optional) read on a
/// clock in `zone`. Read by hand: chrono's format parser costs kilobytes of wasm.
pub(crate) fn instant_of(local: &str, zone: TimeZone) -> Option<DateTime<Utc>> {
    let (date, time) = local.split_once('T')?;
    let mut d = date.splitn(3, '-').map(str::parse::<u32>);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<u32>());
    let (year, month, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (hour, minute) = (t.next()?.ok()?, t.next()?.ok()?);
    let second = t.next().transpose().ok()?.unwrap_or(0);
    let naive = NaiveDate::from_ymd_opt(year.try_into().ok()?, month, day)?
        .and_hms_opt(hour, minute, second)?;
    Some((naive - Duration::hours(zone.utc_offset_hours().into())).and_utc())
}

fn phase_badge(phase: RoundPhase, lang: Lang) -> impl IntoView {
    let class = match phase {
        RoundPhase::Planned => "badge phase-planned",
        RoundPhase::OpenForProposals => "badge phase-open",
        _ => "badge",
    };
    view! { <span class=class>{phase.label().get(lang).to_owned()}</span> }
}

/// What the admin types to create a round; the deadline as the `datetime-local` text.
#[derive(Clone)]
struct Draft {
    year: String,
    name: String,
    deadline: String,
    /// Submissions only with the complete document bundle (ticked by default).
    documents_required: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            year: String::new(),
            name: String::new(),
            deadline: String::new(),
            documents_required: true,
        }
    }
}

/// The rounds, newest first; for the admin a form for a new round and the phase buttons.
#[component]
pub fn Rounds() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let admin = ctx.role() == Some(Role::Admin);
    let zone = zone_of(ctx);
    let lang = move || ctx.lang.get();
    let items = RwSignal::new(Vec::<Round>::new());
    let loaded = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::rounds(ctx.lang.get_untracked()).await {
                Ok(page) => items.set(page.items),
                Err(e) => failure.set(Some(e.message(ctx.lang.get_untracked()))),
            }
            loaded.set(true);
        })
    };
    load();

    // One key per intended phase change (round, action, version shown): a retry after a lost
    // answer is recognised by the server, a new intention gets a new key.
    let keys = StoredValue::new(HashMap::<String, String>::new());
    let change = move |round: Round, action: &'static str| {
        let lang = ctx.lang.get_untracked();
        let intent = format!("{}/{action}/{}", round.id, round.version);
        let key = keys
            .try_update_value(|k| {
                k.entry(intent)
                    .or_insert_with(api::new_idempotency_key)
                    .clone()
            })
            .unwrap_or_default();
        busy.set(true);
        failure.set(None);
        notice.set(None);
        spawn_local(async move {
            match api::change_round(&round, action, &key, lang).await {
                Ok(updated) => {
                    let done = match (action, lang) {
                        ("open", Lang::Id) => format!("{} dibuka untuk pengusulan.", updated.name),
                        ("open", Lang::En) => format!("{} is open for proposals.", updated.name),
                        (_, Lang::Id) => format!("Pengusulan {} ditutup.", updated.name),
                        (_, Lang::En) => format!("Proposals for {} are closed.", updated.name),
                    };
                    items.update(|list| {
                        if let Some(r) = list.iter_mut().find(|r| r.id == updated.id) {
                            *r = updated;
                        }
                    });
                    notice.set(Some(done));
                }
                Err(e) => {
                    failure.set(Some(e.message(lang)));
                    // The round may have changed meanwhile: show it as it is now.
                    if matches!(e, ApiFailure::Problem(_)) {
                        load();
                    }
                }
            }
            busy.set(false);
        });
    };

    let row = move |r: Round| {
        let deadline = format_local(r.proposal_deadline, zone);
        let action = match r.phase {
            RoundPhase::Planned => Some(("open", ("Buka pengusulan", "Open proposals"))),
            RoundPhase::OpenForProposals => {
                Some(("close", ("Tutup pengusulan", "Close proposals")))
            }
            _ => None,
        };
        let actions = admin.then(|| {
            let button = action.map(|(what, (id, en))| {
                let round = r.clone();
                let class = if what == "open" { "primary" } else { "danger" };
                view! {
                    <button type="button" class=class disabled=move || busy.get()
                        on:click=move |_| change(round.clone(), what)>
                        {tr(id, en)}<span class="visually-hidden">" " {r.name.clone()}</span>
                    </button>
                }
            });
            view! { <td class="actions-cell">{button}</td> }
        });
        view! {
            <tr data-round=r.id.clone()>
                <th scope="row">{r.name.clone()}</th>
                <td data-label=tr("Tahun", "Year")>{r.year}</td>
                <td class="phase">{phase_badge(r.phase, lang())}</td>
                <td data-label=tr("Batas pengusulan", "Proposal deadline")>{deadline}</td>
                {actions}
            </tr>
        }
    };

    view! {
        <h1>{tr("Periode penghargaan", "Award rounds")}</h1>
        {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {move || failure.get().map(alert)}
        <p class="list-status" role="status">
            {move || {
                let l = lang();
                if !loaded.get() {
                    t(l, "Memuat…", "Loading…")
                } else if items.with(Vec::is_empty) && failure.with(Option::is_none) {
                    t(l, "Belum ada periode penghargaan.", "No award round yet.")
                } else {
                    ""
                }
            }}
        </p>
        <Show when=move || items.with(|i| !i.is_empty())>
            <table class="rounds">
                <caption class="visually-hidden">{tr("Daftar periode penghargaan", "List of award rounds")}</caption>
                <thead><tr>
                    <th scope="col">{tr("Periode", "Round")}</th>
                    <th scope="col">{tr("Tahun", "Year")}</th>
                    <th scope="col">{tr("Tahap", "Phase")}</th>
                    <th scope="col">{tr("Batas pengusulan", "Proposal deadline")}</th>
                    {admin.then(|| view! { <th scope="col">{tr("Tindakan", "Actions")}</th> })}
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(row).collect_view()}
                </tbody>
            </table>
        </Show>
        {move || (admin && items.with(|i| !i.is_empty())).then(|| view! {
            <nav class="selection-links" aria-label=tr("Seleksi per periode", "Selection by round")>
                {tr("Seleksi: ", "Selection: ")}
                {items.get().into_iter().map(|r| {
                    view! { <a href=format!("/seleksi?periode={}", r.id)>{r.name}</a> " " }
                }).collect_view()}
            </nav>
        })}
        {admin.then(|| view! { <NewRound items=items notice=notice zone=zone/> })}
    }
}

/// The admin's form for a planned round.
#[component]
fn NewRound(
    items: RwSignal<Vec<Round>>,
    notice: RwSignal<Option<String>>,
    zone: TimeZone,
) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let draft = RwSignal::new(Draft::default());
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // One key per intended round: pressing the button again after a lost answer cannot
    // create a second one; a new key after each success.
    let key = StoredValue::new(api::new_idempotency_key());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = ctx.lang.get_untracked();
        let d = draft.get_untracked();
        let form = RoundForm {
            year: d.year.trim().parse().ok(),
            name: d.name.clone(),
            proposal_deadline: instant_of(&d.deadline, zone),
            documents_required: Some(d.documents_required),
        };
        notice.set(None);
        let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
        if let Err(e) = form.validate(now) {
            errors.set(e.localized(lang));
            failure.set(Some(
                t(
                    lang,
                    "Periksa isian yang ditandai.",
                    "Please correct the fields marked.",
                )
                .into(),
            ));
            return;
        }
        errors.set(BTreeMap::new());
        failure.set(None);
        busy.set(true);
        let this_key = key.get_value();
        spawn_local(async move {
            match api::create_round(&this_key, &form, lang).await {
                Ok(round) => {
                    notice.set(Some(match lang {
                        Lang::Id => format!("{} dibuat (direncanakan).", round.name),
                        Lang::En => format!("{} created (planned).", round.name),
                    }));
                    items.update(|list| {
                        // Newest first, as the server lists them.
                        list.retain(|r| r.id != round.id);
                        let at = list.iter().position(|r| r.year < round.year);
                        list.insert(at.unwrap_or(list.len()), round);
                    });
                    draft.set(Draft::default());
                    // A no-op when the page is gone meanwhile.
                    key.try_set_value(api::new_idempotency_key());
                }
                Err(e) => {
                    if let ApiFailure::Problem(p) = &e {
                        errors.set(p.errors.clone());
                    }
                    failure.set(Some(e.message(lang)));
                }
            }
            busy.set(false);
        });
    };
    let field = move |key: &'static str,
                      label: (&'static str, &'static str),
                      kind: &'static str,
                      get: fn(&Draft) -> String,
                      set: fn(&mut Draft, String)| {
        let id = format!("round-{}", key.replace('_', "-"));
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        let has_error = move || errors.with(|e| e.contains_key(key));
        let hint = (key == "proposal_deadline").then(|| {
            let (id, en) = match zone {
                TimeZone::Wib => (
                    "Waktu Indonesia Barat (WIB, UTC+7).",
                    "Western Indonesia Time (WIB, UTC+7).",
                ),
                TimeZone::Wita => (
                    "Waktu Indonesia Tengah (WITA, UTC+8).",
                    "Central Indonesia Time (WITA, UTC+8).",
                ),
                TimeZone::Wit => (
                    "Waktu Indonesia Timur (WIT, UTC+9).",
                    "Eastern Indonesia Time (WIT, UTC+9).",
                ),
            };
            view! { <p class="hint" id=hint_id.clone()>{tr(id, en)}</p> }
        });
        let described = if hint.is_some() {
            format!("{hint_id} {error_id}")
        } else {
            error_id.clone()
        };
        view! {
            <div class="field" class:invalid=has_error>
                <label for=id.clone()>
                    {tr(label.0, label.1)}
                    {(key == "proposal_deadline").then(|| format!(" ({})", zone.label()))}
                </label>
                {hint}
                <input id=id.clone() name=key type=kind
                    inputmode=(kind == "number").then_some("numeric")
                    aria-invalid=move || has_error().to_string()
                    aria-describedby=described
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev))) />
                <p class="error" id=error_id aria-live="polite">
                    {move || errors.with(|e| e.get(key).cloned())}
                </p>
            </div>
        }
    };
    view! {
        <form class="new-round" on:submit=save novalidate aria-labelledby="new-round-title">
            <h2 id="new-round-title">{tr("Periode baru", "New round")}</h2>
            {move || failure.get().map(alert)}
            {field("year", ("Tahun", "Year"), "number", |d| d.year.clone(), |d, v| d.year = v)}
            {field("name", ("Nama periode", "Round name"), "text", |d| d.name.clone(), |d, v| d.name = v)}
            {field("proposal_deadline", ("Batas pengusulan", "Proposal deadline"), "datetime-local", |d| d.deadline.clone(), |d, v| d.deadline = v)}
            <p class="check">
                <label>
                    <input type="checkbox" name="documents_required"
                        prop:checked=move || draft.with(|d| d.documents_required)
                        on:change=move |ev| draft.update(|d| d.documents_required = event_target_checked(&ev))/>
                    " " {tr("Usulan hanya dapat diajukan dengan berkas dokumen lengkap dan sampel terkirim",
                        "Nominations are submitted only with the complete document bundle and the sample shipped")}
                </label>
            </p>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>{tr("Buat periode", "Create round")}</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_deadline_is_read_in_its_zone() {
        let at = instant_of("2027-06-30T23:59", TimeZone::Wib).unwrap();
        assert_eq!(at.to_rfc3339(), "2027-06-30T16:59:00+00:00");
        assert_eq!(format_local(at, TimeZone::Wib), "30-06-2027 23:59 WIB");
        let with_seconds = instant_of("2027-06-30T23:59:30", TimeZone::Wita).unwrap();
        assert_eq!(with_seconds.to_rfc3339(), "2027-06-30T15:59:30+00:00");
        assert!(instant_of("30/06/2027", TimeZone::Wib).is_none());
        assert!(instant_of("2027-02-30T10:00", TimeZone::Wib).is_none());
        assert!(instant_of("", TimeZone::Wib).is_none());
    }
}
