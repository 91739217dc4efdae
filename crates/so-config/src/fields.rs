//! The field registry: every key this crate knows, with its type, default and meaning.
//!
//! Registered fields are type-checked at parse time (a bad value becomes an error
//! [`crate::Diagnostic`]), near-miss spellings of them (`allow_destructive_ops`,
//! `Enforcement`) get a warning, and `key:value` without a space is honoured only for them.
//! Extend [`FIELDS`]; a test checks every default parses with its field's type.

/// The type of a registered field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldType {
    /// `true`/`false`, `yes`/`no`, `on`/`off` (case-insensitive).
    Bool,
    /// A plain integer.
    Int,
    /// An integer with optional per-session-type overrides: `6 (deep: 18)`.
    IntWithOverrides,
    /// A plain integer or `auto` (case-insensitive): the consumer decides.
    IntOrAuto,
    /// Free text; `none`, `null`, `~` and empty mean absent.
    Str,
    /// `[a, b]` or `a, b`.
    List,
    /// One of the listed lowercase names (matched case-insensitively).
    Enum(&'static [&'static str]),
}

/// One registered Session Config field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// Full key; nested fields are dotted (`loop-guard.threshold`).
    pub name: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// Default as it would be written in the config (`None`: absent means unset).
    pub default: Option<&'static str>,
    /// What the field does.
    pub doc: &'static str,
}

const fn field(
    name: &'static str,
    ty: FieldType,
    default: Option<&'static str>,
    doc: &'static str,
) -> Field {
    Field {
        name,
        ty,
        default,
        doc,
    }
}

/// Values accepted by `enforcement`.
pub const ENFORCEMENT_LEVELS: &[&str] = &["strict", "warn", "off"];

/// Values accepted by `isolation`.
pub const ISOLATION_MODES: &[&str] = &["worktree", "none", "auto"];

/// Values accepted by `config-protection.mode`.
pub const CONFIG_PROTECTION_MODES: &[&str] = &["warn", "strict", "off"];

/// Values accepted by `vcs`.
pub const VCS_PLATFORMS: &[&str] = &["github", "gitlab"];

