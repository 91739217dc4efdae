//! `session-orchestrator validate-plugin [DIR] [--json]`: check a Claude Code plugin tree — the
//! manifest, the marketplace, the hooks file and the markdown bundle's frontmatter — and print
//! one `PASS:` / `WARN:` / `FAIL:` line per check, then a tally.
//!
//! What is checked:
//! - `.claude-plugin/plugin.json`: valid JSON, `name` kebab-case, `version` semver-ish,
//!   `description`, `author.name`, `license` (or a LICENSE file), and every component path it
//!   names (`hooks`, `commands`, `agents`, `skills`) starts with `./` and exists.
//! - `.claude-plugin/marketplace.json` when present: `name`, `owner.name`, each plugin entry's
//!   `name` and `source`, and a `./` source holds a `.claude-plugin/plugin.json`.
//! - The hooks file (plugin.json's `hooks`, else `hooks/hooks.json`): the shape
//!   `{"hooks": {Event: [{matcher?, hooks: [{type, command, timeout?}]}]}}`, every event a
//!   Claude Code event, every exact matcher on a tool event a real tool (a regex matcher is a
//!   warning unless it compiles), every `hooks/run NAME` naming an existing executable launcher
//!   and (when `crates/so-hooks/Cargo.toml` exists) a `[[bin]]` of it, every
//!   `${CLAUDE_PLUGIN_ROOT}` of a shell-form command inside double quotes, every `timeout`
//!   positive.
//! - Frontmatter of `agents/*.md` (seed-spec §8.1: name, inline description, model, color,
//!   tools, sandbox-tier, output-schema, the subagent git rule in write-capable agents;
//!   agents sharing a colour are a warning), `skills/*/SKILL.md`, `commands/*.md` and
//!   `output-styles/*.md`.
//!
//! Exit codes: 0 no failure, 1 a failed check, 2 DIR unreadable, 64 bad arguments.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use regex::Regex;
use serde_json::{Value, json};

/// Every Claude Code hook event (hook-protocols A.6, Claude Code 2.1.330).
const EVENTS: [&str; 33] = [
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "PermissionDenied",
    "Notification",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "SessionStart",
    "SessionEnd",
    "Setup",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "PreModelSwitch",
    "PostModelSwitch",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "Elicitation",
    "ElicitationResult",
    "ConfigChange",
    "InstructionsLoaded",
    "WorktreeCreate",
    "WorktreeRemove",
    "CwdChanged",
    "FileChanged",
    "DirectoryAdded",
    "MessageDisplay",
];

/// The events whose matcher is tested against a tool name (hook-protocols A.3).
const TOOL_EVENTS: [&str; 5] = [
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "PermissionDenied",
];

/// The events that take no matcher: one given there is silently ignored (hook-protocols A.3).
const NO_MATCHER_EVENTS: [&str; 10] = [
    "UserPromptSubmit",
    "PostToolBatch",
    "Stop",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "WorktreeCreate",
    "WorktreeRemove",
    "MessageDisplay",
    "CwdChanged",
];

/// Tool names a tool-event matcher may name (besides `mcp__…` and `*`).
const TOOLS: [&str; 17] = [
    "Bash",
    "Edit",
    "Write",
    "MultiEdit",
    "NotebookEdit",
    "Read",
    "Glob",
    "Grep",
    "WebFetch",
    "WebSearch",
    "Agent",
    "Task",
    "Skill",
    "AskUserQuestion",
    "ExitPlanMode",
    "PowerShell",
    "apply_patch",
];

/// Handler `type`s (hook-protocols A.2).
const HANDLER_TYPES: [&str; 5] = ["command", "http", "mcp_tool", "prompt", "agent"];

/// A skill description longer than this is a warning; longer than [`DESCRIPTION_MAX`] a failure
/// (the listing truncates it there, hook-protocols B.6).
const DESCRIPTION_WARN: usize = 500;
const DESCRIPTION_MAX: usize = 1536;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Pass,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Pass => "PASS",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

/// The checks made so far, in order.
struct Report {
    root: PathBuf,
    lines: Vec<(Level, String)>,
}

