//! What no agent may write, wave or no wave.

use crate::manifest::{MANIFEST_FILE, StateDir};
use crate::paths::Resolved;
use crate::{ScopeContext, Write};

/// Session Config keys that switch enforcement; agents may not change them.
pub(crate) const ENFORCEMENT_KEYS: &[&str] = &[
    "allow-destructive-ops",
    "enforcement",
    "enforcement-gates",
    "allow-config-weakening",
    "config-protection",
];

/// Files that configure or record the guards (relative to the project root).
const GUARD_FILES: &[&str] = &[
    ".orchestrator/policy/",
    ".orchestrator/metrics/",
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".codex/hooks.json",
    ".codex/config.toml",
    ".cursor/hooks.json",
];

fn fold(s: &str, cx: &ScopeContext) -> String {
    if cx.style.case_insensitive() {
        s.to_lowercase()
    } else {
        s.to_owned()
    }
}

/// Why `write` onto `path` is never allowed to this agent, if it is not.
pub(crate) fn protected(write: &Write, path: &Resolved, cx: &ScopeContext) -> Option<String> {
    let rel = fold(path.relative.as_deref()?, cx);
    let rel_full = rel.clone();
    let rel = crate::shorten(&rel);
    if rel_full.contains(['*', '?', '[']) {
        return protected_by_glob(&rel_full, cx);
    }
    let is_manifest = StateDir::ALL.iter().any(|s| {
        rel == format!("{}/{MANIFEST_FILE}", s.dir())
            || rel.starts_with(&format!("{}/filescopes/", s.dir()))
    }) || rel == format!(".orchestrator/{MANIFEST_FILE}");
    if is_manifest {
        return Some(format!(
            "`{rel}` is the wave-scope manifest: it is written only with `session-orchestrator wave-scope write` and removed with `session-orchestrator wave-scope clear`, run by the coordinator; no tool edits it directly."
        ));
    }
    if cx.subagent
        && StateDir::ALL
            .iter()
            .any(|s| rel == fold(&format!("{}/STATE.md", s.dir()), cx))
    {
        return Some(format!(
            "`{rel}` belongs to the coordinator; a subagent reports its progress in its final message instead."
        ));
    }
    if GUARD_FILES.iter().any(|g| {
        let g = fold(g, cx);
        if g.ends_with('/') {
            rel.starts_with(&g)
        } else {
            rel == g
        }
    }) {
        return Some(format!(
            "`{rel}` configures or records the guards; agents cannot change it. The user edits it outside the agent."
        ));
    }
    if let Some(inside) = protected_inside(&rel, cx) {
        if inside.trim_end_matches('/') == rel {
            return Some(format!(
                "`{rel}/` configures or records the guards; agents cannot change, move or remove it. The user edits it outside the agent."
            ));
        }
        return Some(format!(
            "`{rel}` holds `{inside}`, which no agent may change: moving, removing or replacing `{rel}` as a whole would take it away. Write the files inside it by name."
        ));
    }
    let top = !rel.contains('/');
    if top
        && (rel == fold("CLAUDE.md", cx) || rel == fold("AGENTS.md", cx))
        && changes_enforcement(write, path)
    {
        return Some(format!(
            "this edit changes an enforcement key of the Session Config in `{rel}` ({}); only the user may change those, outside the agent.",
            ENFORCEMENT_KEYS.join(", ")
        ));
    }
    None
}

/// A protected file or directory inside the directory `rel` (or `rel` itself, when it is a
/// protected directory named without its trailing `/`): writing `rel` as a whole (`mv`,
/// `rm -r`, a symlink over it) would take that file away.
fn protected_inside(rel: &str, cx: &ScopeContext) -> Option<String> {
    if rel.is_empty() {
        return None; // the project root: the destructive guard judges removing it
    }
    let mut locations: Vec<String> = GUARD_FILES.iter().map(|g| (*g).to_owned()).collect();
    for s in StateDir::ALL {
        locations.push(format!("{}/{MANIFEST_FILE}", s.dir()));
        locations.push(format!("{}/filescopes/", s.dir()));
    }
    locations.push(format!(".orchestrator/{MANIFEST_FILE}"));
    let dir = format!("{rel}/");
    locations
        .into_iter()
        .find(|l| fold(l, cx).starts_with(&dir))
}

/// Whether a write to CLAUDE.md/AGENTS.md changes an enforcement key.
fn changes_enforcement(write: &Write, path: &Resolved) -> bool {
    if let Some(new) = &write.new_text {
        let old = std::fs::read_to_string(&path.absolute).unwrap_or_default();
        let p = std::path::Path::new(&path.absolute);
        let before = so_config::SessionConfig::parse(&old, p);
        let after = so_config::SessionConfig::parse(new, p);
        let values = |c: &so_config::SessionConfig| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = c
                .entries()
                .filter(|e| {
                    ENFORCEMENT_KEYS
                        .iter()
                        .any(|k| e.key == *k || e.key.starts_with(&format!("{k}.")))
                })
                .map(|e| (e.key.clone(), e.value.trim().to_lowercase()))
                .collect();
            v.sort();
            v
        };
        return values(&before) != values(&after);
    }
    // Without the full text (a patch), any added line that sets a key counts.
    write.added_text.as_deref().is_some_and(|added| {
        added.lines().any(|l| {
            ENFORCEMENT_KEYS
                .iter()
                .any(|k| so_config::fragment_sets_key(l, k))
        })
    })
}

