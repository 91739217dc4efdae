//! The loop guard's memory: the last calls of each session (and subagent), to notice the
//! same tool being called with the same arguments again and again.
//!
//! A call fires when, counting itself, the same tool and argument hash appear `threshold`
//! times among the last `window` calls. The matching calls are then forgotten, so the next
//! hint needs another `threshold` repetitions rather than coming on every call. The ring is
//! helper state ([`Durability::Relaxed`]): losing it in a crash costs nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::state::{Durability, Updated, update_json};
use crate::{Layout, LoopGuardSettings, StorageError, Timestamp};

/// Rings untouched for this long are dropped.
const STALE_MS: i64 = 24 * 3_600_000;

/// The file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LoopGuardState {
    /// Schema of this file.
    #[serde(default)]
    pub schema_version: u32,
    /// Per `session_id` or `session_id/agent_id`.
    #[serde(default)]
    pub rings: BTreeMap<String, Ring>,
}

/// Recent calls of one agent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ring {
    /// Last update, ms since the epoch.
    pub updated_ms: i64,
    /// Oldest first, at most `window`.
    pub recent: Vec<Call>,
}

/// One tool call, hashed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Call {
    /// Tool name.
    pub tool: String,
    /// [`crate::json_hash`] of the arguments.
    pub args_hash: String,
}

/// A repetition that reached the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopHit {
    /// Identical calls within the window, this one included.
    pub count: u32,
    /// The window that was looked at.
    pub window: u32,
}

/// Records `call` for `key` and says whether it completes a loop.
pub fn observe(
    layout: &Layout,
    key: &str,
    call: &Call,
    settings: LoopGuardSettings,
    now: Timestamp,
) -> Result<Updated<Option<LoopHit>>, StorageError> {
    update_json(
        &layout.loop_guard(),
        Durability::Relaxed,
        |state: &mut Option<LoopGuardState>| {
            let s = state.get_or_insert_with(LoopGuardState::default);
            s.schema_version = 1;
            s.rings
                .retain(|_, r| now.millis() - r.updated_ms < STALE_MS);
            let ring = s.rings.entry(key.to_owned()).or_default();
            ring.updated_ms = now.millis();
            ring.recent.push(call.clone());
            let window = usize::try_from(settings.window).unwrap_or(usize::MAX);
            let excess = ring.recent.len().saturating_sub(window);
            ring.recent.drain(..excess);
            let count = ring.recent.iter().filter(|c| *c == call).count();
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            if count >= settings.threshold {
                ring.recent.retain(|c| c != call);
                Some(LoopHit {
                    count,
                    window: settings.window,
                })
            } else {
                None
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_at_threshold_then_needs_new_repetitions() {
        let root = std::env::temp_dir().join(format!("so-events-loop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let l = Layout::new(&root);
        l.ensure().unwrap_or_else(|e| panic!("{e}"));
        let settings = LoopGuardSettings {
            enabled: true,
            threshold: 3,
            window: 5,
        };
        let call = |tool: &str, h: &str| Call {
            tool: tool.into(),
            args_hash: h.into(),
        };
        let mut fired = Vec::new();
        let seq = [
            ("Bash", "a"),
            ("Bash", "a"),
            ("Read", "x"),
            ("Bash", "a"),
            ("Bash", "a"),
            ("Bash", "a"),
            ("Bash", "b"),
            ("Bash", "a"),
        ];
        for (i, (t, h)) in seq.iter().enumerate() {
            let now = Timestamp::from_millis(1_800_000_000_000 + i64::try_from(i).unwrap_or(0));
            let up = observe(&l, "s", &call(t, h), settings, now).unwrap_or_else(|e| panic!("{e}"));
            if up.value.is_some() {
                fired.push(i);
            }
        }
        // 3rd identical at index 3; then a, a (indices 4, 5) and index 7 makes 3 again.
        assert_eq!(fired, vec![3, 7]);
        // Another agent's ring is separate.
        let other = observe(
            &l,
            "s/agent",
            &call("Bash", "a"),
            settings,
            Timestamp::now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(other.value, None);
        let _ = std::fs::remove_dir_all(&root);
    }
}
