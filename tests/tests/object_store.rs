//! The object-store port's S3 adapter against the embedded S3 endpoint of `ovop-local` (s3s +
//! s3s-fs, which verifies SigV4 as S3 does), over HTTP on 127.0.0.1 with URLs signed for
//! `localhost` as the browser uses it: presigned PUTs bound to their key, type, length and
//! lifetime; multipart uploads with presigned parts, every page of ListParts, completion and
//! abort; presigned GETs; CORS for the app's origin.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ovop_local::{EmbeddedS3, EmbeddedS3Config, UPLOADS_BUCKET};
use ovop_platform::clock::ManualClock;
use ovop_platform::objects::{
    CompletedPart, Disposition, ObjectError, ObjectStore, PresignedRequest, S3Objects,
    MAX_DELETE_BATCH, MIN_PART_SIZE,
};
use ovop_tests::{local_config, share_signing_key, start_time};
use reqwest::{Client, Response};
use tempfile::TempDir;

const APP_ORIGIN: &str = "http://localhost:8080";
const TEN_MINUTES: Duration = Duration::from_secs(600);

/// The embedded endpoint in a fresh folder, and the uploads bucket's store on it.
struct Endpoint {
    s3: EmbeddedS3,
    store: S3Objects,
    http: Client,
    _dir: TempDir,
}

async fn endpoint() -> Endpoint {
    let dir = tempfile::tempdir().expect("temp dir");
    let s3 = EmbeddedS3::start(
        &dir.path().join("s3"),
        &EmbeddedS3Config::ephemeral(),
        &[APP_ORIGIN.to_owned()],
    )
    .await
    .expect("start the embedded S3 endpoint");
    Endpoint {
        store: s3.objects(UPLOADS_BUCKET),
        s3,
        http: Client::new(),
        _dir: dir,
    }
}

/// A fresh key of the shape the uploads use.
fn key(doc: &str) -> String {
    format!(
        "nominations/{}/{doc}/{}",
        ulid::Ulid::new(),
        ulid::Ulid::new()
    )
}

/// Some bytes: `magic`, then a pattern, `len` in all.
fn body(magic: &[u8], len: usize) -> Vec<u8> {
    let mut b = magic.to_vec();
    b.extend((0..len.saturating_sub(magic.len())).map(|i| (i % 251) as u8));
    b.truncate(len);
    b
}

/// Sends `request` as a browser would: its method, URL and headers, `content-length` from the
/// body (scripts cannot set it).
async fn send(http: &Client, request: &PresignedRequest, body: Vec<u8>) -> Response {
    send_with(http, request, &request.url, body, &[]).await
}

/// [`send`] to `url`, with header values from `overrides` instead of the signed ones (a
/// header with an empty value is left out).
async fn send_with(
    http: &Client,
    request: &PresignedRequest,
    url: &str,
    body: Vec<u8>,
    overrides: &[(&str, &str)],
) -> Response {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut builder = http.request(method, url);
    for (name, value) in &request.headers {
        if name == "content-length" || overrides.iter().any(|(n, _)| n == name) {
            continue;
        }
        builder = builder.header(name, value);
    }
    for (name, value) in overrides {
        if !value.is_empty() {
            builder = builder.header(*name, *value);
        }
    }
    builder.body(body).send().await.expect("request sent")
}

/// `url` with query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').expect("a query");
    let mut found = false;
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((n, _)) if n == name => {
                found = true;
                format!("{n}={value}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    assert!(found, "{name} is not in {url}");
    format!("{base}?{}", query.join("&"))
}

fn param(url: &str, name: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} is not in {url}"))
}

/// The signature with its last hex digit changed.
fn tampered_signature(url: &str) -> String {
    let signature = param(url, "X-Amz-Signature");
    let (head, last) = signature.split_at(signature.len() - 1);
    let last = if last == "0" { "1" } else { "0" };
    with_param(url, "X-Amz-Signature", &format!("{head}{last}"))
}

