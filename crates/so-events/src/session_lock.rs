//! `runtime/session.lock`: which session owns the repository, kept alive by heartbeats.
//!
//! Liveness is `now - last_heartbeat < ttl`, never a process id: a hook process lives a
//! millisecond, so its PID says nothing about the session (the original's bug #585). The
//! owner's fields sit at the top level (the seed's v2 shape: `session_id`, `started_at`,
//! `last_heartbeat`, `host`, `ttl_hours`); other live sessions heartbeat under `peers`, so a
//! new session can tell the user who else is working in the repository.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::state::{Durability, read_json, update_json};
use crate::{Layout, StorageError, Timestamp};

/// How long a session counts as live after its last heartbeat.
pub const SESSION_TTL: Duration = Duration::from_hours(4);

/// Heartbeats closer together than this are skipped (the lock is not rewritten), so the
/// events that heartbeat on every turn stay cheap. Far below [`SESSION_TTL`].
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_mins(1);

/// The file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionLock {
    /// Schema of this file (2 continues the seed's v2).
    #[serde(default)]
    pub schema_version: u32,
    /// The owner, when there is one.
    #[serde(flatten)]
    pub owner: Option<Holder>,
    /// Other sessions' heartbeats, by session id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peers: BTreeMap<String, Holder>,
}

/// A session holding (or sharing) the lock.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Holder {
    /// Session id.
    pub session_id: String,
    /// `claude`, `codex` or `cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// When it took the lock (or first heartbeat as a peer).
    pub started_at: String,
    /// Last sign of life.
    pub last_heartbeat: String,
    /// Host name, for locks on shared disks (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Time to live in hours ([`SESSION_TTL`]).
    #[serde(default = "ttl_hours")]
    pub ttl_hours: u64,
}

fn ttl_hours() -> u64 {
    SESSION_TTL.as_secs() / 3600
}

impl Holder {
    fn new(session_id: &str, client: Option<&str>, now: Timestamp) -> Self {
        Self {
            session_id: session_id.to_owned(),
            client: client.map(str::to_owned),
            started_at: now.to_string(),
            last_heartbeat: now.to_string(),
            host: host_name(),
            ttl_hours: ttl_hours(),
        }
    }

    /// Whether its last heartbeat is younger than its TTL at `now`. An unreadable heartbeat
    /// is not live.
    pub fn is_live(&self, now: Timestamp) -> bool {
        let ttl_ms = self.ttl_hours.saturating_mul(3_600_000);
        Timestamp::parse(&self.last_heartbeat)
            .and_then(|hb| now.millis_since(hb).or(Some(0)))
            .is_some_and(|age| age < ttl_ms)
    }

    /// Milliseconds since its last heartbeat.
    pub fn idle_ms(&self, now: Timestamp) -> Option<u64> {
        now.millis_since(Timestamp::parse(&self.last_heartbeat)?)
    }
}

/// What [`acquire`] found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct Acquired {
    /// How the lock stands for this session.
    pub outcome: LockOutcome,
    /// Other live sessions in the repository (the owner first when it is not us).
    pub live_peers: Vec<Holder>,
}

/// How the lock stands after [`acquire`].
#[derive(Debug, Clone, PartialEq)]
pub enum LockOutcome {
    /// This session took the lock; `reaped` names an owner whose heartbeat had expired.
    Acquired {
        /// The expired owner it replaced.
        reaped: Option<String>,
    },
    /// This session already owned it; the heartbeat was refreshed.
    Refreshed,
    /// Another live session owns it; this one heartbeats as a peer.
    HeldBy(Holder),
}

