//! The assessor's pages: the work list, and a nomination's scoring page — its profile and
//! documents beside the rubric sheet, which saves itself as a draft shortly after each change
//! and is then submitted for good; after that, the other assessors' scores.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use ovop_core::dto::selection::SheetView;
use ovop_core::region::regency;
use ovop_core::rubric::{Aspect, Criterion, Rubric};
use ovop_core::scoring::{ScoreSheet, SheetForm, SheetState};
use ovop_core::Lang;

use crate::api::{self, ApiFailure};
use crate::documents::Documents;
use crate::i18n::{t, tr};
use crate::nomination::NominationView;
use crate::pages::{alert, Summary};
use crate::resource::load;
use crate::scores::scores;
use crate::session::AppCtx;
use crate::ui::{
    alert_of, at, commodity_name, dyn_bool, dyn_opt, dyn_text, dynamic, html, items, on_submit,
    on_value, s, show, text_field, Html, Value,
};

/// How long the sheet waits after a change before it saves the draft.
const AUTOSAVE_AFTER: Duration = Duration::from_millis(1_500);

/// The nominations assigned to the signed-in assessor, each linking to its scoring page.
#[component]
pub fn Assessments() -> impl IntoView {
    let declared = use_query_map().with_untracked(|q| q.get("konflik").is_some());
    let list = load(|| "/assessments".into());
    view! {
        <h1>{tr("Penilaian", "Assessment")}</h1>
        {declared.then(|| view! {
            <p class="notice" role="status">{tr("Konflik kepentingan tercatat; usulan itu tidak lagi ditugaskan kepada Anda.",
                "The conflict of interest is recorded; that nomination is no longer assigned to you.")}</p>
        })}
        {show(list, |json, lang| Ok(html(work_list(&api::read(json)?, lang))))}
    }
}

/// The work list ([`ovop_core::dto::selection::AssignmentList`]): each nomination with a link
/// to its scoring page.
fn work_list(list: &Value, lang: Lang) -> Html {
    let rows: Vec<_> = items(&list["items"])
        .iter()
        .map(|a| {
            let state = match s(&a["scored_at"]) {
                "" => t(lang, "Belum dikirim", "Not submitted yet").to_owned(),
                _ => format!(
                    "{} {}",
                    t(lang, "Dikirim", "Submitted"),
                    at(&a["scored_at"])
                ),
            };
            vec![
                Html::link(
                    &format!("/penilaian/{}", s(&a["nomination_id"])),
                    s(&a["ikm_name"]),
                ),
                Html::text(&commodity_name(s(&a["commodity"]), lang)),
                Html::text(s(&a["round_id"])),
                Html::text(&state),
            ]
        })
        .collect();
    if rows.is_empty() {
        let none = t(
            lang,
            "Belum ada usulan yang ditugaskan kepada Anda.",
            "No nomination is assigned to you yet.",
        );
        return Html::status("list-status", none);
    }
    Html::table(
        "assessments",
        (
            "Usulan yang ditugaskan kepada Anda",
            "Nominations assigned to you",
        ),
        &[
            ("IKM", "IKM"),
            ("Komoditas", "Commodity"),
            ("Periode", "Round"),
            ("Nilai", "Scores"),
        ],
        rows,
        lang,
    )
}

/// `/penilaian/:id`: scoring one nomination.
#[component]
pub fn ScorePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    view! {
        {dynamic(move || scoring(id.get()))}
        <p><A href="/penilaian">{tr("← Kembali ke daftar penilaian", "← Back to the assessment list")}</A></p>
    }
}

fn scoring(id: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let path = format!("/nominations/{id}");
    let nomination = load(move || path.clone());
    let id = StoredValue::new(id);
    // Drawn once the nomination is there, and not again when the language changes: the sheet
    // being scored stays as it is.
    dynamic(move || {
        let l = lang.get_untracked();
        let answer = nomination.get();
        let n = match answer.map(|a| a.and_then(api::read).and_then(NominationView::read)) {
            None => return view! { <p class="list-status" role="status">{tr("Memuat…", "Loading…")}</p> }.into_any(),
            Some(Err(e)) => return view! { <h1>{tr("Penilaian", "Assessment")}</h1> {alert(e.message(l))} }.into_any(),
            Some(Ok(n)) => n,
        };
        let place = regency(n.regency_code.as_str())
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let (commodity, round) = (
            s(n.profile("product", "commodity")).to_owned(),
            n.round_id.clone(),
        );
        let context = move || {
            format!(
                "{place} · {} · {round}",
                commodity_name(&commodity, lang.get())
            )
        };
        let sheet = Sheet::new(id.get_value());
        sheet.load();
        view! {
            <h1>{n.ikm_name().to_owned()}</h1>
            <p class="context">{dyn_text(context)}</p>
            <div class="assess">
                <div class="assess-nomination">
                    <h2>{tr("Profil usulan", "Nomination profile")}</h2>
                    <Summary n=n/>
                    <Documents id=id.get_value() can_edit=false/>
                </div>
                {sheet_form(sheet)}
            </div>
            {dyn_opt(move || (!sheet.submitted.get()).then(|| declare_conflict(id.get_value())))}
        }
        .into_any()
    })
}

