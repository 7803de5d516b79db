//! The uploader of a nomination's documents: bytes go straight from the browser to S3 on
//! presigned requests; the API declares, signs, lists what S3 holds and completes.
//!
//! One [`Uploader`] per page runs every file through one [`Scheduler`]: a file is checked
//! before any byte is sent, fingerprinted, matched with an unfinished upload of the same file
//! (after a reload) or declared, then sent part by part — retried with back-off and jitter,
//! abandoned and retried when it stalls, paused while the browser is offline — and completed.

pub mod schedule;
pub mod xhr;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::document::DocumentType;
use ovop_core::dto::uploads::{DeclareRequest, PartRef, SignedRequest};
use ovop_core::{Lang, Text};
use sha2::{Digest, Sha256};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, XmlHttpRequest};

use crate::api::{self, ApiFailure};
use crate::documents::Line;
use crate::ui::{items, s, Value};
use schedule::{
    backoff_ms, fingerprint, hex, FileParts, PartState, Scheduler, FINGERPRINT_BYTES, MAX_ATTEMPTS,
};
use xhr::SendError;

/// Where a file stands, as the checklist row shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Reading the file's fingerprint and declaring it.
    Preparing,
    /// Bytes on their way.
    Sending,
    /// A request failed; another goes after a pause.
    Retrying { attempt: u32 },
    /// The browser is offline: waiting for the network.
    Offline,
    /// Every byte is in S3; the server checks the file.
    Completing,
    /// Attached.
    Done,
    /// Refused or given up; the text says why.
    Failed(Text),
}

/// One file on the page.
#[derive(Clone, Debug, PartialEq)]
pub struct FileView {
    pub code: DocumentType,
    pub file_name: String,
    pub size: u64,
    /// Bytes S3 holds or has received so far.
    pub sent: u64,
    /// Parts S3 already held when this file was chosen again (a resumed upload).
    pub resumed_parts: usize,
    pub phase: Phase,
}

impl FileView {
    /// Whether bytes are still moving or about to.
    pub fn is_active(&self) -> bool {
        !matches!(self.phase, Phase::Done | Phase::Failed(_))
    }
}

/// A file being sent.
struct Job {
    file: File,
    upload_id: String,
    part_size: u64,
    size: u64,
    /// Requests signed and not yet used, by part number.
    signed: HashMap<u64, SignedRequest>,
    /// Bytes of parts S3 holds.
    done_bytes: u64,
    /// Bytes of parts in flight, as progress events report them.
    loaded: HashMap<u64, f64>,
    /// Requests in flight, to cut when the file is cancelled.
    requests: HashMap<u64, XmlHttpRequest>,
    /// Sent in one presigned PUT rather than in parts.
    single: bool,
    complete_key: String,
    completing: bool,
}

impl Job {
    fn part_len(&self, n: u64) -> u64 {
        let start = (n - 1) * self.part_size;
        self.part_size.min(self.size - start)
    }

    fn sent(&self) -> u64 {
        let in_flight: f64 = self.loaded.values().sum();
        (self.done_bytes + in_flight as u64).min(self.size)
    }
}

/// How a request for a part ended, for the part's loop.
enum Settled {
    Stored,
    /// The file was cancelled or given up meanwhile.
    Gone,
    SignAgain,
    Failed,
}

#[derive(Default)]
struct Engine {
    scheduler: Scheduler<DocumentType>,
    jobs: BTreeMap<DocumentType, Job>,
}

/// The uploader of one nomination, for the page's lifetime.
#[derive(Clone, Copy)]
pub struct Uploader {
    nomination: StoredValue<String>,
    engine: StoredValue<Rc<RefCell<Engine>>, LocalStorage>,
    /// Every file chosen on this page, in the order chosen.
    pub files: RwSignal<Vec<FileView>>,
    /// Bumped when a document is attached, so the checklist reloads.
    pub attached: RwSignal<u32>,
    lang: RwSignal<Lang>,
}

impl Uploader {
    pub fn new(nomination: String, lang: RwSignal<Lang>) -> Self {
        Uploader {
            nomination: StoredValue::new(nomination),
            engine: StoredValue::new_local(Rc::default()),
            files: RwSignal::new(Vec::new()),
            attached: RwSignal::new(0),
            lang,
        }
    }

    // The page may be gone when a request ends: these never panic on a disposed value. An
    // empty id and a fresh engine hold no job, so what is still running stops quietly, and the
    // upload resumes when the page is opened again and the file chosen again.
    fn id(&self) -> String {
        self.nomination.try_get_value().unwrap_or_default()
    }

    fn engine(&self) -> Rc<RefCell<Engine>> {
        self.engine.try_get_value().unwrap_or_default()
    }

