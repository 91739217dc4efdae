//! Driving the real `codex` CLI headlessly against a fake model, with this repository's
//! plugin installed from its marketplace.
//!
//! The recipe (docs in `shared/reference/e2e-real-clients.md` §3): a fresh `CODEX_HOME`
//! whose `config.toml` points a custom provider at the fake Responses server, sandbox off and
//! approvals never (so only a hook can stop a command), `codex exec --json --ephemeral` with
//! stdin closed. Codex **silently skips hooks that are not trusted**, so the install is
//! followed by the trust step the TUI's `/hooks` performs, done over `codex app-server`
//! JSON-RPC: list the hooks, then write each one's current hash to `hooks.state`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::clients::Clients;
use crate::model::FakeModel;
use crate::process::{self, Output};
use crate::sandbox::Sandbox;

/// Upper bound for one `codex` command (about 0.5-2 s normally).
pub const RUN_LIMIT: Duration = Duration::from_mins(2);

/// Upper bound for one JSON-RPC answer from `codex app-server`.
const RPC_LIMIT: Duration = Duration::from_mins(1);

/// The plugin and marketplace names (both `session-orchestrator`).
pub const PLUGIN_ID: &str = "session-orchestrator@session-orchestrator";

/// A `CODEX_HOME` inside a sandbox, configured for the fake model.
pub struct Codex<'a> {
    clients: &'a Clients,
    sandbox: &'a Sandbox,
    /// The `CODEX_HOME` folder.
    pub home: PathBuf,
}

impl<'a> Codex<'a> {
    /// Writes `CODEX_HOME/config.toml` for `model` (sandbox off, approvals never, no retries).
    pub fn new(
        clients: &'a Clients,
        sandbox: &'a Sandbox,
        model: &FakeModel,
    ) -> Result<Self, String> {
        let home = sandbox.home.join(".codex");
        std::fs::create_dir_all(&home).map_err(|e| format!("create {}: {e}", home.display()))?;
        let config = format!(
            r#"model = "fake-model"
model_provider = "fake"
approval_policy = "never"
sandbox_mode = "danger-full-access"

[model_providers.fake]
name = "fake"
base_url = "{}/v1"
env_key = "SO_E2E_FAKE_OPENAI_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
"#,
            model.url()
        );
        crate::sandbox::write(&home.join("config.toml"), &config)?;
        Ok(Self {
            clients,
            sandbox,
            home,
        })
    }

