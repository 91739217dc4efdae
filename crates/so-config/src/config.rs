//! [`SessionConfig`]: the parsed section and its typed accessors.

use std::path::{Path, PathBuf};

use crate::diag::{ConfigError, Diagnostic, Severity};
use crate::fields::{self, ENFORCEMENT_LEVELS, Field, FieldValue};
use crate::parse::{Entry, invalid, parse};
use crate::value::{self, IntWithOverrides};

/// Scope enforcement level (`enforcement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Enforcement {
    /// Deny out-of-scope actions (the default when the key is absent).
    Strict,
    /// Allow, but tell the agent.
    Warn,
    /// No enforcement.
    Off,
}

/// Where the value of a [`Setting`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// The file: the effective (last) entry for the key.
    File(&'a Entry),
    /// The field's registered default (or [`FieldValue::Unset`] when it has none).
    Default,
}

/// The effective, typed value of one registered field and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Setting<'a> {
    /// The registered field.
    pub field: &'static Field,
    /// Its value.
    pub value: FieldValue,
    /// The file's entry, or the default.
    pub origin: Origin<'a>,
}

/// The `## Session Config` section of one file, parsed.
///
/// Built by [`SessionConfig::parse`], which never fails: every problem becomes a
/// [`Diagnostic`]. Accessors return the value of the *last* occurrence of a key.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    path: PathBuf,
    text: String,
    section_line: Option<usize>,
    entries: Vec<Entry>,
    diagnostics: Vec<Diagnostic>,
}

impl SessionConfig {
    /// Parses the Session Config section of `text`; `path` is only used in diagnostics.
    pub fn parse(text: &str, path: &Path) -> SessionConfig {
        let parsed = parse(text, path);
        SessionConfig {
            path: path.to_path_buf(),
            text: text.to_owned(),
            section_line: parsed.section_line,
            entries: parsed.entries,
            diagnostics: parsed.diagnostics,
        }
    }

    /// Reads and parses `path`. The error of an unreadable or non-UTF-8 file names the path.
    pub fn load(path: &Path) -> Result<SessionConfig, ConfigError> {
        let text = fs_err::read_to_string(path).map_err(|error| ConfigError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Ok(SessionConfig::parse(&text, path))
    }

    /// [`crate::find_config_file`] from `start`, then [`SessionConfig::load`]; `Ok(None)` when
    /// no CLAUDE.md / AGENTS.md exists up to the project root.
    pub fn discover(start: &Path) -> Result<Option<SessionConfig>, ConfigError> {
        crate::find_config_file(start)
            .map(|path| SessionConfig::load(&path))
            .transpose()
    }

    /// The config of a project root as [`crate::find_project_root`] returned it
    /// ([`crate::config_file_at_root`]: no second walk); `Ok(None)` when it has none.
    pub fn at_root(root: &Path) -> Result<Option<SessionConfig>, ConfigError> {
        crate::config_file_at_root(root)
            .map(|path| SessionConfig::load(&path))
            .transpose()
    }

    /// The file this config was read from (as given).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a Session Config section (exact or decorated heading) was found.
    pub fn has_section(&self) -> bool {
        self.section_line.is_some()
    }

    /// 1-based line of the section heading.
    pub fn section_line(&self) -> Option<usize> {
        self.section_line
    }

    /// The effective entries (one per key, its last occurrence), in file order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !self.entries[i + 1..].iter().any(|later| later.key == e.key))
            .map(|(_, e)| e)
    }

    /// Every line that sets `key`, including occurrences overridden by a later duplicate, in
    /// file order; each [`Entry`] carries the byte ranges of its line and value.
    pub fn occurrences<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> {
        self.entries.iter().filter(move |e| e.key == key)
    }

