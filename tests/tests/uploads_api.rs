//! The uploads API over HTTP (docs/uploads.md), with the bytes sent to the embedded S3 endpoint
//! (s3s + s3s-fs, SigV4 checked) on the presigned requests the API answers, as a browser does:
//! a small PDF in one PUT, a large file in parts resumed from what S3 lists; bad declarations
//! refused before any byte, wrong bytes refused and removed, other regencies' uploads hidden,
//! submitted nominations closed, presigned URLs bound to their part and signature, thumbnails
//! without EXIF, the sample's shipment and receipt.

use std::io::Cursor;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use ovop_core::document::{DocumentLimits, MB};
use ovop_core::round::Round;
use ovop_local::{DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, LOCAL_REGION, UPLOADS_BUCKET};
use ovop_platform::objects::{ObjectError, ObjectStore, S3Objects};
use ovop_platform::store::Tx;
use ovop_tests::{
    checklist_entry, file_bytes, form, nomination_path, problem, send_presigned, send_signed,
    sha256_hex, TestApp,
};
use serde_json::{json, Value};

const OFFICE: &str = "dinas-pekalongan";

/// The app, the office's token and a fresh draft of Kabupaten Pekalongan (anyaman).
async fn draft() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let token = app.login(OFFICE).await;
    let created = app
        .create(&token, &form("33.26", "Anyaman Uji Unggah"))
        .await;
    assert_eq!(created.status(), 201);
    let n: Value = created.json().await.unwrap();
    let id = n["id"].as_str().unwrap().to_owned();
    (app, token, id)
}

