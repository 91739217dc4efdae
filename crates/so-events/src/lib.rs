//! The session record: what the hooks write about sessions, waves, subagents, skills, tool
//! failures, loops and guard decisions, and how they write it so that it is never lost,
//! torn or wrong.
//!
//! **Input:** typed events from the hooks ([`catalog`]) and the project root.
//! **Output:** files under `<project>/.orchestrator/` ([`Layout`]):
//! append-only JSONL logs in `metrics/` and rewritten JSON state in `runtime/`.
//!
//! * **One schema** ([`Record`]): every line is `{"schema_version":1,"timestamp":
//!   "<ISO-8601 UTC>","event":"orchestrator.<domain>.<verb>",…fields}`; `docs/events.md`
//!   lists every event and field.
//! * **Appends** ([`append`]): one `write_all` of the whole line under an exclusive file
//!   lock; a record is one complete line or nothing (a failed write is cut back, a write that
//!   would cross the file-size limit is not attempted).
//! * **State** ([`update_json`]): read-modify-write under a lock; `current-session.json` is
//!   written to a temporary file, flushed and renamed into place ([`Durability`] says how
//!   each file is written); a damaged file is set aside, never silently overwritten.
//! * **Liveness** ([`session_lock`]): heartbeats with a time to live, never process ids.
//! * **Rotation** ([`rotate_if_needed`]) of `events.jsonl` by size and backup count, from the
//!   Session Config read through `so-config` ([`Settings`]).
//! * **Failure mode** ([`Recorder`]): storage errors never block the agent; the hook tells
//!   the user once per session, visibly.
//!
//! It does **not** decode hook payloads or render answers (`so-protocol`), decide anything
//! about commands (`so-guard`), or parse the Session Config itself (`so-config`).
//!
//! ```
//! # let root = std::env::temp_dir().join(format!("so-events-doc-lib-{}", std::process::id()));
//! # std::fs::create_dir_all(&root)?;
//! use so_events::{Layout, Timestamp, catalog};
//!
//! let layout = Layout::new(&root);
//! layout.ensure()?;
//! let origin = catalog::Origin { session_id: Some("s1"), client: Some("claude"), at: Timestamp::now() };
//! so_events::append(&layout.events(), &catalog::session_stopped(&origin, Some(2)))?;
//! let records = so_events::read_records(&layout.events())?;
//! assert_eq!(records.records[0].event, "orchestrator.session.stopped");
//! # std::fs::remove_dir_all(&root)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod append;
pub mod catalog;
mod error;
pub mod failures;
mod guard;
mod hash;
mod layout;
mod lock;
pub mod loop_guard;
mod notice;
mod read;
mod record;
mod rotate;
pub mod session;
pub mod session_lock;
mod settings;
mod state;
pub mod summary;
mod time;
pub mod transcript;

pub use append::{AppendOptions, append, append_all, append_with};
pub use error::{ProblemKind, StorageError};
pub use guard::record_guard_decision;
pub use hash::{command_hash, fnv1a64, json_hash};
pub use layout::Layout;
pub use lock::LOCK_TIMEOUT;
pub use notice::Recorder;
pub use read::{Records, find_last, read_records};
pub use record::{ReadRecord, Record, SCHEMA_VERSION, is_valid_event_name, segment};
pub use rotate::{Rotation, backup, rotate_if_needed, with_backups};
pub use settings::{LoopGuardSettings, RotationSettings, Settings};
pub use state::{Durability, Updated, read_json, read_json_locked, replace_file, update_json};
pub use time::Timestamp;
