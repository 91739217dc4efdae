//! Pre-flight validation of a wave-scope manifest and of the per-agent file lists it is
//! computed from (the rules of the original `validate-wave-scope`).
//!
//! - [`manifest`]: the manifest's required fields, and the [`allowed_entry`] rules for each
//!   `allowedPaths` entry. Errors make a manifest invalid; warnings are shown and allowed.
//! - [`sidecar`] and [`file_list`]: the aggregate sidecar (a JSON array of `{id, files}`
//!   records, one per agent) and a per-agent file list (a JSON array of paths).
//! - [`overlaps`]: agents whose file sets share a path (a wave's agents must be disjoint);
//!   [`union`]: the wave's `allowedPaths` computed from its agents; [`not_covered`]: the
//!   paths of an agent that a manifest does not allow (the subset check).
//!
//! Validation works on the JSON value, not on [`WaveScope`](crate::WaveScope), so that a
//! wrong type is reported with the field's name instead of a serde message, and so that an
//! absent `enforcement` can be told apart from `"strict"`.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::matcher::AllowedPaths;
use crate::paths::{PathStyle, Resolved, resolve};

/// First segments of absolute paths that belong to the system or to users' homes; a wave
/// never writes there.
pub const SYSTEM_DIRS: &[&str] = &[
    "etc",
    "Users",
    "home",
    "root",
    "bin",
    "sbin",
    "usr",
    "System",
    "var",
    "boot",
    "dev",
    "proc",
    "sys",
    "Library",
    "Applications",
    "Windows",
];

/// Entries that let a wave write every file of the project (or every top-level file).
const EVERYTHING: &[&str] = &["*", "**", "**/*", "**/**", ""];

/// The outcome of a validation: errors make the input invalid, warnings do not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// What makes the input unusable, one message per problem.
    pub errors: Vec<String>,
    /// What is allowed but probably not meant, one message per problem.
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether there are no errors.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Adds another report's problems to this one.
    pub fn extend(&mut self, other: Report) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
    }

    fn error(&mut self, message: String) {
        self.errors.push(message);
    }

    fn warning(&mut self, message: String) {
        self.warnings.push(message);
    }
}

/// Whether a wave of this role writes files: every role except `Discovery`, whose wave is
/// read-only (`allowedPaths: []`).
pub fn is_writable_role(role: &str) -> bool {
    !role.trim().eq_ignore_ascii_case("discovery")
}

/// A JSON value, shortened for a message.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        let head: String = text.chars().take(57).collect();
        format!("{head}...")
    } else {
        text
    }
}

/// Validates a manifest: `wave` a positive integer, `role` a non-empty string,
/// `enforcement` one of `strict|warn|off` (absent is allowed and means `strict`, with a
/// warning), `allowedPaths` an array of non-empty strings each passing [`allowed_entry`],
/// `blockedCommands` an array of strings, `gates` (optional) an object of booleans.
pub fn manifest(value: &Value, style: PathStyle) -> Report {
    let mut r = Report::default();
    let Some(obj) = value.as_object() else {
        r.error(format!(
            "the manifest must be a JSON object with `wave`, `role`, `allowedPaths` and `blockedCommands`, got {}",
            shown(value)
        ));
        return r;
    };
    let role = header(obj, &mut r);
    allowed_paths(obj, role, style, &mut r);
    blocked_commands(obj, &mut r);
    extras(obj, &mut r);

    // The rules above are meant to accept exactly what the enforcer can read; if they ever
    // drift apart, the enforcer's reading wins (it would treat the manifest as broken).
    if r.is_valid()
        && let Err(e) = serde_json::from_value::<crate::WaveScope>(value.clone())
    {
        r.error(format!("the enforcer cannot read this manifest: {e}"));
    }
    r
}

type Object = serde_json::Map<String, Value>;

/// `wave`, `role` and `enforcement`; returns the role when it is valid.
fn header<'a>(obj: &'a Object, r: &mut Report) -> Option<&'a str> {
    match obj.get("wave") {
        None => r.error("`wave` is missing: give the wave number, a positive integer".to_owned()),
        Some(v)
            if v.as_u64()
                .is_some_and(|n| n >= 1 && u32::try_from(n).is_ok()) => {}
        Some(v) => r.error(format!(
            "`wave` must be a positive integer, got {}",
            shown(v)
        )),
    }

    let role = match obj.get("role") {
        None => {
            r.error("`role` is missing: give the wave's role (`Discovery`, `Impl-Core`, `Impl-Polish`, `Quality`, `Finalization`)".to_owned());
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        Some(v) => {
            r.error(format!(
                "`role` must be a non-empty string, got {}",
                shown(v)
            ));
            None
        }
    };

    match obj.get("enforcement") {
        None => r.warning(
            "`enforcement` is absent: the manifest is enforced as `strict` (give `strict`, `warn` or `off` to say so)"
                .to_owned(),
        ),
        Some(Value::String(s)) if matches!(s.as_str(), "strict" | "warn" | "off") => {}
        Some(v) => r.error(format!(
            "`enforcement` must be `strict`, `warn` or `off`, got {}",
            shown(v)
        )),
    }
    role
}

