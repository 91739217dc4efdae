//! Test support shared by the hook binaries' integration tests: throw-away projects, a hook
//! run on a payload, its one-JSON-object answer, and payloads from the captured fixtures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value, json};

/// `HOME` for hooks that classify `~/...`: outside every temp root (not scratch space).
pub const FAKE_HOME: &str = "/home/so-test-user";

/// Where projects outside every temp root live first.
const NON_TEMP_BASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/scope-tests");

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throw-away project (with `.git`, so a project root) for one test, removed on drop.
pub struct TempProject {
    root: PathBuf,
    outside: Option<PathBuf>,
}

impl TempProject {
    /// A project under the (canonical) system temp dir.
    pub fn new() -> Self {
        // Test binary, process and counter in the name: parallel tests never share one.
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        Self::create(
            base.join(format!(
                "so-hooks-{}-{}-{n}",
                env!("CARGO_CRATE_NAME"),
                std::process::id()
            )),
            None,
        )
    }

    /// A project outside every temp root, with an existing [`TempProject::outside`] beside it.
    pub fn outside_temp() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // The workspace's target/ is the first choice; a checkout that itself sits in temp
        // space (CI may clone under /tmp) falls back to the home directory, then /var/cache.
        let temp = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let is_temp =
            |p: &Path| p.starts_with(&temp) || p.starts_with("/tmp") || p.starts_with("/var/tmp");
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let candidates = [
            Some(PathBuf::from(NON_TEMP_BASE)),
            home.map(|h| h.join(".so-scope-tests")),
            Some(PathBuf::from("/var/cache/so-scope-tests")),
        ];
        let base = candidates
            .into_iter()
            .flatten()
            .find_map(|c| {
                std::fs::create_dir_all(&c).ok()?;
                let c = std::fs::canonicalize(&c).ok()?;
                (!is_temp(&c)).then_some(c)
            })
            .expect("no writable directory outside every temp root for these tests");
        let id = format!("{}-{}-{n}", env!("CARGO_CRATE_NAME"), std::process::id());
        let outside = base.join(format!("outside-{id}"));
        let _ = std::fs::remove_dir_all(&outside);
        std::fs::create_dir_all(&outside).unwrap();
        Self::create(base.join(format!("project-{id}")), Some(outside))
    }

    fn create(root: PathBuf, outside: Option<PathBuf>) -> Self {
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        Self { root, outside }
    }

    /// The project root.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The path of `rel` in the project.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The absolute path of `rel` as text, as Claude Code sends it.
    pub fn abs(&self, rel: &str) -> String {
        self.root.join(rel).to_string_lossy().into_owned()
    }

    /// The directory beside a [`TempProject::outside_temp`] project.
    pub fn outside(&self) -> &Path {
        self.outside.as_deref().expect("an outside_temp project")
    }

    /// Writes `text` to `rel` inside the project, creating parent directories.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// The text of `rel`, or empty when it cannot be read.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }

    /// Removes the file `rel`.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root.join(rel)).unwrap();
    }

    /// `text` with the outside directory as `[OUTSIDE]` and the project path as `[PROJECT]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if let Some(outside) = &self.outside {
            out = out.replace(&*outside.to_string_lossy(), "[OUTSIDE]");
        }
        if let Ok(canonical) = std::fs::canonicalize(&self.root) {
            out = out.replace(&*canonical.to_string_lossy(), "[PROJECT]");
        }
        out.replace(&*self.root.to_string_lossy(), "[PROJECT]")
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        for dir in std::iter::once(&self.root).chain(&self.outside) {
            if std::fs::remove_dir_all(dir).is_err() {
                // A test may have taken the permissions away: give them back and retry.
                let _ = Command::new("chmod")
                    .arg("-R")
                    .arg("u+rwX")
                    .arg(dir)
                    .status();
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// What one hook process did.
#[derive(Debug)]
pub struct HookRun {
    /// `None` when the process died from a signal (a crash).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl HookRun {
    /// Exit 0 and nothing on stdout: no answer.
    pub fn assert_silent(&self, what: &str) {
        assert_eq!(
            (self.code, self.stdout.as_str()),
            (Some(0), ""),
            "{what}: expected exit 0 and empty stdout; stderr: {}",
            self.stderr
        );
    }

    /// Exit 0 and exactly one JSON object on stdout.
    pub fn json(&self, what: &str) -> Map<String, Value> {
        assert_eq!(
            self.code,
            Some(0),
            "{what}: expected exit 0; stdout {:?}; stderr {}",
            self.stdout,
            self.stderr
        );
        one_json_object(&self.stdout)
            .unwrap_or_else(|| panic!("{what}: expected a JSON answer, stdout was empty"))
    }
}

/// Runs the hook binary `bin` in `cwd` (as clients do) with `env` added, on `stdin`.
pub fn run_hook(bin: &str, cwd: &Path, env: &[(&str, &str)], stdin: &[u8]) -> HookRun {
    let mut cmd = Command::new(bin);
    cmd.current_dir(cwd).envs(env.iter().copied());
    run_command(cmd, stdin)
}

/// Runs `cmd` with `stdin` on its standard input and collects what it did.
pub fn run_command(mut cmd: Command, stdin: &[u8]) -> HookRun {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    // A separate writer: a large payload must not deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        // The hook may stop reading early; a broken pipe is its business, not a failure.
        let _ = pipe.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    HookRun {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout must be UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `stdout` as exactly one JSON object and a newline, or `None` when empty; panics otherwise.
pub fn one_json_object(stdout: &str) -> Option<Map<String, Value>> {
    if stdout.is_empty() {
        return None;
    }
    assert!(
        stdout.ends_with('\n'),
        "answer must end with a newline: {stdout:?}"
    );
    assert!(
        stdout.starts_with('{'),
        "answer must start with '{{': {stdout:?}"
    );
    let docs: Vec<Value> = serde_json::Deserializer::from_str(stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout:?}"));
    assert_eq!(
        docs.len(),
        1,
        "stdout must hold exactly one JSON value: {stdout:?}"
    );
    match docs.into_iter().next() {
        Some(Value::Object(map)) => Some(map),
        other => panic!("stdout is not a JSON object: {other:?}"),
    }
}

/// One section of a snapshot: exit code and exact stdout, paths redacted.
pub fn section(title: &str, run: &HookRun, project: &TempProject) -> String {
    format!(
        "--- {title}\nexit={}\n{}",
        run.code
            .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        if run.stdout.is_empty() {
            "(empty stdout)\n".to_owned()
        } else {
            project.redact(&run.stdout)
        }
    )
}

/// The text of `rel` in the repository.
pub fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The captured hook payloads (`tests/fixtures/hook-payloads`).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hook-payloads")
}

/// Replaces `from` by `to` in every string of `value`.
pub fn replace_text(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_text(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_text(v, from, to)),
        _ => {}
    }
}

/// A capture's `hook_stdin` with `$SCRATCH` in `project` (`None`: the capture is not stdin).
pub fn try_capture(name: &str, project: &TempProject) -> Option<Value> {
    let text = std::fs::read_to_string(fixtures_dir().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let wrapper: Value = serde_json::from_str(&text).unwrap();
    let mut stdin = wrapper.get("hook_stdin")?.clone();
    replace_text(&mut stdin, "$SCRATCH", &project.path().to_string_lossy());
    Some(stdin)
}

/// A capture's `hook_stdin` with `$SCRATCH` in `project` and `cwd` the project root.
pub fn capture(name: &str, project: &TempProject) -> Value {
    let mut stdin =
        try_capture(name, project).unwrap_or_else(|| panic!("{name} has no hook_stdin"));
    stdin["cwd"] = json!(project.path());
    stdin
}

/// Cursor common fields (reference C.3) for `event`.
pub fn cursor_common(project: &TempProject, event: &str) -> Value {
    json!({
        "conversation_id": "668320d2-2fd8-4888-b33c-2a466fec86e7",
        "generation_id": "490b90b7-a2ce-4c2c-bb76-cb77b125df2f",
        "model": "claude-sonnet-4",
        "cursor_version": "1.7.2",
        "workspace_roots": [project.path()],
        "user_email": null,
        "transcript_path": null,
        "hook_event_name": event,
    })
}

/// Cursor `beforeShellExecution` (reference C.4).
pub fn cursor_shell(project: &TempProject, command: &str) -> Value {
    let mut p = cursor_common(project, "beforeShellExecution");
    p["command"] = json!(command);
    p["cwd"] = json!(project.path());
    p["sandbox"] = json!(false);
    p
}

/// Cursor `preToolUse` of the `Shell` tool (reference C.4).
pub fn cursor_pre_tool_shell(project: &TempProject, command: &str) -> Value {
    let mut p = cursor_common(project, "preToolUse");
    p["tool_name"] = json!("Shell");
    p["tool_input"] = json!({"command": command, "working_directory": project.path()});
    p["tool_use_id"] = json!("tool_1");
    p["cwd"] = json!(project.path());
    p["agent_message"] = json!("running a command");
    p
}

/// Asserts the Codex 0.169 `PreToolUse` output schema (reference D.5).
pub fn assert_codex_pre_tool_use_schema(obj: &Map<String, Value>, what: &str) {
    // An unknown key makes Codex discard the answer and run the tool.
    const TOP: &[&str] = &[
        "continue",
        "stopReason",
        "suppressOutput",
        "systemMessage",
        "decision",
        "reason",
        "hookSpecificOutput",
    ];
    const SPECIFIC: &[&str] = &[
        "hookEventName",
        "permissionDecision",
        "permissionDecisionReason",
        "updatedInput",
        "additionalContext",
    ];
    for key in obj.keys() {
        assert!(
            TOP.contains(&key.as_str()),
            "{what}: Codex rejects top-level key `{key}`"
        );
    }
    if let Some(s) = obj.get("hookSpecificOutput") {
        for key in s.as_object().unwrap().keys() {
            assert!(
                SPECIFIC.contains(&key.as_str()),
                "{what}: Codex rejects hookSpecificOutput key `{key}`"
            );
        }
        // Codex fails open on `ask` and on a decision without a reason.
        assert_ne!(s["permissionDecision"], "ask", "{what}: Codex cannot ask");
        if s.get("permissionDecision").is_some() {
            assert!(
                s["permissionDecisionReason"]
                    .as_str()
                    .is_some_and(|r| !r.trim().is_empty()),
                "{what}: Codex ignores a decision without a reason"
            );
        }
    }
}

/// Asserts only Cursor keys in a `beforeShellExecution` / `preToolUse` answer (reference C.4).
pub fn assert_cursor_keys(obj: &Map<String, Value>, what: &str) {
    for key in obj.keys() {
        assert!(
            ["permission", "user_message", "agent_message"].contains(&key.as_str()),
            "{what}: unexpected Cursor key `{key}`"
        );
    }
}
