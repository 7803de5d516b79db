//! The scoring rubric: aspects → criteria with weights summing to 100, each criterion scored on
//! labelled levels (domain brief §6.3). Versioned per round and commodity group; the shipped
//! default is the brief's *proposed* rubric, marked as such, for the ministry to confirm or
//! replace before scoring starts.
//!
//! **Points**: a criterion of weight `w` scored at level `l` of `n` earns `w × l / n` points
//! (the old OVOP sheets' "1 to 3 points, scaled to the block's weight"): the top level earns the
//! whole weight, the lowest `w / n`. A sheet's total is kept exact, in units of `1 / D` points
//! where `D` is the least common multiple of the criteria's level counts ([`Rubric::unit`]),
//! so that a mean over assessors rounds once, in [`crate::stars::Score::from_ratio`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::commodity::Commodity;
use crate::errors::FieldErrors;
use crate::i18n::Text;
use crate::stars::Score;

/// Fewest and most levels a criterion may have.
pub const LEVELS: std::ops::RangeInclusive<usize> = 2..=5;
/// Most criteria in a rubric.
pub const MAX_CRITERIA: usize = 60;

/// One criterion: its weight in points and the labels of its levels, lowest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Criterion {
    /// Stable code within the rubric (`1.3`).
    pub code: String,
    pub name: Text,
    /// Points of the top level.
    pub weight: u32,
    /// Level 1 first.
    pub levels: Vec<Text>,
}

/// One aspect: a group of criteria; its weight is theirs summed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Aspect {
    pub code: String,
    pub name: Text,
    pub criteria: Vec<Criterion>,
}

impl Aspect {
    /// The aspect's weight: its criteria's summed.
    pub fn weight(&self) -> u32 {
        self.criteria.iter().map(|c| c.weight).sum()
    }
}

/// A rubric of a round, for one commodity group or (no group) for every group without its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rubric {
    pub round_id: String,
    /// The commodity group's code; none for the round's general rubric.
    pub commodity: Option<String>,
    pub name: Text,
    /// The brief's proposed default, not yet confirmed by the ministry.
    pub proposed_default: bool,
    pub aspects: Vec<Aspect>,
    /// Optimistic-locking version; every change increments it.
    #[serde(default)]
    pub version: u64,
    /// Set when the first score is in: the rubric no longer changes.
    #[serde(default)]
    pub frozen: bool,
}

/// What an admin sends to define a rubric (the round and commodity come from the path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RubricForm {
    pub name: Text,
    pub aspects: Vec<Aspect>,
}

/// Why a rubric cannot change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RubricError {
    #[error("the rubric is invalid")]
    Invalid(FieldErrors),
    /// Scoring has started.
    #[error("the rubric is frozen: scoring has started")]
    Frozen,
    /// If-Match named another version (or none was sent for an existing rubric).
    #[error("stale rubric version; current is {current}")]
    Stale { current: u64 },
    /// A rubric for this round and commodity exists already.
    #[error("the rubric exists")]
    Exists,
}

impl RubricError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RubricError::Invalid(_) => "validation",
            RubricError::Frozen => "rubric_frozen",
            RubricError::Stale { .. } => "stale",
            RubricError::Exists => "rubric_exists",
        }
    }

    /// What to tell the admin.
    pub fn message(&self) -> Text {
        match self {
            RubricError::Invalid(_) => Text::new("Rubrik tidak valid.", "The rubric is invalid."),
            RubricError::Frozen => Text::new(
                "Rubrik sudah dibekukan karena penilaian telah dimulai.",
                "The rubric is frozen: scoring has started.",
            ),
            RubricError::Stale { current } => Text::new(
                format!("Rubrik telah diubah (versi terkini {current}); muat ulang."),
                format!("The rubric was changed (current version {current}); reload it."),
            ),
            RubricError::Exists => Text::new(
                "Rubrik untuk komoditas ini sudah ada; ubah rubrik tersebut.",
                "A rubric for this commodity exists; change that one.",
            ),
        }
    }
}

/// A sheet's total, exact: `units / unit` points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Total {
    pub units: u64,
    pub unit: u64,
}

impl Total {
    /// The total as a score (rounded half up to the hundredth).
    pub fn score(self) -> Score {
        Score::from_ratio(self.units, self.unit).unwrap_or(Score::MAX)
    }
}

