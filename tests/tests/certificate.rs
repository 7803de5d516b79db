//! The certificate (piagam) of an award, checked with the tools a reader would use: poppler's
//! `pdftotext` reads its words, `pdffonts` lists its fonts, and the page rasterised by
//! `pdftoppm` is scanned by zbar's `zbarimg`, which must read exactly the award's public address.
//! `scripts/setup.sh test` installs poppler-utils and zbar-tools.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use ovop_awards::certificate::render;
use ovop_core::award::Award;
use ovop_core::region::{ProvinceCode, RegencyCode};
use ovop_core::stars::{Score, StarScale, Stars};
use tempfile::TempDir;

const URL: &str = "https://ovop.kemenperin.go.id/galeri/penghargaan/01JD3Q8Z5V6X7Y8Z9A0B1C2D3E/";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Three stars of three for a batik IKM of Kab. Pekalongan, decreed on 20 November 2026.
fn award() -> Award {
    Award {
        id: "01JD3Q8Z5V6X7Y8Z9A0B1C2D3E".into(),
        round_id: "ovop-2026".into(),
        year: 2026,
        ikm_name: "Batik Tulis Pesisir Wiradesa".into(),
        product_name: "Batik tulis motif jlamprang".into(),
        product_story: "Dibatik tangan dengan malam dan pewarna alam.".into(),
        commodity: "kain_batik".into(),
        regency_code: RegencyCode::parse("33.26").unwrap(),
        province_code: ProvinceCode::parse("33").unwrap(),
        stars: Stars::new(StarScale::Ovop2021, 3).unwrap(),
        final_score: Score::try_from(93.5).unwrap(),
        decree_number: "1234/M-IND/Kep/11/2026".into(),
        decree_date: date(2026, 11, 20),
        valid_from: date(2026, 11, 20),
        valid_until: date(2028, 11, 20),
        certificate_number: "OVOP/2026/0007".into(),
        photo_key: None,
        revocation: None,
        version: 1,
    }
}

/// The certificate of `award`, written into a fresh folder.
struct Certificate {
    dir: TempDir,
    pdf: PathBuf,
}

impl Certificate {
    fn of(award: &Award) -> Certificate {
        let bytes = render(award, URL).expect("the certificate renders");
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("piagam.pdf");
        std::fs::write(&pdf, bytes).unwrap();
        Certificate { dir, pdf }
    }

    /// What `pdftotext` reads, with runs of white space as one space.
    fn text(&self) -> String {
        let out = run("pdftotext", &[self.pdf.to_str().unwrap(), "-"]);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Runs a tool and returns its standard output; fails the test, saying how, if it fails.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} cannot be run ({e}): `scripts/setup.sh test` installs poppler-utils and zbar-tools")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the tool prints UTF-8")
}

fn png_in(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("pdftoppm wrote a PNG")
}

#[test]
fn the_certificate_says_who_is_awarded_what_under_which_decree() {
    let text = Certificate::of(&award()).text();
    for expected in [
        "Kementerian Perindustrian Republik Indonesia",
        "PIAGAM PENGHARGAAN",
        "One Village One Product (OVOP) Tahun 2026",
        "diberikan kepada",
        "Batik Tulis Pesisir Wiradesa",
        "atas produk unggulan Batik tulis motif jlamprang",
        "Kelompok komoditas Kain batik",
        "Kabupaten Pekalongan, Provinsi Jawa Tengah",
        "Bintang 3 dari 3",
        "Keputusan Menteri Perindustrian Nomor 1234/M-IND/Kep/11/2026, tanggal 20 November 2026",
        "Berlaku sejak 20 November 2026 sampai dengan 20 November 2028",
        "Nomor piagam: OVOP/2026/0007",
        &format!("Periksa keaslian: {URL}"),
    ] {
        assert!(text.contains(expected), "{expected:?} is not in {text:?}");
    }
}

#[test]
fn names_with_indonesian_punctuation_and_accents_extract_intact() {
    let award = Award {
        ikm_name: "Tenun Ikat Ibu Siti — Sumba".into(),
        product_name: "Selendang ‘Mamuli’ – pewarna mengkudu & nila, édisi pertama".into(),
        commodity: "kain_tenun".into(),
        regency_code: RegencyCode::parse("53.11").unwrap(),
        province_code: ProvinceCode::parse("53").unwrap(),
        ..award()
    };
    let text = Certificate::of(&award).text();
    for expected in [
        "Tenun Ikat Ibu Siti — Sumba",
        "Selendang ‘Mamuli’ – pewarna mengkudu & nila, édisi pertama",
        "Kabupaten Sumba Timur, Provinsi Nusa Tenggara Timur",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in {text:?}");
    }
}

#[test]
fn a_long_name_wraps_and_every_word_is_still_there() {
    let name = "Koperasi Produsen Kerajinan Anyaman Pandan dan Mendong Perempuan Mandiri \
                Sejahtera Desa Tanjung Harapan Kecamatan Sukamaju";
    let award = Award {
        ikm_name: name.into(),
        ..award()
    };
    let text = Certificate::of(&award).text();
    assert!(text.contains(name), "{name:?} is not in {text:?}");
    assert!(text.contains("Nomor piagam: OVOP/2026/0007"), "{text:?}");
}

#[test]
fn an_award_on_the_old_scale_says_four_stars_of_five() {
    let award = Award {
        year: 2017,
        stars: Stars::new(StarScale::Ovop2013, 4).unwrap(),
        ..award()
    };
    let text = Certificate::of(&award).text();
    assert!(text.contains("Bintang 4 dari 5"), "{text:?}");
    assert!(!text.contains("dari 3"), "{text:?}");
}

#[test]
fn the_certificate_qr_code_opens_the_award_page() {
    let certificate = Certificate::of(&award());
    let prefix = certificate.dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            certificate.pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = png_in(certificate.dir.path());
    let decoded = run("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    assert_eq!(decoded.trim_end_matches('\n'), URL);
}

#[test]
fn the_fonts_are_embedded_and_subset() {
    let certificate = Certificate::of(&award());
    let listing = run("pdffonts", &[certificate.pdf.to_str().unwrap()]);
    // name  type  encoding  emb sub uni  object ID: two header lines, then one line per font.
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(fonts.len(), 2, "regular and bold: {listing}");
    for font in &fonts {
        let [.., emb, sub, uni, _, _] = font[..] else {
            panic!("unexpected pdffonts line: {font:?}")
        };
        assert_eq!(
            (emb, sub, uni),
            ("yes", "yes", "yes"),
            "embedded, subset, with a Unicode map: {listing}"
        );
        assert!(
            font[0].contains("+LiberationSans"),
            "a subset's name has a tag: {listing}"
        );
    }
}
