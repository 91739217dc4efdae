//! `session-orchestrator quality-gate`: run the project's test, type-check and lint commands
//! (`so-gate`), print one JSON line, and record `orchestrator.quality_gate.passed|failed`.
//!
//! Exit codes: 0 passed, or any result of an informational variant; 2 a failed full gate;
//! 1 our own error (no config, a config or policy file that cannot be read, a command that
//! could not be started); 64 bad arguments.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use so_events::catalog::{self, GateTestCounts, Origin, QualityGate};
use so_events::{Layout, Timestamp};
use so_gate::{Counts, GateResult, Report, Request, RunOptions, Variant};

use crate::session_cmd::{CliError, detected_client, session_id_from_env};
use crate::wave_scope::{Cursor, once, project_root};

struct Options<'a> {
    variant: Variant,
    files: Vec<String>,
    wave: Option<u32>,
    timeout: Duration,
    project: Option<&'a str>,
    baseline: Option<&'a str>,
}

/// Default time limit of each command: the Session Config has no field for it.
const DEFAULT_TIMEOUT: Duration = Duration::from_mins(10);

fn parse(args: &[String]) -> Result<Options<'_>, CliError> {
    let (mut variant, mut files, mut wave, mut timeout, mut project, mut baseline) =
        (None, None, None, None, None, None);
    let mut c = Cursor::new(args);
    while let Some(a) = c.next_arg() {
        match a {
            "--variant" => {
                let v = c.value(a, "baseline, incremental, full-gate or per-file")?;
                let parsed = Variant::from_name(v).ok_or_else(|| {
                    CliError::Args(format!(
                        "unknown variant `{v}`: use baseline, incremental, full-gate or per-file"
                    ))
                })?;
                once(&mut variant, a, parsed)?;
            }
            "--files" => {
                let v = c.value(a, "a comma-separated list of paths")?;
                let list: Vec<String> = v
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect();
                if list.is_empty() {
                    return Err(CliError::Args(format!("`--files` names no file: `{v}`")));
                }
                once(&mut files, a, list)?;
            }
            "--wave" => {
                let v = c.value(a, "the wave number")?;
                let n = v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    CliError::Args(format!("`--wave` must be a positive integer, got `{v}`"))
                })?;
                once(&mut wave, a, n)?;
            }
            "--timeout" => {
                let v = c.value(a, "seconds")?;
                let n = v.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    CliError::Args(format!(
                        "`--timeout` must be a positive number of seconds, got `{v}`"
                    ))
                })?;
                once(&mut timeout, a, Duration::from_secs(n))?;
            }
            "--project" => {
                let v = c.value(a, "the project directory")?;
                once(&mut project, a, v)?;
            }
            "--baseline" => {
                let v = c.value(a, "the JSON an earlier `quality-gate` run printed")?;
                once(&mut baseline, a, v)?;
            }
            other => {
                return Err(CliError::Args(format!(
                    "unknown argument `{other}` for `quality-gate`"
                )));
            }
        }
    }
    let variant = variant.ok_or_else(|| {
        CliError::Args(
            "`quality-gate` needs `--variant baseline|incremental|full-gate|per-file`".into(),
        )
    })?;
    let files = files.unwrap_or_default();
    match variant {
        Variant::PerFile if files.is_empty() => {
            return Err(CliError::Args(
                "`--variant per-file` needs `--files a,b`".into(),
            ));
        }
        Variant::Baseline | Variant::FullGate if !files.is_empty() => {
            return Err(CliError::Args(format!(
                "`--files` is for the incremental and per-file variants, not `{}`",
                variant.name()
            )));
        }
        _ => {}
    }
    Ok(Options {
        variant,
        files,
        wave,
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
        project,
        baseline,
    })
}

