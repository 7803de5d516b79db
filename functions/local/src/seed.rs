//! Demo data: an open round and a few nominations, written through the same ports. The round
//! requires documents, so each submitted demo nomination gets a complete bundle first: a small
//! valid file in the object store for every required document, its thumbnail for the photos,
//! and the sample's shipment.

use std::io::Cursor;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use ovop_core::document::{
    declare, Document, DocumentKind, DocumentType, MediaType, Need, ProductSample,
    SampleShipmentForm, Upload,
};
use ovop_core::nomination::{
    IkmForm, Nomination, NominationError, NominationForm, ProductForm, SentraForm,
};
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::round::{Round, RoundForm};
use ovop_intake::AppState;
use ovop_platform::nominations::bundle_of;
use ovop_platform::objects::ObjectStore;
use ovop_platform::store::{StoreError, Tx};
use ovop_uploads::inspect;
use ovop_uploads::uploads::thumbnail_key_for;

/// The demo round's id for the current year.
pub fn demo_round_id(state: &AppState) -> String {
    Round::id_for(state.clock.now().year())
}

/// A complete form for a demo IKM.
pub fn demo_form(
    round_id: &str,
    regency: &str,
    name: &str,
    commodity: &str,
    nib: &str,
) -> NominationForm {
    NominationForm {
        round_id: round_id.into(),
        regency_code: regency.into(),
        ikm: IkmForm {
            name: name.into(),
            nib: nib.into(),
            owner_name: "Siti Aminah".into(),
            address: "Jl. Sentra IKM No. 1".into(),
            year_founded: Some(2010),
            workers: Some(15),
            investment_idr: Some(450_000_000),
        },
        sentra: SentraForm {
            name: format!("Sentra {name}"),
            unit_count: Some(25),
            sk_number: "188.4/123/2020".into(),
        },
        product: ProductForm {
            name: format!("Produk unggulan {name}"),
            commodity: commodity.into(),
            description: "Dibuat dengan teknik turun-temurun dari bahan baku lokal.".into(),
            local_material_pct: Some(85),
        },
    }
}

/// Seeds an open round for this year (deadline 60 days ahead, 23:59:59 WIB, documents
/// required) and three demo nominations, two of them submitted with their complete bundle
/// (files in `objects`), when the store has no round yet. Written through the same use cases
/// and store as the API's.
pub async fn demo(state: &AppState, objects: &dyn ObjectStore) -> Result<(), StoreError> {
    let now = state.clock.now();
    let id = demo_round_id(state);
    if state.store.get::<Round>(&id).await?.is_some() {
        return Ok(());
    }
    let day = (now + Duration::days(60)).date_naive();
    let deadline = Utc
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 16, 59, 59)
        .single()
        .unwrap_or(now + Duration::days(60));
    let round = RoundForm {
        year: Some(now.year()),
        name: format!("OVOP {}", now.year()),
        proposal_deadline: Some(deadline),
        documents_required: None,
    }
    .validate(now)
    .map_err(|e| StoreError::backend("seed round", format!("{e:?}")))?
    .open(None, now)
    .map_err(|e| StoreError::backend("seed round", e))?;
    let mut tx = Tx::new();
    tx.create(&round)?;
    state.store.commit(tx).await?;

    let demos = [
        (
            "33.26",
            "Batik Pesisir Wiradesa",
            "kain_batik",
            "9120001234567",
            true,
        ),
        (
            "33.26",
            "Tenun Goyor Sejahtera",
            "kain_tenun",
            "9120001234568",
            false,
        ),
        (
            "35.15",
            "Kerupuk Udang Sidoarjo Jaya",
            "makanan_minuman",
            "9120001234569",
            true,
        ),
    ];
    for (regency, name, commodity, nib, submitted) in demos {
        let form = demo_form(&id, regency, name, commodity, nib);
        let valid = form
            .validate(&state.commodities, now.year())
            .map_err(|e| StoreError::backend("seed nomination", format!("{e:?}")))?;
        let office = Principal {
            user_id: "seed".into(),
            name: "Demo".into(),
            role: Role::Pengusul,
            region: Some(RegionScope::Regency(valid.regency.clone())),
        };
        let refused = |e: NominationError| StoreError::backend("seed nomination", e);
        let created = Nomination::create(ovop_platform::ids::new_id(), valid, &round, &office, now)
            .map_err(refused)?;
        let mut tx = Tx::new();
        tx.create(&created.nomination)?;
        tx.create(&created.audit)?;
        state.store.commit(tx).await?;
        if submitted {
            let n = &created.nomination;
            attach_complete_bundle(state, objects, n, &round, &office, now).await?;
            let (bundle, _) = bundle_of(&state.store, &state.commodities, n, &round)
                .await
                .map_err(|e| StoreError::backend("seed bundle", e))?;
            let before = n.version;
            let sent = n
                .submit_with_bundle(None, &round, &bundle, &office, now)
                .map_err(refused)?;
            let mut tx = Tx::new();
            tx.update(&sent.nomination, before)?;
            tx.create(&sent.audit)?;
            state.store.commit(tx).await?;
        }
    }
    tracing::info!(round = %id, "seeded demo round and nominations");
    Ok(())
}