impl Report {
    fn pass(&mut self, msg: impl Into<String>) {
        self.lines.push((Level::Pass, msg.into()));
    }
    fn warn(&mut self, msg: impl Into<String>) {
        self.lines.push((Level::Warn, msg.into()));
    }
    fn fail(&mut self, msg: impl Into<String>) {
        self.lines.push((Level::Fail, msg.into()));
    }
    fn check(&mut self, ok: bool, pass: impl Into<String>, fail: impl Into<String>) -> bool {
        if ok {
            self.pass(pass);
        } else {
            self.fail(fail);
        }
        ok
    }
    fn count(&self, level: Level) -> usize {
        self.lines.iter().filter(|(l, _)| *l == level).count()
    }
    /// `path` relative to the plugin root, with `/` separators.
    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }
    fn human(&self) -> String {
        let mut out = String::new();
        for (level, msg) in &self.lines {
            let _ = writeln!(out, "{}: {msg}", level.label());
        }
        let _ = writeln!(
            out,
            "{} passed, {} warnings, {} failed",
            self.count(Level::Pass),
            self.count(Level::Warn),
            self.count(Level::Fail)
        );
        out
    }
    fn json(&self, shown: &str) -> Value {
        let checks: Vec<Value> = self
            .lines
            .iter()
            .map(|(l, m)| json!({"level": l.label(), "message": m}))
            .collect();
        json!({
            "dir": shown,
            "valid": self.count(Level::Fail) == 0,
            "checks": checks,
            "passed": self.count(Level::Pass),
            "warnings": self.count(Level::Warn),
            "failed": self.count(Level::Fail),
        })
    }
}

struct Options {
    json: bool,
    dir: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        json: false,
        dir: None,
    };
    for a in args {
        match a.as_str() {
            "--json" => o.json = true,
            flag if flag.starts_with('-') => {
                return Err(format!("unknown argument `{flag}` for `validate-plugin`"));
            }
            "" => return Err("`validate-plugin` was given an empty DIR".to_owned()),
            dir if o.dir.is_none() => o.dir = Some(dir.to_owned()),
            dir => {
                return Err(format!(
                    "`validate-plugin` takes one DIR, got a second: `{dir}`"
                ));
            }
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => return crate::usage_error(&e),
    };
    let shown = o.dir.unwrap_or_else(|| ".".to_owned());
    let root = PathBuf::from(&shown);
    if let Err(e) = std::fs::read_dir(&root) {
        eprintln!("error: cannot read the plugin directory `{shown}`: {e}");
        return ExitCode::from(2);
    }
    let report = validate(&root);
    if o.json {
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report.json(&shown)).unwrap_or_default()
        ));
    } else {
        crate::emit(&report.human());
    }
    ExitCode::from(u8::from(report.count(Level::Fail) > 0))
}

