//! Token usage from a subagent's own transcript: its **last** usage entry.
//!
//! The original read the parent session's transcript (bug #949) and the first streaming
//! snapshot of a message instead of the last (bug #950). Here the caller passes the
//! subagent's transcript path and the file is read from the end.
//!
//! Understood line shapes: Claude Code (`{"message":{"usage":{…},"model":…}}`), a bare
//! `{"usage":{…}}`, and Codex token counts (`{"payload":{"info":{"last_token_usage":{…}}}}`).

use std::fs::File;
use std::io;
use std::path::Path;

use serde_json::Value;

use crate::read::search_tail;

/// Most bytes read from the end of a transcript when looking for usage.
pub const MAX_TRANSCRIPT_TAIL: u64 = 32 * 1024 * 1024;

/// Token counts of one model response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Input tokens (not counting cache reads and writes).
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Tokens written to the prompt cache.
    pub cache_creation_input_tokens: Option<u64>,
    /// Tokens read from the prompt cache.
    pub cache_read_input_tokens: Option<u64>,
    /// The model that answered, when the transcript says.
    pub model: Option<String>,
}

/// What [`last_usage`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptUsage {
    /// The file does not exist.
    Missing,
    /// The file exists but holds no usage entry (in its last [`MAX_TRANSCRIPT_TAIL`] bytes).
    NoUsage,
    /// The last usage entry.
    Found(Usage),
}

/// The last usage entry of the transcript at `path`.
pub fn last_usage(path: &Path) -> io::Result<TranscriptUsage> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(TranscriptUsage::Missing),
        Err(e) => return Err(e),
    };
    let found = search_tail(&mut file, MAX_TRANSCRIPT_TAIL, |text| {
        text.lines()
            .rev()
            .filter(|l| l.contains("usage"))
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find_map(|v| usage_of(&v))
    })?;
    Ok(found.map_or(TranscriptUsage::NoUsage, TranscriptUsage::Found))
}

fn usage_of(line: &Value) -> Option<Usage> {
    let message = line.get("message");
    let (usage, model) = if let Some(u) = message.and_then(|m| m.get("usage")) {
        (u, message.and_then(|m| m.get("model")))
    } else if let Some(u) = line.get("usage") {
        (u, line.get("model"))
    } else {
        let info = line.get("payload")?.get("info")?;
        (info.get("last_token_usage")?, None)
    };
    if !usage.is_object() {
        return None;
    }
    let n = |k: &str| usage.get(k).and_then(Value::as_u64);
    let found = Usage {
        input_tokens: n("input_tokens"),
        output_tokens: n("output_tokens"),
        cache_creation_input_tokens: n("cache_creation_input_tokens"),
        cache_read_input_tokens: n("cache_read_input_tokens").or_else(|| n("cached_input_tokens")),
        model: model.and_then(Value::as_str).map(str::to_owned),
    };
    (found.input_tokens.is_some() || found.output_tokens.is_some()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_last_entry_of_each_shape() {
        let dir = std::env::temp_dir().join(format!("so-events-transcript-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("agent-a1.jsonl");
        let lines = [
            r#"{"type":"user","message":{"role":"user","content":"go"}}"#,
            r#"{"type":"assistant","message":{"id":"m1","model":"claude-x","usage":{"input_tokens":10,"output_tokens":1}}}"#,
            r#"{"type":"assistant","message":{"id":"m1","model":"claude-x","usage":{"input_tokens":10,"cache_read_input_tokens":500,"output_tokens":42}}}"#,
            r#"{"type":"user","message":{"role":"user","content":"the usage word in text"}}"#,
        ];
        std::fs::write(&path, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
        let got = last_usage(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            got,
            TranscriptUsage::Found(Usage {
                input_tokens: Some(10),
                output_tokens: Some(42),
                cache_creation_input_tokens: None,
                cache_read_input_tokens: Some(500),
                model: Some("claude-x".into()),
            })
        );
        let codex = r#"{"type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":7,"cached_input_tokens":3,"output_tokens":2}}}}"#;
        std::fs::write(&path, codex).unwrap_or_else(|e| panic!("{e}"));
        let TranscriptUsage::Found(u) = last_usage(&path).unwrap_or_else(|e| panic!("{e}")) else {
            panic!("codex usage not found");
        };
        assert_eq!(
            (u.input_tokens, u.cache_read_input_tokens),
            (Some(7), Some(3))
        );
        std::fs::write(&path, "{\"type\":\"user\"}\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last_usage(&path).ok(), Some(TranscriptUsage::NoUsage));
        assert_eq!(
            last_usage(&dir.join("missing.jsonl")).ok(),
            Some(TranscriptUsage::Missing)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