/// Paths any agent may write during a wave: temp space and the null devices.
pub(crate) fn scratch(path: &Resolved, cx: &ScopeContext) -> bool {
    if path.relative.is_some() {
        return false; // inside the project, the wave's paths decide (even under /tmp)
    }
    let a = path.absolute.as_str();
    if matches!(a, "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty")
        || a.starts_with("/dev/fd/")
    {
        return true;
    }
    let temp_roots = [
        "/tmp/",
        "/var/tmp/",
        "/private/tmp/",
        "/private/var/folders/",
        "/var/folders/",
    ];
    if temp_roots.iter().any(|r| a.starts_with(r)) {
        return true;
    }
    cx.tmpdir
        .as_deref()
        .and_then(|t| t.to_str())
        .is_some_and(|t| t.len() > 1 && a.starts_with(&format!("{}/", t.trim_end_matches('/'))))
}

/// STATE.md is the coordinator's (main thread) to write in any wave.
pub(crate) fn coordinator_file(path: &Resolved, cx: &ScopeContext) -> bool {
    !cx.subagent
        && path.relative.as_deref().is_some_and(|rel| {
            StateDir::ALL
                .iter()
                .any(|s| fold(rel, cx) == fold(&format!("{}/STATE.md", s.dir()), cx))
        })
}

/// Subagents may not write or clear the manifest, nor write STATE.md, through the CLI
/// either.
pub(crate) fn forbidden_invocation(
    invocations: &[Vec<String>],
    cx: &ScopeContext,
) -> Option<String> {
    if !cx.subagent {
        return None;
    }
    invocations.iter().find_map(|argv| {
        let name = argv.first()?.rsplit('/').next()?;
        if name != "session-orchestrator" {
            return None;
        }
        let sub = argv.get(2).map(String::as_str);
        match argv.get(1).map(String::as_str) {
            Some("wave-scope") if matches!(sub, Some("write" | "clear")) => Some("only the coordinator (main thread) may write or clear the wave-scope manifest; a subagent works inside the scope it was given.".to_owned()),
            Some("state") if matches!(sub, Some("init" | "set" | "append" | "section" | "reset")) => Some("only the coordinator (main thread) writes STATE.md (`session-orchestrator state init|set|append|section|reset`); a subagent reports its progress in its final message instead. Reading it with `session-orchestrator state show` is fine.".to_owned()),
            // The session's record and set-up are the coordinator's: a subagent that wrote
            // the session report or a learning would grade its own work, one that ran the
            // autopilot would start sessions of its own.
            Some("session") if sub == Some("record") => Some("only the coordinator (main thread) records the session (`session-orchestrator session record`, at /close); a subagent reports its outcome in its final message instead.".to_owned()),
            Some("learning") if sub == Some("add") => Some("only the coordinator (main thread) records learnings (`session-orchestrator learning add`, after the user accepts them); a subagent puts what it learned in its final message. `learning list` is fine.".to_owned()),
            Some("autopilot") => Some("only the coordinator (main thread), at the user's request, runs the autopilot; a subagent never starts sessions of its own.".to_owned()),
            Some("bootstrap") if argv.iter().any(|a| a == "--tier" || a.starts_with("--tier=")) => Some("only the coordinator (main thread) bootstraps the project (`session-orchestrator bootstrap --tier`); `bootstrap --check` is fine.".to_owned()),
            Some("install") => Some("only the user installs the plugin into a client (`session-orchestrator install`); a subagent reports that it is needed.".to_owned()),
            _ => None,
        }
    })
}

