//! `session-orchestrator state show|init|set|append|section|reset`: the only way STATE.md is
//! written. Parsing, transitions and the lock live in `so-state`; this is arguments and
//! output.
//!
//! The file is `<project>/<state-dir>/STATE.md`, the state directory chosen as for the wave
//! manifest (`--client`, else detected from the environment).
//!
//! Exit codes: 0 done, 1 invalid input or a refused transition (a STATE.md that does not
//! parse included), 2 no STATE.md or an I/O error (the lock not had in time included), 64 bad
//! arguments.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use serde_json::{Map, Value, json};
use so_scope::StateDir;
use so_state::{
    InitParams, SectionName, SessionType, Started, StateDoc, StateError, StateFile, Status,
    current_time, parse_issues,
};

use crate::wave_scope::{Client, Cursor, Failure, client_name, detect_client, project_root};

/// Why a `state` command failed, by exit code.
pub(crate) enum Fail {
    /// 64: the arguments are malformed.
    Usage(String),
    /// 1: a value is invalid or the transition is refused.
    Invalid(String),
    /// 2: no STATE.md, or a file could not be read or written.
    Io(String),
}

impl Fail {
    pub(crate) fn report(self) -> ExitCode {
        let (code, text) = match self {
            Self::Usage(m) => (64, m),
            Self::Invalid(m) => (1, m),
            Self::Io(m) => (2, m),
        };
        for line in text.lines() {
            eprintln!("error: {line}");
        }
        ExitCode::from(code)
    }
}

impl From<StateError> for Fail {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Corrupt { .. } | StateError::Invalid(_) => Self::Invalid(e.to_string()),
            StateError::Missing { .. } | StateError::Io { .. } | StateError::LockTimeout { .. } => {
                Self::Io(e.to_string())
            }
        }
    }
}

/// Argument-reading failures are usage errors; the project directory is an I/O matter.
pub(crate) fn from_failure(f: Failure) -> Fail {
    match f {
        Failure::Invalid(m) => Fail::Usage(m.join("\n")),
        Failure::Io(m) => Fail::Io(m),
    }
}

/// `--json`, `--client`, `--project`.
#[derive(Default)]
pub(crate) struct Common<'a> {
    pub(crate) json: bool,
    pub(crate) client: Option<StateDir>,
    pub(crate) project: Option<&'a str>,
}

