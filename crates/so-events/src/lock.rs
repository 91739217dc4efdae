//! File locks with a deadline: `File::lock` waits forever, a hook must not.
//!
//! The fast path is `try_lock`. When another process holds the lock, a helper thread waits on
//! a clone of the handle (same open file description, so the lock it takes is ours) and this
//! thread waits on a channel with a timeout. When the deadline passes the helper is left
//! behind: if it later gets the lock it finds nobody listening and releases it at once.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::StorageError;

/// How long any lock is waited for before the operation is given up. Lock holders keep a
/// lock for well under a millisecond; five seconds only passes when a holder hangs.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// Which lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Writers: one at a time.
    Exclusive,
    /// Readers: any number, no writer.
    Shared,
}

/// Locks `file` (opened from `path`), waiting at most `timeout`.
pub(crate) fn lock(
    file: &File,
    path: &Path,
    mode: Mode,
    timeout: Duration,
) -> Result<(), StorageError> {
    let attempt = match mode {
        Mode::Exclusive => file.try_lock(),
        Mode::Shared => file.try_lock_shared(),
    };
    match attempt {
        Ok(()) => return Ok(()),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(e)) => return Err(StorageError::io("lock", path, e)),
    }
    let clone = file
        .try_clone()
        .map_err(|e| StorageError::io("lock", path, e))?;
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name("so-events-lock".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let result = match mode {
                Mode::Exclusive => clone.lock(),
                Mode::Shared => clone.lock_shared(),
            };
            let acquired = result.is_ok();
            // Nobody listening means the caller gave up: release what it no longer wants.
            if tx.send(result).is_err() && acquired {
                let _ = clone.unlock();
            }
        });
    if let Err(e) = spawned {
        return Err(StorageError::io("lock", path, e));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StorageError::io("lock", path, e)),
        Err(_) => Err(StorageError::LockTimeout {
            path: path.to_path_buf(),
            waited: timeout,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;

    fn open(path: &Path) -> File {
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
    }

    #[test]
    fn times_out_while_held_and_succeeds_after_release() {
        let dir = std::env::temp_dir().join(format!("so-events-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("held");
        let holder = open(&path);
        lock(&holder, &path, Mode::Exclusive, LOCK_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));

        let waiter = open(&path);
        let err = lock(&waiter, &path, Mode::Exclusive, Duration::from_millis(50));
        assert!(
            matches!(err, Err(StorageError::LockTimeout { .. })),
            "{err:?}"
        );
        let shared = lock(&open(&path), &path, Mode::Shared, Duration::from_millis(50));
        assert!(matches!(shared, Err(StorageError::LockTimeout { .. })));

        let later = open(&path);
        let releaser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            drop(holder);
        });
        lock(&later, &path, Mode::Exclusive, LOCK_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        releaser
            .join()
            .unwrap_or_else(|_| panic!("releaser panicked"));
        drop(later);
        drop(waiter);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
