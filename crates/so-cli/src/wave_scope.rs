//! `session-orchestrator wave-scope write|show|clear` (the only way the wave manifest is
//! written and removed) and `session-orchestrator check-path` (the enforcer's verdict on one
//! path, explained).
//!
//! The manifest lives at `<project>/<state-dir>/wave-scope.json`, the state directory being
//! the client's (`.claude/`, `.codex/`, `.cursor/`): from `--client`, else detected from the
//! environment. Writes and removals happen under an exclusive lock on `wave-scope.lock` next
//! to it; a write goes to a temporary file in the same directory, is synced, and renamed over
//! the manifest, so a reader sees the old manifest or the new one, never half of one.
//!
//! Exit codes of `wave-scope`: 0 done, 1 invalid input (arguments or validation), 2 I/O error.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use serde_json::{Value, json};
use so_scope::manifest;
use so_scope::validate;
use so_scope::{
    AllowedPaths, Decision, Enforcement, Lookup, PathStyle, Request, ScopeContext, StateDir,
    WaveScope, Write,
};

/// The lock file next to the manifest, held while the manifest is replaced or removed.
pub(crate) const LOCK_FILE: &str = "wave-scope.lock";

/// Environment variable Claude Code sets to the session's id.
const SESSION_ENV: &str = "CLAUDE_CODE_SESSION_ID";

/// Why a command failed: its exit code is 1 for invalid input, 2 for I/O.
pub(crate) enum Failure {
    /// Bad arguments or content that fails validation: every message, one per line.
    Invalid(Vec<String>),
    /// A file or directory could not be read or written.
    Io(String),
}

impl Failure {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(vec![message.into()])
    }

    /// Prints the messages (`error: ...`) and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Self::Invalid(messages) => {
                eprint!("{}", lines("error", &messages));
                ExitCode::from(1)
            }
            Self::Io(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        }
    }
}

/// `prefix: message` lines.
pub(crate) fn lines(prefix: &str, messages: &[String]) -> String {
    messages.iter().fold(String::new(), |mut out, m| {
        let _ = writeln!(out, "{prefix}: {m}");
        out
    })
}

/// The arguments of a command, read left to right.
pub(crate) struct Cursor<'a> {
    args: &'a [String],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(args: &'a [String]) -> Self {
        Self { args, at: 0 }
    }

    /// The next argument.
    pub(crate) fn next_arg(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.at)?;
        self.at += 1;
        Some(a)
    }

    /// The next argument if it is not a flag (`--...`).
    pub(crate) fn next_operand(&mut self) -> Option<&'a str> {
        let a = self.args.get(self.at).filter(|a| !a.starts_with("--"))?;
        self.at += 1;
        Some(a)
    }

    /// The value of `flag`: present, not empty, not another flag. An empty value is refused
    /// rather than skipped: `--union "$SIDECAR"` with an unset variable must not pass.
    pub(crate) fn value(&mut self, flag: &str, what: &str) -> Result<&'a str, Failure> {
        match self.args.get(self.at) {
            None => Err(Failure::invalid(format!("`{flag}` needs {what}"))),
            Some(v) if v.trim().is_empty() => Err(Failure::invalid(format!(
                "`{flag}` was given an empty value: give {what} (an empty value is refused, never skipped)"
            ))),
            Some(v) if v.starts_with("--") => Err(Failure::invalid(format!(
                "`{flag}` needs {what}, got the flag `{v}`"
            ))),
            Some(v) => {
                self.at += 1;
                Ok(v)
            }
        }
    }
}

/// Sets an option given at most once.
pub(crate) fn once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(Failure::invalid(format!("`{flag}` is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// Reads a file, or stdin for `-`; returns the text and the name to show in messages.
pub(crate) fn read_input(spec: &str) -> Result<(String, String), Failure> {
    if spec == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Io(format!("cannot read stdin: {e}")))?;
        return Ok((text, "stdin".to_owned()));
    }
    let text =
        fs::read_to_string(spec).map_err(|e| Failure::Io(format!("cannot read `{spec}`: {e}")))?;
    Ok((text, format!("`{spec}`")))
}

/// Parses JSON input; `name` is how [`read_input`] named it.
pub(crate) fn parse_json(text: &str, name: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Err(format!("{name} is empty: expected JSON"));
    }
    serde_json::from_str(text).map_err(|e| format!("{name} is not valid JSON: {e}"))
}

