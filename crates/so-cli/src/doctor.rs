//! `session-orchestrator doctor`: checks one machine's installation — the hook binaries
//! (found where `hooks/run` looks, not older than the sources), the launcher, a sample
//! payload through each binary, and for each client on PATH whether the plugin is installed
//! and enabled, whether the client's own copy of the plugin finds a guard that denies, and
//! (Codex) whether its hooks are trusted: Codex skips untrusted hooks silently.
//!
//! Exit codes: 0 no failure, 1 a failed check, 64 bad arguments or no plugin root.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::client_plugins;
use crate::emit;
use crate::install::{HOOKS, find_on_path, flag_value, is_executable, plugin_root, shell_quote};
use crate::usage_error as usage;

/// How long doctor lets a hook binary answer a sample payload.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

struct Report(Vec<(Status, String)>);

impl Report {
    fn add(&mut self, status: Status, message: impl Into<String>) {
        self.0.push((status, message.into()));
    }
    fn count(&self, status: Status) -> usize {
        self.0.iter().filter(|(s, _)| *s == status).count()
    }
}

/// `session-orchestrator doctor [--plugin-root DIR] [--json]`.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut root_arg: Option<&str> = None;
    let mut as_json = false;
    let mut project_arg: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--plugin-root" => match flag_value(args, &mut i, "--plugin-root") {
                Ok(v) => root_arg = Some(v),
                Err(e) => return usage(&e),
            },
            "--project" => match flag_value(args, &mut i, "--project") {
                Ok(v) => project_arg = Some(PathBuf::from(v)),
                Err(e) => return usage(&e),
            },
            "--json" => as_json = true,
            other => return usage(&format!("doctor: unexpected argument `{other}`")),
        }
        i += 1;
    }
    let root = match plugin_root(root_arg) {
        Ok(root) => root,
        Err(e) => return usage(&e),
    };

    let project = project_arg
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| root.clone());
    let project = std::fs::canonicalize(&project).unwrap_or(project);
    let mut report = Report(Vec::new());
    report.add(Status::Pass, format!("plugin root {}", root.display()));
    check_launcher(&root, &mut report);
    let newest = newest_source(&root);
    let mut found = Vec::new();
    for name in HOOKS {
        found.push((name, check_binary(&root, name, newest, &mut report)));
    }
    for (name, bin) in &found {
        check_sample(name, bin.as_deref(), &mut report);
    }
    check_cli_for_agents(&root, &mut report);
    check_cursor(&root, &project, &mut report);
    match find_on_path("claude") {
        Some(claude) => check_claude(&claude, &root, &mut report),
        None => report.add(
            Status::Warn,
            "claude is not on PATH: Claude Code checks skipped (install it to use the plugin with it)",
        ),
    }
    match find_on_path("codex") {
        Some(codex) => check_codex(&codex, &root, &project, &mut report),
        None => report.add(
            Status::Warn,
            "codex is not on PATH: Codex checks skipped (install it to use the plugin with it)",
        ),
    }

    let (passed, warnings, failed) = (
        report.count(Status::Pass),
        report.count(Status::Warn),
        report.count(Status::Fail),
    );
    if as_json {
        let checks: Vec<Value> = report
            .0
            .iter()
            .map(|(s, m)| json!({"status": s.label(), "message": m}))
            .collect();
        let doc = json!({
            "root": root.to_string_lossy(),
            "valid": failed == 0,
            "checks": checks,
            "passed": passed,
            "warnings": warnings,
            "failed": failed,
        });
        let mut text = serde_json::to_string_pretty(&doc)
            .unwrap_or_else(|_| unreachable!("a JSON value always serialises"));
        text.push('\n');
        emit(&text);
    } else {
        let mut out = String::new();
        for (status, message) in &report.0 {
            let _ = writeln!(out, "{}: {message}", status.label());
        }
        let _ = writeln!(
            out,
            "\n{passed} passed, {warnings} warnings, {failed} failed"
        );
        emit(&out);
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn check_launcher(root: &Path, report: &mut Report) {
    let run = root.join("hooks/run");
    if is_executable(&run) {
        report.add(Status::Pass, format!("{} is executable", run.display()));
    } else if run.is_file() {
        report.add(
            Status::Fail,
            format!(
                "{} is not executable (chmod +x {})",
                run.display(),
                shell_quote(&run.to_string_lossy())
            ),
        );
    } else {
        report.add(Status::Fail, format!("{} is missing", run.display()));
    }
}

/// The newest modification time of a file under `<root>/crates/*/src`.
fn newest_source(root: &Path) -> Option<SystemTime> {
    fn walk(dir: &Path, newest: &mut Option<SystemTime>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                walk(&entry.path(), newest);
            } else if let Ok(time) = meta.modified() {
                *newest = Some(newest.map_or(time, |n| n.max(time)));
            }
        }
    }
    let mut newest = None;
    let crates = std::fs::read_dir(root.join("crates")).ok()?;
    for krate in crates.flatten() {
        walk(&krate.path().join("src"), &mut newest);
    }
    newest
}

