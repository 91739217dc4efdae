//! Reading JSONL files back: whole files for the metrics summary, the tail for look-ups.
//!
//! Reads take a shared lock, so they never see a line an appender is half-way through.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use crate::lock::{LOCK_TIMEOUT, Mode, lock};
use crate::{ReadRecord, StorageError};

/// Every record of a JSONL file, in file order, and the number of lines that did not parse.
/// A missing file has none.
#[derive(Debug, Default)]
pub struct Records {
    /// The records.
    pub records: Vec<ReadRecord>,
    /// Non-blank lines that were not JSON objects.
    pub unparsed: usize,
}

/// Reads every record of `path`.
pub fn read_records(path: &Path) -> Result<Records, StorageError> {
    let Some(text) = read_locked(path, None)? else {
        return Ok(Records::default());
    };
    let mut out = Records::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match ReadRecord::parse(line) {
            Some(r) => out.records.push(r),
            None => out.unparsed += 1,
        }
    }
    Ok(out)
}

/// The last record of `path` (within its last `max_bytes`) for which `matches` is true.
pub fn find_last(
    path: &Path,
    max_bytes: u64,
    matches: impl Fn(&ReadRecord) -> bool,
) -> Result<Option<ReadRecord>, StorageError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StorageError::io("open", path, e)),
    };
    lock(&file, path, Mode::Shared, LOCK_TIMEOUT)?;
    search_tail(&mut file, max_bytes, |text| {
        text.lines()
            .rev()
            .filter_map(ReadRecord::parse)
            .find(|r| matches(r))
    })
    .map_err(|e| StorageError::io("read", path, e))
}

/// The file's text (lossy UTF-8), or its last `tail` bytes starting at a line boundary.
/// `None` when the file does not exist.
fn read_locked(path: &Path, tail: Option<u64>) -> Result<Option<String>, StorageError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StorageError::io("open", path, e)),
    };
    lock(&file, path, Mode::Shared, LOCK_TIMEOUT)?;
    let bytes = read_tail(&mut file, tail).map_err(|e| StorageError::io("read", path, e))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Bytes read from the end first when searching backwards; most searches end there.
const FIRST_TAIL: u64 = 64 * 1024;

/// Runs `find` on the last 64 KiB of `file` (as lossy UTF-8, whole lines), then, if that
/// found nothing and the file is longer, on its last `max_bytes`.
pub(crate) fn search_tail<T>(
    file: &mut File,
    max_bytes: u64,
    find: impl Fn(&str) -> Option<T>,
) -> io::Result<Option<T>> {
    let len = file.metadata()?.len();
    let mut tail = FIRST_TAIL.min(max_bytes);
    loop {
        let bytes = read_tail(file, Some(tail))?;
        if let Some(found) = find(&String::from_utf8_lossy(&bytes)) {
            return Ok(Some(found));
        }
        if tail >= len || tail >= max_bytes {
            return Ok(None);
        }
        tail = max_bytes;
    }
}

/// The whole file, or its last `tail` bytes with the first (probably partial) line dropped.
pub(crate) fn read_tail(file: &mut File, tail: Option<u64>) -> io::Result<Vec<u8>> {
    let len = file.metadata()?.len();
    let start = tail.map_or(0, |t| len.saturating_sub(t));
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(usize::try_from(len - start).unwrap_or(0));
    file.take(len - start).read_to_end(&mut bytes)?;
    if start > 0 {
        let cut = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..cut);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Record, Timestamp, append};

    #[test]
    fn finds_records_near_the_end_and_far_back() {
        let dir = std::env::temp_dir().join(format!("so-events-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let log = dir.join("log.jsonl");
        let record = |n: u64| {
            Record::new("orchestrator.test.line", Timestamp::from_millis(0))
                .with("n", n)
                .with("pad", "p".repeat(200))
        };
        for n in 0..2_000 {
            append(&log, &record(n)).unwrap_or_else(|e| panic!("{e}"));
        }
        let find = |n: u64| {
            find_last(&log, 8 << 20, |r| r.u64("n") == Some(n)).unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(find(1_999).and_then(|r| r.u64("n")), Some(1_999));
        assert_eq!(
            find(3).and_then(|r| r.u64("n")),
            Some(3),
            "beyond the first 64 KiB"
        );
        assert!(find(5_000).is_none());
        let near = find_last(&log, 1024, |r| r.u64("n") == Some(3));
        assert!(
            near.unwrap_or_else(|e| panic!("{e}")).is_none(),
            "outside max_bytes"
        );
        assert_eq!(
            read_records(&log).map(|r| r.records.len()).ok(),
            Some(2_000)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
