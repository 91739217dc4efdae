//! Every event this crate writes, with a typed constructor each. `docs/events.md` documents
//! the same list; a test checks that every name here follows the naming rule.

use serde_json::{Value, json};

use crate::record::segment;
use crate::session::Wave;
use crate::transcript::Usage;
use crate::{Record, Timestamp};

/// Event names, grouped by file.
pub mod names {
    /// `events.jsonl`: a session started (or resumed, cleared, compacted).
    pub const SESSION_STARTED: &str = "orchestrator.session.started";
    /// `events.jsonl`: a session ended.
    pub const SESSION_ENDED: &str = "orchestrator.session.ended";
    /// `events.jsonl`: the agent ended a turn (`Stop`).
    pub const SESSION_STOPPED: &str = "orchestrator.session.stopped";
    /// `events.jsonl`: the working directory changed.
    pub const SESSION_CWD_CHANGED: &str = "orchestrator.session.cwd_changed";
    /// `events.jsonl`: this session took `session.lock`.
    pub const LOCK_ACQUIRED: &str = "orchestrator.session.lock.acquired";
    /// `events.jsonl`: this session released `session.lock`.
    pub const LOCK_RELEASED: &str = "orchestrator.session.lock.released";
    /// `events.jsonl`: the session ended without owning `session.lock`.
    pub const LOCK_RELEASE_SKIPPED: &str = "orchestrator.session.lock.release_skipped";
    /// `events.jsonl` (the new file): `events.jsonl` was rotated.
    pub const EVENTS_ROTATED: &str = "orchestrator.events.rotated";
    /// `events.jsonl`: a subagent finished a turn (`SubagentStop`).
    pub const AGENT_STOPPED: &str = "orchestrator.agent.stopped";
    /// `events.jsonl`: the wave-scope manifest shows a new wave.
    pub const WAVE_STARTED: &str = "orchestrator.wave.started";
    /// `events.jsonl`: the wave in progress ended.
    pub const WAVE_COMPLETED: &str = "orchestrator.wave.completed";
    /// `events.jsonl`: a tool call failed.
    pub const TOOL_FAILED: &str = "orchestrator.tool.failed";
    /// `events.jsonl`: the loop guard fired.
    pub const LOOP_WARNING: &str = "orchestrator.loop.warning";
    /// `subagents.jsonl`: a subagent started.
    pub const SUBAGENT_STARTED: &str = "orchestrator.subagent.started";
    /// `subagents.jsonl`: a subagent stopped.
    pub const SUBAGENT_STOPPED: &str = "orchestrator.subagent.stopped";
    /// `skill-invocations.jsonl`: the Skill tool was called.
    pub const SKILL_INVOKED: &str = "orchestrator.skill.invoked";
    /// `sessions.jsonl`: the summary of an ended session.
    pub const SESSION_RECORDED: &str = "orchestrator.session.recorded";
    /// `sessions.jsonl`: the session-end skill's validated report of a session
    /// (`session-orchestrator session record`).
    pub const SESSION_REPORTED: &str = "orchestrator.session.reported";
    /// `events.jsonl`: a quality gate ran and every check passed (or was skipped).
    pub const QUALITY_GATE_PASSED: &str = "orchestrator.quality_gate.passed";
    /// `events.jsonl`: a quality gate ran and a check failed, was stubbed or timed out.
    pub const QUALITY_GATE_FAILED: &str = "orchestrator.quality_gate.failed";
    /// `learnings.jsonl`: a learning was added, or replaced one with the same type and
    /// subject (`session-orchestrator learning add`).
    pub const LEARNING_RECORDED: &str = "orchestrator.learning.recorded";
    /// `autopilot.jsonl`: one headless autopilot run ended (`session-orchestrator autopilot`).
    pub const AUTOPILOT_COMPLETED: &str = "orchestrator.autopilot.completed";