fn allowed_paths(obj: &Object, role: Option<&str>, style: PathStyle, r: &mut Report) {
    match obj.get("allowedPaths") {
        None => r.error(
            "`allowedPaths` is missing: give the files the wave may write (`[]` for a read-only wave)"
                .to_owned(),
        ),
        Some(Value::Array(entries)) => {
            for (i, e) in entries.iter().enumerate() {
                match e {
                    Value::String(s) if !s.trim().is_empty() => r.extend(allowed_entry(s, style)),
                    Value::String(_) => r.error(format!("`allowedPaths[{i}]` is an empty string")),
                    other => r.error(format!(
                        "`allowedPaths[{i}]` must be a string, got {}",
                        shown(other)
                    )),
                }
            }
            if entries.is_empty()
                && let Some(role) = role
                && is_writable_role(role)
            {
                r.warning(format!(
                    "`allowedPaths` is empty: the `{role}` wave cannot write any file (only Discovery waves are read-only)"
                ));
            }
        }
        Some(v) => r.error(format!(
            "`allowedPaths` must be an array of path patterns, got {}",
            shown(v)
        )),
    }
}

fn blocked_commands(obj: &Object, r: &mut Report) {
    match obj.get("blockedCommands") {
        None => r.error(
            "`blockedCommands` is missing: give the commands the wave may not run (`[]` for none)"
                .to_owned(),
        ),
        Some(Value::Array(entries)) => {
            for (i, e) in entries.iter().enumerate() {
                match e {
                    Value::String(s) if s.trim().is_empty() => r.warning(format!(
                        "`blockedCommands[{i}]` is empty and blocks nothing"
                    )),
                    Value::String(_) => {}
                    other => r.error(format!(
                        "`blockedCommands[{i}]` must be a string, got {}",
                        shown(other)
                    )),
                }
            }
        }
        Some(v) => r.error(format!(
            "`blockedCommands` must be an array of commands, got {}",
            shown(v)
        )),
    }
}

/// `gates`, and the provenance fields the CLI writes.
fn extras(obj: &Object, r: &mut Report) {
    match obj.get("gates") {
        None => {}
        Some(Value::Object(gates)) => {
            for (k, v) in gates {
                if !v.is_boolean() {
                    r.error(format!(
                        "`gates.{k}` must be true or false, got {}",
                        shown(v)
                    ));
                }
            }
        }
        Some(v) => r.error(format!(
            "`gates` must be an object of booleans, got {}",
            shown(v)
        )),
    }

    match obj.get("sessionId") {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(v) => r.error(format!(
            "`sessionId` must be a non-empty string, got {}",
            shown(v)
        )),
    }
    match obj.get("writtenAt") {
        None => {}
        Some(v) if v.as_u64().is_some() => {}
        Some(v) => r.error(format!(
            "`writtenAt` must be seconds since the Unix epoch (a non-negative integer), got {}",
            shown(v)
        )),
    }
}

/// `\` → `/`, and the drive (`C:`) split off.
fn split_drive(entry: &str) -> (Option<&str>, String) {
    let b = entry.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        (Some(&entry[..2]), entry[2..].replace('\\', "/"))
    } else {
        (None, entry.replace('\\', "/"))
    }
}

/// Whether an entry names an absolute path (POSIX `/…`, Windows `\…` or `C:…`), whatever
/// platform the manifest is checked on.
pub fn is_absolute_entry(entry: &str) -> bool {
    let (drive, rest) = split_drive(entry);
    drive.is_some() || rest.starts_with('/')
}

