//! Wave-scope enforcement: the one verdict on the files an agent is about to write.
//!
//! Input: a [`Request`] — every file the tool call would write (from an Edit/Write tool, a
//! Codex `apply_patch`, or the write targets the destructive guard's shell analysis found in
//! a Bash command) and the commands it would run — plus a [`ScopeContext`] (project root,
//! client state directory, subagent or main thread). Output: a [`Verdict`].
//!
//! Two layers, in this order:
//! 1. **Self-protection, always on** (no wave needed): the wave manifest is written only
//!    through `session-orchestrator wave-scope write|clear`, which subagents may not run;
//!    STATE.md is the coordinator's; the policy files, hook settings and metrics logs are
//!    nobody's to edit; the Session Config's enforcement keys cannot be changed by an agent.
//! 2. **The wave's scope**, when a manifest is in force: writes outside `allowedPaths`
//!    and commands in `blockedCommands` are denied (`strict`) or warned (`warn`); writes
//!    whose target is unknown before run time are asked about (strict) or warned.
//!
//! This crate does not talk to clients (the hook binary renders the verdict) and does not
//! parse shell (it gets the write targets from `so-guard`).

mod commands;
pub mod manifest;
mod matcher;
pub mod paths;
mod protect;
pub mod validate;
pub mod weakening;

use std::path::PathBuf;
use std::time::SystemTime;

pub use manifest::{Enforcement, Gates, Lookup, StateDir, WaveScope, lookup, manifest_path};
pub use matcher::AllowedPaths;
pub use paths::{PathStyle, Resolved, resolve};

/// Where and by whom a tool call is made.
#[derive(Clone, Debug)]
pub struct ScopeContext {
    /// The project root (canonical).
    pub project_root: PathBuf,
    /// The client's state directory, which holds its wave manifest.
    pub state: StateDir,
    /// The call comes from a subagent (the payload carries `agent_id`).
    pub subagent: bool,
    /// The session, when the payload says.
    pub session_id: Option<String>,
    /// Path spelling and case rules.
    pub style: PathStyle,
    /// `$TMPDIR`, scratch space like `/tmp`.
    pub tmpdir: Option<PathBuf>,
    /// What to do with edits that weaken lint, type-check or test configuration
    /// (Session Config `config-protection.mode`, default warn).
    pub config_protection: Enforcement,
}

/// One file a tool call would write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The path as the tool or command names it; None when it is unknown before run time.
    pub path: Option<String>,
    /// How the target was named, for messages (`<files written by git apply>`, `"$OUT"`).
    pub spelled: String,
    /// What writes it (`Write`, `apply_patch add`, `redirection`, `sed -i`).
    pub via: String,
    /// The file's full content after the write, when the tool gives it (Write, Edit): used to
    /// keep agents from changing the Session Config's enforcement keys.
    pub new_text: Option<String>,
    /// The text the write adds, when the whole file is not known (a patch's `+` lines).
    pub added_text: Option<String>,
}

/// Everything a tool call would do that scope enforcement judges.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Files written.
    pub writes: Vec<Write>,
    /// Commands run, as argv (after wrappers).
    pub invocations: Vec<Vec<String>>,
    /// The write already happened (Cursor `afterFileEdit`): report, cannot prevent.
    pub after_the_fact: bool,
}

/// The decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Nothing to say.
    Allow,
    /// Allowed, with a visible warning.
    Warn,
    /// A human should confirm (strict, unknown targets).
    Ask,
    /// Blocked.
    Deny,
}

/// The verdict on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The decision.
    pub decision: Decision,
    /// One line per problem, most severe first; empty when allowed silently.
    pub reasons: Vec<String>,
}

impl Verdict {
    fn allow() -> Self {
        Self {
            decision: Decision::Allow,
            reasons: Vec::new(),
        }
    }

    fn add(&mut self, decision: Decision, reason: String) {
        if decision > self.decision {
            self.decision = decision;
            self.reasons.insert(0, reason);
        } else {
            self.reasons.push(reason);
        }
    }

    /// The reasons as one text.
    pub fn text(&self) -> String {
        self.reasons.join("\n")
    }
}

/// The one verdict on a tool call's writes and commands.
pub fn check(request: &Request, cx: &ScopeContext, now: SystemTime) -> Verdict {
    let mut verdict = Verdict::allow();
    let resolved: Vec<(&Write, Option<Resolved>)> = request
        .writes
        .iter()
        .map(|w| {
            (
                w,
                w.path
                    .as_deref()
                    .map(|p| resolve(p, &cx.project_root, cx.style)),
            )
        })
        .collect();

    // 1. Self-protection, with or without a wave.
    for (write, path) in &resolved {
        if let Some(path) = path
            && let Some(reason) = protect::protected(write, path, cx)
        {
            verdict.add(Decision::Deny, reason);
        }
    }
    if let Some(reason) = protect::forbidden_invocation(&request.invocations, cx) {
        verdict.add(Decision::Deny, reason);
    }
    if cx.config_protection != Enforcement::Off {
        for (write, path) in &resolved {
            if let (Some(path), Some(new)) = (path, &write.new_text) {
                weakening_check(path, new, cx, &mut verdict);
            }
        }
    }

    // 2. The wave's scope.
    let scope = match lookup(&cx.project_root, cx.state, cx.session_id.as_deref(), now) {
        Lookup::Absent => None,
        Lookup::Active { scope, .. } => Some(scope),
        Lookup::Broken { error, .. } => {
            if !request.writes.is_empty() {
                verdict.add(Decision::Deny, format!("Scope violation: {error}. No write is allowed until the coordinator rewrites the manifest with `session-orchestrator wave-scope write`."));
            }
            None
        }
        Lookup::Stale { path, scope, why } => {
            verdict.add(Decision::Warn, format!(
                "A wave-scope manifest for wave {} ({}) at `{}` is stale ({why}); it is not enforced. The coordinator should write the current wave's manifest or clear it with `session-orchestrator wave-scope clear`.",
                scope.wave, scope.role, path.display()
            ));
            None
        }
    };
    let others = manifest::others(&cx.project_root, cx.state);
    if !others.is_empty() && scope.is_none() {
        let list: Vec<String> = others
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        verdict.add(Decision::Warn, format!("wave-scope manifests of other clients are present and not enforced for this one: {}", list.join(", ")));
    }
    if let Some(scope) = scope.filter(|s| s.enforcement != Enforcement::Off) {
        judge_scope(request, &resolved, &scope, cx, &mut verdict);
    }
    if request.after_the_fact && verdict.decision > Decision::Warn {
        verdict.decision = Decision::Warn;
        verdict.reasons.insert(0, "This edit was already made; the client reports file edits only after the fact, so it could not be prevented:".to_owned());
    }
    verdict
}

