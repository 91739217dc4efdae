//! `session-orchestrator bootstrap --check | --tier`: the real binary on Rust, Node, Python,
//! Go and empty projects — the gate before and after, the detected gate commands, and that
//! nothing that exists is ever replaced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{CliRun, TempProject};

fn bootstrap(p: &TempProject, args: &[&str]) -> CliRun {
    let mut all = vec!["bootstrap"];
    all.extend_from_slice(args);
    p.cli(&all, &[], "")
}

fn check_json(p: &TempProject) -> (Option<i32>, Value) {
    let r = bootstrap(p, &["--check", "--json"]);
    (r.code, r.json())
}

/// Every file under the project (but `.git`) with its content.
fn tree(p: &TempProject) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if rel == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(p.path(), p.path(), &mut out);
    out
}

/// The value of `- **key:** value` in a Session Config text (the line's value part).
fn entry<'a>(text: &'a str, key: &str) -> &'a str {
    let prefix = format!("- **{key}:** ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{text}"))
}

/// Scaffolds with `--tier standard` and returns the config file's text.
fn scaffold(p: &TempProject, file: &str) -> String {
    let r = bootstrap(p, &["--tier", "standard"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("bootstrap gate: ready"), "{}", r.stdout);
    // The result is what `config --validate` accepts.
    let v = p.cli(&["config", "--validate"], &[], "");
    assert_eq!(v.code, Some(0), "{v:?}");
    p.read(file)
}

#[test]
fn an_empty_project_fails_the_gate_then_passes_after_the_scaffold() {
    let p = TempProject::new();
    let r = bootstrap(&p, &["--check"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(lines[1].starts_with("missing: no CLAUDE.md or AGENTS.md in the project root"));
    assert!(lines[1].ends_with("fix: session-orchestrator bootstrap --tier standard"));
    assert!(lines[2].starts_with("missing: no .orchestrator/bootstrap.lock"));
    let (code, j) = check_json(&p);
    assert_eq!(code, Some(1));
    assert_eq!(j["ready"], false);
    let items: Vec<&str> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["config-file", "bootstrap-lock"]);
    assert!(
        j["problems"][0]["fix"]
            .as_str()
            .unwrap()
            .starts_with("session-orchestrator bootstrap --tier")
    );

    let r = bootstrap(&p, &["--tier", "standard"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let files = tree(&p);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            ".claude/STATE.md",
            ".claude/rules/parallel-sessions.md",
            ".orchestrator/bootstrap.lock",
            ".orchestrator/state.lock",
            "CLAUDE.md"
        ]
    );
    let config = &files["CLAUDE.md"];
    for key in ["test-command", "typecheck-command", "lint-command"] {
        let v = entry(config, key);
        assert!(
            v.starts_with("skip  # none detected: replace `skip`"),
            "{key}: {v}"
        );
    }
    assert_eq!(entry(config, "waves"), "5");
    assert_eq!(entry(config, "agents-per-wave"), "4 (deep: 6)");
    let lock = &files[".orchestrator/bootstrap.lock"];
    assert!(
        lock.starts_with("version: 1\ntier: standard\ncreated_at: "),
        "{lock}"
    );
    let state = &files[".claude/STATE.md"];
    assert!(
        state.contains("\nsession-type: none\n") && state.contains("\nstatus: idle\n"),
        "{state}"
    );
    assert_eq!(
        files[".claude/rules/parallel-sessions.md"],
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/parallel-sessions.md")
        )
        .unwrap()
    );
    // The placeholder is a STATE.md `state` reads.
    assert_eq!(p.cli(&["state", "show"], &[], "").code, Some(0));

    let (code, j) = check_json(&p);
    assert_eq!((code, &j["ready"]), (Some(0), &Value::Bool(true)), "{j}");
    assert_eq!(j["problems"], serde_json::json!([]));
    let r = bootstrap(&p, &["--check"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(
        r.stdout,
        "bootstrap gate: ready — CLAUDE.md (Session Config at line 1), .orchestrator/bootstrap.lock (tier standard)\n"
    );
}

#[test]
fn a_rust_project_gets_cargo_commands() {
    let p = TempProject::new();
    p.write("Cargo.toml", "[package]\nname = \"x\"\n");
    p.write("CLAUDE.md", "# X\n\nAn existing project file.\n");
    let config = scaffold(&p, "CLAUDE.md");
    assert!(
        config.starts_with("# X\n\nAn existing project file.\n\n## Session Config\n"),
        "{config}"
    );
    assert_eq!(entry(&config, "test-command"), "cargo test");
    assert_eq!(entry(&config, "typecheck-command"), "cargo check");
    assert_eq!(
        entry(&config, "lint-command"),
        "cargo clippy -- -D warnings"
    );
}

#[test]
fn a_node_project_gets_its_npm_scripts() {
    let p = TempProject::new();
    p.write(
        "package.json",
        r#"{"name": "x", "scripts": {"test": "vitest run", "typecheck": "tsc --noEmit", "lint": "eslint ."}}"#,
    );
    let config = scaffold(&p, "CLAUDE.md");
    assert_eq!(entry(&config, "test-command"), "npm run test");
    assert_eq!(entry(&config, "typecheck-command"), "npm run typecheck");
    assert_eq!(entry(&config, "lint-command"), "npm run lint");
    // Control: scripts that are missing, or `npm init`'s failing test stub, become `skip`.
    let p = TempProject::new();
    p.write(
        "package.json",
        r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1", "type-check": "tsc"}}"#,
    );
    let config = scaffold(&p, "CLAUDE.md");
    assert!(entry(&config, "test-command").starts_with("skip  #"));
    assert_eq!(entry(&config, "typecheck-command"), "npm run type-check");
    assert!(entry(&config, "lint-command").starts_with("skip  #"));
}

#[test]
fn a_python_project_gets_pytest_and_the_configured_checkers() {
    let p = TempProject::new();
    p.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.mypy]\nstrict = true\n\n[tool.ruff.lint]\nselect = [\"E\"]\n",
    );
    let config = scaffold(&p, "CLAUDE.md");
    assert_eq!(entry(&config, "test-command"), "pytest");
    assert_eq!(entry(&config, "typecheck-command"), "mypy .");
    assert_eq!(entry(&config, "lint-command"), "ruff check .");
    // Control: without their configuration, mypy and ruff are not assumed.
    let p = TempProject::new();
    p.write("pyproject.toml", "[project]\nname = \"x\"\n");
    let config = scaffold(&p, "CLAUDE.md");
    assert_eq!(entry(&config, "test-command"), "pytest");
    assert!(entry(&config, "typecheck-command").starts_with("skip  #"));
    assert!(entry(&config, "lint-command").starts_with("skip  #"));
}

#[test]
fn a_go_project_gets_go_commands() {
    let p = TempProject::new();
    p.write("go.mod", "module example.com/x\n\ngo 1.22\n");
    let config = scaffold(&p, "CLAUDE.md");
    assert_eq!(entry(&config, "test-command"), "go test ./...");
    assert_eq!(entry(&config, "typecheck-command"), "go build ./...");
    assert_eq!(entry(&config, "lint-command"), "go vet ./...");
}

#[test]
fn tiers_set_the_wave_sizes() {
    for (tier, waves, agents) in [("fast", "3", "2"), ("deep", "5", "6 (deep: 10)")] {
        let p = TempProject::new();
        let r = bootstrap(&p, &["--tier", tier]);
        assert_eq!(r.code, Some(0), "{r:?}");
        let config = p.read("CLAUDE.md");
        assert_eq!(entry(&config, "waves"), waves);
        assert_eq!(entry(&config, "agents-per-wave"), agents);
        assert!(
            p.read(".orchestrator/bootstrap.lock")
                .contains(&format!("tier: {tier}\n"))
        );
    }
}

#[test]
fn nothing_that_exists_is_replaced() {
    let p = TempProject::new();
    p.write("Cargo.toml", "[package]\n");
    let config = "# Mine\n\n## Session Config\n\n- **test-command:** make test\n- **typecheck-command:** skip\n- **lint-command:** skip\n";
    p.write("CLAUDE.md", config);
    p.write(".orchestrator/bootstrap.lock", "version: 1\ntier: deep\n");
    p.write(".claude/rules/parallel-sessions.md", "my own rules\n");
    p.write(".claude/STATE.md", "not even a STATE.md\n");
    let before = tree(&p);
    let r = bootstrap(&p, &["--tier", "fast"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    for line in [
        "left alone CLAUDE.md: already has a Session Config section (line 3)",
        "left alone .orchestrator/bootstrap.lock: exists with tier deep; --tier fast is not recorded",
        "left alone .claude/rules/parallel-sessions.md: exists and differs from the plugin's copy: left as it is",
        "left alone .claude/STATE.md: exists",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("created"), "{}", r.stdout);
    let mut after = tree(&p);
    after.remove(".orchestrator/state.lock");
    assert_eq!(after, before, "every file is byte for byte as it was");
    // An AGENTS.md Session Config counts too, whatever the client.
    let p = TempProject::new();
    p.write("AGENTS.md", config);
    let r = bootstrap(&p, &["--tier", "standard", "--client", "claude"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!p.path().join("CLAUDE.md").exists());
    assert_eq!(p.read("AGENTS.md"), config);
}

#[test]
fn codex_and_cursor_write_agents_md_unless_claude_md_exists() {
    for client in ["codex", "cursor"] {
        let p = TempProject::new();
        let r = bootstrap(&p, &["--tier", "standard", "--client", client]);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert!(p.path().join("AGENTS.md").is_file());
        assert!(!p.path().join("CLAUDE.md").exists());
        // Cursor reads only `.mdc` rules, and `alwaysApply` makes one apply everywhere.
        let rules = if client == "cursor" {
            let text = p.read(".cursor/rules/parallel-sessions.mdc");
            assert!(text.contains("\nalwaysApply: true\n---\n"), "{text}");
            text
        } else {
            p.read(".codex/rules/parallel-sessions.md")
        };
        assert!(rules.contains("PSA-007"));
        assert!(p.path().join(format!(".{client}/STATE.md")).is_file());
    }
    // Whichever exists: a CLAUDE.md without a section gets it, even for codex.
    let p = TempProject::new();
    p.write("CLAUDE.md", "# Shared\n");
    let r = bootstrap(&p, &["--tier", "standard", "--client", "codex"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(p.read("CLAUDE.md").contains("\n## Session Config\n"));
    assert!(!p.path().join("AGENTS.md").exists());
}

#[test]
fn dry_run_writes_nothing() {
    let p = TempProject::new();
    p.write("Cargo.toml", "[package]\n");
    let before = tree(&p);
    let r = bootstrap(&p, &["--tier", "deep", "--dry-run"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(tree(&p), before);
    assert!(r.stdout.contains("would create CLAUDE.md"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("- **lint-command:** cargo clippy -- -D warnings"),
        "{}",
        r.stdout
    );
    // Control: without --dry-run it writes.
    assert_eq!(bootstrap(&p, &["--tier", "deep"]).code, Some(0));
    assert_ne!(tree(&p), before);
}

#[test]
fn the_gate_names_each_problem_and_its_fix() {
    let p = TempProject::new();
    p.write("CLAUDE.md", "  \n");
    p.write(".orchestrator/bootstrap.lock", "version: 1\n");
    let (code, j) = check_json(&p);
    assert_eq!(code, Some(1));
    let messages: Vec<&str> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "CLAUDE.md is empty",
            ".orchestrator/bootstrap.lock has no `tier` (fast, standard or deep)"
        ]
    );

    p.write("CLAUDE.md", "# X\n\nNo config here.\n");
    p.write(".orchestrator/bootstrap.lock", "tier: [");
    let (_, j) = check_json(&p);
    assert_eq!(
        j["problems"][0]["message"],
        "CLAUDE.md has no `## Session Config` section"
    );
    assert!(
        j["problems"][1]["message"]
            .as_str()
            .unwrap()
            .contains("is not YAML")
    );
    assert_eq!(
        j["problems"][1]["fix"],
        "printf 'version: 1\\ntier: standard\\n' > .orchestrator/bootstrap.lock"
    );

    p.write(
        "CLAUDE.md",
        "# X\n\n## Session Config\n\n- **persistence:** maybe\n",
    );
    p.write(".orchestrator/bootstrap.lock", "version: 1\ntier: huge\n");
    let r = bootstrap(&p, &["--check"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("missing: CLAUDE.md:5:"), "{}", r.stdout);
    assert!(r.stdout.contains("tier: huge"), "{}", r.stdout);
    // A config error is not papered over by --tier: it leaves the file alone and reports.
    let r = bootstrap(&p, &["--tier", "standard"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("left alone CLAUDE.md"), "{}", r.stdout);
    assert!(
        r.stdout.contains("bootstrap gate: not ready"),
        "{}",
        r.stdout
    );

    // Control: a valid config and lock pass, with --project from elsewhere.
    p.write(
        "CLAUDE.md",
        "# X\n\n## Session Config\n\n- **persistence:** true\n",
    );
    p.write(".orchestrator/bootstrap.lock", "version: 1\ntier: fast\n");
    let elsewhere = TempProject::new();
    let dir = p.path().to_str().unwrap();
    let r = elsewhere.cli(&["bootstrap", "--check", "--project", dir], &[], "");
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn bad_arguments_exit_64() {
    let p = TempProject::new();
    for args in [
        vec![],
        vec!["--check", "--tier", "fast"],
        vec!["--check", "--dry-run"],
        vec!["--check", "--client", "codex"],
        vec!["--tier", "fast", "--json"],
        vec!["--tier"],
        vec!["--tier", "fast", "--client", "vim"],
        vec!["--bogus"],
    ] {
        let r = bootstrap(&p, &args);
        assert_eq!(r.code, Some(64), "{args:?}: {r:?}");
    }
    assert_eq!(bootstrap(&p, &["--tier", "huge"]).code, Some(1));
    assert_eq!(
        bootstrap(&p, &["--check", "--project", "/nonexistent/p"]).code,
        Some(2)
    );
    assert_eq!(tree(&p), BTreeMap::new(), "nothing was written");
}