fn has_glob_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// The rules for one `allowedPaths` entry.
///
/// Errors: the filesystem root (`/`, `\`, `C:\`); an absolute entry under a system or home
/// directory ([`SYSTEM_DIRS`], compared case-insensitively) or whose first segment is a
/// wildcard (`/**`, which is the root again); an absolute entry without `*`; any `..`
/// segment; a pattern globset cannot compile. Warnings: any other absolute entry (it grants
/// paths outside the project); an entry that matches every file (`*`, `**`, `**/*`, `./`);
/// a directory prefix (ending in `/`) with wildcards, which are matched literally.
pub fn allowed_entry(entry: &str, style: PathStyle) -> Report {
    let mut r = Report::default();
    let (drive, rest) = split_drive(entry);
    let absolute = drive.is_some() || rest.starts_with('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();

    if segments.contains(&"..") {
        r.error(format!(
            "allowedPaths entry `{entry}` climbs with `..`: name the path from the project root"
        ));
    }
    if absolute {
        match segments.first() {
            None => r.error(format!(
                "allowedPaths entry `{entry}` is the filesystem root: it would let the wave write anywhere"
            )),
            Some(first) if has_glob_meta(first) => r.error(format!(
                "allowedPaths entry `{entry}` starts with a wildcard at the filesystem root: it would let the wave write anywhere"
            )),
            Some(first) if SYSTEM_DIRS.iter().any(|d| d.eq_ignore_ascii_case(first)) => {
                r.error(format!(
                    "allowedPaths entry `{entry}` is under the system or home directory `/{first}`: a wave never writes there"
                ));
            }
            Some(_) if !entry.contains('*') => {
                let dir = if rest.ends_with('/') || segments.len() == 1 {
                    &segments[..]
                } else {
                    &segments[..segments.len() - 1]
                };
                r.error(format!(
                    "allowedPaths entry `{entry}` is an absolute path without `*`: name project files relative to the project root, and grant an outside directory with a pattern such as `{}/{}/**`",
                    drive.unwrap_or_default(),
                    dir.join("/")
                ).replace("//**", "/**"));
            }
            Some(_) => r.warning(format!(
                "allowedPaths entry `{entry}` is absolute: it lets the wave write outside the project"
            )),
        }
    }

    let plain = {
        let mut s = rest.as_str();
        while let Some(t) = s.strip_prefix("./") {
            s = t;
        }
        s
    };
    if !absolute && EVERYTHING.contains(&plain) {
        r.warning(format!(
            "allowedPaths entry `{entry}` lets the wave write every file of the project: list the wave's files instead"
        ));
    }

    if let Some(prefix) = entry.strip_suffix('/') {
        if has_glob_meta(prefix) {
            r.warning(format!(
                "allowedPaths entry `{entry}` ends with `/`, so it is a directory prefix matched literally and its wildcards match nothing; write `{prefix}/**` instead"
            ));
        }
    } else if r.is_valid()
        && let Some((_, why)) = AllowedPaths::new(&[entry.to_owned()], style)
            .invalid
            .into_iter()
            .next()
    {
        r.error(format!(
            "allowedPaths entry `{entry}` is not a valid glob: {why}"
        ));
    }
    r
}

/// One agent's files, as a record of the aggregate sidecar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentFiles {
    /// The agent's id (`agent-1`, `coordinator`).
    pub id: String,
    /// The paths (or patterns) the agent may write.
    pub files: Vec<String>,
}