/// The client's name as `--client` spells it.
pub(crate) fn client_name(state: StateDir) -> &'static str {
    match state {
        StateDir::Claude => "claude",
        StateDir::Codex => "codex",
        StateDir::Cursor => "cursor",
    }
}

fn parse_client(v: &str) -> Result<StateDir, Failure> {
    StateDir::from_client(v).ok_or_else(|| {
        Failure::invalid(format!("unknown client `{v}`: use claude, codex or cursor"))
    })
}

/// The client whose state directory is used, and how it was chosen.
pub(crate) struct Client {
    /// Its state directory.
    pub(crate) state: StateDir,
    /// `--client`, `detected from VAR`, or the default.
    pub(crate) source: String,
}

/// Which client runs this command, from its environment: `CLAUDECODE=1` → Claude Code;
/// `CODEX_HOME`, `CODEX_MANAGED_BY_NPM` or any other `CODEX_*` → Codex; `CURSOR_VERSION` or
/// `CURSOR_PROJECT_DIR` → Cursor; else Claude Code. Empty variables do not count.
pub(crate) fn detect_client(env: &[(String, String)]) -> Client {
    let set = |k: &str| env.iter().any(|(n, v)| n == k && !v.is_empty());
    let found = |state, var: &str| Client {
        state,
        source: format!("detected from {var}"),
    };
    if env.iter().any(|(n, v)| n == "CLAUDECODE" && v == "1") {
        return found(StateDir::Claude, "CLAUDECODE=1");
    }
    for var in ["CODEX_HOME", "CODEX_MANAGED_BY_NPM"] {
        if set(var) {
            return found(StateDir::Codex, var);
        }
    }
    if let Some(var) = env
        .iter()
        .filter(|(n, v)| n.starts_with("CODEX_") && !v.is_empty())
        .map(|(n, _)| n)
        .min()
    {
        return found(StateDir::Codex, var);
    }
    for var in ["CURSOR_VERSION", "CURSOR_PROJECT_DIR"] {
        if set(var) {
            return found(StateDir::Cursor, var);
        }
    }
    Client {
        state: StateDir::Claude,
        source: "default: no client detected in the environment".to_owned(),
    }
}

fn client(flag: Option<StateDir>) -> Client {
    if let Some(state) = flag {
        return Client {
            state,
            source: "--client".to_owned(),
        };
    }
    let env: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    detect_client(&env)
}

/// The project root: `--project DIR`, else the root found from the current directory.
pub(crate) fn project_root(flag: Option<&str>) -> Result<PathBuf, Failure> {
    if let Some(dir) = flag {
        let root = fs::canonicalize(dir)
            .map_err(|e| Failure::Io(format!("cannot use `{dir}` as the project: {e}")))?;
        if !root.is_dir() {
            return Err(Failure::Io(format!(
                "cannot use `{dir}` as the project: not a directory"
            )));
        }
        return Ok(root);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Io(format!("cannot read the current directory: {e}")))?;
    let cwd = fs::canonicalize(&cwd).unwrap_or(cwd);
    Ok(so_config::find_project_root(&cwd))
}

fn session_id(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_owned).or_else(|| {
        std::env::var(SESSION_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty())
    })
}

fn enforcement_name(e: Enforcement) -> &'static str {
    match e {
        Enforcement::Strict => "strict",
        Enforcement::Warn => "warn",
        Enforcement::Off => "off",
    }
}

fn unix_now(now: SystemTime) -> u64 {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `wave-scope write|show|clear`.
pub fn run(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("write") => write(&args[1..]),
        Some("show") => show(&args[1..]),
        Some("clear") => clear(&args[1..]),
        Some(other) => Err(Failure::invalid(format!(
            "unknown `wave-scope` command `{other}`: use write, show or clear"
        ))),
        None => Err(Failure::invalid(
            "`wave-scope` needs a command: write, show or clear",
        )),
    };
    result.unwrap_or_else(Failure::report)
}

/// Options every `wave-scope` command and `check-path` take.
#[derive(Default)]
struct Common<'a> {
    json: bool,
    client: Option<StateDir>,
    project: Option<&'a str>,
    session_id: Option<&'a str>,
}

