//! `hooks/run`, the launcher every `hooks.json` handler goes through, on its own: where it
//! looks for a hook binary and in which order, that it passes stdin, stdout and the exit
//! code through, and that a missing guard binary blocks in every client's terms while a
//! missing informational hook stays silent. No client needed; fake binaries are tiny
//! scripts that say which copy ran.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use so_e2e::process::{self, Output};
use so_e2e::repo;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

const CLAUDE_PRE_TOOL_USE: &str = r#"{"session_id":"s","transcript_path":"/t","cwd":"/","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"toolu_1"}"#;
const CODEX_PRE_TOOL_USE: &str = r#"{"session_id":"s","turn_id":"t","transcript_path":null,"cwd":"/","hook_event_name":"PreToolUse","model":"m","permission_mode":"bypassPermissions","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"call_1"}"#;
const CURSOR_BEFORE_SHELL: &str = r#"{"conversation_id":"c","generation_id":"g","hook_event_name":"beforeShellExecution","command":"ls","cwd":"/","workspace_roots":["/"]}"#;
const CLAUDE_PERMISSION_REQUEST: &str = r#"{"session_id":"s","transcript_path":"/t","cwd":"/","hook_event_name": "PermissionRequest","tool_name":"Bash","tool_input":{"command":"ls"}}"#;

/// A scratch layout: a plugin root with `hooks/run` copied in, a `HOME` and a `PATH` folder.
struct Layout {
    dir: PathBuf,
    root: PathBuf,
    home: PathBuf,
    path_dir: PathBuf,
}

impl Layout {
    fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("so-e2e-launcher-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = dir.join("plugin root");
        let home = dir.join("home");
        let path_dir = dir.join("path");
        for d in [root.join("hooks"), home.clone(), path_dir.clone()] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::copy(repo::root().join("hooks/run"), root.join("hooks/run")).unwrap();
        Self {
            dir,
            root,
            home,
            path_dir,
        }
    }

    /// Puts a fake hook binary at `path` that prints `label`, then stdin, and exits 7.
    fn fake_binary(path: &Path, label: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            format!("#!/bin/sh\nprintf '%s:' '{label}'\ncat\nexit 7\n"),
        )
        .unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Runs `hooks/run ARGS` with `stdin`, in a clean environment.
    fn run(&self, args: &[&str], stdin: &str, plugin_root_var: Option<&str>) -> Output {
        let mut command = Command::new(self.root.join("hooks/run"));
        command
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", format!("{}:/usr/bin:/bin", self.path_dir.display()));
        if let Some(var) = plugin_root_var {
            command.env(var, &self.root);
        }
        // A script written a moment ago can still be open for writing in a child that
        // another test thread forked meanwhile (the fd is inherited until that child execs):
        // exec then fails with ETXTBSY. Retry briefly; every other error is real.
        for _ in 0..50 {
            match process::run_with_stdin(
                &mut command,
                Some(stdin.as_bytes()),
                Duration::from_secs(10),
            ) {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other.unwrap(),
            }
        }
        panic!(
            "{} stayed busy (ETXTBSY)",
            self.root.join("hooks/run").display()
        )
    }

    fn guard(&self, stdin: &str) -> Output {
        self.run(&["destructive-guard"], stdin, Some("CLAUDE_PLUGIN_ROOT"))
    }
}

impl Drop for Layout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn code(out: &Output) -> Option<i32> {
    out.status.and_then(|s| s.code())
}

#[test]
fn binaries_are_found_in_order_target_bin_cargo_path() {
    let l = Layout::new();
    let places = [
        (l.root.join("target/release/destructive-guard"), "target"),
        (l.root.join("bin/destructive-guard"), "bin"),
        (l.home.join(".cargo/bin/destructive-guard"), "cargo"),
        (l.path_dir.join("destructive-guard"), "path"),
    ];
    for (path, label) in &places {
        Layout::fake_binary(path, label);
    }
    for (path, label) in &places {
        let out = l.guard("payload");
        assert_eq!(out.stdout, format!("{label}:payload"), "{}", out.describe());
        assert_eq!(code(&out), Some(7), "the exit code must pass through");
        std::fs::remove_file(path).unwrap();
    }
    let out = l.guard(CLAUDE_PRE_TOOL_USE);
    assert_eq!(code(&out), Some(2), "{}", out.describe());
}

#[test]
fn a_file_without_the_executable_bit_is_skipped() {
    let l = Layout::new();
    let target = l.root.join("target/release/destructive-guard");
    Layout::fake_binary(&target, "target");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    Layout::fake_binary(&l.root.join("bin/destructive-guard"), "bin");
    assert_eq!(l.guard("x").stdout, "bin:x");
}