/// Takes or refreshes the lock for `session_id` at `now`.
///
/// The file is replaced atomically but not flushed ([`Durability::Atomic`]): after a crash
/// every session is dead whatever it says, and the time to live takes care of that.
pub fn acquire(
    layout: &Layout,
    session_id: &str,
    client: Option<&str>,
    now: Timestamp,
) -> Result<(Acquired, Option<StorageError>), StorageError> {
    let up = update_json(
        &layout.session_lock(),
        Durability::Atomic,
        |state: &mut Option<SessionLock>| {
            let lock = state.get_or_insert_with(SessionLock::default);
            lock.schema_version = 2;
            lock.peers
                .retain(|id, h| id != session_id && h.is_live(now));
            let outcome = match lock.owner.take() {
                Some(mut owner) if owner.session_id == session_id => {
                    owner.last_heartbeat = now.to_string();
                    lock.owner = Some(owner);
                    LockOutcome::Refreshed
                }
                Some(owner) if owner.is_live(now) => {
                    lock.owner = Some(owner.clone());
                    lock.peers
                        .insert(session_id.to_owned(), Holder::new(session_id, client, now));
                    LockOutcome::HeldBy(owner)
                }
                previous => {
                    lock.owner = Some(Holder::new(session_id, client, now));
                    LockOutcome::Acquired {
                        reaped: previous.map(|p| p.session_id),
                    }
                }
            };
            let mut live: Vec<Holder> = lock
                .owner
                .iter()
                .filter(|o| o.session_id != session_id)
                .cloned()
                .collect();
            live.extend(
                lock.peers
                    .values()
                    .filter(|p| p.session_id != session_id)
                    .cloned(),
            );
            Acquired {
                outcome,
                live_peers: live,
            }
        },
    )?;
    Ok((up.value, up.recovered))
}

/// The sessions other than `session_id` that are live at `now` according to the lock file
/// (owner first), from a plain read without the lock: a snapshot that may be a moment old.
pub fn live_sessions(
    layout: &Layout,
    session_id: &str,
    now: Timestamp,
) -> Result<Vec<Holder>, StorageError> {
    let Some(lock) = read_json::<SessionLock>(&layout.session_lock())? else {
        return Ok(Vec::new());
    };
    Ok(lock
        .owner
        .into_iter()
        .chain(lock.peers.into_values())
        .filter(|h| h.session_id != session_id && h.is_live(now))
        .collect())
}

/// Refreshes `session_id`'s heartbeat if the last one is older than
/// [`HEARTBEAT_INTERVAL`]; takes the lock when nobody live owns it. Returns whether the file
/// was written. The check before locking is a plain read, so a fresh heartbeat costs no write.
pub fn heartbeat(
    layout: &Layout,
    session_id: &str,
    client: Option<&str>,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let due = |lock: &SessionLock| {
        let mine = match &lock.owner {
            Some(o) if o.session_id == session_id => Some(o),
            _ => lock.peers.get(session_id),
        };
        mine.and_then(|h| h.idle_ms(now))
            .is_none_or(|idle| u128::from(idle) >= HEARTBEAT_INTERVAL.as_millis())
            || lock.owner.as_ref().is_none_or(|o| !o.is_live(now))
    };
    match read_json::<SessionLock>(&layout.session_lock()) {
        Ok(Some(lock)) if !due(&lock) => return Ok(false),
        Ok(_) | Err(StorageError::CorruptState { .. }) => {}
        Err(e) => return Err(e),
    }
    let up = update_json(
        &layout.session_lock(),
        Durability::Atomic,
        |state: &mut Option<SessionLock>| {
            let lock = state.get_or_insert_with(SessionLock::default);
            lock.schema_version = 2;
            lock.peers.retain(|_, h| h.is_live(now));
            match &mut lock.owner {
                Some(o) if o.session_id == session_id => o.last_heartbeat = now.to_string(),
                Some(o) if o.is_live(now) => {
                    lock.peers
                        .entry(session_id.to_owned())
                        .or_insert_with(|| Holder::new(session_id, client, now))
                        .last_heartbeat = now.to_string();
                }
                slot => {
                    let mut me = lock
                        .peers
                        .remove(session_id)
                        .unwrap_or_else(|| Holder::new(session_id, client, now));
                    me.last_heartbeat = now.to_string();
                    *slot = Some(me);
                }
            }
        },
    )?;
    Ok(up.written)
}