/// The winners of the demo's determined round: (regency, IKM, product, commodity, stars, story).
const DEMO_WINNERS: [(&str, &str, &str, &str, u8, &str); 10] = [
    ("33.17", "Batik Tulis Lasem Sekar Kencana", "Batik tulis tiga negeri", "kain_batik", 3,
     "Motif pesisir Lasem dengan pewarna merah darah ayam, dibatik tangan oleh perajin sentra Babagan."),
    ("53.11", "Tenun Ikat Paluanda Lama Hamu", "Kain tenun ikat hinggi", "kain_tenun", 3,
     "Ditenun dengan benang pintal tangan dan pewarna akar mengkudu, motif kuda dan mamuli khas Sumba Timur."),
    ("11.17", "Kopi Gayo Bener Meriah Mandiri", "Kopi arabika gayo sangrai", "makanan_minuman", 2,
     "Biji arabika dataran tinggi Gayo, dipetik merah dan disangrai sedang oleh koperasi petani."),
    ("32.06", "Anyaman Mendong Rajapolah", "Tas anyaman mendong", "anyaman", 2,
     "Mendong dari sawah Tasikmalaya dianyam menjadi tas dan tikar oleh lebih dari 40 perajin."),
    ("34.02", "Gerabah Kasongan Timbul Jaya", "Gerabah hias teracota", "gerabah", 2,
     "Tanah liat Kasongan dibentuk dengan putaran kaki dan dibakar tungku tradisional."),
    ("51.04", "Tenun Endek Gianyar Sari Warna", "Kain endek Bali", "kain_tenun", 1,
     "Tenun ikat pakan dengan motif patra dan wayang, dipakai untuk upacara dan busana kerja."),
    ("73.71", "Kue Tradisional Makassar Bunga Rampai", "Kue bagea sagu", "makanan_minuman", 1,
     "Kue kering sagu dan kenari dengan resep keluarga sejak 1975."),
    ("35.25", "Kerupuk Ikan Gresik Bahari", "Kerupuk ikan tenggiri", "makanan_minuman", 1,
     "Ikan tenggiri segar dari nelayan Gresik diolah tanpa pengawet."),
    ("64.72", "Sarung Samarinda Tenun Bugis", "Sarung tenun Samarinda", "kain_tenun", 2,
     "Ditenun dengan alat tenun bukan mesin, motif kotak-kotak khas Samarinda Seberang."),
    ("12.71", "Bolu Meranti Medan Citra Rasa", "Bolu gulung meranti", "makanan_minuman", 1,
     "Bolu gulung lembut dengan selai srikaya dan keju, oleh-oleh khas Medan."),
];

