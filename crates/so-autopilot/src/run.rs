//! The loop: before each iteration the pre-iteration kill switches and the mode's
//! confidence, then one headless session, then the post-session switches on its report;
//! one progress line per session on stderr and one `autopilot.jsonl` record per run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use so_events::catalog::{self, AutopilotRun};
use so_events::{Layout, Timestamp};

use crate::abort::Abort;
use crate::mode::{Mode, Recommendation};
use crate::options::Options;
use crate::probe::{self, Verdict};
use crate::report::{matching, read_reports};
use crate::session::{self, End, Spec};
use crate::signals;
use crate::switches::{self, Before, KillSwitch, Limits, Stop, signal_name};

/// `autopilot.jsonl` under the metrics directory.
pub const AUTOPILOT_FILE: &str = "autopilot.jsonl";

/// The state directory of Claude Code, whose `STATE.md` the sessions write.
pub const STATE_DIR: &str = ".claude";

/// The environment variable naming the `claude` executable (default: `claude` on `PATH`).
pub const CLAUDE_BIN_VAR: &str = "SO_CLAUDE_BIN";

/// What the run takes from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The `claude` executable.
    pub claude: PathBuf,
    /// An injected resource snapshot ([`probe::PROBE_VAR`]).
    pub probe_file: Option<PathBuf>,
}

