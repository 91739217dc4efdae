//! `session-orchestrator install cursor` and `doctor`: the Cursor hooks file is valid, merged
//! and idempotent; a broken one is refused and left alone; doctor passes on this checkout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{CliRun, TempProject, run_cli};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Runs the CLI with `args` (the test's own directory as the working directory).
fn cli(args: &[&str], env: &[(&str, &str)]) -> CliRun {
    run_cli(Path::new("."), args, env, "")
}

impl TempProject {
    fn hooks_path(&self) -> PathBuf {
        self.path().join(".cursor/hooks.json")
    }

    /// `install cursor` into the project, from this checkout.
    fn install(&self) -> CliRun {
        let dir = self.path().to_str().unwrap();
        cli(&["install", "cursor", dir, "--plugin-root", REPO], &[])
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn commands(doc: &Value, event: &str) -> Vec<(String, Value)> {
    doc["hooks"][event]
        .as_array()
        .unwrap_or_else(|| panic!("no {event} in {doc}"))
        .iter()
        .map(|e| (e["command"].as_str().unwrap_or("").to_string(), e.clone()))
        .collect()
}

#[test]
fn install_cursor_writes_valid_hooks_and_rule() {
    let p = TempProject::empty();
    let out = p.install();
    assert!(out.success(), "{out:?}");
    let stdout = &out.stdout;
    assert!(stdout.contains("hooks.json"), "{stdout}");

    let doc = read_json(&p.hooks_path());
    assert_eq!(doc["version"], 1);
    let shell = commands(&doc, "beforeShellExecution");
    for name in ["destructive-guard", "scope-enforcer"] {
        let (cmd, entry) = shell
            .iter()
            .find(|(c, _)| c.ends_with(&format!(" {name}")))
            .unwrap_or_else(|| panic!("no {name} in {shell:?}"));
        assert_eq!(entry["failClosed"], true, "{cmd}");
        assert!(entry["timeout"].as_u64().unwrap() > 0);
        assert!(cmd.starts_with("export CLAUDE_PLUGIN_ROOT='"), "{cmd}");
        assert!(cmd.contains("/hooks/run'"), "{cmd}");
    }
    let pre = commands(&doc, "preToolUse");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0].1["failClosed"], true);
    assert!(pre[0].1["matcher"].as_str().unwrap().contains("Write"));
    for event in [
        "afterFileEdit",
        "sessionStart",
        "sessionEnd",
        "stop",
        "postToolUse",
        "subagentStart",
        "subagentStop",
    ] {
        assert!(!commands(&doc, event).is_empty(), "{event}");
    }

    let rule =
        std::fs::read_to_string(p.path().join(".cursor/rules/session-orchestrator.mdc")).unwrap();
    assert!(rule.starts_with("---\n"), "{rule}");
    assert!(rule.contains("alwaysApply: true"), "{rule}");
    assert!(rule.contains("wave-scope write"), "{rule}");
}

#[test]
fn install_cursor_is_idempotent_and_keeps_foreign_entries() {
    let p = TempProject::empty();
    std::fs::create_dir_all(p.path().join(".cursor")).unwrap();
    std::fs::write(
        p.hooks_path(),
        r#"{"version": 1, "hooks": {"stop": [{"command": ".cursor/hooks/mine", "timeout": 3}],
            "beforeReadFile": [{"command": "./audit"}]}}"#,
    )
    .unwrap();
    assert!(p.install().success());
    let first = std::fs::read(p.hooks_path()).unwrap();
    let out = p.install();
    assert!(out.success(), "{out:?}");
    let second = std::fs::read(p.hooks_path()).unwrap();
    assert_eq!(first, second, "a second install changed the file");

    let doc = read_json(&p.hooks_path());
    let stop = commands(&doc, "stop");
    assert_eq!(stop.len(), 2, "{stop:?}");
    assert_eq!(stop[0].0, ".cursor/hooks/mine");
    assert_eq!(commands(&doc, "beforeReadFile")[0].0, "./audit");
    assert_eq!(commands(&doc, "beforeShellExecution").len(), 2);
}

#[test]
fn install_cursor_refuses_an_unparseable_file() {
    let p = TempProject::empty();
    std::fs::create_dir_all(p.path().join(".cursor")).unwrap();
    let broken = "{\"version\": 1, \"hooks\": {  // not JSON\n";
    std::fs::write(p.hooks_path(), broken).unwrap();
    let out = p.install();
    assert_eq!(out.code, Some(1), "{out:?}");
    let stderr = &out.stderr;
    assert!(stderr.contains("hooks.json"), "{stderr}");
    assert_eq!(std::fs::read_to_string(p.hooks_path()).unwrap(), broken);
}

#[test]
fn install_cursor_dry_run_writes_nothing() {
    let p = TempProject::empty();
    let dir = p.path().to_str().unwrap();
    let out = cli(
        &["install", "cursor", dir, "--plugin-root", REPO, "--dry-run"],
        &[],
    );
    assert!(out.success(), "{out:?}");
    assert!(out.stdout.contains("\"failClosed\": true"));
    assert!(!p.path().join(".cursor").exists());
}

#[test]
fn install_claude_prints_the_steps() {
    let out = cli(&["install", "claude", "--plugin-root", REPO], &[]);
    assert!(out.success(), "{out:?}");
    let stdout = &out.stdout;
    assert!(stdout.contains("claude plugin marketplace add"), "{stdout}");
    assert!(
        stdout.contains("claude plugin install session-orchestrator@session-orchestrator"),
        "{stdout}"
    );
}

