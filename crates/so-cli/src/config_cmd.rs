//! `session-orchestrator config [--json] [--validate] [FILE]`: the Session Config as the guards
//! and the skills read it — every registered field with its value and where it comes from, and
//! every diagnostic with `file:line:col`.
//!
//! The file is found as the guards find it ([`so_config::find_project_root`] of the current
//! directory, or of FILE when it is a directory, then [`so_config::find_config_file`]), and
//! parsed only by [`SessionConfig`].
//! Nothing falls back to a default silently: a value of the wrong type is an error naming its
//! line (the field shows as `invalid`, not as its default), a decorated heading or a near-miss
//! key is a warning, a missing section is a warning, and keys no field is registered for are
//! listed as unchecked.
//!
//! `--validate` checks the mandatory fields: `test-command`, `typecheck-command` and
//! `lint-command` set in the file and not empty (the `npm` defaults are never assumed for a
//! gate), `agents-per-wave` ≥ 2, `waves` ≥ 3, `persistence` a boolean and `enforcement`
//! `strict`, `warn` or `off`; one line per problem.
//!
//! Exit codes: 0 read (and valid), 1 an error in the config or a failed check, 2 no config
//! file or an unreadable one, 64 bad arguments.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Value, json};
use so_config::fields::{FIELDS, Field};
use so_config::{
    ConfigError, Diagnostic, FieldValue, IntWithOverrides, Origin, SessionConfig, Severity,
};

/// The gate commands `--validate` requires to be written in the file.
const COMMANDS: [&str; 3] = ["test-command", "typecheck-command", "lint-command"];

