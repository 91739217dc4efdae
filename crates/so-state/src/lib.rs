//! STATE.md: the coordinator's record of the running session, `<project>/<state-dir>/STATE.md`.
//!
//! This crate is the one parser ([`StateDoc::parse`]) and the one writer
//! ([`StateDoc::render`]) of the format, and the only code that changes the file
//! ([`StateFile`]): every read-modify-write holds `<project>/.orchestrator/state.lock` (waiting
//! at most [`LOCK_TIMEOUT`]) and replaces the file atomically (a temporary file in the same
//! directory, synced, renamed over it), so a reader sees the old file or the new one.
//!
//! **Format.** YAML frontmatter ([`Frontmatter`]: `schema-version: 1` and the session's keys;
//! keys it does not know are kept as written) and seven body sections in a fixed order
//! ([`SectionName`]); sections a human added are kept after the section they followed.
//! `## What Not To Retry` keeps at most 10 entries and `## Open Questions` at most 20 (the
//! oldest go first); both survive the idle reset.
//!
//! A file that does not parse is an error naming its lines ([`StateError::Corrupt`]) and is
//! never overwritten, except by an explicit `init` with `force` (which keeps a copy).
//!
//! ```
//! use so_state::{SectionName, StateDoc, Status};
//!
//! let text = "---\nschema-version: 1\nsession-type: deep\nbranch: main\nissues: [12]\n\
//!             started_at: 2026-05-04T09:00:00Z\nstatus: active\ncurrent-wave: 1\n\
//!             total-waves: 5\n---\n\n## Wave History\n\n- Wave 1 (Discovery): done\n";
//! let mut doc = StateDoc::parse(text)?;
//! assert_eq!(doc.frontmatter.status, Status::Active);
//! doc.append(SectionName::Deviations, "Wave 1: one agent ran long")?;
//! assert_eq!(StateDoc::parse(&doc.render())?, doc);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Not done here:** choosing the state directory for a client and finding the project root
//! (the CLI does), and deciding who may write (the scope enforcer denies subagents).

mod doc;
mod error;
mod frontmatter;
mod lock;
mod ops;
mod store;

pub use doc::{SectionName, StateDoc};
pub use error::{ParseError, Problem, StateError};
pub use frontmatter::{Frontmatter, KEYS, SCHEMA_VERSION, SessionType, Status, parse_issues};
pub use lock::LOCK_TIMEOUT;
pub use ops::{InitParams, Started, current_time};
pub use store::{Initialised, StateFile};

/// File name of the state file inside a client's state directory.
pub const STATE_FILE: &str = "STATE.md";

/// The lock every writer holds, relative to the project root.
pub const LOCK_FILE: &str = ".orchestrator/state.lock";

/// Most entries `## What Not To Retry` keeps.
pub const WHAT_NOT_TO_RETRY_CAP: usize = 10;

/// Most entries `## Open Questions` keeps.
pub const OPEN_QUESTIONS_CAP: usize = 20;

/// Most items `top-priorities` may hold.
pub const TOP_PRIORITIES_CAP: usize = 5;

/// Most characters `rationale` may hold.
pub const RATIONALE_CAP: usize = 120;
