//! The real `session-orchestrator` binary: `wave-scope write|show|clear`,
//! `validate-wave-scope` and `check-path`.
//!
//! Every run happens in a fresh project directory under the system temp dir, with the
//! variables that select a client (`CLAUDECODE`, `CODEX_*`, `CURSOR_*`) and the session
//! (`CLAUDE_CODE_SESSION_ID`) removed unless the test sets them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

mod common;
use common::{CliRun, TempProject, assert_all_succeed, cli_command, run_cli};

/// The wave-scope manifest of a project.
impl TempProject {
    fn manifest_path(&self, state_dir: &str) -> PathBuf {
        self.path().join(state_dir).join("wave-scope.json")
    }

    fn manifest(&self, state_dir: &str) -> Option<Value> {
        let text = std::fs::read_to_string(self.manifest_path(state_dir)).ok()?;
        Some(serde_json::from_str(&text).expect("the manifest must be JSON"))
    }

    /// [`TempProject::write`], the path as text for an argument list.
    fn write_arg(&self, rel: &str, text: &str) -> String {
        self.write(rel, text).to_string_lossy().into_owned()
    }
}

fn run(args: &[&str], project: &TempProject) -> CliRun {
    project.cli(args, &[], "")
}

fn run_stdin(args: &[&str], project: &TempProject, stdin: &str) -> CliRun {
    project.cli(args, &[], stdin)
}

