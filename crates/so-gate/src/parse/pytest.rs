//! pytest's closing line: `==== 1 failed, 2 passed, 1 skipped in 0.02s ====` (or without the
//! rules under `-q`), and `no tests ran in 0.00s`.

use std::sync::LazyLock;

use regex::Regex;

use super::{TestCounts, num, re};

pub(super) fn parse(text: &str) -> Option<TestCounts> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^=*[ \t]*((?:no tests ran|\d+ [a-z]+)(?:, \d+ [a-z]+)*) in [\d.]+s(?: \([^)]*\))?[ \t]*=*[ \t]*$",
        )
    });
    static ITEM: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) ([a-z]+)"));
    let line = LINE.captures_iter(text).last()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for item in ITEM.captures_iter(&line[1]) {
        let n = num(&item[1]);
        match &item[2] {
            "passed" | "xpassed" => passed += n,
            "failed" | "error" | "errors" => failed += n,
            "skipped" | "xfailed" => skipped += n,
            // warnings, deselected, rerun: not tests that ran to an outcome.
            _ => {}
        }
    }
    Some(TestCounts::known(passed, failed, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_count_as_failures_and_warnings_as_nothing() {
        let line = "=== 1 failed, 3 passed, 2 errors, 1 xfailed, 4 warnings in 1.20s (0:00:01) ===";
        assert_eq!(parse(line), Some(TestCounts::known(3, 3, 1)));
        assert_eq!(
            parse("5 deselected in 0.01s"),
            Some(TestCounts::known(0, 0, 0))
        );
    }

    #[test]
    fn other_runners_timings_are_not_pytest() {
        for line in [
            "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "   Duration  188ms (transform 12ms, setup 0ms)",
            "Time:        0.266 s",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }
}
