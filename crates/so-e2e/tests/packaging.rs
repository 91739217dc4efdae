//! The plugin packaging at the repository root, checked without a client: the manifests
//! agree with each other and with the workspace, and every `hooks.json` handler has the one
//! shape that works in both Claude Code and Codex. (`claude plugin validate --strict` with
//! the real CLI runs in `claude_code.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use so_e2e::repo::{self, PLUGIN_FILES};

fn json(rel: &str) -> Value {
    let path = repo::root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `[[bin]]` names of `crates/so-hooks/Cargo.toml`.
fn hook_crate_binaries() -> Vec<String> {
    let text = std::fs::read_to_string(repo::root().join("crates/so-hooks/Cargo.toml")).unwrap();
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(rest) = line.strip_prefix("name") {
            let name = rest.trim_start_matches([' ', '=']).trim_matches('"');
            names.push(name.to_owned());
        }
    }
    names
}

/// Every `(event, matcher, handler)` of `hooks.json`.
fn handlers() -> Vec<(String, String, Value)> {
    let hooks = json("hooks.json");
    let mut out = Vec::new();
    for (event, groups) in hooks["hooks"].as_object().unwrap() {
        for group in groups.as_array().unwrap() {
            let matcher = group["matcher"].as_str().unwrap_or_default().to_owned();
            for handler in group["hooks"].as_array().unwrap() {
                out.push((event.clone(), matcher.clone(), handler.clone()));
            }
        }
    }
    out
}