impl Config {
    /// From `SO_CLAUDE_BIN` and `SO_AUTOPILOT_PROBE`.
    pub fn from_env() -> Self {
        Self {
            claude: session::claude_program(std::env::var_os(CLAUDE_BIN_VAR)),
            probe_file: std::env::var_os(probe::PROBE_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The process exit code.
    pub exit_code: u8,
    /// The `autopilot.jsonl` record (as written, or as it would have been).
    pub record: Value,
    /// Where it was appended, or why it could not be.
    pub recorded: Result<PathBuf, String>,
    /// One line for the user.
    pub summary: String,
}

/// The path of `autopilot.jsonl` for a project.
pub fn autopilot_path(root: &Path) -> PathBuf {
    Layout::new(root).metrics_dir().join(AUTOPILOT_FILE)
}

/// The prompt of one session: run the session command in autopilot mode, then `/go` and
/// `/close`, asking nobody anything.
pub fn prompt(mode: Mode, run_id: &str, iteration: u32, max: u32) -> String {
    format!(
        "You are running unattended under `session-orchestrator autopilot` (run {run_id}, \
         session {iteration} of at most {max}). Run `/session-orchestrator:session {mode}` in \
         autopilot mode: nobody will answer questions, so ask none — take the recommended scope \
         and the recommended wave plan as agreed. Then run `/session-orchestrator:go` to execute \
         the waves and `/session-orchestrator:close` to close the session, which records it with \
         `session-orchestrator session record`. Stop after the close."
    )
}

/// The command of one session.
pub fn session_spec(
    config: &Config,
    root: &Path,
    prompt: &str,
    run_id: &str,
    iteration: u32,
) -> Spec {
    Spec {
        program: config.claude.clone(),
        args: session::claude_args(prompt),
        cwd: root.to_path_buf(),
        env: vec![
            ("SO_AUTOPILOT_RUN_ID".to_owned(), run_id.to_owned()),
            ("SO_AUTOPILOT_ITERATION".to_owned(), iteration.to_string()),
        ],
        // Started from inside a Claude Code session, the child must not look like a nested
        // one or inherit the parent's session id.
        env_remove: vec!["CLAUDECODE".to_owned(), "CLAUDE_CODE_SESSION_ID".to_owned()],
    }
}

/// Runs the loop for the project at `root`. Progress goes to `progress` (stderr), the
/// dry-run plan to `out` (stdout).
pub fn run(
    options: &Options,
    root: &Path,
    config: &Config,
    abort: &Abort,
    progress: &mut dyn Write,
    out: &mut dyn Write,
) -> Outcome {
    let mut state = Loop::new(options, root, config, abort);
    let stop = state.iterate(progress, out);
    state.finish(stop.as_ref())
}

/// The state of one run.
struct Loop<'a> {
    options: &'a Options,
    root: &'a Path,
    config: &'a Config,
    abort: &'a Abort,
    layout: Layout,
    run_id: String,
    started_at: Timestamp,
    clock: Instant,
    sessions: Vec<Value>,
    iterations_completed: u32,
    tokens: u64,
    fallback_to_manual: bool,
    verdict_at_start: Option<Verdict>,
}

impl<'a> Loop<'a> {
    fn new(options: &'a Options, root: &'a Path, config: &'a Config, abort: &'a Abort) -> Self {
        let started_at = Timestamp::now();
        Self {
            options,
            root,
            config,
            abort,
            layout: Layout::new(root),
            run_id: run_id(started_at),
            started_at,
            clock: Instant::now(),
            sessions: Vec::new(),
            iterations_completed: 0,
            tokens: 0,
            fallback_to_manual: false,
            verdict_at_start: None,
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_sessions: self.options.max_sessions,
            max_hours: self.options.max_hours,
            max_tokens: self.options.max_tokens,
            confidence_threshold: self.options.confidence_threshold,
        }
    }

    fn started(&self) -> u32 {
        u32::try_from(self.sessions.len()).unwrap_or(u32::MAX)
    }

    /// Iterates until a switch fires (`None`: a dry run that would start a session).
    fn iterate(&mut self, progress: &mut dyn Write, out: &mut dyn Write) -> Option<Stop> {
        loop {
            let resources = match self.resources() {
                Ok(r) => r,
                Err(message) => {
                    return Some(Stop {
                        switch: KillSwitch::SessionError,
                        detail: format!("resource probe: {message}"),
                    });
                }
            };
            if self.verdict_at_start.is_none() {
                self.verdict_at_start = Some(resources.0);
            }
            let before = Before {
                sessions_started: self.started(),
                elapsed: self.clock.elapsed(),
                abort_signal: self.abort.signal(),
                tokens_used: self.tokens,
                resources: Some(resources),
            };
            if let Some(stop) = switches::before_iteration(&self.limits(), &before) {
                return Some(stop);
            }
            let (_, rec, problems) = signals::evaluate(self.root, STATE_DIR);
            for p in problems {
                let _ = writeln!(progress, "autopilot: warning: {p}");
            }
            if let Some((stop, fallback)) =
                switches::low_confidence(&self.limits(), self.started(), &rec)
            {
                self.fallback_to_manual = fallback;
                return Some(stop);
            }
            let iteration = self.started() + 1;
            let prompt = prompt(rec.mode, &self.run_id, iteration, self.options.max_sessions);
            let spec = session_spec(self.config, self.root, &prompt, &self.run_id, iteration);
            if self.options.dry_run {
                let _ = writeln!(
                    out,
                    "dry run: would start session {iteration} of at most {} in mode {} \
                     (confidence {:.2} >= {}; resources {}, {} peer session(s))\n  in {}\n  {}",
                    self.options.max_sessions,
                    rec.mode,
                    rec.confidence,
                    self.options.confidence_threshold,
                    resources.0.as_str(),
                    resources.1,
                    self.root.display(),
                    spec.display()
                );
                return None;
            }
            if let Some(stop) = self.one_session(&spec, &rec, iteration, progress) {
                return Some(stop);
            }
        }
    }

    /// The resource verdict and the live peer sessions.
    fn resources(&self) -> Result<(Verdict, usize), String> {
        let snapshot = probe::snapshot(self.config.probe_file.as_deref())?;
        let verdict = probe::evaluate(&snapshot).verdict;
        let peers = match snapshot.peers {
            Some(n) => n,
            None => so_events::session_lock::live_sessions(&self.layout, "", Timestamp::now())
                .map_or(0, |v| v.len()),
        };
        Ok((verdict, peers))
    }

    /// Runs one session and evaluates what it left; `Some` stops the loop.
    fn one_session(
        &mut self,
        spec: &Spec,
        rec: &Recommendation,
        iteration: u32,
        progress: &mut dyn Write,
    ) -> Option<Stop> {
        let since = Timestamp::now();
        let run = session::run(spec, self.options.stall_timeout, self.abort);
        let ended = Timestamp::now();
        let usage = run.stream.usage();
        self.tokens = self.tokens.saturating_add(usage.counted());
        let report = match &run.end {
            End::Exited(_) => match read_reports(&self.layout) {
                Ok(reports) => matching(&reports, run.stream.session_id.as_deref(), since).cloned(),
                Err(e) => {
                    let _ = writeln!(progress, "autopilot: warning: session reports: {e}");
                    None
                }
            },
            _ => None,
        };
        let stop = match &run.end {
            End::Stalled => Some(Stop {
                switch: KillSwitch::StallTimeout,
                detail: format!(
                    "session {iteration} printed nothing for {} s (--stall-timeout): killed with \
                     its process tree",
                    self.options.stall_timeout.as_secs()
                ),
            }),
            End::Aborted(signal) => Some(Stop {
                switch: KillSwitch::UserAbort,
                detail: format!(
                    "{} during session {iteration}: forwarded to the session, which was stopped",
                    signal_name(*signal)
                ),
            }),
            End::SpawnFailed(message) => Some(Stop {
                switch: KillSwitch::SessionError,
                detail: message.clone(),
            }),
            End::Exited(code) => {
                self.iterations_completed += 1;
                report
                    .as_ref()
                    .and_then(switches::after_session)
                    .or_else(|| session_failure(*code, &run, iteration))
                    .or_else(|| {
                        report.is_none().then(|| Stop {
                            switch: KillSwitch::SessionUnreported,
                            detail: format!(
                                "session {iteration} ({}) ended without a report in sessions.jsonl \
                                 (`session-orchestrator session record` did not run): the \
                                 post-session switches cannot be evaluated",
                                run.stream.session_id.as_deref().unwrap_or("no session id")
                            ),
                        })
                    })
            }
        };
        let outcome = stop.as_ref().map_or("ok", |s| s.switch.name());
        let _ = writeln!(
            progress,
            "autopilot: session {iteration}/{} mode={} {:.1}s tokens={} outcome={outcome}{}",
            self.options.max_sessions,
            rec.mode,
            run.elapsed.as_secs_f64(),
            usage.counted(),
            run.stream
                .session_id
                .as_deref()
                .map(|id| format!(" session_id={id}"))
                .unwrap_or_default()
        );
        self.sessions.push(json!({
            "iteration": iteration,
            "mode": rec.mode.as_str(),
            "confidence": rec.confidence,
            "session_id": run.stream.session_id,
            "started_at": since.to_string(),
            "completed_at": ended.to_string(),
            "duration_seconds": seconds(run.elapsed),
            "exit_code": match run.end { End::Exited(c) => json!(c), _ => Value::Null },
            "end": end_name(&run.end),
            "outcome": outcome,
            "result": run.stream.result.as_ref().map(|r| json!({
                "subtype": r.subtype, "is_error": r.is_error, "num_turns": r.num_turns,
            })),
            "tokens": usage.to_json(),
            "report": report.as_ref().map(crate::report::SessionReport::to_json),
        }));
        stop
    }

    /// Writes the record and works out the exit code.
    fn finish(self, stop: Option<&Stop>) -> Outcome {
        let completed_at = Timestamp::now();
        let exit_code = stop.map_or(0, |s| s.switch.exit_code());
        let dry_detail = self
            .options
            .dry_run
            .then(|| "dry run: the switches were evaluated, no session was started".to_owned());
        let detail = stop.map(|s| s.detail.clone()).or(dry_detail);
        let record = catalog::autopilot_completed(&AutopilotRun {
            run_id: &self.run_id,
            started_at: self.started_at,
            completed_at,
            max_sessions: self.options.max_sessions,
            max_hours: self.options.max_hours,
            max_tokens: self.options.max_tokens,
            confidence_threshold: self.options.confidence_threshold,
            stall_timeout_seconds: self.options.stall_timeout.as_secs(),
            iterations_completed: self.iterations_completed,
            kill_switch: stop.map(|s| s.switch.name()),
            kill_switch_detail: detail.as_deref(),
            sessions: self.sessions.clone(),
            fallback_to_manual: self.fallback_to_manual,
            dry_run: self.options.dry_run,
            total_tokens_used: self.tokens,
            resource_verdict_at_start: self.verdict_at_start.map(Verdict::as_str),
            exit_code,
        });
        let path = autopilot_path(self.root);
        let recorded = self
            .layout
            .ensure()
            .and_then(|()| so_events::append(&path, &record))
            .map(|()| path)
            .map_err(|e| e.to_string());
        let exit_code = if recorded.is_err() && exit_code == 0 {
            1
        } else {
            exit_code
        };
        let stopped = stop.map_or_else(
            || "dry run, nothing stopped".to_owned(),
            |s| format!("stopped by {} ({})", s.switch, s.detail),
        );
        let summary = format!(
            "autopilot {}: {stopped}; {} session(s), {} completed, {} tokens, {:.1}s{}",
            self.run_id,
            self.sessions.len(),
            self.iterations_completed,
            self.tokens,
            self.clock.elapsed().as_secs_f64(),
            if self.fallback_to_manual {
                "; fall back to a manual session"
            } else {
                ""
            },
        );
        Outcome {
            exit_code,
            record: record.to_value(),
            recorded,
            summary,
        }
    }
}

/// A session that exited but failed: non-zero exit, no result line, or an error result.
fn session_failure(code: Option<i32>, run: &session::Run, iteration: u32) -> Option<Stop> {
    let stderr = run.stderr_tail.trim();
    let stderr = if stderr.is_empty() {
        String::new()
    } else {
        let last: Vec<&str> = stderr.lines().rev().take(3).collect();
        format!(
            "; stderr: {}",
            last.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )
    };
    let failed = |what: String| {
        Some(Stop {
            switch: KillSwitch::SessionError,
            detail: format!("session {iteration}: {what}{stderr}"),
        })
    };
    match (code, &run.stream.result) {
        (Some(0), Some(r)) if !r.is_error => None,
        (Some(0), Some(r)) => failed(format!("claude reported an error result ({})", r.subtype)),
        (Some(0), None) => failed("claude exited without a result line".to_owned()),
        (Some(c), _) => failed(format!("claude exited with status {c}")),
        (None, _) => failed("claude was killed by a signal".to_owned()),
    }
}

fn end_name(end: &End) -> &'static str {
    match end {
        End::Exited(_) => "exited",
        End::Stalled => "stalled",
        End::Aborted(_) => "aborted",
        End::SpawnFailed(_) => "spawn-failed",
    }
}

/// Seconds with millisecond precision.
fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// `autopilot-<UTC time>-<pid>`: unique per run on a machine.
fn run_id(at: Timestamp) -> String {
    let compact: String = at
        .to_string()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("autopilot-{compact}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_asks_for_the_whole_loop_without_questions() {
        let p = prompt(Mode::Feature, "r1", 2, 5);
        for part in [
            "/session-orchestrator:session feature",
            "/session-orchestrator:go",
            "/session-orchestrator:close",
            "ask none",
            "session 2 of at most 5",
        ] {
            assert!(p.contains(part), "{part}: {p}");
        }
    }

    #[test]
    fn run_ids_are_compact() {
        let id = run_id(Timestamp::from_millis(0));
        assert!(id.starts_with("autopilot-19700101T000000000Z-"), "{id}");
    }
}
