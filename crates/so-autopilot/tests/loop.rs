//! The whole loop in process, with a fake `claude`: a shell script that prints stream-json
//! lines and appends a session report the way `session-orchestrator session record` does.
//! Fast and deterministic; the real Claude Code runs in `crates/so-e2e/tests/autopilot.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use so_autopilot::{Abort, Config, Options, Outcome};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct Project {
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("so-autopilot-loop-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("proj/.orchestrator/metrics")).unwrap();
        Self { root }
    }

    fn proj(&self) -> PathBuf {
        self.root.join("proj")
    }

    /// Where the fake claude writes its arguments, one run per line.
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.root.join("calls.txt"))
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// A fake claude: init line, a report with `summary` (a JSON `agent_summary`, or none)
    /// and `carryover` of 4 planned issues, optional sleep, then a result with 100 input
    /// and 50 output tokens, and exit `code`.
    fn claude(&self, report: Option<(&str, u32)>, sleep: u32, code: i32) -> PathBuf {
        let report_line = report.map_or_else(String::new, |(summary, carryover)| {
            format!(
                r#"printf '%s\n' "{{\"schema_version\":1,\"timestamp\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\",\"event\":\"orchestrator.session.reported\",\"session_id\":\"sess-$SO_AUTOPILOT_ITERATION\",\"session_type\":\"feature\",\"agent_summary\":{},\"issues_planned\":4,\"carryover\":{carryover}}}" >> .orchestrator/metrics/sessions.jsonl"#,
                summary.replace('"', "\\\"")
            )
        });
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{calls}'\n\
             echo '{{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"sess-'\"$SO_AUTOPILOT_ITERATION\"'\"}}'\n\
             {report_line}\nsleep {sleep}\n\
             echo '{{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"num_turns\":1,\"usage\":{{\"input_tokens\":100,\"output_tokens\":50,\"cache_read_input_tokens\":9999}}}}'\n\
             exit {code}\n",
            calls = self.root.join("calls.txt").display()
        );
        let path = self.root.join("claude");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn probe(&self, json: &str) -> PathBuf {
        let path = self.root.join("probe.json");
        std::fs::write(&path, json).unwrap();
        path
    }

    fn records(&self) -> Vec<Value> {
        std::fs::read_to_string(self.proj().join(".orchestrator/metrics/autopilot.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

const CLEAN: &str = r#"{"complete":4,"partial":0,"failed":0,"spiral":0}"#;
/// A green machine with no peers, so the live probe of a busy test machine cannot interfere.
const GREEN: &str = r#"{"mem_available_mb": 8000, "peers": 0}"#;

fn options(max_sessions: u32, threshold: f64) -> Options {
    Options {
        max_sessions,
        confidence_threshold: threshold,
        ..Options::default()
    }
}

fn run(p: &Project, options: &Options, claude: PathBuf, probe: &str) -> (Outcome, String, String) {
    let config = Config {
        claude,
        probe_file: Some(p.probe(probe)),
    };
    let (mut err, mut out) = (Vec::new(), Vec::new());
    let outcome = so_autopilot::run(
        options,
        &p.proj(),
        &config,
        &Abort::new(),
        &mut err,
        &mut out,
    );
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (outcome, text(err), text(out))
}

#[test]
fn runs_to_max_sessions_and_records_the_run() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let (o, err, _) = run(&p, &options(2, 0.0), claude, GREEN);
    assert_eq!(o.exit_code, 0, "{err}\n{o:?}");
    let records = p.records();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["event"], "orchestrator.autopilot.completed");
    assert_eq!(r["kill_switch"], "max-sessions-reached");
    assert_eq!(r["iterations_completed"], 2);
    assert_eq!(r["total_tokens_used"], 300, "cache reads are not counted");
    assert_eq!(r["dry_run"], false);
    assert_eq!(r["resource_verdict_at_start"], "green");
    let sessions = r["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[1]["session_id"], "sess-2");
    assert_eq!(sessions[1]["report"]["session_id"], "sess-2");
    assert_eq!(sessions[0]["outcome"], "ok");
    assert_eq!(sessions[0]["tokens"]["cache_read_input"], 9999);
    assert_eq!(err.matches("autopilot: session ").count(), 2, "{err}");
    let calls = p.calls();
    assert_eq!(calls.len(), 2);
    assert!(
        calls[0].starts_with("-p ")
            && calls[0].contains("/session-orchestrator:session deep")
            && calls[0].ends_with(
                "--output-format stream-json --verbose --permission-mode bypassPermissions"
            )
            && !calls[0].contains("--bare"),
        "{}",
        calls[0]
    );
}

#[test]
fn failed_wave_exits_2_spiral_and_carryover_exit_0() {
    for (summary, carryover, switch, code) in [
        (
            r#"{"complete":3,"partial":0,"failed":1,"spiral":0}"#,
            0,
            "failed-wave",
            2,
        ),
        (
            r#"{"complete":3,"partial":0,"failed":0,"spiral":1}"#,
            0,
            "spiral",
            0,
        ),
        (CLEAN, 3, "carryover-too-high", 0),
    ] {
        let p = Project::new();
        let claude = p.claude(Some((summary, carryover)), 0, 0);
        let (o, err, _) = run(&p, &options(5, 0.0), claude, GREEN);
        let r = &p.records()[0];
        assert_eq!(r["kill_switch"], switch, "{err}");
        assert_eq!(o.exit_code, code);
        assert_eq!(r["sessions"].as_array().map(Vec::len), Some(1));
        assert_eq!(p.calls().len(), 1, "the loop went on after {switch}");
    }
}

#[test]
fn a_session_without_report_or_with_an_error_stops_with_exit_1() {
    let p = Project::new();
    let claude = p.claude(None, 0, 0);
    let (o, _, _) = run(&p, &options(5, 0.0), claude, GREEN);
    assert_eq!(p.records()[0]["kill_switch"], "session-unreported");
    assert_eq!(o.exit_code, 1);

    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 3);
    let (o, _, _) = run(&p, &options(5, 0.0), claude, GREEN);
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "session-error");
    assert!(
        r["kill_switch_detail"]
            .as_str()
            .unwrap()
            .contains("status 3"),
        "{r}"
    );
    assert_eq!(o.exit_code, 1);

    let p = Project::new();
    let (o, _, _) = run(&p, &options(5, 0.0), p.root.join("missing-claude"), GREEN);
    assert_eq!(p.records()[0]["kill_switch"], "session-error");
    assert_eq!(o.exit_code, 1);
}

#[test]
fn token_budget_stops_before_the_next_session() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let o = Options {
        max_tokens: 150,
        ..options(5, 0.0)
    };
    let (out, _, _) = run(&p, &o, claude.clone(), GREEN);
    assert_eq!(out.exit_code, 0);
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "token-budget-exceeded");
    assert_eq!(r["iterations_completed"], 1);
    // Control: one token more of budget and the second session runs.
    let p2 = Project::new();
    let claude = p2.claude(Some((CLEAN, 0)), 0, 0);
    let o = Options {
        max_tokens: 151,
        ..options(2, 0.0)
    };
    run(&p2, &o, claude, GREEN);
    assert_eq!(p2.records()[0]["kill_switch"], "max-sessions-reached");
    assert_eq!(p2.calls().len(), 2);
}