    fn lang(&self) -> Lang {
        self.lang.try_get_untracked().unwrap_or_default()
    }

    fn view(&self, code: DocumentType, change: impl FnOnce(&mut FileView)) {
        self.files.update(|files| {
            if let Some(v) = files.iter_mut().find(|v| v.code == code) {
                change(v);
            }
        });
    }

    fn phase(&self, code: DocumentType, phase: Phase) {
        self.view(code, |v| v.phase = phase);
    }

    fn fail(&self, code: DocumentType, why: Text) {
        let engine = self.engine();
        let mut e = engine.borrow_mut();
        e.scheduler.remove(&code);
        if let Some(job) = e.jobs.remove(&code) {
            for xhr in job.requests.values() {
                let _ = xhr.abort();
            }
        }
        drop(e);
        self.phase(code, Phase::Failed(why));
    }

    fn failure_text(&self, e: &ApiFailure) -> Text {
        Text::new(e.message(Lang::Id), e.message(Lang::En))
    }

    /// Whether a file of `code` is on its way.
    pub fn busy(&self, code: DocumentType) -> bool {
        self.engine().borrow().jobs.contains_key(&code)
    }

    /// Starts sending `file` for the checklist line `line`: refused at once (before any byte)
    /// when its type or size does not fit the line; resumed when an unfinished upload of the
    /// same file exists.
    pub fn start(self, line: &Line, file: File) {
        let code = line.document;
        if self.busy(code) {
            return;
        }
        let size = file.size() as u64;
        let view = FileView {
            code,
            file_name: file.name(),
            size,
            sent: 0,
            resumed_parts: 0,
            phase: Phase::Preparing,
        };
        self.files.update(|files| {
            files.retain(|v| v.code != code);
            files.push(view);
        });
        let media = match line.check_file(&file.type_(), &file.name(), size) {
            Ok(m) => m,
            Err(why) => return self.phase(code, Phase::Failed(why)),
        };
        spawn_local(async move {
            let lang = self.lang();
            let fp = match head_sha256(&file).await {
                Some(head) => fingerprint(&file.name(), size, file.last_modified(), &head),
                None => String::new(),
            };
            let id = self.id();
            // Open uploads of this document ([`UploadView`](ovop_core::dto::uploads::UploadView)s).
            let open: Vec<Value> = match api::open_uploads(&id, lang).await {
                Ok(list) => items(&list["items"])
                    .iter()
                    .filter(|u| s(&u["document_code"]) == code.code() && s(&u["state"]) == "open")
                    .cloned()
                    .collect(),
                Err(_) => Vec::new(),
            };
            // A reload mid-upload: the same file chosen again resumes where S3 stopped.
            let earlier = open
                .iter()
                .find(|u| !fp.is_empty() && s(&u["fingerprint"]) == fp);
            let resumed = match earlier {
                Some(u) => match api::upload_status(&id, s(&u["upload_id"]), lang).await {
                    // A single PUT is sent again whole.
                    Ok(_) if s(&u["mode"]) == "single" => Some((u.clone(), vec![])),
                    Ok(status) => {
                        let stored: Vec<(u64, String)> = items(&status["parts"])
                            .iter()
                            .map(|p| (p["number"].as_u64().unwrap_or(0), s(&p["etag"]).to_owned()))
                            .collect();
                        Some((u.clone(), stored))
                    }
                    Err(_) => None,
                },
                None => None,
            };
            // The upload to send on: the one resumed, or a new one (a `Declared`, which
            // names the transfer with the same fields as an `UploadView`).
            let (upload, stored) = match resumed {
                Some(r) => r,
                None => {
                    let req = DeclareRequest {
                        document_code: code.code().to_owned(),
                        file_name: file.name(),
                        media_type: media.as_str().to_owned(),
                        size,
                        fingerprint: (!fp.is_empty()).then_some(fp),
                    };
                    // Unfinished uploads of this document for another file are superseded:
                    // their parts go now rather than after 7 days.
                    for u in &open {
                        let (id, upload) = (id.clone(), s(&u["upload_id"]).to_owned());
                        spawn_local(async move {
                            let _ = api::abort_upload(&id, &upload, lang).await;
                        });
                    }
                    match api::declare(&id, &api::new_idempotency_key(), &req, lang).await {
                        Ok(declared) => (declared, vec![]),
                        Err(e) => return self.fail(code, self.failure_text(&e)),
                    }
                }
            };
            let parts = FileParts::new(upload["part_count"].as_u64().unwrap_or(0), stored.clone());
            let mut job = Job {
                file,
                upload_id: s(&upload["upload_id"]).to_owned(),
                part_size: upload["part_size"].as_u64().unwrap_or(0),
                size,
                signed: HashMap::new(),
                done_bytes: 0,
                loaded: HashMap::new(),
                requests: HashMap::new(),
                single: s(&upload["mode"]) == "single",
                complete_key: api::new_idempotency_key(),
                completing: false,
            };
            job.done_bytes = stored.iter().map(|(n, _)| job.part_len(*n)).sum();
            if upload["put"].is_object() {
                job.signed.insert(1, api::signed_request(&upload["put"]));
            }
            let resumed_parts = stored.len();
            let sent = job.done_bytes;
            {
                let engine = self.engine();
                let mut e = engine.borrow_mut();
                e.scheduler.add(code, parts);
                e.jobs.insert(code, job);
            }
            self.view(code, |v| {
                v.sent = sent;
                v.resumed_parts = resumed_parts;
                v.phase = Phase::Sending;
            });
            self.pump();
            self.complete_if_done(code);
        });
    }

