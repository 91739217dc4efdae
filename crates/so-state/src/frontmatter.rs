//! The YAML frontmatter: the session's keys, typed; keys this crate does not know, kept as
//! written (values, not comments or formatting).

use serde_yaml_ng::{Mapping, Value};

use crate::{Problem, RATIONALE_CAP, TOP_PRIORITIES_CAP};

/// The only `schema-version` this build reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

/// Every key this crate knows, in the order the writer puts them.
pub const KEYS: &[&str] = &[
    "schema-version",
    "session-type",
    "branch",
    "issues",
    "started_at",
    "status",
    "current-wave",
    "total-waves",
    "updated",
    "session",
    "session-start-ref",
    "docs-tasks",
    "recommended-mode",
    "top-priorities",
    "carryover-ratio",
    "completion-rate",
    "rationale",
];

/// Keys every STATE.md has.
const REQUIRED: &[&str] = &[
    "schema-version",
    "session-type",
    "branch",
    "issues",
    "started_at",
    "status",
    "current-wave",
    "total-waves",
];

/// The kind of session (`session-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionType {
    /// A feature session.
    Feature,
    /// A deep session (the default of `/session`).
    Deep,
    /// A housekeeping session.
    Housekeeping,
    /// No session yet (the bootstrap placeholder, and after the idle reset).
    None,
}

impl SessionType {
    /// Every session type, in the order the docs list them.
    pub const ALL: [Self; 4] = [Self::Feature, Self::Deep, Self::Housekeeping, Self::None];

    /// As written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feature => "feature",
            Self::Deep => "deep",
            Self::Housekeeping => "housekeeping",
            Self::None => "none",
        }
    }

    /// From the spelling in the file (exact, lowercase).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Where the session stands (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waves are running.
    Active,
    /// The circuit breaker stopped the waves, or the user paused them.
    Paused,
    /// `/close` finished the session.
    Completed,
    /// Between sessions.
    Idle,
}

impl Status {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Active, Self::Paused, Self::Completed, Self::Idle];

    /// As written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Idle => "idle",
        }
    }

    /// From the spelling in the file (exact, lowercase).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The frontmatter of a STATE.md.
#[derive(Debug, Clone, PartialEq)]
pub struct Frontmatter {
    /// `session-type`.
    pub session_type: SessionType,
    /// `branch`: the branch the session works on (`none` outside a git repository).
    pub branch: String,
    /// `issues`: the issue numbers the session works on.
    pub issues: Vec<u64>,
    /// `started_at`: ISO-8601 UTC.
    pub started_at: String,
    /// `status`.
    pub status: Status,
    /// `current-wave`: the running or last finished wave (0 before the first).
    pub current_wave: u32,
    /// `total-waves`.
    pub total_waves: u32,
    /// `updated`: when the file was last written (ISO-8601 UTC).
    pub updated: Option<String>,
    /// `session`: a label for people, never an ownership key.
    pub session: Option<String>,
    /// `session-start-ref`: the commit the session started from.
    pub session_start_ref: Option<String>,
    /// `docs-tasks`: kept as written.
    pub docs_tasks: Option<Value>,
    /// `recommended-mode`: the mode recommended for the next session.
    pub recommended_mode: Option<String>,
    /// `top-priorities`: at most five.
    pub top_priorities: Option<Vec<String>>,
    /// `carryover-ratio`: 0 to 1.
    pub carryover_ratio: Option<f64>,
    /// `completion-rate`: 0 to 1.
    pub completion_rate: Option<f64>,
    /// `rationale`: at most 120 characters.
    pub rationale: Option<String>,
    /// Keys this crate does not know, in file order: kept, never checked.
    pub extra: Mapping,
}

impl Frontmatter {
    /// A frontmatter with the required keys and nothing else.
    pub fn new(
        session_type: SessionType,
        status: Status,
        branch: impl Into<String>,
        started_at: impl Into<String>,
        total_waves: u32,
    ) -> Self {
        Self {
            session_type,
            branch: branch.into(),
            issues: Vec::new(),
            started_at: started_at.into(),
            status,
            current_wave: 0,
            total_waves,
            updated: None,
            session: None,
            session_start_ref: None,
            docs_tasks: None,
            recommended_mode: None,
            top_priorities: None,
            carryover_ratio: None,
            completion_rate: None,
            rationale: None,
            extra: Mapping::new(),
        }
    }

