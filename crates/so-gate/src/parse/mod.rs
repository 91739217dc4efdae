//! Reading counts out of what the runners print.
//!
//! Each runner has a module that recognises its own summary lines, in the shape the real
//! runner prints them (the fixtures under `tests/fixtures/runners/` are real captures). A
//! count the output does not state is `None` — never 0: `go test` without `-v` names the
//! failed tests but not the passed ones, so `passed` stays unknown.
//!
//! When several runners' summaries appear in one output (`cargo test && pytest`), their
//! counts are added; a sum with an unknown part is unknown.

mod eslint;
mod gotest;
mod js;
mod libtest;
mod pytest;
mod rustc;
mod tsc;

use std::sync::LazyLock;

use regex::Regex;

use crate::command::Tool;

/// Test counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestCounts {
    /// Tests the run knew of: passed + failed + skipped.
    pub total: Option<u64>,
    /// Passed.
    pub passed: Option<u64>,
    /// Failed (errors and time-outs included).
    pub failed: Option<u64>,
    /// Skipped, ignored or expected to fail.
    pub skipped: Option<u64>,
}

impl TestCounts {
    /// Counts that are all known.
    pub fn known(passed: u64, failed: u64, skipped: u64) -> Self {
        Self {
            total: Some(passed + failed + skipped),
            passed: Some(passed),
            failed: Some(failed),
            skipped: Some(skipped),
        }
    }

    fn add(self, other: Self) -> Self {
        Self {
            total: sum(self.total, other.total),
            passed: sum(self.passed, other.passed),
            failed: sum(self.failed, other.failed),
            skipped: sum(self.skipped, other.skipped),
        }
    }
}

/// What a test command's output says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSummary {
    /// The runner(s) recognised, `+`-joined (`cargo`, `nextest`, `pytest+vitest`).
    pub runner: String,
    /// The counts.
    pub counts: TestCounts,
    /// Whether the counts add up lines from all over the output (libtest's per-binary
    /// results, `go test`'s per-test lines), so that they are wrong when the start of the
    /// output was not kept.
    pub needs_whole_output: bool,
}

/// Diagnostic counts of a type-check or lint run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiagnosticCounts {
    /// Errors.
    pub errors: Option<u64>,
    /// Warnings (`None` for tools that have none, such as `tsc`).
    pub warnings: Option<u64>,
}

/// What a type-check or lint command's output says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticSummary {
    /// The tool(s) recognised, `+`-joined (`tsc`, `eslint`, `cargo`).
    pub runner: String,
    /// The counts.
    pub counts: DiagnosticCounts,
    /// As for [`TestSummary::needs_whole_output`].
    pub needs_whole_output: bool,
}

/// The test counts in `output` (ANSI colours are ignored), from every runner whose summary
/// appears; `None` when no runner's summary does.
///
/// ```
/// let out = "test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
/// let s = so_gate::parse::test_summary(out).unwrap();
/// assert_eq!((s.runner.as_str(), s.counts.total, s.counts.passed), ("cargo", Some(3), Some(2)));
/// ```
pub fn test_summary(output: &str) -> Option<TestSummary> {
    let text = strip_ansi(output);
    let mut found: Vec<(&str, TestCounts, bool)> = Vec::new();
    // nextest passes each test's own libtest output through, indented; its summary is the
    // one to read, never the nested lines.
    if let Some(c) = libtest::nextest(&text) {
        found.push(("nextest", c, false));
    } else if let Some(c) = libtest::cargo(&text) {
        found.push(("cargo", c, true));
    }
    if let Some(c) = pytest::parse(&text) {
        found.push(("pytest", c, false));
    }
    if let Some(c) = js::vitest(&text) {
        found.push(("vitest", c, false));
    }
    if let Some(c) = js::jest(&text) {
        found.push(("jest", c, false));
    }
    if let Some(c) = gotest::parse(&text) {
        found.push(("go", c, true));
    }
    let (first, rest) = found.split_first()?;
    let mut summary = TestSummary {
        runner: first.0.to_owned(),
        counts: first.1,
        needs_whole_output: first.2,
    };
    for (runner, counts, whole) in rest {
        summary.runner = format!("{}+{runner}", summary.runner);
        summary.counts = summary.counts.add(*counts);
        summary.needs_whole_output |= whole;
    }
    Some(summary)
}

