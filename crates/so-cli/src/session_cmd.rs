//! `session-orchestrator session record`: the validated writer of the session-end skill's
//! record in `.orchestrator/metrics/sessions.jsonl` (the original's `emit-session.mjs`).
//!
//! The input is one JSON object; every field is checked and every problem reported (one
//! `error: <field>: …` line each) before anything is written. A valid record is appended as
//! one `orchestrator.session.reported` line under the log's lock and printed.
//!
//! Exit codes: 0 stored, 1 invalid record, 2 I/O error, 64 bad arguments.

use std::collections::BTreeSet;
use std::process::ExitCode;

use serde_json::{Map, Value};
use so_events::catalog::{self, AgentSummary, Origin, ReportedWave, SessionReport};
use so_events::{Layout, Timestamp};

use crate::wave_scope::{Cursor, Failure, detect_client, once, project_root, read_input};

/// Why a command failed, and so its exit code.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad arguments: 64.
    Args(String),
    /// Invalid input, one message per problem: 1.
    Invalid(Vec<String>),
    /// A file could not be read or written: 2.
    Io(String),
}

impl CliError {
    /// Prints `error: …` lines and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Self::Args(m) => {
                eprintln!("error: {m}");
                ExitCode::from(64)
            }
            Self::Invalid(messages) => {
                for m in messages {
                    eprintln!("error: {m}");
                }
                ExitCode::from(1)
            }
            Self::Io(m) => {
                eprintln!("error: {m}");
                ExitCode::from(2)
            }
        }
    }
}

/// The argument helpers of `wave-scope` report bad arguments as invalid input; here they
/// are argument errors.
impl From<Failure> for CliError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Invalid(m) => Self::Args(m.join("; ")),
            Failure::Io(m) => Self::Io(m),
        }
    }
}

/// `$CLAUDE_CODE_SESSION_ID`, when set and not empty.
pub(crate) fn session_id_from_env() -> Option<String> {
    std::env::var("CLAUDE_CODE_SESSION_ID")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The client running this command, when its environment says (never the default guess).
pub(crate) fn detected_client() -> Option<&'static str> {
    let env: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let client = detect_client(&env);
    client
        .source
        .starts_with("detected")
        .then(|| crate::wave_scope::client_name(client.state))
}

/// `session record`.
pub fn run(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("record") => record(&args[1..]),
        Some(other) => Err(CliError::Args(format!(
            "unknown `session` command `{other}`: use `session record [FILE|-]`"
        ))),
        None => Err(CliError::Args(
            "`session` needs a command: `session record [FILE|-]`".into(),
        )),
    };
    result.unwrap_or_else(CliError::report)
}

fn record(args: &[String]) -> Result<ExitCode, CliError> {
    let (mut input, mut project) = (None, None);
    let mut c = Cursor::new(args);
    while let Some(a) = c.next_arg() {
        match a {
            "--project" => once(&mut project, a, c.value(a, "the project directory")?)?,
            "-" => once(&mut input, "FILE", a)?,
            flag if flag.starts_with('-') => {
                return Err(CliError::Args(format!(
                    "unknown argument `{flag}` for `session record`"
                )));
            }
            file => once(&mut input, "FILE", file)?,
        }
    }
    let (text, name) = read_input(input.unwrap_or("-"))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Invalid(vec![format!("input: {name} is not valid JSON: {e}")]))?;
    let v = validate(&doc).map_err(CliError::Invalid)?;
    let root = project_root(project)?;
    let layout = Layout::new(&root);
    layout.ensure().map_err(|e| CliError::Io(e.to_string()))?;
    let origin = Origin {
        session_id: Some(&v.session_id),
        client: detected_client(),
        at: Timestamp::now(),
    };
    let event = catalog::session_reported(
        &origin,
        &SessionReport {
            session_type: &v.session_type,
            started_at: &v.started_at,
            completed_at: &v.completed_at,
            duration_ms: v.duration_ms,
            total_waves: v.total_waves,
            waves: &v.waves,
            agent_summary: v.agent_summary,
            total_agents: v.total_agents,
            total_files_changed: v.total_files_changed,
            issues_planned: v.issues_planned,
            issues_closed: v.issues_closed,
            carryover: v.carryover,
            gate: v.gate.as_ref(),
            notes: v.notes.as_deref(),
        },
    );
    so_events::append(&layout.sessions(), &event).map_err(|e| CliError::Io(e.to_string()))?;
    crate::emit(&event.to_line());
    Ok(ExitCode::SUCCESS)
}

/// A record that passed every check.
#[derive(Debug, Default)]
struct Valid {
    session_id: String,
    session_type: String,
    started_at: String,
    completed_at: String,
    duration_ms: Option<u64>,
    total_waves: u64,
    waves: Vec<ReportedWave>,
    agent_summary: AgentSummary,
    total_agents: u64,
    total_files_changed: u64,
    issues_planned: Option<u64>,
    issues_closed: Option<u64>,
    carryover: Option<u64>,
    gate: Option<Value>,
    notes: Option<String>,
}