/// Why a sheet cannot be totalled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("criterion {0} is not scored")]
    Missing(String),
    #[error("criterion {code} has no level {level}")]
    NoSuchLevel { code: String, level: u8 },
    #[error("the rubric has no criterion {0}")]
    Unknown(String),
}

impl SheetError {
    /// The message for the assessor, in both languages.
    pub fn message(&self) -> Text {
        match self {
            SheetError::Missing(c) => Text::new(
                format!("Kriteria {c} belum dinilai."),
                format!("Criterion {c} is not scored yet."),
            ),
            SheetError::NoSuchLevel { code, level } => Text::new(
                format!("Kriteria {code} tidak memiliki tingkat {level}."),
                format!("Criterion {code} has no level {level}."),
            ),
            SheetError::Unknown(c) => Text::new(
                format!("Kriteria {c} tidak ada dalam rubrik."),
                format!("The rubric has no criterion {c}."),
            ),
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Longest rubric, aspect, criterion or level name, in characters.
pub const MAX_LABEL: usize = 200;

impl Rubric {
    /// The rubric `form` defines for `commodity` in `round_id`, replacing `current` (if any,
    /// read at `expected_version` from If-Match, required then): refused when frozen or
    /// invalid. No longer the proposed default once an admin defines it.
    pub fn define(
        round_id: &str,
        commodity: &str,
        form: RubricForm,
        current: Option<&Rubric>,
        expected_version: Option<u64>,
    ) -> Result<Rubric, RubricError> {
        let version = match current {
            Some(c) if c.frozen => return Err(RubricError::Frozen),
            Some(c) if expected_version != Some(c.version) => {
                return Err(RubricError::Stale { current: c.version })
            }
            Some(c) => c.version + 1,
            None => 1,
        };
        let rubric = Rubric {
            round_id: round_id.to_owned(),
            commodity: Some(commodity.to_owned()),
            name: form.name,
            proposed_default: false,
            aspects: form.aspects,
            version,
            frozen: false,
        };
        rubric.validate().map_err(RubricError::Invalid)?;
        Ok(rubric)
    }

    /// A copy of this rubric for `round_id` (version 1, not frozen), when that round has
    /// none for the commodity yet.
    pub fn copy_to(
        &self,
        round_id: &str,
        existing: Option<&Rubric>,
    ) -> Result<Rubric, RubricError> {
        if existing.is_some() {
            return Err(RubricError::Exists);
        }
        Ok(Rubric {
            round_id: round_id.to_owned(),
            version: 1,
            frozen: false,
            ..self.clone()
        })
    }

    /// Every criterion, in order.
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.aspects.iter().flat_map(|a| a.criteria.iter())
    }

    /// The criterion `code`.
    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria().find(|c| c.code == code)
    }

    /// The weights summed: 100 in a valid rubric.
    pub fn weight(&self) -> u32 {
        self.aspects.iter().map(Aspect::weight).sum()
    }

    /// `D`: a sheet's total is counted in `1 / D` points (the least common multiple of the
    /// criteria's level counts; at most 60 for 2–5 levels).
    pub fn unit(&self) -> u64 {
        self.criteria()
            .map(|c| c.levels.len().max(1) as u64)
            .fold(1, |l, n| l / gcd(l, n) * n)
    }

    /// Checks the rubric: at least one aspect; unique, non-empty codes; every criterion
    /// weighted and with 2 to 5 labelled levels; weights summing to 100.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.aspects.is_empty() {
            e.add(
                "aspects",
                Text::new("Rubrik memerlukan aspek.", "A rubric needs aspects."),
            );
        }
        let mut codes = BTreeSet::new();
        let mut count = 0;
        for (i, aspect) in self.aspects.iter().enumerate() {
            if aspect.criteria.is_empty() {
                e.add(
                    format!("aspects[{i}].criteria"),
                    Text::new("Aspek memerlukan kriteria.", "An aspect needs criteria."),
                );
            }
            for (j, c) in aspect.criteria.iter().enumerate() {
                count += 1;
                let at = format!("aspects[{i}].criteria[{j}]");
                if c.code.trim().is_empty() || !codes.insert(c.code.as_str()) {
                    e.add(
                        format!("{at}.code"),
                        Text::new(
                            "Kode kriteria harus diisi dan unik.",
                            "A criterion code must be given and unique.",
                        ),
                    );
                }
                if c.weight == 0 {
                    e.add(
                        format!("{at}.weight"),
                        Text::new("Bobot minimal 1.", "A weight of at least 1."),
                    );
                }
                if !LEVELS.contains(&c.levels.len()) {
                    e.add(
                        format!("{at}.levels"),
                        Text::new("Dua sampai lima tingkat.", "Two to five levels."),
                    );
                }
            }
        }
        if count > MAX_CRITERIA {
            e.add(
                "aspects",
                Text::new(
                    format!("Paling banyak {MAX_CRITERIA} kriteria."),
                    format!("At most {MAX_CRITERIA} criteria."),
                ),
            );
        }
        let labels = std::iter::once(("name".to_owned(), &self.name)).chain(
            self.aspects.iter().enumerate().flat_map(|(i, a)| {
                std::iter::once((format!("aspects[{i}].name"), &a.name)).chain(
                    a.criteria.iter().enumerate().flat_map(move |(j, c)| {
                        std::iter::once((format!("aspects[{i}].criteria[{j}].name"), &c.name))
                            .chain(c.levels.iter().enumerate().map(move |(k, l)| {
                                (format!("aspects[{i}].criteria[{j}].levels[{k}]"), l)
                            }))
                    }),
                )
            }),
        );
        for (at, label) in labels {
            let bad = |t: &str| t.trim().is_empty() || t.chars().count() > MAX_LABEL;
            if bad(&label.id) || bad(&label.en) {
                e.add(
                    at,
                    Text::new(
                        format!("Isi dalam kedua bahasa, paling banyak {MAX_LABEL} karakter."),
                        format!("Fill in both languages, at most {MAX_LABEL} characters."),
                    ),
                );
            }
        }
        let total = self.weight();
        if total != 100 {
            e.add(
                "aspects",
                Text::new(
                    format!("Jumlah bobot harus 100, bukan {total}."),
                    format!("The weights must sum to 100, not {total}."),
                ),
            );
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }

