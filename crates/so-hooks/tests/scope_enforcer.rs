//! The real `scope-enforcer` binary, spawned on real captured payloads (Claude Code `Write`
//! and `Bash`, Codex `apply_patch` and `Bash`) and on payloads built from the reference
//! (Claude `Edit`/`MultiEdit`/`NotebookEdit`, A.7; Cursor, C.3/C.4): every file a tool call
//! would write is held against the wave-scope manifest and the guards' self-protection.
//!
//! Every out-of-scope deny has an in-scope allow control beside it, in the same project and
//! for the same tool.
//!
//! Every spawn gets its own project directory with a `.git` directory (so it is a project
//! root), either under the system temp dir or under `target/scope-tests` of the workspace.
//! The second kind matters: a write to temp space outside the project is scratch and
//! allowed, so escapes (symlinks, `..`, absolute paths) are tested from a project that is
//! not under a temp root, towards a directory beside it that is not either. `HOME` is a
//! fixed path outside every temp root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Map, Value, json};

mod common;
use common::{
    FAKE_HOME, HookRun, TempProject, assert_codex_pre_tool_use_schema, assert_cursor_keys,
    cursor_common, cursor_pre_tool_shell, cursor_shell, fixtures_dir, one_json_object,
    replace_text, run_hook, section,
};

const BIN: &str = env!("CARGO_BIN_EXE_scope-enforcer");

/// The wave of most tests: `src/**` and the `docs/` prefix may be written, `git push` not.
const MANIFEST: &str = r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**","docs/"],"blockedCommands":["git push"]}"#;

/// The CLI every manifest message must point the coordinator to.
const CLI_WRITE: &str = "session-orchestrator wave-scope write";

/// The session id of the Claude captures the payloads are built from.
const CLAUDE_SESSION: &str = "b1765aac-c0bd-46c3-ad83-a66507a92cd2";

/// Session Config with the enforcement keys, in the shape the skills write.
const CLAUDE_MD: &str = "# Project\n\nSome instructions for the agent.\n\n## Session Config\n\n- **persistence:** true\n- **enforcement:** strict\n- **allow-destructive-ops:** false\n";

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// The three clients, each with its own state directory for the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Client {
    Claude,
    Codex,
    Cursor,
}

impl Client {
    const ALL: [Client; 3] = [Client::Claude, Client::Codex, Client::Cursor];

    fn state_dir(self) -> &'static str {
        match self {
            Self::Claude => ".claude",
            Self::Codex => ".codex",
            Self::Cursor => ".cursor",
        }
    }

    /// The manifest, relative to the project root.
    fn manifest(self) -> String {
        format!("{}/wave-scope.json", self.state_dir())
    }
}

/// A project under the system temp dir with a source file, a doc and a readme.
fn project() -> TempProject {
    seed(TempProject::new())
}

/// A project outside every temp root (see [`TempProject::outside_temp`]), seeded as
/// [`project`] is.
fn project_outside_temp() -> TempProject {
    seed(TempProject::outside_temp())
}

fn seed(project: TempProject) -> TempProject {
    project
        .write("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n")
        .write("docs/guide.md", "# Guide\n")
        .write("README.md", "# Readme\n");
    project
}

impl TempProject {
    /// Writes the wave-scope manifest of `client` (as the coordinator's CLI would).
    fn manifest(&self, client: Client, json: &str) -> &Self {
        self.write(&client.manifest(), json)
    }
}

/// Spawns the hook in `cwd` with `payload` on stdin.
fn spawn(payload: &Value, cwd: &Path) -> HookRun {
    run_hook(
        BIN,
        cwd,
        &[("HOME", FAKE_HOME)],
        &serde_json::to_vec(payload).unwrap(),
    )
}

/// What the client makes of the answer, whatever its dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Exit 0, nothing on stdout.
    Allow,
    /// Allowed, with a message for the human (`systemMessage`; Cursor `permission: allow` +
    /// `user_message`).
    Warn(String),
    /// A confirmation prompt, with its reason.
    Ask(String),
    /// Blocked, with the reason the model reads.
    Deny(String),
}

/// A verdict with the description of the call it is about, for failure messages.
#[derive(Debug)]
struct Judged {
    verdict: Verdict,
    what: String,
}

impl Judged {
    fn allow(&self) {
        assert_eq!(
            self.verdict,
            Verdict::Allow,
            "{}: expected a silent allow",
            self.what
        );
    }

    fn deny(&self) -> String {
        match &self.verdict {
            Verdict::Deny(reason) => reason.clone(),
            other => panic!("{}: expected a deny, got {other:?}", self.what),
        }
    }

    fn ask(&self) -> String {
        match &self.verdict {
            Verdict::Ask(reason) => reason.clone(),
            other => panic!("{}: expected an ask, got {other:?}", self.what),
        }
    }

    fn warn(&self) -> String {
        match &self.verdict {
            Verdict::Warn(message) => message.clone(),
            other => panic!(
                "{}: expected an allow with a visible warning, got {other:?}",
                self.what
            ),
        }
    }

    /// A deny or an ask: the write does not happen without a human.
    fn blocks(&self) -> bool {
        matches!(self.verdict, Verdict::Deny(_) | Verdict::Ask(_))
    }
}

