//! The session's transitions, on a document in memory: start a session (demoting the last
//! one), set keys, reset to idle. [`crate::StateFile`] runs them under the lock.

use std::fmt::Write as _;

use crate::doc::SectionName;
use crate::{Frontmatter, SessionType, StateDoc, StateError, Status};

/// What `init` starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitParams {
    /// `session-type`.
    pub session_type: SessionType,
    /// `total-waves`.
    pub total_waves: u32,
    /// `branch`.
    pub branch: String,
    /// `issues`.
    pub issues: Vec<u64>,
    /// `session`: a label.
    pub session: Option<String>,
    /// `session-start-ref`.
    pub session_start_ref: Option<String>,
}

/// What was there before `init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// No STATE.md.
    Fresh,
    /// A STATE.md with this status (`completed` or `idle`, or with force `active`/`paused`):
    /// its history was demoted to `## Previous Session`.
    After(Status),
    /// A STATE.md that did not parse, replaced because of force (a copy was kept).
    OverCorrupt,
}

/// The current time as ISO-8601 UTC, to the second (`2026-05-04T09:00:00Z`).
pub fn current_time() -> String {
    let t = so_events::Timestamp::now().to_string();
    // `…:SS.mmmZ` → `…:SS Z`: STATE.md is read by people; milliseconds are noise there.
    match t.get(..19) {
        Some(head) => format!("{head}Z"),
        None => t,
    }
}

impl StateDoc {
    /// The bootstrap placeholder: no session (`session-type: none`, `status: idle`).
    pub fn placeholder(branch: &str, now: &str) -> Self {
        let mut fm = Frontmatter::new(SessionType::None, Status::Idle, branch, now, 0);
        fm.updated = Some(now.to_owned());
        Self::new(fm)
    }

    /// A new active session after `previous` (the current STATE.md, if any).
    ///
    /// An `active` or `paused` previous session is refused unless `force`: the skill offers
    /// to resume it instead. Otherwise the previous session's history goes to `## Previous
    /// Session`; What Not To Retry, Open Questions, sections and keys a human added, and the
    /// text before the first section carry over.
    pub fn start(
        previous: Option<&StateDoc>,
        params: &InitParams,
        now: &str,
        force: bool,
    ) -> Result<Self, StateError> {
        let mut fm = Frontmatter::new(
            params.session_type,
            Status::Active,
            params.branch.clone(),
            now,
            params.total_waves,
        );
        fm.issues.clone_from(&params.issues);
        fm.session.clone_from(&params.session);
        fm.session_start_ref.clone_from(&params.session_start_ref);
        fm.updated = Some(now.to_owned());
        let mut doc = Self::new(fm);
        let Some(prev) = previous else {
            return Ok(doc);
        };
        let old = &prev.frontmatter;
        if matches!(old.status, Status::Active | Status::Paused) && !force {
            return Err(StateError::invalid(format!(
                "STATE.md holds {} {} session (wave {} of {}, started {}): resume it instead, or end it first with `session-orchestrator state set status=completed`; `--force` replaces it",
                if old.status == Status::Active {
                    "an active"
                } else {
                    "a paused"
                },
                old.session_type.as_str(),
                old.current_wave,
                old.total_waves,
                old.started_at
            )));
        }
        doc.frontmatter.extra = old.extra.clone();
        doc.preamble.clone_from(&prev.preamble);
        doc.others.clone_from(&prev.others);
        doc.crlf = prev.crlf;
        for name in [SectionName::WhatNotToRetry, SectionName::OpenQuestions] {
            doc.put(name, prev.section(name).to_owned());
        }
        let previous_session = prev
            .demoted()
            .unwrap_or_else(|| prev.section(SectionName::PreviousSession).to_owned());
        doc.put(SectionName::PreviousSession, previous_session);
        Ok(doc)
    }

    /// Applies `key=value` assignments (all or none), checking each value, the status
    /// transition and `current-wave` ≤ `total-waves`; sets `updated` to `now`. Returns the
    /// keys set.
    pub fn apply(
        &mut self,
        assignments: &[(String, String)],
        now: &str,
    ) -> Result<Vec<String>, StateError> {
        let mut next = self.frontmatter.clone();
        let mut errors = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for (key, value) in assignments {
            if keys.contains(key) {
                errors.push(format!("`{key}` is given twice"));
                continue;
            }
            keys.push(key.clone());
            if let Err(e) = next.set(key, value) {
                errors.push(e);
            }
        }
        let (from, to) = (self.frontmatter.status, next.status);
        if from != to {
            if to == Status::Idle {
                errors.push(
                    "`status`: a session becomes idle only through `session-orchestrator state reset`, after it is completed".to_owned(),
                );
            } else if from == Status::Idle {
                errors.push(format!(
                    "`status`: STATE.md is idle, there is no session to mark {}: start one with `session-orchestrator state init`",
                    to.as_str()
                ));
            }
        }
        errors.extend(next.cross_checks().into_iter().map(|(_, m)| m));
        if !errors.is_empty() {
            errors.push("nothing was written".to_owned());
            return Err(StateError::Invalid(errors));
        }
        next.updated = Some(now.to_owned());
        self.frontmatter = next;
        Ok(keys)
    }