    /// Cancels the file of `code`: requests cut, the upload aborted on the server.
    pub fn cancel(self, code: DocumentType) {
        let upload = self
            .engine()
            .borrow()
            .jobs
            .get(&code)
            .map(|j| j.upload_id.clone());
        self.fail(code, Text::new("Dibatalkan.", "Cancelled."));
        self.files.update(|f| f.retain(|v| v.code != code));
        if let Some(upload) = upload {
            let (id, lang) = (self.id(), self.lang());
            spawn_local(async move {
                let _ = api::abort_upload(&id, &upload, lang).await;
            });
        }
    }

    /// Starts as many parts as the scheduler allows.
    fn pump(self) {
        loop {
            let next = self.engine().borrow_mut().scheduler.next();
            let Some((code, n)) = next else { break };
            spawn_local(self.send_part(code, n));
        }
    }

    /// A signed request for part `n`, signing it with the next waiting parts when none is
    /// kept or the kept one expires within a minute.
    async fn request_for(self, code: DocumentType, n: u64) -> Result<SignedRequest, ApiFailure> {
        let engine = self.engine();
        let (upload, batch) = {
            let mut e = engine.borrow_mut();
            let Engine { scheduler, jobs } = &mut *e;
            let job = jobs
                .get_mut(&code)
                .ok_or(ApiFailure::Network("cancelled".into()))?;
            let fresh_until = xhr::now_ms() + 60_000.0;
            let fresh = |r: &SignedRequest| r.expires_at.timestamp_millis() as f64 > fresh_until;
            if let Some(r) = job.signed.remove(&n).filter(fresh) {
                return Ok(r);
            }
            let mut batch = vec![n];
            if let Some(parts) = scheduler.file(&code) {
                batch.extend(
                    parts
                        .waiting_from(n + 1, 2)
                        .into_iter()
                        .filter(|m| !job.signed.contains_key(m)),
                );
            }
            (job.upload_id.clone(), batch)
        };
        let numbers = batch.iter().map(|m| *m as u32).collect();
        let signed = api::sign_parts(&self.id(), &upload, numbers, self.lang()).await?;
        let mut e = engine.borrow_mut();
        let job = e
            .jobs
            .get_mut(&code)
            .ok_or(ApiFailure::Network("cancelled".into()))?;
        let mut mine = None;
        for p in items(&signed["parts"]) {
            let (number, request) = (p["number"].as_u64().unwrap_or(0), api::signed_request(p));
            if number == n {
                mine = Some(request);
            } else {
                job.signed.insert(number, request);
            }
        }
        mine.ok_or(ApiFailure::Network("part not signed".into()))
    }