/// Reads a Claude Code / Codex `PreToolUse` answer.
fn pascal_verdict(obj: &Map<String, Value>, what: &str) -> Verdict {
    if let Some(s) = obj.get("hookSpecificOutput") {
        assert_eq!(s["hookEventName"], "PreToolUse", "{what}: {obj:?}");
        let reason = s["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !reason.trim().is_empty(),
            "{what}: a decision needs a reason: {obj:?}"
        );
        return match s["permissionDecision"].as_str() {
            Some("deny") => Verdict::Deny(reason),
            Some("ask") => Verdict::Ask(reason),
            other => panic!("{what}: unexpected permissionDecision {other:?}"),
        };
    }
    let message = obj["systemMessage"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: neither a decision nor a systemMessage: {obj:?}"));
    assert!(!message.trim().is_empty(), "{what}: empty systemMessage");
    Verdict::Warn(message.to_owned())
}

/// Reads a Cursor `beforeShellExecution` / `preToolUse` answer (reference C.4).
fn cursor_verdict(obj: &Map<String, Value>, what: &str) -> Verdict {
    assert_cursor_keys(obj, what);
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    match obj["permission"].as_str() {
        Some("deny") => Verdict::Deny(
            text("agent_message")
                .or_else(|| text("user_message"))
                .unwrap(),
        ),
        Some("ask") => Verdict::Ask(
            text("agent_message")
                .or_else(|| text("user_message"))
                .unwrap(),
        ),
        Some("allow") => Verdict::Warn(text("user_message").unwrap()),
        other => panic!("{what}: unexpected permission {other:?}"),
    }
}

/// Spawns the hook on `payload` (sent by `client`) in `project` and reads its answer,
/// checking the dialect on the way.
fn judge(client: Client, payload: &Value, project: &TempProject, what: &str) -> Judged {
    judge_in(client, payload, project.path(), what)
}

fn judge_in(client: Client, payload: &Value, cwd: &Path, what: &str) -> Judged {
    let run = spawn(payload, cwd);
    assert_eq!(
        run.code,
        Some(0),
        "{what}: expected exit 0 (decisions travel as JSON); {run:?}"
    );
    let verdict = match one_json_object(&run.stdout) {
        None => Verdict::Allow,
        Some(obj) => match client {
            Client::Claude => pascal_verdict(&obj, what),
            Client::Codex => {
                assert_codex_pre_tool_use_schema(&obj, what);
                pascal_verdict(&obj, what)
            }
            Client::Cursor => cursor_verdict(&obj, what),
        },
    };
    Judged {
        verdict,
        what: what.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------

/// The `hook_stdin` of a captured payload, moved into `project`: the capture's project
/// directory (its `cwd`, under `$SCRATCH`) becomes the project root everywhere, so the
/// captured file paths (`<cwd>/written.txt`) keep their place in the project.
fn fixture(name: &str, project: &TempProject) -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let wrapper: Value = serde_json::from_str(&text).unwrap();
    let mut stdin = wrapper
        .get("hook_stdin")
        .unwrap_or_else(|| panic!("{name} has no hook_stdin"))
        .clone();
    let captured_cwd = stdin["cwd"].as_str().unwrap().to_owned();
    assert!(
        captured_cwd.starts_with("$SCRATCH/"),
        "{name}: {captured_cwd}"
    );
    let root = project.path().to_string_lossy().into_owned();
    replace_text(&mut stdin, &captured_cwd, &root);
    replace_text(&mut stdin, "$SCRATCH", &root);
    stdin["cwd"] = json!(root);
    stdin
}

/// A Claude Code `PreToolUse` of any file tool (shape: the captured `Write` call), in
/// `default` permission mode, where an ask is a real prompt.
fn claude_tool(project: &TempProject, tool: &str, input: Value) -> Value {
    let mut p = fixture("cc.allow.write.PreToolUse_write.json", project);
    assert_eq!(p["tool_name"], "Write");
    p["tool_name"] = json!(tool);
    p["tool_input"] = input;
    p["permission_mode"] = json!("default");
    p
}

/// Claude `Write` of `path` (absolute, as Claude sends it; or as given).
fn claude_write(project: &TempProject, path: &str, content: &str) -> Value {
    claude_tool(
        project,
        "Write",
        json!({"file_path": path, "content": content}),
    )
}

/// Claude `Edit` of `path`.
fn claude_edit(project: &TempProject, path: &str, old: &str, new: &str) -> Value {
    claude_tool(
        project,
        "Edit",
        json!({"file_path": path, "old_string": old, "new_string": new}),
    )
}

/// Claude `Bash` (shape: the captured default-mode call).
fn claude_bash(project: &TempProject, command: &str) -> Value {
    let mut p = fixture("cc.defaultperm.bash.PreToolUse.json", project);
    assert_eq!(p["tool_name"], "Bash");
    assert_eq!(p["permission_mode"], "default");
    p["tool_input"]["command"] = json!(command);
    p
}

/// Codex `apply_patch` (shape: the captured call; the patch is in `tool_input.command`).
fn codex_patch(project: &TempProject, patch: &str) -> Value {
    let mut p = fixture("codex.allow.patch.PreToolUse_write.json", project);
    assert_eq!(p["tool_name"], "apply_patch");
    p["tool_input"]["command"] = json!(patch);
    p
}

/// A patch in Codex's envelope.
fn patch(body: &str) -> String {
    format!("*** Begin Patch\n{body}*** End Patch\n")
}

/// Codex `Bash` (shape: the captured call).
fn codex_bash(project: &TempProject, command: &str) -> Value {
    let mut p = fixture("codex.deny.shell.PreToolUse.json", project);
    assert_eq!(p["tool_name"], "Bash");
    p["tool_input"]["command"] = json!(command);
    p
}

/// Cursor `afterFileEdit` (C.4): reported after the edit was made.
fn cursor_after_edit(project: &TempProject, path: &str) -> Value {
    let mut p = cursor_common(project, "afterFileEdit");
    p["file_path"] = json!(path);
    p["edits"] = json!([{"old_string": "42", "new_string": "43"}]);
    p
}

/// The shell call of `client`: Claude and Codex `Bash`, Cursor `beforeShellExecution`.
fn shell(client: Client, project: &TempProject, command: &str) -> Value {
    match client {
        Client::Claude => claude_bash(project, command),
        Client::Codex => codex_bash(project, command),
        Client::Cursor => cursor_shell(project, command),
    }
}

/// The same call made inside a subagent (`agent_id` present; reference A.5, D.4).
fn subagent(mut payload: Value) -> Value {
    payload["agent_id"] = json!("a1b2c3d4e5f6");
    payload["agent_type"] = json!("general-purpose");
    payload
}

/// Asserts a scope-violation deny reason: it names `path`, the allowed patterns and what
/// the coordinator changes, and never how to switch enforcement off.
fn assert_violation(reason: &str, path: &str, what: &str) {
    assert!(
        reason.contains(&format!("`{path}`")),
        "{what}: the reason must name `{path}`: {reason}"
    );
    assert!(
        reason.contains("`src/**`"),
        "{what}: the reason must list the allowed patterns: {reason}"
    );
    assert!(
        reason.contains(CLI_WRITE),
        "{what}: the reason must say how the coordinator widens the scope: {reason}"
    );
    for disarm in [
        "\"enforcement\"",
        "path-guard",
        "wave-scope clear",
        "\"off\"",
    ] {
        assert!(
            !reason.contains(disarm),
            "{what}: the reason must not tell how to disarm the enforcer ({disarm}): {reason}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Claude Code file tools
// ---------------------------------------------------------------------------------------

#[test]
fn claude_write_in_scope_allowed_out_of_scope_denied() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    judge(
        c,
        &claude_write(&p, &p.abs("src/new.rs"), "x"),
        &p,
        "Write src/new.rs",
    )
    .allow();
    judge(
        c,
        &claude_write(&p, &p.abs("docs/a/b/c.md"), "x"),
        &p,
        "docs/ prefix",
    )
    .allow();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs("notes.txt"), "x"),
        &p,
        "Write notes.txt",
    )
    .deny();
    assert_violation(&reason, "notes.txt", "Write notes.txt");
    assert!(
        reason.contains("wave 2") && reason.contains("Impl-Core"),
        "{reason}"
    );
    // A directory prefix is a prefix of whole names only.
    let reason = judge(c, &claude_write(&p, &p.abs("docsx/a.md"), "x"), &p, "docsx").deny();
    assert_violation(&reason, "docsx/a.md", "docsx");
}

#[test]
fn claude_write_capture_is_judged_on_its_own_path() {
    // The captured Write (`written.txt` at the project root), unchanged but for the project.
    let p = project();
    let payload = fixture("cc.allow.write.PreToolUse_write.json", &p);
    judge(Client::Claude, &payload, &p, "no manifest").allow();
    p.manifest(Client::Claude, MANIFEST);
    // bypassPermissions in the capture: a deny is a deny.
    let reason = judge(Client::Claude, &payload, &p, "capture").deny();
    assert_violation(&reason, "written.txt", "capture");
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**","written.txt"]}"#,
    );
    judge(Client::Claude, &payload, &p, "written.txt allowed").allow();
}

#[test]
fn claude_edit_in_scope_allowed_out_of_scope_denied() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    judge(
        c,
        &claude_edit(&p, &p.abs("src/lib.rs"), "42", "43"),
        &p,
        "Edit src/lib.rs",
    )
    .allow();
    let reason = judge(
        c,
        &claude_edit(&p, &p.abs("README.md"), "Readme", "Read me"),
        &p,
        "Edit README",
    )
    .deny();
    assert_violation(&reason, "README.md", "Edit README.md");
}

#[test]
fn claude_multi_edit_in_scope_allowed_out_of_scope_denied() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let multi = |path: &str| {
        claude_tool(
            &p,
            "MultiEdit",
            json!({"file_path": path, "edits": [
                {"old_string": "42", "new_string": "43"},
                {"old_string": "Readme", "new_string": "Read me", "replace_all": true},
            ]}),
        )
    };
    judge(
        Client::Claude,
        &multi(&p.abs("src/lib.rs")),
        &p,
        "MultiEdit src",
    )
    .allow();
    let reason = judge(
        Client::Claude,
        &multi(&p.abs("README.md")),
        &p,
        "MultiEdit README",
    )
    .deny();
    assert_violation(&reason, "README.md", "MultiEdit README.md");
}

#[test]
fn claude_notebook_edit_in_scope_allowed_out_of_scope_denied() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let nb = |path: &str| {
        claude_tool(
            &p,
            "NotebookEdit",
            json!({"notebook_path": path, "new_source": "print(1)", "cell_id": "c1", "cell_type": "code", "edit_mode": "replace"}),
        )
    };
    judge(
        Client::Claude,
        &nb(&p.abs("src/analysis.ipynb")),
        &p,
        "notebook in src",
    )
    .allow();
    let reason = judge(
        Client::Claude,
        &nb(&p.abs("notebooks/analysis.ipynb")),
        &p,
        "notebook",
    )
    .deny();
    assert_violation(&reason, "notebooks/analysis.ipynb", "NotebookEdit");
}

#[test]
fn subagents_are_held_to_the_same_scope() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    judge(
        c,
        &subagent(claude_write(&p, &p.abs("src/a.rs"), "x")),
        &p,
        "subagent in scope",
    )
    .allow();
    let reason = judge(
        c,
        &subagent(claude_write(&p, &p.abs("notes.txt"), "x")),
        &p,
        "subagent out",
    )
    .deny();
    assert_violation(&reason, "notes.txt", "subagent Write");
}

#[test]
fn a_file_tool_without_a_path_is_not_waved_through() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let no_path = claude_tool(&p, "Write", json!({"content": "x"}));
    assert!(judge(Client::Claude, &no_path, &p, "Write without file_path").blocks());
    judge(
        Client::Claude,
        &claude_write(&p, &p.abs("src/a.rs"), "x"),
        &p,
        "control",
    )
    .allow();
}

// ---------------------------------------------------------------------------------------
// Codex apply_patch
// ---------------------------------------------------------------------------------------

#[test]
fn codex_patch_with_one_file_out_of_scope_is_denied_naming_that_file() {
    let p = project();
    p.manifest(Client::Codex, MANIFEST);
    let c = Client::Codex;
    let all_in = patch(
        "*** Add File: src/new.rs\n+pub fn new() {}\n*** Update File: src/lib.rs\n@@\n-    42\n+    43\n*** Add File: docs/changes.md\n+# Changes\n",
    );
    judge(c, &codex_patch(&p, &all_in), &p, "all in scope").allow();
    let one_out = patch(
        "*** Add File: src/new.rs\n+pub fn new() {}\n*** Update File: src/lib.rs\n@@\n-    42\n+    43\n*** Add File: notes.txt\n+remember\n*** Add File: docs/changes.md\n+# Changes\n",
    );
    let reason = judge(c, &codex_patch(&p, &one_out), &p, "one out of scope").deny();
    assert_violation(&reason, "notes.txt", "apply_patch");
    for in_scope in ["`src/new.rs`", "`src/lib.rs`", "`docs/changes.md`"] {
        assert!(
            !reason.contains(in_scope),
            "only the out-of-scope file is named, not {in_scope}: {reason}"
        );
    }
}

