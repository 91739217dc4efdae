//! The destructive-command guard: one [`Guard::check`] for every shell command an agent
//! is about to run.
//!
//! Input: the command line, the directory it runs in ([`GuardContext`]), the policy
//! ([`Policy`]: shipped plus project overlay) and the Session Config switch
//! `allow-destructive-ops`. Output: an [`Analysis`] with a [`Decision`] (allow, warn, ask,
//! deny, or indeterminate when part of the command could not be analysed), the rules that
//! matched with their reasons and safer alternatives, and the simple commands seen.
//!
//! The command is parsed by `so-shell`; every simple command is judged on its own argv.
//! Strings that other programs run as code (`sh -c`, `eval`, `ssh host '...'`, heredocs
//! fed to a shell, `python -c`) are parsed and judged again; wrappers (`sudo`, `env`,
//! `timeout`, `xargs`, `find -exec`, ...) are stripped with their option grammars.
//!
//! This crate decides; it does not talk to any client. The hook binary renders the
//! decision in the client's dialect.
//!
//! ```
//! use so_guard::{Guard, GuardContext, Decision};
//! let cx = GuardContext::fixed("/work/app".as_ref(), "/work/app".as_ref(), "/home/me".as_ref());
//! let guard = Guard::new(so_guard::Policy::shipped());
//! assert_eq!(guard.check("git reset --hard HEAD~1", &cx).decision, Decision::Deny);
//! assert_eq!(guard.check("git status && cargo test", &cx).decision, Decision::Allow);
//! ```

mod context;
mod engine;
pub mod patch;
mod places;
mod policy;
mod rules;
mod verdict;

use std::path::Path;

pub use context::{GuardContext, env_vars};
pub use policy::{CustomRule, OVERLAY_PATH, Policy, PolicyError, SHIPPED_POLICY};
pub use rules::{PACKS, PackInfo, RuleInfo, registry};
pub use verdict::{Analysis, Decision, Finding, Severity, WriteTarget};

/// Rule id of the "could not analyse" verdict (input too large, nested too deeply).
pub const UNANALYSABLE: &str = "core:unanalysable";

/// A loaded guard: policy and Session Config switch.
#[derive(Clone, Debug)]
pub struct Guard {
    policy: Policy,
    warn_only: bool,
    notices: Vec<String>,
}

impl Guard {
    /// A guard with this policy, fully armed.
    pub fn new(policy: Policy) -> Self {
        let notices = policy.notices().to_vec();
        Self {
            policy,
            warn_only: false,
            notices,
        }
    }

    /// The guard for a project (`project_root` as [`so_config::find_project_root`] or
    /// [`GuardContext`] found it): shipped policy, the project's overlay, and the Session
    /// Config's `allow-destructive-ops`. A config value that is not a boolean keeps the
    /// guard armed and becomes a notice.
    pub fn for_project(project_root: &Path) -> Self {
        let mut policy = Policy::for_project(project_root);
        // The plugin's own files (hook launcher, binaries, policy) are the guard itself.
        for var in [env_vars::CLAUDE_PLUGIN_ROOT, env_vars::PLUGIN_ROOT] {
            if let Some(root) = std::env::var_os(var)
                .filter(|r| Path::new(r).is_absolute() && Path::new(r).parent().is_some())
            {
                policy.add_guard_files(&format!("{}/**", Path::new(&root).display()));
            }
        }
        let mut guard = Self::new(policy);
        match so_config::SessionConfig::at_root(project_root) {
            Ok(Some(config)) => match config.allow_destructive_ops() {
                Ok(on) => guard.warn_only = on,
                Err(e) => guard
                    .notices
                    .push(format!("{e}; the destructive guard stays armed")),
            },
            Ok(None) => {}
            Err(e) => guard
                .notices
                .push(format!("{e}; the destructive guard stays armed")),
        }
        guard
    }

    /// Turns the guard to warn-only (what `allow-destructive-ops: true` does). Rules
    /// that protect the guard's own files still deny.
    pub fn set_warn_only(&mut self, on: bool) {
        self.warn_only = on;
    }

    /// Whether the guard only warns.
    pub fn warn_only(&self) -> bool {
        self.warn_only
    }

    /// The one verdict on a command line.
    pub fn check(&self, command: &str, cx: &GuardContext) -> Analysis {
        let mut engine = engine::Engine::new(cx, &self.policy);
        engine.code(command);
        let mut findings = engine.findings;
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.always_enforced.cmp(&a.always_enforced))
        });
        let denied = findings.iter().any(|f| f.severity == Severity::Deny);
        if !engine.problems.is_empty() && !denied {
            // "Could not analyse" is a verdict of its own, with a stable id like any rule.
            findings.push(Finding {
                rule: UNANALYSABLE.to_owned(),
                severity: Severity::Ask,
                reason: format!(
                    "the guard could not analyse part of the command: {}",
                    engine.problems.join("; ")
                ),
                alternative: "split it into smaller, plain commands, or ask the user to run it"
                    .to_owned(),
                command: command.chars().take(120).collect(),
                always_enforced: false,
            });
        }
        let decision = if findings
            .iter()
            .any(|f| f.always_enforced && f.severity == Severity::Deny)
        {
            Decision::Deny
        } else if !findings.is_empty() && self.warn_only {
            Decision::Warn
        } else if findings.iter().any(|f| f.severity == Severity::Deny) {
            Decision::Deny
        } else if findings.iter().any(|f| f.rule == UNANALYSABLE) {
            Decision::Indeterminate
        } else if !findings.is_empty() {
            Decision::Ask
        } else {
            Decision::Allow
        };
        Analysis {
            decision,
            findings,
            commands: engine.commands,
            problems: engine.problems,
            notices: self.notices.clone(),
            writes: engine.writes,
            invocations: engine.invocations,
        }
    }
}
