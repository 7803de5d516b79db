//! The admin's selection page of a round, `/seleksi?periode=&bagian=`: rubrics and panels,
//! assignment, scoring progress, and the leaderboard with moderation and the locked
//! recommendation — one part at a time, chosen in the page's own menu.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::dto::RoundPage;
use ovop_core::rubric::Rubric;
use ovop_core::Lang;
use serde::Deserialize;

use crate::api;
use crate::assign::assignment;
use crate::i18n::{t, tr};
use crate::leaderboard::leaderboard;
use crate::panels::panels_editor;
use crate::resource::{load, Loaded};
use crate::session::AppCtx;
use crate::ui::{
    alert_of, dyn_opt, html, html_with_actions, items, n, on_submit, on_value, s, show, Html, Value,
};

/// The parts of the page: `bagian` in the URL, and the menu's label.
const PARTS: [(&str, (&str, &str)); 4] = [
    ("panel", ("Rubrik dan panel", "Rubrics and panels")),
    ("penugasan", ("Penugasan", "Assignment")),
    ("kemajuan", ("Kemajuan", "Progress")),
    ("peringkat", ("Peringkat", "Leaderboard")),
];

/// The page's URL for a round and a part.
pub fn page_path(round: &str, part: &str) -> String {
    let round = String::from(js_sys::encode_uri_component(round));
    format!("/seleksi?periode={round}&bagian={part}")
}

/// The round a page is about — `periode` in its URL; without one, the newest round, written
/// into the URL —, the rounds, and the picker that changes it.
pub struct RoundChoice {
    pub round: Memo<String>,
    pub rounds: Loaded,
    pub picker: AnyView,
}

/// The round of the page at `path(round)` (`/seleksi?periode=…`, `/penetapan?periode=…`).
pub fn round_choice(path: Arc<dyn Fn(&str) -> String + Send + Sync>) -> RoundChoice {
    let query = use_query_map();
    let round = Memo::new(move |_| query.with(|q| q.get("periode")).unwrap_or_default());
    let rounds = load(|| "/rounds".into());
    let navigate = use_navigate();
    let (newest, to) = (navigate.clone(), path.clone());
    Effect::new(move |_| {
        if round.get().is_empty() {
            let first = rounds.with(|r| match r {
                Some(Ok(json)) => api::read::<RoundPage>(json.clone())
                    .ok()?
                    .items
                    .into_iter()
                    .next(),
                _ => None,
            });
            if let Some(r) = first {
                let options = NavigateOptions {
                    replace: true,
                    ..Default::default()
                };
                newest(&to(&r.id), options);
            }
        }
    });
    let on_round = move |round: String| navigate(&path(&round), Default::default());
    let picker = show(rounds, move |json, lang| {
        let page = api::read::<RoundPage>(json)?;
        if page.items.is_empty() {
            let none = t(
                lang,
                "Belum ada periode penghargaan.",
                "No award round yet.",
            );
            return Ok(html(Html::status("list-status", none)));
        }
        let options = page.items.into_iter().map(|r| {
            let selected = round.with_untracked(|id| *id == r.id);
            view! { <option value=r.id selected=selected>{r.name}</option> }
        });
        Ok(view! {
            <div class="field round-pick">
                <label for="page-round">{tr("Periode", "Round")}</label>
                <select id="page-round" name="round" on:change=on_value(on_round.clone())>{options.collect_view()}</select>
            </div>
        }
        .into_any())
    });
    RoundChoice {
        round,
        rounds,
        picker,
    }
}

#[component]
pub fn Selection() -> impl IntoView {
    let query = use_query_map();
    let part = Memo::new(move |_| {
        let asked = query.with(|q| q.get("bagian")).unwrap_or_default();
        PARTS
            .iter()
            .find(|(key, _)| *key == asked)
            .map_or(PARTS[0].0, |(key, _)| key)
    });
    let RoundChoice {
        round,
        rounds,
        picker,
    } = round_choice(Arc::new(move |r: &str| page_path(r, part.get_untracked())));
    let tabs = PARTS
        .iter()
        .map(|(key, label)| {
            let href = move || page_path(&round.get(), key);
            let current = move || (part.get() == *key).then_some("page");
            view! { <a href=href aria-current=current>{tr(label.0, label.1)}</a> }
        })
        .collect_view();
    view! {
        <h1>{tr("Seleksi", "Selection")}</h1>
        {picker}
        <nav class="tabs" aria-label=tr("Bagian seleksi", "Parts of the selection")>{tabs}</nav>
        {dyn_opt(move || {
            let round = round.get();
            (!round.is_empty()).then(|| match part.get() {
                "penugasan" => assignment(round),
                "kemajuan" => progress(round),
                "peringkat" => leaderboard(round),
                _ => view! { {rubrics(round.clone(), rounds)} {panels_editor(round)} }.into_any(),
            })
        })}
    }
}

