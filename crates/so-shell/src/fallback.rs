//! The fallback scanner: a quote-aware word splitter for input bash's grammar rejects.
//!
//! It is not a second parser of record. It only runs on the part of a command line that
//! brush could not parse, and its output is used to look for danger, never to clear it.

use crate::model::Word;

/// Splits text into commands (on unquoted `;`, `&`, `|`, newlines, parentheses, braces
/// and backticks) and each command into words with quotes removed.
pub(crate) fn scan(text: &str) -> Vec<Vec<Word>> {
    let mut commands = scan_words(text);
    // Reserved words open compound commands; what follows them is the command.
    for words in &mut commands {
        let skip = words
            .iter()
            .take_while(|w| {
                !w.quoted
                    && matches!(
                        w.text.as_str(),
                        "do" | "then"
                            | "else"
                            | "elif"
                            | "if"
                            | "while"
                            | "until"
                            | "!"
                            | "time"
                            | "{"
                            | "}"
                            | "done"
                            | "fi"
                            | "esac"
                    )
            })
            .count();
        words.drain(..skip);
    }
    commands.retain(|c| !c.is_empty());
    commands
}

fn scan_words(text: &str) -> Vec<Vec<Word>> {
    let mut commands = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut current = Word::default();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let flush_word = |words: &mut Vec<Word>, current: &mut Word, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(current));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if q == '"' && c == '\\' {
                    if let Some(n) = chars.next() {
                        current.text.push(n);
                    }
                } else {
                    if q == '"' && c == '$' {
                        current.dynamic = true;
                    }
                    current.text.push(c);
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    current.quoted = true;
                    in_word = true;
                }
                '\\' => {
                    if let Some(n) = chars.next()
                        && n != '\n'
                    {
                        current.text.push(n);
                        current.quoted = true;
                        in_word = true;
                    }
                }
                ' ' | '\t' => flush_word(&mut words, &mut current, &mut in_word),
                ';' | '&' | '|' | '\n' | '(' | ')' | '`' | '{' | '}' => {
                    flush_word(&mut words, &mut current, &mut in_word);
                    if !words.is_empty() {
                        commands.push(std::mem::take(&mut words));
                    }
                }
                '#' if !in_word => {
                    // Comment to end of line.
                    for n in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                    if !words.is_empty() {
                        commands.push(std::mem::take(&mut words));
                    }
                }
                '$' => {
                    current.dynamic = true;
                    if chars.peek() == Some(&'(') {
                        // `$(` starts a nested command: split here so it is its own command.
                        flush_word(&mut words, &mut current, &mut in_word);
                        if !words.is_empty() {
                            commands.push(std::mem::take(&mut words));
                        }
                    } else {
                        current.text.push(c);
                        in_word = true;
                    }
                }
                _ => {
                    if !in_word && c == '~' {
                        current.tilde = true;
                    }
                    if matches!(c, '*' | '?' | '[') {
                        current.glob = true;
                    }
                    current.text.push(c);
                    in_word = true;
                }
            },
        }
    }
    flush_word(&mut words, &mut current, &mut in_word);
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

/// Splits one source word the parser gave but whose pieces could not be read.
pub(crate) fn scan_word(source: &str) -> Vec<Word> {
    scan(source).into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<String>> {
        scan(text)
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn splits_commands_and_removes_quotes() {
        assert_eq!(
            texts("rm -rf '/x y'; echo \"a\\\"b\" | sh"),
            vec![vec!["rm", "-rf", "/x y"], vec!["echo", "a\"b"], vec!["sh"]]
        );
    }

    #[test]
    fn unterminated_quote_keeps_the_words_before_it() {
        assert_eq!(
            texts("rm -rf ~/x \"oops"),
            vec![vec!["rm", "-rf", "~/x", "oops"]]
        );
    }
}