#[test]
fn the_plugin_root_comes_from_claude_plugin_root_plugin_root_or_the_script() {
    let l = Layout::new();
    Layout::fake_binary(&l.root.join("target/release/destructive-guard"), "target");
    for var in [Some("CLAUDE_PLUGIN_ROOT"), Some("PLUGIN_ROOT"), None] {
        let out = l.run(&["destructive-guard"], "x", var);
        assert_eq!(
            out.stdout,
            "target:x",
            "root from {var:?}: {}",
            out.describe()
        );
    }
}

#[test]
fn a_missing_guard_blocks_with_exit_2_and_the_build_command_for_every_client() {
    let l = Layout::new();
    let build = format!("cd \"{}\" && cargo build --release", l.root.display());
    for payload in [
        CLAUDE_PRE_TOOL_USE,
        CODEX_PRE_TOOL_USE,
        CURSOR_BEFORE_SHELL,
        "",
        "not json",
    ] {
        let out = l.guard(payload);
        assert_eq!(code(&out), Some(2), "{payload}: {}", out.describe());
        assert!(out.stdout.is_empty(), "{payload}: {}", out.describe());
        assert!(
            out.stderr.contains("destructive-guard is not built") && out.stderr.contains(&build),
            "{payload}: {}",
            out.describe()
        );
    }
}

#[test]
fn a_missing_guard_denies_a_permission_request_in_json() {
    let l = Layout::new();
    let out = l.guard(CLAUDE_PERMISSION_REQUEST);
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let decision = &json["hookSpecificOutput"]["decision"];
    assert_eq!(
        json["hookSpecificOutput"]["hookEventName"],
        "PermissionRequest"
    );
    assert_eq!(decision["behavior"], "deny");
    assert!(
        decision["message"].as_str().unwrap().contains(&format!(
            "cd \"{}\" && cargo build --release",
            l.root.display()
        )),
        "{json}"
    );
}

/// Inside a string value every quote is escaped, so a command cannot pass for the event.
#[test]
fn a_command_that_mentions_permission_request_still_gets_exit_2() {
    let l = Layout::new();
    let payload = serde_json::json!({"session_id": "s", "transcript_path": "/t", "cwd": "/",
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "echo '\"hook_event_name\":\"PermissionRequest\"'"}})
    .to_string();
    let out = l.guard(&payload);
    assert_eq!(code(&out), Some(2), "{}", out.describe());
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_informational_hook_is_silent() {
    let l = Layout::new();
    let out = l.run(
        &["noop-hook"],
        CLAUDE_PRE_TOOL_USE,
        Some("CLAUDE_PLUGIN_ROOT"),
    );
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        out.describe()
    );
}

/// A missing informational hook says so once per session, at `SessionStart`, where the
/// user sees a `systemMessage`; the silent case above is the control.
#[test]
fn a_missing_informational_hook_gives_one_notice_at_session_start() {
    let l = Layout::new();
    let start = serde_json::json!({"session_id": "s", "transcript_path": "/t", "cwd": "/",
        "hook_event_name": "SessionStart", "source": "startup"})
    .to_string();
    let out = l.run(&["session-events"], &start, Some("CLAUDE_PLUGIN_ROOT"));
    assert_eq!(code(&out), Some(0), "{}", out.describe());
    let notice: serde_json::Value = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {}", out.describe()));
    let message = notice["systemMessage"].as_str().unwrap_or_default();
    assert!(
        message.contains("session-events is not built")
            && message.contains("cargo build --release"),
        "{}",
        out.describe()
    );
    assert_eq!(notice.as_object().map(serde_json::Map::len), Some(1));
}

/// A typo in `hooks.json` or a hostile name must not turn a guard into a silent allow.
#[test]
fn missing_unknown_or_malformed_names_block() {
    let l = Layout::new();
    for args in [
        &[][..],
        &[""],
        &["destructive-gaurd"],
        &["Destructive-Guard"],
        &["../bin/destructive-guard"],
        &["destructive-guard;id"],
    ] {
        let out = l.run(args, CLAUDE_PRE_TOOL_USE, Some("CLAUDE_PLUGIN_ROOT"));
        assert_eq!(code(&out), Some(2), "{args:?}: {}", out.describe());
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn the_launcher_is_an_executable_posix_sh_script() {
    let run = repo::root().join("hooks/run");
    let mode = std::fs::metadata(&run).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o111,
        0o111,
        "hooks/run must be executable by everyone"
    );
    let text = std::fs::read_to_string(&run).unwrap();
    assert!(
        text.starts_with("#!/bin/sh\n"),
        "hooks/run must run under /bin/sh"
    );
    for shell in ["sh", "dash", "bash"] {
        let out = process::run(
            Command::new(shell).args(["-n"]).arg(&run),
            Duration::from_secs(10),
        );
        if let Ok(out) = out {
            assert!(
                out.success() || out.stderr.contains("not found"),
                "{shell} -n: {}",
                out.describe()
            );
        }
    }
}
