//! The JSON shapes on stdout.
//!
//! Typed structs rather than `serde_json::Value` maps so that key order is fixed whatever
//! `serde_json` features other crates turn on (snapshots stay stable), and so that a key that is
//! not listed here cannot be emitted by accident (Codex rejects unknown keys).

use serde::Serialize;

use crate::Response;

/// Claude Code / Codex top-level answer.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HookJson<'a> {
    /// `"block"` on events decided by a top-level decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<&'static str>,
    /// Text for `decision: "block"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Event-specific part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook_specific_output: Option<Specific<'a>>,
    /// Warning shown to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_message: Option<String>,
}

/// `hookSpecificOutput`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Specific<'a> {
    /// Must equal the running event's name, or Claude rejects the answer.
    pub hook_event_name: &'a str,
    /// `PreToolUse`: `"deny"` or `"ask"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_decision: Option<&'static str>,
    /// `PreToolUse`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_decision_reason: Option<String>,
    /// `PermissionRequest`: the decision object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<PermissionDecision>,
    /// Context for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

impl<'a> Specific<'a> {
    /// An otherwise empty part for `event`.
    pub fn new(event: &'a str) -> Self {
        Self {
            hook_event_name: event,
            permission_decision: None,
            permission_decision_reason: None,
            decision: None,
            additional_context: None,
        }
    }
}

/// `PermissionRequest` `decision`.
#[derive(Debug, Serialize)]
pub(super) struct PermissionDecision {
    /// Only `"deny"` is ever sent by this crate.
    pub behavior: &'static str,
    /// Why.
    pub message: String,
}

/// Cursor answer (`snake_case` keys).
#[derive(Debug, Default, Serialize)]
pub(super) struct CursorJson {
    /// `"allow"`, `"deny"` or `"ask"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<&'static str>,
    /// `beforeSubmitPrompt`: `false` rejects the prompt.
    #[serde(rename = "continue", skip_serializing_if = "Option::is_none")]
    pub proceed: Option<bool>,
    /// Line for the human.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    /// Text for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_message: Option<String>,
    /// `stop` / `subagentStop`: submitted as the next user message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup_message: Option<String>,
    /// `sessionStart` / `postToolUse`: context for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

/// One JSON object and a newline on stdout, exit 0.
pub(super) fn to_response(value: &impl Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(json) => Response {
            stdout: json + "\n",
            stderr: String::new(),
            exit_code: 0,
        },
        // Cannot happen with these string-keyed structs; if it ever did, exit 2 still blocks
        // rather than printing nothing (which every client reads as "no opinion").
        Err(err) => Response {
            stdout: String::new(),
            stderr: format!("could not serialise the hook answer: {err}\n"),
            exit_code: 2,
        },
    }
}