impl<'a> Common<'a> {
    /// Handles `arg` if it is a common option.
    fn take(&mut self, arg: &str, c: &mut Cursor<'a>) -> Result<bool, Failure> {
        match arg {
            "--json" => self.json = true,
            "--client" => {
                let v = parse_client(c.value("--client", "claude, codex or cursor")?)?;
                once(&mut self.client, "--client", v)?;
            }
            "--project" => {
                let v = c.value("--project", "the project directory")?;
                once(&mut self.project, "--project", v)?;
            }
            "--session-id" => {
                let v = c.value("--session-id", "the session's id")?;
                once(&mut self.session_id, "--session-id", v)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Where the allowed paths of `write` come from.
enum Source<'a> {
    Files(&'a str),
    Agents(&'a str),
    Paths(Vec<String>),
}

struct WriteOptions<'a> {
    common: Common<'a>,
    wave: u32,
    role: String,
    enforcement: Enforcement,
    blocked: Vec<String>,
    source: Source<'a>,
}

fn parse_write(args: &[String]) -> Result<WriteOptions<'_>, Failure> {
    let mut common = Common::default();
    let (mut wave, mut role, mut enforcement) = (None, None, None);
    let mut blocked = Vec::new();
    let mut source: Option<Source> = None;
    let mut c = Cursor::new(args);
    let set_source = |slot: &mut Option<Source<'_>>, flag: &str| {
        if slot.is_some() {
            Err(Failure::invalid(format!(
                "`{flag}`: give the allowed paths once, with one of --files, --agents or --paths"
            )))
        } else {
            Ok(())
        }
    };
    while let Some(a) = c.next_arg() {
        if common.take(a, &mut c)? {
            continue;
        }
        match a {
            "--wave" => {
                let v = c.value("--wave", "the wave number")?;
                let n = v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    Failure::invalid(format!("`--wave` must be a positive integer, got `{v}`"))
                })?;
                once(&mut wave, "--wave", n)?;
            }
            "--role" => {
                let v = c.value("--role", "the wave's role (`Impl-Core`, `Discovery`, ...)")?;
                once(&mut role, "--role", v.to_owned())?;
            }
            "--enforcement" => {
                let v = match c.value("--enforcement", "strict, warn or off")? {
                    "strict" => Enforcement::Strict,
                    "warn" => Enforcement::Warn,
                    "off" => Enforcement::Off,
                    other => {
                        return Err(Failure::invalid(format!(
                            "`--enforcement` must be strict, warn or off, got `{other}`"
                        )));
                    }
                };
                once(&mut enforcement, "--enforcement", v)?;
            }
            "--blocked-command" => {
                blocked.push(
                    c.value("--blocked-command", "a command (`git push --force`)")?
                        .to_owned(),
                );
            }
            "--files" => {
                let v = c.value("--files", "a JSON file with an array of paths, or `-`")?;
                set_source(&mut source, a)?;
                source = Some(Source::Files(v));
            }
            "--agents" => {
                let v = c.value(
                    "--agents",
                    "a sidecar JSON file of `{id, files}` records, or `-`",
                )?;
                set_source(&mut source, a)?;
                source = Some(Source::Agents(v));
            }
            "--paths" => {
                set_source(&mut source, a)?;
                let mut paths = Vec::new();
                while let Some(p) = c.next_operand() {
                    if p.trim().is_empty() {
                        return Err(Failure::invalid(
                            "`--paths` was given an empty path: give the wave's paths (an empty value is refused, never skipped)",
                        ));
                    }
                    paths.push(p.to_owned());
                }
                if paths.is_empty() {
                    return Err(Failure::invalid(
                        "`--paths` needs at least one path; for a read-only wave pass `[]` with `--files -`",
                    ));
                }
                source = Some(Source::Paths(paths));
            }
            other => {
                return Err(Failure::invalid(format!(
                    "unknown argument `{other}` for `wave-scope write`"
                )));
            }
        }
    }
    let missing = |what: &str| Failure::invalid(format!("`wave-scope write` needs {what}"));
    Ok(WriteOptions {
        common,
        wave: wave.ok_or_else(|| missing("`--wave N`"))?,
        role: role.ok_or_else(|| missing("`--role ROLE`"))?,
        enforcement: enforcement.unwrap_or_default(),
        blocked,
        source: source.ok_or_else(|| {
            missing(
                "the allowed paths: `--files FILE.json`, `--agents SIDECAR.json` or `--paths P...`",
            )
        })?,
    })
}

