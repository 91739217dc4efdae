//! JSON state files: read-modify-write under a lock, replaced atomically.
//!
//! The lock is taken on a sidecar file (`.<name>.lock` beside the state file), because the
//! state file itself is replaced by a rename on every write and a lock on the old inode would
//! protect nothing. For [`Durability::Durable`] state the new content goes to a temporary
//! file in the same directory, is flushed to disk and renamed into place: readers see the old
//! or the new content, never a mix, and need no lock ([`read_json`]).
//! [`Durability::Atomic`] does the same without the flush. [`Durability::Relaxed`] helper
//! state is rewritten in place under the same lock and must be read under it too
//! ([`read_json_locked`]).
//!
//! The old file is first renamed aside to `.<name>.prev`, and only then is the new one renamed
//! in. Renaming a freshly written file *over* an existing one makes ext4 (`auto_da_alloc`,
//! on by default) start writing the new data out inside the `rename` call: about 0.14 ms idle
//! and several times that under load, a third of a hook's whole run. Two renames onto free
//! names cost about 0.02 ms. The price is a moment in which `<name>` does not exist: readers
//! then take `.<name>.prev`, which at that moment holds the previous state, so a reader
//! still sees the old or the new state, and a crash between the two renames loses nothing.
//!
//! A file that does not parse is renamed to `<name>.corrupt-<millis>` (kept for inspection,
//! never deleted) and the update starts from an absent state; the caller learns about it
//! through [`Updated::recovered`].

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::lock::{LOCK_TIMEOUT, Mode, lock};
use crate::{StorageError, Timestamp};

/// How a state file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Temporary file in the same directory, `fsync`, rename over the old file: after a
    /// crash the file holds the old or the new state, and lock-free readers never see a mix.
    /// For state that matters after a crash (`current-session.json`).
    Durable,
    /// Temporary file and rename, without `fsync`: lock-free readers (other tools) never see
    /// a mix, but a crash may lose the last update. For state that a crash makes stale
    /// anyway (`session.lock`: after a crash no session is alive, whatever the file says).
    Atomic,
    /// Rewritten in place under the lock, without `fsync`: readers must take the lock
    /// ([`read_json_locked`]), and a crash in the middle of a write leaves a damaged file
    /// (set aside at the next update). For helper state (failures, loop-guard ring, notice
    /// marker) that changes on tool calls, where losing it costs a hint at most and where
    /// an `fsync` (about half a hook's run time) or even a rename over an existing file
    /// (ext4 then starts writing the data out, ~0.15 ms) would be paid on every call.
    Relaxed,
}

/// What [`update_json`] did.
#[derive(Debug)]
pub struct Updated<R> {
    /// What the closure returned.
    pub value: R,
    /// Set when the old file was damaged and has been set aside.
    pub recovered: Option<StorageError>,
    /// Whether the file was rewritten (false when the closure changed nothing).
    pub written: bool,
}

/// Reads `path` as `T`; `Ok(None)` when it does not exist. No lock is taken: use it for
/// [`Durability::Durable`] files, which writers replace atomically. A damaged file is
/// [`StorageError::CorruptState`] with `moved_to: None` (it is left where it is).
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, StorageError> {
    let Some((path, bytes)) = read_current_or_previous(path)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StorageError::CorruptState {
            path,
            moved_to: None,
            message: e.to_string(),
        })
}

/// The bytes of `path`, or of `.<name>.prev` while a writer has moved `path` aside (or
/// crashed before renaming the new file in); `None` when neither exists.
///
/// A writer deletes `.prev` before it moves `path` aside, so a reader that finds neither may
/// have raced two writers: it looks again a few times before it concludes the state is absent.
fn read_current_or_previous(path: &Path) -> Result<Option<(PathBuf, Vec<u8>)>, StorageError> {
    let prev = previous_name(path);
    for _ in 0..4 {
        for candidate in [path, prev.as_path()] {
            match fs::read(candidate) {
                Ok(bytes) => return Ok(Some((candidate.to_path_buf(), bytes))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(StorageError::io("read", candidate, e)),
            }
        }
    }
    Ok(None)
}

/// Reads `path` as `T` without the `.prev` fallback (relaxed files have none).
fn read_plain<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, StorageError> {
    match fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StorageError::CorruptState {
                    path: path.to_path_buf(),
                    moved_to: None,
                    message: e.to_string(),
                })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StorageError::io("read", path, e)),
    }
}

/// [`read_json`] under the file's lock (shared), for [`Durability::Relaxed`] files, which
/// writers rewrite in place.
pub fn read_json_locked<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, StorageError> {
    if !path.exists() {
        return Ok(None);
    }
    let lock_file = open_sidecar(path)?;
    lock(&lock_file, &sidecar(path), Mode::Shared, LOCK_TIMEOUT)?;
    let state = read_plain(path);
    drop(lock_file);
    state
}

