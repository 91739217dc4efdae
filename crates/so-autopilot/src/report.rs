//! Session reports: the `orchestrator.session.reported` records that
//! `session-orchestrator session record` appends to `.orchestrator/metrics/sessions.jsonl`
//! when a session closes (agent summary, issues planned, carryover), read back through
//! `so-events`' reader.

use serde_json::{Value, json};
use so_events::{Layout, ReadRecord, StorageError, Timestamp};

/// The event of a session report in `sessions.jsonl`.
pub const REPORTED_EVENT: &str = so_events::catalog::names::SESSION_REPORTED;

/// How the agents of a session ended (`agent_summary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentSummary {
    /// Agents that finished their task.
    pub complete: u64,
    /// Agents that finished part of it.
    pub partial: u64,
    /// Agents that failed.
    pub failed: u64,
    /// Agents that spiralled (same file edited over and over, same error, self-revert).
    pub spiral: u64,
}

impl AgentSummary {
    /// Agents counted (`complete + partial + failed`; a spiralling agent also ends as one of
    /// these).
    pub fn total(&self) -> u64 {
        self.complete + self.partial + self.failed
    }
}

/// One session report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionReport {
    /// The session's id.
    pub session_id: Option<String>,
    /// `housekeeping`, `feature` or `deep`.
    pub session_type: Option<String>,
    /// When it was recorded.
    pub recorded_at: Option<Timestamp>,
    /// How its agents ended; `None` when the record has none.
    pub agent_summary: Option<AgentSummary>,
    /// Issues the session planned.
    pub issues_planned: Option<u64>,
    /// Issues carried over to a later session.
    pub carryover: Option<u64>,
}

impl SessionReport {
    /// The report in `record`, when it is one.
    pub fn from_record(record: &ReadRecord) -> Option<Self> {
        if record.event != REPORTED_EVENT {
            return None;
        }
        let summary = record
            .value
            .get("agent_summary")
            .and_then(Value::as_object)
            .map(|s| {
                let n = |k: &str| s.get(k).and_then(count).unwrap_or(0);
                AgentSummary {
                    complete: n("complete"),
                    partial: n("partial"),
                    failed: n("failed"),
                    spiral: n("spiral"),
                }
            });
        Some(Self {
            session_id: record.str("session_id").map(str::to_owned),
            session_type: record.str("session_type").map(str::to_owned),
            recorded_at: record.timestamp,
            agent_summary: summary,
            issues_planned: record.value.get("issues_planned").and_then(count),
            carryover: record.value.get("carryover").and_then(count),
        })
    }

    /// `carryover / issues_planned`; `None` without both or with nothing planned.
    #[expect(
        clippy::cast_precision_loss,
        reason = "issue counts are far below 2^52"
    )]
    pub fn carryover_ratio(&self) -> Option<f64> {
        match (self.carryover, self.issues_planned) {
            (Some(c), Some(p)) if p > 0 => Some(c as f64 / p as f64),
            _ => None,
        }
    }

    /// `complete / (complete + partial + failed)`; `None` without agents.
    #[expect(
        clippy::cast_precision_loss,
        reason = "agent counts are far below 2^52"
    )]
    pub fn completion_rate(&self) -> Option<f64> {
        let s = self.agent_summary?;
        (s.total() > 0).then(|| s.complete as f64 / s.total() as f64)
    }

    /// The report as JSON, for `autopilot.jsonl` and `mode --json`.
    pub fn to_json(&self) -> Value {
        json!({
            "session_id": self.session_id,
            "session_type": self.session_type,
            "recorded_at": self.recorded_at.map(|t| t.to_string()),
            "agent_summary": self.agent_summary.map(|s| json!({
                "complete": s.complete, "partial": s.partial,
                "failed": s.failed, "spiral": s.spiral,
            })),
            "issues_planned": self.issues_planned,
            "carryover": self.carryover,
        })
    }
}

