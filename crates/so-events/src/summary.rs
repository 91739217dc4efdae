//! What the logs hold, summarised for `session-orchestrator metrics`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::catalog::names;
use crate::rotate::with_backups;
use crate::session::{SessionState, read_current};
use crate::{Layout, ReadRecord, Timestamp, read_records};

/// The whole summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Only records at or after this time were counted.
    pub since: Option<String>,
    /// Sessions, oldest first: ended ones from `sessions.jsonl`, running ones from
    /// `current-session.json`.
    pub sessions: Vec<SessionRow>,
    /// Subagents grouped by type, most runs first.
    pub subagents: Vec<SubagentRow>,
    /// Guard decisions other than allow, grouped by hook, rule and decision, most first.
    pub blocked: Vec<RuleRow>,
    /// Loop-guard warnings by tool, most first.
    pub loop_warnings: Vec<LoopRow>,
    /// Lines in the logs that were not JSON records.
    pub unparsed_lines: usize,
    /// Files that could not be read.
    pub problems: Vec<String>,
}

/// One session.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionRow {
    /// Session id.
    pub session_id: String,
    /// Client.
    pub client: Option<String>,
    /// Start (ISO-8601).
    pub started_at: Option<String>,
    /// End; `None` while running.
    pub ended_at: Option<String>,
    /// Duration; `None` when unknown (and for running sessions).
    pub duration_ms: Option<u64>,
    /// Why it ended.
    pub reason: Option<String>,
    /// Its waves.
    pub waves: Vec<WaveRow>,
    /// Whether it is still running.
    pub running: bool,
    /// The session-end skill's report (`orchestrator.session.reported`), when there is one.
    pub report: Option<ReportRow>,
}

/// What the session-end skill reported about a session.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportRow {
    /// `feature`, `deep` or `housekeeping`.
    pub session_type: Option<String>,
    /// Number of waves.
    pub total_waves: Option<u64>,
    /// Agents dispatched.
    pub total_agents: Option<u64>,
    /// How the agents ended.
    pub agent_summary: AgentSummaryRow,
    /// Files changed.
    pub total_files_changed: Option<u64>,
    /// Issues planned.
    pub issues_planned: Option<u64>,
    /// Issues closed.
    pub issues_closed: Option<u64>,
    /// Work carried over to the next session.
    pub carryover: Option<u64>,
    /// The reported quality gate's `passed`, when a gate report was included.
    pub gate_passed: Option<bool>,
}

/// How a session's agents ended (null: not reported).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct AgentSummaryRow {
    /// Done.
    pub complete: Option<u64>,
    /// Partial.
    pub partial: Option<u64>,
    /// Failed.
    pub failed: Option<u64>,
    /// Spiralled.
    pub spiral: Option<u64>,
}

/// One wave of a session.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WaveRow {
    /// Wave number.
    pub wave: u64,
    /// Role.
    pub role: Option<String>,
    /// Duration when known.
    pub duration_ms: Option<u64>,
}

/// Subagents of one type.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubagentRow {
    /// `agent_type` (`unknown` when not given).
    pub agent_type: String,
    /// Finished runs.
    pub runs: u64,
    /// Started but never stopped.
    pub unfinished: u64,
    /// Runs with a known duration.
    pub timed_runs: u64,
    /// Sum of known durations.
    pub total_duration_ms: u64,
    /// Median of known durations.
    pub median_duration_ms: Option<u64>,
    /// Runs with token usage.
    pub runs_with_usage: u64,
    /// Sum of input tokens (cache reads and writes included).
    pub input_tokens: u64,
    /// Sum of output tokens.
    pub output_tokens: u64,
}

/// Guard decisions of one rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleRow {
    /// The hook.
    pub hook: String,
    /// Rule id.
    pub rule_id: String,
    /// Decision (`deny`, `warn`, `ask`, …).
    pub decision: String,
    /// How often.
    pub count: u64,
    /// Last time.
    pub last_at: Option<String>,
}

/// Loop warnings of one tool.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoopRow {
    /// The tool.
    pub tool_name: String,
    /// How often the guard fired.
    pub count: u64,
    /// Last time.
    pub last_at: Option<String>,
}