/// The round's rubrics.
#[derive(Deserialize)]
struct RubricList {
    items: Vec<Rubric>,
}

/// Each commodity group's rubric for the round, and for a group without one the proposed
/// default to start from or the rubric of another round (`rounds`) to copy.
fn rubrics(round: String, rounds: Loaded) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let reload = RwSignal::new(0u32);
    let failure = RwSignal::new(None::<String>);
    let path = api::round_path(&round, "rubrics");
    let list = load(move || {
        reload.track();
        path.clone()
    });
    let round = StoredValue::new(round);
    let propose = move |code: String| {
        let lang = lang.get_untracked();
        let proposing = api::propose_rubric(&round.get_value(), &code, lang);
        failure.set(None);
        spawn_local(async move {
            match proposing.await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    // The round whose rubric a group copies.
    let source = RwSignal::new(String::new());
    // The rubrics as last drawn, and the one whose weights are being edited.
    let drawn = StoredValue::new(Vec::<Rubric>::new());
    let editing = RwSignal::new(None::<Rubric>);
    let copy = move |code: String| {
        let lang = lang.get_untracked();
        let from = source.get_untracked();
        let copying = api::copy_rubric(&round.get_value(), &code, &from, lang);
        failure.set(None);
        spawn_local(async move {
            match copying.await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    let sources = show(rounds, move |json, _| {
        let this = round.get_value();
        let options = api::read::<RoundPage>(json)?
            .items
            .into_iter()
            .filter(|r| r.id != this)
            .map(|r| view! { <option value=r.id>{r.name}</option> });
        Ok(view! {
            <div class="field">
                <label for="rubric-source">{tr("Salin dari periode", "Copy from the round")}</label>
                <select id="rubric-source" on:change=on_value(move |v| source.set(v))>
                    <option value="">{tr("— pilih —", "— choose —")}</option>
                    {options.collect_view()}
                </select>
            </div>
        }
        .into_any())
    });
    let table = show(list, move |json, lang| {
        let items = api::read::<RubricList>(json)?.items;
        drawn.set_value(items.clone());
        let rows = CommodityCatalog::default()
            .groups
            .into_iter()
            .filter(|c| c.active)
            .map(|c| {
                let rubric = items.iter().find(|r| r.commodity.as_ref() == Some(&c.code));
                let state = match rubric {
                    None => t(lang, "Belum ada", "None yet"),
                    Some(r) if r.frozen => t(
                        lang,
                        "Dibekukan (penilaian berjalan)",
                        "Frozen (scoring started)",
                    ),
                    Some(r) if r.proposed_default => t(lang, "Rubrik usulan", "Proposed rubric"),
                    Some(_) => t(lang, "Ditetapkan", "Defined"),
                };
                let name = if lang == Lang::Id {
                    c.name_id
                } else {
                    c.name_en
                };
                let action = match rubric {
                    None => Html::button(
                        "propose",
                        &c.code,
                        t(lang, "Pakai rubrik usulan", "Use the proposed rubric"),
                        &name,
                    )
                    .and(Html::button(
                        "copy",
                        &c.code,
                        t(lang, "Salin", "Copy"),
                        &name,
                    )),
                    Some(r) if !r.frozen => Html::button(
                        "edit",
                        &c.code,
                        t(lang, "Ubah bobot", "Change the weights"),
                        &name,
                    ),
                    Some(_) => Html::default(),
                };
                vec![Html::text(&name), Html::text(state), action]
            })
            .collect();
        let table = Html::table(
            "rubrics",
            (
                "Rubrik per kelompok komoditas",
                "Rubrics per commodity group",
            ),
            &[
                ("Kelompok komoditas", "Commodity group"),
                ("Rubrik", "Rubric"),
                ("Tindakan", "Action"),
            ],
            rows,
            lang,
        );
        Ok(html_with_actions(table, move |act, code| {
            match act.as_str() {
                "copy" => copy(code),
                "edit" => editing.set(drawn.with_value(|items| {
                    items
                        .iter()
                        .find(|r| r.commodity.as_deref() == Some(code.as_str()))
                        .cloned()
                })),
                _ => propose(code),
            }
        }))
    });
    view! {
        <section class="rubrics" aria-labelledby="rubrics-title">
            <h2 id="rubrics-title">{tr("Rubrik penilaian", "Scoring rubrics")}</h2>
            <p class="hint">{tr("Rubrik dibekukan saat nilai pertama disimpan.",
                "A rubric freezes when the first score is saved.")}</p>
            {alert_of(failure)}
            {sources}
            {table}
            {dyn_opt(move || editing.get().map(|r| {
                let saved = move || {
                    editing.set(None);
                    reload.update(|n| *n += 1);
                };
                weights_editor(round.get_value(), r, saved)
            }))}
        </section>
    }
    .into_any()
}

/// The JSON of a [`ovop_core::rubric::RubricForm`]: `rubric` with `weights` in its
/// criteria's order, written by hand (a derive would add a serializer per type to the wasm).
fn rubric_body(rubric: &Rubric, weights: &[u32]) -> String {
    let text = |t: &ovop_core::Text| api::text_object(&[("id", &t.id), ("en", &t.en)]);
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut weight = weights.iter();
    let aspects: Vec<String> = rubric
        .aspects
        .iter()
        .map(|a| {
            let criteria: Vec<String> = a
                .criteria
                .iter()
                .map(|c| {
                    let levels: Vec<String> = c.levels.iter().map(text).collect();
                    format!(
                        "{{\"code\":{},\"name\":{},\"weight\":{},\"levels\":[{}]}}",
                        quoted(&c.code),
                        text(&c.name),
                        weight.next().copied().unwrap_or(c.weight),
                        levels.join(",")
                    )
                })
                .collect();
            format!(
                "{{\"code\":{},\"name\":{},\"criteria\":[{}]}}",
                quoted(&a.code),
                text(&a.name),
                criteria.join(",")
            )
        })
        .collect();
    format!(
        "{{\"name\":{},\"aspects\":[{}]}}",
        text(&rubric.name),
        aspects.join(",")
    )
}

/// The weights of a rubric not frozen yet: one number per criterion, their sum shown as it
/// changes (it must be 100), saved with `If-Match`; `saved` runs once the server took them.
fn weights_editor(round: String, rubric: Rubric, saved: impl Fn() + Copy + 'static) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let failure = RwSignal::new(None::<String>);
    let criteria: Vec<(String, ovop_core::Text, u32)> = rubric
        .aspects
        .iter()
        .flat_map(|a| {
            a.criteria
                .iter()
                .map(|c| (c.code.clone(), c.name.clone(), c.weight))
        })
        .collect();
    let weights = RwSignal::new(criteria.iter().map(|c| c.2).collect::<Vec<u32>>());
    let inputs = criteria
        .into_iter()
        .enumerate()
        .map(|(i, (code, name, weight))| {
            let id = format!("weight-{code}");
            let label = move || format!("{code} {}", name.get(lang.get()));
            let set = move |v: String| weights.update(|w| w[i] = v.trim().parse().unwrap_or(0));
            view! {
                <div class="field weight">
                    <label for=id.clone()>{label}</label>
                    <input id=id type="number" min="0" max="100" value=weight.to_string() on:input=on_value(set)/>
                </div>
            }
        })
        .collect_view();
    let sum = move || weights.with(|w| w.iter().sum::<u32>());
    let rubric = StoredValue::new(rubric);
    let save = move || {
        let lang = lang.get_untracked();
        let (commodity, version, body) = rubric.with_value(|r| {
            (
                r.commodity.clone().unwrap_or_default(),
                r.version,
                rubric_body(r, &weights.get_untracked()),
            )
        });
        let saving = api::define_rubric(&round, &commodity, version, body, lang);
        failure.set(None);
        spawn_local(async move {
            match saving.await {
                Ok(_) => saved(),
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    view! {
        <form class="weights" on:submit=on_submit(save) novalidate aria-labelledby="weights-title">
            <h3 id="weights-title">{tr("Bobot kriteria", "Criteria weights")}</h3>
            {alert_of(failure)}
            {inputs}
            <p class="sum" role="status">{move || format!("{}: {} / 100", t(lang.get(), "Jumlah bobot", "Sum of the weights"), sum())}</p>
            <div class="actions"><button type="submit">{tr("Simpan bobot", "Save the weights")}</button></div>
        </form>
    }
    .into_any()
}

/// Assigned and submitted sheets per panel and assessor.
fn progress(round: String) -> AnyView {
    let path = api::round_path(&round, "progress");
    let table = show(load(move || path.clone()), |json, lang| {
        Ok(html(progress_view(&api::read(json)?, lang)))
    });
    view! {
        <section class="progress" aria-labelledby="progress-title">
            <h2 id="progress-title">{tr("Kemajuan penilaian", "Scoring progress")}</h2>
            {table}
        </section>
    }
    .into_any()
}

/// A round's [`ovop_core::dto::selection::Progress`]: the round's count, then each panel's and
/// its assessors'.
fn progress_view(p: &Value, lang: Lang) -> Html {
    let row = |panel: &str, who: &str, c: &Value| {
        let (scored, assigned) = (
            c["scored"].as_u64().unwrap_or(0),
            c["assigned"].as_u64().unwrap_or(0),
        );
        let done = format!("{}%", (scored * 100).checked_div(assigned).unwrap_or(0));
        let cells = [
            panel,
            who,
            &assigned.to_string(),
            &scored.to_string(),
            &done,
        ];
        cells.into_iter().map(Html::text).collect()
    };
    let mut rows = Vec::new();
    for panel in items(&p["panels"]) {
        let id = s(&panel["panel_id"]);
        rows.push(row(
            id,
            t(lang, "Seluruh panel", "Whole panel"),
            &panel["count"],
        ));
        for a in items(&panel["assessors"]) {
            rows.push(row(
                id,
                &format!("{} ({})", s(&a["name"]), s(&a["user_id"])),
                &a["count"],
            ));
        }
    }
    let (scored, assigned) = (n(&p["count"]["scored"]), n(&p["count"]["assigned"]));
    let summary = match lang {
        Lang::Id => format!("{scored} dari {assigned} lembar nilai telah dikirim."),
        Lang::En => format!("{scored} of {assigned} score sheets submitted."),
    };
    let table = Html::table(
        "progress",
        (
            "Kemajuan per panel dan penilai",
            "Progress per panel and assessor",
        ),
        &[
            ("Panel", "Panel"),
            ("Penilai", "Assessor"),
            ("Ditugaskan", "Assigned"),
            ("Dikirim", "Submitted"),
            ("Selesai", "Done"),
        ],
        rows,
        lang,
    );
    Html::el("p", "context", Html::text(&summary)).and(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weights_body_is_the_rubric_form_with_the_new_weights_and_texts_escaped() {
        let catalog = CommodityCatalog::default();
        let anyaman = catalog.get("anyaman").unwrap();
        let mut rubric = Rubric::proposed("ovop-2026", anyaman);
        rubric.name.id = "Rubrik \"anyaman\"\n2026".into();
        let count = rubric
            .aspects
            .iter()
            .map(|a| a.criteria.len())
            .sum::<usize>();
        let weights: Vec<u32> = (0..count as u32).collect();
        let form: ovop_core::rubric::RubricForm =
            serde_json::from_str(&rubric_body(&rubric, &weights)).expect("a RubricForm");
        assert_eq!(form.name, rubric.name);
        let sent: Vec<u32> = form
            .aspects
            .iter()
            .flat_map(|a| a.criteria.iter().map(|c| c.weight))
            .collect();
        assert_eq!(sent, weights);
        let mut expected = rubric.aspects.clone();
        let mut w = weights.iter();
        for c in expected.iter_mut().flat_map(|a| a.criteria.iter_mut()) {
            c.weight = *w.next().unwrap();
        }
        assert_eq!(form.aspects, expected, "everything else as it was");
    }

    #[test]
    fn progress_counts_the_round_each_panel_and_each_assessor() {
        let html = format!(
            "{:?}",
            progress_view(&crate::fixtures::progress(), Lang::En)
        );
        assert!(html.contains("1 of 2 score sheets submitted."), "{html}");
        assert!(
            html.contains("kementerian</th><td>Whole panel</td><td>2</td><td>1</td><td>50%"),
            "{html}"
        );
        assert!(
            html.contains(
                "kementerian</th><td>Dr. Ratna (penilai-1)</td><td>1</td><td>1</td><td>100%"
            ),
            "{html}"
        );
    }
}
