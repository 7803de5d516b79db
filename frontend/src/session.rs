//! The signed-in session and the chosen language, kept in `localStorage`.

use leptos::prelude::*;
use ovop_core::dto::Session;
use ovop_core::Lang;

const SESSION_KEY: &str = "ovop.session";
const LANG_KEY: &str = "ovop.lang";

/// Shared app state, provided at the root.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub session: RwSignal<Option<Session>>,
    pub lang: RwSignal<Lang>,
}

impl AppCtx {
    pub fn use_ctx() -> AppCtx {
        expect_context::<AppCtx>()
    }

    /// The bearer token, when signed in and not expired.
    pub fn token(&self) -> Option<String> {
        self.session.with(|s| {
            s.as_ref()
                .filter(|s| s.expires_at * 1000 > js_sys::Date::now() as i64)
                .map(|s| s.token.clone())
        })
    }

    pub fn sign_in(&self, session: Session) {
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&session)) {
            let _ = storage.set_item(SESSION_KEY, &json);
        }
        self.session.set(Some(session));
    }

    pub fn sign_out(&self) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(SESSION_KEY);
        }
        self.session.set(None);
    }

    pub fn set_lang(&self, lang: Lang) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(LANG_KEY, lang.code());
        }
        self.lang.set(lang);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored session, if any.
pub fn load_session() -> Option<Session> {
    let json = storage()?.get_item(SESSION_KEY).ok()??;
    serde_json::from_str(&json).ok()
}

/// The stored language, Indonesian by default.
pub fn load_lang() -> Lang {
    match storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .as_deref()
    {
        Some("en") => Lang::En,
        _ => Lang::Id,
    }
}
