//! `session-orchestrator validate-plugin`: the repository itself passes, and small synthetic
//! plugin trees each break one rule and fail with a line naming it, beside a valid control.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;
use common::{CliRun, TempProject, run_cli};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

const HOOKS: &str = r#"{"hooks": {"PreToolUse": [{"matcher": "Bash|Edit", "hooks": [
  {"type": "command", "command": "exec \"${CLAUDE_PLUGIN_ROOT}/hooks/run\" guard", "timeout": 5}
]}]}}"#;

/// A valid synthetic plugin tree in an empty temp directory (no `.git`).
fn tree() -> TempProject {
    let t = TempProject::empty();
    t.write(
        ".claude-plugin/plugin.json",
        r#"{"name": "demo-plugin", "version": "1.2.3", "description": "A demo.",
            "author": {"name": "Someone"}, "license": "MIT", "hooks": "./hooks/hooks.json"}"#,
    );
    t.write("hooks/hooks.json", HOOKS);
    let run = t.write("hooks/run", "#!/bin/sh\nexit 0\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    t.write(
        "crates/so-hooks/Cargo.toml",
        "[package]\nname = \"so-hooks\"\n\n[[bin]]\nname = \"guard\"\npath = \"src/guard.rs\"\n",
    );
    t.write(
        "skills/demo-skill/SKILL.md",
        "---\nname: demo-skill\ndescription: Use when testing.\n---\nBody.\n",
    );
    t.write(
        "agents/helper.md",
        "---\nname: helper\ndescription: Helps.\ntools: Read, Grep\nmodel: inherit\ncolor: blue\n---\nBody.\n",
    );
    t.write("commands/go.md", "---\ndescription: Go.\n---\nBody.\n");
    t
}

impl TempProject {
    /// Replaces the tree's hooks file with one `event` handler running `command`.
    fn hooks(&self, command: &str, matcher: &str, event: &str) {
        let v = serde_json::json!({"hooks": {event: [{"matcher": matcher, "hooks": [
            {"type": "command", "command": command, "timeout": 5}
        ]}]}});
        self.write("hooks/hooks.json", &v.to_string());
    }
}

impl CliRun {
    /// The `FAIL: ` lines of the report.
    fn fails(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("FAIL: "))
            .collect()
    }
}

/// Runs `session-orchestrator validate-plugin DIR EXTRA`.
fn run(dir: &Path, extra: &[&str]) -> CliRun {
    let dir = dir.to_str().unwrap();
    let mut all = vec!["validate-plugin", dir];
    all.extend_from_slice(extra);
    run_cli(Path::new("."), &all, &[], "")
}

