//! Commodity groups: a configurable reference table, seeded with the five current groups.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// One commodity group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Commodity {
    /// Stable code (`makanan_minuman`, …).
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// Food & beverages need a distribution permit, halal certificate and lab test.
    pub food: bool,
    pub active: bool,
}

/// The table of commodity groups a round accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommodityCatalog {
    pub groups: Vec<Commodity>,
}

impl Default for CommodityCatalog {
    /// The five groups of Permenperin 14/2021.
    fn default() -> Self {
        let group = |code: &str, id: &str, en: &str, food: bool| Commodity {
            code: code.to_owned(),
            name_id: id.to_owned(),
            name_en: en.to_owned(),
            food,
            active: true,
        };
        CommodityCatalog {
            groups: vec![
                group(
                    "makanan_minuman",
                    "Makanan dan minuman",
                    "Food and beverages",
                    true,
                ),
                group("kain_tenun", "Kain tenun", "Woven cloth", false),
                group("kain_batik", "Kain batik", "Batik cloth", false),
                group("anyaman", "Anyaman", "Plaited crafts", false),
                group("gerabah", "Gerabah", "Earthenware and pottery", false),
            ],
        }
    }
}

impl CommodityCatalog {
    /// The active group with this code.
    pub fn find(&self, code: &str) -> Result<&Commodity, Text> {
        self.groups
            .iter()
            .find(|c| c.active && c.code == code.trim())
            .ok_or_else(|| {
                Text::new(
                    "Pilih salah satu kelompok komoditas.",
                    "Choose one of the commodity groups.",
                )
            })
    }

    /// The group with this code, active or not (a nomination keeps a group deactivated since).
    pub fn get(&self, code: &str) -> Option<&Commodity> {
        self.groups.iter().find(|c| c.code == code.trim())
    }

    /// Active groups, for pickers.
    pub fn active(&self) -> impl Iterator<Item = &Commodity> {
        self.groups.iter().filter(|c| c.active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_current_groups_and_only_food_needs_food_permits() {
        let catalog = CommodityCatalog::default();
        assert_eq!(catalog.active().count(), 5);
        assert!(catalog.find("makanan_minuman").unwrap().food);
        assert!(!catalog.find("gerabah").unwrap().food);
        assert!(catalog.find("perhiasan").is_err());
    }
}
