//! A nomination's documents: the checklist, one row per document type, with drag and drop,
//! progress per file and for the bundle, thumbnails of photos, download links, and the
//! product sample's shipment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::document::{
    format_size, ChecklistEntry, DocumentKind, DocumentType, EntryState, MediaType, Need,
    SampleCondition, SampleShipmentForm,
};
use ovop_core::{Lang, Text};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};

use crate::api;
use crate::i18n::{t, tr};
use crate::pages::alert;
use crate::resource::resource;
use crate::session::AppCtx;
use crate::ui::{items, s, Value};
use crate::upload::{FileView, Phase, Uploader};

/// A nomination's checklist, from a [`ChecklistView`](ovop_core::dto::uploads::ChecklistView)'s
/// JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Checklist {
    pub lines: Vec<Line>,
    /// What keeps the bundle from being complete.
    pub missing: Vec<DocumentType>,
    pub complete: bool,
}

/// One line of the checklist, from a [`ChecklistEntry`]'s JSON: what it accepts, and where it
/// stands (only shown, so kept as JSON: an [`EntryState`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub document: DocumentType,
    pub need: Need,
    /// The media types accepted; empty for the physical sample.
    pub accepts: Vec<MediaType>,
    /// The largest file accepted; none for the physical sample.
    pub max_bytes: Option<u64>,
    pub state: Value,
}

impl Checklist {
    pub fn read(v: &Value) -> Checklist {
        let code = |d: &Value| DocumentType::parse(s(d));
        Checklist {
            lines: items(&v["entries"]).iter().filter_map(Line::read).collect(),
            missing: items(&v["missing"]).iter().filter_map(code).collect(),
            complete: v["complete"].as_bool().unwrap_or(false),
        }
    }
}

impl Line {
    fn read(v: &Value) -> Option<Line> {
        Some(Line {
            document: DocumentType::parse(s(&v["document"]))?,
            need: match s(&v["need"]) {
                "required" => Need::Required,
                "optional" => Need::Optional,
                _ => Need::NotApplicable,
            },
            accepts: items(&v["accepts"])
                .iter()
                .filter_map(|m| MediaType::parse(s(m)))
                .collect(),
            max_bytes: v["max_bytes"].as_u64(),
            state: v["state"].clone(),
        })
    }

    pub fn kind(&self) -> DocumentKind {
        self.document.kind()
    }

    /// Whether a file may be sent for this line: core's [`ChecklistEntry::check_file`], the
    /// server's own rules, which read the line's rules and not its state.
    pub fn check_file(
        &self,
        media_type: &str,
        file_name: &str,
        size: u64,
    ) -> Result<MediaType, Text> {
        let rules = ChecklistEntry {
            document: self.document,
            need: self.need,
            kind: self.kind(),
            accepts: self.accepts.clone(),
            max_bytes: self.max_bytes,
            state: EntryState::NotNeeded,
        };
        rules.check_file(media_type, file_name, size)
    }

    /// The kind of its state (`attached`, `sample_shipped`, … of [`EntryState`]).
    fn state(&self) -> &str {
        s(&self.state["state"])
    }
}

fn need_badge(need: Need, lang: Lang) -> &'static str {
    match need {
        Need::Required => t(lang, "Wajib", "Required"),
        Need::Optional => t(lang, "Pilihan", "Optional"),
        Need::NotApplicable => t(lang, "Tidak berlaku", "Not applicable"),
    }
}

fn percent(sent: u64, size: u64) -> u64 {
    (sent * 100).checked_div(size).unwrap_or(100).min(100)
}