    /// Every fixed name above (guard decisions are `orchestrator.<hook>.<verb>`).
    pub const ALL: &[&str] = &[
        SESSION_STARTED,
        SESSION_ENDED,
        SESSION_STOPPED,
        SESSION_CWD_CHANGED,
        LOCK_ACQUIRED,
        LOCK_RELEASED,
        LOCK_RELEASE_SKIPPED,
        EVENTS_ROTATED,
        AGENT_STOPPED,
        WAVE_STARTED,
        WAVE_COMPLETED,
        TOOL_FAILED,
        LOOP_WARNING,
        SUBAGENT_STARTED,
        SUBAGENT_STOPPED,
        SKILL_INVOKED,
        SESSION_RECORDED,
        SESSION_REPORTED,
        QUALITY_GATE_PASSED,
        QUALITY_GATE_FAILED,
        LEARNING_RECORDED,
        AUTOPILOT_COMPLETED,
    ];
}

/// Who and when: the fields every hook event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The client's session id (for subagents, the parent session's).
    pub session_id: Option<&'a str>,
    /// `claude`, `codex` or `cursor`.
    pub client: Option<&'a str>,
    /// When.
    pub at: Timestamp,
}

impl Origin<'_> {
    /// A record of `event` with `session_id` and `client` (null when unknown).
    pub fn record(&self, event: &str) -> Record {
        Record::new(event, self.at)
            .with("session_id", opt(self.session_id))
            .with("client", opt(self.client))
    }
}

/// `null` for `None`.
fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// [`names::SESSION_STARTED`]. `lock` is `acquired`, `refreshed` or `held_by_other`;
/// `peers` the ids of other live sessions in the repository.
pub fn session_started(
    o: &Origin<'_>,
    source: Option<&str>,
    lock: &str,
    peers: &[String],
) -> Record {
    o.record(names::SESSION_STARTED)
        .with("source", opt(source))
        .with("lock", lock)
        .with("peer_sessions", json!(peers))
}

/// [`names::SESSION_ENDED`]. `duration_ms` is `None` (null) when the start is unknown —
/// never a made-up 0.
pub fn session_ended(
    o: &Origin<'_>,
    reason: Option<&str>,
    duration_ms: Option<u64>,
    waves: usize,
) -> Record {
    o.record(names::SESSION_ENDED)
        .with("reason", reason.unwrap_or("other"))
        .with("duration_ms", opt(duration_ms))
        .with("waves", waves)
}

/// [`names::SESSION_STOPPED`], with the wave in progress (null outside waves).
pub fn session_stopped(o: &Origin<'_>, wave: Option<u32>) -> Record {
    o.record(names::SESSION_STOPPED).with("wave", opt(wave))
}

/// [`names::SESSION_CWD_CHANGED`].
pub fn cwd_changed(o: &Origin<'_>, previous_cwd: Option<&str>, new_cwd: Option<&str>) -> Record {
    o.record(names::SESSION_CWD_CHANGED)
        .with("previous_cwd", opt(previous_cwd))
        .with("new_cwd", opt(new_cwd))
}

/// [`names::LOCK_ACQUIRED`]; `reaped` names an expired owner that was replaced.
pub fn lock_acquired(o: &Origin<'_>, reaped: Option<&str>) -> Record {
    o.record(names::LOCK_ACQUIRED)
        .with("reaped_session_id", opt(reaped))
}

/// [`names::LOCK_RELEASED`].
pub fn lock_released(o: &Origin<'_>) -> Record {
    o.record(names::LOCK_RELEASED)
}

/// [`names::LOCK_RELEASE_SKIPPED`]; `owner` is the session that owns the lock, if any.
pub fn lock_release_skipped(o: &Origin<'_>, owner: Option<&str>) -> Record {
    o.record(names::LOCK_RELEASE_SKIPPED)
        .with("owner_session_id", opt(owner))
}

