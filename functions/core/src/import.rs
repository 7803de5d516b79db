//! Import of past awards (issue 14): the rows of a list of earlier winners, as read from a CSV
//! or XLSX file, checked with the same rules as everything else in core — regency codes, NIB,
//! commodity groups, star-scale bounds (domain brief §6.2) and decrees (§7).
//!
//! Each row is checked on its own and every bad field is reported at once, with the file's line
//! number, in Indonesian and English. A valid row carries an [`PastAward::import_key`] made of
//! the year, the regency and the IKM's normalised name, so importing the same file twice maps
//! every row to the same award: the second import changes nothing.
//!
//! Reading the file is the function's job; this module only sees strings.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::commodity::CommodityCatalog;
use crate::errors::{required, FieldErrors};
use crate::i18n::Text;
use crate::ikm::Nib;
use crate::region::{ProvinceCode, RegencyCode};
use crate::stars::{StarScale, Stars};
use crate::text::{clean, Lines, MAX_NAME};

/// The file's header, in this order; each name is also the field an error is reported under.
pub const COLUMNS: [&str; 10] = [
    "tahun",
    "nama_ikm",
    "nib",
    "produk",
    "komoditas",
    "kode_kabupaten_kota",
    "skala",
    "bintang",
    "nomor_keputusan",
    "tanggal_keputusan",
];

/// The first OVOP round.
pub const FIRST_YEAR: i32 = 2013;
/// The last round on the 1–5 scale.
pub const LAST_2013_SCALE_YEAR: i32 = 2018;
/// The first round on the 1–3 scale; there was no round in between.
pub const FIRST_2021_SCALE_YEAR: i32 = 2021;
/// Longest decree number, as for a round's decree.
const MAX_DECREE_NUMBER: usize = 120;

/// One row as read from the file: every cell as text, untrimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastAwardRow {
    pub year: String,
    pub ikm_name: String,
    /// May be empty: old lists often have no NIB.
    pub nib: String,
    pub product_name: String,
    /// A commodity group's code (`kain_batik`).
    pub commodity: String,
    /// `PP.KK`.
    pub regency_code: String,
    /// `ovop_2013` or `ovop_2021`; empty takes the year's scale.
    pub scale: String,
    pub stars: String,
    pub decree_number: String,
    /// `YYYY-MM-DD`.
    pub decree_date: String,
}

/// A row that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastAward {
    pub year: i32,
    pub ikm_name: String,
    pub nib: Option<Nib>,
    pub product_name: String,
    pub commodity: String,
    pub regency_code: RegencyCode,
    pub province_code: ProvinceCode,
    pub stars: Stars,
    pub decree_number: String,
    pub decree_date: NaiveDate,
}

/// A row refused, with every field's error and the file's line number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: usize,
    pub errors: FieldErrors,
}

/// What an import would do: the rows to write and the rows refused, in the file's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub accepted: Vec<PastAward>,
    pub rejected: Vec<RejectedRow>,
}

impl PastAwardRow {
    /// Checks the row found on `line` of the file, `this_year` being the current year.
    pub fn validate(
        &self,
        line: usize,
        commodities: &CommodityCatalog,
        this_year: i32,
    ) -> Result<PastAward, RejectedRow> {
        let mut e = FieldErrors::new();
        let year = e.check("tahun", parse_year(&self.year, this_year));
        let ikm_name = e.check("nama_ikm", one_line(&self.ikm_name, MAX_NAME));
        let nib = e.check("nib", parse_nib(&self.nib));
        let product_name = e.check("produk", one_line(&self.product_name, MAX_NAME));
        let commodity = e.check(
            "komoditas",
            commodities.find(&self.commodity).map(|c| c.code.clone()),
        );
        let regency_code = e.check(
            "kode_kabupaten_kota",
            RegencyCode::parse(&self.regency_code),
        );
        let scale = e.check("skala", parse_scale(&self.scale, year));
        let stars = e.check("bintang", parse_stars(&self.stars, scale));
        let decree_number = e.check(
            "nomor_keputusan",
            one_line(&self.decree_number, MAX_DECREE_NUMBER),
        );
        let decree_date = e.check(
            "tanggal_keputusan",
            parse_decree_date(&self.decree_date, year, this_year),
        );
        match (
            year,
            ikm_name,
            nib,
            product_name,
            commodity,
            regency_code,
            stars,
            decree_number,
            decree_date,
        ) {
            (
                Some(year),
                Some(ikm_name),
                Some(nib),
                Some(product_name),
                Some(commodity),
                Some(regency_code),
                Some(Some(stars)),
                Some(decree_number),
                Some(decree_date),
            ) if e.is_empty() => Ok(PastAward {
                year,
                ikm_name,
                nib,
                product_name,
                commodity,
                province_code: regency_code.province(),
                regency_code,
                stars,
                decree_number,
                decree_date,
            }),
            _ => Err(RejectedRow { line, errors: e }),
        }
    }
}

