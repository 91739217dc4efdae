//! The whole file: the frontmatter, then the sections in their fixed order.
//!
//! Parsing never guesses: a missing or unclosed frontmatter, YAML that does not parse, a
//! required key missing or of the wrong type, or a section given twice is a [`ParseError`]
//! naming the line. Sections are `## ` headings outside code fences; `###` and deeper belong
//! to the section they are in. A section this crate does not know is kept, and written after
//! the known section it followed. Line endings are kept: a file read with CRLF is written
//! with CRLF.

use serde_yaml_ng::Value;

use crate::frontmatter::Frontmatter;
use crate::{OPEN_QUESTIONS_CAP, ParseError, Problem, StateError, WHAT_NOT_TO_RETRY_CAP};

/// A body section this crate knows, in the order the writer puts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionName {
    /// `## Current Wave`: the running wave.
    CurrentWave,
    /// `## Wave History`: one line per finished wave.
    WaveHistory,
    /// `## Deviations`: where the session departed from the plan.
    Deviations,
    /// `## Mission Status`: one line per task.
    MissionStatus,
    /// `## What Not To Retry`: at most 10 entries; survives the idle reset.
    WhatNotToRetry,
    /// `## Open Questions`: `- [ ]` / `- [x] … → Answer:` lines, at most 20; survives the idle
    /// reset.
    OpenQuestions,
    /// `## Previous Session`: the last session's history, demoted.
    PreviousSession,
}

impl SectionName {
    /// Every section, in file order.
    pub const ALL: [Self; 7] = [
        Self::CurrentWave,
        Self::WaveHistory,
        Self::Deviations,
        Self::MissionStatus,
        Self::WhatNotToRetry,
        Self::OpenQuestions,
        Self::PreviousSession,
    ];

