//! `scope-enforcer`: the `PreToolUse` hook for file edits and shell commands (and Cursor's
//! edit events). Fails closed.

fn main() -> std::process::ExitCode {
    so_protocol::run_hook(
        so_protocol::FailurePolicy::FailClosed,
        so_hooks::scope::scope_enforcer,
    )
}