/// Reads a per-agent file list: a JSON array of non-empty path strings.
pub fn file_list(value: &Value) -> Result<Vec<String>, Vec<String>> {
    let Some(items) = value.as_array() else {
        return Err(vec![format!(
            "expected a JSON array of paths, got {}",
            shown(value)
        )]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.trim().is_empty() => out.push(s.clone()),
            Value::String(_) => errors.push(format!("entry {i} is an empty string")),
            other => errors.push(format!(
                "entry {i} must be a path string, got {}",
                shown(other)
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads the aggregate sidecar: a JSON array of `{id, files}` records, `id` a non-empty
/// string unique in the array, `files` a JSON array of non-empty path strings.
pub fn sidecar(value: &Value) -> Result<Vec<AgentFiles>, Vec<String>> {
    let Some(records) = value.as_array() else {
        return Err(vec![format!(
            "expected a JSON array of `{{\"id\": ..., \"files\": [...]}}` records, got {}",
            shown(value)
        )]);
    };
    let mut errors = Vec::new();
    let mut out: Vec<AgentFiles> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let Some(obj) = record.as_object() else {
            errors.push(format!(
                "record {i} must be an object with `id` and `files`, got {}",
                shown(record)
            ));
            continue;
        };
        let id = match obj.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(v) => {
                errors.push(format!(
                    "record {i}: `id` must be a non-empty string, got {}",
                    shown(v)
                ));
                continue;
            }
            None => {
                errors.push(format!("record {i} has no `id`"));
                continue;
            }
        };
        let Some(files) = obj.get("files") else {
            errors.push(format!("agent `{id}` has no `files`"));
            continue;
        };
        let files = match file_list(files) {
            Ok(f) => f,
            Err(es) => {
                errors.extend(es.into_iter().map(|e| format!("agent `{id}`: `files` {e}")));
                continue;
            }
        };
        if let Some(j) = out.iter().position(|a| a.id == id) {
            errors.push(format!(
                "agent `{id}` appears twice (records {j} and {i}): give each agent one record"
            ));
            continue;
        }
        out.push(AgentFiles { id, files });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// An entry as it is compared: `\` → `/` on Windows, leading `./` and repeated `/`
/// removed, a trailing `/` kept (it makes the entry a directory prefix).
pub fn normalize_entry(entry: &str, style: PathStyle) -> String {
    let text = if style == PathStyle::Windows {
        entry.replace('\\', "/")
    } else {
        entry.to_owned()
    };
    let mut s = text.as_str();
    while let Some(t) = s.strip_prefix("./") {
        s = t;
    }
    let lead = if s.starts_with('/') { "/" } else { "" };
    let trail = if s.ends_with('/') && !s.trim_matches('/').is_empty() {
        "/"
    } else {
        ""
    };
    let body: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("{lead}{}{trail}", body.join("/"))
}

fn key(entry: &str, style: PathStyle) -> String {
    let n = normalize_entry(entry, style);
    if style.case_insensitive() {
        n.to_lowercase()
    } else {
        n
    }
}

/// Two agents whose file sets share a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// The agent listed first in the sidecar.
    pub first: String,
    /// The agent listed later.
    pub second: String,
    /// The shared path, as one of them lists it.
    pub path: String,
    /// When the agents list different entries: the pattern or directory of the other agent
    /// that covers `path`, and that agent's id.
    pub via: Option<(String, String)>,
}

impl fmt::Display for Overlap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.via {
            None => write!(
                f,
                "agents `{}` and `{}` both list `{}`: each file of a wave belongs to one agent",
                self.first, self.second, self.path
            ),
            Some((pattern, owner)) => write!(
                f,
                "agents `{}` and `{}` overlap: `{}` is covered by `{pattern}` of agent `{owner}`: each file of a wave belongs to one agent",
                self.first, self.second, self.path
            ),
        }
    }
}

/// A literal entry (no wildcard) as a path, with a trailing `/` removed.
fn literal(entry: &str) -> Option<&str> {
    (!has_glob_meta(entry)).then(|| {
        let t = entry.trim_end_matches('/');
        if t.is_empty() { entry } else { t }
    })
}

fn compiled(files: &[String], style: PathStyle) -> Vec<AllowedPaths> {
    files
        .iter()
        .map(|f| AllowedPaths::new(std::slice::from_ref(f), style))
        .collect()
}

/// Every path two agents share. Entries are compared after [`normalize_entry`]; a
/// literal path (or directory) of one agent that a pattern or directory prefix of another
/// covers is shared too. Two different wildcard patterns are not compared with each other
/// (whether they intersect is not decidable in general); agents' file lists are literal paths.
/// `project_root` resolves relative entries as the enforcer does.
pub fn overlaps(agents: &[AgentFiles], project_root: &Path, style: PathStyle) -> Vec<Overlap> {
    let matchers: Vec<Vec<AllowedPaths>> =
        agents.iter().map(|a| compiled(&a.files, style)).collect();
    let resolved: Vec<Vec<Option<Resolved>>> = agents
        .iter()
        .map(|a| {
            a.files
                .iter()
                .map(|f| literal(f).map(|p| resolve(p, project_root, style)))
                .collect()
        })
        .collect();
    let mut out: Vec<Overlap> = Vec::new();
    let mut push = |o: Overlap| {
        if !out
            .iter()
            .any(|x| x.first == o.first && x.second == o.second && x.path == o.path)
        {
            out.push(o);
        }
    };
    for i in 0..agents.len() {
        for j in i + 1..agents.len() {
            let (a, b) = (&agents[i], &agents[j]);
            for (ai, fa) in a.files.iter().enumerate() {
                for (bi, fb) in b.files.iter().enumerate() {
                    let overlap = |path: &str, via: Option<(&String, &str)>| Overlap {
                        first: a.id.clone(),
                        second: b.id.clone(),
                        path: path.to_owned(),
                        via: via.map(|(p, o)| (p.clone(), o.to_owned())),
                    };
                    if key(fa, style) == key(fb, style) {
                        push(overlap(fa, None));
                    } else if let Some(rb) = &resolved[j][bi]
                        && matchers[i][ai].allows(rb)
                    {
                        push(overlap(fb, Some((fa, &a.id))));
                    } else if let Some(ra) = &resolved[i][ai]
                        && matchers[j][bi].allows(ra)
                    {
                        push(overlap(fa, Some((fb, &b.id))));
                    }
                }
            }
        }
    }
    out
}

/// The wave's `allowedPaths`: every agent's entries, normalised ([`normalize_entry`]),
/// without duplicates, sorted (so the result does not depend on the agents' order).
pub fn union(agents: &[AgentFiles], style: PathStyle) -> Vec<String> {
    let mut all: Vec<(String, String)> = agents
        .iter()
        .flat_map(|a| a.files.iter())
        .map(|f| (key(f, style), normalize_entry(f, style)))
        .collect();
    all.sort();
    all.dedup_by(|x, y| x.0 == y.0);
    all.into_iter().map(|(_, n)| n).collect()
}

/// The leading segments of a pattern that hold no wildcard (`src/a/*.rs` → `src/a`).
fn literal_base(pattern: &str) -> String {
    pattern
        .split('/')
        .take_while(|s| !has_glob_meta(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// The entries of `files` (an agent's list) that the manifest's `allowed` entries do not
/// allow: the subset check. A literal path is allowed when the enforcer would allow writing
/// it ([`AllowedPaths`], relative paths resolved against `project_root`); a pattern only
/// when it equals an allowed entry or lies wholly under an allowed directory (`dir/` or
/// `dir/**`).
pub fn not_covered(
    allowed: &[String],
    files: &[String],
    project_root: &Path,
    style: PathStyle,
) -> Vec<String> {
    let matcher = AllowedPaths::new(allowed, style);
    let keys: Vec<String> = allowed.iter().map(|a| key(a, style)).collect();
    let dirs: Vec<String> = allowed
        .iter()
        .map(|a| key(a, style))
        .filter_map(|k| {
            (if k == "**" { Some("") } else { None })
                .or_else(|| k.strip_suffix("/**"))
                .or_else(|| k.strip_suffix('/'))
                .filter(|d| !has_glob_meta(d))
                .map(str::to_owned)
        })
        .collect();
    files
        .iter()
        .filter(|f| {
            let k = key(f, style);
            if keys.contains(&k) {
                return false;
            }
            if let Some(path) = literal(f) {
                return !matcher.allows(&resolve(path, project_root, style));
            }
            let base = literal_base(&k);
            !dirs
                .iter()
                .any(|d| d.is_empty() || base == *d || base.starts_with(&format!("{d}/")))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: PathStyle = PathStyle::Posix;

    fn valid() -> Value {
        json!({
            "wave": 2, "role": "Impl-Core", "enforcement": "strict",
            "allowedPaths": ["src/**", "docs/", "scripts/*.mjs"],
            "blockedCommands": ["rm -rf", "git push --force"],
            "gates": {"path-guard": true, "bash-write-guard": false}
        })
    }

    fn with(key: &str, v: Value) -> Value {
        let mut m = valid();
        m[key] = v;
        m
    }

    fn without(key: &str) -> Value {
        let mut m = valid();
        m.as_object_mut().map(|o| o.remove(key));
        m
    }

    fn errors(v: &Value) -> Vec<String> {
        manifest(v, P).errors
    }

    fn entry_errors(e: &str) -> Vec<String> {
        allowed_entry(e, P).errors
    }

    fn entry_warnings(e: &str) -> Vec<String> {
        allowed_entry(e, P).warnings
    }

    #[test]
    fn the_control_manifest_is_valid_without_warnings() {
        let r = manifest(&valid(), P);
        assert_eq!(r, Report::default());
        assert!(r.is_valid());
    }

    #[test]
    fn wave_must_be_a_positive_integer() {
        for bad in [
            json!(0),
            json!(-1),
            json!(1.5),
            json!("2"),
            json!(null),
            json!(u64::from(u32::MAX) + 1),
        ] {
            let e = errors(&with("wave", bad.clone()));
            assert_eq!(e.len(), 1, "{bad}: {e:?}");
            assert!(e[0].contains("`wave` must be a positive integer"), "{e:?}");
        }
        assert!(errors(&without("wave"))[0].contains("`wave` is missing"));
        assert!(errors(&with("wave", json!(1))).is_empty());
        assert!(errors(&with("wave", json!(u32::MAX))).is_empty());
    }

    #[test]
    fn role_must_be_a_non_empty_string() {
        for bad in [json!(""), json!("  "), json!(3), json!(null)] {
            let e = errors(&with("role", bad.clone()));
            assert_eq!(e.len(), 1, "{bad}: {e:?}");
            assert!(e[0].contains("`role` must be a non-empty string"), "{e:?}");
        }
        assert!(errors(&without("role"))[0].contains("`role` is missing"));
        assert!(errors(&with("role", json!("Quality"))).is_empty());
    }

    #[test]
    fn enforcement_absent_is_strict_with_a_warning() {
        let r = manifest(&without("enforcement"), P);
        assert!(r.is_valid(), "{r:?}");
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("enforced as `strict`"), "{r:?}");
        for bad in [json!("Strict"), json!("deny"), json!(""), json!(true)] {
            let e = errors(&with("enforcement", bad.clone()));
            assert_eq!(e.len(), 1, "{bad}: {e:?}");
        }
        for good in ["strict", "warn", "off"] {
            assert_eq!(
                manifest(&with("enforcement", json!(good)), P),
                Report::default()
            );
        }
    }

    #[test]
    fn allowed_paths_is_an_array_of_non_empty_strings() {
        assert!(errors(&without("allowedPaths"))[0].contains("`allowedPaths` is missing"));
        assert!(errors(&with("allowedPaths", json!("src/**")))[0].contains("must be an array"));
        let e = errors(&with("allowedPaths", json!(["src/**", "", 3])));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].contains("`allowedPaths[1]` is an empty string"),
            "{e:?}"
        );
        assert!(e[1].contains("`allowedPaths[2]` must be a string"), "{e:?}");
        assert!(errors(&with("allowedPaths", json!(["src/**", "a.md"]))).is_empty());
    }

    #[test]
    fn empty_allowed_paths_warn_only_for_writable_roles() {
        let r = manifest(&with("allowedPaths", json!([])), P);
        assert!(r.is_valid());
        assert_eq!(r.warnings.len(), 1, "{r:?}");
        assert!(
            r.warnings[0].contains("the `Impl-Core` wave cannot write"),
            "{r:?}"
        );
        let mut discovery = with("allowedPaths", json!([]));
        discovery["role"] = json!("Discovery");
        assert_eq!(manifest(&discovery, P), Report::default());
    }

    #[test]
    fn blocked_commands_and_gates_types() {
        assert!(errors(&without("blockedCommands"))[0].contains("`blockedCommands` is missing"));
        assert!(errors(&with("blockedCommands", json!({})))[0].contains("must be an array"));
        assert!(
            errors(&with("blockedCommands", json!(["rm -rf", 1])))[0]
                .contains("`blockedCommands[1]`")
        );
        let r = manifest(&with("blockedCommands", json!([""])), P);
        assert!(r.is_valid() && r.warnings.len() == 1, "{r:?}");
        assert!(errors(&with("blockedCommands", json!([]))).is_empty());

        assert!(errors(&without("gates")).is_empty());
        assert!(
            errors(&with("gates", json!(["path-guard"])))[0].contains("`gates` must be an object")
        );
        let e = errors(&with("gates", json!({"path-guard": "yes"})));
        assert!(
            e[0].contains("`gates.path-guard` must be true or false"),
            "{e:?}"
        );
        assert!(errors(&with("gates", json!({"path-guard": false}))).is_empty());
    }

    #[test]
    fn provenance_fields_and_non_objects() {
        assert!(!errors(&with("sessionId", json!(""))).is_empty());
        assert!(!errors(&with("writtenAt", json!(-5))).is_empty());
        assert!(errors(&with("sessionId", json!("s1"))).is_empty());
        assert!(errors(&with("writtenAt", json!(1_700_000_000))).is_empty());
        assert!(errors(&json!([1, 2]))[0].contains("must be a JSON object"));
    }

    #[test]
    fn every_valid_manifest_is_readable_by_the_enforcer() {
        let v = valid();
        assert!(manifest(&v, P).is_valid());
        assert!(serde_json::from_value::<crate::WaveScope>(v).is_ok());
    }

    #[test]
    fn filesystem_root_is_an_error() {
        for root in ["/", "\\", "C:\\", "C:/", "//"] {
            let e = entry_errors(root);
            assert_eq!(e.len(), 1, "{root}: {e:?}");
            assert!(e[0].contains("filesystem root"), "{root}: {e:?}");
        }
        for root in ["/*", "/**", "C:\\**"] {
            assert!(
                entry_errors(root)[0].contains("wildcard at the filesystem root"),
                "{root}"
            );
        }
        assert!(entry_errors("/srv/shared/**").is_empty());
    }

    #[test]
    fn system_directories_are_errors() {
        for d in SYSTEM_DIRS {
            let e = entry_errors(&format!("/{d}/x/**"));
            assert_eq!(e.len(), 1, "{d}: {e:?}");
            assert!(e[0].contains("system or home directory"), "{d}: {e:?}");
        }
        assert!(
            !entry_errors("/users/me/**").is_empty(),
            "compared case-insensitively"
        );
        assert!(!entry_errors("C:\\Windows\\System32\\*").is_empty());
        // Control: a non-system absolute pattern is a warning, not an error.
        assert!(entry_errors("/opt/cache/**").is_empty());
        assert!(entry_warnings("/opt/cache/**")[0].contains("outside the project"));
        assert!(entry_errors("/etcetera/**").is_empty());
    }

    #[test]
    fn absolute_entries_need_a_wildcard() {
        let e = entry_errors("/srv/shared/file.txt");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("absolute path without `*`"), "{e:?}");
        assert!(e[0].contains("such as `/srv/shared/**`"), "{e:?}");
        assert!(entry_errors("/srv/shared/")[0].contains("such as `/srv/shared/**`"));
        assert!(!entry_errors("/srv/shared/").is_empty());
        assert!(entry_errors("/srv/shared/*.txt").is_empty());
    }

    #[test]
    fn dot_dot_is_an_error() {
        for e in ["../x", "src/../../x", "..\\x", "..", "src/.."] {
            let errs = entry_errors(e);
            assert_eq!(errs.len(), 1, "{e}: {errs:?}");
            assert!(errs[0].contains("climbs with `..`"), "{e}: {errs:?}");
        }
        assert!(entry_errors("src/..x/a").is_empty());
        assert!(entry_errors("src/x../a").is_empty());
    }

    #[test]
    fn uncompilable_globs_are_errors() {
        let e = entry_errors("src/[a.rs");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("not a valid glob"), "{e:?}");
        assert!(!entry_errors("src/{a,b").is_empty());
        assert!(entry_errors("src/[ab].rs").is_empty());
        assert!(entry_errors("src/{a,b}.rs").is_empty());
    }

    #[test]
    fn match_everything_entries_warn() {
        for e in ["*", "**", "**/*", "./**", "./"] {
            let w = entry_warnings(e);
            assert_eq!(w.len(), 1, "{e}: {w:?}");
            assert!(w[0].contains("every file of the project"), "{e}: {w:?}");
            assert!(entry_errors(e).is_empty(), "{e}");
        }
        assert!(entry_warnings("src/**").is_empty());
        assert!(entry_warnings("*.md").is_empty());
    }

    #[test]
    fn wildcards_in_a_directory_prefix_warn() {
        let w = entry_warnings("src/*/");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("write `src/*/**`"), "{w:?}");
        assert!(entry_warnings("src/").is_empty());
    }

    fn agents(spec: &[(&str, &[&str])]) -> Vec<AgentFiles> {
        spec.iter()
            .map(|(id, files)| AgentFiles {
                id: (*id).to_owned(),
                files: files.iter().map(|f| (*f).to_owned()).collect(),
            })
            .collect()
    }

    const ROOT: &str = "/nonexistent-so-scope-root/p";

    #[test]
    fn sidecar_records() {
        let ok = sidecar(&json!([{"id": "a", "files": ["x"]}, {"id": "b", "files": []}]))
            .unwrap_or_default();
        assert_eq!(ok, agents(&[("a", &["x"]), ("b", &[])]));
        let bad = |v: Value| sidecar(&v).err().unwrap_or_default().join("\n");
        assert!(bad(json!({"id": "a"})).contains("expected a JSON array"));
        assert!(bad(json!([{"files": []}])).contains("record 0 has no `id`"));
        assert!(bad(json!([{"id": "", "files": []}])).contains("`id` must be a non-empty string"));
        assert!(bad(json!([{"id": "a"}])).contains("agent `a` has no `files`"));
        assert!(
            bad(json!([{"id": "a", "files": "x"}]))
                .contains("agent `a`: `files` expected a JSON array")
        );
        assert!(bad(json!([{"id": "a", "files": [""]}])).contains("entry 0 is an empty string"));
        assert!(
            bad(json!([{"id": "a", "files": []}, {"id": "a", "files": []}]))
                .contains("appears twice")
        );
        assert!(bad(json!(["a"])).contains("record 0 must be an object"));
    }

    #[test]
    fn file_lists() {
        assert_eq!(
            file_list(&json!(["a", "b/c"])),
            Ok(vec!["a".to_owned(), "b/c".to_owned()])
        );
        assert!(file_list(&json!({})).is_err());
        assert!(file_list(&json!([1])).is_err());
        assert!(file_list(&json!([" "])).is_err());
        assert_eq!(file_list(&json!([])), Ok(vec![]));
    }

    #[test]
    fn disjoint_agents_and_the_shared_path() {
        let root = Path::new(ROOT);
        assert!(
            overlaps(
                &agents(&[("a", &["src/a.rs"]), ("b", &["src/b.rs"])]),
                root,
                P
            )
            .is_empty()
        );
        let o = overlaps(
            &agents(&[
                ("a", &["src/a.rs", "x"]),
                ("b", &["y", "./src/a.rs"]),
                ("c", &["z"]),
            ]),
            root,
            P,
        );
        assert_eq!(o.len(), 1, "{o:?}");
        let text = o[0].to_string();
        assert!(
            text.contains("agents `a` and `b` both list `src/a.rs`"),
            "{text}"
        );
    }

    #[test]
    fn patterns_and_directories_overlap_literal_paths() {
        let root = Path::new(ROOT);
        let o = overlaps(
            &agents(&[("a", &["src/**"]), ("b", &["src/x/y.rs"])]),
            root,
            P,
        );
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(o[0].path, "src/x/y.rs");
        assert!(
            o[0].to_string()
                .contains("covered by `src/**` of agent `a`"),
            "{}",
            o[0]
        );
        let o = overlaps(
            &agents(&[("a", &["docs/x.md"]), ("b", &["docs/"])]),
            root,
            P,
        );
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(
            (o[0].path.as_str(), o[0].via.as_ref().map(|v| v.1.as_str())),
            ("docs/x.md", Some("b"))
        );
        // Controls: the pattern and the directory do not cover the other agent's file.
        assert!(
            overlaps(
                &agents(&[("a", &["src/*.rs"]), ("b", &["src/x/y.rs"])]),
                root,
                P
            )
            .is_empty()
        );
        assert!(
            overlaps(
                &agents(&[("a", &["docs/x.md"]), ("b", &["docsx/"])]),
                root,
                P
            )
            .is_empty()
        );
    }

    #[test]
    fn overlap_follows_the_platform_case_rules() {
        let root = Path::new(ROOT);
        let a = agents(&[("a", &["Src/A.rs"]), ("b", &["src/a.rs"])]);
        assert!(overlaps(&a, root, P).is_empty());
        assert_eq!(overlaps(&a, root, PathStyle::MacOs).len(), 1);
        let w = agents(&[("a", &["src\\a.rs"]), ("b", &["src/a.rs"])]);
        assert_eq!(
            overlaps(&w, Path::new("C:/repo"), PathStyle::Windows).len(),
            1
        );
    }

    #[test]
    fn union_is_sorted_normalised_and_deduplicated() {
        let a = agents(&[
            ("b", &["src/b.rs", "./src/a.rs"]),
            ("a", &["src/a.rs", "docs//x.md", "lib/"]),
        ]);
        assert_eq!(union(&a, P), ["docs/x.md", "lib/", "src/a.rs", "src/b.rs"]);
        assert!(union(&[], P).is_empty());
        // Case-insensitive platforms keep one spelling.
        let c = agents(&[("a", &["A.md"]), ("b", &["a.md"])]);
        assert_eq!(union(&c, PathStyle::MacOs).len(), 1);
        assert_eq!(union(&c, P).len(), 2);
    }

    #[test]
    fn subset_check() {
        let root = Path::new(ROOT);
        let allowed: Vec<String> = ["src/**", "docs/", "README.md"].map(str::to_owned).to_vec();
        let files = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(
            not_covered(
                &allowed,
                &files(&["src/a/b.rs", "docs/x/y.md", "README.md", "./README.md"]),
                root,
                P
            )
            .is_empty()
        );
        assert_eq!(
            not_covered(
                &allowed,
                &files(&["src/a.rs", "lib/x.rs", "../p/src/a.rs"]),
                root,
                P
            ),
            ["lib/x.rs"]
        );
        assert_eq!(
            not_covered(&allowed, &files(&["../other/src/a.rs"]), root, P),
            ["../other/src/a.rs"]
        );
        // Patterns: equal, or under an allowed directory.
        assert!(
            not_covered(
                &allowed,
                &files(&["src/**", "src/x/*.rs", "docs/*.md"]),
                root,
                P
            )
            .is_empty()
        );
        assert_eq!(
            not_covered(&allowed, &files(&["*.md", "lib/**"]), root, P),
            ["*.md", "lib/**"]
        );
        assert_eq!(not_covered(&[], &files(&["a"]), root, P), ["a"]);
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_entry("./src//a/./b", P), "src/a/b");
        assert_eq!(normalize_entry("docs/", P), "docs/");
        assert_eq!(normalize_entry("/", P), "/");
        assert_eq!(normalize_entry("src\\a", PathStyle::Windows), "src/a");
        assert_eq!(normalize_entry("src\\a", P), "src\\a");
        assert!(is_absolute_entry("C:\\x") && is_absolute_entry("/x") && is_absolute_entry("\\x"));
        assert!(!is_absolute_entry("x/y"));
    }
}
