//! The stylish formatter of `eslint`: `✖ 3 problems (2 errors, 1 warning)`, summed over several
//! runs (a workspace linting package by package). A clean run prints nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::{DiagnosticCounts, num, re};

pub(super) fn parse(text: &str) -> Option<DiagnosticCounts> {
    static SUMMARY: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^[ \t]*✖ \d+ problems? \((\d+) errors?, (\d+) warnings?\)"));
    let mut found: Option<(u64, u64)> = None;
    for c in SUMMARY.captures_iter(text) {
        let (e, w) = found.unwrap_or_default();
        found = Some((e + num(&c[1]), w + num(&c[2])));
    }
    found.map(|(e, w)| DiagnosticCounts {
        errors: Some(e),
        warnings: Some(w),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_runs_add_up() {
        let text = "✖ 1 problem (1 error, 0 warnings)\n\n✖ 5 problems (2 errors, 3 warnings)\n";
        assert_eq!(
            parse(text),
            Some(DiagnosticCounts {
                errors: Some(3),
                warnings: Some(3)
            })
        );
        assert_eq!(
            parse("  2:9  warning  'x' is assigned a value but never used\n"),
            None
        );
    }
}
