//! Pages: my nominations, new nomination, nomination detail.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use ovop_core::dto::NominationSummary;
use ovop_core::nomination::NominationForm;
use ovop_core::policy::{RegionScope, Role};
use ovop_core::region::{regency, time_zone_of};
use ovop_core::round::{format_local, RoundPhase};
use ovop_core::status::NominationStatus;
use ovop_core::Lang;

use crate::api::{self, ApiFailure};
use crate::assign::{assessors, relations};
use crate::audit::audit_trail;
use crate::documents::Documents;
use crate::form::{FormState, NominationFields};
use crate::i18n::{t, tr};
use crate::nomination::NominationView;
use crate::resource::{load, resource};
use crate::scores::scores;
use crate::session::AppCtx;
use crate::verification::{RevisionRequested, VerifyForm};

fn status_badge(status: NominationStatus, lang: Lang) -> impl IntoView {
    // Status names are ASCII: `to_ascii_lowercase` spares the wasm Unicode's case tables
    // (~7 KB brotli'd) that `to_lowercase` brings.
    let class = format!("badge status-{}", status.as_str().to_ascii_lowercase());
    view! { <span class=class data-status=status.as_str()>{status.label().get(lang).to_owned()}</span> }
}

pub fn alert(message: String) -> impl IntoView {
    view! { <p class="alert" role="alert">{message}</p> }
}

