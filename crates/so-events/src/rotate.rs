//! Rotation of `events.jsonl` by size and backup count.
//!
//! `events.jsonl` → `events.jsonl.1` → … → `events.jsonl.<max_backups>`; older backups are
//! deleted. Rotation holds the same exclusive lock appenders take, so no append is in flight
//! while the file is renamed; an appender that opened the file just before re-checks after
//! getting the lock and reopens the new file (see [`crate::append`]), so no record is lost.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::StorageError;
use crate::append::still_at;
use crate::lock::{LOCK_TIMEOUT, Mode, lock};

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Size of the file that was moved to `.1`.
    pub rotated_bytes: u64,
    /// Backups kept.
    pub max_backups: u32,
    /// Backups deleted (beyond `max_backups`).
    pub deleted: Vec<PathBuf>,
}

/// Rotates `path` when it is larger than `max_bytes`; `Ok(None)` when it is not (or does not
/// exist). `max_backups` below 1 counts as 1: rotation never simply deletes the active log.
pub fn rotate_if_needed(
    path: &Path,
    max_bytes: u64,
    max_backups: u32,
) -> Result<Option<Rotation>, StorageError> {
    let max_backups = max_backups.max(1);
    match fs::metadata(path) {
        Ok(m) if m.len() > max_bytes => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StorageError::io("inspect", path, e)),
    }
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| StorageError::io("open", path, e))?;
    lock(&file, path, Mode::Exclusive, LOCK_TIMEOUT)?;
    let len = file
        .metadata()
        .map_err(|e| StorageError::io("inspect", path, e))?
        .len();
    // Another process rotated it while we waited for the lock.
    if !still_at(&file, path) || len <= max_bytes {
        return Ok(None);
    }
    let mut deleted = Vec::new();
    // Backups beyond the limit (the limit may have been lowered).
    let mut n = max_backups + 1;
    loop {
        let extra = backup(path, n);
        match fs::remove_file(&extra) {
            Ok(()) => deleted.push(extra),
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(StorageError::io("remove", extra, e)),
        }
        n += 1;
    }
    let oldest = backup(path, max_backups);
    if oldest.exists() {
        deleted.push(oldest);
    }
    for i in (1..max_backups).rev() {
        let from = backup(path, i);
        match fs::rename(&from, backup(path, i + 1)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StorageError::io("rename", from, e)),
        }
    }
    fs::rename(path, backup(path, 1)).map_err(|e| StorageError::io("rename", path, e))?;
    drop(file);
    Ok(Some(Rotation {
        rotated_bytes: len,
        max_backups,
        deleted,
    }))
}

/// `<path>.<n>`
pub fn backup(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// `path` and its existing backups, oldest first (so records come out in time order).
pub fn with_backups(path: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = (1..=u32::MAX)
        .map(|n| backup(path, n))
        .take_while(|p| p.exists())
        .collect();
    out.reverse();
    out.push(path.to_path_buf());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_backups_and_drops_the_oldest() {
        let d = std::env::temp_dir().join(format!("so-events-rotate-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        let log = d.join("events.jsonl");
        for (name, text) in [
            ("events.jsonl", "current\n"),
            ("events.jsonl.1", "one\n"),
            ("events.jsonl.2", "two\n"),
            ("events.jsonl.3", "three (beyond the limit)\n"),
        ] {
            fs::write(d.join(name), text).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(
            rotate_if_needed(&log, 100, 2).unwrap_or_else(|e| panic!("{e}")),
            None
        );
        let r = rotate_if_needed(&log, 3, 2)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("expected a rotation"));
        assert_eq!(r.rotated_bytes, 8);
        assert_eq!(r.deleted.len(), 2);
        let read = |n: &str| fs::read_to_string(d.join(n)).unwrap_or_default();
        assert!(!log.exists());
        assert_eq!(read("events.jsonl.1"), "current\n");
        assert_eq!(read("events.jsonl.2"), "one\n");
        assert!(!d.join("events.jsonl.3").exists());
        assert_eq!(with_backups(&log).len(), 3);
        let _ = fs::remove_dir_all(&d);
    }
}