/// Every check of the plugin at `root`.
fn validate(root: &Path) -> Report {
    let mut r = Report {
        root: root.to_path_buf(),
        lines: Vec::new(),
    };
    let manifest = check_manifest(&mut r);
    check_marketplace(&mut r);
    let declared = |key: &str| -> Vec<PathBuf> {
        manifest
            .as_ref()
            .and_then(|m| m.get(key))
            .map(|v| {
                component_paths(v)
                    .into_iter()
                    .map(|p| root.join(p))
                    .collect()
            })
            .unwrap_or_default()
    };

    // Hooks: the files plugin.json names, else (and always, as Claude Code loads it) the
    // conventional hooks/hooks.json.
    let mut hook_files = declared("hooks");
    let conventional = root.join("hooks/hooks.json");
    if conventional.is_file() && !hook_files.iter().any(|p| same_file(p, &conventional)) {
        hook_files.push(conventional);
    }
    if let Some(inline @ Value::Object(_)) = manifest.as_ref().and_then(|m| m.get("hooks")) {
        check_hooks(&mut r, ".claude-plugin/plugin.json (inline hooks)", inline);
    }
    if hook_files.is_empty()
        && !matches!(
            manifest.as_ref().and_then(|m| m.get("hooks")),
            Some(Value::Object(_))
        )
    {
        r.warn("no hooks file (plugin.json `hooks`, hooks/hooks.json)");
    }
    for file in hook_files.iter().filter(|p| p.is_file()) {
        let name = r.rel(file);
        match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => {
                r.pass(format!("{name}: valid JSON"));
                check_hooks(&mut r, &name, &v);
            }
            Err(e) => r.fail(format!("{name}: not valid JSON: {e}")),
        }
    }

    let dirs = |key: &str, default: &str| -> Vec<PathBuf> {
        let mut d = declared(key);
        if d.is_empty() || key == "skills" {
            d.push(root.join(default));
        }
        d.retain(|p| p.is_dir());
        d.dedup();
        d
    };
    let mut agents = Vec::new();
    for dir in dirs("agents", "agents") {
        for file in md_files(&dir) {
            agents.extend(check_agent(&mut r, &file));
        }
    }
    check_agent_colors(&mut r, &agents);
    for dir in dirs("outputStyles", "output-styles") {
        for file in md_files(&dir) {
            check_output_style(&mut r, &file);
        }
    }
    for dir in dirs("skills", "skills") {
        for sub in sorted_entries(&dir).into_iter().filter(|p| p.is_dir()) {
            let file = sub.join("SKILL.md");
            if file.is_file() {
                check_skill(&mut r, &file);
            }
        }
    }
    let mut command_names = Vec::new();
    for dir in dirs("commands", "commands") {
        for file in md_files(&dir) {
            check_command(&mut r, &file);
            if let Some(stem) = file.file_stem() {
                command_names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    check_name_collisions(&mut r, &dirs("skills", "skills"), &command_names);
    r
}

/// Claude Code resolves `plugin:NAME` to the command when a command and a skill share NAME:
/// the Skill tool then loads the command, and the skill is never read.
fn check_name_collisions(r: &mut Report, skill_dirs: &[PathBuf], command_names: &[String]) {
    for dir in skill_dirs {
        for sub in sorted_entries(dir).into_iter().filter(|p| p.is_dir()) {
            let name = sub
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if sub.join("SKILL.md").is_file() && command_names.contains(&name) {
                r.fail(format!(
                    "commands/{name}.md and skills/{name}/SKILL.md share the name `{name}`: \
                     Claude Code loads the command for both, so the skill is unreachable \
                     (make the skill the slash command: move argument-hint and allowed-tools \
                     into its frontmatter and delete the command)"
                ));
            }
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The `*.md` files of `dir`, without `AGENTS.md`, `CLAUDE.md` and `README.md`.
fn md_files(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir)
        .into_iter()
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|e| e == "md")
                && !matches!(
                    p.file_name().and_then(|n| n.to_str()),
                    Some("AGENTS.md" | "CLAUDE.md" | "README.md")
                )
        })
        .collect()
}

/// The paths a component field names: a string or an array of strings.
fn component_paths(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_kebab(s: &str) -> bool {
    Regex::new(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$").is_ok_and(|re| re.is_match(s))
}

fn non_empty_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// `.claude-plugin/plugin.json`; returns the manifest when it parses as an object.
fn check_manifest(r: &mut Report) -> Option<serde_json::Map<String, Value>> {
    const FILE: &str = ".claude-plugin/plugin.json";
    let path = r.root.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            r.fail(format!("{FILE}: missing or unreadable: {e}"));
            return None;
        }
    };
    let m = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            r.fail(format!("{FILE}: not a JSON object"));
            return None;
        }
        Err(e) => {
            r.fail(format!("{FILE}: not valid JSON: {e}"));
            return None;
        }
    };
    r.pass(format!("{FILE}: valid JSON"));
    match m.get("name").and_then(Value::as_str) {
        Some(n) => {
            r.check(
                is_kebab(n),
                format!("{FILE}: name `{n}` is kebab-case"),
                format!("{FILE}: name `{n}` is not kebab-case"),
            );
        }
        None => r.fail(format!("{FILE}: `name` is missing")),
    }
    match m.get("version").and_then(Value::as_str) {
        Some(v) => {
            let semver =
                Regex::new(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$").is_ok_and(|re| re.is_match(v));
            r.check(
                semver,
                format!("{FILE}: version `{v}` is semver"),
                format!("{FILE}: version `{v}` is not semver"),
            );
        }
        None if m.contains_key("version") => r.fail(format!("{FILE}: `version` is not a string")),
        None => r.warn(format!("{FILE}: no `version` (updates follow the git SHA)")),
    }
    r.check(
        non_empty_str(m.get("description")).is_some(),
        format!("{FILE}: description present"),
        format!("{FILE}: `description` is missing or empty"),
    );
    r.check(
        non_empty_str(m.get("author").and_then(|a| a.get("name"))).is_some(),
        format!("{FILE}: author.name present"),
        format!("{FILE}: `author.name` is missing or empty"),
    );
    let license_file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"]
        .iter()
        .any(|f| r.root.join(f).is_file());
    r.check(
        non_empty_str(m.get("license")).is_some() || license_file,
        format!("{FILE}: license present"),
        format!("{FILE}: no `license` and no LICENSE file"),
    );
    for key in ["hooks", "commands", "agents", "skills"] {
        let Some(v) = m.get(key) else { continue };
        if key == "hooks" && v.is_object() {
            continue;
        }
        if !(v.is_string() || v.is_array()) {
            r.fail(format!(
                "{FILE}: `{key}` is neither a path nor a list of paths"
            ));
            continue;
        }
        for p in component_paths(v) {
            if !p.starts_with("./") {
                r.fail(format!("{FILE}: {key} path `{p}` does not start with `./`"));
            } else if r.root.join(&p).exists() {
                r.pass(format!("{FILE}: {key} path `{p}` exists"));
            } else {
                r.fail(format!("{FILE}: {key} path `{p}` does not exist"));
            }
        }
    }
    Some(m)
}

