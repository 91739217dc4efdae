//! The scope-enforcer hook: builds the scope [`Request`] of a tool call from any client's
//! payload and renders the verdict.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;
use so_guard::{Guard, GuardContext, Policy};
use so_protocol::{Client, EventKind, HookInput, Outcome};
use so_scope::{Decision, Enforcement, PathStyle, Request, ScopeContext, StateDir, Write};

/// Judges the files a tool call writes and the commands it runs against the wave scope
/// and the guards' self-protection.
pub fn scope_enforcer(input: &HookInput) -> Outcome {
    let before = matches!(
        input.event,
        EventKind::PreToolUse | EventKind::BeforeShellExecution
    );
    let after = matches!(input.event, EventKind::AfterFileEdit);
    if !before && !after {
        return Outcome::Allow;
    }
    let cwd = input
        .cwd
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    // One canonicalisation and one walk up to the project root, shared by the shell
    // analysis and the scope check (each costs syscalls on every hook call).
    let guard_cx = GuardContext::for_cwd(&cwd);
    let cx = ScopeContext {
        project_root: guard_cx.project_root.clone(),
        state: match input.client {
            Client::Claude => StateDir::Claude,
            Client::Codex => StateDir::Codex,
            Client::Cursor => StateDir::Cursor,
        },
        subagent: input.is_subagent(),
        session_id: input.session_id.clone(),
        style: PathStyle::native(),
        tmpdir: std::env::var_os(so_guard::env_vars::TMPDIR).map(PathBuf::from),
        config_protection: Enforcement::Warn,
    };
    let mut cx = cx;
    let mut notices = Vec::new();
    let mut request = request_for(input, &guard_cx);
    request.after_the_fact = after;
    if request.writes.is_empty() && request.invocations.is_empty() {
        return Outcome::Allow;
    }
    // The Session Config is read only when a watched configuration file is rewritten:
    // most writes never need it, and every hook call pays for what it reads.
    let edits_config = request.writes.iter().any(|w| {
        w.new_text.is_some()
            && w.path.as_deref().is_some_and(|p| {
                so_scope::weakening::watched(p.rsplit(['/', '\\']).next().unwrap_or(p))
            })
    });
    cx.config_protection = if edits_config {
        config_protection(&cx.project_root, &mut notices)
    } else {
        Enforcement::Off
    };
    let mut verdict = so_scope::check(&request, &cx, SystemTime::now());
    if !notices.is_empty() {
        if verdict.decision == Decision::Allow {
            verdict.decision = Decision::Warn;
        }
        verdict.reasons.extend(notices);
    }
    let text = format!("session-orchestrator scope-enforcer: {}", verdict.text());
    if verdict.decision != Decision::Allow {
        let what = input.shell_command().map_or_else(
            || {
                request
                    .writes
                    .iter()
                    .map(|w| w.spelled.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            str::to_owned,
        );
        let decision = match verdict.decision {
            Decision::Deny => "deny",
            Decision::Ask => "ask",
            Decision::Warn | Decision::Allow => "warn",
        };
        crate::record(
            "scope-enforcer",
            &cx.project_root,
            "scope:violation",
            decision,
            &what,
        );
    }
    match verdict.decision {
        Decision::Allow => Outcome::Allow,
        Decision::Warn => Outcome::Warn { message: text },
        Decision::Ask => Outcome::Ask { reason: text },
        Decision::Deny => Outcome::Deny {
            user_message: verdict
                .reasons
                .first()
                .map(|r| format!("scope-enforcer: {r}")),
            reason: text,
        },
    }
}

/// What a tool call writes and runs, whatever the client calls its tools.
pub fn request_for(input: &HookInput, cx: &GuardContext) -> Request {
    let cwd = cx.cwd.as_path();
    let mut request = Request::default();
    if let Some(command) = input.shell_command() {
        let analysis = Guard::new(Policy::analysis_only()).check(command, cx);
        for w in analysis.writes {
            request.writes.push(Write {
                path: w.path.map(|p| p.to_string_lossy().into_owned()),
                spelled: w.spelled,
                via: w.via,
                new_text: None,
                added_text: None,
            });
        }
        request.invocations = analysis.invocations;
        return request;
    }
    let tool = input.tool_name.as_deref().unwrap_or_default();
    let ti = &input.tool_input;
    let text = |k: &str| ti.get(k).and_then(Value::as_str).map(str::to_owned);
    match tool {
        "Write" => push(
            &mut request,
            text("file_path").or_else(|| text("path")),
            "Write",
            text("content"),
            text("content"),
        ),
        "Edit" => {
            let path = text("file_path");
            let edits = vec![(
                text("old_string").unwrap_or_default(),
                text("new_string").unwrap_or_default(),
                ti.get("replace_all")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )];
            let new_text = path.as_deref().and_then(|p| apply_edits(p, &edits));
            push(&mut request, path, "Edit", new_text, text("new_string"));
        }
        "MultiEdit" => multi_edit_writes(&mut request, ti),
        "NotebookEdit" => push(
            &mut request,
            text("notebook_path"),
            "NotebookEdit",
            None,
            text("new_source"),
        ),
        "apply_patch" => {
            let patch = text("command")
                .or_else(|| text("input"))
                .or_else(|| text("patch"))
                .unwrap_or_default();
            patch_writes(&mut request, &patch, cwd);
        }
        // Cursor: file-edit events and its own tool names.
        "Delete" | "StrReplace" | "MultiEdit_cursor" => push(
            &mut request,
            text("file_path").or_else(|| text("path")),
            tool,
            None,
            None,
        ),
        _ if input.event == EventKind::AfterFileEdit => {
            let path = input
                .raw
                .get("file_path")
                .and_then(Value::as_str)
                .map(str::to_owned);
            push(&mut request, path, "file edit", None, None);
        }
        _ => {}
    }
    request
}

fn push(
    request: &mut Request,
    path: Option<String>,
    via: &str,
    new_text: Option<String>,
    added_text: Option<String>,
) {
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        request.writes.push(Write {
            path: None,
            spelled: "<no file path in the tool input>".to_owned(),
            via: via.to_owned(),
            new_text: None,
            added_text: None,
        });
        return;
    };
    request.writes.push(Write {
        spelled: path.clone(),
        path: Some(path),
        via: via.to_owned(),
        new_text,
        added_text,
    });
}

/// The file's text after the edits, when the file exists and every edit applies.
fn apply_edits(path: &str, edits: &[(String, String, bool)]) -> Option<String> {
    let mut text = std::fs::read_to_string(path).ok()?;
    for (old, new, all) in edits {
        if old.is_empty() || !text.contains(old.as_str()) {
            return None;
        }
        text = if *all {
            text.replace(old.as_str(), new)
        } else {
            text.replacen(old.as_str(), new, 1)
        };
    }
    Some(text)
}

/// The files a Codex `apply_patch` touches, resolved against the session's directory.
fn patch_writes(request: &mut Request, patch: &str, cwd: &Path) {
    let added: String = patch
        .lines()
        .filter_map(|l| l.strip_prefix('+'))
        .collect::<Vec<_>>()
        .join("\n");
    let files = so_guard::patch::patch_files(patch);
    if files.is_empty() && !patch.trim().is_empty() {
        request.writes.push(Write {
            path: None,
            spelled: "<files named in an unreadable patch>".to_owned(),
            via: "apply_patch".to_owned(),
            new_text: None,
            added_text: Some(added.clone()),
        });
    }
    for f in files {
        let abs = if Path::new(&f.path).is_absolute() {
            f.path.clone()
        } else {
            cwd.join(&f.path).to_string_lossy().into_owned()
        };
        push(
            request,
            Some(abs),
            &format!("apply_patch {}", f.op),
            None,
            Some(added.clone()),
        );
    }
}

/// The file a `MultiEdit` rewrites, with its text after every edit when that is known.
fn multi_edit_writes(request: &mut Request, ti: &Value) {
    let path = ti
        .get("file_path")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let edits: Vec<(String, String, bool)> = ti
        .get("edits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let s = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            (
                s("old_string"),
                s("new_string"),
                e.get("replace_all")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
        })
        .collect();
    let added = edits
        .iter()
        .map(|e| e.1.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let new_text = path.as_deref().and_then(|p| apply_edits(p, &edits));
    push(request, path, "MultiEdit", new_text, Some(added));
}

/// The Session Config's `config-protection` setting: `allow-config-weakening: true` or
/// `config-protection.enabled: false` switch it off, `config-protection.mode` sets warn or
/// strict (default warn). A bad value keeps the default and becomes a notice.
fn config_protection(project_root: &Path, notices: &mut Vec<String>) -> Enforcement {
    let Ok(Some(config)) = so_config::SessionConfig::at_root(project_root) else {
        return Enforcement::Warn;
    };
    let mut note =
        |e: so_config::ConfigError| notices.push(format!("{e}; config protection stays on"));
    match config.get_bool("allow-config-weakening") {
        Ok(Some(true)) => return Enforcement::Off,
        Ok(_) => {}
        Err(e) => note(e),
    }
    match config.get_bool("config-protection.enabled") {
        Ok(Some(false)) => return Enforcement::Off,
        Ok(_) => {}
        Err(e) => note(e),
    }
    match config.get_enum("config-protection.mode", &["warn", "strict", "off"]) {
        Ok(Some("strict")) => Enforcement::Strict,
        Ok(Some("off")) => Enforcement::Off,
        Ok(_) => Enforcement::Warn,
        Err(e) => {
            note(e);
            Enforcement::Warn
        }
    }
}
