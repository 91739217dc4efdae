//! Walks the section body: entries, nested blocks, duplicates and the diagnostics for them.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::diag::{ConfigError, Diagnostic, Severity, ValueError};
use crate::fields;
use crate::line::{EntryLine, indent_width, parse_entry_line};
use crate::section::{Line, Note, find_section, is_fence, split_lines};

/// One `key: value` setting, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// Full key; children of a block are dotted (`loop-guard.threshold`).
    pub key: String,
    /// The value with the inline comment and one pair of surrounding quotes removed.
    pub value: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based character column of the value (where value errors point).
    pub column: usize,
    /// 1-based character column of the key.
    pub key_column: usize,
    /// Byte range of the whole line in the file, without its line terminator.
    pub line_span: Range<usize>,
    /// Byte range of the value as written (quotes included, comment excluded).
    pub value_span: Range<usize>,
}

pub(crate) struct Parsed {
    pub section_line: Option<usize>,
    pub entries: Vec<Entry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A block header (`key:` with nothing after it) waiting to see whether children follow.
struct Pending {
    indent: usize,
    entry: Entry,
}

struct Walker<'a> {
    lines: &'a [Line<'a>],
    path: &'a Path,
    entries: Vec<Entry>,
    diagnostics: Vec<Diagnostic>,
    /// Open blocks: (indent of the header, full key).
    stack: Vec<(usize, String)>,
    pending: Option<Pending>,
    last: HashMap<String, usize>,
}

pub(crate) fn parse(text: &str, path: &Path) -> Parsed {
    let lines = split_lines(text);
    let mut notes = Vec::new();
    let section = find_section(&lines, &mut notes);
    let mut w = Walker {
        lines: &lines,
        path,
        entries: Vec::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        pending: None,
        last: HashMap::new(),
    };
    for Note {
        index,
        column,
        message,
    } in notes
    {
        w.warn(index, column, message);
    }
    if let Some(section) = &section {
        w.walk(section.body.clone());
    }
    w.check_registered();
    w.diagnostics.sort_by_key(|d| (d.line, d.column));
    Parsed {
        section_line: section.map(|s| s.heading + 1),
        entries: w.entries,
        diagnostics: w.diagnostics,
    }
}

impl Walker<'_> {
    fn walk(&mut self, body: Range<usize>) {
        let mut in_comment = false;
        for index in body {
            let text = self.lines[index].text;
            let trimmed = text.trim();
            if in_comment {
                in_comment = !trimmed.contains("-->");
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("<!--") {
                in_comment = !rest.contains("-->");
                continue;
            }
            if trimmed.is_empty() || is_fence(text) {
                continue;
            }
            let parsed = parse_entry_line(text);
            let indent = parsed
                .as_ref()
                .map_or_else(|| indent_width(text).0, |e| e.indent);
            self.close_blocks(indent);
            let full_key = |e: &EntryLine<'_>| match self.stack.last() {
                Some((_, block)) => format!("{block}.{}", e.key),
                None => e.key.to_owned(),
            };
            match parsed {
                Some(e) if !e.missing_space || fields::lookup(&full_key(&e)).is_some() => {
                    let key = full_key(&e);
                    if e.missing_space {
                        let message =
                            format!("missing space after `:`; write `{}: {}`", e.key, e.value);
                        self.warn(index, e.value_column, message);
                    }
                    let entry = self.entry(index, &e, key);
                    if e.header {
                        self.pending = Some(Pending {
                            indent: e.indent,
                            entry,
                        });
                    } else {
                        self.record(entry);
                    }
                }
                _ => self.not_an_entry(index, text),
            }
        }
        self.close_blocks(0);
    }

    /// Resolves the pending header and pops the blocks a line at `indent` leaves.
    fn close_blocks(&mut self, indent: usize) {
        if let Some(p) = self.pending.take() {
            if indent > p.indent {
                self.stack.push((p.indent, p.entry.key));
            } else {
                self.record(p.entry);
            }
        }
        while self.stack.last().is_some_and(|(i, _)| *i >= indent) {
            self.stack.pop();
        }
    }

    fn not_an_entry(&mut self, index: usize, text: &str) {
        let message = if let Some((_, block)) = self.stack.last() {
            format!(
                "this line inside the `{block}:` block is not a `key: value` entry and is \
                 ignored; write lists inline, e.g. `{block}: [a, b]`"
            )
        } else if let Some(name) = fields::mentioned(text) {
            format!(
                "this line mentions `{name}` but is not an entry in an accepted spelling and is \
                 ignored; write `{name}: <value>`"
            )
        } else {
            return;
        };
        let column = text.len() - text.trim_start().len() + 1;
        self.warn(index, column, message);
    }

    fn entry(&self, index: usize, e: &EntryLine<'_>, key: String) -> Entry {
        let line = self.lines[index];
        Entry {
            key,
            value: e.value.clone(),
            line: index + 1,
            column: e.value_column,
            key_column: e.key_column,
            line_span: line.start..line.start + line.text.len(),
            value_span: line.start + e.value_bytes.start..line.start + e.value_bytes.end,
        }
    }

    fn record(&mut self, entry: Entry) {
        if let Some(&prev) = self.last.get(&entry.key) {
            let message = format!(
                "duplicate key `{}` on lines {} and {}: the value on line {} wins; remove one \
                 of them",
                entry.key, self.entries[prev].line, entry.line, entry.line
            );
            self.warn(entry.line - 1, entry.key_column, message);
        }
        self.last.insert(entry.key.clone(), self.entries.len());
        self.entries.push(entry);
    }

    /// Type-checks registered fields and flags near-miss spellings of them.
    fn check_registered(&mut self) {
        let mut found = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if self.last.get(&e.key) != Some(&i) {
                continue;
            }
            if let Some(field) = fields::lookup(&e.key) {
                if let Err(reason) = fields::check(field.ty, &e.value) {
                    let err = invalid(self.path, e, self.lines[e.line - 1].text, reason);
                    found.extend(err.to_diagnostic());
                }
            } else if let Some(message) = unknown_key_hint(&e.key) {
                let line = self.lines[e.line - 1].text;
                found.push(Diagnostic::new(
                    Severity::Warning,
                    self.path,
                    e.line,
                    e.key_column,
                    message,
                    line,
                ));
            }
        }
        self.diagnostics.extend(found);
    }

    fn warn(&mut self, index: usize, column: usize, message: String) {
        let line = self.lines[index].text;
        self.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            self.path,
            index + 1,
            column,
            message,
            line,
        ));
    }
}

/// Why an unregistered `key` is probably a mistake for a registered one.
fn unknown_key_hint(key: &str) -> Option<String> {
    if let Some(field) = fields::near_miss(key) {
        return Some(format!(
            "unknown key `{key}` is ignored; did you mean `{}`?",
            field.name
        ));
    }
    let field = fields::misnested(key)?;
    let block = &key[..key.len() - field.name.len() - 1];
    Some(format!(
        "`{}` is indented under `{block}:` and read as `{key}`, so it is ignored; unindent it \
         to set `{}`",
        field.name, field.name
    ))
}

/// The error for `entry` holding a value that does not have the expected type.
pub(crate) fn invalid(
    path: &Path,
    entry: &Entry,
    source_line: &str,
    reason: String,
) -> ConfigError {
    ConfigError::InvalidValue(Box::new(ValueError {
        path: path.to_path_buf(),
        line: entry.line,
        column: entry.column,
        key: entry.key.clone(),
        value: entry.value.clone(),
        reason,
        source_line: source_line.to_owned(),
    }))
}