struct Options {
    json: bool,
    validate: bool,
    target: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        json: false,
        validate: false,
        target: None,
    };
    for a in args {
        match a.as_str() {
            "--json" => o.json = true,
            "--validate" => o.validate = true,
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown argument `{flag}` for `config`"));
            }
            "" => return Err("`config` was given an empty FILE".to_owned()),
            file if o.target.is_none() => o.target = Some(file.to_owned()),
            file => return Err(format!("`config` takes one FILE, got a second: `{file}`")),
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => return crate::usage_error(&e),
    };
    let (path, shown) = match locate(o.target.as_deref()) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{shown}`: {e}");
            return ExitCode::from(2);
        }
    };
    let config = SessionConfig::parse(&text, Path::new(&shown));
    let report = Report::new(&config, o.validate);
    if o.json {
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report.json(&config)).unwrap_or_default()
        ));
        eprint!("{}", report.one_line_diagnostics());
        for p in &report.problems {
            eprintln!("{p}");
        }
    } else if o.validate {
        eprint!("{}", report.one_line_diagnostics());
        if report.failed() {
            for p in &report.problems {
                eprintln!("{p}");
            }
        } else {
            crate::emit(&format!(
                "ok: {shown}: test-command, typecheck-command, lint-command, agents-per-wave, \
                 waves, persistence and enforcement are valid\n"
            ));
        }
    } else {
        crate::emit(&report.table(&config));
        eprint!("{}", report.full_diagnostics());
    }
    ExitCode::from(u8::from(report.failed()))
}

/// The config file and how to name it: FILE as given, else the file the guards read for the
/// project of the current directory (or of the directory FILE) — the project root's
/// CLAUDE.md / AGENTS.md — shown relative to the current directory when it lies below it.
fn locate(target: Option<&str>) -> Result<(PathBuf, String), String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let start = match target {
        Some(file) => {
            let path = Path::new(file);
            if path.is_file() {
                return Ok((path.to_path_buf(), file.to_owned()));
            }
            if !path.is_dir() {
                return Err(format!("`{file}`: no such file"));
            }
            path.to_path_buf()
        }
        None => cwd.clone(),
    };
    // As the guards do: the project root first, then its config file.
    let root = so_config::find_project_root(&start);
    let found = so_config::find_config_file(&root).ok_or_else(|| {
        format!(
            "no CLAUDE.md or AGENTS.md in the project root `{}`; give the file as \
             `session-orchestrator config FILE`",
            root.display()
        )
    })?;
    let shown = found.strip_prefix(&cwd).map_or_else(
        |_| found.display().to_string(),
        |rel| rel.display().to_string(),
    );
    Ok((found, shown))
}

/// One registered field as read.
struct Row {
    field: &'static Field,
    read: Result<(FieldValue, Option<usize>), Box<so_config::ValueError>>,
}

/// Everything `config` prints, computed once.
struct Report {
    rows: Vec<Row>,
    diagnostics: Vec<Diagnostic>,
    /// A problem without a line: no Session Config section.
    no_section: Option<String>,
    /// `--validate` problems, one line each (diagnostic errors included).
    problems: Vec<String>,
    validate: bool,
}

impl Report {
    fn new(config: &SessionConfig, validate: bool) -> Self {
        let rows = FIELDS
            .iter()
            .map(|field| {
                let read = match config.setting(field.name) {
                    Some(Ok(s)) => Ok((
                        s.value,
                        match s.origin {
                            Origin::File(e) => Some(e.line),
                            Origin::Default => None,
                        },
                    )),
                    Some(Err(ConfigError::InvalidValue(e))) => Err(e),
                    // Parsing from text never yields an I/O error.
                    _ => Ok((FieldValue::Unset, None)),
                };
                Row { field, read }
            })
            .collect();
        let path = config.path().display().to_string();
        let no_section = (!config.has_section()).then(|| {
            format!("{path}: warning: no `## Session Config` section: every field has its default")
        });
        let mut report = Report {
            rows,
            diagnostics: config.diagnostics().to_vec(),
            no_section,
            problems: Vec::new(),
            validate,
        };
        if validate {
            report.problems = report.check(config, &path);
        }
        report
    }

    /// The mandatory-field checks of `--validate`, with the config's errors, in line order.
    fn check(&self, config: &SessionConfig, path: &str) -> Vec<String> {
        // (line, column, text); a missing field belongs to the section heading.
        let mut found: Vec<(usize, usize, String)> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.line, d.column, one_line(d)))
            .collect();
        let section = config.section_line().map_or((0, 0), |l| (l, 1));
        let located = |(line, column): (usize, usize)| {
            if line == 0 {
                path.to_owned()
            } else {
                format!("{path}:{line}:{column}")
            }
        };
        let position = |name: &str| config.get(name).map_or(section, |e| (e.line, e.column));
        if !config.has_section() {
            found.push((
                0,
                0,
                format!(
                    "{path}: error: no `## Session Config` section: add one with at least \
                     test-command, typecheck-command and lint-command"
                ),
            ));
        }
        for row in &self.rows {
            let Ok((value, line)) = &row.read else {
                continue; // already reported as a diagnostic error
            };
            let name = row.field.name;
            let gate = name.trim_end_matches("-command");
            let mut problem = |at: (usize, usize), message: String| {
                found.push((at.0, at.1, format!("{}: error: {message}", located(at))));
            };
            if COMMANDS.contains(&name) {
                match (line, value) {
                    (None, _) => problem(
                        section,
                        format!(
                            "`{name}` is not set: the default `{}` is not assumed for a gate; \
                             add `- **{name}:** <command>` (or `skip` to run no {gate} gate)",
                            row.field.default.unwrap_or_default()
                        ),
                    ),
                    (Some(_), FieldValue::Unset) => problem(
                        position(name),
                        format!(
                            "`{name}` is empty: give the command, or `skip` to run no {gate} gate"
                        ),
                    ),
                    _ => {}
                }
            }
            let least = match (name, value) {
                ("agents-per-wave", FieldValue::IntWithOverrides(v)) => Some((v.default, 2)),
                ("waves", FieldValue::Int(n)) => Some((*n, 3)),
                _ => None,
            };
            if let Some((got, min)) = least
                && got < min
            {
                problem(
                    position(name),
                    format!("`{name}` must be at least {min}, got {got}"),
                );
            }
        }
        found.sort_by_key(|(line, column, _)| (*line, *column));
        found.into_iter().map(|(_, _, text)| text).collect()
    }

    fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
            || (self.validate && !self.problems.is_empty())
    }

    /// Every diagnostic as `file:line:col: severity: message`, one line each (the missing
    /// section first). With `--validate`, errors are left to the problem lines.
    fn one_line_diagnostics(&self) -> String {
        let mut out = String::new();
        if let Some(n) = &self.no_section
            && !self.validate
        {
            let _ = writeln!(out, "{n}");
        }
        for d in &self.diagnostics {
            if !(self.validate && d.severity == Severity::Error) {
                let _ = writeln!(out, "{}", one_line(d));
            }
        }
        out
    }

    /// Every diagnostic with its source line and caret, separated by blank lines.
    fn full_diagnostics(&self) -> String {
        let mut blocks: Vec<String> = self.no_section.iter().cloned().collect();
        blocks.extend(self.diagnostics.iter().map(ToString::to_string));
        let mut out = blocks.join("\n\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    /// The human table: every registered field, then the unchecked keys.
    fn table(&self, config: &SessionConfig) -> String {
        let mut out = String::new();
        let _ = match config.section_line() {
            Some(l) => writeln!(
                out,
                "Session Config — {} (section at line {l})",
                config.path().display()
            ),
            None => writeln!(
                out,
                "Session Config — {} (no section: defaults)",
                config.path().display()
            ),
        };
        let mut rows: Vec<[String; 3]> = self
            .rows
            .iter()
            .map(|r| match &r.read {
                Ok((value, line)) => [
                    r.field.name.to_owned(),
                    line.map_or_else(|| "default".to_owned(), |l| format!("line {l}")),
                    human(value),
                ],
                Err(e) => [
                    r.field.name.to_owned(),
                    format!("line {}, invalid", e.line),
                    format!("{} ({})", e.value, e.reason),
                ],
            })
            .collect();
        let unknown: Vec<[String; 3]> = config
            .unregistered()
            .map(|e| [e.key.clone(), format!("line {}", e.line), e.value.clone()])
            .collect();
        let heads = ["FIELD", "SOURCE", "VALUE"].map(str::to_owned);
        let all = rows.iter().chain(&unknown).chain(std::iter::once(&heads));
        let widths = all.fold([0, 0], |w, r| {
            [
                w[0].max(r[0].chars().count()),
                w[1].max(r[1].chars().count()),
            ]
        });
        let line = |out: &mut String, r: &[String; 3]| {
            let text = format!(
                "  {:w0$}  {:w1$}  {}",
                r[0],
                r[1],
                r[2],
                w0 = widths[0],
                w1 = widths[1]
            );
            let _ = writeln!(out, "{}", text.trim_end());
        };
        let _ = writeln!(out);
        rows.insert(0, heads.clone());
        for r in &rows {
            line(&mut out, r);
        }
        if !unknown.is_empty() {
            let _ = writeln!(
                out,
                "\nOther keys (not checked: no such field in session-orchestrator)"
            );
            line(&mut out, &heads);
            for r in &unknown {
                line(&mut out, r);
            }
        }
        out
    }

    fn json(&self, config: &SessionConfig) -> Value {
        let mut values = Map::new();
        let mut sources = Map::new();
        let mut lines = Map::new();
        for r in &self.rows {
            let name = r.field.name.to_owned();
            match &r.read {
                Ok((value, line)) => {
                    values.insert(name.clone(), json_value(value));
                    sources.insert(
                        name.clone(),
                        json!(if line.is_some() { "file" } else { "default" }),
                    );
                    if let Some(l) = line {
                        lines.insert(name, json!(l));
                    }
                }
                Err(e) => {
                    values.insert(name.clone(), Value::Null);
                    sources.insert(name.clone(), json!("invalid"));
                    lines.insert(name, json!(e.line));
                }
            }
        }
        let unknown: Map<String, Value> = config
            .unregistered()
            .map(|e| (e.key.clone(), json!({"value": e.value, "line": e.line})))
            .collect();
        let mut diagnostics: Vec<Value> = Vec::new();
        if self.no_section.is_some() {
            diagnostics.push(json!({
                "severity": "warning",
                "file": config.path().display().to_string(),
                "line": null,
                "column": null,
                "message": "no `## Session Config` section: every field has its default",
            }));
        }
        diagnostics.extend(self.diagnostics.iter().map(|d| {
            json!({
                "severity": d.severity.to_string(),
                "file": d.path.display().to_string(),
                "line": d.line,
                "column": d.column,
                "message": d.message,
            })
        }));
        let mut doc = json!({
            "file": config.path().display().to_string(),
            "sectionLine": config.section_line(),
            "values": values,
            "sources": sources,
            "lines": lines,
            "unknown": unknown,
            "diagnostics": diagnostics,
        });
        if self.validate {
            doc["valid"] = json!(!self.failed());
            doc["problems"] = json!(self.problems);
        }
        doc
    }
}

fn one_line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}: {}",
        d.path.display(),
        d.line,
        d.column,
        d.severity,
        d.message
    )
}

