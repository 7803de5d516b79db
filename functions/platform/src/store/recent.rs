//! A bounded cache of recently written or read records, decoded, for the embedded store.
//!
//! Only the store's writer thread publishes a record, after its commit and before it answers, so
//! a hit is never older than what the database holds for a reader that was already answered. A
//! reader may fill in a record it read from the database, but only if no write was published
//! since it looked at [`Recent::generation`]: a fill can never overwrite a newer record.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Recently used records by key, in two generations: when the newer one is full it becomes the
/// older one and the previous older one is dropped, so at most `2 × capacity` records are held.
pub(crate) struct Recent<V> {
    inner: RwLock<Generations<V>>,
    capacity: usize,
}

struct Generations<V> {
    newer: HashMap<String, Arc<V>>,
    older: HashMap<String, Arc<V>>,
    /// Counts published writes.
    generation: u64,
}

impl<V> Recent<V> {
    /// An empty cache holding up to `2 × capacity` records.
    pub(crate) fn new(capacity: usize) -> Self {
        Recent {
            inner: RwLock::new(Generations {
                newer: HashMap::new(),
                older: HashMap::new(),
                generation: 0,
            }),
            capacity: capacity.max(1),
        }
    }

    /// The cached record under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<V>> {
        let g = self.inner.read().unwrap_or_else(|e| e.into_inner());
        g.newer.get(key).or_else(|| g.older.get(key)).cloned()
    }

    /// How many writes were published so far; read it before reading the database to fill in.
    pub(crate) fn generation(&self) -> u64 {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .generation
    }

    /// The writer thread: `value` is now committed under `key`.
    pub(crate) fn publish(&self, key: &str, value: Arc<V>) {
        let mut g = self.inner.write().unwrap_or_else(|e| e.into_inner());
        g.generation += 1;
        g.older.remove(key);
        self.insert(&mut g, key, value);
    }

    /// The writer thread: nothing is stored under `key` any more.
    pub(crate) fn forget(&self, key: &str) {
        let mut g = self.inner.write().unwrap_or_else(|e| e.into_inner());
        g.generation += 1;
        g.newer.remove(key);
        g.older.remove(key);
    }

    /// A reader: `value` was read from the database after [`Self::generation`] said `seen`.
    /// Kept only if nothing was published since.
    pub(crate) fn fill(&self, key: &str, value: Arc<V>, seen: u64) {
        let mut g = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if g.generation == seen {
            self.insert(&mut g, key, value);
        }
    }

    /// The record under `key`: from the cache, or else from `read` (the database), which then
    /// fills the cache unless a write was published meanwhile.
    pub(crate) fn get_or_read<E>(
        &self,
        key: &str,
        read: impl FnOnce() -> Result<Option<V>, E>,
    ) -> Result<Option<Arc<V>>, E> {
        if let Some(hit) = self.get(key) {
            return Ok(Some(hit));
        }
        let seen = self.generation();
        let found = read()?.map(Arc::new);
        if let Some(value) = &found {
            self.fill(key, Arc::clone(value), seen);
        }
        Ok(found)
    }

    fn insert(&self, g: &mut Generations<V>, key: &str, value: Arc<V>) {
        if g.newer.len() >= self.capacity && !g.newer.contains_key(key) {
            g.older = std::mem::take(&mut g.newer);
            g.older.remove(key);
        }
        g.newer.insert(key.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_record_is_found_and_replaced_by_the_next() {
        let cache = Recent::new(8);
        cache.publish("a", Arc::new(1));
        cache.publish("a", Arc::new(2));
        assert_eq!(cache.get("a").as_deref(), Some(&2));
        assert_eq!(cache.get("b"), None);
    }

    #[test]
    fn a_fill_after_a_publish_is_dropped() {
        let cache = Recent::new(8);
        let seen = cache.generation();
        // A write lands while the reader is reading the database.
        cache.publish("a", Arc::new(2));
        cache.fill("a", Arc::new(1), seen);
        assert_eq!(cache.get("a").as_deref(), Some(&2));
        let seen = cache.generation();
        cache.fill("b", Arc::new(5), seen);
        assert_eq!(cache.get("b").as_deref(), Some(&5));
    }

    #[test]
    fn a_miss_reads_once_and_the_next_lookup_hits() {
        let cache = Recent::new(8);
        let mut reads = 0;
        let mut read = || {
            reads += 1;
            Ok::<_, ()>(Some(7))
        };
        assert_eq!(cache.get_or_read("a", &mut read), Ok(Some(Arc::new(7))));
        assert_eq!(cache.get_or_read("a", &mut read), Ok(Some(Arc::new(7))));
        assert_eq!(reads, 1);
        assert_eq!(cache.get_or_read("b", || Ok::<_, ()>(None)), Ok(None));
        assert_eq!(cache.get("b"), None, "absence is not cached");
    }

    #[test]
    fn a_forgotten_record_is_gone_and_a_racing_fill_is_dropped() {
        let cache = Recent::new(8);
        cache.publish("a", Arc::new(1));
        let seen = cache.generation();
        cache.forget("a");
        assert_eq!(cache.get("a"), None);
        cache.fill("a", Arc::new(1), seen);
        assert_eq!(
            cache.get("a"),
            None,
            "a read from before the delete is not kept"
        );
    }

    #[test]
    fn it_holds_at_most_two_generations() {
        let cache = Recent::new(2);
        for (i, key) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            cache.publish(key, Arc::new(i));
        }
        // "e" started a third generation: "a" and "b" are gone, the rest remain.
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("b"), None);
        for key in ["c", "d", "e"] {
            assert!(cache.get(key).is_some(), "{key} is recent");
        }
    }

    #[test]
    fn republishing_an_older_record_moves_it_to_the_newer_generation() {
        let cache = Recent::new(2);
        cache.publish("a", Arc::new(1));
        cache.publish("b", Arc::new(2));
        cache.publish("c", Arc::new(3)); // a, b → older
        cache.publish("a", Arc::new(4)); // a → newer, with c
        cache.publish("d", Arc::new(5)); // c, a → older; b dropped
        assert_eq!(cache.get("a").as_deref(), Some(&4));
        assert_eq!(cache.get("b"), None);
    }
}
