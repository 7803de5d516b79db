//! The admin's determination page of a round, `/penetapan?periode=`: the locked
//! recommendation and the form that records the Minister's decree — its PDF sent straight to
//! S3 — and so turns the list into awards; once the round is determined, the decree and the
//! awards, each with its certificate (piagam) and its revocation; and the publication of the
//! public gallery.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::award::DecreeForm;
use ovop_core::document::{format_size, MediaType};
use ovop_core::dto::awards::{DeterminationRequest, MAX_DECREE_SIZE};
use ovop_core::policy::Role;
use ovop_core::region::regency;
use ovop_core::stars::Outcome;
use ovop_core::{Lang, Text};
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, HtmlInputElement};

use crate::api::{self, ApiFailure};
use crate::i18n::{t, tr};
use crate::leaderboard::recommendation;
use crate::resource::{load, Loaded};
use crate::selection::round_choice;
use crate::session::AppCtx;
use crate::ui::{
    alert_of, at, commodity_name, date_field, dyn_bool, dyn_opt, dyn_text, dynamic, error_field,
    focus_by_id, html, html_with_actions, items, notice_of, on_click, on_submit, query_value, s,
    show, stars, FieldErrors, Html, Value,
};
use crate::upload::xhr;

/// The page's URL for a round.
pub fn page_path(round: &str) -> String {
    format!("/penetapan?periode={}", query_value(round))
}

#[component]
pub fn Determination() -> impl IntoView {
    let heading = view! { <h1>{tr("Penetapan", "Determination")}</h1> };
    if AppCtx::use_ctx().role() != Some(Role::Admin) {
        let only = tr(
            "Halaman ini khusus admin.",
            "This page is for the admin only.",
        );
        return view! { {heading} <p class="alert" role="alert">{only}</p> }.into_any();
    }
    let choice = round_choice(Arc::new(|r: &str| page_path(r)));
    let round = choice.round;
    view! {
        {heading}
        {choice.picker}
        {dyn_opt(move || {
            let round = round.get();
            (!round.is_empty()).then(|| round_part(round))
        })}
        {publication()}
    }
    .into_any()
}

/// The problem's detail, or `not_found` when the answer is a 404 (what that means here).
fn status_of(e: &ApiFailure, not_found: Html, lang: Lang) -> Html {
    if e.status() == 404 {
        not_found
    } else {
        Html::el("p", "alert", Html::text(&e.message(lang)))
    }
}

fn loading(lang: Lang) -> Html {
    Html::status("list-status", t(lang, "Memuat…", "Loading…"))
}

/// The round's determination once there is one; before, its locked recommendation and the
/// decree's form.
fn round_part(round: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let reload = RwSignal::new(0u32);
    let path = api::round_path(&round, "determination");
    let determination = load(move || {
        reload.track();
        path.clone()
    });
    let round = StoredValue::new(round);
    // Drawn again only when the answer changes, not with the language: the form being filled
    // in stays as it is.
    dynamic(move || {
        let answer = determination.get();
        let l = lang.get_untracked();
        match answer.map(|a| a.and_then(api::read::<Value>)) {
            None => html(loading(l)),
            Some(Ok(d)) => {
                // Determined just now with the form (the only reload): on to the decree.
                if reload.get_untracked() > 0 {
                    focus_by_id("decree-title");
                }
                determined(round.get_value(), d)
            }
            Some(Err(e)) if e.status() == 404 => undetermined(round.get_value(), reload),
            Some(Err(e)) => html(status_of(&e, Html::default(), l)),
        }
    })
}

// ------------------------------------------------------------------ before the determination

