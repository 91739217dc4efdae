//! The kill switches (seed §9.8) as pure functions of the loop's state: every one can be
//! tested without a clock, a machine or a session.

use std::fmt;
use std::time::Duration;

use crate::mode::Recommendation;
use crate::probe::Verdict;
use crate::report::SessionReport;

/// More live peer sessions than this, with a critical resource verdict, stop the loop.
pub const PEER_ABORT_THRESHOLD: usize = 6;

/// A carryover ratio above this stops the loop.
pub const CARRYOVER_THRESHOLD: f64 = 0.5;

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KillSwitch {
    /// The run started `--max-sessions` sessions.
    MaxSessionsReached,
    /// The run has been going `--max-hours`.
    MaxHoursExceeded,
    /// Critical resource verdict and more than six peer sessions.
    ResourceOverload,
    /// The mode recommendation is not confident enough.
    LowConfidenceFallback,
    /// SIGINT or SIGTERM.
    UserAbort,
    /// The sessions used `--max-tokens`.
    TokenBudgetExceeded,
    /// A session printed nothing for `--stall-timeout` seconds and was killed.
    StallTimeout,
    /// A session's agents spiralled.
    Spiral,
    /// A session's agents failed.
    FailedWave,
    /// A session carried over more than half of what it planned.
    CarryoverTooHigh,
    /// Not from the seed: `claude` could not start, exited with an error, or ended
    /// without a result.
    SessionError,
    /// Not from the seed: the session ended but recorded no report, so the post-session
    /// switches cannot be evaluated (the original stopped too).
    SessionUnreported,
}

impl KillSwitch {
    /// The name written to `autopilot.jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Self::MaxSessionsReached => "max-sessions-reached",
            Self::MaxHoursExceeded => "max-hours-exceeded",
            Self::ResourceOverload => "resource-overload",
            Self::LowConfidenceFallback => "low-confidence-fallback",
            Self::UserAbort => "user-abort",
            Self::TokenBudgetExceeded => "token-budget-exceeded",
            Self::StallTimeout => "stall-timeout",
            Self::Spiral => "spiral",
            Self::FailedWave => "failed-wave",
            Self::CarryoverTooHigh => "carryover-too-high",
            Self::SessionError => "session-error",
            Self::SessionUnreported => "session-unreported",
        }
    }

    /// The exit code of a run stopped by this switch: 2 for a failed wave (the original's
    /// contract), 130 for a user abort, 1 when a session broke, 0 for every other stop.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::FailedWave => 2,
            Self::UserAbort => 130,
            Self::SessionError | Self::SessionUnreported => 1,
            _ => 0,
        }
    }
}

impl fmt::Display for KillSwitch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fired switch and what it saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// The switch.
    pub switch: KillSwitch,
    /// One line with the numbers.
    pub detail: String,
}

impl Stop {
    fn new(switch: KillSwitch, detail: String) -> Self {
        Self { switch, detail }
    }
}

/// The limits the switches compare against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// `--max-sessions`.
    pub max_sessions: u32,
    /// `--max-hours`.
    pub max_hours: f64,
    /// `--max-tokens`.
    pub max_tokens: u64,
    /// `--confidence-threshold`.
    pub confidence_threshold: f64,
}

/// The loop's state before an iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Before {
    /// Sessions started so far.
    pub sessions_started: u32,
    /// Time since the run started.
    pub elapsed: Duration,
    /// The signal that asked the loop to stop, if any.
    pub abort_signal: Option<i32>,
    /// Tokens used so far.
    pub tokens_used: u64,
    /// The resource verdict and the live peer sessions; `None` when not probed.
    pub resources: Option<(Verdict, usize)>,
}