    /// Reads the parsed YAML mapping. `line_of` gives the line of a key (for messages);
    /// `end_line` is the closing `---`, where a missing key is reported.
    pub(crate) fn from_mapping(
        map: Mapping,
        line_of: &dyn Fn(&str) -> usize,
        end_line: usize,
    ) -> Result<Self, Vec<Problem>> {
        let mut known = Mapping::new();
        let mut extra = Mapping::new();
        for (k, v) in map {
            match k.as_str() {
                Some(name) if KEYS.contains(&name) => {
                    known.insert(k, v);
                }
                _ => {
                    extra.insert(k, v);
                }
            }
        }
        let mut r = Reader {
            map: known,
            problems: Vec::new(),
            line_of,
        };
        for key in REQUIRED {
            if r.map.get(*key).is_none() {
                r.problems.push(Problem {
                    line: end_line,
                    message: format!("the required key `{key}` is missing"),
                });
            }
        }
        if let Some(v) = r.map.get("schema-version")
            && v.as_u64() != Some(SCHEMA_VERSION)
        {
            let message = format!(
                "must be {SCHEMA_VERSION} (the only version this build reads), got {}",
                shown(v)
            );
            r.problem("schema-version", &message);
        }
        let mut fm = Self::new(SessionType::None, Status::Idle, "", "", 0);
        fm.extra = extra;
        r.fill(&mut fm);
        let mut problems = r.problems;
        if problems.is_empty() {
            // Only now is every required key known to be there: the rules between keys
            // would otherwise judge placeholders.
            for (key, message) in fm.cross_checks() {
                problems.push(Problem {
                    line: line_of(key),
                    message,
                });
            }
        }
        if problems.is_empty() {
            Ok(fm)
        } else {
            problems.sort_by_key(|p| p.line);
            Err(problems)
        }
    }

    /// Rules between keys: `(key to blame, message)`.
    pub(crate) fn cross_checks(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.current_wave > self.total_waves {
            out.push((
                "current-wave",
                format!(
                    "`current-wave` ({}) is greater than `total-waves` ({})",
                    self.current_wave, self.total_waves
                ),
            ));
        }
        out
    }