/// The locked recommendation, and once there is one the decree's form.
fn undetermined(round: String, reload: RwSignal<u32>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let path = api::round_path(&round, "recommendation");
    let rec = load(move || path.clone());
    let locked = Memo::new(move |_| matches!(rec.get(), Some(Ok(_))));
    let to_lock = crate::selection::page_path(&round, "peringkat");
    let list = dynamic(move || {
        let l = lang.get();
        html(match rec.get().map(|a| a.and_then(api::read::<Value>)) {
            None => loading(l),
            Some(Ok(r)) => recommendation(&r, l),
            Some(Err(e)) => {
                let (id, en) = (
                    "Daftar rekomendasi periode ini belum dikunci: kunci dahulu pada \
                     peringkat seleksi.",
                    "The round's recommendation list is not locked yet: lock it on the \
                     selection's leaderboard first.",
                );
                let link = Html::link(&to_lock, t(l, "Ke peringkat seleksi", "To the leaderboard"));
                status_of(&e, Html::status("hint", t(l, id, en)).and(link), l)
            }
        })
    });
    let round = StoredValue::new(round);
    view! {
        <section class="recommendation" aria-labelledby="recommendation-title">
            <h2 id="recommendation-title">{tr("Rekomendasi", "Recommendation")}</h2>
            {list}
        </section>
        {dyn_opt(move || locked.get().then(|| decree_form(round.get_value(), reload)))}
    }
    .into_any()
}

/// Today in Jakarta (WIB), the day the server checks the decree's date against.
fn today_wib() -> NaiveDate {
    let now =
        DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    (now + chrono::Duration::hours(7)).date_naive()
}

/// Why `file` cannot be the decree's PDF, if it cannot: none chosen, not a PDF, too large.
fn pdf_problem(file: Option<(&str, &str, u64)>) -> Option<Text> {
    let Some((media_type, name, size)) = file else {
        return Some(ovop_core::errors::required());
    };
    if MediaType::of_file(media_type, name) != Some(MediaType::Pdf) {
        return Some(Text::new(
            "Berkas keputusan harus berupa PDF.",
            "The decree must be a PDF file.",
        ));
    }
    (size == 0 || size > MAX_DECREE_SIZE).then(|| {
        let max = format_size(MAX_DECREE_SIZE);
        Text::new(
            format!("Berkas PDF keputusan harus berukuran 1 bita sampai {max}."),
            format!("The decree's PDF must be 1 byte to {max}."),
        )
    })
}

/// The field errors of the decree's form, by the names the server gives them
/// (`decree.number`, …, `document_key` for the PDF), as core's rules find them on `today`.
fn form_errors(
    form: &DecreeForm,
    file: Option<(&str, &str, u64)>,
    today: NaiveDate,
    lang: Lang,
) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, String> = match form.validate(today) {
        Ok(_) => BTreeMap::new(),
        Err(e) => e
            .localized(lang)
            .into_iter()
            .map(|(field, message)| (format!("decree.{field}"), message))
            .collect(),
    };
    if let Some(why) = pdf_problem(file) {
        found.insert("document_key".into(), why.get(lang).to_owned());
    }
    found
}

/// The request's body: the decree as typed, the key of the PDF sent.
fn determination_body(decree: DecreeForm, document_key: String) -> Option<String> {
    serde_json::to_string(&DeterminationRequest {
        decree,
        document_key,
    })
    .ok()
}