/// Finds hook NAME where `hooks/run` looks for it and reports whether it is stale.
fn check_binary(
    root: &Path,
    name: &str,
    newest: Option<SystemTime>,
    report: &mut Report,
) -> Option<PathBuf> {
    let mut candidates = vec![
        root.join("target/release").join(name),
        root.join("bin").join(name),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin").join(name));
    }
    let Some(bin) = candidates
        .into_iter()
        .find(|p| is_executable(p))
        .or_else(|| find_on_path(name))
    else {
        report.add(
            Status::Fail,
            format!(
                "{name} not found in {}/target/release, ~/.cargo/bin or PATH (build: cd {} && cargo build --release)",
                root.display(),
                shell_quote(&root.to_string_lossy())
            ),
        );
        return None;
    };
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    match (built, newest) {
        (Some(built), Some(newest)) if built < newest => report.add(
            Status::Warn,
            format!(
                "{name} at {} is stale (older than the newest source under crates/*/src), rebuild with cargo build --release",
                bin.display()
            ),
        ),
        _ => report.add(Status::Pass, format!("{name} found at {}", bin.display())),
    }
    Some(bin)
}

/// What a hook binary printed and how it ended.
struct Answer {
    code: Option<i32>,
    stdout: String,
}

/// Runs BIN with PAYLOAD on stdin in DIR, killing it after [`SAMPLE_TIMEOUT`].
fn run_sample(bin: &Path, payload: &str, dir: &Path) -> Result<Answer, String> {
    run_sample_with(Command::new(bin), payload, dir)
}

/// [`run_sample`] for a prepared command (a launcher with its argument and environment).
fn run_sample_with(mut command: Command, payload: &str, dir: &Path) -> Result<Answer, String> {
    let mut child = command
        .current_dir(dir)
        .env("CLAUDE_PROJECT_DIR", dir)
        .env_remove("CURSOR_PROJECT_DIR")
        .env_remove("CLAUDE_CODE_SESSION_ID")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(payload.as_bytes());
    }
    let reader = client_plugins::drain(child.stdout.take());
    let Some(status) = client_plugins::wait_with_limit(&mut child, SAMPLE_TIMEOUT) else {
        return Err(format!(
            "no answer within {} s (killed)",
            SAMPLE_TIMEOUT.as_secs()
        ));
    };
    let stdout = reader.join().unwrap_or_default();
    Ok(Answer {
        code: status.code(),
        stdout,
    })
}

/// A Claude Code payload for EVENT in DIR with the extra fields.
fn payload(dir: &Path, event: &str, extra: &Value) -> String {
    let mut doc = json!({
        "session_id": "so-doctor",
        "transcript_path": null,
        "cwd": dir.to_string_lossy(),
        "hook_event_name": event,
    });
    if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, extra) {
        for (k, v) in extra {
            doc.insert(k.clone(), v.clone());
        }
    }
    doc.to_string()
}

fn shell_payload(dir: &Path, command: &str) -> String {
    payload(
        dir,
        "PreToolUse",
        &json!({"tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": "t1"}),
    )
}

fn describe(answer: &Answer) -> String {
    let code = answer
        .code
        .map_or_else(|| "none".to_string(), |c| c.to_string());
    let out = answer.stdout.trim();
    if out.is_empty() {
        format!("exit {code}, empty stdout")
    } else {
        let short: String = out.chars().take(160).collect();
        format!("exit {code}, stdout {short}")
    }
}

fn is_json_deny(stdout: &str) -> bool {
    serde_json::from_str::<Value>(stdout.trim()).is_ok_and(|v| {
        v.pointer("/hookSpecificOutput/permissionDecision")
            .and_then(Value::as_str)
            == Some("deny")
    })
}

/// A temporary project directory, removed on drop.
struct TempProject(PathBuf);

