//! The one parser of the `## Session Config` section of a project's `CLAUDE.md` / `AGENTS.md`.
//!
//! Every consumer — the destructive guard, the scope enforcer, the `config` CLI — reads the
//! Session Config through this crate, so they can never disagree about what it says.
//!
//! **Input:** the text of a markdown file (or a path to find / load it from).
//! **Output:** a [`SessionConfig`]: the entries of the section with their lines, columns and
//! byte ranges, typed accessors, and [`Diagnostic`]s for everything written in a way that is
//! ambiguous or wrong. Parsing never fails and never falls back to defaults silently: a
//! decorated heading (`##  Session Config`, `## Session Config <!-- x -->`,
//! `### Session Config`) is parsed with a warning saying what to change; a bad boolean is an
//! error with its line number.
//!
//! Accepted entry spellings: `key: value`, `- key: value`, `* key: value`,
//! `- **key:** value`, `**key:** value`, `- **key**: value`, `` - `key`: value ``. An inline
//! ` # comment` (or ` <!-- comment -->`) and one pair of surrounding quotes are removed from
//! values. A header line `key:` followed by more-indented lines opens a block whose children
//! are `key.child` (`loop-guard.threshold`); deeper nesting and dotted keys work too.
//! Duplicate keys: the last one wins, with a warning naming both lines.
//!
//! ```
//! use std::path::Path;
//! use so_config::{Enforcement, SessionConfig};
//!
//! let text = "# Project\n\n## Session Config\n\n- **allow-destructive-ops:** yes\n";
//! let config = SessionConfig::parse(text, Path::new("CLAUDE.md"));
//! assert!(config.allow_destructive_ops()?);
//! assert_eq!(config.enforcement()?, Enforcement::Strict);
//! assert!(config.diagnostics().is_empty());
//! # Ok::<(), so_config::ConfigError>(())
//! ```
//!
//! Registered fields (the [`fields`] registry) have a type, a default and a doc line;
//! [`SessionConfig::settings`] gives each one's effective typed value and whether it came from
//! the file or the default.
//!
//! **Not done here:** the seed's fields that no consumer reads yet (unregistered keys are kept
//! as text, see [`SessionConfig::unregistered`]), validation of mandatory fields (the `config
//! --validate` CLI), environment overrides (`SO_CONFIG_FILE`, `SO_VAULT_DIR`, …), and writing
//! config files.

mod config;
mod diag;
pub mod fields;
mod line;
mod locate;
mod parse;
mod section;
mod value;

pub use config::{Enforcement, Origin, SessionConfig, Setting};
pub use diag::{ConfigError, Diagnostic, Severity, ValueError};
pub use fields::FieldValue;
pub use locate::{
    config_file_at_root, find_config_file, find_project_root, find_project_root_canonical,
};
pub use parse::Entry;
pub use value::IntWithOverrides;

/// Whether `fragment` (arbitrary text, e.g. what an agent is about to write into CLAUDE.md)
/// contains an entry line for `key` in any accepted spelling.
///
/// For guards that must recognise a write that would change a key (e.g. one flipping
/// `allow-destructive-ops`). Every line is checked, wherever it sits in the fragment; prose
/// that merely mentions the key (`grep allow-destructive-ops`, ``Set `key: true` ``) does not
/// count. Because a fragment may be inserted inside a block, a dotted `key` (`loop-guard.enabled`)
/// also matches a line that sets its last segment (`enabled: false`). `key:value` without a
/// space counts only for registered [`fields`], exactly as in the parser.
pub fn fragment_sets_key(fragment: &str, key: &str) -> bool {
    fragment
        .lines()
        .filter_map(line::parse_entry_line)
        .any(|e| {
            let accepted = !e.missing_space || fields::lookup(e.key).is_some();
            let suffix = key
                .strip_suffix(e.key)
                .is_some_and(|head| head.ends_with('.'));
            accepted && (e.key == key || suffix)
        })
}