/// The decree's form: number, date, signer, end of validity and the PDF. Checked by core's
/// rules first; then the PDF goes to S3 on a presigned PUT and the round is determined.
fn decree_form(round: String, reload: RwSignal<u32>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let number = RwSignal::new(String::new());
    let date = RwSignal::new(today_wib().to_string());
    let signer = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let file = StoredValue::new_local(None::<File>);
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // One key per intended determination; a new one after the server refused one.
    let key = StoredValue::new(api::new_idempotency_key());
    // The PDF sent already (the file, and the key S3 holds it under): a retry does not send
    // it again.
    let sent = StoredValue::new(None::<(String, String)>);
    let round = StoredValue::new(round);
    let on_file = move |ev: leptos::ev::Event| {
        let input: Option<HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        file.set_value(input.and_then(|i| i.files()).and_then(|f| f.get(0)));
        errors.update(|e| {
            e.remove("document_key");
        });
    };
    let submit = move || {
        let l = lang.get_untracked();
        if busy.get_untracked() {
            return;
        }
        let decree = DecreeForm {
            number: number.get_untracked(),
            date: date.get_untracked().parse().ok(),
            signer: signer.get_untracked(),
            valid_until: until.get_untracked().parse().ok(),
        };
        let pdf = file.get_value();
        let facts = pdf.as_ref().map(|f| (f.type_(), f.name(), f.size() as u64));
        let found = form_errors(
            &decree,
            facts.as_ref().map(|(m, n, s)| (m.as_str(), n.as_str(), *s)),
            today_wib(),
            l,
        );
        let (Some(pdf), true) = (pdf, found.is_empty()) else {
            errors.set(found);
            let marked = t(
                l,
                "Periksa isian yang ditandai.",
                "Please correct the fields marked.",
            );
            failure.set(Some(marked.into()));
            return;
        };
        errors.set(BTreeMap::new());
        failure.set(None);
        busy.set(true);
        spawn_local(async move {
            let steps = Steps {
                round: round.get_value(),
                sent,
                progress,
                lang: l,
            };
            let done = steps.determine(decree, pdf, key.get_value()).await;
            busy.set(false);
            progress.set(None);
            match done {
                // The page shows the determined round.
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => {
                    if matches!(e, ApiFailure::Problem(_)) {
                        key.set_value(api::new_idempotency_key());
                    }
                    errors.set(e.field_errors());
                    failure.set(Some(e.message(l)));
                }
            }
        });
    };
    let pdf_error = move || errors.with(|e| e.get("document_key").cloned());
    view! {
        <form class="decree" on:submit=on_submit(submit) novalidate aria-labelledby="decree-form-title">
            <h2 id="decree-form-title">{tr("Keputusan Menteri", "Ministerial decree")}</h2>
            <p class="hint">{tr("Keputusan ini menetapkan semua usulan dalam daftar rekomendasi sebagai penerima penghargaan; setelah itu periode dibekukan.",
                "The decree makes every nomination on the recommendation list an award; the round is frozen afterwards.")}</p>
            {alert_of(failure)}
            {error_field("decree-number".into(), ("Nomor keputusan", "Decree number"), number, 0, errors, "decree.number")}
            {date_field("decree-date".into(), ("Tanggal keputusan", "Decree date"), date, errors, "decree.date")}
            {error_field("decree-signer".into(), ("Penanda tangan", "Signed by"), signer, 0, errors, "decree.signer")}
            {date_field("decree-valid-until".into(), ("Berlaku sampai (kosongkan: 2 tahun setelah tanggal keputusan)",
                "Valid until (empty: 2 years after the decree's date)"), until, errors, "decree.valid_until")}
            <div class="field">
                <label for="decree-pdf">{tr("Berkas PDF keputusan (maks. 20 MB)", "The decree's PDF (max. 20 MB)")}</label>
                <input id="decree-pdf" type="file" accept="application/pdf" aria-describedby="decree-pdf-error"
                    aria-invalid=dyn_text(move || pdf_error().is_some().to_string()) on:change=on_file/>
                <p class="error" id="decree-pdf-error">{dyn_text(move || pdf_error().unwrap_or_default())}</p>
            </div>
            {notice_of(progress)}
            <div class="actions">
                <button type="submit" class="primary" disabled=dyn_bool(move || busy.get())>{tr("Tetapkan penghargaan", "Determine the awards")}</button>
            </div>
        </form>
    }
    .into_any()
}

/// The steps of one determination.
struct Steps {
    round: String,
    sent: StoredValue<Option<(String, String)>>,
    progress: RwSignal<Option<String>>,
    lang: Lang,
}

impl Steps {
    fn say(&self, id: &'static str, en: &'static str) {
        self.progress.set(Some(t(self.lang, id, en).into()));
    }

