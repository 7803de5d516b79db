//! Field-level validation errors and the `application/problem+json` body.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

/// Validation errors keyed by the field's path (`ikm.nib`, `sentra.unit_count`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, Text>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error for `field`; the first error of a field wins.
    pub fn add(&mut self, field: impl Into<String>, message: Text) {
        self.0.entry(field.into()).or_insert(message);
    }

    /// A set holding one error.
    pub fn single(field: impl Into<String>, message: Text) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&Text> {
        self.0.get(field)
    }

    /// Keeps the result of a parse, recording its error under `field`.
    pub fn check<T, E: Into<Text>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.into());
                None
            }
        }
    }

    /// The messages in one language, for a problem body.
    pub fn localized(&self, lang: Lang) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.get(lang).to_owned()))
            .collect()
    }
}

/// Message for a required field left empty.
pub fn required() -> Text {
    Text::new("Wajib diisi.", "This field is required.")
}

/// An RFC 9457 problem body, as the API sends it and the SPA reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary in the requested language.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What happened, in the requested language.
    pub detail: String,
    /// Stable machine-readable code (`validation`, `version_conflict`, …).
    pub code: String,
    /// The language of `title`, `detail` and `errors` (`id` or `en`).
    pub lang: String,
    /// Field path → message, for validation problems.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
}