impl PastAward {
    /// The award's stable id: `past-{year}-{PPKK}-{hash}`, the hash being of the IKM's name
    /// lower-cased, with punctuation dropped and spaces collapsed (`CV. Batik  Sekar` and
    /// `cv batik sekar` are one IKM). One IKM has at most one award a year.
    pub fn import_key(&self) -> String {
        let digest = Sha256::digest(normalised_name(&self.ikm_name).as_bytes());
        let hash: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        let regency = self.regency_code.as_str().replace('.', "");
        format!("past-{}-{regency}-{hash}", self.year)
    }
}

/// Checks every `(line, row)` of a file, and refuses a row naming the same award (same
/// [`PastAward::import_key`]) as an earlier one.
pub fn validate_all(
    rows: impl IntoIterator<Item = (usize, PastAwardRow)>,
    commodities: &CommodityCatalog,
    this_year: i32,
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for (line, row) in rows {
        match row.validate(line, commodities, this_year) {
            Ok(award) => match first_line.get(&award.import_key()) {
                Some(&first) => report.rejected.push(RejectedRow {
                    line,
                    errors: FieldErrors::single("nama_ikm", duplicate_of(first)),
                }),
                None => {
                    first_line.insert(award.import_key(), line);
                    report.accepted.push(award);
                }
            },
            Err(rejected) => report.rejected.push(rejected),
        }
    }
    report
}

fn duplicate_of(first: usize) -> Text {
    Text::new(
        format!(
            "IKM ini sudah tercantum untuk tahun dan kabupaten/kota yang sama di baris {first}."
        ),
        format!("This IKM is already listed for the same year and regency/city on line {first}."),
    )
}

fn normalised_name(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn one_line(value: &str, max: usize) -> Result<String, Text> {
    clean(value, max, Lines::Single).map_err(Text::from)
}

fn parse_nib(value: &str) -> Result<Option<Nib>, Text> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        Nib::parse(value).map(Some)
    }
}

fn parse_year(value: &str, this_year: i32) -> Result<i32, Text> {
    let value = value.trim();
    if value.is_empty() {
        return Err(required());
    }
    let year = value
        .parse::<i32>()
        .ok()
        .filter(|y| (FIRST_YEAR..=this_year).contains(y))
        .ok_or_else(|| {
            Text::new(
                format!("Tahun harus antara {FIRST_YEAR} dan {this_year}."),
                format!("The year must be between {FIRST_YEAR} and {this_year}."),
            )
        })?;
    if year > LAST_2013_SCALE_YEAR && year < FIRST_2021_SCALE_YEAR {
        return Err(Text::new(
            format!("Tidak ada putaran OVOP pada tahun {year}."),
            format!("There was no OVOP round in {year}."),
        ));
    }
    Ok(year)
}

/// The scale of the row; `None` when the year is unknown and the cell is empty.
fn parse_scale(value: &str, year: Option<i32>) -> Result<Option<StarScale>, Text> {
    let of_year = year.map(|y| {
        if y <= LAST_2013_SCALE_YEAR {
            StarScale::Ovop2013
        } else {
            StarScale::Ovop2021
        }
    });
    let given = match value.trim().to_ascii_lowercase().as_str() {
        "" => return Ok(of_year),
        "ovop_2013" => StarScale::Ovop2013,
        "ovop_2021" => StarScale::Ovop2021,
        _ => {
            return Err(Text::new(
                "Skala harus ovop_2013 (1–5 bintang) atau ovop_2021 (1–3 bintang).",
                "The scale must be ovop_2013 (1–5 stars) or ovop_2021 (1–3 stars).",
            ))
        }
    };
    match (of_year, year) {
        (Some(expected), Some(year)) if expected != given => Err(Text::new(
            format!(
                "Penghargaan tahun {year} memakai skala {}.",
                scale_name(expected)
            ),
            format!(
                "An award of {year} is on the {} scale.",
                scale_name(expected)
            ),
        )),
        _ => Ok(Some(given)),
    }
}