/// Summarises the logs of the project at `project_root`, counting records at or after
/// `since`.
pub fn summarize(project_root: &Path, since: Option<Timestamp>) -> Summary {
    let layout = Layout::new(project_root);
    let mut s = Summary {
        since: since.map(|t| t.to_string()),
        ..Summary::default()
    };
    let keep = |r: &ReadRecord| since.is_none_or(|t| r.timestamp.is_some_and(|ts| ts >= t));
    let load = |path: &Path, s: &mut Summary| -> Vec<ReadRecord> {
        match read_records(path) {
            Ok(r) => {
                s.unparsed_lines += r.unparsed;
                r.records.into_iter().filter(|x| keep(x)).collect()
            }
            Err(e) => {
                s.problems.push(e.to_string());
                Vec::new()
            }
        }
    };
    let sessions = load(&layout.sessions(), &mut s);
    let subagents = load(&layout.subagents(), &mut s);
    let mut events = Vec::new();
    for path in with_backups(&layout.events()) {
        events.extend(load(&path, &mut s));
    }

    s.sessions = session_rows(&sessions);
    match read_current(&layout) {
        Ok(current) => {
            let running = std::iter::once(&current.current).chain(current.others.values());
            for state in running.filter(|st| !st.session_id.is_empty() && st.ended_at.is_none()) {
                let started = state.started_at.as_deref().and_then(Timestamp::parse);
                if since.is_none_or(|t| started.is_some_and(|st| st >= t))
                    && !s.sessions.iter().any(|r| r.session_id == state.session_id)
                {
                    s.sessions.push(running_row(state));
                }
            }
        }
        Err(e) => s.problems.push(e.to_string()),
    }
    // Sessions whose start is unknown sort by their end.
    s.sessions.sort_by(|a, b| {
        let key = |r: &SessionRow| r.started_at.clone().or_else(|| r.ended_at.clone());
        key(a).cmp(&key(b))
    });
    s.subagents = subagent_rows(&subagents);
    s.blocked = rule_rows(&events);
    s.loop_warnings = loop_rows(&events);
    s
}

