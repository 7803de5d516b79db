//! Answers of the API loaded in the background, as signals.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

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
