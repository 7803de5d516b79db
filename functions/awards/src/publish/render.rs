//! The pure half of publication: the public rounds in, the gallery's files out — the
//! version's listing pages and JSON, each award's own page, the stylesheet and script, the
//! stable entry pages — and the version they make. No I/O: tests and the bench call [`render`]
//! directly.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use ovop_core::award::PublicAward;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::gallery::{
    GalleryIndex, ListedAward, ProvinceCount, RoundAwards, RoundSummary, StarCount,
};
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
/// The gallery's stylesheet (no web fonts, no images).
const STYLESHEET: &str = include_str!("../../templates/gallery/gallery.css");
/// The listing pages' filter and search: an enhancement, the lists work without it.
const SCRIPT: &str = include_str!("../../templates/gallery/gallery.js");
/// The stable pages' templates: their bytes name the version, so they cannot be hashed into
/// it; their source is, so that a changed template makes a new version.
const STABLE_TEMPLATES: [&str; 3] = [
    include_str!("../../templates/gallery/stub.html"),
    include_str!("../../templates/gallery/meta.html"),
    include_str!("../../templates/gallery/404.html"),
];

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The gallery's public address, for canonical links, social cards and path-absolute links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// `https://…/galeri/` (ends in `/`).
    url: String,
    /// Its path, `/galeri/`: what links leaving a version, and the stable pages, start with.
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

    /// The path-absolute URL of `key` (a key below [`PREFIX`]): `/galeri/aset/…`.
    fn link(&self, key: &str) -> String {
        format!("{}{}", self.path, key.strip_prefix(PREFIX).unwrap_or(key))
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

/// An award's page and the hash of its bytes, which the manifest keeps: the page is written
/// again only when the hash changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardPage {
    /// At the award's stable address, `galeri/penghargaan/{id}/index.html`.
    pub file: File,
    /// 16 hex digits of SHA-256 over the bytes.
    pub hash: String,
}

/// What a publication writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// A short hash of everything below but the stable pages (which name it): the same rounds
    /// make the same version.
    pub version: String,
    /// The version's tree, `galeri/v/{version}/…`: the rounds, a page per round and per
    /// province of a round, the data as JSON. Links inside it are relative; links out of it
    /// (award pages, assets) path-absolute.
    pub files: Vec<File>,
    /// The stylesheet and the script, named by their content (`galeri/aset/gallery-{hash}.css`):
    /// never changed under their name, shared by every version and award page.
    pub assets: Vec<File>,
    /// Each award's page at its stable address (the certificate's QR code lands there): it
    /// names no version, only stable and content-addressed URLs.
    pub award_pages: Vec<AwardPage>,
    /// The stable entry pages pointing into the version (`galeri/index.html`,
    /// `galeri/{round}/index.html`, `galeri/{round}/{province}/index.html`) and
    /// `galeri/404.html`: written after the tree.
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

/// The gallery's files for `rounds`: a version tree (rounds index, a page per round and per
/// province of a round, the data as JSON) named by the hash of its content, the award pages,
/// the assets, and the stable pages that send visitors into the version.
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
    let total: usize = rounds.iter().map(|r| r.awards.len()).sum();

    let stylesheet = asset("gallery", "css", STYLESHEET, CSS);
    let script = asset("gallery", "js", SCRIPT, JS);
    let script_link = site.link(&script.key);
    // Award pages (and the 404) carry no script; the listing pages, stable ones too, do.
    let award_frame = Frame {
        home: site.path.clone(),
        stylesheet: site.link(&stylesheet.key),
        script: None,
    };
    let listing_frame = Frame {
        script: Some(script_link.clone()),
        ..award_frame.clone()
    };

    let mut award_pages = Vec::with_capacity(total);
    for r in &rounds {
        for a in &r.awards {
            let body = award_page(site, &catalog, &award_frame, r, a)?;
            award_pages.push(AwardPage {
                hash: short_hash(body.as_bytes(), 8),
                file: File::new(award_key(&a.id), body, HTML),
            });
        }
    }
    let assets = vec![stylesheet, script];

    // The listing pages name their version (the round's JSON in `data-json`, the index's in
    // `data-index`), and the version is the hash of what is published: it is taken of the tree
    // as rendered without it.
    let draft = tree(site, &catalog, &listing_frame, &rounds, "")?;
    let version = version_of(&draft.files, &award_pages, &assets);
    let tree = tree(site, &catalog, &listing_frame, &rounds, &version)?;
    let base = format!("{PREFIX}v/{version}/");
    let files = tree
        .files
        .into_iter()
        .map(|(path, body, content_type)| File::new(format!("{base}{path}"), body, content_type))
        .collect();

    let mut stubs = Vec::with_capacity(tree.entries.len() + 1);
    for (stable, target, meta) in tree.entries {
        let target = format!("{}v/{version}/{target}", site.path);
        let page = StubPage {
            meta,
            target,
            script: script_link.clone(),
        };
        stubs.push(File::new(
            format!("{PREFIX}{stable}index.html"),
            page.render()?,
            HTML,
        ));
    }
    let not_found = NotFoundPage { frame: award_frame };
    stubs.push(File::new(NOT_FOUND_KEY.into(), not_found.render()?, HTML));

    Ok(Rendered {
        version,
        files,
        assets,
        award_pages,
        stubs,
        rounds: count(rounds.len()),
        awards: count(total),
    })
}

