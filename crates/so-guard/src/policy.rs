//! The policy: which packs run, rule severities, protected paths and custom rules.
//!
//! The shipped policy is `policy/blocked-commands.json`, compiled into the binary so no
//! file read or missing file can disarm it. A project overlay at
//! `.orchestrator/policy/blocked-commands.json` may only add: enable packs, raise a rule
//! from `ask` to `deny`, add protected paths and custom rules. Anything that would loosen
//! the shipped policy is ignored with a notice; a broken overlay is ignored as a whole,
//! with a notice.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::context::GuardContext;
use crate::engine::{Engine, Invocation};
use crate::rules::{PACKS, RuleInfo, registry};
use crate::verdict::{Finding, Severity};

/// The shipped policy text.
pub const SHIPPED_POLICY: &str = include_str!("../../../policy/blocked-commands.json");

/// Where a project keeps its overlay, relative to the project root.
pub const OVERLAY_PATH: &str = ".orchestrator/policy/blocked-commands.json";

/// Why a policy file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid policy JSON.
    #[error("policy `{path}` is invalid at line {line}, column {column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    version: u32,
    #[serde(default)]
    #[expect(dead_code, reason = "documentation inside the file")]
    description: Option<String>,
    #[serde(default)]
    packs: BTreeMap<String, bool>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    guard_files: Vec<String>,
    #[serde(default)]
    protected_paths: Vec<String>,
    #[serde(default)]
    custom_rules: Vec<CustomRule>,
}

/// A rule a policy file adds: a command name plus words that must all appear among its
/// arguments (compared after quote removal, not as substrings of the line).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// Rule id; must start with `custom:`.
    pub id: String,
    /// Command name (basename), after wrappers are stripped.
    pub command: String,
    /// Words that must all be present among the arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// `ask` or `deny`.
    #[serde(default = "default_severity")]
    pub severity: String,
    /// Why it is blocked.
    pub reason: String,
    /// What to do instead.
    #[serde(default)]
    pub alternative: String,
}

fn default_severity() -> String {
    "deny".to_owned()
}

/// The effective policy.
#[derive(Clone, Debug)]
pub struct Policy {
    packs: HashMap<String, bool>,
    severities: HashMap<String, Severity>,
    guard_files: Vec<String>,
    protected_paths: Vec<String>,
    custom: Vec<CustomRule>,
    notices: Vec<String>,
    protected: OnceLock<ProtectedPaths>,
}

impl Policy {
    /// Every pack on, default severities, no protected paths, no custom rules, without
    /// reading any policy text: for callers that only want the command analysis (the
    /// scope enforcer reads write targets and invocations, not verdicts), where parsing the
    /// shipped JSON would be start-up cost for nothing.
    pub fn analysis_only() -> Self {
        Self::from_file(PolicyFile {
            version: 1,
            description: None,
            packs: BTreeMap::new(),
            rules: BTreeMap::new(),
            guard_files: Vec::new(),
            protected_paths: Vec::new(),
            custom_rules: Vec::new(),
        })
    }

    /// The shipped policy alone.
    pub fn shipped() -> Self {
        match parse(SHIPPED_POLICY, Path::new("policy/blocked-commands.json")) {
            Ok(file) => Self::from_file(file),
            // A test keeps the shipped file valid; this path is a last resort that keeps
            // every pack on rather than fail open.
            Err(e) => {
                let mut p = Self::from_file(PolicyFile {
                    version: 1,
                    description: None,
                    packs: BTreeMap::new(),
                    rules: BTreeMap::new(),
                    guard_files: vec![
                        "CLAUDE.md".into(),
                        "AGENTS.md".into(),
                        ".orchestrator/**".into(),
                    ],
                    protected_paths: vec![".git/**".into()],
                    custom_rules: Vec::new(),
                });
                p.notices.push(format!(
                    "shipped policy unreadable, using built-in defaults: {e}"
                ));
                p
            }
        }
    }