/// [`names::EVENTS_ROTATED`].
pub fn events_rotated(
    o: &Origin<'_>,
    rotated_bytes: u64,
    max_backups: u32,
    deleted: usize,
) -> Record {
    o.record(names::EVENTS_ROTATED)
        .with("rotated_bytes", rotated_bytes)
        .with("max_backups", max_backups)
        .with("deleted_backups", deleted)
}

/// [`names::AGENT_STOPPED`].
pub fn agent_stopped(o: &Origin<'_>, agent_id: Option<&str>, agent_type: Option<&str>) -> Record {
    o.record(names::AGENT_STOPPED)
        .with("agent_id", opt(agent_id))
        .with("agent_type", opt(agent_type))
}

/// [`names::WAVE_STARTED`].
pub fn wave_started(o: &Origin<'_>, wave: &Wave) -> Record {
    o.record(names::WAVE_STARTED)
        .with("wave_number", wave.wave)
        .with("role", opt(wave.role.as_deref()))
}

/// [`names::WAVE_COMPLETED`] (`duration_ms` null when unknown).
pub fn wave_completed(o: &Origin<'_>, wave: &Wave) -> Record {
    o.record(names::WAVE_COMPLETED)
        .with("wave_number", wave.wave)
        .with("role", opt(wave.role.as_deref()))
        .with("duration_ms", opt(wave.duration_ms()))
}

/// [`names::TOOL_FAILED`]. The error text stays in `runtime/failures.json`; the log only
/// says which tool failed and how.
pub fn tool_failed(
    o: &Origin<'_>,
    agent_id: Option<&str>,
    tool_name: &str,
    exit_code: Option<i64>,
    interrupted: bool,
) -> Record {
    o.record(names::TOOL_FAILED)
        .with("agent_id", opt(agent_id))
        .with("tool_name", tool_name)
        .with("exit_code", opt(exit_code))
        .with("interrupted", interrupted)
}

/// [`names::LOOP_WARNING`].
pub fn loop_warning(
    o: &Origin<'_>,
    agent_id: Option<&str>,
    tool_name: &str,
    args_hash: &str,
    count: u32,
    window: u32,
) -> Record {
    o.record(names::LOOP_WARNING)
        .with("agent_id", opt(agent_id))
        .with("tool_name", tool_name)
        .with("args_hash", args_hash)
        .with("count", count)
        .with("window", window)
}

/// `orchestrator.<hook>.<verb>`: a guard's decision. `hook` becomes the domain
/// (`destructive-guard` → `destructive_guard`); `decision` the verb (`deny`/`block` →
/// `blocked`, `warn` → `warned`, `ask` → `asked`, `allow` → `allowed`, anything else as
/// written). The command appears only as its hash.
pub fn guard_decision(
    at: Timestamp,
    hook: &str,
    rule_id: &str,
    decision: &str,
    command_hash: &str,
) -> Record {
    let verb = match decision.trim().to_ascii_lowercase().as_str() {
        "deny" | "denied" | "block" | "blocked" => "blocked".to_owned(),
        "warn" | "warned" => "warned".to_owned(),
        "ask" | "asked" => "asked".to_owned(),
        "allow" | "allowed" => "allowed".to_owned(),
        other => segment(other),
    };
    Record::new(format!("orchestrator.{}.{verb}", segment(hook)), at)
        .with("hook", hook)
        .with("rule_id", rule_id)
        .with("decision", decision)
        .with("command_hash", command_hash)
}

/// [`names::SUBAGENT_STARTED`].
pub fn subagent_started(o: &Origin<'_>, agent_id: &str, agent_type: Option<&str>) -> Record {
    o.record(names::SUBAGENT_STARTED)
        .with("agent_id", agent_id)
        .with("agent_type", opt(agent_type))
}

