//! Driving the real `claude` CLI headlessly against a fake model.
//!
//! The recipe (docs in `shared/reference/e2e-real-clients.md` §2): a clean environment with
//! a fresh `HOME`, the fake server as `ANTHROPIC_BASE_URL`, the four switches that stop all
//! other traffic, `-p` with stream-json output, **no `--bare`** (it skips plugin hooks), and
//! `--permission-mode bypassPermissions` (with `IS_SANDBOX=1`, required as root) so that
//! nothing but a hook can stop a command: the allow controls prove that.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::clients::Clients;
use crate::model::FakeModel;
use crate::process::{self, Output};
use crate::sandbox::Sandbox;

/// Upper bound for one `claude -p` run (about 1-2 s normally).
pub const RUN_LIMIT: Duration = Duration::from_mins(2);

/// A finished `claude -p` run.
#[derive(Debug)]
pub struct ClaudeRun {
    /// The process result.
    pub output: Output,
    /// Each stdout line parsed as JSON (stream-json); unparsable lines are skipped.
    pub events: Vec<Value>,
}

impl ClaudeRun {
    /// The final `{"type":"result",...}` event.
    pub fn result(&self) -> Option<&Value> {
        self.events.iter().rev().find(|e| e["type"] == "result")
    }

    /// The tool calls Claude Code reports as denied (`permission_denials` of the result).
    pub fn permission_denials(&self) -> Vec<Value> {
        self.result()
            .and_then(|r| r["permission_denials"].as_array())
            .cloned()
            .unwrap_or_default()
    }

    /// The plugins the session loaded (from the `init` event): `(name, source)`.
    pub fn plugins(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .find(|e| e["type"] == "system" && e["subtype"] == "init")
            .and_then(|e| e["plugins"].as_array())
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_owned(),
                    p["source"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

/// Runs `claude -p "do it"` in `sandbox.proj` against `model`, with the plugin folder
/// `plugin_dir` loaded through `--plugin-dir` (or no plugin at all).
pub fn run(
    clients: &Clients,
    sandbox: &Sandbox,
    model: &FakeModel,
    plugin_dir: Option<&Path>,
) -> Result<ClaudeRun, String> {
    let mut command = Command::new(&clients.claude);
    command
        .env_clear()
        .env("PATH", clients.path_env())
        .env("HOME", &sandbox.home)
        .env("TMPDIR", &sandbox.tmp)
        .env("SHELL", Clients::shell())
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .env("ANTHROPIC_BASE_URL", model.url())
        .env("ANTHROPIC_API_KEY", "so-e2e-dummy-key")
        .env("IS_SANDBOX", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .current_dir(&sandbox.proj)
        .args([
            "-p",
            "do it",
            "--output-format",
            "stream-json",
            "--verbose",
            "--permission-mode",
            "bypassPermissions",
        ]);
    if let Some(dir) = plugin_dir {
        command.arg("--plugin-dir").arg(dir);
    }
    let output = process::run(&mut command, RUN_LIMIT)
        .map_err(|e| format!("cannot start {}: {e}", clients.claude.display()))?;
    let events = output
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let run = ClaudeRun { output, events };
    if !run.output.success() {
        return Err(format!(
            "claude -p did not finish cleanly:\n{}\nfake model: {}",
            run.output.describe(),
            model.summary()
        ));
    }
    Ok(run)
}

/// `claude plugin validate --strict DIR`, in a clean environment with a fresh `HOME`.
pub fn validate_plugin(clients: &Clients, sandbox: &Sandbox, dir: &Path) -> Result<Output, String> {
    process::run(
        Command::new(&clients.claude)
            .env_clear()
            .env("PATH", clients.path_env())
            .env("HOME", &sandbox.home)
            .env("TERM", "dumb")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_TELEMETRY", "1")
            .env("DISABLE_ERROR_REPORTING", "1")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .current_dir(&sandbox.proj)
            .args(["plugin", "validate", "--strict"])
            .arg(dir),
        RUN_LIMIT,
    )
    .map_err(|e| format!("cannot start {}: {e}", clients.claude.display()))
}
