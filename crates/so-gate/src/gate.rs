//! The four gate variants and their report.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::command::{Restricted, Tool, analyse, restrict};
use crate::config::{Check, GateCommands};
use crate::parse::{diagnostic_summary, strip_ansi, test_summary};
use crate::run::{RunOptions, run_command};

/// Which gate to run (the original's `--variant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Record the counts at the start of a session: test, type-check and lint. Exit 0.
    Baseline,
    /// Between waves: test (restricted to `--files` when given) and type-check. Exit 0.
    Incremental,
    /// The blocking gate: all three; exit 2 when any fails.
    FullGate,
    /// Test and lint restricted to `--files`, type-check of the whole project. Exit 0.
    PerFile,
}

impl Variant {
    /// From its name (`baseline`, `incremental`, `full-gate`, `per-file`).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "baseline" => Self::Baseline,
            "incremental" => Self::Incremental,
            "full-gate" => Self::FullGate,
            "per-file" => Self::PerFile,
            _ => return None,
        })
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Incremental => "incremental",
            Self::FullGate => "full-gate",
            Self::PerFile => "per-file",
        }
    }
}

/// The outcome of one of the three gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran and passed.
    Pass,
    /// Ran and failed: non-zero exit, failed tests or errors.
    Fail,
    /// The test command runs no test (a stub, or zero tests).
    Stubbed,
    /// Stopped at the time limit.
    Timeout,
    /// The command is `skip`, or none of `--files` is for this tool.
    Skipped,
    /// Not part of this variant.
    NotRun,
    /// Could not be started.
    Error,
}

impl Status {
    /// Whether the gate counts as passed.
    pub fn ok(self) -> bool {
        matches!(self, Self::Pass | Self::Skipped | Self::NotRun)
    }
}

/// Whether a gate ran on the given files or on the whole project (`per-file` and
/// `incremental` with `--files`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Restricted to the files.
    Files,
    /// The whole project.
    Project,
}

/// One gate in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateResult {
    /// Outcome.
    pub status: Status,
    /// The command as run (restricted to files when it was); `skip` for a skipped gate.
    pub command: String,
    /// Why a gate did not run, or could not be restricted, or could not start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Files or whole project, when files were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The files the command was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    /// What the run produced, when it ran.
    #[serde(flatten)]
    pub run: Option<RunResult>,
}

/// What one command's run produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunResult {
    /// Exit code; null when a signal ended it.
    pub exit_code: Option<i32>,
    /// The signal that ended it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Wall-clock time.
    pub duration_ms: u64,
    /// Stopped at the time limit (its process group killed).
    pub timed_out: bool,
    /// The runner(s) whose summary was read; null when none was recognised.
    pub runner: Option<String>,
    /// The counts (null: not measured).
    #[serde(flatten)]
    pub counts: Counts,
    /// The last lines of output (colours removed).
    pub tail: String,
    /// Output bytes dropped from the start (the cap); counts that need the whole output
    /// are then null.
    #[serde(skip_serializing_if = "is_zero")]
    pub dropped_output_bytes: u64,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if signature"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The counts of a gate: tests for `test`, diagnostics for the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Counts {
    /// `test`.
    Tests {
        /// Tests the runner knew of.
        total: Option<u64>,
        /// Passed.
        passed: Option<u64>,
        /// Failed.
        failed: Option<u64>,
        /// Skipped.
        skipped: Option<u64>,
        /// The command runs no test.
        stubbed: bool,
    },
    /// `typecheck`, `lint`.
    Diagnostics {
        /// Errors.
        errors: Option<u64>,
        /// Warnings.
        warnings: Option<u64>,
    },
}

/// The whole report: one JSON object on stdout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The variant.
    pub variant: Variant,
    /// Every gate passed (or was skipped / not part of the variant).
    pub passed: bool,
    /// The exit code the CLI ends with: 0, or 2 for a failed `full-gate`, or 1 when a
    /// command could not be started.
    pub exit_code: u8,
    /// Wall-clock time of the whole gate.
    pub duration_ms: u64,
    /// `--wave`.
    pub wave_number: Option<u32>,
    /// `test-command`.
    pub test: GateResult,
    /// `typecheck-command`.
    pub typecheck: GateResult,
    /// `lint-command`.
    pub lint: GateResult,
    /// What got worse since a baseline report (`--baseline FILE`), when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::Comparison>,
}

