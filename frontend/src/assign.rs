//! Assigning assessors (admin): one nomination at a time — an assessor in conflict of interest
//! is refused unless the admin overrides it with a reason —, from a CSV file, or by
//! automatic balancing of one panel over the round.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::dto::selection::{AssignRequest, BalanceRequest};
use ovop_core::dto::NominationPage;
use ovop_core::panel::ConflictReason;
use ovop_core::region::regency;
use ovop_core::status::NominationStatus;
use ovop_core::Lang;
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, ListQuery};
use crate::i18n::{t, tr};
use crate::resource::{load, Loaded};
use crate::session::AppCtx;
use crate::ui::{
    alert_of, at, dyn_opt, dyn_text, error_field, focus_by_id, html, html_with_actions, items, n,
    notice_of, on_submit, on_value, s, show, text_field, text_in, Html, Value,
};

/// The list of the round's nominations in `status` (one page of up to 200).
fn list_path(round: &str, status: NominationStatus) -> String {
    let query = ListQuery {
        round: round.into(),
        status: status.as_str().into(),
        limit: Some(200),
        cursor: None,
    };
    format!("/nominations?{}", query.query_string())
}

/// The round's panels ([`ovop_core::panel::Panels`]) that `loaded` holds.
fn panels_of(loaded: Loaded) -> Option<Value> {
    loaded.get()?.ok().and_then(|json| api::read(json).ok())
}