    /// Sends the PDF unless it is sent already, then determines the round with `decree`
    /// under the idempotency `key`.
    async fn determine(
        &self,
        decree: DecreeForm,
        pdf: File,
        key: String,
    ) -> Result<(), ApiFailure> {
        let this_file = format!("{}/{}/{}", pdf.name(), pdf.size(), pdf.last_modified());
        let document_key = match self.sent.get_value() {
            Some((file, document_key)) if file == this_file => document_key,
            _ => {
                let document_key = self.send_pdf(&pdf).await?;
                self.sent.set_value(Some((this_file, document_key.clone())));
                document_key
            }
        };
        self.say("Menetapkan penghargaan…", "Determining the awards…");
        let body = determination_body(decree, document_key);
        let path = api::round_path(&self.round, "determination");
        let headers = vec![("Idempotency-Key", key)];
        api::fetch(Method::POST, path, self.lang, headers, body).await?;
        Ok(())
    }

    /// Sends the PDF as the signed request of a
    /// [`DecreeUpload`](ovop_core::dto::awards::DecreeUpload) says; answers its key.
    async fn send_pdf(&self, pdf: &File) -> Result<String, ApiFailure> {
        self.say("Mengirim PDF keputusan…", "Sending the decree's PDF…");
        let path = api::round_path(&self.round, "decree/upload");
        let size = format!("{{\"size\":{}}}", pdf.size() as u64);
        let upload = api::fetch(Method::POST, path, self.lang, Vec::new(), Some(size)).await?;
        let upload: Value = api::read(upload)?;
        let request = api::signed_request(&upload["request"]);
        if let Err(e) = xhr::send(&request, pdf, |_| {}, |_| {}).await {
            let (id, en) = (
                "PDF keputusan tidak terkirim",
                "The decree's PDF was not sent",
            );
            return Err(ApiFailure::Network(format!(
                "{} ({e:?})",
                t(self.lang, id, en)
            )));
        }
        Ok(s(&upload["key"]).to_owned())
    }
}

// ------------------------------------------------------------------ after the determination

/// `2026-11-20` as the ministry writes it (20-11-2026).
fn day(v: &Value) -> String {
    let mut parts: Vec<&str> = s(v).split('-').collect();
    parts.reverse();
    parts.join("-")
}

/// The decree of a [`Determination`](ovop_core::award::Determination).
fn decree_html(d: &Value, lang: Lang) -> Html {
    let decree = &d["decree"];
    let by = format!("{} · {}", s(&d["determined_by"]), at(&d["determined_at"]));
    let rows = [
        (("Nomor", "Number"), s(&decree["number"]).to_owned()),
        (("Tanggal", "Date"), day(&decree["date"])),
        (
            ("Penanda tangan", "Signed by"),
            s(&decree["signer"]).to_owned(),
        ),
        (
            ("Berlaku sampai", "Valid until"),
            day(&decree["valid_until"]),
        ),
        (("Ditetapkan oleh", "Determined by"), by),
        (("Jumlah penghargaan", "Awards"), d["awards"].to_string()),
    ]
    .into_iter()
    .map(|((id, en), value)| vec![Html::text(t(lang, id, en)), Html::text(&value)])
    .collect();
    Html::table(
        "decree",
        ("Keputusan Menteri", "Ministerial decree"),
        &[("Data", "Field"), ("Isi", "Value")],
        rows,
        lang,
    )
}

/// The certificate's file name: `piagam-OVOP-2026-0001.pdf`.
fn certificate_file(number: &str) -> String {
    format!("piagam-{}.pdf", number.replace(['/', '\\'], "-"))
}

