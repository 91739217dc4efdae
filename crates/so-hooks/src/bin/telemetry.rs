//! `telemetry`: subagent, skill and loop-guard records (`SubagentStart`, `SubagentStop`,
//! `PreToolUse` of `Skill`, `PostToolUse`). Informational: fails open with a notice.

fn main() -> std::process::ExitCode {
    so_protocol::run_hook(
        so_protocol::FailurePolicy::FailOpenWithNotice,
        so_hooks::telemetry::telemetry,
    )
}
