//! `session-orchestrator autopilot --headless` with the real Claude Code (pinned version)
//! against the fake Anthropic server, this repository loaded as the plugin: a clean run to
//! `--max-sessions 2`, and every kill switch firing with the `autopilot.jsonl` record it
//! leaves. The fake model closes each session the way `/close` does, with a Bash call of
//! `session-orchestrator session record` carrying the agent summary the test needs.
//!
//! Controls: the clean run is the control of the post-session switches (same path, a clean
//! report, nothing fires) and of the token budget (default budget, small usage); the
//! resource-overload case has a control with six peers; the clean run (recorded state that
//! agrees: confidence 0.95) and the low-confidence case (nothing recorded: 0) share the
//! default threshold; the stall and abort cases first see the session's processes alive,
//! then none left.
//!
//! Confidence: apart from those two, the runs start from a fresh project (confidence 0) and
//! pass `--confidence-threshold 0`; the mode rules have their own tests in `so-autopilot`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use so_e2e::autopilot::{self, Harness, Running};
use so_e2e::model::{Api, Behaviour, FakeModel, Script};
use so_e2e::process::Output;

/// Upper bound for one autopilot run in these tests (they take a few seconds).
const LIMIT: Duration = Duration::from_secs(90);

/// A report whose agents all completed, nothing carried over.
const CLEAN: [u64; 4] = [2, 0, 0, 0];

fn harness(label: &str) -> Harness {
    Harness::new(label).unwrap_or_else(|e| panic!("{e}"))
}

/// A fake model whose one tool call records a session report, then "done".
fn recording_model(h: &Harness, summary: [u64; 4], planned: u64, carryover: u64) -> FakeModel {
    recording_model_with(h, summary, planned, carryover, Behaviour::default())
}

fn recording_model_with(
    h: &Harness,
    summary: [u64; 4],
    planned: u64,
    carryover: u64,
    behaviour: Behaviour,
) -> FakeModel {
    let script = Script::one(h.record_command(summary, planned, carryover));
    FakeModel::start_with(Api::Anthropic, script, behaviour).unwrap()
}

/// Runs the autopilot to its end and returns its output and its one record.
fn run(h: &Harness, model: &FakeModel, args: &[&str], env: &[(&str, &str)]) -> (Output, Value) {
    let mut command = h.command(model, args, env);
    let out = autopilot::run(&mut command, LIMIT).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.is_some(),
        "the autopilot hung:\n{}",
        out.describe()
    );
    let records = h.autopilot_records();
    assert_eq!(
        records.len(),
        1,
        "expected one autopilot.jsonl record\n{}\nfake model: {}",
        out.describe(),
        model.summary()
    );
    (out, records.into_iter().next().unwrap())
}

fn code(out: &Output) -> Option<i32> {
    out.status.and_then(|s| s.code())
}

fn sessions(record: &Value) -> &Vec<Value> {
    record["sessions"].as_array().expect("sessions[]")
}

/// The kill switch, with the whole context when it is not the expected one.
fn assert_switch(record: &Value, out: &Output, model: &FakeModel, want: &str) {
    assert_eq!(
        record["kill_switch"],
        want,
        "record: {record:#}\n{}\nfake model: {}",
        out.describe(),
        model.summary()
    );
}

/// Recorded state a confident recommendation rests on: a STATE.md whose last `/close`
/// recommended `feature`, and an earlier clean session report (feature at 0.95).
fn seed_confident_state(h: &Harness) {
    let proj = &h.sandbox.proj;
    std::fs::create_dir_all(proj.join(".claude")).unwrap();
    std::fs::write(
        proj.join(".claude/STATE.md"),
        "---\nschema-version: 1\nsession-type: feature\nbranch: main\nissues: []\n\
         started_at: 2026-01-01T09:00:00Z\nstatus: completed\ncurrent-wave: 1\ntotal-waves: 1\n\
         recommended-mode: feature\ncarryover-ratio: 0\ncompletion-rate: 1\n---\n",
    )
    .unwrap();
    std::fs::create_dir_all(proj.join(".orchestrator/metrics")).unwrap();
    std::fs::write(
        proj.join(".orchestrator/metrics/sessions.jsonl"),
        concat!(
            r#"{"schema_version":1,"timestamp":"2026-01-01T10:00:00.000Z","event":"orchestrator.session.reported","#,
            r#""session_id":"seeded","session_type":"feature","agent_summary":{"complete":3,"partial":0,"failed":0,"spiral":0},"#,
            r#""issues_planned":3,"carryover":0}"#,
            "\n"
        ),
    )
    .unwrap();
}

