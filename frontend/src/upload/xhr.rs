//! One presigned request to S3 with `XMLHttpRequest` — the browser API that reports upload
//! progress (`fetch` reports none) — with a stall watchdog; plus the small timers the
//! uploader waits on.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use leptos::task::spawn_local;
use ovop_core::dto::uploads::SignedRequest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AddEventListenerOptions, Blob, ProgressEvent, XmlHttpRequest};

use super::schedule::STALL_MS;

/// How a request ended, when it did not store the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// No answer: the connection dropped, the browser is offline, or the request was cut.
    Network,
    /// No progress for [`STALL_MS`]: abandoned.
    Stalled,
    /// S3 refused the signature (expired or not valid for this part): sign again.
    Forbidden,
    /// Another answer from S3.
    Status(u16),
}

/// Headers the browser sets itself and refuses from scripts.
fn settable(name: &str) -> bool {
    !matches!(
        name.to_ascii_lowercase().as_str(),
        "content-length" | "host"
    )
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sends `body` as `request` says; `on_start` is given the request once sent, `progress`
/// the bytes sent after each progress event. Answers the part's `ETag`.
pub async fn send(
    request: &SignedRequest,
    body: &Blob,
    on_start: impl FnOnce(XmlHttpRequest) + 'static,
    progress: impl Fn(f64) + 'static,
) -> Result<String, SendError> {
    // One copy of the sending code whatever the callers' closures.
    send_boxed(request, body, Box::new(on_start), Box::new(progress)).await
}

async fn send_boxed(
    request: &SignedRequest,
    body: &Blob,
    on_start: Box<dyn FnOnce(XmlHttpRequest)>,
    progress: Box<dyn Fn(f64)>,
) -> Result<String, SendError> {
    let xhr = XmlHttpRequest::new().map_err(|_| SendError::Network)?;
    xhr.open_with_async(&request.method, &request.url, true)
        .map_err(|_| SendError::Network)?;
    for (name, value) in &request.headers {
        if settable(name) {
            let _ = xhr.set_request_header(name, value);
        }
    }
    let last_progress = Rc::new(Cell::new(now_ms()));
    let seen = last_progress.clone();
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| {
        seen.set(now_ms());
        progress(e.loaded());
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let ended = Promise::new(&mut |resolve, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_blob(Some(body))
        .map_err(|_| SendError::Network)?;
    on_start(xhr.clone());

    let finished = Rc::new(Cell::new(false));
    let stalled = Rc::new(Cell::new(false));
    {
        let (finished, stalled, xhr) = (finished.clone(), stalled.clone(), xhr.clone());
        spawn_local(async move {
            loop {
                sleep(STALL_MS / 6.0).await;
                if finished.get() {
                    break;
                }
                if now_ms() - last_progress.get() > STALL_MS {
                    stalled.set(true);
                    let _ = xhr.abort();
                    break;
                }
            }
        });
    }
    let _ = JsFuture::from(ended).await;
    finished.set(true);
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    match status {
        200..=299 => Ok(xhr
            .get_response_header("ETag")
            .ok()
            .flatten()
            .unwrap_or_default()),
        0 if stalled.get() => Err(SendError::Stalled),
        0 => Err(SendError::Network),
        403 => Err(SendError::Forbidden),
        s => Err(SendError::Status(s)),
    }
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let p = Promise::new(&mut |resolve, _| {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0.0) as i32);
    });
    let _ = JsFuture::from(p).await;
}

/// Whether the browser says it is online.
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Waits until the browser is back online (at once when it is).
pub async fn until_online() {
    if online() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let p = Promise::new(&mut |resolve, _| {
        let once = AddEventListenerOptions::new();
        once.set_once(true);
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
            "online", &resolve, &once,
        );
    });
    let _ = JsFuture::from(p).await;
}
