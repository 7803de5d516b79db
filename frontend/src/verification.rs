//! Administrative selection on the nomination page: the secretariat's form (a finding per
//! needed document, then pass, fail or return for revision), and for the regency office the
//! secretariat's request — what to fix, and by when.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::document::{DocumentType, Need};
use ovop_core::round::format_local;
use ovop_core::verification::{Decision, DocumentFinding, Finding, VerificationForm};

use crate::api;
use crate::documents::Checklist;
use crate::i18n::{t, tr};
use crate::nomination::NominationView;
use crate::pages::alert;
use crate::session::AppCtx;
use crate::ui::{items, s};

/// What the regency office must fix, while the nomination is returned for revision.
#[component]
pub fn RevisionRequested(n: NominationView) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    // A [`RevisionRequest`](ovop_core::verification::RevisionRequest).
    let r = &n.json["revision"];
    r.is_object().then(|| {
        let deadline = s(&r["deadline"]).parse().map(|at| format_local(at, n.zone()));
        let deadline = deadline.unwrap_or_default();
        let documents = items(&r["documents"]).iter().filter_map(|d| {
            let document = DocumentType::parse(s(&d["document"]))?;
            let note = s(&d["note"]).to_owned();
            Some(view! {
                <li>{move || document.title().get(ctx.lang.get()).to_owned()} ": " {note}</li>
            })
        });
        view! {
            <section class="notice revision" role="status" aria-labelledby="revision-title">
                <h2 id="revision-title">{tr("Perlu perbaikan", "Revision needed")}</h2>
                <p>{s(&r["reasons"]).to_owned()}</p>
                <ul>{documents.collect_view()}</ul>
                <p>{move || format!("{} {deadline}", t(ctx.lang.get(), "Ajukan kembali paling lambat", "Resubmit by"))}</p>
            </section>
        }
    })
}

/// One document's finding as the form holds it.
#[derive(Clone)]
struct Line {
    document: DocumentType,
    finding: RwSignal<Finding>,
    note: RwSignal<String>,
}

/// The secretariat's decision form for a submitted nomination; `decided` gets the nomination
/// as it stands after the decision.
#[component]
pub fn VerifyForm(n: NominationView, decided: RwSignal<Option<NominationView>>) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let lines = RwSignal::new(Vec::<Line>::new());
    let decision = RwSignal::new(Decision::Pass);
    let reasons = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let key = StoredValue::new(api::new_idempotency_key());
    let id = n.id.clone();
    let zone = n.zone();
    spawn_local(async move {
        if let Ok(c) = api::checklist(&id, ctx.lang.get_untracked()).await {
            lines.set(
                Checklist::read(&c)
                    .lines
                    .into_iter()
                    .filter(|l| l.need == Need::Required)
                    .map(|l| Line {
                        document: l.document,
                        finding: RwSignal::new(Finding::Valid),
                        note: RwSignal::new(String::new()),
                    })
                    .collect(),
            );
        }
    });
    let n = StoredValue::new(n);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = ctx.lang.get_untracked();
        let form = VerificationForm {
            findings: lines.with_untracked(|ls| {
                ls.iter()
                    .map(|l| DocumentFinding {
                        document: l.document,
                        finding: l.finding.get_untracked(),
                        note: Some(l.note.get_untracked()).filter(|s| !s.trim().is_empty()),
                    })
                    .collect()
            }),
            decision: Some(decision.get_untracked()),
            reasons: reasons.get_untracked(),
            revision_deadline: (decision.get_untracked() == Decision::Revise)
                .then(|| crate::rounds::instant_of(&deadline.get_untracked(), zone))
                .flatten(),
        };
        let (n, key) = (n.get_value(), key.get_value());
        spawn_local(async move {
            match api::verify(&n, &key, &form, lang).await {
                Ok(n) => decided.set(Some(n)),
                Err(e) => {
                    let mut message = e.message(lang);
                    if let api::ApiFailure::Problem(p) = &e {
                        for text in p.errors.values() {
                            message.push(' ');
                            message.push_str(text);
                        }
                    }
                    failure.set(Some(message));
                }
            }
        });
    };
    let choice = move |value: Decision, id: &'static str, en: &'static str| {
        view! {
            <label><input type="radio" name="decision" prop:checked=move || decision.get() == value
                on:change=move |_| decision.set(value)/> " " {tr(id, en)}</label>
        }
    };
    view! {
        <form class="verification" on:submit=save aria-labelledby="verify-title">
            <h2 id="verify-title">{tr("Seleksi administrasi", "Administrative selection")}</h2>
            <table class="findings">
                <thead><tr>
                    <th scope="col">{tr("Dokumen", "Document")}</th>
                    <th scope="col">{tr("Hasil", "Finding")}</th>
                    <th scope="col">{tr("Catatan", "Note")}</th>
                </tr></thead>
                <tbody>
                    <For each=move || lines.get() key=|l| l.document children=move |l: Line| {
                        let code = l.document.code();
                        let (finding, note) = (l.finding, l.note);
                        view! {
                            <tr data-code=code>
                                <th scope="row">{move || l.document.title().get(ctx.lang.get()).to_owned()}</th>
                                <td>
                                    <select aria-label=move || format!("{} {code}", t(ctx.lang.get(), "Hasil", "Finding"))
                                        on:change=move |ev| finding.set(match event_target_value(&ev).as_str() {
                                            "invalid" => Finding::Invalid,
                                            "missing" => Finding::Missing,
                                            _ => Finding::Valid,
                                        })>
                                        <option value="valid">{tr("Sah", "Valid")}</option>
                                        <option value="invalid">{tr("Tidak sah", "Invalid")}</option>
                                        <option value="missing">{tr("Tidak ada", "Missing")}</option>
                                    </select>
                                </td>
                                <td><input type="text" aria-label=move || format!("{} {code}", t(ctx.lang.get(), "Catatan", "Note"))
                                    bind:value=note/></td>
                            </tr>
                        }
                    }/>
                </tbody>
            </table>
            <fieldset>
                <legend>{tr("Keputusan", "Decision")}</legend>
                {choice(Decision::Pass, "Lulus", "Pass")}
                {choice(Decision::Revise, "Kembalikan untuk perbaikan", "Return for revision")}
                {choice(Decision::Fail, "Tidak lulus", "Fail")}
            </fieldset>
            <label>{tr("Alasan untuk dinas pengusul", "Reasons for the regency office")}
                <textarea name="reasons" bind:value=reasons></textarea></label>
            <Show when=move || decision.get() == Decision::Revise>
                <label>{tr("Batas perbaikan", "Revision deadline")}
                    <input type="datetime-local" name="revision_deadline" bind:value=deadline/></label>
            </Show>
            {move || failure.get().map(alert)}
            <div class="actions"><button type="submit" class="primary">{tr("Simpan keputusan", "Record the decision")}</button></div>
        </form>
    }
}