/// A wildcard target (`rm -f .claude/*.json`) that would sweep up a protected file.
fn protected_by_glob(rel: &str, cx: &ScopeContext) -> Option<String> {
    let matcher = globset::GlobBuilder::new(rel)
        .literal_separator(true)
        .case_insensitive(cx.style.case_insensitive())
        .build()
        .ok()?
        .compile_matcher();
    let mut locations: Vec<String> = GUARD_FILES
        .iter()
        .map(|g| {
            if g.ends_with('/') {
                format!("{g}x")
            } else {
                (*g).to_owned()
            }
        })
        .collect();
    for s in StateDir::ALL {
        locations.push(format!("{}/{MANIFEST_FILE}", s.dir()));
        if cx.subagent {
            locations.push(format!("{}/STATE.md", s.dir()));
        }
    }
    let hit = locations.into_iter().find(|l| {
        matcher.is_match(l) || matcher.is_match(l.rsplit_once('/').map_or(l.as_str(), |(d, _)| d))
    })?;
    Some(format!(
        "`{rel}` would match `{hit}`, which no agent may change; name the files to write instead."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decision, Enforcement, PathStyle, Request};

    fn context(subagent: bool) -> ScopeContext {
        ScopeContext {
            project_root: "/nonexistent-so-scope-root/p".into(),
            state: StateDir::Claude,
            subagent,
            session_id: None,
            style: PathStyle::Posix,
            tmpdir: None,
            config_protection: Enforcement::Warn,
        }
    }

    /// The verdict of the one `check` on a command line given as argv.
    fn judge(argv: &str, subagent: bool) -> crate::Verdict {
        let request = Request {
            invocations: vec![argv.split_whitespace().map(str::to_owned).collect()],
            ..Request::default()
        };
        crate::check(&request, &context(subagent), std::time::SystemTime::now())
    }

    #[test]
    fn only_the_main_thread_writes_state_md_through_the_cli() {
        for command in [
            "session-orchestrator state init --session-type deep --total-waves 5",
            "session-orchestrator state set status=completed",
            "session-orchestrator state append deviations x",
            "session-orchestrator state section mission-status --file -",
            "session-orchestrator state reset",
            "/opt/plugin/target/release/session-orchestrator state set current-wave=2",
        ] {
            let v = judge(command, true);
            assert_eq!(v.decision, Decision::Deny, "subagent `{command}`");
            assert!(
                v.text().contains("only the coordinator") && v.text().contains("state show"),
                "{}",
                v.text()
            );
            // Control: the main thread runs it.
            assert_eq!(
                judge(command, false).decision,
                Decision::Allow,
                "main `{command}`"
            );
        }
        // The rest of the session's record and set-up is the coordinator's too.
        for command in [
            "session-orchestrator session record report.json",
            "session-orchestrator learning add --type fragile-file --subject a --insight b --evidence c --confidence 0.9",
            "session-orchestrator autopilot --headless --max-sessions 2",
            "session-orchestrator bootstrap --tier standard",
            "session-orchestrator install codex --trust",
        ] {
            let v = judge(command, true);
            assert_eq!(v.decision, Decision::Deny, "subagent `{command}`");
            assert!(v.text().contains("only the"), "{}", v.text());
            assert_eq!(
                judge(command, false).decision,
                Decision::Allow,
                "main `{command}`"
            );
        }
        // Controls: reading is anyone's; other commands and look-alikes are not judged here.
        for command in [
            "session-orchestrator state show",
            "session-orchestrator state show --json",
            "session-orchestrator bootstrap --check",
            "session-orchestrator learning list --json",
            "session-orchestrator quality-gate --variant incremental",
            "session-orchestrator mode --json",
            "session-orchestrator-state set status=x",
            "echo session-orchestrator state set status=x",
        ] {
            assert_eq!(
                judge(command, true).decision,
                Decision::Allow,
                "subagent `{command}`"
            );
        }
        // The wave-scope rule is unchanged.
        assert_eq!(
            judge("session-orchestrator wave-scope clear", true).decision,
            Decision::Deny
        );
        assert_eq!(
            judge("session-orchestrator wave-scope show", true).decision,
            Decision::Allow
        );
    }

    fn why(rel: &str) -> Option<String> {
        let cx = ScopeContext {
            project_root: "/nonexistent-so-scope-root/p".into(),
            state: StateDir::Claude,
            subagent: false,
            session_id: None,
            style: PathStyle::Posix,
            tmpdir: None,
            config_protection: Enforcement::Warn,
        };
        let write = Write {
            path: Some(rel.to_owned()),
            spelled: rel.to_owned(),
            via: "mv".to_owned(),
            new_text: None,
            added_text: None,
        };
        let path = Resolved {
            absolute: format!("/nonexistent-so-scope-root/p/{rel}"),
            relative: Some(rel.to_owned()),
        };
        protected(&write, &path, &cx)
    }

    #[test]
    fn directories_holding_protected_files_are_protected() {
        for dir in [
            ".claude",
            ".codex",
            ".cursor",
            ".orchestrator",
            ".orchestrator/policy",
            ".orchestrator/metrics",
            ".claude/filescopes",
            ".claude/filescopes/wave-2",
        ] {
            let reason = why(dir).unwrap_or_default();
            assert!(
                reason.starts_with(&format!("`{dir}` "))
                    || reason.starts_with(&format!("`{dir}/` ")),
                "{dir}: {reason:?}"
            );
        }
        assert!(why(".claude").is_some_and(|r| r.contains("holds `.claude/settings.json`")));
        assert!(
            why(".orchestrator/policy")
                .is_some_and(|r| r.starts_with("`.orchestrator/policy/` configures or records"))
        );
        // Controls: siblings, files inside that are not protected, the project root.
        for free in [
            ".claudex",
            ".orchestrator-old",
            ".orchestrator/policyx",
            ".claude/agents",
            ".claude/agents/x.md",
            "src",
            "",
        ] {
            assert_eq!(why(free), None, "{free}");
        }
    }
}
