//! What to send next: the one scheduler of every file on the page, retry delays and the file
//! fingerprint. Pure, so it is tested on the host.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Parts of one file in flight at once.
pub const PARTS_PER_FILE: usize = 3;
/// Requests to S3 in flight at once, over every file.
pub const MAX_REQUESTS: usize = 6;
/// First retry delay, in milliseconds; it doubles per attempt.
pub const BACKOFF_BASE_MS: f64 = 1_000.0;
/// Longest retry delay, in milliseconds.
pub const BACKOFF_CAP_MS: f64 = 30_000.0;
/// Attempts of one part before the file is given up (the user can start it again).
pub const MAX_ATTEMPTS: u32 = 12;
/// A request with no upload progress for this long is abandoned and retried.
pub const STALL_MS: f64 = 30_000.0;
/// Bytes read for the fingerprint: the first MiB.
pub const FINGERPRINT_BYTES: u64 = 1024 * 1024;

/// Where one part of a file stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartState {
    /// Not sent yet (or failed and waiting for another go).
    Waiting,
    /// A request carries it now.
    Sending,
    /// S3 holds it, under this ETag.
    Done(String),
}

/// One file's parts, numbered from 1.
#[derive(Clone, Debug, Default)]
pub struct FileParts {
    parts: BTreeMap<u64, PartState>,
}

impl FileParts {
    /// `count` parts, the ones in `stored` (number → ETag) already done.
    pub fn new(count: u64, stored: impl IntoIterator<Item = (u64, String)>) -> Self {
        let mut parts: BTreeMap<u64, PartState> =
            (1..=count).map(|n| (n, PartState::Waiting)).collect();
        for (n, etag) in stored {
            if let Some(p) = parts.get_mut(&n) {
                *p = PartState::Done(etag);
            }
        }
        FileParts { parts }
    }

    fn sending(&self) -> usize {
        self.parts
            .values()
            .filter(|p| **p == PartState::Sending)
            .count()
    }

    fn next_waiting(&self) -> Option<u64> {
        self.parts
            .iter()
            .find(|(_, p)| **p == PartState::Waiting)
            .map(|(n, _)| *n)
    }

    /// Sets the state of part `number`.
    pub fn set(&mut self, number: u64, state: PartState) {
        if let Some(p) = self.parts.get_mut(&number) {
            *p = state;
        }
    }

    /// The waiting parts from `number` on, at most `n` of them (to sign in one batch).
    pub fn waiting_from(&self, number: u64, n: usize) -> Vec<u64> {
        self.parts
            .range(number..)
            .filter(|(_, p)| matches!(p, PartState::Waiting))
            .map(|(n, _)| *n)
            .take(n)
            .collect()
    }

    /// Whether every part is done.
    pub fn is_done(&self) -> bool {
        self.parts.values().all(|p| matches!(p, PartState::Done(_)))
    }

    /// `(number, etag)` of every part, when all are done, for the completion.
    pub fn etags(&self) -> Vec<(u64, String)> {
        self.parts
            .iter()
            .filter_map(|(n, p)| match p {
                PartState::Done(e) => Some((*n, e.clone())),
                _ => None,
            })
            .collect()
    }
}

/// The one scheduler: which part of which file goes next, round-robin over the files, at most
/// [`PARTS_PER_FILE`] per file and [`MAX_REQUESTS`] in all. Files are keyed by `K`.
#[derive(Debug)]
pub struct Scheduler<K: Ord + Clone> {
    files: BTreeMap<K, FileParts>,
    /// The file served last, so the next turn starts after it.
    last: Option<K>,
}

impl<K: Ord + Clone> Default for Scheduler<K> {
    fn default() -> Self {
        Scheduler {
            files: BTreeMap::new(),
            last: None,
        }
    }
}

impl<K: Ord + Clone> Scheduler<K> {
    /// Adds (or replaces) a file.
    pub fn add(&mut self, key: K, parts: FileParts) {
        self.files.insert(key, parts);
    }

    /// Forgets a file (completed, failed or aborted).
    pub fn remove(&mut self, key: &K) {
        self.files.remove(key);
    }

    /// The parts of a file.
    pub fn file(&self, key: &K) -> Option<&FileParts> {
        self.files.get(key)
    }

    /// The parts of a file, to change.
    pub fn file_mut(&mut self, key: &K) -> Option<&mut FileParts> {
        self.files.get_mut(key)
    }

    /// Requests in flight over every file.
    pub fn in_flight(&self) -> usize {
        self.files.values().map(FileParts::sending).sum()
    }

    /// The next part to send, marked as sending; `None` when the limits are reached or
    /// nothing waits.
    pub fn next(&mut self) -> Option<(K, u64)> {
        if self.in_flight() >= MAX_REQUESTS {
            return None;
        }
        let keys: Vec<K> = self.files.keys().cloned().collect();
        let start = match &self.last {
            Some(last) => keys.iter().position(|k| k > last).unwrap_or(0),
            None => 0,
        };
        let turn = keys[start..].iter().chain(&keys[..start]);
        for key in turn {
            let file = &self.files[key];
            if file.sending() >= PARTS_PER_FILE {
                continue;
            }
            if let Some(n) = file.next_waiting() {
                let key = key.clone();
                self.files
                    .get_mut(&key)
                    .expect("listed")
                    .set(n, PartState::Sending);
                self.last = Some(key.clone());
                return Some((key, n));
            }
        }
        None
    }
}