/// Where award `id`'s page is: its stable address, the one the certificate's QR code names.
pub fn award_key(id: &str) -> String {
    format!("{PREFIX}penghargaan/{id}/index.html")
}

/// `galeri/aset/{name}-{hash}.{ext}`: a file named by its content.
fn asset(name: &str, ext: &str, body: &'static str, content_type: &'static str) -> File {
    let hash = short_hash(body.as_bytes(), 6);
    File::new(
        format!("{PREFIX}aset/{name}-{hash}.{ext}"),
        Bytes::from_static(body.as_bytes()),
        content_type,
    )
}

/// A version's files, keyed by their path inside the version, sorted by it; and its pages'
/// stable paths with their title and card, for the stable page of each.
struct Tree {
    files: Vec<(String, Bytes, &'static str)>,
    /// (stable path, path in the version, meta)
    entries: Vec<(String, String, Meta)>,
}

/// The version tree of `rounds`, its pages naming their JSON in version `version`.
fn tree(
    site: &Site,
    catalog: &CommodityCatalog,
    frame: &Frame,
    rounds: &[PublicRound],
    version: &str,
) -> Result<Tree, RenderError> {
    let mut files: Vec<(String, Bytes, &'static str)> = Vec::new();
    let mut entries: Vec<(String, String, Meta)> = Vec::new();
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
        frame: Frame {
            home: "index.html".into(),
            ..frame.clone()
        },
        total: angka(total),
        data: format!("{}v/{version}/data/index.json", site.path),
        commodities: serde_json::to_string(
            &catalog
                .groups
                .iter()
                .map(|g| (&g.code, &g.name_id))
                .collect::<BTreeMap<_, _>>(),
        )?,
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
    files.push(("index.html".into(), index.render()?.into(), HTML));

    for (r, s) in rounds.iter().zip(&summaries) {
        let list = WinnerList {
            round_id: r.round_id.clone(),
            data: format!("{}v/{version}/{}", site.path, s.data),
        };
        let (round_page, round_meta) = round_page(site, catalog, frame, &list, r, s)?;
        entries.push((format!("{}/", r.round_id), s.page.clone(), round_meta));
        files.push((s.page.clone(), round_page.into(), HTML));

        for p in &s.provinces {
            let awards: Vec<&PublicAward> = r
                .awards
                .iter()
                .filter(|a| a.province_code.as_str() == p.province_code)
                .collect();
            let (page, meta) = province_page(site, catalog, frame, &list, r, p, &awards)?;
            entries.push((
                format!("{}/{}/", r.round_id, p.province_code),
                p.page.clone(),
                meta,
            ));
            files.push((p.page.clone(), page.into(), HTML));
        }

        let data = RoundAwards {
            round_id: r.round_id.clone(),
            awards: r.awards.iter().map(ListedAward::from).collect(),
        };
        files.push((s.data.clone(), serde_json::to_vec(&data)?.into(), JSON));
    }
    let index = GalleryIndex { rounds: summaries };
    files.push((
        "data/index.json".into(),
        serde_json::to_vec(&index)?.into(),
        JSON,
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Tree { files, entries })
}

/// The first 12 hex digits of SHA-256 over what a version publishes: every file of its tree
/// (path, type and bytes, in path order), every award page's key and hash, the assets' names
/// (which hold their hash) and the stable pages' templates.
fn version_of(
    tree: &[(String, Bytes, &'static str)],
    award_pages: &[AwardPage],
    assets: &[File],
) -> String {
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    for (path, body, content_type) in tree {
        part(path.as_bytes());
        part(content_type.as_bytes());
        part(body);
    }
    for page in award_pages {
        part(page.file.key.as_bytes());
        part(page.hash.as_bytes());
    }
    for asset in assets {
        part(asset.key.as_bytes());
    }
    for template in STABLE_TEMPLATES {
        part(template.as_bytes());
    }
    hex(&hash.finalize()[..6])
}

/// The first `bytes` bytes of SHA-256 over `body`, in hex.
fn short_hash(body: &[u8], bytes: usize) -> String {
    hex(&Sha256::digest(body)[..bytes])
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
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
    frame: &Frame,
    list: &WinnerList,
    r: &PublicRound,
    s: &RoundSummary,
) -> Result<(String, Meta), RenderError> {
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
        frame: Frame {
            home: "../index.html".into(),
            ..frame.clone()
        },
        list: list.clone(),
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
            .map(|a| Winner::of(site, catalog, a))
            .collect(),
        more: r.awards.len().saturating_sub(TOP_WINNERS),
        scale: scale_label(s.scale),
    };
    Ok((page.render()?, page.meta))
}

fn province_page(
    site: &Site,
    catalog: &CommodityCatalog,
    frame: &Frame,
    list: &WinnerList,
    r: &PublicRound,
    p: &ProvinceCount,
    awards: &[&PublicAward],
) -> Result<(String, Meta), RenderError> {
    let mut regencies: Vec<RegencyGroup> = Vec::new();
    for a in awards {
        match regencies.last_mut() {
            Some(g) if g.code == a.regency_code.as_str() => {
                g.winners.push(Winner::of(site, catalog, a))
            }
            _ => regencies.push(RegencyGroup {
                code: a.regency_code.as_str().to_owned(),
                name: a.regency_name.clone(),
                winners: vec![Winner::of(site, catalog, a)],
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
        frame: Frame {
            home: "../../index.html".into(),
            ..frame.clone()
        },
        list: list.clone(),
        round_name: r.name.clone(),
        round_href: "../index.html".into(),
        province: p.province_name.clone(),
        awards: angka(p.awards as usize),
        regencies,
    };
    Ok((page.render()?, page.meta))
}

/// An award's page: only stable and content-addressed URLs, path-absolute, so that it is
/// the same page whichever version lists it.
fn award_page(
    site: &Site,
    catalog: &CommodityCatalog,
    frame: &Frame,
    r: &PublicRound,
    a: &PublicAward,
) -> Result<String, RenderError> {
    let stars = stars_label(a.stars);
    let page = AwardTemplate {
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
        frame: frame.clone(),
        round_name: r.name.clone(),
        round_href: format!("{}{}/", site.path, r.round_id),
        province_href: format!("{}{}/{}/", site.path, r.round_id, a.province_code),
        award: Winner::of(site, catalog, a),
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
    Ok(page.render()?)
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
    /// The photo, path-absolute.
    photo: Option<String>,
}

impl Winner {
    fn of(site: &Site, catalog: &CommodityCatalog, a: &PublicAward) -> Winner {
        let group = catalog.get(&a.commodity);
        Winner {
            // The award's stable page, the same in every version.
            href: format!("{}penghargaan/{}/", site.path, a.id),
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
            // Photos live beside the versions, at `galeri/foto/…`.
            photo: a.photo.as_ref().map(|p| format!("{}{p}", site.path)),
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

/// What every page around its content links to.
#[derive(Clone, Debug)]
struct Frame {
    /// The rounds: relative inside a version, the stable `/galeri/` from an award page.
    home: String,
    /// The content-addressed stylesheet, path-absolute.
    stylesheet: String,
    /// The content-addressed script, path-absolute: listing pages only.
    script: Option<String>,
}

/// Where a listing page's winners are, for the script: the element `#pemenang` carries the
/// round and its JSON.
#[derive(Clone, Debug)]
struct WinnerList {
    round_id: String,
    /// `data/{round}.json` of the page's version, path-absolute.
    data: String,
}

#[derive(Template)]
#[template(path = "gallery/index.html", whitespace = "minimize")]
struct IndexPage {
    meta: Meta,
    frame: Frame,
    total: String,
    /// `data/index.json` of the page's version, path-absolute: where the search across the
    /// rounds starts.
    data: String,
    /// The commodity groups' names by code, as JSON (a round's JSON names only the code).
    commodities: String,
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
    frame: Frame,
    list: WinnerList,
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
    frame: Frame,
    list: WinnerList,
    round_name: String,
    round_href: String,
    province: String,
    awards: String,
    regencies: Vec<RegencyGroup>,
}

#[derive(Template)]
#[template(path = "gallery/award.html", whitespace = "minimize")]
struct AwardTemplate {
    meta: Meta,
    frame: Frame,
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

/// A stable listing page: the target's title and card for link previews, then straight on
/// to the version (no script needed). The gallery's script, when it runs, takes a filtered
/// link's query string along.
#[derive(Template)]
#[template(path = "gallery/stub.html", whitespace = "minimize")]
struct StubPage {
    meta: Meta,
    /// The page in the version, path-absolute (`/galeri/v/{version}/…`).
    target: String,
    /// The gallery's script, path-absolute.
    script: String,
}

#[derive(Template)]
#[template(path = "gallery/404.html", whitespace = "minimize")]
struct NotFoundPage {
    /// Path-absolute links: the 404 answers any depth.
    frame: Frame,
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
            .chain(&r.assets)
            .chain(r.award_pages.iter().map(|p| &p.file))
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
        // The pages of the awards that stay are the same bytes: nothing to write again.
        for p in &three.award_pages {
            let before = one
                .award_pages
                .iter()
                .find(|q| q.file.key == p.file.key)
                .unwrap();
            assert_eq!(p, before);
        }
    }

    #[test]
    fn an_award_page_changes_the_version_even_when_no_listing_shows_the_change() {
        let mut a = award("A1", "33.74", 3, true);
        let one = render(&site(), &[round(vec![a.clone()])]).unwrap();
        a.product_story = "Kisah yang lain.".into();
        let two = render(&site(), &[round(vec![a])]).unwrap();
        assert_eq!(one.files.len(), two.files.len());
        assert_ne!(one.award_pages[0].hash, two.award_pages[0].hash);
        assert_ne!(one.version, two.version);
    }

    #[test]
    fn listing_pages_link_inside_their_version_and_award_pages_name_no_version() {
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
        let tree: Vec<String> = [
            "data/index.json",
            "data/ovop-2026.json",
            "index.html",
            "ovop-2026/33/index.html",
            "ovop-2026/index.html",
        ]
        .iter()
        .map(|path| format!("{v}{path}"))
        .collect();
        assert_eq!(keys, tree);
        let stubs: Vec<&str> = r.stubs.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            stubs,
            [
                "galeri/index.html",
                "galeri/ovop-2026/index.html",
                "galeri/ovop-2026/33/index.html",
                "galeri/404.html"
            ]
        );
        let award_keys: Vec<&str> = r.award_pages.iter().map(|p| p.file.key.as_str()).collect();
        // By province, regency (33.26 before 33.74), id.
        assert_eq!(
            award_keys,
            [
                "galeri/penghargaan/A2/index.html",
                "galeri/penghargaan/A1/index.html"
            ]
        );
        assert!(r.award_pages.iter().all(|p| p.hash.len() == 16));
        let [css, js] = &r.assets[..] else {
            panic!("{:?}", r.assets)
        };
        assert!(css.key.starts_with("galeri/aset/gallery-") && css.key.ends_with(".css"));
        assert!(js.key.starts_with("galeri/aset/gallery-") && js.key.ends_with(".js"));
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        let stylesheet = format!("href=\"/{}\"", css.key);
        let script = format!("<script src=\"/{}\" defer></script>", js.key);

        // The award page: at its stable address, every link stable or content-addressed.
        let award = page(&r, "galeri/penghargaan/A1/index.html");
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
        assert!(award.contains("src=\"/galeri/foto/A1/u1.jpg\""), "{award}");
        assert!(award.contains(&stylesheet), "{award}");
        assert!(award.contains("href=\"/galeri/ovop-2026/\""), "{award}");
        assert!(award.contains("href=\"/galeri/ovop-2026/33/\""), "{award}");
        assert!(award.contains("3 dari 3 bintang"));
        assert!(award.contains("20 November 2026 – 20 November 2028"));
        assert!(award.contains("Diwarnai alami."), "the story");
        assert!(!award.contains("/v/"), "no version: {award}");
        assert!(!award.contains("http-equiv"), "no redirect");
        assert!(
            !award.contains("style="),
            "no inline style: the CSP refuses it"
        );
        assert!(!award.contains("<script"), "no script on an award page");
        for href in attribute_values(award, "href").chain(attribute_values(award, "src")) {
            assert!(
                href.starts_with("/galeri/") || href.starts_with("https://"),
                "{href} is not path-absolute"
            );
        }

        // The stable listing pages: the target's card, then into the version.
        let stub = page(&r, "galeri/ovop-2026/33/index.html");
        assert!(
            stub.contains(&format!(
                "content=\"0; url=/galeri/v/{}/ovop-2026/33/index.html\"",
                r.version
            )),
            "{stub}"
        );
        assert!(stub.contains("<title>Pemenang Penghargaan OVOP 2026 dari Jawa Tengah"));
        // The script takes a filtered link's query along the redirect.
        assert!(stub.contains(&script), "{stub}");
        assert!(!page(&r, "galeri/404.html").contains("<script"));

        // The listing pages: the script's hook, winners at their stable pages.
        let round_page = page(&r, &format!("{v}ovop-2026/index.html"));
        assert!(round_page.contains("<svg class=\"chart\""));
        assert!(round_page.contains(&format!(
            "<div id=\"pemenang\" data-round=\"ovop-2026\" data-json=\"/galeri/v/{}/data/ovop-2026.json\">",
            r.version
        )), "{round_page}");
        assert!(round_page.contains("<li class=\"winner\" data-province=\"33\" data-regency=\"33.74\" data-commodity=\"kain_batik\" data-stars=\"3\" data-year=\"2026\"><a href=\"/galeri/penghargaan/A1/\">"), "{round_page}");
        assert!(round_page.contains("<span class=\"winner-name\">IKM &#60;Sentra&#62; A1</span>"));
        assert!(round_page.contains("href=\"33/index.html\""));
        assert!(round_page.contains(&stylesheet) && round_page.contains(&script));
        // Most stars first.
        assert!(
            round_page.find("Batik Tulis A1").unwrap() < round_page.find("Batik Tulis A2").unwrap()
        );
        let province = page(&r, &format!("{v}ovop-2026/33/index.html"));
        assert!(province.contains("id=\"pemenang\" data-round=\"ovop-2026\""));
        assert!(province.contains(&script));
        let index = page(&r, &format!("{v}index.html"));
        assert!(index.contains(&script));
        assert!(
            index.contains(&format!(
                "<div id=\"cari-semua\" data-index=\"/galeri/v/{}/data/index.json\" \
                 data-commodities=\"{{&#34;anyaman&#34;:&#34;Anyaman&#34;,",
                r.version
            )),
            "{index}"
        );
        for listing in [round_page, province, index] {
            assert!(!listing.contains("style="), "{listing}");
            assert_eq!(
                listing.matches("<script").count(),
                1,
                "only the script file"
            );
        }
        // The round's JSON leaves the stories to the award pages.
        let data = page(&r, &format!("{v}data/ovop-2026.json"));
        assert!(!data.contains("product_story") && !data.contains("Diwarnai"));
    }

    /// The values of attribute `name` in `html`.
    fn attribute_values<'a>(html: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
        let marker = format!(" {name}=\"");
        html.match_indices(&marker)
            .map(move |(i, m)| {
                let rest = &html[i + m.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect::<Vec<_>>()
            .into_iter()
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
