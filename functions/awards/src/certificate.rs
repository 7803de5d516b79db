//! The certificate (piagam) of an award as a PDF: one A4 landscape page in Indonesian — the IKM,
//! its product, commodity and region, the stars on the award's scale, the decree, the validity,
//! the certificate's number — and a QR code that opens the award's public page, where anyone can
//! check that the certificate is genuine.
//!
//! Text is real text in Liberation Sans, shipped in `fonts/` (SIL OFL 1.1, `fonts/OFL.txt`) and
//! compiled in, so the Lambda needs no system fonts; krilla embeds only the glyphs used (a
//! subset) with their Unicode mapping, so the words can be copied, searched and read aloud.
//! Lines are laid out here, one glyph per character from the font's own character map and
//! advances: the certificate's Latin text needs no shaping engine, and laying it out ourselves is
//! what lets a line be centred (krilla's `simple-text` feature draws text but cannot measure it).
//! The stars and the QR code are vector shapes: crisp at any zoom and in print.

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use ovop_core::award::Award;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::i18n::tanggal;
use ovop_core::region;
use qrcode::{Color, EcLevel, QrCode};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// A certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The compiled-in font is unreadable: a build problem, not the award's.
    #[error("the certificate's font {font} cannot be read")]
    Font { font: &'static str },
    /// A name uses a character the font does not have (an emoji, a script other than Latin,
    /// Greek or Cyrillic): printing a blank box on an official certificate would be worse.
    #[error("the certificate's font has no glyph for {ch:?} (U+{code:04X}) in {line:?}", code = u32::from(*ch))]
    MissingGlyph { ch: char, line: String },
    /// The verification address does not fit in a QR code.
    #[error("the QR code for {url:?} could not be made")]
    Qr {
        url: String,
        #[source]
        source: qrcode::types::QrError,
    },
    /// krilla refused to write the document.
    #[error("the certificate's PDF could not be written")]
    Pdf(#[source] krilla::error::KrillaError),
}

/// The certificate of `award` as PDF bytes; its QR code links to `verify_url`.
pub fn render(award: &Award, verify_url: &str) -> Result<Vec<u8>, CertificateError> {
    let regular = Face::load("LiberationSans-Regular", REGULAR)?;
    let bold = Face::load("LiberationSans-Bold", BOLD)?;
    let qr = QrCode::with_error_correction_level(verify_url.as_bytes(), EcLevel::M).map_err(
        |source| CertificateError::Qr {
            url: verify_url.to_owned(),
            source,
        },
    )?;

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "Piagam Penghargaan OVOP {} — {}",
                award.year, award.ikm_name
            ))
            .language("id".into())
            .authors(vec![MINISTRY.into()])
            .creator("OVOP — Kementerian Perindustrian".into()),
    );
    let settings = PageSettings::from_wh(WIDTH, HEIGHT).expect("A4 is a valid page size");
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    draw_frame(&mut surface);
    let qr_box = draw_qr(&mut surface, &qr);
    let mut pen = Pen {
        surface: &mut surface,
        regular: &regular,
        bold: &bold,
    };
    draw_body(&mut pen, award)?;
    draw_decree(&mut pen, award)?;
    let caption = format!("Periksa keaslian: {verify_url}");
    let size = regular.fit_one_line(&caption, 7.5, 5.0, qr_box.right() - INNER - 16.0)?;
    let at = (qr_box.right(), qr_box.bottom() + 13.0);
    pen.line(&regular, size, INK, at, Align::Right, &caption)?;
    surface.finish();
    page.add_annotation(Annotation::new_link(
        LinkAnnotation::new(
            qr_box,
            Target::Action(LinkAction::new(verify_url.to_owned()).into()),
        ),
        Some("Periksa keaslian piagam".into()),
    ));
    page.finish();
    document.finish().map_err(CertificateError::Pdf)
}

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

const MINISTRY: &str = "Kementerian Perindustrian Republik Indonesia";
const DIRECTORATE: &str = "Direktorat Jenderal Industri Kecil, Menengah, dan Aneka";

