//! `session-orchestrator learning add|list`: `.orchestrator/metrics/learnings.jsonl` —
//! validation, ids and expiry, superseding by type and subject, concurrent adds, the list
//! (active, `--all`, `--json`), and the exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use so_events::Timestamp;

mod common;
use common::{CliRun, TempProject, cli_command, run_cli};

/// Runs `session-orchestrator learning ARGS --project PROJECT`, as session `session` if given.
fn cli(project: &Path, args: &[&str], session: Option<&str>) -> CliRun {
    let project = project.to_str().unwrap();
    let mut all = vec!["learning"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--project", project]);
    let env: Vec<(&str, &str)> = session
        .map(|s| ("CLAUDE_CODE_SESSION_ID", s))
        .into_iter()
        .collect();
    run_cli(Path::new("."), &all, &env, "")
}

fn add(project: &Path, extra: &[&str]) -> CliRun {
    let mut args = vec![
        "add",
        "--type",
        "fragile-file",
        "--subject",
        "src/auth.rs",
        "--insight",
        "changed in 4 of the last 5 sessions",
        "--evidence",
        "sessions s1, s2, s4, s5",
        "--confidence",
        "0.65",
    ];
    args.extend_from_slice(extra);
    cli(project, &args, None)
}

/// `add` with a flag's value replaced (or the flag appended).
fn add_with(project: &Path, flag: &str, value: &str) -> CliRun {
    let base = [
        ("--type", "fragile-file"),
        ("--subject", "src/auth.rs"),
        ("--insight", "changed often"),
        ("--evidence", "s1, s2"),
        ("--confidence", "0.5"),
    ];
    let mut args = vec!["add"];
    for (f, v) in base {
        args.push(f);
        args.push(if f == flag { value } else { v });
    }
    if !base.iter().any(|(f, _)| *f == flag) {
        args.push(flag);
        args.push(value);
    }
    cli(project, &args, None)
}

const LEARNINGS: &str = ".orchestrator/metrics/learnings.jsonl";

fn file(p: &TempProject) -> PathBuf {
    p.path().join(LEARNINGS)
}

fn stored(p: &TempProject) -> Vec<Value> {
    p.jsonl(LEARNINGS)
}

fn days_between(from: &Value, to: &Value) -> i64 {
    let t = |v: &Value| Timestamp::parse(v.as_str().unwrap()).unwrap().millis();
    (t(to) - t(from)) / 86_400_000
}

#[test]
fn add_stores_the_originals_fields() {
    let p = TempProject::new();
    let run = cli(
        p.path(),
        &[
            "add",
            "--type",
            "recurring-issue",
            "--subject",
            "lint-regressions",
            "--insight",
            "clippy fails after Impl-Polish",
            "--evidence",
            "3 of 4 sessions",
            "--confidence",
            "1",
        ],
        Some("sess-9"),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines = stored(&p);
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), *l);
    assert_eq!(l["event"], "orchestrator.learning.recorded");
    assert_eq!(l["schema_version"], 1);
    assert_eq!(
        (&l["type"], &l["subject"], &l["confidence"], &l["scope"]),
        (
            &json!("recurring-issue"),
            &json!("lint-regressions"),
            &json!(1.0),
            &json!("local")
        )
    );
    assert_eq!(l["source_session"], "sess-9");
    assert_eq!(l["supersedes"], Value::Null);
    let id = l["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id.matches('-').count(), 4);
    assert_eq!(days_between(&l["created_at"], &l["expires_at"]), 30);
    // Without a session id, source_session is null.
    assert_eq!(add(p.path(), &[]).code, Some(0));
    assert_eq!(stored(&p)[1]["source_session"], Value::Null);
}

#[test]
fn expiry_comes_from_the_flag_else_the_config() {
    let p = TempProject::new();
    assert_eq!(add(p.path(), &["--expires-days", "7"]).code, Some(0));
    p.write(
        "CLAUDE.md",
        "## Session Config\n\n- **learning-expiry-days:** 12\n",
    );
    assert_eq!(
        add_with(p.path(), "--subject", "src/other.rs").code,
        Some(0)
    );
    let lines = stored(&p);
    assert_eq!(
        days_between(&lines[0]["created_at"], &lines[0]["expires_at"]),
        7
    );
    assert_eq!(
        days_between(&lines[1]["created_at"], &lines[1]["expires_at"]),
        12
    );
    // A bad config value is an error, not the default.
    p.write(
        "CLAUDE.md",
        "## Session Config\n\n- **learning-expiry-days:** soon\n",
    );
    let run = add_with(p.path(), "--subject", "src/third.rs");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(stored(&p).len(), 2);
}

#[test]
fn same_type_and_subject_supersedes() {
    let p = TempProject::new();
    assert_eq!(add(p.path(), &[]).code, Some(0));
    let first = stored(&p)[0]["id"].as_str().unwrap().to_owned();
    let run = add_with(p.path(), "--confidence", "0.8");
    assert_eq!(run.code, Some(0));
    let lines = stored(&p);
    assert_eq!(lines.len(), 2, "appended, never rewritten");
    assert_eq!(lines[1]["supersedes"], first.as_str());
    // Control: another subject, and another type with the same subject, supersede nothing.
    assert_eq!(add_with(p.path(), "--subject", "src/db.rs").code, Some(0));
    assert_eq!(add_with(p.path(), "--type", "scope-guidance").code, Some(0));
    let lines = stored(&p);
    assert_eq!(
        (&lines[2]["supersedes"], &lines[3]["supersedes"]),
        (&Value::Null, &Value::Null)
    );
    let list: Value =
        serde_json::from_str(&cli(p.path(), &["list", "--json"], None).stdout).unwrap();
    let shown: Vec<(&str, &str, f64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap(),
                l["subject"].as_str().unwrap(),
                l["confidence"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("scope-guidance", "src/auth.rs", 0.5),
            ("fragile-file", "src/db.rs", 0.5),
            ("fragile-file", "src/auth.rs", 0.8),
        ]
    );
}

#[test]
fn invalid_values_are_refused_and_nothing_written() {
    let p = TempProject::new();
    for (flag, value, message) in [
        (
            "--confidence",
            "1.5",
            "--confidence: must be a number from 0 to 1",
        ),
        (
            "--confidence",
            "-0.1",
            "--confidence: must be a number from 0 to 1",
        ),
        (
            "--confidence",
            "high",
            "--confidence: must be a number from 0 to 1",
        ),
        (
            "--confidence",
            "NaN",
            "--confidence: must be a number from 0 to 1",
        ),
        (
            "--type",
            "hunch",
            "--type: `hunch` is not one of fragile-file,",
        ),
        ("--subject", "   ", "--subject: must not be empty"),
        ("--insight", "", "--insight: must not be empty"),
        ("--evidence", " ", "--evidence: must not be empty"),
        (
            "--expires-days",
            "0",
            "--expires-days: must be a whole number",
        ),
        (
            "--expires-days",
            "1.5",
            "--expires-days: must be a whole number",
        ),
    ] {
        let run = add_with(p.path(), flag, value);
        assert_eq!(run.code, Some(1), "{flag} {value}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!("error: {message}")),
            "{flag} {value}: {}",
            run.stderr
        );
        assert!(!file(&p).exists(), "{flag} {value}: nothing written");
    }
    // Control: the same call with valid values, at both ends of the confidence range.
    for c in ["0", "1", "0.35"] {
        let run = add_with(p.path(), "--confidence", c);
        assert_eq!(run.code, Some(0), "{c}: {}", run.stderr);
    }
}

#[test]
fn arguments_and_io_errors() {
    let p = TempProject::new();
    for args in [
        &[][..],
        &["forget"],
        &["add", "--type", "fragile-file"],
        &["add", "--subject"],
        &["add", "--frobnicate", "x"],
        &["list", "--frobnicate"],
    ] {
        let run = cli(p.path(), args, None);
        assert_eq!(run.code, Some(64), "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    let run = add(p.path(), &["--type", "fragile-file"]);
    assert_eq!(run.code, Some(64), "a flag given twice: {}", run.stderr);
    // A directory where the file should be.
    std::fs::create_dir_all(file(&p)).unwrap();
    assert_eq!(add(p.path(), &[]).code, Some(2));
    assert_eq!(cli(p.path(), &["list"], None).code, Some(2));
}

#[test]
fn concurrent_adds_of_one_subject_leave_one_active() {
    let p = TempProject::new();
    let proj = p.path().to_str().unwrap().to_owned();
    let children: Vec<_> = (0..8)
        .map(|i| {
            cli_command(
                Path::new("."),
                &[
                    "learning",
                    "add",
                    "--type",
                    "effective-sizing",
                    "--subject",
                    "deep-sessions",
                    "--insight",
                    &format!("take {i}"),
                    "--evidence",
                    "x",
                    "--confidence",
                    "0.5",
                    "--project",
                    &proj,
                ],
                &[],
            )
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let lines = stored(&p);
    assert_eq!(lines.len(), 8);
    // Each add saw the one before it: a single chain, every earlier line superseded once.
    let superseded: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l["supersedes"].as_str())
        .collect();
    assert_eq!(superseded.len(), 7);
    assert_eq!(
        lines.iter().filter(|l| l["supersedes"].is_null()).count(),
        1
    );
    let list: Value =
        serde_json::from_str(&cli(p.path(), &["list", "--json"], None).stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// Learnings written with fixed ids and times, so the listing is stable.
fn seeded() -> TempProject {
    let p = TempProject::new();
    let line = |id: &str,
                ty: &str,
                subject: &str,
                conf: f64,
                created: &str,
                expires: &str,
                sup: Option<&str>,
                insight: &str| {
        json!({
            "schema_version": 1, "timestamp": created, "event": "orchestrator.learning.recorded",
            "id": id, "type": ty, "subject": subject, "insight": insight, "evidence": "e",
            "confidence": conf, "source_session": null, "created_at": created,
            "expires_at": expires, "scope": "local", "supersedes": sup,
        })
        .to_string()
    };
    let text = [
        line("11111111-aaaa-4aaa-8aaa-000000000001", "fragile-file", "src/auth.rs", 0.5, "2026-01-01T10:00:00.000Z", "2099-01-01T00:00:00.000Z", None, "changed in 3 sessions"),
        line("22222222-aaaa-4aaa-8aaa-000000000002", "scope-guidance", "optimal-scope-per-session-type", 0.9, "2026-01-02T10:00:00.000Z", "2099-01-02T00:00:00.000Z", None, "4 issues per feature session work well"),
        line("33333333-aaaa-4aaa-8aaa-000000000003", "recurring-issue", "lint-regressions", 0.4, "2026-01-03T10:00:00.000Z", "2026-02-01T00:00:00.000Z", None, "clippy fails after polish"),
        line("44444444-aaaa-4aaa-8aaa-000000000004", "fragile-file", "src/auth.rs", 0.65, "2026-01-04T10:00:00.000Z", "2099-01-04T00:00:00.000Z", Some("11111111-aaaa-4aaa-8aaa-000000000001"), "changed in 4 sessions"),
        // A line the original wrote: no `event`, same fields.
        r#"{"id":"55555555-aaaa-4aaa-8aaa-000000000005","type":"deviation-pattern","subject":"scope-creep","insight":"feature sessions grow","evidence":"e","confidence":0.7,"source_session":"old","created_at":"2025-12-30T10:00:00.000Z","expires_at":"2099-01-01T00:00:00.000Z","schema_version":1,"scope":"local"}"#.to_owned(),
        "not json".to_owned(),
    ]
    .join("\n");
    p.write(
        ".orchestrator/metrics/learnings.jsonl",
        &format!("{text}\n"),
    );
    p
}

#[test]
fn list_shows_active_learnings_newest_first() {
    let p = seeded();
    let run = cli(p.path(), &["list"], None);
    assert_eq!(run.code, Some(0));
    assert!(run.stderr.contains("1 lines"), "{}", run.stderr);
    insta::assert_snapshot!("list_active", run.stdout);
    let all = cli(p.path(), &["list", "--all"], None);
    insta::assert_snapshot!("list_all", all.stdout);
    let json_run = cli(p.path(), &["list", "--json", "--all"], None);
    let list: Value = serde_json::from_str(&json_run.stdout).unwrap();
    let ids: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                &l["id"].as_str().unwrap()[..8],
                l["expired"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("44444444", false),
            ("33333333", true),
            ("22222222", false),
            ("55555555", false)
        ]
    );
    // An empty project lists nothing.
    let empty = TempProject::new();
    let run = cli(empty.path(), &["list", "--json"], None);
    assert_eq!((run.code, run.stdout.trim()), (Some(0), "[]"));
}