fn weakening_check(path: &Resolved, new: &str, cx: &ScopeContext, verdict: &mut Verdict) {
    let name = path.absolute.rsplit('/').next().unwrap_or_default();
    if !weakening::watched(name) {
        return;
    }
    let Ok(old) = std::fs::read_to_string(&path.absolute) else {
        return;
    };
    let signals = weakening::signals(&old, new);
    if signals.is_empty() {
        return;
    }
    let shown = shorten(path.relative.as_deref().unwrap_or(&path.absolute));
    let decision = if cx.config_protection == Enforcement::Strict {
        Decision::Deny
    } else {
        Decision::Warn
    };
    verdict.add(
        decision,
        format!(
            "Config weakening in `{shown}`: this edit {}. Fix the code instead of relaxing the checks; if the user wants the checks relaxed, they make that change.",
            signals.join("; ")
        ),
    );
}

fn judge_scope(
    request: &Request,
    resolved: &[(&Write, Option<Resolved>)],
    scope: &WaveScope,
    cx: &ScopeContext,
    verdict: &mut Verdict,
) {
    let strict = scope.enforcement == Enforcement::Strict;
    let on_violation = if strict {
        Decision::Deny
    } else {
        Decision::Warn
    };
    let allowed = AllowedPaths::new(&scope.allowed_paths, cx.style);
    let list = if scope.allowed_paths.is_empty() {
        "none (this wave is read-only)".to_owned()
    } else {
        scope
            .allowed_paths
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if scope.gates.paths() {
        for (write, path) in resolved {
            match path {
                None => verdict.add(
                    if strict { Decision::Ask } else { Decision::Warn },
                    format!("Scope check (wave {}, {}): {} writes to {}, which cannot be known before it runs; allowed paths are {list}.", scope.wave, scope.role, write.via, write.spelled),
                ),
                Some(p) if protect::scratch(p, cx) || protect::coordinator_file(p, cx) || allowed.allows(p) => {}
                Some(p) => {
                    let shown = shorten(p.relative.as_deref().unwrap_or(&p.absolute));
                    let place = if p.relative.is_none() { " (outside the project)" } else { "" };
                    verdict.add(on_violation, format!(
                        "Scope violation (wave {}, {}): `{shown}`{place} is not in this wave's allowed paths: {list}. If the file belongs to this wave, the coordinator adds it to the wave's file list and rewrites the manifest with `session-orchestrator wave-scope write`; otherwise leave it to a later wave.",
                        scope.wave, scope.role
                    ));
                }
            }
        }
    }
    if scope.gates.commands() {
        for (pattern, argv) in commands::blocked(&scope.blocked_commands, &request.invocations) {
            verdict.add(on_violation, format!(
                "Blocked in wave {} ({}): `{}` matches the wave's blocked command `{pattern}`. Leave it to the coordinator after the wave.",
                scope.wave, scope.role, argv.join(" ")
            ));
        }
    }
}

/// The self-protection layer alone: why this agent may never write `write`'s path, wave or
/// no wave, if it may not (for explanations such as `session-orchestrator check-path`;
/// [`check`] applies it too).
pub fn protection(write: &Write, cx: &ScopeContext) -> Option<String> {
    let path = resolve(write.path.as_deref()?, &cx.project_root, cx.style);
    protect::protected(write, &path, cx)
}

/// Why a write to `path` needs no grant from the wave's `allowedPaths`, if it needs none:
/// temporary files and devices outside the project, and the coordinator's STATE.md.
pub fn exemption(path: &Resolved, cx: &ScopeContext) -> Option<&'static str> {
    if protect::scratch(path, cx) {
        Some("temporary or device file outside the project, writable in any wave")
    } else if protect::coordinator_file(path, cx) {
        Some("the coordinator's STATE.md, writable by the main thread in any wave")
    } else {
        None
    }
}

/// A path short enough that the guidance after it survives the reason's size limit.
pub(crate) fn shorten(path: &str) -> String {
    const HEAD: usize = 100;
    const TAIL: usize = 40;
    let chars: Vec<char> = path.chars().collect();
    if chars.len() <= HEAD + TAIL + 1 {
        return path.to_owned();
    }
    let head: String = chars[..HEAD].iter().collect();
    let tail: String = chars[chars.len() - TAIL..].iter().collect();
    format!("{head}…{tail}")
}