    /// The total of a sheet (criterion code → level from 1), exact. Every criterion must be
    /// scored, with a level it has.
    pub fn total(&self, levels: &BTreeMap<String, u8>) -> Result<Total, SheetError> {
        if let Some(unknown) = levels.keys().find(|k| self.criterion(k).is_none()) {
            return Err(SheetError::Unknown(unknown.clone()));
        }
        let unit = self.unit();
        let mut units = 0u64;
        for c in self.criteria() {
            let level = *levels
                .get(&c.code)
                .ok_or_else(|| SheetError::Missing(c.code.clone()))?;
            let n = c.levels.len() as u64;
            if level == 0 || u64::from(level) > n {
                return Err(SheetError::NoSuchLevel {
                    code: c.code.clone(),
                    level,
                });
            }
            units += u64::from(c.weight) * u64::from(level) * (unit / n);
        }
        Ok(Total { units, unit })
    }

    /// The criteria of a sheet scored at their lowest or highest level: each needs the
    /// assessor's comment.
    pub fn needs_comment<'a>(&'a self, levels: &'a BTreeMap<String, u8>) -> Vec<&'a str> {
        self.criteria()
            .filter(|c| {
                levels
                    .get(&c.code)
                    .is_some_and(|l| *l == 1 || usize::from(*l) == c.levels.len())
            })
            .map(|c| c.code.as_str())
            .collect()
    }