/// A round's [`AwardList`](ovop_core::dto::awards::AwardList): each award, valid or revoked,
/// with its certificate and revocation buttons while it holds.
fn awards_html(list: &Value, lang: Lang) -> Html {
    let awards = items(&list["awards"]);
    if awards.is_empty() {
        return Html::status(
            "list-status",
            t(lang, "Tidak ada penghargaan.", "No awards."),
        );
    }
    let rows = awards
        .iter()
        .map(|a| {
            let (id, name) = (s(&a["id"]), s(&a["ikm_name"]));
            let place = regency(s(&a["regency_code"])).map_or("", |r| r.name.as_str());
            let stars =
                stars(&a["stars"]).map_or(Outcome::NoAward, |stars| Outcome::Awarded { stars });
            let revocation = &a["revocation"];
            let (state, actions) = if revocation.is_object() {
                let why = format!(
                    "{}: {}",
                    t(lang, "Dicabut", "Revoked"),
                    s(&revocation["reason"])
                );
                (
                    Html::el("span", "award-revoked", Html::text(&why)),
                    Html::default(),
                )
            } else {
                let valid = format!(
                    "{} {}",
                    t(lang, "Berlaku sampai", "Valid until"),
                    day(&a["valid_until"])
                );
                let buttons = Html::button(
                    "certificate",
                    id,
                    t(lang, "Unduh piagam", "Download certificate"),
                    name,
                )
                .and(Html::button("revoke", id, t(lang, "Cabut", "Revoke"), name));
                (Html::el("span", "award-valid", Html::text(&valid)), buttons)
            };
            vec![
                Html::text(s(&a["certificate_number"])),
                Html::text(name),
                Html::text(s(&a["product_name"])),
                Html::text(&commodity_name(s(&a["commodity"]), lang)),
                Html::text(place),
                Html::outcome(stars, lang),
                state,
                actions,
            ]
        })
        .collect();
    Html::table(
        "awards",
        ("Penghargaan periode ini", "The round's awards"),
        &[
            ("Nomor piagam", "Certificate number"),
            ("IKM", "IKM"),
            ("Produk", "Product"),
            ("Komoditas", "Commodity"),
            ("Kabupaten/kota", "Regency/city"),
            ("Bintang", "Stars"),
            ("Status", "Status"),
            ("Tindakan", "Actions"),
        ],
        rows,
        lang,
    )
}

/// An award being revoked: (id, what the form's heading names).
type Revoking = RwSignal<Option<(String, String)>>;

/// A determined round: its decree with the PDF's link, and its awards.
fn determined(round: String, d: Value) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let link_path = api::round_path(&round, "decree/link");
    let link = show(load(move || link_path.clone()), |json, l| {
        let link: Value = api::read(json)?;
        let open = t(l, "Buka PDF keputusan", "Open the decree's PDF");
        Ok(html(Html::el(
            "p",
            "",
            Html::external(s(&link["url"]), open),
        )))
    });
    let reload = RwSignal::new(0u32);
    let awards_path = api::round_path(&round, "awards");
    let awards = load(move || {
        reload.track();
        awards_path.clone()
    });
    let revoking: Revoking = RwSignal::new(None);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let d = StoredValue::new(d);
    let decree = dynamic(move || {
        let l = lang.get();
        html(d.with_value(|d| decree_html(d, l)))
    });
    view! {
        <section class="determined" aria-labelledby="decree-title">
            <h2 id="decree-title" tabindex="-1">{tr("Keputusan Menteri", "Ministerial decree")}</h2>
            {decree}
            {link}
        </section>
        <section class="awards" aria-labelledby="awards-title">
            <h2 id="awards-title">{tr("Penghargaan", "Awards")}</h2>
            {alert_of(failure)}
            {notice_of(notice)}
            {awards_table(awards, revoking, failure)}
            {dyn_opt(move || revoking.get().map(|award| revoke_form(award, revoking, reload, notice)))}
        </section>
    }
    .into_any()
}

/// The awards as `loaded`; a click on a certificate button saves the certificate, on a
/// revocation button opens the revocation's form.
fn awards_table(loaded: Loaded, revoking: Revoking, failure: RwSignal<Option<String>>) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    show(loaded, move |json, l| {
        let list: Value = api::read(json)?;
        let drawn = awards_html(&list, l);
        let act = move |act: String, id: String| {
            let Some(a) = items(&list["awards"]).iter().find(|a| s(&a["id"]) == id) else {
                return;
            };
            let number = s(&a["certificate_number"]);
            if act == "certificate" {
                let name = certificate_file(number);
                download(
                    format!("/awards/{id}/certificate"),
                    name,
                    failure,
                    lang.get_untracked(),
                );
            } else {
                revoking.set(Some((id, format!("{} ({number})", s(&a["ikm_name"])))));
                focus_by_id("revoke-title");
            }
        };
        Ok(html_with_actions(drawn, act))
    })
}