impl Report {
    /// The result of `check`.
    pub fn get(&self, check: Check) -> &GateResult {
        match check {
            Check::Test => &self.test,
            Check::Typecheck => &self.typecheck,
            Check::Lint => &self.lint,
        }
    }

    /// The report as one line of JSON (no newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The variant.
    pub variant: Variant,
    /// `--files`, relative to the project root.
    pub files: &'a [String],
    /// `--wave`.
    pub wave: Option<u32>,
    /// Limits of each command's run.
    pub run: RunOptions,
}

/// Lines of output kept in [`RunResult::tail`].
const TAIL_LINES: usize = 20;
/// Characters kept of each tail line.
const TAIL_LINE_CHARS: usize = 400;

/// Runs the gate: each command with `sh -c` in `root`, one after the other.
pub fn run_gate(root: &Path, commands: &GateCommands, request: &Request<'_>) -> Report {
    let start = Instant::now();
    let results: Vec<GateResult> = Check::ALL
        .iter()
        .map(|&check| run_check(root, check, commands, request))
        .collect();
    let [test, typecheck, lint]: [GateResult; 3] = match results.try_into() {
        Ok(a) => a,
        Err(_) => unreachable!("three checks"),
    };
    let passed = [&test, &typecheck, &lint].iter().all(|g| g.status.ok());
    let errored = [&test, &typecheck, &lint]
        .iter()
        .any(|g| g.status == Status::Error);
    let exit_code = if errored {
        1
    } else if request.variant == Variant::FullGate && !passed {
        2
    } else {
        0
    };
    Report {
        variant: request.variant,
        passed,
        exit_code,
        duration_ms: millis(start.elapsed()),
        wave_number: request.wave,
        test,
        typecheck,
        lint,
        baseline: None,
    }
}

fn run_check(
    root: &Path,
    check: Check,
    commands: &GateCommands,
    request: &Request<'_>,
) -> GateResult {
    let planned = match plan(check, commands, request) {
        Ok(p) => p,
        Err(result) => return *result,
    };
    let finished = match run_command(&planned.command, root, &request.run) {
        Ok(f) => f,
        Err(e) => {
            return GateResult {
                scope: planned.scope,
                files: planned.files,
                ..not_run(
                    Status::Error,
                    &planned.command,
                    Some(format!("could not start `sh`: {e}")),
                )
            };
        }
    };
    let read = read_counts(check, &planned.command, &finished);
    let status = if finished.timed_out {
        Status::Timeout
    } else if read.stubbed {
        Status::Stubbed
    } else if finished.exit_code != Some(0) || read.failing {
        Status::Fail
    } else {
        Status::Pass
    };
    GateResult {
        status,
        command: planned.command,
        reason: planned.reason,
        scope: planned.scope,
        files: planned.files,
        run: Some(RunResult {
            exit_code: finished.exit_code,
            signal: finished.signal,
            duration_ms: millis(finished.duration),
            timed_out: finished.timed_out,
            runner: read.runner,
            counts: read.counts,
            tail: tail(&finished.output),
            dropped_output_bytes: finished.dropped_bytes,
        }),
    }
}

/// A command about to run.
struct Planned {
    command: String,
    scope: Option<Scope>,
    files: Option<Vec<String>>,
    reason: Option<String>,
}

