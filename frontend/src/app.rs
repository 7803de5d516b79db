//! Root component: session and language context, header, routes, and the sign-in pages
//! (the protected-route wrapper and `/auth/callback`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::{path, NavigateOptions};
use ovop_core::policy::Role;
use ovop_core::{Lang, Text};

use crate::api::{self, ApiFailure};
use crate::assess::{Assessments, ScorePage};
use crate::auth;
use crate::determination::Determination;
use crate::i18n::tr;
use crate::pages::{Home, NewNomination, NominationDetail};
use crate::rounds::Rounds;
use crate::selection::Selection;
use crate::session::{load_lang, AppCtx, AuthPhase, SignedIn};

/// Where the issuer sends the browser back (`redirect_uri`).
const CALLBACK_PATH: &str = "/auth/callback";

#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx {
        session: RwSignal::new(None),
        lang: RwSignal::new(load_lang()),
        auth: RwSignal::new(AuthPhase::Loading),
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
    spawn_local(async move {
        ctx.auth.set(match auth::load().await {
            Ok(()) => AuthPhase::Ready,
            Err(e) => AuthPhase::Failed(e),
        });
    });
    view! {
        <Router>
            <a class="skip" href="#main">{tr("Langsung ke isi", "Skip to content")}</a>
            <Header/>
            <main id="main">
                <SignedInOnly>
                    <Routes fallback=move || view! { <p>{tr("Halaman tidak ditemukan.", "Page not found.")}</p> }>
                        <Route path=path!("/") view=Home/>
                        <Route path=path!("/periode") view=Rounds/>
                        <Route path=path!("/usulan/baru") view=NewNomination/>
                        <Route path=path!("/usulan/:id") view=NominationDetail/>
                        <Route path=path!("/penilaian") view=Assessments/>
                        <Route path=path!("/penilaian/:id") view=ScorePage/>
                        <Route path=path!("/seleksi") view=Selection/>
                        <Route path=path!("/penetapan") view=Determination/>
                    </Routes>
                </SignedInOnly>
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
    let sign_out = move |_| {
        ctx.auth.set(AuthPhase::Leaving);
        auth::sign_out();
    };
    let lang_button = move |lang: Lang, label: &'static str| {
        view! {
            <button type="button" class="lang"
                aria-pressed=move || (ctx.lang.get() == lang).to_string()
                on:click=move |_| ctx.set_lang(lang)>{label}</button>
        }
    };
    let who = move || {
        ctx.session.with(|s| {
            s.as_ref().map(|s| {
                let role = s.principal.role.label();
                format!("{} ({})", s.display_name, role.get(ctx.lang.get()))
            })
        })
    };
    let signed_in = move || ctx.session.with(Option::is_some);
    let role = move || ctx.session.with(|s| s.as_ref().map(|s| s.principal.role));
    view! {
        <header>
            <A href="/"><strong class="brand">"OVOP"</strong></A>
            <span class="tagline">{tr("Penghargaan One Village One Product", "One Village One Product Award")}</span>
            {move || signed_in().then(|| view! {
                <nav class="menu" aria-label=tr("Menu utama", "Main menu")>
                    <A href="/" exact=true>{tr("Usulan", "Nominations")}</A>
                    <A href="/periode">{tr("Periode", "Rounds")}</A>
                    {(role() == Some(Role::Penilai)).then(|| view! { <A href="/penilaian">{tr("Penilaian", "Assessment")}</A> })}
                    {(role() == Some(Role::Admin)).then(|| view! {
                        <A href="/seleksi">{tr("Seleksi", "Selection")}</A>
                        <A href="/penetapan">{tr("Penetapan", "Determination")}</A>
                    })}
                </nav>
            })}
            <nav aria-label=tr("Bahasa", "Language")>
                {lang_button(Lang::Id, "ID")}
                {lang_button(Lang::En, "EN")}
            </nav>
            {move || signed_in().then(|| view! {
                <span class="who">{who}</span>
                <button type="button" on:click=sign_out>{tr("Keluar", "Sign out")}</button>
            })}
        </header>
    }
}