/// Fetches the PDF at `path` (with the sign-in) and saves it as `file_name`.
fn download(path: String, file_name: String, failure: RwSignal<Option<String>>, lang: Lang) {
    failure.set(None);
    spawn_local(async move {
        match api::pdf(&path, lang).await {
            Ok(blob) => save(&blob, &file_name),
            Err(e) => failure.set(Some(e.message(lang))),
        }
    });
}

/// Saves `blob` as `file_name`: a link to it with `download`, clicked.
fn save(blob: &Blob, file_name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(a) = link {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", file_name);
        a.click();
    }
    // The browser has the file by then.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(60),
    );
}

/// Revoking one award: the reason (required), then the award as the server left it.
fn revoke_form(
    (id, name): (String, String),
    revoking: Revoking,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let reason = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(BTreeMap::new());
    let failure = RwSignal::new(None::<String>);
    // One key per intended revocation; a new one after the server refused one.
    let key = StoredValue::new(api::new_idempotency_key());
    let (path, done) = (format!("/awards/{id}/revocation"), name.clone());
    let save = move || {
        let l = lang.get_untracked();
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            let required = ovop_core::errors::required().get(l).to_owned();
            errors.set(BTreeMap::from([("reason".to_owned(), required)]));
            return;
        }
        errors.set(BTreeMap::new());
        failure.set(None);
        let body = api::text_object(&[("reason", &why)]);
        let headers = vec![("Idempotency-Key", key.get_value())];
        let revoking_it = api::fetch(Method::POST, path.clone(), l, headers, Some(body));
        let done = done.clone();
        spawn_local(async move {
            match revoking_it.await {
                Ok(_) => {
                    let revoked = t(l, "penghargaan dicabut.", "the award is revoked.");
                    notice.set(Some(format!("{done}: {revoked}")));
                    revoking.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    if matches!(e, ApiFailure::Problem(_)) {
                        key.try_set_value(api::new_idempotency_key());
                    }
                    // Revoked meanwhile: the list shows it.
                    if e.status() == 409 {
                        reload.update(|n| *n += 1);
                    }
                    errors.set(e.field_errors());
                    failure.set(Some(e.message(l)));
                }
            }
        });
    };
    view! {
        <form class="revoke" on:submit=on_submit(save) novalidate aria-labelledby="revoke-title">
            <h3 id="revoke-title" tabindex="-1">{tr("Cabut penghargaan: ", "Revoke the award: ")} {name}</h3>
            {error_field("revoke-reason".into(), ("Alasan pencabutan", "Reason for the revocation"), reason, 3, errors, "reason")}
            {alert_of(failure)}
            <div class="actions">
                <button type="submit" class="danger">{tr("Cabut penghargaan", "Revoke the award")}</button>
                <button type="button" on:click=on_click(move || revoking.set(None))>{tr("Batal", "Cancel")}</button>
            </div>
        </form>
    }
    .into_any()
}

// ------------------------------------------------------------------ publication

/// The published version ([`Pointer`](ovop_core::gallery::Pointer)).
fn pointer_html(p: &Value, lang: Lang) -> Html {
    let line = format!(
        "{} {} · {}",
        t(
            lang,
            "Terbitan terakhir: versi",
            "Last publication: version"
        ),
        s(&p["version"]),
        at(&p["published_at"])
    );
    Html::status("context", &line)
}

