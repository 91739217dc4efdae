//! The session-mode recommendation: `housekeeping`, `feature` or `deep`, with a confidence
//! from 0 to 1 and a short rationale, computed from recorded state only ([`Signals`]).
//!
//! Deterministic: each signal that applies casts a weighted vote for one mode
//! ([`votes`]); the mode with the most weight wins (ties go to `deep`, then `feature`), and
//! the confidence is the winner's margin over the runner-up as a share of all weight,
//! scaled down while there is little evidence:
//!
//! ```text
//! confidence = min(0.95, (top − second) / total × min(1, total / 5))
//! ```
//!
//! No vote at all gives `deep` (the default session type) with confidence 0.
//! `docs/autopilot.md` has the table of rules.

use std::fmt;

use serde_json::{Value, json};

use crate::report::SessionReport;

/// A session type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Predefined cleanup, no discovery.
    Housekeeping,
    /// Five waves sized by complexity.
    Feature,
    /// The default: larger waves, more discovery.
    Deep,
}

impl Mode {
    /// Every mode, in tie-break order (first wins a tie).
    pub const ALL: [Mode; 3] = [Mode::Deep, Mode::Feature, Mode::Housekeeping];

    /// `housekeeping`, `feature` or `deep`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Housekeeping => "housekeeping",
            Self::Feature => "feature",
            Self::Deep => "deep",
        }
    }

    /// The mode named `text` (case-insensitive, surrounding space ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "housekeeping" => Some(Self::Housekeeping),
            "feature" => Some(Self::Feature),
            "deep" => Some(Self::Deep),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recommendation fields of `STATE.md`'s frontmatter, written by the last `/close`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StateFields {
    /// `recommended-mode`.
    pub recommended_mode: Option<String>,
    /// `carryover-ratio`.
    pub carryover_ratio: Option<f64>,
    /// `completion-rate`.
    pub completion_rate: Option<f64>,
}

/// Everything the recommendation looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    /// Session reports recorded in `sessions.jsonl`.
    pub sessions_recorded: usize,
    /// The newest of them.
    pub last_session: Option<SessionReport>,
    /// `STATE.md`'s recommendation fields, when the file has any.
    pub state: Option<StateFields>,
    /// Changed or untracked files, bookkeeping excluded (`None`: not a git repository).
    pub uncommitted_changes: Option<usize>,
    /// Commits newer than the last recorded session (`None`: no session or no history).
    pub commits_since_last_session: Option<u64>,
    /// Learnings in force (not expired, confidence ≥ 0.5).
    pub learnings_active: usize,
    /// Of those, `recurring-issue` and `fragile-file` learnings with confidence ≥ 0.7.
    pub learnings_trouble: usize,
}

/// One rule that applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    /// The mode it votes for.
    pub mode: Mode,
    /// Its weight.
    pub weight: u32,
    /// What it saw, for the rationale.
    pub reason: String,
}

/// The recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The mode.
    pub mode: Mode,
    /// 0 (no evidence or an even split) to 0.95.
    pub confidence: f64,
    /// One line: the winner's reasons, and the dissent.
    pub rationale: String,
    /// Every vote cast.
    pub votes: Vec<Vote>,
}

/// Confidence never reaches 1: recorded state is never the whole truth.
const MAX_CONFIDENCE: f64 = 0.95;
/// Total weight at which the evidence counts as complete.
const FULL_EVIDENCE: u32 = 5;
/// Commits since the last session from which the code counts as moved on.
const MANY_COMMITS: u64 = 20;

