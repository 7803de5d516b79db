//! Who is signed in (in memory) and the chosen language (kept in `localStorage`).

use leptos::prelude::*;
use ovop_core::policy::{Principal, Role};
use ovop_core::{Lang, Text};

const LANG_KEY: &str = "ovop.lang";

/// The signed-in user: the API's view (`/api/v1/me`) and the name to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub principal: Principal,
    /// The ID token's `name` (or `email`); the principal's name otherwise.
    pub display_name: String,
}

/// Where sign-in stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthPhase {
    /// Reading `/config.json` and the issuer's discovery document.
    Loading,
    /// The issuer is known; pages may start a sign-in.
    Ready,
    /// The browser is on its way to the issuer.
    Leaving,
    /// Sign-in cannot go on; the text says why.
    Failed(Text),
}

/// Shared app state, provided at the root.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub session: RwSignal<Option<SignedIn>>,
    pub lang: RwSignal<Lang>,
    pub auth: RwSignal<AuthPhase>,
}

impl AppCtx {
    pub fn use_ctx() -> AppCtx {
        expect_context::<AppCtx>()
    }

    /// The signed-in user's role.
    pub fn role(&self) -> Option<Role> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.principal.role))
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
