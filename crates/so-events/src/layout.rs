//! Where each file lives under a project's `.orchestrator/` directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::StorageError;

/// The directories and files of one project's session record.
///
/// ```
/// use std::path::Path;
/// let layout = so_events::Layout::new(Path::new("/repo"));
/// assert_eq!(layout.events(), Path::new("/repo/.orchestrator/metrics/events.jsonl"));
/// assert_eq!(layout.current_session(), Path::new("/repo/.orchestrator/runtime/current-session.json"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    project_root: PathBuf,
}

impl Layout {
    /// The layout of the project rooted at `project_root`.
    pub fn new(project_root: &Path) -> Self {
        Self {
            project_root: project_root.to_path_buf(),
        }
    }

    /// The project root.
    pub fn project_root(&self) -> &Path {
        &self.project_root
    }

    /// `<project>/.orchestrator`
    pub fn orchestrator_dir(&self) -> PathBuf {
        self.project_root.join(".orchestrator")
    }

    /// `<project>/.orchestrator/metrics`: the append-only logs.
    pub fn metrics_dir(&self) -> PathBuf {
        self.orchestrator_dir().join("metrics")
    }

    /// `<project>/.orchestrator/runtime`: state that is rewritten.
    pub fn runtime_dir(&self) -> PathBuf {
        self.orchestrator_dir().join("runtime")
    }

    /// `metrics/events.jsonl`: every `orchestrator.*` event except the per-file ones below.
    pub fn events(&self) -> PathBuf {
        self.metrics_dir().join("events.jsonl")
    }

    /// `metrics/subagents.jsonl`: subagent start and stop records.
    pub fn subagents(&self) -> PathBuf {
        self.metrics_dir().join("subagents.jsonl")
    }

    /// `metrics/skill-invocations.jsonl`: one record per Skill tool call.
    pub fn skill_invocations(&self) -> PathBuf {
        self.metrics_dir().join("skill-invocations.jsonl")
    }

    /// `metrics/sessions.jsonl`: one summary record per ended session.
    pub fn sessions(&self) -> PathBuf {
        self.metrics_dir().join("sessions.jsonl")
    }

    /// `runtime/current-session.json`: the running session(s).
    pub fn current_session(&self) -> PathBuf {
        self.runtime_dir().join("current-session.json")
    }

    /// `runtime/session.lock`: which session owns the repository, with heartbeats.
    pub fn session_lock(&self) -> PathBuf {
        self.runtime_dir().join("session.lock")
    }

    /// `runtime/cwd-changes.json`: the last working-directory changes per session.
    pub fn cwd_changes(&self) -> PathBuf {
        self.runtime_dir().join("cwd-changes.json")
    }

    /// `runtime/failures.json`: the last tool failures, for corrective context.
    pub fn failures(&self) -> PathBuf {
        self.runtime_dir().join("failures.json")
    }

    /// `runtime/loop-guard.json`: recent tool calls per session and agent.
    pub fn loop_guard(&self) -> PathBuf {
        self.runtime_dir().join("loop-guard.json")
    }

    /// `runtime/storage-notice.json`: which sessions were already told about a storage
    /// problem.
    pub fn notice_marker(&self) -> PathBuf {
        self.runtime_dir().join("storage-notice.json")
    }

    /// Creates `metrics/` and `runtime/` if missing.
    ///
    /// Nothing is created when the project root itself does not exist (a removed checkout or
    /// an unmounted disk must not be re-created as an empty directory tree):
    /// [`StorageError::MissingProject`].
    pub fn ensure(&self) -> Result<(), StorageError> {
        if !self.project_root.is_dir() {
            return Err(StorageError::MissingProject {
                path: self.project_root.clone(),
            });
        }
        for dir in [self.metrics_dir(), self.runtime_dir()] {
            if !dir.is_dir() {
                fs::create_dir_all(&dir).map_err(|e| StorageError::io("create", dir, e))?;
            }
        }
        Ok(())
    }

    /// `path` relative to the project root, for messages (`.orchestrator/metrics/…`).
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.project_root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}