/// The allowed paths from `--files`, `--agents` or `--paths`, and the number of agents.
fn allowed_paths(
    source: Source<'_>,
    root: &Path,
    style: PathStyle,
) -> Result<(Vec<String>, Option<usize>), Failure> {
    match source {
        Source::Paths(p) => Ok((p, None)),
        Source::Files(spec) => {
            let (text, name) = read_input(spec)?;
            let value = parse_json(&text, &name).map_err(Failure::invalid)?;
            let files = validate::file_list(&value).map_err(|es| {
                Failure::Invalid(es.into_iter().map(|e| format!("{name}: {e}")).collect())
            })?;
            Ok((files, None))
        }
        Source::Agents(spec) => {
            let (text, name) = read_input(spec)?;
            let value = parse_json(&text, &name).map_err(Failure::invalid)?;
            let agents = validate::sidecar(&value).map_err(|es| {
                Failure::Invalid(es.into_iter().map(|e| format!("{name}: {e}")).collect())
            })?;
            let overlaps = validate::overlaps(&agents, root, style);
            if !overlaps.is_empty() {
                return Err(Failure::Invalid(
                    overlaps.iter().map(|o| format!("{name}: {o}")).collect(),
                ));
            }
            Ok((validate::union(&agents, style), Some(agents.len())))
        }
    }
}

/// Holds the exclusive lock on the state directory's `wave-scope.lock` while `f` runs.
fn locked<T>(state_dir: &Path, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    let path = state_dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            Failure::Io(format!(
                "cannot open the lock file `{}`: {e}",
                path.display()
            ))
        })?;
    lock.lock()
        .map_err(|e| Failure::Io(format!("cannot lock `{}`: {e}", path.display())))?;
    let result = f();
    drop(lock); // closing the file releases the lock
    result
}

fn write(args: &[String]) -> Result<ExitCode, Failure> {
    let o = parse_write(args)?;
    let style = PathStyle::native();
    let root = project_root(o.common.project)?;
    let client = client(o.common.client);
    let (allowed, agents) = allowed_paths(o.source, &root, style)?;
    let now = SystemTime::now();
    let scope = WaveScope {
        wave: o.wave,
        role: o.role,
        enforcement: o.enforcement,
        allowed_paths: allowed,
        blocked_commands: o.blocked,
        gates: so_scope::Gates::default(),
        session_id: session_id(o.common.session_id),
        written_at: Some(unix_now(now)),
    };
    let value = serde_json::to_value(&scope)
        .map_err(|e| Failure::Io(format!("cannot encode the manifest: {e}")))?;
    let report = validate::manifest(&value, style);
    if !report.is_valid() {
        eprint!("{}", lines("warning", &report.warnings));
        let mut errors = report.errors;
        errors.push("nothing was written".to_owned());
        return Err(Failure::Invalid(errors));
    }
    // From the struct, not the value: keeps the fields in the documented order.
    let text = serde_json::to_string_pretty(&scope)
        .map_err(|e| Failure::Io(format!("cannot encode the manifest: {e}")))?
        + "\n";

    let path = manifest::manifest_path(&root, client.state);
    let state_dir = path.parent().unwrap_or(&root).to_path_buf();
    fs::create_dir_all(&state_dir)
        .map_err(|e| Failure::Io(format!("cannot create `{}`: {e}", state_dir.display())))?;
    let previous = locked(&state_dir, || {
        let previous = fs::read_to_string(&path)
            .ok()
            .and_then(|t| manifest::parse(&t, &path).ok());
        // Replaced whole: the enforcer never sees the manifest missing or half written.
        so_events::replace_file(&path, text.as_bytes())
            .map_err(|e| Failure::Io(format!("cannot write `{}`: {e}", path.display())))?;
        Ok(previous)
    })?;

    if o.common.json {
        let out = json!({
            "written": path.display().to_string(),
            "client": client_name(client.state),
            "clientSource": client.source,
            "wave": scope.wave,
            "role": scope.role,
            "enforcement": enforcement_name(scope.enforcement),
            "allowedPathCount": scope.allowed_paths.len(),
            "agents": agents,
            "manifest": value,
            "replaced": previous.map(|p| json!({"wave": p.wave, "role": p.role})),
            "warnings": report.warnings,
        });
        crate::emit(&format!("{out}\n"));
    } else {
        eprint!("{}", lines("warning", &report.warnings));
        let mut out = String::new();
        let _ = writeln!(out, "wrote {}", path.display());
        let _ = writeln!(
            out,
            "client:           {} ({})",
            client_name(client.state),
            client.source
        );
        let _ = writeln!(out, "wave:             {}", scope.wave);
        let _ = writeln!(out, "role:             {}", scope.role);
        let _ = writeln!(
            out,
            "enforcement:      {}",
            enforcement_name(scope.enforcement)
        );
        let _ = writeln!(out, "allowed paths:    {}", scope.allowed_paths.len());
        let _ = writeln!(out, "blocked commands: {}", scope.blocked_commands.len());
        if let Some(n) = agents {
            let _ = writeln!(out, "agents:           {n}, disjoint");
        }
        let _ = writeln!(
            out,
            "session:          {}",
            scope
                .session_id
                .as_deref()
                .unwrap_or("none (the manifest goes stale after 24 hours)")
        );
        if let Some(p) = previous {
            let _ = writeln!(out, "replaced:         wave {} ({})", p.wave, p.role);
        }
        crate::emit(&out);
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_common<'a>(args: &'a [String], command: &str) -> Result<Common<'a>, Failure> {
    let mut common = Common::default();
    let mut c = Cursor::new(args);
    while let Some(a) = c.next_arg() {
        if !common.take(a, &mut c)? {
            return Err(Failure::invalid(format!(
                "unknown argument `{a}` for `{command}`"
            )));
        }
    }
    Ok(common)
}