    /// A `codex` command with the clean environment of this `CODEX_HOME`.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.clients.codex);
        command
            .env_clear()
            .env("PATH", self.clients.path_env())
            .env("HOME", &self.sandbox.home)
            .env("TMPDIR", &self.sandbox.tmp)
            .env("SHELL", Clients::shell())
            .env("TERM", "dumb")
            .env("LANG", "C.UTF-8")
            .env("CODEX_HOME", &self.home)
            .env("SO_E2E_FAKE_OPENAI_KEY", "so-e2e-dummy-key")
            .current_dir(&self.sandbox.proj);
        command
    }

    /// Runs `codex ARGS` and fails with its output unless it exits 0.
    fn checked(&self, args: &[&str]) -> Result<Output, String> {
        let out = process::run(self.command().args(args), RUN_LIMIT)
            .map_err(|e| format!("cannot start codex: {e}"))?;
        if out.success() {
            Ok(out)
        } else {
            Err(format!(
                "codex {} failed:\n{}",
                args.join(" "),
                out.describe()
            ))
        }
    }

    /// `codex plugin marketplace add DIR` then `codex plugin add session-orchestrator@...`.
    pub fn install_plugin(&self, marketplace: &Path) -> Result<(), String> {
        let dir = marketplace.to_string_lossy();
        self.checked(&["plugin", "marketplace", "add", &dir])?;
        self.checked(&["plugin", "add", PLUGIN_ID])?;
        Ok(())
    }

    /// Trusts every hook Codex lists for the project, as `/hooks` in the TUI does, and
    /// returns the keys it trusted. Fails when a hook stays untrusted afterwards.
    pub fn trust_hooks(&self) -> Result<Vec<String>, String> {
        let mut server = AppServer::start(self.command().arg("app-server"))?;
        server.call(
            "initialize",
            &json!({"clientInfo": {"name": "so-e2e", "title": "so-e2e", "version": "0.1.0"}}),
        )?;
        server.notify("initialized")?;
        let proj = self.sandbox.proj.to_string_lossy().into_owned();
        let hooks = |server: &mut AppServer| -> Result<Vec<Value>, String> {
            let listed = server.call("hooks/list", &json!({"cwds": [proj]}))?;
            Ok(listed["data"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|d| d["hooks"].as_array().cloned().unwrap_or_default())
                .collect())
        };
        let listed = hooks(&mut server)?;
        if listed.is_empty() {
            return Err(
                "codex lists no hooks for the project: the plugin's hooks were not loaded"
                    .to_owned(),
            );
        }
        let mut state = serde_json::Map::new();
        let mut keys = Vec::new();
        for hook in &listed {
            let (Some(key), Some(hash)) = (hook["key"].as_str(), hook["currentHash"].as_str())
            else {
                return Err(format!("hook without key or hash: {hook}"));
            };
            state.insert(key.to_owned(), json!({"trusted_hash": hash}));
            keys.push(key.to_owned());
        }
        server.call(
            "config/batchWrite",
            &json!({"edits": [{"keyPath": "hooks.state", "value": state, "mergeStrategy": "upsert"}]}),
        )?;
        let untrusted: Vec<String> = hooks(&mut server)?
            .iter()
            .filter(|h| h["trustStatus"] != "trusted" && h["trustStatus"] != "managed")
            .map(|h| format!("{} ({})", h["key"], h["trustStatus"]))
            .collect();
        server.finish();
        if untrusted.is_empty() {
            Ok(keys)
        } else {
            Err(format!(
                "hooks still untrusted after the trust step: {untrusted:?}"
            ))
        }
    }

    /// The skills Codex offers in the project (`skills/list` over `codex app-server`): each
    /// skill's name as Codex shows it (`plugin:skill` for a plugin's skills) and its file.
    pub fn list_skills(&self) -> Result<Vec<(String, PathBuf)>, String> {
        let mut server = AppServer::start(self.command().arg("app-server"))?;
        server.call(
            "initialize",
            &json!({"clientInfo": {"name": "so-e2e", "title": "so-e2e", "version": "0.1.0"}}),
        )?;
        server.notify("initialized")?;
        let proj = self.sandbox.proj.to_string_lossy().into_owned();
        let listed = server.call("skills/list", &json!({"cwds": [proj]}))?;
        server.finish();
        Ok(listed["data"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|d| d["skills"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| {
                Some((
                    s["name"].as_str()?.to_owned(),
                    PathBuf::from(s["path"].as_str()?),
                ))
            })
            .collect())
    }

    /// `codex exec --json --skip-git-repo-check --ephemeral -C PROJ "do it"` (stdin closed).
    pub fn exec(&self) -> Result<Output, String> {
        self.exec_args(&[])
    }

    /// [`Codex::exec`] as the model `slug` (`-m SLUG`). Codex picks the tools it offers by
    /// the slug: with `fake-model` there is no `apply_patch`, with a known one such as
    /// `gpt-5.5` there is (a freeform custom tool).
    pub fn exec_as(&self, slug: &str) -> Result<Output, String> {
        self.exec_args(&["-m", slug])
    }

    fn exec_args(&self, extra: &[&str]) -> Result<Output, String> {
        let proj = self.sandbox.proj.to_string_lossy().into_owned();
        let mut args = vec!["exec", "--json", "--skip-git-repo-check", "--ephemeral"];
        args.extend_from_slice(extra);
        args.extend(["-C", &proj, "do it"]);
        self.checked(&args)
    }
}

/// A `codex app-server` child spoken to in JSON-RPC lines over stdio.
struct AppServer {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl AppServer {
    fn start(command: &mut Command) -> Result<Self, String> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start codex app-server: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| "codex app-server has no stdout".to_owned())?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            child,
            stdin,
            lines,
            next_id: 1,
        })
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| "codex app-server stdin is closed".to_owned())?;
        writeln!(stdin, "{message}")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("write to codex app-server: {e}"))
    }

    fn notify(&mut self, method: &str) -> Result<(), String> {
        self.send(&json!({"method": method}))
    }

    /// Sends a request and waits for its answer (notifications in between are skipped).
    fn call(&mut self, method: &str, params: &Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + RPC_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .map_err(|_| format!("no answer from codex app-server to {method}"))?;
            let Ok(message) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if message["id"] != id {
                continue;
            }
            if let Some(error) = message.get("error") {
                return Err(format!("codex app-server {method}: {error}"));
            }
            return Ok(message["result"].clone());
        }
    }

    /// Closes stdin and waits a little for the server to go, then kills it.
    fn finish(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for AppServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