/// Read-modify-write of the JSON state file `path` under its lock.
///
/// `change` gets the current state (`None` when the file is absent or was damaged) and may
/// replace it, change it, or set it to `None` to delete the file. When the state is unchanged
/// nothing is written. The directory of `path` must exist.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("so-events-doc-state-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// use so_events::{Durability, update_json};
///
/// let counter = dir.join("counter.json");
/// for _ in 0..3 {
///     update_json(&counter, Durability::Relaxed, |n: &mut Option<u32>| {
///         *n = Some(n.unwrap_or(0) + 1);
///     })?;
/// }
/// assert_eq!(std::fs::read_to_string(&counter)?.trim(), "3");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn update_json<T, R>(
    path: &Path,
    durability: Durability,
    change: impl FnOnce(&mut Option<T>) -> R,
) -> Result<Updated<R>, StorageError>
where
    T: Serialize + DeserializeOwned + PartialEq + Clone,
{
    let lock_file = open_sidecar(path)?;
    lock(&lock_file, &sidecar(path), Mode::Exclusive, LOCK_TIMEOUT)?;

    let mut recovered = None;
    let read = if durability == Durability::Relaxed {
        read_plain(path)
    } else {
        read_json(path)
    };
    let before: Option<T> = match read {
        Ok(state) => state,
        Err(StorageError::CorruptState {
            path: damaged,
            message,
            ..
        }) => {
            let aside = corrupt_name(path);
            let moved_to = fs::rename(&damaged, &aside).ok().map(|()| aside);
            recovered = Some(StorageError::CorruptState {
                path: damaged,
                moved_to,
                message,
            });
            None
        }
        Err(e) => return Err(e),
    };
    let mut after = before.clone();
    let value = change(&mut after);
    let written = after != before || recovered.is_some();
    if written {
        if let Some(state) = &after {
            replace(path, state, durability)?;
        } else {
            // `.prev` goes first: were `path` removed first, a crash in between would
            // bring the previous state back to life.
            if durability != Durability::Relaxed {
                remove_if_present(&previous_name(path))?;
            }
            remove_if_present(path)?;
        }
    }
    drop(lock_file);
    Ok(Updated {
        value,
        recovered,
        written,
    })
}

/// Writes `state` to `path`: through a temporary file renamed over `path` (flushed first
/// when durable), or in place when relaxed.
fn replace<T: Serialize>(
    path: &Path,
    state: &T,
    durability: Durability,
) -> Result<(), StorageError> {
    let mut bytes =
        serde_json::to_vec_pretty(state).map_err(|e| StorageError::io("encode", path, e.into()))?;
    bytes.push(b'\n');
    if durability == Durability::Relaxed {
        return overwrite(path, &bytes);
    }
    let tmp = temp_name(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| StorageError::io("create", &tmp, e))?;
        file.write_all(&bytes)
            .map_err(|e| StorageError::io("write", &tmp, e))?;
        if durability == Durability::Durable {
            file.sync_all()
                .map_err(|e| StorageError::io("flush", &tmp, e))?;
        }
        drop(file);
        // Aside, then in: never a rename over an existing file (see the module docs).
        let prev = previous_name(path);
        remove_if_present(&prev)?;
        match fs::rename(path, &prev) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StorageError::io("replace", path, e)),
        }
        fs::rename(&tmp, path).map_err(|e| StorageError::io("replace", path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replaces `path` with `bytes` for readers that know nothing of this crate's `.prev`
/// fallback — the wave manifest the scope enforcer reads, STATE.md, a client's hooks file:
/// a temporary file in the same directory (created new, never through a link someone placed
/// there), flushed, renamed *over* `path` so that the file never disappears for a moment,
/// then the directory flushed so that the rename survives a crash. A reader sees the old
/// content or the new, never part of either. The caller serialises writers.
pub fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = temp_name(path);
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Rewrites `path` in place (caller holds the lock). A failed write removes the file: a
/// relaxed state is better absent than damaged.
fn overwrite(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let result = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.set_len(bytes.len() as u64)
        });
    result.map_err(|e| {
        let _ = fs::remove_file(path);
        StorageError::io("write", path, e)
    })
}

/// Opens (creating) the lock file of `path`.
fn open_sidecar(path: &Path) -> Result<fs::File, StorageError> {
    let lock_path = sidecar(path);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StorageError::io("open", &lock_path, e))
}

/// Removes `path`; absent is fine.
fn remove_if_present(path: &Path) -> Result<(), StorageError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StorageError::io("remove", path, e)),
    }
}