/// The demo's determined round: two years back, its decree and ten awards across ten
/// provinces, each with a product photo's thumbnail in `objects`, so that the gallery has
/// winners to show once published. Written once (when the round has no determination).
pub async fn demo_awards(state: &AppState, objects: &dyn ObjectStore) -> Result<(), StoreError> {
    use ovop_core::award::{Award, DecreeForm, Determination};
    use ovop_core::region::RegencyCode;
    use ovop_core::stars::{Score, StarScale, Stars};

    let now = state.clock.now();
    let year = now.year() - 2;
    let id = Round::id_for(year);
    if state.store.get::<Determination>(&id).await?.is_some() {
        return Ok(());
    }
    let then = Utc
        .with_ymd_and_hms(year, 3, 1, 2, 0, 0)
        .single()
        .unwrap_or(now);
    let round = RoundForm {
        year: Some(year),
        name: format!("OVOP {year}"),
        proposal_deadline: Some(then + Duration::days(60)),
        documents_required: None,
    }
    .validate(then)
    .map_err(|e| StoreError::backend("seed past round", format!("{e:?}")))?;
    let decree_date = chrono::NaiveDate::from_ymd_opt(year, 11, 20).unwrap_or(then.date_naive());
    let decree = DecreeForm {
        number: format!("{}/M-IND/Kep/11/{year}", 400 + year % 100),
        date: Some(decree_date),
        signer: "Menteri Perindustrian".into(),
        valid_until: None,
    }
    .validate(decree_date)
    .map_err(|e| StoreError::backend("seed decree", format!("{e:?}")))?;
    let determined_at = then + Duration::days(270);
    let round = round
        .determined(determined_at)
        .map_err(|e| StoreError::backend("seed past round", e))?;
    let photo = demo_photo()?;
    let thumbnail = inspect::thumbnail(&photo, MediaType::Jpeg)
        .map_err(|e| StoreError::backend("seed thumbnail", e.0))?;
    let decree_document = format!("decrees/{id}/demo.pdf");
    let pdf = demo_pdf(&[format!(
        "Keputusan Menteri Perindustrian Nomor {}",
        decree.number
    )]);
    objects
        .put(&decree_document, pdf.into(), MediaType::Pdf.as_str())
        .await
        .map_err(|e| StoreError::backend("seed decree", e))?;
    let mut tx = Tx::new();
    tx.create(&round)?;
    for (i, (regency, ikm, product, commodity, stars, story)) in DEMO_WINNERS.iter().enumerate() {
        let regency_code = RegencyCode::parse(regency).map_err(failed("seed award"))?;
        let award_id = ovop_platform::ids::new_id();
        let photo_key = Document::thumbnail_key_for(
            &award_id,
            DocumentType::ProductPhotos,
            &ovop_platform::ids::new_id(),
        );
        objects
            .put(&photo_key, thumbnail.clone().into(), "image/jpeg")
            .await
            .map_err(|e| StoreError::backend("seed award photo", e))?;
        let score = 70.0 + f64::from(*stars) * 9.5;
        tx.create(&Award {
            id: award_id,
            round_id: id.clone(),
            year,
            ikm_name: (*ikm).into(),
            product_name: (*product).into(),
            product_story: (*story).into(),
            commodity: (*commodity).into(),
            province_code: regency_code.province(),
            regency_code,
            stars: Stars::new(StarScale::Ovop2021, *stars)
                .ok_or_else(|| StoreError::backend("seed award", "stars"))?,
            final_score: Score::try_from(score).map_err(failed("seed award"))?,
            decree_number: decree.number.clone(),
            decree_date: decree.date,
            valid_from: decree.date,
            valid_until: decree.valid_until,
            certificate_number: format!("OVOP/{year}/{:04}", i + 1),
            photo_key: Some(photo_key),
            revocation: None,
            version: 1,
        })?;
    }
    tx.create(&Determination {
        round_id: id.clone(),
        decree,
        decree_document,
        awards: DEMO_WINNERS.len() as u32,
        determined_by: "seed".into(),
        determined_at,
    })?;
    state.store.commit(tx).await?;
    tracing::info!(round = %id, awards = DEMO_WINNERS.len(), "seeded a determined demo round");
    Ok(())
}

