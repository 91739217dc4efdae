//! Quality gates: run a project's test, type-check and lint commands and read what they
//! report from the runners' own output.
//!
//! **Input:** the project root, whose Session Config (read through `so-config`) or
//! `.orchestrator/policy/quality-gates.json` names the three commands ([`config`]), and a
//! [`Variant`] (`baseline`, `incremental`, `full-gate`, `per-file`) with optional files.
//! **Output:** a [`Report`]: per gate its status, exit code, duration, the counts parsed
//! from the output ([`parse`]: cargo test, nextest, pytest, vitest, jest, go test, tsc,
//! eslint, cargo check/clippy) and its last lines; serialised as one JSON line.
//!
//! * A count the output does not state is `None` (JSON `null`): not measured, never 0.
//! * A test command that runs no test — `echo ok`, `true`, `exit 0` (read through
//!   `so-shell`, [`command`]), or a runner reporting zero tests — is *stubbed*, and fails
//!   the full gate.
//! * Each command runs as `sh -c` in its own process group with a time limit; at the limit
//!   the whole group is stopped ([`run`]). Output is capped to its last 8 MiB.
//!
//! It does **not** record events (the CLI writes `orchestrator.quality_gate.*` through
//! `so-events`), decide which variant to run, or parse the Session Config itself.
//!
//! ```
//! use so_gate::{GateCommand, GateCommands, Request, Variant, run_gate};
//!
//! let cmd = |c: &str| GateCommand { command: Some(c.to_owned()), source: "doc".into() };
//! let commands = GateCommands {
//!     test: cmd("cat <<'EOF'\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\nEOF"),
//!     typecheck: GateCommand { command: None, source: "doc".into() },
//!     lint: cmd("true"),
//! };
//! let request = Request { variant: Variant::FullGate, files: &[], wave: None, run: Default::default() };
//! let report = run_gate(&std::env::temp_dir(), &commands, &request);
//! assert!(report.passed);
//! assert_eq!(report.exit_code, 0);
//! assert!(report.to_json_line().contains(r#""passed":2"#));
//! ```

pub mod command;
mod compare;
pub mod config;
mod gate;
pub mod parse;
pub mod run;

pub use compare::{BaselineError, Comparison, check_baseline, compare};
pub use config::{Check, CommandsError, GateCommand, GateCommands, POLICY_FILE, resolve_commands};
pub use gate::{
    Counts, GateResult, Report, Request, RunResult, Scope, Status, Variant, run_gate, tail,
};
pub use run::{Finished, RunOptions, run_command};