    /// Sets `key` from its command-line spelling, checking the value. Cross-key rules
    /// (`current-wave` ≤ `total-waves`) are left to [`Frontmatter::cross_checks`], so that
    /// several keys can be set in any order. An empty value removes an optional key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        let named = |m: String| format!("`{key}`: {m}");
        let optional = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        match key {
            "schema-version" => {
                return Err(format!(
                    "`schema-version` is fixed at {SCHEMA_VERSION}; it cannot be set"
                ));
            }
            "updated" => {
                return Err(
                    "`updated` is set to the current time by every write; it cannot be set"
                        .to_owned(),
                );
            }
            "session-type" => {
                self.session_type = SessionType::parse(value).ok_or_else(|| {
                    named(one_of(value, &SessionType::ALL.map(SessionType::as_str)))
                })?;
            }
            "status" => {
                self.status = Status::parse(value)
                    .ok_or_else(|| named(one_of(value, &Status::ALL.map(Status::as_str))))?;
            }
            "branch" | "started_at" => {
                let v = required_line(value).map_err(named)?;
                if key == "branch" {
                    self.branch = v;
                } else {
                    self.started_at = v;
                }
            }
            "current-wave" | "total-waves" => {
                let n = value.parse::<u32>().map_err(|_| {
                    named(format!("must be a whole number, 0 or more, got `{value}`"))
                })?;
                if key == "current-wave" {
                    self.current_wave = n;
                } else {
                    self.total_waves = n;
                }
            }
            "issues" => self.issues = parse_issues(value).map_err(named)?,
            "session" | "session-start-ref" | "recommended-mode" => {
                single_line(value).map_err(named)?;
                let v = optional(value);
                match key {
                    "session" => self.session = v,
                    "session-start-ref" => self.session_start_ref = v,
                    _ => self.recommended_mode = v,
                }
            }
            "docs-tasks" => {
                let items = comma_list(value).map_err(named)?;
                self.docs_tasks = (!items.is_empty())
                    .then(|| Value::Sequence(items.into_iter().map(Value::String).collect()));
            }
            "top-priorities" => {
                let items = comma_list(value).map_err(named)?;
                check_priorities(&items).map_err(named)?;
                self.top_priorities = (!items.is_empty()).then_some(items);
            }
            "carryover-ratio" | "completion-rate" => {
                let v = if value.is_empty() {
                    None
                } else {
                    Some(parse_ratio(value).map_err(named)?)
                };
                if key == "carryover-ratio" {
                    self.carryover_ratio = v;
                } else {
                    self.completion_rate = v;
                }
            }
            "rationale" => {
                single_line(value).map_err(named)?;
                check_rationale(value).map_err(named)?;
                self.rationale = optional(value);
            }
            _ => {
                return Err(format!(
                    "unknown key `{key}`: the keys are {}",
                    KEYS.iter()
                        .filter(|k| !matches!(**k, "schema-version" | "updated"))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The frontmatter as JSON: every key present, known and unknown. Unknown keys that are
    /// not text are named by their YAML spelling.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            map.insert(k.to_owned(), v);
        };
        put("schema-version", SCHEMA_VERSION.into());
        put("session-type", self.session_type.as_str().into());
        put("branch", self.branch.clone().into());
        put("issues", self.issues.clone().into());
        put("started_at", self.started_at.clone().into());
        put("status", self.status.as_str().into());
        put("current-wave", self.current_wave.into());
        put("total-waves", self.total_waves.into());
        let texts = [
            ("updated", &self.updated),
            ("session", &self.session),
            ("session-start-ref", &self.session_start_ref),
            ("recommended-mode", &self.recommended_mode),
            ("rationale", &self.rationale),
        ];
        for (k, v) in texts {
            if let Some(v) = v {
                put(k, v.clone().into());
            }
        }
        if let Some(v) = &self.docs_tasks {
            put("docs-tasks", serde_json::to_value(v).unwrap_or_default());
        }
        if let Some(items) = &self.top_priorities {
            put("top-priorities", items.clone().into());
        }
        for (k, v) in [
            ("carryover-ratio", self.carryover_ratio),
            ("completion-rate", self.completion_rate),
        ] {
            if let Some(v) = v {
                put(k, v.into());
            }
        }
        for (k, v) in &self.extra {
            let name = k.as_str().map_or_else(
                || {
                    serde_yaml_ng::to_string(k)
                        .map_or_else(|_| "?".to_owned(), |y| y.trim_end().to_owned())
                },
                str::to_owned,
            );
            put(&name, serde_json::to_value(v).unwrap_or_default());
        }
        serde_json::Value::Object(map)
    }

    /// The YAML text between the `---` lines, as it is written.
    pub fn to_yaml(&self) -> String {
        self.render()
    }

    /// The YAML text between the `---` lines, every line ending in `\n`.
    pub(crate) fn render(&self) -> String {
        let kv = |key: &str, value: String| format!("{key}: {value}\n");
        let mut out = vec![
            kv("schema-version", SCHEMA_VERSION.to_string()),
            kv("session-type", self.session_type.as_str().to_owned()),
            kv("branch", scalar(&self.branch)),
            kv("issues", flow(self.issues.iter().map(u64::to_string))),
            kv("started_at", scalar(&self.started_at)),
            kv("status", self.status.as_str().to_owned()),
            kv("current-wave", self.current_wave.to_string()),
            kv("total-waves", self.total_waves.to_string()),
        ];
        for (key, v) in [
            ("updated", &self.updated),
            ("session", &self.session),
            ("session-start-ref", &self.session_start_ref),
        ] {
            if let Some(v) = v {
                out.push(kv(key, scalar(v)));
            }
        }
        if let Some(v) = &self.docs_tasks {
            out.push(entry(&Value::String("docs-tasks".to_owned()), v));
        }
        if let Some(v) = &self.recommended_mode {
            out.push(kv("recommended-mode", scalar(v)));
        }
        if let Some(items) = &self.top_priorities {
            out.push(kv("top-priorities", flow(items.iter().map(|s| quoted(s)))));
        }
        for (key, v) in [
            ("carryover-ratio", self.carryover_ratio),
            ("completion-rate", self.completion_rate),
        ] {
            if let Some(v) = v {
                out.push(kv(key, number(v)));
            }
        }
        if let Some(v) = &self.rationale {
            out.push(kv("rationale", scalar(v)));
        }
        out.extend(self.extra.iter().map(|(k, v)| entry(k, v)));
        out.concat()
    }
}

/// Reads known keys, collecting problems with their lines.
struct Reader<'a> {
    map: Mapping,
    problems: Vec<Problem>,
    line_of: &'a dyn Fn(&str) -> usize,
}

impl Reader<'_> {
    fn problem(&mut self, key: &str, message: &str) {
        self.problems.push(Problem {
            line: (self.line_of)(key),
            message: format!("`{key}` {message}"),
        });
    }

