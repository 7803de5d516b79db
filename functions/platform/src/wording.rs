//! Deserializer errors in words for the person who sent the value.
//!
//! serde's messages name Rust types (`expected struct NominationForm`, `expected u32`,
//! `Option<…>`); they are rewritten here, in Bahasa Indonesia and English, and never shown.

use ovop_core::errors::required;
use ovop_core::Text;

/// What a deserializer's error message means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Explained {
    /// A field the message names itself (missing, unknown or repeated), below the error's path.
    pub field: Option<String>,
    /// What to tell the caller.
    pub message: Text,
    /// Whether the error's path may end with [`Explained::field`] already (serde_path_to_error
    /// records an unknown key before its error, but not a missing one).
    field_may_end_the_path: bool,
}

impl Explained {
    fn of(message: Text) -> Self {
        Explained {
            field: None,
            message,
            field_may_end_the_path: false,
        }
    }

    /// The field's full path: `path` (serde_path_to_error's, `.` for the root) joined with the
    /// field the message names; `root` when both are empty.
    pub fn field_path(&self, path: &str, root: &str) -> String {
        let path = if path == "." { "" } else { path };
        match (path, self.field.as_deref()) {
            ("", None) => root.to_owned(),
            ("", Some(field)) => field.to_owned(),
            (path, None) => path.to_owned(),
            (path, Some(field))
                if self.field_may_end_the_path
                    && (path == field || path.ends_with(&format!(".{field}"))) =>
            {
                path.to_owned()
            }
            (path, Some(field)) => format!("{path}.{field}"),
        }
    }
}

