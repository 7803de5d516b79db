//! Answers of the API loaded in the background, as signals.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::api::{self, ApiFailure};
use crate::session::AppCtx;

/// What the future made by `fetch` answers, as a signal: `None` until the first answer. Loaded
/// again whenever a signal that `fetch` reads (before its future starts) changes; the previous
/// answer stays meanwhile, and the answer to an older load is dropped.
///
/// What Leptos's `LocalResource` does for these pages, without its machinery (async derived
/// signals, suspense), which costs about 12 KB of the brotli'd wasm; no page here suspends.
pub fn resource<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new(None);
    let latest = Rc::new(Cell::new(0u32));
    Effect::new(move |_| {
        let answer = fetch();
        let load = latest.get().wrapping_add(1);
        latest.set(load);
        let latest = latest.clone();
        spawn_local(async move {
            let answer = answer.await;
            if latest.get() == load {
                // A no-op when the page is gone meanwhile (the signal disposed).
                value.set(Some(answer));
            }
        });
    });
    value.read_only()
}

/// The JSON answer to GET `path` (under `/api/v1`), as it stands: `None` until the first
/// answer.
pub type Loaded = ReadSignal<Option<Result<JsValue, ApiFailure>>, LocalStorage>;

/// The answer to GET `path()`, loaded again whenever a signal `path` reads changes (the
/// previous answer stays meanwhile; the answer to an older load is dropped). Unlike
/// [`resource`] it is not generic: one copy of this code serves every page, which reads the
/// DTO it needs from the JSON ([`crate::api::read`]).
pub fn load(path: impl Fn() -> String + 'static) -> Loaded {
    load_boxed(Box::new(path))
}

fn load_boxed(path: Box<dyn Fn() -> String>) -> Loaded {
    let lang = AppCtx::use_ctx().lang;
    let value = RwSignal::new_local(None);
    let latest = Rc::new(Cell::new(0u32));
    Effect::new(move |_| {
        let path = path();
        let load = latest.get().wrapping_add(1);
        latest.set(load);
        let latest = latest.clone();
        spawn_local(async move {
            let answer =
                api::fetch(Method::GET, path, lang.get_untracked(), Vec::new(), None).await;
            if latest.get() == load {
                value.set(Some(answer));
            }
        });
    });
    value.read_only()
}
