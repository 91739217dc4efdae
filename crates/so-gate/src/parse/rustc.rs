//! `cargo check` / `cargo clippy` (and any cargo build): rustc's diagnostics.
//!
//! Errors: the sum of `could not compile `x` (lib) due to N previous errors` (one per crate
//! that failed), else the number of `error:` / `error[E0308]:` headers. Warnings: the
//! number of `warning:` headers — cargo prints each once, and its own closing lines
//! (`warning: `x` (lib) generated 2 warnings`, `warning: build failed, waiting…`) are not
//! counted. Recognised by cargo's status lines (`Checking`, `Compiling`, `Finished`) or a
//! `could not compile` line.

use std::sync::LazyLock;

use regex::Regex;

use super::{DiagnosticCounts, num, re};

/// The counts, and whether they needed the whole output (counted from headers).
pub(super) fn parse(text: &str) -> Option<(DiagnosticCounts, bool)> {
    static CARGO: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^[ \t]+(?:Checking|Compiling|Finished|Fresh|Documenting) \S|^error: could not compile ",
        )
    });
    static COULD_NOT: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?m)^error: could not compile `[^`]+`.*? due to (\d+) previous errors?")
    });
    static HEADER: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^(error|warning)(?:\[[^\]]+\])?: (.*)$"));
    static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:`[^`]+` \([^)]*\) generated \d+ warnings?|build failed|could not compile |aborting due to |test failed, to rerun|\d+ warnings? emitted)",
        )
    });
    if !CARGO.is_match(text) {
        return None;
    }
    let (mut errors, mut warnings) = (0u64, 0u64);
    for c in HEADER.captures_iter(text) {
        if CLOSING.is_match(&c[2]) {
            continue;
        }
        if &c[1] == "error" {
            errors += 1;
        } else {
            warnings += 1;
        }
    }
    let mut reported: Option<u64> = None;
    for c in COULD_NOT.captures_iter(text) {
        reported = Some(reported.unwrap_or(0) + num(&c[1]));
    }
    let counts = DiagnosticCounts {
        errors: Some(reported.unwrap_or(errors)),
        warnings: Some(warnings),
    };
    Some((counts, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_lines_are_not_diagnostics() {
        let text = "    Checking a v0.1.0\nwarning: `a` (lib) generated 3 warnings\n\
                    warning: build failed, waiting for other jobs to finish...\n\
                    error: could not compile `a` (lib) due to 1 previous error; 3 warnings emitted\n";
        let (c, _) = parse(text).unwrap_or_else(|| panic!("not recognised"));
        assert_eq!((c.errors, c.warnings), (Some(1), Some(0)));
    }

    #[test]
    fn two_crates_that_failed_add_up() {
        let text = "error: could not compile `a` (lib) due to 2 previous errors\n\
                    error: could not compile `b` (bin \"b\") due to 1 previous error\n";
        assert_eq!(parse(text).map(|(c, _)| c.errors), Some(Some(3)));
        assert_eq!(parse("warning: something unrelated\n"), None);
    }
}
