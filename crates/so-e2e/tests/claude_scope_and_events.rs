//! The real Claude Code CLI (pinned version) with this repository loaded through
//! `--plugin-dir`: the scope enforcer stops a `Write` outside the wave's manifest inside a
//! real session (and the reason reaches the model), and the `SessionStart` hook records the
//! session in `.orchestrator/`.
//!
//! Allow controls: with the same manifest a `Write` inside the wave's paths creates its file
//! (the plugin does not block every write), and without the plugin the very `Write` the
//! enforcer denies creates its file while no `.orchestrator/` records appear (so nothing but
//! our hooks denied the write and wrote the records).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Value, json};
use so_e2e::claude::{self, ClaudeRun};
use so_e2e::clients;
use so_e2e::model::{Api, FakeModel, Script};
use so_e2e::repo;
use so_e2e::sandbox::{self, Sandbox};

/// What Claude Code puts before a `PreToolUse` hook's deny reason for `Write`.
const HOOK_DENY_PREFIX: &str = "PreToolUse:Write hook error";

/// The headline of the `SessionStart` banner.
const BANNER: &str = "session-orchestrator: recording";

const MANIFEST: &str = r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"]}"#;

struct Setup {
    clients: clients::Clients,
    sandbox: Sandbox,
}

fn setup(label: &str) -> Setup {
    let clients = clients::require();
    let guard = repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    for name in ["scope-enforcer", "session-events", "telemetry"] {
        let bin = guard.with_file_name(name);
        assert!(
            bin.is_file(),
            "{} is missing after the build",
            bin.display()
        );
    }
    let sandbox = Sandbox::new(label).unwrap_or_else(|e| panic!("{e}"));
    Setup { clients, sandbox }
}

/// Writes `<project>/.claude/wave-scope.json` (wave 2, `src/**` only).
fn write_manifest(setup: &Setup) {
    let dir = setup.sandbox.proj.join(".claude");
    std::fs::create_dir_all(&dir).unwrap();
    sandbox::write(&dir.join("wave-scope.json"), MANIFEST).unwrap();
}

/// A script whose one tool call is `Write` of `path`.
fn write_script(path: &Path) -> Script {
    Script::tool(
        "Write",
        json!({"file_path": path, "content": "written by the fake model\n"}),
    )
}

/// Runs Claude Code on `script`, with or without the repository as plugin.
fn run(setup: &Setup, script: Script, with_plugin: bool) -> (ClaudeRun, FakeModel) {
    let model = FakeModel::start(Api::Anthropic, script).unwrap();
    let root = repo::root();
    let plugin = with_plugin.then_some(root.as_path());
    let run = claude::run(&setup.clients, &setup.sandbox, &model, plugin)
        .unwrap_or_else(|e| panic!("{e}"));
    let loaded = run
        .plugins()
        .iter()
        .any(|(name, _)| name == "session-orchestrator");
    assert_eq!(loaded, with_plugin, "plugin loaded: {:?}", run.plugins());
    (run, model)
}

/// The records of `<project>/.orchestrator/metrics/events.jsonl`, each line parsed.
fn events(proj: &Path) -> Vec<Value> {
    let path = proj.join(".orchestrator/metrics/events.jsonl");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!("{} has a line that is not JSON ({e}): {l}", path.display())
            })
        })
        .collect()
}

#[test]
fn write_outside_the_wave_scope_is_denied_with_the_reason() {
    let setup = setup("cc-scope-deny");
    write_manifest(&setup);
    let target = setup.sandbox.proj.join("docs").join("out.md");

    let (run, model) = run(&setup, write_script(&target), true);

    assert!(
        !target.exists(),
        "{} was created: the scope enforcer did not stop the Write\n{}\n{}",
        target.display(),
        model.summary(),
        run.output.describe()
    );
    let reply = model.only_tool_reply(&run.output);
    assert!(
        reply.is_error
            && reply.text.contains(HOOK_DENY_PREFIX)
            && reply.text.contains("Scope violation")
            && reply.text.contains("docs/out.md"),
        "the model did not get the scope enforcer's reason: {reply:?}\n{}",
        run.output.describe()
    );
    assert_eq!(
        run.permission_denials().len(),
        1,
        "Claude Code did not record the denial: {:?}",
        run.result()
    );
}