fn scale_name(scale: StarScale) -> &'static str {
    match scale {
        StarScale::Ovop2013 => "ovop_2013",
        StarScale::Ovop2021 => "ovop_2021",
    }
}

/// The stars on `scale`; `None` when the scale is unknown (its own error is reported).
fn parse_stars(value: &str, scale: Option<Option<StarScale>>) -> Result<Option<Stars>, Text> {
    let value = value.trim();
    if value.is_empty() {
        return Err(required());
    }
    let not_a_level = |max: u8| {
        Text::new(
            format!("Bintang harus bilangan bulat 1 sampai {max}."),
            format!("Stars must be a whole number from 1 to {max}."),
        )
    };
    let scale = scale.flatten();
    let widest = StarScale::Ovop2013.max_stars();
    let n = value
        .parse::<u8>()
        .map_err(|_| not_a_level(scale.map_or(widest, StarScale::max_stars)))?;
    match scale {
        Some(scale) => Stars::new(scale, n)
            .map(Some)
            .ok_or_else(|| not_a_level(scale.max_stars())),
        None if (1..=widest).contains(&n) => Ok(None),
        None => Err(not_a_level(widest)),
    }
}

fn parse_decree_date(value: &str, year: Option<i32>, this_year: i32) -> Result<NaiveDate, Text> {
    let value = value.trim();
    if value.is_empty() {
        return Err(required());
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        Text::new(
            "Tanggal keputusan berformat TTTT-BB-HH, mis. 2018-12-20.",
            "The decree's date looks like YYYY-MM-DD, e.g. 2018-12-20.",
        )
    })?;
    if date.year() > this_year {
        return Err(Text::new(
            "Tanggal keputusan tidak boleh di masa depan.",
            "The decree cannot be dated in the future.",
        ));
    }
    match year {
        Some(year) if date.year() < year => Err(Text::new(
            format!("Keputusan penghargaan tahun {year} tidak mungkin bertanggal sebelum {year}."),
            format!("The decree of a {year} award cannot be dated before {year}."),
        )),
        _ => Ok(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THIS_YEAR: i32 = 2026;
    const EXAMPLE: &str = include_str!("../../../docs/examples/penghargaan-2018.csv");

    fn good() -> PastAwardRow {
        PastAwardRow {
            year: "2018".into(),
            ikm_name: "CV Contoh Batik Sekar Fiktif".into(),
            nib: "1234567890123".into(),
            product_name: "Batik tulis motif contoh".into(),
            commodity: "kain_batik".into(),
            regency_code: "33.26".into(),
            scale: "".into(),
            stars: "4".into(),
            decree_number: "123/M-IND/Kep/12/2018".into(),
            decree_date: "2018-12-20".into(),
        }
    }

    fn check(row: &PastAwardRow) -> Result<PastAward, RejectedRow> {
        row.validate(7, &CommodityCatalog::default(), THIS_YEAR)
    }

    fn error_fields(row: &PastAwardRow) -> Vec<String> {
        check(row).unwrap_err().errors.0.into_keys().collect()
    }

    /// A row of the example file, cells in [`COLUMNS`] order (no quoted cells there).
    fn from_cells(line: &str) -> PastAwardRow {
        let c: Vec<&str> = line.split(',').collect();
        assert_eq!(c.len(), COLUMNS.len(), "{line}");
        PastAwardRow {
            year: c[0].into(),
            ikm_name: c[1].into(),
            nib: c[2].into(),
            product_name: c[3].into(),
            commodity: c[4].into(),
            regency_code: c[5].into(),
            scale: c[6].into(),
            stars: c[7].into(),
            decree_number: c[8].into(),
            decree_date: c[9].into(),
        }
    }

    #[test]
    fn a_good_row_is_accepted_on_the_scale_of_its_year() {
        let award = check(&good()).unwrap();
        assert_eq!(award.year, 2018);
        assert_eq!(award.stars, Stars::new(StarScale::Ovop2013, 4).unwrap());
        assert_eq!(award.regency_code.as_str(), "33.26");
        assert_eq!(award.province_code.as_str(), "33");
        assert_eq!(award.nib.as_ref().map(Nib::as_str), Some("1234567890123"));
        assert_eq!(
            award.decree_date,
            NaiveDate::from_ymd_opt(2018, 12, 20).unwrap()
        );
    }

    #[test]
    fn an_empty_nib_is_allowed() {
        let row = PastAwardRow {
            nib: " ".into(),
            ..good()
        };
        assert_eq!(check(&row).unwrap().nib, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once_with_its_line() {
        let row = PastAwardRow {
            year: "2018".into(),
            ikm_name: "   ".into(),
            nib: "12345".into(),
            product_name: "Batik\nsatu".into(),
            commodity: "perhiasan".into(),
            regency_code: "33.99".into(),
            scale: "ovop_2030".into(),
            stars: "tiga".into(),
            decree_number: "".into(),
            decree_date: "20-12-2018".into(),
        };
        let rejected = check(&row).unwrap_err();
        assert_eq!(rejected.line, 7);
        let fields: Vec<&str> = rejected.errors.0.keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = COLUMNS.iter().copied().filter(|c| *c != "tahun").collect();
        expected.sort_unstable();
        assert_eq!(fields, expected);
        let nib = rejected.errors.get("nib").unwrap();
        assert!(nib.id.contains("13 digit") && nib.en.contains("13 digits"));
    }

    #[test]
    fn scale_bounds_are_one_to_five_on_ovop_2013() {
        for (stars, ok) in [("0", false), ("1", true), ("5", true), ("6", false)] {
            let row = PastAwardRow {
                stars: stars.into(),
                scale: "ovop_2013".into(),
                ..good()
            };
            assert_eq!(check(&row).is_ok(), ok, "{stars} stars");
        }
        let six = PastAwardRow {
            stars: "6".into(),
            ..good()
        };
        assert_eq!(error_fields(&six), ["bintang"]);
        assert!(check(&six)
            .unwrap_err()
            .errors
            .get("bintang")
            .unwrap()
            .en
            .contains("1 to 5"));
    }

    #[test]
    fn scale_bounds_are_one_to_three_on_ovop_2021() {
        let on_2021 = |stars: &str| PastAwardRow {
            year: "2022".into(),
            stars: stars.into(),
            decree_date: "2022-11-30".into(),
            ..good()
        };
        let three = check(&on_2021("3")).unwrap();
        assert_eq!(three.stars, Stars::new(StarScale::Ovop2021, 3).unwrap());
        assert!(check(&on_2021("0")).is_err());
        let four = check(&on_2021("4")).unwrap_err();
        assert!(four.errors.get("bintang").unwrap().en.contains("1 to 3"));
    }

    #[test]
    fn the_scale_must_be_the_one_of_the_year() {
        let old_on_new = PastAwardRow {
            scale: "ovop_2021".into(),
            stars: "2".into(),
            ..good()
        };
        assert_eq!(error_fields(&old_on_new), ["skala"]);
        let new_on_old = PastAwardRow {
            year: "2024".into(),
            scale: "ovop_2013".into(),
            stars: "2".into(),
            decree_date: "2024-10-01".into(),
            ..good()
        };
        assert_eq!(error_fields(&new_on_old), ["skala"]);
    }

    #[test]
    fn years_without_a_round_or_out_of_range_are_refused() {
        for year in ["2012", "2019", "2020", "2027", "dua ribu"] {
            let row = PastAwardRow {
                year: year.into(),
                ..good()
            };
            assert_eq!(error_fields(&row), ["tahun"], "{year}");
        }
    }

    #[test]
    fn a_decree_cannot_predate_its_year_nor_be_in_the_future() {
        let early = PastAwardRow {
            decree_date: "2017-12-31".into(),
            ..good()
        };
        assert_eq!(error_fields(&early), ["tanggal_keputusan"]);
        let future = PastAwardRow {
            year: "2026".into(),
            scale: "".into(),
            stars: "3".into(),
            decree_date: "2027-01-02".into(),
            ..good()
        };
        assert_eq!(error_fields(&future), ["tanggal_keputusan"]);
    }

    #[test]
    fn an_unknown_regency_code_is_refused() {
        for code in ["33.99", "3326", "Pekalongan"] {
            let row = PastAwardRow {
                regency_code: code.into(),
                ..good()
            };
            assert_eq!(error_fields(&row), ["kode_kabupaten_kota"], "{code}");
        }
    }

    #[test]
    fn a_malformed_nib_is_refused() {
        for nib in ["12345", "12345678901234", "12345678901a3"] {
            let row = PastAwardRow {
                nib: nib.into(),
                ..good()
            };
            assert_eq!(error_fields(&row), ["nib"], "{nib}");
        }
    }

    #[test]
    fn a_duplicate_in_the_file_is_refused_naming_the_first_line() {
        let same_ikm = PastAwardRow {
            ikm_name: "cv. contoh batik  sekar fiktif".into(),
            product_name: "Another product".into(),
            ..good()
        };
        let other_year = PastAwardRow {
            year: "2015".into(),
            decree_date: "2015-12-01".into(),
            decree_number: "456/M-IND/Kep/12/2015".into(),
            ..good()
        };
        let report = validate_all(
            [(2, good()), (3, other_year), (5, same_ikm)],
            &CommodityCatalog::default(),
            THIS_YEAR,
        );
        assert_eq!(report.accepted.len(), 2);
        assert_eq!(report.rejected.len(), 1);
        let duplicate = &report.rejected[0];
        assert_eq!(duplicate.line, 5);
        let message = duplicate.errors.get("nama_ikm").unwrap();
        assert!(message.id.contains("baris 2") && message.en.contains("line 2"));
    }

    #[test]
    fn the_same_rows_twice_give_the_same_import_keys() {
        let rows = || {
            vec![
                (2, good()),
                (
                    3,
                    PastAwardRow {
                        regency_code: "35.07".into(),
                        ..good()
                    },
                ),
            ]
        };
        let keys = |report: ImportReport| -> Vec<String> {
            report.accepted.iter().map(PastAward::import_key).collect()
        };
        let first = keys(validate_all(
            rows(),
            &CommodityCatalog::default(),
            THIS_YEAR,
        ));
        let second = keys(validate_all(
            rows(),
            &CommodityCatalog::default(),
            THIS_YEAR,
        ));
        assert_eq!(first.len(), 2);
        assert_eq!(first, second);
        assert_ne!(first[0], first[1]);
        assert!(first[0].starts_with("past-2018-3326-"), "{}", first[0]);
    }

    #[test]
    fn the_example_file_validates_except_its_marked_bad_rows() {
        let mut lines = EXAMPLE.lines().enumerate().map(|(i, l)| (i + 1, l));
        let (_, header) = lines.next().unwrap();
        assert_eq!(header.split(',').collect::<Vec<_>>(), COLUMNS);
        let mut rows = Vec::new();
        let mut bad_lines = Vec::new();
        let mut next_is_bad = false;
        for (n, line) in lines {
            if line.starts_with('#') {
                next_is_bad = line.starts_with("# bad:");
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            if std::mem::take(&mut next_is_bad) {
                bad_lines.push(n);
            }
            rows.push((n, from_cells(line)));
        }
        let report = validate_all(rows, &CommodityCatalog::default(), THIS_YEAR);
        let rejected: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(rejected, bad_lines, "{:#?}", report.rejected);
        let reasons: Vec<Vec<&str>> = report
            .rejected
            .iter()
            .map(|r| r.errors.0.keys().map(String::as_str).collect())
            .collect();
        assert_eq!(reasons, [["kode_kabupaten_kota"], ["bintang"], ["nib"]]);
        assert_eq!(report.accepted.len(), 12);
        let star_levels: std::collections::BTreeSet<u8> =
            report.accepted.iter().map(|a| a.stars.stars).collect();
        assert_eq!(star_levels.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    }
}
