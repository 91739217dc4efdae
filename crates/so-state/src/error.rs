//! What can go wrong reading or changing STATE.md.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// One thing wrong with a STATE.md, at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

/// A STATE.md text that does not parse: every problem found, in line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The problems; never empty.
    pub problems: Vec<Problem>,
}

impl ParseError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Self {
        Self {
            problems: vec![Problem {
                line,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "line {}: {}", p.line, p.message)?;
        }
        Ok(())
    }
}

/// Why a STATE.md operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists and does not parse; it was left as it is.
    #[error("{}", corrupt_text(path, problems))]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, by line.
        problems: Vec<Problem>,
    },
    /// There is no STATE.md.
    #[error(
        "no STATE.md at `{}`: start a session with `session-orchestrator state init` (or `session-orchestrator bootstrap --tier standard` for a placeholder)",
        path.display()
    )]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A value that is not valid, or a transition the current state does not allow. One
    /// message per problem; nothing was written.
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    /// A file or directory could not be read or written.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done (`read`, `replace`, `create`).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The lock was held by someone else for longer than the timeout.
    #[error(
        "could not get the STATE.md lock `{}` within {}: another `session-orchestrator state` command holds it; nothing was written, run the command again when that one has finished",
        path.display(),
        duration_text(*waited)
    )]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long was waited.
        waited: Duration,
    },
}

impl StateError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(vec![message.into()])
    }
}

fn corrupt_text(path: &std::path::Path, problems: &[Problem]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}: {}", path.display(), p.line, p.message))
        .collect();
    lines.push(format!(
        "`{}` does not parse and was not changed: fix the lines above, or start over with `session-orchestrator state init --force` (which keeps a copy)",
        path.display()
    ));
    lines.join("\n")
}

fn duration_text(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}