/// The votes of every rule that applies to `s` (see `docs/autopilot.md`).
pub fn votes(s: &Signals) -> Vec<Vote> {
    let mut out = Vec::new();
    let mut vote = |mode, weight, reason: String| {
        out.push(Vote {
            mode,
            weight,
            reason,
        });
    };
    let state = s.state.clone().unwrap_or_default();
    if let Some(mode) = state.recommended_mode.as_deref().and_then(Mode::parse) {
        vote(mode, 3, format!("STATE.md recommends {mode}"));
    }
    let last = s.last_session.as_ref();
    if let Some(summary) = last
        .and_then(|r| r.agent_summary)
        .filter(|s| s.failed + s.spiral > 0)
    {
        vote(
            Mode::Deep,
            3,
            format!(
                "last session had {} failed and {} spiralling agent(s)",
                summary.failed, summary.spiral
            ),
        );
    }
    let carryover = last
        .and_then(SessionReport::carryover_ratio)
        .or(state.carryover_ratio);
    let completion = last
        .and_then(SessionReport::completion_rate)
        .or(state.completion_rate);
    if let Some(ratio) = carryover {
        if ratio > 0.5 {
            vote(
                Mode::Deep,
                2,
                format!("carryover {ratio:.2} > 0.50: the last plan was too big"),
            );
        } else if ratio > 0.2 {
            vote(
                Mode::Feature,
                1,
                format!("carryover {ratio:.2}: continue the open work"),
            );
        } else if completion.is_some_and(|c| c >= 0.8) {
            vote(
                Mode::Feature,
                2,
                format!(
                    "last session clean (carryover {ratio:.2}, completion {:.2})",
                    completion.unwrap_or_default()
                ),
            );
        }
    }
    if let Some(rate) = completion.filter(|c| *c < 0.5) {
        vote(Mode::Deep, 1, format!("completion {rate:.2} < 0.50"));
    }
    if let Some(n) = s.uncommitted_changes.filter(|n| *n > 0) {
        vote(
            Mode::Housekeeping,
            2,
            format!("{n} uncommitted change(s) to tidy up"),
        );
    }
    if let Some(n) = s.commits_since_last_session.filter(|n| *n >= MANY_COMMITS) {
        vote(
            Mode::Deep,
            1,
            format!("{n} commits since the last session: re-orient"),
        );
    }
    if s.learnings_trouble > 0 {
        vote(
            Mode::Deep,
            1,
            format!(
                "{} learning(s) about recurring issues or fragile files",
                s.learnings_trouble
            ),
        );
    }
    out
}

/// The recommendation for `signals`.
///
/// ```
/// use so_autopilot::mode::{Mode, Signals, StateFields, recommend};
///
/// let state = StateFields { recommended_mode: Some("feature".into()), ..Default::default() };
/// let rec = recommend(&Signals { state: Some(state), ..Default::default() });
/// assert_eq!(rec.mode, Mode::Feature);
/// assert_eq!(rec.confidence, 0.6); // one vote of weight 3: 3/5 of full evidence
/// assert_eq!(recommend(&Signals::default()).confidence, 0.0);
/// ```
pub fn recommend(signals: &Signals) -> Recommendation {
    let votes = votes(signals);
    let weight = |mode: Mode| -> u32 {
        votes
            .iter()
            .filter(|v| v.mode == mode)
            .map(|v| v.weight)
            .sum()
    };
    let total: u32 = votes.iter().map(|v| v.weight).sum();
    if total == 0 {
        return Recommendation {
            mode: Mode::Deep,
            confidence: 0.0,
            rationale: "no recorded state to decide from: deep, the default session type"
                .to_owned(),
            votes,
        };
    }
    let mut ranked: Vec<(Mode, u32)> = Mode::ALL.iter().map(|m| (*m, weight(*m))).collect();
    // Stable sort: equal weights keep the tie-break order of `Mode::ALL`.
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let (mode, top) = ranked[0];
    let second = ranked[1].1;
    let confidence = round2(
        (f64::from(top - second) / f64::from(total)
            * (f64::from(total) / f64::from(FULL_EVIDENCE)).min(1.0))
        .min(MAX_CONFIDENCE),
    );
    let reasons: Vec<&str> = votes
        .iter()
        .filter(|v| v.mode == mode)
        .map(|v| v.reason.as_str())
        .collect();
    let against: Vec<String> = votes
        .iter()
        .filter(|v| v.mode != mode)
        .map(|v| format!("{} ({})", v.mode, v.reason))
        .collect();
    let rationale = if against.is_empty() {
        format!("{mode}: {}", reasons.join("; "))
    } else {
        format!(
            "{mode}: {}; against: {}",
            reasons.join("; "),
            against.join("; ")
        )
    };
    Recommendation {
        mode,
        confidence,
        rationale,
        votes,
    }
}