/// `.claude-plugin/marketplace.json`, when present.
fn check_marketplace(r: &mut Report) {
    const FILE: &str = ".claude-plugin/marketplace.json";
    let path = r.root.join(FILE);
    if !path.exists() {
        return;
    }
    let m = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
    {
        Ok(Value::Object(m)) => m,
        Ok(_) => return r.fail(format!("{FILE}: not a JSON object")),
        Err(e) => return r.fail(format!("{FILE}: not valid JSON: {e}")),
    };
    r.pass(format!("{FILE}: valid JSON"));
    match m.get("name").and_then(Value::as_str) {
        Some(n) => {
            r.check(
                is_kebab(n),
                format!("{FILE}: name `{n}` is kebab-case"),
                format!("{FILE}: name `{n}` is not kebab-case"),
            );
        }
        None => r.fail(format!("{FILE}: `name` is missing")),
    }
    r.check(
        non_empty_str(m.get("owner").and_then(|o| o.get("name"))).is_some(),
        format!("{FILE}: owner.name present"),
        format!("{FILE}: `owner.name` is missing or empty"),
    );
    let Some(plugins) = m.get("plugins").and_then(Value::as_array) else {
        return r.fail(format!("{FILE}: `plugins` is missing or not an array"));
    };
    for (i, p) in plugins.iter().enumerate() {
        let Some(name) = non_empty_str(p.get("name")) else {
            r.fail(format!("{FILE}: plugins[{i}] has no `name`"));
            continue;
        };
        match p.get("source") {
            Some(Value::String(s)) if s.starts_with("./") => {
                let manifest = r.root.join(s).join(".claude-plugin/plugin.json");
                r.check(
                    manifest.is_file(),
                    format!("{FILE}: plugin `{name}` source `{s}` holds a plugin.json"),
                    format!(
                        "{FILE}: plugin `{name}` source `{s}` holds no .claude-plugin/plugin.json"
                    ),
                );
            }
            Some(Value::String(s)) => r.fail(format!(
                "{FILE}: plugin `{name}` source `{s}` is a path not starting with `./`"
            )),
            Some(Value::Object(o)) if o.contains_key("source") => {
                r.pass(format!("{FILE}: plugin `{name}` has a source"));
            }
            Some(_) => r.fail(format!("{FILE}: plugin `{name}` has an invalid `source`")),
            None => r.fail(format!("{FILE}: plugin `{name}` has no `source`")),
        }
    }
}

/// The `[[bin]]` names of `crates/so-hooks/Cargo.toml` under the plugin root, when it exists.
fn hook_bins(root: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(root.join("crates/so-hooks/Cargo.toml")).ok()?;
    let mut bins = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin
            && let Some(rest) = line.strip_prefix("name")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            bins.push(value.trim().trim_matches('"').to_owned());
        }
    }
    Some(bins)
}