#[test]
fn clean_run_stops_at_max_sessions_after_two_real_sessions() {
    let h = harness("ap-clean");
    seed_confident_state(&h);
    let model = recording_model(&h, CLEAN, 2, 0);
    // The default confidence threshold (0.85): the recorded state is enough.
    let (out, r) = run(&h, &model, &["--headless", "--max-sessions", "2"], &[]);
    assert_switch(&r, &out, &model, "max-sessions-reached");
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    assert_eq!(r["event"], "orchestrator.autopilot.completed");
    assert_eq!(r["iterations_completed"], 2);
    assert_eq!(r["dry_run"], false);
    assert_eq!(r["fallback_to_manual"], false);
    let s = sessions(&r);
    assert_eq!(s.len(), 2, "{r:#}");
    let ids: Vec<&str> = s.iter().filter_map(|x| x["session_id"].as_str()).collect();
    assert!(
        ids.len() == 2 && ids[0] != ids[1],
        "two distinct sessions: {ids:?}"
    );
    for x in s {
        assert_eq!(x["outcome"], "ok", "{x:#}");
        assert_eq!(x["end"], "exited");
        assert_eq!(x["result"]["is_error"], false);
        assert_eq!(x["report"]["agent_summary"]["complete"], 2, "{x:#}");
        // The report found is this session's own (the Bash tool passes the session id).
        assert_eq!(x["report"]["session_id"], x["session_id"], "{x:#}");
    }
    // STATE.md (read through so-state) and the clean reports agree before both sessions.
    for x in s {
        assert_eq!(
            (&x["mode"], &x["confidence"]),
            (&Value::from("feature"), &Value::from(0.95))
        );
    }
    let per_session: u64 = s
        .iter()
        .map(|x| x["tokens"]["counted"].as_u64().unwrap())
        .sum();
    assert!(per_session > 0);
    assert_eq!(r["total_tokens_used"].as_u64(), Some(per_session));
    assert_eq!(
        h.session_reports().len(),
        3,
        "the seeded report and one per session"
    );
    // Two requests per session at least: the tool call, then the end of the turn.
    assert!(model.model_calls().len() >= 4, "{}", model.summary());
    assert_eq!(
        out.stderr.matches("autopilot: session ").count(),
        2,
        "one progress line per session:\n{}",
        out.stderr
    );
}

#[test]
fn token_budget_stops_before_the_second_session() {
    let h = harness("ap-tokens");
    // 40 000 input tokens per model call: one session spends more than the budget.
    let behaviour = Behaviour {
        input_tokens: 40_000,
        ..Behaviour::default()
    };
    let model = recording_model_with(&h, CLEAN, 2, 0, behaviour);
    let (out, r) = run(
        &h,
        &model,
        &[
            "--headless",
            "--max-sessions",
            "3",
            "--max-tokens",
            "50000",
            "--confidence-threshold",
            "0",
        ],
        &[],
    );
    assert_switch(&r, &out, &model, "token-budget-exceeded");
    assert_eq!(code(&out), Some(0));
    assert_eq!(r["iterations_completed"], 1);
    assert_eq!(sessions(&r).len(), 1);
    let used = r["total_tokens_used"].as_u64().unwrap();
    assert!(used >= 50_000, "{r:#}");
    assert_eq!(sessions(&r)[0]["tokens"]["counted"].as_u64(), Some(used));
}

/// The post-session switches on the report the session recorded.
fn post_session_case(label: &str, summary: [u64; 4], carryover: u64, want: &str, exit: i32) {
    let h = harness(label);
    let model = recording_model(&h, summary, 4, carryover);
    let (out, r) = run(
        &h,
        &model,
        &[
            "--headless",
            "--max-sessions",
            "3",
            "--confidence-threshold",
            "0",
        ],
        &[],
    );
    assert_switch(&r, &out, &model, want);
    assert_eq!(code(&out), Some(exit), "{}", out.describe());
    let s = sessions(&r);
    assert_eq!(s.len(), 1, "the loop went on after {want}: {r:#}");
    assert_eq!(s[0]["outcome"], want);
    assert_eq!(s[0]["report"]["carryover"], carryover);
    assert_eq!(r["iterations_completed"], 1);
}

