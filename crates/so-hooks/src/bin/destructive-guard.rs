//! `destructive-guard`: the `PreToolUse` (Bash) and `beforeShellExecution` hook. Fails closed.

fn main() -> std::process::ExitCode {
    so_protocol::run_hook(
        so_protocol::FailurePolicy::FailClosed,
        so_hooks::destructive_guard,
    )
}