/// The registry, grouped: guards, wave structure, quality gates, VCS, loop guard. Defaults
/// follow the seed's field table, except where a `doc` says otherwise.
pub const FIELDS: &[Field] = &[
    // Guards.
    field(
        "allow-destructive-ops",
        FieldType::Bool,
        Some("false"),
        "per-session bypass of the destructive-command guard",
    ),
    field(
        "enforcement",
        FieldType::Enum(ENFORCEMENT_LEVELS),
        Some("strict"),
        "scope/command enforcement level; absent means `strict` (the seed documented `warn` but \
         enforced `strict`)",
    ),
    field(
        "allow-config-weakening",
        FieldType::Bool,
        Some("false"),
        "let edits that weaken lint/test/type-check configuration through without a warning",
    ),
    field(
        "config-protection.enabled",
        FieldType::Bool,
        Some("true"),
        "warn about (or block) edits that weaken lint/test/type-check configuration",
    ),
    field(
        "config-protection.mode",
        FieldType::Enum(CONFIG_PROTECTION_MODES),
        Some("warn"),
        "what a weakening edit gets: `warn`, `strict` (denied) or `off`",
    ),
    // Wave structure.
    field(
        "agents-per-wave",
        FieldType::IntWithOverrides,
        Some("6"),
        "max parallel subagents per wave, with per-session-type overrides",
    ),
    field(
        "waves",
        FieldType::Int,
        Some("5"),
        "number of execution waves",
    ),
    field(
        "persistence",
        FieldType::Bool,
        Some("true"),
        "STATE.md and session memory resumption",
    ),
    field(
        "isolation",
        FieldType::Enum(ISOLATION_MODES),
        Some("auto"),
        "agent isolation; `auto`: none up to 2 agents, worktree from 5, and for 3-4 a worktree \
         on feature/deep sessions, none on housekeeping",
    ),
    field(
        "max-turns",
        FieldType::IntOrAuto,
        Some("auto"),
        "turn cap in every agent prompt; `auto`: housekeeping 8, feature 15, deep 25",
    ),
    field(
        "recent-commits",
        FieldType::Int,
        Some("20"),
        "commits shown at session start",
    ),
    field(
        "special",
        FieldType::Str,
        None,
        "free-form repository-specific instructions for every session",
    ),
    // Quality gates.
    field(
        "test-command",
        FieldType::Str,
        Some("npm test"),
        "test command of the quality gates; `skip` disables it",
    ),
    field(
        "typecheck-command",
        FieldType::Str,
        Some("npm run typecheck"),
        "type-check command of the quality gates; `skip` disables it",
    ),
    field(
        "lint-command",
        FieldType::Str,
        Some("npm run lint"),
        "lint command of the quality gates; `skip` disables it",
    ),
    field(
        "discovery-on-close",
        FieldType::Bool,
        Some("false"),
        "run the discovery probes at `/close` (the seed's parser default; its docs said `true`)",
    ),
    // VCS and neighbours.
    field(
        "vcs",
        FieldType::Enum(VCS_PLATFORMS),
        None,
        "issue and merge-request platform; unset: detected from the `origin` remote's host",
    ),
    field(
        "cross-repos",
        FieldType::List,
        None,
        "related repositories inspected at session start",
    ),
    // The session record and STATE.md.
    field(
        "events-rotation.enabled",
        FieldType::Bool,
        Some("true"),
        "rotate `.orchestrator/metrics/events.jsonl` at session start when it is too large",
    ),
    field(
        "events-rotation.max-size-mb",
        FieldType::Int,
        Some("10"),
        "size in MiB above which `events.jsonl` is rotated (1..=1024)",
    ),
    field(
        "events-rotation.max-backups",
        FieldType::Int,
        Some("5"),
        "rotated `events.jsonl.N` files kept (1..=100)",
    ),
    field(
        "learning-expiry-days",
        FieldType::Int,
        Some("30"),
        "days a learning stays active after `session-orchestrator learning add`",
    ),
    field(
        "state-md-lock.timeout-ms",
        FieldType::Int,
        Some("10000"),
        "how long a STATE.md writer waits for `.orchestrator/state.lock` before giving up",
    ),
    // Loop guard.
    field(
        "loop-guard.enabled",
        FieldType::Bool,
        Some("true"),
        "detect repeated identical tool calls",
    ),
    field(
        "loop-guard.threshold",
        FieldType::Int,
        Some("3"),
        "repetitions that trigger the loop guard",
    ),
    field(
        "loop-guard.window",
        FieldType::Int,
        Some("5"),
        "number of recent calls the loop guard looks at",
    ),
];

/// The registered field named exactly `name`.
pub fn lookup(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// A registered field that `name` probably meant: same name up to ASCII case and `_` vs `-`.
pub(crate) fn near_miss(name: &str) -> Option<&'static Field> {
    if lookup(name).is_some() {
        return None;
    }
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let wanted = norm(name);
    FIELDS.iter().find(|f| norm(f.name) == wanted)
}

/// A registered field that `key` would be if its leading block segments were dropped
/// (`Settings.waves` → `waves`): a registered key accidentally nested under another line.
pub(crate) fn misnested(key: &str) -> Option<&'static Field> {
    if lookup(key).is_some() {
        return None;
    }
    key.match_indices('.')
        .find_map(|(at, _)| lookup(&key[at + 1..]))
}

/// A registered field whose name (or, for nested fields, whose block name) appears in `line`
/// followed by a colon — used to flag entry-like lines that are not in an accepted spelling.
pub(crate) fn mentioned(line: &str) -> Option<&'static str> {
    FIELDS.iter().find_map(|f| {
        let name = f.name.split('.').next().unwrap_or(f.name);
        line.match_indices(name).find_map(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + name.len()..].trim_start_matches(['*', '`', ' ', '\t']);
            let bounded = before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-');
            (bounded && after.starts_with(':')).then_some(name)
        })
    })
}