/// Allow control with the plugin and the same manifest: a `Write` inside `src/**` runs.
#[test]
fn control_write_inside_the_wave_scope_creates_the_file() {
    let setup = setup("cc-scope-allow");
    write_manifest(&setup);
    let target = setup.sandbox.proj.join("src").join("ok.rs");

    let (run, model) = run(&setup, write_script(&target), true);

    assert!(
        target.is_file(),
        "{} was not created with the plugin loaded\n{}\n{}",
        target.display(),
        model.summary(),
        run.output.describe()
    );
    let reply = model.only_tool_reply(&run.output);
    assert!(
        !reply.is_error && !reply.text.contains("Scope violation"),
        "{reply:?}"
    );
    assert!(run.permission_denials().is_empty(), "{:?}", run.result());
}

/// `SessionStart` through the plugin: `events.jsonl` gets a session record and
/// `current-session.json` exists, and the stream shows the hook's banner for this session.
#[test]
fn session_start_records_the_session_in_orchestrator() {
    let setup = setup("cc-session-start");
    let canary = setup.sandbox.dir.join("created-by-touch");
    let command = format!("touch '{}'", canary.display());

    let (run, model) = run(&setup, Script::one(&command), true);

    assert!(
        canary.is_file(),
        "`{command}` did not run\n{}",
        run.output.describe()
    );
    let proj = &setup.sandbox.proj;
    let records = events(proj);
    let started: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r["event"]
                .as_str()
                .is_some_and(|e| e.starts_with("orchestrator.session."))
        })
        .collect();
    assert!(
        !started.is_empty(),
        "no orchestrator.session.* record in events.jsonl: {records:?}\n{}",
        model.summary()
    );
    let current = proj.join(".orchestrator/runtime/current-session.json");
    assert!(current.is_file(), "{} is missing", current.display());
    // The pinned Claude Code reports the hook's run in the stream: our handler succeeded
    // and its banner names this very session, which the record belongs to.
    let session_id = run
        .events
        .iter()
        .find(|e| e["type"] == "system" && e["subtype"] == "init")
        .and_then(|e| e["session_id"].as_str())
        .expect("no init event with a session id")
        .to_owned();
    let response = run
        .events
        .iter()
        .find(|e| {
            e["type"] == "system"
                && e["subtype"] == "hook_response"
                && e["hook_event"] == "SessionStart"
        })
        .unwrap_or_else(|| {
            panic!(
                "no SessionStart hook_response in the stream\n{}",
                run.output.describe()
            )
        });
    let hook_stdout: Value = serde_json::from_str(response["stdout"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the SessionStart hook printed no JSON ({e}): {response}"));
    let banner = hook_stdout["systemMessage"].as_str().unwrap_or_default();
    assert!(
        response["exit_code"] == 0
            && banner.starts_with(BANNER)
            && banner.contains(&session_id[..8]),
        "the SessionStart hook did not answer with our banner for session {session_id}: {response}"
    );
    assert!(
        started
            .iter()
            .any(|r| r["session_id"].as_str() == Some(session_id.as_str())),
        "no orchestrator.session.* record of session {session_id}: {started:?}"
    );
}

/// Control without the plugin: the same manifest, the `Write` the enforcer denies creates
/// its file, and no `.orchestrator/` records appear.
#[test]
fn control_without_the_plugin_the_write_runs_and_nothing_is_recorded() {
    let setup = setup("cc-scope-no-plugin");
    write_manifest(&setup);
    let target = setup.sandbox.proj.join("docs").join("out.md");

    let (run, model) = run(&setup, write_script(&target), false);

    assert!(
        target.is_file(),
        "without the plugin the Write of {} did not run, so the deny test proves nothing\n{}\n{}",
        target.display(),
        model.summary(),
        run.output.describe()
    );
    let reply = model.only_tool_reply(&run.output);
    assert!(!reply.is_error, "{reply:?}");
    assert!(
        !run.events
            .iter()
            .any(|e| e["subtype"] == "hook_response"
                && e.to_string().contains("session-orchestrator")),
        "without the plugin a session-orchestrator hook ran"
    );
    let orchestrator = setup.sandbox.proj.join(".orchestrator");
    assert!(
        !orchestrator.join("metrics/events.jsonl").exists()
            && !orchestrator.join("runtime/current-session.json").exists(),
        "without the plugin {} holds session records, so the SessionStart test proves nothing",
        orchestrator.display()
    );
}
