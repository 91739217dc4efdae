//! `go test`: the per-package lines (`ok  \tpkg\t0.003s`, `FAIL\tpkg\t0.002s`,
//! `?   \tpkg\t[no test files]`) and the per-test lines (`--- FAIL: TestX`, and under `-v`
//! `--- PASS:` / `--- SKIP:`, subtests indented).
//!
//! Without `-v` only failures are named, so `passed`, `skipped` and `total` are unknown
//! unless no package had a test at all. A package that failed to build hides its tests:
//! then `failed` is unknown too.

use std::sync::LazyLock;

use regex::Regex;

use super::{TestCounts, re};

pub(super) fn parse(text: &str) -> Option<TestCounts> {
    static PACKAGE: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?m)^(ok|FAIL|\?)[ \t]+\S+[ \t]+(.*)$"));
    static TEST: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^[ \t]*--- (PASS|FAIL|SKIP): \S"));
    static RUN: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^=== RUN\s"));
    let (mut packages, mut tested, mut broken) = (0u64, 0u64, false);
    for c in PACKAGE.captures_iter(text) {
        packages += 1;
        let rest = &c[2];
        let empty = rest.contains("[no test files]") || rest.contains("[no tests to run]");
        if !empty {
            tested += 1;
        }
        if &c[1] == "FAIL" && (rest.contains("[build failed]") || rest.contains("[setup failed]")) {
            broken = true;
        }
    }
    if packages == 0 {
        return None;
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for c in TEST.captures_iter(text) {
        match &c[1] {
            "PASS" => passed += 1,
            "FAIL" => failed += 1,
            _ => skipped += 1,
        }
    }
    if tested == 0 {
        return Some(TestCounts::known(0, 0, 0));
    }
    if broken {
        return Some(TestCounts::default());
    }
    if RUN.is_match(text) {
        return Some(TestCounts::known(passed, failed, skipped));
    }
    Some(TestCounts {
        failed: Some(failed),
        ..TestCounts::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_failure_leaves_the_counts_unknown() {
        let out = "# example.com/m/calc\ncalc/calc.go:3:1: syntax error\n\
                   FAIL\texample.com/m/calc [build failed]\nok  \texample.com/m/strs\t0.002s\nFAIL\n";
        assert_eq!(parse(out), Some(TestCounts::default()));
        // Control: the same packages, built.
        let built = "FAIL\texample.com/m/calc\t0.002s\nok  \texample.com/m/strs\t0.002s\n";
        assert_eq!(parse(built).and_then(|c| c.failed), Some(0));
    }

    #[test]
    fn a_bare_fail_line_is_not_a_package() {
        assert_eq!(parse("FAIL\n"), None);
        assert_eq!(parse("PASS\n"), None);
        // jest names its suites the same way, with nothing after the path.
        assert_eq!(parse("FAIL ./broken.test.js\n  ● broken\n"), None);
    }
}