fn age(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} seconds ago"),
        60..3600 => format!("{} minutes ago", seconds / 60),
        3600..172_800 => format!("{} hours ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

fn gates_text(gates: &so_scope::Gates) -> String {
    let on = |b: bool| if b { "on" } else { "off" };
    let mut parts = vec![
        format!("path-guard {}", on(gates.paths())),
        format!("command-guard {}", on(gates.commands())),
    ];
    parts.extend(gates.other.iter().map(|(k, v)| format!("{k} {v}")));
    parts.join(", ")
}

/// The manifest's validation problems, when its file is JSON.
fn problems(path: &Path, style: PathStyle) -> validate::Report {
    fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map(|v| validate::manifest(&v, style))
        .unwrap_or_default()
}

fn describe(out: &mut String, scope: &WaveScope, now: SystemTime) {
    let _ = writeln!(out, "wave:             {}", scope.wave);
    let _ = writeln!(out, "role:             {}", scope.role);
    let _ = writeln!(
        out,
        "enforcement:      {}",
        enforcement_name(scope.enforcement)
    );
    let _ = writeln!(
        out,
        "session:          {}",
        scope.session_id.as_deref().unwrap_or("none")
    );
    if let Some(at) = scope.written_at {
        let ago = unix_now(now).saturating_sub(at);
        let _ = writeln!(out, "written at:       {at} ({})", age(ago));
    }
    let _ = writeln!(out, "gates:            {}", gates_text(&scope.gates));
    let _ = writeln!(out, "allowed paths:    {}", scope.allowed_paths.len());
    for p in &scope.allowed_paths {
        let _ = writeln!(out, "  {p}");
    }
    let _ = writeln!(out, "blocked commands: {}", scope.blocked_commands.len());
    for b in &scope.blocked_commands {
        let _ = writeln!(out, "  {b}");
    }
}

fn show(args: &[String]) -> Result<ExitCode, Failure> {
    let o = parse_common(args, "wave-scope show")?;
    let style = PathStyle::native();
    let root = project_root(o.project)?;
    let client = client(o.client);
    let session = session_id(o.session_id);
    let now = SystemTime::now();
    let path = manifest::manifest_path(&root, client.state);
    let found = so_scope::lookup(&root, client.state, session.as_deref(), now);
    let others = manifest::others(&root, client.state);
    let report = match &found {
        Lookup::Active { .. } | Lookup::Stale { .. } => problems(&path, style),
        Lookup::Absent | Lookup::Broken { .. } => validate::Report::default(),
    };
    let (status, headline) = match &found {
        Lookup::Absent => (
            "absent",
            "no wave-scope manifest: nothing is enforced".to_owned(),
        ),
        Lookup::Active { .. } => ("active", "wave-scope manifest in force".to_owned()),
        Lookup::Stale { why, .. } => (
            "stale",
            format!(
                "stale wave-scope manifest: not enforced, because {why}; write the current wave's manifest or remove it with `session-orchestrator wave-scope clear`"
            ),
        ),
        Lookup::Broken { error, .. } => (
            "broken",
            format!(
                "broken wave-scope manifest: every write is denied until the coordinator rewrites it with `session-orchestrator wave-scope write` ({error})"
            ),
        ),
    };
    let scope = match &found {
        Lookup::Active { scope, .. } | Lookup::Stale { scope, .. } => Some(scope),
        Lookup::Absent | Lookup::Broken { .. } => None,
    };
    let code = if matches!(found, Lookup::Broken { .. }) || !report.is_valid() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if o.json {
        let out = json!({
            "client": client_name(client.state),
            "clientSource": client.source,
            "path": path.display().to_string(),
            "status": status,
            "message": headline,
            "manifest": scope,
            "errors": report.errors,
            "warnings": report.warnings,
            "others": others.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        crate::emit(&format!("{out}\n"));
        return Ok(code);
    }
    let mut out = String::new();
    let _ = writeln!(out, "{headline}");
    let _ = writeln!(
        out,
        "client:           {} ({})",
        client_name(client.state),
        client.source
    );
    let _ = writeln!(out, "path:             {}", path.display());
    if let Some(scope) = scope {
        describe(&mut out, scope, now);
    }
    out.push_str(&lines("error", &report.errors));
    out.push_str(&lines("warning", &report.warnings));
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "other clients' manifests (not enforced for {}):",
            client_name(client.state)
        );
        for p in &others {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    crate::emit(&out);
    Ok(code)
}

fn clear(args: &[String]) -> Result<ExitCode, Failure> {
    let o = parse_common(args, "wave-scope clear")?;
    if o.session_id.is_some() {
        return Err(Failure::invalid(
            "`wave-scope clear` takes no `--session-id`: it removes the client's manifest whatever session wrote it",
        ));
    }
    let root = project_root(o.project)?;
    let client = client(o.client);
    let path = manifest::manifest_path(&root, client.state);
    let state_dir = path.parent().unwrap_or(&root).to_path_buf();
    let removed = if state_dir.is_dir() {
        locked(&state_dir, || {
            let previous = fs::read_to_string(&path)
                .ok()
                .and_then(|t| manifest::parse(&t, &path).ok());
            match fs::remove_file(&path) {
                Ok(()) => Ok(Some(previous)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Failure::Io(format!(
                    "cannot remove `{}`: {e}",
                    path.display()
                ))),
            }
        })?
    } else {
        None
    };
    if o.json {
        let out = json!({
            "path": path.display().to_string(),
            "client": client_name(client.state),
            "clientSource": client.source,
            "removed": removed.is_some(),
        });
        crate::emit(&format!("{out}\n"));
    } else if let Some(previous) = removed {
        let what = previous.map_or_else(
            || "an unreadable manifest".to_owned(),
            |p| format!("wave {}, {}", p.wave, p.role),
        );
        crate::emit(&format!(
            "removed {} ({what}); client {} ({})\n",
            path.display(),
            client_name(client.state),
            client.source
        ));
    } else {
        crate::emit(&format!(
            "no wave-scope manifest at {}: nothing to clear; client {} ({})\n",
            path.display(),
            client_name(client.state),
            client.source
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `check-path`: exit 0 allowed (or warned), 1 denied, 2 ask; 64 bad arguments, 66 I/O.
pub fn check_path(args: &[String]) -> ExitCode {
    let mut common = Common::default();
    let mut target: Option<&str> = None;
    let mut c = Cursor::new(args);
    let parsed = (|| {
        while let Some(a) = c.next_arg() {
            if common.take(a, &mut c)? {
                continue;
            }
            if a == "--" {
                let rest = c
                    .next_arg()
                    .ok_or_else(|| Failure::invalid("`--` needs a path after it"))?;
                once(&mut target, "the path", rest)?;
            } else if a.starts_with("--") {
                return Err(Failure::invalid(format!(
                    "unknown argument `{a}` for `check-path`"
                )));
            } else {
                once(&mut target, "the path", a)?;
            }
        }
        Ok(())
    })();
    let failed = |f: Failure| match f {
        Failure::Invalid(m) => {
            eprint!("{}", lines("error", &m));
            ExitCode::from(64)
        }
        Failure::Io(m) => {
            eprintln!("error: {m}");
            ExitCode::from(66)
        }
    };
    if let Err(f) = parsed {
        return failed(f);
    }
    let Some(target) = target.filter(|t| !t.is_empty()) else {
        return failed(Failure::invalid(
            "give the path to check, e.g. `session-orchestrator check-path src/main.rs`",
        ));
    };
    match explain(target, &common) {
        Ok(code) => code,
        Err(f) => failed(f),
    }
}

/// What `check-path` found out about one path.
struct Explanation<'a> {
    target: &'a str,
    resolved: so_scope::Resolved,
    client: Client,
    manifest: String,
    /// The allowed entries that match, when a manifest is in force.
    matches: Option<Vec<String>>,
    /// The manifest in force allows no path at all.
    read_only: bool,
    exemption: Option<&'static str>,
    protection: Option<String>,
    decision: Decision,
    reasons: Vec<String>,
}

fn explain(target: &str, o: &Common<'_>) -> Result<ExitCode, Failure> {
    let style = PathStyle::native();
    let root = project_root(o.project)?;
    let client = client(o.client);
    let now = SystemTime::now();
    let cx = ScopeContext {
        project_root: root.clone(),
        state: client.state,
        subagent: false,
        session_id: session_id(o.session_id),
        style,
        tmpdir: std::env::var_os("TMPDIR").map(PathBuf::from),
        // Only edits with new text can weaken a config; check-path judges a path alone.
        config_protection: Enforcement::Warn,
    };
    let write = Write {
        path: Some(target.to_owned()),
        spelled: target.to_owned(),
        via: "a write".to_owned(),
        new_text: None,
        added_text: None,
    };
    let resolved = so_scope::resolve(target, &root, style);
    let (manifest, scope) = match so_scope::lookup(&root, cx.state, cx.session_id.as_deref(), now) {
        Lookup::Absent => ("none: nothing is enforced".to_owned(), None),
        Lookup::Active { path, scope } => (
            format!(
                "wave {} ({}, {}) at {}",
                scope.wave,
                scope.role,
                enforcement_name(scope.enforcement),
                path.display()
            ),
            Some(scope),
        ),
        Lookup::Stale { path, why, .. } => (
            format!("stale, not enforced ({why}) at {}", path.display()),
            None,
        ),
        Lookup::Broken { error, .. } => (format!("broken: {error}"), None),
    };
    let matches = scope.as_ref().map(|s| {
        s.allowed_paths
            .iter()
            .filter(|p| AllowedPaths::new(std::slice::from_ref(*p), style).allows(&resolved))
            .cloned()
            .collect()
    });
    let protection = so_scope::protection(&write, &cx);
    let verdict = so_scope::check(
        &Request {
            writes: vec![write],
            ..Request::default()
        },
        &cx,
        now,
    );
    let e = Explanation {
        target,
        exemption: so_scope::exemption(&resolved, &cx),
        resolved,
        client,
        manifest,
        matches,
        read_only: scope.is_some_and(|s| s.allowed_paths.is_empty()),
        protection,
        decision: verdict.decision,
        reasons: verdict.reasons,
    };
    crate::emit(&if o.json {
        format!("{}\n", e.json())
    } else {
        e.human()
    });
    Ok(ExitCode::from(match e.decision {
        Decision::Allow | Decision::Warn => 0,
        Decision::Deny => 1,
        Decision::Ask => 2,
    }))
}

impl Explanation<'_> {
    fn decision_name(&self) -> &'static str {
        match self.decision {
            Decision::Allow => "allow",
            Decision::Warn => "warn",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }

    fn json(&self) -> Value {
        json!({
            "path": self.target,
            "absolute": self.resolved.absolute,
            "relative": self.resolved.relative,
            "insideProject": self.resolved.relative.is_some(),
            "client": client_name(self.client.state),
            "clientSource": self.client.source,
            "manifest": self.manifest,
            "matches": self.matches,
            "exemption": self.exemption,
            "protection": self.protection,
            "decision": self.decision_name(),
            "reasons": self.reasons,
        })
    }

    fn human(&self) -> String {
        let mut out = String::new();
        let rel = self.resolved.relative.as_deref();
        let _ = writeln!(out, "decision:  {}", self.decision_name());
        let _ = writeln!(out, "path:      {}", self.target);
        let _ = writeln!(out, "absolute:  {}", self.resolved.absolute);
        let _ = writeln!(
            out,
            "relative:  {}",
            rel.unwrap_or("- (outside the project)")
        );
        let _ = writeln!(
            out,
            "inside:    {}",
            if rel.is_some() { "yes" } else { "no" }
        );
        let _ = writeln!(
            out,
            "client:    {} ({})",
            client_name(self.client.state),
            self.client.source
        );
        let _ = writeln!(out, "manifest:  {}", self.manifest);
        let matches = match &self.matches {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Some(_) if self.read_only => "none (the wave allows no path)".to_owned(),
            Some(_) => "none of the allowed paths".to_owned(),
            None => "- (no manifest in force)".to_owned(),
        };
        let _ = writeln!(out, "matches:   {matches}");
        if let Some(e) = self.exemption {
            let _ = writeln!(out, "exempt:    {e}");
        }
        let _ = writeln!(
            out,
            "protected: {}",
            self.protection.as_deref().unwrap_or("no")
        );
        for r in &self.reasons {
            let _ = writeln!(out, "reason:    {r}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
        vars.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn detected(vars: &[(&str, &str)]) -> (&'static str, String) {
        let c = detect_client(&env(vars));
        (client_name(c.state), c.source)
    }

    #[test]
    fn the_client_is_detected_from_the_environment() {
        assert_eq!(
            detected(&[("CLAUDECODE", "1"), ("CODEX_HOME", "/c")]),
            ("claude", "detected from CLAUDECODE=1".to_owned())
        );
        assert_eq!(detected(&[("CODEX_HOME", "/c")]).0, "codex");
        assert_eq!(detected(&[("CODEX_MANAGED_BY_NPM", "1")]).0, "codex");
        assert_eq!(
            detected(&[("CODEX_SANDBOX", "seatbelt")]),
            ("codex", "detected from CODEX_SANDBOX".to_owned())
        );
        assert_eq!(detected(&[("CURSOR_VERSION", "1.2")]).0, "cursor");
        assert_eq!(detected(&[("CURSOR_PROJECT_DIR", "/p")]).0, "cursor");
        // Controls: nothing set, `CLAUDECODE` other than 1, empty values.
        assert!(detected(&[]).1.starts_with("default"));
        assert!(detected(&[("CLAUDECODE", "0")]).1.starts_with("default"));
        assert!(
            detected(&[("CODEX_HOME", ""), ("CURSOR_VERSION", "")])
                .1
                .starts_with("default")
        );
        assert!(detected(&[("MY_CODEX_HOME", "x")]).1.starts_with("default"));
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(5), "5 seconds ago");
        assert_eq!(age(120), "2 minutes ago");
        assert_eq!(age(3 * 3600), "3 hours ago");
        assert_eq!(age(3 * 86_400), "3 days ago");
    }

    #[test]
    fn flag_values_are_never_empty() {
        let args: Vec<String> = ["--union", "", "--x"].map(str::to_owned).to_vec();
        let mut c = Cursor::new(&args);
        assert_eq!(c.next_arg(), Some("--union"));
        assert!(
            matches!(c.value("--union", "a file"), Err(Failure::Invalid(m)) if m[0].contains("empty value"))
        );
        let args: Vec<String> = ["--json"].map(str::to_owned).to_vec();
        let mut c = Cursor::new(&args);
        assert!(
            matches!(c.value("--union", "a file"), Err(Failure::Invalid(m)) if m[0].contains("got the flag `--json`"))
        );
        let args: Vec<String> = ["a.json"].map(str::to_owned).to_vec();
        let mut c = Cursor::new(&args);
        assert!(matches!(c.value("--union", "a file"), Ok("a.json")));
    }

    #[test]
    fn durations_are_whole_seconds() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_500);
        assert_eq!(unix_now(t), 1);
    }
}
