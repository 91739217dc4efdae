//! The one call the guards make to record a decision.

use std::path::Path;

use crate::{Layout, StorageError, Timestamp, append, catalog};

/// Records a guard decision in `<project_root>/.orchestrator/metrics/events.jsonl` as
/// `orchestrator.<hook>.<verb>` with `hook`, `rule_id`, `decision` and `command_hash` (see
/// [`catalog::guard_decision`] for the verb). Pass [`crate::command_hash`] of the command,
/// never the command itself.
///
/// Creates `.orchestrator/metrics/` if the project root exists; never creates the project
/// root. Errors are returned for the caller to report or ignore: the record is one complete
/// line or absent, and the call waits at most [`crate::LOCK_TIMEOUT`] for the file lock.
///
/// ```
/// # let root = std::env::temp_dir().join(format!("so-events-doc-guard-{}", std::process::id()));
/// # std::fs::create_dir_all(&root)?;
/// let hash = so_events::command_hash("git reset --hard");
/// so_events::record_guard_decision(&root, "destructive-guard", "git:reset-hard", "deny", &hash)?;
/// let log = std::fs::read_to_string(root.join(".orchestrator/metrics/events.jsonl"))?;
/// assert!(log.contains("\"event\":\"orchestrator.destructive_guard.blocked\""));
/// assert!(!log.contains("git reset"));
/// # std::fs::remove_dir_all(&root)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn record_guard_decision(
    project_root: &Path,
    hook: &str,
    rule_id: &str,
    decision: &str,
    command_hash: &str,
) -> Result<(), StorageError> {
    let layout = Layout::new(project_root);
    layout.ensure()?;
    let record = catalog::guard_decision(Timestamp::now(), hook, rule_id, decision, command_hash);
    append(&layout.events(), &record)
}
