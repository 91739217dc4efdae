//! `session-orchestrator bootstrap --check | --tier fast|standard|deep`: the Bootstrap Gate
//! every entry skill runs first, and the scaffold that makes a project pass it.
//!
//! The gate: the project root's CLAUDE.md or AGENTS.md exists and is not empty, holds a
//! `## Session Config` section that `so-config` reads without errors, and
//! `.orchestrator/bootstrap.lock` is YAML with `version` and a `tier` (fast, standard, deep).
//!
//! The scaffold creates what is missing and never replaces what exists: a Session Config
//! section appended to the config file (gate commands detected from the project, the tier's
//! wave sizes; checked by `so-config` before it is written), the bootstrap lock, the
//! parallel-session rules (`<state-dir>/rules/parallel-sessions.md`, the plugin's copy built
//! into this binary) and a placeholder STATE.md.
//!
//! Exit codes: 0 ready (or scaffolded and ready; `--dry-run`: planned), 1 not ready or a
//! refused scaffold, 2 an I/O error, 64 bad arguments.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use so_config::{SessionConfig, Severity};
use so_scope::StateDir;
use so_state::{StateFile, current_time};

use crate::state_cmd::{Fail, current_branch, from_failure, pick_client};
use crate::wave_scope::{Cursor, client_name, project_root};

/// The parallel-session rules, vendored into projects (`rules/parallel-sessions.md`).
const RULES: &str = include_str!("../../../rules/parallel-sessions.md");

/// Where the rules go for a client's state directory, and their text there. Cursor reads
/// only `.mdc` rule files, and applies one to every request only with `alwaysApply: true`.
fn rules_file(state_dir: &str) -> (String, String) {
    if state_dir == ".cursor" {
        let text = RULES.replacen("\n---\n", "\nalwaysApply: true\n---\n", 1);
        (".cursor/rules/parallel-sessions.mdc".to_owned(), text)
    } else {
        (
            format!("{state_dir}/rules/parallel-sessions.md"),
            RULES.to_owned(),
        )
    }
}

/// The bootstrap lock, relative to the project root.
const BOOTSTRAP_LOCK: &str = ".orchestrator/bootstrap.lock";

/// Bootstrap tiers, smallest first.
const TIERS: [&str; 3] = ["fast", "standard", "deep"];

/// The gate commands every Session Config must set.
const COMMANDS: [&str; 3] = ["test-command", "typecheck-command", "lint-command"];

struct Options<'a> {
    check: bool,
    json: bool,
    tier: Option<&'a str>,
    client: Option<StateDir>,
    project: Option<&'a str>,
    dry_run: bool,
}

fn parse(args: &[String]) -> Result<Options<'_>, Fail> {
    let mut o = Options {
        check: false,
        json: false,
        tier: None,
        client: None,
        project: None,
        dry_run: false,
    };
    let mut c = Cursor::new(args);
    let twice = |f: &str| Fail::Usage(format!("`{f}` is given twice"));
    while let Some(a) = c.next_arg() {
        match a {
            "--check" => o.check = true,
            "--json" => o.json = true,
            "--dry-run" => o.dry_run = true,
            "--tier" => {
                let v = c
                    .value("--tier", "fast, standard or deep")
                    .map_err(from_failure)?;
                if o.tier.replace(v).is_some() {
                    return Err(twice("--tier"));
                }
            }
            "--client" => {
                let v = c
                    .value("--client", "claude, codex or cursor")
                    .map_err(from_failure)?;
                let s = StateDir::from_client(v).ok_or_else(|| {
                    Fail::Usage(format!("unknown client `{v}`: use claude, codex or cursor"))
                })?;
                if o.client.replace(s).is_some() {
                    return Err(twice("--client"));
                }
            }
            "--project" => {
                let v = c
                    .value("--project", "the project directory")
                    .map_err(from_failure)?;
                if o.project.replace(v).is_some() {
                    return Err(twice("--project"));
                }
            }
            other => {
                return Err(Fail::Usage(format!(
                    "unknown argument `{other}` for `bootstrap`"
                )));
            }
        }
    }
    match (o.check, o.tier) {
        (true, Some(_)) => Err(Fail::Usage(
            "`bootstrap` takes `--check` or `--tier`, not both".to_owned(),
        )),
        (false, None) => Err(Fail::Usage(
            "`bootstrap` needs `--check` or `--tier fast|standard|deep`".to_owned(),
        )),
        (true, None) if o.client.is_some() || o.dry_run => Err(Fail::Usage(
            "`bootstrap --check` takes only `--json` and `--project DIR`".to_owned(),
        )),
        (false, Some(_)) if o.json => Err(Fail::Usage(
            "`bootstrap --tier` takes `--client`, `--project` and `--dry-run`; `--json` goes with `--check`".to_owned(),
        )),
        _ => Ok(o),
    }
}