/// Where the draft stands.
#[derive(Clone, PartialEq)]
enum SaveState {
    Idle,
    /// Changed; saving shortly.
    Waiting,
    Saving,
    Saved(DateTime<Utc>),
    Failed(String),
}

/// The sheet as the page holds it, and its saving.
#[derive(Clone, Copy)]
struct Sheet {
    id: StoredValue<String>,
    lang: RwSignal<Lang>,
    rubric: RwSignal<Option<Rubric>>,
    levels: RwSignal<BTreeMap<String, u8>>,
    comments: RwSignal<BTreeMap<String, String>>,
    general: RwSignal<String>,
    /// The version of the sheet last saved; none before the first save.
    version: StoredValue<Option<u64>>,
    submitted: RwSignal<bool>,
    save: RwSignal<SaveState>,
    /// Field (`levels.1.1`, `comments.1.1`, as the server names them) → message.
    errors: RwSignal<BTreeMap<String, String>>,
    failure: RwSignal<Option<String>>,
    submitting: RwSignal<bool>,
    /// Counts changes: a pending autosave goes ahead only if no change came after it.
    edits: StoredValue<u32>,
    saving: StoredValue<bool>,
    /// A change came while a save was under way: save again when it is done.
    again: StoredValue<bool>,
    /// One key per intended submit; a new one after the server refused one.
    submit_key: StoredValue<String>,
}

impl Sheet {
    fn new(id: String) -> Self {
        Sheet {
            id: StoredValue::new(id),
            lang: AppCtx::use_ctx().lang,
            rubric: RwSignal::new(None),
            levels: RwSignal::new(BTreeMap::new()),
            comments: RwSignal::new(BTreeMap::new()),
            general: RwSignal::new(String::new()),
            version: StoredValue::new(None),
            submitted: RwSignal::new(false),
            save: RwSignal::new(SaveState::Idle),
            errors: RwSignal::new(BTreeMap::new()),
            failure: RwSignal::new(None),
            submitting: RwSignal::new(false),
            edits: StoredValue::new(0),
            saving: StoredValue::new(false),
            again: StoredValue::new(false),
            submit_key: StoredValue::new(api::new_idempotency_key()),
        }
    }

    fn form(self) -> SheetForm {
        SheetForm {
            levels: self.levels.get_untracked(),
            comments: self.comments.get_untracked(),
            general_comment: self.general.get_untracked(),
        }
    }

    /// Reads the rubric and the sheet as the server holds it.
    fn load(self) {
        let path = api::nomination_path(&self.id.get_value(), "score");
        let lang = self.lang.get_untracked();
        spawn_local(async move {
            let answer = api::fetch(Method::GET, path, lang, Vec::new(), None).await;
            match answer.and_then(api::read::<SheetView>) {
                Ok(v) => self.show(v),
                Err(e) => self.failure.set(Some(e.message(lang))),
            }
        });
    }

    fn show(self, v: SheetView) {
        if let Some(s) = v.sheet {
            self.saved(&s);
            self.levels.set(s.levels);
            self.comments.set(s.comments);
            self.general.set(s.general_comment.unwrap_or_default());
            self.submitted.set(s.state == SheetState::Submitted);
        }
        self.rubric.set(Some(v.rubric));
    }

    /// The server holds `s` now.
    fn saved(self, s: &ScoreSheet) {
        self.version.try_set_value(Some(s.version));
        self.save.set(SaveState::Saved(s.saved_at));
    }

    /// Something changed: save the draft once no change has come for a moment.
    fn changed(self) {
        if self.submitted.get_untracked() {
            return;
        }
        let Some(edit) = self.edits.try_update_value(|e| {
            *e += 1;
            *e
        }) else {
            return;
        };
        self.save.set(SaveState::Waiting);
        set_timeout(
            move || {
                if self.edits.try_get_value() == Some(edit) {
                    self.save_draft();
                }
            },
            AUTOSAVE_AFTER,
        );
    }