/// Explains a serde error message (serde's standard wording, serde_json's, serde_urlencoded's
/// and the standard parsers').
pub(crate) fn explain(message: &str) -> Explained {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("missing field ") {
        return Explained {
            field: ticked(rest).map(str::to_owned),
            message: required(),
            field_may_end_the_path: false,
        };
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let known = choices(rest);
        return Explained {
            field: ticked(rest).map(str::to_owned),
            message: if known.is_empty() {
                Text::new("Kolom ini tidak dikenal.", "Unknown field.")
            } else {
                Text::new(
                    format!("Kolom ini tidak dikenal. Kolom yang dikenal: {known}."),
                    format!("Unknown field. Known fields: {known}."),
                )
            },
            field_may_end_the_path: true,
        };
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        return Explained {
            field: ticked(rest).map(str::to_owned),
            message: Text::new(
                "Kolom ini muncul lebih dari sekali.",
                "This field is given more than once.",
            ),
            field_may_end_the_path: true,
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let known = choices(rest);
        return Explained::of(if known.is_empty() {
            Text::new("Pilihan tidak dikenal.", "Unknown choice.")
        } else {
            Text::new(
                format!("Pilihan tidak dikenal. Pilih salah satu: {known}."),
                format!("Unknown choice. Choose one of: {known}."),
            )
        });
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return Explained::of(expected_kind(expected(rest)).wrong_type());
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        return Explained::of(expected_kind(expected(rest)).wrong_value());
    }
    if message.starts_with("invalid length ") {
        return Explained::of(Text::new(
            "Jumlah unsur tidak sesuai.",
            "Wrong number of elements.",
        ));
    }
    Explained::of(parser_message(message))
}

/// The message for a value that a parser of `expected_type` (a Rust type name, as axum's path
/// extractor reports it) refused.
pub(crate) fn explain_expected(expected_type: &str) -> Text {
    expected_kind(expected_type).wrong_type()
}

/// The text between the first pair of backticks.
fn ticked(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some(&s[start..start + len])
}

/// `a, b` from serde's "…, expected one of `a`, `b`" or "…, expected `a` or `b`" (empty when
/// it lists none).
fn choices(s: &str) -> String {
    let Some((_, list)) = s.split_once(", expected ") else {
        return String::new();
    };
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|choice| choice.trim().trim_matches('`'))
        .filter(|choice| !choice.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What serde says it expected: the text after the last ", expected ".
fn expected(rest: &str) -> &str {
    rest.rsplit_once(", expected ")
        .map(|(_, e)| e.trim())
        .unwrap_or("")
}

/// The kinds of value a field can expect, as far as a caller needs to know.
enum Kind {
    /// A whole number within `min..=max`.
    Integer {
        min: i128,
        max: i128,
    },
    Number,
    Text,
    Boolean,
    Object,
    List,
    DateTime,
    Other,
}

fn expected_kind(expected: &str) -> Kind {
    let integer = |min: i128, max: i128| Kind::Integer { min, max };
    match expected {
        "u8" => integer(0, u8::MAX.into()),
        "u16" => integer(0, u16::MAX.into()),
        "u32" => integer(0, u32::MAX.into()),
        "u64" | "usize" => integer(0, u64::MAX.into()),
        "i8" => integer(i8::MIN.into(), i8::MAX.into()),
        "i16" => integer(i16::MIN.into(), i16::MAX.into()),
        "i32" => integer(i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => integer(i64::MIN.into(), i64::MAX.into()),
        "u128" => integer(0, i128::MAX),
        "i128" => integer(i128::MIN, i128::MAX),
        "f32" | "f64" => Kind::Number,
        "a string" | "a borrowed string" | "string" | "a character" | "char" | "String"
        | "&str" => Kind::Text,
        "a boolean" | "bool" => Kind::Boolean,
        e if e.starts_with("struct ") || e.starts_with("a map") || e == "map" => Kind::Object,
        e if e.starts_with("a sequence")
            || e.starts_with("a tuple")
            || e.starts_with("tuple")
            || e.starts_with("an array")
            || e.starts_with("a list") =>
        {
            Kind::List
        }
        e if e.contains("date") || e.contains("time") => Kind::DateTime,
        _ => Kind::Other,
    }
}

impl Kind {
    /// The message for a value of another type.
    fn wrong_type(&self) -> Text {
        match self {
            Kind::Integer { .. } => {
                Text::new("Harus berupa bilangan bulat.", "Must be a whole number.")
            }
            Kind::Number => Text::new("Harus berupa angka.", "Must be a number."),
            Kind::Text => Text::new("Harus berupa teks.", "Must be text."),
            Kind::Boolean => Text::new("Harus true atau false.", "Must be true or false."),
            Kind::Object => Text::new(
                "Harus berupa objek JSON { … }.",
                "Must be a JSON object { … }.",
            ),
            Kind::List => Text::new(
                "Harus berupa daftar (array JSON).",
                "Must be a list (JSON array).",
            ),
            Kind::DateTime => date_time(),
            Kind::Other => wrong_format(),
        }
    }

    /// The message for a value of the right type but out of its range.
    fn wrong_value(&self) -> Text {
        match self {
            Kind::Integer { min, max } => Text::new(
                format!("Harus bilangan bulat dari {min} sampai {max}."),
                format!("Must be a whole number from {min} to {max}."),
            ),
            other => other.wrong_type(),
        }
    }
}

fn date_time() -> Text {
    Text::new(
        "Harus berupa tanggal dan waktu RFC 3339, mis. 2026-08-31T16:59:59Z.",
        "Must be an RFC 3339 date and time, e.g. 2026-08-31T16:59:59Z.",
    )
}

fn wrong_format() -> Text {
    Text::new(
        "Nilai tidak sesuai format.",
        "The value has the wrong type or format.",
    )
}

/// Messages of the standard parsers (as serde_urlencoded passes them on) and of chrono's.
fn parser_message(message: &str) -> Text {
    match message {
        "invalid digit found in string" | "cannot parse integer from empty string" => {
            Kind::Integer { min: 0, max: 0 }.wrong_type()
        }
        "number too large to fit in target type" | "number too small to fit in target type" => {
            Text::new(
                "Angka di luar rentang yang diizinkan.",
                "The number is out of range.",
            )
        }
        "invalid float literal" | "cannot parse float from empty string" => {
            Kind::Number.wrong_type()
        }
        "provided string was not `true` or `false`" => Kind::Boolean.wrong_type(),
        "input is out of range"
        | "no possible date and time matching input"
        | "input is not enough for unique date and time"
        | "input contains invalid characters"
        | "premature end of input"
        | "trailing input" => date_time(),
        _ => wrong_format(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that would give a Rust type away.
    fn leaks_rust(text: &Text) -> bool {
        [&text.id, &text.en].iter().any(|t| {
            [
                "struct", "enum ", "u32", "i32", "u64", "Option", "String", "<", "::",
            ]
            .iter()
            .any(|w| t.contains(w))
        })
    }

    #[test]
    fn type_errors_speak_of_kinds_not_rust_types() {
        for (message, en) in [
            (r#"invalid type: string "dua", expected u32"#, "Must be a whole number."),
            (
                "invalid value: integer `-1`, expected u32",
                "Must be a whole number from 0 to 4294967295.",
            ),
            (r#"invalid type: string "x", expected struct NominationForm"#, "Must be a JSON object { … }."),
            ("invalid type: integer `5`, expected a string", "Must be text."),
            ("invalid type: floating point `1.5`, expected i32", "Must be a whole number."),
            ("invalid type: map, expected enum Role", "The value has the wrong type or format."),
            ("invalid type: string \"a, expected b\", expected f64", "Must be a number."),
            ("invalid type: null, expected a boolean", "Must be true or false."),
            ("invalid type: map, expected a sequence", "Must be a list (JSON array)."),
            ("invalid type: integer `3`, expected a formatted date and time string or a unix timestamp", "Must be an RFC 3339 date and time, e.g. 2026-08-31T16:59:59Z."),
            ("input contains invalid characters", "Must be an RFC 3339 date and time, e.g. 2026-08-31T16:59:59Z."),
            ("invalid digit found in string", "Must be a whole number."),
            ("something about Option<Foo> and struct Bar", "The value has the wrong type or format."),
        ] {
            let explained = explain(message);
            assert_eq!(explained.message.en, en, "{message}");
            assert!(!leaks_rust(&explained.message), "{message}: {explained:?}");
            assert_eq!(explained.field, None);
        }
    }

    #[test]
    fn missing_unknown_and_repeated_fields_are_named() {
        let missing = explain("missing field `user_id`");
        assert_eq!(missing.field.as_deref(), Some("user_id"));
        assert_eq!(missing.message, required());
        let unknown = explain("unknown field `nama`, expected one of `name`, `nib`");
        assert_eq!(unknown.field.as_deref(), Some("nama"));
        assert_eq!(
            unknown.message.en,
            "Unknown field. Known fields: name, nib."
        );
        assert_eq!(unknown.field_path("ikm", "body"), "ikm.nama");
        assert_eq!(unknown.field_path(".", "body"), "nama");
        assert_eq!(unknown.field_path("nama", "body"), "nama");
        assert_eq!(unknown.field_path("ikm.nama", "body"), "ikm.nama");
        let repeated = explain("duplicate field `status`");
        assert_eq!(repeated.field_path(".", "query"), "status");
        assert_eq!(
            explain("invalid digit found in string").field_path(".", "query"),
            "query"
        );
    }

    #[test]
    fn unknown_variants_list_the_wire_names() {
        let e = explain("unknown variant `boss`, expected one of `pengusul`, `admin`");
        assert_eq!(
            e.message.en,
            "Unknown choice. Choose one of: pengusul, admin."
        );
        assert_eq!(
            e.message.id,
            "Pilihan tidak dikenal. Pilih salah satu: pengusul, admin."
        );
        let two = explain("unknown variant `x`, expected `a` or `b`");
        assert_eq!(two.message.en, "Unknown choice. Choose one of: a, b.");
        let none = explain("unknown field `x`, there are no fields");
        assert_eq!(none.message.en, "Unknown field.");
    }
}
