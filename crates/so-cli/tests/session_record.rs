//! `session-orchestrator session record`: the validated writer of the session-end skill's
//! record in `sessions.jsonl` — a valid record stored and printed, every invalid field
//! refused with nothing written, concurrent writers, and the record in `metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};

mod common;
use common::{CliRun, TempProject, assert_all_succeed, cli_command, run_cli};

/// Runs the CLI with `stdin`.
fn cli(args: &[&str], stdin: &str) -> CliRun {
    run_cli(Path::new("."), args, &[], stdin)
}

fn record(project: &Path, doc: &Value) -> CliRun {
    let p = project.to_str().unwrap();
    cli(
        &["session", "record", "-", "--project", p],
        &doc.to_string(),
    )
}

fn valid() -> Value {
    json!({
        "session_id": "7f3c-feature-1",
        "session_type": "feature",
        "started_at": "2026-03-02T09:00:00.000Z",
        "completed_at": "2026-03-02T11:15:30.000Z",
        "total_waves": 3,
        "waves": [
            {"wave": 1, "role": "Discovery", "agents": 2, "status": "done"},
            {"wave": 2, "role": "Impl-Core", "agents": 4, "status": "done"},
            {"wave": 3, "role": "Quality", "agents": 1, "status": "partial"}
        ],
        "agent_summary": {"complete": 5, "partial": 1, "failed": 1, "spiral": 0},
        "total_agents": 7,
        "total_files_changed": 14,
        "issues_planned": 4,
        "issues_closed": 3,
        "carryover": 1,
        "gate": {"variant": "full-gate", "passed": true, "exit_code": 0},
        "notes": "wave 3 left one flaky test"
    })
}

const SESSIONS: &str = ".orchestrator/metrics/sessions.jsonl";

fn sessions_file(p: &TempProject) -> std::path::PathBuf {
    p.path().join(SESSIONS)
}

fn lines(p: &TempProject) -> Vec<Value> {
    p.jsonl(SESSIONS)
}

#[test]
fn a_valid_record_is_appended_and_printed() {
    let p = TempProject::new();
    let run = record(p.path(), &valid());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let stored = lines(&p);
    assert_eq!(stored.len(), 1);
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed, stored[0]);
    let r = &stored[0];
    assert_eq!(r["event"], "orchestrator.session.reported");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["session_id"], "7f3c-feature-1");
    assert_eq!(r["duration_ms"], 8_130_000);
    assert_eq!(r["agent_summary"], valid()["agent_summary"]);
    assert_eq!(r["waves"], valid()["waves"]);
    assert_eq!(
        (&r["carryover"], &r["issues_closed"]),
        (&json!(1), &json!(3))
    );
    assert_eq!(r["gate"]["passed"], true);
    // Optional fields left out are stored as null; a FILE argument works like stdin.
    let mut minimal = valid();
    for k in [
        "issues_planned",
        "issues_closed",
        "carryover",
        "gate",
        "notes",
    ] {
        minimal.as_object_mut().unwrap().remove(k);
    }
    let file = p.write("record.json", &minimal.to_string());
    let run = cli(
        &[
            "session",
            "record",
            file.to_str().unwrap(),
            "--project",
            p.path().to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let stored = lines(&p);
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (&stored[1]["carryover"], &stored[1]["gate"]),
        (&Value::Null, &Value::Null)
    );
}

#[test]
fn every_invalid_field_is_refused_and_nothing_written() {
    // Control first: the valid record passes in a project of its own.
    let control = TempProject::new();
    assert_eq!(record(control.path(), &valid()).code, Some(0));

    // (the field named by the first error, a JSON pointer, its new value or None to remove)
    let cases: Vec<(&str, &str, Option<Value>)> = vec![
        ("session_id", "/session_id", Some(json!("  "))),
        ("session_id", "/session_id", None),
        ("session_type", "/session_type", Some(json!("epic"))),
        ("started_at", "/started_at", Some(json!("yesterday"))),
        (
            "started_at",
            "/started_at",
            Some(json!("2026-03-02T09:00:00+02:00")),
        ),
        (
            "completed_at",
            "/completed_at",
            Some(json!("2026-03-02T08:00:00Z")),
        ),
        ("total_waves", "/total_waves", Some(json!(-1))),
        ("total_waves", "/total_waves", Some(json!(2.5))),
        ("waves", "/total_waves", Some(json!(4))),
        ("waves", "/waves", Some(json!({"wave": 1}))),
        ("waves[0].wave", "/waves/0/wave", Some(json!(0))),
        ("waves[1].wave", "/waves/1/wave", Some(json!(1))),
        (
            "waves[1].role",
            "/waves/1/role",
            Some(json!("Implementation")),
        ),
        ("waves[2].agents", "/waves/2/agents", Some(json!("four"))),
        ("waves[2].status", "/waves/2/status", Some(json!(""))),
        ("waves[0].files", "/waves/0/files", Some(json!(["a.rs"]))),
        ("agent_summary", "/agent_summary", Some(json!([1, 2]))),
        ("agent_summary.spiral", "/agent_summary/spiral", None),
        (
            "agent_summary.failed",
            "/agent_summary/failed",
            Some(json!(-2)),
        ),
        ("total_agents", "/total_agents", Some(Value::Null)),
        (
            "total_files_changed",
            "/total_files_changed",
            Some(json!("14")),
        ),
        ("issues_planned", "/issues_planned", Some(json!(-4))),
        ("issues_closed", "/issues_closed", Some(json!(true))),
        ("carryover", "/carryover", Some(json!(0.5))),
        ("gate", "/gate", Some(json!("passed"))),
        ("gate.passed", "/gate/passed", Some(json!("yes"))),
        ("notes", "/notes", Some(json!(42))),
        ("effectiveness", "/effectiveness", Some(json!({}))),
    ];
    let p = TempProject::new();
    for (field, pointer, value) in cases {
        let mut doc = valid();
        edit(&mut doc, pointer, value);
        let run = record(p.path(), &doc);
        assert_eq!(run.code, Some(1), "{field}: {}", run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("error: {field}: ")),
            "{field}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{field}");
        assert!(!sessions_file(&p).exists(), "{field}: nothing written");
    }
    // Not an object, not JSON at all.
    for input in ["[1, 2]", "{\"session_id\": ", ""] {
        let run = cli(
            &["session", "record", "--project", p.path().to_str().unwrap()],
            input,
        );
        assert_eq!(run.code, Some(1), "{input}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: input: "), "{}", run.stderr);
    }
    assert!(!sessions_file(&p).exists());
}

