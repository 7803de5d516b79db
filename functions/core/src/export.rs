//! Exports for officials (CSV and XLSX): the rule that keeps a cell's text from being read as a
//! formula by a spreadsheet (CSV/formula injection). A text cell that starts with `=`, `+`, `-`,
//! `@`, a tab, a carriage return or a line feed gets a leading apostrophe, which spreadsheets
//! show as text and do not evaluate; numbers are written as numbers and need no guard.

use std::borrow::Cow;

/// The characters a spreadsheet may take as the start of a formula (OWASP, CSV injection).
pub const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// `text` as an inert spreadsheet cell: unchanged unless it starts with one of
/// [`FORMULA_STARTS`], then prefixed with `'`.
pub fn inert(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Whether a cell's text is safe as written: it does not start a formula.
pub fn is_inert(text: &str) -> bool {
    !text.starts_with(FORMULA_STARTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_looks_like_a_formula_comes_out_inert() {
        for evil in [
            "=HYPERLINK(\"http://evil.example\",\"klik\")",
            "+62 812 000",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "\n=1+1",
        ] {
            let cell = inert(evil);
            assert!(is_inert(&cell), "{evil:?} → {cell:?}");
            assert_eq!(cell, format!("'{evil}"));
        }
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        for plain in [
            "Batik Tulis Lasem",
            "CV. Maju = Jaya",
            "",
            "'sudah dikutip",
            "3★",
        ] {
            assert!(matches!(inert(plain), Cow::Borrowed(_)), "{plain:?}");
            assert!(is_inert(plain));
        }
    }
}
