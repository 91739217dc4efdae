//! `session-orchestrator mode`: the recommended session mode for the project, from its
//! recorded state (rules in `so_autopilot::mode`, documented in docs/autopilot.md). STATE.md
//! is the detected client's (`.claude/` unless the environment says Codex or Cursor), as for
//! `session-orchestrator state`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: session-orchestrator mode [--json] [--project DIR]";

pub fn run(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut project: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--project" => match it.next() {
                Some(dir) if !dir.is_empty() && project.is_none() => {
                    project = Some(PathBuf::from(dir));
                }
                Some(_) if project.is_some() => {
                    eprintln!("error: `--project` is given twice\n{USAGE}");
                    return ExitCode::from(64);
                }
                _ => {
                    eprintln!("error: `--project` needs a directory\n{USAGE}");
                    return ExitCode::from(64);
                }
            },
            "--help" | "-h" => {
                crate::emit(&format!("{USAGE}\n"));
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument `{other}` for `mode`\n{USAGE}");
                return ExitCode::from(64);
            }
        }
    }
    let root = match project_root(project.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // STATE.md of the detected client, the one `session-orchestrator state show` reads.
    let state_dir = crate::state_cmd::pick_client(None).state.dir();
    let (signals, rec, problems) = so_autopilot::signals::evaluate(&root, state_dir);
    for p in &problems {
        eprintln!("warning: {p}");
    }
    if json {
        let doc = rec.to_json(&signals);
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    } else {
        crate::emit(&format!(
            "{} (confidence {:.2})\n{}\n",
            rec.mode, rec.confidence, rec.rationale
        ));
    }
    ExitCode::SUCCESS
}

/// The project root: `DIR` itself (which must be a directory), else the root found from
/// the current directory.
pub(crate) fn project_root(dir: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(dir) = dir {
        let root = std::fs::canonicalize(dir)
            .map_err(|e| format!("cannot use `{}` as the project: {e}", dir.display()))?;
        if !root.is_dir() {
            return Err(format!(
                "cannot use `{}` as the project: not a directory",
                dir.display()
            ));
        }
        return Ok(root);
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    Ok(so_config::find_project_root(&cwd))
}