/// A4 landscape, in points; y grows downwards.
const WIDTH: f32 = 841.89;
const HEIGHT: f32 = 595.28;
const CENTER_X: f32 = WIDTH / 2.0;
/// The inner frame's inset from the page's edge.
const INNER: f32 = 30.0;
/// How wide the body's centred lines may be.
const BODY_WIDTH: f32 = 620.0;
/// How wide the decree's centred lines may be: clear of the QR code in the bottom right corner.
const FOOT_WIDTH: f32 = 2.0 * (QR_LEFT - 16.0 - CENTER_X);
/// Line spacing, in sizes.
const LEADING: f32 = 1.2;
/// The QR code's side, quiet zone included, and its place in the bottom right corner.
const QR_SIDE: f32 = 104.0;
const QR_LEFT: f32 = WIDTH - INNER - 16.0 - QR_SIDE;
const QR_TOP: f32 = HEIGHT - INNER - 26.0 - QR_SIDE;
/// The quiet zone around a QR code, in modules (ISO/IEC 18004).
const QR_QUIET: usize = 4;

/// A colour: red, green, blue.
type Rgb = [u8; 3];
const NAVY: Rgb = [0x1b, 0x33, 0x5e];
const GOLD: Rgb = [0xb8, 0x86, 0x0b];
const INK: Rgb = [0x22, 0x22, 0x22];
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [0xff, 0xff, 0xff];

/// The title, the IKM and what it is awarded for, and the stars: centred lines from the top
/// down. A long name or product wraps and shrinks into a box of its own, so that the stars stay
/// above the decree however long they are.
fn draw_body(pen: &mut Pen<'_, '_>, award: &Award) -> Result<(), CertificateError> {
    let (regular, bold) = (pen.regular, pen.bold);
    let commodity = CommodityCatalog::default()
        .get(&award.commodity)
        .map_or_else(|| award.commodity.clone(), |c| c.name_id.clone());
    let regency = region::regency(award.regency_code.as_str())
        .map_or(award.regency_code.as_str(), |r| r.name.as_str());
    let province = region::province(award.province_code.as_str())
        .map_or(award.province_code.as_str(), |p| p.name.as_str());
    let stars = award.stars;
    let max = stars.scale.max_stars();

    pen.centred(bold, 15.0, NAVY, 74.0, MINISTRY)?;
    pen.centred(regular, 10.5, INK, 90.0, DIRECTORATE)?;
    rule(pen.surface, 102.0, 140.0);
    pen.centred(bold, 38.0, NAVY, 142.0, "PIAGAM PENGHARGAAN")?;
    let title = format!("One Village One Product (OVOP) Tahun {}", award.year);
    pen.centred(regular, 16.0, INK, 166.0, &title)?;
    pen.centred(regular, 13.0, INK, 198.0, "diberikan kepada")?;
    // Up to two lines of 28 pt; a longer name gets smaller until it fits the same height.
    let y = pen.block(bold, (28.0, 10.0), 62.0, NAVY, 234.0, &award.ikm_name)?;
    let product = format!("atas produk unggulan {}", award.product_name);
    let y = pen.block(regular, (15.0, 8.0), 33.0, INK, y + 26.0, &product)?;
    let y = pen.centred(
        regular,
        13.0,
        INK,
        y + 19.0,
        &format!("Kelompok komoditas {commodity}"),
    )?;
    let y = pen.centred(
        regular,
        13.0,
        INK,
        y + 18.0,
        &format!("{regency}, Provinsi {province}"),
    )?;
    draw_stars(pen.surface, y + 32.0, stars.stars, max);
    let level = format!("Bintang {} dari {max}", stars.stars);
    pen.centred(bold, 15.0, NAVY, y + 70.0, &level)?;
    Ok(())
}

