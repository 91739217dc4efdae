//! `runtime/current-session.json`: the running session's state, updated by several hooks.
//!
//! The top-level fields describe the most recently started session (the shape the markdown
//! skills read: `session_id`, `started_at`, `last_wave`, `cwd_changes`, …). Other sessions
//! that are live in the same repository at the same time keep their state under `others`,
//! keyed by session id, so two sessions never overwrite each other's waves or durations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::session_lock::SESSION_TTL;
use crate::state::{Durability, Updated, update_json};
use crate::{Layout, StorageError, Timestamp};

/// Most working-directory changes kept per session in `runtime/cwd-changes.json`.
pub const MAX_CWD_CHANGES: usize = 20;

/// Most sessions kept in `runtime/cwd-changes.json` (the least recently changed go first).
pub const MAX_CWD_SESSIONS: usize = 50;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CurrentSession {
    /// Schema of this file.
    #[serde(default = "one")]
    pub schema_version: u32,
    /// The most recently started session.
    #[serde(flatten)]
    pub current: SessionState,
    /// Other sessions live in the repository, by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub others: BTreeMap<String, SessionState>,
}

fn one() -> u32 {
    1
}

/// One session's state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionState {
    /// The client's session id.
    #[serde(default)]
    pub session_id: String,
    /// `claude`, `codex` or `cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// `SessionStart` `source` of the first start (`startup`, `resume`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the session started (ISO-8601 UTC). Seed readers call this `timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When `SessionStart` last ran for it (resume, clear, compact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_start: Option<String>,
    /// Last time a hook changed this state (ISO-8601 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When it ended, once `SessionEnd` ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// Working directory at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// The wave number last seen in the wave-scope manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_wave: Option<u32>,
    /// Waves seen, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waves: Vec<Wave>,
}

/// A wave as seen from the hooks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Wave {
    /// Wave number from the manifest.
    pub wave: u32,
    /// The wave's role, when the manifest names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When the hooks first saw it.
    pub started_at: String,
    /// When the hooks saw it end (the manifest changed or was removed, or the session ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

impl Wave {
    /// Milliseconds from start to completion, when both are known and in order.
    pub fn duration_ms(&self) -> Option<u64> {
        let end = Timestamp::parse(self.completed_at.as_deref()?)?;
        end.millis_since(Timestamp::parse(&self.started_at)?)
    }
}

/// `runtime/cwd-changes.json`: the last working-directory changes of each session.
///
/// Kept apart from `current-session.json` on purpose: `CwdChanged` fires whenever the
/// agent's shell changes directory, and this history is helper state
/// ([`Durability::Relaxed`]), while `current-session.json` is flushed to disk on every write.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CwdChanges {
    /// Schema of this file.
    #[serde(default)]
    pub schema_version: u32,
    /// Session id → its last [`MAX_CWD_CHANGES`] changes, oldest first.
    #[serde(default)]
    pub sessions: BTreeMap<String, Vec<CwdChange>>,
}

/// A `CwdChanged` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CwdChange {
    /// When.
    pub timestamp: String,
    /// Directory before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_cwd: Option<String>,
    /// Directory after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_cwd: Option<String>,
}

impl CurrentSession {
    /// The state of `session_id`, wherever it is kept.
    pub fn get(&self, session_id: &str) -> Option<&SessionState> {
        if self.current.session_id == session_id {
            Some(&self.current)
        } else {
            self.others.get(session_id)
        }
    }

    /// The state of `session_id` for changing at `now` (its `updated_at` is set); created
    /// (under `others`, or at the top when the top is empty) if missing.
    pub fn entry(&mut self, session_id: &str, now: Timestamp) -> &mut SessionState {
        if self.current.session_id.is_empty() {
            session_id.clone_into(&mut self.current.session_id);
        }
        let state = if self.current.session_id == session_id {
            &mut self.current
        } else {
            self.others
                .entry(session_id.to_owned())
                .or_insert_with(|| SessionState {
                    session_id: session_id.to_owned(),
                    ..SessionState::default()
                })
        };
        state.updated_at = Some(now.to_string());
        state
    }

    /// Makes `session_id` the top-level session at `now`. The previous top-level session
    /// moves to `others`; then every entry of `others` that ended, or that is neither
    /// `live` (by the lock's heartbeats) nor changed within [`SESSION_TTL`], is dropped.
    /// Recent changes count on their own so that a session whose first update raced with
    /// this start is never dropped.
    pub fn promote(
        &mut self,
        session_id: &str,
        now: Timestamp,
        live: impl Fn(&SessionState) -> bool,
    ) {
        if self.current.session_id != session_id {
            let mine = self
                .others
                .remove(session_id)
                .unwrap_or_else(|| SessionState {
                    session_id: session_id.to_owned(),
                    ..SessionState::default()
                });
            let previous = std::mem::replace(&mut self.current, mine);
            if !previous.session_id.is_empty() {
                self.others.insert(previous.session_id.clone(), previous);
            }
        }
        let ttl_ms = u64::try_from(SESSION_TTL.as_millis()).unwrap_or(u64::MAX);
        let recent = |s: &SessionState| {
            [&s.updated_at, &s.last_start, &s.started_at]
                .into_iter()
                .filter_map(|t| Timestamp::parse(t.as_deref()?))
                .any(|t| now.millis_since(t).is_none_or(|age| age < ttl_ms))
        };
        self.others
            .retain(|_, s| s.ended_at.is_none() && (recent(s) || live(s)));
    }
}

