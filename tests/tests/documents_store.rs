//! Documents, uploads and the product sample on the item store, on both adapters (embedded and
//! DynamoDB on moto): declared in `entities.rs` only, with no adapter code. And the submit
//! endpoint reading the bundle once a round requires documents.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ovop_core::commodity::CommodityCatalog;
use ovop_core::document::{
    declare, Checklist, Document, DocumentLimits, DocumentType, EntryState, Multipart,
    ProductSample, SampleShipmentForm, Upload, UploadState, MB,
};
use ovop_core::nomination::{AuditEntry, Nomination};
use ovop_core::round::Round;
use ovop_core::status::NominationStatus;
use ovop_platform::clock::{Clock, ManualClock};
use ovop_platform::store::{entities, Store, Tx};
use ovop_tests::{
    draft, dynamo_store_with, embedded_store_with, form, office, problem, start_time, TestApp,
};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

async fn all<T: serde::de::DeserializeOwned>(
    store: &Store,
    kind: &str,
    listing: &ovop_platform::store::Listing,
) -> Vec<T> {
    store
        .list::<T>(kind, listing, 50, None, |_| true)
        .await
        .expect("listed")
        .items
}

/// Starts an upload of `name` as document `code` of `n` at `at` and writes it.
async fn start(
    store: &Store,
    n: &Nomination,
    code: &str,
    name: &str,
    media: &str,
    multipart: Option<Multipart>,
    at: DateTime<Utc>,
) -> Upload {
    let commodity = n.commodity_in(&CommodityCatalog::default());
    let declared = declare(
        code,
        name,
        media,
        3 * MB,
        &commodity,
        &DocumentLimits::default(),
    )
    .expect("a valid declaration");
    let upload = Upload::start(
        ovop_platform::ids::new_id(),
        &n.id,
        declared,
        multipart,
        &office(n.regency_code.as_str()),
        at,
    );
    let mut tx = Tx::new();
    tx.create(&upload).unwrap();
    store.commit(tx).await.expect("upload recorded");
    upload
}

/// Completes `upload`: the upload moves to completed and its document becomes current.
async fn complete(store: &Store, upload: &Upload, at: DateTime<Utc>) -> Document {
    let previous = store
        .get::<Document>(&(upload.nomination_id.clone(), upload.code))
        .await
        .unwrap();
    let (done, document) = upload
        .complete(SHA, previous.as_ref(), &office("33.26"), at)
        .expect("an open upload completes");
    let mut tx = Tx::new();
    tx.update(&done, upload.version).unwrap();
    match &previous {
        Some(p) => tx.update(&document, p.version).unwrap(),
        None => tx.create(&document).unwrap(),
    };
    store.commit(tx).await.expect("document attached");
    document
}

