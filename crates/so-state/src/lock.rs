//! The STATE.md lock: an exclusive `File::lock` on `.orchestrator/state.lock`, waited for at
//! most a deadline (`File::lock` alone waits forever).
//!
//! The fast path is `try_lock`. When another process holds the lock, a helper thread waits on
//! a clone of the handle (same open file description, so the lock it takes is ours) and this
//! thread waits on a channel with a timeout. When the deadline passes the helper is left
//! behind: if it later gets the lock it finds nobody listening and releases it at once. The
//! operating system releases the lock when its holder exits, so a crashed writer never
//! leaves it behind.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::StateError;

/// How long a writer waits for the lock (the seed's `state-md-lock.timeout-ms` default).
/// Holders keep it for a few milliseconds; ten seconds only pass when one hangs.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating it and its directory) and locks `path`; the lock lasts as long as the
/// returned file is open.
pub(crate) fn acquire(path: &Path, timeout: Duration) -> Result<File, StateError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StateError::io("create", dir, e))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| StateError::io("open the lock file", path, e))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(e)) => return Err(StateError::io("lock", path, e)),
    }
    let clone = file
        .try_clone()
        .map_err(|e| StateError::io("lock", path, e))?;
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("so-state-lock".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let result = clone.lock();
            let acquired = result.is_ok();
            // Nobody listening means the caller gave up: release what it no longer wants.
            if tx.send(result).is_err() && acquired {
                let _ = clone.unlock();
            }
        })
        .map_err(|e| StateError::io("lock", path, e))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => Ok(file),
        Ok(Err(e)) => Err(StateError::io("lock", path, e)),
        Err(_) => Err(StateError::LockTimeout {
            path: path.to_path_buf(),
            waited: timeout,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_out_while_held_and_succeeds_after_release() {
        let dir = std::env::temp_dir().join(format!("so-state-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join(".orchestrator").join("state.lock");
        let holder = acquire(&path, LOCK_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        let waited = acquire(&path, Duration::from_millis(50));
        assert!(
            matches!(&waited, Err(StateError::LockTimeout { .. })),
            "{waited:?}"
        );
        assert!(
            waited
                .err()
                .is_some_and(|e| e.to_string().contains("within 50 ms"))
        );
        let releaser = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            drop(holder);
        });
        // Control: once the holder lets go, the lock is had.
        assert!(acquire(&path, LOCK_TIMEOUT).is_ok());
        releaser
            .join()
            .unwrap_or_else(|_| panic!("releaser panicked"));
        let _ = fs::remove_dir_all(&dir);
    }
}