/// What a [`names::SUBAGENT_STOPPED`] record says beyond the ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubagentStop {
    /// From the matching start record (or the client's own figure when there is none);
    /// `None` when neither exists — never 0 by default.
    pub duration_ms: Option<u64>,
    /// Whether a matching start record was found.
    pub start_record_found: bool,
    /// Whether the subagent's own transcript was found.
    pub transcript_found: bool,
    /// The transcript's last usage entry.
    pub usage: Option<Usage>,
}

/// [`names::SUBAGENT_STOPPED`]. Token fields are null when unknown.
pub fn subagent_stopped(
    o: &Origin<'_>,
    agent_id: &str,
    agent_type: Option<&str>,
    stop: &SubagentStop,
) -> Record {
    let u = stop.usage.clone().unwrap_or_default();
    o.record(names::SUBAGENT_STOPPED)
        .with("agent_id", agent_id)
        .with("agent_type", opt(agent_type))
        .with("duration_ms", opt(stop.duration_ms))
        .with("start_record_found", stop.start_record_found)
        .with("transcript_found", stop.transcript_found)
        .with("input_tokens", opt(u.input_tokens))
        .with("output_tokens", opt(u.output_tokens))
        .with(
            "cache_creation_input_tokens",
            opt(u.cache_creation_input_tokens),
        )
        .with("cache_read_input_tokens", opt(u.cache_read_input_tokens))
        .with("model", opt(u.model))
}

/// [`names::SKILL_INVOKED`].
pub fn skill_invoked(o: &Origin<'_>, agent_id: Option<&str>, skill: &str) -> Record {
    o.record(names::SKILL_INVOKED)
        .with("agent_id", opt(agent_id))
        .with("skill", skill)
}

/// [`names::SESSION_RECORDED`]: the summary of an ended session for `sessions.jsonl`.
pub fn session_recorded(
    o: &Origin<'_>,
    started_at: Option<&str>,
    duration_ms: Option<u64>,
    reason: Option<&str>,
    waves: &[Wave],
) -> Record {
    let waves: Vec<Value> = waves
        .iter()
        .map(|w| {
            json!({
                "wave": w.wave,
                "role": w.role,
                "started_at": w.started_at,
                "completed_at": w.completed_at,
                "duration_ms": w.duration_ms(),
            })
        })
        .collect();
    o.record(names::SESSION_RECORDED)
        .with("started_at", opt(started_at))
        .with("ended_at", o.at.to_string())
        .with("duration_ms", opt(duration_ms))
        .with("reason", reason.unwrap_or("other"))
        .with("total_waves", waves.len())
        .with("waves", waves)
}

/// What one autopilot run did, for [`names::AUTOPILOT_COMPLETED`] (the seed's
/// `autopilot.jsonl` fields).
#[derive(Debug, Clone, PartialEq)]
pub struct AutopilotRun<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// When the run started.
    pub started_at: Timestamp,
    /// When it ended (also the record's `timestamp`).
    pub completed_at: Timestamp,
    /// `--max-sessions`.
    pub max_sessions: u32,
    /// `--max-hours`.
    pub max_hours: f64,
    /// `--max-tokens`.
    pub max_tokens: u64,
    /// `--confidence-threshold`.
    pub confidence_threshold: f64,
    /// `--stall-timeout`, seconds.
    pub stall_timeout_seconds: u64,
    /// Sessions that ran to their end by themselves.
    pub iterations_completed: u32,
    /// The kill switch that stopped the run (`None`: a dry run that would start a session).
    pub kill_switch: Option<&'a str>,
    /// What the switch saw.
    pub kill_switch_detail: Option<&'a str>,
    /// One object per session started.
    pub sessions: Vec<Value>,
    /// The first iteration was not confident enough: a person should run the session.
    pub fallback_to_manual: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// Tokens counted against `--max-tokens`.
    pub total_tokens_used: u64,
    /// The resource verdict before the first iteration, when probed.
    pub resource_verdict_at_start: Option<&'a str>,
    /// The exit code of the run.
    pub exit_code: u8,
}