const FIELDS: &[&str] = &[
    "session_id",
    "session_type",
    "started_at",
    "completed_at",
    "total_waves",
    "waves",
    "agent_summary",
    "total_agents",
    "total_files_changed",
    "issues_planned",
    "issues_closed",
    "carryover",
    "gate",
    "notes",
];
const SESSION_TYPES: &[&str] = &["feature", "deep", "housekeeping"];
const ROLES: &[&str] = &[
    "Discovery",
    "Impl-Core",
    "Impl-Polish",
    "Quality",
    "Finalization",
];
const WAVE_FIELDS: &[&str] = &["wave", "role", "agents", "status"];
const AGENT_FIELDS: &[&str] = &["complete", "partial", "failed", "spiral"];

/// Collects one message per problem.
struct Check<'a> {
    obj: &'a Map<String, Value>,
    path: String,
    errors: &'a mut Vec<String>,
}

impl<'a> Check<'a> {
    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn fail(&mut self, key: &str, message: impl AsRef<str>) {
        let name = self.name(key);
        self.errors.push(format!("{name}: {}", message.as_ref()));
    }

    fn unknown(&mut self, known: &[&str]) {
        let extra: Vec<String> = self
            .obj
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in extra {
            self.fail(&k, format!("unknown field (known: {})", known.join(", ")));
        }
    }

    /// A required value; `None` (and an error) when absent or null.
    fn required(&mut self, key: &str) -> Option<&'a Value> {
        let obj = self.obj;
        match obj.get(key) {
            None | Some(Value::Null) => {
                self.fail(key, "required");
                None
            }
            Some(v) => Some(v),
        }
    }

    fn string(&mut self, key: &str, v: &Value) -> Option<String> {
        match v.as_str().map(str::trim) {
            Some("") => {
                self.fail(key, "must not be empty");
                None
            }
            Some(s) if s.chars().any(char::is_control) => {
                self.fail(key, "must not contain control characters");
                None
            }
            Some(s) => Some(s.to_owned()),
            None => {
                self.fail(key, format!("must be a string, got {}", kind(v)));
                None
            }
        }
    }

    fn req_string(&mut self, key: &str) -> Option<String> {
        let v = self.required(key)?;
        self.string(key, v)
    }

    fn count(&mut self, key: &str, v: &Value, min: u64) -> Option<u64> {
        match v.as_u64() {
            Some(n) if n >= min => Some(n),
            _ => {
                self.fail(key, format!("must be an integer >= {min}, got {v}"));
                None
            }
        }
    }

    fn req_count(&mut self, key: &str) -> Option<u64> {
        let v = self.required(key)?;
        self.count(key, v, 0)
    }

    /// An optional count: absent or null is `None` and no error.
    fn opt_count(&mut self, key: &str) -> Option<u64> {
        let obj = self.obj;
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => self.count(key, v, 0),
        }
    }

    fn one_of(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        let s = self.req_string(key)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.fail(key, format!("`{s}` is not one of {}", allowed.join(", ")));
            None
        }
    }

    fn time(&mut self, key: &str) -> Option<(String, Timestamp)> {
        let s = self.req_string(key)?;
        if let Some(t) = Timestamp::parse(&s) {
            return Some((s, t));
        }
        self.fail(
            key,
            format!("`{s}` is not an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SS[.mmm]Z)"),
        );
        None
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every problem of `doc`, or the record.
fn validate(doc: &Value) -> Result<Valid, Vec<String>> {
    let Some(obj) = doc.as_object() else {
        return Err(vec![format!(
            "input: expected one JSON object, got {}",
            kind(doc)
        )]);
    };
    let mut errors = Vec::new();
    let mut c = Check {
        obj,
        path: String::new(),
        errors: &mut errors,
    };
    c.unknown(FIELDS);
    let session_id = c.req_string("session_id");
    let session_type = c.one_of("session_type", SESSION_TYPES);
    let started = c.time("started_at");
    let completed = c.time("completed_at");
    let duration_ms = match (&started, &completed) {
        (Some((_, s)), Some((_, e))) => {
            let d = e.millis_since(*s);
            if d.is_none() {
                c.fail("completed_at", "is before `started_at`");
            }
            d
        }
        _ => None,
    };
    let total_waves = c.req_count("total_waves");
    let waves = c.required("waves").and_then(|v| waves(v, c.errors));
    if let (Some(ws), Some(n)) = (&waves, total_waves)
        && ws.len() as u64 != n
    {
        c.fail(
            "waves",
            format!("has {} entries but `total_waves` is {n}", ws.len()),
        );
    }
    let agent_summary = c
        .required("agent_summary")
        .and_then(|v| agents(v, c.errors));
    let total_agents = c.req_count("total_agents");
    let total_files_changed = c.req_count("total_files_changed");
    let issues_planned = c.opt_count("issues_planned");
    let issues_closed = c.opt_count("issues_closed");
    let carryover = c.opt_count("carryover");
    let gate = match obj.get("gate") {
        None | Some(Value::Null) => None,
        Some(g @ Value::Object(m)) => {
            if m.get("passed").is_some_and(|p| !p.is_boolean()) {
                c.fail("gate.passed", "must be a boolean");
            }
            Some(g.clone())
        }
        Some(other) => {
            c.fail(
                "gate",
                format!("must be the quality-gate JSON object, got {}", kind(other)),
            );
            None
        }
    };
    let notes = match obj.get("notes") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            c.fail("notes", format!("must be a string, got {}", kind(other)));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(session_id), Some(session_type), Some((started_at, _)), Some((completed_at, _))) =
        (session_id, session_type, started, completed)
    else {
        unreachable!("a missing required field is an error");
    };
    Ok(Valid {
        session_id,
        session_type,
        started_at,
        completed_at,
        duration_ms,
        total_waves: total_waves.unwrap_or_default(),
        waves: waves.unwrap_or_default(),
        agent_summary: agent_summary.unwrap_or_default(),
        total_agents: total_agents.unwrap_or_default(),
        total_files_changed: total_files_changed.unwrap_or_default(),
        issues_planned,
        issues_closed,
        carryover,
        gate,
        notes,
    })
}

