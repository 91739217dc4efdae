//! The hook handlers behind the hook binaries: each turns one decoded [`HookInput`] into
//! one [`Outcome`]. The binaries in `src/bin/` are a line each; reading stdin, catching
//! panics and rendering the client's dialect live in `so-protocol`.

pub mod scope;
pub mod session_events;
pub mod telemetry;

use std::path::PathBuf;

use so_guard::{Analysis, Decision, Guard, GuardContext};
use so_protocol::{EventKind, HookInput, Outcome};

/// The destructive-command guard: judges the shell command of a pre-execution event.
/// Everything else (other tools, post-events) gets no opinion.
pub fn destructive_guard(input: &HookInput) -> Outcome {
    if !matches!(
        input.event,
        EventKind::PreToolUse | EventKind::BeforeShellExecution | EventKind::PermissionRequest
    ) {
        return Outcome::Allow;
    }
    let Some(command) = input.shell_command() else {
        return Outcome::Allow;
    };
    if command.trim().is_empty() {
        return Outcome::Allow;
    }
    let cwd = input
        .cwd
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let cx = GuardContext::for_cwd(&cwd);
    let guard = Guard::for_project(&cx.project_root);
    let analysis = guard.check(command, &cx);
    if let Some(finding) = analysis.primary() {
        record(
            "destructive-guard",
            &cx.project_root,
            &finding.rule,
            analysis.decision.name(),
            command,
        );
    }
    outcome(&analysis)
}

/// Records a guard decision in the project's event log: rule id and a hash of the
/// command, never its text. A failed write never changes the verdict.
pub(crate) fn record(
    hook: &str,
    project_root: &std::path::Path,
    rule: &str,
    decision: &str,
    command: &str,
) {
    let hash = so_events::command_hash(command);
    let _ = so_events::record_guard_decision(project_root, hook, rule, decision, &hash);
}

/// The hook outcome for an analysis. Notices (a broken policy overlay, a config value that
/// is not a boolean) reach the user with every answer, not only with allows.
pub fn outcome(analysis: &Analysis) -> Outcome {
    let notes = if analysis.notices.is_empty() {
        String::new()
    } else {
        format!("\nNotice: {}", analysis.notices.join("; "))
    };
    match analysis.decision {
        Decision::Allow if analysis.notices.is_empty() => Outcome::Allow,
        Decision::Allow => Outcome::Warn {
            message: format!("destructive-guard: {}", analysis.notices.join("; ")),
        },
        Decision::Warn => Outcome::Warn {
            message: format!(
                "{} (allowed: `allow-destructive-ops` is set in the Session Config){notes}",
                analysis.summary()
            ),
        },
        Decision::Deny => Outcome::Deny {
            reason: analysis.reason(),
            user_message: Some(format!("{}{notes}", analysis.summary())),
        },
        Decision::Ask | Decision::Indeterminate => Outcome::Ask {
            reason: format!("{}{notes}", analysis.reason()),
        },
    }
}