/// What to run for `check`, or the result of a gate that does not run.
fn plan(
    check: Check,
    commands: &GateCommands,
    request: &Request<'_>,
) -> Result<Planned, Box<GateResult>> {
    let Some(command) = commands.get(check).command.clone() else {
        return Err(Box::new(not_run(Status::Skipped, "skip", None)));
    };
    if request.variant == Variant::Incremental && check == Check::Lint {
        let reason = format!("not part of the {} gate", request.variant.name());
        return Err(Box::new(not_run(Status::NotRun, &command, Some(reason))));
    }
    let restrict_to_files = !request.files.is_empty()
        && match request.variant {
            Variant::PerFile => check != Check::Typecheck,
            Variant::Incremental => check == Check::Test,
            Variant::Baseline | Variant::FullGate => false,
        };
    let whole = |scope, reason| Planned {
        command: command.clone(),
        scope,
        files: None,
        reason,
    };
    if !restrict_to_files {
        let files_ignored = !request.files.is_empty() && request.variant != Variant::FullGate;
        return Ok(whole(files_ignored.then_some(Scope::Project), None));
    }
    match restrict(&command, request.files) {
        Restricted::Files { command, files } => Ok(Planned {
            command,
            scope: Some(Scope::Files),
            files: Some(files),
            reason: None,
        }),
        Restricted::NoFiles => Err(Box::new(GateResult {
            scope: Some(Scope::Files),
            ..not_run(
                Status::Skipped,
                &command,
                Some("none of the files is one this runner takes".into()),
            )
        })),
        Restricted::Whole(why) => Ok(whole(Some(Scope::Project), Some(why))),
    }
}

/// The counts read from a finished run.
struct Read {
    runner: Option<String>,
    counts: Counts,
    failing: bool,
    stubbed: bool,
}

fn read_counts(check: Check, command: &str, finished: &crate::run::Finished) -> Read {
    let info = analyse(command);
    let truncated = finished.dropped_bytes > 0;
    if check == Check::Test {
        let summary = test_summary(&finished.output);
        let mut counts = summary.as_ref().map(|s| s.counts).unwrap_or_default();
        if truncated && summary.as_ref().is_some_and(|s| s.needs_whole_output) {
            counts = crate::parse::TestCounts::default();
        }
        let stubbed = info.stub || counts.total == Some(0);
        return Read {
            runner: summary.map(|s| s.runner),
            counts: Counts::Tests {
                total: counts.total,
                passed: counts.passed,
                failed: counts.failed,
                skipped: counts.skipped,
                stubbed,
            },
            failing: counts.failed.is_some_and(|n| n > 0),
            stubbed,
        };
    }
    let hint = info.tool.filter(|t| *t != Tool::PackageScript);
    let summary = diagnostic_summary(&finished.output, hint, finished.exit_code);
    let mut counts = summary.as_ref().map(|s| s.counts).unwrap_or_default();
    if truncated && summary.as_ref().is_some_and(|s| s.needs_whole_output) {
        counts = crate::parse::DiagnosticCounts::default();
    }
    Read {
        runner: summary.map(|s| s.runner),
        counts: Counts::Diagnostics {
            errors: counts.errors,
            warnings: counts.warnings,
        },
        failing: counts.errors.is_some_and(|n| n > 0),
        stubbed: false,
    }
}

fn not_run(status: Status, command: &str, reason: Option<String>) -> GateResult {
    GateResult {
        status,
        command: command.to_owned(),
        reason,
        scope: None,
        files: None,
        run: None,
    }
}

