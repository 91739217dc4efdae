//! The grammar of one entry line, shared by the section parser and [`crate::fragment_sets_key`].
//!
//! Accepted spellings (each optionally indented, `#`-comment allowed after the value):
//! `key: value`, `- key: value`, `* key: value`, `+ key: value`, `- **key:** value`,
//! `**key:** value`, `- **key**: value`, `` - `key`: value ``, `` - `key:` value ``.
//! A key is `[a-zA-Z][a-zA-Z0-9_-]*`, optionally dotted (`loop-guard.threshold`).

use std::ops::Range;

/// One line recognised as an entry (or a block header, when the value is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryLine<'a> {
    /// Visual indentation width (a tab advances to the next multiple of 4).
    pub indent: usize,
    /// The key as written (possibly dotted).
    pub key: &'a str,
    /// 1-based character column of the key.
    pub key_column: usize,
    /// Value with the inline comment and surrounding quotes removed.
    pub value: String,
    /// 1-based character column of the value (quotes included).
    pub value_column: usize,
    /// Byte range of the value within the line (quotes included, comment excluded).
    pub value_bytes: Range<usize>,
    /// Nothing but whitespace or a comment after the colon: a block header candidate.
    pub header: bool,
    /// `key:value` without a space after the colon (only honoured for registered fields).
    pub missing_space: bool,
}

/// Parses `line` (without its line terminator) as an entry line.
pub(crate) fn parse_entry_line(line: &str) -> Option<EntryLine<'_>> {
    let (indent, pos) = indent_width(line);
    let mut cur = Cursor { line, pos };
    if matches!(cur.peek(), Some('-' | '*' | '+')) && cur.peek_at(1).is_some_and(is_blank) {
        cur.pos += 1;
        cur.skip_blanks();
    }
    let (key_start, key_end) = if cur.eat("**") {
        let key = cur.key()?;
        cur.skip_blanks();
        if cur.eat(":") {
            cur.skip_blanks();
            cur.eat("**").then_some(())?;
        } else {
            cur.eat("**").then_some(())?;
            cur.skip_blanks();
            cur.eat(":").then_some(())?;
        }
        key
    } else if cur.eat("`") {
        let key = cur.key()?;
        if cur.eat(":") {
            cur.eat("`").then_some(())?;
        } else {
            cur.eat("`").then_some(())?;
            cur.skip_blanks();
            cur.eat(":").then_some(())?;
        }
        key
    } else {
        let key = cur.key()?;
        cur.skip_blanks();
        cur.eat(":").then_some(())?;
        key
    };
    let after_colon = cur.pos;
    cur.skip_blanks();
    let spaced = cur.pos > after_colon;
    let missing_space = !spaced && cur.peek().is_some();
    if missing_space && cur.peek() == Some(':') {
        return None;
    }
    let rest = &line[cur.pos..];
    let raw = &rest[..comment_start(rest, true)];
    let raw = raw.trim_end();
    let (value, quoted) = unquote(raw);
    Some(EntryLine {
        indent,
        key: &line[key_start..key_end],
        key_column: column_of(line, key_start),
        value: value.to_owned(),
        value_column: column_of(line, cur.pos),
        value_bytes: cur.pos..cur.pos + raw.len(),
        header: raw.is_empty() && !quoted,
        missing_space,
    })
}

/// Visual indentation width (a tab advances to the next multiple of 4) and its byte length.
pub(crate) fn indent_width(line: &str) -> (usize, usize) {
    let mut width = 0;
    let mut bytes = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width = (width / 4 + 1) * 4,
            _ => break,
        }
        bytes += 1;
    }
    (width, bytes)
}

