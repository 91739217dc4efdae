//! Shell command analysis for the guards.
//!
//! Input: one command line as an agent's shell tool would run it. Output: a
//! [`ShellScript`], the flat list of every simple command bash could execute, each with
//! its argv after quote removal, its assignments, redirections and standard input,
//! including commands nested in `$(...)`, backticks, `<(...)`, subshells, groups,
//! functions, loops and conditionals.
//!
//! Parsing is done by brush-parser (pinned; none of its types leave this crate), behind
//! three rails: a size limit, a nesting-depth pre-check (brush recurses per level), and a
//! line-wise recovery with a quote-aware fallback scanner when the grammar rejects part of
//! the input, because bash runs the complete lines before a syntax error.
//!
//! This crate does not judge commands, and does not recurse into strings that other
//! programs execute (`sh -c`, `eval`, `ssh host '...'`): the guard decides which strings
//! are code and calls [`parse`] on them again.
//!
//! ```
//! let script = so_shell::parse("FOO=1 'r''m' -rf \"$HOME\" && echo ok", &so_shell::Limits::default());
//! let rm = &script.commands[0];
//! assert_eq!(rm.argv[0].text, "rm");
//! assert!(rm.argv[2].dynamic);
//! assert_eq!(rm.assignments[0].0, "FOO");
//! ```

mod braces;
mod fallback;
mod model;
mod walk;
mod words;

pub use model::{
    Context, Problem, Redirect, RedirectKind, ShellScript, SimpleCommand, Stdin, Word,
};

/// Bounds on the work one analysis may do. Exceeding one is reported as a [`Problem`],
/// which the guard turns into "could not analyse", never into an allow.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest command line analysed, in bytes.
    pub max_bytes: usize,
    /// Deepest bracket / substitution nesting accepted before parsing.
    pub max_nesting: usize,
    /// Deepest recursion of nested command strings.
    pub max_depth: usize,
    /// Total bytes that may be parsed, nested strings included.
    pub parse_budget: usize,
    /// Parse attempts the line-wise recovery may make.
    pub max_recovery_parses: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 256 * 1024,
            max_nesting: 64,
            max_depth: 24,
            parse_budget: 2 * 1024 * 1024,
            max_recovery_parses: 400,
        }
    }
}

/// Analyses one command line.
pub fn parse(command: &str, limits: &Limits) -> ShellScript {
    let mut walker = walk::Walker::new(limits);
    if command.len() > limits.max_bytes {
        walker.script.problems.push(Problem::TooLarge {
            bytes: command.len(),
            limit: limits.max_bytes,
        });
        return walker.script;
    }
    if nesting_depth(command) > limits.max_nesting {
        walker.script.problems.push(Problem::TooDeep {
            limit: limits.max_nesting,
        });
        return walker.script;
    }
    walker.source(command, Context::TopLevel);
    walker.script
}

/// Analyses a string another program will execute as shell code (`sh -c STR`, `eval`),
/// continuing an analysis's limits.
pub fn parse_nested(code: &str, limits: &Limits) -> ShellScript {
    parse(code, limits)
}

/// Deepest nesting of `(`, `{`, backticks and compound-command keywords (`if`, `while`,
/// `until`, `for`, `select`, `case` against `fi`, `done`, `esac`) outside single quotes.
/// brush recurses once per level, so this bounds its stack use. It overestimates inside
/// double quotes, which only makes the check stricter.
fn nesting_depth(text: &str) -> usize {
    bracket_depth(text).max(keyword_depth(text))
}

fn keyword_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
    {
        match word {
            "if" | "while" | "until" | "for" | "select" | "case" => {
                depth += 1;
                max = max.max(depth);
            }
            "fi" | "done" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn bracket_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut in_single = false;
    let mut in_backtick = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !in_single => escaped = true,
            '\'' => in_single = !in_single,
            _ if in_single => {}
            '(' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            '`' => {
                in_backtick = !in_backtick;
                if in_backtick {
                    depth += 1;
                    max = max.max(depth);
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests;