/// The uploads bucket of the embedded endpoint a presigned URL points at.
fn bucket_of(url: &str) -> S3Objects {
    let parsed = reqwest::Url::parse(url).unwrap();
    let endpoint = format!(
        "http://{}:{}",
        parsed.host_str().unwrap(),
        parsed.port().unwrap()
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new(
            DEFAULT_ACCESS_KEY,
            DEFAULT_SECRET_KEY,
            None,
            None,
            "tests",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    S3Objects::new(aws_sdk_s3::Client::from_conf(config), UPLOADS_BUCKET)
}

/// Lets the seeded round take documents up to `max` bytes.
async fn raise_document_limit(app: &TestApp, max: u64) {
    let store = &app.state.store;
    let round = store.get::<Round>("ovop-2026").await.unwrap().unwrap();
    let before = round.version;
    let raised = Round {
        document_limits: DocumentLimits {
            document_max_bytes: max,
            ..round.document_limits
        },
        version: before + 1,
        ..round
    };
    let mut tx = Tx::new();
    tx.update(&raised, before).unwrap();
    store.commit(tx).await.unwrap();
}

#[tokio::test]
async fn a_small_pdf_goes_in_one_presigned_put_and_the_checklist_shows_it() {
    let (app, token, id) = draft().await;
    let pdf = file_bytes(b"%PDF-1.7\n", 3000);
    let body = json!({"document_code": "D01", "file_name": "Surat usulan.pdf", "media_type": "application/pdf",
               "size": pdf.len(), "fingerprint": "surat|3000|1700000000|abc"});
    let d = app.declared_upload(&token, &id, body).await;
    assert_eq!(d["mode"], "single");
    assert_eq!(
        (d["part_size"].as_u64(), d["part_count"].as_u64()),
        (Some(3000), Some(1))
    );
    let put = &d["put"];
    assert_eq!(put["method"], "PUT");
    assert_eq!(put["headers"]["content-type"], "application/pdf");
    let upload = d["upload_id"].as_str().unwrap();

    // A reloaded page finds the open upload by its fingerprint.
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"][0]["fingerprint"], "surat|3000|1700000000|abc");

    // After a reload the PUT is signed again; the new one works like the first.
    let again: Value = app
        .post(
            &token,
            &nomination_path(&id, &format!("uploads/{upload}/parts")),
        )
        .json(&json!({"numbers": [1]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = &again["parts"][0];
    assert_eq!(
        (put["method"].as_str(), put["size"].as_u64()),
        (Some("PUT"), Some(3000))
    );
    let sent = send_signed(put, pdf.clone()).await;
    assert_eq!(sent.status(), 200, "{}", sent.text().await.unwrap());

    let done = app.complete_upload(&token, &id, upload, json!({})).await;
    assert_eq!(done.status(), 200);
    let document: Value = done.json().await.unwrap();
    assert_eq!(document["sha256"], sha256_hex(&pdf));
    assert_eq!(
        (document["code"].as_str(), document["version"].as_u64()),
        (Some("D01"), Some(1))
    );

    let c = app.checklist(&token, &id).await;
    let d01 = &checklist_entry(&c, "D01")["state"];
    assert_eq!(d01["state"], "attached");
    assert_eq!(d01["file_name"], "Surat usulan.pdf");
    assert_eq!(d01["size"], 3000);
    assert_eq!(d01["sha256"], sha256_hex(&pdf));
    assert_eq!(c["complete"], false);
    assert!(!c["missing"].as_array().unwrap().contains(&json!("D01")));

    // No longer open; the link serves the file to whoever reads the nomination.
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"], json!([]));
    let province = app.login("disperin-jateng").await;
    let link: Value = app
        .get_json(&province, &nomination_path(&id, "documents/D01/link"))
        .await;
    let got = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);

    // Completing again is refused: the upload is closed.
    let again = app.complete_upload(&token, &id, upload, json!({})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await.code, "upload_not_open");
}

#[tokio::test]
async fn a_large_file_goes_in_parts_resumed_from_what_s3_holds() {
    let (app, token, id) = draft().await;
    raise_document_limit(&app, 64 * MB).await;
    let tail = 100 * 1024;
    let size = 24 * MB as usize + tail;
    let file = file_bytes(b"%PDF-1.5\n", size);
    let d = app
        .declare_file(
            &token,
            &id,
            ("D02", "SK.pdf", "application/pdf"),
            size as u64,
        )
        .await;
    assert_eq!(d["mode"], "multipart");
    assert!(d.get("put").is_none());
    assert_eq!(
        (d["part_size"].as_u64(), d["part_count"].as_u64()),
        (Some(8 * MB), Some(4))
    );
    let upload = d["upload_id"].as_str().unwrap().to_owned();
    let parts_path = nomination_path(&id, &format!("uploads/{upload}/parts"));

    let signed: Value = app
        .post(&token, &parts_path)
        .json(&json!({"numbers": [1, 2, 3, 4]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signed = signed["parts"].as_array().unwrap().clone();
    assert_eq!(signed.len(), 4);
    assert_eq!(signed[3]["size"], tail);
    let chunk = |n: usize| {
        let start = (n - 1) * 8 * MB as usize;
        file[start..(start + 8 * MB as usize).min(size)].to_vec()
    };
    let mut etags = vec![String::new(); 5];
    for n in [1, 2, 4] {
        let sent = send_signed(&signed[n - 1], chunk(n)).await;
        assert_eq!(sent.status(), 200, "part {n}");
        etags[n] = sent.headers()["etag"].to_str().unwrap().to_owned();
    }

    // The status lists what S3 holds: the browser sends only the missing part.
    let status: Value = app
        .get_json(&token, &nomination_path(&id, &format!("uploads/{upload}")))
        .await;
    let held: Vec<(u64, u64)> = status["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["number"].as_u64().unwrap(), p["size"].as_u64().unwrap()))
        .collect();
    assert_eq!(held, [(1, 8 * MB), (2, 8 * MB), (4, tail as u64)]);
    assert_eq!(status["state"], "open");

    // Completing without part 3 is refused, nothing attached.
    let parts = |etags: &[String], numbers: &[usize]| json!({"parts": numbers.iter().map(|n| json!({"number": n, "etag": etags[*n]})).collect::<Vec<_>>()});
    let missing = app
        .complete_upload(&token, &id, &upload, parts(&etags, &[1, 2, 4]))
        .await;
    assert_eq!(missing.status(), 409);
    let p = problem(missing).await;
    assert_eq!(p.code, "parts_missing");
    assert!(p.detail.contains('3'), "{p:?}");

    let sent = send_signed(&signed[2], chunk(3)).await;
    assert_eq!(sent.status(), 200);
    etags[3] = sent.headers()["etag"].to_str().unwrap().to_owned();

    // A wrong ETag is refused, nothing attached.
    let mut wrong = etags.clone();
    wrong[2] = "\"00000000000000000000000000000000\"".into();
    let refused = app
        .complete_upload(&token, &id, &upload, parts(&wrong, &[1, 2, 3, 4]))
        .await;
    assert_eq!(refused.status(), 422);
    assert!(problem(refused).await.errors.contains_key("parts"));
    assert_eq!(
        checklist_entry(&app.checklist(&token, &id).await, "D02")["state"]["state"],
        "missing"
    );

    let done = app
        .complete_upload(&token, &id, &upload, parts(&etags, &[1, 2, 3, 4]))
        .await;
    assert_eq!(done.status(), 200);
    let document: Value = done.json().await.unwrap();
    assert_eq!(document["sha256"], sha256_hex(&file));
    let c = app.checklist(&token, &id).await;
    let d02 = &checklist_entry(&c, "D02")["state"];
    assert_eq!(
        (d02["state"].as_str(), d02["size"].as_u64()),
        (Some("attached"), Some(size as u64))
    );
}

#[tokio::test]
async fn presigned_urls_are_bound_to_their_part_and_their_signature() {
    let (app, token, id) = draft().await;
    let size = 17 * MB as usize;
    let d = app
        .declare_file(
            &token,
            &id,
            ("D01", "Surat.pdf", "application/pdf"),
            size as u64,
        )
        .await;
    let upload = d["upload_id"].as_str().unwrap();
    let signed: Value = app
        .post(
            &token,
            &nomination_path(&id, &format!("uploads/{upload}/parts")),
        )
        .json(&json!({"numbers": [1]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let part = &signed["parts"][0];
    let url = part["url"].as_str().unwrap();
    let body = file_bytes(b"%PDF-1.5\n", 8 * MB as usize);

    // Part 1's URL used for part 2: S3 refuses it.
    assert!(url.contains("partNumber=1"), "{url}");
    let other_part = url.replace("partNumber=1", "partNumber=2");
    assert_eq!(
        send_presigned(part, &other_part, body.clone())
            .await
            .status(),
        403
    );
    // A tampered signature: refused.
    let (head, signature) = url.split_once("X-Amz-Signature=").unwrap();
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    let tampered = format!("{head}X-Amz-Signature={flipped}{}", &signature[1..]);
    assert_eq!(
        send_presigned(part, &tampered, body.clone()).await.status(),
        403
    );
    // Nothing was stored; the genuine URL works.
    let status: Value = app
        .get_json(&token, &nomination_path(&id, &format!("uploads/{upload}")))
        .await;
    assert_eq!(status["parts"], json!([]));
    assert_eq!(send_signed(part, body).await.status(), 200);

    // More than 8 parts, or a part outside the file, are not signed.
    for numbers in [json!([1, 2, 3, 4, 5, 6, 7, 8, 9]), json!([4]), json!([])] {
        let refused = app
            .post(
                &token,
                &nomination_path(&id, &format!("uploads/{upload}/parts")),
            )
            .json(&json!({ "numbers": numbers }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422, "{numbers}");
    }

    // Aborting removes the upload: no longer open, no longer completable.
    let aborted = app
        .http
        .delete(app.url(&nomination_path(&id, &format!("uploads/{upload}"))))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(aborted.status(), 200);
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"], json!([]));
    let late = app
        .complete_upload(
            &token,
            &id,
            upload,
            json!({"parts": [{"number": 1, "etag": "x"}]}),
        )
        .await;
    assert_eq!(late.status(), 409);
}

#[tokio::test]
async fn a_declaration_over_the_limit_or_of_a_type_not_accepted_is_refused_before_any_byte() {
    let (app, token, id) = draft().await;
    let cases = [
        (
            json!({"document_code": "D07", "file_name": "foto.jpg", "media_type": "image/jpeg", "size": 16 * MB}),
            "size",
        ),
        (
            json!({"document_code": "D05", "file_name": "profil.png", "media_type": "image/png", "size": 1000}),
            "media_type",
        ),
        (
            json!({"document_code": "D01", "file_name": "surat.docx", "media_type": "application/msword", "size": 1000}),
            "media_type",
        ),
        (
            json!({"document_code": "D10", "file_name": "halal.pdf", "media_type": "application/pdf", "size": 1000}),
            "document_code",
        ),
        (
            json!({"document_code": "D08", "file_name": "sampel.jpg", "media_type": "image/jpeg", "size": 1000}),
            "document_code",
        ),
    ];
    for (body, field) in cases {
        let refused = app.declare_upload(&token, &id, body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let p = problem(refused).await;
        assert!(p.errors.contains_key(field), "{body}: {p:?}");
    }
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"], json!([]));
}

#[tokio::test]
async fn bytes_that_are_not_the_declared_type_are_refused_and_removed() {
    let (app, token, id) = draft().await;
    let png = file_bytes(b"\x89PNG\r\n\x1a\n", 2000);
    let d = app
        .declare_file(
            &token,
            &id,
            ("D01", "surat.pdf", "application/pdf"),
            png.len() as u64,
        )
        .await;
    let upload = d["upload_id"].as_str().unwrap();
    let put = &d["put"];
    assert_eq!(send_signed(put, png).await.status(), 200);
    let bucket = bucket_of(put["url"].as_str().unwrap());
    let key = format!("nominations/{id}/D01/{upload}");
    assert_eq!(bucket.head(&key).await.unwrap().size, 2000);

    let refused = app.complete_upload(&token, &id, upload, json!({})).await;
    assert_eq!(refused.status(), 422);
    let p = problem(refused).await;
    assert!(p.errors.contains_key("media_type"), "{p:?}");
    assert!(matches!(
        bucket.head(&key).await,
        Err(ObjectError::NotFound(_))
    ));
    assert_eq!(
        checklist_entry(&app.checklist(&token, &id).await, "D01")["state"]["state"],
        "missing"
    );
    let link = app
        .get(&token, &nomination_path(&id, "documents/D01/link"))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status(), 404);
}

#[tokio::test]
async fn another_regencys_upload_is_not_found() {
    let (app, token, id) = draft().await;
    let pdf = file_bytes(b"%PDF-1.7\n", 500);
    let d = app
        .declare_file(
            &token,
            &id,
            ("D01", "surat.pdf", "application/pdf"),
            pdf.len() as u64,
        )
        .await;
    let upload = d["upload_id"].as_str().unwrap();
    assert_eq!(send_signed(&d["put"], pdf).await.status(), 200);
    let semarang = app.login("dinas-semarang").await;
    let done = app.complete_upload(&semarang, &id, upload, json!({})).await;
    assert_eq!(done.status(), 404);
    let status = app
        .get(
            &semarang,
            &nomination_path(&id, &format!("uploads/{upload}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 404);
    let body = json!({"document_code": "D01", "file_name": "x.pdf", "media_type": "application/pdf", "size": 10});
    let declared = app.declare_upload(&semarang, &id, body).await;
    assert_eq!(declared.status(), 404);
    assert_eq!(
        checklist_entry(&app.checklist(&token, &id).await, "D01")["state"]["state"],
        "missing"
    );
}

#[tokio::test]
async fn a_submitted_nomination_takes_no_uploads() {
    let (app, token, id) = draft().await;
    app.attach_complete_bundle(&token, &id).await;
    let attached = checklist_entry(&app.checklist(&token, &id).await, "D01")["state"].clone();
    // A replacement of D01 is sent but not completed before the nomination is submitted.
    let pdf = file_bytes(b"%PDF-1.7\n", 500);
    let d = app
        .declare_file(
            &token,
            &id,
            ("D01", "surat baru.pdf", "application/pdf"),
            pdf.len() as u64,
        )
        .await;
    assert_eq!(send_signed(&d["put"], pdf).await.status(), 200);
    let submitted = app
        .post(&token, &format!("/api/v1/nominations/{id}/submit"))
        .header("Idempotency-Key", "submit-uploads")
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 200);
    let body = json!({"document_code": "D02", "file_name": "sk.pdf", "media_type": "application/pdf", "size": 10});
    let refused = app.declare_upload(&token, &id, body).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(problem(refused).await.code, "not_editable");
    let late = app
        .complete_upload(&token, &id, d["upload_id"].as_str().unwrap(), json!({}))
        .await;
    assert_eq!(late.status(), 409);
    let c = app.checklist(&token, &id).await;
    let d01 = &checklist_entry(&c, "D01")["state"];
    assert_eq!(
        d01, &attached,
        "the file submitted stays, the late one is not attached"
    );
    assert_ne!(d01["file_name"], "surat baru.pdf");
}

/// A JPEG of `w`×`h` with an APP1 EXIF segment holding a GPS block (latitude ref "S").
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(b"MM\0\x2a\0\0\0\x08"); // TIFF header, big-endian, IFD0 at 8
    exif.extend([0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26]); // GPSInfo → IFD at 26
    exif.extend([0, 0, 0, 0]);
    exif.extend([0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]); // GPSLatitudeRef "S"
    exif.extend([0, 0, 0, 0]);
    let len = (exif.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(exif);
    out.extend(&jpeg[2..]);
    out
}

#[tokio::test]
async fn a_photos_thumbnail_is_small_and_carries_no_exif() {
    let (app, token, id) = draft().await;
    let photo = jpeg_with_gps(1200, 800);
    assert!(photo.windows(4).any(|w| w == b"Exif"));
    app.upload_whole(&token, &id, ("D07", "depan.jpg", "image/jpeg"), &photo)
        .await;

    let link: Value = app
        .get_json(
            &token,
            &nomination_path(&id, "documents/D07/link?thumbnail=true"),
        )
        .await;
    let thumb = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(thumb.status(), 200);
    let thumb = thumb.bytes().await.unwrap().to_vec();
    assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(
        !thumb.windows(4).any(|w| w == b"Exif"),
        "the thumbnail keeps no EXIF"
    );
    let small = image::load_from_memory(&thumb).unwrap();
    assert_eq!((small.width(), small.height()), (480, 320));
    // The original is kept as sent.
    let link: Value = app
        .get_json(&token, &nomination_path(&id, "documents/D07/link"))
        .await;
    let original = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(original.bytes().await.unwrap().to_vec(), photo);
}

#[tokio::test]
async fn the_office_records_the_samples_shipment_and_the_secretariat_its_receipt() {
    let (app, token, id) = draft().await;
    let shipment =
        json!({"courier": "JNE", "tracking_number": "CGK123", "shipped_on": "2026-02-27"});
    let shipped = app
        .put(&token, &nomination_path(&id, "sample/shipment"))
        .json(&shipment)
        .send()
        .await
        .unwrap();
    assert_eq!(shipped.status(), 200);
    let receipt = json!({"received_on": "2026-02-28", "condition": "good", "note": ""});
    let by_office = app
        .put(&token, &nomination_path(&id, "sample/receipt"))
        .json(&receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(by_office.status(), 403);
    let secretariat = app.login("sekretariat").await;
    let received = app
        .put(&secretariat, &nomination_path(&id, "sample/receipt"))
        .json(&receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(received.status(), 200);
    let c = app.checklist(&secretariat, &id).await;
    assert_eq!(
        checklist_entry(&c, "D08")["state"]["state"],
        "sample_received"
    );
    assert_eq!(c["sample"]["receipt"]["condition"], "good");
    // A received sample's shipment is history.
    let again = app
        .put(&token, &nomination_path(&id, "sample/shipment"))
        .json(&shipment)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn a_second_file_replaces_the_first_and_a_retried_declaration_answers_the_same() {
    let (app, token, id) = draft().await;
    let first = jpeg_with_gps(300, 200);
    let body = json!({"document_code": "D07", "file_name": "lama.jpg", "media_type": "image/jpeg", "size": first.len()});
    let send_declaration = || {
        app.post(&token, &nomination_path(&id, "uploads"))
            .header("Idempotency-Key", "declare-photo-1")
            .json(&body)
            .send()
    };
    let d: Value = send_declaration().await.unwrap().json().await.unwrap();
    let retried = send_declaration().await.unwrap();
    assert_eq!(retried.status(), 201);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(
        retried["upload_id"], d["upload_id"],
        "the same upload, not a second one"
    );
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);

    let old = d["upload_id"].as_str().unwrap().to_owned();
    assert_eq!(send_signed(&d["put"], first).await.status(), 200);
    assert_eq!(
        app.complete_upload(&token, &id, &old, json!({}))
            .await
            .status(),
        200
    );

    let second = jpeg_with_gps(200, 300);
    let (d, done) = app
        .upload_whole(&token, &id, ("D07", "baru.jpg", "image/jpeg"), &second)
        .await;
    let document: Value = done.json().await.unwrap();
    assert_eq!(document["version"], 2);
    let c = app.checklist(&token, &id).await;
    assert_eq!(checklist_entry(&c, "D07")["state"]["file_name"], "baru.jpg");
    // The replaced photo and its thumbnail are gone from the bucket.
    let bucket = bucket_of(d["put"]["url"].as_str().unwrap());
    for key in [
        format!("nominations/{id}/D07/{old}"),
        format!("thumbnails/{id}/D07/{old}.jpg"),
    ] {
        assert!(
            matches!(bucket.head(&key).await, Err(ObjectError::NotFound(_))),
            "{key}"
        );
    }
    let link: Value = app
        .get_json(&token, &nomination_path(&id, "documents/D07/link"))
        .await;
    let served = reqwest::get(link["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(served.bytes().await.unwrap().to_vec(), second);
}

#[tokio::test]
async fn an_upload_left_open_past_its_expiry_is_gone() {
    let (app, token, id) = draft().await;
    let pdf = file_bytes(b"%PDF-1.7\n", 500);
    let d = app
        .declare_file(
            &token,
            &id,
            ("D01", "surat.pdf", "application/pdf"),
            pdf.len() as u64,
        )
        .await;
    assert_eq!(send_signed(&d["put"], pdf).await.status(), 200);
    app.clock
        .set(ovop_tests::start_time() + chrono::Duration::days(7));
    let token = app.login(OFFICE).await;
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(open["items"], json!([]));
    let late = app
        .complete_upload(&token, &id, d["upload_id"].as_str().unwrap(), json!({}))
        .await;
    // Its record has expired with it: the upload is gone.
    assert_eq!(late.status(), 404);
    assert_eq!(
        checklist_entry(&app.checklist(&token, &id).await, "D01")["state"]["state"],
        "missing"
    );
}

#[tokio::test]
async fn malformed_missing_and_oversize_input_is_refused_with_the_field_named() {
    let (app, token, id) = draft().await;
    // No Idempotency-Key on a declaration: 428, nothing recorded.
    let unkeyed = app
        .post(&token, &nomination_path(&id, "uploads"))
        .json(&json!({"document_code": "D01", "file_name": "a.pdf", "media_type": "application/pdf", "size": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unkeyed).await.status, 428);
    // Not JSON: 400; a required field missing: 422 naming it; an unknown field refused.
    let malformed = app
        .post(&token, &nomination_path(&id, "uploads"))
        .header("Idempotency-Key", "malformed-1")
        .header("Content-Type", "application/json")
        .body("{\"document_code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(malformed).await.status, 400);
    let missing = app
        .declare_upload(
            &token,
            &id,
            json!({"document_code": "D01", "file_name": "a.pdf", "media_type": "application/pdf"}),
        )
        .await;
    let p = problem(missing).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("size"), "{p:?}");
    // Beyond S3's 5 GiB cap whatever the round allows.
    let body = json!({"document_code": "D01", "file_name": "a.pdf", "media_type": "application/pdf", "size": 6u64 << 30});
    let huge = app.declare_upload(&token, &id, body).await;
    let p = problem(huge).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("size"), "{p:?}");
    // A sample shipment without its tracking number names the field.
    let shipment = app
        .put(&token, &nomination_path(&id, "sample/shipment"))
        .json(&json!({"courier": "JNE", "shipped_on": "2026-03-01"}))
        .send()
        .await
        .unwrap();
    let p = problem(shipment).await;
    assert_eq!(p.status, 422);
    assert!(p.errors.contains_key("tracking_number"), "{p:?}");
    // Without a token, nothing.
    let anonymous = app
        .http
        .get(app.url(&nomination_path(&id, "documents")))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(anonymous).await.status, 401);
    let open: Value = app.get_json(&token, &nomination_path(&id, "uploads")).await;
    assert_eq!(
        open["items"],
        json!([]),
        "no refused declaration left an upload"
    );
}