/// The last [`TAIL_LINES`] lines of `output`, colours removed, trailing blank lines dropped,
/// each line cut to [`TAIL_LINE_CHARS`] characters.
pub fn tail(output: &str) -> String {
    let text = strip_ansi(output);
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    lines[from..]
        .iter()
        .map(|l| {
            let l = l.trim_end();
            match l.char_indices().nth(TAIL_LINE_CHARS) {
                Some((at, _)) => format!("{}…", &l[..at]),
                None => l.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::config::GateCommand;

    fn commands(test: Option<&str>, typecheck: Option<&str>, lint: Option<&str>) -> GateCommands {
        let c = |s: Option<&str>| GateCommand {
            command: s.map(str::to_owned),
            source: "test".into(),
        };
        GateCommands {
            test: c(test),
            typecheck: c(typecheck),
            lint: c(lint),
        }
    }

    fn gate(variant: Variant, cmds: &GateCommands, files: &[String]) -> Report {
        let request = Request {
            variant,
            files,
            wave: Some(2),
            run: RunOptions::default(),
        };
        run_gate(&std::env::temp_dir(), cmds, &request)
    }

    /// `cat`, not `echo`: an `echo` is a stub whatever it prints.
    const PASSING_TESTS: &str = "cat <<'EOF'\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\nEOF";

    #[test]
    fn full_gate_fails_on_a_stub_and_passes_on_real_tests() {
        let stub = gate(
            Variant::FullGate,
            &commands(Some("echo ok"), None, None),
            &[],
        );
        assert_eq!((stub.passed, stub.exit_code), (false, 2));
        assert_eq!(stub.test.status, Status::Stubbed);
        let printed = PASSING_TESTS
            .replace("cat <<'EOF'\n", "echo '")
            .replace("\nEOF", "'");
        let echoed = gate(
            Variant::FullGate,
            &commands(Some(&printed), None, None),
            &[],
        );
        assert_eq!(echoed.test.status, Status::Stubbed, "{printed}");
        let real = gate(
            Variant::FullGate,
            &commands(Some(PASSING_TESTS), None, None),
            &[],
        );
        assert_eq!((real.passed, real.exit_code), (true, 0));
        assert_eq!(real.test.status, Status::Pass);
        assert_eq!(real.typecheck.status, Status::Skipped);
        assert_eq!(real.wave_number, Some(2));
    }

    #[test]
    fn informational_variants_exit_zero_on_failure() {
        let cmds = commands(Some("exit 1"), Some("exit 1"), Some("exit 1"));
        for v in [Variant::Baseline, Variant::Incremental, Variant::PerFile] {
            let r = gate(v, &cmds, &["a.py".to_owned()]);
            assert_eq!((r.passed, r.exit_code), (false, 0), "{v:?}");
        }
        let r = gate(Variant::FullGate, &cmds, &[]);
        assert_eq!(r.exit_code, 2);
    }

    #[test]
    fn incremental_does_not_lint_and_per_file_restricts() {
        let r = gate(
            Variant::Incremental,
            &commands(Some("true"), Some("true"), Some("true")),
            &[],
        );
        assert_eq!(r.lint.status, Status::NotRun);
        assert_eq!(r.test.scope, None);
        // `pytest` is never started here: no file is a `.py` file.
        let cmds = commands(Some("pytest -q"), Some("true"), Some("true"));
        let files = ["notes.md".to_owned()];
        let r = gate(Variant::PerFile, &cmds, &files);
        assert_eq!(r.test.status, Status::Skipped);
        assert_eq!(r.test.scope, Some(Scope::Files));
        assert_eq!(r.typecheck.scope, Some(Scope::Project));
        assert_eq!(r.typecheck.status, Status::Pass);
    }

    #[test]
    fn a_zero_exit_with_errors_still_fails() {
        let tsc = "echo \"a.ts(1,1): error TS2322: no\"; true";
        let r = gate(
            Variant::FullGate,
            &commands(Some(PASSING_TESTS), Some(tsc), None),
            &[],
        );
        assert_eq!(r.typecheck.status, Status::Fail);
        assert_eq!(r.exit_code, 2);
        let json: serde_json::Value =
            serde_json::from_str(&r.to_json_line()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json["typecheck"]["errors"], 1);
        assert_eq!(json["typecheck"]["warnings"], serde_json::Value::Null);
        assert_eq!(json["test"]["total"], 3);
        assert_eq!(
            json["lint"],
            serde_json::json!({"status": "skipped", "command": "skip"})
        );
    }

    #[test]
    fn tails_are_short_and_plain() {
        let mut long = String::new();
        for i in 0..30 {
            let _ = writeln!(long, "\x1b[1mline {i}\x1b[0m");
        }
        let t = tail(&format!("{long}\n\n"));
        assert_eq!(t.lines().count(), TAIL_LINES);
        assert!(t.starts_with("line 10\n") && t.ends_with("line 29"), "{t}");
        let wide = tail(&"x".repeat(1000));
        assert_eq!(wide.chars().count(), TAIL_LINE_CHARS + 1);
    }
}
