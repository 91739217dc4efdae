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
    }
}
