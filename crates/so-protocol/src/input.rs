//! The neutral view of one hook call, and how it is decoded from stdin bytes.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::ProtocolError;

/// The coding client that started the hook, as told by the payload's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// Claude Code.
    Claude,
    /// The `OpenAI` Codex CLI.
    Codex,
    /// Cursor.
    Cursor,
}

impl Client {
    /// Lower-case name for logs and messages: `"claude"`, `"codex"` or `"cursor"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Claude => "claude",
            Self::Codex => "codex",
            Self::Cursor => "cursor",
        }
    }
}

/// The hook event, normalised across clients.
///
/// Cursor's camelCase names map onto the Claude/Codex event with the same meaning
/// (`preToolUse` → [`EventKind::PreToolUse`], `beforeSubmitPrompt` →
/// [`EventKind::UserPromptSubmit`], …). Events this crate has no special handling for are
/// [`EventKind::Other`]; [`HookInput::event_name`] still holds the name as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Before a tool call (Claude, Codex `PreToolUse`; Cursor `preToolUse`).
    PreToolUse,
    /// After a tool call succeeded (Cursor `postToolUse`).
    PostToolUse,
    /// After a tool call failed (Cursor `postToolUseFailure`).
    PostToolUseFailure,
    /// After a batch of parallel tool calls (Claude only).
    PostToolBatch,
    /// Before a permission prompt is shown (Claude, Codex).
    PermissionRequest,
    /// Session start or resume (Cursor `sessionStart`).
    SessionStart,
    /// Session end (Cursor `sessionEnd`).
    SessionEnd,
    /// The agent is about to end its turn (Cursor `stop`).
    Stop,
    /// A subagent starts (Cursor `subagentStart`).
    SubagentStart,
    /// A subagent is about to finish (Cursor `subagentStop`).
    SubagentStop,
    /// The user submitted a prompt (Cursor `beforeSubmitPrompt`).
    UserPromptSubmit,
    /// The working directory changed (Claude only).
    CwdChanged,
    /// Cursor `beforeShellExecution`: a shell command is about to run.
    BeforeShellExecution,
    /// Cursor `afterShellExecution`: a shell command ran.
    AfterShellExecution,
    /// Cursor `afterFileEdit`: the agent edited a file.
    AfterFileEdit,
    /// Any other event.
    Other,
}

impl EventKind {
    /// Maps an event name as sent by any client to its normalised kind.
    pub fn from_event_name(name: &str) -> Self {
        match name {
            "PreToolUse" | "preToolUse" => Self::PreToolUse,
            "PostToolUse" | "postToolUse" => Self::PostToolUse,
            "PostToolUseFailure" | "postToolUseFailure" => Self::PostToolUseFailure,
            "PostToolBatch" => Self::PostToolBatch,
            "PermissionRequest" => Self::PermissionRequest,
            "SessionStart" | "sessionStart" => Self::SessionStart,
            "SessionEnd" | "sessionEnd" => Self::SessionEnd,
            "Stop" | "stop" => Self::Stop,
            "SubagentStart" | "subagentStart" => Self::SubagentStart,
            "SubagentStop" | "subagentStop" => Self::SubagentStop,
            "UserPromptSubmit" | "beforeSubmitPrompt" => Self::UserPromptSubmit,
            "CwdChanged" => Self::CwdChanged,
            "beforeShellExecution" => Self::BeforeShellExecution,
            "afterShellExecution" => Self::AfterShellExecution,
            "afterFileEdit" => Self::AfterFileEdit,
            _ => Self::Other,
        }
    }
}

/// One hook call, in terms that do not depend on the client.
///
/// Optional string fields are `None` when the key is absent, not a string, or empty.
#[derive(Debug, Clone, PartialEq)]
pub struct HookInput {
    /// Which client sent the payload.
    pub client: Client,
    /// `hook_event_name` exactly as sent (`"PreToolUse"`, `"beforeShellExecution"`); answers
    /// that name the event must repeat it verbatim.
    pub event_name: String,
    /// The normalised event.
    pub event: EventKind,
    /// `tool_name`, on tool events.
    pub tool_name: Option<String>,
    /// `tool_input`, or `Null` if absent. Cursor's MCP events send it as a JSON *string*; it is
    /// kept as sent.
    pub tool_input: Value,
    /// Working directory: `cwd`; for Cursor, else the first of `workspace_roots`.
    pub cwd: Option<PathBuf>,
    /// Session id: `session_id`; for Cursor, `conversation_id`, else `session_id`.
    pub session_id: Option<String>,
    /// `agent_id`, present only inside a subagent (Claude, Codex); Cursor `subagent_id`.
    pub agent_id: Option<String>,
    /// `agent_type`; Cursor `subagent_type`.
    pub agent_type: Option<String>,
    /// `permission_mode` (Claude, Codex): `default`, `plan`, `acceptEdits`, `auto`, `dontAsk`,
    /// `bypassPermissions`. Cursor has none.
    pub permission_mode: Option<String>,
    /// `transcript_path` (Codex and Cursor may send `null`).
    pub transcript_path: Option<PathBuf>,
    /// The whole payload, for fields this struct does not lift out.
    pub raw: Value,
}