/// The decree, the validity and the certificate's number: centred lines from a fixed line,
/// between the bottom left corner and the QR code.
fn draw_decree(pen: &mut Pen<'_, '_>, award: &Award) -> Result<(), CertificateError> {
    let (regular, bold) = (pen.regular, pen.bold);
    let decree = format!(
        "Keputusan Menteri Perindustrian Nomor {}, tanggal {}",
        award.decree_number,
        tanggal(award.decree_date)
    );
    let validity = format!(
        "Berlaku sejak {} sampai dengan {}",
        tanggal(award.valid_from),
        tanggal(award.valid_until)
    );
    let number = format!("Nomor piagam: {}", award.certificate_number);
    let y = pen.block_within(regular, (10.5, 7.0), 24.0, INK, 466.0, &decree, FOOT_WIDTH)?;
    let y = pen.line_within(regular, 10.5, INK, y + 16.0, &validity, FOOT_WIDTH)?;
    pen.line_within(bold, 10.5, INK, y + 16.0, &number, FOOT_WIDTH)?;
    Ok(())
}

/// A double frame: a heavy navy line and a thin gold one inside it.
fn draw_frame(surface: &mut Surface<'_>) {
    stroke_rect(surface, INNER - 9.0, 3.0, NAVY);
    stroke_rect(surface, INNER, 0.8, GOLD);
}

fn stroke_rect(surface: &mut Surface<'_>, inset: f32, width: f32, color: Rgb) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_ltrb(inset, inset, WIDTH - inset, HEIGHT - inset) {
        pb.push_rect(rect);
    }
    draw_stroked(surface, pb, width, color);
}

/// A short gold rule centred at `y`.
fn rule(surface: &mut Surface<'_>, y: f32, half: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(CENTER_X - half, y);
    pb.line_to(CENTER_X + half, y);
    draw_stroked(surface, pb, 1.2, GOLD);
}

fn draw_stroked(surface: &mut Surface<'_>, pb: PathBuilder, width: f32, color: Rgb) {
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(stroke(color, width)));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// The scale's stars in a row centred on `cy`: the earned ones filled, the rest outlined.
fn draw_stars(surface: &mut Surface<'_>, cy: f32, earned: u8, max: u8) {
    const RADIUS: f32 = 17.0;
    const PITCH: f32 = 44.0;
    let first = CENTER_X - PITCH * f32::from(max.saturating_sub(1)) / 2.0;
    for i in 0..max {
        let star = star(first + PITCH * f32::from(i), cy, RADIUS);
        if i < earned {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(GOLD)));
        } else {
            surface.set_fill(None);
            surface.set_stroke(Some(stroke(GOLD, 1.4)));
        }
        surface.draw_path(&star);
    }
    surface.set_stroke(None);
}

/// A five-pointed star, point up, with its outer points on a circle of `radius`.
fn star(cx: f32, cy: f32, radius: f32) -> Path {
    // The inner points of a regular star lie on a circle sin 18° / sin 54° as large.
    let inner = radius * 0.381_966;
    let mut pb = PathBuilder::new();
    for k in 0..10 {
        let r = if k % 2 == 0 { radius } else { inner };
        let angle = -std::f32::consts::FRAC_PI_2 + k as f32 * std::f32::consts::PI / 5.0;
        let (x, y) = (cx + r * angle.cos(), cy + r * angle.sin());
        if k == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    pb.finish().expect("a star has an area")
}

/// The QR code in the bottom right corner, black on a white quiet zone, one rectangle per run
/// of dark modules in a row; returns where it is.
fn draw_qr(surface: &mut Surface<'_>, qr: &QrCode) -> Rect {
    let width = qr.width();
    let module = QR_SIDE / (width + 2 * QR_QUIET) as f32;
    let area = Rect::from_xywh(QR_LEFT, QR_TOP, QR_SIDE, QR_SIDE).expect("the QR code has an area");

    let mut pb = PathBuilder::new();
    pb.push_rect(area);
    surface.set_stroke(None);
    surface.set_fill(Some(fill(WHITE)));
    if let Some(path) = pb.finish() {
        surface.draw_path(&path);
    }

    let colors = qr.to_colors();
    let mut pb = PathBuilder::new();
    for (row, modules) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if modules[x] == Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && modules[x] == Color::Dark {
                x += 1;
            }
            if let Some(run) = Rect::from_xywh(
                QR_LEFT + (QR_QUIET + start) as f32 * module,
                QR_TOP + (QR_QUIET + row) as f32 * module,
                (x - start) as f32 * module,
                module,
            ) {
                pb.push_rect(run);
            }
        }
    }
    surface.set_fill(Some(fill(BLACK)));
    if let Some(path) = pb.finish() {
        surface.draw_path(&path);
    }
    area
}