impl SessionState {
    /// The wave still open (started, not completed).
    pub fn open_wave(&self) -> Option<&Wave> {
        self.waves.last().filter(|w| w.completed_at.is_none())
    }

    /// Closes the open wave at `now`; returns it.
    pub fn close_wave(&mut self, now: Timestamp) -> Option<Wave> {
        let wave = self.waves.last_mut().filter(|w| w.completed_at.is_none())?;
        wave.completed_at = Some(now.to_string());
        Some(wave.clone())
    }
}

/// Adds `change` to `session_id`'s history in `runtime/cwd-changes.json`, keeping the
/// last [`MAX_CWD_CHANGES`] per session and [`MAX_CWD_SESSIONS`] sessions. Returns how many
/// changes the session now has.
pub fn record_cwd_change(
    layout: &Layout,
    session_id: &str,
    change: CwdChange,
) -> Result<Updated<usize>, StorageError> {
    update_json(
        &layout.cwd_changes(),
        Durability::Relaxed,
        |state: &mut Option<CwdChanges>| {
            let file = state.get_or_insert_with(CwdChanges::default);
            file.schema_version = 1;
            let list = file.sessions.entry(session_id.to_owned()).or_default();
            list.push(change);
            let excess = list.len().saturating_sub(MAX_CWD_CHANGES);
            list.drain(..excess);
            let count = list.len();
            while file.sessions.len() > MAX_CWD_SESSIONS {
                let stalest = file
                    .sessions
                    .iter()
                    .min_by_key(|(_, l)| l.last().map(|c| c.timestamp.clone()))
                    .map(|(k, _)| k.clone());
                match stalest {
                    Some(k) => file.sessions.remove(&k),
                    None => break,
                };
            }
            count
        },
    )
}

/// Reads `current-session.json` (absent → default).
pub fn read_current(layout: &Layout) -> Result<CurrentSession, StorageError> {
    Ok(crate::read_json(&layout.current_session())?.unwrap_or_default())
}

/// Read-modify-write of `current-session.json`: atomic replace (temporary file + rename)
/// under the lock, without `fsync`. An `fsync` doubled the cost of `SessionStart` and
/// `SessionEnd` (0.5 ms of a 1 ms hook); what a crash can cost without it is the last update
/// of a session the crash ended anyway, and a damaged file is set aside and rebuilt, never
/// trusted (see docs/events.md).
pub fn update_current<R>(
    layout: &Layout,
    change: impl FnOnce(&mut CurrentSession) -> R,
) -> Result<Updated<R>, StorageError> {
    update_json(
        &layout.current_session(),
        Durability::Atomic,
        |state: &mut Option<CurrentSession>| {
            let s = state.get_or_insert_with(CurrentSession::default);
            s.schema_version = 1;
            change(s)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_shaped_top_level_and_others() {
        let now = Timestamp::parse("2026-01-01T00:00:00.000Z").unwrap_or(Timestamp::from_millis(0));
        let mut cs = CurrentSession::default();
        cs.entry("a", now).started_at = Some("2026-01-01T00:00:00.000Z".into());
        cs.entry("b", now).last_wave = Some(2);
        let json = serde_json::to_value(&cs).unwrap_or_default();
        assert_eq!(json["session_id"], "a");
        assert_eq!(json["others"]["b"]["last_wave"], 2);
        let back: CurrentSession = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back, cs);

        cs.promote("b", now, |_| false);
        assert_eq!(cs.current.session_id, "b");
        assert!(cs.others.contains_key("a"), "recently changed: kept");
        // Five hours later only what the lock says is live stays.
        let later = Timestamp::from_millis(now.millis() + 5 * 3_600_000);
        cs.promote("c", later, |s| s.session_id == "b");
        assert_eq!(cs.current.session_id, "c");
        assert_eq!(cs.others.keys().collect::<Vec<_>>(), ["b"]);
        if let Some(b) = cs.others.get_mut("b") {
            b.ended_at = Some("x".into());
        }
        cs.promote("c", later, |_| true);
        assert!(cs.others.is_empty(), "ended sessions go");
    }

    #[test]
    fn cwd_changes_are_capped_per_session_and_in_sessions() {
        let root = std::env::temp_dir().join(format!("so-events-cwd-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let layout = Layout::new(&root);
        layout.ensure().unwrap_or_else(|e| panic!("{e}"));
        let change = |t: String| CwdChange {
            timestamp: t,
            ..CwdChange::default()
        };
        for i in 0..25 {
            let n = record_cwd_change(&layout, "s", change(format!("{i:03}")))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(n.value, (i + 1).min(MAX_CWD_CHANGES));
        }
        for i in 0..MAX_CWD_SESSIONS {
            record_cwd_change(&layout, &format!("other{i}"), change(format!("1{i:03}")))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let file: CwdChanges = crate::read_json_locked(&layout.cwd_changes())
            .ok()
            .flatten()
            .unwrap_or_default();
        assert_eq!(file.sessions.len(), MAX_CWD_SESSIONS);
        assert!(
            !file.sessions.contains_key("s"),
            "the stalest session went first"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