#[test]
fn codex_patch_move_and_delete() {
    let p = project();
    p.manifest(Client::Codex, MANIFEST);
    let c = Client::Codex;
    let move_in =
        patch("*** Update File: src/lib.rs\n*** Move to: src/core.rs\n@@\n-    42\n+    43\n");
    judge(c, &codex_patch(&p, &move_in), &p, "move within scope").allow();
    let move_out =
        patch("*** Update File: src/lib.rs\n*** Move to: lib.rs\n@@\n-    42\n+    43\n");
    let reason = judge(c, &codex_patch(&p, &move_out), &p, "move out of scope").deny();
    assert_violation(&reason, "lib.rs", "Move to");
    // Moving an out-of-scope file into scope removes it from its place: denied too.
    let move_in_from_out = patch(
        "*** Update File: README.md\n*** Move to: docs/README.md\n@@\n-# Readme\n+# Read me\n",
    );
    let reason = judge(c, &codex_patch(&p, &move_in_from_out), &p, "move from out").deny();
    assert_violation(&reason, "README.md", "Move from out of scope");

    let delete_in = patch("*** Delete File: docs/guide.md\n");
    judge(c, &codex_patch(&p, &delete_in), &p, "delete in scope").allow();
    let delete_out = patch("*** Delete File: README.md\n");
    let reason = judge(c, &codex_patch(&p, &delete_out), &p, "delete out of scope").deny();
    assert_violation(&reason, "README.md", "Delete File");
}

#[test]
fn codex_patch_capture_and_paths_relative_to_the_session_directory() {
    let p = project_outside_temp();
    // The captured apply_patch (`Add File: written.txt`), unchanged but for the project.
    let capture = fixture("codex.allow.patch.PreToolUse_write.json", &p);
    judge(Client::Codex, &capture, &p, "no manifest").allow();
    p.manifest(Client::Codex, MANIFEST);
    let reason = judge(Client::Codex, &capture, &p, "capture").deny();
    assert_violation(&reason, "written.txt", "captured apply_patch");

    // Patch paths are relative to the session's cwd, here `src/`.
    let src = p.path().join("src");
    let mut in_src = codex_patch(&p, &patch("*** Add File: helper.rs\n+fn h() {}\n"));
    in_src["cwd"] = json!(src);
    judge_in(Client::Codex, &in_src, &src, "Add helper.rs from src/").allow();
    let mut up = codex_patch(&p, &patch("*** Add File: ../helper.rs\n+fn h() {}\n"));
    up["cwd"] = json!(src);
    let reason = judge_in(Client::Codex, &up, &src, "../helper.rs from src/").deny();
    assert_violation(&reason, "helper.rs", "../helper.rs");
    // `..` out of the project, to a directory that is not temp space.
    let escape = codex_patch(
        &p,
        &patch(&format!(
            "*** Add File: ../{}/x.txt\n+x\n",
            p.outside().file_name().unwrap().to_string_lossy()
        )),
    );
    let reason = judge(Client::Codex, &escape, &p, "patch .. escape").deny();
    assert!(reason.contains("outside the project"), "{reason}");
}

#[test]
fn codex_unreadable_patch_is_not_waved_through() {
    let p = project();
    p.manifest(Client::Codex, MANIFEST);
    judge(
        Client::Codex,
        &codex_patch(&p, "this is not a patch"),
        &p,
        "garbage patch",
    )
    .deny();
    judge(
        Client::Codex,
        &codex_patch(&p, &patch("*** Add File: src/ok.rs\n+x\n")),
        &p,
        "control",
    )
    .allow();
}

// ---------------------------------------------------------------------------------------
// Shell: Claude and Codex Bash, Cursor beforeShellExecution and preToolUse Shell
// ---------------------------------------------------------------------------------------

/// `(in-scope command, out-of-scope command, the out-of-scope path the reason names)`.
const BASH_WRITES: &[(&str, &str, &str)] = &[
    ("echo x > src/out.rs", "echo x > out.txt", "out.txt"),
    ("echo x >> src/lib.rs", "echo x >> README.md", "README.md"),
    (
        "printf x | tee src/a.rs src/b.rs",
        "printf x | tee src/a.rs notes.txt",
        "notes.txt",
    ),
    (
        "printf x | tee -a docs/log.md",
        "printf x | tee -a log.md",
        "log.md",
    ),
    (
        "cp README.md src/README.md",
        "cp src/lib.rs lib.rs",
        "lib.rs",
    ),
    (
        "cp src/lib.rs docs/",
        "cp src/lib.rs build/",
        "build/lib.rs",
    ),
    (
        "mv src/lib.rs src/core.rs",
        "mv src/lib.rs core.rs",
        "core.rs",
    ),
    (
        "mv docs/guide.md src/guide.md",
        "mv README.md src/README.md",
        "README.md",
    ),
    (
        "sed -i 's/42/43/' src/lib.rs",
        "sed -i 's/Readme/Read me/' README.md",
        "README.md",
    ),
    (
        "sed -i.bak -e 's/a/b/' docs/guide.md",
        "sed -i -e 's/a/b/' Cargo.toml",
        "Cargo.toml",
    ),
    (
        "truncate -s 0 src/lib.rs",
        "truncate -s 0 README.md",
        "README.md",
    ),
    ("touch src/new.rs", "touch new.rs", "new.rs"),
    (
        "mkdir -p src/module/inner",
        "mkdir -p lib/module",
        "lib/module",
    ),
    ("rm src/lib.rs", "rm README.md", "README.md"),
    ("rm -rf docs/old", "rm -rf build", "build"),
    (
        "ln -s ../README.md src/readme-link",
        "ln -s src/lib.rs lib-link",
        "lib-link",
    ),
    (
        "git checkout -- src/lib.rs",
        "git checkout -- README.md",
        "README.md",
    ),
    (
        "git restore docs/guide.md",
        "git restore README.md",
        "README.md",
    ),
    (
        "install -m 644 README.md src/README.md",
        "install -m 644 src/lib.rs bin/lib.rs",
        "bin/lib.rs",
    ),
    (
        "cd src && echo x > local.rs",
        "cd src && echo x > ../top.rs",
        "top.rs",
    ),
    (
        "rsync -a README.md docs/",
        "rsync -a src/lib.rs backup/",
        "backup/lib.rs",
    ),
    (
        "dd if=/dev/zero of=src/blob bs=1 count=1",
        "dd if=/dev/zero of=blob bs=1 count=1",
        "blob",
    ),
    (
        "perl -pi -e 's/42/43/' src/lib.rs",
        "perl -pi -e 's/a/b/' README.md",
        "README.md",
    ),
    (
        "cat > src/gen.rs <<'EOF'\nfn g() {}\nEOF",
        "cat > gen.rs <<'EOF'\nfn g() {}\nEOF",
        "gen.rs",
    ),
    (
        "cargo build 2> src/build.log",
        "cargo build 2>> build.log",
        "build.log",
    ),
    (
        "git mv src/lib.rs src/core.rs",
        "git mv src/lib.rs core.rs",
        "core.rs",
    ),
    (
        "python3 -c \"open('src/x.txt', 'w').write('x')\"",
        "python3 -c \"open('x.txt', 'w').write('x')\"",
        "x.txt",
    ),
    (
        "bash -c 'echo x > src/nested.rs'",
        "bash -c 'echo x > nested.rs'",
        "nested.rs",
    ),
];

