//! `session-orchestrator quality-gate`: the real binary against temp projects whose Session
//! Config points at real commands — a tiny real cargo crate, and `sh` commands that print a
//! runner's captured output (`tests/fixtures/runners/`) and exit with that runner's code, so
//! each runner's parser is exercised end to end. Also: stubs, `skip`, the time limit, the
//! policy file, missing config, arguments, and the event each run records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{CliRun, TempProject, run_cli};

fn gate(project: &Path, args: &[&str]) -> CliRun {
    gate_with(project, args, &[])
}

/// Runs `session-orchestrator quality-gate ARGS --project PROJECT` with extra variables.
fn gate_with(project: &Path, args: &[&str], env: &[(&str, &str)]) -> CliRun {
    let project = project.to_str().unwrap();
    let mut all = vec!["quality-gate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--project", project]);
    run_cli(Path::new("."), &all, env, "")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/runners")
}

/// `fixture name → exit code` of the real run, from `exit-codes.tsv`.
fn exit_codes() -> BTreeMap<String, i32> {
    std::fs::read_to_string(fixtures().join("exit-codes.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let (name, code) = l.split_once('\t').unwrap();
            (name.to_owned(), code.parse().unwrap())
        })
        .collect()
}

/// A command that replays a fixture: its output, then its exit code.
fn replay(name: &str, codes: &BTreeMap<String, i32>) -> String {
    let path = fixtures().join(format!("{name}.txt"));
    assert!(path.is_file(), "{}", path.display());
    format!("cat '{}'; exit {}", path.display(), codes[name])
}

fn config(test: &str, typecheck: &str, lint: &str) -> String {
    format!(
        "# Project\n\n## Session Config\n\n- **test-command:** {test}\n- **typecheck-command:** {typecheck}\n- **lint-command:** {lint}\n"
    )
}

fn project(test: &str, typecheck: &str, lint: &str) -> TempProject {
    let p = TempProject::new();
    p.write("CLAUDE.md", &config(test, typecheck, lint));
    p
}

fn events(p: &TempProject) -> Vec<Value> {
    p.jsonl(".orchestrator/metrics/events.jsonl")
}

/// `"5 4 0 1"` as JSON numbers, `-` as null.
fn counts(text: &str) -> Vec<Value> {
    text.split(' ')
        .map(|w| {
            if w == "-" {
                Value::Null
            } else {
                json!(w.parse::<u64>().unwrap())
            }
        })
        .collect()
}

#[test]
fn every_runners_real_output_end_to_end() {
    let codes = exit_codes();
    // (fixture, check, status, counts): tests as "total passed failed skipped", the others
    // as "errors warnings"; `-` is null. Each failing case has its runner's passing one.
    let cases = [
        ("cargo-pass", "test", "pass", "5 4 0 1"),
        ("cargo-fail", "test", "fail", "4 2 1 1"),
        ("cargo-empty", "test", "stubbed", "0 0 0 0"),
        ("nextest-pass", "test", "pass", "4 3 0 1"),
        ("nextest-fail", "test", "fail", "5 3 1 1"),
        ("pytest-pass", "test", "pass", "3 2 0 1"),
        ("pytest-fail", "test", "fail", "4 2 1 1"),
        ("pytest-quiet-fail", "test", "fail", "4 2 1 1"),
        ("pytest-none", "test", "stubbed", "0 0 0 0"),
        ("vitest-pass", "test", "pass", "3 2 0 1"),
        ("vitest-fail", "test", "fail", "4 2 1 1"),
        ("vitest-none", "test", "stubbed", "0 0 0 0"),
        ("jest-pass", "test", "pass", "3 2 0 1"),
        ("jest-fail", "test", "fail", "4 2 1 1"),
        ("jest-none", "test", "stubbed", "0 0 0 0"),
        ("go-pass", "test", "pass", "- - 0 -"),
        ("go-fail", "test", "fail", "- - 2 -"),
        ("go-verbose-pass", "test", "pass", "6 5 0 1"),
        ("go-verbose-fail", "test", "fail", "8 5 2 1"),
        ("go-none", "test", "stubbed", "0 0 0 0"),
        ("tsc-pass", "typecheck", "pass", "0 -"),
        ("tsc-fail", "typecheck", "fail", "3 -"),
        ("tsc5-pretty-fail", "typecheck", "fail", "3 -"),
        ("cargo-check-fail", "typecheck", "fail", "2 0"),
        ("clippy-pass", "typecheck", "pass", "0 0"),
        ("eslint-pass", "lint", "pass", "0 0"),
        ("eslint-warn", "lint", "pass", "0 1"),
        ("eslint-fail", "lint", "fail", "2 1"),
        ("clippy-warn", "lint", "pass", "0 2"),
        ("clippy-deny", "lint", "fail", "2 0"),
        ("clippy-fail", "lint", "fail", "2 1"),
    ];
    for (fixture, check, status, want) in cases {
        let cmd = replay(fixture, &codes);
        let commands =
            ["test", "typecheck", "lint"].map(|c| if c == check { cmd.as_str() } else { "skip" });
        let p = project(commands[0], commands[1], commands[2]);
        let run = gate(p.path(), &["--variant", "full-gate"]);
        let report = run.json_line();
        let g = &report[check];
        assert_eq!(g["status"], status, "{fixture}: {g:#}");
        assert_eq!(g["exit_code"], codes[fixture], "{fixture}");
        let keys: &[&str] = if check == "test" {
            &["total", "passed", "failed", "skipped"]
        } else {
            &["errors", "warnings"]
        };
        let got: Vec<Value> = keys.iter().map(|k| g[*k].clone()).collect();
        assert_eq!(got, counts(want), "{fixture}: {g:#}");
        let want_exit = if status == "pass" { 0 } else { 2 };
        assert_eq!(run.code, Some(want_exit), "{fixture}: {}", run.stderr);
        assert_eq!(report["passed"], status == "pass", "{fixture}");
    }
}