fn session_rows(records: &[ReadRecord]) -> Vec<SessionRow> {
    let mut rows: Vec<SessionRow> = Vec::new();
    for r in records {
        if r.event == names::SESSION_REPORTED {
            add_report(&mut rows, r);
            continue;
        }
        if r.event != names::SESSION_RECORDED {
            continue;
        }
        let waves = r
            .value
            .get("waves")
            .and_then(serde_json::Value::as_array)
            .map(|ws| {
                ws.iter()
                    .map(|w| WaveRow {
                        wave: w
                            .get("wave")
                            .and_then(serde_json::Value::as_u64)
                            .unwrap_or(0),
                        role: w.get("role").and_then(|v| v.as_str()).map(str::to_owned),
                        duration_ms: w.get("duration_ms").and_then(serde_json::Value::as_u64),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let session_id = r.str("session_id").unwrap_or("?").to_owned();
        // A report that came first (the skill runs before the client's SessionEnd) stays.
        let report = rows
            .iter()
            .find(|x| x.session_id == session_id)
            .and_then(|x| x.report.clone());
        let row = SessionRow {
            session_id,
            client: r.str("client").map(str::to_owned),
            started_at: r.str("started_at").map(str::to_owned),
            ended_at: r.str("ended_at").map(str::to_owned),
            duration_ms: r.u64("duration_ms"),
            reason: r.str("reason").map(str::to_owned),
            waves,
            running: false,
            report,
        };
        // A session that ended twice (resumed, then ended again) keeps its last record.
        rows.retain(|x| x.session_id != row.session_id);
        rows.push(row);
    }
    rows
}

/// Adds an `orchestrator.session.reported` record to its session's row (the last report
/// wins), or makes a row of it when the client's `SessionEnd` left none.
fn add_report(rows: &mut Vec<SessionRow>, r: &ReadRecord) {
    use serde_json::Value;
    let value = |k: &str| r.value.get(k);
    let summary = value("agent_summary");
    let count = |k: &str| summary.and_then(|s| s.get(k)).and_then(Value::as_u64);
    let report = ReportRow {
        session_type: r.str("session_type").map(str::to_owned),
        total_waves: r.u64("total_waves"),
        total_agents: r.u64("total_agents"),
        agent_summary: AgentSummaryRow {
            complete: count("complete"),
            partial: count("partial"),
            failed: count("failed"),
            spiral: count("spiral"),
        },
        total_files_changed: r.u64("total_files_changed"),
        issues_planned: r.u64("issues_planned"),
        issues_closed: r.u64("issues_closed"),
        carryover: r.u64("carryover"),
        gate_passed: value("gate")
            .and_then(|g| g.get("passed"))
            .and_then(Value::as_bool),
    };
    let session_id = r.str("session_id").unwrap_or("?");
    if let Some(row) = rows.iter_mut().find(|x| x.session_id == session_id) {
        row.report = Some(report);
        return;
    }
    let started = r.str("started_at");
    let completed = r.str("completed_at");
    let waves = value("waves")
        .and_then(Value::as_array)
        .map(|ws| {
            ws.iter()
                .map(|w| WaveRow {
                    wave: w.get("wave").and_then(Value::as_u64).unwrap_or(0),
                    role: w.get("role").and_then(Value::as_str).map(str::to_owned),
                    duration_ms: None,
                })
                .collect()
        })
        .unwrap_or_default();
    rows.push(SessionRow {
        session_id: session_id.to_owned(),
        client: r.str("client").map(str::to_owned),
        started_at: started.map(str::to_owned),
        ended_at: completed.map(str::to_owned),
        duration_ms: r.u64("duration_ms"),
        reason: None,
        waves,
        running: false,
        report: Some(report),
    });
}

fn running_row(state: &SessionState) -> SessionRow {
    SessionRow {
        session_id: state.session_id.clone(),
        client: state.client.clone(),
        started_at: state.started_at.clone(),
        ended_at: None,
        duration_ms: None,
        reason: None,
        waves: state
            .waves
            .iter()
            .map(|w| WaveRow {
                wave: u64::from(w.wave),
                role: w.role.clone(),
                duration_ms: w.duration_ms(),
            })
            .collect(),
        running: true,
        report: None,
    }
}

fn subagent_rows(records: &[ReadRecord]) -> Vec<SubagentRow> {
    // Last stop per (session, agent): a continued subagent stops more than once.
    let mut stops: BTreeMap<(String, String), &ReadRecord> = BTreeMap::new();
    let mut starts: BTreeMap<(String, String), &ReadRecord> = BTreeMap::new();
    for r in records {
        let key = (
            r.str("session_id").unwrap_or_default().to_owned(),
            r.str("agent_id").unwrap_or_default().to_owned(),
        );
        if r.event == names::SUBAGENT_STOPPED {
            stops.insert(key, r);
        } else if r.event == names::SUBAGENT_STARTED {
            starts.insert(key, r);
        }
    }
    let mut by_type: BTreeMap<String, (SubagentRow, Vec<u64>)> = BTreeMap::new();
    let type_of = |r: &ReadRecord| r.str("agent_type").unwrap_or("unknown").to_owned();
    for r in stops.values() {
        let (row, durations) = by_type.entry(type_of(r)).or_default();
        row.runs += 1;
        if let Some(d) = r.u64("duration_ms") {
            row.timed_runs += 1;
            row.total_duration_ms += d;
            durations.push(d);
        }
        let input = [
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
        ]
        .iter()
        .filter_map(|k| r.u64(k))
        .sum::<u64>();
        let output = r.u64("output_tokens");
        if r.u64("input_tokens").is_some() || output.is_some() {
            row.runs_with_usage += 1;
            row.input_tokens += input;
            row.output_tokens += output.unwrap_or(0);
        }
    }
    for (key, r) in &starts {
        if !stops.contains_key(key) {
            by_type.entry(type_of(r)).or_default().0.unfinished += 1;
        }
    }
    let mut rows: Vec<SubagentRow> = by_type
        .into_iter()
        .map(|(agent_type, (mut row, mut durations))| {
            row.agent_type = agent_type;
            durations.sort_unstable();
            row.median_duration_ms = median(&durations);
            row
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.runs + r.unfinished));
    rows
}

fn median(sorted: &[u64]) -> Option<u64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(u64::midpoint(sorted[n / 2 - 1], sorted[n / 2])),
    }
}

fn rule_rows(events: &[ReadRecord]) -> Vec<RuleRow> {
    let mut rows: BTreeMap<(String, String, String), RuleRow> = BTreeMap::new();
    for r in events {
        let (Some(rule), Some(_)) = (r.str("rule_id"), r.str("command_hash")) else {
            continue;
        };
        if r.event.ends_with(".allowed") {
            continue;
        }
        let hook = r.str("hook").unwrap_or("?").to_owned();
        let decision = r.str("decision").unwrap_or("?").to_owned();
        let row = rows
            .entry((hook.clone(), rule.to_owned(), decision.clone()))
            .or_insert_with(|| RuleRow {
                hook,
                rule_id: rule.to_owned(),
                decision,
                ..RuleRow::default()
            });
        row.count += 1;
        row.last_at = r.str("timestamp").map(str::to_owned);
    }
    let mut out: Vec<RuleRow> = rows.into_values().collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.count));
    out
}