/// The hook configuration `v` read from `file`.
fn check_hooks(r: &mut Report, file: &str, v: &Value) {
    let Some(events) = v.get("hooks").and_then(Value::as_object) else {
        return r.fail(format!("{file}: no `hooks` object"));
    };
    let bins = hook_bins(&r.root);
    for (event, groups) in events {
        if !EVENTS.contains(&event.as_str()) {
            r.fail(format!("{file}: `{event}` is not a Claude Code hook event"));
            continue;
        }
        r.pass(format!("{file}: event {event}"));
        let Some(groups) = groups.as_array() else {
            r.fail(format!("{file}: {event} is not an array of matcher groups"));
            continue;
        };
        for (gi, group) in groups.iter().enumerate() {
            let at = format!("{file}: {event}[{gi}]");
            check_matcher(r, &at, event, group.get("matcher"));
            let Some(handlers) = group.get("hooks").and_then(Value::as_array) else {
                r.fail(format!("{at}: no `hooks` array"));
                continue;
            };
            if handlers.is_empty() {
                r.warn(format!("{at}: empty `hooks` array"));
            }
            for (hi, h) in handlers.iter().enumerate() {
                check_handler(r, &format!("{at}.hooks[{hi}]"), h, bins.as_deref());
            }
        }
    }
}

fn check_matcher(r: &mut Report, at: &str, event: &str, matcher: Option<&Value>) {
    let m = match matcher {
        None => return,
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return r.fail(format!("{at}: matcher is not a string")),
    };
    if NO_MATCHER_EVENTS.contains(&event) {
        return r.warn(format!("{at}: {event} takes no matcher; `{m}` is ignored"));
    }
    if m.is_empty() || m == "*" {
        return r.pass(format!("{at}: matcher `{m}` matches everything"));
    }
    let exact = m
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '|' | ',' | ' ' | '-'));
    if exact {
        if !TOOL_EVENTS.contains(&event) {
            return r.pass(format!("{at}: matcher `{m}`"));
        }
        let unknown: Vec<&str> = m
            .split(['|', ','])
            .map(str::trim)
            .filter(|t| !t.is_empty() && !TOOLS.contains(t) && !t.starts_with("mcp__"))
            .collect();
        r.check(
            unknown.is_empty(),
            format!("{at}: matcher `{m}` names real tools"),
            format!(
                "{at}: matcher `{m}` names unknown tool(s): {}",
                unknown.join(", ")
            ),
        );
    } else {
        match Regex::new(m) {
            Ok(_) => r.pass(format!("{at}: regex matcher `{m}` compiles")),
            Err(_) => r.warn(format!(
                "{at}: regex matcher `{m}` does not compile (Rust regex syntax)"
            )),
        }
    }
}

fn check_handler(r: &mut Report, at: &str, h: &Value, bins: Option<&[String]>) {
    let Some(kind) = h.get("type").and_then(Value::as_str) else {
        return r.fail(format!("{at}: no `type`"));
    };
    if !HANDLER_TYPES.contains(&kind) {
        return r.fail(format!("{at}: unknown handler type `{kind}`"));
    }
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    match h.get("timeout") {
        None => {}
        Some(t) if t.as_f64().is_some_and(|t| t > 0.0) => {}
        Some(t) => problems.push(format!("timeout `{t}` is not a positive number")),
    }
    let mut shown = kind.to_owned();
    if kind == "command" {
        let Some(command) = h.get("command").and_then(Value::as_str) else {
            return r.fail(format!("{at}: command handler without a `command` string"));
        };
        shown = format!("`{command}`");
        let args: Option<Vec<&str>> = h
            .get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect());
        if args.is_none() && !plugin_root_quoted(command) {
            problems.push(
                "`${CLAUDE_PLUGIN_ROOT}` is not inside double quotes in a shell-form command"
                    .to_owned(),
            );
        }
        if let Some(name) = launcher_name(command, args.as_deref()) {
            // The handler is long; the hook it starts is what a reader needs to see.
            shown = format!("hook `{name}`");
            let launcher = r.root.join("hooks/run");
            if !launcher.is_file() {
                problems.push("hooks/run does not exist".to_owned());
            } else if !is_executable(&launcher) {
                problems.push("hooks/run is not executable".to_owned());
            }
            // The inline fast path must start the binary the launcher would: a handler
            // that tests `…/target/release/X` but falls back to `hooks/run Y` runs X.
            if let Ok(direct) =
                Regex::new(r"(?:/target/release|/bin|\.cargo/bin)/([A-Za-z0-9_.-]+)")
            {
                for other in direct.captures_iter(command).map(|c| c[1].to_owned()) {
                    if other != name {
                        problems.push(format!(
                            "starts `{other}` directly but `{name}` through hooks/run"
                        ));
                    }
                }
            }
            match bins {
                Some(bins) if !bins.contains(&name) => problems.push(format!(
                    "`{name}` is not a [[bin]] of crates/so-hooks/Cargo.toml"
                )),
                Some(_) => {}
                None => warnings.push(format!(
                    "hook binary `{name}` not checked (no crates/so-hooks/Cargo.toml)"
                )),
            }
        } else if let Some(rel) = plugin_root_path(command)
            && !r.root.join(&rel).exists()
        {
            problems.push(format!("`{rel}` does not exist in the plugin"));
        }
    }
    for w in warnings {
        r.warn(format!("{at}: {w}"));
    }
    if problems.is_empty() {
        r.pass(format!("{at}: {shown} resolves"));
    } else {
        for p in problems {
            r.fail(format!("{at}: {shown}: {p}"));
        }
    }
}