fn waves(v: &Value, errors: &mut Vec<String>) -> Option<Vec<ReportedWave>> {
    let Some(list) = v.as_array() else {
        errors.push(format!("waves: must be an array, got {}", kind(v)));
        return None;
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let before = errors.len();
    for (i, item) in list.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            errors.push(format!("waves[{i}]: must be an object, got {}", kind(item)));
            continue;
        };
        let mut c = Check {
            obj,
            path: format!("waves[{i}]"),
            errors: &mut *errors,
        };
        c.unknown(WAVE_FIELDS);
        let wave = c.required("wave").and_then(|w| c.count("wave", w, 1));
        if let Some(n) = wave
            && !seen.insert(n)
        {
            c.fail("wave", format!("wave {n} appears more than once"));
        }
        let role = c.one_of("role", ROLES);
        let agents = c.req_count("agents");
        let status = c.req_string("status");
        if let (Some(wave), Some(role), Some(agents), Some(status)) = (wave, role, agents, status) {
            out.push(ReportedWave {
                wave,
                role,
                agents,
                status,
            });
        }
    }
    (errors.len() == before).then_some(out)
}

fn agents(v: &Value, errors: &mut Vec<String>) -> Option<AgentSummary> {
    let Some(obj) = v.as_object() else {
        errors.push(format!("agent_summary: must be an object, got {}", kind(v)));
        return None;
    };
    let mut c = Check {
        obj,
        path: "agent_summary".into(),
        errors,
    };
    c.unknown(AGENT_FIELDS);
    let complete = c.req_count("complete");
    let partial = c.req_count("partial");
    let failed = c.req_count("failed");
    let spiral = c.req_count("spiral");
    Some(AgentSummary {
        complete: complete?,
        partial: partial?,
        failed: failed?,
        spiral: spiral?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "session_id": "s-1",
            "session_type": "feature",
            "started_at": "2026-01-05T09:00:00Z",
            "completed_at": "2026-01-05T10:30:00.500Z",
            "total_waves": 2,
            "waves": [
                {"wave": 1, "role": "Discovery", "agents": 3, "status": "done"},
                {"wave": 2, "role": "Impl-Core", "agents": 4, "status": "partial"}
            ],
            "agent_summary": {"complete": 6, "partial": 1, "failed": 0, "spiral": 0},
            "total_agents": 7,
            "total_files_changed": 12
        })
    }

    #[test]
    fn a_valid_record_passes_with_its_duration() {
        let v = validate(&valid()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(v.duration_ms, Some(5_400_500));
        assert_eq!(v.waves[1].role, "Impl-Core");
        assert_eq!(v.carryover, None);
    }

    #[test]
    fn problems_are_all_reported_and_named() {
        let mut doc = valid();
        doc["session_type"] = json!("epic");
        doc["total_agents"] = json!(-1);
        doc["waves"][0]["role"] = json!("Coding");
        doc["waves"][1]["wave"] = json!(1);
        doc["agent_summary"] = json!({"complete": 1});
        doc["extra"] = json!(true);
        let errors = validate(&doc).err().unwrap_or_default();
        let fields: Vec<&str> = errors
            .iter()
            .map(|e| e.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            fields,
            [
                "extra",
                "session_type",
                "waves[0].role",
                "waves[1].wave",
                "agent_summary.partial",
                "agent_summary.failed",
                "agent_summary.spiral",
                "total_agents"
            ],
            "{errors:#?}"
        );
    }
}