    /// The idle reset, only after a completed session: status `idle`, session type `none`,
    /// no waves and no issues, the history demoted to `## Previous Session`, the session's
    /// sections emptied. What Not To Retry, Open Questions, the recommendations for the next
    /// session and what a human added stay.
    pub fn reset(&mut self, now: &str) -> Result<(), StateError> {
        let status = self.frontmatter.status;
        if status != Status::Completed {
            let advice = match status {
                Status::Idle => "it is already idle",
                _ => "close the session first (`session-orchestrator state set status=completed`)",
            };
            return Err(StateError::invalid(format!(
                "`state reset` follows a completed session, and STATE.md is {}: {advice}",
                status.as_str()
            )));
        }
        if let Some(previous) = self.demoted() {
            self.put(SectionName::PreviousSession, previous);
        }
        for name in [
            SectionName::CurrentWave,
            SectionName::WaveHistory,
            SectionName::Deviations,
            SectionName::MissionStatus,
        ] {
            self.put(name, String::new());
        }
        let fm = &mut self.frontmatter;
        fm.status = Status::Idle;
        fm.session_type = SessionType::None;
        fm.current_wave = 0;
        fm.total_waves = 0;
        fm.issues.clear();
        fm.session = None;
        fm.session_start_ref = None;
        fm.docs_tasks = None;
        fm.updated = Some(now.to_owned());
        Ok(())
    }

