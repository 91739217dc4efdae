//! A gate run against an earlier one: what got worse since the baseline.
//!
//! The wave loop runs the `baseline` gate before wave 1 and then asks after every wave
//! whether the work broke something that was not broken before. Failures the baseline
//! already had are the project's, not the wave's. The comparison is counted here rather
//! than by the model reading two JSON objects: one rule, the same answer every time.
//!
//! Per gate that ran in this run (not `skipped`, not `not_run`), a regression is:
//! * a `timeout`, `error` or `stubbed` status the baseline did not have;
//! * more failed tests, or more errors, than the baseline counted;
//! * fewer tests in all than the baseline (tests lost), when both ran on the whole project;
//! * `fail` where the baseline passed, when either run has no count to compare;
//! * `fail` where the baseline did not run that gate at all.
//!
//! More warnings are reported as a note, never as a regression.

use serde::Serialize;
use serde_json::Value;

use crate::{Check, Counts, GateResult, Report, Scope, Status};

/// What got worse since the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The baseline file, as given.
    pub file: String,
    /// Whether anything got worse.
    pub regressed: bool,
    /// One line per regression (`test: 3 failed, baseline 1`).
    pub regressions: Vec<String>,
    /// Changes that are not regressions (fewer failures, more warnings).
    pub notes: Vec<String>,
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the baseline `{file}` is not a quality-gate report: {why}")]
pub struct BaselineError {
    /// The file.
    pub file: String,
    /// What is wrong with it.
    pub why: String,
}

/// One gate of the baseline report, as far as the comparison needs it.
struct Before {
    status: Option<String>,
    scope_files: bool,
    total: Option<u64>,
    failed: Option<u64>,
    errors: Option<u64>,
    warnings: Option<u64>,
}

impl Before {
    fn read(doc: &Value, check: Check) -> Self {
        let g = &doc[check.name()];
        let n = |k: &str| g[k].as_u64();
        Self {
            status: g["status"].as_str().map(str::to_owned),
            scope_files: g["scope"] == "files",
            total: n("total"),
            failed: n("failed"),
            errors: n("errors"),
            warnings: n("warnings"),
        }
    }

    fn ran(&self) -> bool {
        !matches!(self.status.as_deref(), None | Some("skipped" | "not_run"))
    }
}

/// Whether `baseline` (read from `file`) has the shape of a `quality-gate` report: a
/// `variant` and the three gate objects. Callers check it before running a gate.
pub fn check_baseline(baseline: &Value, file: &str) -> Result<(), BaselineError> {
    let bad = |why: String| BaselineError {
        file: file.to_owned(),
        why,
    };
    if !baseline.is_object() || baseline["variant"].as_str().is_none() {
        return Err(bad(
            "no `variant`: give the JSON line `quality-gate` printed".to_owned(),
        ));
    }
    for check in [Check::Test, Check::Typecheck, Check::Lint] {
        if !baseline[check.name()].is_object() {
            return Err(bad(format!("no `{}` object", check.name())));
        }
    }
    Ok(())
}

/// Compares `current` with the baseline report `baseline` (the JSON line an earlier
/// `quality-gate` run printed), read from `file`.
pub fn compare(
    current: &Report,
    baseline: &Value,
    file: &str,
) -> Result<Comparison, BaselineError> {
    check_baseline(baseline, file)?;
    let mut regressions = Vec::new();
    let mut notes = Vec::new();
    for check in [Check::Test, Check::Typecheck, Check::Lint] {
        judge(
            check,
            current.get(check),
            &Before::read(baseline, check),
            &mut regressions,
            &mut notes,
        );
    }
    Ok(Comparison {
        file: file.to_owned(),
        regressed: !regressions.is_empty(),
        regressions,
        notes,
    })
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Stubbed => "stubbed",
        Status::Timeout => "timeout",
        Status::Skipped => "skipped",
        Status::NotRun => "not_run",
        Status::Error => "error",
    }
}