/// Whether every `$CLAUDE_PLUGIN_ROOT` / `${CLAUDE_PLUGIN_ROOT}` of a shell command lies inside
/// double quotes (unquoted it splits on spaces; inside single quotes it is not expanded).
fn plugin_root_quoted(command: &str) -> bool {
    let bytes = command.as_bytes();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !single => i += 1,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'$' => {
                let rest = &command[i + 1..];
                if (rest.starts_with("{CLAUDE_PLUGIN_ROOT}")
                    || rest.starts_with("CLAUDE_PLUGIN_ROOT"))
                    && !double
                {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// NAME of a `…/hooks/run NAME` command (shell form) or of `hooks/run` with `args` (exec form).
fn launcher_name(command: &str, args: Option<&[&str]>) -> Option<String> {
    if let Some(args) = args {
        return command
            .trim_end_matches(['"', '\''])
            .ends_with("hooks/run")
            .then(|| args.first().map(|a| (*a).to_owned()))
            .flatten();
    }
    let re = Regex::new(r#"(?:^|[\s"'/}])hooks/run["']?\s+["']?([^\s"';&|]+)"#).ok()?;
    re.captures(command).map(|c| c[1].to_owned())
}

/// The plugin-relative path after `${CLAUDE_PLUGIN_ROOT}/` in a command, if any.
fn plugin_root_path(command: &str) -> Option<String> {
    let re = Regex::new(r"\$\{?CLAUDE_PLUGIN_ROOT\}?/([^\s\x22';&|]+)").ok()?;
    re.captures(command).map(|c| c[1].to_owned())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The YAML frontmatter of a markdown file: between a first line `---` and the next `---`.
fn frontmatter(r: &mut Report, file: &Path) -> Option<serde_yaml_ng::Mapping> {
    frontmatter_parts(r, file).map(|doc| doc.meta)
}

/// A markdown file's frontmatter: parsed, as written, and the body after it.
struct FrontDoc {
    meta: serde_yaml_ng::Mapping,
    raw: String,
    body: String,
}

fn frontmatter_parts(r: &mut Report, file: &Path) -> Option<FrontDoc> {
    let name = r.rel(file);
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            r.fail(format!("{name}: unreadable: {e}"));
            return None;
        }
    };
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        r.fail(format!("{name}: no frontmatter (first line is not `---`)"));
        return None;
    }
    let mut raw = String::new();
    let mut closed = false;
    for line in lines.by_ref() {
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        raw.push_str(line);
        raw.push('\n');
    }
    if !closed {
        r.fail(format!("{name}: frontmatter is not closed by `---`"));
        return None;
    }
    let body = lines.collect::<Vec<_>>().join("\n");
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&raw) {
        Ok(serde_yaml_ng::Value::Mapping(meta)) => Some(FrontDoc { meta, raw, body }),
        Ok(_) => {
            r.fail(format!("{name}: frontmatter is not a YAML mapping"));
            None
        }
        Err(e) => {
            r.fail(format!("{name}: frontmatter is not valid YAML: {e}"));
            None
        }
    }
}

fn yaml_str<'a>(m: &'a serde_yaml_ng::Mapping, key: &str) -> Option<&'a str> {
    m.get(key).and_then(serde_yaml_ng::Value::as_str)
}