    /// Sets every key of `fm` the mapping holds a valid value for; the others are
    /// problems (or, for optional keys, absent).
    fn fill(&mut self, fm: &mut Frontmatter) {
        let session_types = SessionType::ALL.map(SessionType::as_str);
        let statuses = Status::ALL.map(Status::as_str);
        if let Some(v) = self.get("session-type", |v| {
            enumerated(v, SessionType::parse, &session_types)
        }) {
            fm.session_type = v;
        }
        if let Some(v) = self.get("status", |v| enumerated(v, Status::parse, &statuses)) {
            fm.status = v;
        }
        if let Some(v) = self.get("branch", text) {
            fm.branch = v;
        }
        if let Some(v) = self.get("issues", issue_list) {
            fm.issues = v;
        }
        if let Some(v) = self.get("started_at", text) {
            fm.started_at = v;
        }
        if let Some(v) = self.get("current-wave", count) {
            fm.current_wave = v;
        }
        if let Some(v) = self.get("total-waves", count) {
            fm.total_waves = v;
        }
        fm.updated = self.get("updated", text);
        fm.session = self.get("session", text);
        fm.session_start_ref = self.get("session-start-ref", text);
        fm.docs_tasks = self.map.get("docs-tasks").filter(|v| !v.is_null()).cloned();
        fm.recommended_mode = self.get("recommended-mode", text);
        fm.top_priorities = self.get("top-priorities", |v| {
            let items = string_list(v)?;
            check_priorities(&items)?;
            Ok(items)
        });
        fm.carryover_ratio = self.get("carryover-ratio", ratio);
        fm.completion_rate = self.get("completion-rate", ratio);
        fm.rationale = self.get("rationale", |v| {
            let t = text(v)?;
            check_rationale(&t)?;
            Ok(t)
        });
    }

    /// The value of `key` converted, or `None` (absent, null, or a problem recorded).
    fn get<T>(&mut self, key: &str, convert: impl Fn(&Value) -> Result<T, String>) -> Option<T> {
        let v = self.map.get(key)?.clone();
        if v.is_null() && !REQUIRED.contains(&key) {
            return None;
        }
        match convert(&v) {
            Ok(t) => Some(t),
            Err(m) => {
                self.problem(key, &m);
                None
            }
        }
    }
}

/// How a value is described in messages.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Sequence(_) => "a list".to_owned(),
        Value::Mapping(_) => "a mapping".to_owned(),
        Value::Tagged(_) => "a tagged value".to_owned(),
    }
}

fn one_of(got: &str, allowed: &[&str]) -> String {
    format!("must be one of {}, got `{got}`", allowed.join(", "))
}

fn text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        // `branch: 2026` is YAML for a number; it is still the branch's name.
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("must be text, got {}", shown(other))),
    }
}

fn enumerated<T>(v: &Value, parse: fn(&str) -> Option<T>, allowed: &[&str]) -> Result<T, String> {
    match v {
        Value::String(s) => parse(s).ok_or_else(|| one_of(s, allowed)),
        other => Err(format!(
            "must be one of {}, got {}",
            allowed.join(", "),
            shown(other)
        )),
    }
}

fn count(v: &Value) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("must be a whole number, 0 or more, got {}", shown(v)))
}

fn ratio(v: &Value) -> Result<f64, String> {
    match v.as_f64() {
        Some(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("must be a number from 0 to 1, got {}", shown(v))),
    }
}

fn issue_list(v: &Value) -> Result<Vec<u64>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Sequence(items) => items
            .iter()
            .map(|i| match i {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => issue_number(s),
                _ => None,
            })
            .map(|n| {
                n.ok_or_else(|| {
                    format!(
                        "must be a list of issue numbers, like `[12, 34]`; got {}",
                        shown(v)
                    )
                })
            })
            .collect(),
        other => Err(format!(
            "must be a list of issue numbers, like `[12, 34]` (or `[]`), got {}",
            shown(other)
        )),
    }
}

fn string_list(v: &Value) -> Result<Vec<String>, String> {
    let Value::Sequence(items) = v else {
        return Err(format!("must be a list, got {}", shown(v)));
    };
    items
        .iter()
        .map(|i| match i {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!(
                "must be a list of text items, got {} in it",
                shown(other)
            )),
        })
        .collect()
}

fn check_priorities(items: &[String]) -> Result<(), String> {
    if items.len() > TOP_PRIORITIES_CAP {
        return Err(format!(
            "holds at most {TOP_PRIORITIES_CAP} items, got {}",
            items.len()
        ));
    }
    Ok(())
}

fn check_rationale(text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > RATIONALE_CAP {
        return Err(format!("holds at most {RATIONALE_CAP} characters, got {n}"));
    }
    Ok(())
}

/// `12`, `#12`.
fn issue_number(s: &str) -> Option<u64> {
    s.trim().trim_start_matches('#').parse().ok()
}