#[test]
fn bash_write_forms_in_scope_allowed_out_of_scope_denied() {
    let mut failures = Vec::new();
    for client in Client::ALL {
        let p = project();
        p.manifest(client, MANIFEST);
        for (allowed, denied, named) in BASH_WRITES {
            let what = format!("{client:?} `{allowed}`");
            if judge(client, &shell(client, &p, allowed), &p, &what).verdict != Verdict::Allow {
                failures.push(format!("{what}: expected allow"));
            }
            let what = format!("{client:?} `{denied}`");
            match judge(client, &shell(client, &p, denied), &p, &what).verdict {
                Verdict::Deny(reason) if reason.contains(&format!("`{named}`")) => {
                    assert_violation(&reason, named, &what);
                }
                other => failures.push(format!(
                    "{what}: expected a deny naming `{named}`, got {other:?}"
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn cursor_pre_tool_use_shell_in_scope_allowed_out_of_scope_denied() {
    let p = project();
    p.manifest(Client::Cursor, MANIFEST);
    let c = Client::Cursor;
    judge(
        c,
        &cursor_pre_tool_shell(&p, "echo x > src/a.rs"),
        &p,
        "preToolUse in",
    )
    .allow();
    let reason = judge(
        c,
        &cursor_pre_tool_shell(&p, "sed -i s/a/b/ README.md"),
        &p,
        "preToolUse out",
    )
    .deny();
    assert_violation(&reason, "README.md", "Cursor preToolUse Shell");
}

#[test]
fn git_apply_writes_unknown_files_ask_in_claude_deny_in_codex() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST)
        .manifest(Client::Cursor, MANIFEST);
    p.write("x.patch", "");
    let reason = judge(
        Client::Claude,
        &claude_bash(&p, "git apply x.patch"),
        &p,
        "claude git apply",
    )
    .ask();
    assert!(
        reason.contains("git apply") && reason.contains("cannot be known"),
        "{reason}"
    );
    assert!(reason.contains("`src/**`"), "{reason}");
    // Codex cannot ask: a deny with the same reason.
    let reason = judge(
        Client::Codex,
        &codex_bash(&p, "git apply x.patch"),
        &p,
        "codex git apply",
    )
    .deny();
    assert!(reason.contains("git apply"), "{reason}");
    // Claude in bypassPermissions has nobody to ask.
    let mut bypass = claude_bash(&p, "git apply x.patch");
    bypass["permission_mode"] = json!("bypassPermissions");
    judge(Client::Claude, &bypass, &p, "bypass git apply").deny();
    // Cursor beforeShellExecution asks; preToolUse cannot.
    judge(
        Client::Cursor,
        &cursor_shell(&p, "git apply x.patch"),
        &p,
        "cursor shell",
    )
    .ask();
    judge(
        Client::Cursor,
        &cursor_pre_tool_shell(&p, "git apply x.patch"),
        &p,
        "cursor pre",
    )
    .deny();
    // Controls: a read-only `git apply --check` writes nothing.
    for client in Client::ALL {
        judge(
            client,
            &shell(client, &p, "git apply --check x.patch"),
            &p,
            "git apply --check",
        )
        .allow();
    }
}

#[test]
fn unresolvable_targets_ask_or_deny_in_strict_and_warn_in_warn() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST);
    let cmd = r#"echo x > "$OUT""#;
    let reason = judge(Client::Claude, &claude_bash(&p, cmd), &p, "claude $OUT").ask();
    assert!(
        reason.contains("$OUT") && reason.contains("cannot be known"),
        "{reason}"
    );
    judge(Client::Codex, &codex_bash(&p, cmd), &p, "codex $OUT").deny();
    let reason = judge(
        Client::Claude,
        &claude_bash(&p, "echo x > $(mktemp -p src)"),
        &p,
        "substitution",
    )
    .ask();
    assert!(reason.contains("cannot be known"), "{reason}");
    // Controls.
    judge(
        Client::Claude,
        &claude_bash(&p, "echo x > src/out.rs"),
        &p,
        "control",
    )
    .allow();
    judge(
        Client::Claude,
        &claude_bash(&p, r#"echo "$OUT""#),
        &p,
        "no write",
    )
    .allow();

    let warn = r#"{"wave":2,"role":"Impl-Core","enforcement":"warn","allowedPaths":["src/**"]}"#;
    p.manifest(Client::Claude, warn)
        .manifest(Client::Codex, warn);
    let message = judge(Client::Claude, &claude_bash(&p, cmd), &p, "warn claude").warn();
    assert!(message.contains("$OUT"), "{message}");
    judge(Client::Codex, &codex_bash(&p, cmd), &p, "warn codex").warn();
}

#[test]
fn cursor_after_file_edit_reports_what_it_could_not_prevent() {
    let p = project();
    p.manifest(Client::Cursor, MANIFEST);
    let run = spawn(&cursor_after_edit(&p, &p.abs("src/lib.rs")), p.path());
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(0), "", ""),
        "in scope: {run:?}"
    );

    for (rel, what) in [
        ("README.md", "out of scope"),
        (".cursor/hooks.json", "protected"),
    ] {
        let run = spawn(&cursor_after_edit(&p, &p.abs(rel)), p.path());
        assert_eq!(run.code, Some(0), "{what}: {run:?}");
        // Never a deny: afterFileEdit takes no answer and the edit is made.
        assert!(
            !run.stdout.contains("deny") && !run.stdout.contains("permission"),
            "{what}: {run:?}"
        );
        let said = format!("{}{}", run.stdout, run.stderr);
        assert!(
            said.contains("could not be prevented"),
            "{what}: must say the edit could not be prevented: {run:?}"
        );
        assert!(
            said.contains(&format!("`{rel}`")),
            "{what}: must name the file: {run:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_out_of_the_project_is_caught() {
    let p = project_outside_temp();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST);
    std::os::unix::fs::symlink(p.outside(), p.path().join("src/escape")).unwrap();
    // A symlink inside the project to an out-of-scope file: judged at its target.
    std::os::unix::fs::symlink(p.path().join("README.md"), p.path().join("src/readme-link"))
        .unwrap();
    // A symlink inside the scope: fine.
    std::fs::create_dir_all(p.path().join("src/real")).unwrap();
    std::os::unix::fs::symlink(p.path().join("src/real"), p.path().join("src/alias")).unwrap();
    let c = Client::Claude;

    let reason = judge(
        c,
        &claude_write(&p, &p.abs("src/escape/x.rs"), "x"),
        &p,
        "Write through symlink",
    )
    .deny();
    assert!(reason.contains("outside the project"), "{reason}");
    assert!(
        reason.contains(&p.outside().to_string_lossy().into_owned()),
        "the reason names the real target: {reason}"
    );
    judge(
        c,
        &claude_bash(&p, "echo x > src/escape/x.rs"),
        &p,
        "Bash through symlink",
    )
    .deny();
    judge(
        c,
        &claude_bash(&p, "cp README.md src/escape/"),
        &p,
        "cp through symlink",
    )
    .deny();
    judge(
        Client::Codex,
        &codex_patch(&p, &patch("*** Add File: src/escape/x.rs\n+x\n")),
        &p,
        "patch through symlink",
    )
    .deny();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs("src/readme-link"), "x"),
        &p,
        "link to README",
    )
    .deny();
    assert_violation(&reason, "README.md", "symlink to README.md");

    judge(
        c,
        &claude_write(&p, &p.abs("src/alias/x.rs"), "x"),
        &p,
        "symlink within scope",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, "echo x > src/alias/x.rs"),
        &p,
        "Bash symlink within scope",
    )
    .allow();
}

#[cfg(unix)]
#[test]
fn dangling_symlink_out_of_the_project_is_caught() {
    // Input: `src/link` -> `<outside>/new.txt` (does not exist yet); Write `src/link`, or
    // Bash `echo x > src/link`. Expected: deny (the write creates `<outside>/new.txt`).
    // Got: allow — `resolve` canonicalises the nearest existing ancestor (`src/`) and
    // appends `link`, so the path looks like `src/link`, inside `src/**`.
    let p = project_outside_temp();
    p.manifest(Client::Claude, MANIFEST);
    let target = p.outside().join("new.txt");
    std::os::unix::fs::symlink(&target, p.path().join("src/link")).unwrap();
    let c = Client::Claude;
    judge(
        c,
        &claude_write(&p, &p.abs("src/link"), "x"),
        &p,
        "Write dangling link",
    )
    .deny();
    judge(
        c,
        &claude_bash(&p, "echo x > src/link"),
        &p,
        "Bash dangling link",
    )
    .deny();
    // Once the target exists, both are denied already.
    std::fs::write(&target, "").unwrap();
    judge(
        c,
        &claude_write(&p, &p.abs("src/link"), "x"),
        &p,
        "existing target",
    )
    .deny();
}

#[test]
fn dot_dot_is_normalised_before_matching() {
    let p = project_outside_temp();
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    let outside = p
        .outside()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs(&format!("src/../../{outside}/x.txt")), "x"),
        &p,
        ".. escape",
    )
    .deny();
    assert!(reason.contains("outside the project"), "{reason}");
    let reason = judge(
        c,
        &claude_write(&p, &p.abs("src/../README.md"), "x"),
        &p,
        "src/../README.md",
    )
    .deny();
    assert_violation(&reason, "README.md", "src/../README.md");
    judge(
        c,
        &claude_write(&p, &p.abs("docs/../src/./x.rs"), "x"),
        &p,
        "docs/../src/x.rs",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, &format!("echo x > ../{outside}/x.txt")),
        &p,
        "Bash ..",
    )
    .deny();
    judge(
        c,
        &claude_bash(&p, "echo x > src/../src/ok.rs"),
        &p,
        "Bash src/../src",
    )
    .allow();
}

#[test]
fn absolute_paths_inside_and_outside() {
    let p = project_outside_temp();
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    let outside_file = p.outside().join("x.txt").to_string_lossy().into_owned();
    judge(
        c,
        &claude_bash(&p, &format!("echo x > {}", p.abs("src/abs.rs"))),
        &p,
        "absolute inside",
    )
    .allow();
    let reason = judge(
        c,
        &claude_write(&p, &outside_file, "x"),
        &p,
        "absolute outside",
    )
    .deny();
    assert!(
        reason.contains(&outside_file) && reason.contains("outside the project"),
        "{reason}"
    );
    judge(
        c,
        &claude_bash(&p, &format!("echo x > {outside_file}")),
        &p,
        "Bash absolute outside",
    )
    .deny();
    judge(
        c,
        &claude_write(&p, "/etc/so-scope-test.conf", "x"),
        &p,
        "/etc",
    )
    .deny();
    // Only an absolute allowedPaths entry grants a path outside the project.
    p.manifest(
        Client::Claude,
        &format!(
            r#"{{"wave":2,"role":"Impl-Core","allowedPaths":["src/**","{}/**"]}}"#,
            p.outside().display()
        ),
    );
    judge(
        c,
        &claude_write(&p, &outside_file, "x"),
        &p,
        "granted outside",
    )
    .allow();
    judge(
        c,
        &claude_write(&p, "/etc/so-scope-test.conf", "x"),
        &p,
        "still /etc",
    )
    .deny();
    // A relative entry never matches outside the project, even `**`.
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["**"]}"#,
    );
    judge(c, &claude_write(&p, &outside_file, "x"), &p, "** outside").deny();
    judge(
        c,
        &claude_write(&p, &p.abs("anything/at/all.txt"), "x"),
        &p,
        "** inside",
    )
    .allow();
}