/// The whole report of a failing full gate, durations zeroed and paths replaced. The tails
/// are the fixtures' last lines: recapturing the fixtures changes this snapshot.
#[test]
fn full_gate_report_shape() {
    let codes = exit_codes();
    let p = project(
        &replay("cargo-fail", &codes),
        &replay("tsc-fail", &codes),
        &replay("clippy-warn", &codes),
    );
    let run = gate(p.path(), &["--variant", "full-gate", "--wave", "4"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let mut report = run.json_line();
    for key in ["test", "typecheck", "lint"] {
        report[key]["duration_ms"] = json!(0);
    }
    report["duration_ms"] = json!(0);
    let text = serde_json::to_string_pretty(&report)
        .unwrap()
        .replace(&*fixtures().to_string_lossy(), "[FIXTURES]");
    insta::assert_snapshot!("full_gate_report", text);
}

#[test]
fn a_real_cargo_crate_passes_and_fails() {
    let p = TempProject::new();
    p.write(
        "Cargo.toml",
        "[package]\nname = \"gatecrate\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\nbroken = []\n\n[workspace]\n",
    );
    p.write(
        "src/lib.rs",
        "pub fn double(x: u32) -> u32 { x * 2 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn doubles() { assert_eq!(super::double(2), 4); }\n\n    #[test]\n    fn doubles_zero() { assert_eq!(super::double(0), 0); }\n\n    #[cfg(feature = \"broken\")]\n    #[test]\n    fn broken() { assert_eq!(super::double(2), 5); }\n}\n",
    );
    let target = p.path().join("target");
    let env = [
        ("CARGO_TARGET_DIR", target.to_str().unwrap()),
        ("CARGO_TERM_COLOR", "never"),
    ];
    p.write(
        "CLAUDE.md",
        &config("cargo test --offline --lib", "skip", "skip"),
    );
    let pass = gate_with(p.path(), &["--variant", "full-gate"], &env);
    let r = pass.json_line();
    assert_eq!(pass.code, Some(0), "{r:#}");
    assert_eq!(
        (
            &r["test"]["status"],
            &r["test"]["runner"],
            &r["test"]["passed"],
            &r["test"]["failed"]
        ),
        (&json!("pass"), &json!("cargo"), &json!(2), &json!(0))
    );
    p.write(
        "CLAUDE.md",
        &config(
            "cargo test --offline --lib --features broken",
            "skip",
            "skip",
        ),
    );
    let fail = gate_with(p.path(), &["--variant", "full-gate"], &env);
    let r = fail.json_line();
    assert_eq!(fail.code, Some(2), "{r:#}");
    assert_eq!(r["test"]["status"], "fail");
    assert_eq!(
        (&r["test"]["passed"], &r["test"]["failed"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(r["test"]["exit_code"], 101);
    assert!(
        r["test"]["tail"]
            .as_str()
            .unwrap()
            .contains("test result: FAILED")
    );
}

#[test]
fn a_stub_test_command_fails_the_full_gate() {
    let codes = exit_codes();
    for stub in ["echo ok", "true", "exit 0", "echo 'no tests yet' && exit 0"] {
        let p = project(stub, "skip", "skip");
        let run = gate(p.path(), &["--variant", "full-gate"]);
        let r = run.json_line();
        assert_eq!(run.code, Some(2), "{stub}");
        assert_eq!(
            (&r["test"]["status"], &r["test"]["stubbed"]),
            (&json!("stubbed"), &json!(true)),
            "{stub}"
        );
        // Informational variants report it and exit 0.
        let base = gate(p.path(), &["--variant", "baseline"]);
        assert_eq!(base.code, Some(0));
        assert_eq!(base.json_line()["test"]["status"], "stubbed");
    }
    // Control: a command that runs tests.
    let p = project(&replay("cargo-pass", &codes), "skip", "skip");
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.json_line()["test"]["stubbed"], false);
}

#[test]
fn skip_runs_nothing_and_passes() {
    let p = project("skip", "SKIP", "skip");
    let run = gate(p.path(), &["--variant", "full-gate"]);
    let r = run.json_line();
    assert_eq!(run.code, Some(0));
    for key in ["test", "typecheck", "lint"] {
        assert_eq!(
            r[key],
            json!({"status": "skipped", "command": "skip"}),
            "{key}"
        );
    }
    // Control: the same project with a failing lint command.
    p.write("CLAUDE.md", &config("skip", "skip", "exit 1"));
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json_line()["lint"]["status"], "fail");
}

#[test]
fn the_time_limit_kills_the_whole_group() {
    let codes = exit_codes();
    let p = project("sleep 30 & echo $! > child.pid; wait", "skip", "skip");
    let started = Instant::now();
    let run = gate(p.path(), &["--variant", "full-gate", "--timeout", "1"]);
    let elapsed = started.elapsed();
    let r = run.json_line();
    assert_eq!(run.code, Some(2));
    assert_eq!(
        (&r["test"]["status"], &r["test"]["timed_out"]),
        (&json!("timeout"), &json!(true))
    );
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
    // The background `sleep` (a grandchild) was killed with its group.
    let pid = std::fs::read_to_string(p.path().join("child.pid")).unwrap();
    let proc = PathBuf::from(format!("/proc/{}", pid.trim()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(&proc) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(&proc), "sleep {} survived the gate", pid.trim());
    let ev = events(&p);
    assert_eq!(ev[0]["timed_out"], true);
    // Control: a command that ends in time under the same limit.
    p.write(
        "CLAUDE.md",
        &config(&replay("pytest-pass", &codes), "skip", "skip"),
    );
    let run = gate(p.path(), &["--variant", "full-gate", "--timeout", "1"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.json_line()["test"]["timed_out"], false);
}

/// A process that exists and is not a zombie.
fn alive(proc: &Path) -> bool {
    std::fs::read_to_string(proc.join("stat"))
        .is_ok_and(|s| !s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')))
}

#[test]
fn our_own_errors_exit_1() {
    let p = TempProject::new();
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.starts_with("error: no CLAUDE.md or AGENTS.md"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert!(events(&p).is_empty(), "nothing recorded");
    // A command not written is not replaced by a default.
    p.write(
        "CLAUDE.md",
        "## Session Config\n\n- test-command: skip\n- lint-command: skip\n",
    );
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("`typecheck-command` is not set"),
        "{}",
        run.stderr
    );
    // A broken policy file is an error, not ignored.
    p.write("CLAUDE.md", &config("skip", "skip", "skip"));
    p.write(
        ".orchestrator/policy/quality-gates.json",
        "{\"version\": 1}",
    );
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("quality-gates.json"), "{}", run.stderr);
    // Control: the same project with a valid policy.
    p.write(
        ".orchestrator/policy/quality-gates.json",
        "{\"version\": 1, \"commands\": {}}",
    );
    assert_eq!(gate(p.path(), &["--variant", "full-gate"]).code, Some(0));
}

#[test]
fn the_policy_file_overrides_the_config() {
    let codes = exit_codes();
    let p = project(&replay("pytest-fail", &codes), "skip", "skip");
    assert_eq!(gate(p.path(), &["--variant", "full-gate"]).code, Some(2));
    let policy =
        json!({"version": 1, "commands": {"test": {"command": replay("pytest-pass", &codes)}}});
    p.write(
        ".orchestrator/policy/quality-gates.json",
        &policy.to_string(),
    );
    let run = gate(p.path(), &["--variant", "full-gate"]);
    assert_eq!(run.code, Some(0));
    assert!(
        run.json_line()["test"]["command"]
            .as_str()
            .unwrap()
            .contains("pytest-pass")
    );
}

#[test]
fn each_run_records_one_event() {
    let codes = exit_codes();
    let p = project(
        &replay("jest-fail", &codes),
        "skip",
        &replay("eslint-warn", &codes),
    );
    let run = gate_with(
        p.path(),
        &["--variant", "full-gate", "--wave", "3"],
        &[("CLAUDE_CODE_SESSION_ID", "sess-42")],
    );
    assert_eq!(run.code, Some(2));
    let ev = events(&p);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e["event"], "orchestrator.quality_gate.failed");
    assert_eq!(e["schema_version"], 1);
    assert_eq!(
        (
            &e["variant"],
            &e["exit_code"],
            &e["wave_number"],
            &e["session_id"]
        ),
        (&json!("full-gate"), &json!(2), &json!(3), &json!("sess-42"))
    );
    assert_eq!(e["counts"], json!({"passed": 2, "failed": 1, "total": 4}));
    assert_eq!(
        e["statuses"],
        json!({"test": "fail", "typecheck": "skipped", "lint": "pass"})
    );
    assert_eq!(
        (&e["lint_errors"], &e["lint_warnings"]),
        (&json!(0), &json!(1))
    );
    assert_eq!(e["typecheck_errors"], Value::Null);
    // Control: a passing run records `.passed`, without a wave.
    p.write(
        "CLAUDE.md",
        &config(&replay("jest-pass", &codes), "skip", "skip"),
    );
    assert_eq!(gate(p.path(), &["--variant", "full-gate"]).code, Some(0));
    let ev = events(&p);
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1]["event"], "orchestrator.quality_gate.passed");
    assert_eq!(ev[1]["wave_number"], Value::Null);
    // A stub records no counts: zero tests is not a measurement of the suite.
    p.write("CLAUDE.md", &config("echo ok", "skip", "skip"));
    gate(p.path(), &["--variant", "incremental"]);
    let ev = events(&p);
    assert_eq!(
        (&ev[2]["event"], &ev[2]["counts"], &ev[2]["stubbed"]),
        (
            &json!("orchestrator.quality_gate.failed"),
            &Value::Null,
            &json!(true)
        )
    );
}

#[test]
fn informational_variants_and_per_file_restriction() {
    let codes = exit_codes();
    let p = TempProject::new();
    // A `pytest` on PATH that prints its arguments, then a real pytest run's output.
    let fake = p.write(
        "bin/pytest",
        &format!(
            "#!/bin/sh\necho \"args: $*\"\n{}\n",
            replay("pytest-fail", &codes)
        ),
    );
    make_executable(&fake);
    let path = format!(
        "{}:{}",
        p.path().join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    p.write(
        "CLAUDE.md",
        &config("pytest -q", &replay("tsc-fail", &codes), "exit 1"),
    );
    let env = [("PATH", path.as_str())];
    for variant in ["baseline", "incremental"] {
        let run = gate_with(p.path(), &["--variant", variant], &env);
        let r = run.json_line();
        assert_eq!(run.code, Some(0), "{variant}: informational");
        assert_eq!(r["passed"], false, "{variant}");
        assert_eq!(r["test"]["command"], "pytest -q");
    }
    let r = gate_with(p.path(), &["--variant", "incremental"], &env).json_line();
    assert_eq!(r["lint"]["status"], "not_run");
    let run = gate_with(
        p.path(),
        &[
            "--variant",
            "per-file",
            "--files",
            "tests/test_a.py,README.md,src/app.ts",
        ],
        &env,
    );
    assert_eq!(run.code, Some(0));
    let r = run.json_line();
    assert_eq!(r["test"]["command"], "pytest -q tests/test_a.py");
    assert_eq!(r["test"]["scope"], "files");
    assert_eq!(r["test"]["files"], json!(["tests/test_a.py"]));
    assert!(
        r["test"]["tail"]
            .as_str()
            .unwrap()
            .contains("1 failed, 2 passed")
    );
    assert_eq!(r["test"]["failed"], 1);
    assert_eq!(r["typecheck"]["scope"], "project");
    assert_eq!(r["typecheck"]["errors"], 3);
    // Control: no file for the runner: the test gate does not run at all.
    let r = gate_with(
        p.path(),
        &["--variant", "per-file", "--files", "README.md"],
        &env,
    )
    .json_line();
    assert_eq!(r["test"]["status"], "skipped");
    assert!(r["test"].get("exit_code").is_none());
    // The full gate on the same project fails.
    assert_eq!(
        gate_with(p.path(), &["--variant", "full-gate"], &env).code,
        Some(2)
    );
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn bad_arguments_exit_64() {
    let p = project("skip", "skip", "skip");
    for args in [
        &[][..],
        &["--variant", "quick"],
        &["--variant", "per-file"],
        &["--variant", "full-gate", "--files", "a.py"],
        &["--variant", "full-gate", "--timeout", "soon"],
        &["--variant", "full-gate", "--wave", "0"],
        &["--variant", "full-gate", "--frobnicate"],
    ] {
        let run = gate(p.path(), args);
        assert_eq!(run.code, Some(64), "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    // Control.
    assert_eq!(gate(p.path(), &["--variant", "full-gate"]).code, Some(0));
}

/// `--baseline FILE` counts what got worse since the baseline run: failures the baseline
/// already had are not held against the wave, a new one is. A file that is no gate report
/// is refused before anything runs.
#[test]
fn the_baseline_comparison_counts_only_what_got_worse() {
    let codes = exit_codes();
    // Baseline: pytest with failures (the project's own, before any wave).
    let p = project(&replay("pytest-fail", &codes), "skip", "skip");
    let base = gate(p.path(), &["--variant", "baseline"]);
    assert_eq!(base.code, Some(0), "{base:?}");
    let file = p.write(".orchestrator/baseline.json", &base.stdout);
    let file = file.to_str().unwrap();
    // Control: the same failures again are no regression, although `passed` is false.
    let same = gate(p.path(), &["--variant", "incremental", "--baseline", file]).json_line();
    assert_eq!(same["passed"], false);
    assert_eq!(same["baseline"]["regressed"], false, "{same}");
    assert_eq!(same["baseline"]["regressions"], json!([]));
    // A new failure on top is.
    let worse = project(&replay("pytest-pass", &codes), "skip", "skip");
    let base_ok = gate(worse.path(), &["--variant", "baseline"]);
    let ok_file = worse.write(".orchestrator/baseline.json", &base_ok.stdout);
    worse.write(
        "CLAUDE.md",
        &config(&replay("pytest-fail", &codes), "skip", "skip"),
    );
    let r = gate(
        worse.path(),
        &[
            "--variant",
            "incremental",
            "--baseline",
            ok_file.to_str().unwrap(),
        ],
    )
    .json_line();
    assert_eq!(r["baseline"]["regressed"], true, "{r}");
    let lines = r["baseline"]["regressions"].as_array().unwrap();
    assert!(
        lines[0].as_str().unwrap().starts_with("test: ")
            && lines[0].as_str().unwrap().contains("failed, baseline 0"),
        "{lines:?}"
    );
    // Without --baseline the report has no comparison at all.
    let plain = gate(p.path(), &["--variant", "incremental"]).json_line();
    assert!(plain.get("baseline").is_none(), "{plain}");
    // Not a report: exit 1, and the test command never ran (no new event).
    let before = events(&p).len();
    let junk = p.write("junk.json", "{\"hello\": 1}\n");
    let bad = gate(
        p.path(),
        &[
            "--variant",
            "incremental",
            "--baseline",
            junk.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.code, Some(1), "{bad:?}");
    assert!(
        bad.stderr.contains("is not a quality-gate report"),
        "{bad:?}"
    );
    assert_eq!(events(&p).len(), before);
}
