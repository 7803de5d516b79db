//! The small/medium industry (IKM): legality number, size and classification.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// Nomor Induk Berusaha: the 13-digit business identification number from OSS.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nib(String);

impl Nib {
    pub fn parse(s: &str) -> Result<Self, Text> {
        let s = s.trim();
        if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Nib(s.to_owned()))
        } else {
            Err(Text::new(
                "NIB harus tepat 13 digit angka.",
                "The NIB must be exactly 13 digits.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Nib {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Nib::parse(&s).map_err(|t| t.en)
    }
}

impl From<Nib> for String {
    fn from(n: Nib) -> String {
        n.0
    }
}

impl fmt::Display for Nib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Number of workers, at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct WorkerCount(u32);

/// Largest believable workforce of one IKM; beyond it the number is a typo.
pub const MAX_WORKERS: u32 = 100_000;

impl WorkerCount {
    pub fn parse(n: u32) -> Result<Self, Text> {
        if (1..=MAX_WORKERS).contains(&n) {
            Ok(WorkerCount(n))
        } else {
            Err(Text::new(
                "Jumlah tenaga kerja minimal 1.",
                "The number of workers must be at least 1.",
            ))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for WorkerCount {
    type Error = String;
    fn try_from(n: u32) -> Result<Self, String> {
        WorkerCount::parse(n).map_err(|t| t.en)
    }
}

impl From<WorkerCount> for u32 {
    fn from(w: WorkerCount) -> u32 {
        w.0
    }
}

/// An amount in rupiah.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rupiah(pub u64);

/// Rp 1 billion: the small/medium investment boundary (Permenperin 64/2016).
pub const SMALL_INVESTMENT_LIMIT: Rupiah = Rupiah(1_000_000_000);
/// Rp 15 billion: the upper investment limit of a medium industry.
pub const MEDIUM_INVESTMENT_LIMIT: Rupiah = Rupiah(15_000_000_000);

/// Size class of an IKM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// Industri kecil: ≤ 19 workers and investment < Rp 1 billion.
    Kecil,
    /// Industri menengah: ≤ 19 workers with investment ≥ Rp 1 billion, or ≥ 20 workers with
    /// investment ≤ Rp 15 billion.
    Menengah,
}

impl SizeClass {
    /// Classifies by workers and investment (excluding land and buildings); a large industry
    /// is not an IKM and cannot be nominated.
    pub fn classify(workers: WorkerCount, investment: Rupiah) -> Result<SizeClass, Text> {
        if investment > MEDIUM_INVESTMENT_LIMIT {
            return Err(Text::new(
                "Investasi di atas Rp15 miliar termasuk industri besar, bukan IKM.",
                "Investment above Rp 15 billion makes a large industry, not an IKM.",
            ));
        }
        if workers.get() <= 19 && investment < SMALL_INVESTMENT_LIMIT {
            Ok(SizeClass::Kecil)
        } else {
            Ok(SizeClass::Menengah)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(n: u32) -> WorkerCount {
        WorkerCount::parse(n).unwrap()
    }

    #[test]
    fn nib_is_exactly_thirteen_digits() {
        assert!(Nib::parse("1234567890123").is_ok());
        assert!(Nib::parse(" 1234567890123 ").is_ok());
        assert!(Nib::parse("123456789012").is_err());
        assert!(Nib::parse("12345678901234").is_err());
        assert!(Nib::parse("12345678901a3").is_err());
    }

    #[test]
    fn size_class_follows_permenperin_64_2016() {
        let kecil = SizeClass::classify(w(19), Rupiah(999_999_999)).unwrap();
        assert_eq!(kecil, SizeClass::Kecil);
        let modal_besar = SizeClass::classify(w(19), SMALL_INVESTMENT_LIMIT).unwrap();
        assert_eq!(modal_besar, SizeClass::Menengah);
        let banyak_pekerja = SizeClass::classify(w(20), Rupiah(10)).unwrap();
        assert_eq!(banyak_pekerja, SizeClass::Menengah);
        assert!(SizeClass::classify(w(20), MEDIUM_INVESTMENT_LIMIT).is_ok());
        assert!(SizeClass::classify(w(20), Rupiah(15_000_000_001)).is_err());
    }

    #[test]
    fn zero_workers_is_refused() {
        assert!(WorkerCount::parse(0).is_err());
    }
}
