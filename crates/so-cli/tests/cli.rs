//! The real `session-orchestrator` binary: `check` exit codes and output, `check --corpus`,
//! `rules --markdown` against the committed `docs/rules.md`, and argument errors.
//!
//! Every run gets `HOME` set to a fixed path outside any temp root, so `~/...` classifies
//! the same on every machine, and (unless a test says otherwise) runs in a fresh project
//! directory under the system temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

const FAKE_HOME: &str = "/home/so-test-user";

mod common;
use common::{CliRun, TempProject, run_cli};

/// Runs the CLI in `cwd` with `HOME` set to [`FAKE_HOME`], then extra environment variables.
fn run_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> CliRun {
    let mut all = vec![("HOME", FAKE_HOME)];
    all.extend_from_slice(env);
    run_cli(cwd, args, &all, "")
}

fn run(args: &[&str], project: &TempProject) -> CliRun {
    run_env(args, project.path(), &[])
}

/// A command the guard cannot analyse: nesting past the parser's limit.
fn unanalysable() -> String {
    format!("{}rm -rf ~{}", "$(".repeat(100), ")".repeat(100))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ---------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------

#[test]
fn check_exit_codes() {
    let project = TempProject::new();
    let cases: &[(&[&str], i32)] = &[
        (&["check", "git", "reset", "--hard"], 1),
        (&["check", "rm", "-rf", "~/important"], 1),
        (&["check", "--client", "codex", "git", "reset", "--hard"], 1),
        (
            &["check", "--client", "cursor", "git", "reset", "--hard"],
            1,
        ),
        (&["check", "git", "status"], 0),
        (&["check", "--client", "codex", "git", "status"], 0),
        (&["check", "--", "git", "status", "--short"], 0),
    ];
    for (args, code) in cases {
        let r = run(args, &project);
        assert_eq!(r.code, Some(*code), "{args:?}: {r:?}");
    }

    // Could not analyse: ask where the client can (2), deny on Codex, which cannot (1).
    let cmd = unanalysable();
    for (client, code) in [("claude", 2), ("cursor", 2), ("codex", 1)] {
        let r = run(&["check", "--client", client, &cmd], &project);
        assert_eq!(r.code, Some(code), "{client}: {r:?}");
        assert!(r.stdout.contains("problem:"), "{client}: {}", r.stdout);
    }
    let r = run(&["check", &cmd], &project);
    assert_eq!(r.code, Some(2), "the default client is claude: {r:?}");
    assert!(
        r.stdout.starts_with("decision: indeterminate\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn check_uses_the_session_config_of_cwd() {
    let warn = TempProject::new();
    warn.write(
        "CLAUDE.md",
        "## Session Config\n\n- **allow-destructive-ops:** true\n",
    );
    let elsewhere = TempProject::new();
    let dir = warn.path().to_string_lossy().into_owned();
    let r = run(
        &["check", "--cwd", &dir, "git", "reset", "--hard"],
        &elsewhere,
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("decision: warn\n"), "{}", r.stdout);
    // Warn-only never loosens the guard's own files.
    let r = run(
        &[
            "check",
            "--cwd",
            &dir,
            "sed",
            "-i",
            "s/true/false/",
            "CLAUDE.md",
        ],
        &elsewhere,
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("guard:self-protect"), "{}", r.stdout);
    // Control: the same command where no config is set.
    let r = run(&["check", "git", "reset", "--hard"], &elsewhere);
    assert_eq!(r.code, Some(1), "{r:?}");
}

#[test]
fn check_human_output_of_a_deny() {
    let project = TempProject::new();
    let r = run(&["check", "git", "reset", "--hard"], &project);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout.contains("rule:     git:reset-hard\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("check_deny_human", r.stdout);

    // Control.
    let r = run(&["check", "git", "status"], &project);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.starts_with("decision: allow\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("rule:"), "{}", r.stdout);
}

#[test]
fn check_json_output() {
    let project = TempProject::new();
    let r = run(&["check", "--json", "git", "reset", "--hard"], &project);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stdout.lines().count(), 1, "one JSON line: {}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["command"], "git reset --hard");
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert_eq!(findings[0]["rule"], "git:reset-hard");
    assert_eq!(findings[0]["severity"], "deny");
    for key in ["reason", "alternative", "command"] {
        assert!(
            findings[0][key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}"
        );
    }
    let commands = v["commands"].as_array().unwrap();
    assert!(
        commands.iter().any(|c| c == "git reset --hard"),
        "{commands:?}"
    );
    assert!(v["problems"].is_array() && v["notices"].is_array(), "{v}");
    insta::with_settings!({sort_maps => true}, {
        insta::assert_json_snapshot!("check_deny_json", v);
    });

    // Control: an allow has the same shape and no findings.
    let r = run(&["check", "--json", "git", "status"], &project);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["commands"][0], "git status");

    // Codex turns could-not-analyse into deny in JSON too.
    let cmd = unanalysable();
    let r = run(&["check", "--json", "--client", "codex", &cmd], &project);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((r.code, v["decision"].as_str()), (Some(1), Some("deny")));
    assert!(!v["problems"].as_array().unwrap().is_empty(), "{v}");
    let r = run(&["check", "--json", "--client", "claude", &cmd], &project);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (r.code, v["decision"].as_str()),
        (Some(2), Some("indeterminate"))
    );
}

// ---------------------------------------------------------------------------------------
// check --corpus
// ---------------------------------------------------------------------------------------

const CORPUS_HEADER: &str = "id\tcommand\texpected\tcategory\treason\n";

#[test]
fn corpus_reports_a_disagreement() {
    let project = TempProject::new();
    let tsv = project.write(
        "cases.tsv",
        &format!(
            "{CORPUS_HEADER}\
             T1\tgit reset --hard\tblock\tgit\tdiscards changes\n\
             T2\tgit status\tallow\tgit\tread-only\n\
             T3\tgit stash list\tblock\tgit\tdeliberately wrong: listing stashes is harmless\n"
        ),
    );
    let path = tsv.to_string_lossy().into_owned();
    let r = run(&["check", "--corpus", &path], &project);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout.contains("3 cases, 2 agree, 1 disagree"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("T3\texpected block\tgot allow\t-\tgit stash list"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("T1\t") && !r.stdout.contains("T2\t"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("corpus_disagreement", r.stdout);

    let r = run(&["check", "--corpus", &path, "--json"], &project);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["expected_block_got_block"], 1);
    assert_eq!(v["expected_allow_got_allow"], 1);
    assert_eq!(v["expected_block_got_allow"], 1);
    assert_eq!(v["expected_allow_got_block"], 0);
    assert_eq!(v["disagreements"][0]["id"], "T3");
}

#[test]
fn corpus_all_agreeing_exits_0() {
    let project = TempProject::new();
    let tsv = project.write(
        "cases.tsv",
        &format!(
            "{CORPUS_HEADER}\
             T1\tgit reset --hard\tblock\tgit\tdiscards changes\n\
             T2\tgit status\tallow\tgit\tread-only\n\
             T3\trm -rf ~/important\\necho done\tblock\tfs\t`\\n` is a newline\n"
        ),
    );
    let r = run(&["check", "--corpus", &tsv.to_string_lossy()], &project);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("3 cases, 3 agree, 0 disagree"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("corpus_agreement", r.stdout);
}

#[test]
fn corpus_file_errors() {
    let project = TempProject::new();
    let bad = project.write(
        "bad.tsv",
        &format!("{CORPUS_HEADER}T1\tgit status\tmaybe\tx\ty\n"),
    );
    let r = run(&["check", "--corpus", &bad.to_string_lossy()], &project);
    assert_eq!(r.code, Some(65), "{r:?}");
    assert!(r.stderr.contains("bad.tsv:2"), "{}", r.stderr);

    let missing = project.path().join("missing.tsv");
    let r = run(&["check", "--corpus", &missing.to_string_lossy()], &project);
    assert_eq!(r.code, Some(66), "{r:?}");
    assert!(r.stderr.contains("missing.tsv"), "{}", r.stderr);
}

/// The project's corpora, judged in the context the guard's own corpus test uses
/// (`/home/dev/project`, home `/home/dev`; neither needs to exist).
fn project_corpus(name: &str, file: &str) {
    let scratch = TempProject::new();
    let r = run_env(
        &["check", "--cwd", "/home/dev/project", "--corpus", file],
        scratch.path(),
        &[("HOME", "/home/dev")],
    );
    assert_eq!(
        r.code,
        Some(0),
        "{name}: the CLI disagrees with the corpus:\n{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains(" 0 disagree"), "{name}: {}", r.stdout);
}

#[test]
fn corpus_guard_cases() {
    project_corpus(
        "guard-cases",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/corpus/guard-cases.tsv"
        ),
    );
}

#[test]
fn corpus_own_cases() {
    project_corpus(
        "own-cases",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/corpus/own-cases.tsv"
        ),
    );
}

#[test]
fn corpus_real_world() {
    project_corpus(
        "real-world",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/corpus/real-world.tsv"
        ),
    );
}

// ---------------------------------------------------------------------------------------
// rules
// ---------------------------------------------------------------------------------------

#[test]
fn docs_rules_md_is_generated() {
    let project = TempProject::new();
    let r = run(&["rules", "--markdown"], &project);
    assert_eq!(r.code, Some(0), "{r:?}");
    let path = workspace_root().join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap();
    if committed != r.stdout {
        let first = committed
            .lines()
            .zip(r.stdout.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(r.stdout.lines().count()));
        panic!(
            "docs/rules.md is out of date (first difference at line {}):\n  committed: {:?}\n  generated: {:?}\n\
             Regenerate it from the workspace root with:\n  \
             cargo run -q -p so-cli --bin session-orchestrator -- rules --markdown > docs/rules.md",
            first + 1,
            committed.lines().nth(first),
            r.stdout.lines().nth(first),
        );
    }
}

#[test]
fn rules_list_every_rule() {
    let project = TempProject::new();
    let plain = run(&["rules"], &project);
    let markdown = run(&["rules", "--markdown"], &project);
    assert_eq!((plain.code, markdown.code), (Some(0), Some(0)));
    let registry = so_guard::registry();
    assert!(registry.len() > 10, "{} rules", registry.len());
    for rule in &registry {
        assert!(
            plain
                .stdout
                .lines()
                .any(|l| l.starts_with(&format!("{} ", rule.id))),
            "`rules` misses {}",
            rule.id
        );
        assert!(
            markdown.stdout.contains(&format!("\n### `{}`\n", rule.id)),
            "`rules --markdown` misses {}",
            rule.id
        );
    }
    assert_eq!(plain.stdout.lines().count(), registry.len());
}

// ---------------------------------------------------------------------------------------
// Argument errors
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_subcommand_exits_64() {
    let project = TempProject::new();
    let r = run(&["frobnicate"], &project);
    assert_eq!(r.code, Some(64), "{r:?}");
    assert!(
        r.stderr.contains("unknown command `frobnicate`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("USAGE:"), "the usage helps: {}", r.stderr);
    assert_eq!(r.stdout, "");

    // Controls: known commands succeed.
    let r = run(&["--version"], &project);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout,
        format!("session-orchestrator {}\n", env!("CARGO_PKG_VERSION"))
    );
    let r = run(&["help"], &project);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("USAGE:"));
}

#[test]
fn bad_check_arguments_exit_64() {
    let project = TempProject::new();
    for (args, says) in [
        (&["check"][..], "give a command"),
        (
            &["check", "--client", "vim", "ls"][..],
            "unknown client `vim`",
        ),
        (&["check", "--client"][..], "--client"),
        (&["check", "--cwd"][..], "--cwd"),
        (&["check", "--corpus"][..], "--corpus"),
    ] {
        let r = run(args, &project);
        assert_eq!(r.code, Some(64), "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// help
// ---------------------------------------------------------------------------------------

#[test]
fn a_subcommand_asked_for_help_prints_its_part_of_the_help() {
    let project = TempProject::new();
    let config = run(&["config", "--help"], &project);
    assert_eq!(config.code, Some(0), "{config:?}");
    assert!(
        config
            .stdout
            .contains("session-orchestrator config [--json]")
            && config
                .stdout
                .contains("config     Read the `## Session Config`"),
        "{}",
        config.stdout
    );
    assert!(!config.stdout.contains("wave-scope The wave manifest"));
    // A nested one, with the COMMON flags its usage refers to.
    let state = run(&["state", "show", "--help"], &project);
    assert_eq!(state.code, Some(0), "{state:?}");
    assert!(state.stdout.contains("session-orchestrator state init"));
    assert!(state.stdout.contains("COMMON:"), "{}", state.stdout);
    assert!(!state.stdout.contains("bootstrap  `--check`"));
    // Control: later words belong to the command being checked, not to us.
    let check = run(&["check", "git", "--help"], &project);
    assert_eq!(check.code, Some(0), "{check:?}");
    assert!(check.stdout.contains("git --help"), "{}", check.stdout);
    assert!(!check.stdout.contains("USAGE:"));
    // An unknown subcommand stays an error.
    assert_eq!(run(&["nope", "--help"], &project).code, Some(64));
}
