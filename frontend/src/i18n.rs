//! UI language: Bahasa Indonesia by default, English on request.

use ovop_core::Lang;

/// Picks the text of the current language.
pub fn t(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}