fn etag_of(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .expect("an ETag header")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_presigned_put_with_its_signed_type_and_length_stores_the_file() {
    let e = endpoint().await;
    let key = key("photo");
    let jpeg = body(&[0xFF, 0xD8, 0xFF, 0xE0], 3000);
    let put = e
        .store
        .presign_put(&key, "image/jpeg", jpeg.len() as u64, TEN_MINUTES)
        .await
        .unwrap();
    // Signed for the host the browser uses, not the address the server listens on.
    let public = format!("http://localhost:{}/{UPLOADS_BUCKET}/", e.s3.addr().port());
    assert!(put.url.starts_with(&public), "{}", put.url);
    assert_eq!(put.method, "PUT");
    assert_eq!(put.header("content-type"), Some("image/jpeg"));

    let answer = send(&e.http, &put, jpeg.clone()).await;
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    let etag = etag_of(&answer);

    let info = e.store.head(&key).await.unwrap();
    assert_eq!(info.size, 3000);
    assert_eq!(info.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(info.etag, etag);
    assert_eq!(
        &e.store.read_prefix(&key, 4).await.unwrap()[..],
        &[0xFF, 0xD8, 0xFF, 0xE0]
    );
    assert_eq!(
        e.store.read_prefix(&key, 10_000).await.unwrap().len(),
        3000,
        "a prefix longer than the object is the object"
    );
    assert_eq!(
        e.store.read(&key, 3000).await.unwrap(),
        Bytes::from(jpeg.clone())
    );
    assert!(matches!(
        e.store.read(&key, 2999).await,
        Err(ObjectError::Precondition(_))
    ));
    let mut reader = e.store.open(&key).await.unwrap();
    assert_eq!(reader.info.size, 3000);
    let mut streamed = Vec::new();
    while let Some(chunk) = reader.chunk().await.unwrap() {
        streamed.extend_from_slice(&chunk);
    }
    assert_eq!(streamed, jpeg);

    // Without a signature nobody reads it.
    let anonymous = e.http.get(put.url.split('?').next().unwrap()).send().await;
    assert_eq!(anonymous.unwrap().status(), 403);

    e.store.delete(&key).await.unwrap();
    assert!(matches!(
        e.store.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        e.store.read_prefix(&key, 4).await,
        Err(ObjectError::NotFound(_))
    ));
    e.store.delete(&key).await.expect("deleting twice is fine");
}

#[tokio::test]
async fn server_made_objects_are_put_and_read_back() {
    let e = endpoint().await;
    let key = key("thumbnail");
    let etag = e
        .store
        .put(
            &key,
            Bytes::from_static(b"\x89PNG\r\n\x1a\nthumb"),
            "image/png",
        )
        .await
        .unwrap();
    let info = e.store.head(&key).await.unwrap();
    assert_eq!(info.etag, etag);
    assert_eq!(info.size, 13);
    assert_eq!(info.content_type.as_deref(), Some("image/png"));
    assert_eq!(
        &e.store.read(&key, 100).await.unwrap()[..],
        b"\x89PNG\r\n\x1a\nthumb"
    );
    // An empty object has an empty prefix.
    let empty = self::key("empty");
    e.store
        .put(&empty, Bytes::new(), "text/plain")
        .await
        .unwrap();
    assert!(e.store.read_prefix(&empty, 8).await.unwrap().is_empty());
}

#[tokio::test]
async fn many_objects_are_deleted_in_batches_missing_ones_included() {
    let e = endpoint().await;
    // More than one DeleteObjects request's worth, a missing key among them.
    let keys: Vec<String> = (0..MAX_DELETE_BATCH + 5)
        .map(|i| format!("galeri/v/test/{i}.html"))
        .collect();
    for k in keys.iter().step_by(97).chain([&keys[MAX_DELETE_BATCH + 4]]) {
        e.store
            .put(k, Bytes::from_static(b"<p>x</p>"), "text/html")
            .await
            .unwrap();
    }
    let kept = key("kept");
    e.store
        .put(&kept, Bytes::from_static(b"kept"), "text/plain")
        .await
        .unwrap();
    let mut doomed = keys.clone();
    doomed.push("galeri/never-written.html".into());
    e.store.delete_all(&doomed).await.unwrap();
    for k in keys.iter().step_by(97).chain([&keys[MAX_DELETE_BATCH + 4]]) {
        assert!(
            matches!(e.store.head(k).await, Err(ObjectError::NotFound(_))),
            "{k} remains"
        );
    }
    assert_eq!(e.store.head(&kept).await.unwrap().size, 4);
    e.store.delete_all(&[]).await.unwrap();
}

#[tokio::test]
async fn a_tampered_presigned_url_is_refused() {
    let e = endpoint().await;
    let key = key("proposal");
    let pdf = body(b"%PDF-1.7", 500);
    let put = e
        .store
        .presign_put(&key, "application/pdf", 500, TEN_MINUTES)
        .await
        .unwrap();
    let other_key = put.url.replacen(&key, &self::key("proposal"), 1);
    assert_ne!(other_key, put.url);
    let longer = with_param(&put.url, "X-Amz-Expires", "604800");
    for (what, url) in [
        ("signature", tampered_signature(&put.url)),
        ("key", other_key),
        ("X-Amz-Expires", longer),
    ] {
        let answer = send_with(&e.http, &put, &url, pdf.clone(), &[]).await;
        assert_eq!(answer.status(), 403, "changed {what}");
    }
    assert!(matches!(
        e.store.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    // The untouched URL works.
    assert_eq!(send(&e.http, &put, pdf).await.status(), 200);
}

#[tokio::test]
async fn an_expired_presigned_url_is_refused() {
    let e = endpoint().await;
    let key = key("proposal");
    e.store
        .put(&key, Bytes::from_static(b"%PDF-1.7 old"), "application/pdf")
        .await
        .unwrap();
    let put = e
        .store
        .presign_put(&key, "application/pdf", 8, Duration::from_secs(1))
        .await
        .unwrap();
    let get = e
        .store
        .presign_get(
            &key,
            &Disposition::Inline {
                filename: "p.pdf".into(),
            },
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        send(&e.http, &put, b"%PDF-1.7".to_vec()).await.status(),
        403
    );
    assert_eq!(send(&e.http, &get, Vec::new()).await.status(), 403);
    assert_eq!(&e.store.read(&key, 100).await.unwrap()[..], b"%PDF-1.7 old");
}

#[tokio::test]
async fn a_put_with_another_type_or_length_than_signed_is_refused() {
    let e = endpoint().await;
    let key = key("photo");
    let put = e
        .store
        .presign_put(&key, "image/jpeg", 100, TEN_MINUTES)
        .await
        .unwrap();
    let jpeg = body(&[0xFF, 0xD8, 0xFF], 100);
    for (what, body, content_type) in [
        ("type", jpeg.clone(), "image/png"),
        ("no type", jpeg.clone(), ""),
        ("longer", body(&[0xFF, 0xD8, 0xFF], 101), "image/jpeg"),
        ("shorter", body(&[0xFF, 0xD8, 0xFF], 99), "image/jpeg"),
        ("empty", Vec::new(), "image/jpeg"),
    ] {
        let answer = send_with(
            &e.http,
            &put,
            &put.url,
            body,
            &[("content-type", content_type)],
        )
        .await;
        assert_eq!(answer.status(), 403, "{what}");
    }
    assert!(matches!(
        e.store.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    assert_eq!(send(&e.http, &put, jpeg).await.status(), 200);
}

/// Uploads `parts` of the upload through presigned part URLs, concurrently; their ETags.
async fn upload_parts(e: &Endpoint, key: &str, upload_id: &str, parts: &[Vec<u8>]) -> Vec<String> {
    let mut requests = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let url = e
            .store
            .presign_upload_part(
                key,
                upload_id,
                i as u32 + 1,
                Some(part.len() as u64),
                TEN_MINUTES,
            )
            .await
            .unwrap();
        requests.push(url);
    }
    let answers = futures::future::join_all(
        requests
            .iter()
            .zip(parts)
            .map(|(request, part)| send(&e.http, request, part.clone())),
    )
    .await;
    answers
        .iter()
        .map(|a| {
            assert_eq!(a.status(), 200);
            etag_of(a)
        })
        .collect()
}

#[tokio::test]
async fn a_multipart_upload_through_presigned_parts_is_listed_page_by_page_and_completed() {
    let e = endpoint().await;
    // One part a page: three parts are listed only if every page is read.
    let store = e.store.clone().with_list_parts_page_size(1);
    let key = key("proposal");
    let upload_id = store
        .create_multipart(&key, "application/pdf")
        .await
        .unwrap();
    let sizes = [MIN_PART_SIZE + 1, MIN_PART_SIZE + 2, MIN_PART_SIZE + 3];
    let parts: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| body(if i == 0 { b"%PDF-1.7" } else { b"" }, size as usize))
        .collect();
    let etags = upload_parts(&e, &key, &upload_id, &parts).await;

    // The endpoint pages as S3 does.
    let first = store
        .client()
        .list_parts()
        .bucket(UPLOADS_BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .max_parts(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.parts().len(), 2);
    assert_eq!(first.is_truncated(), Some(true));
    assert_eq!(first.next_part_number_marker(), Some("2"));

    let listed = store.list_parts(&key, &upload_id).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(listed.iter().map(|p| p.size).collect::<Vec<_>>(), sizes);
    assert_eq!(
        listed.iter().map(|p| p.etag.clone()).collect::<Vec<_>>(),
        etags
    );
    // The object does not exist before completion.
    assert!(matches!(
        store.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));

    let completed: Vec<CompletedPart> = listed.iter().map(CompletedPart::from).collect();
    let etag = store
        .complete_multipart(&key, &upload_id, &completed)
        .await
        .unwrap();
    assert!(etag.ends_with("-3\""), "{etag}");
    let info = store.head(&key).await.unwrap();
    assert_eq!(info.size, sizes.iter().sum::<u64>());
    assert_eq!(info.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(info.etag, etag);
    assert_eq!(&store.read_prefix(&key, 8).await.unwrap()[..], b"%PDF-1.7");
    let whole = store.read(&key, 16 * 1024 * 1024).await.unwrap();
    assert_eq!(whole, Bytes::from(parts.concat()));
    // A completed upload is gone.
    assert!(matches!(
        store.list_parts(&key, &upload_id).await,
        Err(ObjectError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_part_url_is_bound_to_its_part_number_upload_and_size() {
    let e = endpoint().await;
    let key = key("proposal");
    let upload_id = e
        .store
        .create_multipart(&key, "application/pdf")
        .await
        .unwrap();
    let other_upload = e
        .store
        .create_multipart(&key, "application/pdf")
        .await
        .unwrap();
    let part = e
        .store
        .presign_upload_part(&key, &upload_id, 1, Some(1000), TEN_MINUTES)
        .await
        .unwrap();
    assert_eq!(param(&part.url, "partNumber"), "1");
    let bytes = body(b"%PDF", 1000);
    for (what, url, body) in [
        (
            "another part number",
            with_param(&part.url, "partNumber", "2"),
            bytes.clone(),
        ),
        (
            "another upload",
            with_param(&part.url, "uploadId", &other_upload),
            bytes.clone(),
        ),
        ("another size", part.url.clone(), body(b"%PDF", 1001)),
        (
            "a tampered signature",
            tampered_signature(&part.url),
            bytes.clone(),
        ),
    ] {
        let answer = send_with(&e.http, &part, &url, body, &[]).await;
        assert_eq!(answer.status(), 403, "{what}");
    }
    assert!(e
        .store
        .list_parts(&key, &upload_id)
        .await
        .unwrap()
        .is_empty());
    assert!(e
        .store
        .list_parts(&key, &other_upload)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(send(&e.http, &part, bytes).await.status(), 200);
    assert_eq!(e.store.list_parts(&key, &upload_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn completion_checks_each_part_and_an_upload_belongs_to_its_key() {
    let e = endpoint().await;
    let key = key("proposal");
    let upload_id = e
        .store
        .create_multipart(&key, "application/pdf")
        .await
        .unwrap();
    let small = [body(b"%PDF", 1000), body(b"", 1000)];
    let etags = upload_parts(&e, &key, &upload_id, &small).await;
    let parts: Vec<CompletedPart> = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| CompletedPart {
            number: i as u32 + 1,
            etag: etag.clone(),
        })
        .collect();
    // Another key's upload id does not exist for this key.
    let elsewhere = self::key("proposal");
    assert!(matches!(
        e.store.list_parts(&elsewhere, &upload_id).await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        e.store
            .complete_multipart(&elsewhere, &upload_id, &parts)
            .await,
        Err(ObjectError::NotFound(_))
    ));
    // A wrong ETag, or parts out of order.
    let mut wrong = parts.clone();
    wrong[1].etag = etags[0].clone();
    assert!(matches!(
        e.store.complete_multipart(&key, &upload_id, &wrong).await,
        Err(ObjectError::Precondition(_))
    ));
    let reversed: Vec<CompletedPart> = parts.iter().rev().cloned().collect();
    assert!(matches!(
        e.store
            .complete_multipart(&key, &upload_id, &reversed)
            .await,
        Err(ObjectError::Precondition(_))
    ));
    // A first part under 5 MiB.
    assert!(matches!(
        e.store.complete_multipart(&key, &upload_id, &parts).await,
        Err(ObjectError::Precondition(_))
    ));
    assert!(matches!(
        e.store.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    // One small part alone is fine (the last part may be small).
    let single = e
        .store
        .create_multipart(&key, "application/pdf")
        .await
        .unwrap();
    let etags = upload_parts(&e, &key, &single, &small[..1]).await;
    let done = [CompletedPart {
        number: 1,
        etag: etags[0].clone(),
    }];
    e.store
        .complete_multipart(&key, &single, &done)
        .await
        .unwrap();
    assert_eq!(e.store.head(&key).await.unwrap().size, 1000);
}

#[tokio::test]
async fn an_aborted_upload_is_gone() {
    let e = endpoint().await;
    let key = key("photo");
    let upload_id = e.store.create_multipart(&key, "image/jpeg").await.unwrap();
    upload_parts(&e, &key, &upload_id, &[body(&[0xFF, 0xD8], 2000)]).await;
    assert_eq!(e.store.list_parts(&key, &upload_id).await.unwrap().len(), 1);
    // A URL signed before the abort.
    let late = e
        .store
        .presign_upload_part(&key, &upload_id, 2, None, TEN_MINUTES)
        .await
        .unwrap();

    e.store.abort_multipart(&key, &upload_id).await.unwrap();
    assert!(matches!(
        e.store.list_parts(&key, &upload_id).await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        e.store.abort_multipart(&key, &upload_id).await,
        Err(ObjectError::NotFound(_))
    ));
    let answer = send(&e.http, &late, body(&[0xFF, 0xD8], 2000)).await;
    assert_eq!(answer.status(), 404, "NoSuchUpload");
    assert!(matches!(
        e.store
            .complete_multipart(
                &key,
                &upload_id,
                &[CompletedPart {
                    number: 1,
                    etag: "\"x\"".into()
                }]
            )
            .await,
        Err(ObjectError::NotFound(_))
    ));
    // Nothing of it is left on disk.
    let leftovers: Vec<String> = std::fs::read_dir(e.s3.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(&upload_id))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_presigned_get_names_the_file_and_expires() {
    let e = endpoint().await;
    let key = key("proposal");
    let pdf = body(b"%PDF-1.7", 2048);
    e.store
        .put(&key, Bytes::from(pdf.clone()), "application/pdf")
        .await
        .unwrap();
    let download = Disposition::Attachment {
        filename: "Proposal – Kopi Gayo.pdf".into(),
    };
    let get = e
        .store
        .presign_get(&key, &download, TEN_MINUTES)
        .await
        .unwrap();
    assert_eq!(get.method, "GET");
    let answer = send(&e.http, &get, Vec::new()).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-disposition"].to_str().unwrap(),
        download.header_value()
    );
    assert_eq!(answer.headers()["content-type"], "application/pdf");
    assert_eq!(answer.bytes().await.unwrap(), Bytes::from(pdf));
    // Another name than signed is refused.
    let renamed = with_param(
        &get.url,
        "response-content-disposition",
        "attachment%3B%20filename%3D%22x.exe%22",
    );
    let answer = send_with(&e.http, &get, &renamed, Vec::new(), &[]).await;
    assert_eq!(answer.status(), 403);

    let short = e
        .store
        .presign_get(&key, &download, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(send(&e.http, &short, Vec::new()).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(send(&e.http, &short, Vec::new()).await.status(), 403);
}

#[tokio::test]
async fn the_app_origin_may_upload_and_read_the_etag() {
    let e = endpoint().await;
    let base = format!("http://localhost:{}/{UPLOADS_BUCKET}/x", e.s3.addr().port());
    let preflight = e
        .http
        .request(reqwest::Method::OPTIONS, &base)
        .header("Origin", APP_ORIGIN)
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], APP_ORIGIN);
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "PUT", "HEAD", "POST", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    assert_eq!(h["access-control-allow-headers"], "*");

    let key = key("photo");
    let put = e
        .store
        .presign_put(&key, "image/jpeg", 10, TEN_MINUTES)
        .await
        .unwrap();
    let answer = send_with(
        &e.http,
        &put,
        &put.url,
        body(&[0xFF, 0xD8], 10),
        &[("origin", APP_ORIGIN)],
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["access-control-allow-origin"], APP_ORIGIN);
    let exposed = answer.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
    assert!(answer.headers().contains_key("etag"));

    // Another origin gets no CORS answer.
    let stranger = e
        .http
        .request(reqwest::Method::OPTIONS, &base)
        .header("Origin", "http://evil.test")
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await
        .unwrap();
    assert!(!stranger
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn the_local_app_serves_its_uploads_bucket_from_the_embedded_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    share_signing_key(dir.path());
    let config = local_config(dir.path(), false);
    let app = ovop_local::build(&config, Arc::new(ManualClock::new(start_time())))
        .await
        .expect("build app");
    let s3 = app.s3.as_ref().expect("the embedded endpoint is on");
    assert_eq!(s3.root(), dir.path().join("s3").canonicalize().unwrap());
    for bucket in [UPLOADS_BUCKET, ovop_local::PUBLIC_BUCKET] {
        assert!(s3.root().join(bucket).is_dir(), "{bucket}");
    }
    let objects: Arc<dyn ObjectStore> = app.objects.clone();
    let key = key("photo");
    let put = objects
        .presign_put(&key, "image/png", 12, TEN_MINUTES)
        .await
        .unwrap();
    assert!(put
        .url
        .starts_with(&format!("{}/{UPLOADS_BUCKET}/", s3.public_url())));
    assert!(put.url.starts_with("http://localhost:"), "{}", put.url);
    let answer = send(&Client::new(), &put, body(b"\x89PNG", 12)).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(objects.head(&key).await.unwrap().size, 12);
    s3.shutdown().await;
}

// The adapter's configuration and signing, without an endpoint.

fn sdk(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let mut b = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("ap-southeast-3"))
        .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
            aws_sdk_s3::config::Credentials::new("AK", "SK", None, None, "test"),
        ));
    if let Some(e) = endpoint {
        b = b.endpoint_url(e);
    }
    b.build()
}

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

/// Where a presigned GET of `k` in bucket `ovop-b` goes with this configuration.
async fn get_url(config: aws_sdk_s3::Config) -> String {
    let store = S3Objects::new(aws_sdk_s3::Client::from_conf(config), "ovop-b");
    let inline = Disposition::Inline {
        filename: "k".into(),
    };
    let get = store
        .presign_get("k", &inline, Duration::from_secs(60))
        .await;
    get.unwrap().url
}

#[tokio::test]
async fn an_endpoint_override_makes_requests_path_style() {
    let url = get_url(S3Objects::config_from(&sdk(None), env(&[]))).await;
    assert!(
        url.starts_with("https://ovop-b.s3.ap-southeast-3.amazonaws.com/k?"),
        "{url}"
    );
    let local = sdk(Some("http://localhost:8081"));
    let url = get_url(S3Objects::config_from(&local, env(&[]))).await;
    assert!(url.starts_with("http://localhost:8081/ovop-b/k?"), "{url}");
    // AWS_ENDPOINT_URL_S3 is applied by the S3 client from the process environment: here only
    // the path-style decision is checked.
    let named = env(&[("AWS_ENDPOINT_URL_S3", "http://localhost:9000")]);
    let config = S3Objects::config_from(&sdk(None), named);
    let url = get_url(config.to_builder().endpoint_url("http://s3.test").build()).await;
    assert!(url.starts_with("http://s3.test/ovop-b/k?"), "{url}");
    let ignored = env(&[
        ("AWS_ENDPOINT_URL_S3", "http://localhost:9000"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
    ]);
    let url = get_url(S3Objects::config_from(&sdk(None), ignored)).await;
    assert!(url.starts_with("https://ovop-b.s3."), "{url}");
}

#[tokio::test]
async fn presigned_puts_sign_their_type_length_and_lifetime() {
    let config = S3Objects::config_from(&sdk(Some("http://localhost:8081")), env(&[]));
    let store = S3Objects::new(aws_sdk_s3::Client::from_conf(config), "ovop-uploads");
    let put = store
        .presign_put(
            "nominations/n1/photo/u1",
            "image/jpeg",
            1234,
            Duration::from_secs(600),
        )
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    assert!(
        put.url
            .starts_with("http://localhost:8081/ovop-uploads/nominations/n1/photo/u1?"),
        "{}",
        put.url
    );
    assert!(put.url.contains("X-Amz-Expires=600"), "{}", put.url);
    assert!(
        put.url
            .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"),
        "{}",
        put.url
    );
    // No checksum of an empty body signed in (older SDKs did: every upload then failed).
    assert!(!put.url.contains("checksum"), "{}", put.url);
    assert_eq!(put.header("Content-Type"), Some("image/jpeg"));
    assert_eq!(put.header("content-length"), Some("1234"));
    let lifetime = put.expires_at - chrono::Utc::now();
    assert!(lifetime <= chrono::Duration::seconds(600));
    assert!(lifetime > chrono::Duration::seconds(590));
    assert!(matches!(
        store
            .presign_upload_part("k", "u", 0, None, Duration::from_secs(60))
            .await,
        Err(ObjectError::Invalid(_))
    ));
    let inline = Disposition::Inline {
        filename: "a.jpg".into(),
    };
    assert!(matches!(
        store
            .presign_get("k", &inline, Duration::from_secs(8 * 24 * 3600))
            .await,
        Err(ObjectError::Invalid(_))
    ));
}
