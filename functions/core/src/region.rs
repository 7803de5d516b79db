//! Indonesian administrative regions (Kemendagri codes): 38 provinces, 514 regencies/cities.
//!
//! The tables are embedded at build time from `data/*.csv` (idn-area-data, ODbL).

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

const PROVINCES_CSV: &str = include_str!("../data/provinces.csv");
const REGENCIES_CSV: &str = include_str!("../data/regencies.csv");

/// A province code, two digits (`"33"`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProvinceCode(String);

/// A regency/city code, `PP.KK` (`"33.26"`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegencyCode(String);

fn two_digits(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())
}

impl ProvinceCode {
    /// Parses a code of a province that exists in the reference table.
    pub fn parse(s: &str) -> Result<Self, Text> {
        let s = s.trim();
        if !two_digits(s) {
            return Err(Text::new(
                "Kode provinsi harus dua digit, mis. 33.",
                "A province code is two digits, e.g. 33.",
            ));
        }
        province(s)
            .map(|p| p.code.clone())
            .ok_or_else(|| Text::new("Provinsi tidak dikenal.", "Unknown province."))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RegencyCode {
    /// Parses a code of a regency/city that exists in the reference table.
    pub fn parse(s: &str) -> Result<Self, Text> {
        let s = s.trim();
        let well_formed = s
            .split_once('.')
            .is_some_and(|(p, k)| two_digits(p) && two_digits(k));
        if !well_formed {
            return Err(Text::new(
                "Kode kabupaten/kota berformat PP.KK, mis. 33.26.",
                "A regency/city code looks like PP.KK, e.g. 33.26.",
            ));
        }
        regency(s)
            .map(|r| r.code.clone())
            .ok_or_else(|| Text::new("Kabupaten/kota tidak dikenal.", "Unknown regency/city."))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province this regency/city belongs to.
    pub fn province(&self) -> ProvinceCode {
        ProvinceCode(self.0[..2].to_owned())
    }
}

macro_rules! string_newtype_conversions {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).map_err(|t| t.en)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype_conversions!(ProvinceCode);
string_newtype_conversions!(RegencyCode);

/// Indonesian time zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeZone {
    /// UTC+7, western Indonesia.
    Wib,
    /// UTC+8, central Indonesia.
    Wita,
    /// UTC+9, eastern Indonesia.
    Wit,
}

impl TimeZone {
    /// Offset from UTC in hours.
    pub fn utc_offset_hours(self) -> i32 {
        match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        }
    }

    /// The abbreviation people read on a clock.
    pub fn label(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }
}

/// Kind of second-level region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegencyKind {
    Kabupaten,
    Kota,
    /// Jakarta's administrative regency/cities, which are not autonomous.
    Administrasi,
}

/// A province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Province {
    pub code: ProvinceCode,
    pub name: String,
    pub time_zone: TimeZone,
}

/// A regency (kabupaten) or city (kota).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Regency {
    pub code: RegencyCode,
    pub province: ProvinceCode,
    pub name: String,
    pub kind: RegencyKind,
}

struct Tables {
    provinces: Vec<Province>,
    regencies: Vec<Regency>,
}

fn zone_of_province(code: &str) -> TimeZone {
    match code {
        // Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi.
        "51" | "52" | "53" | "63" | "64" | "65" | "71" | "72" | "73" | "74" | "75" | "76" => {
            TimeZone::Wita
        }
        // Maluku and Papua.
        c if c.starts_with('8') || c.starts_with('9') => TimeZone::Wit,
        _ => TimeZone::Wib,
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let provinces = PROVINCES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let (code, name) = line.split_once(',').expect("provinces.csv: code,name");
                Province {
                    code: ProvinceCode(code.to_owned()),
                    name: name.trim().to_owned(),
                    time_zone: zone_of_province(code),
                }
            })
            .collect();
        let regencies = REGENCIES_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut cols = line.splitn(3, ',');
                let code = cols.next().expect("regencies.csv: code");
                let province = cols.next().expect("regencies.csv: province_code");
                let name = cols.next().expect("regencies.csv: name").trim();
                let kind = if name.contains("Administrasi") {
                    RegencyKind::Administrasi
                } else if name.starts_with("Kota") {
                    RegencyKind::Kota
                } else {
                    RegencyKind::Kabupaten
                };
                Regency {
                    code: RegencyCode(code.to_owned()),
                    province: ProvinceCode(province.to_owned()),
                    name: name.to_owned(),
                    kind,
                }
            })
            .collect();
        Tables {
            provinces,
            regencies,
        }
    })
}

