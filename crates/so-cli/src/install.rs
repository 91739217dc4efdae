//! `session-orchestrator install`: set the plugin up for a client.
//!
//! - `install cursor [PROJECT] [--plugin-root DIR] [--dry-run]` writes
//!   `PROJECT/.cursor/hooks.json` in Cursor's schema (hook-protocols C.1-C.4), merged with the
//!   entries already there that are not ours, and `PROJECT/.cursor/rules/session-orchestrator.mdc`
//!   (C.6). Cursor runs project hooks from the project root without `CLAUDE_PLUGIN_ROOT`, so
//!   every command names the launcher by its absolute path and sets the variable inline.
//! - `install claude|codex [--plugin-root DIR] [--run]` prints the client's install commands;
//!   `--run` runs them.
//!   `install codex --trust` trusts the plugin's hooks in Codex as its `/hooks` screen does.
//!
//! `doctor` lives in `doctor.rs`. Exit codes: 0 done, 1 failure (an unparseable hooks file, a
//! failed client command, hooks left untrusted), 64 bad arguments or no plugin root.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::client_plugins;
use crate::emit;
use crate::usage_error as usage;

/// The hook binaries `hooks/run` starts (the so-hooks binaries the plugin's hooks name).
pub(crate) const HOOKS: [&str; 4] = [
    "destructive-guard",
    "scope-enforcer",
    "session-events",
    "telemetry",
];

/// Cursor tools that write files or run commands (hook-protocols C.4 `preToolUse` matcher).
const CURSOR_WRITE_TOOLS: &str = "Write|Delete|Shell";

/// Per-hook timeout in seconds: guards as in `hooks.json`, informational hooks shorter.
const GUARD_TIMEOUT: u64 = 10;
const INFO_TIMEOUT: u64 = 5;

const RULE_FILE: &str = "---
description: session-orchestrator — guarded /session → /go → /close loop
alwaysApply: true
---
# session-orchestrator

This project runs with the session-orchestrator hooks (`.cursor/hooks.json`):

- `destructive-guard` checks every shell command and blocks the ones that destroy work
  (`rm -rf` of sources, `git reset --hard`, force pushes, `DROP TABLE`, ...). A block is
  final: ask the user to run the command themselves; never work around the guard.
- `scope-enforcer` keeps each wave's agents inside the files the coordinator assigned, and
  protects the wave manifest, STATE.md, the policy and the hook settings.

The loop:

- `/session` plans the session: reads the project state and agrees the goals and waves.
- `/go` runs the waves: the coordinator assigns files, subagents do the work in parallel.
- `/close` verifies (tests, typecheck, lint), records what was done and commits.

Rules:

- Subagents never stage or commit (`git add`, `git commit`); only the coordinator does, at
  `/close`.
- The wave manifest is written only by `session-orchestrator wave-scope write` (run by the
  coordinator); no tool edits it directly.
";

/// `session-orchestrator install ...`.
pub(crate) fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("cursor") => install_cursor(&args[1..]),
        Some(client @ ("claude" | "codex")) => install_cli(client, &args[1..]),
        Some(other) => usage(&format!(
            "unknown client `{other}` (expected cursor, claude or codex)"
        )),
        None => usage("install needs a client: cursor, claude or codex"),
    }
}

/// Takes the value of a flag that needs one.
pub(crate) fn flag_value<'a>(
    args: &'a [String],
    i: &mut usize,
    flag: &str,
) -> Result<&'a str, String> {
    *i += 1;
    match args.get(*i) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{flag} needs a value")),
    }
}