/// `.<name>.prev` beside `path`: the state before the last replace.
fn previous_name(path: &Path) -> PathBuf {
    with_name(path, |name| format!(".{name}.prev"))
}

/// `.<name>.lock` beside `path`.
fn sidecar(path: &Path) -> PathBuf {
    with_name(path, |name| format!(".{name}.lock"))
}

/// A temporary name beside `path`, unique per process and call.
fn temp_name(path: &Path) -> PathBuf {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    with_name(path, |name| format!(".{name}.tmp-{pid}-{seq}"))
}

/// `<name>.corrupt-<millis>` beside `path`.
fn corrupt_name(path: &Path) -> PathBuf {
    let ms = Timestamp::now().millis();
    with_name(path, |name| format!("{name}.corrupt-{ms}"))
}

fn with_name(path: &Path, make: impl FnOnce(&str) -> String) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy());
    path.with_file_name(make(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("so-events-state-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[test]
    fn damaged_file_is_set_aside_and_replaced() {
        let d = dir("corrupt");
        let path = d.join("s.json");
        fs::write(&path, "{\"a\": 1, \"b\"").unwrap_or_else(|e| panic!("{e}"));
        let up = update_json(
            &path,
            Durability::Durable,
            |s: &mut Option<serde_json::Value>| {
                assert!(s.is_none());
                *s = Some(serde_json::json!({"a": 2}));
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let Some(StorageError::CorruptState {
            moved_to: Some(aside),
            ..
        }) = up.recovered
        else {
            panic!("expected a recovery, got {:?}", up.recovered);
        };
        assert_eq!(
            fs::read_to_string(aside).unwrap_or_default(),
            "{\"a\": 1, \"b\""
        );
        let now: Option<serde_json::Value> = read_json(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(now, Some(serde_json::json!({"a": 2})));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn unchanged_state_is_not_rewritten_and_none_deletes() {
        let d = dir("unchanged");
        let path = d.join("s.json");
        let up = update_json(&path, Durability::Relaxed, |s: &mut Option<u8>| {
            *s = Some(1);
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(up.written);
        let up = update_json(&path, Durability::Relaxed, |_: &mut Option<u8>| {})
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!up.written);
        update_json(&path, Durability::Relaxed, |s: &mut Option<u8>| *s = None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!path.exists());
        let leftovers: Vec<_> = fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_crash_between_the_two_renames_loses_nothing() {
        let d = dir("aside");
        let path = d.join("s.json");
        for n in 1..=2u8 {
            update_json(&path, Durability::Atomic, |s: &mut Option<u8>| *s = Some(n))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // The previous state waits beside the file; readers take the file itself.
        assert_eq!(
            fs::read_to_string(d.join(".s.json.prev"))
                .unwrap_or_default()
                .trim(),
            "1"
        );
        assert_eq!(
            read_json::<u8>(&path).unwrap_or_else(|e| panic!("{e}")),
            Some(2)
        );
        // A writer that died after moving the file aside: readers and the next update see
        // the last complete state, not an absent one.
        fs::rename(&path, d.join(".s.json.prev")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            read_json::<u8>(&path).unwrap_or_else(|e| panic!("{e}")),
            Some(2)
        );
        update_json(&path, Durability::Atomic, |s: &mut Option<u8>| {
            assert_eq!(*s, Some(2));
            *s = Some(3);
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            read_json::<u8>(&path).unwrap_or_else(|e| panic!("{e}")),
            Some(3)
        );
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_deleted_state_does_not_come_back_from_prev() {
        let d = dir("delete-prev");
        let path = d.join("s.json");
        for n in 1..=2u8 {
            update_json(&path, Durability::Atomic, |s: &mut Option<u8>| *s = Some(n))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        update_json(&path, Durability::Atomic, |s: &mut Option<u8>| *s = None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!path.exists() && !d.join(".s.json.prev").exists());
        assert_eq!(
            read_json::<u8>(&path).unwrap_or_else(|e| panic!("{e}")),
            None
        );
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn replace_file_replaces_in_place_and_leaves_no_temp_file() {
        let d = dir("replace-file");
        let path = d.join("wave-scope.json");
        assert!(replace_file(&path, b"one").is_ok());
        assert!(replace_file(&path, b"two").is_ok());
        assert_eq!(fs::read_to_string(&path).ok().as_deref(), Some("two"));
        // Renamed over the old file: no `.prev` (foreign readers have no fallback to it)
        // and no temporary file left.
        let names: Vec<String> = fs::read_dir(&d)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(names, ["wave-scope.json"]);
        let _ = fs::remove_dir_all(&d);
    }
}