impl HookInput {
    /// The shell command this call would run, if it is a shell call.
    ///
    /// * `tool_name` `"Bash"` (Claude, Codex) or `"Shell"` (Cursor) with a string
    ///   `tool_input.command`, on any event that carries the tool call (pre, post, permission).
    ///   Both names are accepted from every client because Cursor renames `Bash` to `Shell`
    ///   when it runs Claude-format hooks and which payload shape it then sends is not
    ///   documented; a guard that missed a shell call would fail open.
    /// * Cursor `beforeShellExecution` / `afterShellExecution`: the top-level `command`.
    ///
    /// `None` otherwise (including Claude `PowerShell` and Codex `apply_patch`, whose
    /// `command` is a patch, not a shell line).
    pub fn shell_command(&self) -> Option<&str> {
        if self.client == Client::Cursor
            && matches!(
                self.event,
                EventKind::BeforeShellExecution | EventKind::AfterShellExecution
            )
        {
            return self.raw.get("command").and_then(Value::as_str);
        }
        match self.tool_name.as_deref() {
            Some("Bash" | "Shell") => self.tool_input.get("command").and_then(Value::as_str),
            _ => None,
        }
    }

    /// True when the hook runs inside a subagent (an `agent_id` / Cursor `subagent_id` is
    /// present). `agent_type` alone is not enough: Claude also sends it on the main thread
    /// when started with `--agent`.
    pub fn is_subagent(&self) -> bool {
        self.agent_id.is_some()
    }
}

/// Decodes one hook payload.
///
/// The bytes are checked for emptiness, UTF-8 (a leading byte-order mark is skipped) and JSON,
/// must be an object, and must carry a non-empty string `hook_event_name`. Unknown keys are
/// kept in [`HookInput::raw`] and otherwise ignored, because every client adds fields often.
pub fn decode(bytes: &[u8]) -> Result<HookInput, ProtocolError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ProtocolError::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ProtocolError::InvalidUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ProtocolError::Empty);
    }
    let raw: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let Value::Object(obj) = &raw else {
        return Err(ProtocolError::NotAnObject);
    };
    let event_name = string(obj, "hook_event_name").ok_or(ProtocolError::MissingEventName)?;
    let client = detect_client(obj, &event_name);
    let cursor = client == Client::Cursor;

    let cwd = string(obj, "cwd")
        .or_else(|| {
            cursor
                .then(|| obj.get("workspace_roots")?.get(0)?.as_str())
                .flatten()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
        .map(PathBuf::from);
    let session_id = if cursor {
        string(obj, "conversation_id").or_else(|| string(obj, "session_id"))
    } else {
        string(obj, "session_id")
    };
    let (agent_id, agent_type) = if cursor {
        (string(obj, "subagent_id"), string(obj, "subagent_type"))
    } else {
        (string(obj, "agent_id"), string(obj, "agent_type"))
    };

    Ok(HookInput {
        client,
        event: EventKind::from_event_name(&event_name),
        tool_name: string(obj, "tool_name"),
        tool_input: obj.get("tool_input").cloned().unwrap_or(Value::Null),
        cwd,
        session_id,
        agent_id,
        agent_type,
        permission_mode: string(obj, "permission_mode"),
        transcript_path: string(obj, "transcript_path").map(PathBuf::from),
        event_name,
        raw,
    })
}

/// Tells the client apart from the payload keys (reference section E).
///
/// Order matters: Cursor has a nullable `transcript_path` and a `model` too, so its unique keys
/// are tested first; Codex is next because Claude's `SessionStart` may also carry `model`, but
/// always with a string `transcript_path`.
fn detect_client(obj: &Map<String, Value>, event_name: &str) -> Client {
    let camel_case = event_name.starts_with(|c: char| c.is_ascii_lowercase());
    let cursor_key = [
        "conversation_id",
        "generation_id",
        "cursor_version",
        "workspace_roots",
    ]
    .iter()
    .any(|k| obj.contains_key(*k));
    if camel_case || cursor_key {
        return Client::Cursor;
    }
    let transcript = obj.get("transcript_path");
    let transcript_missing_or_null = transcript.is_none_or(Value::is_null);
    // Codex SessionEnd has neither turn_id nor model, but still sends transcript_path: null.
    if obj.contains_key("turn_id")
        || (obj.contains_key("model") && transcript_missing_or_null)
        || transcript.is_some_and(Value::is_null)
    {
        return Client::Codex;
    }
    Client::Claude
}

/// A non-empty string field, owned.
fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn json_error(err: &serde_json::Error) -> ProtocolError {
    let (line, column) = (err.line(), err.column());
    let full = err.to_string();
    // serde_json appends the position; it is reported in its own fields instead.
    let message = full
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&full)
        .to_owned();
    ProtocolError::Json {
        line,
        column,
        message,
    }
}