/// `bootstrap ...`.
pub fn run(args: &[String]) -> ExitCode {
    let result = parse(args).and_then(|o| {
        let root = project_root(o.project).map_err(from_failure)?;
        match o.tier {
            Some(tier) => scaffold(&o, tier, &root),
            None => Ok(check(&o, &root)),
        }
    });
    result.unwrap_or_else(Fail::report)
}

/// One thing the gate misses, and the command that fixes it.
struct Problem {
    item: &'static str,
    message: String,
    fix: String,
}

/// What the gate found.
struct Gate {
    problems: Vec<Problem>,
    /// The config file and its section's line, when both are there.
    config: Option<(String, usize)>,
    tier: Option<String>,
}

/// The project root's own config file, picked as the guards pick it.
fn config_file(root: &Path) -> Option<PathBuf> {
    so_config::find_config_file(root).filter(|p| p.parent() == Some(root))
}

fn name_in(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The bootstrap lock's tier, or what is wrong with the file.
fn read_lock(root: &Path) -> Option<Result<String, String>> {
    let text = fs::read_to_string(root.join(BOOTSTRAP_LOCK)).ok()?;
    let value: serde_yaml_ng::Value = match serde_yaml_ng::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("is not YAML ({e})"))),
    };
    let version = value.get("version").filter(|v| !v.is_null());
    let tier = value.get("tier").and_then(serde_yaml_ng::Value::as_str);
    Some(match (version, tier) {
        (None, _) => Err("has no `version`".to_owned()),
        (_, Some(t)) if TIERS.contains(&t) => Ok(t.to_owned()),
        (_, Some(t)) => Err(format!(
            "has `tier: {t}`; the tiers are fast, standard and deep"
        )),
        (_, None) => Err("has no `tier` (fast, standard or deep)".to_owned()),
    })
}

fn gate(root: &Path, project_flag: Option<&str>) -> Gate {
    let mut problems = Vec::new();
    let lock = read_lock(root);
    let tier = match &lock {
        Some(Ok(t)) => t.clone(),
        _ => "standard".to_owned(),
    };
    let project =
        project_flag.map_or_else(String::new, |p| format!(" --project {}", shell_word(p)));
    let scaffold = format!("session-orchestrator bootstrap --tier {tier}{project}");
    let mut config = None;
    match config_file(root) {
        None => problems.push(Problem {
            item: "config-file",
            message: format!(
                "no CLAUDE.md or AGENTS.md in the project root {}",
                root.display()
            ),
            fix: scaffold.clone(),
        }),
        Some(path) => {
            let name = name_in(root, &path);
            match fs::read_to_string(&path) {
                Err(e) => problems.push(Problem {
                    item: "config-file",
                    message: format!("{name} cannot be read: {e}"),
                    fix: format!("chmod u+r {}", shell_word(&name)),
                }),
                Ok(text) if text.trim().is_empty() => problems.push(Problem {
                    item: "config-file",
                    message: format!("{name} is empty"),
                    fix: scaffold.clone(),
                }),
                Ok(text) => {
                    let parsed = SessionConfig::parse(&text, Path::new(&name));
                    match parsed.section_line() {
                        None => problems.push(Problem {
                            item: "session-config",
                            message: format!("{name} has no `## Session Config` section"),
                            fix: scaffold.clone(),
                        }),
                        Some(line) => {
                            for d in parsed
                                .diagnostics()
                                .iter()
                                .filter(|d| d.severity == Severity::Error)
                            {
                                problems.push(Problem {
                                    item: "session-config",
                                    message: format!(
                                        "{name}:{}:{}: {}",
                                        d.line, d.column, d.message
                                    ),
                                    fix: format!(
                                        "edit line {} of {name}, then `session-orchestrator config{project}` shows it read cleanly",
                                        d.line
                                    ),
                                });
                            }
                            config = Some((name, line));
                        }
                    }
                }
            }
        }
    }
    let rewrite = format!("printf 'version: 1\\ntier: {tier}\\n' > {BOOTSTRAP_LOCK}");
    match &lock {
        None => problems.push(Problem {
            item: "bootstrap-lock",
            message: format!("no {BOOTSTRAP_LOCK}"),
            fix: scaffold,
        }),
        Some(Err(why)) => problems.push(Problem {
            item: "bootstrap-lock",
            message: format!("{BOOTSTRAP_LOCK} {why}"),
            fix: rewrite,
        }),
        Some(Ok(_)) => {}
    }
    Gate {
        problems,
        config,
        tier: lock.and_then(Result::ok),
    }
}