/// Models an agent may name by alias; a full id matches [`MODEL_ID`].
const MODELS: [&str; 5] = ["inherit", "sonnet", "opus", "haiku", "fable"];
const MODEL_ID: &str = r"^claude-(opus|sonnet|haiku|fable)-\d+(-\d+)?(-\d{8})?$";
/// The colours Claude Code draws agents in.
const COLORS: [&str; 9] = [
    "blue", "cyan", "green", "yellow", "magenta", "red", "purple", "orange", "pink",
];
/// The original's sandbox tiers, lowest first.
const TIERS: [&str; 4] = ["read-only", "repo-write", "network-allowed", "dangerous"];

/// What [`check_agent`] learned that matters across agents.
struct AgentSeen {
    name: String,
    color: Option<String>,
}

/// An agent's frontmatter by seed-spec §8.1: `name` (lowercase-hyphen), an inline
/// `description` (the agent loader cannot read `>` or `|` block scalars), `model` an alias or
/// a full Claude model id, `color` one Claude Code draws, `tools` a comma-separated string or
/// a list of strings, `sandbox-tier` (when given) one of the tiers and not below what the
/// tools need, `output-schema` (when given) an existing JSON file; an agent that can both
/// edit and write files carries the subagent git rule (PSA-007, no `git stash`) in its body.
fn check_agent(r: &mut Report, file: &Path) -> Option<AgentSeen> {
    let doc = frontmatter_parts(r, file)?;
    let m = &doc.meta;
    let at = r.rel(file);
    let mut problems = Vec::new();
    let name = yaml_str(m, "name").unwrap_or_default().to_owned();
    match yaml_str(m, "name") {
        Some(n) if Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").is_ok_and(|re| re.is_match(n)) => {}
        Some(n) => problems.push(format!("name `{n}` is not lowercase-hyphen (no `:`)")),
        None => problems.push("`name` is missing".to_owned()),
    }
    if yaml_str(m, "description").is_none_or(|d| d.trim().is_empty()) {
        problems.push("`description` is missing or empty".to_owned());
    }
    for key in ["description", "tools"] {
        let block = doc
            .raw
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .map(str::trim)
            .is_some_and(|v| v.starts_with(['>', '|']));
        if block {
            problems.push(format!(
                "`{key}` is a block scalar (`>`/`|`); the agent loader reads only an inline value"
            ));
        }
    }
    match yaml_str(m, "model") {
        None => problems
            .push("`model` is missing (inherit, sonnet, opus, haiku or a model id)".to_owned()),
        Some(model)
            if MODELS.contains(&model)
                || Regex::new(MODEL_ID).is_ok_and(|re| re.is_match(model)) => {}
        Some(model) => problems.push(format!(
            "model `{model}` is neither {} nor a claude-<family>-<version> id",
            MODELS.join(", ")
        )),
    }
    let color = yaml_str(m, "color").map(str::to_owned);
    match color.as_deref() {
        None => problems.push("`color` is missing".to_owned()),
        Some(c) if COLORS.contains(&c) => {}
        Some(c) => problems.push(format!("color `{c}` is not one of {}", COLORS.join(", "))),
    }
    let tools = agent_tools(m, &mut problems);
    let base = |t: &String| t.split('(').next().unwrap_or_default().trim().to_owned();
    let edits = tools.iter().map(base).any(|t| t.ends_with("Edit"));
    let writes = tools.iter().map(base).any(|t| t == "Write");
    if let Some(tier) = yaml_str(m, "sandbox-tier") {
        match TIERS.iter().position(|t| *t == tier) {
            None => problems.push(format!(
                "sandbox-tier `{tier}` is not one of {}",
                TIERS.join(", ")
            )),
            Some(0) if edits || writes => problems.push(format!(
                "sandbox-tier `{tier}` but the tools edit or write files (repo-write at least)"
            )),
            Some(_) => {}
        }
    }
    if let Some(schema) = yaml_str(m, "output-schema") {
        let path = r.root.join(schema);
        let parsed = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok());
        if !parsed.is_some_and(|v| v.is_object()) {
            problems.push(format!(
                "output-schema `{schema}` is missing or not a JSON object"
            ));
        }
    }
    // An agent that both edits and writes files is a wave worker: it must carry the rule that
    // subagents never stage, commit or stash (the coordinator commits).
    if edits && writes {
        let body = doc.body.to_lowercase();
        if !doc.body.contains("PSA-007") || !body.contains("git stash") {
            problems.push(
                "edits and writes files but its body lacks the subagent git rule (PSA-007, \
                 never `git stash`)"
                    .to_owned(),
            );
        }
    }
    report_doc(r, &at, "agent", problems);
    Some(AgentSeen { name, color })
}