    /// The shipped policy plus the project's overlay, if it has one.
    pub fn for_project(project_root: &Path) -> Self {
        let mut policy = Self::shipped();
        let path = project_root.join(OVERLAY_PATH);
        match std::fs::read_to_string(&path) {
            Ok(text) => match parse(&text, &path) {
                Ok(overlay) => policy.apply_overlay(overlay),
                Err(e) => policy
                    .notices
                    .push(format!("{e}; the shipped policy applies unchanged")),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => policy.notices.push(format!(
                "{}; the shipped policy applies unchanged",
                PolicyError::Io { path, source }
            )),
        }
        policy
    }

    fn from_file(file: PolicyFile) -> Self {
        let mut packs: HashMap<String, bool> = PACKS
            .iter()
            .map(|p| (p.id.to_owned(), p.default_enabled))
            .collect();
        packs.extend(file.packs);
        let mut policy = Self {
            packs,
            severities: HashMap::new(),
            guard_files: file.guard_files,
            protected_paths: file.protected_paths,
            custom: Vec::new(),
            notices: Vec::new(),
            protected: OnceLock::new(),
        };
        for (id, sev) in file.rules {
            match parse_severity(&sev) {
                Some(s) => {
                    policy.severities.insert(id, s);
                }
                None => policy
                    .notices
                    .push(format!("policy rule `{id}`: unknown severity `{sev}`")),
            }
        }
        policy.add_custom(file.custom_rules);
        policy
    }

    fn apply_overlay(&mut self, overlay: PolicyFile) {
        for (pack, on) in overlay.packs {
            if on {
                self.packs.insert(pack, true);
            } else if self.packs.get(&pack).copied().unwrap_or(false) {
                self.notices.push(format!(
                    "project policy cannot disable pack `{pack}`; ignored"
                ));
            }
        }
        let all = registry();
        for (id, sev) in overlay.rules {
            let Some(new) = parse_severity(&sev) else {
                self.notices.push(format!(
                    "project policy rule `{id}`: unknown severity `{sev}`; ignored"
                ));
                continue;
            };
            let current = self
                .severities
                .get(&id)
                .copied()
                .or_else(|| all.iter().find(|r| r.id == id).map(|r| r.severity));
            match current {
                Some(cur) if new < cur => self.notices.push(format!(
                    "project policy cannot lower `{id}` from {} to {}; ignored",
                    cur.name(),
                    new.name()
                )),
                Some(_) => {
                    self.severities.insert(id, new);
                }
                None => self
                    .notices
                    .push(format!("project policy names unknown rule `{id}`; ignored")),
            }
        }
        self.guard_files.extend(overlay.guard_files);
        self.protected_paths.extend(overlay.protected_paths);
        self.add_custom(overlay.custom_rules);
    }

    fn add_custom(&mut self, rules: Vec<CustomRule>) {
        for rule in rules {
            if !rule.id.starts_with("custom:")
                || parse_severity(&rule.severity).is_none()
                || rule.command.is_empty()
            {
                self.notices.push(format!("custom rule `{}` needs a `custom:` id, a command and severity ask|deny; ignored", rule.id));
            } else if self.custom.iter().any(|r| r.id == rule.id) {
                self.notices.push(format!(
                    "custom rule `{}` is defined twice; the first one applies",
                    rule.id
                ));
            } else {
                self.custom.push(rule);
            }
        }
    }

    /// Adds a guard-file pattern (an absolute glob such as the installed plugin's root).
    pub fn add_guard_files(&mut self, pattern: &str) {
        self.guard_files.push(pattern.to_owned());
        self.protected = OnceLock::new();
    }

    /// Whether a pack's rules run.
    pub fn pack_enabled(&self, pack: &str) -> bool {
        pack == "core.guard" || self.packs.get(pack).copied().unwrap_or(true)
    }

    /// A rule's effective severity.
    pub fn severity(&self, rule: &RuleInfo) -> Severity {
        self.severities
            .get(rule.id)
            .copied()
            .map_or(rule.severity, |s| s.max(rule.severity))
    }

    /// Problems found while loading, for the user.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The protected-path matchers, built once per policy on first use.
    pub(crate) fn protected_paths(&self) -> &ProtectedPaths {
        self.protected.get_or_init(|| ProtectedPaths {
            guard: PathSet::new(&self.guard_files),
            protected: PathSet::new(&self.protected_paths),
        })
    }

    pub(crate) fn custom_rules(&self) -> &[CustomRule] {
        &self.custom
    }
}

fn parse_severity(s: &str) -> Option<Severity> {
    match s {
        "ask" => Some(Severity::Ask),
        "deny" | "block" => Some(Severity::Deny),
        _ => None,
    }
}

fn parse(text: &str, path: &Path) -> Result<PolicyFile, PolicyError> {
    let file: PolicyFile = serde_json::from_str(text).map_err(|e| PolicyError::Invalid {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        // serde's message ends with its own " at line L column C"; ours says it once.
        message: e
            .to_string()
            .rsplit_once(" at line ")
            .map_or_else(|| e.to_string(), |(m, _)| m.to_owned()),
    })?;
    if file.version != 1 {
        return Err(PolicyError::Invalid {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!(
                "unsupported version {} (this guard reads version 1)",
                file.version
            ),
        });
    }
    Ok(file)
}

/// Glob patterns over project-relative, home-relative (`~/...`) and absolute paths,
/// matched case-insensitively (macOS and Windows file systems are).
///
/// Compiling case-insensitive globs costs about a millisecond, more than the rest of a
/// hook call, and almost every write target is an ordinary file. So each pattern keeps the
/// literal path components it needs (`.ssh` for `~/.ssh/**`); a path that lacks some
/// literal of every pattern cannot match, and only other paths build the glob sets.
#[derive(Clone, Debug)]
struct PathSet {
    patterns: Vec<String>,
    literals: Vec<Vec<String>>,
    compiled: OnceLock<CompiledPathSet>,
}

#[derive(Clone, Debug)]
struct CompiledPathSet {
    project: GlobSet,
    home: GlobSet,
    absolute: GlobSet,
    /// `**/...` patterns: matched against the whole absolute path (any repository's
    /// `.git`, wherever it is).
    anywhere: GlobSet,
}

impl PathSet {
    fn new(patterns: &[String]) -> Self {
        let literals = patterns
            .iter()
            .map(|p| {
                p.split('/')
                    .filter(|c| !c.is_empty() && *c != "~" && !c.contains(['*', '?', '[', '{']))
                    .map(str::to_lowercase)
                    .collect()
            })
            .collect();
        Self {
            patterns: patterns.to_vec(),
            literals,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&self) -> &CompiledPathSet {
        self.compiled.get_or_init(|| {
            let mut project = GlobSetBuilder::new();
            let mut home = GlobSetBuilder::new();
            let mut absolute = GlobSetBuilder::new();
            let mut anywhere = GlobSetBuilder::new();
            for p in &self.patterns {
                // Lowercased patterns against lowercased paths: case-insensitive matching
                // that keeps globset's fast literal and prefix strategies.
                let p = p.to_lowercase();
                let (builder, pat) = if p.starts_with("**/") {
                    (&mut anywhere, p.as_str())
                } else if let Some(rest) = p.strip_prefix("~/") {
                    (&mut home, rest)
                } else if p.starts_with('/') {
                    (&mut absolute, p.as_str())
                } else {
                    (&mut project, p.as_str())
                };
                if let Ok(glob) = GlobBuilder::new(pat).literal_separator(true).build() {
                    builder.add(glob);
                }
            }
            let empty = || GlobSet::empty();
            CompiledPathSet {
                project: project.build().unwrap_or_else(|_| empty()),
                home: home.build().unwrap_or_else(|_| empty()),
                absolute: absolute.build().unwrap_or_else(|_| empty()),
                anywhere: anywhere.build().unwrap_or_else(|_| empty()),
            }
        })
    }

    fn matches(&self, path: &Path, cx: &GuardContext) -> bool {
        let components: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_lowercase())
            .collect();
        let possible = self
            .literals
            .iter()
            .any(|needed| needed.iter().all(|l| components.contains(l)));
        if !possible {
            return false;
        }
        let set = self.compiled();
        let lower = |p: &Path| PathBuf::from(p.to_string_lossy().to_lowercase());
        if let Ok(rel) = path.strip_prefix(&cx.project_root)
            && cx.project_root.parent().is_some()
            && set.project.is_match(lower(rel))
        {
            return true;
        }
        if let Some(home) = &cx.home
            && let Ok(rel) = path.strip_prefix(home)
            && set.home.is_match(lower(rel))
        {
            return true;
        }
        let path = lower(path);
        set.absolute.is_match(&path)
            || path
                .strip_prefix("/")
                .is_ok_and(|rel| set.anywhere.is_match(rel))
    }
}

/// The two protected sets of a policy.
#[derive(Clone, Debug)]
pub(crate) struct ProtectedPaths {
    guard: PathSet,
    protected: PathSet,
}

impl ProtectedPaths {
    pub(crate) fn is_guard_file(&self, path: &Path, cx: &GuardContext) -> bool {
        self.guard.matches(path, cx)
    }

    pub(crate) fn is_protected(&self, path: &Path, cx: &GuardContext) -> bool {
        self.protected.matches(path, cx)
    }
}

/// Applies the policy's custom rules to an invocation.
pub(crate) fn custom_rules(e: &mut Engine, inv: &Invocation, name: &str) {
    let mut hits = Vec::new();
    for rule in e.policy.custom_rules() {
        if rule.command != name {
            continue;
        }
        if rule
            .args
            .iter()
            .all(|a| inv.args().iter().any(|w| w.text == *a))
        {
            hits.push(Finding {
                rule: rule.id.clone(),
                severity: parse_severity(&rule.severity).unwrap_or(Severity::Deny),
                reason: rule.reason.clone(),
                alternative: if rule.alternative.is_empty() {
                    "ask the user".to_owned()
                } else {
                    rule.alternative.clone()
                },
                command: inv.display.clone(),
                always_enforced: false,
            });
        }
    }
    for f in hits {
        e.hit_custom(f);
    }
}