impl TempProject {
    fn new(name: &str) -> std::io::Result<TempProject> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("so-doctor-{name}-{}-{nanos}", std::process::id()));
        // A `.git` makes the folder its own project root: without it the hooks would take
        // the nearest repository above the temp dir (TMPDIR may lie inside one) and record
        // the samples in that project's `.orchestrator/`.
        std::fs::create_dir_all(dir.join(".git"))?;
        Ok(TempProject(dir))
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether a sample's answer is the expected one.
type Expect = fn(&Answer) -> bool;

/// Runs the sample payloads of hook NAME and reports each as a `sample` line.
fn check_sample(name: &str, bin: Option<&Path>, report: &mut Report) {
    let Some(bin) = bin else {
        report.add(
            Status::Fail,
            format!("sample {name}: not run, the binary is missing"),
        );
        return;
    };
    let project = match TempProject::new(name) {
        Ok(p) => p,
        Err(e) => {
            report.add(
                Status::Fail,
                format!("sample {name}: cannot create a temp project: {e}"),
            );
            return;
        }
    };
    let dir = project.0.as_path();
    let cases: Vec<(String, String, Expect)> = match name {
        "destructive-guard" => vec![
            (
                "denies `git reset --hard` with a JSON deny".into(),
                shell_payload(dir, "git reset --hard"),
                |a| a.code == Some(0) && is_json_deny(&a.stdout),
            ),
            (
                "allows `git status` with empty stdout".into(),
                shell_payload(dir, "git status"),
                |a| a.code == Some(0) && a.stdout.trim().is_empty(),
            ),
        ],
        "scope-enforcer" => vec![(
            "allows a Write in a project with no wave manifest".into(),
            payload(
                dir,
                "PreToolUse",
                &json!({
                    "tool_name": "Write",
                    "tool_input": {"file_path": dir.join("notes.txt").to_string_lossy(), "content": "x\n"},
                    "tool_use_id": "t1",
                }),
            ),
            |a| a.code == Some(0) && !is_json_deny(&a.stdout),
        )],
        _ => vec![(
            "exits 0 on a Stop payload".into(),
            payload(dir, "Stop", &json!({"stop_hook_active": false})),
            |a| a.code == Some(0),
        )],
    };
    for (what, input, expect) in cases {
        match run_sample(bin, &input, dir) {
            Ok(answer) if expect(&answer) => {
                report.add(Status::Pass, format!("sample {name} {what}"));
            }
            Ok(answer) => report.add(
                Status::Fail,
                format!("sample {name} {what}: got {}", describe(&answer)),
            ),
            Err(e) => report.add(Status::Fail, format!("sample {name} {what}: {e}")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// the clients' own view

/// Claude Code: installed and enabled (`claude plugin list --json`), and its copy works.
fn check_claude(claude: &Path, root: &Path, report: &mut Report) {
    let list = match client_plugins::claude_installed(claude) {
        Ok(list) => list,
        Err(e) => {
            report.add(
                Status::Warn,
                format!("Claude Code: cannot list plugins: {e}"),
            );
            return;
        }
    };
    if list.is_empty() {
        report.add(
            Status::Warn,
            format!(
                "Claude Code: session-orchestrator is not installed (install: session-orchestrator \
                 install claude --run; or for one session: claude --plugin-dir {})",
                shell_quote(&root.to_string_lossy())
            ),
        );
        return;
    }
    for p in &list {
        let scope = p.scope.as_deref().unwrap_or("unknown");
        let version = p.version.as_deref().unwrap_or("no version");
        if p.enabled {
            report.add(
                Status::Pass,
                format!(
                    "Claude Code: {} {version} installed ({scope} scope) and enabled",
                    p.id
                ),
            );
        } else {
            report.add(
                Status::Warn,
                format!(
                    "Claude Code: {} is installed ({scope} scope) but disabled: its hooks do not \
                     run (enable: claude plugin enable {})",
                    p.id, p.id
                ),
            );
        }
        if let Some(copy) = &p.install_path {
            check_installed_copy("Claude Code", &p.id, copy, root, report);
        }
    }
}

/// Codex: installed and enabled (`codex plugin list --json`), every hook of ours trusted
/// for `project` (`codex app-server` `hooks/list`), and its copy works.
fn check_codex(codex: &Path, root: &Path, project: &Path, report: &mut Report) {
    let list = match client_plugins::codex_installed(codex) {
        Ok(list) => list,
        Err(e) => {
            report.add(Status::Warn, format!("Codex: cannot list plugins: {e}"));
            return;
        }
    };
    let Some(p) = list.iter().find(|p| p.enabled).or_else(|| list.first()) else {
        report.add(
            Status::Warn,
            "Codex: session-orchestrator is not installed (install and trust its hooks: \
             session-orchestrator install codex --run --trust)",
        );
        return;
    };
    let version = p.version.as_deref().unwrap_or("no version");
    if !p.enabled {
        report.add(
            Status::Warn,
            format!(
                "Codex: {} is installed but disabled: its hooks do not run",
                p.id
            ),
        );
        return;
    }
    report.add(
        Status::Pass,
        format!("Codex: {} {version} installed and enabled", p.id),
    );
    let hooks = match client_plugins::codex_hooks(codex, project) {
        Ok(hooks) => hooks,
        Err(e) => {
            report.add(
                Status::Fail,
                format!("Codex: cannot ask which hooks it trusts: {e}"),
            );
            return;
        }
    };
    let ours: Vec<_> = hooks
        .iter()
        .filter_map(|h| h.ours(&HOOKS).map(|(copy, _)| (h, copy)))
        .collect();
    if ours.is_empty() {
        report.add(
            Status::Fail,
            format!(
                "Codex lists no session-orchestrator hooks for {} although the plugin is \
                 enabled: nothing is guarded there (reinstall: session-orchestrator install \
                 codex --run --trust)",
                project.display()
            ),
        );
        return;
    }
    let skipped: Vec<String> = ours
        .iter()
        .filter(|(h, _)| !h.runs())
        .map(|(h, _)| format!("{} {} ({})", h.event, hook_name(&h.command), h.trust))
        .collect();
    if skipped.is_empty() {
        report.add(
            Status::Pass,
            format!(
                "Codex: all {} session-orchestrator hooks are trusted for {}",
                ours.len(),
                project.display()
            ),
        );
    } else {
        report.add(
            Status::Fail,
            format!(
                "Codex: {} of {} session-orchestrator hooks are not trusted, and Codex skips \
                 untrusted hooks without a word: {}. Trust them: session-orchestrator install \
                 codex --trust (or /hooks in codex)",
                skipped.len(),
                ours.len(),
                skipped.join(", ")
            ),
        );
    }
    if let Some((_, copy)) = ours.first() {
        check_installed_copy("Codex", &p.id, copy, root, report);
    }
}

/// The hook name at the end of a launcher command, for messages.
fn hook_name(command: &str) -> &str {
    command.rsplit(' ').next().unwrap_or(command)
}

/// The client's own copy of the plugin: its launcher finds a guard that denies
/// `git reset --hard` (exit 0 and a JSON deny, not the launcher's exit-2 "not built" block)
/// and allows `git status`; and its `hooks.json` is the checkout's.
fn check_installed_copy(client: &str, id: &str, copy: &Path, root: &Path, report: &mut Report) {
    let launcher = copy.join("hooks/run");
    if !is_executable(&launcher) {
        report.add(
            Status::Fail,
            format!(
                "{client}: the installed copy {} has no executable hooks/run: reinstall the plugin",
                copy.display()
            ),
        );
        return;
    }
    let project = match TempProject::new("copy") {
        Ok(p) => p,
        Err(e) => {
            report.add(
                Status::Fail,
                format!("{client}: cannot create a temp project: {e}"),
            );
            return;
        }
    };
    let dir = project.0.as_path();
    let run = |command: &str| {
        let mut launch = Command::new(&launcher);
        launch
            .arg("destructive-guard")
            .env("CLAUDE_PLUGIN_ROOT", copy);
        run_sample_with(launch, &shell_payload(dir, command), dir)
    };
    match (run("git reset --hard"), run("git status")) {
        (Ok(deny), Ok(allow))
            if deny.code == Some(0)
                && is_json_deny(&deny.stdout)
                && allow.code == Some(0)
                && allow.stdout.trim().is_empty() =>
        {
            report.add(
                Status::Pass,
                format!(
                    "{client}: its copy ({}) runs the guard: `git reset --hard` denied, `git status` allowed",
                    copy.display()
                ),
            );
        }
        (Ok(deny), Ok(allow)) => report.add(
            Status::Fail,
            format!(
                "{client}: its copy ({}) does not run the guard (`git reset --hard`: {}; `git status`: {}). \
                 The launcher looks in the copy's target/release and bin/, ~/.cargo/bin and PATH: \
                 install the binaries once with cargo install --locked --path {}",
                copy.display(),
                describe(&deny),
                describe(&allow),
                shell_quote(&root.join("crates/so-hooks").to_string_lossy())
            ),
        ),
        (Err(e), _) | (_, Err(e)) => report.add(
            Status::Fail,
            format!("{client}: cannot run its copy's launcher: {e}"),
        ),
    }
    let mine = std::fs::read(root.join("hooks.json")).ok();
    let theirs = std::fs::read(copy.join("hooks.json")).ok();
    if mine.is_some() && mine != theirs {
        report.add(
            Status::Warn,
            format!(
                "{client}: the hooks.json of its copy ({}) differs from this checkout's: the \
                 client runs the hooks of the copy; update {id} (reinstall it)",
                copy.display()
            ),
        );
    }
}

/// The CLI the skills call: in Claude Code the plugin's `bin/session-orchestrator` shim
/// (on the Bash tool's `PATH`) execs `<root>/target/release/session-orchestrator` or
/// `~/.cargo/bin/session-orchestrator`; Codex and Cursor agents need it on `PATH`.
fn check_cli_for_agents(root: &Path, report: &mut Report) {
    let shim = root.join("bin/session-orchestrator");
    let mut places = vec![root.join("target/release/session-orchestrator")];
    if let Some(home) = std::env::var_os("HOME") {
        places.push(Path::new(&home).join(".cargo/bin/session-orchestrator"));
    }
    let built = places.into_iter().find(|p| is_executable(p));
    match (is_executable(&shim), &built) {
        (true, Some(cli)) => report.add(
            Status::Pass,
            format!(
                "the skills' CLI: {} (Claude Code reaches it through the plugin's bin/)",
                cli.display()
            ),
        ),
        (false, _) => report.add(
            Status::Fail,
            format!(
                "{} is missing or not executable: Claude Code agents cannot call the CLI",
                shim.display()
            ),
        ),
        (true, None) => report.add(
            Status::Fail,
            format!(
                "the skills' CLI is not built: cd {} && cargo build --release (or cargo install \
                 --locked --path crates/so-cli)",
                shell_quote(&root.to_string_lossy())
            ),
        ),
    }
    // Codex and Cursor put no plugin folder on the agent's PATH.
    if find_on_path("session-orchestrator").is_none()
        && (find_on_path("codex").is_some() || find_on_path("cursor-agent").is_some())
    {
        report.add(
            Status::Warn,
            format!(
                "session-orchestrator is not on PATH, so Codex and Cursor agents cannot call it: \
                 cargo install --locked --path {}",
                shell_quote(&root.join("crates/so-cli").to_string_lossy())
            ),
        );
    }
}

/// Cursor: when the project has a `.cursor/hooks.json`, every hook `install cursor` writes
/// for this checkout is in it — a guard missing, or without `failClosed` (Cursor then lets
/// the command through when the hook fails), is a failure; a missing informational hook a
/// warning.
fn check_cursor(root: &Path, project: &Path, report: &mut Report) {
    let file = project.join(".cursor/hooks.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return; // Cursor is not set up for this project: nothing to check.
    };
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        report.add(
            Status::Fail,
            format!(
                "Cursor: {} is not valid JSON: Cursor runs none of its hooks",
                file.display()
            ),
        );
        return;
    };
    let mut guards_missing = Vec::new();
    let mut others_missing = Vec::new();
    let expected = crate::install::cursor_entries(root);
    for (event, entry) in &expected {
        let present = doc["hooks"][*event]
            .as_array()
            .is_some_and(|list| list.iter().any(|e| e == entry));
        if present {
            continue;
        }
        let name = entry["command"]
            .as_str()
            .and_then(|c| c.rsplit(' ').next())
            .unwrap_or("?");
        let line = format!("{event} {name}");
        if entry.get("failClosed").is_some() {
            guards_missing.push(line);
        } else {
            others_missing.push(line);
        }
    }
    let fix = format!(
        "session-orchestrator install cursor {}",
        shell_quote(&project.to_string_lossy())
    );
    if !guards_missing.is_empty() {
        report.add(
            Status::Fail,
            format!(
                "Cursor: {} lacks these guards for this checkout (or has them without \
                 failClosed): {} — rewrite it: {fix}",
                file.display(),
                guards_missing.join(", ")
            ),
        );
    } else if !others_missing.is_empty() {
        report.add(
            Status::Warn,
            format!(
                "Cursor: {} lacks {} — rewrite it: {fix}",
                file.display(),
                others_missing.join(", ")
            ),
        );
    } else {
        report.add(
            Status::Pass,
            format!(
                "Cursor: {} runs all {} hooks of this checkout, the guards failClosed",
                file.display(),
                expected.len()
            ),
        );
    }
}