/// `s` quoted for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn gate_text(g: &Gate, root: &Path) -> String {
    let mut out = String::new();
    if g.problems.is_empty() {
        let (file, line) = g.config.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "bootstrap gate: ready — {file} (Session Config at line {line}), {BOOTSTRAP_LOCK} (tier {})",
            g.tier.as_deref().unwrap_or("?")
        );
    } else {
        let _ = writeln!(out, "bootstrap gate: not ready ({})", root.display());
        for p in &g.problems {
            let _ = writeln!(out, "missing: {} — fix: {}", p.message, p.fix);
        }
    }
    out
}

fn check(o: &Options<'_>, root: &Path) -> ExitCode {
    let g = gate(root, o.project);
    if o.json {
        let problems: Vec<_> = g
            .problems
            .iter()
            .map(|p| json!({"item": p.item, "message": p.message, "fix": p.fix}))
            .collect();
        let out = json!({
            "ready": g.problems.is_empty(),
            "project": root.display().to_string(),
            "problems": problems,
        });
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&out).unwrap_or_default()
        ));
    } else {
        crate::emit(&gate_text(&g, root));
    }
    ExitCode::from(u8::from(!g.problems.is_empty()))
}

/// The gate commands detected for a project, and what they were detected from.
struct Detected {
    from: &'static str,
    test: Option<String>,
    typecheck: Option<String>,
    lint: Option<String>,
}

fn detect(root: &Path) -> Detected {
    let exists = |name: &str| root.join(name).is_file();
    let read = |name: &str| fs::read_to_string(root.join(name)).unwrap_or_default();
    let some = |s: &str| Some(s.to_owned());
    if exists("Cargo.toml") {
        return Detected {
            from: "Cargo.toml",
            test: some("cargo test"),
            typecheck: some("cargo check"),
            lint: some("cargo clippy -- -D warnings"),
        };
    }
    if exists("package.json") {
        let scripts = serde_json::from_str::<serde_json::Value>(&read("package.json"))
            .ok()
            .and_then(|v| v.get("scripts").cloned())
            .unwrap_or_default();
        let script = |names: &[&str]| {
            names.iter().find_map(|n| {
                let body = scripts.get(*n)?.as_str()?;
                // `npm init` writes a test script that only fails.
                (!body.contains("no test specified")).then(|| format!("npm run {n}"))
            })
        };
        return Detected {
            from: "package.json",
            test: script(&["test"]),
            typecheck: script(&["typecheck", "type-check"]),
            lint: script(&["lint"]),
        };
    }
    if ["pyproject.toml", "setup.py", "setup.cfg", "pytest.ini"]
        .iter()
        .any(|f| exists(f))
    {
        let pyproject = read("pyproject.toml");
        let setup_cfg = read("setup.cfg");
        let has_table =
            |text: &str, table: &str| text.lines().any(|l| l.trim_start().starts_with(table));
        let mypy = has_table(&pyproject, "[tool.mypy")
            || has_table(&setup_cfg, "[mypy")
            || exists("mypy.ini")
            || exists(".mypy.ini");
        let ruff =
            has_table(&pyproject, "[tool.ruff") || exists("ruff.toml") || exists(".ruff.toml");
        return Detected {
            from: "pyproject.toml / Python",
            test: some("pytest"),
            typecheck: mypy.then(|| "mypy .".to_owned()),
            lint: ruff.then(|| "ruff check .".to_owned()),
        };
    }
    if exists("go.mod") {
        return Detected {
            from: "go.mod",
            test: some("go test ./..."),
            typecheck: some("go build ./..."),
            lint: some("go vet ./..."),
        };
    }
    Detected {
        from: "nothing recognised",
        test: None,
        typecheck: None,
        lint: None,
    }
}

/// `(waves, agents-per-wave)` of a tier.
fn tier_sizes(tier: &str) -> (&'static str, &'static str) {
    match tier {
        "fast" => ("3", "2"),
        "deep" => ("5", "6 (deep: 10)"),
        _ => ("5", "4 (deep: 6)"),
    }
}

