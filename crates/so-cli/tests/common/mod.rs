//! Test support shared by the CLI's integration tests: a throw-away project directory.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A project directory (with `.git`) under the system temp dir, removed on drop. The name
/// carries the test binary's name, the process id and a counter, so parallel tests and
/// test binaries never share one.
pub struct TempProject {
    root: PathBuf,
}

impl TempProject {
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!(
            "so-cli-{}-{}-{n}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        Self { root }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// What one run of the CLI printed and returned.
#[derive(Debug)]
pub struct CliRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl TempProject {
    /// The text of a file in the project.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs the built `session-orchestrator` in the project directory with `stdin`, after
    /// removing the variables that select a client (`CLAUDECODE`, `CODEX_*`, `CURSOR_*`) or
    /// a git repository (`GIT_*`), then setting `env`.
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> CliRun {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_session-orchestrator"));
        cmd.args(args).current_dir(&self.root);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k == "CLAUDECODE"
                || k.starts_with("CODEX_")
                || k.starts_with("CURSOR_")
                || k.starts_with("GIT_")
            {
                cmd.env_remove(&*k);
            }
        }
        cmd.envs(env.iter().copied());
        let mut child = cmd
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
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