/// [`names::AUTOPILOT_COMPLETED`]: the one record of an autopilot run, for
/// `autopilot.jsonl`. `duration_seconds` has millisecond precision.
pub fn autopilot_completed(run: &AutopilotRun<'_>) -> Record {
    let ms = run
        .completed_at
        .millis_since(run.started_at)
        .unwrap_or_default();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a run's milliseconds are far below 2^52"
    )]
    let duration_seconds = ms as f64 / 1000.0;
    Record::new(names::AUTOPILOT_COMPLETED, run.completed_at)
        .with("autopilot_run_id", run.run_id)
        .with("started_at", run.started_at.to_string())
        .with("completed_at", run.completed_at.to_string())
        .with("duration_seconds", duration_seconds)
        .with("max_sessions", run.max_sessions)
        .with("max_hours", run.max_hours)
        .with("max_tokens", run.max_tokens)
        .with("confidence_threshold", run.confidence_threshold)
        .with("stall_timeout_seconds", run.stall_timeout_seconds)
        .with("iterations_completed", run.iterations_completed)
        .with("kill_switch", opt(run.kill_switch))
        .with("kill_switch_detail", opt(run.kill_switch_detail))
        .with("sessions", Value::Array(run.sessions.clone()))
        .with("fallback_to_manual", run.fallback_to_manual)
        .with("dry_run", run.dry_run)
        .with("total_tokens_used", run.total_tokens_used)
        .with(
            "resource_verdict_at_start",
            opt(run.resource_verdict_at_start),
        )
        .with("exit_code", run.exit_code)
}

/// Test counts of a quality gate; each `None` when the runner's output did not state it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GateTestCounts {
    /// Passed tests.
    pub passed: Option<u64>,
    /// Failed tests.
    pub failed: Option<u64>,
    /// All tests the runner knew of.
    pub total: Option<u64>,
}

/// What a quality-gate record says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QualityGate<'a> {
    /// `baseline`, `incremental`, `full-gate` or `per-file`.
    pub variant: &'a str,
    /// Every check passed or was skipped: [`names::QUALITY_GATE_PASSED`], else
    /// [`names::QUALITY_GATE_FAILED`].
    pub passed: bool,
    /// The CLI's exit code (0; 2 for a failed full gate; 1 when a command could not start).
    pub exit_code: u8,
    /// The wave the gate ran after, when given.
    pub wave_number: Option<u32>,
    /// Wall-clock time of the whole gate.
    pub duration_ms: u64,
    /// Status of the test check (`pass`, `fail`, `stubbed`, `timeout`, `skipped`, …).
    pub test_status: &'a str,
    /// Status of the type-check.
    pub typecheck_status: &'a str,
    /// Status of the lint check.
    pub lint_status: &'a str,
    /// Test counts; `None` (null) when not one was measured.
    pub counts: Option<GateTestCounts>,
    /// The test command runs no test.
    pub stubbed: bool,
    /// A check hit the time limit.
    pub timed_out: bool,
    /// Type errors; `None` when not measured.
    pub typecheck_errors: Option<u64>,
    /// Lint errors; `None` when not measured.
    pub lint_errors: Option<u64>,
    /// Lint warnings; `None` when not measured.
    pub lint_warnings: Option<u64>,
}

