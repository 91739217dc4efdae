//! `cargo test` (libtest's `test result:` line, one per test binary and one for the
//! doc-tests, summed) and `cargo nextest run` (its `Summary` line).

use std::sync::LazyLock;

use regex::Regex;

use super::{TestCounts, num, re};

/// libtest: `test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`
/// at the start of a line. Indented copies (nextest passes a failed test's own output
/// through, indented) do not count.
pub(super) fn cargo(text: &str) -> Option<TestCounts> {
    static RESULT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?m)^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; \d+ measured",
        )
    });
    let mut total: Option<(u64, u64, u64)> = None;
    for c in RESULT.captures_iter(text) {
        let (p, f, i) = total.unwrap_or_default();
        total = Some((p + num(&c[1]), f + num(&c[2]), i + num(&c[3])));
    }
    total.map(|(p, f, i)| TestCounts::known(p, f, i))
}

/// nextest: `Summary [   0.089s] 4 tests run: 3 passed, 1 failed, 1 skipped` (also
/// `2/4 tests run` when cancelled, `(1 slow)` notes, `timed out`, which counts as failed).
/// The last summary in the output wins.
pub(super) fn nextest(text: &str) -> Option<TestCounts> {
    static SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?m)^[ \t]*Summary \[[^\]]*\][ \t]+(\d+)(?:/(\d+))? tests? run: (.*)$")
    });
    static ITEM: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) (passed|failed|skipped|timed out)"));
    let c = SUMMARY.captures_iter(text).last()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for item in ITEM.captures_iter(&c[3]) {
        let n = num(&item[1]);
        match &item[2] {
            "passed" => passed += n,
            "skipped" => skipped += n,
            _ => failed += n,
        }
    }
    // `2/4 tests run`: four were meant to run; the two that did not are neither passed nor
    // failed, but they are part of the total.
    let planned = c.get(2).map_or(passed + failed, |m| num(m.as_str()));
    Some(TestCounts {
        total: Some(planned.max(passed + failed) + skipped),
        ..TestCounts::known(passed, failed, skipped)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_nextest_runs_keep_their_planned_total() {
        let line = "     Summary [   1.2s] 2/5 tests run: 1 passed, 1 failed, 3 skipped\n";
        let c = nextest(line).unwrap_or_else(|| panic!("no summary"));
        assert_eq!(c.total, Some(8));
        assert_eq!((c.passed, c.failed, c.skipped), (Some(1), Some(1), Some(3)));
        let slow = "Summary [ 9.0s] 3 tests run: 3 passed (1 slow), 1 timed out, 0 skipped";
        let c = nextest(slow).unwrap_or_else(|| panic!("no summary"));
        assert_eq!((c.passed, c.failed, c.total), (Some(3), Some(1), Some(4)));
    }

    #[test]
    fn only_unindented_libtest_results_count() {
        let nested =
            "    test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 3 filtered out\n";
        assert_eq!(cargo(nested), None);
        assert_eq!(cargo(nested.trim_start()), Some(TestCounts::known(0, 1, 0)));
    }
}
