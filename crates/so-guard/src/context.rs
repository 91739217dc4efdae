//! Where a command runs: the facts the guard needs to judge paths.

use std::path::{Component, Path, PathBuf};

/// Environment variables the guard reads, all in this one place.
pub mod env_vars {
    /// The user's home directory; `~` and `$HOME` resolve to it.
    pub const HOME: &str = "HOME";
    /// The temp directory; targets under it are scratch space.
    pub const TMPDIR: &str = "TMPDIR";
    /// The installed plugin (Claude Code and, for compatibility, Codex): its files are
    /// guard files.
    pub const CLAUDE_PLUGIN_ROOT: &str = "CLAUDE_PLUGIN_ROOT";
    /// The installed plugin (Codex).
    pub const PLUGIN_ROOT: &str = "PLUGIN_ROOT";
}

/// The directories a command's paths are judged against.
#[derive(Clone, Debug)]
pub struct GuardContext {
    /// The directory the command runs in (the hook payload's `cwd`).
    pub cwd: PathBuf,
    /// The project root (nearest `.git` or CLAUDE.md/AGENTS.md above `cwd`).
    pub project_root: PathBuf,
    /// The user's home directory.
    pub home: Option<PathBuf>,
    /// `$TMPDIR`, when set to an absolute path.
    pub tmpdir: Option<PathBuf>,
}

impl GuardContext {
    /// Context for a command run in `cwd`, with the project root found above it and
    /// `HOME`/`TMPDIR` read from the environment.
    pub fn for_cwd(cwd: &Path) -> Self {
        let abs = |v: Option<std::ffi::OsString>| {
            v.map(PathBuf::from)
                .filter(|p| p.is_absolute() && p.parent().is_some())
        };
        // The project root comes back canonical; the cwd must be too, or prefix tests
        // between them fail on symlinked directories (`/tmp` on macOS).
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        Self {
            project_root: so_config::find_project_root_canonical(&cwd),
            cwd,
            home: abs(std::env::var_os(env_vars::HOME)),
            tmpdir: abs(std::env::var_os(env_vars::TMPDIR)),
        }
    }

    /// A context with explicit directories, for tests and the CLI.
    pub fn fixed(cwd: &Path, project_root: &Path, home: &Path) -> Self {
        Self {
            cwd: cwd.to_path_buf(),
            project_root: project_root.to_path_buf(),
            home: Some(home.to_path_buf()),
            tmpdir: None,
        }
    }
}

/// Resolves `.` and `..` without touching the filesystem (`..` at `/` stays `/`).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
