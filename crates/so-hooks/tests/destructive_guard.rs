//! The real `destructive-guard` binary, spawned on real captured payloads (Claude Code,
//! Codex) and on payloads built from the reference (Cursor, C.3/C.4): what each client
//! gets on stdout, with which exit code, for destructive, harmless, unanalysable and
//! hostile input, and how the project's Session Config and policy overlay change it.
//!
//! Every spawn gets its own project directory under the system temp dir (with a `.git`
//! directory so it is a project root) and `HOME` set to a fixed path outside any temp
//! root, so `~/...` always classifies as user data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Map, Value, json};

mod common;
use common::{
    FAKE_HOME, HookRun, TempProject, assert_codex_pre_tool_use_schema, assert_cursor_keys, capture,
    cursor_pre_tool_shell, cursor_shell, fixtures_dir, one_json_object, run_hook, section,
    try_capture,
};

const BIN: &str = env!("CARGO_BIN_EXE_destructive-guard");

/// Destructive commands and the rule each must be denied by.
const DESTRUCTIVE: &[(&str, &str)] = &[
    ("git reset --hard", "git:reset-hard"),
    ("rm -rf ~/important", "fs:rm-root-home"),
];

/// The allow control.
const HARMLESS: &str = "git status";

/// The Session Config line that turns the guard to warn-only.
const WARN_ONLY_CONFIG: &str = "## Session Config\n\n- **allow-destructive-ops:** true\n";

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

impl HookRun {
    /// Exit 0 and nothing on stdout: "no opinion".
    fn assert_allow(&self, what: &str) {
        self.assert_silent(what);
    }
}

/// Spawns the guard with `stdin` and `cwd` as its working directory.
fn run_bytes(stdin: &[u8], cwd: &Path) -> HookRun {
    run_hook(BIN, cwd, &[("HOME", FAKE_HOME)], stdin)
}

fn run(payload: &Value, project: &TempProject) -> HookRun {
    run_bytes(&serde_json::to_vec(payload).unwrap(), project.path())
}

/// A captured shell payload with its command replaced.
fn shell_payload(name: &str, command: &str, project: &TempProject) -> Value {
    let mut payload = capture(name, project);
    assert!(
        payload["tool_input"]["command"].is_string(),
        "{name} is not a shell call"
    );
    payload["tool_input"]["command"] = json!(command);
    payload
}

/// Captured payloads whose file name starts with `prefix` and ends with `suffix`, sorted.
fn fixture_names(prefix: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .collect();
    names.sort();
    names
}

/// Every real `PreToolUse` capture of a shell call by one client (file names
/// `{prefix}.*.{tool}.PreToolUse.json`, plus its plugin capture): at least `at_least`.
fn shell_fixtures(client: &str, prefix: &str, tool: &str, at_least: usize) -> Vec<String> {
    let mut names = fixture_names(&format!("{prefix}."), &format!(".{tool}.PreToolUse.json"));
    names.push(format!("{prefix}.plugin.plugin-PreToolUse.json"));
    assert!(
        names.len() >= at_least,
        "expected the {client} captures, found {names:?}"
    );
    names
}

/// Every real Claude Code `PreToolUse` payload of a `Bash` call.
fn claude_bash_fixtures() -> Vec<String> {
    shell_fixtures("Claude", "cc", "bash", 5)
}

/// Every real Codex `PreToolUse` payload of a shell call.
fn codex_bash_fixtures() -> Vec<String> {
    shell_fixtures("Codex", "codex", "shell", 3)
}

/// A Claude `PreToolUse` Bash payload in a given permission mode.
fn claude_payload(command: &str, mode: &str, project: &TempProject) -> Value {
    let mut p = shell_payload("cc.defaultperm.bash.PreToolUse.json", command, project);
    p["permission_mode"] = json!(mode);
    p
}

fn codex_payload(command: &str, project: &TempProject) -> Value {
    shell_payload("codex.deny.shell.PreToolUse.json", command, project)
}

/// Builds a payload for a command in a project.
type PayloadFn = fn(&str, &TempProject) -> Value;

/// Cursor `beforeShellExecution`, in the argument order of [`PayloadFn`].
fn cursor_shell_payload(command: &str, project: &TempProject) -> Value {
    cursor_shell(project, command)
}

/// Cursor `preToolUse` of the `Shell` tool, in the argument order of [`PayloadFn`].
fn cursor_pre_tool_payload(command: &str, project: &TempProject) -> Value {
    cursor_pre_tool_shell(project, command)
}

/// `hookSpecificOutput` of a Claude/Codex `PreToolUse` answer.
fn specific<'a>(obj: &'a Map<String, Value>, what: &str) -> &'a Map<String, Value> {
    let s = obj
        .get("hookSpecificOutput")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{what}: no hookSpecificOutput in {obj:?}"));
    assert_eq!(s["hookEventName"], "PreToolUse", "{what}");
    s
}

