//! Hook I/O shared by every hook binary of the project.
//!
//! **One job:** turn the bytes a coding client (Claude Code, Codex CLI or Cursor) writes on a
//! hook's stdin into a neutral [`HookInput`], and turn the hook's neutral [`Outcome`] into
//! exactly one answer (stdout, stderr, exit code) in that client's dialect.
//!
//! * **Input:** stdin, read once with a size cap ([`read_payload`], [`MAX_PAYLOAD_BYTES`]) and
//!   parsed once ([`decode`]). The client is recognised from the payload's own keys, never from
//!   environment variables, because Cursor sets `CLAUDE_PROJECT_DIR` and Codex sets
//!   `CLAUDE_PLUGIN_ROOT` for compatibility.
//! * **Output:** [`render`] gives one [`Response`]: empty stdout for "no opinion", otherwise one
//!   JSON object holding only keys the client's schema accepts (Codex rejects the whole answer on
//!   an unknown key and then fails open).
//! * **Driver:** [`run_hook`] does both ends around a handler closure, runs the handler on a big
//!   stack, turns panics and unreadable payloads into a defined answer ([`FailurePolicy`]).
//!
//! It does **not** decide anything: which command is dangerous, what context to add, or whether
//! a `Stop` hook should keep the agent going (check `stop_hook_active` in [`HookInput::raw`]
//! yourself) belongs to the callers. It does not read configuration or the environment.
//!
//! ```no_run
//! use so_protocol::{FailurePolicy, Outcome};
//!
//! fn main() -> std::process::ExitCode {
//!     so_protocol::run_hook(FailurePolicy::FailClosed, |input| match input.shell_command() {
//!         Some(cmd) if cmd.contains("rm -rf /") => Outcome::Deny {
//!             reason: "refusing to delete the root directory".into(),
//!             user_message: None,
//!         },
//!         _ => Outcome::Allow,
//!     })
//! }
//! ```

mod error;
mod input;
mod outcome;
mod read;
mod render;
mod runner;
mod text;

pub use error::ProtocolError;
pub use input::{Client, EventKind, HookInput, decode};
pub use outcome::{Outcome, Response};
pub use read::{MAX_DRAIN_BYTES, MAX_PAYLOAD_BYTES, read_payload};
pub use render::{render, render_undecodable, render_undecodable_notice};
pub use runner::{FailurePolicy, run_hook, run_hook_with};
pub use text::{MAX_CONTEXT_CHARS, MAX_MESSAGE_CHARS, MAX_REASON_CHARS, TRUNCATION_MARKER, clamp};