    /// The heading text (after `## `).
    pub fn title(self) -> &'static str {
        match self {
            Self::CurrentWave => "Current Wave",
            Self::WaveHistory => "Wave History",
            Self::Deviations => "Deviations",
            Self::MissionStatus => "Mission Status",
            Self::WhatNotToRetry => "What Not To Retry",
            Self::OpenQuestions => "Open Questions",
            Self::PreviousSession => "Previous Session",
        }
    }

    /// The command-line name (`what-not-to-retry`).
    pub fn kebab(self) -> &'static str {
        match self {
            Self::CurrentWave => "current-wave",
            Self::WaveHistory => "wave-history",
            Self::Deviations => "deviations",
            Self::MissionStatus => "mission-status",
            Self::WhatNotToRetry => "what-not-to-retry",
            Self::OpenQuestions => "open-questions",
            Self::PreviousSession => "previous-session",
        }
    }

    /// From the command-line name.
    pub fn from_kebab(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.kebab() == name)
    }

    /// From a heading's text; case and runs of spaces do not matter.
    pub fn from_title(title: &str) -> Option<Self> {
        let words: Vec<&str> = title.split_whitespace().collect();
        let wanted = words.join(" ");
        Self::ALL
            .into_iter()
            .find(|s| s.title().eq_ignore_ascii_case(&wanted))
    }

    /// The most entries the section keeps, if it is capped.
    pub fn cap(self) -> Option<usize> {
        match self {
            Self::WhatNotToRetry => Some(WHAT_NOT_TO_RETRY_CAP),
            Self::OpenQuestions => Some(OPEN_QUESTIONS_CAP),
            _ => None,
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// A section this crate does not know, written by a human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Other {
    /// The known section it followed (`None`: before every known one).
    pub(crate) after: Option<SectionName>,
    pub(crate) title: String,
    pub(crate) body: String,
}

/// A parsed STATE.md.
#[derive(Debug, Clone, PartialEq)]
pub struct StateDoc {
    /// The frontmatter.
    pub frontmatter: Frontmatter,
    /// Text between the frontmatter and the first section (a title, a note), kept.
    pub(crate) preamble: String,
    /// The bodies of the known sections, by [`SectionName::ALL`] index.
    pub(crate) known: [String; 7],
    /// Unknown sections, in file order.
    pub(crate) others: Vec<Other>,
    /// Write CRLF line endings.
    pub(crate) crlf: bool,
}

impl StateDoc {
    /// A document with `frontmatter` and empty sections.
    pub fn new(frontmatter: Frontmatter) -> Self {
        Self {
            frontmatter,
            preamble: String::new(),
            known: Default::default(),
            others: Vec::new(),
            crlf: false,
        }
    }

    /// Parses a STATE.md. Every problem found is in the error, with its line.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let crlf = text.split('\n').next().is_some_and(|l| l.ends_with('\r'));
        let lines: Vec<&str> = text.lines().collect();
        if lines.first().map(|l| l.trim_end()) != Some("---") {
            return Err(ParseError::at(
                1,
                "STATE.md must start with a `---` line opening its YAML frontmatter",
            ));
        }
        let Some(close) = (1..lines.len()).find(|&i| matches!(lines[i].trim_end(), "---" | "..."))
        else {
            return Err(ParseError::at(
                1,
                "the frontmatter opened here is never closed with a `---` line",
            ));
        };
        let mut problems = Vec::new();
        let frontmatter = frontmatter(&lines[1..close], close + 1).map_err(|mut p| {
            problems.append(&mut p);
        });
        let mut doc = Self::new(Frontmatter::new(
            crate::SessionType::None,
            crate::Status::Idle,
            "",
            "",
            0,
        ));
        doc.crlf = crlf;
        doc.read_body(&lines[close + 1..], close + 2, &mut problems);
        match frontmatter {
            Ok(fm) if problems.is_empty() => {
                doc.frontmatter = fm;
                Ok(doc)
            }
            _ => {
                problems.sort_by_key(|p| p.line);
                Err(ParseError { problems })
            }
        }
    }

    /// Splits the body into the preamble and sections; `first` is the file line of
    /// `lines[0]`.
    fn read_body(&mut self, lines: &[&str], first: usize, problems: &mut Vec<Problem>) {
        // (title, heading line, body lines)
        let mut preamble: Vec<&str> = Vec::new();
        let mut sections: Vec<(&str, usize, Vec<&str>)> = Vec::new();
        let mut fence: Option<&str> = None;
        for (i, line) in lines.iter().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(open) = fence {
                if line.trim_start().starts_with(open) {
                    fence = None;
                }
            } else if let Some(marker) = fence_marker(line) {
                fence = Some(marker);
            } else if let Some(title) = heading(line) {
                sections.push((title, first + i, Vec::new()));
                continue;
            }
            match sections.last_mut() {
                Some((_, _, body)) => body.push(line),
                None => preamble.push(line),
            }
        }
        self.preamble = trimmed(&preamble);
        let mut seen: [Option<usize>; 7] = [None; 7];
        let mut after = None;
        for (title, line, body) in sections {
            let body = trimmed(&body);
            if let Some(name) = SectionName::from_title(title) {
                if let Some(earlier) = seen[name.index()] {
                    problems.push(Problem {
                        line,
                        message: format!(
                            "a second `## {}` section (the first is at line {earlier}): merge them into one",
                            name.title()
                        ),
                    });
                    continue;
                }
                seen[name.index()] = Some(line);
                self.known[name.index()] = body;
                after = Some(name);
            } else {
                self.others.push(Other {
                    after,
                    title: title.to_owned(),
                    body,
                });
            }
        }
    }

    /// The file's text: the frontmatter, then the sections in their order.
    pub fn render(&self) -> String {
        let block = |title: &str, body: &str| {
            if body.is_empty() {
                format!("## {title}")
            } else {
                format!("## {title}\n\n{body}")
            }
        };
        let others = |after: Option<SectionName>| {
            self.others
                .iter()
                .filter(move |o| o.after == after)
                .map(|o| block(&o.title, &o.body))
        };
        let mut blocks: Vec<String> = Vec::new();
        if !self.preamble.is_empty() {
            blocks.push(self.preamble.clone());
        }
        blocks.extend(others(None));
        for name in SectionName::ALL {
            blocks.push(block(name.title(), self.section(name)));
            blocks.extend(others(Some(name)));
        }
        let text = format!(
            "---\n{}---\n\n{}\n",
            self.frontmatter.render(),
            blocks.join("\n\n")
        );
        if self.crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        }
    }

    /// The body of a known section (empty when the file has none).
    pub fn section(&self, name: SectionName) -> &str {
        &self.known[name.index()]
    }

    /// Every section in the order they are written: `(title, known name, body)`.
    pub fn sections(&self) -> Vec<(&str, Option<SectionName>, &str)> {
        let mut out: Vec<(&str, Option<SectionName>, &str)> = Vec::new();
        let others = |after: Option<SectionName>| {
            self.others
                .iter()
                .filter(move |o| o.after == after)
                .map(|o| (o.title.as_str(), None, o.body.as_str()))
        };
        out.extend(others(None));
        for name in SectionName::ALL {
            out.push((name.title(), Some(name), self.section(name)));
            out.extend(others(Some(name)));
        }
        out
    }

    /// The text before the first section.
    pub fn preamble(&self) -> &str {
        &self.preamble
    }

    /// Replaces a section's body. Text that would start a new section (a `## ` line outside
    /// a code fence) is refused. A capped section keeps its newest entries; the dropped ones
    /// are returned (their first lines).
    pub fn replace(&mut self, name: SectionName, body: &str) -> Result<Vec<String>, StateError> {
        let lines: Vec<&str> = body
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut fence: Option<&str> = None;
        for line in &lines {
            if let Some(open) = fence {
                if line.trim_start().starts_with(open) {
                    fence = None;
                }
            } else if let Some(marker) = fence_marker(line) {
                fence = Some(marker);
            } else if heading(line).is_some() {
                return Err(StateError::invalid(format!(
                    "the text for `## {}` contains the heading `{line}`, which would start a new section: use `###` for a heading inside a section",
                    name.title()
                )));
            }
        }
        let mut body = trimmed(&lines);
        let dropped = name
            .cap()
            .map(|cap| cap_entries(&mut body, cap))
            .unwrap_or_default();
        self.known[name.index()] = body;
        Ok(dropped)
    }

    /// Appends `- TEXT` to a section (`- [ ] TEXT` to Open Questions, unless TEXT is already a
    /// `[ ]` / `[x]` item). TEXT is one line; a leading `- ` is not doubled. A capped section
    /// drops its oldest entries past the cap; they are returned.
    pub fn append(&mut self, name: SectionName, text: &str) -> Result<Vec<String>, StateError> {
        let text = text.trim();
        if text.contains(['\n', '\r']) {
            return Err(StateError::invalid(format!(
                "the text to append to `## {}` must be one line; replace the whole section with `session-orchestrator state section {} --file -` for more",
                name.title(),
                name.kebab()
            )));
        }
        let text = text.strip_prefix("- ").map_or(text, str::trim_start);
        if text.is_empty() {
            return Err(StateError::invalid(format!(
                "the text to append to `## {}` is empty",
                name.title()
            )));
        }
        let checkbox = ["[ ]", "[x]", "[X]"].iter().any(|b| text.starts_with(b));
        let item = if name == SectionName::OpenQuestions && !checkbox {
            format!("- [ ] {text}")
        } else {
            format!("- {text}")
        };
        let body = &mut self.known[name.index()];
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&item);
        Ok(name
            .cap()
            .map(|cap| cap_entries(body, cap))
            .unwrap_or_default())
    }

    /// Sets a known section's body as it is (already checked and trimmed).
    pub(crate) fn put(&mut self, name: SectionName, body: String) {
        self.known[name.index()] = body;
    }
}