    fn set_level(self, code: String, level: u8) {
        self.errors.update(|e| {
            e.remove(&format!("levels.{code}"));
        });
        self.levels.update(|l| {
            l.insert(code, level);
        });
        self.changed();
    }

    fn set_comment(self, code: String, comment: String) {
        self.errors.update(|e| {
            e.remove(&format!("comments.{code}"));
        });
        self.comments.update(|c| {
            c.insert(code, comment);
        });
        self.changed();
    }

    /// Saves the draft over the version last saved; one save at a time.
    fn save_draft(self) {
        if self.submitted.get_untracked() {
            return;
        }
        if self.saving.get_value() {
            self.again.set_value(true);
            return;
        }
        self.saving.set_value(true);
        self.save.set(SaveState::Saving);
        let lang = self.lang.get_untracked();
        let id = self.id.get_value();
        let saving = api::save_sheet(&id, self.version.get_value(), &self.form(), lang);
        spawn_local(async move {
            let answer = saving.await;
            if self.saving.try_set_value(false).is_some() || self.submitted.get_untracked() {
                return; // the page is gone, or the sheet was submitted meanwhile
            }
            match answer.and_then(api::read::<ScoreSheet>) {
                Ok(s) => self.saved(&s),
                // Saved elsewhere meanwhile (another tab): show the sheet as it is now.
                Err(e) if e.status() == 412 => {
                    self.again.set_value(false);
                    let (id, en) = (
                        "Lembar ini diubah di tempat lain; isi yang tersimpan dimuat ulang.",
                        "This sheet was changed elsewhere; the saved sheet is reloaded.",
                    );
                    self.save.set(SaveState::Failed(t(lang, id, en).into()));
                    self.load();
                }
                Err(e) => {
                    if let ApiFailure::Problem(p) = &e {
                        self.errors.update(|m| m.extend(p.errors.clone()));
                    }
                    self.save.set(SaveState::Failed(e.details(lang)));
                }
            }
            if self.again.get_value() {
                self.again.set_value(false);
                self.save_draft();
            }
        });
    }

    /// The submit's own checks (the server checks the same): a level for every criterion, and
    /// a comment wherever a criterion has its lowest or highest level.
    fn validate(self, lang: Lang) -> bool {
        let mut errors = BTreeMap::new();
        self.rubric.with_untracked(|r| {
            let Some(r) = r else { return };
            self.levels.with_untracked(|levels| {
                for c in r.criteria().filter(|c| !levels.contains_key(&c.code)) {
                    let message = t(lang, "Pilih salah satu tingkat.", "Choose a level.");
                    errors.insert(format!("levels.{}", c.code), message.to_owned());
                }
                self.comments.with_untracked(|comments| {
                    for code in r.needs_comment(levels) {
                        if comments.get(code).is_none_or(|c| c.trim().is_empty()) {
                            let message = t(
                                lang,
                                "Tingkat terendah atau tertinggi memerlukan komentar.",
                                "The lowest or highest level needs a comment.",
                            );
                            errors.insert(format!("comments.{code}"), message.into());
                        }
                    }
                });
            });
        });
        let ok = errors.is_empty();
        self.errors.set(errors);
        ok
    }

    fn submit(self) {
        let lang = self.lang.get_untracked();
        if !self.validate(lang) {
            let (id, en) = (
                "Periksa isian yang ditandai.",
                "Please correct the fields marked.",
            );
            self.failure.set(Some(t(lang, id, en).into()));
            return;
        }
        self.failure.set(None);
        // No autosave after this.
        self.edits.update_value(|e| *e += 1);
        self.submitting.set(true);
        let id = self.id.get_value();
        let submitting = api::submit_sheet(&id, self.submit_key.get_value(), &self.form(), lang);
        spawn_local(async move {
            match submitting.await.and_then(api::read::<ScoreSheet>) {
                Ok(s) => {
                    self.saved(&s);
                    self.submitted.set(true);
                }
                Err(e) => {
                    if let ApiFailure::Problem(p) = &e {
                        self.submit_key.try_set_value(api::new_idempotency_key());
                        if !p.errors.is_empty() {
                            self.errors.set(p.errors.clone());
                        }
                    }
                    self.failure.set(Some(e.details(lang)));
                }
            }
            self.submitting.set(false);
        });
    }
}

