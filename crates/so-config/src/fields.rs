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
    /// Free text; `none`, `null`, `~` and empty mean absent.
    Str,
    /// `[a, b]` or `a, b`.
    List,
    /// One of the listed lowercase names (matched case-insensitively).
    Enum(&'static [&'static str]),
}

/// One registered Session Config field.
#[derive(Debug, Clone, Copy)]
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

/// The registry. The full seed field table is added later; keep names sorted by group.
pub const FIELDS: &[Field] = &[
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
        "cross-repos",
        FieldType::List,
        None,
        "related repositories inspected at session start",
    ),
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

/// Checks `value` against `ty`, returning the reason on failure.
pub(crate) fn check(ty: FieldType, value: &str) -> Result<(), String> {
    use crate::value;
    match ty {
        FieldType::Bool => value::parse_bool(value).map(drop),
        FieldType::Int => value::parse_int(value).map(drop),
        FieldType::IntWithOverrides => value::parse_int_with_overrides(value).map(drop),
        FieldType::Str => Ok(()),
        FieldType::List => value::parse_list(value).map(drop),
        FieldType::Enum(allowed) => value::parse_enum(value, allowed).map(drop),
    }
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
