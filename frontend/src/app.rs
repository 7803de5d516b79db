//! Root component: session and language context, header, routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use ovop_core::Lang;

use crate::i18n::tr;
use crate::pages::{Home, Login, NewNomination, NominationDetail};
use crate::session::{load_lang, load_session, AppCtx};

#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx {
        session: RwSignal::new(load_session()),
        lang: RwSignal::new(load_lang()),
    };
    provide_context(ctx);
    Effect::new(move |_| {
        let code = ctx.lang.get().code();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", code);
        }
    });
    view! {
        <Router>
            <a class="skip" href="#main">{tr("Langsung ke isi", "Skip to content")}</a>
            <Header/>
            <main id="main">
                <Routes fallback=move || view! { <p>{tr("Halaman tidak ditemukan.", "Page not found.")}</p> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/masuk") view=Login/>
                    <Route path=path!("/usulan/baru") view=NewNomination/>
                    <Route path=path!("/usulan/:id") view=NominationDetail/>
                </Routes>
            </main>
            <footer>
                <small>{tr("Kementerian Perindustrian — Ditjen IKMA. Data wilayah: idn-area-data (ODbL).",
                    "Ministry of Industry — Ditjen IKMA. Region data: idn-area-data (ODbL).")}</small>
            </footer>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let navigate = leptos_router::hooks::use_navigate();
    let sign_out = move |_| {
        ctx.sign_out();
        navigate("/masuk", Default::default());
    };
    let lang_button = move |lang: Lang, label: &'static str| {
        view! {
            <button type="button" class="lang"
                aria-pressed=move || (ctx.lang.get() == lang).to_string()
                on:click=move |_| ctx.set_lang(lang)>{label}</button>
        }
    };
    view! {
        <header>
            <A href="/"><strong class="brand">"OVOP"</strong></A>
            <span class="tagline">{tr("Penghargaan One Village One Product", "One Village One Product Award")}</span>
            <nav aria-label=tr("Bahasa", "Language")>
                {lang_button(Lang::Id, "ID")}
                {lang_button(Lang::En, "EN")}
            </nav>
            <Show when=move || ctx.session.with(|s| s.is_some())>
                <span class="who">{move || ctx.session.with(|s| s.as_ref().map(|s| s.principal.name.clone()))}</span>
                <button type="button" on:click=sign_out.clone()>{tr("Keluar", "Sign out")}</button>
            </Show>
        </header>
    }
}