/// All provinces, by code.
pub fn provinces() -> &'static [Province] {
    &tables().provinces
}

/// All regencies/cities, by code.
pub fn regencies() -> &'static [Regency] {
    &tables().regencies
}

/// The province with this code.
pub fn province(code: &str) -> Option<&'static Province> {
    let all = provinces();
    all.binary_search_by(|p| p.code.0.as_str().cmp(code))
        .ok()
        .map(|i| &all[i])
}

/// The regency/city with this code.
pub fn regency(code: &str) -> Option<&'static Regency> {
    let all = regencies();
    all.binary_search_by(|r| r.code.0.as_str().cmp(code))
        .ok()
        .map(|i| &all[i])
}

/// Regencies/cities of one province.
pub fn regencies_of(province: &ProvinceCode) -> impl Iterator<Item = &'static Regency> + '_ {
    regencies().iter().filter(move |r| &r.province == province)
}

/// Case-insensitive search of regency/city names (`"semarang"` finds the regency and the city).
pub fn search_regencies(query: &str) -> Vec<&'static Regency> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    regencies()
        .iter()
        .filter(|r| r.name.to_lowercase().contains(&q))
        .collect()
}

/// The time zone in which a regency/city reads its clocks.
pub fn time_zone_of(regency: &RegencyCode) -> TimeZone {
    zone_of_province(regency.province().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_has_38_provinces_and_514_regencies() {
        assert_eq!(provinces().len(), 38);
        assert_eq!(regencies().len(), 514);
        let cities = regencies()
            .iter()
            .filter(|r| r.name.starts_with("Kota"))
            .count();
        let admin = regencies()
            .iter()
            .filter(|r| r.kind == RegencyKind::Administrasi)
            .count();
        assert_eq!(
            cities, 98,
            "98 cities incl. Jakarta's five administrative cities"
        );
        assert_eq!(admin, 6, "Jakarta's six administrative units");
    }

    #[test]
    fn tables_are_sorted_so_lookup_by_code_works_for_every_row() {
        for p in provinces() {
            assert_eq!(province(p.code.as_str()), Some(p));
        }
        for r in regencies() {
            assert_eq!(regency(r.code.as_str()), Some(r));
            assert!(province(r.province.as_str()).is_some());
            assert_eq!(r.code.province(), r.province);
        }
    }

    #[test]
    fn codes_parse_only_when_well_formed_and_known() {
        assert_eq!(RegencyCode::parse("33.26").unwrap().as_str(), "33.26");
        assert!(RegencyCode::parse("33.9").is_err());
        assert!(
            RegencyCode::parse("33.98").is_err(),
            "well-formed but unknown"
        );
        assert!(RegencyCode::parse("3326").is_err());
        assert!(ProvinceCode::parse("96").is_ok());
        assert!(ProvinceCode::parse("97").is_err());
    }

    #[test]
    fn province_of_a_regency_and_name_search() {
        let pekalongan = RegencyCode::parse("33.26").unwrap();
        assert_eq!(
            province(pekalongan.province().as_str()).unwrap().name,
            "Jawa Tengah"
        );
        let hits = search_regencies("semarang");
        assert!(hits.iter().any(|r| r.name == "Kota Semarang"));
        assert!(hits.iter().any(|r| r.name == "Kabupaten Semarang"));
        assert_eq!(regencies_of(&ProvinceCode::parse("31").unwrap()).count(), 6);
    }

    #[test]
    fn time_zones_follow_the_province() {
        let zone = |c: &str| time_zone_of(&RegencyCode::parse(c).unwrap());
        assert_eq!(zone("33.26"), TimeZone::Wib);
        assert_eq!(zone("51.71"), TimeZone::Wita);
        assert_eq!(zone("64.72"), TimeZone::Wita);
        assert_eq!(zone("61.71"), TimeZone::Wib);
        assert_eq!(zone("91.71"), TimeZone::Wit);
        assert_eq!(zone("81.71"), TimeZone::Wit);
    }
}