    /// The effective entry for `key` (full dotted key).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// Every diagnostic, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Whether any diagnostic is an error (a registered field holds a value of the wrong type).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The value of `key`; `None` when absent or when the value is `none`, `null`, `~` or empty.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)
            .map(|e| e.value.as_str())
            .filter(|v| !value::is_null(v))
    }

    /// `true`/`yes`/`on` or `false`/`no`/`off`, case-insensitive; anything else is an error.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        self.typed(key, value::parse_bool)
    }

    /// A plain integer; the override syntax is an error here (see
    /// [`SessionConfig::get_int_with_overrides`]).
    pub fn get_int(&self, key: &str) -> Result<Option<i64>, ConfigError> {
        self.typed(key, value::parse_int)
    }

    /// An integer with optional per-session-type overrides: `6 (deep: 18, feature: 8)`.
    pub fn get_int_with_overrides(
        &self,
        key: &str,
    ) -> Result<Option<IntWithOverrides>, ConfigError> {
        self.typed(key, value::parse_int_with_overrides)
    }

    /// `[a, b]` or `a, b`; items trimmed and unquoted, empty items dropped.
    pub fn get_list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        self.typed(key, value::parse_list)
    }

    /// One of `allowed` (lowercase names, matched case-insensitively); returns the matching
    /// element of `allowed`.
    pub fn get_enum<'a>(
        &self,
        key: &str,
        allowed: &[&'a str],
    ) -> Result<Option<&'a str>, ConfigError> {
        self.typed(key, |v| value::parse_enum(v, allowed))
    }

    /// The destructive-guard switch. `Ok(false)` when absent. `Err` on a value that is not a
    /// boolean (the guard then stays armed and tells the user).
    pub fn allow_destructive_ops(&self) -> Result<bool, ConfigError> {
        Ok(self.get_bool("allow-destructive-ops")?.unwrap_or(false))
    }

    /// Scope enforcement level; absent means `strict`.
    pub fn enforcement(&self) -> Result<Enforcement, ConfigError> {
        Ok(match self.get_enum("enforcement", ENFORCEMENT_LEVELS)? {
            Some("warn") => Enforcement::Warn,
            Some("off") => Enforcement::Off,
            _ => Enforcement::Strict,
        })
    }

    /// The effective value of the registered field `name`: the file's, else the default.
    ///
    /// `None` when `name` is not a registered field. A value in the file that does not have
    /// the field's type is an `Err` naming its line — never the default instead.
    pub fn setting(&self, name: &str) -> Option<Result<Setting<'_>, ConfigError>> {
        let field = fields::lookup(name)?;
        Some(self.resolve(field))
    }

    /// [`SessionConfig::setting`] for every registered field, in registry order.
    pub fn settings(&self) -> Vec<Result<Setting<'_>, ConfigError>> {
        fields::FIELDS.iter().map(|f| self.resolve(f)).collect()
    }

    /// The effective entries whose key is not a registered field, in file order. Nothing
    /// here checks them; consumers that read them do their own checking.
    pub fn unregistered(&self) -> impl Iterator<Item = &Entry> {
        self.entries().filter(|e| fields::lookup(&e.key).is_none())
    }

    fn resolve(&self, field: &'static Field) -> Result<Setting<'_>, ConfigError> {
        if let Some(entry) = self.get(field.name) {
            let value = self.typed(field.name, |v| fields::parse_value(field.ty, v))?;
            return Ok(Setting {
                field,
                value: value.unwrap_or(FieldValue::Unset),
                origin: Origin::File(entry),
            });
        }
        let value = match field.default {
            // Registered defaults are checked by a test to parse with their type.
            Some(d) => fields::parse_value(field.ty, d).unwrap_or(FieldValue::Unset),
            None => FieldValue::Unset,
        };
        Ok(Setting {
            field,
            value,
            origin: Origin::Default,
        })
    }

    fn typed<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(entry) = self.get(key) else {
            return Ok(None);
        };
        parse(&entry.value).map(Some).map_err(|reason| {
            let line = self.text.get(entry.line_span.clone()).unwrap_or_default();
            invalid(&self.path, entry, line, reason)
        })
    }
}