/// Shows the app's pages to a signed-in user; anyone else goes to the issuer's sign-in page
/// and comes back to the page they asked for. `/auth/callback` is the one page outside.
#[component]
fn SignedInOnly(children: ChildrenFn) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let location = use_location();
    let callback = Memo::new(move |_| location.pathname.with(|p| p == CALLBACK_PATH));
    Effect::new(move |_| {
        let waiting = !callback.get() && ctx.session.with(Option::is_none);
        if waiting && ctx.auth.get() == AuthPhase::Ready {
            ctx.auth.set(AuthPhase::Leaving);
            if let Err(e) = auth::start_sign_in(&auth::current_path()) {
                ctx.auth.set(AuthPhase::Failed(e));
            }
        }
    });
    move || {
        if callback.get() {
            view! { <Callback/> }.into_any()
        } else if ctx.session.with(Option::is_some) {
            children().into_any()
        } else {
            view! { <AuthStatus/> }.into_any()
        }
    }
}

/// Where sign-in stands while no page can be shown.
#[component]
fn AuthStatus() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    move || {
        match ctx.auth.get() {
        AuthPhase::Failed(why) => view! { <SignInFailed why=why/> }.into_any(),
        _ => view! {
            <p class="list-status" role="status">{tr("Mengalihkan ke halaman masuk…", "Going to the sign-in page…")}</p>
        }
        .into_any(),
    }
    }
}

/// Sign-in could not finish: why, and a way to start again.
#[component]
fn SignInFailed(why: Text) -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let again = move |_| {
        ctx.auth.set(AuthPhase::Leaving);
        if let Err(e) = auth::start_sign_in("/") {
            ctx.auth.set(AuthPhase::Failed(e));
        }
    };
    view! {
        <h1>{tr("Gagal masuk", "Sign-in failed")}</h1>
        <p class="alert" role="alert">{move || why.get(ctx.lang.get()).to_owned()}</p>
        <p><button type="button" class="primary" on:click=again>{tr("Masuk lagi", "Sign in again")}</button></p>
    }
}

fn refused_by_api(e: ApiFailure) -> Text {
    match e {
        ApiFailure::Unauthorized => Text::new(
            "Server menolak tanda masuk yang baru diterbitkan (401).",
            "The server refused the newly issued sign-in (401).",
        ),
        e => Text::new(e.message(Lang::Id), e.message(Lang::En)),
    }
}

/// `/auth/callback?code&state`: the issuer's answer. The state must be the one this browser
/// sent; then the code becomes tokens and the user returns to the page they wanted.
#[component]
fn Callback() -> impl IntoView {
    let ctx = AppCtx::use_ctx();
    let query = use_query_map();
    let navigate = use_navigate();
    let failure = RwSignal::new(None::<Text>);
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if ctx.auth.get() != AuthPhase::Ready || started.get_value() {
            return;
        }
        started.set_value(true);
        let answer = query.with_untracked(|q| auth::Callback {
            code: q.get("code"),
            state: q.get("state"),
            error: q.get("error"),
            error_description: q.get("error_description"),
        });
        let navigate = navigate.clone();
        spawn_local(async move {
            let lang = ctx.lang.get_untracked();
            let (return_to, claims) = match auth::finish_sign_in(answer).await {
                Ok(done) => done,
                Err(why) => return failure.set(Some(why)),
            };
            match api::me(lang).await {
                Ok(principal) => {
                    let display_name = claims
                        .name
                        .or(claims.email)
                        .unwrap_or_else(|| principal.name.clone());
                    ctx.session.set(Some(SignedIn {
                        principal,
                        display_name,
                    }));
                    let options = NavigateOptions {
                        replace: true,
                        ..Default::default()
                    };
                    navigate(&return_to, options);
                }
                Err(e) => failure.set(Some(refused_by_api(e))),
            }
        });
    });
    move || match (failure.get(), ctx.auth.get()) {
        (Some(why), _) | (None, AuthPhase::Failed(why)) => {
            view! { <SignInFailed why=why/> }.into_any()
        }
        _ => {
            view! { <p class="list-status" role="status">{tr("Sedang masuk…", "Signing in…")}</p> }
                .into_any()
        }
    }
}
