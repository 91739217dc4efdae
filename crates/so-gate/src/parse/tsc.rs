//! `tsc`: one `error TS2322:` per error (`file(1,14): error TS…` plain, `file:1:14 - error
//! TS…` with `--pretty`), and under `--pretty` a closing `Found 3 errors in 2 files.`, which
//! wins when present.

use std::sync::LazyLock;

use regex::Regex;

use super::{DiagnosticCounts, num, re};

/// The counts, and whether they were counted line by line (so need the whole output).
pub(super) fn parse(text: &str) -> Option<(DiagnosticCounts, bool)> {
    static ERROR: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)\berror TS\d+:"));
    static FOUND: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^Found (\d+) errors?\b"));
    let (errors, whole) = if let Some(c) = FOUND.captures_iter(text).last() {
        (num(&c[1]), false)
    } else {
        let n = ERROR.find_iter(text).count() as u64;
        if n == 0 {
            return None;
        }
        (n, true)
    };
    let counts = DiagnosticCounts {
        errors: Some(errors),
        warnings: None,
    };
    Some((counts, whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_line_wins_over_counting() {
        let text = "a.ts:1:1 - error TS1005: ';' expected.\n\nFound 1 error in a.ts:1\n";
        assert_eq!(parse(text).and_then(|(c, _)| c.errors), Some(1));
        assert_eq!(
            parse("Found 0 errors. Watching for file changes.\n").and_then(|(c, _)| c.errors),
            Some(0)
        );
        assert_eq!(parse("no errors here, TS is fine\n"), None);
    }
}