#[test]
fn temp_space_outside_the_project_is_scratch() {
    let p = project_outside_temp();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST);
    let scratch = std::env::temp_dir().join(format!("so-scope-scratch-{}", std::process::id()));
    let scratch = scratch.to_string_lossy().into_owned();
    let c = Client::Claude;
    judge(c, &claude_write(&p, &scratch, "x"), &p, "Write temp dir").allow();
    judge(
        c,
        &claude_write(&p, "/tmp/so-scope-scratch.txt", "x"),
        &p,
        "Write /tmp",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, "echo x > /tmp/so-scope-scratch.txt; echo y >/dev/null"),
        &p,
        "Bash /tmp",
    )
    .allow();
    judge(
        Client::Codex,
        &codex_bash(&p, "sort src/lib.rs > /tmp/sorted.txt"),
        &p,
        "Codex /tmp",
    )
    .allow();
    // Control: the same write to a directory outside the project that is not temp space.
    let outside = p.outside().join("x.txt").to_string_lossy().into_owned();
    judge(c, &claude_write(&p, &outside, "x"), &p, "non-temp outside").deny();
    judge(
        Client::Codex,
        &codex_bash(&p, &format!("sort src/lib.rs > {outside}")),
        &p,
        "Codex non-temp",
    )
    .deny();
}

#[test]
fn home_tilde() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST);
    // The shell expands `~` to $HOME: outside the project.
    let reason = judge(
        Client::Claude,
        &claude_bash(&p, "echo x > ~/notes.md"),
        &p,
        "Bash ~",
    )
    .deny();
    assert!(
        reason.contains(&format!("{FAKE_HOME}/notes.md")) && reason.contains("outside the project"),
        "{reason}"
    );
    judge(
        Client::Codex,
        &codex_bash(&p, "cp src/lib.rs ~/backup.rs"),
        &p,
        "Codex ~",
    )
    .deny();
    // Claude's Write does not expand `~` (Node fs): `~/notes.md` is a project-relative name.
    let reason = judge(
        Client::Claude,
        &claude_write(&p, "~/notes.md", "x"),
        &p,
        "Write ~",
    )
    .deny();
    assert!(reason.contains("`~/notes.md`"), "{reason}");
    judge(
        Client::Claude,
        &claude_bash(&p, "echo x > src/notes.md"),
        &p,
        "control",
    )
    .allow();
}

#[test]
fn unicode_names() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST)
        .manifest(Client::Codex, MANIFEST);
    let c = Client::Claude;
    judge(
        c,
        &claude_write(&p, &p.abs("src/ünïcödé/файл.rs"), "x"),
        &p,
        "unicode in scope",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, "echo x > 'src/日本語 ファイル.md'"),
        &p,
        "unicode Bash in scope",
    )
    .allow();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs("ドキュメント.md"), "x"),
        &p,
        "unicode out",
    )
    .deny();
    assert_violation(&reason, "ドキュメント.md", "unicode out of scope");
    let reason = judge(
        Client::Codex,
        &codex_patch(&p, &patch("*** Add File: émoji-🚀.txt\n+x\n")),
        &p,
        "emoji patch",
    )
    .deny();
    assert_violation(&reason, "émoji-🚀.txt", "emoji patch");
    // Unicode that looks like `src/` is not `src/`.
    judge(
        c,
        &claude_write(&p, &p.abs("ѕrc/lookalike.rs"), "x"),
        &p,
        "cyrillic s",
    )
    .deny();
}

#[test]
fn a_4000_character_name() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let long = "a".repeat(4000);
    let c = Client::Claude;
    judge(
        c,
        &claude_write(&p, &p.abs(&format!("src/{long}.rs")), "x"),
        &p,
        "long in scope",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, &format!("touch src/{long}")),
        &p,
        "long Bash in scope",
    )
    .allow();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs(&format!("{long}.rs")), "x"),
        &p,
        "long out",
    )
    .deny();
    assert!(
        reason.contains("Scope violation") && reason.contains("aaaa"),
        "{}",
        &reason[..200]
    );
    judge(
        c,
        &claude_bash(&p, &format!("touch {long}")),
        &p,
        "long Bash out",
    )
    .deny();
}

#[test]
fn a_4000_character_name_keeps_the_guidance() {
    // Input: Claude Write of `<project>/<4000 × a>.rs` under MANIFEST. Expected: the deny
    // reason still lists the allowed patterns and `session-orchestrator wave-scope write`
    // (the issue: "a reason that names the path, the allowed patterns and what the
    // coordinator should change"). Got: the reason is the 4000-char clamp of
    // "Scope violation (wave 2, Impl-Core): `aaaa…" and ends inside the name.
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let long = "a".repeat(4000);
    let reason = judge(
        Client::Claude,
        &claude_write(&p, &p.abs(&format!("{long}.rs")), "x"),
        &p,
        "long",
    )
    .deny();
    let tail: String = reason
        .chars()
        .skip(reason.chars().count().saturating_sub(200))
        .collect();
    assert!(
        reason.contains("`src/**`") && reason.contains(CLI_WRITE),
        "reason ends: {tail}"
    );
}

// ---------------------------------------------------------------------------------------
// Enforcement levels and gates
// ---------------------------------------------------------------------------------------

