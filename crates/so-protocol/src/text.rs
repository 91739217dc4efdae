//! Length limits for text sent back to the client.
//!
//! Clients show or forward these strings verbatim; an unbounded reason (say, a guard that
//! quotes a 1 MiB heredoc) would flood the model's context or the user's screen, and Claude Code
//! spills anything over 10 000 characters to a file. Limits count `char`s, not bytes.

/// Most characters kept in a reason meant for the model (`permissionDecisionReason`,
/// `reason`, Cursor `agent_message`, a `PermissionRequest` denial `message`, exit-2 stderr).
///
/// 4000 leaves room for a precise explanation and a quoted command while staying well below
/// Claude Code's 10 000-character spill limit.
pub const MAX_REASON_CHARS: usize = 4000;

/// Most characters kept in a line meant for the human (`systemMessage`, Cursor
/// `user_message`). These are shown in a status area; anything longer is noise.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Most characters kept in `additionalContext` / `additional_context`: Claude Code's own cap,
/// above which it replaces the text with a preview and a file path.
pub const MAX_CONTEXT_CHARS: usize = 10_000;

/// Appended (inside the budget) to any text that [`clamp`] shortened, so the reader knows.
pub const TRUNCATION_MARKER: &str = "… [truncated]";

/// Returns `text` cut to at most `max_chars` characters.
///
/// A shortened text ends with [`TRUNCATION_MARKER`] and still fits in `max_chars`. The cut falls
/// on a `char` boundary, so the result is always valid UTF-8.
pub fn clamp(text: &str, max_chars: usize) -> String {
    // Fast path without counting: a string with no more bytes than the budget has no more chars.
    if text.len() <= max_chars || text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let marker_chars = TRUNCATION_MARKER.chars().count();
    if max_chars <= marker_chars {
        return text.chars().take(max_chars).collect();
    }
    let keep = max_chars - marker_chars;
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let mut out = String::with_capacity(cut + TRUNCATION_MARKER.len());
    out.push_str(&text[..cut]);
    out.push_str(TRUNCATION_MARKER);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(clamp("hello", 5), "hello");
        assert_eq!(clamp("", 0), "");
        assert_eq!(clamp("ééé", 3), "ééé");
    }

    #[test]
    fn long_text_fits_the_budget_and_shows_the_marker() {
        let long = "é".repeat(5000);
        let out = clamp(&long, 100);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with(TRUNCATION_MARKER));
        assert!(out.starts_with("éé"));
    }

    #[test]
    fn tiny_budget_still_respected() {
        assert_eq!(clamp("abcdef", 3), "abc");
    }
}