fn loop_rows(events: &[ReadRecord]) -> Vec<LoopRow> {
    let mut rows: BTreeMap<String, LoopRow> = BTreeMap::new();
    for r in events.iter().filter(|r| r.event == names::LOOP_WARNING) {
        let tool = r.str("tool_name").unwrap_or("?").to_owned();
        let row = rows.entry(tool.clone()).or_insert_with(|| LoopRow {
            tool_name: tool,
            ..LoopRow::default()
        });
        row.count += 1;
        row.last_at = r.str("timestamp").map(str::to_owned);
    }
    let mut out: Vec<LoopRow> = rows.into_values().collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3]), Some(2));
        assert_eq!(median(&[1, 2]), Some(1));
        assert_eq!(median(&[u64::MAX, u64::MAX]), Some(u64::MAX));
    }

    fn record(line: &str) -> ReadRecord {
        ReadRecord::parse(line).unwrap_or_else(|| panic!("{line}"))
    }

    #[test]
    fn a_report_joins_its_session_in_either_order() {
        let recorded = record(
            r#"{"event":"orchestrator.session.recorded","session_id":"s1","started_at":"2026-01-05T09:00:00.000Z","ended_at":"2026-01-05T10:00:00.000Z","duration_ms":3600000,"reason":"other","waves":[]}"#,
        );
        let reported = record(
            r#"{"event":"orchestrator.session.reported","session_id":"s1","session_type":"feature","started_at":"2026-01-05T09:00:00.000Z","completed_at":"2026-01-05T09:58:00.000Z","duration_ms":3480000,"total_waves":1,"waves":[{"wave":1,"role":"Impl-Core","agents":2,"status":"done"}],"agent_summary":{"complete":2,"partial":0,"failed":0,"spiral":0},"total_agents":2,"total_files_changed":4,"carryover":1,"gate":{"passed":true}}"#,
        );
        for order in [
            vec![recorded.clone(), reported.clone()],
            vec![reported.clone(), recorded.clone()],
        ] {
            let rows = session_rows(&order);
            assert_eq!(rows.len(), 1);
            let report = rows[0]
                .report
                .clone()
                .unwrap_or_else(|| panic!("no report"));
            assert_eq!(report.carryover, Some(1));
            assert_eq!(report.agent_summary.complete, Some(2));
            assert_eq!(report.gate_passed, Some(true));
            assert_eq!(
                rows[0].duration_ms,
                Some(3_600_000),
                "the hook's record is kept"
            );
        }
        // Control: a report alone makes its own row.
        let rows = session_rows(&[reported]);
        assert_eq!(
            rows[0].ended_at.as_deref(),
            Some("2026-01-05T09:58:00.000Z")
        );
        assert_eq!(rows[0].waves[0].role.as_deref(), Some("Impl-Core"));
        // Control: a recorded session without a report has none.
        assert!(session_rows(&[recorded])[0].report.is_none());
    }
}