/// The diagnostic counts in `output` from every tool whose summary appears.
///
/// A clean `tsc` or `eslint` run prints nothing at all, so when no summary is found, `hint`
/// (the tool the command runs, see [`crate::command::analyse`], or the one npm's script
/// header in the output names) and a zero exit code stand for "no errors": 0, measured.
/// Without either, the counts are unknown (`None`).
pub fn diagnostic_summary(
    output: &str,
    hint: Option<Tool>,
    exit_code: Option<i32>,
) -> Option<DiagnosticSummary> {
    let text = strip_ansi(output);
    let mut found: Vec<(&str, DiagnosticCounts, bool)> = Vec::new();
    if let Some((c, whole)) = tsc::parse(&text) {
        found.push(("tsc", c, whole));
    }
    if let Some(c) = eslint::parse(&text) {
        found.push(("eslint", c, false));
    }
    if let Some((c, whole)) = rustc::parse(&text) {
        found.push(("cargo", c, whole));
    }
    let diagnostic = |t: &Tool| matches!(t, Tool::Tsc | Tool::Eslint | Tool::CargoDiagnostics);
    let hint = hint
        .filter(diagnostic)
        .or_else(|| crate::command::tool_in_npm_header(&text).filter(diagnostic));
    if found.is_empty() {
        if exit_code != Some(0) {
            return None;
        }
        let (runner, warnings) = match hint? {
            Tool::Tsc => ("tsc", None),
            Tool::Eslint => ("eslint", Some(0)),
            Tool::CargoDiagnostics => ("cargo", Some(0)),
            _ => return None,
        };
        return Some(DiagnosticSummary {
            runner: runner.to_owned(),
            counts: DiagnosticCounts {
                errors: Some(0),
                warnings,
            },
            needs_whole_output: false,
        });
    }
    let (first, rest) = found.split_first()?;
    let mut summary = DiagnosticSummary {
        runner: first.0.to_owned(),
        counts: first.1,
        needs_whole_output: first.2,
    };
    for (runner, counts, whole) in rest {
        summary.runner = format!("{}+{runner}", summary.runner);
        summary.counts = DiagnosticCounts {
            errors: sum(summary.counts.errors, counts.errors),
            warnings: match (summary.counts.warnings, counts.warnings) {
                // tsc has no warnings: it adds nothing rather than making the sum unknown.
                (Some(a), Some(b)) => Some(a + b),
                (a, None) if *runner == "tsc" => a,
                (None, b) if summary.runner.starts_with("tsc") => b,
                _ => None,
            },
        };
        summary.needs_whole_output |= whole;
    }
    Some(summary)
}

/// `output` without ANSI escape sequences (colours, cursor movement).
pub fn strip_ansi(output: &str) -> String {
    static ANSI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
            .unwrap_or_else(|e| unreachable!("{e}"))
    });
    ANSI.replace_all(output, "").into_owned()
}

fn sum(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a? + b?)
}

/// A compiled regex from a literal that is known to be valid.
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in regex: {e}"))
}

/// `"12"` as a number (the regexes only capture digits; absurd lengths saturate).
pub(crate) fn num(text: &str) -> u64 {
    text.parse().unwrap_or(u64::MAX)
}

#[cfg(test)]
pub(crate) mod fixtures {
    use std::path::PathBuf;