/// The pre-iteration switches, cheapest first: user-abort, max-sessions, max-hours,
/// token-budget, resource-overload. The mode's confidence is checked separately
/// ([`low_confidence`]) because it needs the recommendation.
pub fn before_iteration(limits: &Limits, s: &Before) -> Option<Stop> {
    if let Some(signal) = s.abort_signal {
        return Some(Stop::new(
            KillSwitch::UserAbort,
            format!(
                "{} received before iteration {}",
                signal_name(signal),
                s.sessions_started + 1
            ),
        ));
    }
    if s.sessions_started >= limits.max_sessions {
        return Some(Stop::new(
            KillSwitch::MaxSessionsReached,
            format!(
                "{} session(s) started >= --max-sessions {}",
                s.sessions_started, limits.max_sessions
            ),
        ));
    }
    let hours = s.elapsed.as_secs_f64() / 3600.0;
    if hours >= limits.max_hours {
        return Some(Stop::new(
            KillSwitch::MaxHoursExceeded,
            format!("{hours:.2} h elapsed >= --max-hours {}", limits.max_hours),
        ));
    }
    if s.tokens_used >= limits.max_tokens {
        return Some(Stop::new(
            KillSwitch::TokenBudgetExceeded,
            format!(
                "{} tokens used >= --max-tokens {}",
                s.tokens_used, limits.max_tokens
            ),
        ));
    }
    if let Some((Verdict::Critical, peers)) = s.resources
        && peers > PEER_ABORT_THRESHOLD
    {
        return Some(Stop::new(
            KillSwitch::ResourceOverload,
            format!(
                "resource verdict critical and {peers} peer session(s) > {PEER_ABORT_THRESHOLD}"
            ),
        ));
    }
    None
}

/// `low-confidence-fallback` when `rec` is below the threshold. The bool is
/// `fallback_to_manual`: true before the first session (hand over to a person), false
/// later (just stop).
pub fn low_confidence(
    limits: &Limits,
    sessions_started: u32,
    rec: &Recommendation,
) -> Option<(Stop, bool)> {
    if rec.confidence >= limits.confidence_threshold {
        return None;
    }
    let first = sessions_started == 0;
    let detail = format!(
        "iteration {}: {} confidence {:.2} < --confidence-threshold {}{} ({})",
        sessions_started + 1,
        rec.mode,
        rec.confidence,
        limits.confidence_threshold,
        if first {
            ": fall back to a manual session"
        } else {
            ""
        },
        rec.rationale
    );
    Some((Stop::new(KillSwitch::LowConfidenceFallback, detail), first))
}

/// The post-session switches on the session's report: spiral, failed-wave,
/// carryover-too-high (in that order).
pub fn after_session(report: &SessionReport) -> Option<Stop> {
    if let Some(s) = report.agent_summary {
        if s.spiral > 0 {
            return Some(Stop::new(
                KillSwitch::Spiral,
                format!("agent_summary.spiral = {} > 0", s.spiral),
            ));
        }
        if s.failed > 0 {
            return Some(Stop::new(
                KillSwitch::FailedWave,
                format!("agent_summary.failed = {} > 0", s.failed),
            ));
        }
    }
    if let Some(ratio) = report
        .carryover_ratio()
        .filter(|r| *r > CARRYOVER_THRESHOLD)
    {
        return Some(Stop::new(
            KillSwitch::CarryoverTooHigh,
            format!(
                "carryover {} / issues_planned {} = {ratio:.2} > {CARRYOVER_THRESHOLD}",
                report.carryover.unwrap_or_default(),
                report.issues_planned.unwrap_or_default()
            ),
        ));
    }
    None
}