/// The nominations list as the URL asks for it: `?round=&status=` (and `limit=`, 1–200).
fn list_path(round: &str, status: &str, limit: Option<u32>) -> String {
    let query = api::ListQuery {
        round: round.into(),
        status: status.into(),
        limit,
        cursor: None,
    }
    .query_string();
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

/// What went wrong with the list: the problem's detail, and the messages of parameters that
/// have no control of their own to be marked on (`limit`, `cursor`).
fn list_failure(e: &ApiFailure, lang: Lang) -> String {
    let mut message = e.message(lang);
    if let ApiFailure::Problem(p) = e {
        for (key, text) in &p.errors {
            if key != "round" && key != "status" && !message.contains(text.as_str()) {
                message.push(' ');
                message.push_str(text);
            }
        }
    }
    message
}

/// Moves focus to the link of row `index` of the nominations table, if there is one.
fn focus_row(index: usize) {
    use wasm_bindgen::JsCast;
    let selector = format!("table.nominations tbody tr:nth-child({}) a", index + 1);
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = link {
        let _ = link.focus();
    }
}

/// Nominations in the caller's scope, filtered by round and status (both kept in the URL),
/// a page at a time with "load more".
#[component]
pub fn Home() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let role = ctx.role();
    let is_pengusul = role == Some(Role::Pengusul);
    // The ministry sees every regency, a round at a time: the round is required.
    let ministry = matches!(role, Some(Role::Verifikator | Role::Admin));
    let lang = move || ctx.lang.get();
    let query = use_query_map();
    let url_round = Memo::new(move |_| query.with(|q| q.get("round")).unwrap_or_default());
    let url_status = Memo::new(move |_| query.with(|q| q.get("status")).unwrap_or_default());
    let url_limit = Memo::new(move |_| {
        query
            .with(|q| q.get("limit"))
            .and_then(|l| l.parse::<u32>().ok())
    });
    let navigate = use_navigate();
    let go = move |round: String, status: String, replace: bool| {
        let options = NavigateOptions {
            replace,
            ..Default::default()
        };
        navigate(
            &list_path(&round, &status, url_limit.get_untracked()),
            options,
        );
    };

    let rounds = resource(move || api::rounds(ctx.lang.get_untracked()));
    let round_list = move || {
        rounds
            .get()
            .and_then(|r| r.ok())
            .map(|p| p.items)
            .unwrap_or_default()
    };
    // Ministry users without a round in the URL get the newest one, written into the URL.
    let preselect = go.clone();
    Effect::new(move |_| {
        if ministry && url_round.get().is_empty() {
            if let Some(Ok(page)) = rounds.get() {
                if let Some(newest) = page.items.first() {
                    preselect(newest.id.clone(), url_status.get_untracked(), true);
                }
            }
        }
    });

    let wanted = Memo::new(move |_| {
        let round = url_round.get();
        (!(ministry && round.is_empty())).then(|| api::ListQuery {
            round,
            status: url_status.get(),
            limit: url_limit.get(),
            cursor: None,
        })
    });
    let items = RwSignal::new(Vec::<NominationSummary>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let loading_more = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiFailure>);
    // Answers to an older request (filters changed meanwhile) are dropped.
    let generation = StoredValue::new(0u32);
    let fetch = move |q: api::ListQuery, append: bool| {
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        if append {
            loading_more.set(true);
        } else {
            loading.set(true);
        }
        failure.set(None);
        spawn_local(async move {
            let result = api::nominations(&q, ctx.lang.get_untracked()).await;
            // Also when the page is gone meanwhile (the value disposed).
            if generation.try_get_value() != Some(current) {
                return;
            }
            match result {
                Ok(page) => {
                    if append {
                        let first_new = items.with_untracked(Vec::len);
                        items.update(|i| i.extend(page.items));
                        // Keyboard and screen-reader users continue at the first row added.
                        request_animation_frame(move || focus_row(first_new));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next);
                }
                Err(e) => {
                    if !append {
                        items.set(Vec::new());
                        next.set(None);
                    }
                    failure.set(Some(e));
                }
            }
            loaded.set(true);
            loading.set(false);
            loading_more.set(false);
        });
    };
    Effect::new(move |_| {
        if let Some(q) = wanted.get() {
            fetch(q, false);
        }
    });
    // A problem's detail comes in the language of the request: ask again after a switch.
    Effect::new(move |previous: Option<Lang>| {
        let now = ctx.lang.get();
        if previous.is_some_and(|p| p != now) && failure.with_untracked(Option::is_some) {
            if let Some(q) = wanted.get_untracked() {
                fetch(q, false);
            }
        }
        now
    });
    let load_more = move |_| {
        if let (Some(mut q), Some(cursor)) = (wanted.get_untracked(), next.get_untracked()) {
            q.cursor = Some(cursor);
            fetch(q, true);
        }
    };

    let (go_round, go_status) = (go.clone(), go);
    let on_round = move |ev: leptos::ev::Event| {
        go_round(event_target_value(&ev), url_status.get_untracked(), false)
    };
    let on_status = move |ev: leptos::ev::Event| {
        go_status(url_round.get_untracked(), event_target_value(&ev), false)
    };
    // The server's word on a filter, under its select (the alert says "check the marked fields").
    let field_error = move |key: &str| {
        failure.with(|f| match f {
            Some(ApiFailure::Problem(p)) => p.errors.get(key).cloned(),
            _ => None,
        })
    };
    let filtered =
        move || !url_status.get().is_empty() || (!ministry && !url_round.get().is_empty());
    let no_rounds = move || {
        ministry
            && rounds
                .get()
                .is_some_and(|r| r.is_ok_and(|p| p.items.is_empty()))
    };
    let status_line = move || {
        let l = lang();
        let rounds_failed = rounds.get().is_some_and(|r| r.is_err());
        if loading.get() || (wanted.get().is_none() && !no_rounds() && !rounds_failed) {
            return t(l, "Memuat…", "Loading…").to_owned();
        }
        if no_rounds() {
            return t(l, "Belum ada periode penghargaan.", "No award round yet.").to_owned();
        }
        if !loaded.get() || failure.with(Option::is_some) && items.with(Vec::is_empty) {
            return String::new();
        }
        match items.with(Vec::len) {
            0 if filtered() => t(
                l,
                "Tidak ada usulan yang sesuai dengan saringan.",
                "No nominations match the filters.",
            )
            .to_owned(),
            0 => t(l, "Belum ada usulan.", "No nominations yet.").to_owned(),
            n => match l {
                Lang::Id => format!(
                    "Menampilkan {n} usulan{}.",
                    if next.with(Option::is_some) {
                        " (masih ada lagi)"
                    } else {
                        ""
                    }
                ),
                Lang::En => format!(
                    "Showing {n} nomination{}{}.",
                    if n == 1 { "" } else { "s" },
                    if next.with(Option::is_some) {
                        " (more available)"
                    } else {
                        ""
                    }
                ),
            },
        }
    };
    let empty = move || {
        loaded.get() && !loading.get() && failure.with(Option::is_none) && items.with(Vec::is_empty)
    };
    let show_table = Memo::new(move |_| !loading.get() && items.with(|i| !i.is_empty()));
    let show_more = Memo::new(move |_| !loading.get() && next.with(Option::is_some));
    view! {
        <h1>{tr("Usulan IKM", "IKM nominations")}</h1>
        {is_pengusul.then(|| view! {
            <A href="/usulan/baru" attr:class="button primary">{tr("+ Usulan baru", "+ New nomination")}</A>
        })}
        <form class="filters" role="search" aria-label=tr("Saring usulan", "Filter nominations")
            on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <div class="field">
                <label for="filter-round">{tr("Periode", "Round")}</label>
                <select id="filter-round" name="round" on:change=on_round
                    aria-invalid=move || field_error("round").is_some().to_string()
                    aria-describedby="filter-round-error">
                    {(!ministry).then(|| view! {
                        <option value="" prop:selected=move || url_round.get().is_empty()>
                            {tr("Semua periode", "All rounds")}
                        </option>
                    })}
                    {move || round_list().into_iter().map(|r| {
                        let id = r.id.clone();
                        let selected = move || url_round.with(|u| *u == id);
                        view! { <option value=r.id.clone() prop:selected=selected>{r.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="error" id="filter-round-error">{move || field_error("round")}</p>
            </div>
            <div class="field">
                <label for="filter-status">{tr("Status", "Status")}</label>
                <select id="filter-status" name="status" on:change=on_status
                    aria-invalid=move || field_error("status").is_some().to_string()
                    aria-describedby="filter-status-error">
                    <option value="" prop:selected=move || url_status.get().is_empty()>
                        {tr("Semua status", "All statuses")}
                    </option>
                    {NominationStatus::ALL.into_iter().map(|s| {
                        let selected = move || url_status.with(|u| u == s.as_str());
                        view! { <option value=s.as_str() prop:selected=selected>{move || s.label().get(lang()).to_owned()}</option> }
                    }).collect_view()}
                </select>
                <p class="error" id="filter-status-error">{move || field_error("status")}</p>
            </div>
        </form>
        {move || rounds.get().and_then(|r| r.err()).map(|e| alert(e.message(ctx.lang.get_untracked())))}
        {move || failure.get().map(|e| alert(list_failure(&e, ctx.lang.get_untracked())))}
        <p class="list-status" class:empty=empty role="status">{status_line}</p>
        {move || (role == Some(Role::Admin) && no_rounds()).then(|| view! {
            <p><A href="/periode">{tr("Buat periode pertama di halaman Periode", "Create the first round on the Rounds page")}</A></p>
        })}
        {move || show_table.get().then(|| view! {
            <table class="nominations">
                <caption class="visually-hidden">{tr("Daftar usulan IKM", "List of IKM nominations")}</caption>
                <thead><tr>
                    <th scope="col">{tr("IKM", "IKM")}</th>
                    <th scope="col">{tr("Produk", "Product")}</th>
                    <th scope="col">{tr("Kabupaten/kota", "Regency/city")}</th>
                    <th scope="col">{tr("Status", "Status")}</th>
                </tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|n| {
                        let href = format!("/usulan/{}", n.id);
                        let place = regency(n.regency_code.as_str()).map(|r| r.name.clone()).unwrap_or_default();
                        view! {
                            <tr>
                                <td class="ikm"><a href=href>{n.ikm_name}</a></td>
                                <td class="product" data-label=tr("Produk", "Product")>{n.product_name}</td>
                                <td class="place" data-label=tr("Kabupaten/kota", "Regency/city")>{place}</td>
                                <td class="status">{status_badge(n.status, lang())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {move || show_more.get().then(|| view! {
            <p class="more">
                <button type="button" on:click=load_more disabled=move || loading_more.get()>
                    {move || if loading_more.get() { t(lang(), "Memuat…", "Loading…") } else { t(lang(), "Muat lebih banyak", "Load more") }}
                </button>
            </p>
        })}
    }
    .into_any()
}

/// A new draft: the round open for proposals and the caller's regency are filled in.
#[component]
pub fn NewNomination() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let regency_code =
        ctx.session.with_untracked(
            |s| match s.as_ref().and_then(|s| s.principal.region.clone()) {
                Some(RegionScope::Regency(r)) => r.to_string(),
                _ => String::new(),
            },
        );
    let state = FormState::new(NominationForm {
        regency_code,
        ..Default::default()
    });
    // One key per intended nomination: pressing save again after a lost answer cannot duplicate.
    let key = StoredValue::new(api::new_idempotency_key());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let rounds = resource(move || api::rounds(ctx.lang.get_untracked()));
    let open_round = move || {
        rounds.get().and_then(|r| r.ok()).and_then(|list| {
            list.items
                .into_iter()
                .find(|r| r.phase == RoundPhase::OpenForProposals)
        })
    };
    let navigate = use_navigate();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(round) = open_round() {
            state.form.update(|f| f.round_id = round.id.clone());
        }
        let lang = ctx.lang.get_untracked();
        if !state.validate_or_report(lang, failure) {
            return;
        }
        let navigate = navigate.clone();
        let form = state.form.get_untracked();
        busy.set(true);
        let key = key.get_value();
        spawn_local(async move {
            match api::create(&key, &form, lang).await {
                Ok(n) => navigate(&format!("/usulan/{}", n.id), Default::default()),
                Err(e) => show_failure(e, state, failure, lang),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{tr("Usulan baru", "New nomination")}</h1>
        {move || open_round().map(|r| {
            let zone = state.form.with_untracked(|f| ovop_core::region::RegencyCode::parse(&f.regency_code).ok().map(|c| time_zone_of(&c)));
            let deadline = zone.map(|z| format_local(r.proposal_deadline, z)).unwrap_or_default();
            view! { <p class="context">{r.name.clone()} " — " {tr("batas pengusulan", "proposal deadline")} " " {deadline.clone()}</p> }
        })}
        <form on:submit=save novalidate>
            {move || failure.get().map(alert)}
            <NominationFields state=state/>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>{tr("Simpan draf", "Save draft")}</button>
                <A href="/">{tr("Batal", "Cancel")}</A>
            </div>
        </form>
    }
    .into_any()
}

fn show_failure(e: ApiFailure, state: FormState, failure: RwSignal<Option<String>>, lang: Lang) {
    if let ApiFailure::Problem(p) = &e {
        if !p.errors.is_empty() {
            state.errors.set(p.errors.clone());
        }
    }
    failure.set(Some(e.message(lang)));
}

/// One nomination: status, and while a draft the form, save, submit and withdraw.
#[component]
pub fn NominationDetail() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let lang = move || ctx.lang.get();
    let current = RwSignal::new(None::<NominationView>);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<&'static str>);
    let state = FormState::new(NominationForm::default());
    let loaded = resource(move || {
        let id = id();
        async move { api::nomination(&id, ctx.lang.get_untracked()).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(n)) = loaded.get() {
            state.form.set(n.form());
            current.set(Some(n));
        }
    });
    let can_edit = move || {
        let mine = ctx
            .session
            .with(|s| s.as_ref().map(|s| s.principal.role) == Some(Role::Pengusul));
        mine && current.with(|n| n.as_ref().is_some_and(|n| n.status.editable_by_proposer()))
    };
    let submit_key = StoredValue::new(api::new_idempotency_key());
    // The secretariat's decision, once recorded, is the nomination's new state.
    let decided = RwSignal::new(None::<NominationView>);
    Effect::new(move |_| {
        if let Some(n) = decided.get() {
            notice.set(Some("decided"));
            current.set(Some(n));
        }
    });
    let admin = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.principal.role) == Some(Role::Admin))
    };
    let secretariat = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.principal.role) == Some(Role::Verifikator))
    };
    let run = move |action: &'static str| {
        let lang = ctx.lang.get_untracked();
        let Some(n) = current.get_untracked() else {
            return;
        };
        if action != "withdraw" && !state.validate_or_report(lang, failure) {
            return;
        }
        let form = state.form.get_untracked();
        let submit_key = submit_key.get_value();
        failure.set(None);
        spawn_local(async move {
            let result = match action {
                "save" => api::update(&n, &form, lang).await,
                "submit" => {
                    // Save pending edits first, then submit that version.
                    let saved = if n.form() != form {
                        api::update(&n, &form, lang).await
                    } else {
                        Ok(n.clone())
                    };
                    match saved {
                        Ok(saved) => api::submit(&saved, &submit_key, lang).await,
                        Err(e) => Err(e),
                    }
                }
                _ => api::withdraw(&n, lang).await,
            };
            match result {
                Ok(updated) => {
                    notice.set(Some(match action {
                        "save" => "saved",
                        "submit" => "submitted",
                        _ => "withdrawn",
                    }));
                    current.set(Some(updated));
                }
                Err(e) => show_failure(e, state, failure, lang),
            }
        });
    };
    view! {
        {move || match loaded.get() {
            None => Some(view! { <p>{tr("Memuat…", "Loading…")}</p> }.into_any()),
            Some(Err(e)) => Some(alert(e.message(ctx.lang.get_untracked())).into_any()),
            Some(Ok(_)) => None,
        }}
        {move || current.get().map(|n| {
            let place = regency(n.regency_code.as_str()).map(|r| r.name.clone()).unwrap_or_default();
            view! {
                <h1>{n.ikm_name().to_owned()}</h1>
                <p class="context">
                    {place} " · " {n.round_id.clone()} " · "
                    {tr("Status: ", "Status: ")} {status_badge(n.status, lang())}
                </p>
                {n.submitted_at().map(|at| {
                    view! { <p class="context">{tr("Diajukan ", "Submitted ")} {format_local(at, n.zone())}</p> }
                })}
            }
        })}
        {move || notice.get().map(|what| {
            let (id, en) = match what {
                "saved" => ("Perubahan tersimpan.", "Changes saved."),
                "submitted" => ("Usulan telah diajukan ke Ditjen IKMA (tembusan ke dinas provinsi).", "Nomination submitted to Ditjen IKMA (copy to the province office)."),
                "decided" => ("Keputusan seleksi administrasi tercatat.", "The administrative selection decision is recorded."),
                _ => ("Usulan ditarik.", "Nomination withdrawn."),
            };
            view! { <p class="notice" role="status">{tr(id, en)}</p> }
        })}
        {move || failure.get().map(alert)}
        <Show when=can_edit fallback=move || current.get().map(|n| view! { <Summary n=n/> })>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default() novalidate>
                <NominationFields state=state/>
                <div class="actions">
                    <button type="button" on:click=move |_| run("save")>{tr("Simpan perubahan", "Save changes")}</button>
                    <button type="button" class="primary" on:click=move |_| run("submit")>{tr("Ajukan usulan", "Submit nomination")}</button>
                    <button type="button" class="danger" on:click=move |_| run("withdraw")>{tr("Tarik usulan", "Withdraw")}</button>
                </div>
            </form>
        </Show>
        {move || current.get().filter(|n| n.status == NominationStatus::NeedsRevision).map(|n| view! {
            <RevisionRequested n=n/>
        })}
        {move || current.with(|n| n.as_ref().map(|n| n.id.clone())).map(|id| view! {
            <Documents id=id can_edit=Signal::derive(can_edit)/>
        })}
        {move || current.get().filter(|n| {
            secretariat() && matches!(n.status, NominationStatus::Submitted | NominationStatus::AdminReview)
        }).map(|n| view! { <VerifyForm n=n decided=decided/> })}
        {move || current.with(|n| n.as_ref().filter(|_| admin()).map(|n| (n.id.clone(), n.round_id.clone(), n.status))).map(selection_of)}
        <p><A href="/">{tr("← Kembali ke daftar", "← Back to the list")}</A></p>
    }
    .into_any()
}

/// For the admin, a nomination's selection: its assessors (and assigning one more) while it
/// awaits or is in assessment, its scores once in assessment, and its audit trail.
fn selection_of((id, round, status): (String, String, NominationStatus)) -> AnyView {
    use NominationStatus as S;
    let assigning = matches!(status, S::AdminPassed | S::InAssessment).then(|| {
        let path = api::round_path(&round, "panels");
        let panels = load(move || path.clone());
        // A relation declared puts an assessor assigned already in conflict: both reload.
        let changed = RwSignal::new(0u32);
        view! {
            <section class="assessors-of" aria-labelledby="assessors-title">
                <h2 id="assessors-title">{tr("Penilai", "Assessors")}</h2>
                {assessors(id.clone(), panels, changed)}
            </section>
            {relations(id.clone(), changed)}
        }
    });
    let scored = matches!(
        status,
        S::InAssessment
            | S::Scored
            | S::NotRecommended
            | S::Recommended
            | S::Determined
            | S::Awarded
    );
    view! {
        {assigning}
        {scored.then(|| scores(id.clone()))}
        {audit_trail(&id)}
    }
    .into_any()
}

/// Read-only profile.
#[component]
pub fn Summary(n: NominationView) -> impl IntoView {
    let f = n.form();
    let number = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
    let row = move |label: (&'static str, &'static str), value: String| {
        view! { <tr><th scope="row">{tr(label.0, label.1)}</th><td>{value}</td></tr> }
    };
    view! {
        <table class="summary">
            {row(("NIB", "NIB"), f.ikm.nib)}
            {row(("Pemilik", "Owner"), f.ikm.owner_name)}
            {row(("Tenaga kerja", "Workers"), number(f.ikm.workers))}
            {row(("Sentra", "Sentra"), format!("{} ({} unit, SK {})", f.sentra.name, number(f.sentra.unit_count), f.sentra.sk_number))}
            {row(("Produk", "Product"), f.product.name)}
            {row(("Komoditas", "Commodity"), f.product.commodity)}
            {row(("Bahan baku lokal", "Local raw material"), format!("{}%", number(f.product.local_material_pct)))}
        </table>
    }
}