fn section_text(tier: &str, d: &Detected) -> String {
    let (waves, agents) = tier_sizes(tier);
    let mut out = String::from("## Session Config\n\n");
    let _ = writeln!(
        out,
        "Written by `session-orchestrator bootstrap --tier {tier}` (gate commands detected from {}); check it with `session-orchestrator config --validate`.\n",
        d.from
    );
    for (key, value, what) in [
        ("test-command", &d.test, "test"),
        ("typecheck-command", &d.typecheck, "type-check"),
        ("lint-command", &d.lint, "lint"),
    ] {
        match value {
            Some(cmd) => {
                let _ = writeln!(out, "- **{key}:** {cmd}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "- **{key}:** skip  # none detected: replace `skip` with this project's {what} command"
                );
            }
        }
    }
    let _ = writeln!(out, "- **waves:** {waves}");
    let _ = writeln!(out, "- **agents-per-wave:** {agents}");
    let _ = writeln!(out, "- **persistence:** true");
    let _ = writeln!(out, "- **enforcement:** strict");
    out
}

/// What `so-config` rejects in `text`: errors, a missing section, and the mandatory fields
/// `config --validate` checks.
fn rejected(text: &str, name: &str) -> Vec<String> {
    let config = SessionConfig::parse(text, Path::new(name));
    let mut out: Vec<String> = config
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{name}:{}: {}", d.line, d.message))
        .collect();
    if !config.has_section() {
        out.push(format!("{name}: no `## Session Config` section"));
    }
    for key in COMMANDS {
        if config.get_str(key).is_none_or(|v| v.trim().is_empty()) {
            out.push(format!("`{key}` is not set"));
        }
    }
    match config.get_int_with_overrides("agents-per-wave") {
        Ok(Some(v)) if v.default >= 2 => {}
        other => out.push(format!("`agents-per-wave` must be at least 2 ({other:?})")),
    }
    match config.get_int("waves") {
        Ok(Some(n)) if n >= 3 => {}
        other => out.push(format!("`waves` must be at least 3 ({other:?})")),
    }
    if let Err(e) = config.get_bool("persistence") {
        out.push(e.to_string());
    }
    if let Err(e) = config.enforcement() {
        out.push(e.to_string());
    }
    out
}

/// One line of the scaffold's report.
enum Step {
    Create { path: String, what: String },
    Keep { path: String, why: String },
}

/// Plans (and unless `dry_run`, writes) the Session Config.
fn session_config(
    root: &Path,
    state: StateDir,
    tier: &str,
    dry_run: bool,
) -> Result<(Step, Option<String>), Fail> {
    let files = ["CLAUDE.md", "AGENTS.md"];
    for f in files {
        let path = root.join(f);
        if let Ok(text) = fs::read_to_string(&path)
            && let Some(line) = SessionConfig::parse(&text, &path).section_line()
        {
            return Ok((
                Step::Keep {
                    path: f.to_owned(),
                    why: format!("already has a Session Config section (line {line})"),
                },
                None,
            ));
        }
    }
    let preferred = if state == StateDir::Claude {
        "CLAUDE.md"
    } else {
        "AGENTS.md"
    };
    let name = if root.join(preferred).is_file() {
        preferred
    } else {
        files
            .into_iter()
            .find(|f| root.join(f).is_file())
            .unwrap_or(preferred)
    };
    let path = root.join(name);
    let existing = match fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Fail::Io(format!("cannot read `{}`: {e}", path.display()))),
    };
    let detected = detect(root);
    let section = section_text(tier, &detected);
    let mut text = existing.clone().unwrap_or_default();
    if text.trim().is_empty() {
        text.clear();
    } else {
        while !text.ends_with("\n\n") {
            text.push('\n');
        }
    }
    text.push_str(&section);
    if existing.as_deref().is_some_and(|t| t.contains("\r\n")) {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let problems = rejected(&text, name);
    if !problems.is_empty() {
        return Err(Fail::Invalid(format!(
            "refusing to write a Session Config that so-config rejects:\n{}",
            problems.join("\n")
        )));
    }
    if !dry_run {
        so_events::replace_file(&path, text.as_bytes())
            .map_err(|e| Fail::Io(format!("cannot write `{}`: {e}", path.display())))?;
    }
    let what = format!(
        "{} a `## Session Config` section (tier {tier}, gate commands from {})",
        if existing.is_some() {
            "appended"
        } else {
            "with"
        },
        detected.from
    );
    Ok((
        Step::Create {
            path: name.to_owned(),
            what,
        },
        Some(section),
    ))
}