async fn documents_uploads_and_the_sample_round_trip(store: Store, clock: Arc<ManualClock>) {
    let t = start_time();
    let mut nominations = Vec::new();
    for name in ["Anyaman Pandan", "Anyaman Bambu"] {
        let change = draft("33.26", name);
        let mut tx = Tx::new();
        tx.create(&change.nomination).unwrap();
        tx.create(&change.audit).unwrap();
        store.commit(tx).await.unwrap();
        nominations.push(change.nomination);
    }
    let (a, b) = (&nominations[0], &nominations[1]);

    let photo_upload = start(
        &store,
        a,
        "D07",
        "tampak depan.jpg",
        "image/jpeg",
        Some(Multipart {
            upload_id: "multipart-1".into(),
            part_size: 8 * MB,
        }),
        t,
    )
    .await;
    let letter_upload = start(&store, a, "D01", "surat.pdf", "application/pdf", None, t).await;
    let photo = complete(&store, &photo_upload, t).await;
    let letter = complete(&store, &letter_upload, t).await;
    let other_upload = start(&store, b, "D01", "surat-b.pdf", "application/pdf", None, t).await;
    let other = complete(&store, &other_upload, t).await;

    // One document per type, read back whole.
    let read = store
        .get::<Document>(&(a.id.clone(), DocumentType::ProductPhotos))
        .await
        .unwrap();
    assert_eq!(read.as_ref(), Some(&photo));
    assert_eq!(
        photo.object_key,
        format!("nominations/{}/D07/{}", a.id, photo_upload.upload_id)
    );
    assert_eq!((photo.sha256.as_str(), photo.version), (SHA, 1));

    // The documents of a nomination, in checklist order; nothing else of its partition.
    let documents: Vec<Document> = all(&store, "document", &entities::documents_of(&a.id)).await;
    assert_eq!(documents, vec![letter.clone(), photo.clone()]);
    let of_b: Vec<Document> = all(&store, "document", &entities::documents_of(&b.id)).await;
    assert_eq!(of_b, vec![other]);
    let history: Vec<AuditEntry> = all(&store, "audit entry", &entities::audit_trail(&a.id)).await;
    assert_eq!(history.len(), 1, "the history lists only audit entries");

    // Pages of one.
    let first = store
        .list::<Document>("document", &entities::documents_of(&a.id), 1, None, |_| {
            true
        })
        .await
        .unwrap();
    assert_eq!(first.items, vec![letter.clone()]);
    let second = store
        .list::<Document>(
            "document",
            &entities::documents_of(&a.id),
            1,
            first.next,
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(second.items, vec![photo.clone()]);

    // The uploads of a nomination, in upload id order (ULIDs: creation order, except within one
    // millisecond, where the random part decides).
    let uploads: Vec<Upload> = all(&store, "upload", &entities::uploads_of(&a.id)).await;
    let ids: Vec<&str> = uploads.iter().map(|u| u.upload_id.as_str()).collect();
    let mut expected = [
        photo_upload.upload_id.as_str(),
        letter_upload.upload_id.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(uploads
        .iter()
        .all(|u| u.state == UploadState::Completed && u.version == 2));
    let multipart = uploads
        .iter()
        .find(|u| u.upload_id == photo_upload.upload_id)
        .expect("the photo's upload is listed");
    assert_eq!(
        multipart.multipart_upload_id.as_deref(),
        Some("multipart-1")
    );
    assert_eq!(multipart.part_size, Some(8 * MB));

    // A new upload of a type replaces the current document at its version; a second document
    // of the same type cannot be created beside it, nor a stale one written.
    let replacement_upload = start(
        &store,
        a,
        "D01",
        "surat revisi.pdf",
        "application/pdf",
        None,
        t,
    )
    .await;
    let replacement = complete(&store, &replacement_upload, t + Duration::hours(1)).await;
    assert_eq!(replacement.version, 2);
    let stored = store
        .get::<Document>(&(a.id.clone(), DocumentType::ProposalLetter))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.file_name, "surat revisi.pdf");
    let mut twin = Tx::new();
    twin.create(&letter).unwrap();
    assert!(store.commit(twin).await.is_err(), "one document per type");
    let mut stale = Tx::new();
    stale.update(&letter, 1).unwrap();
    assert!(store.commit(stale).await.is_err(), "a stale replacement");

    // The sample: its own item, versioned.
    let form = SampleShipmentForm {
        courier: "Pos Indonesia".into(),
        tracking_number: "P2603010001".into(),
        shipped_on: Some(t.date_naive()),
    };
    let sample = ProductSample::record_shipment(None, None, a, &form, &office("33.26"), t).unwrap();
    let mut tx = Tx::new();
    tx.create(&sample).unwrap();
    store.commit(tx).await.unwrap();
    assert_eq!(
        store.get::<ProductSample>(&a.id).await.unwrap(),
        Some(sample.clone())
    );
    assert_eq!(store.get::<ProductSample>(&b.id).await.unwrap(), None);
    let nomination = store.get::<Nomination>(&a.id).await.unwrap().unwrap();
    assert_eq!(
        nomination.version, 1,
        "documents and sample leave the nomination alone"
    );

    // What the submit endpoint builds from them.
    let documents: Vec<Document> = all(&store, "document", &entities::documents_of(&a.id)).await;
    let checklist = Checklist::build(
        &a.commodity_in(&CommodityCatalog::default()),
        &DocumentLimits::default(),
        &documents,
        Some(&sample),
    );
    let missing = checklist.missing();
    for there in [
        DocumentType::ProposalLetter,
        DocumentType::ProductPhotos,
        DocumentType::ProductSample,
    ] {
        assert!(!missing.contains(&there), "{there:?}");
    }
    let EntryState::Attached(file) = &checklist.entry(DocumentType::ProposalLetter).unwrap().state
    else {
        panic!("D01 attached");
    };
    assert_eq!(file.file_name, "surat revisi.pdf");

    // Uploads vanish once expired (7 days); documents stay.
    clock.set(t + Duration::days(8));
    let key = (a.id.clone(), photo_upload.upload_id.clone());
    assert_eq!(store.get::<Upload>(&key).await.unwrap(), None);
    assert!(
        all::<Upload>(&store, "upload", &entities::uploads_of(&a.id))
            .await
            .is_empty()
    );
    assert_eq!(
        all::<Document>(&store, "document", &entities::documents_of(&a.id))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn documents_uploads_and_the_sample_round_trip_on_the_embedded_store() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let (items, _dir) = embedded_store_with(clock.clone());
    documents_uploads_and_the_sample_round_trip(Store::new(Arc::new(items)), clock).await;
}

#[tokio::test]
async fn documents_uploads_and_the_sample_round_trip_on_dynamodb() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let items = dynamo_store_with(clock.clone()).await;
    documents_uploads_and_the_sample_round_trip(Store::new(Arc::new(items)), clock).await;
}

#[tokio::test]
async fn submit_needs_the_complete_bundle_once_the_round_requires_documents() {
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    let token = app.login("dinas-semarang").await;
    let created = app.create(&token, &form("33.74", "Anyaman Mendong")).await;
    assert_eq!(created.status(), 201);
    let n: Nomination = created.json().await.unwrap();

    let round = store.get::<Round>(&app.round_id()).await.unwrap().unwrap();
    assert!(
        round.documents_required,
        "the seeded round requires documents, as every new round by default"
    );

    let submit = || {
        app.post(&token, &format!("/api/v1/nominations/{}/submit", n.id))
            .header("Accept-Language", "en")
    };
    let refused = submit().send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let p = problem(refused).await;
    let message = &p.errors["documents"];
    assert!(
        message.starts_with("The document bundle is incomplete. Missing: D01 Proposal letter"),
        "{message}"
    );
    assert!(message.contains("D08 Product sample"), "{message}");
    assert!(
        !message.contains("D10"),
        "woven crafts need no halal certificate: {message}"
    );

    // Attach what an anyaman nomination needs and ship the sample.
    let at = app.clock.now();
    for code in DocumentType::ALL {
        if !code.is_uploaded()
            || code.need_for(&n.commodity_in(&CommodityCatalog::default()))
                != ovop_core::document::Need::Required
        {
            continue;
        }
        let media = code.accepts()[0].as_str();
        let upload = start(store, &n, code.code(), "berkas.pdf", media, None, at).await;
        complete(store, &upload, at).await;
    }
    let still = submit().send().await.unwrap();
    assert_eq!(still.status(), 422);
    let p = problem(still).await;
    assert_eq!(
        p.errors["documents"],
        "The document bundle is incomplete. Missing: D08 Product sample."
    );
    let sample = ProductSample::record_shipment(
        None,
        None,
        &n,
        &SampleShipmentForm {
            courier: "JNE".into(),
            tracking_number: "CGK0001".into(),
            shipped_on: Some(at.date_naive()),
        },
        &office("33.74"),
        at,
    )
    .unwrap();
    let mut tx = Tx::new();
    tx.create(&sample).unwrap();
    store.commit(tx).await.unwrap();

    let accepted = submit().send().await.unwrap();
    assert_eq!(accepted.status(), 200);
    let sent: Nomination = accepted.json().await.unwrap();
    assert_eq!(sent.status, NominationStatus::Submitted);
}
