//! Identifiers of new records: ULIDs, in creation order.

use std::sync::Mutex;

/// One generator per process: two ids made in the same millisecond still sort in the order they
/// were made (a plain `Ulid::new()` orders them at random), so lists keyed by id show records
/// in creation order.
static GENERATOR: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());

/// A new ULID, greater than every id this process made before.
pub fn new_id() -> String {
    let mut generator = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    match generator.generate() {
        Ok(id) => id,
        // 2^80 ids in one millisecond: start from a fresh random value instead.
        Err(_) => ulid::Ulid::new(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_made_one_after_another_sort_in_that_order() {
        let ids: Vec<String> = (0..1000).map(|_| super::new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