/// Asserts a Claude/Codex deny and returns its reason.
fn assert_pascal_deny(run: &HookRun, what: &str) -> String {
    let obj = run.json(what);
    let s = specific(&obj, what);
    assert_eq!(s["permissionDecision"], "deny", "{what}: {obj:?}");
    let reason = s["permissionDecisionReason"].as_str().unwrap().to_owned();
    assert!(!reason.trim().is_empty(), "{what}: empty reason");
    reason
}

/// Asserts a Claude ask and returns its reason.
fn assert_pascal_ask(run: &HookRun, what: &str) -> String {
    let obj = run.json(what);
    let s = specific(&obj, what);
    assert_eq!(s["permissionDecision"], "ask", "{what}: {obj:?}");
    s["permissionDecisionReason"].as_str().unwrap().to_owned()
}

/// The one invariant for hostile input: a defined answer that never lets the action
/// through. Exit 2 with the reason on stderr (undecodable payload), or exit 0 with one JSON
/// object that denies or asks, in any client's dialect.
fn assert_blocks(run: &HookRun, what: &str) {
    if let Err(e) = check_blocks(run) {
        panic!("{what}: {e}");
    }
}

/// [`assert_blocks`] as a result, for tests that report every failing case at once.
fn check_blocks(run: &HookRun) -> Result<(), String> {
    match run.code {
        Some(2) if run.stdout.is_empty() && !run.stderr.trim().is_empty() => Ok(()),
        Some(2) => Err(format!(
            "exit 2 needs empty stdout and a reason on stderr (Codex ignores an empty one): \
             {run:?}"
        )),
        Some(0) => {
            if run.stdout.is_empty() {
                return Err(format!(
                    "exit 0 with empty stdout is an ALLOW; stderr: {}",
                    run.stderr
                ));
            }
            let obj = one_json_object(&run.stdout).unwrap_or_default();
            let decision = obj
                .get("hookSpecificOutput")
                .and_then(|s| s.get("permissionDecision"))
                .or_else(|| obj.get("permission"))
                .and_then(Value::as_str);
            if matches!(decision, Some("deny" | "ask")) {
                Ok(())
            } else {
                Err(format!("the answer neither denies nor asks: {obj:?}"))
            }
        }
        other => Err(format!(
            "exit {other:?} is a crash (clients fail open on it); stderr: {}",
            run.stderr.trim()
        )),
    }
}