#[test]
fn enforcement_strict_warn_off_and_missing() {
    let p = project();
    let levels = [
        (r#""enforcement":"strict","#, "strict"),
        ("", "missing"),
        (r#""enforcement":"warn","#, "warn"),
        (r#""enforcement":"off","#, "off"),
    ];
    for (field, level) in levels {
        let manifest =
            format!(r#"{{"wave":3,"role":"Impl-Polish",{field}"allowedPaths":["src/**"]}}"#);
        for client in Client::ALL {
            p.manifest(client, &manifest);
            let what = format!("{client:?} {level}");
            let out = judge(client, &shell(client, &p, "echo x > notes.txt"), &p, &what);
            match level {
                "strict" | "missing" => {
                    let reason = out.deny();
                    assert!(reason.contains("`notes.txt`"), "{what}: {reason}");
                }
                "warn" => {
                    let message = out.warn();
                    assert!(
                        message.contains("`notes.txt`") && message.contains("Scope violation"),
                        "{what}: {message}"
                    );
                }
                _ => out.allow(),
            }
            judge(client, &shell(client, &p, "echo x > src/ok.rs"), &p, &what).allow();
        }
        let out = judge(
            Client::Claude,
            &claude_write(&p, &p.abs("notes.txt"), "x"),
            &p,
            level,
        );
        match level {
            "strict" | "missing" => {
                out.deny();
            }
            "warn" => {
                out.warn();
            }
            _ => out.allow(),
        }
    }
}

#[test]
fn self_protection_holds_in_warn_and_off() {
    let p = project();
    p.write(".claude/settings.json", "{}\n");
    for level in ["warn", "off"] {
        p.manifest(Client::Claude, &format!(r#"{{"wave":2,"role":"Impl-Core","enforcement":"{level}","allowedPaths":["src/**"]}}"#));
        let c = Client::Claude;
        judge(
            c,
            &claude_edit(&p, &p.abs(".claude/settings.json"), "{}", "{\"hooks\":{}}"),
            &p,
            level,
        )
        .deny();
        judge(
            c,
            &claude_write(&p, &p.abs(".claude/wave-scope.json"), "{}"),
            &p,
            level,
        )
        .deny();
        judge(
            c,
            &claude_bash(&p, "rm -f .claude/wave-scope.json"),
            &p,
            level,
        )
        .deny();
    }
}

#[test]
fn path_guard_off_disables_path_checks_but_not_self_protection() {
    let p = project();
    p.write(".claude/settings.json", "{}\n");
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"blockedCommands":["git push"],"gates":{"path-guard":false}}"#,
    );
    let c = Client::Claude;
    judge(
        c,
        &claude_write(&p, &p.abs("notes.txt"), "x"),
        &p,
        "out of scope, path-guard off",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, "echo x > notes.txt"),
        &p,
        "Bash, path-guard off",
    )
    .allow();
    judge(
        c,
        &claude_bash(&p, r#"echo x > "$OUT""#),
        &p,
        "unknown target, path-guard off",
    )
    .allow();
    // Self-protection stays.
    judge(
        c,
        &claude_edit(&p, &p.abs(".claude/settings.json"), "{}", "{\"hooks\":{}}"),
        &p,
        "settings",
    )
    .deny();
    let reason = judge(
        c,
        &claude_write(&p, &p.abs(".claude/wave-scope.json"), "{}"),
        &p,
        "manifest",
    )
    .deny();
    assert!(
        reason.contains("session-orchestrator wave-scope"),
        "{reason}"
    );
    // The command gate is a separate switch.
    judge(
        c,
        &claude_bash(&p, "git push origin main"),
        &p,
        "command-guard on",
    )
    .deny();
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"blockedCommands":["git push"],"gates":{"command-guard":false}}"#,
    );
    judge(
        c,
        &claude_bash(&p, "git push origin main"),
        &p,
        "command-guard off",
    )
    .allow();
    judge(
        c,
        &claude_write(&p, &p.abs("notes.txt"), "x"),
        &p,
        "path-guard on again",
    )
    .deny();
}

// ---------------------------------------------------------------------------------------
// blockedCommands
// ---------------------------------------------------------------------------------------

#[test]
fn blocked_commands_match_by_parsed_words() {
    let blocked = [
        "git push",
        "git push --force origin x",
        "sudo git push",
        "git -C . push origin main",
        "bash -c 'git push origin main'",
        "cargo test && git push",
        "env GIT_TRACE=1 git push",
        "/usr/bin/git push",
    ];
    let allowed = [
        "echo git push",
        "git pushx",
        "git status",
        "git commit -m 'git push later'",
        "grep -r 'git push' docs",
    ];
    for client in Client::ALL {
        let p = project();
        p.manifest(client, MANIFEST);
        for command in blocked {
            let what = format!("{client:?} `{command}`");
            let reason = judge(client, &shell(client, &p, command), &p, &what).deny();
            assert!(
                reason.contains("`git push`") && reason.contains("wave 2"),
                "{what}: {reason}"
            );
        }
        for command in allowed {
            let what = format!("{client:?} `{command}`");
            judge(client, &shell(client, &p, command), &p, &what).allow();
        }
        if client == Client::Cursor {
            judge(
                client,
                &cursor_pre_tool_shell(&p, "git push --force origin x"),
                &p,
                "preToolUse",
            )
            .deny();
            judge(
                client,
                &cursor_pre_tool_shell(&p, "echo git push"),
                &p,
                "preToolUse echo",
            )
            .allow();
        }
    }
    // In warn mode: allowed, with the warning.
    let p = project();
    p.manifest(Client::Claude, r#"{"wave":2,"role":"Impl-Core","enforcement":"warn","allowedPaths":["src/**"],"blockedCommands":["git push"]}"#);
    let message = judge(
        Client::Claude,
        &claude_bash(&p, "git push"),
        &p,
        "warn push",
    )
    .warn();
    assert!(message.contains("`git push`"), "{message}");
}

// ---------------------------------------------------------------------------------------
// Manifest states
// ---------------------------------------------------------------------------------------

#[test]
fn absent_manifest_enforces_nothing_but_self_protection() {
    let p = project_outside_temp();
    p.write(".claude/settings.json", "{}\n")
        .write(".codex/hooks.json", "{}\n");
    let outside = p.outside().join("x.txt").to_string_lossy().into_owned();
    for client in Client::ALL {
        let what = format!("{client:?} no manifest");
        judge(client, &shell(client, &p, "echo x > notes.txt"), &p, &what).allow();
        judge(
            client,
            &shell(client, &p, &format!("echo x > {outside}")),
            &p,
            &what,
        )
        .allow();
        judge(client, &shell(client, &p, r#"echo x > "$OUT""#), &p, &what).allow();
        judge(
            client,
            &shell(client, &p, "git push --force origin main"),
            &p,
            &what,
        )
        .allow();
        judge(
            client,
            &shell(client, &p, "echo x > .claude/settings.json"),
            &p,
            &what,
        )
        .deny();
    }
    judge(
        Client::Claude,
        &claude_write(&p, &outside, "x"),
        &p,
        "Write outside",
    )
    .allow();
    judge(
        Client::Codex,
        &codex_patch(&p, &patch("*** Add File: anywhere.txt\n+x\n")),
        &p,
        "patch",
    )
    .allow();
    judge(
        Client::Codex,
        &codex_patch(
            &p,
            &patch("*** Update File: .codex/hooks.json\n@@\n-{}\n+{\"hooks\":{}}\n"),
        ),
        &p,
        "codex hooks",
    )
    .deny();
}

#[test]
fn manifest_deleted_mid_session() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let payload = claude_write(&p, &p.abs("notes.txt"), "x");
    judge(Client::Claude, &payload, &p, "with manifest").deny();
    // The coordinator (or a human) removes it: the next call sees no wave.
    p.remove(&Client::Claude.manifest());
    judge(Client::Claude, &payload, &p, "after deletion").allow();
    // And written again: enforced again, no state carried between calls.
    p.manifest(Client::Claude, MANIFEST);
    judge(Client::Claude, &payload, &p, "rewritten").deny();
}

#[test]
fn broken_manifest_denies_every_write() {
    let broken = [
        (
            "truncated JSON",
            r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"#,
        ),
        ("not JSON", "wave: 2\nrole: Impl-Core\n"),
        (
            "wrong shape",
            r#"{"wave":"two","role":"Impl-Core","allowedPaths":"src/**"}"#,
        ),
        ("empty file", ""),
    ];
    for (label, text) in broken {
        for client in Client::ALL {
            let p = project();
            p.manifest(client, text);
            let what = format!("{client:?} {label}");
            // Even a write that any sane manifest would allow.
            let reason = judge(client, &shell(client, &p, "echo x > src/lib.rs"), &p, &what).deny();
            assert!(
                reason.contains("not a valid wave-scope manifest"),
                "{what}: must say the manifest is broken: {reason}"
            );
            assert!(
                reason.contains(&client.manifest()),
                "{what}: must name the manifest: {reason}"
            );
            assert!(
                reason.contains(CLI_WRITE),
                "{what}: must say how the coordinator rewrites it: {reason}"
            );
            // A command that writes nothing is not a write.
            judge(
                client,
                &shell(client, &p, "ls -la src"),
                &p,
                &format!("{what} ls"),
            )
            .allow();
        }
    }
    let p = project();
    p.manifest(Client::Claude, "{");
    judge(
        Client::Claude,
        &claude_write(&p, &p.abs("src/a.rs"), "x"),
        &p,
        "Write",
    )
    .deny();
    judge(
        Client::Claude,
        &claude_write(&p, "/tmp/so-scope-scratch.txt", "x"),
        &p,
        "scratch",
    )
    .deny();
}

#[test]
fn stale_manifest_of_another_session_is_reported_not_enforced() {
    let p = project();
    let write = claude_write(&p, &p.abs("notes.txt"), "x");
    // Written by this session: enforced.
    p.manifest(
        Client::Claude,
        &format!(r#"{{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"sessionId":"{CLAUDE_SESSION}"}}"#),
    );
    judge(Client::Claude, &write, &p, "own session").deny();
    // Written by another session: a visible warning, not enforced.
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"sessionId":"crashed-session-0001"}"#,
    );
    let message = judge(Client::Claude, &write, &p, "other session").warn();
    assert!(
        message.contains("stale") && message.contains("crashed-session-0001"),
        "{message}"
    );
    assert!(message.contains("not enforced"), "{message}");
    // The same for Codex and Cursor, whose session ids come from their own keys.
    for client in [Client::Codex, Client::Cursor] {
        let q = project();
        q.manifest(client, r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"sessionId":"crashed-session-0001"}"#);
        let what = format!("{client:?} stale");
        let message = judge(client, &shell(client, &q, "echo x > notes.txt"), &q, &what).warn();
        assert!(message.contains("stale"), "{what}: {message}");
    }
    // Old without a session id: stale too.
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"],"writtenAt":1000000000}"#,
    );
    let message = judge(Client::Claude, &write, &p, "old").warn();
    assert!(message.contains("stale"), "{message}");
}

#[test]
fn another_clients_manifest_is_reported_not_obeyed() {
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let message = judge(
        Client::Codex,
        &codex_bash(&p, "echo x > notes.txt"),
        &p,
        "codex",
    )
    .warn();
    assert!(message.contains(".claude/wave-scope.json"), "{message}");
    judge(
        Client::Claude,
        &claude_bash(&p, "echo x > notes.txt"),
        &p,
        "claude",
    )
    .deny();
}

#[test]
fn hand_edited_wider_manifest_is_still_just_a_manifest() {
    let p = project();
    p.write(".claude/settings.json", "{}\n")
        .write(".orchestrator/policy/blocked-commands.json", "{}\n")
        .write("CLAUDE.md", CLAUDE_MD);
    p.manifest(Client::Claude, MANIFEST);
    let c = Client::Claude;
    judge(c, &claude_write(&p, &p.abs("README.md"), "x"), &p, "before").deny();
    // Someone edits the manifest by hand, outside the agent, to grant everything.
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["**",".claude/**",".orchestrator/**"]}"#,
    );
    judge(c, &claude_write(&p, &p.abs("README.md"), "x"), &p, "after").allow();
    // It grants no guard file.
    judge(
        c,
        &claude_write(&p, &p.abs(".claude/wave-scope.json"), "{}"),
        &p,
        "manifest",
    )
    .deny();
    judge(
        c,
        &claude_edit(&p, &p.abs(".claude/settings.json"), "{}", "{\"hooks\":{}}"),
        &p,
        "settings",
    )
    .deny();
    judge(
        c,
        &claude_bash(&p, "echo '{}' > .orchestrator/policy/blocked-commands.json"),
        &p,
        "policy",
    )
    .deny();
    let edit = claude_edit(
        &p,
        &p.abs("CLAUDE.md"),
        "**allow-destructive-ops:** false",
        "**allow-destructive-ops:** true",
    );
    judge(c, &edit, &p, "CLAUDE.md key").deny();
}