/// Issue numbers from their command-line spelling: `12,34` (a `#` before a number is fine,
/// empty items are dropped); the error names the item that is not a number.
pub fn parse_issues(value: &str) -> Result<Vec<u64>, String> {
    comma_list(value)?
        .iter()
        .map(|item| {
            issue_number(item).ok_or_else(|| {
                format!("`{item}` is not an issue number: give numbers separated by commas, like `12,34`")
            })
        })
        .collect()
}

fn parse_ratio(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("must be a number from 0 to 1, got `{value}`")),
    }
}

/// `a, b, c` → items, trimmed, empty items dropped.
fn comma_list(value: &str) -> Result<Vec<String>, String> {
    single_line(value)?;
    Ok(value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

fn single_line(value: &str) -> Result<(), String> {
    if value.contains(['\n', '\r']) {
        return Err("must be one line".to_owned());
    }
    Ok(())
}

fn required_line(value: &str) -> Result<String, String> {
    single_line(value)?;
    if value.is_empty() {
        return Err("cannot be empty".to_owned());
    }
    Ok(value.to_owned())
}

/// A string as a YAML scalar: plain when YAML reads it back as the same string, quoted
/// otherwise (`'1.0'`, `'true'`), double-quoted with escapes when it spans lines.
fn scalar(s: &str) -> String {
    match serde_yaml_ng::to_string(&Value::String(s.to_owned())) {
        Ok(y) if !y.trim_end().contains('\n') && !y.trim().is_empty() => y.trim_end().to_owned(),
        _ => quoted(s),
    }
}

/// A JSON string is a valid YAML double-quoted scalar, safe inside `[...]` too.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "'")))
}

fn number(f: f64) -> String {
    serde_yaml_ng::to_string(&Value::Number(f.into()))
        .map_or_else(|_| f.to_string(), |y| y.trim_end().to_owned())
}

fn flow(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// One `key: value` entry in block style, as `serde_yaml_ng` writes it.
fn entry(key: &Value, value: &Value) -> String {
    let mut m = Mapping::new();
    m.insert(key.clone(), value.clone());
    serde_yaml_ng::to_string(&m).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_checks_types_and_caps() {
        let mut fm = Frontmatter::new(SessionType::Deep, Status::Active, "main", "t", 5);
        assert!(fm.set("status", "paused").is_ok());
        assert_eq!(fm.status, Status::Paused);
        assert!(
            fm.set("status", "done")
                .is_err_and(|e| e.contains("`status`"))
        );
        assert!(fm.set("issues", "12, #34").is_ok());
        assert_eq!(fm.issues, [12, 34]);
        assert!(
            fm.set("issues", "12,abc")
                .is_err_and(|e| e.contains("`abc`"))
        );
        assert!(fm.set("issues", "").is_ok());
        assert!(fm.issues.is_empty());
        assert!(fm.set("top-priorities", "a,b,c,d,e").is_ok());
        assert!(
            fm.set("top-priorities", "a,b,c,d,e,f")
                .is_err_and(|e| e.contains("at most 5"))
        );
        assert!(fm.set("carryover-ratio", "0.25").is_ok());
        assert_eq!(fm.carryover_ratio, Some(0.25));
        assert!(fm.set("completion-rate", "1.5").is_err());
        assert!(fm.set("completion-rate", "x").is_err());
        assert!(fm.set("rationale", &"x".repeat(120)).is_ok());
        assert!(
            fm.set("rationale", &"x".repeat(121))
                .is_err_and(|e| e.contains("120"))
        );
        assert!(fm.set("current-wave", "-1").is_err());
        assert!(fm.set("branch", "").is_err());
        assert!(fm.set("session", "").is_ok());
        assert_eq!(fm.session, None);
        assert!(
            fm.set("nope", "1")
                .is_err_and(|e| e.contains("unknown key `nope`"))
        );
        assert!(fm.set("schema-version", "2").is_err());
        assert!(fm.set("updated", "x").is_err());
    }

    #[test]
    fn strings_that_yaml_would_read_otherwise_are_quoted() {
        assert_eq!(scalar("main"), "main");
        assert_eq!(scalar("1.0"), "'1.0'");
        assert_eq!(scalar("true"), "'true'");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar(""), "''");
        for s in [
            "main", "1.0", "true", "null", "a: b", "#x", "- y", "a\nb", "", "[x]",
        ] {
            let back: Value =
                serde_yaml_ng::from_str(&format!("k: {}", scalar(s))).unwrap_or(Value::Null);
            assert_eq!(back.get("k").and_then(Value::as_str), Some(s), "{s:?}");
        }
    }
}