/// Runs each command as a Claude `default`-mode call and fails listing every command that
/// was not blocked.
fn assert_all_block(commands: &[(&str, String)], project: &TempProject) {
    let failures: Vec<String> = commands
        .iter()
        .filter_map(|(label, command)| {
            let r = run(&claude_payload(command, "default", project), project);
            check_blocks(&r).err().map(|e| format!("{label}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "not blocked:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Claude Code and Codex: real PreToolUse captures
// ---------------------------------------------------------------------------------------

/// Runs every capture with each destructive command and the harmless one; checks the
/// verdicts, that all captures of one client get byte-identical answers, and returns the
/// snapshot text.
fn pascal_client(client: &str, fixtures: &[String], codex: bool) -> String {
    let project = TempProject::new();
    let mut snapshot = format!("client: {client}\nfixtures: {}\n\n", fixtures.join(", "));
    for (command, rule) in DESTRUCTIVE {
        let mut first: Option<HookRun> = None;
        for name in fixtures {
            let what = format!("{name} `{command}`");
            let r = run(&shell_payload(name, command, &project), &project);
            let reason = assert_pascal_deny(&r, &what);
            assert!(
                reason.contains(&format!("[{rule}]")),
                "{what}: the reason must name rule {rule}: {reason}"
            );
            assert_eq!(r.stderr, "", "{what}: nothing on stderr");
            let obj = r.json(&what);
            if codex {
                assert_codex_pre_tool_use_schema(&obj, &what);
            }
            match &first {
                None => first = Some(r),
                Some(f) => assert_eq!(
                    f.stdout, r.stdout,
                    "{what}: every {client} capture must get the same answer"
                ),
            }
        }
        snapshot.push_str(&section(command, first.as_ref().unwrap(), &project));
    }
    let mut control = None;
    for name in fixtures {
        let r = run(&shell_payload(name, HARMLESS, &project), &project);
        r.assert_allow(&format!("{name} `{HARMLESS}`"));
        control = Some(r);
    }
    snapshot.push_str(&section(HARMLESS, control.as_ref().unwrap(), &project));
    snapshot
}

#[test]
fn claude_captures_deny_destructive_and_allow_harmless() {
    let snapshot = pascal_client("claude", &claude_bash_fixtures(), false);
    insta::assert_snapshot!("claude_pre_tool_use", snapshot);
}

#[test]
fn codex_captures_deny_destructive_and_allow_harmless() {
    let snapshot = pascal_client("codex", &codex_bash_fixtures(), true);
    insta::assert_snapshot!("codex_pre_tool_use", snapshot);
}

#[test]
fn claude_permission_request_denies_destructive() {
    let project = TempProject::new();
    let name = "cc.defaultperm.bash.PermissionRequest.json";
    let r = run(
        &shell_payload(name, "rm -rf ~/important", &project),
        &project,
    );
    let obj = r.json(name);
    let s = obj["hookSpecificOutput"].as_object().unwrap();
    assert_eq!(s["hookEventName"], "PermissionRequest");
    assert_eq!(s["decision"]["behavior"], "deny", "{obj:?}");
    assert!(
        s["decision"]["message"]
            .as_str()
            .unwrap()
            .contains("[fs:rm-root-home]")
    );

    run(&shell_payload(name, HARMLESS, &project), &project).assert_allow(name);
}

// ---------------------------------------------------------------------------------------
// Cursor: payloads built from the reference
// ---------------------------------------------------------------------------------------

#[test]
fn cursor_denies_destructive_and_allows_harmless() {
    let project = TempProject::new();
    let mut snapshot = String::new();
    let events: [(&str, PayloadFn); 2] = [
        ("beforeShellExecution", cursor_shell_payload),
        ("preToolUse Shell", cursor_pre_tool_payload),
    ];
    for (event, build) in events {
        for (command, rule) in DESTRUCTIVE {
            let what = format!("cursor {event} `{command}`");
            let r = run(&build(command, &project), &project);
            let obj = r.json(&what);
            assert_cursor_keys(&obj, &what);
            assert_eq!(obj["permission"], "deny", "{what}: {obj:?}");
            let agent = obj["agent_message"].as_str().unwrap();
            assert!(agent.contains(&format!("[{rule}]")), "{what}: {agent}");
            assert!(
                obj["user_message"].as_str().is_some_and(|m| !m.is_empty()),
                "{what}: the human must see why"
            );
            snapshot.push_str(&section(&format!("{event}: {command}"), &r, &project));
        }
        let r = run(&build(HARMLESS, &project), &project);
        r.assert_allow(&format!("cursor {event} `{HARMLESS}`"));
        snapshot.push_str(&section(&format!("{event}: {HARMLESS}"), &r, &project));
    }
    insta::assert_snapshot!("cursor_shell", snapshot);
}

/// Cursor may send no `cwd`: the project is then found from `workspace_roots`, which the
/// Session Config in it proves (warn-only instead of deny).
#[test]
fn cursor_without_cwd_uses_the_workspace_root() {
    let project = TempProject::new();
    project.write("CLAUDE.md", WARN_ONLY_CONFIG);
    let mut payload = cursor_shell_payload("git reset --hard", &project);
    payload.as_object_mut().unwrap().remove("cwd");
    // The process itself runs elsewhere, so only workspace_roots can lead to the project.
    let elsewhere = TempProject::new();
    let r = run_bytes(&serde_json::to_vec(&payload).unwrap(), elsewhere.path());
    let obj = r.json("cursor without cwd");
    assert_eq!(obj["permission"], "allow", "{obj:?}");
    assert!(
        obj["user_message"]
            .as_str()
            .unwrap()
            .contains("git:reset-hard")
    );

    // Control: the same payload pointing at a project without the config is denied.
    let mut payload = cursor_shell_payload("git reset --hard", &elsewhere);
    payload.as_object_mut().unwrap().remove("cwd");
    let r = run_bytes(&serde_json::to_vec(&payload).unwrap(), project.path());
    assert_eq!(r.json("cursor without cwd, armed")["permission"], "deny");
}

// ---------------------------------------------------------------------------------------
// Commands the guard cannot analyse
// ---------------------------------------------------------------------------------------

fn unanalysable() -> Vec<(&'static str, String)> {
    vec![
        (
            "300 KiB command",
            format!("echo {}", "a".repeat(300 * 1024)),
        ),
        (
            "5000 nested $(",
            format!("{}rm -rf ~{}", "$(".repeat(5000), ")".repeat(5000)),
        ),
    ]
}

#[test]
fn unanalysable_asks_claude_and_denies_where_nobody_can_be_asked() {
    let project = TempProject::new();
    let mut snapshot = String::new();
    for (label, command) in unanalysable() {
        let r = run(&claude_payload(&command, "default", &project), &project);
        let reason = assert_pascal_ask(&r, &format!("claude default, {label}"));
        assert!(reason.contains("could not analyse"), "{label}: {reason}");
        snapshot.push_str(&section(&format!("claude default: {label}"), &r, &project));

        for mode in ["bypassPermissions", "dontAsk"] {
            let r = run(&claude_payload(&command, mode, &project), &project);
            let reason = assert_pascal_deny(&r, &format!("claude {mode}, {label}"));
            assert!(reason.contains("could not analyse"), "{label}: {reason}");
            if mode == "bypassPermissions" {
                snapshot.push_str(&section(&format!("claude {mode}: {label}"), &r, &project));
            }
        }

        let r = run(&codex_payload(&command, &project), &project);
        let what = format!("codex, {label}");
        assert_pascal_deny(&r, &what);
        assert_codex_pre_tool_use_schema(&r.json(&what), &what);
        snapshot.push_str(&section(&format!("codex: {label}"), &r, &project));

        // Cursor enforces `ask` on beforeShellExecution but not on preToolUse.
        let r = run(&cursor_shell_payload(&command, &project), &project);
        assert_eq!(r.json(label)["permission"], "ask", "cursor shell, {label}");
        let r = run(&cursor_pre_tool_payload(&command, &project), &project);
        assert_eq!(
            r.json(label)["permission"],
            "deny",
            "cursor preToolUse, {label}"
        );
    }
    // Allow control: a short harmless command in the same payloads.
    for mode in ["default", "bypassPermissions"] {
        run(&claude_payload(HARMLESS, mode, &project), &project).assert_allow(mode);
    }
    run(&codex_payload(HARMLESS, &project), &project).assert_allow("codex");
    run(&cursor_shell_payload(HARMLESS, &project), &project).assert_allow("cursor");
    insta::assert_snapshot!("unanalysable", snapshot);
}

// ---------------------------------------------------------------------------------------
// Hostile input: a defined answer, never a crash, never an allow of the dangerous part
// ---------------------------------------------------------------------------------------

#[test]
fn undecodable_payloads_block_with_exit_2() {
    let project = TempProject::new();
    let valid = serde_json::to_vec(&claude_payload("rm -rf ~", "default", &project)).unwrap();
    let mut invalid_utf8 = valid.clone();
    // Put raw 0xFF bytes inside the command string.
    let at = invalid_utf8
        .windows(8)
        .position(|w| w == b"rm -rf ~")
        .unwrap();
    invalid_utf8.splice(at..at, [0xFF, 0xFE]);
    let ten_mib = serde_json::to_vec(&claude_payload(
        &format!("rm -rf ~; echo {}", "a".repeat(10 * 1024 * 1024)),
        "default",
        &project,
    ))
    .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty stdin", Vec::new(), "empty"),
        ("whitespace stdin", b" \n\t\n".to_vec(), "empty"),
        (
            "malformed JSON",
            br#"{"hook_event_name": "PreToolUse", "tool_name": "Bash",}"#.to_vec(),
            "not valid JSON",
        ),
        (
            "truncated JSON",
            valid[..valid.len() / 2].to_vec(),
            "not valid JSON",
        ),
        ("invalid UTF-8", invalid_utf8, "UTF-8"),
        ("JSON array", b"[1, 2]".to_vec(), "not an object"),
        (
            "no event name",
            br#"{"tool_name": "Bash"}"#.to_vec(),
            "hook_event_name",
        ),
        ("10 MiB command", ten_mib, "larger than"),
    ];
    for (label, bytes, says) in cases {
        let r = run_bytes(&bytes, project.path());
        assert_eq!(r.code, Some(2), "{label}: {r:?}");
        assert_blocks(&r, label);
        assert!(
            r.stderr.contains(says),
            "{label}: stderr must say `{says}`: {}",
            r.stderr
        );
        assert!(r.stderr.contains("blocked"), "{label}: {}", r.stderr);
    }
    // Control: the intact payload decodes and gets a real verdict (a JSON deny, exit 0).
    let r = run_bytes(&valid, project.path());
    assert!(assert_pascal_deny(&r, "intact payload").contains("[fs:rm-root-home]"));
}

/// Commands built to break the analysis: each must still block in every dialect.
fn hostile_commands() -> Vec<(&'static str, String)> {
    let n = 5000;
    vec![
        (
            "5000 nested $( around rm -rf ~",
            format!("{}rm -rf ~{}", "$(".repeat(n), ")".repeat(n)),
        ),
        (
            "5000 nested ( around rm -rf ~",
            format!("{}rm -rf ~{}", "(".repeat(n), ")".repeat(n)),
        ),
        (
            "5000 nested ( with spaces around rm -rf ~",
            format!("{}rm -rf ~{}", "( ".repeat(n), " )".repeat(n)),
        ),
        (
            "5000 nested { around rm -rf ~",
            format!("{}rm -rf ~; {}", "{ ".repeat(n), "}; ".repeat(n)),
        ),
        (
            "5000 nested $( inside double quotes",
            format!("echo \"{}rm -rf ~{}\"", "$(".repeat(n), ")".repeat(n)),
        ),
        (
            // Under the 8 MiB payload cap, over the analysis limit: the guard itself
            // must refuse, not the payload reader.
            "7 MiB command",
            format!("rm -rf ~; echo {}", "a".repeat(7 * 1024 * 1024)),
        ),
        (
            "unterminated quote after a destructive line",
            "rm -rf ~/x\necho \"oops".to_owned(),
        ),
    ]
}

#[test]
fn hostile_commands_block_in_every_dialect() {
    let project = TempProject::new();
    for (label, command) in hostile_commands() {
        let payloads = [
            (
                "claude default",
                claude_payload(&command, "default", &project),
            ),
            (
                "claude bypass",
                claude_payload(&command, "bypassPermissions", &project),
            ),
            ("codex", codex_payload(&command, &project)),
            ("cursor shell", cursor_shell_payload(&command, &project)),
            (
                "cursor preToolUse",
                cursor_pre_tool_payload(&command, &project),
            ),
        ];
        for (client, payload) in payloads {
            let what = format!("{client}: {label}");
            let r = run(&payload, &project);
            assert_blocks(&r, &what);
            if client == "codex" {
                assert_codex_pre_tool_use_schema(&r.json(&what), &what);
            }
        }
    }
}

#[test]
fn unterminated_quote_denies_the_complete_destructive_line_and_allows_alone() {
    let project = TempProject::new();
    // Bash runs `rm -rf ~/x` before it reaches the broken quote: a deny, not an ask.
    for mode in ["default", "bypassPermissions"] {
        let r = run(
            &claude_payload("rm -rf ~/x\necho \"oops", mode, &project),
            &project,
        );
        let reason = assert_pascal_deny(&r, mode);
        assert!(reason.contains("[fs:rm-root-home]"), "{reason}");
    }
    let r = run(
        &codex_payload("rm -rf ~/x\necho \"oops", &project),
        &project,
    );
    assert!(assert_pascal_deny(&r, "codex").contains("[fs:rm-root-home]"));
    let r = run(
        &cursor_shell_payload("rm -rf ~/x\necho \"oops", &project),
        &project,
    );
    assert_eq!(r.json("cursor")["permission"], "deny");

    // Allow control: the broken quote alone harms nothing.
    run(
        &claude_payload("echo \"oops", "default", &project),
        &project,
    )
    .assert_allow("claude");
    run(&codex_payload("echo \"oops", &project), &project).assert_allow("codex");
    run(&cursor_shell_payload("echo \"oops", &project), &project).assert_allow("cursor");
}

#[test]
fn subshells_and_groups_around_destructive_command_deny() {
    let project = TempProject::new();
    let cases = [
        "( rm -rf ~ )",
        "(rm -rf ~)",
        "(echo a; (rm -rf ~))",
        "( ( rm -rf ~ ) | cat )",
        "$( ( rm -rf ~ ) )",
        "{ { rm -rf ~; }; }",
    ];
    for command in cases {
        let r = run(&claude_payload(command, "default", &project), &project);
        assert!(
            assert_pascal_deny(&r, command).contains("[fs:rm-root-home]"),
            "{command}"
        );
    }
    for n in [2, 10, 40, 64] {
        let command = format!("{}rm -rf ~; {}", "{ ".repeat(n), "}; ".repeat(n));
        let r = run(&claude_payload(&command, "default", &project), &project);
        assert!(assert_pascal_deny(&r, &format!("{n} groups")).contains("[fs:rm-root-home]"));
    }
    // Allow controls: the same shapes around a harmless command; `((...))` without a
    // space is bash arithmetic, which runs nothing.
    for command in ["( git status )", "{ { git status; }; }", "((rm -rf ~))"] {
        run(&claude_payload(command, "default", &project), &project).assert_allow(command);
    }
}

/// Bash reads `( (` with a space as two nested subshells and runs the inner command
/// (`bash -c '( ( echo inner ) )'` prints `inner`); only an adjacent `((` is arithmetic.
#[test]
fn nested_subshells_with_a_space_deny() {
    let project = TempProject::new();
    let deep = format!("{}rm -rf ~{}", "( ".repeat(40), " )".repeat(40));
    let cases: Vec<(&str, String)> = [
        "( ( rm -rf ~ ) )",
        "( (rm -rf ~) )",
        "( ( git reset --hard ) )",
        "time ( ( rm -rf ~ ) )",
        "if ( ( rm -rf ~ ) ); then :; fi",
        deep.as_str(),
    ]
    .into_iter()
    .map(|c| (c, c.to_owned()))
    .collect();
    assert_all_block(&cases, &project);
}

/// `select` is a bash loop; with input on stdin its body runs.
#[test]
fn select_loop_body_is_judged() {
    let project = TempProject::new();
    let cases: Vec<(&str, String)> = [
        "select x in a; do git reset --hard; break; done <<< 1",
        "echo 1 | (select x in a; do rm -rf ~; break; done)",
    ]
    .into_iter()
    .map(|c| (c, c.to_owned()))
    .collect();
    assert_all_block(&cases, &project);
}

#[test]
fn loop_bodies_are_judged() {
    let project = TempProject::new();
    for command in [
        "while read x; do git reset --hard; done <<< 1",
        "for x in 1; do git reset --hard; done",
        "until false; do git reset --hard; break; done",
        "if true; then git reset --hard; fi",
    ] {
        let r = run(&claude_payload(command, "default", &project), &project);
        assert!(
            assert_pascal_deny(&r, command).contains("[git:reset-hard]"),
            "{command}"
        );
    }
    // Allow control.
    let command = "for x in 1; do git status; done";
    run(&claude_payload(command, "default", &project), &project).assert_allow(command);
}

/// Compound commands nest through keywords (`if … then … fi`, `while … do … done`,
/// `case … esac`), which the nesting pre-check does not count: a deep enough nest that
/// still fits the 256 KiB analysis limit overflows the parser's stack and the hook aborts
/// (SIGABRT, exit 134), which every client treats as a failed hook and runs the command.
#[test]
fn nested_compound_keywords_do_not_crash() {
    let project = TempProject::new();
    let cases = [
        (
            "15000 nested if",
            format!(
                "{}rm -rf ~;{}",
                "if :; then ".repeat(15_000),
                " fi;".repeat(15_000)
            ),
        ),
        (
            "12000 nested while",
            format!(
                "{}rm -rf ~;{}",
                "while :; do ".repeat(12_000),
                " done;".repeat(12_000)
            ),
        ),
        (
            "11000 nested for",
            format!(
                "{}rm -rf ~;{}",
                "for x in 1; do ".repeat(11_000),
                " done;".repeat(11_000)
            ),
        ),
        (
            "11000 nested case",
            format!(
                "{}rm -rf ~{}",
                "case x in x) ".repeat(11_000),
                " ;; esac".repeat(11_000)
            ),
        ),
    ];
    for (label, command) in &cases {
        assert!(
            command.len() < 256 * 1024,
            "{label} must fit the analysis limit"
        );
    }
    assert_all_block(&cases, &project);
}

#[test]
fn nested_compound_keywords_below_the_crash_depth_deny() {
    let project = TempProject::new();
    // Within the nesting limit the command is analysed: the rule names itself.
    let command = format!("{}rm -rf ~;{}", "if :; then ".repeat(30), " fi;".repeat(30));
    let r = run(&claude_payload(&command, "default", &project), &project);
    assert!(assert_pascal_deny(&r, "30 nested if").contains("[fs:rm-root-home]"));
    // Allow control at the same depth.
    let command = format!(
        "{}git status;{}",
        "if :; then ".repeat(30),
        " fi;".repeat(30)
    );
    run(&claude_payload(&command, "default", &project), &project).assert_allow("nested if");
    // Beyond the limit nothing is parsed, and nothing is allowed either.
    let command = format!(
        "{}git status;{}",
        "if :; then ".repeat(1000),
        " fi;".repeat(1000)
    );
    let r = run(&claude_payload(&command, "default", &project), &project);
    assert!(
        !r.stdout.is_empty(),
        "1000 nested ifs must not be allowed unanalysed"
    );
}

// ---------------------------------------------------------------------------------------
// Session Config
// ---------------------------------------------------------------------------------------

#[test]
fn allow_destructive_ops_turns_deny_into_a_warning() {
    let warn = TempProject::new();
    warn.write("CLAUDE.md", WARN_ONLY_CONFIG);
    let armed = TempProject::new();
    armed.write("CLAUDE.md", "## Session Config\n\n");

    let r = run(&claude_payload("git reset --hard", "default", &warn), &warn);
    let obj = r.json("warn-only claude");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["systemMessage"], "{obj:?}");
    let message = obj["systemMessage"].as_str().unwrap();
    assert!(message.contains("[git:reset-hard]"), "{message}");
    assert!(message.contains("allow-destructive-ops"), "{message}");
    let mut snapshot = section("warn-only, claude: git reset --hard", &r, &warn);

    let r = run(&codex_payload("git reset --hard", &warn), &warn);
    let obj = r.json("warn-only codex");
    assert_codex_pre_tool_use_schema(&obj, "warn-only codex");
    assert!(obj.get("hookSpecificOutput").is_none(), "{obj:?}");
    assert!(
        obj["systemMessage"]
            .as_str()
            .unwrap()
            .contains("[git:reset-hard]")
    );
    snapshot.push_str(&section("warn-only, codex: git reset --hard", &r, &warn));

    let r = run(&cursor_shell_payload("git reset --hard", &warn), &warn);
    assert_eq!(r.json("warn-only cursor")["permission"], "allow");
    snapshot.push_str(&section("warn-only, cursor: git reset --hard", &r, &warn));

    // Harmless stays silent in warn-only mode.
    run(&claude_payload(HARMLESS, "default", &warn), &warn).assert_allow("warn-only harmless");

    // Control: the same project without the line is armed.
    let r = run(
        &claude_payload("git reset --hard", "default", &armed),
        &armed,
    );
    assert!(assert_pascal_deny(&r, "armed").contains("[git:reset-hard]"));
    insta::assert_snapshot!("session_config_warn_only", snapshot);
}

#[test]
fn warn_only_still_denies_edits_of_the_guard_config() {
    let warn = TempProject::new();
    warn.write("CLAUDE.md", WARN_ONLY_CONFIG);
    for command in [
        "sed -i 's/true/false/' CLAUDE.md",
        "echo '- **allow-destructive-ops:** true' >> CLAUDE.md",
    ] {
        let r = run(&claude_payload(command, "bypassPermissions", &warn), &warn);
        let reason = assert_pascal_deny(&r, command);
        assert!(
            reason.contains("[guard:self-protect]"),
            "{command}: {reason}"
        );
        let r = run(&codex_payload(command, &warn), &warn);
        assert!(assert_pascal_deny(&r, command).contains("[guard:self-protect]"));
    }
    // Allow control: reading the file is fine.
    run(
        &claude_payload("sed -n '1,5p' CLAUDE.md", "default", &warn),
        &warn,
    )
    .assert_allow("sed -n");
}

const MAYBE_CONFIG: &str = "## Session Config\n\nallow-destructive-ops: maybe\n";

#[test]
fn invalid_allow_destructive_ops_keeps_the_guard_armed_with_a_notice() {
    let project = TempProject::new();
    project.write("CLAUDE.md", MAYBE_CONFIG);

    let r = run(
        &claude_payload("git reset --hard", "default", &project),
        &project,
    );
    assert!(assert_pascal_deny(&r, "maybe: reset").contains("[git:reset-hard]"));

    // The notice reaches the human on a harmless command, the guard still runs.
    let r = run(&claude_payload(HARMLESS, "default", &project), &project);
    let obj = r.json("maybe: harmless");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["systemMessage"], "{obj:?}");
    let notice = obj["systemMessage"].as_str().unwrap();
    assert!(notice.contains("allow-destructive-ops"), "{notice}");
    assert!(notice.contains("maybe"), "{notice}");
    assert!(notice.contains("stays armed"), "{notice}");
    insta::assert_snapshot!(
        "session_config_invalid_value",
        section("maybe: git status", &r, &project)
    );

    // Control: the same project with a valid value is silent on the harmless command.
    project.write(
        "CLAUDE.md",
        "## Session Config\n\nallow-destructive-ops: false\n",
    );
    run(&claude_payload(HARMLESS, "default", &project), &project).assert_allow("false");
}

/// The user set the switch and the command was still denied: the deny is the moment they
/// need to learn that their value was rejected.
#[test]
fn invalid_allow_destructive_ops_notice_is_shown_with_the_deny() {
    let project = TempProject::new();
    project.write("CLAUDE.md", MAYBE_CONFIG);
    let r = run(
        &claude_payload("git reset --hard", "default", &project),
        &project,
    );
    assert_pascal_deny(&r, "maybe: reset");
    assert!(
        r.stdout.contains("allow-destructive-ops") && r.stdout.contains("maybe"),
        "the deny does not tell the user their config value was rejected: {}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------
// Project policy overlay
// ---------------------------------------------------------------------------------------

const OVERLAY: &str = ".orchestrator/policy/blocked-commands.json";

#[test]
fn broken_overlay_keeps_the_shipped_policy_and_warns() {
    let project = TempProject::new();
    project.write(OVERLAY, "{\"version\": 1, \"packs\": {");
    for (command, rule) in DESTRUCTIVE {
        let r = run(&claude_payload(command, "default", &project), &project);
        assert!(assert_pascal_deny(&r, command).contains(&format!("[{rule}]")));
        let r = run(&codex_payload(command, &project), &project);
        assert_pascal_deny(&r, command);
    }
    let r = run(&claude_payload(HARMLESS, "default", &project), &project);
    let obj = r.json("broken overlay: harmless");
    assert!(
        obj.get("hookSpecificOutput").is_none(),
        "harmless must not be blocked: {obj:?}"
    );
    let warning = obj["systemMessage"].as_str().unwrap();
    assert!(warning.contains("policy"), "{warning}");
    assert!(
        warning.contains(OVERLAY),
        "the warning must name the file: {warning}"
    );
    insta::assert_snapshot!(
        "policy_overlay_broken",
        section("broken overlay: git status", &r, &project)
    );
    // Codex gets the same warning through an allowed key.
    let r = run(&codex_payload(HARMLESS, &project), &project);
    let obj = r.json("broken overlay: codex harmless");
    assert_codex_pre_tool_use_schema(&obj, "broken overlay codex");
    assert!(obj["systemMessage"].as_str().unwrap().contains(OVERLAY));

    // Control: without the overlay, the harmless command is silent.
    let clean = TempProject::new();
    run(&claude_payload(HARMLESS, "default", &clean), &clean).assert_allow("no overlay");
}

#[test]
fn overlay_cannot_disable_a_shipped_pack() {
    let project = TempProject::new();
    project.write(OVERLAY, r#"{"version": 1, "packs": {"core.git": false}}"#);
    let r = run(
        &claude_payload("git reset --hard", "bypassPermissions", &project),
        &project,
    );
    assert!(assert_pascal_deny(&r, "core.git off").contains("[git:reset-hard]"));
    let r = run(&codex_payload("git reset --hard", &project), &project);
    assert!(assert_pascal_deny(&r, "core.git off, codex").contains("[git:reset-hard]"));

    // Allow control; the refused switch is reported to the human.
    let r = run(&claude_payload(HARMLESS, "default", &project), &project);
    let obj = r.json("core.git off: harmless");
    assert!(obj.get("hookSpecificOutput").is_none(), "{obj:?}");
    assert!(obj["systemMessage"].as_str().unwrap().contains("core.git"));
}

#[test]
fn overlay_custom_rule_denies_its_command_only() {
    let project = TempProject::new();
    project.write(
        OVERLAY,
        r#"{"version": 1, "custom_rules": [{"id":"custom:no-make-deploy","command":"make","args":["deploy"],"severity":"deny","reason":"deploys need the user"}]}"#,
    );
    let mut snapshot = String::new();
    for command in ["make deploy", "make -j4 deploy", "sudo make deploy"] {
        let r = run(&claude_payload(command, "default", &project), &project);
        let reason = assert_pascal_deny(&r, command);
        assert!(
            reason.contains("[custom:no-make-deploy]"),
            "{command}: {reason}"
        );
        assert!(reason.contains("deploys need the user"), "{reason}");
        let r = run(&codex_payload(command, &project), &project);
        assert_codex_pre_tool_use_schema(&r.json(command), command);
        assert_pascal_deny(&r, command);
        if command == "make deploy" {
            snapshot.push_str(&section(command, &r, &project));
        }
    }
    // Allow controls: another target, and the same command in a project without the rule.
    for command in ["make test", "echo make deploy"] {
        run(&claude_payload(command, "default", &project), &project).assert_allow(command);
    }
    let plain = TempProject::new();
    run(&claude_payload("make deploy", "default", &plain), &plain).assert_allow("no overlay");
    insta::assert_snapshot!("policy_overlay_custom_rule", snapshot);
}

// ---------------------------------------------------------------------------------------
// Events and tools the guard has no opinion on
// ---------------------------------------------------------------------------------------

#[test]
fn non_shell_tools_get_no_opinion() {
    let project = TempProject::new();
    // A Write whose content is a destructive command is not a shell call.
    let mut write = capture("cc.allow.write.PreToolUse_write.json", &project);
    write["tool_input"]["content"] = json!("rm -rf ~/important\n");
    run(&write, &project).assert_allow("claude Write");
    // Codex apply_patch carries a `command`, but it is a patch, not a shell line.
    let patch = capture("codex.allow.patch.PreToolUse_write.json", &project);
    run(&patch, &project).assert_allow("codex apply_patch");
    // Claude PowerShell is not judged as bash.
    let mut pwsh = shell_payload(
        "cc.deny.bash.PreToolUse.json",
        "rm -rf ~/important",
        &project,
    );
    pwsh["tool_name"] = json!("PowerShell");
    run(&pwsh, &project).assert_allow("claude PowerShell");

    // Control: the same text as a Bash call is denied.
    let bash = shell_payload(
        "cc.deny.bash.PreToolUse.json",
        "rm -rf ~/important",
        &project,
    );
    assert_pascal_deny(&run(&bash, &project), "Bash control");
}

#[test]
fn post_and_lifecycle_events_get_no_opinion() {
    let project = TempProject::new();
    let mut seen = 0;
    let names = fixture_names("c", ".json");
    for name in &names {
        let Some(mut payload) = try_capture(name, &project) else {
            continue; // not a hook stdin capture (model_sees, stream_result)
        };
        let event = payload["hook_event_name"].as_str().unwrap().to_owned();
        if ["PreToolUse", "PermissionRequest"].contains(&event.as_str()) {
            continue; // judged by the tests above
        }
        payload["cwd"] = json!(project.path());
        // Even a destructive command in a post event gets no opinion: it already ran.
        if payload["tool_input"]["command"].is_string() {
            payload["tool_input"]["command"] = json!("rm -rf ~/important");
        }
        run(&payload, &project).assert_allow(&format!("{name} ({event})"));
        seen += 1;
    }
    assert!(
        seen >= 20,
        "expected the post/lifecycle captures, saw {seen}"
    );

    // Cursor afterShellExecution: the command already ran.
    let mut after = cursor_shell_payload("rm -rf ~/important", &project);
    after["hook_event_name"] = json!("afterShellExecution");
    after["output"] = json!("");
    run(&after, &project).assert_allow("cursor afterShellExecution");

    // Control: the PostToolUse capture turned back into a PreToolUse is denied.
    let mut pre = capture("cc.allow.bash.PostToolUse.json", &project);
    pre["hook_event_name"] = json!("PreToolUse");
    pre.as_object_mut().unwrap().remove("tool_response");
    pre["tool_input"]["command"] = json!("rm -rf ~/important");
    assert_pascal_deny(&run(&pre, &project), "PostToolUse as PreToolUse");
}