/// An agent's `tools`: a comma-separated string or a list of strings.
fn agent_tools(m: &serde_yaml_ng::Mapping, problems: &mut Vec<String>) -> Vec<String> {
    match m.get("tools") {
        None => Vec::new(),
        Some(serde_yaml_ng::Value::String(s)) if s.split(',').any(|t| !t.trim().is_empty()) => s
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        Some(serde_yaml_ng::Value::Sequence(s))
            if !s.is_empty() && s.iter().all(serde_yaml_ng::Value::is_string) =>
        {
            s.iter()
                .filter_map(serde_yaml_ng::Value::as_str)
                .map(str::to_owned)
                .collect()
        }
        Some(_) => {
            problems.push("`tools` is empty or not a list of tool names".to_owned());
            Vec::new()
        }
    }
}

/// Two agents drawn in one colour are told apart only by name: a warning, not a failure.
fn check_agent_colors(r: &mut Report, seen: &[AgentSeen]) {
    let mut by_color: std::collections::BTreeMap<&str, Vec<&str>> =
        std::collections::BTreeMap::new();
    for a in seen {
        if let Some(c) = a.color.as_deref() {
            by_color.entry(c).or_default().push(&a.name);
        }
    }
    for (color, names) in by_color {
        if names.len() > 1 {
            r.warn(format!(
                "agents: {} share the color {color}",
                names.join(", ")
            ));
        }
    }
}

/// An output style (`output-styles/*.md`): `name` and `description` in its frontmatter.
fn check_output_style(r: &mut Report, file: &Path) {
    let Some(m) = frontmatter(r, file) else {
        return;
    };
    let at = r.rel(file);
    let mut problems = Vec::new();
    for key in ["name", "description"] {
        if yaml_str(&m, key).is_none_or(|v| v.trim().is_empty()) {
            problems.push(format!("`{key}` is missing or empty"));
        }
    }
    if m.get("keep-coding-instructions")
        .is_some_and(|v| !v.is_bool())
    {
        problems.push("`keep-coding-instructions` is not true or false".to_owned());
    }
    report_doc(r, &at, "output style", problems);
}

fn check_skill(r: &mut Report, file: &Path) {
    let Some(m) = frontmatter(r, file) else {
        return;
    };
    let at = r.rel(file);
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut problems = Vec::new();
    match yaml_str(&m, "name") {
        Some(n) if n == folder => {}
        Some(n) => problems.push(format!("name `{n}` differs from its folder `{folder}`")),
        None => problems.push("`name` is missing".to_owned()),
    }
    match yaml_str(&m, "description").map(|d| d.trim().chars().count()) {
        None | Some(0) => problems.push("`description` is missing or empty".to_owned()),
        Some(n) if n > DESCRIPTION_MAX => problems.push(format!(
            "description is {n} characters, over the {DESCRIPTION_MAX} the listing shows"
        )),
        Some(n) if n > DESCRIPTION_WARN => r.warn(format!(
            "{at}: description is {n} characters, over {DESCRIPTION_WARN}"
        )),
        Some(_) => {}
    }
    report_doc(r, &at, "skill", problems);
}

fn check_command(r: &mut Report, file: &Path) {
    let Some(m) = frontmatter(r, file) else {
        return;
    };
    let at = r.rel(file);
    let mut problems = Vec::new();
    if yaml_str(&m, "description").is_none_or(|d| d.trim().is_empty()) {
        problems.push("`description` is missing or empty".to_owned());
    }
    if m.get("argument-hint").is_some_and(|v| !v.is_string()) {
        problems.push("`argument-hint` is not a string".to_owned());
    }
    report_doc(r, &at, "command", problems);
}

fn report_doc(r: &mut Report, at: &str, kind: &str, problems: Vec<String>) {
    if problems.is_empty() {
        r.pass(format!("{at}: {kind} frontmatter valid"));
    }
    for p in problems {
        r.fail(format!("{at}: {p}"));
    }
}