/// The documents of nomination `id`; `can_edit` while its regency office may change it.
#[component]
pub fn Documents(id: String, #[prop(into)] can_edit: Signal<bool>) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let uploader = Uploader::new(id.clone(), ctx.lang);
    let failure = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0u32);
    let nomination = StoredValue::new(id);
    let checklist = resource(move || {
        uploader.attached.track();
        reload.track();
        let id = nomination.get_value();
        async move {
            let answer = api::checklist(&id, ctx.lang.get_untracked()).await;
            answer.map(|c| Checklist::read(&c))
        }
    });
    // Uploads a reload left unfinished: choosing the same file again resumes them.
    let unfinished = resource(move || {
        let id = nomination.get_value();
        async move {
            api::open_uploads(&id, ctx.lang.get_untracked())
                .await
                .map(|l| items(&l["items"]).to_vec())
                .unwrap_or_default()
        }
    });
    let bundle = move || {
        uploader.files.with(|files| {
            let active: Vec<&FileView> = files.iter().filter(|f| f.is_active()).collect();
            (!active.is_empty()).then(|| {
                let size: u64 = active.iter().map(|f| f.size).sum();
                let sent: u64 = active.iter().map(|f| f.sent).sum();
                (active.len(), sent, size)
            })
        })
    };
    view! {
        <section class="documents" aria-labelledby="documents-title">
            <h2 id="documents-title">{tr("Dokumen usulan", "Nomination documents")}</h2>
            {move || failure.get().map(alert)}
            {move || checklist.get().map(|r| match r {
                Ok(c) => bundle_state(&c, ctx.lang.get()).into_any(),
                Err(e) => alert(e.message(ctx.lang.get())).into_any(),
            })}
            {move || bundle().map(|(n, sent, size)| {
                let lang = ctx.lang.get();
                view! {
                    <div class="bundle-progress" role="status">
                        <label for="bundle-progress">
                            {format!("{} {n} {}: {} / {} ({}%)", t(lang, "Mengirim", "Sending"), t(lang, "berkas", "file(s)"),
                                format_size(sent), format_size(size), percent(sent, size))}
                        </label>
                        <progress id="bundle-progress" max=size.to_string() value=sent.to_string()></progress>
                    </div>
                }
            })}
            {move || {
                let open = unfinished.get().unwrap_or_default();
                let chosen: Vec<&str> = uploader.files.with(|f| f.iter().map(|v| v.code.code()).collect());
                let waiting: Vec<_> = open.into_iter().filter(|u| !chosen.contains(&s(&u["document_code"]))).collect();
                (can_edit.get() && !waiting.is_empty()).then(|| view! {
                    <div class="notice resume" role="status">
                        <p>{tr("Unggahan yang belum selesai — pilih berkas yang sama pada barisnya untuk melanjutkan dari bagian terakhir:",
                            "Unfinished uploads — choose the same file in its row to resume from the last part:")}</p>
                        <ul>{waiting.into_iter().map(|u| view! {
                            <li>{format!("{} · {} ({})", s(&u["document_code"]), s(&u["file_name"]), format_size(u["size"].as_u64().unwrap_or(0)))}</li>
                        }).collect_view()}</ul>
                    </div>
                })
            }}
            <ul class="checklist">
                // Keyed by document and state: when the checklist reloads, a row whose state did
                // not change keeps its elements, so a file being chosen there is not lost.
                <For
                    each=move || checklist.get().and_then(|r| r.ok()).map(lines_missing).unwrap_or_default()
                    key=|(line, _)| (line.document, state_key(&line.state))
                    children=move |(line, missing)| view! {
                        <Row line=line missing=missing uploader=uploader can_edit=can_edit failure=failure reload=reload nomination=nomination/>
                    }
                />
            </ul>
        </section>
    }
}

/// Each line, and whether it keeps the bundle from being complete.
fn lines_missing(c: Checklist) -> Vec<(Line, bool)> {
    let missing = c.missing;
    c.lines
        .into_iter()
        .map(|l| {
            let m = missing.contains(&l.document);
            (l, m)
        })
        .collect()
}

/// What distinguishes one state of a checklist line from the next: its kind and when its
/// file or record was made.
fn state_key(state: &Value) -> String {
    let made = [
        &state["uploaded_at"],
        &state["file"]["uploaded_at"],
        &state["recorded_at"],
        &state["receipt"]["recorded_at"],
    ];
    made.into_iter()
        .fold(s(&state["state"]).to_owned(), |key, at| key + s(at))
}