/// The `written at:` line changes every second: shown as a placeholder.
fn stable(project: &TempProject, text: &str) -> String {
    project
        .redact(text)
        .lines()
        .map(|l| {
            if l.starts_with("written at:") {
                "written at:       [TIME]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------------------
// wave-scope write | show | clear
// ---------------------------------------------------------------------------------------

#[test]
fn write_show_clear_round_trip() {
    let p = TempProject::new();
    let path = p.manifest_path(".claude");

    let r = run(&["wave-scope", "show"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .starts_with("no wave-scope manifest: nothing is enforced\n"),
        "{}",
        r.stdout
    );

    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--blocked-command",
            "git push --force",
            "--session-id",
            "s-1",
            "--paths",
            "src/**",
            "docs/",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "");
    assert!(
        r.stdout.starts_with(&format!("wrote {}\n", path.display())),
        "{}",
        r.stdout
    );
    for line in [
        "wave:             2\n",
        "role:             Impl-Core\n",
        "enforcement:      strict\n",
        "allowed paths:    2\n",
        "blocked commands: 1\n",
        "session:          s-1\n",
        "client:           claude (default: no client detected in the environment)\n",
    ] {
        assert!(r.stdout.contains(line), "{line:?} in {}", r.stdout);
    }
    let m = p.manifest(".claude").unwrap();
    assert_eq!(m["wave"], 2);
    assert_eq!(m["role"], "Impl-Core");
    assert_eq!(m["enforcement"], "strict");
    assert_eq!(m["allowedPaths"], json!(["src/**", "docs/"]));
    assert_eq!(m["blockedCommands"], json!(["git push --force"]));
    assert_eq!(m["sessionId"], "s-1");
    let at = m["writtenAt"].as_u64().unwrap();
    assert!(at.abs_diff(now()) < 120, "writtenAt {at}");
    // The manifest passes the validator as written.
    let r = run(&["validate-wave-scope", &path.to_string_lossy()], &p);
    assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");

    let r = run(&["wave-scope", "show", "--session-id", "s-1"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.starts_with("wave-scope manifest in force\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n  src/**\n  docs/\n"), "{}", r.stdout);
    let r = run(&["wave-scope", "show", "--json", "--session-id", "s-1"], &p);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "active");
    assert_eq!(v["manifest"]["wave"], 2);
    assert_eq!(v["path"], path.to_string_lossy().as_ref());

    let r = run(&["wave-scope", "clear"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .starts_with(&format!("removed {} (wave 2, Impl-Core)", path.display())),
        "{}",
        r.stdout
    );
    assert!(!path.exists());
    let r = run(&["wave-scope", "show"], &p);
    assert!(
        r.stdout
            .starts_with("no wave-scope manifest: nothing is enforced\n"),
        "{}",
        r.stdout
    );
    // Clearing again is fine, and says there was nothing.
    let r = run(&["wave-scope", "clear", "--json"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["removed"], false);
    let r = run(&["wave-scope", "clear"], &p);
    assert!(r.stdout.contains("nothing to clear"), "{}", r.stdout);
}

#[test]
fn write_json_output_and_replacement() {
    let p = TempProject::new();
    let r = run_stdin(
        &[
            "wave-scope",
            "write",
            "--wave",
            "1",
            "--role",
            "Discovery",
            "--files",
            "-",
        ],
        &p,
        "[]",
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "a read-only Discovery wave warns of nothing");
    assert_eq!(p.manifest(".claude").unwrap()["allowedPaths"], json!([]));

    let r = run(
        &[
            "wave-scope",
            "write",
            "--json",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--enforcement",
            "warn",
            "--paths",
            "**",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["wave"], 2);
    assert_eq!(v["enforcement"], "warn");
    assert_eq!(v["allowedPathCount"], 1);
    assert_eq!(v["replaced"], json!({"wave": 1, "role": "Discovery"}));
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("every file of the project"),
        "{v}"
    );
    assert_eq!(p.manifest(".claude").unwrap()["enforcement"], "warn");
}

/// Environment variables, the state directory they select, and how the output names it.
type EnvCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[test]
fn the_client_picks_the_state_directory() {
    let p = TempProject::new();
    let write = [
        "wave-scope",
        "write",
        "--wave",
        "3",
        "--role",
        "Quality",
        "--paths",
        "tests/**",
    ];
    let cases: &[EnvCase] = &[
        (
            &[("CLAUDECODE", "1")],
            ".claude",
            "claude (detected from CLAUDECODE=1)",
        ),
        (
            &[("CODEX_HOME", "/x")],
            ".codex",
            "codex (detected from CODEX_HOME)",
        ),
        (
            &[("CODEX_THREAD_ID", "t")],
            ".codex",
            "codex (detected from CODEX_THREAD_ID)",
        ),
        (
            &[("CURSOR_VERSION", "1.7")],
            ".cursor",
            "cursor (detected from CURSOR_VERSION)",
        ),
        (
            &[],
            ".claude",
            "claude (default: no client detected in the environment)",
        ),
    ];
    for (env, dir, says) in cases {
        let r = p.cli(&write, env, "");
        assert_eq!(r.code, Some(0), "{env:?}: {r:?}");
        assert!(
            r.stdout.contains(&format!("client:           {says}\n")),
            "{env:?}: {}",
            r.stdout
        );
        assert!(p.manifest(dir).is_some(), "{env:?}: no manifest in {dir}");
        let r = p.cli(&["wave-scope", "clear"], env, "");
        assert_eq!(r.code, Some(0), "{env:?}: {r:?}");
        assert!(p.manifest(dir).is_none(), "{env:?}: {dir} not cleared");
    }
    // `--client` wins over the environment.
    let mut args = write.to_vec();
    args.extend(["--client", "cursor"]);
    let r = p.cli(&args, &[("CLAUDECODE", "1")], "");
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("client:           cursor (--client)\n"),
        "{}",
        r.stdout
    );
    assert!(p.manifest(".cursor").is_some() && p.manifest(".claude").is_none());
}

#[test]
fn show_human_output() {
    let p = TempProject::new();
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "4",
            "--role",
            "Impl-Polish",
            "--session-id",
            "sess-42",
            "--blocked-command",
            "git push",
            "--blocked-command",
            "rm -rf",
            "--paths",
            "src/ui/**",
            "docs/guide.md",
            "tests/",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    // A manifest left in another client's directory is reported, not obeyed.
    let r = run(
        &[
            "wave-scope",
            "write",
            "--client",
            "codex",
            "--wave",
            "1",
            "--role",
            "Discovery",
            "--files",
            "-",
        ],
        &p,
    );
    assert_eq!(r.code, Some(1), "stdin is empty here: {r:?}");
    let r = run_stdin(
        &[
            "wave-scope",
            "write",
            "--client",
            "codex",
            "--wave",
            "1",
            "--role",
            "Discovery",
            "--files",
            "-",
        ],
        &p,
        "[]",
    );
    assert_eq!(r.code, Some(0), "{r:?}");

    let r = run(&["wave-scope", "show", "--session-id", "sess-42"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "");
    assert!(
        r.stdout
            .contains("other clients' manifests (not enforced for claude):\n"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("show_active_human", stable(&p, &r.stdout));

    // Another session's manifest is stale: shown, not enforced.
    let r = run(&["wave-scope", "show", "--session-id", "sess-43"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.starts_with(
            "stale wave-scope manifest: not enforced, because it was written by session `sess-42`"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn show_reports_a_broken_or_invalid_manifest() {
    let p = TempProject::new();
    p.write(".claude/wave-scope.json", "{ not json");
    let r = run(&["wave-scope", "show"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout
            .starts_with("broken wave-scope manifest: every write is denied"),
        "{}",
        r.stdout
    );

    // Readable by the enforcer but failing validation (hand-edited).
    p.write(
        ".claude/wave-scope.json",
        r#"{"wave": 1, "role": "Impl-Core", "allowedPaths": ["/etc/**"], "blockedCommands": []}"#,
    );
    let r = run(&["wave-scope", "show"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout
            .contains("error: allowedPaths entry `/etc/**` is under the system"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("warning: `enforcement` is absent"),
        "{}",
        r.stdout
    );

    // Control: a valid manifest.
    p.write(
        ".claude/wave-scope.json",
        r#"{"wave": 1, "role": "Impl-Core", "enforcement": "strict", "allowedPaths": ["src/**"], "blockedCommands": []}"#,
    );
    let r = run(&["wave-scope", "show"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        !r.stdout.contains("error:") && !r.stdout.contains("warning:"),
        "{}",
        r.stdout
    );
}

#[test]
fn agents_must_be_disjoint() {
    let p = TempProject::new();
    let sidecar = p.write_arg(
        "wave-2.json",
        r#"[{"id": "agent-ui", "files": ["src/ui.rs", "src/shared.rs"]},
            {"id": "agent-core", "files": ["src/core.rs"]},
            {"id": "agent-db", "files": ["./src/shared.rs", "src/db.rs"]}]"#,
    );
    let args = [
        "wave-scope",
        "write",
        "--wave",
        "2",
        "--role",
        "Impl-Core",
        "--agents",
        &sidecar,
    ];
    let r = run(&args, &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("agents `agent-ui` and `agent-db` both list `src/shared.rs`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("wave-2.json"),
        "names the sidecar: {}",
        r.stderr
    );
    assert!(p.manifest(".claude").is_none(), "nothing is written");
    // A pattern covering another agent's file is an overlap too.
    let r = run_stdin(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--agents",
            "-",
        ],
        &p,
        r#"[{"id": "a", "files": ["src/**"]}, {"id": "b", "files": ["src/x/y.rs"]}]"#,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("agents `a` and `b` overlap: `src/x/y.rs` is covered by `src/**`"),
        "{}",
        r.stderr
    );

    // Control: disjoint agents; the manifest gets their union.
    p.write(
        "wave-2.json",
        r#"[{"id": "agent-ui", "files": ["src/ui.rs", "src/shared.rs"]},
            {"id": "agent-core", "files": ["src/core.rs"]},
            {"id": "agent-db", "files": ["src/db.rs"]}]"#,
    );
    let r = run(&args, &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("agents:           3, disjoint\n"),
        "{}",
        r.stdout
    );
    assert_eq!(
        p.manifest(".claude").unwrap()["allowedPaths"],
        json!(["src/core.rs", "src/db.rs", "src/shared.rs", "src/ui.rs"])
    );
}

#[test]
fn agents_from_stdin() {
    let p = TempProject::new();
    let r = run_stdin(
        &[
            "wave-scope",
            "write",
            "--wave",
            "5",
            "--role",
            "Finalization",
            "--agents",
            "-",
        ],
        &p,
        r#"[{"id": "a", "files": ["CHANGELOG.md"]}, {"id": "b", "files": ["docs/"]}]"#,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        p.manifest(".claude").unwrap()["allowedPaths"],
        json!(["CHANGELOG.md", "docs/"])
    );
    // A malformed sidecar names the record.
    let r = run_stdin(
        &[
            "wave-scope",
            "write",
            "--wave",
            "5",
            "--role",
            "Finalization",
            "--agents",
            "-",
        ],
        &p,
        r#"[{"id": "a", "files": ["x"]}, {"files": ["y"]}]"#,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("error: stdin: record 1 has no `id`"),
        "{}",
        r.stderr
    );
    // The earlier manifest is untouched.
    assert_eq!(p.manifest(".claude").unwrap()["wave"], 5);
}

#[test]
fn write_validates_before_writing() {
    let p = TempProject::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--paths", "/etc/**"],
            "under the system or home directory `/etc`",
        ),
        (&["--paths", "../sibling/**"], "climbs with `..`"),
        (&["--paths", "/"], "filesystem root"),
        (&["--paths", "src/[x"], "not a valid glob"),
    ];
    for (source, says) in cases {
        let mut args = vec!["wave-scope", "write", "--wave", "2", "--role", "Impl-Core"];
        args.extend_from_slice(source);
        let r = run(&args, &p);
        assert_eq!(r.code, Some(1), "{source:?}: {r:?}");
        assert!(r.stderr.contains(says), "{source:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("error: nothing was written"),
            "{}",
            r.stderr
        );
        assert!(p.manifest(".claude").is_none(), "{source:?}");
    }
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--paths",
            "src/**",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "control: {r:?}");
    // Warnings do not stop the write.
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--paths",
            "/opt/cache/**",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .starts_with("warning: allowedPaths entry `/opt/cache/**` is absolute"),
        "{}",
        r.stderr
    );
}

/// `wave-scope write` arguments after `write`, the exit code, and what stderr says.
const WRITE_ERRORS: &[(&[&str], i32, &str)] = &[
    (&["--role", "R", "--paths", "a"], 1, "needs `--wave N`"),
    (
        &["--wave", "0", "--role", "R", "--paths", "a"],
        1,
        "`--wave` must be a positive integer, got `0`",
    ),
    (
        &["--wave", "x", "--role", "R", "--paths", "a"],
        1,
        "positive integer",
    ),
    (&["--wave", "1", "--paths", "a"], 1, "needs `--role ROLE`"),
    (
        &["--wave", "1", "--role", "", "--paths", "a"],
        1,
        "`--role` was given an empty value",
    ),
    (
        &["--wave", "1", "--role", "R"],
        1,
        "needs the allowed paths",
    ),
    (
        &["--wave", "1", "--role", "R", "--paths"],
        1,
        "`--paths` needs at least one path",
    ),
    (
        &["--wave", "1", "--role", "R", "--paths", ""],
        1,
        "`--paths` was given an empty path",
    ),
    (
        &[
            "--wave", "1", "--role", "R", "--paths", "a", "--files", "f.json",
        ],
        1,
        "give the allowed paths once",
    ),
    (
        &["--wave", "1", "--role", "R", "--agents", ""],
        1,
        "`--agents` was given an empty value",
    ),
    (
        &["--wave", "1", "--role", "R", "--files", "--json"],
        1,
        "got the flag `--json`",
    ),
    (
        &[
            "--wave",
            "1",
            "--role",
            "R",
            "--enforcement",
            "loud",
            "--paths",
            "a",
        ],
        1,
        "strict, warn or off",
    ),
    (
        &[
            "--wave", "1", "--role", "R", "--client", "vim", "--paths", "a",
        ],
        1,
        "unknown client `vim`",
    ),
    (
        &[
            "--wave",
            "1",
            "--role",
            "R",
            "--blocked-command",
            "",
            "--paths",
            "a",
        ],
        1,
        "empty value",
    ),
    (
        &["--wave", "1", "--wave", "2", "--role", "R", "--paths", "a"],
        1,
        "`--wave` is given twice",
    ),
    (
        &["--wave", "1", "--role", "R", "--bogus", "--paths", "a"],
        1,
        "unknown argument `--bogus`",
    ),
    (
        &["--wave", "1", "--role", "R", "--files", "missing.json"],
        2,
        "cannot read `missing.json`",
    ),
    (
        &[
            "--wave",
            "1",
            "--role",
            "R",
            "--project",
            "/nonexistent/so-test",
            "--paths",
            "a",
        ],
        2,
        "cannot use `/nonexistent/so-test` as the project",
    ),
];

#[test]
fn write_argument_errors() {
    let p = TempProject::new();
    for (rest, code, says) in WRITE_ERRORS {
        let mut args = vec!["wave-scope", "write"];
        args.extend_from_slice(rest);
        let r = run(&args, &p);
        assert_eq!(r.code, Some(*code), "{rest:?}: {r:?}");
        assert!(r.stderr.contains(says), "{rest:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{rest:?}");
    }
    assert!(p.manifest(".claude").is_none());
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "1",
            "--role",
            "R",
            "--paths",
            "a",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "control: {r:?}");
    let r = run(&["wave-scope", "frobnicate"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("use write, show or clear"),
        "{}",
        r.stderr
    );
}

#[test]
fn project_option_and_project_root_discovery() {
    let p = TempProject::new();
    std::fs::create_dir_all(p.path().join("src/deep")).unwrap();
    // From a subdirectory, the manifest goes to the project root.
    let r = run_cli(
        &p.path().join("src/deep"),
        &[
            "wave-scope",
            "write",
            "--wave",
            "1",
            "--role",
            "R",
            "--paths",
            "src/**",
        ],
        &[],
        "",
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(p.manifest(".claude").is_some());
    assert!(!p.path().join("src/deep/.claude").exists());
    // `--project` from anywhere.
    let other = TempProject::new();
    let dir = p.path().to_string_lossy().into_owned();
    let r = run(&["wave-scope", "clear", "--project", &dir], &other);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(p.manifest(".claude").is_none());
}

#[test]
fn concurrent_writers_leave_one_valid_manifest() {
    let p = TempProject::new();
    let path = p.manifest_path(".claude");
    let stop = Arc::new(AtomicBool::new(false));
    // A reader polling all along must never see a partial manifest.
    let reader = {
        let (stop, path) = (Arc::clone(&stop), path.clone());
        std::thread::spawn(move || {
            let mut seen = 0usize;
            while !stop.load(Ordering::Relaxed) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!("a reader saw a partial manifest ({e}): {text:?}")
                    });
                    assert!(v["wave"].is_u64(), "{text}");
                    seen += 1;
                }
            }
            seen
        })
    };
    for round in 0..3 {
        let children: Vec<_> = (1..=8)
            .map(|i| {
                let wave = i.to_string();
                let pattern = format!("src/writer-{i}/**");
                let role = format!("Role-{i}");
                cli_command(
                    p.path(),
                    &[
                        "wave-scope",
                        "write",
                        "--wave",
                        &wave,
                        "--role",
                        &role,
                        "--paths",
                        &pattern,
                        "docs/",
                    ],
                    &[],
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        assert_all_succeed(children, &format!("round {round}: "));
        let m = p.manifest(".claude").expect("a manifest");
        let wave = m["wave"].as_u64().unwrap();
        assert!((1..=8).contains(&wave), "{m}");
        assert_eq!(
            m["role"],
            format!("Role-{wave}"),
            "one writer's content: {m}"
        );
        assert_eq!(
            m["allowedPaths"],
            json!([format!("src/writer-{wave}/**"), "docs/"]),
            "{m}"
        );
        let r = run(&["validate-wave-scope", &path.to_string_lossy()], &p);
        assert_eq!(r.code, Some(0), "{r:?}");
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0, "the reader saw the manifest");
    let mut names: Vec<String> = std::fs::read_dir(p.path().join(".claude"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["wave-scope.json", "wave-scope.lock"],
        "no temporary file is left"
    );
}

// ---------------------------------------------------------------------------------------
// validate-wave-scope
// ---------------------------------------------------------------------------------------

fn valid_manifest() -> Value {
    json!({
        "wave": 2, "role": "Impl-Core", "enforcement": "strict",
        "allowedPaths": ["src/**", "docs/", "/opt/shared/*.txt"],
        "blockedCommands": ["git push --force"],
        "gates": {"path-guard": true}
    })
}

/// The valid manifest without its absolute entry: no warning at all.
fn plain_manifest() -> Value {
    let mut m = valid_manifest();
    m["allowedPaths"] = json!(["src/**", "docs/"]);
    m
}

#[test]
fn validation_errors_each_with_a_valid_control() {
    let p = TempProject::new();
    // (field, bad value, message, good value)
    let cases: &[(&str, Value, &str, Value)] = &[
        (
            "wave",
            json!(0),
            "`wave` must be a positive integer",
            json!(1),
        ),
        (
            "wave",
            json!("2"),
            "`wave` must be a positive integer",
            json!(2),
        ),
        (
            "role",
            json!(""),
            "`role` must be a non-empty string",
            json!("Quality"),
        ),
        (
            "enforcement",
            json!("loud"),
            "`enforcement` must be `strict`, `warn` or `off`",
            json!("warn"),
        ),
        (
            "allowedPaths",
            json!("src/**"),
            "`allowedPaths` must be an array",
            json!(["src/**"]),
        ),
        (
            "allowedPaths",
            json!(["src/**", ""]),
            "`allowedPaths[1]` is an empty string",
            json!(["src/**"]),
        ),
        (
            "allowedPaths",
            json!(["/"]),
            "is the filesystem root",
            json!(["/opt/x/**"]),
        ),
        (
            "allowedPaths",
            json!(["\\"]),
            "is the filesystem root",
            json!(["lib/**"]),
        ),
        (
            "allowedPaths",
            json!(["C:\\"]),
            "is the filesystem root",
            json!(["lib/**"]),
        ),
        (
            "allowedPaths",
            json!(["/etc/nginx/*"]),
            "system or home directory `/etc`",
            json!(["/opt/nginx/*"]),
        ),
        (
            "allowedPaths",
            json!(["/Users/me/*"]),
            "system or home directory `/Users`",
            json!(["/Volumes/me/*"]),
        ),
        (
            "allowedPaths",
            json!(["/srv/data/file.txt"]),
            "absolute path without `*`",
            json!(["/srv/data/*.txt"]),
        ),
        (
            "allowedPaths",
            json!(["src/../../etc/x"]),
            "climbs with `..`",
            json!(["src/etc/x"]),
        ),
        (
            "allowedPaths",
            json!(["src/{a,b"]),
            "not a valid glob",
            json!(["src/{a,b}"]),
        ),
        (
            "blockedCommands",
            json!("rm -rf"),
            "`blockedCommands` must be an array",
            json!(["rm -rf"]),
        ),
        (
            "gates",
            json!({"path-guard": "no"}),
            "`gates.path-guard` must be true or false",
            json!({"path-guard": false}),
        ),
    ];
    for (field, bad, says, good) in cases {
        let mut m = valid_manifest();
        m[*field] = bad.clone();
        let text = m.to_string();
        let file = p.write_arg("bad.json", &text);
        let r = run(&["validate-wave-scope", &file], &p);
        assert_eq!(r.code, Some(1), "{field}={bad}: {r:?}");
        assert!(
            r.stderr.contains(&format!("error: {says}")) || r.stderr.contains(says),
            "{field}={bad}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .lines()
                .all(|l| l.starts_with("error: ") || l.starts_with("warning: ")),
            "{}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "nothing is echoed for an invalid manifest");

        m[*field] = good.clone();
        let text = m.to_string();
        let file = p.write_arg("good.json", &text);
        let r = run(&["validate-wave-scope", &file], &p);
        assert_eq!(r.code, Some(0), "control {field}={good}: {r:?}");
        assert_eq!(r.stdout, format!("{text}\n"), "the manifest is echoed");
    }
    // Missing required fields.
    for field in ["wave", "role", "allowedPaths", "blockedCommands"] {
        let mut m = valid_manifest();
        m.as_object_mut().unwrap().remove(field);
        let r = run_stdin(&["validate-wave-scope"], &p, &m.to_string());
        assert_eq!(r.code, Some(1), "{field}: {r:?}");
        assert!(
            r.stderr.contains(&format!("error: `{field}` is missing")),
            "{}",
            r.stderr
        );
    }
    let r = run_stdin(&["validate-wave-scope", "-"], &p, "{ nope");
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("error: stdin is not valid JSON"),
        "{}",
        r.stderr
    );
}

#[test]
fn validation_warnings_keep_the_manifest_valid() {
    let p = TempProject::new();
    let cases: &[(&str, Value, &str)] = &[
        (
            "enforcement",
            Value::Null,
            "`enforcement` is absent: the manifest is enforced as `strict`",
        ),
        (
            "allowedPaths",
            json!(["**"]),
            "lets the wave write every file of the project",
        ),
        (
            "allowedPaths",
            json!(["**/*"]),
            "lets the wave write every file of the project",
        ),
        (
            "allowedPaths",
            json!(["*"]),
            "lets the wave write every file of the project",
        ),
        (
            "allowedPaths",
            json!(["/opt/cache/**"]),
            "is absolute: it lets the wave write outside the project",
        ),
        (
            "allowedPaths",
            json!([]),
            "the `Impl-Core` wave cannot write any file",
        ),
    ];
    for (field, value, says) in cases {
        let mut m = plain_manifest();
        if value.is_null() {
            m.as_object_mut().unwrap().remove(*field);
        } else {
            m[*field] = value.clone();
        }
        let r = run_stdin(&["validate-wave-scope"], &p, &m.to_string());
        assert_eq!(r.code, Some(0), "{field}={value}: {r:?}");
        assert!(
            r.stderr.starts_with("warning: ") && r.stderr.contains(says),
            "{field}={value}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("error: "), "{}", r.stderr);
        assert_eq!(r.stdout, format!("{m}\n"));
    }
    // Control: the read-only Discovery wave is not warned about its empty list, and the
    // control manifest has no warning at all.
    let mut m = plain_manifest();
    m["allowedPaths"] = json!([]);
    m["role"] = json!("Discovery");
    let r = run_stdin(&["validate-wave-scope"], &p, &m.to_string());
    assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");
    let r = run_stdin(
        &["validate-wave-scope", "-"],
        &p,
        &plain_manifest().to_string(),
    );
    assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");
}

#[test]
fn validation_failure_human_output() {
    let p = TempProject::new();
    let file = p.write_arg(
        "wave-scope.json",
        r#"{"wave": 0, "role": "Impl-Core", "allowedPaths": ["src/**", "/etc/hosts", "../up/**", "/", "**"], "blockedCommands": []}"#,
    );
    let r = run(&["validate-wave-scope", &file], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!("validate_failure_human", r.stderr);
    // JSON: the same problems in one object on stdout.
    let r = run(&["validate-wave-scope", "--json", &file], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 4, "{v}");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 2, "{v}");
    let r = run_stdin(
        &["validate-wave-scope", "--json"],
        &p,
        &valid_manifest().to_string(),
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((r.code, &v["valid"]), (Some(0), &json!(true)), "{v}");
}

#[test]
fn empty_flag_values_are_refused() {
    let p = TempProject::new();
    let sidecar = p.write_arg("side.json", r#"[{"id": "a", "files": ["x"]}]"#);
    let agent = p.write_arg("agent.json", r#"["src/a.rs"]"#);
    let manifest = p.write_arg("m.json", &valid_manifest().to_string());
    for flag in ["--union", "--assert-disjoint", "--assert-subset"] {
        let r = run(&["validate-wave-scope", &manifest, flag, ""], &p);
        assert_eq!(r.code, Some(1), "{flag}: {r:?}");
        assert!(
            r.stderr
                .contains(&format!("error: `{flag}` was given an empty value")),
            "{flag}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{flag}");
        let r = run(&["validate-wave-scope", &manifest, flag], &p);
        assert_eq!(r.code, Some(1), "{flag} without a value: {r:?}");
        // Control: the flag with a file.
        let file = if flag == "--assert-subset" {
            &agent
        } else {
            &sidecar
        };
        let r = run(&["validate-wave-scope", &manifest, flag, file], &p);
        assert_eq!(r.code, Some(0), "{flag} {file}: {r:?}");
    }
    let r = run(&["validate-wave-scope", ""], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("empty value"), "{}", r.stderr);
}

#[test]
fn io_errors_exit_2() {
    let p = TempProject::new();
    let manifest = p.write_arg("m.json", &valid_manifest().to_string());
    for args in [
        vec!["validate-wave-scope", "missing.json"],
        vec![
            "validate-wave-scope",
            &manifest,
            "--union",
            "missing-side.json",
        ],
        vec![
            "validate-wave-scope",
            &manifest,
            "--assert-subset",
            "missing-agent.json",
        ],
    ] {
        let r = run(&args, &p);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(
            r.stderr.starts_with("error: cannot read `missing"),
            "{}",
            r.stderr
        );
    }
    let r = run(&["validate-wave-scope", &manifest], &p);
    assert_eq!(r.code, Some(0), "control: {r:?}");
}

#[test]
fn union_disjoint_and_subset_modes() {
    let p = TempProject::new();
    let sidecar = p.write_arg(
        "side.json",
        r#"[{"id": "a", "files": ["src/b.rs", "./src/a.rs"]}, {"id": "b", "files": ["docs/"]}]"#,
    );
    // --union alone reads no manifest and prints the union.
    let r = run(&["validate-wave-scope", "--union", &sidecar], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v, json!(["docs/", "src/a.rs", "src/b.rs"]));
    // With a manifest, the union replaces the echo; the sidecar can come from stdin.
    let manifest = p.write_arg("m.json", &valid_manifest().to_string());
    let r = run_stdin(
        &[
            "validate-wave-scope",
            &manifest,
            "--union",
            "-",
            "--assert-disjoint",
            "-",
        ],
        &p,
        &std::fs::read_to_string(&sidecar).unwrap(),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap(),
        json!(["docs/", "src/a.rs", "src/b.rs"])
    );
    // --assert-disjoint alone confirms.
    let r = run(&["validate-wave-scope", "--assert-disjoint", &sidecar], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("2 agents share no path (`a`, `b`)"),
        "{}",
        r.stdout
    );
    let overlapping = p.write_arg(
        "overlap.json",
        r#"[{"id": "a", "files": ["src/a.rs"]}, {"id": "b", "files": ["docs/"]}, {"id": "c", "files": ["src/a.rs"]}]"#,
    );
    let r = run(
        &["validate-wave-scope", "--assert-disjoint", &overlapping],
        &p,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("agents `a` and `c` both list `src/a.rs`"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    // A union entry the manifest rules refuse fails the union.
    let bad = p.write_arg("bad-side.json", r#"[{"id": "a", "files": ["../x.rs"]}]"#);
    let r = run(&["validate-wave-scope", "--union", &bad], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("climbs with `..`"), "{}", r.stderr);

    // --assert-subset: every path of the agent must be allowed.
    let inside = p.write_arg(
        "agent-ok.json",
        r#"["src/x/y.rs", "docs/a.md", "/opt/shared/n.txt"]"#,
    );
    let r = run(
        &["validate-wave-scope", &manifest, "--assert-subset", &inside],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let outside = p.write_arg(
        "agent-bad.json",
        r#"["src/x/y.rs", "lib/z.rs", "/opt/shared/n.md"]"#,
    );
    let r = run(
        &[
            "validate-wave-scope",
            &manifest,
            "--assert-subset",
            &outside,
        ],
        &p,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("error: `lib/z.rs` (in `"), "{}", r.stderr);
    assert!(
        r.stderr.contains("error: `/opt/shared/n.md` (in `"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("src/x/y.rs"), "{}", r.stderr);
    // Two inputs cannot both be stdin.
    let r = run_stdin(&["validate-wave-scope", "-", "--union", "-"], &p, "[]");
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("only one input can come from stdin"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------
// check-path
// ---------------------------------------------------------------------------------------

#[test]
fn check_path_allow_and_deny_side_by_side() {
    let p = TempProject::new();
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--paths",
            "src/**",
            "docs/",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");

    let r = run(&["check-path", "src/a/b.rs"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("decision:  allow\n"), "{}", r.stdout);
    assert!(r.stdout.contains("matches:   `src/**`\n"), "{}", r.stdout);
    assert!(r.stdout.contains("relative:  src/a/b.rs\n"), "{}", r.stdout);
    assert!(r.stdout.contains("inside:    yes\n"), "{}", r.stdout);
    let r = run(&["check-path", "lib/a.rs"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.starts_with("decision:  deny\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("matches:   none of the allowed paths\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("`lib/a.rs` is not in this wave's allowed paths"),
        "{}",
        r.stdout
    );

    // Absolute spellings and `..` resolve as the enforcer resolves them.
    let abs = p.path().join("docs/x.md").to_string_lossy().into_owned();
    let r = run(&["check-path", &abs], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("matches:   `docs/`\n"), "{}", r.stdout);
    let r = run(&["check-path", "src/../lib/a.rs"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("relative:  lib/a.rs\n"), "{}", r.stdout);

    // Outside the project (and not scratch space): denied; /tmp-like scratch: allowed.
    let r = run(&["check-path", "/srv/so-cli-test-outside/x.txt"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("inside:    no\n"), "{}", r.stdout);
    assert!(r.stdout.contains("(outside the project)"), "{}", r.stdout);
    let r = run(&["check-path", "/dev/null"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("exempt:    temporary or device file"),
        "{}",
        r.stdout
    );

    // The manifest itself: protected for everyone, with or without a wave.
    let r = run(&["check-path", ".claude/wave-scope.json"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout
            .contains("protected: `.claude/wave-scope.json` is the wave-scope manifest"),
        "{}",
        r.stdout
    );
    let r = run(&["check-path", "--json", "src/a.rs"], &p);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["protection"], Value::Null);
    assert_eq!(v["matches"], json!(["src/**"]));
    assert_eq!(v["insideProject"], true);

    // Warn enforcement: allowed with a warning (exit 0).
    let r = run(
        &[
            "wave-scope",
            "write",
            "--wave",
            "2",
            "--role",
            "Impl-Core",
            "--enforcement",
            "warn",
            "--paths",
            "src/**",
        ],
        &p,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = run(&["check-path", "lib/a.rs"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("decision:  warn\n"), "{}", r.stdout);

    // No manifest: nothing is enforced, but the guards still protect themselves.
    assert_eq!(run(&["wave-scope", "clear"], &p).code, Some(0));
    let r = run(&["check-path", "lib/a.rs"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("manifest:  none: nothing is enforced\n"),
        "{}",
        r.stdout
    );
    let r = run(&["check-path", ".claude/settings.json"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout.contains("configures or records the guards"),
        "{}",
        r.stdout
    );
    let r = run(&["check-path", ".codex/wave-scope.json"], &p);
    assert_eq!(r.code, Some(1), "{r:?}");
    // Moving or removing the directory that holds them takes them away just the same.
    for dir in [".claude", ".orchestrator/policy"] {
        let r = run(&["check-path", dir], &p);
        assert_eq!(r.code, Some(1), "{dir}: {r:?}");
        assert!(
            r.stdout.contains(&format!("protected: `{dir}` holds `"))
                || r.stdout
                    .contains(&format!("protected: `{dir}/` configures")),
            "{}",
            r.stdout
        );
    }
    for free in [".claudex", ".orchestrator/policy-notes", ".claude/agents"] {
        let r = run(&["check-path", free], &p);
        assert_eq!(r.code, Some(0), "{free}: {r:?}");
        assert!(r.stdout.contains("protected: no\n"), "{}", r.stdout);
    }
}

#[test]
fn check_path_with_a_broken_manifest_and_bad_arguments() {
    let p = TempProject::new();
    p.write(".claude/wave-scope.json", "[]");
    let r = run(&["check-path", "src/a.rs"], &p);
    assert_eq!(
        r.code,
        Some(1),
        "a broken manifest denies every write: {r:?}"
    );
    assert!(r.stdout.contains("manifest:  broken:"), "{}", r.stdout);
    // The other client's directory is not consulted.
    let r = run(&["check-path", "--client", "codex", "src/a.rs"], &p);
    assert_eq!(r.code, Some(0), "{r:?}");

    let r = run(&["check-path"], &p);
    assert_eq!(r.code, Some(64), "{r:?}");
    let r = run(&["check-path", "a", "b"], &p);
    assert_eq!(r.code, Some(64), "{r:?}");
    let r = run(&["check-path", "--client", "", "a"], &p);
    assert_eq!(r.code, Some(64), "{r:?}");
    assert!(r.stderr.contains("empty value"), "{}", r.stderr);
}
