//! The headless autopilot: chains `claude -p` sessions (`/session` → `/go` → `/close`)
//! and stops exactly when a kill switch says so, and the session-mode recommendation it
//! (and `session-orchestrator mode`) relies on.
//!
//! **Input:** the project's recorded state — session reports in
//! `.orchestrator/metrics/sessions.jsonl` ([`report`]), learnings, `STATE.md`'s
//! recommendation fields, git ([`signals`]) — a resource probe ([`probe`]), the flags
//! ([`options`]) and the `claude` CLI ([`session`]).
//! **Output:** one progress line per session on stderr and one
//! `orchestrator.autopilot.completed` record per run in
//! `.orchestrator/metrics/autopilot.jsonl`, written through `so-events` ([`run`]).
//!
//! * [`mode`] — the deterministic recommendation: weighted votes, a confidence, a rationale.
//! * [`switches`] — every kill switch (seed §9.8) as a pure function of the loop's state.
//! * [`session`] — one session in its own process group: stream-json read line by line,
//!   the whole process tree killed on a stall, the user's signal forwarded on abort.
//! * [`abort`] — SIGINT/SIGTERM set a flag the loop polls.
//!
//! It does **not** parse `STATE.md` itself (`so-state` is its one parser), write session
//! reports (`session-orchestrator session record` does), or pass `--plugin-dir`: the
//! sessions use the plugin as installed in Claude Code.
//!
//! ```
//! use so_autopilot::switches::{self, Before, KillSwitch, Limits};
//! use std::time::Duration;
//!
//! let limits = Limits { max_sessions: 2, max_hours: 4.0, max_tokens: 500_000, confidence_threshold: 0.85 };
//! let state = Before {
//!     sessions_started: 2,
//!     elapsed: Duration::from_secs(60),
//!     abort_signal: None,
//!     tokens_used: 0,
//!     resources: None,
//! };
//! let stop = switches::before_iteration(&limits, &state).map(|s| s.switch);
//! assert_eq!(stop, Some(KillSwitch::MaxSessionsReached));
//! ```

pub mod abort;
pub mod mode;
pub mod options;
pub mod probe;
pub mod report;
pub mod run;
pub mod session;
pub mod signals;
mod stream;
pub mod switches;

pub use abort::Abort;
pub use mode::{Mode, Recommendation, Signals};
pub use options::{ArgsError, Options};
pub use run::{Config, Outcome, run};