fn bundle_state(c: &Checklist, lang: Lang) -> impl IntoView {
    if c.complete {
        view! { <p class="bundle complete" data-complete="true">{t(lang, "Berkas lengkap.", "The bundle is complete.")}</p> }
            .into_any()
    } else {
        let missing: Vec<&str> = c.missing.iter().map(|d| d.code()).collect();
        view! {
            <p class="bundle incomplete" data-complete="false">
                {format!("{} {}", t(lang, "Belum lengkap; masih kurang:", "Not complete yet; still missing:"), missing.join(", "))}
            </p>
        }
        .into_any()
    }
}

/// One line of the checklist.
#[component]
fn Row(
    line: Line,
    missing: bool,
    uploader: Uploader,
    can_edit: Signal<bool>,
    failure: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
    nomination: StoredValue<String>,
) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let code = line.document;
    let lang = move || ctx.lang.get();
    let (kind, need) = (line.kind(), line.need);
    let accept = line
        .accepts
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let limits = StoredValue::new({
        let types: Vec<&str> = line.accepts.iter().map(|m| m.label()).collect();
        (
            types.join(", "),
            line.max_bytes.map(format_size).unwrap_or_default(),
        )
    });
    let state = state_view(&line, nomination, failure);
    let line = StoredValue::new(line);
    let dragging = RwSignal::new(false);
    let choose = move |file: File| line.with_value(|l| uploader.start(l, file));
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = ev.target().expect("input").unchecked_into();
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            choose(file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            choose(file);
        }
    };
    let accept = StoredValue::new(accept);
    let input_id = StoredValue::new(format!("file-{}", code.code()));
    let file = move || {
        uploader
            .files
            .with(|f| f.iter().find(|v| v.code == code).cloned())
    };
    let class = if missing {
        "doc-row missing"
    } else {
        "doc-row"
    };
    view! {
        <li class=class data-code=code.code()>
            <div class="doc-head">
                <strong>{move || code.title().get(lang()).to_owned()}</strong>
                <span class="badge">{move || need_badge(need, lang())}</span>
            </div>
            {state}
            {(kind != DocumentKind::Physical && need != Need::NotApplicable).then(|| view! {
                <Show when=move || can_edit.get()>
                    <label class="drop" class:dragging=move || dragging.get()
                        on:dragover=move |ev: DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop>
                        <span>{tr("Pilih berkas atau seret ke sini", "Choose a file or drop it here")}</span>
                        <small>{move || limits.with_value(|(types, max)| format!("{types} · {} {max}", t(lang(), "maks.", "max.")))}</small>
                        <input type="file" id=input_id.get_value() accept=accept.get_value() on:change=on_change/>
                    </label>
                </Show>
            })}
            {move || file().map(|f| progress_view(f, uploader, lang()))}
            {(kind == DocumentKind::Physical).then(|| view! {
                <Show when=move || can_edit.get()>
                    <ShipmentForm nomination=nomination reload=reload/>
                </Show>
            })}
        </li>
    }
}

/// What the row holds now: the attached file (with a link, and a thumbnail for photos), the
/// sample's shipment and receipt, or nothing.
fn state_view(
    line: &Line,
    nomination: StoredValue<String>,
    failure: RwSignal<Option<String>>,
) -> AnyView {
    let ctx = AppCtx::use_ctx();
    let code = line.document;
    let open = move |_| {
        let id = nomination.get_value();
        let lang = ctx.lang.get_untracked();
        spawn_local(async move {
            match api::document_link(&id, code, false, lang).await {
                Ok(url) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.open_with_url_and_target(&url, "_blank");
                    }
                }
                Err(e) => failure.set(Some(e.message(lang))),
            }
        });
    };
    let state = &line.state;
    match line.state() {
        "attached" | "non_conforming" => {
            let file = if state["file"].is_object() {
                &state["file"]
            } else {
                state
            };
            let thumbnail = (line.kind() == DocumentKind::Photo).then(|| {
                let link = resource(move || {
                    let id = nomination.get_value();
                    async move { api::document_link(&id, code, true, ctx.lang.get_untracked()).await.ok() }
                });
                move || link.get().flatten().map(|url| view! {
                    <img class="thumb" src=url alt=move || code.label().get(ctx.lang.get()).to_owned() width="96" height="96"/>
                })
            });
            let size = format_size(file["size"].as_u64().unwrap_or(0));
            view! {
                <p class="doc-state attached">
                    {thumbnail}
                    <span>{format!("{} · {size}", s(&file["file_name"]))}</span>
                    " "
                    <button type="button" class="link" on:click=open>{tr("Buka", "Open")}</button>
                </p>
            }
            .into_any()
        }
        "sample_shipped" | "sample_received" => {
            let state = state.clone();
            view! { <p class="doc-state attached">{move || sample_text(&state, ctx.lang.get())}</p> }
                .into_any()
        }
        "missing" => {
            view! { <p class="doc-state">{tr("Belum ada.", "Not there yet.")}</p> }.into_any()
        }
        _ => view! { <p class="doc-state">{tr("Tidak diperlukan.", "Not needed.")}</p> }.into_any(),
    }
}