/// Creates `path` with `text` unless it exists (never replaced, even in a race).
fn create_new(path: &Path, text: &str) -> Result<bool, Fail> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| Fail::Io(format!("cannot create `{}`: {e}", dir.display())))?;
    }
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut f) => {
            f.write_all(text.as_bytes())
                .map_err(|e| Fail::Io(format!("cannot write `{}`: {e}", path.display())))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Fail::Io(format!("cannot create `{}`: {e}", path.display()))),
    }
}

/// Creates `rel` (under `root`) with `text` unless it exists; `kept` says why an existing
/// file is left alone.
fn file_step(
    root: &Path,
    rel: &str,
    text: &str,
    what: String,
    kept: impl FnOnce() -> String,
    dry_run: bool,
) -> Result<Step, Fail> {
    let path = root.join(rel);
    if path.exists() {
        return Ok(Step::Keep {
            path: rel.to_owned(),
            why: kept(),
        });
    }
    Ok(if dry_run || create_new(&path, text)? {
        Step::Create {
            path: rel.to_owned(),
            what,
        }
    } else {
        Step::Keep {
            path: rel.to_owned(),
            why: "appeared meanwhile".to_owned(),
        }
    })
}

/// The placeholder STATE.md, written through `so-state` (under its lock).
fn state_step(root: &Path, state: StateDir, now: &str, dry_run: bool) -> Result<Step, Fail> {
    let file = StateFile::new(root, state.dir());
    let path = name_in(root, file.path());
    if file.path().exists() {
        return Ok(Step::Keep {
            path,
            why: "exists".to_owned(),
        });
    }
    let branch = current_branch(root);
    Ok(
        if dry_run || file.create_placeholder(&branch, now)?.is_some() {
            Step::Create {
                path,
                what: format!("a placeholder (session-type none, status idle, branch {branch})"),
            }
        } else {
            Step::Keep {
                path,
                why: "appeared meanwhile".to_owned(),
            }
        },
    )
}

fn scaffold(o: &Options<'_>, tier: &str, root: &Path) -> Result<ExitCode, Fail> {
    if !TIERS.contains(&tier) {
        return Err(Fail::Invalid(format!(
            "`--tier` must be fast, standard or deep, got `{tier}`"
        )));
    }
    let client = pick_client(o.client);
    let state = client.state;
    let now = current_time();
    let (config_step, section) = session_config(root, state, tier, o.dry_run)?;
    let lock_kept = || match read_lock(root) {
        Some(Ok(t)) if t == tier => format!("exists (tier {t})"),
        Some(Ok(t)) => format!("exists with tier {t}; --tier {tier} is not recorded"),
        Some(Err(why)) => format!("exists but {why}: fix it by hand"),
        None => "exists but cannot be read".to_owned(),
    };
    let (rules_rel, rules) = rules_file(state.dir());
    let rules_kept = || {
        if fs::read_to_string(root.join(&rules_rel)).is_ok_and(|t| t == rules) {
            "exists (the plugin's copy)".to_owned()
        } else {
            "exists and differs from the plugin's copy: left as it is".to_owned()
        }
    };
    let steps = [
        config_step,
        file_step(
            root,
            BOOTSTRAP_LOCK,
            &format!("version: 1\ntier: {tier}\ncreated_at: {now}\n"),
            format!("version 1, tier {tier}"),
            lock_kept,
            o.dry_run,
        )?,
        file_step(
            root,
            &rules_rel,
            &rules,
            "the parallel-session rules PSA-001 to PSA-007".to_owned(),
            rules_kept,
            o.dry_run,
        )?,
        state_step(root, state, &now, o.dry_run)?,
    ];

    let mut out = String::new();
    let _ = writeln!(
        out,
        "bootstrap --tier {tier} in {} (client {}, {}){}",
        root.display(),
        client_name(state),
        client.source,
        if o.dry_run {
            ": dry run, nothing written"
        } else {
            ""
        }
    );
    for s in &steps {
        let _ = match s {
            Step::Create { path, what } => writeln!(
                out,
                "{} {path}: {what}",
                if o.dry_run { "would create" } else { "created" }
            ),
            Step::Keep { path, why } => writeln!(out, "left alone {path}: {why}"),
        };
    }
    if o.dry_run {
        if let Some(section) = section {
            let _ = write!(out, "\nthe Session Config it would append:\n\n{section}");
        }
        crate::emit(&out);
        return Ok(ExitCode::SUCCESS);
    }
    let g = gate(root, o.project);
    out.push_str(&gate_text(&g, root));
    crate::emit(&out);
    Ok(ExitCode::from(u8::from(!g.problems.is_empty())))
}
