//! The markdown bundle at the repository root — `skills/*/SKILL.md`, `commands/*.md`,
//! `agents/*.md`: every frontmatter parses and has its required fields, every
//! `session-orchestrator:<name>` reference and every `/command` resolves, and every
//! `session-orchestrator <subcommand> --flag` the markdown tells an agent to run exists in the
//! real binary's `--help`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

mod common;
use common::run_cli;

/// Tools a plugin agent or command may list.
const TOOLS: &[&str] = &[
    "Read",
    "Edit",
    "Write",
    "MultiEdit",
    "NotebookEdit",
    "Glob",
    "Grep",
    "Bash",
    "Skill",
    "Agent",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
];
const MODELS: &[&str] = &["inherit", "sonnet", "opus", "haiku", "fable"];
const COLORS: &[&str] = &[
    "blue", "cyan", "green", "yellow", "magenta", "red", "purple", "orange", "pink",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One markdown file of the bundle: its frontmatter, the frontmatter's raw text, and the body.
struct Doc {
    path: PathBuf,
    meta: Mapping,
    raw_meta: String,
    body: String,
}

impl Doc {
    fn read(path: &Path) -> Doc {
        let text = std::fs::read_to_string(path).unwrap();
        let (raw_meta, body) =
            split_frontmatter(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: Value = serde_yaml_ng::from_str(raw_meta)
            .unwrap_or_else(|e| panic!("{}: frontmatter is not YAML: {e}", path.display()));
        let Value::Mapping(meta) = value else {
            panic!("{}: frontmatter is not a mapping", path.display());
        };
        Doc {
            path: path.to_path_buf(),
            meta,
            raw_meta: raw_meta.to_owned(),
            body: body.to_owned(),
        }
    }

    fn name(&self) -> String {
        self.path
            .strip_prefix(root())
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }

    /// A string field; panics naming the file when it is missing or not a string.
    fn string(&self, key: &str) -> String {
        match self.meta.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(other) => panic!(
                "{}: `{key}` must be a non-empty string, got {other:?}",
                self.name()
            ),
            None => panic!("{}: `{key}` is required", self.name()),
        }
    }

    /// The whole file's text (frontmatter and body), for reference scans.
    fn all_text(&self) -> String {
        format!("{}\n{}", self.raw_meta, self.body)
    }

    /// `allowed-tools`, or none when the file grants none.
    fn grants(&self) -> Vec<String> {
        if self.meta.contains_key("allowed-tools") {
            self.tool_list("allowed-tools")
        } else {
            Vec::new()
        }
    }

    /// `tools` / `allowed-tools`: a comma-separated string or a list of strings.
    fn tool_list(&self, key: &str) -> Vec<String> {
        match self.meta.get(key) {
            Some(Value::String(s)) => split_tools(s),
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.trim().to_owned(),
                    other => panic!("{}: `{key}` item {other:?} is not a string", self.name()),
                })
                .collect(),
            Some(other) => panic!(
                "{}: `{key}` must be a string or a list, got {other:?}",
                self.name()
            ),
            None => panic!("{}: `{key}` is required", self.name()),
        }
    }
}

/// Splits `---\n<yaml>\n---\n<body>`: the frontmatter runs from a first line `---` to the
/// next line that is exactly `---`.
fn split_frontmatter(text: &str) -> Result<(&str, &str), String> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or("the file must start with a `---` line")?;
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches('\n') == "---" {
            return Ok((&rest[..at], &rest[at + line.len()..]));
        }
        at += line.len();
    }
    Err("the frontmatter has no closing `---` line".to_owned())
}

/// `Read, Bash(git status:*), Edit` → entries, commas inside parentheses kept.
fn split_tools(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut current) = (0_i32, String::new());
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