/// A non-negative whole count: an unsigned integer, or a float with no fraction.
fn count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9e15)
            .map(|f| {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a whole non-negative float below 9e15"
                )]
                let n = f as u64;
                n
            })
    })
}

/// Every session report of the project, oldest first.
pub fn read_reports(layout: &Layout) -> Result<Vec<SessionReport>, StorageError> {
    Ok(so_events::read_records(&layout.sessions())?
        .records
        .iter()
        .filter_map(SessionReport::from_record)
        .collect())
}

/// The report of the session an iteration ran: the last one of `session_id` (from the
/// stream's `init` line) recorded at or after `since`; else the newest one recorded at or
/// after `since`. Reports from before the iteration never count.
pub fn matching<'a>(
    reports: &'a [SessionReport],
    session_id: Option<&str>,
    since: Timestamp,
) -> Option<&'a SessionReport> {
    let fresh = |r: &&SessionReport| r.recorded_at.is_some_and(|t| t >= since);
    session_id
        .and_then(|id| {
            reports
                .iter()
                .rev()
                .filter(fresh)
                .find(|r| r.session_id.as_deref() == Some(id))
        })
        .or_else(|| reports.iter().filter(fresh).max_by_key(|r| r.recorded_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: &str) -> ReadRecord {
        ReadRecord::parse(line).unwrap_or_else(|| panic!("{line}"))
    }

    fn report(id: &str, at_ms: i64) -> SessionReport {
        SessionReport {
            session_id: Some(id.to_owned()),
            recorded_at: Some(Timestamp::from_millis(at_ms)),
            ..SessionReport::default()
        }
    }

    #[test]
    fn reads_a_report_and_its_ratios() {
        let r = SessionReport::from_record(&record(
            r#"{"schema_version":1,"timestamp":"2026-11-27T10:00:00.000Z","event":"orchestrator.session.reported","session_id":"s1","session_type":"feature","agent_summary":{"complete":3,"partial":1,"failed":0,"spiral":0},"issues_planned":4,"carryover":1}"#,
        ))
        .unwrap_or_else(|| panic!("not a report"));
        assert_eq!(r.session_id.as_deref(), Some("s1"));
        assert_eq!(
            r.agent_summary,
            Some(AgentSummary {
                complete: 3,
                partial: 1,
                failed: 0,
                spiral: 0
            })
        );
        assert_eq!(r.carryover_ratio(), Some(0.25));
        assert_eq!(r.completion_rate(), Some(0.75));
    }

    #[test]
    fn other_events_are_not_reports() {
        assert!(
            SessionReport::from_record(&record(
                r#"{"event":"orchestrator.session.recorded","session_id":"s1","agent_summary":{"failed":1}}"#
            ))
            .is_none()
        );
    }

    #[test]
    fn ratios_need_their_inputs() {
        let r = SessionReport {
            issues_planned: Some(0),
            carryover: Some(0),
            agent_summary: Some(AgentSummary::default()),
            ..SessionReport::default()
        };
        assert_eq!(r.carryover_ratio(), None);
        assert_eq!(r.completion_rate(), None);
    }

    #[test]
    fn matching_prefers_the_session_id_and_ignores_older_reports() {
        let reports = vec![report("old", 100), report("a", 500), report("b", 600)];
        let since = Timestamp::from_millis(200);
        assert_eq!(
            matching(&reports, Some("a"), since).and_then(|r| r.session_id.as_deref()),
            Some("a")
        );
        // Unknown id: the newest fresh report.
        assert_eq!(
            matching(&reports, Some("zzz"), since).and_then(|r| r.session_id.as_deref()),
            Some("b")
        );
        assert_eq!(
            matching(&reports, None, since).and_then(|r| r.session_id.as_deref()),
            Some("b")
        );
        // The id matches only a report from before the iteration: not this session's.
        assert!(matching(&reports[..1], Some("old"), since).is_none());
    }
}