/// Runs `tree` and asserts it fails with exactly one FAIL line containing every `needle`.
fn assert_fails(tree: &TempProject, needles: &[&str]) {
    let r = run(tree.path(), &[]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let fails = r.fails();
    assert!(
        fails.iter().any(|l| needles.iter().all(|n| l.contains(n))),
        "no FAIL line naming {needles:?}:\n{}",
        r.stdout
    );
}

#[test]
fn repo_root_passes() {
    let r = run(Path::new(REPO), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    insta::assert_snapshot!("repo_root", r.stdout);
}

#[test]
fn control_tree_passes() {
    let t = tree();
    let r = run(t.path(), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    assert!(r.stdout.contains("`guard` resolves") || r.stdout.contains("guard` resolves"));
    let json = run(t.path(), &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["failed"], 0);
}

#[test]
fn bad_event_name_fails() {
    let t = tree();
    t.hooks(
        "exec \"${CLAUDE_PLUGIN_ROOT}/hooks/run\" guard",
        "Bash",
        "PreToolCall",
    );
    assert_fails(&t, &["`PreToolCall` is not a Claude Code hook event"]);
}

#[test]
fn unknown_tool_matcher_fails() {
    let t = tree();
    t.hooks(
        "exec \"${CLAUDE_PLUGIN_ROOT}/hooks/run\" guard",
        "Bash|Shell",
        "PreToolUse",
    );
    assert_fails(&t, &["unknown tool(s): Shell"]);
}

#[test]
fn hook_name_not_a_so_hooks_bin_fails() {
    let t = tree();
    t.hooks(
        "exec \"${CLAUDE_PLUGIN_ROOT}/hooks/run\" gaurd",
        "Bash",
        "PreToolUse",
    );
    assert_fails(
        &t,
        &["`gaurd` is not a [[bin]] of crates/so-hooks/Cargo.toml"],
    );
}

#[test]
fn a_fast_path_starting_another_binary_than_the_launcher_fails() {
    let t = tree();
    let shape = |direct: &str| {
        format!(
            "[ -x \"${{CLAUDE_PLUGIN_ROOT}}/target/release/{direct}\" ] && exec \"${{CLAUDE_PLUGIN_ROOT}}/target/release/{direct}\"; exec \"${{CLAUDE_PLUGIN_ROOT}}/hooks/run\" guard"
        )
    };
    // Control: the fast path and the launcher name the same binary.
    t.hooks(&shape("guard"), "Bash", "PreToolUse");
    let ok = run(t.path(), &[]);
    assert!(ok.fails().is_empty(), "{}", ok.stdout);
    t.hooks(&shape("noop-hook"), "Bash", "PreToolUse");
    assert_fails(
        &t,
        &["starts `noop-hook` directly but `guard` through hooks/run"],
    );
}

#[test]
fn missing_launcher_fails() {
    let t = tree();
    std::fs::remove_file(t.path().join("hooks/run")).unwrap();
    assert_fails(&t, &["hooks/run does not exist"]);
}

#[test]
fn unquoted_plugin_root_fails() {
    let t = tree();
    t.hooks(
        "exec ${CLAUDE_PLUGIN_ROOT}/hooks/run guard",
        "Bash",
        "PreToolUse",
    );
    assert_fails(&t, &["`${CLAUDE_PLUGIN_ROOT}` is not inside double quotes"]);
}

#[test]
fn skill_name_differing_from_folder_fails() {
    let t = tree();
    t.write(
        "skills/demo-skill/SKILL.md",
        "---\nname: other-skill\ndescription: Use when testing.\n---\nBody.\n",
    );
    assert_fails(
        &t,
        &[
            "skills/demo-skill/SKILL.md",
            "`other-skill` differs from its folder",
        ],
    );
}

#[test]
fn agent_frontmatter_follows_the_loaders_rules() {
    let agent = |meta: &str, body: &str| format!("---\nname: helper\n{meta}\n---\n{body}\n");
    let ok = "description: Helps.\ntools: Read, Grep\nmodel: inherit\ncolor: blue";
    for (meta, body, expect) in [
        (
            "description: >\n  Helps.\ntools: Read\nmodel: inherit\ncolor: blue",
            "Body.",
            "`description` is a block scalar",
        ),
        (
            "description: Helps.\ntools: Read\nmodel: gpt-5\ncolor: blue",
            "Body.",
            "model `gpt-5` is neither",
        ),
        (
            "description: Helps.\ntools: Read\ncolor: blue",
            "Body.",
            "`model` is missing",
        ),
        (
            "description: Helps.\ntools: Read\nmodel: inherit\ncolor: teal",
            "Body.",
            "color `teal` is not one of",
        ),
        (
            "description: Helps.\ntools: Read, Edit, Write\nmodel: inherit\ncolor: blue",
            "Implements things.",
            "lacks the subagent git rule",
        ),
        (
            "description: Helps.\ntools: Read, Edit\nmodel: inherit\ncolor: blue\nsandbox-tier: read-only",
            "Body.",
            "sandbox-tier `read-only` but the tools edit or write files",
        ),
    ] {
        let t = tree();
        t.write("agents/helper.md", &agent(meta, body));
        assert_fails(&t, &["agents/helper.md", expect]);
    }
    // Controls: a full model id, and a write-capable agent that carries the rule.
    let t = tree();
    t.write(
        "agents/helper.md",
        &agent(
            "description: Helps.\ntools: Read, Edit, Write\nmodel: claude-sonnet-4-5\ncolor: blue\nsandbox-tier: repo-write",
            "Never stage, commit or stash (PSA-007): no `git add`, `git commit`, `git stash`.",
        ),
    );
    let r = run(t.path(), &[]);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    // Two agents in one colour: a warning only.
    t.write(
        "agents/other.md",
        &agent(ok, "Body.").replace("name: helper", "name: other"),
    );
    let r = run(t.path(), &[]);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("WARN: agents: helper, other share the color blue"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_command_and_a_skill_sharing_a_name_fails() {
    let t = tree();
    // Control: the tree's command `go` and skill `demo-skill` differ.
    let r = run(t.path(), &[]);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    t.write(
        "commands/demo-skill.md",
        "---\ndescription: Demo.\n---\nBody.\n",
    );
    assert_fails(
        &t,
        &["commands/demo-skill.md and skills/demo-skill/SKILL.md share the name"],
    );
}

#[test]
fn output_style_without_a_name_fails() {
    let t = tree();
    t.write(
        "output-styles/brief.md",
        "---\nname: Brief\ndescription: Short answers.\n---\nBe brief.\n",
    );
    let r = run(t.path(), &[]);
    assert!(r.fails().is_empty(), "{}", r.stdout);
    t.write(
        "output-styles/brief.md",
        "---\ndescription: Short answers.\n---\nBe brief.\n",
    );
    assert_fails(&t, &["output-styles/brief.md", "`name` is missing"]);
}

#[test]
fn missing_plugin_json_fails() {
    let t = tree();
    std::fs::remove_file(t.path().join(".claude-plugin/plugin.json")).unwrap();
    assert_fails(&t, &[".claude-plugin/plugin.json: missing"]);
}

#[test]
fn unreadable_dir_exits_2_and_bad_arguments_64() {
    let missing = std::env::temp_dir().join("so-validate-plugin-does-not-exist");
    assert_eq!(run(&missing, &[]).code, Some(2));
    assert_eq!(run(Path::new(REPO), &["--bogus"]).code, Some(64));
}