/// The product sample's shipment, and its receipt once recorded, from an [`EntryState`]'s
/// JSON (`sample_shipped` or `sample_received`).
fn sample_text(state: &Value, lang: Lang) -> String {
    let shipped = t(lang, "Dikirim", "Shipped");
    let receipt = &state["receipt"];
    if !receipt.is_object() {
        let (on, courier, tracking) = (
            s(&state["shipped_on"]),
            s(&state["courier"]),
            s(&state["tracking_number"]),
        );
        return format!("{shipped} {on} · {courier} · {tracking}");
    }
    let condition = match s(&receipt["condition"]) {
        "good" => SampleCondition::Good,
        "damaged" => SampleCondition::Damaged,
        "incomplete" => SampleCondition::Incomplete,
        _ => SampleCondition::Expired,
    };
    format!(
        "{shipped} {} · {} {} ({})",
        s(&state["shipment"]["shipped_on"]),
        t(lang, "diterima", "received"),
        s(&receipt["received_on"]),
        condition.label().get(lang)
    )
}

/// The phase's name for tests and styles (`data-phase`).
fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Preparing => "preparing",
        Phase::Sending => "sending",
        Phase::Retrying { .. } => "retrying",
        Phase::Offline => "offline",
        Phase::Completing => "completing",
        Phase::Done => "done",
        Phase::Failed(_) => "failed",
    }
}

/// One file's progress bar, phase and cancel button.
fn progress_view(f: FileView, uploader: Uploader, lang: Lang) -> impl IntoView {
    let code = f.code;
    let status = match &f.phase {
        Phase::Preparing => t(lang, "Menyiapkan…", "Preparing…").to_owned(),
        Phase::Sending if f.resumed_parts > 0 => format!(
            "{} ({} {})",
            t(lang, "Melanjutkan", "Resuming"),
            f.resumed_parts,
            t(lang, "bagian sudah tersimpan", "parts already stored")
        ),
        Phase::Sending => t(lang, "Mengirim…", "Sending…").to_owned(),
        Phase::Retrying { attempt } => format!(
            "{} ({attempt})",
            t(
                lang,
                "Koneksi terputus; mencoba lagi…",
                "Connection lost; retrying…"
            )
        ),
        Phase::Offline => t(
            lang,
            "Luring; menunggu jaringan…",
            "Offline; waiting for the network…",
        )
        .to_owned(),
        Phase::Completing => t(lang, "Memeriksa berkas…", "Checking the file…").to_owned(),
        Phase::Done => t(lang, "Terunggah.", "Uploaded.").to_owned(),
        Phase::Failed(why) => why.get(lang).to_owned(),
    };
    let failed = matches!(f.phase, Phase::Failed(_));
    let active = f.is_active();
    let bar_id = format!("progress-{}", code.code());
    view! {
        <div class="file-progress" data-phase=phase_name(&f.phase)>
            <label for=bar_id.clone()>
                {format!("{} — {} / {} ({}%)", f.file_name, format_size(f.sent), format_size(f.size), percent(f.sent, f.size))}
            </label>
            <progress id=bar_id max=f.size.to_string() value=f.sent.to_string()></progress>
            <span class=if failed { "alert" } else { "phase" } role=if failed { "alert" } else { "status" }>{status}</span>
            {active.then(|| view! {
                <button type="button" class="link" on:click=move |_| uploader.cancel(code)>{t(lang, "Batalkan", "Cancel")}</button>
            })}
        </div>
    }
}

