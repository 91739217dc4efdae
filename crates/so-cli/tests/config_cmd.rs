//! `session-orchestrator config`: the real binary on Session Configs in temp projects — values
//! and sources, diagnostics with their lines, `--json`, `--validate`, and the exit codes
//! (0 ok, 1 errors, 2 no file, 64 bad arguments).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::Value;

mod common;
use common::{CliRun, TempProject, run_cli};

impl CliRun {
    /// stdout, then stderr under a marker: what a user sees, for snapshots.
    fn both(&self) -> String {
        format!(
            "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `session-orchestrator config ARGS` in `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> CliRun {
    let mut all = vec!["config"];
    all.extend_from_slice(args);
    run_cli(cwd, &all, &[], "")
}

const VALID: &str = "# Demo

Some prose about the project.

## Session Config

- **test-command:** cargo test --workspace
- **typecheck-command:** cargo check --workspace --all-targets
- **lint-command:** cargo clippy --workspace --all-targets -- -D warnings
- **agents-per-wave:** 4 (deep: 8)
- **waves:** 5
- **persistence:** true
- **enforcement:** strict
- **vcs:** github
- **special:** Never edit `vendor/`.
- **issue-limit:** 30

## Other

waves: not-in-the-section
";

/// Whether a table row starts with `words` (column widths follow the longest field name).
fn has_row(table: &str, words: &[&str]) -> bool {
    table
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>().starts_with(words))
}

#[test]
fn valid_control_prints_every_field_with_its_source() {
    let p = TempProject::new();
    p.write("CLAUDE.md", VALID);
    let r = run_in(p.path(), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "a clean config has no diagnostics");
    insta::assert_snapshot!("valid_human", r.stdout);

    let v = run_in(p.path(), &["--validate"]);
    assert_eq!(v.code, Some(0), "{v:?}");
    assert_eq!(v.stderr, "");
    assert!(v.stdout.starts_with("ok: CLAUDE.md: "), "{}", v.stdout);
}

#[test]
fn json_has_typed_values_sources_and_lines() {
    let p = TempProject::new();
    p.write("CLAUDE.md", VALID);
    let r = run_in(p.path(), &["--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let j = r.json();
    assert_eq!(j["file"], "CLAUDE.md");
    assert_eq!(j["sectionLine"], 5);
    let values = &j["values"];
    assert_eq!(values["test-command"], "cargo test --workspace");
    assert_eq!(values["agents-per-wave"]["default"], 4);
    assert_eq!(values["agents-per-wave"]["deep"], 8);
    assert_eq!(values["waves"], 5);
    assert_eq!(values["persistence"], true);
    assert_eq!(values["enforcement"], "strict");
    assert_eq!(values["max-turns"], "auto");
    assert_eq!(values["recent-commits"], 20);
    assert_eq!(values["vcs"], "github");
    assert_eq!(values["cross-repos"], Value::Null);
    assert_eq!(j["sources"]["test-command"], "file");
    assert_eq!(j["sources"]["recent-commits"], "default");
    assert_eq!(j["lines"]["test-command"], 7);
    assert_eq!(j["lines"]["special"], 15);
    assert!(j["lines"].get("recent-commits").is_none());
    assert_eq!(j["unknown"]["issue-limit"]["value"], "30");
    assert_eq!(j["unknown"]["issue-limit"]["line"], 16);
    assert_eq!(j["diagnostics"], Value::Array(vec![]));
    assert!(j.get("problems").is_none(), "only with --validate");
    // Every registered field is in values and sources.
    let sources = j["sources"].as_object().unwrap();
    assert_eq!(sources.len(), j["values"].as_object().unwrap().len());
    assert!(sources.len() >= 18, "{sources:?}");

    let v = run_in(p.path(), &["--json", "--validate"]).json();
    assert_eq!(v["valid"], true);
    assert_eq!(v["problems"], Value::Array(vec![]));
}

#[test]
fn decorated_heading_is_used_with_a_warning_naming_its_line() {
    let p = TempProject::new();
    p.write(
        "CLAUDE.md",
        "# Demo\n\n##  Session Config <!-- keep in sync -->\n\n- **waves:** 4\n- **enforcement:** warn\n",
    );
    let r = run_in(p.path(), &[]);
    assert_eq!(r.code, Some(0), "a warning is not an error: {r:?}");
    assert!(
        r.stderr
            .starts_with("CLAUDE.md:3:3: warning: section heading must be exactly"),
        "{}",
        r.stderr
    );
    assert!(
        has_row(&r.stdout, &["waves", "line", "5", "4"]),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("decorated_heading_human", r.both());

    let j = run_in(p.path(), &["--json"]).json();
    assert_eq!(j["values"]["enforcement"], "warn");
    assert_eq!(j["sources"]["enforcement"], "file");
    assert_eq!(j["diagnostics"][0]["line"], 3);
    assert_eq!(j["diagnostics"][0]["severity"], "warning");
}

#[test]
fn bad_boolean_is_an_error_with_its_line_not_the_default() {
    let p = TempProject::new();
    p.write(
        "CLAUDE.md",
        "# Demo\n\n## Session Config\n\n- **waves:** 5\n- **persistence:** maybe # ask\n",
    );
    let r = run_in(p.path(), &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.starts_with(
            "CLAUDE.md:6:20: error: invalid value `maybe` for `persistence`: expected a boolean"
        ),
        "{}",
        r.stderr
    );
    assert!(
        has_row(
            &r.stdout,
            &["persistence", "line", "6,", "invalid", "maybe"]
        ),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("bad_boolean_human", r.both());

    let j = run_in(p.path(), &["--json"]);
    assert_eq!(j.code, Some(1));
    let j = j.json();
    assert_eq!(
        j["values"]["persistence"],
        Value::Null,
        "never the default `true`"
    );
    assert_eq!(j["sources"]["persistence"], "invalid");
    assert_eq!(j["lines"]["persistence"], 6);
    assert_eq!(j["diagnostics"][0]["severity"], "error");
    assert_eq!(j["diagnostics"][0]["column"], 20);
}

#[test]
fn validate_reports_one_line_per_problem() {
    let p = TempProject::new();
    p.write(
        "AGENTS.md",
        "# Demo\n\n## Session Config\n\
         - **test-command:** none\n\
         - **agents-per-wave:** 1 (deep: 4)\n\
         - **waves:** 2\n\
         - **persistence:** sometimes\n\
         - **enforcement:** loose\n\
         - **Lint-Command:** cargo clippy\n",
    );
    let r = run_in(p.path(), &["--validate"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!("validate_problems", r.stderr);
    let errors = r.stderr.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(errors, 7, "{}", r.stderr);
    assert!(
        r.stderr.lines().all(|l| l.starts_with("AGENTS.md:")),
        "{}",
        r.stderr
    );

    let j = run_in(p.path(), &["--validate", "--json"]);
    assert_eq!(j.code, Some(1));
    let j = j.json();
    assert_eq!(j["valid"], false);
    assert_eq!(j["problems"].as_array().map(Vec::len), Some(7));
}

#[test]
fn no_section_is_a_warning_and_fails_validation() {
    let p = TempProject::new();
    p.write("CLAUDE.md", "# Demo\n\nNo config here.\n");
    let r = run_in(p.path(), &[]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stderr,
        "CLAUDE.md: warning: no `## Session Config` section: every field has its default\n"
    );
    assert!(r.stdout.contains("(no section: defaults)"), "{}", r.stdout);
    let v = run_in(p.path(), &["--validate"]);
    assert_eq!(v.code, Some(1), "{v:?}");
    assert!(
        v.stderr
            .starts_with("CLAUDE.md: error: no `## Session Config` section"),
        "{}",
        v.stderr
    );
}

#[test]
fn finds_the_file_as_the_guards_do() {
    let p = TempProject::new();
    // CLAUDE.md without a section, AGENTS.md with one: AGENTS.md is the config.
    p.write("CLAUDE.md", "# Demo\n");
    p.write("AGENTS.md", "## Session Config\nwaves: 7\n");
    std::fs::create_dir_all(p.path().join("src/deep")).unwrap();
    let r = run_in(&p.path().join("src/deep"), &["--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let j = r.json();
    assert_eq!(j["values"]["waves"], 7);
    let file = j["file"].as_str().unwrap();
    assert!(
        file.ends_with("AGENTS.md") && Path::new(file).is_absolute(),
        "{file}"
    );

    // A CLAUDE.md in a subdirectory is not the project's config: the guards read the root's.
    p.write("src/CLAUDE.md", "## Session Config\nwaves: 9\n");
    let j = run_in(&p.path().join("src/deep"), &["--json"]).json();
    assert_eq!(j["values"]["waves"], 7);

    // A directory as FILE is searched the same way; a file is read as given.
    let dir = p.path().to_string_lossy().into_owned();
    let j = run_in(Path::new("/"), &["--json", &dir]).json();
    assert_eq!(j["values"]["waves"], 7);
    let j = run_in(p.path(), &["--json", "CLAUDE.md"]).json();
    assert_eq!(j["file"], "CLAUDE.md");
    assert_eq!(j["values"]["waves"], 5);
    let j = run_in(p.path(), &["--json", "src/CLAUDE.md"]).json();
    assert_eq!(j["values"]["waves"], 9);
}

#[test]
fn missing_files_exit_2_and_bad_arguments_64() {
    let p = TempProject::new();
    let r = run_in(p.path(), &[]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.starts_with("error: no CLAUDE.md or AGENTS.md in"),
        "{}",
        r.stderr
    );
    let r = run_in(p.path(), &["nope.md"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stderr, "error: `nope.md`: no such file\n");
    p.write("CLAUDE.md", "## Session Config\n");
    for args in [&["--yaml"][..], &["a.md", "b.md"], &[""]] {
        let r = run_in(p.path(), args);
        assert_eq!(r.code, Some(64), "{args:?}: {r:?}");
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    }
}