/// Gives `n` what a regency office uploads and records before submitting, through the same
/// rules as the uploads function: for every uploaded document its commodity requires, a small
/// valid file (a one-page PDF, or a JPEG photo with its EXIF-free thumbnail) at the key the
/// server makes, checked (magic bytes, SHA-256) as a completed upload is and attached as its
/// [`ovop_core::document::Document`]; and the sample's shipment (D08).
async fn attach_complete_bundle(
    state: &AppState,
    objects: &dyn ObjectStore,
    n: &Nomination,
    round: &Round,
    office: &Principal,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let commodity = n.commodity_in(&state.commodities);
    let mut tx = Tx::new();
    for code in DocumentType::ALL {
        if !code.is_uploaded() || code.need_for(&commodity) != Need::Required {
            continue;
        }
        let (media, bytes) = demo_file(code, &n.profile.ikm.name)?;
        let extension = if media == MediaType::Pdf {
            "pdf"
        } else {
            "jpg"
        };
        let file_name = format!(
            "{} {}.{extension}",
            code.code(),
            code.label().id.replace('/', "-")
        );
        let declared = declare(
            code.code(),
            &file_name,
            media.as_str(),
            bytes.len() as u64,
            &commodity,
            &round.document_limits,
        )
        .map_err(failed("seed document"))?;
        let upload = Upload::start(
            ovop_platform::ids::new_id(),
            &n.id,
            declared,
            None,
            office,
            now,
        );
        let key = &upload.object_key;
        objects
            .put(key, bytes.clone().into(), media.as_str())
            .await
            .map_err(|e| StoreError::backend("seed document", e))?;
        // What the uploads function checks before it attaches a file.
        let prefix = objects
            .read_prefix(key, inspect::SNIFF_BYTES)
            .await
            .map_err(|e| StoreError::backend("seed document", e))?;
        let opened = objects
            .open(key)
            .await
            .map_err(|e| StoreError::backend("seed document", e))?;
        let (sha256, read) = inspect::sha256(opened)
            .await
            .map_err(|e| StoreError::backend("seed document", e))?;
        if inspect::sniff(&prefix) != Some(media) || read != upload.size {
            return Err(StoreError::backend(
                "seed document",
                format!("{key} does not read back as the {} sent", media.label()),
            ));
        }
        if code.kind() == DocumentKind::Photo {
            let thumb = inspect::thumbnail(&bytes, media)
                .map_err(|e| StoreError::backend("seed thumbnail", e.0))?;
            objects
                .put(
                    &thumbnail_key_for(&n.id, code, &upload.upload_id),
                    thumb.into(),
                    "image/jpeg",
                )
                .await
                .map_err(|e| StoreError::backend("seed thumbnail", e))?;
        }
        let (_, document) = upload
            .complete(&sha256, None, office, now)
            .map_err(failed("seed document"))?;
        tx.create(&document)?;
    }
    let shipment = SampleShipmentForm {
        courier: "JNE".into(),
        tracking_number: format!("OVOP{}", &n.id[n.id.len().saturating_sub(10)..]),
        shipped_on: Some(now.date_naive()),
    };
    let sample = ProductSample::record_shipment(None, None, n, &shipment, office, now)
        .map_err(failed("seed sample"))?;
    tx.create(&sample)?;
    state.store.commit(tx).await
}

/// A refusal of a use case while seeding, as a store error saying `what` failed.
fn failed<E: std::fmt::Debug>(what: &'static str) -> impl FnOnce(E) -> StoreError {
    move |e| StoreError::backend(what, format!("{e:?}"))
}

/// A small valid file for the document `code` of the IKM `ikm`: a JPEG photo for photos, a
/// one-page PDF otherwise (every other uploaded type accepts PDF).
fn demo_file(code: DocumentType, ikm: &str) -> Result<(MediaType, Vec<u8>), StoreError> {
    if code.accepts().contains(&MediaType::Pdf) {
        let title = code.title();
        let lines = [
            title.id,
            title.en,
            format!("IKM: {ikm}"),
            "Berkas contoh data demo OVOP / OVOP demo data sample file".to_owned(),
        ];
        Ok((MediaType::Pdf, demo_pdf(&lines)))
    } else if code.accepts().contains(&MediaType::Jpeg) {
        Ok((MediaType::Jpeg, demo_photo()?))
    } else {
        Err(StoreError::backend(
            "seed document",
            format!("no demo file for {}", code.code()),
        ))
    }
}

