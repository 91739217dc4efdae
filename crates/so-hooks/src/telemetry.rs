//! The `telemetry` hook: subagents, skills, and the loop guard.
//!
//! | event | records | answers |
//! |---|---|---|
//! | `SubagentStart` | `subagents.jsonl` `subagent.started` | nothing |
//! | `SubagentStop` | `subagents.jsonl` `subagent.stopped`: duration from the matching start (null when there is none, never 0) and token usage from the subagent's **own** transcript (its last usage entry) | nothing |
//! | `PreToolUse` of the `Skill` tool | `skill-invocations.jsonl` `skill.invoked` | nothing |
//! | `PostToolUse` | the loop guard's ring; `loop.warning` when the same tool with the same arguments repeats `loop-guard.threshold` times within `loop-guard.window` calls | a visible hint (`additionalContext` and a line for the user) |

use std::path::PathBuf;

use serde_json::Value;
use so_events::catalog::{self, SubagentStop, names};
use so_events::loop_guard::{self, Call};
use so_events::transcript::{self, TranscriptUsage};
use so_events::{Settings, Timestamp};
use so_protocol::{Client, EventKind, HookInput, Outcome};

use crate::session_events::Ctx;

/// Most bytes of `subagents.jsonl` searched (from the end) for a subagent's start record.
const START_SEARCH_BYTES: u64 = 8 * 1024 * 1024;

/// The `telemetry` hook handler.
pub fn telemetry(input: &HookInput) -> Outcome {
    let wanted = match input.event {
        EventKind::SubagentStart | EventKind::SubagentStop | EventKind::PostToolUse => true,
        EventKind::PreToolUse => input.tool_name.as_deref() == Some("Skill"),
        _ => false,
    };
    if !wanted {
        return Outcome::Allow;
    }
    let mut cx = Ctx::new(input);
    let outcome = match input.event {
        EventKind::SubagentStart => subagent_start(&mut cx),
        EventKind::SubagentStop => subagent_stop(&mut cx),
        EventKind::PreToolUse => skill(&mut cx),
        _ => loop_guard(&mut cx),
    };
    cx.finish(outcome)
}

fn subagent_start(cx: &mut Ctx<'_>) -> Outcome {
    let Some(agent) = cx.input.agent_id.as_deref() else {
        return Outcome::Allow;
    };
    let record = catalog::subagent_started(&cx.origin(), agent, cx.input.agent_type.as_deref());
    cx.append(&cx.layout.subagents(), &record);
    Outcome::Allow
}

fn subagent_stop(cx: &mut Ctx<'_>) -> Outcome {
    let Some(agent) = cx.input.agent_id.as_deref() else {
        return Outcome::Allow;
    };
    let session = cx.session_id();
    let start = if cx.ready {
        let found = so_events::find_last(&cx.layout.subagents(), START_SEARCH_BYTES, |r| {
            r.event == names::SUBAGENT_STARTED
                && r.str("agent_id") == Some(agent)
                && (session.is_none() || r.str("session_id").is_none_or(|s| Some(s) == session))
        });
        cx.rec.note(found).flatten()
    } else {
        None
    };
    let measured = start
        .as_ref()
        .and_then(|r| r.timestamp)
        .and_then(|t| cx.now.millis_since(t));
    // Cursor reports the subagent's duration itself; use it only without a start record.
    let duration_ms = measured.or_else(|| {
        cx.input
            .raw
            .get("duration_ms")
            .and_then(Value::as_u64)
            .filter(|&ms| ms > 0)
    });
    let usage = transcript_path(cx.input, agent).map(|p| transcript::last_usage(&p));
    let (transcript_found, usage) = match usage {
        Some(Ok(TranscriptUsage::Found(u))) => (true, Some(u)),
        Some(Ok(TranscriptUsage::NoUsage)) => (true, None),
        // A missing or unreadable transcript is the client's, not a storage problem of ours.
        Some(Ok(TranscriptUsage::Missing) | Err(_)) | None => (false, None),
    };
    let stop = SubagentStop {
        duration_ms,
        start_record_found: start.is_some(),
        transcript_found,
        usage,
    };
    let record =
        catalog::subagent_stopped(&cx.origin(), agent, cx.input.agent_type.as_deref(), &stop);
    cx.append(&cx.layout.subagents(), &record);
    Outcome::Allow
}

/// The subagent's own transcript: `agent_transcript_path`, else (Claude Code) the file the
/// client keeps beside the parent transcript, `<dir>/<session_id>/subagents/agent-<id>.jsonl`.
/// Never the parent's transcript.
fn transcript_path(input: &HookInput, agent: &str) -> Option<PathBuf> {
    if let Some(p) = input
        .raw
        .get("agent_transcript_path")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        return Some(PathBuf::from(p));
    }
    if input.client != Client::Claude {
        return None;
    }
    let parent = input.transcript_path.as_ref()?;
    let session = input.session_id.as_deref()?;
    Some(
        parent
            .parent()?
            .join(session)
            .join("subagents")
            .join(format!("agent-{agent}.jsonl")),
    )
}

fn skill(cx: &mut Ctx<'_>) -> Outcome {
    let skill = cx
        .input
        .tool_input
        .get("skill")
        .or_else(|| cx.input.tool_input.get("name"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown");
    let record = catalog::skill_invoked(&cx.origin(), cx.input.agent_id.as_deref(), skill);
    cx.append(&cx.layout.skill_invocations(), &record);
    Outcome::Allow
}

fn loop_guard(cx: &mut Ctx<'_>) -> Outcome {
    let Some(tool) = cx.input.tool_name.clone() else {
        return Outcome::Allow;
    };
    if !cx.ready {
        return Outcome::Allow;
    }
    // Config problems are reported in the session-start banner; here the defaults apply.
    let (settings, _) = Settings::load(cx.layout.project_root());
    if !settings.loop_guard.enabled {
        return Outcome::Allow;
    }
    let args_hash = so_events::json_hash(&cx.input.tool_input);
    let key = match (cx.session_id(), cx.input.agent_id.as_deref()) {
        (Some(s), Some(a)) => format!("{s}/{a}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(a)) => format!("-/{a}"),
        (None, None) => "-".to_owned(),
    };
    let call = Call {
        tool: tool.clone(),
        args_hash: args_hash.clone(),
    };
    let observed = loop_guard::observe(
        &cx.layout,
        &key,
        &call,
        settings.loop_guard,
        Timestamp::now(),
    );
    let Some(up) = cx.rec.note(observed) else {
        return Outcome::Allow;
    };
    let Some(hit) = up.value else {
        return Outcome::Allow;
    };
    let record = catalog::loop_warning(
        &cx.origin(),
        cx.input.agent_id.as_deref(),
        &tool,
        &args_hash,
        hit.count,
        hit.window,
    );
    cx.append(&cx.layout.events(), &record);
    Outcome::Context {
        additional_context: format!(
            "Loop guard: `{tool}` has now been called {} times with exactly the same arguments \
             within the last {} tool calls. Repeating it will not give a different result. \
             Stop and re-read its last output, then change the approach: different arguments, \
             another tool, or ask the user.",
            hit.count, hit.window
        ),
        system_message: Some(format!(
            "session-orchestrator loop guard: `{tool}` called {}× with identical arguments \
             within {} calls; the agent was told to change its approach",
            hit.count, hit.window
        )),
    }
}