#[test]
fn a_silent_session_is_killed_at_the_stall_timeout() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 30, 0);
    let o = Options {
        stall_timeout: Duration::from_secs(1),
        ..options(5, 0.0)
    };
    let (out, _, _) = run(&p, &o, claude, GREEN);
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "stall-timeout");
    assert_eq!(r["sessions"][0]["end"], "stalled");
    assert_eq!(r["iterations_completed"], 0);
    assert_eq!(out.exit_code, 0);
    assert!(r["duration_seconds"].as_f64().unwrap() < 20.0, "{r}");
}

#[test]
fn low_confidence_falls_back_before_the_first_session() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    // Nothing recorded: confidence 0 < 0.85.
    let (o, _, _) = run(&p, &Options::default(), claude, GREEN);
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "low-confidence-fallback");
    assert_eq!(r["fallback_to_manual"], true);
    assert_eq!(o.exit_code, 0);
    assert!(p.calls().is_empty(), "a session was started");
}

#[test]
fn low_confidence_after_a_session_just_stops() {
    let p = Project::new();
    // Recorded before the run: a clean session, which alone gives feature at 0.4.
    std::fs::write(
        p.proj().join(".orchestrator/metrics/sessions.jsonl"),
        concat!(
            r#"{"schema_version":1,"timestamp":"2020-01-01T00:00:00.000Z","event":"orchestrator.session.reported","#,
            r#""session_id":"old","agent_summary":{"complete":1,"partial":0,"failed":0,"spiral":0},"#,
            r#""issues_planned":1,"carryover":0}"#,
            "\n"
        ),
    )
    .unwrap();
    // The session's own report (half the agents partial) casts no vote: confidence 0.
    let claude = p.claude(
        Some((r#"{"complete":2,"partial":2,"failed":0,"spiral":0}"#, 0)),
        0,
        0,
    );
    let (o, err, _) = run(&p, &options(5, 0.4), claude, GREEN);
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "low-confidence-fallback", "{err}");
    assert_eq!(r["fallback_to_manual"], false);
    assert_eq!(r["iterations_completed"], 1);
    assert_eq!(r["sessions"][0]["mode"], "feature");
    assert_eq!(o.exit_code, 0);
}

#[test]
fn resource_overload_needs_more_than_six_peers() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let (o, _, _) = run(
        &p,
        &options(1, 0.0),
        claude,
        r#"{"mem_available_mb": 100, "peers": 7}"#,
    );
    let r = &p.records()[0];
    assert_eq!(r["kill_switch"], "resource-overload");
    assert_eq!(r["resource_verdict_at_start"], "critical");
    assert_eq!(o.exit_code, 0);
    assert!(p.calls().is_empty());
    // Control: the same critical machine with six peers runs its session.
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    run(
        &p,
        &options(1, 0.0),
        claude,
        r#"{"mem_available_mb": 100, "peers": 6}"#,
    );
    assert_eq!(p.records()[0]["kill_switch"], "max-sessions-reached");
    assert_eq!(p.calls().len(), 1);
}