/// [`names::QUALITY_GATE_PASSED`] or [`names::QUALITY_GATE_FAILED`]. Counts that were not
/// measured are null, never 0.
pub fn quality_gate(o: &Origin<'_>, g: &QualityGate<'_>) -> Record {
    let name = if g.passed {
        names::QUALITY_GATE_PASSED
    } else {
        names::QUALITY_GATE_FAILED
    };
    let counts = g.counts.map_or(
        Value::Null,
        |c| json!({"passed": c.passed, "failed": c.failed, "total": c.total}),
    );
    o.record(name)
        .with("variant", g.variant)
        .with("exit_code", g.exit_code)
        .with("wave_number", opt(g.wave_number))
        .with("duration_ms", g.duration_ms)
        .with(
            "statuses",
            json!({"test": g.test_status, "typecheck": g.typecheck_status, "lint": g.lint_status}),
        )
        .with("counts", counts)
        .with("stubbed", g.stubbed)
        .with("timed_out", g.timed_out)
        .with("typecheck_errors", opt(g.typecheck_errors))
        .with("lint_errors", opt(g.lint_errors))
        .with("lint_warnings", opt(g.lint_warnings))
}

/// One wave of a [`SessionReport`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedWave {
    /// Wave number (from 1).
    pub wave: u64,
    /// `Discovery`, `Impl-Core`, `Impl-Polish`, `Quality` or `Finalization`.
    pub role: String,
    /// Agents dispatched in the wave.
    pub agents: u64,
    /// How the wave ended, in the skill's words.
    pub status: String,
}

/// How a session's agents ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentSummary {
    /// Reported `done`.
    pub complete: u64,
    /// Reported `partial`.
    pub partial: u64,
    /// Reported `failed`.
    pub failed: u64,
    /// Caught spiralling (same file edited again and again, same error repeated).
    pub spiral: u64,
}

/// The session-end skill's report of a session, validated by the CLI.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionReport<'a> {
    /// `feature`, `deep` or `housekeeping`.
    pub session_type: &'a str,
    /// ISO-8601 UTC.
    pub started_at: &'a str,
    /// ISO-8601 UTC.
    pub completed_at: &'a str,
    /// `completed_at - started_at`.
    pub duration_ms: Option<u64>,
    /// Number of waves.
    pub total_waves: u64,
    /// The waves.
    pub waves: &'a [ReportedWave],
    /// How the agents ended.
    pub agent_summary: AgentSummary,
    /// Agents dispatched.
    pub total_agents: u64,
    /// Files changed.
    pub total_files_changed: u64,
    /// Issues planned, if the skill counted them.
    pub issues_planned: Option<u64>,
    /// Issues closed.
    pub issues_closed: Option<u64>,
    /// Work carried over to the next session.
    pub carryover: Option<u64>,
    /// The last quality gate's report (`session-orchestrator quality-gate` output).
    pub gate: Option<&'a Value>,
    /// Free text.
    pub notes: Option<&'a str>,
}

/// [`names::SESSION_REPORTED`]: the skill's report for `sessions.jsonl`. `session_id` in
/// `o` is the reported session's id.
pub fn session_reported(o: &Origin<'_>, r: &SessionReport<'_>) -> Record {
    let waves: Vec<Value> = r
        .waves
        .iter()
        .map(|w| json!({"wave": w.wave, "role": w.role, "agents": w.agents, "status": w.status}))
        .collect();
    let a = r.agent_summary;
    o.record(names::SESSION_REPORTED)
        .with("session_type", r.session_type)
        .with("started_at", r.started_at)
        .with("completed_at", r.completed_at)
        .with("duration_ms", opt(r.duration_ms))
        .with("total_waves", r.total_waves)
        .with("waves", waves)
        .with(
            "agent_summary",
            json!({"complete": a.complete, "partial": a.partial, "failed": a.failed, "spiral": a.spiral}),
        )
        .with("total_agents", r.total_agents)
        .with("total_files_changed", r.total_files_changed)
        .with("issues_planned", opt(r.issues_planned))
        .with("issues_closed", opt(r.issues_closed))
        .with("carryover", opt(r.carryover))
        .with("gate", r.gate.cloned().unwrap_or(Value::Null))
        .with("notes", opt(r.notes))
}