/// The regency office records the product sample it sent (D08).
#[component]
fn ShipmentForm(nomination: StoredValue<String>, reload: RwSignal<u32>) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let courier = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let shipped_on = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = ctx.lang.get_untracked();
        let form = SampleShipmentForm {
            courier: courier.get_untracked(),
            tracking_number: tracking.get_untracked(),
            shipped_on: shipped_on.get_untracked().parse().ok(),
        };
        let id = nomination.get_value();
        spawn_local(async move {
            match api::ship_sample(&id, &form, lang).await {
                Ok(_) => {
                    problem.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => problem.set(Some(e.message(lang))),
            }
        });
    };
    view! {
        <form class="shipment" on:submit=save>
            <label>{tr("Jasa pengiriman", "Courier")}
                <input type="text" name="courier" required bind:value=courier/></label>
            <label>{tr("Nomor resi", "Tracking number")}
                <input type="text" name="tracking_number" required bind:value=tracking/></label>
            <label>{tr("Tanggal kirim", "Shipped on")}
                <input type="date" name="shipped_on" required bind:value=shipped_on/></label>
            <button type="submit">{tr("Catat pengiriman sampel", "Record the sample shipment")}</button>
            {move || problem.get().map(alert)}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{checklist, json};

    #[test]
    fn the_checklist_reads_as_core_writes_it() {
        let view = checklist();
        let read = Checklist::read(&json(&view));
        assert_eq!(
            (read.missing.clone(), read.complete),
            (view.missing.clone(), false)
        );
        assert!(!read.missing.is_empty() && read.missing.contains(&DocumentType::ProductPhotos));
        assert_eq!(read.lines.len(), view.entries.len());
        for (line, entry) in read.lines.iter().zip(&view.entries) {
            assert_eq!(
                (
                    line.document,
                    line.need,
                    &line.accepts,
                    line.max_bytes,
                    line.kind()
                ),
                (
                    entry.document,
                    entry.need,
                    &entry.accepts,
                    entry.max_bytes,
                    entry.kind
                )
            );
            // A file is checked exactly as core checks it for the line.
            for (media, name, size) in [
                ("application/pdf", "a.pdf", 1_000),
                ("image/jpeg", "a.jpg", 1_000),
                ("application/pdf", "a.pdf", 0),
                ("application/pdf", "a.pdf", u64::MAX),
                ("", "a.exe", 10),
            ] {
                assert_eq!(
                    line.check_file(media, name, size),
                    entry.check_file(media, name, size),
                    "{:?} {name}",
                    entry.document
                );
            }
        }
        let state = |d: DocumentType| {
            let line = read.lines.iter().find(|l| l.document == d).unwrap();
            (line.state(), state_key(&line.state))
        };
        let (attached, key) = state(DocumentType::ProposalLetter);
        assert_eq!(
            (attached, key.as_str()),
            ("attached", "attached2026-11-29T01:30:00Z")
        );
        assert_eq!(state(DocumentType::ProductPhotos).0, "non_conforming");
        assert_ne!(
            state(DocumentType::ProductPhotos).1,
            state(DocumentType::ProposalLetter).1
        );
        let sample = &read
            .lines
            .iter()
            .find(|l| l.document == DocumentType::ProductSample)
            .unwrap()
            .state;
        assert_eq!(
            sample_text(sample, Lang::En),
            "Shipped 2026-11-20 · received 2026-11-25 (Damaged)"
        );
    }

    #[test]
    fn a_shipped_sample_shows_its_courier_and_tracking_number() {
        let shipped = serde_json::json!({
            "state": "sample_shipped", "courier": "JNE", "tracking_number": "JNE-123",
            "shipped_on": "2026-11-20", "recorded_by": "x", "recorded_at": "2026-11-20T01:00:00Z"
        });
        assert_eq!(
            sample_text(&shipped, Lang::Id),
            "Dikirim 2026-11-20 · JNE · JNE-123"
        );
    }
}