/// What a publication did ([`PublicationReport`](ovop_core::dto::awards::PublicationReport)).
fn report_html(r: &Value, lang: Lang) -> Html {
    let said = if r["unchanged"].as_bool() == Some(true) {
        t(
            lang,
            "Tidak ada perubahan sejak terbitan sebelumnya; tidak ada berkas yang ditulis.",
            "Nothing changed since the last publication; no file was written.",
        )
    } else {
        t(lang, "Galeri diterbitkan.", "The gallery is published.")
    };
    let number = |v: &Value| v.as_u64().unwrap_or(0).to_string();
    let rows = [
        (("Versi", "Version"), s(&r["version"]).to_owned()),
        (("Diterbitkan", "Published"), at(&r["published_at"])),
        (("Periode", "Rounds"), number(&r["rounds"])),
        (("Penghargaan", "Awards"), number(&r["awards"])),
        (
            ("Berkas ditulis", "Files written"),
            number(&r["files_written"]),
        ),
        (
            ("Ukuran ditulis", "Bytes written"),
            format_size(r["bytes_written"].as_u64().unwrap_or(0)),
        ),
    ]
    .into_iter()
    .map(|((id, en), value)| vec![Html::text(t(lang, id, en)), Html::text(&value)])
    .collect();
    Html::status("notice", said).and(Html::table(
        "publication",
        ("Hasil penerbitan", "Publication report"),
        &[("Data", "Field"), ("Isi", "Value")],
        rows,
        lang,
    ))
}

