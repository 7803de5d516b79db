//! The pure half of publication: the public rounds in, the gallery's files out — pages, JSON,
//! stylesheet, stable entry pages — and the version they make. No I/O: tests and the bench
//! call [`render`] directly.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use ovop_core::award::PublicAward;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::gallery::{GalleryIndex, ProvinceCount, RoundAwards, RoundSummary, StarCount};
use ovop_core::i18n::tanggal;
use ovop_core::stars::{StarScale, Stars};
use sha2::{Digest, Sha256};

/// Where the gallery lives in the public bucket (CloudFront serves it at `/galeri/`).
pub const PREFIX: &str = "galeri/";
/// The pointer to the published version: written last.
pub const POINTER_KEY: &str = "galeri/latest.json";
/// The page answered for a missing path.
pub const NOT_FOUND_KEY: &str = "galeri/404.html";
/// How many winners a round's page lists before sending the visitor to the province pages.
pub const TOP_WINNERS: usize = 60;
/// The version's stylesheet (no web fonts, no images).
const STYLESHEET: &str = include_str!("../../templates/gallery/gallery.css");

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
const CSS: &str = "text/css; charset=utf-8";

/// The gallery's public address, for canonical links, social cards and redirects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// `https://…/galeri/` (ends in `/`).
    url: String,
    /// Its path, `/galeri/`: where the stable pages redirect.
    path: String,
}

impl Site {
    /// The site whose gallery is at `gallery_url` (`https://ovop.kemenperin.go.id/galeri/`).
    pub fn new(gallery_url: &str) -> Site {
        let mut url = gallery_url.trim().to_owned();
        if !url.ends_with('/') {
            url.push('/');
        }
        let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        let path = after_scheme
            .find('/')
            .map_or_else(|| "/".to_owned(), |i| after_scheme[i..].to_owned());
        Site { url, path }
    }

    /// The gallery's address.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A determined round as the public sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicRound {
    pub round_id: String,
    pub name: String,
    pub year: i32,
    pub decree_number: String,
    pub decree_date: NaiveDate,
    /// Its awards that are not revoked.
    pub awards: Vec<PublicAward>,
}

impl PublicRound {
    /// The round's star scale: its awards', else the one of its year.
    pub fn scale(&self) -> StarScale {
        match self.awards.first() {
            Some(a) => a.stars.scale,
            None if self.year < 2021 => StarScale::Ovop2013,
            None => StarScale::Ovop2021,
        }
    }
}

/// One file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its key in the public bucket (`galeri/v/{version}/index.html`).
    pub key: String,
    pub body: Bytes,
    pub content_type: &'static str,
}

impl File {
    fn new(key: String, body: impl Into<Bytes>, content_type: &'static str) -> File {
        File {
            key,
            body: body.into(),
            content_type,
        }
    }
}

/// What a publication writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// A short hash of [`Rendered::files`]: the same rounds make the same version.
    pub version: String,
    /// The version's tree, `galeri/v/{version}/…`, every link in it relative.
    pub files: Vec<File>,
    /// The stable entry pages pointing into the version (`galeri/index.html`,
    /// `galeri/{round}/index.html`, `galeri/{round}/{province}/index.html`,
    /// `galeri/penghargaan/{id}/index.html`) and `galeri/404.html`: written after the tree.
    pub stubs: Vec<File>,
    pub rounds: u32,
    pub awards: u32,
}

/// Why the files could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// An id that cannot be a path segment (ids are server-made; this is a guard).
    #[error("{0:?} cannot be part of a path")]
    Segment(String),
}

