//! The nomination form: one field per line, labels, errors linked to their field. The same
//! validation as the server (core crate) runs before anything is sent.

use std::collections::BTreeMap;

use leptos::prelude::*;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::nomination::NominationForm;
use ovop_core::region::regency;
use ovop_core::Lang;

use crate::i18n::{t, tr};
use crate::session::AppCtx;

/// Form state shared by the fields.
#[derive(Clone, Copy)]
pub struct FormState {
    pub form: RwSignal<NominationForm>,
    /// Field path → message in the language of the moment.
    pub errors: RwSignal<BTreeMap<String, String>>,
}

impl FormState {
    pub fn new(initial: NominationForm) -> Self {
        FormState {
            form: RwSignal::new(initial),
            errors: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Runs the core validation; true when the form may be sent. Free text is first put in
    /// NFC by the browser, so what is checked (lengths) and sent is what the server stores.
    pub fn validate(&self, lang: Lang) -> bool {
        self.form.maybe_update(|f| {
            let mut changed = false;
            for text in [
                &mut f.ikm.name,
                &mut f.ikm.nib,
                &mut f.ikm.owner_name,
                &mut f.ikm.address,
                &mut f.sentra.name,
                &mut f.sentra.sk_number,
                &mut f.product.name,
                &mut f.product.description,
            ] {
                changed |= nfc(text);
            }
            changed
        });
        let year = js_sys::Date::new_0().get_full_year() as i32;
        let result = self
            .form
            .with(|f| f.validate(&CommodityCatalog::default(), year).map(|_| ()));
        match result {
            Ok(()) => {
                self.errors.set(BTreeMap::new());
                true
            }
            Err(errors) => {
                self.errors.set(errors.localized(lang));
                false
            }
        }
    }

    /// Like [`FormState::validate`], and on failure also sets the message above the form.
    pub fn validate_or_report(&self, lang: Lang, failure: RwSignal<Option<String>>) -> bool {
        let ok = self.validate(lang);
        if !ok {
            let message = t(
                lang,
                "Periksa isian yang ditandai.",
                "Please correct the fields marked.",
            );
            failure.set(Some(message.into()));
        }
        ok
    }
}

/// Puts `text` in Unicode NFC with the browser's `String.prototype.normalize`; true if it
/// changed.
fn nfc(text: &mut String) -> bool {
    let normalised = String::from(js_sys::JsString::from(text.as_str()).normalize("NFC"));
    let changed = normalised != *text;
    if changed {
        *text = normalised;
    }
    changed
}

fn dom_id(key: &str) -> String {
    format!("f-{}", key.replace(['.', '_'], "-"))
}

/// One labelled input.
fn field(
    state: FormState,
    key: &'static str,
    label: (&'static str, &'static str),
    kind: &'static str,
    get: fn(&NominationForm) -> String,
    set: fn(&mut NominationForm, String),
) -> impl IntoView {
    let id = dom_id(key);
    let error_id = format!("{id}-error");
    let has_error = move || state.errors.with(|e| e.contains_key(key));
    let input = if kind == "textarea" {
        view! {
            <textarea id=id.clone() name=key rows="3"
                aria-invalid=move || has_error().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || state.form.with(get)
                on:input=move |ev| state.form.update(|f| set(f, event_target_value(&ev)))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=key type=kind
                inputmode=if kind == "number" { "numeric" } else { "text" }
                aria-invalid=move || has_error().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || state.form.with(get)
                on:input=move |ev| state.form.update(|f| set(f, event_target_value(&ev))) />
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=has_error>
            <label for=id.clone()>{tr(label.0, label.1)}</label>
            {input}
            <p class="error" id=error_id.clone() aria-live="polite">
                {move || state.errors.with(|e| e.get(key).cloned())}
            </p>
        </div>
    }
}

fn num<T: std::str::FromStr>(v: String) -> Option<T> {
    v.trim().replace(['.', ' '], "").parse().ok()
}

fn show<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The whole form; round and regency are fixed by the page.
#[component]
pub fn NominationFields(state: FormState) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let lang = move || ctx.lang.get();
    let regency_name = move || {
        state.form.with(|f| {
            regency(&f.regency_code)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        })
    };
    let commodity_error = move || state.errors.with(|e| e.get("product.commodity").cloned());
    view! {
        <p class="context">
            {tr("Kabupaten/kota pengusul: ", "Proposing regency/city: ")}
            <strong>{regency_name}</strong>
        </p>
        <fieldset>
            <legend>{tr("Profil IKM", "IKM profile")}</legend>
            {field(state, "ikm.name", ("Nama IKM", "IKM name"), "text", |f| f.ikm.name.clone(), |f, v| f.ikm.name = v)}
            {field(state, "ikm.nib", ("NIB (13 digit)", "NIB (13 digits)"), "text", |f| f.ikm.nib.clone(), |f, v| f.ikm.nib = v)}
            {field(state, "ikm.owner_name", ("Nama pemilik", "Owner name"), "text", |f| f.ikm.owner_name.clone(), |f, v| f.ikm.owner_name = v)}
            {field(state, "ikm.address", ("Alamat", "Address"), "textarea", |f| f.ikm.address.clone(), |f, v| f.ikm.address = v)}
            {field(state, "ikm.year_founded", ("Tahun berdiri", "Year founded"), "number", |f| show(f.ikm.year_founded), |f, v| f.ikm.year_founded = num(v))}
            {field(state, "ikm.workers", ("Jumlah tenaga kerja", "Number of workers"), "number", |f| show(f.ikm.workers), |f, v| f.ikm.workers = num(v))}
            {field(state, "ikm.investment_idr", ("Nilai investasi (Rp, di luar tanah dan bangunan)", "Investment (Rp, excluding land and buildings)"), "number", |f| show(f.ikm.investment_idr), |f, v| f.ikm.investment_idr = num(v))}
        </fieldset>
        <fieldset>
            <legend>{tr("Sentra IKM", "Sentra IKM")}</legend>
            {field(state, "sentra.name", ("Nama sentra", "Sentra name"), "text", |f| f.sentra.name.clone(), |f, v| f.sentra.name = v)}
            {field(state, "sentra.unit_count", ("Jumlah unit usaha di sentra", "Business units in the sentra"), "number", |f| show(f.sentra.unit_count), |f, v| f.sentra.unit_count = num(v))}
            {field(state, "sentra.sk_number", ("Nomor SK Bupati/Wali Kota", "Regent/mayor decree number"), "text", |f| f.sentra.sk_number.clone(), |f, v| f.sentra.sk_number = v)}
        </fieldset>
        <fieldset>
            <legend>{tr("Produk", "Product")}</legend>
            {field(state, "product.name", ("Nama produk", "Product name"), "text", |f| f.product.name.clone(), |f, v| f.product.name = v)}
            <div class="field" class:invalid=move || commodity_error().is_some()>
                <label for="f-product-commodity">{tr("Kelompok komoditas", "Commodity group")}</label>
                <select id="f-product-commodity" name="product.commodity"
                    aria-invalid=move || commodity_error().is_some().to_string()
                    aria-describedby="f-product-commodity-error"
                    prop:value=move || state.form.with(|f| f.product.commodity.clone())
                    on:change=move |ev| state.form.update(|f| f.product.commodity = event_target_value(&ev))>
                    <option value="">{tr("— pilih —", "— choose —")}</option>
                    {CommodityCatalog::default().active().map(|c| {
                        let (code, id, en) = (c.code.clone(), c.name_id.clone(), c.name_en.clone());
                        view! { <option value=code>{move || if lang() == Lang::Id { id.clone() } else { en.clone() }}</option> }
                    }).collect_view()}
                </select>
                <p class="error" id="f-product-commodity-error" aria-live="polite">{commodity_error}</p>
            </div>
            {field(state, "product.description", ("Deskripsi dan keunikan lokal", "Description and local uniqueness"), "textarea", |f| f.product.description.clone(), |f, v| f.product.description = v)}
            {field(state, "product.local_material_pct", ("Bahan baku lokal (%)", "Local raw material (%)"), "number", |f| show(f.product.local_material_pct), |f, v| f.product.local_material_pct = num(v))}
        </fieldset>
    }
}
