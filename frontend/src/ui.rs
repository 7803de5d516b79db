//! What the selection pages share: reactive parts of a view and event handlers of one type
//! each, an answer drawn once loaded, read-only markup built as escaped text, answers read as
//! JSON, labelled text fields, and the names of commodity groups, star outcomes and times.
//!
//! Size (the wasm has a budget): every distinct closure in a view brings its own copy of
//! Leptos's rendering or event code into the wasm, a few hundred bytes to kilobytes each. A
//! part drawn through [`dynamic`], [`dyn_opt`], [`dyn_text`] or [`dyn_bool`], or a handler made
//! by [`on_submit`], [`on_click`] or [`on_value`], is a boxed closure of one type whose Leptos
//! code exists once. Tables and lists that only show data are text ([`Html`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::region::TimeZone;
use ovop_core::round::format_local;
use ovop_core::stars::{Outcome, Score, StarScale, Stars};
use ovop_core::status::NominationStatus;
use ovop_core::Lang;
use wasm_bindgen::JsValue;

use crate::api::ApiFailure;
use crate::i18n::{t, tr};
use crate::pages::alert;
use crate::resource::Loaded;
use crate::session::AppCtx;

/// A reactive part of a view: drawn again whenever a signal `f` reads changes.
pub fn dynamic(f: impl Fn() -> AnyView + Send + 'static) -> AnyView {
    let f: Box<dyn FnMut() -> AnyView + Send> = Box::new(f);
    f.into_any()
}

/// Like [`dynamic`], for a part that is sometimes absent.
pub fn dyn_opt(f: impl Fn() -> Option<AnyView> + Send + 'static) -> AnyView {
    let f: Box<dyn FnMut() -> Option<AnyView> + Send> = Box::new(f);
    f.into_any()
}

/// A reactive text (also an attribute's value).
pub type DynText = Box<dyn FnMut() -> String + Send>;

pub fn dyn_text(f: impl Fn() -> String + Send + 'static) -> DynText {
    Box::new(f)
}

/// A reactive boolean attribute or property (`disabled`, `checked`, …).
pub type DynBool = Box<dyn FnMut() -> bool + Send>;

pub fn dyn_bool(f: impl Fn() -> bool + Send + 'static) -> DynBool {
    Box::new(f)
}

/// The message of `failure`, as an alert, while there is one.
pub fn alert_of(failure: RwSignal<Option<String>>) -> AnyView {
    dyn_opt(move || failure.get().map(|m| alert(m).into_any()))
}

/// The message of `notice`, as a status line, while there is one.
pub fn notice_of(notice: RwSignal<Option<String>>) -> AnyView {
    dyn_opt(move || {
        notice
            .get()
            .map(|n| view! { <p class="notice" role="status">{n}</p> }.into_any())
    })
}

/// What `loaded` holds, drawn by `draw` in the language of the moment: "Loading…" before
/// the answer, the problem's detail when the call failed or `draw` could not read it.
pub fn show(
    loaded: Loaded,
    draw: impl Fn(JsValue, Lang) -> Result<AnyView, ApiFailure> + Send + 'static,
) -> AnyView {
    show_boxed(loaded, Box::new(draw))
}

type Draw = Box<dyn Fn(JsValue, Lang) -> Result<AnyView, ApiFailure> + Send>;

fn show_boxed(loaded: Loaded, draw: Draw) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    dynamic(move || {
        let l = lang.get();
        match loaded.get() {
            None => {
                view! { <p class="list-status" role="status">{t(l, "Memuat…", "Loading…")}</p> }
                    .into_any()
            }
            Some(answer) => match answer.and_then(|json| draw(json, l)) {
                Ok(v) => v,
                Err(e) => alert(e.message(l)).into_any(),
            },
        }
    })
}

/// A column head or a caption: (Indonesian, English).
pub type Label = (&'static str, &'static str);

// ------------------------------------------------------------------ read-only HTML

/// Read-only markup — tables, lists, notes — built as text and drawn as one element's
/// `innerHTML` ([`html`]): a table costs a few string pushes in the wasm instead of Leptos's
/// rendering code for each of its elements. Made only by the functions here, which escape
/// every text and attribute value: nothing an API answer holds becomes markup.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Html(String);

