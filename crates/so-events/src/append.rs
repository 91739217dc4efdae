//! Appending one record to a JSONL file: a complete line or nothing.
//!
//! Under an exclusive lock on the file itself the whole line (with a leading `\n` when the
//! file ends in a torn line someone else left) goes out in one `write_all`. If that fails
//! half-way (disk full) the file is cut back to its old length before the lock is released,
//! so no reader or later writer ever sees a partial line. A write that would cross the
//! process's file-size limit is not attempted at all: on Linux crossing `RLIMIT_FSIZE` kills
//! the process with `SIGXFSZ` before the rollback could run.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::lock::{LOCK_TIMEOUT, Mode, lock};
use crate::{Record, StorageError};

/// How [`append_with`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOptions {
    /// Refuse a write that would cross the soft file-size limit (`RLIMIT_FSIZE`, read from
    /// `/proc/self/limits`). On by default; turning it off is only useful to test the
    /// rollback of a write cut short, with `SIGXFSZ` ignored.
    pub fsize_precheck: bool,
}

impl Default for AppendOptions {
    fn default() -> Self {
        Self {
            fsize_precheck: true,
        }
    }
}

/// Appends `record` as one line to `path` (created if missing; its directory must exist).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("so-events-doc-append-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use so_events::{Record, Timestamp};
///
/// let log = dir.join("events.jsonl");
/// so_events::append(&log, &Record::new("orchestrator.doc.tested", Timestamp::now()))?;
/// assert_eq!(std::fs::read_to_string(&log)?.lines().count(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn append(path: &Path, record: &Record) -> Result<(), StorageError> {
    append_with(path, record, AppendOptions::default())
}

/// Appends `records` to `path` in one write, in order: all of them or none.
///
/// A hook that has several records for the same file (a session start and its lock event)
/// pays for one open, lock and write instead of one per record.
pub fn append_all(path: &Path, records: &[Record]) -> Result<(), StorageError> {
    if records.is_empty() {
        return Ok(());
    }
    let mut lines = String::new();
    for record in records {
        lines.push_str(&record.to_line());
    }
    append_line(path, lines.as_bytes(), AppendOptions::default())
}

/// [`append`] with options.
pub fn append_with(
    path: &Path,
    record: &Record,
    options: AppendOptions,
) -> Result<(), StorageError> {
    append_line(path, record.to_line().as_bytes(), options)
}

/// Appends raw bytes that form complete lines (ending in `\n`).
pub(crate) fn append_line(
    path: &Path,
    line: &[u8],
    options: AppendOptions,
) -> Result<(), StorageError> {
    // A rotation may rename the file between our open and our lock; we then hold the lock of
    // the renamed file and must reopen. Rotations are rare (once per session start), but
    // the loop goes on until the lock deadline rather than for a fixed number of tries.
    let deadline = Instant::now() + LOCK_TIMEOUT;
    while Instant::now() < deadline {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| StorageError::io("open", path, e))?;
        let left = deadline.saturating_duration_since(Instant::now());
        lock(
            &file,
            path,
            Mode::Exclusive,
            left.max(Duration::from_millis(1)),
        )?;
        if !still_at(&file, path) {
            continue;
        }
        let len = file
            .metadata()
            .map_err(|e| StorageError::io("inspect", path, e))?
            .len();
        let torn_tail = len > 0 && !ends_with_newline(&file, len);
        let mut buf = Vec::with_capacity(line.len() + 1);
        if torn_tail {
            buf.push(b'\n');
        }
        buf.extend_from_slice(line);
        if options.fsize_precheck
            && let Some(limit) = file_size_limit()
            && len.saturating_add(buf.len() as u64) > limit
        {
            return Err(StorageError::FileSizeLimit {
                path: path.to_path_buf(),
                limit,
            });
        }
        return match file.write_all(&buf) {
            Ok(()) => Ok(()),
            Err(e) => {
                // Still under the lock: nobody can have appended after our partial bytes.
                let _ = file.set_len(len);
                Err(StorageError::io("append to", path, e))
            }
        };
    }
    Err(StorageError::io(
        "append to",
        path,
        std::io::Error::other("the file kept being replaced while waiting for its lock"),
    ))
}

/// Whether `path` still names the file `file` has open (it was not rotated away meanwhile).
#[cfg(unix)]
pub(crate) fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Without inode numbers a rename cannot be detected; rotation is rare enough.
#[cfg(not(unix))]
pub(crate) fn still_at(_file: &File, path: &Path) -> bool {
    fs::metadata(path).is_ok()
}

#[cfg(unix)]
fn ends_with_newline(file: &File, len: u64) -> bool {
    use std::os::unix::fs::FileExt;
    let mut last = [0u8; 1];
    // Unreadable counts as "ends with a newline": never add bytes on a guess.
    file.read_exact_at(&mut last, len - 1)
        .map_or(true, |()| last[0] == b'\n')
}

#[cfg(not(unix))]
fn ends_with_newline(_file: &File, _len: u64) -> bool {
    true
}

/// The soft `RLIMIT_FSIZE` in bytes, `None` when unlimited or unknown. Read once per
/// process from `/proc/self/limits` (std has no `getrlimit`, and this crate has no `unsafe`).
fn file_size_limit() -> Option<u64> {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        let text = fs::read_to_string("/proc/self/limits").ok()?;
        parse_fsize_limit(&text)
    })
}

fn parse_fsize_limit(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max file size"))?;
    let soft = line["Max file size".len()..].split_whitespace().next()?;
    soft.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    #[test]
    fn parses_proc_limits() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max cpu time              unlimited            unlimited            seconds   \n\
                    Max file size             4096                 unlimited            bytes     \n";
        assert_eq!(parse_fsize_limit(text), Some(4096));
        let unlimited = text.replace("4096     ", "unlimited");
        assert_eq!(parse_fsize_limit(&unlimited), None);
    }

    #[test]
    fn repairs_a_torn_tail_instead_of_merging_into_it() {
        let dir = std::env::temp_dir().join(format!("so-events-torn-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("events.jsonl");
        fs::write(&path, "{\"event\":\"ok\"}\n{\"event\":\"to").unwrap_or_else(|e| panic!("{e}"));
        let record = Record::new("orchestrator.test.appended", Timestamp::from_millis(0));
        append(&path, &record).unwrap_or_else(|e| panic!("{e}"));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "{\"event\":\"to");
        assert_eq!(lines[2], record.to_line().trim_end());
        let _ = fs::remove_dir_all(&dir);
    }
}