/// Sets (or with `None` removes) the value at a JSON pointer.
fn edit(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match doc.pointer_mut(parent).unwrap() {
        Value::Object(map) => match value {
            Some(v) => {
                map.insert(key.to_owned(), v);
            }
            None => {
                map.remove(key);
            }
        },
        other => panic!("{pointer}: parent is {other}"),
    }
}

#[test]
fn every_problem_gets_its_own_line() {
    let p = TempProject::new();
    let run = record(
        p.path(),
        &json!({"session_id": "", "session_type": "x", "total_waves": 1, "waves": []}),
    );
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("invalid_record_errors", run.stderr);
}

#[test]
fn io_errors_and_arguments() {
    let p = TempProject::new();
    let proj = p.path().to_str().unwrap();
    let run = cli(
        &[
            "session",
            "record",
            "/nonexistent/record.json",
            "--project",
            proj,
        ],
        "",
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    // The log cannot be written: a directory where the file should be.
    std::fs::create_dir_all(sessions_file(&p)).unwrap();
    let run = record(p.path(), &valid());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    for args in [
        &["session"][..],
        &["session", "replay"],
        &["session", "record", "--frob"],
        &["session", "record", "a.json", "b.json"],
    ] {
        let run = cli(args, "");
        assert_eq!(run.code, Some(64), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    let p = TempProject::new();
    let proj = p.path().to_str().unwrap().to_owned();
    let n = 16;
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut doc = valid();
            doc["session_id"] = json!(format!("session-{i:02}"));
            doc["notes"] = json!("x".repeat(4096));
            let mut child = cli_command(
                Path::new("."),
                &["session", "record", "-", "--project", &proj],
                &[],
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(doc.to_string().as_bytes())
                .unwrap();
            child
        })
        .collect();
    assert_all_succeed(children, "");
    let stored = lines(&p);
    let mut ids: Vec<String> = stored
        .iter()
        .map(|r| r["session_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let want: Vec<String> = (0..n).map(|i| format!("session-{i:02}")).collect();
    assert_eq!(ids, want);
}

#[test]
fn metrics_shows_the_reports() {
    let p = TempProject::new();
    assert_eq!(record(p.path(), &valid()).code, Some(0));
    let mut other = valid();
    other["session_id"] = json!("9a9a-deep-2");
    other["session_type"] = json!("deep");
    other["started_at"] = json!("2026-03-03T09:00:00Z");
    other["completed_at"] = json!("2026-03-03T09:30:00Z");
    other["carryover"] = json!(2);
    other["agent_summary"]["spiral"] = json!(1);
    for k in ["gate", "issues_planned", "issues_closed"] {
        other.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(record(p.path(), &other).code, Some(0));
    let out = cli(&["metrics", "--cwd", p.path().to_str().unwrap()], "");
    assert!(out.success());
    let text = out
        .stdout
        .replace(&*p.path().to_string_lossy(), "[PROJECT]");
    insta::assert_snapshot!("metrics_with_reports", text);
    let json_out = cli(
        &["metrics", "--json", "--cwd", p.path().to_str().unwrap()],
        "",
    );
    let doc: Value = serde_json::from_str(&json_out.stdout).unwrap();
    let report = &doc["sessions"][1]["report"];
    assert_eq!(report["carryover"], 2);
    assert_eq!(report["agent_summary"]["spiral"], 1);
    assert_eq!(report["gate_passed"], Value::Null);
    assert_eq!(doc["sessions"][0]["report"]["gate_passed"], true);
}