#[test]
fn direct_manifest_writes_are_denied_to_main_thread_and_subagents() {
    for client in Client::ALL {
        let p = project();
        p.manifest(
            client,
            r#"{"wave":2,"role":"Impl-Core","allowedPaths":["**"]}"#,
        );
        let m = client.manifest();
        let mut calls: Vec<(String, Value)> = vec![
            (
                format!("sed -i {m}"),
                shell(client, &p, &format!("sed -i 's/src/**/' {m}")),
            ),
            (
                format!("rm -f {m}"),
                shell(client, &p, &format!("rm -f {m}")),
            ),
            (
                format!("> {m}"),
                shell(client, &p, &format!("echo '{{}}' > {m}")),
            ),
            (
                format!("mv {m}"),
                shell(client, &p, &format!("mv {m} /tmp/so-scope-moved.json")),
            ),
            (
                format!("cp onto {m}"),
                shell(client, &p, &format!("cp /dev/null {m}")),
            ),
            (
                format!("git checkout {m}"),
                shell(client, &p, &format!("git checkout -- {m}")),
            ),
            (
                format!("spelled {m}"),
                shell(client, &p, &format!("rm -f ./src/../{m}")),
            ),
        ];
        match client {
            Client::Claude => {
                calls.push((
                    "Edit".into(),
                    claude_edit(&p, &p.abs(&m), "\"**\"", "\"**\",\"x\""),
                ));
                calls.push(("Write".into(), claude_write(&p, &p.abs(&m), "{}")));
                calls.push((
                    "MultiEdit".into(),
                    claude_tool(&p, "MultiEdit", json!({"file_path": p.abs(&m), "edits": [{"old_string": "2", "new_string": "3"}]})),
                ));
            }
            Client::Codex => {
                calls.push((
                    "apply_patch update".into(),
                    codex_patch(&p, &patch(&format!("*** Update File: {m}\n@@\n-x\n+y\n"))),
                ));
                calls.push((
                    "apply_patch delete".into(),
                    codex_patch(&p, &patch(&format!("*** Delete File: {m}\n"))),
                ));
            }
            Client::Cursor => {
                calls.push((
                    format!("preToolUse rm {m}"),
                    cursor_pre_tool_shell(&p, &format!("rm -f {m}")),
                ));
            }
        }
        for (label, payload) in calls {
            for (who, payload) in [("main", payload.clone()), ("subagent", subagent(payload))] {
                let what = format!("{client:?} {who} {label}");
                let reason = judge(client, &payload, &p, &what).deny();
                assert!(
                    reason.contains("session-orchestrator wave-scope"),
                    "{what}: must name the CLI: {reason}"
                );
            }
        }
        // Another client's manifest is protected too.
        let other = Client::ALL
            .into_iter()
            .find(|o| *o != client)
            .unwrap()
            .manifest();
        judge(
            client,
            &shell(client, &p, &format!("echo '{{}}' > {other}")),
            &p,
            "other manifest",
        )
        .deny();
        // Control: a write next to the manifest.
        judge(
            client,
            &shell(
                client,
                &p,
                &format!("echo x > {}/notes.md", client.state_dir()),
            ),
            &p,
            "beside",
        )
        .allow();
    }
}

#[test]
fn only_the_main_thread_runs_the_wave_scope_cli() {
    for client in [Client::Claude, Client::Codex] {
        let p = project();
        p.manifest(client, MANIFEST);
        for command in [
            "session-orchestrator wave-scope clear",
            "session-orchestrator wave-scope write --wave 3 < files.json",
            "/opt/plugin/bin/session-orchestrator wave-scope clear",
        ] {
            let what = format!("{client:?} subagent `{command}`");
            let reason = judge(client, &subagent(shell(client, &p, command)), &p, &what).deny();
            assert!(reason.contains("coordinator"), "{what}: {reason}");
            let what = format!("{client:?} main `{command}`");
            judge(client, &shell(client, &p, command), &p, &what).allow();
        }
        let what = format!("{client:?} subagent show");
        judge(
            client,
            &subagent(shell(client, &p, "session-orchestrator wave-scope show")),
            &p,
            &what,
        )
        .allow();
    }
}

#[test]
fn only_the_main_thread_writes_state_md_through_the_cli() {
    for client in [Client::Claude, Client::Codex] {
        let p = project();
        for command in [
            "session-orchestrator state set status=completed",
            "session-orchestrator state append deviations 'wave 2 ran long'",
            "cd src && session-orchestrator state section mission-status --file - < m.md",
            "/opt/plugin/bin/session-orchestrator state init --session-type deep --total-waves 5",
        ] {
            let what = format!("{client:?} subagent `{command}`");
            let reason = judge(client, &subagent(shell(client, &p, command)), &p, &what).deny();
            assert!(reason.contains("STATE.md"), "{what}: {reason}");
            let what = format!("{client:?} main `{command}`");
            judge(client, &shell(client, &p, command), &p, &what).allow();
        }
        let what = format!("{client:?} subagent state show");
        judge(
            client,
            &subagent(shell(client, &p, "session-orchestrator state show --json")),
            &p,
            &what,
        )
        .allow();
    }
}

// ---------------------------------------------------------------------------------------
// Self-protection with no wave
// ---------------------------------------------------------------------------------------

#[test]
fn guard_files_are_nobodys_to_edit() {
    let p = project();
    let files = [
        (
            ".orchestrator/policy/blocked-commands.json",
            "{\"version\": 1}\n",
            "{\"version\": 1}",
            "{\"version\": 1, \"disable\": true}",
        ),
        (
            ".claude/settings.json",
            "{\"hooks\": {}}\n",
            "\"hooks\": {}",
            "\"hooks\": null",
        ),
        (
            ".orchestrator/metrics/events.jsonl",
            "{\"e\":1}\n",
            "{\"e\":1}",
            "",
        ),
    ];
    for (rel, text, old, new) in files {
        p.write(rel, text);
        for payload in [
            claude_edit(&p, &p.abs(rel), old, new),
            subagent(claude_edit(&p, &p.abs(rel), old, new)),
        ] {
            let reason = judge(Client::Claude, &payload, &p, rel).deny();
            assert!(
                reason.contains(&format!("`{rel}`")) && reason.contains("guards"),
                "{rel}: {reason}"
            );
        }
        judge(Client::Claude, &claude_write(&p, &p.abs(rel), ""), &p, rel).deny();
        judge(
            Client::Codex,
            &codex_bash(&p, &format!("echo x >> {rel}")),
            &p,
            rel,
        )
        .deny();
    }
    // Controls: files beside them.
    for rel in [
        ".orchestrator/notes.md",
        ".claude/agents/reviewer.md",
        "src/lib.rs",
    ] {
        judge(Client::Claude, &claude_write(&p, &p.abs(rel), "x"), &p, rel).allow();
    }
}

#[test]
fn state_md_is_the_coordinators() {
    let p = project();
    p.write(".claude/STATE.md", "# State\n");
    let c = Client::Claude;
    let write = claude_write(&p, &p.abs(".claude/STATE.md"), "# State\nwave 2 done\n");
    judge(c, &write, &p, "main thread, no wave").allow();
    let reason = judge(c, &subagent(write.clone()), &p, "subagent, no wave").deny();
    assert!(
        reason.contains("STATE.md") && reason.contains("coordinator"),
        "{reason}"
    );
    // During a wave whose scope does not list it, the coordinator may still write it.
    p.manifest(c, MANIFEST);
    judge(c, &write, &p, "main thread, wave").allow();
    judge(c, &subagent(write), &p, "subagent, wave").deny();
    judge(
        Client::Codex,
        &subagent(codex_bash(&p, "echo done >> .codex/STATE.md")),
        &p,
        "codex subagent",
    )
    .deny();
}

#[test]
fn session_config_enforcement_keys_cannot_be_changed() {
    let p = project();
    p.write("CLAUDE.md", CLAUDE_MD);
    let c = Client::Claude;
    let path = p.abs("CLAUDE.md");
    let flip = claude_edit(
        &p,
        &path,
        "**allow-destructive-ops:** false",
        "**allow-destructive-ops:** true",
    );
    let reason = judge(c, &flip, &p, "flip allow-destructive-ops").deny();
    assert!(
        reason.contains("allow-destructive-ops") && reason.contains("CLAUDE.md"),
        "{reason}"
    );
    judge(c, &subagent(flip), &p, "subagent flip").deny();
    judge(
        c,
        &claude_edit(
            &p,
            &path,
            "**enforcement:** strict",
            "**enforcement:** warn",
        ),
        &p,
        "enforcement",
    )
    .deny();
    judge(
        c,
        &claude_edit(&p, &path, "- **enforcement:** strict\n", ""),
        &p,
        "remove enforcement",
    )
    .deny();
    let whole = CLAUDE_MD.replace(
        "allow-destructive-ops:** false",
        "allow-destructive-ops:** true",
    );
    judge(c, &claude_write(&p, &path, &whole), &p, "Write flipped").deny();
    // Controls: other text, another key, the whole file rewritten with the keys unchanged.
    judge(
        c,
        &claude_edit(&p, &path, "Some instructions", "Other instructions"),
        &p,
        "other text",
    )
    .allow();
    judge(
        c,
        &claude_edit(&p, &path, "**persistence:** true", "**persistence:** false"),
        &p,
        "other key",
    )
    .allow();
    judge(
        c,
        &claude_write(&p, &path, &CLAUDE_MD.replace("Some", "New")),
        &p,
        "Write same keys",
    )
    .allow();
}

#[test]
fn apply_patch_adding_an_enforcement_key_is_denied() {
    let p = project();
    p.write("CLAUDE.md", CLAUDE_MD).write(
        "AGENTS.md",
        "# Agents\n\n## Session Config\n\n- **persistence:** true\n",
    );
    let c = Client::Codex;
    for file in ["AGENTS.md", "CLAUDE.md"] {
        let add = patch(&format!(
            "*** Update File: {file}\n@@\n - **persistence:** true\n+- **allow-destructive-ops:** true\n"
        ));
        let reason = judge(c, &codex_patch(&p, &add), &p, file).deny();
        assert!(reason.contains("allow-destructive-ops"), "{file}: {reason}");
        let plain = patch(&format!(
            "*** Update File: {file}\n@@\n - **persistence:** true\n+- **docs-path:** docs/\n"
        ));
        judge(
            c,
            &codex_patch(&p, &plain),
            &p,
            &format!("{file} other key"),
        )
        .allow();
        let prose = patch(&format!(
            "*** Update File: {file}\n@@\n+Never set allow-destructive-ops yourself.\n"
        ));
        judge(c, &codex_patch(&p, &prose), &p, &format!("{file} prose")).allow();
    }
}

