//! Diagnostics and errors, and their `file:line:col` rendering with a caret.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A value that cannot be used: the typed accessor for that key returns an error.
    Error,
    /// The config was understood, but it is written in a way the user should change.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A problem found while parsing a Session Config; parsing itself never fails.
///
/// `Display` renders `file:line:col: severity: message`, then the offending line and a caret
/// under `column`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the config was read from (as given to the parser).
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (a tab counts as one).
    pub column: usize,
    /// Lowercase message without a trailing period; literals are in backticks.
    pub message: String,
    /// The offending line, without its line terminator.
    pub source_line: String,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        path: &Path,
        line: usize,
        column: usize,
        message: String,
        source_line: &str,
    ) -> Self {
        Diagnostic {
            severity,
            path: path.to_path_buf(),
            line,
            column,
            message,
            source_line: source_line.to_owned(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(
            f,
            &self.path,
            self.line,
            self.column,
            self.severity,
            &self.message,
            &self.source_line,
        )
    }
}

/// Why a Session Config could not be loaded or a value could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file could not be read; the message names the path (via `fs-err`).
    #[error("{error}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error; its message already names `path`.
        error: std::io::Error,
    },
    /// A key is present but its value does not have the type the caller asked for.
    #[error("{0}")]
    InvalidValue(Box<ValueError>),
}

impl ConfigError {
    /// The same problem as a [`Diagnostic`], or `None` for an I/O error.
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::InvalidValue(e) => Some(Diagnostic::new(
                Severity::Error,
                &e.path,
                e.line,
                e.column,
                e.message(),
                &e.source_line,
            )),
        }
    }

    /// The file the problem is in.
    pub fn path(&self) -> &Path {
        match self {
            ConfigError::Io { path, .. } => path,
            ConfigError::InvalidValue(e) => &e.path,
        }
    }
}

/// A value that does not have the expected type, with its location.
///
/// `Display` renders like a [`Diagnostic`] of severity error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValueError {
    /// The file the config was read from.
    pub path: PathBuf,
    /// 1-based line of the entry.
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
    /// The full (dotted) key.
    pub key: String,
    /// The value as parsed (comment stripped, quotes removed).
    pub value: String,
    /// What was expected, e.g. ``expected an integer``.
    pub reason: String,
    /// The offending line, without its line terminator.
    pub source_line: String,
}

impl ValueError {
    fn message(&self) -> String {
        let ValueError {
            key, value, reason, ..
        } = self;
        if value.is_empty() {
            format!("missing value for `{key}`: {reason}")
        } else {
            format!("invalid value `{value}` for `{key}`: {reason}")
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(
            f,
            &self.path,
            self.line,
            self.column,
            Severity::Error,
            &self.message(),
            &self.source_line,
        )
    }
}

/// Renders `path:line:col: severity: message`, the source line and a caret under `column`.
fn render(
    f: &mut fmt::Formatter<'_>,
    path: &Path,
    line: usize,
    column: usize,
    severity: Severity,
    message: &str,
    source_line: &str,
) -> fmt::Result {
    writeln!(
        f,
        "{}:{line}:{column}: {severity}: {message}",
        path.display()
    )?;
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    writeln!(f, "{number} | {source_line}")?;
    // Reproduce tabs before the caret so it lines up however the terminal expands them.
    let pad: String = source_line
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    write!(f, "{gutter} | {pad}^")
}