/// The gallery's files for `rounds`: a version tree (rounds index, a page per round, per
/// province of a round and per award, the data as JSON, the stylesheet), named by the hash of
/// its content, and the stable pages that send visitors into it.
pub fn render(site: &Site, rounds: &[PublicRound]) -> Result<Rendered, RenderError> {
    let catalog = CommodityCatalog::default();
    let mut rounds: Vec<PublicRound> = rounds.to_vec();
    // Newest first; each round's awards by province, regency, id: the order never depends on
    // the store's.
    rounds.sort_by(|a, b| (b.year, &b.round_id).cmp(&(a.year, &a.round_id)));
    for r in &mut rounds {
        segment(&r.round_id)?;
        r.awards.sort_by(|a, b| {
            (&a.province_code, &a.regency_code, &a.id).cmp(&(
                &b.province_code,
                &b.regency_code,
                &b.id,
            ))
        });
        for a in &r.awards {
            segment(&a.id)?;
        }
    }

    // The version's files, keyed by their path inside the version; pages are `(path, meta)` so
    // that the stable page of each can repeat its title and card.
    let mut tree: Vec<(String, Bytes, &'static str)> = Vec::new();
    let mut entries: Vec<(String, String, Meta)> = Vec::new(); // (stable path, version path, meta)

    let summaries: Vec<RoundSummary> = rounds.iter().map(summary).collect();
    let total: usize = rounds.iter().map(|r| r.awards.len()).sum();

    // The rounds.
    let index = IndexPage {
        meta: Meta {
            title: "Galeri Pemenang Penghargaan OVOP — Kementerian Perindustrian".into(),
            description: clip(
                &format!(
                    "{} IKM penerima Penghargaan One Village One Product (OVOP) Kementerian \
                     Perindustrian dari {} periode: produk unggulan daerah dari seluruh \
                     Indonesia. Winners of Indonesia's OVOP award.",
                    angka(total),
                    angka(rounds.len())
                ),
                DESCRIPTION_CHARS,
            ),
            canonical: site.url.clone(),
            image: first_photo(site, rounds.iter().flat_map(|r| top(&r.awards))),
        },
        root: "",
        total: angka(total),
        rounds: rounds
            .iter()
            .zip(&summaries)
            .map(|(r, s)| RoundLink {
                href: format!("{}/index.html", r.round_id),
                name: r.name.clone(),
                awards: angka(r.awards.len()),
                provinces: angka(s.provinces.len()),
                decree: format!("{}, {}", r.decree_number, tanggal(r.decree_date)),
            })
            .collect(),
    };
    entries.push((String::new(), "index.html".into(), index.meta.clone()));
    tree.push(("index.html".into(), index.render()?.into(), HTML));

    for (r, s) in rounds.iter().zip(&summaries) {
        let (round_page, round_meta) = round_page(site, &catalog, r, s)?;
        entries.push((format!("{}/", r.round_id), s.page.clone(), round_meta));
        tree.push((s.page.clone(), round_page.into(), HTML));

        for p in &s.provinces {
            let awards: Vec<&PublicAward> = r
                .awards
                .iter()
                .filter(|a| a.province_code.as_str() == p.province_code)
                .collect();
            let (page, meta) = province_page(site, &catalog, r, p, &awards)?;
            entries.push((
                format!("{}/{}/", r.round_id, p.province_code),
                p.page.clone(),
                meta,
            ));
            tree.push((p.page.clone(), page.into(), HTML));
        }

        for a in &r.awards {
            let path = format!("penghargaan/{}/index.html", a.id);
            let (page, meta) = award_page(site, &catalog, r, a)?;
            entries.push((format!("penghargaan/{}/", a.id), path.clone(), meta));
            tree.push((path, page.into(), HTML));
        }

        let data = RoundAwards {
            round_id: r.round_id.clone(),
            awards: r.awards.clone(),
        };
        tree.push((s.data.clone(), serde_json::to_vec(&data)?.into(), JSON));
    }
    let index = GalleryIndex { rounds: summaries };
    tree.push((
        "data/index.json".into(),
        serde_json::to_vec(&index)?.into(),
        JSON,
    ));
    tree.push((
        "gallery.css".into(),
        Bytes::from_static(STYLESHEET.as_bytes()),
        CSS,
    ));

    let version = version_of(&mut tree);
    let base = format!("{PREFIX}v/{version}/");
    let files = tree
        .into_iter()
        .map(|(path, body, content_type)| File::new(format!("{base}{path}"), body, content_type))
        .collect();

    let mut stubs = Vec::with_capacity(entries.len() + 1);
    for (stable, target, meta) in entries {
        let target = format!("{}v/{version}/{target}", site.path);
        let page = StubPage { meta, target };
        stubs.push(File::new(
            format!("{PREFIX}{stable}index.html"),
            page.render()?,
            HTML,
        ));
    }
    let not_found = NotFoundPage {
        home: site.path.clone(),
        stylesheet: format!("{}v/{version}/gallery.css", site.path),
    };
    stubs.push(File::new(NOT_FOUND_KEY.into(), not_found.render()?, HTML));

    Ok(Rendered {
        version,
        files,
        stubs,
        rounds: count(rounds.len()),
        awards: count(total),
    })
}

/// The first 12 hex digits of SHA-256 over every file's path and bytes, in path order (the
/// tree is sorted on the way).
fn version_of(tree: &mut [(String, Bytes, &'static str)]) -> String {
    tree.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash = Sha256::new();
    for (path, body, content_type) in tree.iter() {
        for part in [path.as_bytes(), content_type.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hash.update((body.len() as u64).to_le_bytes());
        hash.update(body);
    }
    let mut version = String::with_capacity(12);
    for b in &hash.finalize()[..6] {
        let _ = write!(version, "{b:02x}");
    }
    version
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Refuses an id that would not stay one path segment.
fn segment(id: &str) -> Result<(), RenderError> {
    let ok = !id.is_empty()
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(RenderError::Segment(id.to_owned()))
    }
}

fn summary(r: &PublicRound) -> RoundSummary {
    let scale = r.scale();
    let stars = (1..=scale.max_stars())
        .rev()
        .map(|level| StarCount {
            stars: level,
            awards: count(r.awards.iter().filter(|a| a.stars.stars == level).count()),
        })
        .collect();
    let mut provinces: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
    for a in &r.awards {
        provinces
            .entry(a.province_code.as_str())
            .or_insert((a.province_name.as_str(), 0))
            .1 += 1;
    }
    RoundSummary {
        round_id: r.round_id.clone(),
        name: r.name.clone(),
        year: r.year,
        scale,
        decree_number: r.decree_number.clone(),
        decree_date: r.decree_date,
        awards: count(r.awards.len()),
        stars,
        provinces: provinces
            .into_iter()
            .map(|(code, (name, awards))| ProvinceCount {
                province_code: code.to_owned(),
                province_name: name.to_owned(),
                awards,
                page: format!("{}/{code}/index.html", r.round_id),
            })
            .collect(),
        page: format!("{}/index.html", r.round_id),
        data: format!("data/{}.json", r.round_id),
    }
}

/// A round's winners by merit: most stars first, then by province, regency and name.
fn top(awards: &[PublicAward]) -> Vec<&PublicAward> {
    let mut sorted: Vec<&PublicAward> = awards.iter().collect();
    sorted.sort_by(|a, b| {
        b.stars
            .stars
            .cmp(&a.stars.stars)
            .then_with(|| a.province_code.cmp(&b.province_code))
            .then_with(|| a.regency_code.cmp(&b.regency_code))
            .then_with(|| a.product_name.cmp(&b.product_name))
            .then_with(|| a.id.cmp(&b.id))
    });
    sorted
}

/// The absolute address of the first photo among `awards`, for a page's social card.
fn first_photo<'a>(
    site: &Site,
    awards: impl IntoIterator<Item = &'a PublicAward>,
) -> Option<String> {
    awards
        .into_iter()
        .find_map(|a| a.photo.as_ref())
        .map(|photo| format!("{}{photo}", site.url))
}

fn round_page(
    site: &Site,
    catalog: &CommodityCatalog,
    r: &PublicRound,
    s: &RoundSummary,
) -> Result<(String, Meta), RenderError> {
    let root = "../";
    let ranked = top(&r.awards);
    let max = s.provinces.iter().map(|p| p.awards).max().unwrap_or(0);
    let page = RoundPage {
        meta: Meta {
            title: format!("Pemenang Penghargaan {} — Galeri OVOP", r.name),
            description: clip(
                &format!(
                    "{} IKM dari {} provinsi menerima Penghargaan {} (Keputusan Menteri \
                     Perindustrian {}, {}). Lihat pemenang per provinsi, bintang dan produknya.",
                    angka(r.awards.len()),
                    angka(s.provinces.len()),
                    r.name,
                    r.decree_number,
                    tanggal(r.decree_date)
                ),
                DESCRIPTION_CHARS,
            ),
            canonical: format!("{}{}/", site.url, r.round_id),
            image: first_photo(site, ranked.iter().copied()),
        },
        root,
        name: r.name.clone(),
        awards: angka(r.awards.len()),
        provinces_count: angka(s.provinces.len()),
        decree: format!("{}, {}", r.decree_number, tanggal(r.decree_date)),
        stars: s
            .stars
            .iter()
            .map(|c| StarRow {
                symbols: Stars {
                    scale: s.scale,
                    stars: c.stars,
                }
                .symbols(),
                label: format!("{} bintang", c.stars),
                count: angka(c.awards as usize),
            })
            .collect(),
        chart: Chart::of(&s.provinces, max),
        provinces: s
            .provinces
            .iter()
            .map(|p| ProvinceRow {
                href: format!("{}/index.html", p.province_code),
                name: p.province_name.clone(),
                count: angka(p.awards as usize),
            })
            .collect(),
        top: ranked
            .iter()
            .take(TOP_WINNERS)
            .map(|a| Winner::of(catalog, a, root))
            .collect(),
        more: r.awards.len().saturating_sub(TOP_WINNERS),
        scale: scale_label(s.scale),
    };
    Ok((page.render()?, page.meta))
}

fn province_page(
    site: &Site,
    catalog: &CommodityCatalog,
    r: &PublicRound,
    p: &ProvinceCount,
    awards: &[&PublicAward],
) -> Result<(String, Meta), RenderError> {
    let root = "../../";
    let mut regencies: Vec<RegencyGroup> = Vec::new();
    for a in awards {
        match regencies.last_mut() {
            Some(g) if g.code == a.regency_code.as_str() => {
                g.winners.push(Winner::of(catalog, a, root))
            }
            _ => regencies.push(RegencyGroup {
                code: a.regency_code.as_str().to_owned(),
                name: a.regency_name.clone(),
                winners: vec![Winner::of(catalog, a, root)],
            }),
        }
    }
    for g in &mut regencies {
        g.winners.sort_by(|a, b| {
            b.stars
                .cmp(&a.stars)
                .then_with(|| a.product.cmp(&b.product))
        });
    }
    let names: Vec<&str> = awards
        .iter()
        .take(3)
        .map(|a| a.product_name.as_str())
        .collect();
    let page = ProvincePage {
        meta: Meta {
            title: format!(
                "Pemenang Penghargaan {} dari {} — Galeri OVOP",
                r.name, p.province_name
            ),
            description: clip(
                &format!(
                    "{} IKM dari Provinsi {} menerima Penghargaan {}: {}{}.",
                    angka(p.awards as usize),
                    p.province_name,
                    r.name,
                    names.join(", "),
                    if awards.len() > names.len() {
                        ", dan lainnya"
                    } else {
                        ""
                    }
                ),
                DESCRIPTION_CHARS,
            ),
            canonical: format!("{}{}/{}/", site.url, r.round_id, p.province_code),
            image: first_photo(site, awards.iter().copied()),
        },
        root,
        round_name: r.name.clone(),
        round_href: "../index.html".into(),
        province: p.province_name.clone(),
        awards: angka(p.awards as usize),
        regencies,
    };
    Ok((page.render()?, page.meta))
}

fn award_page(
    site: &Site,
    catalog: &CommodityCatalog,
    r: &PublicRound,
    a: &PublicAward,
) -> Result<(String, Meta), RenderError> {
    let root = "../../";
    let stars = stars_label(a.stars);
    let page = AwardPage {
        meta: Meta {
            title: format!(
                "{} — {} | Penghargaan {}",
                a.product_name, a.ikm_name, r.name
            ),
            description: clip(
                &format!(
                    "{} oleh {}, {}, {}: {} Penghargaan {}. {}",
                    a.product_name,
                    a.ikm_name,
                    a.regency_name,
                    a.province_name,
                    stars,
                    r.name,
                    a.product_story
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                DESCRIPTION_CHARS,
            ),
            canonical: format!("{}penghargaan/{}/", site.url, a.id),
            image: a.photo.as_ref().map(|p| format!("{}{p}", site.url)),
        },
        root,
        round_name: r.name.clone(),
        round_href: format!("{root}{}/index.html", r.round_id),
        province_href: format!("{root}{}/{}/index.html", r.round_id, a.province_code),
        award: Winner::of(catalog, a, root),
        stars,
        scale: scale_label(a.stars.scale),
        certificate: a.certificate_number.clone(),
        decree_number: a.decree_number.clone(),
        decree_date: tanggal(a.decree_date),
        valid_from: tanggal(a.valid_from),
        valid_until: tanggal(a.valid_until),
        story: a
            .product_story
            .split('\n')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    Ok((page.render()?, page.meta))
}

/// Longest meta description: what search results and cards show.
const DESCRIPTION_CHARS: usize = 200;

/// `text` cut at a word to at most `max` characters, `…` marking the cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ' ', ';', ':']))
}

/// A count as Indonesian writes it: `10.000`.
pub fn angka(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn stars_label(stars: Stars) -> String {
    format!("{} dari {} bintang", stars.stars, stars.scale.max_stars())
}

fn scale_label(scale: StarScale) -> &'static str {
    match scale {
        StarScale::Ovop2021 => "skala bintang 1–3, sejak 2021",
        StarScale::Ovop2013 => "skala bintang 1–5, 2013–2018",
    }
}

// ---------------------------------------------------------------- what the templates see

/// A page's title, description and social card.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Meta {
    title: String,
    description: String,
    /// The stable address (never a version's).
    canonical: String,
    /// The card's image: an award photo's absolute address.
    image: Option<String>,
}

/// A winner in a list, or on its own page.
struct Winner {
    href: String,
    product: String,
    ikm: String,
    regency_code: String,
    regency: String,
    province_code: String,
    province: String,
    commodity_code: String,
    commodity: String,
    commodity_en: String,
    stars: u8,
    symbols: String,
    year: i32,
    /// The photo, relative to the page.
    photo: Option<String>,
}

impl Winner {
    fn of(catalog: &CommodityCatalog, a: &PublicAward, root: &str) -> Winner {
        let group = catalog.get(&a.commodity);
        Winner {
            href: format!("{root}penghargaan/{}/index.html", a.id),
            product: a.product_name.clone(),
            ikm: a.ikm_name.clone(),
            regency_code: a.regency_code.as_str().to_owned(),
            regency: a.regency_name.clone(),
            province_code: a.province_code.as_str().to_owned(),
            province: a.province_name.clone(),
            commodity_code: a.commodity.clone(),
            commodity: group.map_or_else(|| a.commodity.clone(), |g| g.name_id.clone()),
            commodity_en: group.map_or_else(String::new, |g| g.name_en.clone()),
            stars: a.stars.stars,
            symbols: a.stars.symbols(),
            year: a.year,
            // Photos live beside the versions: `galeri/foto/…` from `galeri/v/{version}/`.
            photo: a.photo.as_ref().map(|p| format!("{root}../../{p}")),
        }
    }
}

struct RoundLink {
    href: String,
    name: String,
    awards: String,
    provinces: String,
    decree: String,
}

#[derive(Template)]
#[template(path = "gallery/index.html", whitespace = "minimize")]
struct IndexPage {
    meta: Meta,
    root: &'static str,
    total: String,
    rounds: Vec<RoundLink>,
}

struct StarRow {
    symbols: String,
    label: String,
    count: String,
}

struct ProvinceRow {
    href: String,
    name: String,
    count: String,
}

/// Winners per province as horizontal bars: an SVG drawn with attributes only (no `style`,
/// which the content security policy refuses).
struct Chart {
    height: u32,
    bars: Vec<Bar>,
}

struct Bar {
    href: String,
    label: String,
    count: String,
    /// The row's top.
    y: u32,
    /// The text's baseline.
    text_y: u32,
    width: u32,
    /// Where the count is written, after the bar.
    count_x: u32,
}

/// Where the bars start (after the province names), and their longest width.
const CHART_LABEL_WIDTH: u32 = 200;
const CHART_BAR_WIDTH: u32 = 340;
const CHART_ROW: u32 = 20;

impl Chart {
    fn of(provinces: &[ProvinceCount], max: u32) -> Chart {
        let bars = provinces
            .iter()
            .zip(0u32..)
            .map(|(p, i)| {
                let width = if max == 0 {
                    0
                } else {
                    (u64::from(p.awards) * u64::from(CHART_BAR_WIDTH)).div_ceil(u64::from(max))
                        as u32
                };
                Bar {
                    href: format!("{}/index.html", p.province_code),
                    label: p.province_name.clone(),
                    count: angka(p.awards as usize),
                    y: i * CHART_ROW + 3,
                    text_y: i * CHART_ROW + 15,
                    width: width.max(1),
                    count_x: CHART_LABEL_WIDTH + width.max(1) + 6,
                }
            })
            .collect::<Vec<_>>();
        Chart {
            height: count(bars.len()) * CHART_ROW + 4,
            bars,
        }
    }

    fn label_width(&self) -> u32 {
        CHART_LABEL_WIDTH
    }

    fn width(&self) -> u32 {
        CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60
    }
}

#[derive(Template)]
#[template(path = "gallery/round.html", whitespace = "minimize")]
struct RoundPage {
    meta: Meta,
    root: &'static str,
    name: String,
    awards: String,
    provinces_count: String,
    decree: String,
    scale: &'static str,
    stars: Vec<StarRow>,
    chart: Chart,
    provinces: Vec<ProvinceRow>,
    top: Vec<Winner>,
    /// Winners not listed on the page.
    more: usize,
}

struct RegencyGroup {
    code: String,
    name: String,
    winners: Vec<Winner>,
}

#[derive(Template)]
#[template(path = "gallery/province.html", whitespace = "minimize")]
struct ProvincePage {
    meta: Meta,
    root: &'static str,
    round_name: String,
    round_href: String,
    province: String,
    awards: String,
    regencies: Vec<RegencyGroup>,
}

#[derive(Template)]
#[template(path = "gallery/award.html", whitespace = "minimize")]
struct AwardPage {
    meta: Meta,
    root: &'static str,
    round_name: String,
    round_href: String,
    province_href: String,
    award: Winner,
    stars: String,
    scale: &'static str,
    certificate: String,
    decree_number: String,
    decree_date: String,
    valid_from: String,
    valid_until: String,
    story: Vec<String>,
}

/// A stable page: the target's title and card for link previews, then straight on to the
/// version (no script needed).
#[derive(Template)]
#[template(path = "gallery/stub.html", whitespace = "minimize")]
struct StubPage {
    meta: Meta,
    /// The page in the version, path-absolute (`/galeri/v/{version}/…`).
    target: String,
}

#[derive(Template)]
#[template(path = "gallery/404.html", whitespace = "minimize")]
struct NotFoundPage {
    /// The gallery's path (`/galeri/`): the 404 answers any depth.
    home: String,
    stylesheet: String,
}

#[cfg(test)]
mod tests {
    use ovop_core::award::Award;
    use ovop_core::region::RegencyCode;
    use ovop_core::stars::Score;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn award(id: &str, regency: &str, stars: u8, photo: bool) -> PublicAward {
        let regency = RegencyCode::parse(regency).unwrap();
        Award {
            id: id.into(),
            round_id: "ovop-2026".into(),
            year: 2026,
            ikm_name: format!("IKM <Sentra> {id}"),
            product_name: format!("Batik Tulis {id}"),
            product_story: "Dibuat turun-temurun.\nDiwarnai alami.".into(),
            commodity: "kain_batik".into(),
            province_code: regency.province(),
            regency_code: regency,
            stars: Stars::new(StarScale::Ovop2021, stars).unwrap(),
            final_score: Score::try_from(92.5).unwrap(),
            decree_number: "1234/M-IND/Kep/11/2026".into(),
            decree_date: day(2026, 11, 20),
            valid_from: day(2026, 11, 20),
            valid_until: day(2028, 11, 20),
            certificate_number: format!("OVOP/2026/{id}"),
            photo_key: photo.then(|| format!("thumbnails/{id}/D07/u1.jpg")),
            revocation: None,
            version: 1,
        }
        .public()
    }

    fn round(awards: Vec<PublicAward>) -> PublicRound {
        PublicRound {
            round_id: "ovop-2026".into(),
            name: "OVOP 2026".into(),
            year: 2026,
            decree_number: "1234/M-IND/Kep/11/2026".into(),
            decree_date: day(2026, 11, 20),
            awards,
        }
    }

    fn site() -> Site {
        Site::new("https://ovop.example.go.id/galeri/")
    }

    fn page<'a>(r: &'a Rendered, key: &str) -> &'a str {
        let f = r
            .files
            .iter()
            .chain(&r.stubs)
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("{key} not rendered"));
        std::str::from_utf8(&f.body).unwrap()
    }

    #[test]
    fn the_same_rounds_make_the_same_version_and_another_award_another() {
        let a = vec![
            award("A1", "33.74", 3, true),
            award("A2", "33.26", 2, false),
            award("B1", "35.15", 1, false),
        ];
        let one = render(&site(), &[round(a.clone())]).unwrap();
        let mut shuffled = a.clone();
        shuffled.reverse();
        let two = render(&site(), &[round(shuffled)]).unwrap();
        assert_eq!(one, two);
        assert_eq!(one.version.len(), 12);
        let three = render(&site(), &[round(a[..2].to_vec())]).unwrap();
        assert_ne!(three.version, one.version);
        assert_eq!((one.rounds, one.awards), (1, 3));
    }

    #[test]
    fn pages_link_inside_their_version_and_name_their_stable_address() {
        let r = render(
            &site(),
            &[round(vec![
                award("A1", "33.74", 3, true),
                award("A2", "33.26", 2, false),
            ])],
        )
        .unwrap();
        let v = format!("galeri/v/{}/", r.version);
        let keys: Vec<&str> = r.files.iter().map(|f| f.key.as_str()).collect();
        for path in [
            "index.html",
            "ovop-2026/index.html",
            "ovop-2026/33/index.html",
            "penghargaan/A1/index.html",
            "penghargaan/A2/index.html",
            "data/index.json",
            "data/ovop-2026.json",
            "gallery.css",
        ] {
            assert!(
                keys.contains(&format!("{v}{path}").as_str()),
                "{path} missing: {keys:?}"
            );
        }
        assert_eq!(keys.len(), 8);
        let stubs: Vec<&str> = r.stubs.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            stubs,
            [
                "galeri/index.html",
                "galeri/ovop-2026/index.html",
                "galeri/ovop-2026/33/index.html",
                // By province, regency (33.26 before 33.74), id.
                "galeri/penghargaan/A2/index.html",
                "galeri/penghargaan/A1/index.html",
                "galeri/404.html"
            ]
        );

        let award = page(&r, &format!("{v}penghargaan/A1/index.html"));
        assert!(
            award.starts_with("<!doctype html>\n<html lang=\"id\">"),
            "{award}"
        );
        assert!(
            award.contains(
                "<title>Batik Tulis A1 — IKM &#60;Sentra&#62; A1 | Penghargaan OVOP 2026</title>"
            ),
            "{award}"
        );
        assert!(award.contains(
            "<link rel=\"canonical\" href=\"https://ovop.example.go.id/galeri/penghargaan/A1/\">"
        ));
        assert!(award.contains("<meta property=\"og:image\" content=\"https://ovop.example.go.id/galeri/foto/A1/u1.jpg\">"));
        assert!(
            award.contains("src=\"../../../../foto/A1/u1.jpg\""),
            "{award}"
        );
        assert!(award.contains("href=\"../../gallery.css\""));
        assert!(award.contains("3 dari 3 bintang"));
        assert!(award.contains("20 November 2026 – 20 November 2028"));
        assert!(
            !award.contains("style="),
            "no inline style: the CSP refuses it"
        );
        assert!(!award.contains("<script"), "no script");
        assert!(
            !award.contains("https://ovop.example.go.id/galeri/v/"),
            "links stay relative"
        );

        let stub = page(&r, "galeri/penghargaan/A1/index.html");
        assert!(
            stub.contains(&format!(
                "content=\"0; url=/galeri/v/{}/penghargaan/A1/index.html\"",
                r.version
            )),
            "{stub}"
        );
        assert!(stub.contains("<title>Batik Tulis A1"));
        assert!(stub.contains("og:image"));

        let round_page = page(&r, &format!("{v}ovop-2026/index.html"));
        assert!(round_page.contains("<svg class=\"chart\""));
        assert!(round_page.contains("data-province=\"33\" data-regency=\"33.74\" data-commodity=\"kain_batik\" data-stars=\"3\" data-year=\"2026\""), "{round_page}");
        assert!(round_page.contains("href=\"33/index.html\""));
        assert!(!round_page.contains("style="));
        // Most stars first.
        assert!(
            round_page.find("Batik Tulis A1").unwrap() < round_page.find("Batik Tulis A2").unwrap()
        );
    }

    #[test]
    fn counts_and_descriptions_read_as_indonesian_writes_them() {
        assert_eq!(angka(0), "0");
        assert_eq!(angka(999), "999");
        assert_eq!(angka(10_000), "10.000");
        assert_eq!(angka(1_234_567), "1.234.567");
        assert_eq!(clip("pendek", 10), "pendek");
        let long = "Kain tenun ikat dari benang lokal, diwarnai alami, ditenun dengan tangan.";
        let c = clip(long, 40);
        assert!(c.chars().count() <= 40 && c.ends_with('…'), "{c}");
    }

    #[test]
    fn the_site_knows_its_path_for_redirects() {
        let s = Site::new("https://ovop.example.go.id/galeri");
        assert_eq!(s.url(), "https://ovop.example.go.id/galeri/");
        assert_eq!(s.path, "/galeri/");
        assert_eq!(Site::new("http://localhost:8080/").path, "/");
    }

    #[test]
    fn ids_stay_one_path_segment() {
        assert!(segment("01JABCDEF").is_ok());
        assert!(segment("ovop-2026").is_ok());
        for bad in ["", ".", "..", "a/b", "a b", "a%2F"] {
            assert!(segment(bad).is_err(), "{bad}");
        }
    }
}
