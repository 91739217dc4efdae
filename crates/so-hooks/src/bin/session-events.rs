//! `session-events`: the session life-cycle hook (`SessionStart`, `SessionEnd`, `Stop`,
//! `SubagentStop`, `PostToolBatch`, `PostToolUseFailure`, `CwdChanged`). Informational: fails
//! open with a notice.

fn main() -> std::process::ExitCode {
    so_protocol::run_hook(
        so_protocol::FailurePolicy::FailOpenWithNotice,
        so_hooks::session_events::session_events,
    )
}