/// `s` with the characters that mean something in HTML escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Html {
    /// A text.
    pub fn text(s: &str) -> Html {
        Html(esc(s))
    }

    /// `<tag class="class">inner</tag>`.
    pub fn el(tag: &'static str, class: &'static str, inner: Html) -> Html {
        Html(format!("<{tag} class=\"{class}\">{}</{tag}>", inner.0))
    }

    /// A bar of `length` blocks, for the eye only (the number beside it says the same).
    pub fn bar(length: usize) -> Html {
        Html(format!(
            "<span class=\"bar\" aria-hidden=\"true\">{}</span>",
            "█".repeat(length)
        ))
    }

    /// A status line (`role="status"`).
    pub fn status(class: &'static str, s: &str) -> Html {
        Html(format!(
            "<p class=\"{class}\" role=\"status\">{}</p>",
            esc(s)
        ))
    }

    /// A link within the app.
    pub fn link(href: &str, s: &str) -> Html {
        Html(format!("<a href=\"{}\">{}</a>", esc(href), esc(s)))
    }

    /// A link out of the app (a signed document link, the public gallery): `rel="external"`
    /// keeps the app's router from taking it for one of its pages.
    pub fn external(href: &str, s: &str) -> Html {
        Html(format!(
            "<a href=\"{}\" rel=\"external\">{}</a>",
            esc(href),
            esc(s)
        ))
    }

    /// A button that the `act` of [`html_with_actions`] hears as (`act`, `arg`); `hidden`
    /// completes its name for screen readers (which row it acts on).
    pub fn button(act: &'static str, arg: &str, label: &str, hidden: &str) -> Html {
        Html(format!(
            "<button type=\"button\" data-act=\"{act}\" data-arg=\"{}\">{}<span class=\"visually-hidden\"> {}</span></button>",
            esc(arg),
            esc(label),
            esc(hidden)
        ))
    }

    /// A star outcome: the stars as symbols (hidden from screen readers) and in words.
    pub fn outcome(outcome: Outcome, lang: Lang) -> Html {
        let stars = outcome.stars();
        let symbols = stars.map_or_else(String::new, |s| {
            format!(
                "<span class=\"stars\" aria-hidden=\"true\">{}</span> ",
                s.symbols()
            )
        });
        Html(format!(
            "<span class=\"outcome\" data-stars=\"{}\">{symbols}{}</span>",
            stars.map_or(0, |s| s.stars),
            esc(outcome.label().get(lang))
        ))
    }

    /// A nomination's status as a badge (as the nominations list shows it).
    pub fn badge(status: NominationStatus, lang: Lang) -> Html {
        let code = status.as_str();
        Html(format!(
            "<span class=\"badge status-{}\" data-status=\"{code}\">{}</span>",
            code.to_ascii_lowercase(),
            esc(status.label().get(lang))
        ))
    }

    /// `self` followed by `more`.
    pub fn and(mut self, more: Html) -> Html {
        self.0.push_str(&more.0);
        self
    }

    /// A table: `class` names it for styles and tests, the caption says what it lists (for
    /// screen readers), `heads` are the column heads and `rows` the cells; a row's first cell
    /// is its header.
    pub fn table(
        class: &'static str,
        caption: Label,
        heads: &[Label],
        rows: Vec<Vec<Html>>,
        lang: Lang,
    ) -> Html {
        let mut out = format!(
            "<table class=\"data {class}\"><caption class=\"visually-hidden\">{}</caption><thead><tr>",
            esc(t(lang, caption.0, caption.1))
        );
        for (id, en) in heads {
            out.push_str(&format!("<th scope=\"col\">{}</th>", esc(t(lang, id, en))));
        }
        out.push_str("</tr></thead><tbody>");
        for row in rows {
            out.push_str("<tr>");
            for (i, cell) in row.into_iter().enumerate() {
                let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
                out.push_str(&format!("<{tag}>{}</{}>", cell.0, &tag[..2]));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        Html(out)
    }
}

/// Draws read-only markup.
pub fn html(h: Html) -> AnyView {
    view! { <div class="html" inner_html=h.0></div> }.into_any()
}

/// Draws markup with buttons ([`Html::button`]): a click on one calls `act(act, arg)`.
pub fn html_with_actions(h: Html, act: impl Fn(String, String) + 'static) -> AnyView {
    with_actions(h, Box::new(act))
}

fn with_actions(h: Html, act: Box<dyn Fn(String, String)>) -> AnyView {
    use wasm_bindgen::JsCast;
    let click = move |ev: leptos::ev::MouseEvent| {
        let button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button[data-act]").ok().flatten());
        if let Some(b) = button {
            let attr = |name| b.get_attribute(name).unwrap_or_default();
            act(attr("data-act"), attr("data-arg"));
        }
    };
    view! { <div class="html" inner_html=h.0 on:click=click></div> }.into_any()
}

// ------------------------------------------------------------------ answers read for display

/// An answer that is only shown (lists, reports, the leaderboard, the audit trail) is read as
/// JSON ([`Value`]) rather than into its DTO: one deserializer for all of them instead of one
/// per DTO, which kept the wasm within its budget. The DTOs of the core crate still define the
/// shape: the tests of each page feed its drawing code the JSON of a core DTO.
pub use serde_json::Value;

/// A text field (empty when absent).
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A list field (empty when absent).
pub fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// A number field, as text.
pub fn n(v: &Value) -> String {
    v.as_u64().map_or_else(
        || v.as_f64().map(two_decimals).unwrap_or_default(),
        |n| n.to_string(),
    )
}

/// A score field (`81.25`), as the core crate prints it.
pub fn score(v: &Value) -> String {
    v.as_f64()
        .and_then(Score::from_f64)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// An instant field, in WIB.
pub fn at(v: &Value) -> String {
    s(v).parse::<DateTime<Utc>>().map(when).unwrap_or_default()
}

/// A bilingual text field ([`ovop_core::Text`]) in `lang`.
pub fn text_in(v: &Value, lang: Lang) -> &str {
    s(&v[lang.code()])
}

/// A star outcome field ([`Outcome`]).
pub fn outcome(v: &Value) -> Outcome {
    match stars(&v["stars"]) {
        Some(stars) if s(&v["outcome"]) == "awarded" => Outcome::Awarded { stars },
        _ => Outcome::NoAward,
    }
}

/// A stars field ([`Stars`]: a level on a scale).
pub fn stars(v: &Value) -> Option<Stars> {
    let scale = match s(&v["scale"]) {
        "ovop_2013" => StarScale::Ovop2013,
        _ => StarScale::Ovop2021,
    };
    Stars::new(scale, v["stars"].as_u64().unwrap_or(0) as u8)
}

/// The commodity group's name in `lang` (its code when unknown).
pub fn commodity_name(code: &str, lang: Lang) -> String {
    CommodityCatalog::default()
        .groups
        .into_iter()
        .find(|c| c.code == code)
        .map_or_else(
            || code.to_owned(),
            |c| {
                if lang == Lang::Id {
                    c.name_id
                } else {
                    c.name_en
                }
            },
        )
}

/// `s` as a value in a URL's query: percent-encoded, but for the unreserved characters.
pub fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant as the ministry reads it (WIB).
pub fn when(at: DateTime<Utc>) -> String {
    format_local(at, TimeZone::Wib)
}

/// `value` with two decimals (a standard deviation), without the float formatter.
pub fn two_decimals(value: f64) -> String {
    let hundredths = (value * 100.0).round() as u64;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Moves focus to the element with this id (a heading with `tabindex="-1"` that just
/// appeared), once it is drawn.
pub fn focus_by_id(id: &'static str) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// A form's submit handler: the browser's own submit is prevented, then `f` runs. Boxed, as
/// every handler below, so that the event code exists once.
pub fn on_submit(f: impl Fn() + 'static) -> Box<dyn FnMut(leptos::ev::SubmitEvent)> {
    Box::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        f()
    })
}

/// A button's click handler.
pub fn on_click(f: impl Fn() + 'static) -> Box<dyn FnMut(leptos::ev::MouseEvent)> {
    Box::new(move |_| f())
}

/// A control's `input` or `change` handler, given the control's value.
pub fn on_value(f: impl Fn(String) + 'static) -> Box<dyn FnMut(leptos::ev::Event)> {
    Box::new(move |ev| f(event_target_value(&ev)))
}

/// A labelled text field bound to `value`: one line, or `rows` lines when `rows` > 0.
pub fn text_field(id: String, label: Label, value: RwSignal<String>, rows: u8) -> AnyView {
    checked_field(id, label, value, Control::Text(rows), None)
}

/// The messages of a problem's fields, by field path ([`crate::api::ApiFailure::field_errors`]).
pub type FieldErrors = RwSignal<BTreeMap<String, String>>;

/// Like [`text_field`], with the message `errors` holds for `field` below the control (and
/// describing it) while there is one.
pub fn error_field(
    id: String,
    label: Label,
    value: RwSignal<String>,
    rows: u8,
    errors: FieldErrors,
    field: &'static str,
) -> AnyView {
    checked_field(id, label, value, Control::Text(rows), Some((errors, field)))
}

/// Like [`error_field`], for a date (`YYYY-MM-DD`, the browser's date picker).
pub fn date_field(
    id: String,
    label: Label,
    value: RwSignal<String>,
    errors: FieldErrors,
    field: &'static str,
) -> AnyView {
    checked_field(id, label, value, Control::Date, Some((errors, field)))
}

/// The control of a field: text on one line, or on this many lines (more than 0); a date.
enum Control {
    Text(u8),
    Date,
}

fn checked_field(
    id: String,
    label: Label,
    value: RwSignal<String>,
    control: Control,
    errors: Option<(FieldErrors, &'static str)>,
) -> AnyView {
    let described = errors.is_some().then(|| format!("{id}-error"));
    let message = move || errors.and_then(|(e, field)| e.with(|e| e.get(field).cloned()));
    let invalid = dyn_text(move || message().is_some().to_string());
    let control = match control {
        Control::Text(rows) if rows > 0 => view! {
            <textarea id=id.clone() rows=rows.to_string() aria-invalid=invalid aria-describedby=described.clone() bind:value=value></textarea>
        }
        .into_any(),
        Control::Text(_) => view! {
            <input id=id.clone() type="text" aria-invalid=invalid aria-describedby=described.clone() bind:value=value/>
        }
        .into_any(),
        Control::Date => view! {
            <input id=id.clone() type="date" aria-invalid=invalid aria-describedby=described.clone() bind:value=value/>
        }
        .into_any(),
    };
    let error = errors.map(|_| {
        view! { <p class="error" id=described>{dyn_text(move || message().unwrap_or_default())}</p> }
    });
    view! {
        <div class="field">
            <label for=id>{tr(label.0, label.1)}</label>
            {control}
            {error}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_an_answer_never_becomes_markup() {
        let name = r#"<img src=x onerror="alert(1)"> & 'Co'"#;
        let cell = Html::text(name).and(Html::link("/usulan/1\"><script>", name));
        assert!(
            !cell.0.contains("<img") && !cell.0.contains("<script") && !cell.0.contains("\"><")
        );
        assert_eq!(
            Html::text(name).0,
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;Co&#39;"
        );
        let button = Html::button("moderate", "1\" onclick=\"x", name, name).0;
        assert!(button.starts_with(
            r#"<button type="button" data-act="moderate" data-arg="1&quot; onclick=&quot;x">"#
        ));
    }

    #[test]
    fn a_table_has_its_caption_heads_and_row_headers() {
        let rows = vec![vec![Html::text("A"), Html::text("1")]];
        let table = Html::table(
            "t",
            ("Daftar", "List"),
            &[("Nama", "Name"), ("Nilai", "Score")],
            rows,
            Lang::En,
        );
        assert_eq!(
            table.0,
            "<table class=\"data t\"><caption class=\"visually-hidden\">List</caption><thead><tr>\
             <th scope=\"col\">Name</th><th scope=\"col\">Score</th></tr></thead><tbody>\
             <tr><th scope=\"row\">A</th><td>1</td></tr></tbody></table>"
        );
    }
}