#[test]
fn failed_wave_exits_2() {
    post_session_case("ap-failed", [1, 0, 1, 0], 0, "failed-wave", 2);
}

#[test]
fn spiral_stops_the_loop() {
    post_session_case("ap-spiral", [2, 0, 0, 1], 0, "spiral", 0);
}

#[test]
fn carryover_above_half_stops_the_loop() {
    post_session_case("ap-carryover", CLEAN, 3, "carryover-too-high", 0);
}

/// The control of the clean run: the same default threshold without recorded state.
#[test]
fn low_confidence_falls_back_to_manual_without_starting_claude() {
    let h = harness("ap-lowconf");
    let model = recording_model(&h, CLEAN, 2, 0);
    // Default threshold 0.85; nothing recorded: confidence 0.
    let (out, r) = run(&h, &model, &["--headless"], &[]);
    assert_switch(&r, &out, &model, "low-confidence-fallback");
    assert_eq!(code(&out), Some(0));
    assert_eq!(r["fallback_to_manual"], true);
    assert!(sessions(&r).is_empty());
    assert!(
        model.requests().is_empty(),
        "claude was started: {}",
        model.summary()
    );
}

#[test]
fn resource_overload_with_an_injected_probe() {
    let h = harness("ap-resources");
    let model = recording_model(&h, CLEAN, 2, 0);
    let probe = h.sandbox.dir.join("probe.json");
    let args = ["--headless", "--confidence-threshold", "0", "--dry-run"];
    // Control: a critical machine, but only six peers: the dry run would start a session.
    std::fs::write(&probe, r#"{"mem_available_mb": 100, "peers": 6}"#).unwrap();
    let probe_env = [("SO_AUTOPILOT_PROBE", probe.to_str().unwrap())];
    let (out, r) = run(&h, &model, &args, &probe_env);
    assert_eq!(r["kill_switch"], Value::Null, "{r:#}\n{}", out.describe());
    assert_eq!(r["resource_verdict_at_start"], "critical");
    assert!(
        out.stdout.contains("would start session 1"),
        "{}",
        out.stdout
    );
    std::fs::remove_file(h.sandbox.proj.join(".orchestrator/metrics/autopilot.jsonl")).unwrap();

    std::fs::write(&probe, r#"{"mem_available_mb": 100, "peers": 7}"#).unwrap();
    let (out, r) = run(&h, &model, &args[..3], &probe_env);
    assert_switch(&r, &out, &model, "resource-overload");
    assert_eq!(code(&out), Some(0));
    assert!(sessions(&r).is_empty());
    assert!(model.requests().is_empty(), "{}", model.summary());
}

/// Starts the autopilot against a model that never answers in time, and waits until the
/// session is waiting on it; returns the run and the session's processes seen meanwhile.
fn start_hung_session(
    h: &Harness,
    model: &FakeModel,
    args: &[&str],
) -> (Running, Vec<(u32, String)>) {
    let mut command = h.command(model, args, &[]);
    let running = Running::spawn(&mut command).unwrap_or_else(|e| panic!("{e}"));
    let asked = autopilot::wait_for(Duration::from_mins(1), || !model.model_calls().is_empty());
    assert!(asked, "claude never called the model: {}", model.summary());
    let alive = autopilot::processes_in(&h.sandbox.proj);
    (running, alive)
}

fn hanging_model(h: &Harness) -> FakeModel {
    let behaviour = Behaviour {
        delay: Duration::from_secs(45),
        ..Behaviour::default()
    };
    recording_model_with(h, CLEAN, 2, 0, behaviour)
}

#[test]
fn stall_timeout_kills_the_session_and_leaves_no_process() {
    let h = harness("ap-stall");
    let model = hanging_model(&h);
    let (running, alive) = start_hung_session(
        &h,
        &model,
        &[
            "--headless",
            "--stall-timeout",
            "2",
            "--confidence-threshold",
            "0",
        ],
    );
    let out = running.wait(LIMIT);
    // Control for the orphan check: while the model hung, the session's processes were
    // there to be seen.
    assert!(
        alive.iter().any(|(_, cmd)| cmd.contains("claude")),
        "no claude process seen in the project while it waited: {alive:?}"
    );
    let left = autopilot::processes_in(&h.sandbox.proj);
    assert!(left.is_empty(), "processes left behind: {left:?}");
    let r = h
        .autopilot_records()
        .pop()
        .expect("no autopilot.jsonl record");
    assert_switch(&r, &out, &model, "stall-timeout");
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    assert_eq!(sessions(&r)[0]["end"], "stalled");
    assert_eq!(r["iterations_completed"], 0);
    // Generous: the model would have answered after 45 s; the kill came after ~2 s of silence.
    assert!(out.elapsed < Duration::from_secs(40), "{:?}", out.elapsed);
}

#[test]
fn sigint_mid_session_is_forwarded_and_recorded_as_user_abort() {
    let h = harness("ap-abort");
    let model = hanging_model(&h);
    let (running, alive) = start_hung_session(
        &h,
        &model,
        &[
            "--headless",
            "--max-sessions",
            "3",
            "--confidence-threshold",
            "0",
        ],
    );
    running.signal("INT").unwrap();
    let out = running.wait(LIMIT);
    assert!(
        !alive.is_empty(),
        "no session process seen before the signal"
    );
    let left = autopilot::processes_in(&h.sandbox.proj);
    assert!(left.is_empty(), "processes left behind: {left:?}");
    let r = h
        .autopilot_records()
        .pop()
        .expect("no autopilot.jsonl record");
    assert_switch(&r, &out, &model, "user-abort");
    assert_eq!(code(&out), Some(130), "{}", out.describe());
    let s = sessions(&r);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["end"], "aborted");
    assert!(
        r["kill_switch_detail"]
            .as_str()
            .unwrap()
            .starts_with("SIGINT"),
        "{r:#}"
    );
    assert!(out.elapsed < Duration::from_secs(40), "{:?}", out.elapsed);
}

/// The CLI's argument contract, before anything runs: no `--headless` is exit 2, a value out
/// of range is exit 64 naming the range (never clamped); neither starts claude or writes a
/// record. Control: the same flags in range with `--dry-run` run and record.
#[test]
fn flags_are_checked_before_anything_runs() {
    let h = harness("ap-flags");
    let model = recording_model(&h, CLEAN, 2, 0);
    for (args, want, message) in [
        (&["--max-sessions", "2"][..], 2, "pass `--headless`"),
        (&["--headless", "--max-sessions", "51"], 64, "from 1 to 50"),
        (&["--headless", "--max-hours", "0.25"], 64, "from 0.5 to 24"),
        (
            &["--headless", "--confidence-threshold", "1.5"],
            64,
            "from 0 to 1",
        ),
    ] {
        let out = autopilot::run(&mut h.command(&model, args, &[]), LIMIT).unwrap();
        assert_eq!(code(&out), Some(want), "{args:?}\n{}", out.describe());
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(h.autopilot_records().is_empty(), "{args:?} wrote a record");
    }
    let args = [
        "--headless",
        "--max-sessions",
        "50",
        "--max-hours",
        "0.5",
        "--dry-run",
    ];
    let (out, r) = run(&h, &model, &args, &[]);
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    assert_eq!(r["max_sessions"], 50);
    assert_eq!(r["dry_run"], true);
    assert!(model.requests().is_empty(), "{}", model.summary());
}

/// `session-orchestrator mode --json` on the recorded state the clean run starts from, and
/// (control) on a fresh project.
#[test]
fn mode_json_reads_the_recorded_state() {
    let h = harness("ap-mode");
    let mode = |h: &Harness| {
        let out = so_e2e::process::run(
            std::process::Command::new(&h.cli)
                .args(["mode", "--json"])
                .current_dir(&h.sandbox.proj)
                // No client variables: STATE.md is Claude Code's, `.claude/STATE.md`.
                .env_clear()
                .env("PATH", h.clients.path_env())
                .env("HOME", &h.sandbox.home),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(code(&out), Some(0), "{}", out.describe());
        serde_json::from_str::<Value>(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
    };
    let fresh = mode(&h);
    assert_eq!(
        (&fresh["mode"], &fresh["confidence"]),
        (&Value::from("deep"), &Value::from(0.0))
    );
    seed_confident_state(&h);
    let seeded = mode(&h);
    assert_eq!(seeded["mode"], "feature", "{seeded:#}");
    assert_eq!(seeded["confidence"], 0.95);
    assert_eq!(seeded["signals"]["state"]["recommended_mode"], "feature");
    assert_eq!(seeded["signals"]["last_session"]["session_id"], "seeded");
    assert_eq!(
        seeded["signals"]["uncommitted_changes"], 0,
        "STATE.md is bookkeeping"
    );
}
