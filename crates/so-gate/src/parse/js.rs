//! vitest (`      Tests  1 failed | 2 passed | 1 skipped (4)`) and jest
//! (`Tests:       1 failed, 1 skipped, 2 passed, 4 total`), and the line each prints when it
//! finds no test file at all.

use std::sync::LazyLock;

use regex::Regex;

use super::{TestCounts, num, re};

pub(super) fn vitest(text: &str) -> Option<TestCounts> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?m)^[ \t]*Tests[ \t]+((?:\d+ [a-z]+(?: \| )?)+)[ \t]*\((\d+)\)[ \t]*$")
    });
    static NONE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^No test files found, exiting with code \d+"));
    match LINE.captures_iter(text).last() {
        Some(c) => Some(counts(&c[1], Some(num(&c[2])))),
        None => NONE.is_match(text).then(|| TestCounts::known(0, 0, 0)),
    }
}

pub(super) fn jest(text: &str) -> Option<TestCounts> {
    static LINE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^Tests:[ \t]+((?:\d+ [a-z]+, )*)(\d+) total[ \t]*$"));
    static NONE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^No tests found, exiting with code \d+"));
    match LINE.captures_iter(text).last() {
        Some(c) => Some(counts(&c[1], Some(num(&c[2])))),
        None => NONE.is_match(text).then(|| TestCounts::known(0, 0, 0)),
    }
}

fn counts(items: &str, total: Option<u64>) -> TestCounts {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) ([a-z]+)"));
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for item in ITEM.captures_iter(items) {
        let n = num(&item[1]);
        match &item[2] {
            "passed" => passed += n,
            "failed" => failed += n,
            // skipped, todo, pending: known but not run.
            _ => skipped += n,
        }
    }
    TestCounts {
        total: total.or(Some(passed + failed + skipped)),
        ..TestCounts::known(passed, failed, skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_lines_are_not_test_lines() {
        assert_eq!(vitest(" Test Files  1 failed | 1 passed (2)\n"), None);
        assert_eq!(jest("Test Suites: 1 failed, 1 passed, 2 total\n"), None);
        assert_eq!(
            vitest("      Tests  3 failed | 1 todo (4)\n"),
            Some(TestCounts::known(0, 3, 1))
        );
    }
}
