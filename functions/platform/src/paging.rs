//! Cursor pagination for every list: `limit` (default 50, at most 200) and an opaque `cursor`.
//!
//! A cursor is the store's [`ListCursor`] sealed with the scope it was made for (whose list,
//! which filters) and a checksum. A cursor that was altered, or that comes from another scope,
//! is refused with 400. The scope itself is always computed from the caller, never read from the
//! cursor, so a cursor can only move a caller within lists they may read anyway.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ovop_core::dto::{DEFAULT_PAGE, MAX_PAGE};
use ovop_core::Text;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;
use crate::store::{LimitExceeded, ListCursor, StoreError};

/// What a list request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<ListCursor>,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    /// Hash of the scope.
    s: String,
    c: ListCursor,
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    h.finalize().into()
}

fn bad_cursor() -> ApiError {
    ApiError::BadRequest {
        field: "cursor".into(),
        message: Text::new(
            "Kursor halaman tidak valid untuk daftar ini; muat ulang daftar dari awal.",
            "The page cursor is not valid for this list; load the list again from the start.",
        ),
    }
}

impl PageRequest {
    /// Reads `limit` and `cursor` of a list whose scope (caller's list and filters) is `scope`.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>, scope: &str) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE as u32).contains(&n) => n as usize,
            Some(_) => {
                return Err(ApiError::BadRequest {
                    field: "limit".into(),
                    message: Text::new(
                        format!("Jumlah per halaman 1 sampai {MAX_PAGE}."),
                        format!("Items per page: 1 to {MAX_PAGE}."),
                    ),
                })
            }
        };
        let cursor = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => Some(open(text, scope).ok_or_else(bad_cursor)?),
        };
        Ok(PageRequest { limit, cursor })
    }
}

fn open(text: &str, scope: &str) -> Option<ListCursor> {
    let (payload, check) = text.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let check = URL_SAFE_NO_PAD.decode(check).ok()?;
    if check.as_slice() != &digest(&[b"cursor", &payload])[..12] {
        return None;
    }
    let sealed: Sealed = serde_json::from_slice(&payload).ok()?;
    (sealed.s == scope_hash(scope)).then_some(sealed.c)
}

fn scope_hash(scope: &str) -> String {
    URL_SAFE_NO_PAD.encode(&digest(&[b"scope", scope.as_bytes()])[..12])
}

/// A listing's failure as an answer: a cursor whose positions the store refuses is the
/// client's mistake (400), anything else the store's.
pub fn refused_cursor(e: StoreError) -> ApiError {
    match e {
        StoreError::Limit(LimitExceeded::BadQuery | LimitExceeded::PageSize(_)) => bad_cursor(),
        other => other.into(),
    }
}

/// The opaque text of `cursor` for the list `scope`.
pub fn seal(cursor: &ListCursor, scope: &str) -> Result<String, ApiError> {
    let payload = serde_json::to_vec(&Sealed {
        s: scope_hash(scope),
        c: cursor.clone(),
    })
    .map_err(ApiError::internal)?;
    let check = digest(&[b"cursor", &payload]);
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(&check[..12])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::item::{Key, Position};
    use crate::store::repo::Progress;

    fn cursor() -> ListCursor {
        ListCursor {
            partitions: vec![Progress::After(Position {
                index_sk: "ovop-2026#01J".into(),
                key: Key::new("NOM#01J", "NOM"),
            })],
        }
    }

    #[test]
    fn a_sealed_cursor_opens_in_its_own_scope_only() {
        let text = seal(&cursor(), "regency=33.26").unwrap();
        let page = PageRequest::parse(Some(10), Some(&text), "regency=33.26").unwrap();
        assert_eq!(page.cursor, Some(cursor()));
        assert!(PageRequest::parse(None, Some(&text), "regency=33.74").is_err());
    }

    #[test]
    fn a_tampered_cursor_is_refused() {
        let text = seal(&cursor(), "all").unwrap();
        let mut bytes = text.into_bytes();
        bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(matches!(
            PageRequest::parse(None, Some(&tampered), "all"),
            Err(ApiError::BadRequest { field, .. }) if field == "cursor"
        ));
    }

    #[test]
    fn limit_defaults_to_fifty_and_stops_at_two_hundred() {
        assert_eq!(PageRequest::parse(None, None, "x").unwrap().limit, 50);
        assert_eq!(PageRequest::parse(Some(200), None, "x").unwrap().limit, 200);
        assert!(PageRequest::parse(Some(201), None, "x").is_err());
        assert!(PageRequest::parse(Some(0), None, "x").is_err());
    }
}