fn fill([r, g, b]: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke([r, g, b]: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(r, g, b).into(),
        width,
        ..Default::default()
    }
}

/// One of the compiled-in fonts: krilla's handle for embedding and skrifa's view for layout.
struct Face {
    pdf: Font,
    charmap: Charmap<'static>,
    /// Advances in ems (the metrics are read at one unit per em).
    advances: GlyphMetrics<'static>,
}

impl Face {
    fn load(name: &'static str, bytes: &'static [u8]) -> Result<Face, CertificateError> {
        let unreadable = || CertificateError::Font { font: name };
        let font = FontRef::new(bytes).map_err(|_| unreadable())?;
        Ok(Face {
            pdf: Font::new(bytes.into(), 0).ok_or_else(unreadable)?,
            charmap: font.charmap(),
            advances: font.glyph_metrics(Size::new(1.0), LocationRef::default()),
        })
    }

    /// One glyph per character, each mapped back to its character so the text extracts.
    fn glyphs(&self, line: &str) -> Result<Vec<KrillaGlyph>, CertificateError> {
        line.char_indices()
            .map(|(at, ch)| {
                let id = self
                    .charmap
                    .map(ch)
                    .ok_or_else(|| CertificateError::MissingGlyph {
                        ch,
                        line: line.to_owned(),
                    })?;
                let advance = self.advances.advance_width(id).unwrap_or(0.0);
                Ok(KrillaGlyph::new(
                    GlyphId::new(id.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    at..at + ch.len_utf8(),
                    None,
                ))
            })
            .collect()
    }

    /// The width of `line` at `size`, in points.
    fn width(&self, line: &str, size: f32) -> Result<f32, CertificateError> {
        Ok(self.glyphs(line)?.iter().map(|g| g.x_advance).sum::<f32>() * size)
    }

    /// The largest size from `max` down to `min` at which `line` fits in `width` (else `min`).
    fn fit_one_line(
        &self,
        line: &str,
        max: f32,
        min: f32,
        width: f32,
    ) -> Result<f32, CertificateError> {
        let natural = self.width(line, max)?;
        Ok(if natural <= width {
            max
        } else {
            (max * width / natural).max(min)
        })
    }

    /// `text` wrapped at spaces into lines no wider than `width` at `size`; a single word wider
    /// than `width` keeps a line of its own.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Result<Vec<String>, CertificateError> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if current.is_empty() || self.width(&candidate, size)? <= width {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_owned()));
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        Ok(lines)
    }
}

enum Align {
    Centre,
    Right,
}

/// Draws lines of text on the page.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    regular: &'s Face,
    bold: &'s Face,
}