/// A registered field's value, typed by its [`FieldType`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue {
    /// [`FieldType::Bool`].
    Bool(bool),
    /// [`FieldType::Int`], or a number given to [`FieldType::IntOrAuto`].
    Int(i64),
    /// [`FieldType::IntWithOverrides`].
    IntWithOverrides(crate::IntWithOverrides),
    /// `auto` given to [`FieldType::IntOrAuto`].
    Auto,
    /// [`FieldType::Str`] with a value.
    Str(String),
    /// [`FieldType::List`].
    List(Vec<String>),
    /// [`FieldType::Enum`]: the matching allowed name, lowercase.
    Enum(&'static str),
    /// No value: a string written as `none`, `null`, `~` or empty, or a field without a
    /// default that is absent.
    Unset,
}

/// Parses `value` as `ty`, returning the reason on failure.
pub fn parse_value(ty: FieldType, value: &str) -> Result<FieldValue, String> {
    use crate::value;
    Ok(match ty {
        FieldType::Bool => FieldValue::Bool(value::parse_bool(value)?),
        FieldType::Int => FieldValue::Int(value::parse_int(value)?),
        FieldType::IntWithOverrides => {
            FieldValue::IntWithOverrides(value::parse_int_with_overrides(value)?)
        }
        FieldType::IntOrAuto => {
            value::parse_int_or_auto(value)?.map_or(FieldValue::Auto, FieldValue::Int)
        }
        FieldType::Str if value::is_null(value) => FieldValue::Unset,
        FieldType::Str => FieldValue::Str(value.to_owned()),
        FieldType::List => FieldValue::List(value::parse_list(value)?),
        FieldType::Enum(allowed) => FieldValue::Enum(value::parse_enum(value, allowed)?),
    })
}

/// Checks `value` against `ty`, returning the reason on failure.
pub(crate) fn check(ty: FieldType, value: &str) -> Result<(), String> {
    parse_value(ty, value).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_with_their_type() {
        for f in FIELDS {
            if let Some(d) = f.default {
                assert_eq!(check(f.ty, d), Ok(()), "default of `{}`", f.name);
            }
        }
    }

    #[test]
    fn names_are_unique_and_well_formed() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(FIELDS[..i].iter().all(|g| g.name != f.name), "{}", f.name);
            let line = format!("{}: x", f.name);
            let parsed = crate::line::parse_entry_line(&line).map(|e| e.key);
            assert_eq!(parsed, Some(f.name));
        }
    }

    #[test]
    fn near_misses_and_mentions() {
        assert_eq!(
            near_miss("Allow_Destructive_Ops").map(|f| f.name),
            Some("allow-destructive-ops")
        );
        assert!(near_miss("allow-destructive-ops").is_none());
        assert!(near_miss("unrelated").is_none());
        assert_eq!(misnested("a.b.waves").map(|f| f.name), Some("waves"));
        assert_eq!(
            misnested("x.loop-guard.window").map(|f| f.name),
            Some("loop-guard.window")
        );
        assert!(misnested("loop-guard.window").is_none());
        assert!(misnested("waves.x").is_none());
        assert_eq!(
            mentioned("1. allow-destructive-ops: true"),
            Some("allow-destructive-ops")
        );
        assert_eq!(
            mentioned("**allow-destructive-ops: true**"),
            Some("allow-destructive-ops")
        );
        assert_eq!(mentioned("- **loop-guard** :"), Some("loop-guard"));
        assert_eq!(mentioned("grep allow-destructive-ops CLAUDE.md"), None);
        assert_eq!(mentioned("no-enforcement: x"), None);
    }
}
