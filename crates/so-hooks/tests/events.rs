//! The real `session-events` and `telemetry` binaries, spawned on real captured payloads
//! (Claude Code 2.1.330 and Codex 0.169: `SessionStart`, `SessionEnd`, `Stop`, `PostToolUse`,
//! `PreToolUse`) and, for events without a capture, on payloads built from the reference
//! (hook-protocols.md A.6 for Claude, D.4 for Codex, C.4 for Cursor; several from
//! `so-protocol`'s test data): what each client gets on stdout, what lands in
//! `.orchestrator/`, and what happens when the disk cannot take it.
//!
//! Faults and how they are made (the tests run as root, where `chmod` does not stop
//! writes): a read-only or missing `.orchestrator/` is a regular FILE where the directory
//! should be (every write fails with `ENOTDIR`/`EEXIST`); a full disk is a file-size limit
//! (`sh -c 'ulimit -f N; exec BIN'`, dash counts 512-byte blocks) that the next record
//! would cross; a damaged state file is a truncated JSON document; a missing transcript is a
//! path that does not exist. A `chmod` test runs too and says when it could not bite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Map, Value, json};

mod common;
use common::{
    HookRun, TempProject, capture, one_json_object, replace_text, repo_file, run_command, run_hook,
};

const EVENTS: &str = env!("CARGO_BIN_EXE_session-events");
const TELEMETRY: &str = env!("CARGO_BIN_EXE_telemetry");

const CC: &str = "48059969-edc3-4f69-9020-8b467d5a1a2c";
const CODEX: &str = "01a20c46-22f5-76d0-b383-bbb630d97bf5";
const CURSOR: &str = "668320d2-2fd8-4888-b33c-2a466fec86e7";

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// The metrics logs and runtime state the hooks write in a project.
impl TempProject {
    /// Every record of a metrics log; panics on a line that is not a JSON object.
    fn records(&self, log: &str) -> Vec<Map<String, Value>> {
        self.read(&format!(".orchestrator/metrics/{log}"))
            .lines()
            .map(|l| match serde_json::from_str(l) {
                Ok(Value::Object(m)) => m,
                _ => panic!("{log}: not a record: {l:?}"),
            })
            .collect()
    }

    fn events_named(&self, log: &str, event: &str) -> Vec<Map<String, Value>> {
        self.records(log)
            .into_iter()
            .filter(|r| r["event"] == event)
            .collect()
    }

    fn state(&self, rel: &str) -> Value {
        serde_json::from_str(&self.read(&format!(".orchestrator/runtime/{rel}")))
            .unwrap_or(Value::Null)
    }
}

/// Runs `bin` on `payload` in `cwd` (clients start hooks in the project directory).
fn run_in(bin: &str, payload: &Value, cwd: &Path) -> HookRun {
    run_hook(bin, cwd, &[], &serde_json::to_vec(payload).unwrap())
}

fn run(bin: &str, payload: &Value, project: &TempProject) -> HookRun {
    run_in(bin, payload, project.path())
}

/// Runs `bin` through `/bin/sh -c '<prefix>; exec BIN'`.
fn run_limited(bin: &str, payload: &Value, project: &TempProject, prefix: &str) -> HookRun {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("{prefix}; exec \"$0\""))
        .arg(bin)
        .current_dir(project.path());
    run_command(cmd, &serde_json::to_vec(payload).unwrap())
}

/// A payload from `so-protocol`'s reference-built test data, moved into `project`.
fn reference(name: &str, project: &TempProject) -> Value {
    let mut v: Value =
        serde_json::from_str(&repo_file(&format!("crates/so-protocol/tests/data/{name}"))).unwrap();
    replace_text(&mut v, "/home/dev/proj", &project.path().to_string_lossy());
    v
}