#[test]
fn removing_the_directory_of_a_guard_file_is_denied() {
    // Input: Bash `rm -rf .claude` (Claude, main thread) with `.claude/wave-scope.json`
    // holding `"allowedPaths":["**"]` and `.claude/settings.json` present. Expected: deny
    // (the manifest and the hook settings go with the directory; the issue: "`rm`, `mv` ...
    // are denied to everyone"). Got: allow — only the literal target `.claude` is checked
    // against the protected names. Same for `mv .claude x`, `rm -rf .orchestrator`,
    // `find .claude -name wave-scope.json -delete`, and the glob `rm -f .claude/*.json`.
    let p = project();
    p.write(".claude/settings.json", "{}\n")
        .write(".orchestrator/policy/blocked-commands.json", "{}\n");
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["**"]}"#,
    );
    let mut failures = Vec::new();
    for command in [
        "rm -rf .claude",
        "mv .claude .claude-old",
        "rm -rf .orchestrator",
        "find .claude -name wave-scope.json -delete",
        "rm -f .claude/*.json",
    ] {
        let v = judge(Client::Claude, &claude_bash(&p, command), &p, command);
        if !matches!(v.verdict, Verdict::Deny(_)) {
            failures.push(format!("`{command}`: {:?}", v.verdict));
        }
    }
    assert!(failures.is_empty(), "not denied:\n{}", failures.join("\n"));
}

#[test]
fn hard_link_to_a_guard_file_is_denied() {
    // Input: Bash `ln .claude/wave-scope.json src/m.json` (MANIFEST, `src/**` allowed).
    // Expected: deny (the next `echo '{...}' > src/m.json` rewrites the manifest in place,
    // and that write is in scope). Got: allow — `ln`'s source is not a write target and
    // the new name is in scope.
    let p = project();
    p.write(".claude/settings.json", "{}\n");
    p.manifest(Client::Claude, MANIFEST);
    for command in [
        "ln .claude/wave-scope.json src/m.json",
        "ln .claude/settings.json src/s.json",
    ] {
        judge(Client::Claude, &claude_bash(&p, command), &p, command).deny();
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots: the exact answer of one deny per client
// ---------------------------------------------------------------------------------------

#[test]
fn snapshot_one_deny_per_client() {
    let p = project();
    for client in Client::ALL {
        p.manifest(client, MANIFEST);
    }
    let mut snapshot = String::new();
    let claude = spawn(&claude_write(&p, &p.abs("notes.txt"), "x"), p.path());
    snapshot.push_str(&section("claude Write notes.txt", &claude, &p));
    let codex = spawn(
        &codex_patch(
            &p,
            &patch("*** Add File: src/new.rs\n+x\n*** Add File: notes.txt\n+x\n"),
        ),
        p.path(),
    );
    snapshot.push_str(&section(
        "codex apply_patch src/new.rs + notes.txt",
        &codex,
        &p,
    ));
    let cursor = spawn(&cursor_shell(&p, "echo x > notes.txt"), p.path());
    snapshot.push_str(&section(
        "cursor beforeShellExecution echo x > notes.txt",
        &cursor,
        &p,
    ));
    for run in [&claude, &codex, &cursor] {
        assert!(run.stdout.contains("deny"), "{run:?}");
    }
    insta::assert_snapshot!("one_deny_per_client", snapshot);
}

// ---------------------------------------------------------------------------------------
// Bugs found in the shell analysis the enforcer relies on (so-guard / so-shell)
// ---------------------------------------------------------------------------------------

#[test]
fn brace_expansion_cannot_smuggle_a_path_out_of_scope() {
    // Input (Claude Bash, MANIFEST): `touch src/{../README.md,x}`. Bash runs
    // `touch src/../README.md src/x`. Expected: deny naming `README.md`. Got: allow — the
    // target is the literal word `src/{../README.md,x}`, which has no `..` component and
    // matches `src/**`. The same word deletes the manifest past self-protection:
    // `rm -f src/{../.claude/wave-scope.json,x}` is allowed.
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let mut failures = Vec::new();
    for command in [
        "touch src/{../README.md,x}",
        "echo x | tee src/{..,.}/README.md",
        "cp src/lib.rs src/{..,x}/README.md",
        "rm -f src/{../.claude/wave-scope.json,x}",
    ] {
        let v = judge(Client::Claude, &claude_bash(&p, command), &p, command);
        if !v.blocks() {
            failures.push(format!("`{command}`: {:?}", v.verdict));
        }
    }
    // Control: a brace word that stays inside the scope.
    judge(
        Client::Claude,
        &claude_bash(&p, "touch src/{a,b}.rs"),
        &p,
        "control",
    )
    .allow();
    assert!(failures.is_empty(), "not blocked:\n{}", failures.join("\n"));
}

#[test]
fn directory_changes_are_followed() {
    // Input (Claude Bash, `"allowedPaths":["**"]`, project outside temp space, `DIR` an
    // existing directory beside the project): `git -C ../DIR checkout -- x`. Expected: deny
    // (`DIR/x` is outside the project). Got: allow — the target is taken as `x` in the
    // project. Likewise `env -C ../DIR touch x` (judged as `x`), `cd && touch x` (judged as
    // the project path `~/x`, though bash writes `$HOME/x`) and `cd - && touch x` (judged
    // as the project path `-/x`; `$OLDPWD` is unknown, so it should at least ask).
    let p = project_outside_temp();
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["**"]}"#,
    );
    let dir = p
        .outside()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut failures = Vec::new();
    for command in [
        format!("git -C ../{dir} checkout -- x"),
        format!("env -C ../{dir} touch x"),
        "cd && touch x".to_owned(),
        "cd - && touch x".to_owned(),
    ] {
        let v = judge(Client::Claude, &claude_bash(&p, &command), &p, &command);
        if !v.blocks() {
            failures.push(format!("`{command}`: {:?}", v.verdict));
        }
    }
    // Controls: the forms that are followed.
    for command in [
        format!("cd ../{dir} && touch x"),
        format!("touch ../{dir}/x"),
    ] {
        judge(Client::Claude, &claude_bash(&p, &command), &p, &command).deny();
    }
    assert!(failures.is_empty(), "not blocked:\n{}", failures.join("\n"));
}

#[test]
fn codex_shell_apply_patch_is_a_write() {
    // Codex intercepts shell calls of `apply_patch`/`applypatch` (argv, or a heredoc in
    // `bash -lc`) and applies the patch (codex-apply-patch `maybe_parse_apply_patch`).
    // Input (Codex Bash, MANIFEST): `apply_patch <<'EOF'` + a patch adding `notes.txt`.
    // Expected: deny naming `notes.txt` (or at least a deny for unknown targets, as for
    // `patch` and `git apply`). Got: allow.
    let p = project();
    p.manifest(Client::Codex, MANIFEST);
    let body = patch("*** Add File: notes.txt\n+x\n");
    for command in [
        format!("apply_patch <<'EOF'\n{body}EOF\n"),
        format!("apply_patch '{body}'"),
    ] {
        judge(Client::Codex, &codex_bash(&p, &command), &p, &command).deny();
    }
}

#[test]
fn more_write_forms_are_held_to_the_scope() {
    // Input (Claude Bash, MANIFEST), each writing or deleting `README.md` (or `-weird`) at
    // the project root. Expected: deny. Got: allow for every one.
    let p = project();
    p.manifest(Client::Claude, MANIFEST);
    let mut failures = Vec::new();
    for command in [
        "sort -o README.md README.md",
        "curl -sSo README.md https://example.com/x",
        "wget -qO README.md https://example.com/x",
        "shred -u README.md",
        "gzip README.md",
        "awk -i inplace '{print}' README.md",
        "touch -- -weird",
    ] {
        let v = judge(Client::Claude, &claude_bash(&p, command), &p, command);
        if !v.blocks() {
            failures.push(format!("`{command}`: {:?}", v.verdict));
        }
    }
    assert!(failures.is_empty(), "not blocked:\n{}", failures.join("\n"));
}

#[test]
fn creating_the_scope_directory_itself_is_allowed() {
    // Input (Claude Bash, `"allowedPaths":["src/**"]`): `mkdir -p src/new && mkdir -p src`.
    // Expected: allow (the directory the wave writes into; `mkdir -p` of an existing one
    // writes nothing). Got: deny "`src` is not in this wave's allowed paths" — globset's
    // `src/**` does not match `src` itself, and nothing special-cases the directory.
    let p = project();
    p.manifest(
        Client::Claude,
        r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"]}"#,
    );
    judge(
        Client::Claude,
        &claude_bash(&p, "mkdir -p src/new"),
        &p,
        "control",
    )
    .allow();
    judge(
        Client::Claude,
        &claude_bash(&p, "mkdir -p src"),
        &p,
        "mkdir -p src",
    )
    .allow();
}