/// What [`release`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Released {
    /// This session owned the lock and released it.
    Released,
    /// Another session owns it (named when known); only this session's peer entry was
    /// removed.
    NotOwner(Option<String>),
}

/// Releases the lock if `session_id` owns it; removes its peer entry either way. The file is
/// deleted when nobody is left in it.
pub fn release(layout: &Layout, session_id: &str) -> Result<Released, StorageError> {
    let up = update_json(
        &layout.session_lock(),
        Durability::Atomic,
        |state: &mut Option<SessionLock>| {
            let Some(lock) = state.as_mut() else {
                return Released::NotOwner(None);
            };
            lock.peers.remove(session_id);
            let result = match &lock.owner {
                Some(o) if o.session_id == session_id => {
                    lock.owner = None;
                    Released::Released
                }
                other => Released::NotOwner(other.as_ref().map(|o| o.session_id.clone())),
            };
            if lock.owner.is_none() && lock.peers.is_empty() {
                *state = None;
            }
            result
        },
    )?;
    Ok(up.value)
}

/// The host name from the kernel or the environment (best effort, no libc).
fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(tag: &str) -> Layout {
        let root =
            std::env::temp_dir().join(format!("so-events-lock-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let l = Layout::new(&root);
        l.ensure().unwrap_or_else(|e| panic!("{e}"));
        l
    }

    fn ok<T>(r: Result<T, StorageError>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn owner_peer_expiry_and_release() {
        let l = layout("cycle");
        let t0 = Timestamp::from_millis(1_800_000_000_000);
        let (a, _) = ok(acquire(&l, "a", Some("claude"), t0));
        assert_eq!(a.outcome, LockOutcome::Acquired { reaped: None });
        assert!(a.live_peers.is_empty());

        let (b, _) = ok(acquire(&l, "b", Some("codex"), t0.minus(Duration::ZERO)));
        assert!(matches!(b.outcome, LockOutcome::HeldBy(ref h) if h.session_id == "a"));
        assert_eq!(b.live_peers.len(), 1);

        let (a2, _) = ok(acquire(&l, "a", Some("claude"), t0));
        assert_eq!(a2.outcome, LockOutcome::Refreshed);
        assert_eq!(a2.live_peers[0].session_id, "b");

        // Five hours later nobody heartbeat: c reaps a's lock and sees no peer.
        let later = Timestamp::from_millis(t0.millis() + 5 * 3_600_000);
        let (c, _) = ok(acquire(&l, "c", None, later));
        assert_eq!(
            c.outcome,
            LockOutcome::Acquired {
                reaped: Some("a".into())
            }
        );
        assert!(c.live_peers.is_empty());

        assert_eq!(ok(release(&l, "a")), Released::NotOwner(Some("c".into())));
        assert_eq!(ok(release(&l, "c")), Released::Released);
        assert!(!l.session_lock().exists());
        let _ = std::fs::remove_dir_all(l.project_root());
    }

    #[test]
    fn heartbeats_are_throttled_and_take_an_orphaned_lock() {
        let l = layout("hb");
        let t0 = Timestamp::from_millis(1_800_000_000_000);
        assert!(ok(heartbeat(&l, "a", None, t0)), "no lock yet: takes it");
        assert!(!ok(heartbeat(
            &l,
            "a",
            None,
            Timestamp::from_millis(t0.millis() + 1000)
        )));
        assert!(ok(heartbeat(
            &l,
            "a",
            None,
            Timestamp::from_millis(t0.millis() + 61_000)
        )));
        let lock: SessionLock = ok(read_json(&l.session_lock())).unwrap_or_default();
        assert_eq!(lock.owner.map(|o| o.session_id).as_deref(), Some("a"));
        let _ = std::fs::remove_dir_all(l.project_root());
    }
}
