//! `runtime/failures.json`: the last tool failures, kept as corrective context.

use serde::{Deserialize, Serialize};

use crate::state::{Durability, Updated, update_json};
use crate::{Layout, StorageError};

/// Most failures kept (over all sessions).
pub const MAX_FAILURES: usize = 20;

/// Most characters kept of an error message.
pub const MAX_ERROR_CHARS: usize = 256;

/// The file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Failures {
    /// Schema of this file.
    #[serde(default)]
    pub schema_version: u32,
    /// Oldest first.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// One failed tool call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Failure {
    /// When (ISO-8601 UTC).
    pub timestamp: String,
    /// The session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The subagent, when the failure happened inside one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The tool.
    pub tool_name: String,
    /// The error, first lines, at most [`MAX_ERROR_CHARS`] characters.
    pub error_summary: String,
    /// The exit code when the error states one (`Exit code 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Whether the user interrupted the call.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// Adds `failure`, keeps the last [`MAX_FAILURES`], and returns those of its session
/// (oldest first).
///
/// The file is helper state ([`Durability::Relaxed`], like the loop guard's): a crash may
/// lose it, which costs some lines of context, while a durable write would add about half
/// a hook's run time to every failed tool call.
pub fn record_failure(
    layout: &Layout,
    failure: Failure,
) -> Result<Updated<Vec<Failure>>, StorageError> {
    update_json(
        &layout.failures(),
        Durability::Relaxed,
        |state: &mut Option<Failures>| {
            let f = state.get_or_insert_with(Failures::default);
            f.schema_version = 1;
            let session = failure.session_id.clone();
            f.failures.push(failure);
            let excess = f.failures.len().saturating_sub(MAX_FAILURES);
            f.failures.drain(..excess);
            f.failures
                .iter()
                .filter(|x| x.session_id == session)
                .cloned()
                .collect()
        },
    )
}

/// The recorded failures of `session_id` (oldest first); none when the file is absent.
pub fn session_failures(layout: &Layout, session_id: &str) -> Result<Vec<Failure>, StorageError> {
    let all: Option<Failures> = crate::read_json_locked(&layout.failures())?;
    Ok(all
        .map(|f| f.failures)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.session_id.as_deref() == Some(session_id))
        .collect())
}

/// A one-line summary of an error text: whitespace collapsed, at most [`MAX_ERROR_CHARS`]
/// characters.
pub fn summarize_error(error: &str) -> String {
    let collapsed = error.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX_ERROR_CHARS {
        return collapsed;
    }
    let mut out: String = collapsed.chars().take(MAX_ERROR_CHARS - 1).collect();
    out.push('…');
    out
}

/// The exit code stated in a Claude Code Bash error (`Exit code 127` on its first line).
pub fn exit_code_of(error: &str) -> Option<i64> {
    let first = error.lines().next()?.trim();
    first.strip_prefix("Exit code ")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_and_exit_codes() {
        assert_eq!(
            exit_code_of("Exit code 127\nbash: nope: command not found"),
            Some(127)
        );
        assert_eq!(exit_code_of("File does not exist."), None);
        assert_eq!(summarize_error("a\n  b\tc"), "a b c");
        let long = "x".repeat(1000);
        assert_eq!(summarize_error(&long).chars().count(), MAX_ERROR_CHARS);
    }
}