/// The plugin root: `--plugin-root`, else the directory two levels above the running binary's
/// `target/release` when it holds `hooks/run`.
pub(crate) fn plugin_root(explicit: Option<&str>) -> Result<PathBuf, String> {
    if let Some(dir) = explicit {
        let path = PathBuf::from(dir);
        if !path.join("hooks/run").is_file() {
            return Err(format!(
                "--plugin-root {dir} holds no hooks/run; point it at the session-orchestrator checkout"
            ));
        }
        return Ok(std::fs::canonicalize(&path).unwrap_or(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this binary: {e}"))?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    let root = exe.parent().and_then(Path::parent).and_then(Path::parent);
    match root {
        Some(root) if root.join("hooks/run").is_file() => Ok(root.to_path_buf()),
        _ => Err(format!(
            "cannot find the plugin root from {} (expected <root>/target/release/ with \
             <root>/hooks/run); pass --plugin-root DIR",
            exe.display()
        )),
    }
}

/// Quotes a word for a POSIX shell: bare when it is safe, else in single quotes.
pub(crate) fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@%,".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Always single-quotes (the form the Cursor commands use, so they are recognisable).
fn single_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The Cursor command for hook NAME: like the `hooks.json` handlers, it execs the binary from
/// the first of the launcher's places that holds it (shell builtins in the shell Cursor
/// starts anyway: no second shell on the usual path) and falls back to `hooks/run`. Cursor
/// sets no plugin root, so the command exports it for the hook and the launcher.
fn cursor_command(root: &Path, name: &str) -> String {
    let root = root.to_string_lossy();
    let q = |rel: &str| single_quote(&format!("{root}/{rel}"));
    let (release, bin) = (
        q(&format!("target/release/{name}")),
        q(&format!("bin/{name}")),
    );
    format!(
        "export CLAUDE_PLUGIN_ROOT={}; [ -x {release} ] && exec {release}; [ -x {bin} ] && \
         exec {bin}; [ -x \"$HOME/.cargo/bin/{name}\" ] && exec \"$HOME/.cargo/bin/{name}\"; \
         exec {} {name}",
        single_quote(&root),
        q("hooks/run")
    )
}

/// Whether a Cursor hook entry is one of ours: it runs this root's launcher, or has the exact
/// form we write (from another root, e.g. an older checkout).
fn is_ours(entry: &Value, root: &Path, generated: &Regex) -> bool {
    let Some(command) = entry.get("command").and_then(Value::as_str) else {
        return false;
    };
    let launcher = single_quote(&format!("{}/hooks/run", root.to_string_lossy()));
    command.contains(&launcher) || generated.is_match(command)
}

/// The commands we write for Cursor, from any root: today's form and the launcher-only form
/// of earlier versions (so a reinstall replaces those too).
fn generated_pattern() -> Regex {
    let quoted = r"'(?:[^']|'\\'')*'";
    Regex::new(&format!(
        r"^(?:CLAUDE_PLUGIN_ROOT={quoted} {quoted}|export CLAUDE_PLUGIN_ROOT={quoted}; .* exec {quoted}) (?:{})$",
        HOOKS.join("|")
    ))
    .unwrap_or_else(|_| unreachable!("the pattern is fixed and valid"))
}

/// Our Cursor hooks: (event, hook entry) in the order they are written.
pub(crate) fn cursor_entries(root: &Path) -> Vec<(&'static str, Value)> {
    let hook = |name: &str, guard: bool, matcher: Option<&str>| {
        let mut entry = Map::new();
        entry.insert("command".into(), json!(cursor_command(root, name)));
        if let Some(m) = matcher {
            entry.insert("matcher".into(), json!(m));
        }
        entry.insert(
            "timeout".into(),
            json!(if guard { GUARD_TIMEOUT } else { INFO_TIMEOUT }),
        );
        if guard {
            entry.insert("failClosed".into(), json!(true));
        }
        Value::Object(entry)
    };
    vec![
        (
            "beforeShellExecution",
            hook("destructive-guard", true, None),
        ),
        ("beforeShellExecution", hook("scope-enforcer", true, None)),
        (
            "preToolUse",
            hook("scope-enforcer", true, Some(CURSOR_WRITE_TOOLS)),
        ),
        ("afterFileEdit", hook("scope-enforcer", false, None)),
        ("postToolUse", hook("telemetry", false, None)),
        ("postToolUseFailure", hook("session-events", false, None)),
        ("sessionStart", hook("session-events", false, None)),
        ("sessionEnd", hook("session-events", false, None)),
        ("stop", hook("session-events", false, None)),
        ("subagentStart", hook("telemetry", false, None)),
        ("subagentStop", hook("session-events", false, None)),
        ("subagentStop", hook("telemetry", false, None)),
    ]
}

/// Merges our hooks into an existing Cursor hooks file (or none). Errors describe why the
/// existing text cannot be merged.
fn merge_cursor_hooks(existing: Option<&str>, root: &Path) -> Result<Value, String> {
    let mut doc = match existing {
        None => Map::new(),
        Some(text) if text.trim().is_empty() => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("the top level is not a JSON object".into()),
            Err(e) => return Err(format!("invalid JSON: {e}")),
        },
    };
    let mut hooks = match doc.remove("hooks") {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => return Err("`hooks` is not an object".into()),
    };
    let generated = generated_pattern();
    for (event, entries) in &mut hooks {
        let Value::Array(list) = entries else {
            return Err(format!("`hooks.{event}` is not an array"));
        };
        list.retain(|entry| !is_ours(entry, root, &generated));
    }
    for (event, entry) in cursor_entries(root) {
        let slot = hooks
            .entry(event.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = slot {
            list.push(entry);
        }
    }
    hooks.retain(|_, v| v.as_array().is_none_or(|list| !list.is_empty()));
    doc.insert("version".into(), json!(1));
    doc.insert("hooks".into(), Value::Object(hooks));
    Ok(Value::Object(doc))
}

fn install_cursor(args: &[String]) -> ExitCode {
    let mut project: Option<&str> = None;
    let mut root_arg: Option<&str> = None;
    let mut dry_run = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--plugin-root" => match flag_value(args, &mut i, "--plugin-root") {
                Ok(v) => root_arg = Some(v),
                Err(e) => return usage(&e),
            },
            "--dry-run" => dry_run = true,
            flag if flag.starts_with('-') => {
                return usage(&format!("install cursor: unknown option `{flag}`"));
            }
            dir if project.is_none() => project = Some(dir),
            extra => return usage(&format!("install cursor: unexpected argument `{extra}`")),
        }
        i += 1;
    }
    let root = match plugin_root(root_arg) {
        Ok(root) => root,
        Err(e) => return usage(&e),
    };
    let project = PathBuf::from(project.unwrap_or("."));
    if !project.is_dir() {
        eprintln!("error: {} is not a directory", project.display());
        return ExitCode::from(1);
    }
    let hooks_path = project.join(".cursor/hooks.json");
    let rule_path = project.join(".cursor/rules/session-orchestrator.mdc");

    let existing = match std::fs::read_to_string(&hooks_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", hooks_path.display());
            return ExitCode::from(1);
        }
    };
    let merged = match merge_cursor_hooks(existing.as_deref(), &root) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!(
                "error: {} cannot be merged ({e}); it was left untouched. Fix or move it, then run again.",
                hooks_path.display()
            );
            return ExitCode::from(1);
        }
    };
    let mut hooks_text = serde_json::to_string_pretty(&merged)
        .unwrap_or_else(|_| unreachable!("a JSON value always serialises"));
    hooks_text.push('\n');

    let mut out = String::new();
    let ours = cursor_entries(&root);
    if dry_run {
        let _ = writeln!(
            out,
            "dry run: would write {} ({} session-orchestrator hooks, plugin root {}):",
            hooks_path.display(),
            ours.len(),
            root.display()
        );
        out.push_str(&hooks_text);
        let _ = writeln!(out, "dry run: would write {}:", rule_path.display());
        out.push_str(RULE_FILE);
        emit(&out);
        return ExitCode::SUCCESS;
    }
    for (path, text) in [(&hooks_path, hooks_text.as_str()), (&rule_path, RULE_FILE)] {
        if let Err(e) = write_atomic(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let _ = writeln!(
        out,
        "wrote {} (plugin root {}):",
        hooks_path.display(),
        root.display()
    );
    summarise(&mut out, &ours);
    let _ = writeln!(out, "wrote {}", rule_path.display());
    let _ = writeln!(
        out,
        "Cursor runs project hooks only in trusted workspaces; build the hook binaries once with: cd {} && cargo build --release",
        shell_quote(&root.to_string_lossy())
    );
    emit(&out);
    ExitCode::SUCCESS
}

/// One line per hook we wrote: event, matcher, hook name, failClosed.
fn summarise(out: &mut String, ours: &[(&str, Value)]) {
    for (event, entry) in ours {
        let command = entry.get("command").and_then(Value::as_str).unwrap_or("");
        let name = command.rsplit(' ').next().unwrap_or("");
        let matcher = entry
            .get("matcher")
            .and_then(Value::as_str)
            .map(|m| format!(" [{m}]"))
            .unwrap_or_default();
        let closed = if entry.get("failClosed").is_some() {
            " failClosed"
        } else {
            ""
        };
        let _ = writeln!(out, "  {event}{matcher} -> {name}{closed}");
    }
}

/// Creates the directory and replaces `path` with `text` ([`so_events::replace_file`]):
/// Cursor never reads a half-written hooks file.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    so_events::replace_file(path, text.as_bytes())
}