/// `x` rounded to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Signals {
    /// The signals as JSON (`mode --json`'s `signals`).
    pub fn to_json(&self) -> Value {
        json!({
            "sessions_recorded": self.sessions_recorded,
            "last_session": self.last_session.as_ref().map(SessionReport::to_json),
            "carryover_ratio": self.last_session.as_ref().and_then(SessionReport::carryover_ratio),
            "completion_rate": self.last_session.as_ref().and_then(SessionReport::completion_rate),
            "state": self.state.as_ref().map(|s| json!({
                "recommended_mode": s.recommended_mode,
                "carryover_ratio": s.carryover_ratio,
                "completion_rate": s.completion_rate,
            })),
            "uncommitted_changes": self.uncommitted_changes,
            "commits_since_last_session": self.commits_since_last_session,
            "learnings_active": self.learnings_active,
            "learnings_trouble": self.learnings_trouble,
        })
    }
}

impl Recommendation {
    /// `{mode, confidence, rationale, signals}` with the votes inside `signals`.
    pub fn to_json(&self, signals: &Signals) -> Value {
        let mut s = signals.to_json();
        s["votes"] = self
            .votes
            .iter()
            .map(|v| json!({"mode": v.mode.as_str(), "weight": v.weight, "reason": v.reason}))
            .collect();
        json!({
            "mode": self.mode.as_str(),
            "confidence": self.confidence,
            "rationale": self.rationale,
            "signals": s,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::float_cmp,
        clippy::unnecessary_wraps,
        clippy::needless_pass_by_value
    )]

    use super::*;
    use crate::report::AgentSummary;

    fn session(summary: AgentSummary, planned: u64, carryover: u64) -> SessionReport {
        SessionReport {
            session_id: Some("s".into()),
            agent_summary: Some(summary),
            issues_planned: Some(planned),
            carryover: Some(carryover),
            ..SessionReport::default()
        }
    }

    fn clean() -> SessionReport {
        session(
            AgentSummary {
                complete: 4,
                ..AgentSummary::default()
            },
            4,
            0,
        )
    }

    fn state(mode: &str) -> Option<StateFields> {
        Some(StateFields {
            recommended_mode: Some(mode.into()),
            ..StateFields::default()
        })
    }

    fn rec(s: Signals) -> (Mode, f64) {
        let r = recommend(&s);
        (r.mode, r.confidence)
    }

    #[test]
    fn nothing_recorded_is_deep_with_no_confidence() {
        let r = recommend(&Signals::default());
        assert_eq!((r.mode, r.confidence), (Mode::Deep, 0.0));
        assert!(r.rationale.contains("no recorded state"), "{}", r.rationale);
        // Control: zero uncommitted changes and few commits cast no vote either.
        let quiet = Signals {
            uncommitted_changes: Some(0),
            commits_since_last_session: Some(3),
            ..Signals::default()
        };
        assert_eq!(rec(quiet), (Mode::Deep, 0.0));
    }

    #[test]
    fn a_clean_session_with_agreeing_state_is_confident_feature() {
        let s = Signals {
            sessions_recorded: 1,
            last_session: Some(clean()),
            state: state("feature"),
            ..Signals::default()
        };
        assert_eq!(rec(s.clone()), (Mode::Feature, 0.95));
        // Control: the clean session alone is weak evidence.
        let alone = Signals { state: None, ..s };
        assert_eq!(rec(alone), (Mode::Feature, 0.4));
    }

    #[test]
    fn failed_or_spiralling_agents_vote_deep() {
        for summary in [
            AgentSummary {
                complete: 3,
                failed: 1,
                ..AgentSummary::default()
            },
            AgentSummary {
                complete: 4,
                spiral: 1,
                ..AgentSummary::default()
            },
        ] {
            let s = Signals {
                last_session: Some(session(summary, 4, 0)),
                ..Signals::default()
            };
            let r = recommend(&s);
            assert!(
                r.votes
                    .iter()
                    .any(|v| v.mode == Mode::Deep && v.weight == 3),
                "{r:?}"
            );
        }
        // Control: partial agents alone are no failure.
        let partial = Signals {
            last_session: Some(session(
                AgentSummary {
                    complete: 3,
                    partial: 1,
                    ..AgentSummary::default()
                },
                4,
                0,
            )),
            ..Signals::default()
        };
        assert!(recommend(&partial).votes.iter().all(|v| v.weight != 3));
    }

    #[test]
    fn carryover_bands() {
        let with = |planned, carry| Signals {
            last_session: Some(session(
                AgentSummary {
                    complete: 4,
                    ..AgentSummary::default()
                },
                planned,
                carry,
            )),
            ..Signals::default()
        };
        // > 0.5: deep 2.
        assert_eq!(rec(with(4, 3)), (Mode::Deep, 0.4));
        // Exactly 0.5 is not > 0.5: feature 1.
        assert_eq!(rec(with(4, 2)), (Mode::Feature, 0.2));
        // <= 0.2 with full completion: feature 2.
        assert_eq!(rec(with(5, 1)), (Mode::Feature, 0.4));
    }

    #[test]
    fn state_carryover_is_used_without_a_session_report() {
        let s = Signals {
            state: Some(StateFields {
                carryover_ratio: Some(0.8),
                completion_rate: Some(0.4),
                ..StateFields::default()
            }),
            ..Signals::default()
        };
        // Deep 2 (carryover) + deep 1 (completion).
        assert_eq!(rec(s), (Mode::Deep, 0.6));
        // The session report's measured ratio wins over STATE.md's.
        let both = Signals {
            last_session: Some(clean()),
            state: Some(StateFields {
                carryover_ratio: Some(0.8),
                ..StateFields::default()
            }),
            ..Signals::default()
        };
        assert_eq!(rec(both), (Mode::Feature, 0.4));
    }

    #[test]
    fn uncommitted_changes_vote_housekeeping_and_split_the_vote() {
        let s = Signals {
            uncommitted_changes: Some(3),
            ..Signals::default()
        };
        assert_eq!(rec(s), (Mode::Housekeeping, 0.4));
        let split = Signals {
            last_session: Some(clean()),
            uncommitted_changes: Some(3),
            ..Signals::default()
        };
        // Feature 2 against housekeeping 2: a tie goes to feature (before housekeeping),
        // with no confidence.
        assert_eq!(rec(split), (Mode::Feature, 0.0));
    }

    #[test]
    fn many_commits_and_trouble_learnings_vote_deep() {
        let s = Signals {
            commits_since_last_session: Some(20),
            learnings_trouble: 1,
            ..Signals::default()
        };
        assert_eq!(rec(s), (Mode::Deep, 0.4));
        let control = Signals {
            commits_since_last_session: Some(19),
            learnings_active: 5,
            ..Signals::default()
        };
        assert_eq!(rec(control), (Mode::Deep, 0.0));
    }

    #[test]
    fn invalid_state_mode_casts_no_vote() {
        assert_eq!(
            rec(Signals {
                state: state("turbo"),
                ..Signals::default()
            })
            .1,
            0.0
        );
        assert_eq!(
            rec(Signals {
                state: state(" Deep "),
                ..Signals::default()
            }),
            (Mode::Deep, 0.6)
        );
    }

    #[test]
    fn rationale_names_winner_and_dissent() {
        let s = Signals {
            last_session: Some(clean()),
            state: state("feature"),
            uncommitted_changes: Some(1),
            ..Signals::default()
        };
        let r = recommend(&s);
        assert_eq!(r.mode, Mode::Feature);
        // 5 for feature, 2 against, of 7.
        assert!((r.confidence - 0.43).abs() < 1e-9, "{}", r.confidence);
        assert!(
            r.rationale
                .starts_with("feature: STATE.md recommends feature")
        );
        assert!(
            r.rationale.contains("against: housekeeping (1 uncommitted"),
            "{}",
            r.rationale
        );
        let json = r.to_json(&s);
        assert_eq!(json["mode"], "feature");
        assert_eq!(json["signals"]["votes"].as_array().map(Vec::len), Some(3));
    }
}