impl Pen<'_, '_> {
    /// One line with its baseline at `at`.
    fn line(
        &mut self,
        face: &Face,
        size: f32,
        color: Rgb,
        at: (f32, f32),
        align: Align,
        text: &str,
    ) -> Result<(), CertificateError> {
        let glyphs = face.glyphs(text)?;
        let width = glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
        let x = match align {
            Align::Centre => at.0 - width / 2.0,
            Align::Right => at.0 - width,
        };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(fill(color)));
        self.surface.draw_glyphs(
            Point::from_xy(x, at.1),
            &glyphs,
            face.pdf.clone(),
            text,
            size,
            false,
        );
        Ok(())
    }

    /// One centred line at baseline `y` in the body's width; returns `y`.
    fn centred(
        &mut self,
        face: &Face,
        size: f32,
        color: Rgb,
        y: f32,
        text: &str,
    ) -> Result<f32, CertificateError> {
        self.line_within(face, size, color, y, text, BODY_WIDTH)
    }

    /// One centred line at baseline `y`, shrunk to `width` if need be; returns `y`.
    fn line_within(
        &mut self,
        face: &Face,
        size: f32,
        color: Rgb,
        y: f32,
        text: &str,
        width: f32,
    ) -> Result<f32, CertificateError> {
        let size = face.fit_one_line(text, size, size * 0.6, width)?;
        self.line(face, size, color, (CENTER_X, y), Align::Centre, text)?;
        Ok(y)
    }

    /// Centred text in the body's width from baseline `y`; see [`Pen::block_within`].
    fn block(
        &mut self,
        face: &Face,
        sizes: (f32, f32),
        height: f32,
        color: Rgb,
        y: f32,
        text: &str,
    ) -> Result<f32, CertificateError> {
        self.block_within(face, sizes, height, color, y, text, BODY_WIDTH)
    }

    /// Centred text from baseline `y`, wrapped at spaces, at the largest size from `sizes.0`
    /// down to `sizes.1` at which its lines fit `width` and, from the first line's top to the
    /// last line's baseline, `height`; returns the last line's baseline.
    #[allow(clippy::too_many_arguments)]
    fn block_within(
        &mut self,
        face: &Face,
        (max, min): (f32, f32),
        height: f32,
        color: Rgb,
        y: f32,
        text: &str,
        width: f32,
    ) -> Result<f32, CertificateError> {
        let mut size = max;
        let lines = loop {
            let lines = face.wrap(text, size, width)?;
            let tall = size + LEADING * size * lines.len().saturating_sub(1) as f32;
            if tall <= height || size <= min {
                break lines;
            }
            size = (size - 0.5).max(min);
        };
        let mut baseline = y;
        for (i, line) in lines.iter().enumerate() {
            baseline = y + LEADING * size * i as f32;
            self.line_within(face, size, color, baseline, line, width)?;
        }
        Ok(baseline)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use ovop_core::region::{ProvinceCode, RegencyCode};
    use ovop_core::stars::{Score, StarScale, Stars};

    fn award() -> Award {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        Award {
            id: "01JCERT".into(),
            round_id: "ovop-2026".into(),
            year: 2026,
            ikm_name: "Batik Tulis Pesisir".into(),
            product_name: "Batik tulis motif jlamprang".into(),
            product_story: String::new(),
            commodity: "kain_batik".into(),
            regency_code: RegencyCode::parse("33.26").unwrap(),
            province_code: ProvinceCode::parse("33").unwrap(),
            stars: Stars::new(StarScale::Ovop2021, 3).unwrap(),
            final_score: Score::try_from(93.5).unwrap(),
            decree_number: "1234/M-IND/Kep/11/2026".into(),
            decree_date: day(11, 20),
            valid_from: day(11, 20),
            valid_until: NaiveDate::from_ymd_opt(2028, 11, 20).unwrap(),
            certificate_number: "OVOP/2026/0001".into(),
            photo_key: None,
            revocation: None,
            version: 1,
        }
    }

    #[test]
    fn a_certificate_is_a_small_pdf() {
        let pdf = render(&award(), "https://ovop.example.go.id/galeri/p/01JCERT/").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    }

    #[test]
    fn dates_are_written_in_indonesian() {
        assert_eq!(
            tanggal(NaiveDate::from_ymd_opt(2026, 8, 7).unwrap()),
            "7 Agustus 2026"
        );
    }

    #[test]
    fn a_character_the_font_lacks_is_refused_rather_than_printed_as_a_box() {
        let award = Award {
            ikm_name: "Kopi 🌋 Merapi".into(),
            ..award()
        };
        let err = render(&award, "https://ovop.example.go.id/").unwrap_err();
        assert!(
            matches!(err, CertificateError::MissingGlyph { ch: '🌋', .. }),
            "{err}"
        );
    }
}