/// A Claude payload of `event` (base fields of A.5) plus `extra`.
fn claude(event: &str, project: &TempProject, extra: &Value) -> Value {
    let mut v = json!({
        "session_id": CC,
        "transcript_path": project.file("transcripts/cc.jsonl"),
        "cwd": project.path(),
        "hook_event_name": event,
        "permission_mode": "default",
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// A Cursor payload of `event` (common fields of C.3) plus `extra`.
fn cursor(event: &str, project: &TempProject, extra: &Value) -> Value {
    let mut v = reference("cursor.stop.json", project);
    v["hook_event_name"] = json!(event);
    v.as_object_mut().unwrap().remove("status");
    v.as_object_mut().unwrap().remove("loop_count");
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn skill_call(project: &TempProject) -> Value {
    let mut p = capture("cc.allow.bash.PreToolUse.json", project);
    p["tool_name"] = json!("Skill");
    p["tool_input"] = json!({"skill": "session-start", "args": "feature"});
    p
}

fn failure(project: &TempProject, error: &str) -> Value {
    claude(
        "PostToolUseFailure",
        project,
        &json!({"tool_name": "Bash", "tool_input": {"command": "ls nope"},
                "tool_use_id": "toolu_1", "error": error, "is_interrupt": false}),
    )
}

fn batch(project: &TempProject) -> Value {
    claude(
        "PostToolBatch",
        project,
        &json!({"tool_calls": [{"tool_name": "Read", "tool_input": {"file_path": "/x"},
                                "tool_use_id": "toolu_2"}]}),
    )
}

// ---------------------------------------------------------------------------------------
// Every event, every client
// ---------------------------------------------------------------------------------------

/// What a hook must print for a case.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Nothing,
    /// One JSON object.
    Json,
}

/// (name, binary, payload builder, log, event recorded there, answer)
type Case = (
    &'static str,
    &'static str,
    fn(&TempProject) -> Value,
    &'static str,
    &'static str,
    Answer,
);

#[expect(clippy::too_many_lines, reason = "one table of every case")]
fn cases() -> Vec<Case> {
    vec![
        // Claude Code: real captures where they exist.
        (
            "cc SessionStart",
            EVENTS,
            |p| capture("cc.allow.bash.SessionStart.json", p),
            "events.jsonl",
            "orchestrator.session.started",
            Answer::Json,
        ),
        (
            "cc plugin SessionStart",
            EVENTS,
            |p| capture("cc.plugin.plugin-SessionStart.json", p),
            "events.jsonl",
            "orchestrator.session.started",
            Answer::Json,
        ),
        (
            "cc Stop",
            EVENTS,
            |p| capture("cc.allow.bash.Stop.json", p),
            "events.jsonl",
            "orchestrator.session.stopped",
            Answer::Nothing,
        ),
        (
            "cc SubagentStop (events)",
            EVENTS,
            |p| reference("cc.SubagentStop.json", p),
            "events.jsonl",
            "orchestrator.agent.stopped",
            Answer::Nothing,
        ),
        (
            "cc PostToolBatch",
            EVENTS,
            |p| {
                p.write(
                    ".claude/wave-scope.json",
                    r#"{"wave": 1, "role": "Discovery", "allowedPaths": []}"#,
                );
                batch(p)
            },
            "events.jsonl",
            "orchestrator.wave.started",
            Answer::Nothing,
        ),
        (
            "cc PostToolUseFailure",
            EVENTS,
            |p| failure(p, "Exit code 2\nls: cannot access 'nope'"),
            "events.jsonl",
            "orchestrator.tool.failed",
            Answer::Json,
        ),
        (
            "cc CwdChanged",
            EVENTS,
            |p| reference("cc.CwdChanged.json", p),
            "events.jsonl",
            "orchestrator.session.cwd_changed",
            Answer::Nothing,
        ),
        (
            "cc SessionEnd",
            EVENTS,
            |p| capture("cc.allow.bash.SessionEnd.json", p),
            "events.jsonl",
            "orchestrator.session.ended",
            Answer::Nothing,
        ),
        (
            "cc SubagentStart",
            TELEMETRY,
            |p| {
                claude(
                    "SubagentStart",
                    p,
                    &json!({"agent_id": "a1b2", "agent_type": "Explore"}),
                )
            },
            "subagents.jsonl",
            "orchestrator.subagent.started",
            Answer::Nothing,
        ),
        (
            "cc SubagentStop",
            TELEMETRY,
            |p| reference("cc.SubagentStop.json", p),
            "subagents.jsonl",
            "orchestrator.subagent.stopped",
            Answer::Nothing,
        ),
        (
            "cc PreToolUse Skill",
            TELEMETRY,
            skill_call,
            "skill-invocations.jsonl",
            "orchestrator.skill.invoked",
            Answer::Nothing,
        ),
        (
            "cc PostToolUse Bash",
            TELEMETRY,
            |p| capture("cc.allow.bash.PostToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
        (
            "cc PostToolUse Write",
            TELEMETRY,
            |p| capture("cc.allow.write.PostToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
        // Codex: real captures, and D.4 shapes for the subagent events and SessionEnd.
        (
            "codex SessionStart",
            EVENTS,
            |p| capture("codex.allow.shell.SessionStart.json", p),
            "events.jsonl",
            "orchestrator.session.started",
            Answer::Json,
        ),
        (
            "codex plugin SessionStart",
            EVENTS,
            |p| capture("codex.plugin.plugin-SessionStart.json", p),
            "events.jsonl",
            "orchestrator.session.started",
            Answer::Json,
        ),
        (
            "codex Stop",
            EVENTS,
            |p| capture("codex.allow.shell.Stop.json", p),
            "events.jsonl",
            "orchestrator.session.stopped",
            Answer::Nothing,
        ),
        (
            "codex SubagentStop (events)",
            EVENTS,
            |p| reference("codex.SubagentStop.json", p),
            "events.jsonl",
            "orchestrator.agent.stopped",
            Answer::Nothing,
        ),
        (
            "codex SessionEnd",
            EVENTS,
            |p| reference("codex.SessionEnd.json", p),
            "events.jsonl",
            "orchestrator.session.ended",
            Answer::Nothing,
        ),
        (
            "codex SubagentStart",
            TELEMETRY,
            |p| reference("codex.SubagentStart.json", p),
            "subagents.jsonl",
            "orchestrator.subagent.started",
            Answer::Nothing,
        ),
        (
            "codex SubagentStop",
            TELEMETRY,
            |p| reference("codex.SubagentStop.json", p),
            "subagents.jsonl",
            "orchestrator.subagent.stopped",
            Answer::Nothing,
        ),
        (
            "codex PostToolUse shell",
            TELEMETRY,
            |p| capture("codex.allow.shell.PostToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
        (
            "codex PostToolUse patch",
            TELEMETRY,
            |p| capture("codex.allow.patch.PostToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
        (
            "codex PreToolUse (not Skill)",
            TELEMETRY,
            |p| capture("codex.allow.shell.PreToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
        // Cursor: C.3/C.4 shapes.
        (
            "cursor sessionStart",
            EVENTS,
            |p| reference("cursor.sessionStart.json", p),
            "events.jsonl",
            "orchestrator.session.started",
            Answer::Json,
        ),
        (
            "cursor stop",
            EVENTS,
            |p| reference("cursor.stop.json", p),
            "events.jsonl",
            "orchestrator.session.stopped",
            Answer::Nothing,
        ),
        (
            "cursor postToolUseFailure",
            EVENTS,
            |p| {
                cursor(
                    "postToolUseFailure",
                    p,
                    &json!({"tool_name": "Shell", "tool_input": {"command": "ls nope"}, "tool_use_id": "t9", "cwd": p.path(), "error_message": "exit status 2", "failure_type": "error", "duration": 5, "is_interrupt": false}),
                )
            },
            "events.jsonl",
            "orchestrator.tool.failed",
            Answer::Nothing,
        ),
        (
            "cursor sessionEnd",
            EVENTS,
            |p| reference("cursor.sessionEnd.json", p),
            "events.jsonl",
            "orchestrator.session.ended",
            Answer::Nothing,
        ),
        (
            "cursor subagentStart",
            TELEMETRY,
            |p| reference("cursor.subagentStart.json", p),
            "subagents.jsonl",
            "orchestrator.subagent.started",
            Answer::Nothing,
        ),
        (
            "cursor subagentStop",
            TELEMETRY,
            |p| {
                cursor(
                    "subagentStop",
                    p,
                    &json!({"subagent_id": "sub_1", "subagent_type": "explore", "status": "completed", "task": "look around", "duration_ms": 4200, "message_count": 3, "tool_call_count": 2, "loop_count": 0, "modified_files": [], "agent_transcript_path": p.file("transcripts/sub_1.jsonl")}),
                )
            },
            "subagents.jsonl",
            "orchestrator.subagent.stopped",
            Answer::Nothing,
        ),
        (
            "cursor postToolUse",
            TELEMETRY,
            |p| reference("cursor.postToolUse.json", p),
            "",
            "",
            Answer::Nothing,
        ),
    ]
}

/// Each case in a fresh project: exit 0, the expected answer, the expected record, and
/// every line of every log a complete record with the common schema.
#[test]
fn every_event_of_every_client_is_recorded_and_answered() {
    for (name, bin, payload, log, event, answer) in cases() {
        let project = TempProject::new();
        let r = run(bin, &payload(&project), &project);
        match answer {
            Answer::Nothing => r.assert_silent(name),
            Answer::Json => {
                r.json(name);
            }
        }
        if !log.is_empty() {
            let found = project.events_named(log, event);
            assert_eq!(found.len(), 1, "{name}: expected one {event} in {log}");
        }
        for log in [
            "events.jsonl",
            "subagents.jsonl",
            "skill-invocations.jsonl",
            "sessions.jsonl",
        ] {
            for rec in project.records(log) {
                assert_eq!(rec["schema_version"], 1, "{name}: {rec:?}");
                let ts = rec["timestamp"].as_str().unwrap();
                assert!(
                    ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
                    "{ts}"
                );
                let ev = rec["event"].as_str().unwrap();
                assert!(so_events::is_valid_event_name(ev), "{name}: {ev}");
                assert!(
                    rec.contains_key("session_id") && rec.contains_key("client"),
                    "{rec:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The SessionStart envelope, per client
// ---------------------------------------------------------------------------------------

/// The exact bytes a client gets at session start: exit code and stdout.
fn envelope(payload: &Value, project: &TempProject) -> String {
    let r = run(EVENTS, payload, project);
    one_json_object(&r.stdout).expect("one envelope");
    format!(
        "exit={}\n{}",
        r.code.unwrap_or(-1),
        project.redact(&r.stdout)
    )
}

#[test]
fn session_start_envelope_claude() {
    let project = TempProject::new();
    let snapshot = envelope(
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    );
    insta::assert_snapshot!("session_start_claude", snapshot);
}

#[test]
fn session_start_envelope_codex() {
    let project = TempProject::new();
    let payload = capture("codex.allow.shell.SessionStart.json", &project);
    let snapshot = envelope(&payload, &project);
    let json = one_json_object(snapshot.split_once('\n').unwrap().1).unwrap();
    assert_codex_keys("SessionStart", &json);
    insta::assert_snapshot!("session_start_codex", snapshot);
}

#[test]
fn session_start_envelope_cursor() {
    let project = TempProject::new();
    let snapshot = envelope(&reference("cursor.sessionStart.json", &project), &project);
    insta::assert_snapshot!("session_start_cursor", snapshot);
}

/// The envelope when the storage is broken: still one object, banner and notice together.
#[test]
fn session_start_envelope_with_storage_notice() {
    let project = TempProject::new();
    std::fs::write(project.file(".orchestrator"), "x").unwrap();
    let snapshot = envelope(
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    );
    insta::assert_snapshot!("session_start_claude_storage_notice", snapshot);
}

/// A running wave, another live session and earlier failures all go into the one envelope.
#[test]
fn session_start_envelope_with_peer_and_wave() {
    let project = TempProject::new();
    project.write(
        ".claude/wave-scope.json",
        r#"{"wave": 2, "role": "Impl-Core", "allowedPaths": ["src/"]}"#,
    );
    run(
        EVENTS,
        &capture("codex.allow.shell.SessionStart.json", &project),
        &project,
    )
    .json("codex");
    let out = run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    );
    let json = out.json("claude");
    let banner = json["systemMessage"].as_str().unwrap();
    let context = json["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(
        banner.contains("another session is live in this repository: 01a20c46 (codex"),
        "{banner}"
    );
    assert!(
        context.contains("Another session (01a20c46, codex)"),
        "{context}"
    );
    assert!(
        context.contains("Wave 2 (Impl-Core) is in progress."),
        "{context}"
    );
    assert_eq!(
        json.len(),
        2,
        "one envelope: hookSpecificOutput and systemMessage only"
    );
}

// ---------------------------------------------------------------------------------------
// Codex: only schema keys (D.5)
// ---------------------------------------------------------------------------------------

/// Checks a Codex answer against the output schema of its event (reference D.5): the
/// universal keys, the event's own top-level keys, and its `hookSpecificOutput` keys.
fn assert_codex_keys(event: &str, json: &Map<String, Value>) {
    let universal = ["continue", "stopReason", "suppressOutput", "systemMessage"];
    let (extra_top, specific): (&[&str], Option<&[&str]>) = match event {
        "SessionStart" | "SubagentStart" => (
            &["hookSpecificOutput"],
            Some(&["hookEventName", "additionalContext"]),
        ),
        "PostToolUse" => (
            &["decision", "reason", "hookSpecificOutput"],
            Some(&["hookEventName", "additionalContext", "updatedMCPToolOutput"]),
        ),
        "PreToolUse" => (
            &["decision", "reason", "hookSpecificOutput"],
            Some(&[
                "hookEventName",
                "permissionDecision",
                "permissionDecisionReason",
                "updatedInput",
                "additionalContext",
            ]),
        ),
        "Stop" | "SubagentStop" => (&["decision", "reason"], None),
        other => panic!("no Codex schema for {other} in this test"),
    };
    for key in json.keys() {
        assert!(
            universal.contains(&key.as_str()) || extra_top.contains(&key.as_str()),
            "Codex {event} rejects top-level key `{key}`: {json:?}"
        );
    }
    if let Some(hso) = json.get("hookSpecificOutput") {
        let allowed =
            specific.unwrap_or_else(|| panic!("Codex {event} takes no hookSpecificOutput"));
        for key in hso.as_object().unwrap().keys() {
            assert!(
                allowed.contains(&key.as_str()),
                "Codex {event} rejects hookSpecificOutput.{key}"
            );
        }
        assert_eq!(hso["hookEventName"], event);
    }
}

/// Every answer a Codex event can get — plain, loop-guard hint, storage notice — uses only
/// keys of that event's schema; `SessionEnd` (no schema) gets nothing on stdout.
#[test]
fn codex_answers_use_only_schema_keys() {
    let project = TempProject::new();
    let mut answers: Vec<(String, HookRun)> = Vec::new();
    let mut go = |bin: &str, p: Value, project: &TempProject| {
        let event = p["hook_event_name"].as_str().unwrap().to_owned();
        answers.push((event, run(bin, &p, project)));
    };
    go(
        EVENTS,
        capture("codex.allow.shell.SessionStart.json", &project),
        &project,
    );
    go(
        TELEMETRY,
        reference("codex.SubagentStart.json", &project),
        &project,
    );
    go(
        TELEMETRY,
        capture("codex.allow.shell.PreToolUse.json", &project),
        &project,
    );
    for _ in 0..3 {
        go(
            TELEMETRY,
            capture("codex.allow.shell.PostToolUse.json", &project),
            &project,
        );
    }
    go(
        EVENTS,
        capture("codex.allow.shell.Stop.json", &project),
        &project,
    );
    go(
        EVENTS,
        reference("codex.SubagentStop.json", &project),
        &project,
    );
    go(
        TELEMETRY,
        reference("codex.SubagentStop.json", &project),
        &project,
    );
    go(
        EVENTS,
        reference("codex.SessionEnd.json", &project),
        &project,
    );
    // The same events with the storage broken: notices must also fit the schemas.
    let broken = TempProject::new();
    std::fs::write(broken.file(".orchestrator"), "x").unwrap();
    go(
        EVENTS,
        capture("codex.allow.shell.SessionStart.json", &broken),
        &broken,
    );
    go(
        EVENTS,
        capture("codex.allow.shell.Stop.json", &broken),
        &broken,
    );
    go(
        EVENTS,
        reference("codex.SubagentStop.json", &broken),
        &broken,
    );
    go(
        TELEMETRY,
        reference("codex.SubagentStart.json", &broken),
        &broken,
    );
    go(
        TELEMETRY,
        capture("codex.allow.shell.PostToolUse.json", &broken),
        &broken,
    );
    go(EVENTS, reference("codex.SessionEnd.json", &broken), &broken);

    let mut saw_hint = false;
    let mut saw_stop_notice = false;
    for (event, r) in &answers {
        assert_eq!(r.code, Some(0), "{event}: {}", r.stderr);
        if event == "SessionEnd" {
            assert_eq!(r.stdout, "", "Codex SessionEnd has no output schema");
            continue;
        }
        if let Some(json) = one_json_object(&r.stdout) {
            assert_codex_keys(event, &json);
            saw_hint |= event == "PostToolUse" && json.contains_key("hookSpecificOutput");
            saw_stop_notice |= event == "Stop" && json.contains_key("systemMessage");
        }
    }
    assert!(
        saw_hint,
        "the loop guard must have fired on the third identical call"
    );
    assert!(
        saw_stop_notice,
        "the storage notice must reach Codex on Stop as systemMessage"
    );
}

// ---------------------------------------------------------------------------------------
// Session life cycle
// ---------------------------------------------------------------------------------------

/// Start, three waves seen through `PostToolBatch`, end: real durations, wave events when the
/// manifest's number changes (not on every batch), and a `sessions.jsonl` summary.
#[test]
fn a_session_with_waves_from_start_to_end() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    run(EVENTS, &batch(&project), &project).assert_silent("batch without wave");
    let manifest = |wave: u32, role: &str| {
        project.write(
            ".claude/wave-scope.json",
            &json!({"wave": wave, "role": role, "allowedPaths": ["src/"]}).to_string(),
        );
    };
    manifest(1, "Discovery");
    for _ in 0..3 {
        run(EVENTS, &batch(&project), &project).assert_silent("batch wave 1");
    }
    std::thread::sleep(Duration::from_millis(20));
    manifest(2, "Impl-Core");
    run(EVENTS, &batch(&project), &project).assert_silent("batch wave 2");
    std::fs::remove_file(project.file(".claude/wave-scope.json")).unwrap();
    run(EVENTS, &batch(&project), &project).assert_silent("batch after the last wave");
    run(
        EVENTS,
        &capture("cc.allow.bash.Stop.json", &project),
        &project,
    )
    .assert_silent("stop");
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionEnd.json", &project),
        &project,
    )
    .assert_silent("end");

    let started = project.events_named("events.jsonl", "orchestrator.wave.started");
    let completed = project.events_named("events.jsonl", "orchestrator.wave.completed");
    assert_eq!(
        started
            .iter()
            .map(|r| r["wave_number"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        completed
            .iter()
            .map(|r| r["wave_number"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(completed[0]["duration_ms"].as_u64().unwrap() >= 20);
    let ended = project.events_named("events.jsonl", "orchestrator.session.ended");
    assert!(
        ended[0]["duration_ms"].as_u64().is_some_and(|d| d > 0),
        "{ended:?}"
    );
    assert_eq!(ended[0]["reason"], "other");
    let summary = &project.records("sessions.jsonl")[0];
    assert_eq!(summary["event"], "orchestrator.session.recorded");
    assert_eq!(summary["session_id"], CC);
    assert_eq!(summary["total_waves"], 2);
    assert_eq!(summary["waves"][1]["role"], "Impl-Core");
    assert_eq!(summary["duration_ms"], ended[0]["duration_ms"]);
    // The lock was this session's and is gone; the state says the session ended.
    assert!(!project.file(".orchestrator/runtime/session.lock").exists());
    assert!(project.state("current-session.json")["ended_at"].is_string());
    assert_eq!(
        project
            .events_named("events.jsonl", "orchestrator.session.lock.released")
            .len(),
        1
    );
}

/// An end without a recorded start has no duration: null, never a made-up 0. Cursor's own
/// duration is used only in that case.
#[test]
fn an_end_without_a_start_has_a_null_duration() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionEnd.json", &project),
        &project,
    )
    .assert_silent("end");
    let ended = &project.events_named("events.jsonl", "orchestrator.session.ended")[0];
    assert_eq!(ended["duration_ms"], Value::Null);
    assert_eq!(
        project.records("sessions.jsonl")[0]["duration_ms"],
        Value::Null
    );
    let skipped = project.events_named("events.jsonl", "orchestrator.session.lock.release_skipped");
    assert_eq!(skipped.len(), 1);

    let cursor_project = TempProject::new();
    run(
        EVENTS,
        &reference("cursor.sessionEnd.json", &cursor_project),
        &cursor_project,
    )
    .assert_silent("cursor end");
    let ended = &cursor_project.events_named("events.jsonl", "orchestrator.session.ended")[0];
    assert_eq!(
        ended["duration_ms"], 1000,
        "Cursor's own figure when no start was seen"
    );
    assert_eq!(ended["reason"], "completed");
    assert_eq!(
        ended["session_id"], CURSOR,
        "Cursor's conversation id is the session"
    );
}

/// Two sessions in one repository: the second is told about the first, the first keeps the
/// lock, and ending the second does not release the first's lock.
#[test]
fn a_second_session_sees_the_first_and_cannot_release_its_lock() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("a");
    let b = run(
        EVENTS,
        &capture("codex.allow.shell.SessionStart.json", &project),
        &project,
    )
    .json("b");
    assert!(
        b["systemMessage"]
            .as_str()
            .unwrap()
            .contains("48059969 (claude")
    );
    let started = project.events_named("events.jsonl", "orchestrator.session.started");
    assert_eq!(started[1]["lock"], "held_by_other");
    assert_eq!(started[1]["peer_sessions"], json!([CC]));

    let mut codex_end = reference("codex.SessionEnd.json", &project);
    codex_end["session_id"] = json!(CODEX);
    run(EVENTS, &codex_end, &project).assert_silent("b ends");
    let lock = project.state("session.lock");
    assert_eq!(lock["session_id"], CC, "the owner keeps the lock: {lock}");
    assert!(lock.get("peers").is_none_or(|p| p.get(CODEX).is_none()));
    let skipped = project.events_named("events.jsonl", "orchestrator.session.lock.release_skipped");
    assert_eq!(skipped[0]["owner_session_id"], CC);
    // Both sessions' state survived each other's updates.
    let cs = project.state("current-session.json");
    assert_eq!(cs["others"][CC]["session_id"], CC, "{cs}");
    assert_eq!(cs["session_id"], CODEX);
    assert!(cs["ended_at"].is_string());
}

/// A lock whose owner stopped heartbeating more than the TTL ago is taken over.
#[test]
fn an_expired_lock_is_reaped() {
    let project = TempProject::new();
    project.write(
        ".orchestrator/runtime/session.lock",
        &json!({"schema_version": 2, "session_id": "ghost", "started_at": "2020-01-01T00:00:00.000Z",
                "last_heartbeat": "2020-01-01T00:00:00.000Z", "ttl_hours": 4, "pid": 4242}).to_string(),
    );
    let out = run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    assert!(
        !out["systemMessage"]
            .as_str()
            .unwrap()
            .contains("another session")
    );
    let acquired = project.events_named("events.jsonl", "orchestrator.session.lock.acquired");
    assert_eq!(acquired[0]["reaped_session_id"], "ghost");
    assert_eq!(project.state("session.lock")["session_id"], CC);
}

/// Directory changes are kept per session (last 20) in `runtime/cwd-changes.json`, helper
/// state written without an fsync, and each one is an event.
#[test]
fn cwd_changes_are_kept_per_session() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    for i in 0..25 {
        let mut p = reference("cc.CwdChanged.json", &project);
        p["session_id"] = json!(CC);
        p["new_cwd"] = json!(format!("{}/sub{i}", project.path().display()));
        run(EVENTS, &p, &project).assert_silent("cwd");
    }
    let file = project.state("cwd-changes.json");
    let changes = file["sessions"][CC].as_array().unwrap();
    assert_eq!(changes.len(), 20, "the last 20 are kept");
    assert!(changes[19]["new_cwd"].as_str().unwrap().ends_with("/sub24"));
    assert_eq!(changes[0]["previous_cwd"], json!(project.path()));
    assert_eq!(
        project
            .events_named("events.jsonl", "orchestrator.session.cwd_changed")
            .len(),
        25
    );
}

/// Failures become corrective context for the next turn: the session's recorded failures
/// (at most 20), oldest first, with exit codes.
#[test]
fn tool_failures_become_corrective_context() {
    let project = TempProject::new();
    let mut last = Map::new();
    for i in 0..25 {
        last = run(
            EVENTS,
            &failure(
                &project,
                &format!("Exit code {}\nfailure number {i}", i % 3 + 1),
            ),
            &project,
        )
        .json("failure");
    }
    let context = last["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert_eq!(
        last["hookSpecificOutput"]["hookEventName"],
        "PostToolUseFailure"
    );
    assert_eq!(
        context.lines().filter(|l| l.starts_with("- ")).count(),
        20,
        "{context}"
    );
    assert!(
        context.contains("Bash exit 3: Exit code 3 failure number 5\n"),
        "{context}"
    );
    assert!(context.contains("failure number 24") && !context.contains("failure number 4"));
    assert_eq!(
        project.state("failures.json")["failures"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
    let failed = project.events_named("events.jsonl", "orchestrator.tool.failed");
    assert_eq!(failed.len(), 25);
    assert_eq!(failed[0]["exit_code"], 1);
    assert!(
        !project
            .read(".orchestrator/metrics/events.jsonl")
            .contains("failure number"),
        "the error text stays out of the log"
    );

    // After compaction the failures come back with the session's context.
    let mut start = capture("cc.allow.bash.SessionStart.json", &project);
    start["source"] = json!("compact");
    let out = run(EVENTS, &start, &project).json("compact");
    assert!(
        out["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap()
            .contains("failure number 24")
    );
}

/// `events.jsonl` over `events-rotation.max-size-mb` rotates at session start, keeping
/// `max-backups` backups.
#[test]
fn events_rotate_by_configured_size_and_backups() {
    let project = TempProject::new();
    project.write(
        "CLAUDE.md",
        "# P\n\n## Session Config\n\nevents-rotation:\n  max-size-mb: 1\n  max-backups: 2\n",
    );
    let big = format!(
        "{}\n",
        json!({"schema_version": 1, "timestamp": "2020-01-01T00:00:00.000Z", "event": "orchestrator.test.old", "pad": "z".repeat(1000)})
    );
    project.write(".orchestrator/metrics/events.jsonl", &big.repeat(1100));
    project.write(".orchestrator/metrics/events.jsonl.1", "backup one\n");
    project.write(".orchestrator/metrics/events.jsonl.2", "backup two\n");
    let out = run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    assert!(
        out["systemMessage"]
            .as_str()
            .unwrap()
            .contains("events.jsonl rotated")
    );
    assert_eq!(
        project.read(".orchestrator/metrics/events.jsonl.1").len(),
        big.len() * 1100
    );
    assert_eq!(
        project.read(".orchestrator/metrics/events.jsonl.2"),
        "backup one\n"
    );
    assert!(
        !project
            .file(".orchestrator/metrics/events.jsonl.3")
            .exists()
    );
    let fresh = project.records("events.jsonl");
    assert_eq!(fresh[0]["event"], "orchestrator.events.rotated");
    assert_eq!(fresh[0]["max_backups"], 2);
    // Under the limit nothing rotates.
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("again");
    assert_eq!(
        project.read(".orchestrator/metrics/events.jsonl.2"),
        "backup one\n"
    );
}

// ---------------------------------------------------------------------------------------
// Telemetry
// ---------------------------------------------------------------------------------------

fn transcript(lines: &[Value]) -> String {
    lines.iter().fold(String::new(), |mut out, l| {
        out.push_str(&l.to_string());
        out.push('\n');
        out
    })
}

/// Duration from the matching start; tokens from the subagent's own transcript, last usage
/// entry (not the first streaming snapshot, not the parent's transcript).
#[test]
fn subagent_records_have_real_durations_and_own_tokens() {
    let project = TempProject::new();
    project.write("transcripts/cc.jsonl", &transcript(&[
        json!({"type": "assistant", "message": {"model": "parent", "usage": {"input_tokens": 99_999, "output_tokens": 99_999}}}),
    ]));
    project.write("transcripts/a1b2.jsonl", &transcript(&[
        json!({"type": "user", "message": {"role": "user", "content": "explore"}}),
        json!({"type": "assistant", "message": {"id": "m1", "model": "claude-haiku", "usage": {"input_tokens": 12, "output_tokens": 1}}}),
        json!({"type": "assistant", "message": {"id": "m1", "model": "claude-haiku", "usage": {"input_tokens": 12, "cache_read_input_tokens": 3000, "output_tokens": 345}}}),
    ]));
    let start = claude(
        "SubagentStart",
        &project,
        &json!({"agent_id": "a1b2", "agent_type": "Explore"}),
    );
    run(TELEMETRY, &start, &project).assert_silent("start");
    std::thread::sleep(Duration::from_millis(30));
    let mut stop = reference("cc.SubagentStop.json", &project);
    stop["agent_transcript_path"] = json!(project.file("transcripts/a1b2.jsonl"));
    stop["transcript_path"] = json!(project.file("transcripts/cc.jsonl"));
    run(TELEMETRY, &stop, &project).assert_silent("stop");
    let rec = &project.events_named("subagents.jsonl", "orchestrator.subagent.stopped")[0];
    assert!(rec["duration_ms"].as_u64().unwrap() >= 30, "{rec:?}");
    assert_eq!(rec["start_record_found"], true);
    assert_eq!(rec["transcript_found"], true);
    assert_eq!(
        (rec["input_tokens"].as_u64(), rec["output_tokens"].as_u64()),
        (Some(12), Some(345))
    );
    assert_eq!(rec["cache_read_input_tokens"], 3000);
    assert_eq!(rec["model"], "claude-haiku");
    assert_eq!(rec["agent_type"], "Explore");
}

/// Claude Code without `agent_transcript_path`: the subagent's file beside the parent
/// transcript (`<dir>/<session>/subagents/agent-<id>.jsonl`), never the parent's own.
#[test]
fn the_subagent_transcript_is_found_beside_the_parent() {
    let project = TempProject::new();
    project.write(
        "transcripts/cc.jsonl",
        &transcript(&[
            json!({"message": {"usage": {"input_tokens": 99_999, "output_tokens": 99_999}}}),
        ]),
    );
    project.write(
        &format!("transcripts/{CC}/subagents/agent-a1b2.jsonl"),
        &transcript(&[json!({"message": {"usage": {"input_tokens": 5, "output_tokens": 6}}})]),
    );
    let mut stop = reference("cc.SubagentStop.json", &project);
    stop.as_object_mut()
        .unwrap()
        .remove("agent_transcript_path");
    stop["transcript_path"] = json!(project.file("transcripts/cc.jsonl"));
    run(TELEMETRY, &stop, &project).assert_silent("stop");
    let rec = &project.events_named("subagents.jsonl", "orchestrator.subagent.stopped")[0];
    assert_eq!(
        (rec["input_tokens"].as_u64(), rec["output_tokens"].as_u64()),
        (Some(5), Some(6))
    );
}

/// A stop without a start (the original's phantom stops) and a transcript that does not
/// exist: null duration and null tokens, flags saying why, exit 0, nothing printed.
#[test]
fn phantom_stop_and_missing_transcript_give_nulls_not_zeros() {
    let project = TempProject::new();
    let mut stop = reference("cc.SubagentStop.json", &project);
    stop["agent_transcript_path"] = json!(project.file("no/such/transcript.jsonl"));
    run(TELEMETRY, &stop, &project).assert_silent("stop");
    let rec = &project.events_named("subagents.jsonl", "orchestrator.subagent.stopped")[0];
    assert_eq!(rec["duration_ms"], Value::Null);
    assert_eq!(rec["start_record_found"], false);
    assert_eq!(rec["transcript_found"], false);
    for k in [
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "model",
    ] {
        assert_eq!(rec[k], Value::Null, "{k}");
    }
    // Codex sends agent_transcript_path: null.
    run(
        TELEMETRY,
        &reference("codex.SubagentStop.json", &project),
        &project,
    )
    .assert_silent("codex");
    let rec = project.events_named("subagents.jsonl", "orchestrator.subagent.stopped");
    assert_eq!(rec[1]["transcript_found"], false);
    assert_eq!(rec[1]["duration_ms"], Value::Null);
}

#[test]
fn skill_calls_are_recorded() {
    let project = TempProject::new();
    run(TELEMETRY, &skill_call(&project), &project).assert_silent("skill");
    run(
        TELEMETRY,
        &capture("cc.allow.bash.PreToolUse.json", &project),
        &project,
    )
    .assert_silent("bash");
    let recs = project.records("skill-invocations.jsonl");
    assert_eq!(recs.len(), 1, "only the Skill tool is recorded");
    assert_eq!(recs[0]["skill"], "session-start");
    assert_eq!(recs[0]["session_id"], CC);
}

/// The loop guard follows `loop-guard.threshold` / `window` / `enabled`, hints visibly and
/// records a warning with the arguments' hash (not the arguments).
#[test]
fn loop_guard_follows_the_session_config() {
    let project = TempProject::new();
    project.write(
        "CLAUDE.md",
        "# P\n\n## Session Config\n\n- loop-guard.threshold: 2\n- loop-guard.window: 3\n",
    );
    let call = capture("cc.allow.bash.PostToolUse.json", &project);
    run(TELEMETRY, &call, &project).assert_silent("first");
    let hint = run(TELEMETRY, &call, &project).json("second");
    let context = hint["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(
        context.contains("`Bash` has now been called 2 times"),
        "{context}"
    );
    assert!(
        hint["systemMessage"]
            .as_str()
            .unwrap()
            .contains("loop guard")
    );
    // Other calls in between push the repeats out of a window of 3.
    run(TELEMETRY, &call, &project).assert_silent("after the hint, the count starts over");
    let other = capture("cc.allow.write.PostToolUse.json", &project);
    run(TELEMETRY, &other, &project).assert_silent("other");
    run(TELEMETRY, &other, &project).json("other repeats");
    let warnings = project.events_named("events.jsonl", "orchestrator.loop.warning");
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0]["count"], 2);
    assert_eq!(warnings[0]["window"], 3);
    assert!(
        !project
            .read(".orchestrator/metrics/events.jsonl")
            .contains("CANARY")
    );

    let off = TempProject::new();
    off.write(
        "CLAUDE.md",
        "## Session Config\n\nloop-guard:\n  enabled: false\n",
    );
    let call = capture("cc.allow.bash.PostToolUse.json", &off);
    for _ in 0..6 {
        run(TELEMETRY, &call, &off).assert_silent("disabled");
    }
}

/// Subagents loop on their own: their calls do not add up with the main thread's.
#[test]
fn loop_guard_counts_each_agent_separately() {
    let project = TempProject::new();
    let main_call = capture("cc.allow.bash.PostToolUse.json", &project);
    let mut sub_call = main_call.clone();
    sub_call["agent_id"] = json!("a1b2");
    for _ in 0..2 {
        run(TELEMETRY, &main_call, &project).assert_silent("main");
        run(TELEMETRY, &sub_call, &project).assert_silent("sub");
    }
    run(TELEMETRY, &sub_call, &project).json("sub third");
}

// ---------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------

/// `.orchestrator` is a regular file, so nothing under it can be written (the effect of a
/// read-only or missing directory, forced even for root). Every event exits 0, the agent
/// is not blocked, the file is untouched, and the user is told visibly. The runtime
/// directory cannot hold the "already told" marker either, so each process tells again.
#[test]
fn unwritable_orchestrator_dir_never_blocks_and_tells_the_user() {
    let project = TempProject::new();
    std::fs::write(project.file(".orchestrator"), "keep me\n").unwrap();
    let start = run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    let banner = start["systemMessage"].as_str().unwrap();
    assert!(
        banner.starts_with(
            "session-orchestrator: session 48059969 (claude, startup) is not being recorded"
        ),
        "{banner}"
    );
    assert!(banner.contains("reported on every event"), "{banner}");
    assert!(
        banner.contains("could not keep its session record"),
        "{banner}"
    );
    assert!(start["hookSpecificOutput"]["additionalContext"].is_string());
    let stop = run(
        EVENTS,
        &capture("cc.allow.bash.Stop.json", &project),
        &project,
    )
    .json("stop");
    assert!(
        stop["systemMessage"]
            .as_str()
            .unwrap()
            .contains(".orchestrator")
    );
    assert_eq!(stop.len(), 1, "Stop gets only a systemMessage: {stop:?}");
    for (bin, p) in [
        (
            TELEMETRY,
            capture("cc.allow.bash.PostToolUse.json", &project),
        ),
        (TELEMETRY, skill_call(&project)),
        (TELEMETRY, reference("cc.SubagentStop.json", &project)),
        (EVENTS, batch(&project)),
        (EVENTS, failure(&project, "Exit code 1")),
        (EVENTS, reference("cc.CwdChanged.json", &project)),
        (EVENTS, capture("cc.allow.bash.SessionEnd.json", &project)),
    ] {
        let r = run(bin, &p, &project);
        assert_eq!(r.code, Some(0), "{p}: {}", r.stderr);
        let json = r.json(p["hook_event_name"].as_str().unwrap());
        assert!(
            json["systemMessage"]
                .as_str()
                .unwrap()
                .contains("could not keep")
        );
    }
    assert_eq!(
        std::fs::read_to_string(project.file(".orchestrator")).unwrap(),
        "keep me\n"
    );
}

/// When only the metrics directory is broken and the runtime directory works, the user is
/// told once per session, not on every event.
#[test]
fn a_storage_problem_is_reported_once_per_session() {
    let project = TempProject::new();
    std::fs::create_dir_all(project.file(".orchestrator/runtime")).unwrap();
    std::fs::write(project.file(".orchestrator/metrics"), "not a directory\n").unwrap();
    let first = run(
        EVENTS,
        &capture("cc.allow.bash.Stop.json", &project),
        &project,
    )
    .json("first");
    assert!(
        first["systemMessage"]
            .as_str()
            .unwrap()
            .contains("once per session")
    );
    run(
        EVENTS,
        &capture("cc.allow.bash.Stop.json", &project),
        &project,
    )
    .assert_silent("second");
    run(TELEMETRY, &skill_call(&project), &project).assert_silent("third, other hook");
    // Another session is told again.
    let codex = run(
        EVENTS,
        &capture("codex.allow.shell.Stop.json", &project),
        &project,
    )
    .json("codex");
    assert_codex_keys("Stop", &codex);
}

/// A missing project directory (removed checkout, unmounted disk; outside any other
/// project): nothing is created.
#[test]
fn a_missing_project_directory_is_not_recreated() {
    let project = TempProject::new();
    let base = std::env::temp_dir().join(format!("so-hooks-missing-{}", std::process::id()));
    let gone = base.join("checkout");
    let mut p = capture("cc.allow.bash.Stop.json", &project);
    p["cwd"] = json!(gone);
    let r = run_in(EVENTS, &p, project.path()).json("stop");
    assert!(
        r["systemMessage"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{r:?}"
    );
    assert!(!base.exists(), "the missing directory was created");
}

/// A full disk, made with a file-size limit the next record would cross: the hook exits 0
/// (it is not killed by SIGXFSZ), tells the user, and `events.jsonl` is byte-for-byte what
/// it was — no torn line.
#[test]
fn a_file_size_limit_reached_mid_write_leaves_the_log_intact() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    let log = project.file(".orchestrator/metrics/events.jsonl");
    let blocks = 16u64;
    let limit = blocks * 512;
    let line = format!(
        "{}\n",
        json!({"schema_version": 1, "timestamp": "2020-01-01T00:00:00.000Z", "event": "orchestrator.test.filler"})
    );
    let mut text = std::fs::read_to_string(&log).unwrap();
    while (text.len() + line.len()) as u64 <= limit - 60 {
        text.push_str(&line);
    }
    std::fs::write(&log, &text).unwrap();
    for payload in [
        capture("cc.allow.bash.Stop.json", &project),
        capture("codex.allow.shell.Stop.json", &project),
    ] {
        let r = run_limited(EVENTS, &payload, &project, &format!("ulimit -f {blocks}"));
        assert_eq!(r.code, Some(0), "killed or failed: {r:?}");
        let json = r.json("stop under a file-size limit");
        assert!(
            json["systemMessage"]
                .as_str()
                .unwrap()
                .contains("file-size limit"),
            "{json:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            text,
            "events.jsonl changed"
        );
    }
}

/// Truncated state files: the hook exits 0, keeps the damaged copy beside it, starts a
/// fresh state, and tells the user once.
#[test]
fn truncated_state_files_are_set_aside_not_fatal() {
    let project = TempProject::new();
    let damaged = r#"{"schema_version": 1, "session_id": "48059969-edc3-4f69-9020-8b4"#;
    project.write(".orchestrator/runtime/current-session.json", damaged);
    project.write(".orchestrator/runtime/session.lock", "{\"session_id\": ");
    let out = run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    let banner = out["systemMessage"].as_str().unwrap();
    assert!(
        banner.contains("was damaged") && banner.contains("kept as"),
        "{banner}"
    );
    assert_eq!(project.state("current-session.json")["session_id"], CC);
    assert_eq!(project.state("session.lock")["session_id"], CC);
    let kept: Vec<String> = std::fs::read_dir(project.file(".orchestrator/runtime"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".corrupt-"))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let aside = kept
        .iter()
        .find(|n| n.starts_with("current-session.json"))
        .unwrap();
    assert_eq!(
        project.read(&format!(".orchestrator/runtime/{aside}")),
        damaged
    );

    project.write(".orchestrator/runtime/failures.json", "{\"failures\": [");
    let r = run(EVENTS, &failure(&project, "Exit code 1"), &project).json("failure");
    assert!(
        r["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap()
            .contains("Exit code 1")
    );
    assert_eq!(
        project.state("failures.json")["failures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `chmod a-w` on `.orchestrator/`: with write permission enforced (not root) the hooks
/// exit 0 with a notice and the existing records stay as they were. As root the kernel
/// ignores the mode; the test then only checks that nothing broke and says so.
#[test]
fn read_only_orchestrator_dir_by_permissions() {
    let project = TempProject::new();
    run(
        EVENTS,
        &capture("cc.allow.bash.SessionStart.json", &project),
        &project,
    )
    .json("start");
    let log = project.file(".orchestrator/metrics/events.jsonl");
    let before = std::fs::read_to_string(&log).unwrap();
    let status = Command::new("chmod")
        .args(["-R", "a-w"])
        .arg(project.file(".orchestrator"))
        .status()
        .unwrap();
    assert!(status.success());
    let probe = project.file(".orchestrator/metrics/probe");
    let enforced = std::fs::write(&probe, "x").is_err();
    let _ = std::fs::remove_file(&probe);
    let r = run(
        EVENTS,
        &capture("cc.allow.bash.Stop.json", &project),
        &project,
    );
    assert_eq!(r.code, Some(0));
    if enforced {
        let json = r.json("stop on a read-only directory");
        assert!(
            json["systemMessage"]
                .as_str()
                .unwrap()
                .contains("could not keep")
        );
        assert_eq!(std::fs::read_to_string(&log).unwrap(), before);
    } else {
        eprintln!("note: running as root, chmod does not stop writes; see the ENOTDIR test");
        r.assert_silent("stop");
    }
}

// ---------------------------------------------------------------------------------------
// Concurrency with the real binary
// ---------------------------------------------------------------------------------------

/// Eight sessions start, change directory ten times and stop, all at once, through the real
/// binary: every line parses, every session's state and every update survives.
#[test]
fn eight_concurrent_sessions_lose_no_update() {
    let project = TempProject::new();
    let sessions: Vec<String> = (0..8)
        .map(|i| format!("{i:08}-concurrent-session"))
        .collect();
    std::thread::scope(|s| {
        for sid in &sessions {
            let project = &project;
            s.spawn(move || {
                let mut start = capture("cc.allow.bash.SessionStart.json", project);
                start["session_id"] = json!(sid);
                run(EVENTS, &start, project).json("start");
                for i in 0..10 {
                    let mut p = reference("cc.CwdChanged.json", project);
                    p["session_id"] = json!(sid);
                    p["new_cwd"] = json!(format!("/d/{i}"));
                    run(EVENTS, &p, project).assert_silent("cwd");
                }
                let mut stop = capture("cc.allow.bash.Stop.json", project);
                stop["session_id"] = json!(sid);
                run(EVENTS, &stop, project).assert_silent("stop");
            });
        }
    });
    let records = project.records("events.jsonl");
    let count = |e: &str| records.iter().filter(|r| r["event"] == e).count();
    assert_eq!(count("orchestrator.session.started"), 8);
    assert_eq!(count("orchestrator.session.cwd_changed"), 80);
    assert_eq!(count("orchestrator.session.stopped"), 8);
    let cs = project.state("current-session.json");
    let mut seen = BTreeSet::new();
    let states = std::iter::once(&cs).chain(cs["others"].as_object().unwrap().values());
    for st in states {
        assert!(st["started_at"].is_string(), "{st}");
        seen.insert(st["session_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 8, "a session's state was lost: {cs}");
    let cwd = project.state("cwd-changes.json");
    for sid in &sessions {
        let n = cwd["sessions"][sid].as_array().map(Vec::len);
        assert_eq!(n, Some(10), "{sid} lost a cwd change: {cwd}");
    }
    let lock = project.state("session.lock");
    let holders = 1 + lock["peers"].as_object().map_or(0, Map::len);
    assert_eq!(holders, 8, "{lock}");
}