fn overrides_text(v: &IntWithOverrides) -> String {
    if v.overrides.is_empty() {
        return v.default.to_string();
    }
    let parts: Vec<String> = v
        .overrides
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect();
    format!("{} ({})", v.default, parts.join(", "))
}

fn human(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Int(n) => n.to_string(),
        FieldValue::IntWithOverrides(v) => overrides_text(v),
        FieldValue::Auto => "auto".to_owned(),
        FieldValue::Str(s) => s.clone(),
        FieldValue::List(items) => format!("[{}]", items.join(", ")),
        FieldValue::Enum(e) => (*e).to_owned(),
        _ => "(unset)".to_owned(),
    }
}

/// The JSON form of a value; an integer with overrides is `{"default": 6, "deep": 18}`, as
/// the original's parse-config printed it.
fn json_value(value: &FieldValue) -> Value {
    match value {
        FieldValue::Bool(b) => json!(b),
        FieldValue::Int(n) => json!(n),
        FieldValue::IntWithOverrides(v) if v.overrides.is_empty() => json!(v.default),
        FieldValue::IntWithOverrides(v) => {
            let mut m = Map::new();
            m.insert("default".to_owned(), json!(v.default));
            for (k, n) in &v.overrides {
                m.insert(k.clone(), json!(n));
            }
            Value::Object(m)
        }
        FieldValue::Auto => json!("auto"),
        FieldValue::Str(s) => json!(s),
        FieldValue::List(items) => json!(items),
        FieldValue::Enum(e) => json!(e),
        _ => Value::Null,
    }
}
