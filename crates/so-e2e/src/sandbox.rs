//! One fresh folder per client run: a `home/` that becomes `HOME` (and holds `CODEX_HOME`),
//! a `proj/` the client works in, a `tmp/` for `TMPDIR`, and room for staged plugins. Removed on drop unless
//! `SO_E2E_KEEP` is set.
//!
//! The folders live under `.e2e/runs/` of the repository (or `SO_E2E_DIR`), **not** under
//! the system temp dir: the guard rightly lets an agent delete anything under `/tmp`, so a
//! `HOME` there would make `rm -rf ~/x` harmless and the deny tests meaningless. Before the
//! first run the guard binary itself is asked whether it denies `rm -rf ~/important` in a
//! folder of that place; if not (say the checkout sits under `/tmp` or `target/`), the next
//! candidate is tried: `$HOME/.so-e2e-runs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::{process, repo};

/// Set to keep every run folder for inspection.
pub const KEEP_VAR: &str = "SO_E2E_KEEP";
/// Set to put the run folders somewhere else.
pub const DIR_VAR: &str = "SO_E2E_DIR";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A run folder.
#[derive(Debug)]
pub struct Sandbox {
    /// The folder itself.
    pub dir: PathBuf,
    /// `HOME` of the client (exists, empty).
    pub home: PathBuf,
    /// The client's working directory (exists, a fresh git repository).
    pub proj: PathBuf,
    /// `TMPDIR` of the client, so its scratch files stay in the run folder (exists, empty).
    pub tmp: PathBuf,
}

impl Sandbox {
    /// A fresh run folder named after `label`.
    pub fn new(label: &str) -> Result<Self, String> {
        let root = runs_root()?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = root.join(format!("{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let home = dir.join("home");
        let proj = dir.join("proj");
        let tmp = dir.join("tmp");
        for d in [&home, &proj, &tmp] {
            std::fs::create_dir_all(d).map_err(|e| format!("create {}: {e}", d.display()))?;
        }
        let sandbox = Self {
            dir,
            home,
            proj,
            tmp,
        };
        // A session works in a project: a git repository, so the project root is `proj`
        // (not a repository further up) and `HOME` lies outside it, as on a real machine.
        sandbox.git(&["init", "-q", "."])?;
        Ok(sandbox)
    }

    /// Commits a file `tracked.txt` ("committed\n") in `proj`, then changes it to
    /// "uncommitted change\n" without committing.
    pub fn git_project_with_change(&self) -> Result<PathBuf, String> {
        let file = self.proj.join("tracked.txt");
        write(&file, "committed\n")?;
        self.git(&["add", "tracked.txt"])?;
        self.git(&["commit", "-q", "-m", "initial"])?;
        write(&file, "uncommitted change\n")?;
        Ok(file)
    }

    /// Runs `git ARGS` in `proj` with a fixed identity and no system or user config.
    fn git(&self, args: &[&str]) -> Result<(), String> {
        let out = process::run(
            Command::new("git")
                .args(args)
                .current_dir(&self.proj)
                .env("HOME", &self.home)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "e2e")
                .env("GIT_AUTHOR_EMAIL", "e2e@example.invalid")
                .env("GIT_COMMITTER_NAME", "e2e")
                .env("GIT_COMMITTER_EMAIL", "e2e@example.invalid"),
            Duration::from_secs(30),
        )
        .map_err(|e| format!("git: {e}"))?;
        if out.success() {
            Ok(())
        } else {
            Err(format!("git {args:?} failed:\n{}", out.describe()))
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::env::var_os(KEEP_VAR).is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `text` to `path`, with the path in the error.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// The folder that holds the run folders, chosen (and checked) once per process.
pub fn runs_root() -> Result<PathBuf, String> {
    static ROOT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    ROOT.get_or_init(choose_runs_root).clone()
}

fn choose_runs_root() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = if let Some(dir) = std::env::var_os(DIR_VAR) {
        vec![PathBuf::from(dir)]
    } else {
        let mut c = vec![repo::root().join(".e2e").join("runs")];
        if let Some(home) = std::env::var_os("HOME") {
            c.push(PathBuf::from(home).join(".so-e2e-runs"));
        }
        c
    };
    let guard = repo::built_guard()?;
    let mut tried = Vec::new();
    for candidate in candidates {
        match guard_denies_home_delete_in(&guard, &candidate) {
            Ok(true) => return Ok(candidate),
            Ok(false) => tried.push(format!(
                "{}: the guard allows `rm -rf ~/important` with HOME there (temp space or build output)",
                candidate.display()
            )),
            Err(e) => tried.push(format!("{}: {e}", candidate.display())),
        }
    }
    Err(format!(
        "no usable folder for the end-to-end runs; set {DIR_VAR} to a folder outside temp space. Tried:\n{}",
        tried.join("\n")
    ))
}

/// Asks the guard binary directly whether it denies deleting a home folder when `HOME` is a
/// folder under `root`.
fn guard_denies_home_delete_in(guard: &Path, root: &Path) -> Result<bool, String> {
    let probe = root.join(format!("probe-{}", std::process::id()));
    let home = probe.join("home");
    let proj = probe.join("proj");
    for d in [home.join("important"), proj.join(".git")] {
        std::fs::create_dir_all(&d).map_err(|e| format!("create {}: {e}", d.display()))?;
    }
    let denied = guard_verdict(guard, &home, &proj, "rm -rf ~/important").map(|v| v.denied);
    let _ = std::fs::remove_dir_all(&probe);
    denied
}

/// What the guard binary answered to one Claude Code `PreToolUse` payload.
#[derive(Debug)]
pub struct Verdict {
    /// Whether it denied.
    pub denied: bool,
    /// Its stdout.
    pub stdout: String,
}

/// Runs the guard binary on a Claude Code `PreToolUse` payload for `command`, with `HOME`
/// and the working directory given, in an otherwise empty environment.
pub fn guard_verdict(
    guard: &Path,
    home: &Path,
    cwd: &Path,
    command: &str,
) -> Result<Verdict, String> {
    let payload = json!({
        "session_id": "so-e2e", "transcript_path": "/dev/null", "cwd": cwd,
        "permission_mode": "bypassPermissions", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": "toolu_probe"
    });
    let out = process::run_with_stdin(
        Command::new(guard)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .current_dir(cwd),
        Some(payload.to_string().as_bytes()),
        Duration::from_secs(10),
    )
    .map_err(|e| format!("run {}: {e}", guard.display()))?;
    Ok(Verdict {
        denied: out.stdout.contains(r#""permissionDecision":"deny""#),
        stdout: out.stdout,
    })
}