/// Milliseconds to wait before attempt `attempt` (1 for the first retry): exponential from
/// [`BACKOFF_BASE_MS`], capped at [`BACKOFF_CAP_MS`], with "equal jitter" — half fixed, half
/// random (`random` in `[0, 1)`) — so that offices cut off together do not come back together.
pub fn backoff_ms(attempt: u32, random: f64) -> f64 {
    let exp = BACKOFF_BASE_MS * 2f64.powi(attempt.saturating_sub(1).min(16) as i32);
    let ceiling = exp.min(BACKOFF_CAP_MS);
    ceiling / 2.0 + ceiling / 2.0 * random.clamp(0.0, 1.0)
}

/// The fingerprint that recognises a file chosen again after a reload: its size, last change,
/// the SHA-256 of its first MiB (hex) and of its name — printable ASCII, as the API wants.
pub fn fingerprint(name: &str, size: u64, last_modified_ms: f64, head_sha256: &str) -> String {
    let name_hash = hex(&Sha256::digest(name.as_bytes())[..8]);
    format!(
        "v1:{size}:{}:{head_sha256}:{name_hash}",
        last_modified_ms as i64
    )
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag(n: u64) -> String {
        format!("\"e{n}\"")
    }

    #[test]
    fn one_file_gets_at_most_three_parts_in_flight() {
        let mut s = Scheduler::default();
        s.add("a", FileParts::new(10, []));
        let sent: Vec<_> = std::iter::from_fn(|| s.next()).collect();
        assert_eq!(sent, vec![("a", 1), ("a", 2), ("a", 3)]);
        s.file_mut(&"a").unwrap().set(2, PartState::Done(etag(2)));
        assert_eq!(s.next(), Some(("a", 4)));
        assert_eq!(s.next(), None);
    }

    #[test]
    fn files_take_turns_and_six_requests_are_the_most_in_all() {
        let mut s = Scheduler::default();
        for k in ["a", "b", "c"] {
            s.add(k, FileParts::new(10, []));
        }
        let sent: Vec<_> = std::iter::from_fn(|| s.next()).collect();
        assert_eq!(
            sent,
            vec![("a", 1), ("b", 1), ("c", 1), ("a", 2), ("b", 2), ("c", 2)]
        );
        assert_eq!(s.in_flight(), MAX_REQUESTS);
        s.file_mut(&"b").unwrap().set(1, PartState::Done(etag(1)));
        assert_eq!(s.next(), Some(("a", 3)), "the turn goes on after c");
    }

    #[test]
    fn a_resumed_file_sends_only_the_parts_s3_does_not_hold() {
        let mut s = Scheduler::default();
        s.add(
            "a",
            FileParts::new(5, [(1, etag(1)), (2, etag(2)), (4, etag(4))]),
        );
        let sent: Vec<_> = std::iter::from_fn(|| s.next()).collect();
        assert_eq!(sent, vec![("a", 3), ("a", 5)]);
        let f = s.file_mut(&"a").unwrap();
        f.set(3, PartState::Done(etag(3)));
        assert!(!f.is_done());
        f.set(5, PartState::Done(etag(5)));
        assert!(f.is_done());
        assert_eq!(f.etags().len(), 5);
    }

    #[test]
    fn a_failed_part_waits_for_another_go() {
        let mut s = Scheduler::default();
        s.add("a", FileParts::new(2, []));
        assert_eq!(s.next(), Some(("a", 1)));
        assert_eq!(s.next(), Some(("a", 2)));
        s.file_mut(&"a").unwrap().set(1, PartState::Waiting);
        assert_eq!(s.next(), Some(("a", 1)));
    }

    #[test]
    fn parts_to_sign_are_the_waiting_ones_from_the_one_asked() {
        let mut f = FileParts::new(6, [(3, etag(3))]);
        f.set(2, PartState::Sending);
        assert_eq!(f.waiting_from(1, 3), vec![1, 4, 5]);
        assert_eq!(f.waiting_from(5, 3), vec![5, 6]);
    }

    #[test]
    fn retry_delays_grow_to_the_cap_with_jitter_in_the_upper_half() {
        assert_eq!(backoff_ms(1, 0.0), 500.0);
        assert_eq!(backoff_ms(1, 1.0), 1_000.0);
        assert_eq!(backoff_ms(3, 0.5), 3_000.0);
        assert_eq!(backoff_ms(10, 0.0), BACKOFF_CAP_MS / 2.0);
        assert_eq!(backoff_ms(40, 1.0), BACKOFF_CAP_MS);
        for attempt in 1..20 {
            let d = backoff_ms(attempt, 0.3);
            assert!(d > 0.0 && d <= BACKOFF_CAP_MS, "{attempt}: {d}");
        }
    }

    #[test]
    fn a_fingerprint_changes_with_any_of_its_parts() {
        let f = fingerprint("a.pdf", 10, 1_700_000_000_000.0, "ab");
        assert!(f.starts_with("v1:10:1700000000000:ab:"), "{f}");
        let chosen_again = fingerprint("Proposal letter — Pekalongan.pdf", 10, 0.0, "ab");
        assert!(
            chosen_again.bytes().all(|b| (b' '..=b'~').contains(&b)) && chosen_again.len() < 200
        );
        assert_ne!(f, fingerprint("a.pdf", 11, 1_700_000_000_000.0, "ab"));
        assert_ne!(f, fingerprint("a.pdf", 10, 1_700_000_000_001.0, "ab"));
        assert_ne!(f, fingerprint("a.pdf", 10, 1_700_000_000_000.0, "ac"));
        assert_ne!(f, fingerprint("b.pdf", 10, 1_700_000_000_000.0, "ab"));
    }
}