impl<'a> Common<'a> {
    /// Handles `arg` if it is a common option.
    fn take(&mut self, arg: &str, c: &mut Cursor<'a>) -> Result<bool, Fail> {
        match arg {
            "--json" => self.json = true,
            "--client" => {
                let v = c
                    .value("--client", "claude, codex or cursor")
                    .map_err(from_failure)?;
                let state = StateDir::from_client(v).ok_or_else(|| {
                    Fail::Usage(format!("unknown client `{v}`: use claude, codex or cursor"))
                })?;
                once(&mut self.client, "--client", state)?;
            }
            "--project" => {
                let v = c
                    .value("--project", "the project directory")
                    .map_err(from_failure)?;
                once(&mut self.project, "--project", v)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The project's STATE.md, the client it belongs to, and the project root.
    fn open(&self) -> Result<(StateFile, Client, PathBuf), Fail> {
        let root = project_root(self.project).map_err(from_failure)?;
        let client = pick_client(self.client);
        let file = StateFile::new(&root, client.state.dir()).with_timeout(lock_timeout(&root));
        Ok((file, client, root))
    }
}

fn once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), Fail> {
    if slot.is_some() {
        return Err(Fail::Usage(format!("`{flag}` is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// `--client`, else the client detected from the environment.
pub(crate) fn pick_client(flag: Option<StateDir>) -> Client {
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

/// The current branch of the git repository at `root` — also on a branch with no commit
/// yet (a fresh `git init`); `HEAD` when detached; `none` outside a repository (or without
/// git).
pub(crate) fn current_branch(root: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    git(&["symbolic-ref", "--short", "-q", "HEAD"])
        .or_else(|| git(&["rev-parse", "--abbrev-ref", "HEAD"]))
        .unwrap_or_else(|| "none".to_owned())
}

/// A command's arguments: its options (common and its own) and its operands.
struct Parsed<'a> {
    common: Common<'a>,
    operands: Vec<&'a str>,
}

/// Reads `args`: common options, `own` options (a flag and whether it takes a value), and
/// operands; `--` ends the options. `own` values come back through `seen`.
fn parse<'a>(
    args: &'a [String],
    command: &str,
    own: &[(&'a str, bool)],
    seen: &mut Vec<(&'a str, Option<&'a str>)>,
) -> Result<Parsed<'a>, Fail> {
    let mut common = Common::default();
    let mut operands = Vec::new();
    let mut c = Cursor::new(args);
    let mut rest = false;
    while let Some(a) = c.next_arg() {
        if rest {
            operands.push(a);
            continue;
        }
        if a == "--" {
            rest = true;
            continue;
        }
        if common.take(a, &mut c)? {
            continue;
        }
        if let Some((flag, takes)) = own.iter().find(|(f, _)| *f == a) {
            if seen.iter().any(|(f, _)| f == flag) {
                return Err(Fail::Usage(format!("`{flag}` is given twice")));
            }
            let value = if *takes {
                // `--text ""` clears a section: the one flag whose empty value means something.
                if *flag == "--text" {
                    Some(
                        c.next_arg()
                            .ok_or_else(|| Fail::Usage("`--text` needs the text".to_owned()))?,
                    )
                } else {
                    Some(c.value(flag, "a value").map_err(from_failure)?)
                }
            } else {
                None
            };
            seen.push((flag, value));
            continue;
        }
        // A flag never holds a space: `-- done twice` is TEXT.
        if a.starts_with("--") && !a.contains(char::is_whitespace) {
            return Err(Fail::Usage(format!(
                "unknown argument `{a}` for `state {command}`"
            )));
        }
        operands.push(a);
    }
    Ok(Parsed { common, operands })
}

fn flag<'a>(seen: &[(&str, Option<&'a str>)], name: &str) -> Option<&'a str> {
    seen.iter().find(|(f, _)| *f == name).and_then(|(_, v)| *v)
}

fn has(seen: &[(&str, Option<&str>)], name: &str) -> bool {
    seen.iter().any(|(f, _)| *f == name)
}

fn no_operands(p: &Parsed<'_>, command: &str) -> Result<(), Fail> {
    match p.operands.first() {
        Some(o) => Err(Fail::Usage(format!(
            "`state {command}` takes no operand, got `{o}`"
        ))),
        None => Ok(()),
    }
}

/// `state ...`.
pub fn run(args: &[String]) -> ExitCode {
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("show") => show(rest),
        Some("init") => init(rest),
        Some("set") => set(rest),
        Some("append") => append(rest),
        Some("section") => section(rest),
        Some("reset") => reset(rest),
        Some(other) => Err(Fail::Usage(format!(
            "unknown `state` command `{other}`: use show, init, set, append, section or reset"
        ))),
        None => Err(Fail::Usage(
            "`state` needs a command: show, init, set, append, section or reset".to_owned(),
        )),
    };
    result.unwrap_or_else(Fail::report)
}

fn show(args: &[String]) -> Result<ExitCode, Fail> {
    let p = parse(args, "show", &[], &mut Vec::new())?;
    no_operands(&p, "show")?;
    let (file, client, _) = p.common.open()?;
    let doc = file.load()?.ok_or_else(|| {
        Fail::from(StateError::Missing {
            path: file.path().to_path_buf(),
        })
    })?;
    if p.common.json {
        emit_json(&document_json(&file, &doc));
        return Ok(ExitCode::SUCCESS);
    }
    let fm = &doc.frontmatter;
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary(&doc));
    let _ = writeln!(
        out,
        "file: {} (client {}, {})\n",
        file.path().display(),
        client_name(client.state),
        client.source
    );
    out.push_str(&fm.to_yaml());
    if !doc.preamble().is_empty() {
        let _ = write!(out, "\n{}\n", doc.preamble());
    }
    for (title, _, body) in doc.sections() {
        let body = if body.is_empty() { "(empty)" } else { body };
        let _ = write!(out, "\n## {title}\n\n{body}\n");
    }
    crate::emit(&out);
    Ok(ExitCode::SUCCESS)
}

/// One line saying where the session stands.
fn summary(doc: &StateDoc) -> String {
    let fm = &doc.frontmatter;
    if fm.session_type == SessionType::None {
        return format!("{}: no session (branch {})", fm.status.as_str(), fm.branch);
    }
    let mut s = format!(
        "{} {} session on {}: wave {} of {}, started {}",
        fm.status.as_str(),
        fm.session_type.as_str(),
        fm.branch,
        fm.current_wave,
        fm.total_waves,
        fm.started_at
    );
    if !fm.issues.is_empty() {
        let issues: Vec<String> = fm.issues.iter().map(|n| format!("#{n}")).collect();
        let _ = write!(s, ", issues {}", issues.join(", "));
    }
    s
}

/// `{file, frontmatter, sections}`; known sections by their command-line name, others by
/// their heading.
fn document_json(file: &StateFile, doc: &StateDoc) -> Value {
    let mut sections = Map::new();
    for (title, name, body) in doc.sections() {
        let key = name.map_or(title, |n| n.kebab());
        sections.insert(key.to_owned(), Value::String(body.to_owned()));
    }
    json!({
        "file": file.path().display().to_string(),
        "frontmatter": doc.frontmatter.to_json(),
        "sections": sections,
    })
}

fn emit_json(value: &Value) {
    crate::emit(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    ));
}