    /// Sends part `n` of `code` until S3 holds it or the file is given up.
    async fn send_part(self, code: DocumentType, n: u64) {
        let engine = self.engine();
        let mut attempt = 0u32;
        loop {
            if !xhr::online() {
                self.phase(code, Phase::Offline);
                xhr::until_online().await;
                self.phase(code, Phase::Sending);
            }
            let outcome = match self.request_for(code, n).await {
                Ok(request) => {
                    let Some(blob) = engine.borrow().jobs.get(&code).and_then(|j| {
                        let start = (n - 1) * j.part_size;
                        let end = start + j.part_len(n);
                        j.file.slice_with_f64_and_f64(start as f64, end as f64).ok()
                    }) else {
                        return;
                    };
                    let on_start = {
                        let engine = engine.clone();
                        move |x: XmlHttpRequest| {
                            if let Some(j) = engine.borrow_mut().jobs.get_mut(&code) {
                                j.requests.insert(n, x);
                            }
                        }
                    };
                    let progress = {
                        let engine = engine.clone();
                        move |loaded: f64| {
                            let sent = engine.borrow_mut().jobs.get_mut(&code).map(|j| {
                                j.loaded.insert(n, loaded);
                                j.sent()
                            });
                            if let Some(sent) = sent {
                                self.view(code, |v| v.sent = sent);
                            }
                        }
                    };
                    xhr::send(&request, &blob, on_start, progress).await
                }
                Err(ApiFailure::Problem(p)) if p.status == 404 || p.status == 409 => {
                    // The upload is gone (expired, aborted) or the nomination no longer
                    // accepts files: nothing to retry.
                    return self.fail(code, Text::new(p.detail.clone(), p.detail));
                }
                Err(_) => Err(SendError::Network),
            };
            match self.settle(code, n, outcome, attempt == 0) {
                Settled::Stored | Settled::Gone => return,
                Settled::SignAgain => attempt += 1,
                Settled::Failed => {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        return self.fail(
                            code,
                            Text::new(
                                "Pengiriman gagal berulang kali; pilih berkas lagi untuk melanjutkan.",
                                "Sending failed repeatedly; choose the file again to resume.",
                            ),
                        );
                    }
                    self.phase(code, Phase::Retrying { attempt });
                    xhr::sleep(backoff_ms(attempt, js_sys::Math::random())).await;
                }
            }
        }
    }

    /// Records how a request for part `n` ended: stored (then the next parts go, and the
    /// completion when it was the last), or to be retried.
    fn settle(
        self,
        code: DocumentType,
        n: u64,
        outcome: Result<String, SendError>,
        first_try: bool,
    ) -> Settled {
        let engine = self.engine();
        let mut e = engine.borrow_mut();
        let Engine { scheduler, jobs } = &mut *e;
        let Some(job) = jobs.get_mut(&code) else {
            return Settled::Gone; // cancelled or failed meanwhile
        };
        job.requests.remove(&n);
        job.loaded.remove(&n);
        match outcome {
            Ok(etag) => {
                job.done_bytes += job.part_len(n);
                let sent = job.sent();
                if let Some(parts) = scheduler.file_mut(&code) {
                    parts.set(n, PartState::Done(etag));
                }
                drop(e);
                self.view(code, |v| {
                    v.sent = sent;
                    if !matches!(v.phase, Phase::Offline) {
                        v.phase = Phase::Sending;
                    }
                });
                self.pump();
                self.complete_if_done(code);
                Settled::Stored
            }
            Err(SendError::Forbidden) if first_try => {
                // The signature expired on the way: sign again at once.
                job.signed.remove(&n);
                Settled::SignAgain
            }
            Err(_) => Settled::Failed,
        }
    }

    /// Completes the upload of `code` once S3 holds every part.
    fn complete_if_done(self, code: DocumentType) {
        let engine = self.engine();
        let (upload, key, parts) = {
            let mut e = engine.borrow_mut();
            let Engine { scheduler, jobs } = &mut *e;
            let (Some(parts), Some(job)) = (scheduler.file(&code), jobs.get_mut(&code)) else {
                return;
            };
            if !parts.is_done() || job.completing {
                return;
            }
            job.completing = true;
            // A single PUT completes with no parts named.
            let refs: Vec<PartRef> = if job.single {
                vec![]
            } else {
                parts
                    .etags()
                    .into_iter()
                    .map(|(number, etag)| PartRef {
                        number: number as u32,
                        etag,
                    })
                    .collect()
            };
            (job.upload_id.clone(), job.complete_key.clone(), refs)
        };
        self.phase(code, Phase::Completing);
        spawn_local(async move {
            let mut attempt = 0;
            loop {
                let lang = self.lang();
                match api::complete_upload(&self.id(), &upload, &key, parts.clone(), lang).await {
                    Ok(_) => {
                        let engine = self.engine();
                        let mut e = engine.borrow_mut();
                        e.scheduler.remove(&code);
                        e.jobs.remove(&code);
                        drop(e);
                        self.view(code, |v| {
                            v.sent = v.size;
                            v.phase = Phase::Done;
                        });
                        self.attached.update(|n| *n += 1);
                        return;
                    }
                    Err(ApiFailure::Network(_)) if attempt < MAX_ATTEMPTS => {
                        attempt += 1;
                        xhr::until_online().await;
                        xhr::sleep(backoff_ms(attempt, js_sys::Math::random())).await;
                    }
                    Err(e) => return self.fail(code, self.failure_text(&e)),
                }
            }
        });
    }
}

/// The SHA-256 (hex) of a file's first MiB.
async fn head_sha256(file: &File) -> Option<String> {
    let end = (file.size() as u64).min(FINGERPRINT_BYTES) as f64;
    let head = file.slice_with_f64_and_f64(0.0, end).ok()?;
    let buffer = JsFuture::from(head.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec();
    Some(hex(&Sha256::digest(&bytes)))
}
