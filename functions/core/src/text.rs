//! Free-text hygiene: every name, number, address and description a person types passes
//! through [`clean`] once, so what is stored is trimmed, in NFC, and free of characters that
//! hide or reorder what a reader sees.

#[cfg(feature = "nfc")]
use unicode_normalization::UnicodeNormalization;

use crate::errors::required;
use crate::i18n::Text;

/// Longest accepted name or other one-line field, in characters.
pub const MAX_NAME: usize = 200;
/// Longest accepted multi-line text (address, description), in characters.
pub const MAX_TEXT: usize = 4_000;

/// Whether a field may span several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A name or number: no line break, no tab.
    Single,
    /// An address or description: `\n` and `\t` are allowed, `\r\n` becomes `\n`.
    Multi,
}

/// Why a text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty, or made only of whitespace and invisible characters.
    #[error("the text is empty")]
    Required,
    /// More than `max` characters once normalised.
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    /// A line break in a one-line field.
    #[error("the text has a line break in a one-line field")]
    LineBreak,
    /// A C0 or C1 control character, or DEL.
    #[error("the text contains a control character")]
    ControlCharacter,
    /// A character that overrides, embeds, isolates or marks text direction.
    #[error("the text contains a bidirectional control character")]
    BidiControl,
}

impl TextError {
    /// What to tell the user.
    pub fn message(&self) -> Text {
        match self {
            TextError::Required => required(),
            TextError::TooLong { max } => Text::new(
                format!("Maksimal {max} karakter."),
                format!("At most {max} characters."),
            ),
            TextError::LineBreak => Text::new(
                "Teks ini harus satu baris, tanpa baris baru.",
                "This text must be a single line, without line breaks.",
            ),
            TextError::ControlCharacter => Text::new(
                "Teks berisi karakter kendali yang tidak diizinkan.",
                "The text contains control characters that are not allowed.",
            ),
            TextError::BidiControl => Text::new(
                "Teks berisi karakter pengatur arah tulisan (bidi) yang tidak diizinkan.",
                "The text contains bidirectional control characters that are not allowed.",
            ),
        }
    }
}

impl From<TextError> for Text {
    fn from(e: TextError) -> Text {
        e.message()
    }
}

/// Cleans one free-text value: trims whitespace and invisible characters at both ends,
/// normalises to NFC, refuses control and bidi characters (line breaks and tabs only in
/// [`Lines::Multi`]) and a value left empty, then counts at most `max` characters.
///
/// Normalisation needs the `nfc` feature (the servers enable it). The web app leaves it off to
/// stay small and normalises with the browser's `String.prototype.normalize` instead.
pub fn clean(value: &str, max: usize, lines: Lines) -> Result<String, TextError> {
    let trimmed = value.trim_matches(is_invisible);
    #[cfg(feature = "nfc")]
    let normalised: String = trimmed.nfc().collect();
    #[cfg(not(feature = "nfc"))]
    let normalised: String = trimmed.to_owned();
    let text = match lines {
        Lines::Single => normalised,
        Lines::Multi => normalised.replace("\r\n", "\n"),
    };
    if text.is_empty() {
        return Err(TextError::Required);
    }
    for c in text.chars() {
        if is_bidi_control(c) {
            return Err(TextError::BidiControl);
        }
        match lines {
            Lines::Single if is_line_break(c) => return Err(TextError::LineBreak),
            Lines::Multi if matches!(c, '\n' | '\t') => continue,
            _ => {}
        }
        if c.is_control() {
            return Err(TextError::ControlCharacter);
        }
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    Ok(text)
}

/// Whitespace, and characters that show nothing by themselves (zero-width space and joiners,
/// word joiner, byte-order mark, soft hyphen, fillers).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// Embeddings and overrides, isolates, and the direction marks.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_line(s: &str) -> Result<String, TextError> {
        clean(s, MAX_NAME, Lines::Single)
    }

    fn multi_line(s: &str) -> Result<String, TextError> {
        clean(s, MAX_TEXT, Lines::Multi)
    }

    #[test]
    fn a_decomposed_accent_is_stored_precomposed() {
        let stored = one_line("Batik Cire\u{0301}bon").unwrap();
        assert_eq!(stored, "Batik Cir\u{00E9}bon");
    }

    #[test]
    fn whitespace_and_invisible_padding_around_a_value_is_trimmed() {
        assert_eq!(
            one_line("\u{FEFF}  Batik Pesisir \u{200B}\t").unwrap(),
            "Batik Pesisir"
        );
    }

    #[test]
    fn a_value_of_only_invisible_characters_counts_as_missing() {
        for blank in [
            "",
            "   ",
            "\u{200B}\u{FEFF}",
            "\u{00AD}\u{2060} \u{3164}",
            "\n\t ",
        ] {
            assert_eq!(one_line(blank), Err(TextError::Required), "{blank:?}");
            assert_eq!(multi_line(blank), Err(TextError::Required), "{blank:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_in_every_field() {
        for c in [
            '\u{0000}', '\u{0007}', '\u{001B}', '\u{007F}', '\u{0085}', '\u{009B}',
        ] {
            let value = format!("Batik{c}Pesisir");
            assert_eq!(
                multi_line(&value),
                Err(TextError::ControlCharacter),
                "{c:?}"
            );
            assert!(one_line(&value).is_err(), "{c:?}");
        }
    }

    #[test]
    fn bidi_controls_and_direction_marks_are_refused() {
        let bidi = [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ];
        for c in bidi {
            let value = format!("invoice{c}fdp.exe");
            assert_eq!(one_line(&value), Err(TextError::BidiControl), "{c:?}");
            assert_eq!(multi_line(&value), Err(TextError::BidiControl), "{c:?}");
        }
    }

    #[test]
    fn line_breaks_and_tabs_are_allowed_only_in_multi_line_fields() {
        let address = "Jl. Pantura 1\nWiradesa\tPekalongan";
        assert_eq!(multi_line(address).unwrap(), address);
        assert_eq!(
            one_line("Jl. Pantura 1\nWiradesa"),
            Err(TextError::LineBreak)
        );
        assert_eq!(
            one_line("Jl. Pantura 1\u{2028}Wiradesa"),
            Err(TextError::LineBreak)
        );
        assert_eq!(
            one_line("Jl. Pantura 1\tWiradesa"),
            Err(TextError::ControlCharacter)
        );
    }

    #[test]
    fn windows_line_ends_become_plain_newlines_but_a_lone_carriage_return_is_refused() {
        assert_eq!(
            multi_line("Baris 1\r\nBaris 2").unwrap(),
            "Baris 1\nBaris 2"
        );
        assert_eq!(
            multi_line("Baris 1\rBaris 2"),
            Err(TextError::ControlCharacter)
        );
    }

    #[test]
    fn length_is_counted_in_characters_after_normalisation() {
        let five_accents = "e\u{0301}".repeat(5);
        assert_eq!(
            clean(&five_accents, 5, Lines::Single).unwrap(),
            "\u{00E9}".repeat(5)
        );
        assert_eq!(
            clean(&"\u{00E9}".repeat(6), 5, Lines::Single),
            Err(TextError::TooLong { max: 5 })
        );
    }

    #[test]
    fn refusals_are_explained_in_both_languages() {
        let control = TextError::ControlCharacter.message();
        assert_eq!(
            control.id,
            "Teks berisi karakter kendali yang tidak diizinkan."
        );
        assert_eq!(
            control.en,
            "The text contains control characters that are not allowed."
        );
        let long = Text::from(TextError::TooLong { max: 200 });
        assert!(long.id.contains("200") && long.en.contains("200"));
    }
}
