//! Running `session-orchestrator autopilot --headless` (the release CLI) against the real
//! Claude Code and a fake model: the environment of [`crate::claude::run`], a `claude`
//! wrapper that loads this repository as the plugin (`SO_CLAUDE_BIN`), a handle to signal
//! the running autopilot, and readers for what it leaves behind.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::clients::{self, Clients};
use crate::model::FakeModel;
use crate::process::Output;
use crate::repo;
use crate::sandbox::Sandbox;

/// Everything an autopilot run needs.
#[derive(Debug)]
pub struct Harness {
    /// The pinned clients.
    pub clients: Clients,
    /// The run folder; the autopilot works in `sandbox.proj`.
    pub sandbox: Sandbox,
    /// `target/release/session-orchestrator`.
    pub cli: PathBuf,
    /// The `claude` wrapper given as `SO_CLAUDE_BIN`.
    pub claude: PathBuf,
}

impl Harness {
    /// Finds the clients, builds the hooks and the CLI (release), makes a run folder and
    /// the wrapper `<run>/bin/claude`: `exec claude --plugin-dir <repo> "$@"` (a plugin
    /// installed in the user's Claude Code plays that part outside tests).
    pub fn new(label: &str) -> Result<Self, String> {
        let clients = clients::find()?;
        repo::built_guard()?;
        let cli = repo::built_cli()?;
        let sandbox = Sandbox::new(label)?;
        let bin = sandbox.dir.join("bin");
        std::fs::create_dir_all(&bin).map_err(|e| format!("create {}: {e}", bin.display()))?;
        let claude = bin.join("claude");
        let script = format!(
            "#!/bin/sh\nexec {} --plugin-dir {} \"$@\"\n",
            sh_quote(&clients.claude.to_string_lossy()),
            sh_quote(&repo::root().to_string_lossy())
        );
        std::fs::write(&claude, script).map_err(|e| format!("write {}: {e}", claude.display()))?;
        std::fs::set_permissions(&claude, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("chmod {}: {e}", claude.display()))?;
        Ok(Self {
            clients,
            sandbox,
            cli,
            claude,
        })
    }

    /// `session-orchestrator autopilot ARGS` in `proj`, in the clean environment of
    /// [`crate::claude::run`] (fresh `HOME`, the fake model, no outside traffic) plus
    /// `SO_CLAUDE_BIN` and `extra_env`.
    pub fn command(&self, model: &FakeModel, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(&self.cli);
        command
            .env_clear()
            .env("PATH", self.clients.path_env())
            .env("HOME", &self.sandbox.home)
            .env("TMPDIR", &self.sandbox.tmp)
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
            .env("SO_CLAUDE_BIN", &self.claude)
            .current_dir(&self.sandbox.proj)
            .arg("autopilot")
            .args(args);
        for (k, v) in extra_env {
            command.env(k, v);
        }
        command
    }

    /// The records of `proj/.orchestrator/metrics/autopilot.jsonl`.
    pub fn autopilot_records(&self) -> Vec<Value> {
        jsonl(
            &self
                .sandbox
                .proj
                .join(".orchestrator/metrics/autopilot.jsonl"),
        )
    }

    /// The `orchestrator.session.reported` records of `proj/.orchestrator/metrics/sessions.jsonl`.
    pub fn session_reports(&self) -> Vec<Value> {
        jsonl(
            &self
                .sandbox
                .proj
                .join(".orchestrator/metrics/sessions.jsonl"),
        )
        .into_iter()
        .filter(|r| r["event"] == "orchestrator.session.reported")
        .collect()
    }

    /// A Bash command that records a session report as `/close` does:
    /// `session-orchestrator session record -` with a JSON report on stdin, the session id
    /// from `$CLAUDE_CODE_SESSION_ID`.
    pub fn record_command(&self, summary: [u64; 4], planned: u64, carryover: u64) -> String {
        let [complete, partial, failed, spiral] = summary;
        let agents = complete + partial + failed;
        format!(
            "{cli} session record - <<EOF\n\
             {{\"session_id\": \"${{CLAUDE_CODE_SESSION_ID:-so-e2e-session}}\", \"session_type\": \"feature\",\n \
             \"started_at\": \"2026-01-01T09:00:00Z\", \"completed_at\": \"2026-01-01T10:00:00Z\",\n \
             \"total_waves\": 1, \"waves\": [{{\"wave\": 1, \"role\": \"Impl-Core\", \"agents\": {agents}, \"status\": \"done\"}}],\n \
             \"agent_summary\": {{\"complete\": {complete}, \"partial\": {partial}, \"failed\": {failed}, \"spiral\": {spiral}}},\n \
             \"total_agents\": {agents}, \"total_files_changed\": 0,\n \
             \"issues_planned\": {planned}, \"issues_closed\": {closed}, \"carryover\": {carryover},\n \
             \"notes\": \"so-e2e autopilot\"}}\n\
             EOF",
            cli = sh_quote(&self.cli.to_string_lossy()),
            closed = planned.saturating_sub(carryover),
        )
    }
}

/// A started process with its output being collected.
pub struct Running {
    child: Child,
    start: Instant,
    description: String,
    stdout: mpsc::Receiver<Vec<u8>>,
    stderr: mpsc::Receiver<Vec<u8>>,
}

impl Running {
    /// Starts `command` in a process group of its own, stdin from `/dev/null`.
    pub fn spawn(command: &mut Command) -> Result<Self, String> {
        use std::os::unix::process::CommandExt;
        let description = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {description}: {e}"))?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        Ok(Self {
            child,
            start: Instant::now(),
            description,
            stdout,
            stderr,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `SIG<name>` to the process alone (not its group).
    pub fn signal(&self, name: &str) -> Result<(), String> {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .map_err(|e| format!("kill: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -{name} {} failed: {status}", self.pid()))
        }
    }

    /// Waits for the end (killing the process group after `limit`) and collects its output.
    pub fn wait(mut self, limit: Duration) -> Output {
        let deadline = self.start + limit;
        let status: Option<ExitStatus> = loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                break Some(s);
            }
            if Instant::now() >= deadline {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", self.pid())])
                    .status();
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = self.start.elapsed();
        let text = |rx: &mpsc::Receiver<Vec<u8>>| {
            rx.recv_timeout(Duration::from_secs(10)).map_or_else(
                |_| "(output not closed)".to_owned(),
                |b| String::from_utf8_lossy(&b).into_owned(),
            )
        };
        Output {
            command: self.description.clone(),
            status,
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
            elapsed,
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = tx.send(bytes);
    });
    rx
}

/// Runs `command` to its end (at most `limit`).
pub fn run(command: &mut Command, limit: Duration) -> Result<Output, String> {
    Ok(Running::spawn(command)?.wait(limit))
}

/// Processes whose working directory is `dir` or below it, as `(pid, command line)`, from
/// `/proc` (empty where there is no `/proc`). A session's processes — Claude Code, its hooks,
/// its tools — all work in the project folder, so after a run none may be left there.
pub fn processes_in(dir: &Path) -> Vec<(u32, String)> {
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) else {
            continue;
        };
        if cwd.starts_with(&dir) {
            let cmdline = std::fs::read(entry.path().join("cmdline"))
                .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                .unwrap_or_default();
            out.push((pid, cmdline.trim().to_owned()));
        }
    }
    out
}

/// Polls `check` every 50 ms until it is true or `limit` passes; whether it became true.
pub fn wait_for(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// Every line of a JSONL file parsed (unparsable lines as `Null`); none when it is missing.
pub fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
        .collect()
}

/// `text` as one POSIX shell word.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