pub fn run(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => return e.report(),
    };
    // The project directory and its config are our own business: 1, not 2.
    let root = match project_root(o.project) {
        Ok(r) => r,
        Err(e) => {
            let message = match CliError::from(e) {
                CliError::Args(m) | CliError::Io(m) => m,
                CliError::Invalid(m) => m.join("; "),
            };
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    };
    let commands = match so_gate::resolve_commands(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // The baseline is read before anything runs: a wrong file is our caller's error, found
    // in a millisecond rather than after the test suite.
    let baseline = match o.baseline.map(read_baseline).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let files: Vec<String> = o.files.iter().map(|f| relative(&root, f)).collect();
    let request = Request {
        variant: o.variant,
        files: &files,
        wave: o.wave,
        run: RunOptions {
            timeout: o.timeout,
            ..RunOptions::default()
        },
    };
    let mut report = so_gate::run_gate(&root, &commands, &request);
    if let Some((file, doc)) = &baseline {
        match so_gate::compare(&report, doc, file) {
            Ok(c) => report.baseline = Some(c),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    crate::emit(&format!("{}\n", report.to_json_line()));
    if let Err(e) = record(&root, &report) {
        eprintln!("warning: the gate ran, but its event was not recorded: {e}");
    }
    ExitCode::from(report.exit_code)
}

/// The baseline report at `file`: its last non-empty line (the JSON line a run printed, as
/// saved with `>`), parsed.
fn read_baseline(file: &str) -> Result<(String, serde_json::Value), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the baseline `{file}`: {e}"))?;
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let doc = serde_json::from_str(line).map_err(|e| {
        format!("the baseline `{file}` is not the JSON `quality-gate` printed: {e}")
    })?;
    so_gate::check_baseline(&doc, file).map_err(|e| e.to_string())?;
    Ok((file.to_owned(), doc))
}

/// `f` relative to the project root when it is an absolute path inside it.
fn relative(root: &Path, f: &str) -> String {
    let p = Path::new(f);
    match p.strip_prefix(root) {
        Ok(rel) if p.is_absolute() => rel.display().to_string(),
        _ => f.trim_start_matches("./").to_owned(),
    }
}

/// Appends the gate's event to `events.jsonl`.
fn record(root: &Path, report: &Report) -> Result<(), so_events::StorageError> {
    let layout = Layout::new(root);
    layout.ensure()?;
    let session = session_id_from_env();
    let origin = Origin {
        session_id: session.as_deref(),
        client: detected_client(),
        at: Timestamp::now(),
    };
    let test_counts = match report.test.run.as_ref().map(|r| r.counts) {
        Some(Counts::Tests {
            total,
            passed,
            failed,
            stubbed: false,
            ..
        }) if total.is_some() || passed.is_some() || failed.is_some() => Some(GateTestCounts {
            passed,
            failed,
            total,
        }),
        _ => None,
    };
    let diagnostics = |g: &GateResult| match g.run.as_ref().map(|r| r.counts) {
        Some(Counts::Diagnostics { errors, warnings }) => (errors, warnings),
        _ => (None, None),
    };
    let status = |g: &GateResult| status_name(g);
    let gates = [&report.test, &report.typecheck, &report.lint];
    let event = catalog::quality_gate(
        &origin,
        &QualityGate {
            variant: report.variant.name(),
            passed: report.passed,
            exit_code: report.exit_code,
            wave_number: report.wave_number,
            duration_ms: report.duration_ms,
            test_status: status(&report.test),
            typecheck_status: status(&report.typecheck),
            lint_status: status(&report.lint),
            counts: test_counts,
            stubbed: report.test.status == so_gate::Status::Stubbed,
            timed_out: gates.iter().any(|g| g.status == so_gate::Status::Timeout),
            typecheck_errors: diagnostics(&report.typecheck).0,
            lint_errors: diagnostics(&report.lint).0,
            lint_warnings: diagnostics(&report.lint).1,
        },
    );
    so_events::append(&layout.events(), &event)
}

fn status_name(g: &GateResult) -> &'static str {
    use so_gate::Status;
    match g.status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Stubbed => "stubbed",
        Status::Timeout => "timeout",
        Status::Skipped => "skipped",
        Status::NotRun => "not_run",
        Status::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        let a = args(&[
            "--variant",
            "per-file",
            "--files",
            "a.py, ,b.py",
            "--wave",
            "3",
        ]);
        let o = parse(&a).unwrap_or_else(|_| panic!("valid"));
        assert_eq!(o.files, ["a.py", "b.py"]);
        assert_eq!((o.wave, o.timeout), (Some(3), DEFAULT_TIMEOUT));
        for bad in [
            &["--variant", "fast"][..],
            &["--variant", "per-file"],
            &["--variant", "full-gate", "--files", "a.py"],
            &["--variant", "baseline", "--timeout", "0"],
            &["--variant", "baseline", "--wave", "0"],
            &["--variant", "baseline", "--variant", "baseline"],
            &["--files", "a"],
            &["--variant", "baseline", "--frob"],
        ] {
            assert!(
                matches!(parse(&args(bad)), Err(CliError::Args(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn files_are_taken_from_the_root() {
        let root = Path::new("/p");
        assert_eq!(relative(root, "/p/src/a.rs"), "src/a.rs");
        assert_eq!(relative(root, "./src/a.rs"), "src/a.rs");
        assert_eq!(relative(root, "/elsewhere/a.rs"), "/elsewhere/a.rs");
    }
}