/// The steps for `install claude|codex`: each an argv.
fn cli_steps(client: &str, root: &Path) -> Vec<Vec<String>> {
    let root = root.to_string_lossy().into_owned();
    let plugin = "session-orchestrator@session-orchestrator".to_string();
    let add = if client == "claude" { "install" } else { "add" };
    vec![
        vec![
            client.to_string(),
            "plugin".into(),
            "marketplace".into(),
            "add".into(),
            root,
        ],
        vec![client.to_string(), "plugin".into(), add.into(), plugin],
    ]
}

fn install_cli(client: &str, args: &[String]) -> ExitCode {
    let mut root_arg: Option<&str> = None;
    let mut run_them = false;
    let mut trust = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--plugin-root" => match flag_value(args, &mut i, "--plugin-root") {
                Ok(v) => root_arg = Some(v),
                Err(e) => return usage(&e),
            },
            "--run" => run_them = true,
            "--trust" if client == "codex" => trust = true,
            other => return usage(&format!("install {client}: unexpected argument `{other}`")),
        }
        i += 1;
    }
    if trust && !run_them {
        // Trusting what is installed needs no checkout.
        return trust_codex();
    }
    let root = match plugin_root(root_arg) {
        Ok(root) => root,
        Err(e) => return usage(&e),
    };
    let steps = cli_steps(client, &root);
    let quoted: Vec<String> = steps
        .iter()
        .map(|argv| {
            argv.iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let root_q = shell_quote(&root.to_string_lossy());

    let mut out = String::new();
    let name = if client == "claude" {
        "Claude Code"
    } else {
        "Codex CLI"
    };
    let _ = writeln!(out, "Install session-orchestrator into {name}:\n");
    let _ = writeln!(
        out,
        "  cd {root_q} && cargo build --release   # the hook binaries, once"
    );
    for step in &quoted {
        let _ = writeln!(out, "  {step}");
    }
    if client == "claude" {
        let _ = writeln!(
            out,
            "\nOr try the checkout for one session without installing:\n\n  claude --plugin-dir {root_q}"
        );
    } else {
        let _ = writeln!(
            out,
            "\nThen trust the hooks once (Codex skips untrusted hooks without a word):\n\n  \
             session-orchestrator install codex --trust   # or in codex: /hooks"
        );
    }
    if !run_them {
        emit(&out);
        return ExitCode::SUCCESS;
    }

    if find_on_path(client).is_none() {
        emit(&out);
        eprintln!("error: `{client}` is not on PATH, so the steps above were not run");
        return ExitCode::from(1);
    }
    let _ = writeln!(out, "\nRunning:");
    emit(&out);
    for (argv, shown) in steps.iter().zip(&quoted) {
        emit(&format!("$ {shown}\n"));
        let status = Command::new(&argv[0]).args(&argv[1..]).status();
        match status {
            Ok(status) if status.success() => emit("exit code 0\n"),
            Ok(status) => {
                let code = status.code().map_or_else(
                    || "none (killed by a signal)".to_string(),
                    |c| c.to_string(),
                );
                emit(&format!("exit code {code}\n"));
                eprintln!("error: `{shown}` failed (exit code {code})");
                return ExitCode::from(1);
            }
            Err(e) => {
                eprintln!("error: cannot run `{shown}`: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if trust {
        return trust_codex();
    }
    if client == "codex" {
        emit(
            "Now trust the hooks: session-orchestrator install codex --trust (or /hooks in codex).\n",
        );
    }
    ExitCode::SUCCESS
}

/// `install codex --trust`: trusts this plugin's hooks in Codex as `/hooks` does. Only hooks
/// of a `session-orchestrator@…` plugin that run its launcher with one of our hook names are
/// trusted; any other hook Codex lists is left as it is.
fn trust_codex() -> ExitCode {
    let Some(codex) = find_on_path("codex") else {
        eprintln!("error: `codex` is not on PATH, so no hook was trusted");
        return ExitCode::from(1);
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let listed = match client_plugins::codex_hooks(&codex, &cwd) {
        Ok(hooks) => hooks,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let ours: Vec<_> = listed
        .into_iter()
        .filter(|h| h.ours(&HOOKS).is_some())
        .collect();
    if ours.is_empty() {
        eprintln!(
            "error: Codex lists no session-orchestrator hooks: install the plugin first \
             (session-orchestrator install codex --run --trust)"
        );
        return ExitCode::from(1);
    }
    let after = match client_plugins::trust_codex_hooks(&codex, &cwd, &ours) {
        Ok(hooks) => hooks,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = String::new();
    let mut left = Vec::new();
    for hook in after.iter().filter(|h| h.ours(&HOOKS).is_some()) {
        let _ = writeln!(out, "{:<9} {} {}", hook.trust, hook.event, hook.command);
        if !hook.runs() {
            left.push(hook.key.clone());
        }
    }
    emit(&out);
    if left.is_empty() {
        emit(&format!(
            "Codex now runs all {} session-orchestrator hooks.\n",
            ours.len()
        ));
        ExitCode::SUCCESS
    } else {
        eprintln!("error: hooks still not trusted: {}", left.join(", "));
        ExitCode::from(1)
    }
}

/// The first executable file NAME on PATH.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

pub(crate) fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a/b-c"), "/a/b-c");
        assert_eq!(shell_quote("/a b"), "'/a b'");
        assert_eq!(single_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn generated_commands_are_recognised_from_any_root() {
        let re = generated_pattern();
        let other = cursor_command(Path::new("/old/it's here"), "telemetry");
        assert!(re.is_match(&other), "{other}");
        assert!(!re.is_match("echo hooks/run telemetry"));
        let entry = json!({"command": other});
        assert!(is_ours(&entry, Path::new("/new"), &re));
        // The launcher-only form of earlier versions is ours too (a reinstall replaces it).
        assert!(re.is_match("CLAUDE_PLUGIN_ROOT='/old' '/old/hooks/run' telemetry"));
        assert!(!re.is_match("CLAUDE_PLUGIN_ROOT='/old' '/old/hooks/run' curl"));
    }

    #[test]
    fn merge_keeps_foreign_and_refuses_bad_shapes() {
        let root = Path::new("/plugin");
        let existing = r#"{"version": 1, "hooks": {"stop": [{"command": "./mine"}]}}"#;
        let merged = merge_cursor_hooks(Some(existing), root).unwrap_or_default();
        let stop = merged.pointer("/hooks/stop").and_then(Value::as_array);
        assert_eq!(stop.map(Vec::len), Some(2));
        assert!(merge_cursor_hooks(Some("[1]"), root).is_err());
        assert!(merge_cursor_hooks(Some(r#"{"hooks": {"stop": 1}}"#), root).is_err());
        assert!(merge_cursor_hooks(Some("{"), root).is_err());
    }
}