/// What the status line says about the draft.
fn save_text(state: SaveState, lang: Lang) -> String {
    match state {
        SaveState::Idle => String::new(),
        SaveState::Waiting => t(
            lang,
            "Ada perubahan; menyimpan sebentar lagi…",
            "Changed; saving shortly…",
        )
        .into(),
        SaveState::Saving => t(lang, "Menyimpan…", "Saving…").into(),
        SaveState::Saved(at) => {
            // On the browser's clock.
            let d = js_sys::Date::new(&(at.timestamp_millis() as f64).into());
            format!(
                "{} {:02}:{:02}",
                t(lang, "Tersimpan", "Saved"),
                d.get_hours(),
                d.get_minutes()
            )
        }
        SaveState::Failed(why) => why,
    }
}

/// The rubric sheet: a group of levels and a comment per criterion, a general comment, the
/// draft's save state and the final submit.
fn sheet_form(sheet: Sheet) -> AnyView {
    let lang = sheet.lang;
    let total = move || {
        let l = lang.get();
        sheet
            .rubric
            .with(|r| sheet.levels.with(|levels| r.as_ref()?.total(levels).ok()))
            .map_or_else(
                || {
                    t(
                        l,
                        "— (belum semua kriteria dinilai)",
                        "— (not every criterion scored yet)",
                    )
                    .into()
                },
                |t| t.score().to_string(),
            )
    };
    let general = move |v| {
        sheet.general.set(v);
        sheet.changed();
    };
    view! {
        <section class="sheet" aria-labelledby="sheet-title">
            <h2 id="sheet-title">{tr("Lembar penilaian", "Score sheet")}</h2>
            {dyn_opt(move || sheet.rubric.with(|r| r.as_ref().map(|r| {
                let l = lang.get();
                let proposed = if r.proposed_default { t(l, " (rubrik usulan)", " (proposed rubric)") } else { "" };
                view! { <p class="context">{r.name.get(l).to_owned()} {proposed}</p> }.into_any()
            })))}
            <p class="save-state" role="status" class:failed=dyn_bool(move || matches!(sheet.save.get(), SaveState::Failed(_)))>
                {dyn_text(move || save_text(sheet.save.get(), lang.get()))}
            </p>
            <form novalidate on:submit=on_submit(move || sheet.submit())>
                {dyn_opt(move || sheet.rubric.get().map(|r| {
                    r.aspects.into_iter().map(|a| aspect_view(sheet, a)).collect_view().into_any()
                }))}
                <div class="field">
                    <label for="general-comment">{tr("Komentar umum", "General comment")}</label>
                    <textarea id="general-comment" name="general_comment" rows="4"
                        readonly=dyn_bool(move || sheet.submitted.get())
                        prop:value=dyn_text(move || sheet.general.get())
                        on:input=on_value(general)></textarea>
                </div>
                <p class="total">{tr("Nilai: ", "Score: ")} <strong>{dyn_text(total)}</strong></p>
                {alert_of(sheet.failure)}
                {dyn_opt(move || (!sheet.submitted.get()).then(|| view! {
                    <p class="hint">{tr("Setelah dikirim, nilai tidak dapat diubah lagi.", "Once submitted, the scores can no longer change.")}</p>
                    <div class="actions">
                        <button type="submit" class="primary"
                            disabled=dyn_bool(move || sheet.submitting.get() || sheet.save.get() == SaveState::Saving)>
                            {tr("Kirim nilai akhir", "Submit the final scores")}
                        </button>
                    </div>
                }.into_any()))}
            </form>
            {dyn_opt(move || sheet.submitted.get().then(|| view! {
                <p class="notice">{tr("Nilai Anda telah dikirim.", "Your scores are submitted.")}</p>
                {scores(sheet.id.get_value())}
            }.into_any()))}
        </section>
    }
    .into_any()
}

fn aspect_view(sheet: Sheet, a: Aspect) -> AnyView {
    let lang = sheet.lang;
    let heading = format!(" ({})", a.weight());
    let name = a.name;
    view! {
        <section class="aspect">
            <h3>{a.code} ". " {dyn_text(move || name.get(lang.get()).to_owned())} {heading}</h3>
            {a.criteria.into_iter().map(|c| criterion_view(sheet, c)).collect_view()}
        </section>
    }
    .into_any()
}

