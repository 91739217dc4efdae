//! Splitting a file into lines and locating the `## Session Config` section.
//!
//! The canonical heading is exactly `## Session Config` (trailing whitespace and `\r` are
//! tolerated). Decorated headings — extra spaces, a trailing HTML comment or text, another
//! level, other capitalisation — are *attempts*: used (when no exact heading exists) with a
//! warning that says what to change, never silently ignored.

use std::ops::Range;

const TITLE: &str = "Session Config";
const CANONICAL: &str = "## Session Config";

/// One line of the file: text without `\n` / `\r\n`, and its byte offset in the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// A warning about a heading, located by 0-based line index and 1-based column.
#[derive(Debug)]
pub(crate) struct Note {
    pub index: usize,
    pub column: usize,
    pub message: String,
}

/// The located section: heading line index and the range of body line indices.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub heading: usize,
    pub body: Range<usize>,
}

/// Splits `text` into lines, dropping `\n`, `\r\n` and a leading byte-order mark.
pub(crate) fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let mut line = raw.strip_suffix('\n').unwrap_or(raw);
        line = line.strip_suffix('\r').unwrap_or(line);
        let mut offset = start;
        if start == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            line = rest;
            offset += '\u{feff}'.len_utf8();
        }
        lines.push(Line {
            text: line,
            start: offset,
        });
        start += raw.len();
    }
    lines
}