    /// The body `## Previous Session` gets from this session: a summary line and the wave
    /// history. `None` when there is nothing to demote (an idle state after a reset), so the
    /// last real session is not replaced by an empty one.
    pub(crate) fn demoted(&self) -> Option<String> {
        let fm = &self.frontmatter;
        let history = self.section(SectionName::WaveHistory);
        if fm.session_type == SessionType::None && history.is_empty() {
            return None;
        }
        let mut head = format!("{} session", fm.session_type.as_str());
        if let Some(label) = &fm.session {
            let _ = write!(head, " `{label}`");
        }
        let _ = write!(
            head,
            " on `{}`, started {}: {} at wave {} of {}",
            fm.branch,
            fm.started_at,
            fm.status.as_str(),
            fm.current_wave,
            fm.total_waves
        );
        if !fm.issues.is_empty() {
            let issues: Vec<String> = fm.issues.iter().map(|n| format!("#{n}")).collect();
            let _ = write!(head, "; issues {}", issues.join(", "));
        }
        Some(if history.is_empty() {
            head
        } else {
            format!("{head}\n\n{history}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> InitParams {
        InitParams {
            session_type: SessionType::Feature,
            total_waves: 4,
            branch: "feat/x".to_owned(),
            issues: vec![7],
            session: Some("sprint 5".to_owned()),
            session_start_ref: Some("abc123".to_owned()),
        }
    }

    /// A finished session with history, carry-over and a human's additions.
    fn finished(status: Status) -> StateDoc {
        let mut doc = StateDoc::start(None, &params(), "2026-05-04T09:00:00Z", false)
            .unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in [
            (SectionName::WaveHistory, "Wave 1 (Discovery): done"),
            (
                SectionName::WaveHistory,
                "Wave 2 (Impl-Core): done → issue #99",
            ),
            (SectionName::Deviations, "Wave 2 ran long"),
            (SectionName::MissionStatus, "#7 parser: completed"),
            (SectionName::WhatNotToRetry, "Widening one agent's scope"),
            (SectionName::OpenQuestions, "Keep the flag?"),
            (SectionName::CurrentWave, "Wave 2"),
        ] {
            assert!(doc.append(name, text).is_ok());
        }
        doc.frontmatter.current_wave = 2;
        doc.frontmatter.status = status;
        doc.frontmatter.recommended_mode = Some("deep".to_owned());
        doc.frontmatter.extra.insert("owner".into(), "ada".into());
        doc.others.push(crate::doc::Other {
            after: Some(SectionName::Deviations),
            title: "Decisions".to_owned(),
            body: "- flag stays".to_owned(),
        });
        doc
    }

    #[test]
    fn init_refuses_an_active_or_paused_session_unless_forced() {
        for status in [Status::Active, Status::Paused] {
            let prev = finished(status);
            let err = StateDoc::start(Some(&prev), &params(), "t", false)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(status.as_str()), "{err}");
            assert!(err.contains("state set status=completed"), "{err}");
            assert!(err.contains("--force"), "{err}");
            // Control: forced, it starts and demotes.
            let doc = StateDoc::start(Some(&prev), &params(), "t", true)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                doc.section(SectionName::PreviousSession)
                    .contains("Wave 1 (Discovery)")
            );
        }
    }

    #[test]
    fn init_after_a_completed_session_demotes_its_history() {
        let prev = finished(Status::Completed);
        let doc = StateDoc::start(Some(&prev), &params(), "2026-05-05T10:00:00Z", false)
            .unwrap_or_else(|e| panic!("{e}"));
        let fm = &doc.frontmatter;
        assert_eq!(
            (fm.status, fm.current_wave, fm.total_waves),
            (Status::Active, 0, 4)
        );
        assert_eq!(fm.started_at, "2026-05-05T10:00:00Z");
        assert_eq!(
            fm.recommended_mode, None,
            "recommendations were for this session"
        );
        assert_eq!(fm.extra.get("owner").and_then(|v| v.as_str()), Some("ada"));
        assert_eq!(
            doc.section(SectionName::PreviousSession),
            "feature session `sprint 5` on `feat/x`, started 2026-05-04T09:00:00Z: completed at wave 2 of 4; issues #7\n\n- Wave 1 (Discovery): done\n- Wave 2 (Impl-Core): done → issue #99"
        );
        for gone in [
            SectionName::CurrentWave,
            SectionName::WaveHistory,
            SectionName::Deviations,
            SectionName::MissionStatus,
        ] {
            assert_eq!(doc.section(gone), "", "{gone:?}");
        }
        assert_eq!(
            doc.section(SectionName::WhatNotToRetry),
            "- Widening one agent's scope"
        );
        assert_eq!(
            doc.section(SectionName::OpenQuestions),
            "- [ ] Keep the flag?"
        );
        assert_eq!(doc.others.len(), 1);
    }

    #[test]
    fn reset_only_after_completed_and_keeps_the_carry_over() {
        for status in [Status::Active, Status::Paused, Status::Idle] {
            let mut doc = finished(status);
            let before = doc.clone();
            assert!(doc.reset("t").is_err(), "{status:?}");
            assert_eq!(doc, before, "a refused reset changes nothing");
        }
        let mut doc = finished(Status::Completed);
        assert!(doc.reset("2026-05-06T00:00:00Z").is_ok());
        let fm = &doc.frontmatter;
        assert_eq!(fm.status, Status::Idle);
        assert_eq!(fm.session_type, SessionType::None);
        assert_eq!((fm.current_wave, fm.total_waves), (0, 0));
        assert!(fm.issues.is_empty());
        assert_eq!(
            fm.recommended_mode.as_deref(),
            Some("deep"),
            "kept for the next session"
        );
        assert_eq!(fm.updated.as_deref(), Some("2026-05-06T00:00:00Z"));
        assert!(
            doc.section(SectionName::PreviousSession)
                .contains("Wave 2 (Impl-Core)")
        );
        assert_eq!(doc.section(SectionName::WaveHistory), "");
        assert_eq!(
            doc.section(SectionName::WhatNotToRetry),
            "- Widening one agent's scope"
        );
        assert_eq!(
            doc.section(SectionName::OpenQuestions),
            "- [ ] Keep the flag?"
        );

        // The next session after the idle state keeps the real previous session.
        let next =
            StateDoc::start(Some(&doc), &params(), "t", false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            next.section(SectionName::PreviousSession),
            doc.section(SectionName::PreviousSession)
        );
    }

    #[test]
    fn set_is_all_or_nothing_and_guards_transitions() {
        let mut doc = finished(Status::Active);
        let before = doc.clone();
        let a = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let err = doc
            .apply(&a(&[("current-wave", "3"), ("status", "bogus")]), "t")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("`status`") && err.contains("nothing was written"),
            "{err}"
        );
        assert_eq!(doc, before);
        assert!(
            doc.apply(&a(&[("current-wave", "5")]), "t")
                .is_err_and(|e| e.to_string().contains("greater than"))
        );
        assert!(
            doc.apply(&a(&[("status", "idle")]), "t")
                .is_err_and(|e| e.to_string().contains("state reset"))
        );
        assert!(
            doc.apply(&a(&[("status", "paused"), ("status", "active")]), "t")
                .is_err_and(|e| e.to_string().contains("twice"))
        );
        // Controls: several keys in any order, validated together.
        let keys = doc
            .apply(
                &a(&[
                    ("current-wave", "6"),
                    ("total-waves", "6"),
                    ("status", "completed"),
                ]),
                "2026-01-01T00:00:00Z",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys, ["current-wave", "total-waves", "status"]);
        assert_eq!(
            doc.frontmatter.updated.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        // An idle state has no session to mark active.
        assert!(doc.reset("t").is_ok());
        assert!(
            doc.apply(&a(&[("status", "active")]), "t")
                .is_err_and(|e| e.to_string().contains("state init"))
        );
        assert!(doc.apply(&a(&[("branch", "main")]), "t").is_ok());
    }

    #[test]
    fn the_time_is_iso_8601_utc_to_the_second() {
        let t = current_time();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