    /// The text of `tests/fixtures/runners/<name>.txt`.
    pub(crate) fn fixture(name: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/runners")
            .join(format!("{name}.txt"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::fixture;
    use super::*;

    fn counts(name: &str) -> (String, TestCounts) {
        let s = test_summary(&fixture(name)).unwrap_or_else(|| panic!("{name}: no summary"));
        (s.runner, s.counts)
    }

    #[test]
    fn every_test_fixture_is_read_by_its_own_runner() {
        let k = TestCounts::known;
        let go_fail = TestCounts {
            total: None,
            passed: None,
            failed: Some(2),
            skipped: None,
        };
        let go_pass = TestCounts {
            failed: Some(0),
            ..go_fail
        };
        for (name, runner, want) in [
            ("cargo-pass", "cargo", k(4, 0, 1)),
            ("cargo-fail", "cargo", k(2, 1, 1)),
            ("cargo-empty", "cargo", k(0, 0, 0)),
            ("nextest-pass", "nextest", k(3, 0, 1)),
            ("nextest-fail", "nextest", k(3, 1, 1)),
            ("pytest-pass", "pytest", k(2, 0, 1)),
            ("pytest-fail", "pytest", k(2, 1, 1)),
            ("pytest-quiet-fail", "pytest", k(2, 1, 1)),
            ("pytest-none", "pytest", k(0, 0, 0)),
            ("vitest-pass", "vitest", k(2, 0, 1)),
            ("vitest-fail", "vitest", k(2, 1, 1)),
            ("vitest-none", "vitest", k(0, 0, 0)),
            ("jest-pass", "jest", k(2, 0, 1)),
            ("jest-fail", "jest", k(2, 1, 1)),
            ("jest-none", "jest", k(0, 0, 0)),
            ("go-pass", "go", go_pass),
            ("go-fail", "go", go_fail),
            ("go-verbose-pass", "go", k(5, 0, 1)),
            ("go-verbose-fail", "go", k(5, 2, 1)),
            ("go-none", "go", k(0, 0, 0)),
        ] {
            assert_eq!(counts(name), (runner.to_owned(), want), "{name}");
        }
    }

    #[test]
    fn diagnostic_output_is_not_a_test_summary() {
        for name in [
            "tsc-fail",
            "tsc5-pretty-fail",
            "eslint-fail",
            "clippy-warn",
            "clippy-fail",
        ] {
            assert_eq!(test_summary(&fixture(name)), None, "{name}");
        }
        // Control: a test fixture beside them is read.
        assert!(test_summary(&fixture("cargo-pass")).is_some());
    }

    #[test]
    fn outputs_of_two_runners_add_up() {
        let both = format!("{}{}", fixture("cargo-pass"), fixture("pytest-fail"));
        let s = test_summary(&both).unwrap_or_else(|| panic!("no summary"));
        assert_eq!(s.runner, "cargo+pytest");
        assert_eq!(s.counts, TestCounts::known(6, 1, 2));
        // An unknown part makes the sum unknown, never a smaller known number.
        let with_go = format!("{}{}", fixture("cargo-pass"), fixture("go-pass"));
        let s = test_summary(&with_go).unwrap_or_else(|| panic!("no summary"));
        assert_eq!((s.counts.passed, s.counts.failed), (None, Some(0)));
    }

    fn diag(name: &str, hint: Option<Tool>, exit: i32) -> Option<(String, DiagnosticCounts)> {
        diagnostic_summary(&fixture(name), hint, Some(exit)).map(|s| (s.runner, s.counts))
    }

    fn dc(errors: u64, warnings: Option<u64>) -> DiagnosticCounts {
        DiagnosticCounts {
            errors: Some(errors),
            warnings,
        }
    }

    #[test]
    fn every_diagnostic_fixture_is_read_by_its_own_tool() {
        for (name, exit, runner, want) in [
            ("tsc-pass", 0, "tsc", dc(0, None)),
            ("tsc-fail", 1, "tsc", dc(3, None)),
            ("tsc-direct-fail", 1, "tsc", dc(3, None)),
            ("tsc5-fail", 2, "tsc", dc(3, None)),
            ("tsc5-pretty-fail", 2, "tsc", dc(3, None)),
            ("eslint-pass", 0, "eslint", dc(0, Some(0))),
            ("eslint-warn", 0, "eslint", dc(0, Some(1))),
            ("eslint-fail", 1, "eslint", dc(2, Some(1))),
            ("clippy-pass", 0, "cargo", dc(0, Some(0))),
            ("clippy-warn", 0, "cargo", dc(0, Some(2))),
            ("clippy-deny", 101, "cargo", dc(2, Some(0))),
            ("clippy-fail", 101, "cargo", dc(2, Some(1))),
            ("cargo-check-fail", 101, "cargo", dc(2, Some(0))),
        ] {
            assert_eq!(
                diag(name, None, exit),
                Some((runner.to_owned(), want)),
                "{name}"
            );
        }
    }

    #[test]
    fn silence_is_zero_only_for_a_known_tool_that_succeeded() {
        // `tsc --noEmit` run directly prints nothing when the project is clean.
        assert_eq!(
            diagnostic_summary("", Some(Tool::Tsc), Some(0)).map(|s| s.counts),
            Some(dc(0, None))
        );
        // Unknown tool, or a failure without a summary: not measured.
        assert_eq!(diagnostic_summary("", None, Some(0)), None);
        assert_eq!(diagnostic_summary("", Some(Tool::Tsc), Some(2)), None);
        assert_eq!(
            diagnostic_summary("Oops! Something went wrong!", Some(Tool::Eslint), Some(2)),
            None
        );
    }

    #[test]
    fn tsc_and_eslint_outputs_add_up() {
        let both = format!("{}{}", fixture("tsc-direct-fail"), fixture("eslint-fail"));
        let s = diagnostic_summary(&both, None, Some(1)).unwrap_or_else(|| panic!("none"));
        assert_eq!(s.runner, "tsc+eslint");
        assert_eq!(s.counts, dc(5, Some(1)));
    }

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(
            strip_ansi(
                "\x1b[96msrc/a.ts\x1b[0m:\x1b[93m1\x1b[0m - \x1b[91merror\x1b[0m\x1b[90m TS2322: \x1b[0mx"
            ),
            "src/a.ts:1 - error TS2322: x"
        );
        assert_eq!(strip_ansi("plain ✓ text"), "plain ✓ text");
    }
}
