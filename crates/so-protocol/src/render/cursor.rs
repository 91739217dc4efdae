//! Cursor answers (reference C.4): `snake_case` keys, decisions via `permission`.

use super::wire::{CursorJson, to_response};
use super::{context_text, dropped, human_text, model_text};
use crate::{Client, HookInput, Outcome, Response};

/// Events answered with `permission` + `user_message`; the flag says whether `agent_message`
/// is part of the event's output.
const PERMISSION_EVENTS: &[(&str, bool)] = &[
    ("beforeShellExecution", true),
    ("beforeMCPExecution", true),
    ("preToolUse", true),
    ("subagentStart", false),
    ("beforeReadFile", false),
];

/// Events that enforce `permission: "ask"` (`preToolUse` accepts it but does not enforce it).
const ASK_EVENTS: &[&str] = &["beforeShellExecution", "beforeMCPExecution"];

/// Events where a warning is sent as `permission: "allow"` + `user_message`.
const WARN_EVENTS: &[&str] = &["beforeShellExecution", "preToolUse"];

/// Events that accept `additional_context`.
const CONTEXT_EVENTS: &[&str] = &["sessionStart", "postToolUse"];

/// Events where a block means "keep going": `followup_message` is submitted as the next prompt.
const FOLLOWUP_EVENTS: &[&str] = &["stop", "subagentStop"];

/// The prompt-submission event (`continue: false` rejects the prompt).
const PROMPT_EVENT: &str = "beforeSubmitPrompt";

/// Renders for Cursor.
pub(super) fn render(input: &HookInput, outcome: &Outcome) -> Response {
    let event = input.event_name.as_str();
    match outcome {
        Outcome::Allow => Response::allow(),
        Outcome::Warn { message } => warn(event, message),
        Outcome::Deny {
            reason,
            user_message,
        } => deny(event, reason, user_message.as_deref()),
        Outcome::Ask { reason } if can_ask(input) => {
            let (permission, agent_message) = permission_reply("ask", event, reason);
            to_response(&CursorJson {
                permission: Some(permission),
                user_message: Some(human_text(reason)),
                agent_message,
                ..CursorJson::default()
            })
        }
        Outcome::Ask { reason } => deny(event, reason, None),
        Outcome::Context {
            additional_context,
            system_message,
        } => {
            if CONTEXT_EVENTS.contains(&event) && !additional_context.trim().is_empty() {
                to_response(&CursorJson {
                    additional_context: Some(context_text(additional_context)),
                    ..CursorJson::default()
                })
            } else {
                // Cursor has no general "message to the user" key; nothing can be shown.
                let text = system_message.as_deref().unwrap_or(additional_context);
                dropped(Client::Cursor, event, text)
            }
        }
    }
}

/// True when `input` is an event where Cursor enforces `permission: "ask"`.
pub(super) fn can_ask(input: &HookInput) -> bool {
    ASK_EVENTS.contains(&input.event_name.as_str())
}

fn warn(event: &str, message: &str) -> Response {
    if WARN_EVENTS.contains(&event) {
        to_response(&CursorJson {
            permission: Some("allow"),
            user_message: Some(human_text(message)),
            ..CursorJson::default()
        })
    } else if CONTEXT_EVENTS.contains(&event) {
        to_response(&CursorJson {
            additional_context: Some(human_text(message)),
            ..CursorJson::default()
        })
    } else {
        dropped(Client::Cursor, event, message)
    }
}

fn deny(event: &str, reason: &str, user_message: Option<&str>) -> Response {
    // Cursor shows user_message to the human; without a separate line, the reason is it.
    let user_message = Some(human_text(user_message.unwrap_or(reason)));
    if PERMISSION_EVENTS.iter().any(|(e, _)| *e == event) {
        let (permission, agent_message) = permission_reply("deny", event, reason);
        return to_response(&CursorJson {
            permission: Some(permission),
            user_message,
            agent_message,
            ..CursorJson::default()
        });
    }
    if event == PROMPT_EVENT {
        return to_response(&CursorJson {
            proceed: Some(false),
            user_message,
            ..CursorJson::default()
        });
    }
    if FOLLOWUP_EVENTS.contains(&event) {
        return to_response(&CursorJson {
            followup_message: Some(model_text(reason)),
            ..CursorJson::default()
        });
    }
    if CONTEXT_EVENTS.contains(&event) {
        // Cannot block; the only channel left is read by the model, so give it the reason.
        return to_response(&CursorJson {
            additional_context: Some(model_text(reason)),
            ..CursorJson::default()
        });
    }
    warn(event, user_message.as_deref().unwrap_or(reason))
}

/// The `permission` value and, where the event has one, the `agent_message`.
fn permission_reply(
    permission: &'static str,
    event: &str,
    reason: &str,
) -> (&'static str, Option<String>) {
    let has_agent_message = PERMISSION_EVENTS
        .iter()
        .any(|(e, agent)| *e == event && *agent);
    (permission, has_agent_message.then(|| model_text(reason)))
}