fn criterion_view(sheet: Sheet, c: Criterion) -> AnyView {
    let lang = sheet.lang;
    let code = StoredValue::new(c.code.clone());
    let dom = c.code.replace('.', "-");
    let (comment_id, group) = (format!("comment-{dom}"), format!("level-{dom}"));
    let (comment_error, level_error) = (format!("{comment_id}-error"), format!("{group}-error"));
    // Core's rule: the lowest or the highest level needs a comment.
    let needed = move || {
        sheet.rubric.with(|r| {
            r.as_ref().is_some_and(|r| {
                sheet
                    .levels
                    .with(|l| code.with_value(|c| r.needs_comment(l).contains(&c.as_str())))
            })
        })
    };
    let error = move |what: &'static str| {
        sheet
            .errors
            .with(|e| code.with_value(|c| e.get(&format!("{what}.{c}")).cloned()))
            .unwrap_or_default()
    };
    let name = c.name;
    let weight = c.weight;
    let (data_code, described) = (c.code.clone(), level_error.clone());
    let levels = c
        .levels
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let level = (i + 1) as u8;
            let checked = move || {
                sheet
                    .levels
                    .with(|l| code.with_value(|c| l.get(c) == Some(&level)))
            };
            view! {
                <label class="level">
                    <input type="radio" name=group.clone() value=level.to_string()
                        prop:checked=dyn_bool(checked)
                        disabled=dyn_bool(move || sheet.submitted.get())
                        on:change=on_value(move |_| sheet.set_level(code.get_value(), level))/>
                    " " {dyn_text(move || label.get(lang.get()).to_owned())}
                </label>
            }
        })
        .collect_view();
    let comment = move |v| sheet.set_comment(code.get_value(), v);
    view! {
        <fieldset class="criterion" data-code=data_code aria-describedby=described>
            <legend>
                {c.code} " " {dyn_text(move || name.get(lang.get()).to_owned())}
                <span class="weight">{dyn_text(move || format!(" ({} {weight})", t(lang.get(), "bobot", "weight")))}</span>
            </legend>
            <div class="levels">{levels}</div>
            <p class="error" id=level_error>{dyn_text(move || error("levels"))}</p>
            <label for=comment_id.clone()>
                {tr("Komentar", "Comment")}
                {dyn_text(move || if needed() {
                    t(lang.get(), " (wajib pada tingkat terendah atau tertinggi)", " (required at the lowest or highest level)").into()
                } else {
                    String::new()
                })}
            </label>
            <textarea id=comment_id rows="2"
                aria-describedby=comment_error.clone()
                aria-required=dyn_text(move || needed().to_string())
                aria-invalid=dyn_text(move || (!error("comments").is_empty()).to_string())
                readonly=dyn_bool(move || sheet.submitted.get())
                prop:value=dyn_text(move || sheet.comments.with(|m| code.with_value(|c| m.get(c).cloned().unwrap_or_default())))
                on:input=on_value(comment)></textarea>
            <p class="error" id=comment_error>{dyn_text(move || error("comments"))}</p>
        </fieldset>
    }
    .into_any()
}

/// The assessor declares a conflict of interest with a reason; the nomination then leaves
/// their list.
fn declare_conflict(id: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let reason = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let declare = move || {
        let lang = lang.get_untracked();
        let reason = reason.get_untracked();
        if reason.trim().is_empty() {
            failure.set(Some(
                t(lang, "Tuliskan alasannya.", "Give the reason.").into(),
            ));
            return;
        }
        let navigate = navigate.clone();
        let declaring = api::declare_conflict(&id, reason, lang);
        spawn_local(async move {
            match declaring.await {
                Ok(_) => navigate("/penilaian?konflik=1", Default::default()),
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    view! {
        <details class="conflict">
            <summary>{tr("Nyatakan konflik kepentingan", "Declare a conflict of interest")}</summary>
            <form on:submit=on_submit(declare) novalidate>
                <p class="hint">{tr("Usulan ini lalu tidak lagi ditugaskan kepada Anda.",
                "The nomination is then no longer assigned to you.")}</p>
                {text_field("conflict-reason".into(), ("Alasan konflik kepentingan", "Reason for the conflict of interest"), reason, 3)}
                {alert_of(failure)}
                <button type="submit" class="danger">{tr("Nyatakan konflik", "Declare the conflict")}</button>
            </form>
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{assignment, assignments};

    #[test]
    fn the_work_list_links_each_nomination_and_says_whether_it_is_scored() {
        let list = assignments(vec![assignment("penilai-1", true, None)]);
        let html = format!("{:?}", work_list(&list, Lang::Id));
        assert!(
            html.contains(r#"<a href=\"/penilaian/N1\">Anyaman &lt;Jaya&gt; &amp; Co</a>"#),
            "{html}"
        );
        assert!(
            html.contains("Anyaman</td><td>ovop-2026</td><td>Dikirim 29-11-2026 08:30 WIB"),
            "{html}"
        );
        let none = format!("{:?}", work_list(&assignments(vec![]), Lang::En));
        assert!(
            none.contains("No nomination is assigned to you yet."),
            "{none}"
        );
    }
}