/// A learning for `learnings.jsonl`, in the original's fields (seed §6.1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Learning<'a> {
    /// Unique id (UUID-shaped).
    pub id: &'a str,
    /// `fragile-file`, `effective-sizing`, `recurring-issue`, `scope-guidance` or
    /// `deviation-pattern`.
    pub learning_type: &'a str,
    /// What it is about (a file, a session type, a pattern name).
    pub subject: &'a str,
    /// The lesson.
    pub insight: &'a str,
    /// The data points behind it.
    pub evidence: &'a str,
    /// 0 to 1.
    pub confidence: f64,
    /// The session that produced it, when known.
    pub source_session: Option<&'a str>,
    /// ISO-8601 UTC.
    pub created_at: &'a str,
    /// ISO-8601 UTC.
    pub expires_at: &'a str,
    /// The id of the learning with the same type and subject that this one replaces.
    pub supersedes: Option<&'a str>,
}

/// [`names::LEARNING_RECORDED`]. `scope` is always `local`.
pub fn learning_recorded(at: Timestamp, l: &Learning<'_>) -> Record {
    Record::new(names::LEARNING_RECORDED, at)
        .with("id", l.id)
        .with("type", l.learning_type)
        .with("subject", l.subject)
        .with("insight", l.insight)
        .with("evidence", l.evidence)
        .with("confidence", l.confidence)
        .with("source_session", opt(l.source_session))
        .with("created_at", l.created_at)
        .with("expires_at", l.expires_at)
        .with("scope", "local")
        .with("supersedes", opt(l.supersedes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::is_valid_event_name;

    #[test]
    fn every_name_follows_the_rule() {
        for name in names::ALL {
            assert!(is_valid_event_name(name), "{name}");
        }
        for (hook, decision, want) in [
            (
                "destructive-guard",
                "deny",
                "orchestrator.destructive_guard.blocked",
            ),
            (
                "scope-enforcer",
                "warn",
                "orchestrator.scope_enforcer.warned",
            ),
            ("scope-enforcer", "Ask", "orchestrator.scope_enforcer.asked"),
            ("x", "escalate-now", "orchestrator.x.escalate_now"),
        ] {
            let r = guard_decision(Timestamp::from_millis(0), hook, "r", decision, "h");
            assert_eq!(r.event(), want);
            assert!(is_valid_event_name(r.event()));
        }
    }

    #[test]
    fn unknown_durations_are_null_not_zero() {
        let o = Origin {
            session_id: Some("s"),
            client: Some("claude"),
            at: Timestamp::from_millis(0),
        };
        let r = session_ended(&o, None, None, 0);
        assert_eq!(r.get("duration_ms"), Some(&Value::Null));
        let r = subagent_stopped(&o, "a", None, &SubagentStop::default());
        assert_eq!(r.get("duration_ms"), Some(&Value::Null));
        assert_eq!(r.get("input_tokens"), Some(&Value::Null));
        let r = quality_gate(&o, &QualityGate::default());
        assert_eq!(r.get("counts"), Some(&Value::Null));
        assert_eq!(r.get("lint_warnings"), Some(&Value::Null));
        assert_eq!(r.get("wave_number"), Some(&Value::Null));
    }

    #[test]
    fn quality_gate_name_follows_the_outcome() {
        let o = Origin {
            session_id: None,
            client: None,
            at: Timestamp::from_millis(0),
        };
        let mut g = QualityGate {
            variant: "full-gate",
            exit_code: 2,
            counts: Some(GateTestCounts {
                passed: Some(11),
                failed: Some(1),
                total: Some(12),
            }),
            ..QualityGate::default()
        };
        let failed = quality_gate(&o, &g);
        assert_eq!(failed.event(), names::QUALITY_GATE_FAILED);
        assert_eq!(
            failed.get("counts"),
            Some(&json!({"passed": 11, "failed": 1, "total": 12}))
        );
        g.passed = true;
        assert_eq!(quality_gate(&o, &g).event(), names::QUALITY_GATE_PASSED);
    }
}