#[test]
fn plugin_manifest_names_the_plugin_and_points_at_the_top_level_hooks_json() {
    let plugin = json(".claude-plugin/plugin.json");
    assert_eq!(plugin["name"], "session-orchestrator");
    assert_eq!(
        plugin["version"],
        env!("CARGO_PKG_VERSION"),
        "plugin version = workspace version"
    );
    assert_eq!(plugin["license"], "MIT");
    assert_eq!(plugin["hooks"], "./hooks.json");
    for field in ["description", "repository"] {
        assert!(
            plugin[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert!(plugin["author"]["name"].is_string());
    assert!(plugin["keywords"].as_array().is_some_and(|k| !k.is_empty()));
    let license = std::fs::read_to_string(repo::root().join("LICENSE")).unwrap();
    assert!(license.starts_with("MIT License"));
}

#[test]
fn marketplace_lists_the_plugin_at_the_repository_root() {
    let market = json(".claude-plugin/marketplace.json");
    let plugin = json(".claude-plugin/plugin.json");
    assert_eq!(market["name"], "session-orchestrator");
    assert!(market["owner"]["name"].is_string());
    assert!(market["description"].is_string());
    let entries = market["plugins"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["name"], plugin["name"]);
    assert_eq!(entry["source"], "./");
    assert_eq!(entry["version"], plugin["version"]);
    assert_eq!(entry["description"], plugin["description"]);
    assert_eq!(entry["author"], plugin["author"]);
}

/// Shell form with the root quoted works in both clients: Claude Code runs it with
/// `/bin/sh -c`, Codex with `$SHELL -lc` after substituting the root; `exec` saves the shell
/// a fork, and the inline `[ -x … ] && exec …` tests spare the usual path the launcher's own
/// shell. The exec form (`command` + `args`) does not work in both: Codex 0.169 ignores
/// `args` and would start `hooks/run` without a hook name.
#[test]
fn every_handler_runs_a_hook_binary_through_the_launcher_with_a_timeout() {
    let bins = hook_crate_binaries();
    let handlers = handlers();
    assert!(!handlers.is_empty());
    let mut named = Vec::new();
    for (event, matcher, handler) in &handlers {
        let at = format!("{event}/{matcher}");
        assert_eq!(handler["type"], "command", "{at}");
        assert!(
            handler.get("args").is_none(),
            "{at}: exec form is ignored by Codex"
        );
        let command = handler["command"].as_str().unwrap();
        let name = repo::handler_name(command).unwrap_or_else(|| {
            panic!(
                "{at}: `{command}` is not the handler shape {}",
                repo::handler_command("NAME")
            )
        });
        assert!(
            bins.iter().any(|b| b == name),
            "{at}: `{name}` is not a so-hooks binary {bins:?}"
        );
        let timeout = handler["timeout"]
            .as_u64()
            .unwrap_or_else(|| panic!("{at}: no timeout"));
        assert!((1..=60).contains(&timeout), "{at}: timeout {timeout}");
        named.push(name.to_owned());
    }
    named.sort();
    named.dedup();
    assert_eq!(named, repo::hook_binaries().unwrap());
}

#[test]
fn the_destructive_guard_guards_bash_before_it_runs() {
    assert!(handlers().iter().any(|(event, matcher, handler)| {
        event == "PreToolUse"
            && matcher == "Bash"
            && handler["command"]
                .as_str()
                .is_some_and(|c| c.ends_with(" destructive-guard"))
    }));
}

#[test]
fn the_staged_plugin_files_exist_and_the_clients_folder_is_ignored() {
    for name in PLUGIN_FILES {
        assert!(repo::root().join(name).exists(), "{name}");
    }
    let gitignore = std::fs::read_to_string(repo::root().join(".gitignore")).unwrap();
    assert!(
        gitignore.lines().any(|l| l.trim() == "/.e2e/"),
        ".e2e/ must be gitignored"
    );
}

/// Whether a so-hooks binary fails closed (a guard), from its own source.
fn fails_closed(name: &str) -> bool {
    let path = repo::root().join(format!("crates/so-hooks/src/bin/{name}.rs"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .contains("FailurePolicy::FailClosed")
}

/// `hooks/run NAME` in a folder without binaries, for one event.
fn run_missing(dir: &std::path::Path, name: &str, event: &str) -> so_e2e::process::Output {
    let payload = serde_json::json!({"session_id": "s", "transcript_path": "/t", "cwd": "/",
        "hook_event_name": event, "tool_name": "Bash", "tool_input": {"command": "ls"}});
    so_e2e::process::run_with_stdin(
        std::process::Command::new(dir.join("hooks/run"))
            .arg(name)
            .env_clear()
            .env("HOME", dir)
            .env("PATH", "/usr/bin:/bin")
            .env("CLAUDE_PLUGIN_ROOT", dir),
        Some(payload.to_string().as_bytes()),
        std::time::Duration::from_secs(10),
    )
    .unwrap()
}

/// With its binary missing, the launcher answers the way the binary itself fails: a guard
/// (`FailurePolicy::FailClosed`) blocks, any other hook stays silent — exit 2 from a
/// recorder would be shown to the user, fed to the model, or on `Stop` make the agent keep
/// going. Checked for every so-hooks binary, wired into `hooks.json` yet or not, and for
/// every event `hooks.json` registers it on.
#[test]
fn with_its_binary_missing_each_hook_fails_the_way_the_binary_does() {
    use std::os::unix::fs::PermissionsExt;

    let dir = std::env::temp_dir().join(format!("so-e2e-packaging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("hooks")).unwrap();
    std::fs::copy(repo::root().join("hooks/run"), dir.join("hooks/run")).unwrap();
    std::fs::set_permissions(
        dir.join("hooks/run"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let handlers = handlers();
    for name in hook_crate_binaries() {
        let mut events: Vec<String> = handlers
            .iter()
            .filter(|(_, _, h)| {
                h["command"]
                    .as_str()
                    .is_some_and(|c| c.ends_with(&format!(" {name}")))
            })
            .map(|(event, _, _)| event.clone())
            .collect();
        events.push("PreToolUse".to_owned());
        for event in events {
            let out = run_missing(&dir, &name, &event);
            let code = out.status.and_then(|s| s.code());
            if fails_closed(&name) {
                assert_eq!(
                    code,
                    Some(2),
                    "{name} on {event}: a missing guard must block\n{}",
                    out.describe()
                );
            } else if event == "SessionStart" {
                // The one notice per session: a systemMessage saying how to build.
                assert!(
                    code == Some(0)
                        && out.stdout.contains("\"systemMessage\"")
                        && out.stdout.contains("cargo build --release")
                        && out.stderr.is_empty(),
                    "{name} on {event}: a missing informational hook gives one notice\n{}",
                    out.describe()
                );
            } else {
                assert!(
                    code == Some(0) && out.stdout.is_empty() && out.stderr.is_empty(),
                    "{name} on {event}: a missing informational hook must stay silent; \
                     add it to the informational list in hooks/run\n{}",
                    out.describe()
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
