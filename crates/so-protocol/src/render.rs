//! Turning an [`Outcome`] into the one answer the client's dialect expects.
//!
//! Claude Code and Codex share a JSON dialect (`PascalCase` events, `hookSpecificOutput`) and
//! differ only in which keys each event accepts, so they share [`pascal`] with a capability
//! table each. Cursor has its own `snake_case` dialect in [`cursor`].

mod cursor;
mod pascal;
mod wire;

use crate::text::{MAX_CONTEXT_CHARS, MAX_MESSAGE_CHARS, MAX_REASON_CHARS, clamp};
use crate::{Client, HookInput, Outcome, Response};

/// Used when a block must carry a reason but the hook gave none: Codex ignores a deny with an
/// empty reason (fail-open), and an empty exit-2 stderr is not a block there either.
const FALLBACK_REASON: &str = "blocked by a hook that gave no reason";

/// Renders `outcome` for the client and event of `input`.
///
/// Always exactly one JSON object (plus `\n`) on stdout, or nothing; every key is one the
/// client accepts for that event; `hookEventName` repeats [`HookInput::event_name`]. Exit code
/// is 0: blocks are expressed in JSON, which all three clients read on exit 0.
pub fn render(input: &HookInput, outcome: &Outcome) -> Response {
    match outcome {
        Outcome::Allow => return Response::allow(),
        Outcome::Warn { message } if message.trim().is_empty() => return Response::allow(),
        Outcome::Context {
            additional_context,
            system_message,
        } if additional_context.trim().is_empty()
            && system_message
                .as_deref()
                .is_none_or(|s| s.trim().is_empty()) =>
        {
            return Response::allow();
        }
        _ => {}
    }
    match input.client {
        Client::Claude => pascal::render(&pascal::CLAUDE, input, outcome),
        Client::Codex => pascal::render(&pascal::CODEX, input, outcome),
        Client::Cursor => cursor::render(input, outcome),
    }
}

/// The answer when the payload could not be decoded and so the dialect is unknown.
///
/// Exit 2 with `reason` on stderr and nothing on stdout is the one answer all three clients
/// read as a block (Claude and Codex show stderr as the reason; Codex ignores stdout on exit 2
/// anyway). The reason is clamped to [`MAX_REASON_CHARS`] and never empty.
pub fn render_undecodable(reason: &str) -> Response {
    Response {
        stdout: String::new(),
        stderr: format!("{}\n", model_text(reason)),
        exit_code: 2,
    }
}

/// The warning when the payload could not be decoded and the hook fails open.
///
/// `{"systemMessage": …}` with exit 0 is valid for every Claude and Codex event that has an
/// output schema and lets the action go on; Cursor has no such key and ignores it. The message
/// is also written to stderr for the clients' logs.
pub fn render_undecodable_notice(message: &str) -> Response {
    let mut response = wire::to_response(&wire::HookJson {
        system_message: Some(human_text(message)),
        ..wire::HookJson::default()
    });
    response.stderr = format!("{}\n", model_text(message));
    response
}

/// True when `input`'s client and event show the human a confirmation prompt for
/// [`Outcome::Ask`] (rather than rendering it as a deny).
pub(crate) fn can_ask(input: &HookInput) -> bool {
    match input.client {
        Client::Claude => pascal::can_ask(&pascal::CLAUDE, input),
        Client::Codex => pascal::can_ask(&pascal::CODEX, input),
        Client::Cursor => cursor::can_ask(input),
    }
}

/// A reason for the model: clamped, never empty.
fn model_text(reason: &str) -> String {
    if reason.trim().is_empty() {
        FALLBACK_REASON.to_owned()
    } else {
        clamp(reason, MAX_REASON_CHARS)
    }
}

/// A line for the human: clamped.
fn human_text(message: &str) -> String {
    clamp(message, MAX_MESSAGE_CHARS)
}

/// Context for the model: clamped.
fn context_text(context: &str) -> String {
    clamp(context, MAX_CONTEXT_CHARS)
}

/// Nothing on stdout because the event accepts no answer of this kind; the text goes to stderr
/// so it at least reaches the client's hook log.
fn dropped(client: Client, event: &str, text: &str) -> Response {
    Response {
        stdout: String::new(),
        stderr: format!(
            "{} {event} accepts no such hook answer; not shown: {}\n",
            client.name(),
            human_text(text)
        ),
        exit_code: 0,
    }
}