fn judge(
    check: Check,
    now: &GateResult,
    before: &Before,
    regressions: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let name = check.name();
    if matches!(now.status, Status::Skipped | Status::NotRun) {
        return;
    }
    let now_status = status_name(now.status);
    if !before.ran() {
        if !now.status.ok() {
            regressions.push(format!(
                "{name}: {now_status}, and the baseline did not run it"
            ));
        }
        return;
    }
    let before_status = before.status.as_deref().unwrap_or("unknown");
    if matches!(
        now.status,
        Status::Timeout | Status::Error | Status::Stubbed
    ) && before_status != now_status
    {
        regressions.push(format!("{name}: {now_status}, baseline {before_status}"));
        return;
    }
    let counts = now.run.as_ref().map(|r| r.counts);
    let mut compared = false;
    match counts {
        Some(Counts::Tests { total, failed, .. }) => {
            if let (Some(now_failed), Some(was)) = (failed, before.failed) {
                compared = true;
                if now_failed > was {
                    regressions.push(format!("{name}: {now_failed} failed, baseline {was}"));
                } else if now_failed < was {
                    notes.push(format!("{name}: {now_failed} failed, baseline {was}"));
                }
            }
            let whole_project = now.scope != Some(Scope::Files) && !before.scope_files;
            if let (Some(now_total), Some(was), true) = (total, before.total, whole_project) {
                compared = true;
                if now_total < was {
                    regressions.push(format!(
                        "{name}: {now_total} tests, baseline {was} (tests lost)"
                    ));
                }
            }
        }
        Some(Counts::Diagnostics { errors, warnings }) => {
            if let (Some(now_errors), Some(was)) = (errors, before.errors) {
                compared = true;
                if now_errors > was {
                    regressions.push(format!("{name}: {now_errors} errors, baseline {was}"));
                } else if now_errors < was {
                    notes.push(format!("{name}: {now_errors} errors, baseline {was}"));
                }
            }
            if let (Some(now_warnings), Some(was)) = (warnings, before.warnings)
                && now_warnings > was
            {
                notes.push(format!("{name}: {now_warnings} warnings, baseline {was}"));
            }
        }
        None => {}
    }
    // Without counts on both sides, the statuses are all there is to compare.
    if !compared && now.status == Status::Fail && before_status == "pass" {
        regressions.push(format!("{name}: fail, baseline pass"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunResult, Variant};
    use serde_json::json;

    fn gate(status: Status, counts: Counts) -> GateResult {
        GateResult {
            status,
            command: "x".into(),
            reason: None,
            scope: None,
            files: None,
            run: Some(RunResult {
                exit_code: Some(i32::from(status != Status::Pass)),
                signal: None,
                duration_ms: 1,
                timed_out: status == Status::Timeout,
                runner: None,
                counts,
                tail: String::new(),
                dropped_output_bytes: 0,
            }),
        }
    }

    fn tests(status: Status, total: u64, failed: u64) -> GateResult {
        gate(
            status,
            Counts::Tests {
                total: Some(total),
                passed: Some(total - failed),
                failed: Some(failed),
                skipped: Some(0),
                stubbed: status == Status::Stubbed,
            },
        )
    }

    fn diags(status: Status, errors: Option<u64>, warnings: Option<u64>) -> GateResult {
        gate(status, Counts::Diagnostics { errors, warnings })
    }

    fn report(test: GateResult, typecheck: GateResult, lint: GateResult) -> Report {
        Report {
            variant: Variant::Incremental,
            passed: false,
            exit_code: 0,
            duration_ms: 1,
            wave_number: None,
            test,
            typecheck,
            lint,
            baseline: None,
        }
    }

    fn baseline_json(r: &Report) -> Value {
        serde_json::from_str(&r.to_json_line()).unwrap_or(Value::Null)
    }

    #[test]
    fn failures_the_baseline_had_are_not_regressions() {
        let base = report(
            tests(Status::Fail, 10, 2),
            diags(Status::Fail, Some(3), Some(1)),
            diags(Status::Pass, Some(0), Some(0)),
        );
        // Control: the same failures again, fewer errors, more warnings.
        let same = report(
            tests(Status::Fail, 12, 2),
            diags(Status::Fail, Some(1), Some(4)),
            diags(Status::Pass, Some(0), Some(0)),
        );
        let c = compare(&same, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.regressed, "{c:?}");
        assert!(c.notes.iter().any(|n| n.contains("1 errors, baseline 3")));
        assert!(c.notes.iter().any(|n| n.contains("4 warnings, baseline 1")));
        // A new failure, lost tests and a new error are regressions.
        let worse = report(
            tests(Status::Fail, 9, 3),
            diags(Status::Fail, Some(4), Some(1)),
            diags(Status::Pass, Some(0), Some(0)),
        );
        let c = compare(&worse, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.regressed);
        assert_eq!(
            c.regressions,
            [
                "test: 3 failed, baseline 2",
                "test: 9 tests, baseline 10 (tests lost)",
                "typecheck: 4 errors, baseline 3"
            ]
        );
    }

    #[test]
    fn statuses_decide_when_counts_are_missing() {
        let base = report(
            tests(Status::Pass, 5, 0),
            diags(Status::Pass, None, None),
            diags(Status::Pass, None, None),
        );
        let now = report(
            tests(Status::Stubbed, 0, 0),
            diags(Status::Fail, None, None),
            diags(Status::Pass, None, None),
        );
        let c = compare(&now, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.regressions,
            [
                "test: stubbed, baseline pass",
                "typecheck: fail, baseline pass"
            ]
        );
        // Control: a gate this variant did not run is not compared.
        let mut skipped = now.clone();
        skipped.test.status = Status::NotRun;
        skipped.typecheck.status = Status::Skipped;
        let c =
            compare(&skipped, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.regressed, "{c:?}");
    }

    #[test]
    fn a_gate_the_baseline_did_not_run_counts_only_when_it_fails() {
        let mut base = report(
            tests(Status::Pass, 5, 0),
            diags(Status::Pass, Some(0), None),
            diags(Status::Pass, Some(0), None),
        );
        base.lint.status = Status::NotRun;
        let now = report(
            tests(Status::Pass, 5, 0),
            diags(Status::Pass, Some(0), None),
            diags(Status::Fail, Some(2), None),
        );
        let c = compare(&now, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.regressions,
            ["lint: fail, and the baseline did not run it"]
        );
        let mut fine = now.clone();
        fine.lint = diags(Status::Pass, Some(0), None);
        let c = compare(&fine, &baseline_json(&base), "b.json").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.regressed);
    }

    #[test]
    fn a_file_that_is_not_a_gate_report_is_refused() {
        let now = report(
            tests(Status::Pass, 1, 0),
            diags(Status::Pass, Some(0), None),
            diags(Status::Pass, Some(0), None),
        );
        for doc in [
            json!([1]),
            json!({"test": {}}),
            json!({"variant": "baseline"}),
        ] {
            assert!(compare(&now, &doc, "b.json").is_err(), "{doc}");
        }
    }
}
