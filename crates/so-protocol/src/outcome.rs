//! What a hook decided, and the bytes that carry it back to the client.

/// A hook's decision, independent of the client.
///
/// [`crate::render`] maps each variant onto what the client and event can express; where an
/// event cannot carry a decision the mapping degrades towards telling the human (see each
/// variant). Long texts are clamped there ([`crate::MAX_REASON_CHARS`],
/// [`crate::MAX_MESSAGE_CHARS`], [`crate::MAX_CONTEXT_CHARS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No opinion: exit 0 and empty stdout, for every client and event. The client goes on
    /// with its own permission rules; this is **not** an explicit approval.
    Allow,
    /// Let the action go on but show `message` to the human (`systemMessage`; Cursor
    /// `user_message` with `permission: "allow"` on `beforeShellExecution`/`preToolUse`,
    /// `additional_context` on `sessionStart`/`postToolUse`, nothing elsewhere). An empty
    /// message renders as [`Outcome::Allow`].
    Warn {
        /// Text for the human.
        message: String,
    },
    /// Block the action.
    ///
    /// On tool events the call is refused; on prompt events the prompt is rejected; on `Stop` /
    /// `SubagentStop` the agent is told to keep going with `reason` as its instruction (check
    /// `stop_hook_active` before doing that); on events that cannot block, this renders as a
    /// [`Outcome::Warn`] of `user_message` (or `reason`).
    Deny {
        /// Why, written for the model: it decides what to do next from this text.
        reason: String,
        /// One short line for the human, if it should differ from `reason`.
        user_message: Option<String>,
    },
    /// Ask the human to confirm. Where the client or event cannot ask (Codex, Cursor
    /// `preToolUse`, Claude in `bypassPermissions`/`dontAsk`, non-tool events) this renders as
    /// [`Outcome::Deny`]. On `PermissionRequest` the client's own prompt appears anyway, so it
    /// renders as a notice (`systemMessage`) beside it.
    Ask {
        /// Why confirmation is needed; shown to the human (Claude) or the model (when denied).
        reason: String,
    },
    /// Add context for the model, and optionally a line for the human.
    ///
    /// Sent as `hookSpecificOutput.additionalContext` where the event accepts it (Claude: see
    /// reference A.9; Codex: `SessionStart`, `SubagentStart`, `UserPromptSubmit`, `PreToolUse`,
    /// `PostToolUse`), Cursor `additional_context` on `sessionStart`/`postToolUse`; dropped
    /// elsewhere (the `system_message` is still shown where possible). On Claude `Stop` /
    /// `SubagentStop` the context makes the conversation continue.
    Context {
        /// Text for the model.
        additional_context: String,
        /// Optional line for the human.
        system_message: Option<String>,
    },
}

/// The complete answer of one hook process.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Exactly what to write on stdout: empty, or one JSON object and a newline.
    pub stdout: String,
    /// What to write on stderr (empty for most answers).
    pub stderr: String,
    /// Process exit code: 0, or 2 for a block the client must read from stderr.
    pub exit_code: u8,
}

impl Response {
    /// The "no opinion" answer: nothing on stdout or stderr, exit 0.
    pub fn allow() -> Self {
        Self::default()
    }
}
