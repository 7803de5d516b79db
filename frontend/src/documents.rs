//! A nomination's documents: the checklist, one row per document type, with drag and drop,
//! progress per file and for the bundle, thumbnails of photos, download links, and the
//! product sample's shipment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::document::{
    format_size, ChecklistEntry, DocumentKind, DocumentType, EntryState, Need, SampleShipmentForm,
};
use ovop_core::dto::uploads::ChecklistView;
use ovop_core::Lang;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};

use crate::api;
use crate::i18n::{t, tr};
use crate::pages::alert;
use crate::resource::resource;
use crate::session::AppCtx;
use crate::upload::{FileView, Phase, Uploader};

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
        async move { api::checklist(&id, ctx.lang.get_untracked()).await }
    });
    // Uploads a reload left unfinished: choosing the same file again resumes them.
    let unfinished = resource(move || {
        let id = nomination.get_value();
        async move {
            api::open_uploads(&id, ctx.lang.get_untracked())
                .await
                .map(|l| l.items)
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
                let chosen: Vec<DocumentType> = uploader.files.with(|f| f.iter().map(|v| v.code).collect());
                let waiting: Vec<_> = open.into_iter().filter(|u| !chosen.contains(&u.document_code)).collect();
                (can_edit.get() && !waiting.is_empty()).then(|| view! {
                    <div class="notice resume" role="status">
                        <p>{tr("Unggahan yang belum selesai — pilih berkas yang sama pada barisnya untuk melanjutkan dari bagian terakhir:",
                            "Unfinished uploads — choose the same file in its row to resume from the last part:")}</p>
                        <ul>{waiting.into_iter().map(|u| view! {
                            <li>{format!("{} · {} ({})", u.document_code.code(), u.file_name, format_size(u.size))}</li>
                        }).collect_view()}</ul>
                    </div>
                })
            }}
            <ul class="checklist">
                // Keyed by document and state: when the checklist reloads, a row whose state did
                // not change keeps its elements, so a file being chosen there is not lost.
                <For
                    each=move || checklist.get().and_then(|r| r.ok()).map(|c| c.entries).unwrap_or_default()
                    key=|e| (e.document, state_key(&e.state))
                    children=move |entry| view! {
                        <Row entry=entry uploader=uploader can_edit=can_edit failure=failure reload=reload nomination=nomination/>
                    }
                />
            </ul>
        </section>
    }
}

/// What distinguishes one state of a checklist line from the next: its kind and when its
/// file or record was made.
fn state_key(state: &EntryState) -> (u8, i64) {
    match state {
        EntryState::Missing => (0, 0),
        EntryState::NotNeeded => (1, 0),
        EntryState::Attached(f) => (2, f.uploaded_at.timestamp_millis()),
        EntryState::NonConforming { file, .. } => (3, file.uploaded_at.timestamp_millis()),
        EntryState::SampleShipped(s) => (4, s.recorded_at.timestamp_millis()),
        EntryState::SampleReceived { receipt, .. } => (5, receipt.recorded_at.timestamp_millis()),
    }
}

fn bundle_state(c: &ChecklistView, lang: Lang) -> impl IntoView {
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
    entry: ChecklistEntry,
    uploader: Uploader,
    can_edit: Signal<bool>,
    failure: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
    nomination: StoredValue<String>,
) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let code = entry.document;
    let lang = move || ctx.lang.get();
    let entry = StoredValue::new(entry);
    let dragging = RwSignal::new(false);
    let choose = move |file: File| entry.with_value(|e| uploader.start(e, file));
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
    let state = entry.with_value(|e| e.state.clone());
    let kind = entry.with_value(|e| e.kind);
    let need = entry.with_value(|e| e.need);
    let accept = entry.with_value(|e| {
        e.accepts
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    let limits = StoredValue::new(entry.with_value(|e| {
        let types: Vec<&str> = e.accepts.iter().map(|m| m.label()).collect();
        (
            types.join(", "),
            e.max_bytes.map(format_size).unwrap_or_default(),
        )
    }));
    let accept = StoredValue::new(accept);
    let input_id = StoredValue::new(format!("file-{}", code.code()));
    let file = move || {
        uploader
            .files
            .with(|f| f.iter().find(|v| v.code == code).cloned())
    };
    let missing = entry.with_value(ChecklistEntry::is_missing);
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
            {state_view(state, kind, code, nomination, failure)}
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
    state: EntryState,
    kind: DocumentKind,
    code: DocumentType,
    nomination: StoredValue<String>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let open = move |_| {
        let id = nomination.get_value();
        let lang = ctx.lang.get_untracked();
        spawn_local(async move {
            match api::document_link(&id, code, false, lang).await {
                Ok(link) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.open_with_url_and_target(&link.url, "_blank");
                    }
                }
                Err(e) => failure.set(Some(e.message(lang))),
            }
        });
    };
    match state {
        EntryState::Attached(file) | EntryState::NonConforming { file, .. } => {
            let thumbnail = (kind == DocumentKind::Photo).then(|| {
                let link = resource(move || {
                    let id = nomination.get_value();
                    async move { api::document_link(&id, code, true, ctx.lang.get_untracked()).await.ok() }
                });
                move || link.get().flatten().map(|l| view! {
                    <img class="thumb" src=l.url alt=move || code.label().get(ctx.lang.get()).to_owned() width="96" height="96"/>
                })
            });
            view! {
                <p class="doc-state attached">
                    {thumbnail}
                    <span>{format!("{} · {}", file.file_name, format_size(file.size))}</span>
                    " "
                    <button type="button" class="link" on:click=open>{tr("Buka", "Open")}</button>
                </p>
            }
            .into_any()
        }
        EntryState::SampleShipped(s) => view! {
            <p class="doc-state attached">{move || format!("{} {} · {} · {}", t(ctx.lang.get(), "Dikirim", "Shipped"), s.shipped_on, s.courier, s.tracking_number)}</p>
        }
        .into_any(),
        EntryState::SampleReceived { shipment, receipt } => view! {
            <p class="doc-state attached">{move || format!("{} {} · {} {} ({})", t(ctx.lang.get(), "Dikirim", "Shipped"), shipment.shipped_on,
                t(ctx.lang.get(), "diterima", "received"), receipt.received_on, receipt.condition.label().get(ctx.lang.get()))}</p>
        }
        .into_any(),
        EntryState::Missing => view! { <p class="doc-state">{tr("Belum ada.", "Not there yet.")}</p> }.into_any(),
        EntryState::NotNeeded => view! { <p class="doc-state">{tr("Tidak diperlukan.", "Not needed.")}</p> }.into_any(),
    }
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
