//! What the autopilot reads from a session's `--output-format stream-json` output: the
//! session id (`system`/`init` line), the final `result` line with its token usage, and —
//! for a session that never got to its result — the usage of each assistant message.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Token counts of a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Uncached input tokens.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Input tokens written to the prompt cache.
    pub cache_creation: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read: u64,
}

impl Usage {
    /// The tokens the budget counts: input, output and cache writes. Every prompt token is
    /// counted once, when it is first sent (as input or as a cache write); cache reads are
    /// re-reads of context already counted, and would dwarf everything else.
    pub fn counted(&self) -> u64 {
        self.input
            .saturating_add(self.output)
            .saturating_add(self.cache_creation)
    }

    /// Reads an Anthropic-style `usage` object.
    pub fn from_json(v: &Value) -> Self {
        let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        Self {
            input: n("input_tokens"),
            output: n("output_tokens"),
            cache_creation: n("cache_creation_input_tokens"),
            cache_read: n("cache_read_input_tokens"),
        }
    }

    fn add(&mut self, o: &Usage) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.cache_creation = self.cache_creation.saturating_add(o.cache_creation);
        self.cache_read = self.cache_read.saturating_add(o.cache_read);
    }

    /// `{input, output, cache_creation_input, cache_read_input, counted}`.
    pub fn to_json(&self) -> Value {
        json!({
            "input": self.input, "output": self.output,
            "cache_creation_input": self.cache_creation, "cache_read_input": self.cache_read,
            "counted": self.counted(),
        })
    }
}

/// The `result` line.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultLine {
    /// `success`, `error_max_turns`, `error_during_execution`, …
    pub subtype: String,
    /// Claude Code's `is_error`.
    pub is_error: bool,
    /// The session's total usage.
    pub usage: Usage,
    /// Turns taken.
    pub num_turns: Option<u64>,
}

/// Everything read from one session's stdout so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stream {
    /// The session id from the `init` line.
    pub session_id: Option<String>,
    /// The `result` line, once seen.
    pub result: Option<ResultLine>,
    /// Non-empty lines read.
    pub lines: usize,
    /// Usage per assistant message id (each message is streamed as several lines with the
    /// same usage), for sessions cut short before their result.
    messages: BTreeMap<String, Usage>,
}

impl Stream {
    /// Takes one line of output (non-JSON lines are counted and otherwise ignored).
    pub fn observe(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        self.lines += 1;
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        match v.get("type").and_then(Value::as_str) {
            Some("system") if v.get("subtype").and_then(Value::as_str) == Some("init") => {
                if let Some(id) = v.get("session_id").and_then(Value::as_str) {
                    self.session_id = Some(id.to_owned());
                }
            }
            Some("assistant") => {
                let message = &v["message"];
                if let (Some(id), Some(usage)) = (
                    message.get("id").and_then(Value::as_str),
                    message.get("usage"),
                ) {
                    self.messages.insert(id.to_owned(), Usage::from_json(usage));
                }
            }
            Some("result") => {
                if self.session_id.is_none() {
                    self.session_id = v
                        .get("session_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                self.result = Some(ResultLine {
                    subtype: v
                        .get("subtype")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    is_error: v.get("is_error").and_then(Value::as_bool).unwrap_or(false),
                    usage: v.get("usage").map(Usage::from_json).unwrap_or_default(),
                    num_turns: v.get("num_turns").and_then(Value::as_u64),
                });
            }
            _ => {}
        }
    }

    /// The session's usage: the result line's, else the sum over its assistant messages.
    pub fn usage(&self) -> Usage {
        if let Some(r) = &self.result {
            return r.usage;
        }
        let mut total = Usage::default();
        for u in self.messages.values() {
            total.add(u);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_init_and_result() {
        let mut s = Stream::default();
        for line in [
            r#"{"type":"system","subtype":"init","session_id":"abc","tools":[]}"#,
            "not json",
            "",
            r#"{"type":"result","subtype":"success","is_error":false,"num_turns":2,"session_id":"abc","usage":{"input_tokens":20,"output_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":1000}}"#,
        ] {
            s.observe(line);
        }
        assert_eq!(s.session_id.as_deref(), Some("abc"));
        assert_eq!(s.lines, 3);
        let r = s.result.clone().unwrap_or_else(|| panic!("no result"));
        assert_eq!(r.subtype, "success");
        assert!(!r.is_error);
        assert_eq!(r.num_turns, Some(2));
        assert_eq!(s.usage().counted(), 35, "cache reads are not counted");
        assert_eq!(s.usage().cache_read, 1000);
    }

    #[test]
    fn without_a_result_the_messages_are_summed_once_each() {
        let mut s = Stream::default();
        let msg = |id: &str, input: u64| {
            format!(
                r#"{{"type":"assistant","message":{{"id":"{id}","usage":{{"input_tokens":{input},"output_tokens":1}}}}}}"#
            )
        };
        s.observe(&msg("m1", 100));
        s.observe(&msg("m1", 100)); // a second content block of the same message
        s.observe(&msg("m2", 50));
        assert!(s.result.is_none());
        assert_eq!(s.usage().counted(), 152);
    }
}
