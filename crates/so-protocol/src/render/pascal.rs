//! Claude Code and Codex answers: same JSON dialect, different per-event key sets.

use super::wire::{HookJson, PermissionDecision, Specific, to_response};
use super::{context_text, dropped, human_text, model_text};
use crate::{Client, HookInput, Outcome, Response};

/// What one client accepts, per event name as sent.
pub(super) struct Dialect {
    client: Client,
    /// Events blocked by a top-level `{"decision":"block","reason":…}`.
    block_events: &'static [&'static str],
    /// Events whose `hookSpecificOutput` accepts `additionalContext`.
    context_events: &'static [&'static str],
    /// Events with no output schema at all: print nothing.
    silent_events: &'static [&'static str],
    /// Whether `permissionDecision: "ask"` exists on `PreToolUse`.
    pre_tool_use_ask: bool,
}

/// Claude Code 2.1.330 (reference A.9).
pub(super) const CLAUDE: Dialect = Dialect {
    client: Client::Claude,
    block_events: &[
        "UserPromptSubmit",
        "UserPromptExpansion",
        "PostToolUse",
        "PostToolUseFailure",
        "PostToolBatch",
        "Stop",
        "SubagentStop",
        "ConfigChange",
        "PreCompact",
        "TaskCreated",
    ],
    context_events: &[
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PostToolBatch",
        "SubagentStart",
        "Setup",
        "Notification",
        "PostModelSwitch",
        "UserPromptSubmit",
        "UserPromptExpansion",
        "SessionStart",
        "Stop",
        "SubagentStop",
    ],
    silent_events: &[],
    pre_tool_use_ask: true,
};

/// Codex 0.169 (reference D.5). Its schemas reject unknown keys and the hook then fails open,
/// so these lists are deliberately narrow: Stop/SubagentStop take no `hookSpecificOutput`.
pub(super) const CODEX: Dialect = Dialect {
    client: Client::Codex,
    block_events: &["UserPromptSubmit", "PostToolUse", "Stop", "SubagentStop"],
    context_events: &[
        "SessionStart",
        "SubagentStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
    ],
    silent_events: &["SessionEnd"],
    // Codex marks a PreToolUse "ask" as a failed hook and runs the tool.
    pre_tool_use_ask: false,
};

/// Renders for Claude Code or Codex.
pub(super) fn render(d: &Dialect, input: &HookInput, outcome: &Outcome) -> Response {
    let event = input.event_name.as_str();
    if d.silent_events.contains(&event) {
        return match outcome {
            Outcome::Allow => Response::allow(),
            Outcome::Warn { message } => dropped(d.client, event, message),
            Outcome::Deny { reason, .. } | Outcome::Ask { reason } => {
                dropped(d.client, event, reason)
            }
            Outcome::Context {
                additional_context, ..
            } => dropped(d.client, event, additional_context),
        };
    }
    match outcome {
        Outcome::Allow => Response::allow(),
        Outcome::Warn { message } => warn(message),
        Outcome::Deny {
            reason,
            user_message,
        } => deny(d, event, reason, user_message.as_deref()),
        Outcome::Ask { reason } => ask(d, input, reason),
        Outcome::Context {
            additional_context,
            system_message,
        } => context(d, event, additional_context, system_message.as_deref()),
    }
}

/// True when an [`Outcome::Ask`] becomes a real confirmation prompt.
pub(super) fn can_ask(d: &Dialect, input: &HookInput) -> bool {
    // Some Claude Code versions turned a hook's "ask" into an allow in bypassPermissions and
    // dontAsk modes (nobody is there to ask), so in those modes an ask must be a deny.
    d.pre_tool_use_ask
        && input.event_name == "PreToolUse"
        && !matches!(
            input.permission_mode.as_deref(),
            Some("bypassPermissions" | "dontAsk")
        )
}

fn warn(message: &str) -> Response {
    to_response(&HookJson {
        system_message: Some(human_text(message)),
        ..HookJson::default()
    })
}

fn deny(d: &Dialect, event: &str, reason: &str, user_message: Option<&str>) -> Response {
    let system_message = user_message.map(human_text);
    // Codex shows a PreToolUse denial as "Command blocked by PreToolUse hook: <reason>.
    // Command: <cmd>", adding its own period: drop ours so the model does not read "..".
    let trimmed;
    let reason = if d.client == Client::Codex {
        trimmed = reason.trim_end().trim_end_matches('.').to_owned();
        trimmed.as_str()
    } else {
        reason
    };
    match event {
        "PreToolUse" => to_response(&HookJson {
            hook_specific_output: Some(Specific {
                permission_decision: Some("deny"),
                permission_decision_reason: Some(model_text(reason)),
                ..Specific::new(event)
            }),
            system_message,
            ..HookJson::default()
        }),
        "PermissionRequest" => to_response(&HookJson {
            hook_specific_output: Some(Specific {
                decision: Some(PermissionDecision {
                    behavior: "deny",
                    message: model_text(reason),
                }),
                ..Specific::new(event)
            }),
            system_message,
            ..HookJson::default()
        }),
        _ if d.block_events.contains(&event) => to_response(&HookJson {
            decision: Some("block"),
            reason: Some(model_text(reason)),
            system_message,
            ..HookJson::default()
        }),
        // Cannot block here: at least tell the human.
        _ => warn(user_message.unwrap_or(reason)),
    }
}

fn ask(d: &Dialect, input: &HookInput, reason: &str) -> Response {
    let event = input.event_name.as_str();
    if can_ask(d, input) {
        return to_response(&HookJson {
            hook_specific_output: Some(Specific {
                permission_decision: Some("ask"),
                permission_decision_reason: Some(model_text(reason)),
                ..Specific::new(event)
            }),
            ..HookJson::default()
        });
    }
    if event == "PermissionRequest" {
        // No decision means the client shows its own prompt: that is the ask. Add the why.
        return warn(reason);
    }
    deny(d, event, reason, None)
}

fn context(d: &Dialect, event: &str, context: &str, system_message: Option<&str>) -> Response {
    let system_message = system_message
        .filter(|s| !s.trim().is_empty())
        .map(human_text);
    if d.context_events.contains(&event) && !context.trim().is_empty() {
        return to_response(&HookJson {
            hook_specific_output: Some(Specific {
                additional_context: Some(context_text(context)),
                ..Specific::new(event)
            }),
            system_message,
            ..HookJson::default()
        });
    }
    match system_message {
        Some(message) => warn(&message),
        None => dropped(d.client, event, context),
    }
}