fn skill_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("skills"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn skills() -> Vec<Doc> {
    skill_dirs()
        .iter()
        .map(|d| Doc::read(&d.join("SKILL.md")))
        .collect()
}

fn commands() -> Vec<Doc> {
    md_files(&root().join("commands"))
        .iter()
        .map(|p| Doc::read(p))
        .collect()
}

fn agents() -> Vec<Doc> {
    md_files(&root().join("agents"))
        .iter()
        .filter(|p| !p.ends_with("AGENTS.md") && !p.ends_with("CLAUDE.md"))
        .map(|p| Doc::read(p))
        .collect()
}

/// Every markdown file of the bundle, skills' reference files included: (name, text).
fn bundle_texts() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    for d in skill_dirs() {
        paths.extend(md_files(&d));
        let refs = d.join("references");
        if refs.is_dir() {
            paths.extend(md_files(&refs));
        }
    }
    paths.extend(md_files(&root().join("commands")));
    paths.extend(md_files(&root().join("agents")));
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root()).unwrap().display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn stems(paths: &[PathBuf]) -> BTreeSet<String> {
    paths
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

// ---------------------------------------------------------------------------------------
// frontmatter
// ---------------------------------------------------------------------------------------

#[test]
fn skills_have_name_description_and_the_sections() {
    let all = skills();
    assert!(all.len() >= 6, "{} skills", all.len());
    for (doc, dir) in all.iter().zip(skill_dirs()) {
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        let name = doc.string("name");
        assert_eq!(name, folder, "{}: `name` must equal the folder", doc.name());
        assert!(
            is_kebab(&name),
            "{}: `{name}` is not kebab-case",
            doc.name()
        );
        let description = doc.string("description");
        assert!(
            description.chars().count() <= 500,
            "{}: description is {} characters (max 500)",
            doc.name(),
            description.chars().count()
        );
        assert!(
            description.starts_with("Use "),
            "{}: the description says when to use the skill: {description}",
            doc.name()
        );
        for section in ["## Done when", "## If a step fails", "## Common mistakes"] {
            assert!(doc.body.contains(section), "{}: no `{section}`", doc.name());
        }
        assert!(
            doc.body.lines().any(|l| l.starts_with("1. ")),
            "{}: no numbered steps",
            doc.name()
        );
    }
}

/// A slash command's `argument-hint` (a string, and present when the body takes
/// `$ARGUMENTS`) and its `allowed-tools`: real tools, each narrowed by a pattern where the
/// tool can be.
fn arguments_and_grants(doc: &Doc) {
    if doc.meta.contains_key("argument-hint") {
        doc.string("argument-hint");
    }
    if doc.body.contains("$ARGUMENTS") {
        assert!(
            doc.meta.contains_key("argument-hint"),
            "{}: takes arguments but has no `argument-hint`",
            doc.name()
        );
    }
    for tool in doc.grants() {
        let base = tool.split('(').next().unwrap_or_default();
        assert!(
            TOOLS.contains(&base),
            "{}: unknown tool `{tool}`",
            doc.name()
        );
        assert!(
            !matches!(tool.as_str(), "Bash" | "Write" | "Edit"),
            "{}: `{tool}` without a pattern is not the narrowest grant",
            doc.name()
        );
    }
}

#[test]
fn commands_describe_themselves_and_list_narrow_tools() {
    let all = commands();
    assert!(all.len() >= 3, "{} commands", all.len());
    for doc in &all {
        doc.string("description");
        assert!(
            doc.meta.contains_key("allowed-tools"),
            "{}: `allowed-tools` is required",
            doc.name()
        );
        arguments_and_grants(doc);
        assert!(
            doc.body.contains("session-orchestrator:"),
            "{}: the body should load a skill (`session-orchestrator:<skill>`)",
            doc.name()
        );
    }
    // Skills that are slash commands follow the same rules for arguments and grants.
    for doc in &skills() {
        arguments_and_grants(doc);
    }
}

#[test]
fn agents_have_the_fields_the_loaders_need() {
    let all = agents();
    assert!(all.len() >= 3, "{} agents", all.len());
    for doc in &all {
        let stem = doc.path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            doc.string("name"),
            stem,
            "{}: `name` must equal the file name",
            doc.name()
        );
        doc.string("description");
        let inline = doc
            .raw_meta
            .lines()
            .find_map(|l| l.strip_prefix("description:"))
            .map(str::trim);
        assert!(
            inline.is_some_and(|d| !d.starts_with(['>', '|'])),
            "{}: `description` must be an inline string (the agent loader cannot read block scalars)",
            doc.name()
        );
        let model = doc.string("model");
        assert!(
            MODELS.contains(&model.as_str()) || model.starts_with("claude-"),
            "{}: model `{model}`",
            doc.name()
        );
        let color = doc.string("color");
        assert!(
            COLORS.contains(&color.as_str()),
            "{}: color `{color}`",
            doc.name()
        );
        let tools = doc.tool_list("tools");
        assert!(!tools.is_empty(), "{}: empty `tools`", doc.name());
        for t in &tools {
            assert!(
                TOOLS.contains(&t.as_str()),
                "{}: unknown tool `{t}`",
                doc.name()
            );
        }
        let words = doc.body.split_whitespace().count();
        assert!(
            (150..=800).contains(&words),
            "{}: body of {words} words",
            doc.name()
        );
        if tools.iter().any(|t| t == "Edit" || t == "Write") {
            for needle in [
                "PSA-007",
                "git stash",
                "git add",
                "git commit",
                "Never stage, commit or stash",
            ] {
                assert!(
                    doc.body.contains(needle),
                    "{}: a write-capable agent must carry the no-stage/commit/stash rule (`{needle}`)",
                    doc.name()
                );
            }
            assert!(
                doc.body.contains("Stay inside your files")
                    || doc.body.contains("inside your files"),
                "{}: a write-capable agent must stay inside its files",
                doc.name()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// cross-references
// ---------------------------------------------------------------------------------------

/// `session-orchestrator:<name>` references in `text`.
fn plugin_refs(text: &str) -> Vec<String> {
    text.match_indices("session-orchestrator:")
        .map(|(at, m)| {
            text[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty()) // `Bash(session-orchestrator:*)` is a pattern
        .collect()
}

/// `/name` mentions: a slash at the start of a word (after space, `(`, `` ` `` or line start)
/// followed by a lowercase name that does not continue as a path.
fn slash_commands(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('/') {
        let before = text[..at].chars().next_back();
        if !before.is_none_or(|c| c.is_whitespace() || c == '(' || c == '`') {
            continue;
        }
        let name: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let mut after = text[at + 1 + name.len()..].chars();
        let (next, then) = (after.next(), after.next());
        let path = next.is_some_and(|c| c == '/' || c.is_alphanumeric())
            || (next == Some('.') && then.is_some_and(char::is_alphanumeric));
        if !name.is_empty() && !path {
            found.push(name);
        }
    }
    found
}

/// Claude Code resolves `session-orchestrator:NAME` to the command when a command and a skill
/// share NAME (measured with 2.1.330: the Skill tool then loads the command's body), so such
/// a skill could never be loaded. A slash command with a procedure behind it is the skill
/// itself, with the command's `argument-hint` and `allowed-tools` in its frontmatter.
#[test]
fn no_command_shares_its_name_with_a_skill() {
    let skill_names: BTreeSet<String> = skill_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let command_names = stems(&md_files(&root().join("commands")));
    let both: Vec<_> = command_names.intersection(&skill_names).collect();
    assert!(both.is_empty(), "commands and skills share names: {both:?}");
}

#[test]
fn every_reference_resolves() {
    let skill_names: BTreeSet<String> = skill_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let agent_names = stems(&md_files(&root().join("agents")));
    // A skill is a slash command too (`/session-orchestrator:plan`) unless it opts out.
    let mut command_names = stems(&md_files(&root().join("commands")));
    for doc in skills() {
        if doc.meta.get("user-invocable") != Some(&Value::Bool(false)) {
            command_names.insert(doc.string("name"));
        }
    }
    for (name, text) in bundle_texts() {
        for r in plugin_refs(&text) {
            assert!(
                skill_names.contains(&r) || agent_names.contains(&r),
                "{name}: `session-orchestrator:{r}` is neither a skill nor an agent"
            );
        }
        for c in slash_commands(&text) {
            assert!(
                command_names.contains(&c),
                "{name}: `/{c}` is not a command of the bundle"
            );
        }
    }
    // Every command loads at least one skill, and every skill is reachable from somewhere.
    let mut reached = BTreeSet::new();
    for doc in commands().iter().chain(&agents()).chain(&skills()) {
        reached.extend(plugin_refs(&doc.all_text()));
        // A skill that is a slash command is reached by naming the command (`/autopilot`).
        reached.extend(slash_commands(&doc.all_text()));
    }
    for s in &skill_names {
        assert!(
            reached.contains(s),
            "skill `{s}` is named by no command, agent or skill"
        );
    }
}

// ---------------------------------------------------------------------------------------
// CLI mentions
// ---------------------------------------------------------------------------------------

/// What `--help` says exists: subcommands, their sub-subcommands, and every flag.
struct Cli {
    help: String,
    commands: BTreeSet<String>,
    nested: Vec<(String, String)>,
}

impl Cli {
    fn from_binary() -> Cli {
        let out = run_cli(Path::new("."), &["--help"], &[], "");
        assert!(out.success());
        let help = out.stdout;
        let mut commands = BTreeSet::new();
        let mut nested = Vec::new();
        for line in help.lines() {
            let Some(rest) = line.trim_start().strip_prefix("session-orchestrator ") else {
                continue;
            };
            let mut words = rest.split_whitespace();
            let Some(first) = words.next() else { continue };
            if !first.chars().all(|c| c.is_ascii_lowercase() || c == '-') || first.starts_with('-')
            {
                continue;
            }
            commands.insert(first.to_owned());
            // `install claude|codex` names two sub-subcommands.
            if let Some(second) = words.next()
                && second
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '|')
                && !second.starts_with('-')
            {
                for alt in second.split('|') {
                    nested.push((first.to_owned(), alt.to_owned()));
                }
            }
        }
        Cli {
            help,
            commands,
            nested,
        }
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.help.match_indices(flag).any(|(at, _)| {
            let next = self.help[at + flag.len()..].chars().next();
            !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    }

    /// Checks one invocation (the words after `session-orchestrator`).
    fn check(&self, words: &[&str], context: &str) {
        let Some(first) = words.first() else { return };
        if first.starts_with("--") {
            assert!(
                self.has_flag(first),
                "{context}: `session-orchestrator {first}`"
            );
            return;
        }
        assert!(
            self.commands.contains(*first),
            "{context}: `session-orchestrator {first}` is not a subcommand (have {:?})",
            self.commands
        );
        let subs: Vec<&str> = self
            .nested
            .iter()
            .filter(|(c, _)| c == first)
            .map(|(_, s)| s.as_str())
            .collect();
        if !subs.is_empty()
            && let Some(second) = words.get(1)
            && !second.starts_with("--")
        {
            assert!(
                subs.contains(second),
                "{context}: `session-orchestrator {first} {second}` (have {subs:?})"
            );
        }
        for w in &words[1..] {
            // A quoted word is an argument (`check 'git reset --hard'`), never our flag.
            if w.starts_with(['\'', '"']) {
                continue;
            }
            if let Some(flag) = w
                .strip_prefix("--")
                .map(|f| f.split('=').next().unwrap_or(f))
            {
                let flag = format!("--{flag}");
                assert!(self.has_flag(&flag), "{context}: `{flag}` is not in --help");
            }
        }
    }
}

/// A piece of code the markdown tells the agent to run.
struct Code {
    text: String,
}

/// Inline code spans, and the lines of shell fences (`sh`, `bash`, `console`, no info string).
fn code_of(text: &str) -> Vec<Code> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut fence: Option<bool> = None; // Some(is_shell) inside a fence
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(matches!(
                    info.trim(),
                    "" | "sh" | "bash" | "shell" | "console"
                )),
            };
            prose.push('\n');
            continue;
        }
        match fence {
            Some(true) => out.push(Code {
                text: line.to_owned(),
            }),
            Some(false) => {}
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    let parts: Vec<&str> = prose.split('`').collect();
    for i in (1..parts.len().saturating_sub(1)).step_by(2) {
        out.push(Code {
            text: parts[i].replace('\n', " "),
        });
    }
    out
}

/// The words after each `session-orchestrator ` in `code`, up to a shell operator.
fn invocations(code: &str) -> Vec<Vec<&str>> {
    const NAME: &str = "session-orchestrator ";
    code.match_indices(NAME)
        .filter(|(at, _)| {
            !code[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
        })
        .map(|(at, _)| {
            let mut words: Vec<&str> = Vec::new();
            let mut quote: Option<char> = None;
            for w in code[at + NAME.len()..].split_whitespace() {
                // Inside a quoted argument: its words are not ours to check.
                if let Some(q) = quote {
                    if w.ends_with(q) {
                        quote = None;
                    }
                    continue;
                }
                if w.starts_with(['|', '&', ';', '<', '>', ')', '#']) || w.starts_with("2>") {
                    break;
                }
                if let Some(q) = w.chars().next().filter(|c| matches!(c, '\'' | '"'))
                    && !(w.len() > 1 && w.ends_with(q))
                {
                    quote = Some(q);
                }
                words.push(w);
            }
            words
        })
        .collect()
}

#[test]
fn every_cli_call_in_the_markdown_exists() {
    let cli = Cli::from_binary();
    for needed in ["config", "wave-scope", "check-path", "validate-wave-scope"] {
        assert!(cli.commands.contains(needed), "--help lacks `{needed}`");
    }
    let mut checked = 0;
    for (name, text) in bundle_texts() {
        for code in code_of(&text) {
            for words in invocations(&code.text) {
                cli.check(&words, &format!("{name}: `{}`", code.text.trim()));
                checked += 1;
            }
        }
    }
    // The pre-approved Bash patterns of commands and skills name real subcommands too.
    for doc in commands().iter().chain(&skills()) {
        for tool in doc.grants() {
            if let Some(inner) = tool
                .strip_prefix("Bash(session-orchestrator ")
                .and_then(|t| t.strip_suffix(')'))
            {
                let inner = inner.trim_end_matches(":*");
                let words: Vec<&str> = inner.split_whitespace().collect();
                cli.check(&words, &doc.name());
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} CLI calls found: is the scan broken?"
    );
}

#[test]
fn the_scanners_see_what_they_should() {
    assert_eq!(
        split_tools("Read, Bash(git status:*), Bash(a, b), Edit"),
        ["Read", "Bash(git status:*)", "Bash(a, b)", "Edit"]
    );
    assert_eq!(
        split_frontmatter("---\na: 1\n---\nbody\n"),
        Ok(("a: 1\n", "body\n"))
    );
    assert!(split_frontmatter("a: 1\n---\n").is_err());
    assert!(split_frontmatter("---\na: 1\n").is_err());
    assert_eq!(
        slash_commands(
            "run /go, then `/close` or (/session deep); not /tmp/x, a/b or /x.md; /end."
        ),
        ["go", "close", "session", "end"]
    );
    assert_eq!(
        plugin_refs("load `session-orchestrator:wave-executor`."),
        ["wave-executor"]
    );
    let code = code_of(
        "Run `session-orchestrator config --json | jq .`, until `session-orchestrator state` exists.\n```sh\nsession-orchestrator wave-scope clear\n```\n```text\nof a session-orchestrator session.\n```\n",
    );
    let texts: Vec<&str> = code.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "session-orchestrator wave-scope clear",
            "session-orchestrator config --json | jq .",
            "session-orchestrator state"
        ]
    );
    assert_eq!(invocations(&code[1].text), [vec!["config", "--json"]]);
    assert!(invocations("target/release/session-orchestrator check x").len() == 1);
    assert!(invocations("session-orchestrator:session-end").is_empty());
    // A quoted argument is one word, whatever flags it holds.
    assert_eq!(
        invocations("session-orchestrator check 'git reset --hard' --json"),
        [vec!["check", "'git", "--json"]]
    );
    let cli = Cli::from_binary();
    assert!(
        cli.nested
            .iter()
            .any(|(c, s)| c == "install" && s == "codex")
    );
}

/// The relative targets of markdown links (`[text](target)`), without `#anchors`; web and
/// anchor-only links are left out.
fn relative_links(text: &str) -> Vec<String> {
    // Prose only: code fences and inline code hold shell, not links.
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            let spans: Vec<&str> = line.split('`').collect();
            for (i, part) in spans.iter().enumerate() {
                if i % 2 == 0 {
                    prose.push_str(part);
                }
            }
            prose.push('\n');
        }
    }
    let text = prose.as_str();
    let mut out = Vec::new();
    for (at, _) in text.match_indices("](") {
        let rest = &text[at + 2..];
        let Some(end) = rest.find(')') else { continue };
        let target = rest[..end].split('#').next().unwrap_or_default().trim();
        if target.is_empty()
            || target.contains("://")
            || target.starts_with("mailto:")
            || target.contains(char::is_whitespace)
        {
            continue;
        }
        out.push(target.to_owned());
    }
    out
}

#[test]
fn every_relative_link_in_the_bundle_resolves() {
    let mut checked = 0;
    let mut dead = Vec::new();
    for (name, text) in bundle_texts() {
        let dir = root().join(&name);
        let dir = dir.parent().unwrap();
        for target in relative_links(&text) {
            checked += 1;
            if !dir.join(&target).exists() {
                dead.push(format!("{name}: ({target})"));
            }
        }
    }
    assert!(dead.is_empty(), "links to nothing:\n{}", dead.join("\n"));
    assert!(
        checked >= 5,
        "only {checked} links found: is the scan broken?"
    );
    // The scanner itself: relative links only, anchors cut.
    assert_eq!(
        relative_links(
            "[a](references/x.md#top), [b](https://e.x/y), [c](#here), [d](../z.md) `[e](f)`"
        ),
        ["references/x.md", "../z.md"]
    );
}
