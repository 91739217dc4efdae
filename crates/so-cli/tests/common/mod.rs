//! Test support shared by the CLI's integration tests: a throw-away project directory and
//! runs of the built `session-orchestrator` in a clean environment.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_session-orchestrator");

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throw-away directory under the system temp dir for one test, removed on drop.
pub struct TempProject {
    root: PathBuf,
}

impl TempProject {
    /// A fresh project: an empty directory with a `.git` directory, so a project root.
    pub fn new() -> Self {
        let project = Self::empty();
        std::fs::create_dir_all(project.root.join(".git")).unwrap();
        project
    }

    /// A fresh, empty directory (no `.git`), for trees that are not meant to be a project.
    pub fn empty() -> Self {
        // Test binary, process and counter in the name: parallel tests never share one.
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!(
            "so-cli-{}-{}-{n}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        // Canonical, so it compares equal to the paths the CLI prints.
        Self {
            root: std::fs::canonicalize(&root).unwrap(),
        }
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Writes `text` to `rel`, creating parent directories; returns the file's path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The text of a file in the project.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The documents of the JSON-lines file `rel` (none when it is missing).
    pub fn jsonl(&self, rel: &str) -> Vec<Value> {
        std::fs::read_to_string(self.root.join(rel))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{rel}: {e}: {l:?}")))
            .collect()
    }

    /// `text` with every spelling of the project path replaced by `[PROJECT]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if let Ok(canonical) = std::fs::canonicalize(&self.root) {
            out = out.replace(&*canonical.to_string_lossy(), "[PROJECT]");
        }
        out.replace(&*self.root.to_string_lossy(), "[PROJECT]")
    }

    /// Runs the CLI in the project directory (see [`run_cli`]).
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> CliRun {
        run_cli(&self.root, args, env, stdin)
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What one run of the CLI printed and returned.
#[derive(Debug)]
pub struct CliRun {
    /// `None` when the process died from a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl CliRun {
    /// Whether the run exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout parsed as one JSON document; panics with the whole run otherwise.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// stdout as exactly one line holding one JSON document.
    pub fn json_line(&self) -> Value {
        assert_eq!(
            self.stdout.matches('\n').count(),
            1,
            "one line: {}",
            self.stdout
        );
        self.json()
    }
}

/// Waits for concurrent CLI processes (stderr piped) and asserts each exited 0.
pub fn assert_all_succeed(children: Vec<Child>, what: &str) {
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{what}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Whether a variable of the test's own environment could change what the CLI does.
fn leaks_into_the_cli(name: &str) -> bool {
    // The client (`CLAUDECODE`, `CODEX_*`, `CURSOR_*`), the session, git, colour.
    matches!(name, "CLAUDECODE" | "CLAUDE_CODE_SESSION_ID" | "NO_COLOR")
        || name.starts_with("CODEX_")
        || name.starts_with("CURSOR_")
        || name.starts_with("GIT_")
}

/// The built CLI with `args` in `cwd`, the test's leaky variables removed, then `env` set.
pub fn cli_command(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(cwd);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if leaks_into_the_cli(&k) {
            cmd.env_remove(&*k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd
}

/// Runs the built CLI like [`cli_command`] with `stdin` and collects what it did.
pub fn run_cli(cwd: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> CliRun {
    let mut child = cli_command(cwd, args, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read stdin may exit first: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    CliRun {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout must be UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