/// The options of a picker: (value, label) each.
fn options(list: Vec<(String, String)>, chosen: RwSignal<String>) -> AnyView {
    list.into_iter()
        .map(|(value, label)| {
            let selected = chosen.with_untracked(|c| *c == value);
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view()
        .into_any()
}

/// The options of a panel picker; the first panel is chosen when none is.
fn panel_options(loaded: Loaded, chosen: RwSignal<String>) -> AnyView {
    dyn_opt(move || {
        let panels = panels_of(loaded)?;
        let list: Vec<_> = items(&panels["panels"])
            .iter()
            .map(|p| {
                (
                    s(&p["id"]).to_owned(),
                    format!("{} ({})", s(&p["name"]), s(&p["id"])),
                )
            })
            .collect();
        if chosen.with_untracked(String::is_empty) {
            if let Some((first, _)) = list.first() {
                chosen.set(first.clone());
            }
        }
        Some(options(list, chosen))
    })
}

/// The assignment part of the selection page: the nominations awaiting assessment, the
/// assessors of the one chosen, assignment from a file and balancing.
pub fn assignment(round: String) -> AnyView {
    let reload = RwSignal::new(0u32);
    let (passed, assessing) = (
        list_path(&round, NominationStatus::AdminPassed),
        list_path(&round, NominationStatus::InAssessment),
    );
    let first = load(move || {
        reload.track();
        passed.clone()
    });
    let second = load(move || {
        reload.track();
        assessing.clone()
    });
    let panels = load({
        let path = api::round_path(&round, "panels");
        move || path.clone()
    });
    let round = StoredValue::new(round);
    let names = move |id: &str| {
        [first, second]
            .into_iter()
            .find_map(|l| {
                l.with_untracked(|a| match a {
                    Some(Ok(json)) => api::read::<NominationPage>(json.clone()).ok(),
                    _ => None,
                })
                .and_then(|p| p.items.into_iter().find(|n| n.id == id))
            })
            .map_or_else(|| id.to_owned(), |n| n.ikm_name)
    };
    // The nomination whose assessors are shown below the table: (id, name).
    let chosen = RwSignal::new(None::<(String, String)>);
    let table = show(first, move |json, lang| {
        let mut items = api::read::<NominationPage>(json)?.items;
        match second.get() {
            Some(answer) => items.extend(api::read::<NominationPage>(answer?)?.items),
            None => {
                return Ok(html(Html::status(
                    "list-status",
                    t(lang, "Memuat…", "Loading…"),
                )))
            }
        }
        if items.is_empty() {
            let none = t(
                lang,
                "Belum ada usulan yang lulus seleksi administrasi.",
                "No nomination has passed administrative selection yet.",
            );
            return Ok(html(Html::status("list-status", none)));
        }
        let rows = items
            .into_iter()
            .map(|n| {
                let place = regency(n.regency_code.as_str())
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                vec![
                    Html::link(&format!("/usulan/{}", n.id), &n.ikm_name),
                    Html::text(&place),
                    Html::badge(n.status, lang),
                    Html::button(
                        "assessors",
                        &n.id,
                        t(lang, "Atur penilai", "Assessors"),
                        &n.ikm_name,
                    ),
                ]
            })
            .collect();
        let table = Html::table(
            "to-assign",
            (
                "Usulan yang menunggu penilaian",
                "Nominations awaiting assessment",
            ),
            &[
                ("IKM", "IKM"),
                ("Kabupaten/kota", "Regency/city"),
                ("Status", "Status"),
                ("Penilai", "Assessors"),
            ],
            rows,
            lang,
        );
        Ok(html_with_actions(table, move |_, id| {
            chosen.set(Some((id.clone(), names(&id))));
            focus_by_id("assessors-title");
        }))
    });
    view! {
        <section class="assignment" aria-labelledby="assignment-title">
            <h2 id="assignment-title">{tr("Penugasan penilai", "Assigning assessors")}</h2>
            {table}
            {dyn_opt(move || chosen.get().map(|(id, name)| view! {
                <section class="chosen" aria-labelledby="assessors-title">
                    <h3 id="assessors-title" tabindex="-1">{tr("Penilai: ", "Assessors: ")} {name}</h3>
                    {assessors(id, panels, reload)}
                </section>
            }.into_any()))}
        </section>
        {bulk_assign(round, reload)}
        {balance(round, reload, panels, names)}
    }
    .into_any()
}

/// A nomination's assessors and the form that assigns one more, from the round's `panels`;
/// the list is loaded again when `reload` changes, and `reload` is bumped after an assignment.
pub fn assessors(id: String, panels: Loaded, reload: RwSignal<u32>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let dom = format!("assign-{id}");
    let path = api::nomination_path(&id, "assessors");
    let list = load(move || {
        reload.track();
        path.clone()
    });
    let id = StoredValue::new(id);
    let panel = RwSignal::new(String::new());
    let assessor = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    // Refused for a conflict of interest: the override's reason is asked for.
    let conflict = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let assign = move || {
        let lang = lang.get_untracked();
        let who = assessor.get_untracked();
        notice.set(None);
        if who.is_empty() {
            failure.set(Some(
                t(lang, "Pilih penilai.", "Choose an assessor.").into(),
            ));
            return;
        }
        let req = AssignRequest {
            panel: panel.get_untracked(),
            override_reason: conflict.get_untracked().then(|| reason.get_untracked()),
        };
        let assigning = api::assign(&id.get_value(), &who, &req, lang);
        failure.set(None);
        spawn_local(async move {
            match assigning.await.and_then(api::read::<Value>) {
                Ok(a) => {
                    let done = t(lang, "ditugaskan.", "is assigned.");
                    notice.set(Some(format!("{} {done}", s(&a["assessor_name"]))));
                    conflict.set(false);
                    reason.set(String::new());
                    assessor.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    conflict.set(e.code() == "conflict_of_interest");
                    failure.set(Some(e.details(lang)));
                }
            }
        });
    };
    let current = show(list, |json, lang| {
        Ok(html(assessor_list(&api::read(json)?, lang)))
    });
    let members = move || {
        let all = panels_of(panels)?;
        let chosen = panel.get();
        let members = items(&all["panels"])
            .iter()
            .find(|p| s(&p["id"]) == chosen)?;
        let list = items(&members["members"])
            .iter()
            .map(|m| {
                (
                    s(&m["user_id"]).to_owned(),
                    format!("{} ({})", s(&m["name"]), s(&m["user_id"])),
                )
            })
            .collect();
        Some(options(list, assessor))
    };
    let pick_panel = move |v| {
        panel.set(v);
        assessor.set(String::new());
    };
    let pick_assessor = move |v| {
        assessor.set(v);
        conflict.set(false);
        failure.set(None);
    };
    let override_reason = {
        let reason_id = format!("{dom}-reason");
        move || {
            let label = (
                "Alasan mengesampingkan konflik",
                "Reason for overriding the conflict",
            );
            conflict
                .get()
                .then(|| text_field(reason_id.clone(), label, reason, 2))
        }
    };
    let button = move || {
        let (id, en) = if conflict.get() {
            ("Tugaskan dengan pengesampingan", "Assign with the override")
        } else {
            ("Tugaskan", "Assign")
        };
        t(lang.get(), id, en).to_owned()
    };
    let (panel_id, who_id) = (format!("{dom}-panel"), format!("{dom}-assessor"));
    view! {
        {current}
        <form class="assign" on:submit=on_submit(assign) novalidate>
            <div class="field">
                <label for=panel_id.clone()>{tr("Panel", "Panel")}</label>
                <select id=panel_id on:change=on_value(pick_panel)>{panel_options(panels, panel)}</select>
            </div>
            <div class="field">
                <label for=who_id.clone()>{tr("Penilai", "Assessor")}</label>
                <select id=who_id prop:value=dyn_text(move || assessor.get()) on:change=on_value(pick_assessor)>
                    <option value="">{tr("— pilih —", "— choose —")}</option>
                    {dyn_opt(members)}
                </select>
            </div>
            {alert_of(failure)}
            {dyn_opt(override_reason)}
            {notice_of(notice)}
            <div class="actions"><button type="submit" class="primary">{dyn_text(button)}</button></div>
        </form>
    }
    .into_any()
}

/// A nomination's assessors ([`ovop_core::dto::selection::AssignmentList`]), with conflicts
/// and overrides.
fn assessor_list(list: &Value, lang: Lang) -> Html {
    let mut lines = Html::default();
    for a in items(&list["items"]) {
        let mut line = format!(
            "{} ({}) · panel {}",
            s(&a["assessor_name"]),
            s(&a["assessor"]),
            s(&a["panel_id"])
        );
        if !a["scored_at"].is_null() {
            line.push_str(t(lang, " · nilai dikirim", " · scores submitted"));
        }
        let conflict = &a["conflict"];
        if !conflict.is_null() {
            let reason = match s(&conflict["kind"]) {
                "own_region" => ConflictReason::OwnRegion,
                "declared" => ConflictReason::Declared {
                    reason: s(&conflict["reason"]).to_owned(),
                },
                _ => ConflictReason::NamedOnNomination,
            };
            line.push_str(" · ");
            line.push_str(reason.label().get(lang));
        }
        if let Some(why) = a["override_reason"].as_str() {
            line.push_str(&format!(
                " · {} {why}",
                t(lang, "dikesampingkan:", "overridden:")
            ));
        }
        lines = lines.and(Html::el("li", "assessor", Html::text(&line)));
    }
    if lines == Html::default() {
        return Html::status("hint", t(lang, "Belum ada penilai.", "No assessors yet."));
    }
    Html::el("ul", "assessors", lines)
}

/// The relations declared between a nomination and assessors, and the form that records one;
/// `changed` is bumped after a declaration (an assessor assigned meanwhile is now in
/// conflict).
pub fn relations(id: String, changed: RwSignal<u32>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let path = api::nomination_path(&id, "relations");
    let list = load(move || {
        changed.track();
        path.clone()
    });
    let id = StoredValue::new(id);
    let assessor = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Default::default());
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let declare = move || {
        let lang = lang.get_untracked();
        let declaring = api::declare_relation(
            &id.get_value(),
            assessor.get_untracked().trim(),
            &reason.get_untracked(),
            lang,
        );
        failure.set(None);
        notice.set(None);
        spawn_local(async move {
            match declaring.await {
                Ok(_) => {
                    let done = t(lang, "Hubungan tercatat.", "The relation is recorded.");
                    notice.set(Some(done.into()));
                    errors.set(Default::default());
                    assessor.set(String::new());
                    reason.set(String::new());
                    changed.update(|n| *n += 1);
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    failure.set(Some(e.message(lang)));
                }
            }
        });
    };
    let current = show(list, |json, lang| {
        Ok(html(relation_list(&api::read(json)?, lang)))
    });
    view! {
        <section class="relations" aria-labelledby="relations-title">
            <h2 id="relations-title">{tr("Hubungan dengan penilai", "Relations with assessors")}</h2>
            {current}
            <form class="relation" on:submit=on_submit(declare) novalidate aria-labelledby="relation-title">
                <h3 id="relation-title">{tr("Catat hubungan dengan penilai", "Record a relation with an assessor")}</h3>
                {error_field("relation-assessor".into(), ("Id pengguna penilai", "Assessor's user id"), assessor, 0, errors, "assessor")}
                {error_field("relation-reason".into(), ("Hubungan (keluarga, usaha, pembina …)", "Relation (family, business, adviser …)"), reason, 2, errors, "reason")}
                {alert_of(failure)}
                {notice_of(notice)}
                <div class="actions"><button type="submit">{tr("Catat hubungan", "Record the relation")}</button></div>
            </form>
        </section>
    }
    .into_any()
}

/// A nomination's relations ([`ovop_core::dto::selection::RelationList`]).
fn relation_list(list: &Value, lang: Lang) -> Html {
    let rows: Vec<_> = items(&list["items"])
        .iter()
        .map(|r| {
            [&r["assessor"], &r["reason"], &r["declared_by"]]
                .into_iter()
                .map(|v| Html::text(s(v)))
                .chain([Html::text(&at(&r["declared_at"]))])
                .collect()
        })
        .collect();
    if rows.is_empty() {
        let none = t(
            lang,
            "Belum ada hubungan tercatat.",
            "No relation recorded.",
        );
        return Html::status("hint", none);
    }
    Html::table(
        "relations",
        ("Hubungan tercatat", "Recorded relations"),
        &[
            ("Penilai", "Assessor"),
            ("Hubungan", "Relation"),
            ("Dicatat oleh", "Recorded by"),
            ("Waktu", "When"),
        ],
        rows,
        lang,
    )
}

/// What a bulk assignment or a balancing did ([`ovop_core::dto::selection::BulkReport`],
/// [`ovop_core::dto::selection::BalanceReport`]): the number of assignments made, and the lines
/// refused or the nominations short of assessors.
fn report(r: &Value, lang: Lang, names: &dyn Fn(&str) -> String) -> Html {
    let made = format!(
        "{} {}",
        items(&r["assigned"]).len(),
        t(lang, "penugasan dibuat.", "assignments made.")
    );
    let refused: Vec<_> = items(&r["rejected"])
        .iter()
        .map(|x| {
            vec![
                Html::text(&n(&x["line"])),
                Html::text(text_in(&x["reason"], lang)),
            ]
        })
        .collect();
    let short: Vec<_> = items(&r["short"])
        .iter()
        .map(|x| {
            vec![
                Html::text(&names(s(&x["nomination_id"]))),
                Html::text(&n(&x["missing"])),
            ]
        })
        .collect();
    let mut out = Html::status("notice", &made);
    if !refused.is_empty() {
        out = out.and(Html::table(
            "rejected",
            ("Baris yang ditolak", "Lines refused"),
            &[("Baris", "Line"), ("Alasan", "Reason")],
            refused,
            lang,
        ));
    }
    if !short.is_empty() {
        out = out.and(Html::table(
            "short",
            (
                "Usulan yang kekurangan penilai",
                "Nominations short of assessors",
            ),
            &[
                ("Usulan", "Nomination"),
                ("Penilai kurang", "Assessors missing"),
            ],
            short,
            lang,
        ));
    }
    out
}

/// Assignments from a CSV file (`nomination,assessor,panel,override_reason`), and the report
/// of what was assigned and which lines were not.
fn bulk_assign(round: StoredValue<String>, reload: RwSignal<u32>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let file = NodeRef::<html::Input>::new();
    let answer = RwSignal::new(None::<Value>);
    let failure = RwSignal::new(None::<String>);
    let send = move || {
        let lang = lang.get_untracked();
        let Some(chosen) = file.get().and_then(|i| i.files()).and_then(|f| f.get(0)) else {
            failure.set(Some(
                t(lang, "Pilih berkas CSV.", "Choose a CSV file.").into(),
            ));
            return;
        };
        let round = round.get_value();
        failure.set(None);
        spawn_local(async move {
            let csv = JsFuture::from(chosen.text()).await;
            let csv = csv.ok().and_then(|v| v.as_string()).unwrap_or_default();
            match api::bulk_assign(&round, csv, lang)
                .await
                .and_then(api::read::<Value>)
            {
                Ok(r) => {
                    answer.set(Some(r));
                    reload.update(|n| *n += 1);
                }
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    let result = move || {
        answer.with(|r| {
            r.as_ref()
                .map(|r| html(report(r, lang.get(), &|id| id.to_owned())))
        })
    };
    view! {
        <form class="bulk" on:submit=on_submit(send) novalidate aria-labelledby="bulk-title">
            <h2 id="bulk-title">{tr("Penugasan dari berkas CSV", "Assignments from a CSV file")}</h2>
            <p class="hint" id="bulk-hint">{tr("Baris pertama: nomination,assessor,panel,override_reason — lalu satu penugasan per baris.",
                "First line: nomination,assessor,panel,override_reason — then one assignment per line.")}</p>
            <div class="field">
                <label for="bulk-csv">{tr("Berkas CSV", "CSV file")}</label>
                <input id="bulk-csv" type="file" accept=".csv,text/csv" aria-describedby="bulk-hint" node_ref=file/>
            </div>
            {alert_of(failure)}
            <div class="actions"><button type="submit">{tr("Tugaskan dari berkas", "Assign from the file")}</button></div>
            {dyn_opt(result)}
        </form>
    }
    .into_any()
}

/// Automatic balancing: every nomination of the round gets N assessors of one panel, loads at
/// most one apart, never one in conflict; what could not be staffed is listed.
fn balance(
    round: StoredValue<String>,
    reload: RwSignal<u32>,
    panels: Loaded,
    names: impl Fn(&str) -> String + Send + 'static,
) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let panel = RwSignal::new(String::new());
    let per = RwSignal::new("2".to_owned());
    let answer = RwSignal::new(None::<Value>);
    let failure = RwSignal::new(None::<String>);
    let run = move || {
        let lang = lang.get_untracked();
        let req = BalanceRequest {
            panel: panel.get_untracked(),
            per_nomination: per.get_untracked().trim().parse().unwrap_or(0),
        };
        let balancing = api::balance(&round.get_value(), &req, lang);
        failure.set(None);
        spawn_local(async move {
            match balancing.await.and_then(api::read::<Value>) {
                Ok(r) => {
                    answer.set(Some(r));
                    reload.update(|n| *n += 1);
                }
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    let result = move || answer.with(|r| r.as_ref().map(|r| html(report(r, lang.get(), &names))));
    view! {
        <form class="balance" on:submit=on_submit(run) novalidate aria-labelledby="balance-title">
            <h2 id="balance-title">{tr("Penyeimbangan otomatis", "Automatic balancing")}</h2>
            <p class="hint">{tr("Setiap usulan mendapat sejumlah penilai dari satu panel, tanpa penilai yang berkonflik.",
                "Each nomination gets a number of the panel's assessors, none in conflict.")}</p>
            <div class="field">
                <label for="balance-panel">{tr("Panel", "Panel")}</label>
                <select id="balance-panel" on:change=on_value(move |v| panel.set(v))>{panel_options(panels, panel)}</select>
            </div>
            {text_field("balance-per".into(), ("Penilai per usulan (1–9)", "Assessors per nomination (1–9)"), per, 0)}
            {alert_of(failure)}
            <div class="actions"><button type="submit">{tr("Seimbangkan", "Balance")}</button></div>
            {dyn_opt(result)}
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{assignment, assignments, json};
    use ovop_core::dto::selection::{BalanceReport, BulkReport, RejectedRow, Shortfall};

    #[test]
    fn a_nomination_s_assessors_show_conflicts_and_overrides() {
        let list = assignments(vec![
            assignment("penilai-1", true, None),
            assignment("penilai-3", false, Some(ConflictReason::OwnRegion)),
        ]);
        let html = format!("{:?}", assessor_list(&list, Lang::Id));
        assert!(
            html.contains("Nama penilai-1 (penilai-1) · panel kementerian · nilai dikirim</li>"),
            "{html}"
        );
        assert!(
            html.contains(
                "Penilai berasal dari daerah pengusul. · dikesampingkan: Tidak ada penilai lain."
            ),
            "{html}"
        );
        let none = format!("{:?}", assessor_list(&assignments(vec![]), Lang::Id));
        assert!(none.contains("Belum ada penilai."), "{none}");
    }

    #[test]
    fn relations_list_who_why_by_whom_and_when() {
        let list = json(&ovop_core::dto::selection::RelationList {
            items: vec![ovop_core::panel::Relation {
                round_id: "ovop-2026".into(),
                nomination_id: "N1".into(),
                assessor: "penilai-2".into(),
                reason: "Ipar pemilik <IKM>".into(),
                declared_by: "admin".into(),
                declared_at: "2026-03-02T03:04:00Z".parse().unwrap(),
            }],
        });
        let html = format!("{:?}", relation_list(&list, Lang::Id));
        assert!(
            html.contains("penilai-2</th><td>Ipar pemilik &lt;IKM&gt;</td><td>admin</td><td>"),
            "{html}"
        );
        let none = format!(
            "{:?}",
            relation_list(&json(&serde_json::json!({"items": []})), Lang::En)
        );
        assert!(none.contains("No relation recorded."), "{none}");
    }

    #[test]
    fn reports_count_what_was_assigned_and_list_what_was_not() {
        let bulk = json(&BulkReport {
            assigned: vec![assignment("penilai-1", false, None)],
            rejected: vec![RejectedRow {
                line: 3,
                reason: ovop_core::Text::new("Panel tidak dikenal.", "Unknown panel."),
            }],
        });
        let html = format!("{:?}", report(&bulk, Lang::En, &|id| id.to_owned()));
        assert!(html.contains("1 assignments made."), "{html}");
        assert!(
            html.contains("<th scope=\\\"row\\\">3</th><td>Unknown panel.</td>"),
            "{html}"
        );
        let balance = json(&BalanceReport {
            assigned: vec![],
            short: vec![Shortfall {
                nomination_id: "N1".into(),
                missing: 2,
            }],
        });
        let html = format!(
            "{:?}",
            report(&balance, Lang::Id, &|_| "Anyaman Jaya".into())
        );
        assert!(html.contains("0 penugasan dibuat."), "{html}");
        assert!(html.contains("Anyaman Jaya</th><td>2</td>"), "{html}");
    }
}