#[test]
fn doctor_passes_every_sample_on_this_checkout() {
    let release = Path::new(REPO).join("target/release");
    let missing: Vec<&str> = [
        "destructive-guard",
        "scope-enforcer",
        "session-events",
        "telemetry",
    ]
    .into_iter()
    .filter(|name| !release.join(name).is_file())
    .collect();
    // No client on PATH: what this machine's own Claude Code or Codex has installed is not
    // this test's business (crates/so-e2e/tests/doctor.rs checks that with the real ones).
    let out = cli(
        &["doctor", "--plugin-root", REPO],
        &[("PATH", "/usr/bin:/bin")],
    );
    let stdout = &out.stdout;
    if !missing.is_empty() {
        eprintln!(
            "skipping the doctor assertions: {missing:?} not built in {} (run cargo build --release -p so-hooks)",
            release.display()
        );
        return;
    }
    let samples: Vec<&str> = stdout.lines().filter(|l| l.contains(" sample ")).collect();
    assert_eq!(samples.len(), 5, "{stdout}");
    for line in samples {
        assert!(line.starts_with("PASS: "), "{line}\n{stdout}");
    }
    assert!(
        stdout.contains("WARN: codex is not on PATH: Codex checks skipped"),
        "{stdout}"
    );
    assert!(out.success(), "{stdout}");
}

/// doctor reads the project's Cursor hooks file: after `install cursor` every hook of this
/// checkout is there; a guard that lost `failClosed` is a failure (Cursor would let the
/// command through when the hook fails), a missing informational hook a warning.
#[test]
fn doctor_checks_the_projects_cursor_hooks() {
    let p = TempProject::empty();
    assert!(p.install().success());
    let dir = p.path().to_str().unwrap();
    let doctor = || {
        cli(
            &["doctor", "--plugin-root", REPO, "--project", dir],
            &[("PATH", "/usr/bin:/bin")],
        )
    };
    let line = |out: &CliRun| -> String {
        out.stdout
            .lines()
            .find(|l| l.contains("Cursor: "))
            .unwrap_or_else(|| panic!("no Cursor line: {}", out.stdout))
            .to_owned()
    };
    let ok = doctor();
    assert!(line(&ok).starts_with("PASS: Cursor: "), "{}", ok.stdout);

    // A guard without failClosed.
    let mut doc = read_json(&p.hooks_path());
    for entry in doc["hooks"]["beforeShellExecution"].as_array_mut().unwrap() {
        entry.as_object_mut().unwrap().remove("failClosed");
    }
    std::fs::write(p.hooks_path(), doc.to_string()).unwrap();
    let open = doctor();
    let l = line(&open);
    assert!(
        l.starts_with("FAIL: Cursor: ") && l.contains("beforeShellExecution destructive-guard"),
        "{l}"
    );
    assert_eq!(open.code, Some(1));

    // Guards back, an informational hook gone: a warning only.
    assert!(p.install().success());
    let mut doc = read_json(&p.hooks_path());
    doc["hooks"]["stop"] = Value::Array(Vec::new());
    std::fs::write(p.hooks_path(), doc.to_string()).unwrap();
    let l = line(&doctor());
    assert!(
        l.starts_with("WARN: Cursor: ") && l.contains("stop session-events"),
        "{l}"
    );
}

/// The Cursor guard command as `install cursor` writes it, run by `sh` with a Cursor
/// `beforeShellExecution` payload, from a plugin copy whose launcher only exits 3: with the
/// guard in `target/release` the command reaches it without the launcher (a JSON deny for
/// `git reset --hard`, a silent allow for `git status`); with the binary gone it falls back
/// to the launcher (exit 3).
#[test]
fn the_cursor_guard_command_runs_the_guard_and_falls_back_to_the_launcher() {
    let guard = Path::new(REPO).join("target/release/destructive-guard");
    if !guard.is_file() {
        eprintln!("skipping: {} not built", guard.display());
        return;
    }
    let p = TempProject::new();
    let copy = p.path().join("plugin-copy");
    std::fs::create_dir_all(copy.join("hooks")).unwrap();
    std::fs::create_dir_all(copy.join("target/release")).unwrap();
    p.write("plugin-copy/hooks/run", "#!/bin/sh\nexit 3\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let run = copy.join("hooks/run");
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::copy(&guard, copy.join("target/release/destructive-guard")).unwrap();
    let dir = p.path().to_str().unwrap();
    let installed = cli(
        &[
            "install",
            "cursor",
            dir,
            "--plugin-root",
            copy.to_str().unwrap(),
        ],
        &[],
    );
    assert!(installed.success(), "{installed:?}");
    let doc = read_json(&p.hooks_path());
    let (command, _) = commands(&doc, "beforeShellExecution")
        .into_iter()
        .find(|(c, _)| c.ends_with(" destructive-guard"))
        .unwrap();
    let run = |shell_command: &str| {
        let payload = serde_json::json!({
            "conversation_id": "c1", "generation_id": "g1", "hook_event_name": "beforeShellExecution",
            "workspace_roots": [p.path()], "command": shell_command, "cwd": p.path(), "sandbox": false,
        });
        let mut child = std::process::Command::new("sh")
            .args(["-c", &command])
            .current_dir(p.path())
            .env("HOME", p.path())
            .env("PATH", "/usr/bin:/bin")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(payload.to_string().as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let deny = run("git reset --hard");
    assert_eq!(deny.status.code(), Some(0), "{deny:?}");
    let answer: Value = serde_json::from_slice(&deny.stdout).unwrap();
    assert_eq!(answer["permission"], "deny", "{answer}");
    let allow = run("git status");
    assert_eq!(allow.status.code(), Some(0), "{allow:?}");
    assert!(allow.stdout.is_empty(), "{allow:?}");
    // Control: without the binary the launcher runs (here it only exits 3).
    std::fs::remove_file(copy.join("target/release/destructive-guard")).unwrap();
    assert_eq!(run("git status").status.code(), Some(3));
}
