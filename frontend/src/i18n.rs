//! UI language: Bahasa Indonesia by default, English on request.

use leptos::prelude::*;
use ovop_core::Lang;

use crate::session::AppCtx;

/// Picks the text of the current language.
pub fn t(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// A text that follows the language of the moment, for views and attributes. Every call
/// answers the same closure type, so the rendering code exists once in the wasm rather than
/// once per text (a distinct `move || t(..)` closure per text costs kilobytes each).
pub fn tr(id: &'static str, en: &'static str) -> impl Fn() -> &'static str + Copy + 'static {
    let lang = AppCtx::use_ctx().lang;
    move || t(lang.get(), id, en)
}