/// Byte offset where an inline comment starts in `value` (or `value.len()`).
///
/// A `#` or `<!--` starts a comment only when preceded by whitespace (`at_word_start` says
/// whether the first character counts as preceded by whitespace) and not inside a quoted word. A quote
/// opens only at the start of a word and only when a matching closing quote follows, so an
/// apostrophe (`don't`) or a stray quote can never swallow the rest of the line.
pub(crate) fn comment_start(value: &str, at_word_start: bool) -> usize {
    let mut word_start = at_word_start;
    let mut iter = value.char_indices();
    while let Some((i, c)) = iter.next() {
        if word_start
            && (c == '"' || c == '\'')
            && let Some(len) = value[i + 1..].find(c)
        {
            let close = i + 1 + len;
            while iter.next().is_some_and(|(j, _)| j < close) {}
            word_start = false;
            continue;
        }
        if word_start && (c == '#' || value[i..].starts_with("<!--")) {
            return i;
        }
        word_start = c.is_whitespace();
    }
    value.len()
}

/// Removes one pair of surrounding double or single quotes; says whether it did.
pub(crate) fn unquote(value: &str) -> (&str, bool) {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value[1..].find(q) == Some(value.len() - 2) {
            return (&value[1..value.len() - 1], true);
        }
    }
    (value, false)
}

/// 1-based character column of byte offset `byte` in `line`.
pub(crate) fn column_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_key_start(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

struct Cursor<'a> {
    line: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.line[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.line[self.pos..].chars().nth(n)
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.line[self.pos..].starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// A possibly dotted key; returns its byte range.
    fn key(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        loop {
            if !self.peek().is_some_and(is_key_start) {
                return None;
            }
            while self.peek().is_some_and(is_key_char) {
                self.pos += 1;
            }
            if self.peek() == Some('.') && self.peek_at(1).is_some_and(is_key_start) {
                self.pos += 1;
            } else {
                return Some((start, self.pos));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(line: &str) -> Option<(String, String, bool)> {
        parse_entry_line(line).map(|e| (e.key.to_owned(), e.value, e.header))
    }

    #[test]
    fn comment_rules() {
        assert_eq!(comment_start("a # b", true), 2);
        assert_eq!(comment_start("a#b", true), 3);
        assert_eq!(comment_start("# b", true), 0);
        assert_eq!(comment_start("# b", false), 3);
        assert_eq!(comment_start("\"a # b\" # c", true), 8);
        assert_eq!(comment_start("don't # c", true), 6);
        assert_eq!(comment_start("'open # c", true), 6);
        assert_eq!(comment_start("true <!-- why -->", true), 5);
        assert_eq!(comment_start("a<!--b", true), 6);
    }

    #[test]
    fn unquote_only_whole_values() {
        assert_eq!(unquote("\"a\""), ("a", true));
        assert_eq!(unquote("'a'"), ("a", true));
        assert_eq!(unquote("\"a\" and \"b\""), ("\"a\" and \"b\"", false));
        assert_eq!(unquote("\""), ("\"", false));
        assert_eq!(unquote("\"\""), ("", true));
    }

    #[test]
    fn grammar_edges() {
        let some = |k: &str, v: &str| Some((k.to_owned(), v.to_owned(), false));
        assert_eq!(kv("a.b-c: 1"), some("a.b-c", "1"));
        assert_eq!(kv("  key : v # c"), some("key", "v"));
        assert_eq!(kv("key: \"\""), some("key", ""));
        assert_eq!(
            kv("key:  # note"),
            Some(("key".into(), String::new(), true))
        );
        assert_eq!(kv("- **key** : v"), some("key", "v"));
        assert!(parse_entry_line("https://example.com").is_some_and(|e| e.missing_space));
        assert_eq!(kv("Set `key: v` in config"), None);
        assert_eq!(kv("**key: v**"), None);
        assert_eq!(kv("1key: v"), None);
        assert_eq!(kv("-key: v"), None);
        assert_eq!(kv("a.: v"), None);
        let e = parse_entry_line("\t- `k`: 'x' # c");
        assert_eq!(e.as_ref().map(|e| (e.indent, e.value_column)), Some((4, 9)));
        assert_eq!(e.map(|e| e.value_bytes), Some(8..11));
        assert!(parse_entry_line("k:v").is_some_and(|e| e.missing_space));
    }
}