/// A fence line (```` ``` ````, ```` ```yaml ````, `~~~`), possibly indented.
pub(crate) fn is_fence(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// Finds the section; warnings about its heading and about ignored headings go to `notes`.
pub(crate) fn find_section(lines: &[Line<'_>], notes: &mut Vec<Note>) -> Option<Section> {
    let mut in_fence = false;
    let mut candidates = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if is_fence(line.text) {
            in_fence = !in_fence;
            continue;
        }
        if let Some(kind) = classify(line.text) {
            candidates.push((index, kind, in_fence));
        }
    }
    let chosen = candidates
        .iter()
        .find(|(_, kind, fenced)| !fenced && matches!(kind, Kind::Exact))
        .or_else(|| candidates.iter().find(|(_, _, fenced)| !fenced));
    let Some(&(heading, ref kind, _)) = chosen else {
        for &(index, _, _) in &candidates {
            notes.push(Note {
                index,
                column: 1,
                message: "a Session Config heading inside a fenced code block is ignored; \
                          move it out of the code block to use it"
                    .to_owned(),
            });
        }
        return None;
    };
    let end_level = match kind {
        Kind::Exact => 2,
        Kind::Attempt {
            level,
            column,
            fixes,
        } => {
            notes.push(Note {
                index: heading,
                column: *column,
                message: format!(
                    "section heading must be exactly `{CANONICAL}`: {}; parsed as the Session \
                     Config section anyway",
                    fixes.join("; ")
                ),
            });
            (*level).max(2)
        }
    };
    for &(index, _, fenced) in &candidates {
        if index != heading && !fenced {
            notes.push(Note {
                index,
                column: 1,
                message: format!(
                    "this Session Config heading is ignored: the section at line {} is used; \
                     merge the two sections",
                    heading + 1
                ),
            });
        }
    }
    let mut in_fence = false;
    let mut end = lines.len();
    for (index, line) in lines.iter().enumerate().skip(heading + 1) {
        if is_fence(line.text) {
            in_fence = !in_fence;
        } else if !in_fence && ends_section(line.text, end_level) {
            end = index;
            break;
        }
    }
    Some(Section {
        heading,
        body: heading + 1..end,
    })
}

/// Whether `text` is a heading of level `1..=max_level` starting in column 1.
fn ends_section(text: &str, max_level: usize) -> bool {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    let after = text[hashes..].chars().next();
    (1..=max_level).contains(&hashes) && after.is_none_or(|c| c == ' ' || c == '\t')
}

enum Kind {
    Exact,
    Attempt {
        level: usize,
        column: usize,
        fixes: Vec<String>,
    },
}

/// Classifies a line as the exact heading, an attempt at it, or neither.
fn classify(text: &str) -> Option<Kind> {
    if text.trim_end() == CANONICAL {
        return Some(Kind::Exact);
    }
    let indent = text.bytes().take_while(|&b| b == b' ').count();
    if indent > 3 {
        return None;
    }
    let level = text[indent..].bytes().take_while(|&b| b == b'#').count();
    let hashes_end = indent + level;
    let rest = &text[hashes_end..];
    if !(1..=6).contains(&level) || !rest.starts_with([' ', '\t']) {
        return None;
    }
    let content_start = hashes_end + (rest.len() - rest.trim_start().len());
    let content = text[content_start..].trim_end();
    let title = content.get(..TITLE.len())?;
    if !title.eq_ignore_ascii_case(TITLE) {
        return None;
    }
    let mut fixes: Vec<(usize, String)> = Vec::new();
    if indent > 0 {
        fixes.push((1, "remove the indentation before `#`".to_owned()));
    }
    if level != 2 {
        fixes.push((
            indent + 1,
            format!("use a level-2 heading (`##`), not level {level}"),
        ));
    }
    if content_start - hashes_end != 1 || rest.starts_with('\t') {
        fixes.push((hashes_end + 1, "use a single space after `##`".to_owned()));
    }
    if title != TITLE {
        fixes.push((
            content_start + 1,
            format!("write `{TITLE}` with exactly this capitalisation"),
        ));
    }
    let tail = &content[TITLE.len()..];
    let extra = tail.trim();
    if tail.starts_with(|c: char| c.is_alphanumeric()) {
        fixes.push((
            content_start + 1,
            format!("rename `{content}` to `{TITLE}`"),
        ));
    } else if extra.starts_with("<!--") {
        let at = content.len() - tail.trim_start().len();
        fixes.push((
            content_start + at + 1,
            format!("move the HTML comment `{extra}` to its own line"),
        ));
    } else if !extra.is_empty() {
        let at = content.len() - tail.trim_start().len();
        fixes.push((
            content_start + at + 1,
            format!("remove `{extra}` from the heading"),
        ));
    }
    let column = fixes.iter().map(|(c, _)| *c).min().unwrap_or(1);
    Some(Kind::Attempt {
        level,
        column,
        fixes: fixes.into_iter().map(|(_, f)| f).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(text: &str) -> Option<(usize, Vec<String>)> {
        match classify(text)? {
            Kind::Exact => Some((0, Vec::new())),
            Kind::Attempt { column, fixes, .. } => Some((column, fixes)),
        }
    }

    #[test]
    fn classifies_headings() {
        assert_eq!(fixes("## Session Config  "), Some((0, vec![])));
        assert_eq!(
            fixes("## Session Configuration"),
            Some((
                4,
                vec!["rename `Session Configuration` to `Session Config`".to_owned()]
            ))
        );
        assert_eq!(fixes("## Session Config (v2)").map(|f| f.0), Some(19));
        assert!(fixes("## Sessions").is_none());
        assert!(fixes("Session Config").is_none());
        assert!(fixes("    ## Session Config").is_none());
        assert!(fixes("##Session Config").is_none());
        let (col, f) = fixes(" ###  session config <!-- x -->").unwrap_or_default();
        assert_eq!(col, 1);
        assert_eq!(f.len(), 5, "{f:?}");
        assert_eq!(f[4], "move the HTML comment `<!-- x -->` to its own line");
    }

    #[test]
    fn section_end_and_bom() {
        let lines =
            split_lines("\u{feff}## Session Config\r\na: 1\n```\n## x\n```\n### sub\n## next\n");
        assert_eq!(lines[0].text, CANONICAL);
        assert_eq!(lines[0].start, 3);
        let mut notes = Vec::new();
        let s = find_section(&lines, &mut notes).map(|s| s.body);
        assert_eq!(s, Some(1..6));
        assert!(notes.is_empty());
    }
}