    /// The proposed default of the domain brief (§6.3) for `commodity` in `round_id`:
    /// uniqueness 25, quality 25, production 20, market 20, legality 10, every criterion on
    /// three levels. Marked [`Rubric::proposed_default`]: the ministry confirms or replaces it.
    pub fn proposed(round_id: &str, commodity: &Commodity) -> Rubric {
        let three = |low: (&str, &str), mid: (&str, &str), high: (&str, &str)| {
            vec![
                Text::new(low.0, low.1),
                Text::new(mid.0, mid.1),
                Text::new(high.0, high.1),
            ]
        };
        let plain = || three(("Kurang", "Weak"), ("Cukup", "Fair"), ("Baik", "Good"));
        let c = |code: &str, id: &str, en: &str, weight: u32, levels: Vec<Text>| Criterion {
            code: code.to_owned(),
            name: Text::new(id, en),
            weight,
            levels,
        };
        let a = |code: &str, id: &str, en: &str, criteria: Vec<Criterion>| Aspect {
            code: code.to_owned(),
            name: Text::new(id, en),
            criteria,
        };
        let legality = if commodity.food {
            c(
                "5.4",
                "Izin edar, sertifikat halal dan uji laboratorium",
                "Distribution permit, halal certificate and laboratory test",
                2,
                three(
                    ("Sebagian belum ada", "Some missing"),
                    ("Lengkap", "Complete"),
                    ("Lengkap dan terkini", "Complete and current"),
                ),
            )
        } else {
            c(
                "5.4",
                "Uji mutu atau standar produk",
                "Product quality testing or standards",
                2,
                plain(),
            )
        };
        Rubric {
            round_id: round_id.to_owned(),
            commodity: Some(commodity.code.clone()),
            name: Text::new(
                format!("Rubrik usulan — {}", commodity.name_id),
                format!("Proposed rubric — {}", commodity.name_en),
            ),
            proposed_default: true,
            version: 1,
            frozen: false,
            aspects: vec![
                a(
                    "1",
                    "Keunikan dan identitas lokal",
                    "Uniqueness and local identity",
                    vec![
                        c(
                            "1.1",
                            "Cerita budaya/warisan",
                            "Cultural or heritage story",
                            7,
                            plain(),
                        ),
                        c(
                            "1.2",
                            "Motif, desain atau teknik yang khas",
                            "Distinct motif, design or technique",
                            7,
                            plain(),
                        ),
                        c(
                            "1.3",
                            "Porsi bahan baku lokal",
                            "Share of local raw material",
                            6,
                            three(
                                ("< 80 %", "< 80 %"),
                                ("≥ 80 %", "≥ 80 %"),
                                ("100 %", "100 %"),
                            ),
                        ),
                        c(
                            "1.4",
                            "Dikenal sebagai unggulan daerah",
                            "Recognised as a regional flagship",
                            5,
                            plain(),
                        ),
                    ],
                ),
                a(
                    "2",
                    "Mutu dan tampilan produk",
                    "Product quality and appearance",
                    vec![
                        c(
                            "2.1",
                            "Kerapian pengerjaan atau mutu pangan",
                            "Craftsmanship or food quality",
                            8,
                            plain(),
                        ),
                        c(
                            "2.2",
                            "Konsistensi antarsampel",
                            "Consistency between samples",
                            6,
                            plain(),
                        ),
                        c(
                            "2.3",
                            "Kemasan dan label",
                            "Packaging and label",
                            6,
                            three(
                                ("Konvensional", "Conventional"),
                                ("Berkembang", "Developing"),
                                ("Standar komersial", "Commercial standard"),
                            ),
                        ),
                        c("2.4", "Merek", "Brand", 5, plain()),
                    ],
                ),
                a(
                    "3",
                    "Produksi dan keberlanjutan",
                    "Production and continuity",
                    vec![
                        c(
                            "3.1",
                            "Kapasitas produksi per bulan",
                            "Production capacity per month",
                            4,
                            plain(),
                        ),
                        c(
                            "3.2",
                            "Jaminan pasokan bahan baku",
                            "Raw-material supply security",
                            4,
                            three(
                                ("1 tahun", "1 year"),
                                ("1–3 tahun", "1–3 years"),
                                ("> 3 tahun", "> 3 years"),
                            ),
                        ),
                        c(
                            "3.3",
                            "Nilai tambah",
                            "Value added",
                            4,
                            three(
                                ("< 20 %", "< 20 %"),
                                ("20–60 %", "20–60 %"),
                                ("> 60 %", "> 60 %"),
                            ),
                        ),
                        c(
                            "3.4",
                            "Pengelolaan lingkungan",
                            "Environmental management",
                            4,
                            three(
                                ("Diabaikan", "Ignored"),
                                ("Berdampak tetapi terkendali", "Impact but controlled"),
                                ("Tanpa dampak", "No impact"),
                            ),
                        ),
                        c(
                            "3.5",
                            "Tenaga kerja dari sentra",
                            "Workforce from the sentra",
                            4,
                            plain(),
                        ),
                    ],
                ),
                a(
                    "4",
                    "Pasar dan usaha",
                    "Market and business",
                    vec![
                        c(
                            "4.1",
                            "Jangkauan pasar",
                            "Market reach",
                            5,
                            three(
                                ("Lokal", "Local"),
                                ("Nasional", "National"),
                                ("Ekspor", "Export"),
                            ),
                        ),
                        c(
                            "4.2",
                            "Saluran penjualan, termasuk digital",
                            "Sales channels, digital included",
                            4,
                            plain(),
                        ),
                        c("4.3", "Pertumbuhan penjualan", "Sales growth", 4, plain()),
                        c("4.4", "Penetapan harga", "Pricing", 3, plain()),
                        c(
                            "4.5",
                            "Manajemen dan pembukuan usaha",
                            "Business management and records",
                            4,
                            plain(),
                        ),
                    ],
                ),
                a(
                    "5",
                    "Legalitas dan standar",
                    "Legality and standards",
                    vec![
                        c(
                            "5.1",
                            "Izin usaha industri",
                            "Industrial business licence",
                            3,
                            plain(),
                        ),
                        c(
                            "5.2",
                            "Merek terdaftar (HKI)",
                            "Registered trademark (IPR)",
                            3,
                            plain(),
                        ),
                        c(
                            "5.3",
                            "SNI atau sertifikat lain",
                            "SNI or other certificates",
                            2,
                            plain(),
                        ),
                        legality,
                    ],
                ),
            ],
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::commodity::CommodityCatalog;

    pub(crate) fn batik_rubric() -> Rubric {
        let catalog = CommodityCatalog::default();
        Rubric::proposed("ovop-2026", catalog.get("kain_batik").unwrap())
    }

    fn all_at(r: &Rubric, level: u8) -> BTreeMap<String, u8> {
        r.criteria().map(|c| (c.code.clone(), level)).collect()
    }

    #[test]
    fn the_proposed_rubric_weighs_100_over_five_aspects_and_is_marked_as_proposed() {
        let catalog = CommodityCatalog::default();
        for group in &catalog.groups {
            let r = Rubric::proposed("ovop-2026", group);
            r.validate().unwrap();
            assert!(r.proposed_default);
            let weights: Vec<u32> = r.aspects.iter().map(Aspect::weight).collect();
            assert_eq!(weights, vec![25, 25, 20, 20, 10], "{}", group.code);
            assert_eq!(r.unit(), 3);
        }
        let food = Rubric::proposed("ovop-2026", catalog.get("makanan_minuman").unwrap());
        assert!(food.criterion("5.4").unwrap().name.en.contains("halal"));
        assert!(!batik_rubric()
            .criterion("5.4")
            .unwrap()
            .name
            .en
            .contains("halal"));
    }

    #[test]
    fn the_top_level_everywhere_scores_100_and_the_lowest_a_third() {
        let r = batik_rubric();
        assert_eq!(
            r.total(&all_at(&r, 3)).unwrap().score().to_string(),
            "100.00"
        );
        assert_eq!(
            r.total(&all_at(&r, 1)).unwrap().score().to_string(),
            "33.33"
        );
        assert_eq!(
            r.total(&all_at(&r, 2)).unwrap().score().to_string(),
            "66.67"
        );
        let mut sheet = all_at(&r, 3);
        sheet.insert("1.1".into(), 2); // 7 × 2/3 instead of 7
        let total = r.total(&sheet).unwrap();
        assert_eq!((total.units, total.unit), (293, 3));
        assert_eq!(total.score().to_string(), "97.67");
    }

    #[test]
    fn a_sheet_must_score_every_criterion_with_a_level_it_has() {
        let r = batik_rubric();
        let mut sheet = all_at(&r, 2);
        sheet.remove("3.2");
        assert_eq!(r.total(&sheet), Err(SheetError::Missing("3.2".into())));
        sheet.insert("3.2".into(), 4);
        assert!(matches!(
            r.total(&sheet),
            Err(SheetError::NoSuchLevel { level: 4, .. })
        ));
        sheet.insert("3.2".into(), 0);
        assert!(matches!(
            r.total(&sheet),
            Err(SheetError::NoSuchLevel { level: 0, .. })
        ));
        sheet.insert("3.2".into(), 2);
        sheet.insert("9.9".into(), 2);
        assert_eq!(r.total(&sheet), Err(SheetError::Unknown("9.9".into())));
    }

    #[test]
    fn the_lowest_and_highest_levels_need_a_comment() {
        let r = batik_rubric();
        let mut sheet = all_at(&r, 2);
        sheet.insert("1.1".into(), 1);
        sheet.insert("4.1".into(), 3);
        assert_eq!(r.needs_comment(&sheet), vec!["1.1", "4.1"]);
    }

    #[test]
    fn a_rubric_whose_weights_do_not_sum_to_100_or_with_bad_criteria_is_refused() {
        let mut r = batik_rubric();
        r.aspects[0].criteria[0].weight = 8;
        let e = r.validate().unwrap_err();
        assert!(e.get("aspects").unwrap().en.contains("not 101"));
        let mut r = batik_rubric();
        r.aspects[1].criteria[0].code = "1.1".into();
        r.aspects[2].criteria[0].levels.truncate(1);
        let e = r.validate().unwrap_err();
        assert!(e.get("aspects[1].criteria[0].code").is_some());
        assert!(e.get("aspects[2].criteria[0].levels").is_some());
    }

    #[test]
    fn mixed_level_counts_share_one_exact_unit() {
        let mut r = batik_rubric();
        // 1.1 on five levels, 1.2 on four: D = lcm(3, 5, 4) = 60.
        r.aspects[0].criteria[0].levels = (1..=5)
            .map(|i| Text::new(i.to_string(), i.to_string()))
            .collect();
        r.aspects[0].criteria[1].levels = (1..=4)
            .map(|i| Text::new(i.to_string(), i.to_string()))
            .collect();
        assert_eq!(r.unit(), 60);
        let mut sheet = all_at(&r, 3);
        sheet.insert("1.1".into(), 5);
        sheet.insert("1.2".into(), 4);
        assert_eq!(r.total(&sheet).unwrap().score(), Score::MAX);
    }

    fn form_of(r: &Rubric) -> RubricForm {
        RubricForm {
            name: r.name.clone(),
            aspects: r.aspects.clone(),
        }
    }

    #[test]
    fn an_admin_defines_a_rubric_then_changes_it_from_the_version_read_until_scoring_starts() {
        let proposed = batik_rubric();
        let defined =
            Rubric::define("ovop-2026", "kain_batik", form_of(&proposed), None, None).unwrap();
        assert_eq!(
            (defined.version, defined.proposed_default, defined.frozen),
            (1, false, false)
        );
        let mut changed = form_of(&defined);
        changed.aspects[0].criteria[0].weight = 6;
        changed.aspects[0].criteria[1].weight = 8;
        let v2 = Rubric::define(
            "ovop-2026",
            "kain_batik",
            changed.clone(),
            Some(&defined),
            Some(1),
        )
        .unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(
            Rubric::define(
                "ovop-2026",
                "kain_batik",
                changed.clone(),
                Some(&v2),
                Some(1)
            ),
            Err(RubricError::Stale { current: 2 })
        );
        assert_eq!(
            Rubric::define("ovop-2026", "kain_batik", changed.clone(), Some(&v2), None),
            Err(RubricError::Stale { current: 2 }),
            "changing an existing rubric needs If-Match"
        );
        let frozen = Rubric { frozen: true, ..v2 };
        assert_eq!(
            Rubric::define("ovop-2026", "kain_batik", changed, Some(&frozen), Some(2)),
            Err(RubricError::Frozen)
        );
    }

    #[test]
    fn a_rubric_with_blank_or_overlong_labels_is_refused_naming_them() {
        let mut form = form_of(&batik_rubric());
        form.aspects[1].criteria[2].levels[0].en = " ".into();
        form.aspects[0].name.id = "x".repeat(MAX_LABEL + 1);
        let Err(RubricError::Invalid(e)) =
            Rubric::define("ovop-2026", "kain_batik", form, None, None)
        else {
            panic!("refused")
        };
        assert!(e.get("aspects[1].criteria[2].levels[0]").is_some(), "{e:?}");
        assert!(e.get("aspects[0].name").is_some(), "{e:?}");
    }

    #[test]
    fn a_rubric_is_copied_to_a_round_that_has_none() {
        let last_year = Rubric {
            round_id: "ovop-2025".into(),
            version: 4,
            frozen: true,
            ..batik_rubric()
        };
        let copy = last_year.copy_to("ovop-2026", None).unwrap();
        assert_eq!(
            (copy.round_id.as_str(), copy.version, copy.frozen),
            ("ovop-2026", 1, false)
        );
        assert_eq!(copy.aspects, last_year.aspects);
        assert_eq!(
            last_year.copy_to("ovop-2026", Some(&copy)),
            Err(RubricError::Exists)
        );
    }
}
