//! The embedded store's write-ahead log: one preallocated file written from the start, one
//! record per group of writes, made durable with one `fdatasync`.
//!
//! The file is filled with zeros when it is created, so that appending a record overwrites
//! allocated blocks and `fdatasync` flushes data only, not the file's size or extents. After a
//! checkpoint (a durable database commit that includes every logged record) writing starts
//! again at offset 0. A record is `len u32 | crc32 u32 | seq u64 | payload`, little-endian,
//! the checksum over `seq` and the payload. The payload is the store's own: the embedded store
//! compresses its parts in the request tasks, off the writer thread, which every write waits
//! for. Reading stops at the first record that is torn,
//! zero, or not the next sequence number, which is also how the records of an earlier cycle
//! that still follow in the file are told apart: their numbers are all already checkpointed.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

const HEADER_BYTES: u64 = 16;
/// Bytes written at a time when filling a new log with zeros.
const FILL_CHUNK: usize = 1 << 16;

/// A logged group of writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Sequence number: one more than the record before it.
    pub seq: u64,
    /// The writes, as the store encoded them.
    pub payload: Vec<u8>,
}

/// The open log file and where the next record goes.
#[derive(Debug)]
pub struct WriteAheadLog {
    file: File,
    capacity: u64,
    end: u64,
}

impl WriteAheadLog {
    /// Opens the log at `path` (creating and zero-filling it to `capacity` bytes when it is
    /// missing or shorter) and returns it with the records that continue `after_seq`: the first
    /// numbered `after_seq + 1`, each next one more. New records are written after those.
    pub fn open(
        path: &Path,
        capacity: u64,
        after_seq: u64,
    ) -> io::Result<(WriteAheadLog, Vec<LogRecord>)> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let len = file.metadata()?.len();
        if len < capacity {
            zero_fill(&mut file, len, capacity)?;
            if let Some(dir) = path.parent() {
                // The file's name must survive a crash as well as its blocks.
                File::open(dir)?.sync_all()?;
            }
        }
        let capacity = capacity.max(len);
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        let (records, end) = parse(&bytes, after_seq);
        Ok((
            WriteAheadLog {
                file,
                capacity,
                end,
            },
            records,
        ))
    }

    /// Writes one record and waits until it is on disk: `Ok(true)`. `Ok(false)` when the
    /// record does not fit before the end of the file; nothing is written then, and the caller
    /// checkpoints instead.
    pub fn append(&mut self, seq: u64, payload: &[u8]) -> io::Result<bool> {
        if self.end + HEADER_BYTES + payload.len() as u64 > self.capacity {
            return Ok(false);
        }
        let len = u32::try_from(payload.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "log record too large"))?;
        let mut record = Vec::with_capacity(HEADER_BYTES as usize + payload.len());
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(&checksum(seq, payload).to_le_bytes());
        record.extend_from_slice(&seq.to_le_bytes());
        record.extend_from_slice(payload);
        self.file.write_all_at(&record, self.end)?;
        self.file.sync_data()?;
        self.end += record.len() as u64;
        Ok(true)
    }

    /// Starts writing at the beginning again: every record so far is checkpointed.
    pub fn restart(&mut self) {
        self.end = 0;
    }

    /// Bytes written since the last restart.
    pub fn used(&self) -> u64 {
        self.end
    }
}

fn zero_fill(file: &mut File, from: u64, to: u64) -> io::Result<()> {
    let zeros = vec![0u8; FILL_CHUNK];
    let mut at = from;
    while at < to {
        let n = (to - at).min(FILL_CHUNK as u64) as usize;
        file.write_all_at(&zeros[..n], at)?;
        at += n as u64;
    }
    file.flush()?;
    file.sync_all()
}

fn checksum(seq: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&seq.to_le_bytes());
    h.update(payload);
    h.finalize()
}

/// The records continuing `after_seq` from the start of `bytes`, and where they end.
fn parse(bytes: &[u8], after_seq: u64) -> (Vec<LogRecord>, u64) {
    let mut records = Vec::new();
    let mut at = 0usize;
    let mut expected = after_seq + 1;
    while let Some(header) = bytes.get(at..at + HEADER_BYTES as usize) {
        let word = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().expect("4 bytes"));
        let (len, crc) = (word(0) as usize, word(4));
        let seq = u64::from_le_bytes(header[8..16].try_into().expect("8 bytes"));
        if len == 0 || seq != expected {
            break;
        }
        let start = at + HEADER_BYTES as usize;
        let Some(payload) = bytes.get(start..start + len) else {
            break;
        };
        if checksum(seq, payload) != crc {
            break;
        }
        records.push(LogRecord {
            seq,
            payload: payload.to_vec(),
        });
        at = start + len;
        expected += 1;
    }
    (records, at as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(dir: &Path, after: u64) -> (WriteAheadLog, Vec<LogRecord>) {
        WriteAheadLog::open(&dir.join("wal"), 4096, after).unwrap()
    }

    #[test]
    fn records_written_are_read_back_in_order_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, found) = log(dir.path(), 0);
        assert!(found.is_empty());
        assert!(wal.append(1, b"one").unwrap());
        assert!(wal.append(2, b"two").unwrap());
        let used = wal.used();
        drop(wal);
        let (wal, found) = log(dir.path(), 0);
        let payloads: Vec<&[u8]> = found.iter().map(|r| r.payload.as_slice()).collect();
        assert_eq!(payloads, [b"one".as_slice(), b"two".as_slice()]);
        assert_eq!(wal.used(), used, "new records go after the ones found");
    }

    #[test]
    fn records_already_checkpointed_are_skipped_and_the_log_continues_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, _) = log(dir.path(), 0);
        assert!(wal.append(1, b"one").unwrap());
        assert!(wal.append(2, b"two").unwrap());
        // Checkpointed through 2: the next cycle writes 3 over the start of the file.
        wal.restart();
        assert!(wal.append(3, b"three").unwrap());
        drop(wal);
        let (_, found) = log(dir.path(), 2);
        assert_eq!(
            found,
            [LogRecord {
                seq: 3,
                payload: b"three".to_vec()
            }]
        );
        // Record 2 still follows in the file but belongs to the earlier cycle.
        let (_, found) = log(dir.path(), 0);
        assert!(found.is_empty(), "record 1 was overwritten by record 3");
    }

    #[test]
    fn a_torn_record_at_the_end_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, _) = log(dir.path(), 0);
        assert!(wal.append(1, b"complete").unwrap());
        let torn_at = wal.used();
        assert!(wal.append(2, b"torn in a crash").unwrap());
        // The crash hit while the second record was half written.
        let file = OpenOptions::new()
            .write(true)
            .open(dir.path().join("wal"))
            .unwrap();
        file.write_all_at(b"XXXX", torn_at + HEADER_BYTES + 4)
            .unwrap();
        drop(wal);
        let (wal, found) = log(dir.path(), 0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].payload, b"complete");
        assert_eq!(
            wal.used(),
            torn_at,
            "the next record overwrites the torn one"
        );
    }

    #[test]
    fn a_record_that_does_not_fit_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, _) = log(dir.path(), 0);
        assert!(!wal.append(1, &[7u8; 4096]).unwrap());
        assert_eq!(wal.used(), 0);
        assert!(wal.append(1, b"small").unwrap());
    }

    #[test]
    fn the_file_is_preallocated_to_its_capacity() {
        let dir = tempfile::tempdir().unwrap();
        let _ = log(dir.path(), 0);
        let len = std::fs::metadata(dir.path().join("wal")).unwrap().len();
        assert_eq!(len, 4096);
    }
}
