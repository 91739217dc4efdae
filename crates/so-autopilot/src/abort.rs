//! The user-abort flag: SIGINT or SIGTERM asks the loop to stop.
//!
//! std cannot catch a signal (changing a disposition needs `sigaction`, i.e. `unsafe`), so
//! [`Abort::install`] uses `signal-hook`'s flag handlers, which only store into an atomic.
//! The loop polls the flag; it forwards the signal to the running session's process group
//! (the session runs in its own group, so a terminal's Ctrl+C reaches only the autopilot and
//! the autopilot decides what the session gets), waits for it to end, and records the run.
//! A second signal ends the autopilot at once (exit 130 or 143).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// Shared stop request; clones see the same flag.
#[derive(Debug, Clone, Default)]
pub struct Abort {
    signal: Arc<AtomicUsize>,
}

impl Abort {
    /// A flag no signal sets (tests, or a caller that handles signals itself).
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag set by SIGINT and SIGTERM from now on. The first signal only sets it; the
    /// second terminates the process (status 128 + signal).
    pub fn install() -> io::Result<Self> {
        let abort = Self::new();
        let armed = Arc::new(AtomicBool::new(false));
        for (signal, status) in [(SIGINT, 130), (SIGTERM, 143)] {
            // The shutdown check must be registered before the flag that arms it.
            signal_hook::flag::register_conditional_shutdown(signal, status, Arc::clone(&armed))?;
            signal_hook::flag::register(signal, Arc::clone(&armed))?;
            let value = usize::try_from(signal).unwrap_or(usize::MAX);
            signal_hook::flag::register_usize(signal, Arc::clone(&abort.signal), value)?;
        }
        Ok(abort)
    }

    /// The signal that asked to stop, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        }
    }

    /// Asks to stop as if `signal` had arrived.
    pub fn trigger(&self, signal: i32) {
        self.signal.store(
            usize::try_from(signal).unwrap_or(1).max(1),
            Ordering::SeqCst,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_is_seen_by_clones() {
        let a = Abort::new();
        let b = a.clone();
        assert_eq!(b.signal(), None);
        a.trigger(15);
        assert_eq!(b.signal(), Some(15));
    }
}