/// The gallery's publication: what is published now, the button that publishes every
/// determined round, its report, and the public gallery (outside the app).
fn publication() -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let reload = RwSignal::new(0u32);
    let pointer = load(move || {
        reload.track();
        "/publication".into()
    });
    let report = RwSignal::new(None::<Value>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let publish = move || {
        let l = lang.get_untracked();
        busy.set(true);
        failure.set(None);
        let publishing = api::fetch(Method::POST, "/publication".into(), l, Vec::new(), None);
        spawn_local(async move {
            match publishing.await.and_then(api::read::<Value>) {
                Ok(r) => {
                    report.set(Some(r));
                    reload.update(|n| *n += 1);
                }
                Err(e) => failure.set(Some(e.details(l))),
            }
            busy.set(false);
        });
    };
    let current = dynamic(move || {
        let l = lang.get();
        html(
            match pointer.get().map(|a| a.and_then(api::read::<Value>)) {
                None => loading(l),
                Some(Ok(p)) => pointer_html(&p, l),
                Some(Err(e)) => {
                    let never = t(
                        l,
                        "Galeri belum pernah diterbitkan.",
                        "The gallery has not been published yet.",
                    );
                    status_of(&e, Html::status("context", never), l)
                }
            },
        )
    });
    view! {
        <section class="publication" aria-labelledby="publication-title">
            <h2 id="publication-title">{tr("Publikasi galeri", "Gallery publication")}</h2>
            <p class="hint">{tr("Menerbitkan semua periode yang telah ditetapkan; penghargaan yang dicabut atau habis masa berlakunya tidak ditampilkan.",
                "Publishes every determined round; revoked and lapsed awards are left out.")}</p>
            {current}
            {alert_of(failure)}
            <div class="actions">
                <button type="button" class="primary" disabled=dyn_bool(move || busy.get()) on:click=on_click(publish)>{tr("Terbitkan galeri", "Publish the gallery")}</button>
                // Served by the same origin but not a page of the app: `rel="external"` keeps
                // the router from taking it.
                <a href="/galeri/" rel="external">{tr("Buka galeri publik", "Open the public gallery")}</a>
            </div>
            {dyn_opt(move || report.get().map(|r| html(report_html(&r, lang.get()))))}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{awards, determination, json, publication_report};

    #[test]
    fn the_decree_shows_its_number_dates_signer_and_who_determined_it() {
        let html = format!("{:?}", decree_html(&determination(), Lang::Id));
        for part in [
            r#"<th scope=\"row\">Nomor</th><td>1234/M-IND/Kep/11/2026</td>"#,
            r#"<th scope=\"row\">Tanggal</th><td>20-11-2026</td>"#,
            r#"<th scope=\"row\">Penanda tangan</th><td>Menteri Perindustrian &lt;RI&gt;</td>"#,
            r#"<th scope=\"row\">Berlaku sampai</th><td>20-11-2028</td>"#,
            r#"<th scope=\"row\">Ditetapkan oleh</th><td>admin · 29-11-2026 08:30 WIB</td>"#,
            r#"<th scope=\"row\">Jumlah penghargaan</th><td>2</td>"#,
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
    }

    #[test]
    fn awards_show_their_certificate_place_stars_and_state_with_actions_while_valid() {
        let html = format!("{:?}", awards_html(&awards(), Lang::En));
        for part in [
            r#"<th scope=\"row\">OVOP/2026/0001</th><td>Batik &lt;Pesisir&gt; &amp; Co</td><td>Batik tulis motif jlamprang</td><td>Batik cloth</td><td>Kabupaten Pekalongan</td>"#,
            "★★★</span> 3 stars",
            "Valid until 20-11-2028",
            r#"data-act=\"certificate\" data-arg=\"N1\">Download certificate"#,
            r#"data-act=\"revoke\" data-arg=\"N1\">Revoke"#,
            "Revoked: Produk tidak lagi dibuat di sentra.",
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        assert!(
            !html.contains(r#"data-arg=\"N2\""#),
            "a revoked award has no actions: {html}"
        );
        assert_eq!(
            certificate_file("OVOP/2026/0001"),
            "piagam-OVOP-2026-0001.pdf"
        );
    }

    #[test]
    fn a_publication_reports_what_it_wrote() {
        let html = format!("{:?}", report_html(&publication_report(false), Lang::Id));
        assert!(html.contains("Galeri diterbitkan."), "{html}");
        assert!(html.contains(r#"Berkas ditulis</th><td>23</td>"#), "{html}");
        assert!(
            html.contains(r#"Diterbitkan</th><td>29-11-2026 08:30 WIB</td>"#),
            "{html}"
        );
        let same = format!("{:?}", report_html(&publication_report(true), Lang::En));
        assert!(
            same.contains("Nothing changed since the last publication"),
            "{same}"
        );
        let pointer = json(&ovop_core::gallery::Pointer {
            version: "a1b2c3".into(),
            published_at: crate::fixtures::at(),
        });
        assert!(format!("{:?}", pointer_html(&pointer, Lang::En))
            .contains("Last publication: version a1b2c3 · 29-11-2026 08:30 WIB"));
    }

    #[test]
    fn the_form_is_checked_by_core_with_the_server_s_field_names() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let form = DecreeForm {
            number: "1234/M-IND/Kep/11/2026".into(),
            date: today.succ_opt(),
            signer: " ".into(),
            valid_until: None,
        };
        let pdf = Some(("application/pdf", "keputusan.pdf", 2_000));
        let found = form_errors(&form, pdf, today, Lang::En);
        assert_eq!(
            found.keys().map(String::as_str).collect::<Vec<_>>(),
            ["decree.date", "decree.signer"]
        );
        let form = DecreeForm {
            date: Some(today),
            signer: "Menteri Perindustrian".into(),
            ..form
        };
        assert!(form_errors(&form, pdf, today, Lang::En).is_empty());
        for file in [
            None,
            Some(("image/png", "scan.png", 2_000)),
            Some(("application/pdf", "keputusan.pdf", 0)),
            Some(("application/pdf", "keputusan.pdf", MAX_DECREE_SIZE + 1)),
        ] {
            let found = form_errors(&form, file, today, Lang::Id);
            assert!(found.contains_key("document_key"), "{file:?}");
        }
        let body = determination_body(form.clone(), "decrees/ovop-2026/x.pdf".into()).unwrap();
        let sent: DeterminationRequest = serde_json::from_str(&body).unwrap();
        assert_eq!(
            sent,
            DeterminationRequest {
                decree: form,
                document_key: "decrees/ovop-2026/x.pdf".into()
            }
        );
        assert_eq!(
            page_path("ovop 2026/x"),
            "/penetapan?periode=ovop%202026%2Fx"
        );
    }
}
