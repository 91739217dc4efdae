//! Quote removal: turns brush's word pieces into the argv words bash would pass.

use brush_parser::word::{Parameter, ParameterExpr, TildeExpr, WordPiece, WordPieceWithSource};

use crate::model::Word;

/// Collects the words one source word expands to. Unquoted `$IFS` and unquoted
/// expansions of known variables split words the way bash's field splitting does.
#[derive(Default)]
pub(crate) struct WordBuilder {
    words: Vec<Word>,
    current: Word,
    started: bool,
}

impl WordBuilder {
    pub(crate) fn push_text(&mut self, text: &str, quoted: bool) {
        if !quoted && !self.started && text.starts_with('~') {
            self.current.tilde = true;
        }
        if !quoted && text.contains(['*', '?', '[']) {
            self.current.glob = true;
        }
        self.current.quoted |= quoted;
        self.current.text.push_str(text);
        self.started = true;
    }

    pub(crate) fn push_dynamic(&mut self, source: &str, quoted: bool) {
        self.current.dynamic = true;
        self.current.quoted |= quoted;
        self.current.text.push_str(source);
        self.started = true;
    }

    /// Pushes the value of an unquoted expansion: split on blanks into fields.
    pub(crate) fn push_split(&mut self, value: &str) {
        let mut fields = value.split([' ', '\t', '\n']).peekable();
        let leading_blank = value.starts_with([' ', '\t', '\n']);
        if leading_blank {
            self.split();
        }
        while let Some(field) = fields.next() {
            if !field.is_empty() {
                self.push_text(field, false);
            }
            if fields.peek().is_some() {
                self.split();
            }
        }
    }

    pub(crate) fn split(&mut self) {
        if self.started {
            self.words.push(std::mem::take(&mut self.current));
            self.started = false;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Word> {
        self.split();
        self.words
    }
}

/// Decodes the body of an ANSI-C quoted string (`$'...'`).
pub(crate) fn decode_ansi_c(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'x' => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 2 {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            chars.next();
                            digits += 1;
                        }
                        None => break,
                    }
                }
                push_code(&mut out, value, digits, "\\x");
            }
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                let mut digits = 1;
                while digits < 3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                            digits += 1;
                        }
                        None => break,
                    }
                }
                push_code(&mut out, value, digits, "\\");
            }
            other => out.push(other),
        }
    }
    out
}

fn push_code(out: &mut String, value: u32, digits: usize, prefix: &str) {
    if digits == 0 {
        out.push_str(prefix);
    } else if let Some(c) = char::from_u32(value) {
        out.push(c);
    }
}

/// The strings an expansion's operand holds (`${X:-$(cmd)}`), which bash may expand and run.
pub(crate) fn parameter_operands(expr: &ParameterExpr) -> Vec<&str> {
    match expr {
        ParameterExpr::UseDefaultValues { default_value, .. }
        | ParameterExpr::AssignDefaultValues { default_value, .. } => {
            default_value.iter().map(String::as_str).collect()
        }
        ParameterExpr::UseAlternativeValue {
            alternative_value, ..
        } => alternative_value.iter().map(String::as_str).collect(),
        ParameterExpr::IndicateErrorIfNullOrUnset { error_message, .. } => {
            error_message.iter().map(String::as_str).collect()
        }
        _ => Vec::new(),
    }
}

/// The variable a plain `$NAME` / `${NAME}` expansion reads, if that is all it does.
pub(crate) fn plain_variable(expr: &ParameterExpr) -> Option<&str> {
    match expr {
        ParameterExpr::Parameter {
            parameter: Parameter::Named(name),
            indirect: false,
        } => Some(name),
        _ => None,
    }
}

/// Spelling of a tilde expression.
pub(crate) fn tilde_text(t: &TildeExpr) -> String {
    match t {
        TildeExpr::Home => "~".to_owned(),
        TildeExpr::UserHome(user) => format!("~{user}"),
        TildeExpr::WorkingDir => "~+".to_owned(),
        TildeExpr::OldWorkingDir => "~-".to_owned(),
        TildeExpr::NthDirFromTopOfDirStack { n, plus_used } => {
            format!("~{}{n}", if *plus_used { "+" } else { "" })
        }
        TildeExpr::NthDirFromBottomOfDirStack { n } => format!("~-{n}"),
    }
}

/// The literal character an escape sequence stands for, given whether it sits in double quotes.
pub(crate) fn unescape(seq: &str, in_double_quotes: bool) -> String {
    let rest = seq.strip_prefix('\\').unwrap_or(seq);
    if rest == "\n" {
        // Line continuation: both characters disappear.
        return String::new();
    }
    if in_double_quotes && !rest.starts_with(['$', '`', '"', '\\']) {
        return seq.to_owned();
    }
    rest.to_owned()
}

/// Source text of a piece, for pieces whose spelling is kept.
pub(crate) fn piece_source<'a>(source: &'a str, piece: &WordPieceWithSource) -> &'a str {
    source
        .get(piece.start_index..piece.end_index)
        .unwrap_or_default()
}

/// Whether a piece is a command or arithmetic substitution (runs something or computes).
pub(crate) fn is_substitution(piece: &WordPiece) -> bool {
    matches!(
        piece,
        WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_c_decodes_escapes() {
        assert_eq!(decode_ansi_c(r"rm"), "rm");
        assert_eq!(decode_ansi_c(r"\x72\x6d"), "rm");
        assert_eq!(decode_ansi_c(r"\162\155"), "rm");
        assert_eq!(decode_ansi_c(r"a\tb\n"), "a\tb\n");
        assert_eq!(decode_ansi_c(r"\'"), "'");
    }

    #[test]
    fn split_fields_like_bash() {
        let mut b = WordBuilder::default();
        b.push_text("rm", false);
        b.push_split(" -rf /x");
        let words: Vec<String> = b.finish().into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["rm", "-rf", "/x"]);
    }
}
