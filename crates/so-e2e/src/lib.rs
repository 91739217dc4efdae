//! Test support for the end-to-end tests in `tests/`: they drive the **real** Claude Code and
//! Codex CLIs (pinned npm versions, see [`clients`]) against scripted fake models on
//! `127.0.0.1`, with this repository's plugin loaded, and check that the destructive guard
//! really stops a command inside a real session.
//!
//! * [`http`] — a std-only HTTP/1.1 server on a `TcpListener` bound to port 0.
//! * [`model`] — fake Anthropic Messages and `OpenAI` Responses APIs over it: the script asks
//!   for shell commands (or other tools such as Claude Code's `Write` or Codex's freeform
//!   `apply_patch`) as tool calls, records what the client sends back (the hook's deny
//!   reason, or the tool's output), then ends the turn.
//! * [`claude`], [`codex`] — run the clients headlessly in a clean environment (fresh `HOME`
//!   and `CODEX_HOME`, no outside traffic, permissions bypassed so only a hook can block);
//!   Codex gets the plugin from the marketplace and trusts its hooks the way `/hooks` does.
//! * [`sandbox`] — one folder per run, outside temp space (the guard treats `/tmp` as
//!   scratch); [`repo`] — the repository, its release binaries and staged plugin copies;
//!   [`process`] — every child has a hard time limit.
//! * [`autopilot`] — `session-orchestrator autopilot` (the release CLI) driving the real
//!   Claude Code through a wrapper that loads this repository as the plugin.
//!
//! It does not decide anything about commands: the verdicts come from the real
//! `target/release/destructive-guard`, started by the real clients through `hooks/run`.
//! The crate is `publish = false` and used only by its own tests.

pub mod autopilot;
pub mod claude;
pub mod clients;
pub mod codex;
pub mod http;
pub mod model;
pub mod process;
pub mod repo;
pub mod sandbox;