fn init(args: &[String]) -> Result<ExitCode, Fail> {
    let own = [
        ("--session-type", true),
        ("--total-waves", true),
        ("--branch", true),
        ("--issues", true),
        ("--session", true),
        ("--session-start-ref", true),
        ("--force", false),
    ];
    let mut seen = Vec::new();
    let p = parse(args, "init", &own, &mut seen)?;
    no_operands(&p, "init")?;
    let missing = |f: &str, what: &str| Fail::Usage(format!("`state init` needs `{f} {what}`"));
    let session_type = flag(&seen, "--session-type")
        .ok_or_else(|| missing("--session-type", "feature|deep|housekeeping|none"))?;
    let total_waves = flag(&seen, "--total-waves").ok_or_else(|| missing("--total-waves", "N"))?;
    let session_type = SessionType::parse(session_type).ok_or_else(|| {
        Fail::Invalid(format!(
            "`--session-type` must be feature, deep, housekeeping or none, got `{session_type}`"
        ))
    })?;
    let total_waves = total_waves.parse::<u32>().map_err(|_| {
        Fail::Invalid(format!(
            "`--total-waves` must be a whole number, 0 or more, got `{total_waves}`"
        ))
    })?;
    let issues = flag(&seen, "--issues")
        .map(parse_issues)
        .transpose()
        .map_err(|e| Fail::Invalid(format!("`--issues`: {e}")))?
        .unwrap_or_default();
    let (file, _, root) = p.common.open()?;
    let branch = flag(&seen, "--branch").map_or_else(|| current_branch(&root), str::to_owned);
    let params = InitParams {
        session_type,
        total_waves,
        branch,
        issues,
        session: flag(&seen, "--session").map(str::to_owned),
        session_start_ref: flag(&seen, "--session-start-ref").map(str::to_owned),
    };
    let done = file.init(&params, has(&seen, "--force"), &current_time())?;
    let before = match done.started {
        Started::Fresh => Value::Null,
        Started::After(s) => s.as_str().into(),
        Started::OverCorrupt => "corrupt".into(),
    };
    let mut notes = Vec::new();
    match done.started {
        Started::Fresh => {}
        Started::After(Status::Idle) => notes.push(
            "started from the idle state: Previous Session, What Not To Retry and Open Questions are kept".to_owned(),
        ),
        Started::After(s) => notes.push(format!(
            "the {} session before it went to `## Previous Session`; What Not To Retry and Open Questions carry over",
            s.as_str()
        )),
        Started::OverCorrupt => notes.push("replaced a STATE.md that did not parse (--force)".to_owned()),
    }
    if let Some(copy) = &done.backup {
        notes.push(format!("its old text is kept in {}", copy.display()));
    }
    if p.common.json {
        let mut out = document_json(&file, &done.doc);
        out["action"] = "init".into();
        out["before"] = before;
        out["backup"] = done.backup.map(|b| b.display().to_string()).into();
        emit_json(&out);
    } else {
        for n in &notes {
            eprintln!("note: {n}");
        }
        crate::emit(&format!(
            "{}\nwrote {}\n",
            summary(&done.doc),
            file.path().display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn set(args: &[String]) -> Result<ExitCode, Fail> {
    let p = parse(args, "set", &[], &mut Vec::new())?;
    if p.operands.is_empty() {
        return Err(Fail::Usage(
            "`state set` needs at least one KEY=VALUE (e.g. `status=paused`)".to_owned(),
        ));
    }
    let mut assignments = Vec::new();
    for o in &p.operands {
        let (k, v) = o.split_once('=').ok_or_else(|| {
            Fail::Usage(format!(
                "`{o}` is not KEY=VALUE: write it like `current-wave=2` (an empty VALUE removes an optional key)"
            ))
        })?;
        assignments.push((k.trim().to_owned(), v.to_owned()));
    }
    let (file, _, _) = p.common.open()?;
    let (doc, keys) = file.set(&assignments, &current_time())?;
    if p.common.json {
        let mut out = document_json(&file, &doc);
        out["action"] = "set".into();
        out["keys"] = keys.into();
        emit_json(&out);
    } else {
        let fm = doc.frontmatter.to_json();
        let shown: Vec<String> = keys
            .iter()
            .map(|k| match fm.get(k) {
                Some(Value::String(s)) => format!("{k}={s}"),
                Some(Value::Array(items)) => {
                    let items: Vec<String> = items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect();
                    format!("{k}=[{}]", items.join(", "))
                }
                Some(v) => format!("{k}={v}"),
                None => format!("{k} removed"),
            })
            .collect();
        crate::emit(&format!(
            "set {} in {}\n",
            shown.join(", "),
            file.path().display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn section_name(name: &str) -> Result<SectionName, Fail> {
    SectionName::from_kebab(name).ok_or_else(|| {
        Fail::Invalid(format!(
            "unknown section `{name}`: use {}",
            SectionName::ALL.map(SectionName::kebab).join(", ")
        ))
    })
}

/// Tells the user what a cap dropped.
fn report_dropped(name: SectionName, dropped: &[String]) {
    if let (Some(cap), false) = (name.cap(), dropped.is_empty()) {
        eprintln!(
            "note: `## {}` keeps at most {cap} entries; dropped the oldest {}:",
            name.title(),
            dropped.len()
        );
        for d in dropped {
            eprintln!("  {d}");
        }
    }
}

fn edited(
    p: &Parsed<'_>,
    file: &StateFile,
    action: &str,
    name: SectionName,
    doc: &StateDoc,
    dropped: &[String],
) {
    report_dropped(name, dropped);
    if p.common.json {
        let mut out = document_json(file, doc);
        out["action"] = action.into();
        out["section"] = name.kebab().into();
        out["dropped"] = dropped.into();
        emit_json(&out);
    } else {
        let verb = if action == "append" {
            "appended to"
        } else {
            "replaced"
        };
        crate::emit(&format!(
            "{verb} `## {}` in {}\n",
            name.title(),
            file.path().display()
        ));
    }
}

fn append(args: &[String]) -> Result<ExitCode, Fail> {
    let p = parse(args, "append", &[], &mut Vec::new())?;
    let [name, text] = p.operands[..] else {
        return Err(Fail::Usage(format!(
            "`state append` takes SECTION and TEXT (quote TEXT), got {} operand(s)",
            p.operands.len()
        )));
    };
    let name = section_name(name)?;
    let (file, _, _) = p.common.open()?;
    let (doc, dropped) = file.append(name, text, &current_time())?;
    edited(&p, &file, "append", name, &doc, &dropped);
    Ok(ExitCode::SUCCESS)
}

fn section(args: &[String]) -> Result<ExitCode, Fail> {
    let mut seen = Vec::new();
    let p = parse(
        args,
        "section",
        &[("--text", true), ("--file", true)],
        &mut seen,
    )?;
    let [name] = p.operands[..] else {
        return Err(Fail::Usage(format!(
            "`state section` takes one SECTION, got {} operand(s)",
            p.operands.len()
        )));
    };
    let body = match (flag(&seen, "--text"), flag(&seen, "--file")) {
        (Some(t), None) => t.to_owned(),
        (None, Some(f)) => {
            crate::wave_scope::read_input(f)
                .map_err(|e| match e {
                    Failure::Io(m) => Fail::Io(m),
                    Failure::Invalid(m) => Fail::Usage(m.join("\n")),
                })?
                .0
        }
        _ => {
            return Err(Fail::Usage(
                "`state section` needs the new body: `--text TEXT` or `--file FILE` (`-` for stdin), not both".to_owned(),
            ));
        }
    };
    let name = section_name(name)?;
    let (file, _, _) = p.common.open()?;
    let (doc, dropped) = file.replace_section(name, &body, &current_time())?;
    edited(&p, &file, "section", name, &doc, &dropped);
    Ok(ExitCode::SUCCESS)
}

fn reset(args: &[String]) -> Result<ExitCode, Fail> {
    let p = parse(args, "reset", &[], &mut Vec::new())?;
    no_operands(&p, "reset")?;
    let (file, _, _) = p.common.open()?;
    let doc = file.reset(&current_time())?;
    if p.common.json {
        let mut out = document_json(&file, &doc);
        out["action"] = "reset".into();
        emit_json(&out);
    } else {
        crate::emit(&format!(
            "reset {} to idle: the session's history is under `## Previous Session`; What Not To Retry and Open Questions are kept\n",
            file.path().display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `state-md-lock.timeout-ms` from the Session Config (through `so-config`), else the
/// default. A value outside 100 ms..10 min keeps the default: a lock that never waits, or
/// one that hangs a skill for hours, is not what anyone meant.
fn lock_timeout(root: &Path) -> std::time::Duration {
    let ms = so_config::SessionConfig::discover(root)
        .ok()
        .flatten()
        .and_then(|c| c.get_int("state-md-lock.timeout-ms").ok().flatten())
        .filter(|ms| (100..=600_000).contains(ms))
        .and_then(|ms| u64::try_from(ms).ok());
    ms.map_or(so_state::LOCK_TIMEOUT, std::time::Duration::from_millis)
}