/// Parses the frontmatter lines (file lines 2..`close_line`).
fn frontmatter(lines: &[&str], close_line: usize) -> Result<Frontmatter, Vec<Problem>> {
    let yaml = lines
        .iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    if yaml.trim().is_empty() {
        return Err(vec![Problem {
            line: 1,
            message:
                "the frontmatter is empty: it needs `schema-version: 1` and the session's keys"
                    .to_owned(),
        }]);
    }
    let value: Value = serde_yaml_ng::from_str(&yaml).map_err(|e| {
        let line = e.location().map_or(2, |l| l.line() + 1);
        let message = without_positions(&e.to_string());
        vec![Problem {
            line,
            message: format!("the frontmatter is not valid YAML: {message}"),
        }]
    })?;
    let Value::Mapping(map) = value else {
        return Err(vec![Problem {
            line: 2,
            message: "the frontmatter must be `key: value` lines".to_owned(),
        }]);
    };
    let line_of = |key: &str| {
        lines
            .iter()
            .position(|l| {
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map_or(1, |i| i + 2)
    };
    Frontmatter::from_mapping(map, &line_of, close_line)
}

/// A YAML error message without its ` at line N column M` parts: they count from the
/// frontmatter, not the file, and the problem carries the file's line instead.
fn without_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let mut skip = digits(after);
        if let Some(col) = after[skip..].strip_prefix(" column ") {
            skip += " column ".len() + digits(col);
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// The title of a `## ` heading line.
fn heading(line: &str) -> Option<&str> {
    let title = line.strip_prefix("## ")?.trim();
    (!title.is_empty()).then_some(title)
}

/// The marker of a line opening a code fence (```` ``` ```` or `~~~`).
fn fence_marker(line: &str) -> Option<&'static str> {
    let t = line.trim_start();
    if t.starts_with("```") {
        Some("```")
    } else if t.starts_with("~~~") {
        Some("~~~")
    } else {
        None
    }
}

/// The lines joined, without blank lines at either end.
fn trimmed(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

/// Whether `line` starts a list entry.
fn is_entry(line: &str) -> bool {
    line.starts_with("- ") || line.starts_with("* ") || line == "-" || line == "*"
}

/// Keeps the newest `cap` entries of `body` (an entry is a `- ` line and the lines under it
/// up to the next entry; text before the first entry stays). Returns the dropped entries'
/// first lines, oldest first.
pub(crate) fn cap_entries(body: &mut String, cap: usize) -> Vec<String> {
    let lines: Vec<&str> = body.lines().collect();
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| is_entry(lines[i])).collect();
    if starts.len() <= cap {
        return Vec::new();
    }
    let drop = starts.len() - cap;
    let (from, to) = (starts[0], starts[drop]);
    let dropped = starts[..drop]
        .iter()
        .map(|&i| lines[i].to_owned())
        .collect();
    let kept: Vec<&str> = lines[..from].iter().chain(&lines[to..]).copied().collect();
    *body = trimmed(&kept);
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SessionType, Status};

    const FULL: &str = "---
schema-version: 1
session-type: deep
branch: main
issues: [12, 15]
started_at: 2026-05-04T09:00:00Z
status: active
current-wave: 1
total-waves: 5
updated: 2026-05-04T09:05:00Z
session-start-ref: 3f2c1ab
---

## Current Wave

Wave 1 · Discovery · 3 agents · started 09:05

## Wave History

- Wave 1 (Discovery): done — parser entry points mapped

## Deviations

## Mission Status

- #12 parse the new header form: in-dev

## What Not To Retry

- Widening `src/**` for one agent

## Open Questions

- [ ] Should `--strict` also reject trailing comments?

## Previous Session
";

    fn parse(text: &str) -> StateDoc {
        StateDoc::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn problems(text: &str) -> Vec<(usize, String)> {
        match StateDoc::parse(text) {
            Ok(_) => panic!("parsed, but should not have:\n{text}"),
            Err(e) => e
                .problems
                .into_iter()
                .map(|p| (p.line, p.message))
                .collect(),
        }
    }

    #[test]
    fn a_canonical_file_round_trips_byte_for_byte() {
        let doc = parse(FULL);
        assert_eq!(doc.frontmatter.session_type, SessionType::Deep);
        assert_eq!(doc.frontmatter.status, Status::Active);
        assert_eq!(doc.frontmatter.issues, [12, 15]);
        assert_eq!(
            doc.frontmatter.session_start_ref.as_deref(),
            Some("3f2c1ab")
        );
        assert_eq!(
            doc.section(SectionName::CurrentWave),
            "Wave 1 · Discovery · 3 agents · started 09:05"
        );
        assert_eq!(doc.section(SectionName::Deviations), "");
        assert_eq!(doc.render(), FULL);
        assert_eq!(parse(&doc.render()), doc);
    }

    #[test]
    fn every_optional_key_round_trips() {
        let mut doc = parse(FULL);
        for (k, v) in [
            ("session", "sprint 4: parser"),
            ("recommended-mode", "feature"),
            (
                "top-priorities",
                "#12 parser, docs: header form, a \"quoted\" one",
            ),
            ("carryover-ratio", "0.25"),
            ("completion-rate", "1"),
            (
                "rationale",
                "three of four issues done; the fourth needs a design",
            ),
            ("docs-tasks", "README, docs/state.md"),
            ("branch", "1.10"),
        ] {
            assert!(doc.frontmatter.set(k, v).is_ok(), "{k}");
        }
        let text = doc.render();
        let back = parse(&text);
        assert_eq!(back, doc, "{text}");
        assert_eq!(back.frontmatter.branch, "1.10");
        assert_eq!(back.frontmatter.completion_rate, Some(1.0));
        assert_eq!(
            back.frontmatter
                .top_priorities
                .as_deref()
                .map(<[String]>::len),
            Some(3)
        );
        assert_eq!(back.render(), text);
    }

    #[test]
    fn unknown_sections_and_keys_written_by_a_human_are_kept() {
        let text = FULL
            .replace(
                "session-start-ref: 3f2c1ab\n",
                "session-start-ref: 3f2c1ab\nowner: ada\nnotes:\n  - one\n  - two\n",
            )
            .replace(
                "## Deviations\n",
                "## Decisions\n\n- keep the old parser behind a flag\n\n### Why\n\nusers\n\n## Deviations\n",
            )
            .replace("---\n\n## Current Wave", "---\n\n# Session state\n\nRead me first.\n\n## Current Wave");
        let doc = parse(&text);
        assert_eq!(doc.preamble(), "# Session state\n\nRead me first.");
        assert_eq!(
            doc.frontmatter.extra.get("owner").and_then(Value::as_str),
            Some("ada")
        );
        let out = doc.render();
        assert!(
            out.contains("owner: ada\nnotes:\n- one\n- two\n---\n"),
            "{out}"
        );
        assert!(
            out.contains("## Wave History\n\n- Wave 1 (Discovery): done — parser entry points mapped\n\n## Decisions\n\n- keep the old parser behind a flag\n\n### Why\n\nusers\n\n## Deviations"),
            "{out}"
        );
        assert!(out.starts_with("---\nschema-version: 1\n"));
        assert!(out.contains("---\n\n# Session state\n\nRead me first.\n\n## Current Wave"));
        assert_eq!(parse(&out), doc);
        let titles: Vec<&str> = doc.sections().iter().map(|s| s.0).collect();
        assert_eq!(titles[2], "Decisions");
    }

    #[test]
    fn sections_are_written_in_their_order_whatever_the_file_had() {
        let text = FULL.replace(
            "## Current Wave\n\nWave 1 · Discovery · 3 agents · started 09:05\n\n",
            "",
        ) + "\n## current  wave\n\nlate\n";
        let doc = parse(&text);
        assert_eq!(doc.section(SectionName::CurrentWave), "late");
        let out = doc.render();
        assert!(
            out.contains("---\n\n## Current Wave\n\nlate\n\n## Wave History"),
            "{out}"
        );
    }

    #[test]
    fn headings_inside_code_fences_do_not_start_sections() {
        let text = FULL.replace(
            "## Deviations\n",
            "## Deviations\n\n```markdown\n## Not a section\n```\n",
        );
        let doc = parse(&text);
        assert_eq!(
            doc.section(SectionName::Deviations),
            "```markdown\n## Not a section\n```"
        );
        assert_eq!(parse(&doc.render()), doc);
    }

    #[test]
    fn crlf_files_are_read_and_written_with_crlf() {
        let crlf = FULL.replace('\n', "\r\n");
        let doc = parse(&crlf);
        assert_eq!(doc.frontmatter.branch, "main");
        assert_eq!(
            doc.section(SectionName::CurrentWave),
            "Wave 1 · Discovery · 3 agents · started 09:05"
        );
        assert_eq!(doc.render(), crlf);
        // Control: a LF file stays LF.
        assert!(!parse(FULL).render().contains('\r'));
        // A byte-order mark is tolerated.
        assert_eq!(parse(&format!("\u{feff}{FULL}")).render(), FULL);
    }

    #[test]
    fn bad_frontmatter_is_an_error_naming_the_line() {
        assert_eq!(problems("# no frontmatter\n")[0].0, 1);
        assert!(
            problems("---\nschema-version: 1\n")[0]
                .1
                .contains("never closed")
        );
        assert!(problems("---\n---\n")[0].1.contains("empty"));
        // YAML syntax error on file line 4.
        let p = problems(&FULL.replace("status: active", "status: [active"));
        assert!(p[0].1.contains("not valid YAML"), "{p:?}");
        assert!((7..=9).contains(&p[0].0), "{p:?}");
        // Wrong values, each at its own line.
        let p = problems(
            &FULL
                .replace("status: active", "status: running")
                .replace("current-wave: 1", "current-wave: one")
                .replace("issues: [12, 15]", "issues: [twelve]"),
        );
        let lines: Vec<usize> = p.iter().map(|x| x.0).collect();
        assert_eq!(lines, [5, 7, 8], "{p:?}");
        assert!(
            p[1].1
                .contains("`status` must be one of active, paused, completed, idle, got `running`"),
            "{p:?}"
        );
        // A missing required key is reported at the closing `---`.
        let p = problems(&FULL.replace("branch: main\n", ""));
        assert_eq!(p, [(11, "the required key `branch` is missing".to_owned())]);
        // Cross-key rule and version.
        let p = problems(&FULL.replace("current-wave: 1", "current-wave: 6"));
        assert_eq!(p[0].0, 8);
        assert!(p[0].1.contains("greater than `total-waves`"));
        let p = problems(&FULL.replace("schema-version: 1", "schema-version: 2"));
        assert_eq!(p[0].0, 2);
        // Duplicate keys and duplicate sections.
        let p = problems(&FULL.replace("branch: main\n", "branch: main\nbranch: dev\n"));
        assert!(p[0].1.contains("duplicate"), "{p:?}");
        let p = problems(&(FULL.to_owned() + "\n## Deviations\n\n- again\n"));
        assert!(
            p[0].1
                .contains("a second `## Deviations` section (the first is at line 22)"),
            "{p:?}"
        );
        // Caps are part of the format.
        let p = problems(&FULL.replace(
            "session-start-ref: 3f2c1ab",
            &format!("rationale: {}", "x".repeat(121)),
        ));
        assert!(p[0].1.contains("120"), "{p:?}");
    }

    #[test]
    fn the_example_of_the_skill_reference_parses() {
        // skills/wave-executor/references/state-md.md: no `## Previous Session`, no blank
        // section bodies.
        let text = "---\nschema-version: 1\nsession-type: deep\nbranch: main\nissues: [12, 15]\nstarted_at: 2026-05-04T09:00:00Z\nstatus: active\ncurrent-wave: 1\ntotal-waves: 5\nsession-start-ref: 3f2c1ab\nupdated: 2026-05-04T09:05:00Z\n---\n\n## Current Wave\n\nWave 1\n\n## Open Questions\n\n- [ ] Should `--strict` also reject trailing comments?\n";
        let doc = parse(text);
        assert_eq!(doc.section(SectionName::PreviousSession), "");
        assert_eq!(
            doc.frontmatter.updated.as_deref(),
            Some("2026-05-04T09:05:00Z")
        );
    }

    #[test]
    fn append_writes_list_items_and_caps_fifo() {
        let mut doc = parse(FULL);
        assert!(
            doc.append(SectionName::Deviations, "Wave 2 ran long")
                .is_ok()
        );
        assert!(doc.append(SectionName::Deviations, "- Wave 3 too").is_ok());
        assert_eq!(
            doc.section(SectionName::Deviations),
            "- Wave 2 ran long\n- Wave 3 too"
        );
        assert!(doc.append(SectionName::OpenQuestions, "Why?").is_ok());
        assert!(
            doc.append(SectionName::OpenQuestions, "[x] How? → Answer: so")
                .is_ok()
        );
        assert!(
            doc.section(SectionName::OpenQuestions)
                .ends_with("- [ ] Why?\n- [x] How? → Answer: so")
        );
        // Multi-line and empty text are refused.
        assert!(doc.append(SectionName::Deviations, "a\nb").is_err());
        assert!(doc.append(SectionName::Deviations, "  ").is_err());

        let mut dropped = Vec::new();
        for i in 1..=12 {
            dropped.extend(
                doc.append(SectionName::WhatNotToRetry, &format!("try {i}"))
                    .unwrap_or_default(),
            );
        }
        assert_eq!(
            dropped,
            ["- Widening `src/**` for one agent", "- try 1", "- try 2"]
        );
        let body = doc.section(SectionName::WhatNotToRetry);
        assert_eq!(body.lines().count(), 10);
        assert!(body.starts_with("- try 3\n") && body.ends_with("- try 12"));
        // Control: a section without a cap keeps everything.
        for i in 0..30 {
            assert!(
                doc.append(SectionName::Deviations, &format!("d{i}"))
                    .is_ok_and(|d| d.is_empty())
            );
        }
        assert_eq!(doc.section(SectionName::Deviations).lines().count(), 32);
    }

    #[test]
    fn yaml_positions_are_dropped_from_messages() {
        assert_eq!(
            without_positions(
                "did not find expected ',' at line 4 column 1, while parsing a flow sequence at line 3 column 9"
            ),
            "did not find expected ',', while parsing a flow sequence"
        );
        assert_eq!(without_positions("no position"), "no position");
    }

    #[test]
    fn caps_drop_whole_entries_and_keep_leading_prose() {
        let mut body = "Asked by the user:\n- one\n  detail of one\n- two\n- three".to_owned();
        assert_eq!(cap_entries(&mut body, 2), ["- one"]);
        assert_eq!(body, "Asked by the user:\n- two\n- three");
        let mut body = "- a\n- b".to_owned();
        assert!(cap_entries(&mut body, 2).is_empty());
    }

    #[test]
    fn replace_refuses_a_heading_that_would_split_the_file() {
        let mut doc = parse(FULL);
        assert!(
            doc.replace(SectionName::MissionStatus, "- a\n## Sneaky\n- b")
                .is_err_and(|e| e.to_string().contains("`## Sneaky`"))
        );
        // Controls: deeper headings and fenced ones are fine; CRLF and blank edges go.
        assert!(
            doc.replace(
                SectionName::MissionStatus,
                "\n\n### Tasks\r\n- a\r\n```\n## x\n```\n\n"
            )
            .is_ok()
        );
        assert_eq!(
            doc.section(SectionName::MissionStatus),
            "### Tasks\n- a\n```\n## x\n```"
        );
        let qs = (1..=25).fold(String::new(), |mut s, i| {
            s.push_str("- [ ] q");
            s.push_str(&i.to_string());
            s.push('\n');
            s
        });
        let dropped = doc
            .replace(SectionName::OpenQuestions, &qs)
            .unwrap_or_default();
        assert_eq!(dropped.len(), 5);
        assert!(
            doc.section(SectionName::OpenQuestions)
                .starts_with("- [ ] q6\n")
        );
        assert_eq!(parse(&doc.render()), doc);
    }
}
