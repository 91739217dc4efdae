//! The one record shape of every JSONL file: `schema_version`, `timestamp`, `event`, then
//! the event's own fields.

use serde_json::{Map, Value};

use crate::Timestamp;

/// Version of the record schema written by this crate. Readers skip nothing on a higher
/// version; they read the fields they know.
pub const SCHEMA_VERSION: u32 = 1;

/// The three keys every record starts with; event fields may not use them.
const RESERVED: [&str; 3] = ["schema_version", "timestamp", "event"];

/// One event, ready to be appended as one JSON line.
///
/// Keys are written in a fixed order: `schema_version`, `timestamp`, `event`, then the fields
/// in the order they were added. A field named like a reserved key is dropped; adding a key
/// twice keeps the last value in the first position.
///
/// ```
/// use so_events::{Record, Timestamp};
///
/// let record = Record::new("orchestrator.session.stopped", Timestamp::from_millis(0))
///     .with("session_id", "abc")
///     .with("wave", serde_json::Value::Null);
/// assert_eq!(
///     record.to_line(),
///     "{\"schema_version\":1,\"timestamp\":\"1970-01-01T00:00:00.000Z\",\
///      \"event\":\"orchestrator.session.stopped\",\"session_id\":\"abc\",\"wave\":null}\n"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    event: String,
    timestamp: Timestamp,
    fields: Vec<(String, Value)>,
}

impl Record {
    /// A record of `event` at `timestamp` with no fields yet. `event` should pass
    /// [`is_valid_event_name`]; the catalog constructors guarantee it.
    pub fn new(event: impl Into<String>, timestamp: Timestamp) -> Self {
        Self {
            event: event.into(),
            timestamp,
            fields: Vec::new(),
        }
    }

    /// Adds (or replaces) a field.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Adds (or replaces) a field in place.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        if RESERVED.contains(&key) {
            return;
        }
        let value = value.into();
        if let Some(slot) = self.fields.iter_mut().find(|(k, _)| k == key) {
            slot.1 = value;
        } else {
            self.fields.push((key.to_owned(), value));
        }
    }

    /// The event name.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// When it happened.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// A field's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The record as one line of compact JSON ending in `\n`. JSON escapes every control
    /// character inside strings, so the line holds exactly one newline, at the end.
    pub fn to_line(&self) -> String {
        let mut out = String::with_capacity(128 + self.fields.len() * 32);
        out.push_str("{\"schema_version\":");
        out.push_str(&SCHEMA_VERSION.to_string());
        out.push_str(",\"timestamp\":\"");
        out.push_str(&self.timestamp.to_string());
        out.push_str("\",\"event\":");
        out.push_str(&Value::String(self.event.clone()).to_string());
        for (key, value) in &self.fields {
            out.push(',');
            out.push_str(&Value::String(key.clone()).to_string());
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push_str("}\n");
        out
    }

    /// The record as a JSON object (same keys as [`Record::to_line`]).
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("schema_version".into(), SCHEMA_VERSION.into());
        map.insert("timestamp".into(), self.timestamp.to_string().into());
        map.insert("event".into(), self.event.clone().into());
        for (k, v) in &self.fields {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }
}

/// A record read back from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRecord {
    /// `event` (empty when missing).
    pub event: String,
    /// `timestamp`, when present and well-formed.
    pub timestamp: Option<Timestamp>,
    /// The whole object, reserved keys included.
    pub value: Map<String, Value>,
}

impl ReadRecord {
    /// Parses one line; `None` for blank lines, non-JSON and non-objects.
    pub fn parse(line: &str) -> Option<Self> {
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        let Value::Object(value) = serde_json::from_str(line).ok()? else {
            return None;
        };
        Some(Self {
            event: value
                .get("event")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            timestamp: value
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(Timestamp::parse),
            value,
        })
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }

    /// An unsigned integer field (`None` for null, absent or another type).
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.value.get(key).and_then(Value::as_u64)
    }
}

/// Whether `name` follows `orchestrator.<domain>.<verb>[.<sub>…]`: at least three
/// dot-separated segments, the first `orchestrator`, each segment non-empty lowercase ASCII
/// letters, digits and `_`, starting with a letter.
///
/// ```
/// assert!(so_events::is_valid_event_name("orchestrator.session.lock.acquired"));
/// assert!(so_events::is_valid_event_name("orchestrator.destructive_guard.blocked"));
/// assert!(!so_events::is_valid_event_name("orchestrator.session"));
/// assert!(!so_events::is_valid_event_name("orchestrator.Session.started"));
/// assert!(!so_events::is_valid_event_name("discovery_validator_violation"));
/// ```
pub fn is_valid_event_name(name: &str) -> bool {
    let segments: Vec<&str> = name.split('.').collect();
    segments.len() >= 3
        && segments[0] == "orchestrator"
        && segments.iter().all(|s| {
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// `text` made into an event-name segment: lowercase, `-` and other separators become `_`,
/// anything else dropped; `unknown` when nothing is left.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '-' | '_' | ' ' | ':' | '/' | '.') && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out
        .trim_matches('_')
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if trimmed.is_empty() {
        "unknown".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_is_one_line_even_with_control_characters() {
        let r = Record::new("orchestrator.tool.failed", Timestamp::from_millis(1))
            .with("error", "line one\nline two\r\u{2028}\u{0}")
            .with("event", "ignored")
            .with("n", 3);
        let line = r.to_line();
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with('\n'));
        let back = ReadRecord::parse(&line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!(back.event, "orchestrator.tool.failed");
        assert_eq!(back.timestamp, Some(Timestamp::from_millis(1)));
        assert_eq!(back.str("error"), Some("line one\nline two\r\u{2028}\u{0}"));
        assert_eq!(back.u64("n"), Some(3));
        assert_eq!(r.to_value(), Value::Object(back.value));
    }

    #[test]
    fn replacing_a_field_keeps_its_position() {
        let r = Record::new("orchestrator.a.b", Timestamp::from_millis(0))
            .with("x", 1)
            .with("y", 2)
            .with("x", 3);
        assert!(r.to_line().contains("\"x\":3,\"y\":2"));
    }

    #[test]
    fn segments() {
        assert_eq!(segment("destructive-guard"), "destructive_guard");
        assert_eq!(segment("Scope Enforcer"), "scope_enforcer");
        assert_eq!(segment("--"), "unknown");
        assert_eq!(segment("9lives"), "lives");
        assert!(is_valid_event_name(&format!(
            "orchestrator.{}.{}",
            segment("scope-enforcer"),
            segment("deny")
        )));
    }
}
