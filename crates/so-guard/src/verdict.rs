//! What the guard concludes about one command line.

use std::fmt::{self, Write as _};

/// How strongly a rule objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A human should confirm; clients that cannot ask deny.
    Ask,
    /// Blocked.
    Deny,
}

impl Severity {
    /// Lowercase name, as in the policy file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::Deny => "deny",
        }
    }
}

/// One rule that matched one simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable rule id, `pack:rule`.
    pub rule: String,
    /// How strongly the rule objects (after the policy is applied).
    pub severity: Severity,
    /// Why the command is dangerous, one short sentence.
    pub reason: String,
    /// What to do instead.
    pub alternative: String,
    /// The simple command that matched, as analysed.
    pub command: String,
    /// The finding holds even when the Session Config sets `allow-destructive-ops`
    /// (the guard protecting its own configuration).
    pub always_enforced: bool,
}

/// The overall decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nothing dangerous found.
    Allow,
    /// Dangerous, but `allow-destructive-ops` turns the guard to warn-only.
    Warn,
    /// A human should confirm.
    Ask,
    /// Blocked.
    Deny,
    /// Part of the command could not be analysed: ask where the client can prompt,
    /// deny where it cannot.
    Indeterminate,
}

impl Decision {
    /// Lowercase name for CLI and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Warn => "warn",
            Self::Ask => "ask",
            Self::Deny => "deny",
            Self::Indeterminate => "indeterminate",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file the command would write, create, move or delete, as far as the command line
/// shows it. The scope enforcer holds these against a wave's allowed paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteTarget {
    /// Absolute, normalised path; None when a variable or substitution decides it.
    pub path: Option<std::path::PathBuf>,
    /// The target as written in the command.
    pub spelled: String,
    /// What writes it: `redirection`, `tee`, `cp`, `rm`, `sed -i`, ...
    pub via: String,
    /// The simple command it belongs to.
    pub command: String,
}

/// The guard's answer for one command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// The decision.
    pub decision: Decision,
    /// Every rule that matched, strongest first.
    pub findings: Vec<Finding>,
    /// Every simple command the guard looked at, nested ones included.
    pub commands: Vec<String>,
    /// Parts that could not be analysed.
    pub problems: Vec<String>,
    /// Notices for the user (a broken policy overlay, a bad config value).
    pub notices: Vec<String>,
    /// Every file the command would write or delete.
    pub writes: Vec<WriteTarget>,
    /// Every command judged, as argv, after wrappers were stripped (`sudo rm -rf x` gives
    /// both `sudo rm -rf x` and `rm -rf x`).
    pub invocations: Vec<Vec<String>>,
}

impl Analysis {
    /// The finding the decision rests on.
    pub fn primary(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// The text for the model when the command is not allowed: rule, reason, what to do
    /// instead. It never tells the agent how to switch the guard off.
    pub fn reason(&self) -> String {
        let mut out = String::new();
        if let Some(f) = self.primary() {
            let _ = write!(
                out,
                "{} session-orchestrator destructive-guard [{}]: {}\nCommand: {}\nInstead: {}",
                match self.decision {
                    Decision::Deny => "Blocked by",
                    Decision::Ask | Decision::Indeterminate => "Needs the user's confirmation, by",
                    Decision::Warn | Decision::Allow => "Warning from",
                },
                f.rule,
                f.reason,
                f.command,
                f.alternative
            );
            let others: Vec<&str> = self.findings[1..].iter().map(|f| f.rule.as_str()).collect();
            if !others.is_empty() {
                let _ = write!(out, "\nAlso matched: {}", others.join(", "));
            }
        } else {
            out.push_str("session-orchestrator destructive-guard could not analyse this command: ");
            out.push_str(&self.problems.join("; "));
            out.push_str(
                "\nInstead: split it into smaller, plain commands, or ask the user to run it.",
            );
        }
        out.push_str(
            "\nIf the user really wants this, ask them to run it themselves; do not try to work around the guard.",
        );
        out
    }

    /// One short line for the human.
    pub fn summary(&self) -> String {
        match self.primary() {
            Some(f) => format!(
                "destructive-guard {} [{}]: {}",
                self.decision, f.rule, f.reason
            ),
            None if !self.problems.is_empty() => format!(
                "destructive-guard could not analyse the command: {}",
                self.problems.join("; ")
            ),
            None => "destructive-guard: allowed".to_owned(),
        }
    }
}
