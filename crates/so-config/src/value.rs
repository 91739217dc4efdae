//! Typed interpretation of raw values. Each parser returns the reason on failure; callers
//! attach the location.

/// An integer with optional per-session-type overrides: `6 (deep: 18, feature: 8)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntWithOverrides {
    /// The value before the parenthesis.
    pub default: i64,
    /// `(session-type, value)` pairs in the order written; empty for a plain integer.
    pub overrides: Vec<(String, i64)>,
}

impl IntWithOverrides {
    /// The value for `session_type`: its override if present (last one wins), else `default`.
    pub fn for_type(&self, session_type: &str) -> i64 {
        self.overrides
            .iter()
            .rev()
            .find(|(name, _)| name == session_type)
            .map_or(self.default, |(_, v)| *v)
    }
}

/// Accepted boolean spellings, case-insensitive.
pub(crate) const BOOL_REASON: &str =
    "expected a boolean (`true`/`false`, `yes`/`no` or `on`/`off`)";

/// Nothing-values for strings: `none`, `null`, `~` (case-insensitive) and the empty string.
pub(crate) fn is_null(value: &str) -> bool {
    value.is_empty()
        || value == "~"
        || value.eq_ignore_ascii_case("none")
        || value.eq_ignore_ascii_case("null")
}

pub(crate) fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(BOOL_REASON.to_owned()),
    }
}

pub(crate) fn parse_int(value: &str) -> Result<i64, String> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| "expected an integer".to_owned())
}

/// An integer, or `None` for `auto` (case-insensitive).
pub(crate) fn parse_int_or_auto(value: &str) -> Result<Option<i64>, String> {
    if value.trim().eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    parse_int(value)
        .map(Some)
        .map_err(|_| "expected an integer or `auto`".to_owned())
}

pub(crate) fn parse_int_with_overrides(value: &str) -> Result<IntWithOverrides, String> {
    const REASON: &str = "expected an integer, optionally with overrides like `6 (deep: 18)`";
    let (head, tail) = match value.split_once('(') {
        Some((head, tail)) => (head, Some(tail)),
        None => (value, None),
    };
    let default = parse_int(head).map_err(|_| REASON.to_owned())?;
    let mut overrides = Vec::new();
    if let Some(tail) = tail {
        let inner = tail.trim_end().strip_suffix(')').ok_or(REASON)?;
        for part in inner.split(',') {
            let (name, number) = part.split_once(':').ok_or(REASON)?;
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(REASON.to_owned());
            }
            overrides.push((name.to_owned(), parse_int(number).map_err(|_| REASON)?));
        }
    }
    Ok(IntWithOverrides { default, overrides })
}

/// `[a, b]` or `a, b`; items are trimmed and unquoted; empty items are dropped, so `[]` and
/// a trailing comma are fine.
pub(crate) fn parse_list(value: &str) -> Result<Vec<String>, String> {
    let inner = match (value.strip_prefix('['), value.ends_with(']')) {
        (Some(rest), true) => &rest[..rest.len() - 1],
        (None, false) => value,
        _ => return Err("expected a list like `[a, b]` or `a, b` (unbalanced `[`)".to_owned()),
    };
    Ok(inner
        .split(',')
        .map(|item| crate::line::unquote(item.trim()).0.to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

/// Case-insensitive match against `allowed` (given in lowercase); returns the allowed entry.
pub(crate) fn parse_enum<'a>(value: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied()
        .ok_or_else(|| {
            let names: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            format!("expected one of {}", names.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_with_overrides() {
        let v = parse_int_with_overrides("6 (deep: 18, feature: 8)");
        assert_eq!(
            v,
            Ok(IntWithOverrides {
                default: 6,
                overrides: vec![("deep".into(), 18), ("feature".into(), 8)]
            })
        );
        assert_eq!(v.map(|v| v.for_type("deep")), Ok(18));
        assert_eq!(parse_int_with_overrides("-2").map(|v| v.default), Ok(-2));
        for bad in [
            "6 (deep 18)",
            "6 (deep: 18",
            "x",
            "6 (: 1)",
            "6 (a b: 1)",
            "6 (d: x)",
        ] {
            assert!(parse_int_with_overrides(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists_and_enums() {
        assert_eq!(parse_list("[a, \"b\", ]"), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(parse_list("a,b"), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(parse_list("[]"), Ok(vec![]));
        assert!(parse_list("[a, b").is_err());
        assert_eq!(parse_enum("WARN", &["strict", "warn"]), Ok("warn"));
        assert_eq!(
            parse_enum("loud", &["strict", "warn"]),
            Err("expected one of `strict`, `warn`".to_owned())
        );
        assert_eq!(parse_bool("Off"), Ok(false));
        assert_eq!(parse_int_or_auto("AUTO"), Ok(None));
        assert_eq!(parse_int_or_auto("12"), Ok(Some(12)));
        assert!(parse_int_or_auto("auto-ish").is_err());
        assert!(parse_bool("1").is_err());
        assert!(is_null("None") && is_null("") && !is_null("no"));
    }
}