/// `SIGINT`, `SIGTERM`, or `signal N`.
pub fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".to_owned(),
        15 => "SIGTERM".to_owned(),
        1 => "SIGHUP".to_owned(),
        n => format!("signal {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mode::Mode;
    use crate::report::AgentSummary;

    const LIMITS: Limits = Limits {
        max_sessions: 3,
        max_hours: 1.0,
        max_tokens: 1000,
        confidence_threshold: 0.85,
    };

    /// A state in which nothing fires: the control every case below varies one field of.
    const CALM: Before = Before {
        sessions_started: 2,
        elapsed: Duration::from_secs(3599),
        abort_signal: None,
        tokens_used: 999,
        resources: Some((Verdict::Critical, PEER_ABORT_THRESHOLD)),
    };

    fn fired(s: &Before) -> Option<KillSwitch> {
        before_iteration(&LIMITS, s).map(|stop| stop.switch)
    }

    #[test]
    fn calm_state_fires_nothing() {
        assert_eq!(fired(&CALM), None);
    }

    #[test]
    fn max_sessions() {
        let s = Before {
            sessions_started: 3,
            ..CALM
        };
        assert_eq!(fired(&s), Some(KillSwitch::MaxSessionsReached));
        let stop = before_iteration(&LIMITS, &s).unwrap_or_else(|| panic!("no stop"));
        assert_eq!(stop.detail, "3 session(s) started >= --max-sessions 3");
    }

    #[test]
    fn max_hours() {
        let s = Before {
            elapsed: Duration::from_hours(1),
            ..CALM
        };
        assert_eq!(fired(&s), Some(KillSwitch::MaxHoursExceeded));
    }

    #[test]
    fn token_budget() {
        let s = Before {
            tokens_used: 1000,
            ..CALM
        };
        assert_eq!(fired(&s), Some(KillSwitch::TokenBudgetExceeded));
    }

    #[test]
    fn resource_overload_needs_critical_and_more_than_six_peers() {
        let s = Before {
            resources: Some((Verdict::Critical, PEER_ABORT_THRESHOLD + 1)),
            ..CALM
        };
        assert_eq!(fired(&s), Some(KillSwitch::ResourceOverload));
        let degraded = Before {
            resources: Some((Verdict::Degraded, 50)),
            ..CALM
        };
        assert_eq!(fired(&degraded), None);
        let unknown = Before {
            resources: None,
            ..CALM
        };
        assert_eq!(fired(&unknown), None);
    }

    #[test]
    fn user_abort_comes_first() {
        let s = Before {
            abort_signal: Some(2),
            sessions_started: 3,
            tokens_used: 5000,
            ..CALM
        };
        let stop = before_iteration(&LIMITS, &s).unwrap_or_else(|| panic!("no stop"));
        assert_eq!(stop.switch, KillSwitch::UserAbort);
        assert!(stop.detail.starts_with("SIGINT"), "{}", stop.detail);
    }

    fn rec(confidence: f64) -> Recommendation {
        Recommendation {
            mode: Mode::Feature,
            confidence,
            rationale: "r".into(),
            votes: Vec::new(),
        }
    }

    #[test]
    fn low_confidence_falls_back_first_and_stops_later() {
        let (stop, fallback) =
            low_confidence(&LIMITS, 0, &rec(0.84)).unwrap_or_else(|| panic!("no stop"));
        assert_eq!(stop.switch, KillSwitch::LowConfidenceFallback);
        assert!(fallback);
        assert!(stop.detail.contains("manual"), "{}", stop.detail);
        let (_, fallback) =
            low_confidence(&LIMITS, 1, &rec(0.84)).unwrap_or_else(|| panic!("no stop"));
        assert!(!fallback);
        // Control: at the threshold the session runs.
        assert_eq!(low_confidence(&LIMITS, 0, &rec(0.85)), None);
    }

    fn report(summary: AgentSummary, planned: u64, carryover: u64) -> SessionReport {
        SessionReport {
            agent_summary: Some(summary),
            issues_planned: Some(planned),
            carryover: Some(carryover),
            ..SessionReport::default()
        }
    }

    const CLEAN: AgentSummary = AgentSummary {
        complete: 4,
        partial: 1,
        failed: 0,
        spiral: 0,
    };

    #[test]
    fn post_session_switches_with_controls() {
        assert_eq!(
            after_session(&report(CLEAN, 4, 2)),
            None,
            "0.5 is not > 0.5"
        );
        let spiral = AgentSummary { spiral: 1, ..CLEAN };
        assert_eq!(
            after_session(&report(spiral, 4, 0)).map(|s| s.switch),
            Some(KillSwitch::Spiral)
        );
        let failed = AgentSummary { failed: 1, ..CLEAN };
        assert_eq!(
            after_session(&report(failed, 4, 0)).map(|s| s.switch),
            Some(KillSwitch::FailedWave)
        );
        let stop = after_session(&report(CLEAN, 4, 3)).unwrap_or_else(|| panic!("no stop"));
        assert_eq!(stop.switch, KillSwitch::CarryoverTooHigh);
        assert_eq!(stop.detail, "carryover 3 / issues_planned 4 = 0.75 > 0.5");
        // Nothing planned: no ratio, no stop.
        assert_eq!(after_session(&report(CLEAN, 0, 3)), None);
    }

    #[test]
    fn exit_codes() {
        assert_eq!(KillSwitch::FailedWave.exit_code(), 2);
        assert_eq!(KillSwitch::UserAbort.exit_code(), 130);
        assert_eq!(KillSwitch::SessionError.exit_code(), 1);
        for clean in [
            KillSwitch::MaxSessionsReached,
            KillSwitch::MaxHoursExceeded,
            KillSwitch::LowConfidenceFallback,
            KillSwitch::Spiral,
            KillSwitch::StallTimeout,
        ] {
            assert_eq!(clean.exit_code(), 0, "{clean}");
        }
    }
}