#[test]
fn dry_run_starts_nothing_and_says_what_it_would_run() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let o = Options {
        dry_run: true,
        ..options(3, 0.0)
    };
    let (out, _, stdout) = run(&p, &o, claude, GREEN);
    assert_eq!(out.exit_code, 0);
    assert!(p.calls().is_empty());
    assert!(
        stdout.contains("would start session 1 of at most 3 in mode deep")
            && stdout.contains("--output-format stream-json"),
        "{stdout}"
    );
    let r = &p.records()[0];
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["kill_switch"], Value::Null);
}

#[test]
fn an_abort_before_the_first_session_records_user_abort() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let abort = Abort::new();
    abort.trigger(15);
    let config = Config {
        claude,
        probe_file: Some(p.probe(GREEN)),
    };
    let o = so_autopilot::run(
        &options(3, 0.0),
        &p.proj(),
        &config,
        &abort,
        &mut Vec::new(),
        &mut Vec::new(),
    );
    assert_eq!(o.exit_code, 130);
    assert_eq!(p.records()[0]["kill_switch"], "user-abort");
    assert!(p.calls().is_empty());
}

#[test]
fn a_broken_probe_file_is_an_error_not_a_guess() {
    let p = Project::new();
    let claude = p.claude(Some((CLEAN, 0)), 0, 0);
    let (o, _, _) = run(&p, &options(1, 0.0), claude, "not json");
    assert_eq!(o.exit_code, 1);
    assert_eq!(p.records()[0]["kill_switch"], "session-error");
    assert!(p.calls().is_empty());
}