/// A one-page A4 PDF showing `lines` (printable ASCII; anything else becomes `?`), with a
/// correct cross-reference table.
pub fn demo_pdf(lines: &[String]) -> Vec<u8> {
    let escape = |line: &str| -> String {
        line.chars()
            .map(|c| match c {
                '\\' | '(' | ')' => format!("\\{c}"),
                ' '..='~' => c.to_string(),
                _ => "?".to_owned(),
            })
            .collect()
    };
    let mut content = String::from("BT /F1 14 Tf 72 770 Td 18 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", escape(line)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// A small JPEG photo (320×240, a warm gradient, no metadata).
pub fn demo_photo() -> Result<Vec<u8>, StoreError> {
    let picture = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([
            (120 + x / 4) as u8,
            (60 + y / 2) as u8,
            (40 + (x + y) / 8) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .map_err(|e| StoreError::backend("seed photo", e))?;
    Ok(jpeg)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ovop_core::document::{Document, MB};
    use ovop_core::dto::NominationSummary;
    use ovop_core::status::NominationStatus;
    use ovop_platform::clock::SystemClock;
    use ovop_platform::nominations::documents_of;
    use ovop_platform::store::entities;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::{Identity, LocalConfig, StoreChoice};

    fn sha256(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[tokio::test]
    async fn submitted_demo_nominations_carry_a_complete_bundle_whose_files_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let config = LocalConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            store: StoreChoice::Embedded(dir.path().to_owned()),
            data_dir: dir.path().to_owned(),
            spa_dir: None,
            public_origin: None,
            access_token_secs: 3600,
            seed: true,
            identity: Identity::Refused,
        };
        let app = crate::build(&config, Arc::new(SystemClock)).await.unwrap();
        let (state, objects) = (&app.state, app.objects.as_ref());
        let round = state
            .store
            .get::<Round>(&demo_round_id(state))
            .await
            .unwrap()
            .unwrap();
        assert!(
            round.documents_required,
            "the demo round requires documents"
        );
        let listing = entities::nominations_of_round(&round.id, None);
        let listed: Vec<NominationSummary> =
            state.store.list_all("nomination", &listing).await.unwrap();
        assert_eq!(listed.len(), 3);
        let mut submitted = Vec::new();
        for summary in &listed {
            let n = state
                .store
                .get::<Nomination>(&summary.id)
                .await
                .unwrap()
                .unwrap();
            let (bundle, sample) = bundle_of(&state.store, &state.commodities, &n, &round)
                .await
                .unwrap();
            if n.status == NominationStatus::Draft {
                assert!(
                    !bundle.is_complete() && sample.is_none(),
                    "the draft is empty"
                );
                continue;
            }
            assert_eq!(n.status, NominationStatus::Submitted);
            submitted.push(n.profile.product.commodity.clone());
            assert!(bundle.is_complete(), "missing {:?}", bundle.missing());
            assert!(sample.is_some_and(|s| s.is_shipped()));
            let documents: Vec<Document> = documents_of(&state.store, &n.id).await.unwrap();
            let food = n.profile.product.commodity == "makanan_minuman";
            assert_eq!(documents.len(), if food { 11 } else { 8 });
            for d in documents {
                assert_eq!(
                    d.object_key,
                    Document::object_key_for(&n.id, d.code, &d.upload_id)
                );
                let stored = objects.read(&d.object_key, MB).await.unwrap();
                assert_eq!(stored.len() as u64, d.size);
                assert_eq!(sha256(&stored), d.sha256, "{:?}", d.code);
                assert_eq!(inspect::sniff(&stored), Some(d.media_type));
                let thumbnail = thumbnail_key_for(&n.id, d.code, &d.upload_id);
                if d.code == DocumentType::ProductPhotos {
                    let thumb = objects.read(&thumbnail, MB).await.unwrap();
                    let small = image::load_from_memory(&thumb).unwrap();
                    assert_eq!((small.width(), small.height()), (320, 240));
                    assert!(!thumb.windows(4).any(|w| w == b"Exif"));
                } else {
                    assert!(objects.head(&thumbnail).await.is_err(), "{:?}", d.code);
                }
            }
        }
        submitted.sort();
        assert_eq!(submitted, ["kain_batik", "makanan_minuman"]);

        // Seeding again changes nothing.
        demo(state, objects).await.unwrap();
        let again: Vec<NominationSummary> =
            state.store.list_all("nomination", &listing).await.unwrap();
        assert_eq!(again.len(), 3);
    }

    #[test]
    fn the_demo_pdf_has_a_correct_cross_reference_table() {
        let pdf = demo_pdf(&["D01 (surat) \\ usulan".into(), "Pekalongan é".into()]);
        assert_eq!(inspect::sniff(&pdf), Some(MediaType::Pdf));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.ends_with("%%EOF\n"));
        assert!(text.contains("(D01 \\(surat\\) \\\\ usulan) Tj"));
        assert!(text.contains("(Pekalongan ?) Tj"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|tail| tail.lines().next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 6\n"));
        // (`text` is longer than `pdf`: the binary comment's bytes are replaced in it.)
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        for (i, line) in table.lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert_eq!(line.len(), 19, "{line:?}: 20 bytes with the newline");
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
        let stream = text.split_once(">>\nstream\n").unwrap().1;
        let length: usize = text
            .split("/Length ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(stream[length..].starts_with("endstream"));
    }
}
