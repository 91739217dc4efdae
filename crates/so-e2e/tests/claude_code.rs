//! The real Claude Code CLI (pinned version) with this repository loaded through
//! `--plugin-dir`: the destructive guard, started by `hooks/run` from the plugin's
//! `hooks.json`, stops destructive Bash calls inside a real session, and the deny reason
//! reaches the model.
//!
//! Every deny case has an allow control: the same client in the same set-up runs a harmless
//! command with the plugin (so the plugin does not block everything), and runs the very same
//! destructive commands without the plugin (so nothing but our hook stopped them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use so_e2e::claude::{self, ClaudeRun};
use so_e2e::clients;
use so_e2e::model::{Api, FakeModel, Script};
use so_e2e::repo;
use so_e2e::sandbox::{self, Sandbox};

/// What Claude Code puts before a `PreToolUse` hook's deny reason in the tool result.
const HOOK_DENY_PREFIX: &str = "PreToolUse:Bash hook error";

/// The canary folder a test asks the model to delete: under the run's `HOME`, with a name
/// no real home holds.
const CANARY_DIR: &str = "so-e2e-canary-dir";

struct Setup {
    clients: clients::Clients,
    sandbox: Sandbox,
}

fn setup(label: &str) -> Setup {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new(label).unwrap_or_else(|e| panic!("{e}"));
    Setup { clients, sandbox }
}

/// Runs Claude Code on a one-command script, with or without the repository as plugin.
fn run(setup: &Setup, script: Script, with_plugin: bool) -> (ClaudeRun, FakeModel) {
    let model = FakeModel::start(Api::Anthropic, script).unwrap();
    let root = repo::root();
    let plugin = with_plugin.then_some(root.as_path());
    let run = claude::run(&setup.clients, &setup.sandbox, &model, plugin)
        .unwrap_or_else(|e| panic!("{e}"));
    if with_plugin {
        assert!(
            run.plugins()
                .iter()
                .any(|(name, source)| name == "session-orchestrator"
                    && source == "session-orchestrator@inline"),
            "the plugin was not loaded: {:?}",
            run.plugins()
        );
    }
    (run, model)
}

/// Asserts the reply is our guard's deny with `rule`, as Claude Code reports a hook deny.
fn assert_guard_deny(run: &ClaudeRun, model: &FakeModel, rule: &str) {
    let reply = model.only_tool_reply(&run.output);
    assert!(
        reply.is_error
            && reply.text.contains(HOOK_DENY_PREFIX)
            && reply
                .text
                .contains("session-orchestrator destructive-guard")
            && reply.text.contains(&format!("[{rule}]")),
        "the model did not get the guard's deny reason for {rule}: {reply:?}\n{}",
        run.output.describe()
    );
    assert_eq!(
        run.permission_denials().len(),
        1,
        "Claude Code did not record the denial: {:?}",
        run.result()
    );
}

/// The guard binary itself denies `command` in this run's place: the precondition that makes
/// an end-to-end pass mean something.
fn assert_guard_denies_directly(setup: &Setup, command: &str) {
    let guard = repo::built_guard().unwrap();
    let verdict =
        sandbox::guard_verdict(&guard, &setup.sandbox.home, &setup.sandbox.proj, command).unwrap();
    assert!(
        verdict.denied,
        "precondition: the guard does not deny `{command}` here: {}",
        verdict.stdout
    );
}

fn make_canary_dir(setup: &Setup) -> std::path::PathBuf {
    let dir = setup.sandbox.home.join(CANARY_DIR);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "user data\n").unwrap();
    dir
}

#[test]
fn rm_rf_of_a_home_folder_is_denied_and_the_folder_survives() {
    let setup = setup("cc-rm-home");
    let canary = make_canary_dir(&setup);
    let command = format!("rm -rf ~/{CANARY_DIR}");
    assert_guard_denies_directly(&setup, &command);

    let (run, model) = run(&setup, Script::one(&command), true);

    assert!(
        canary.join("keep.txt").is_file(),
        "the canary folder was deleted: the guard did not stop `{command}`\n{}",
        run.output.describe()
    );
    assert_guard_deny(&run, &model, "fs:rm-root-home");
}

#[test]
fn git_reset_hard_is_denied_and_the_uncommitted_change_survives() {
    let setup = setup("cc-git-reset");
    let tracked = setup.sandbox.git_project_with_change().unwrap();
    assert_guard_denies_directly(&setup, "git reset --hard");

    let (run, model) = run(&setup, Script::one("git reset --hard"), true);

    assert_eq!(
        std::fs::read_to_string(&tracked).unwrap(),
        "uncommitted change\n",
        "the uncommitted change was lost: the guard did not stop `git reset --hard`\n{}",
        run.output.describe()
    );
    assert_guard_deny(&run, &model, "git:reset-hard");
}

/// Allow control with the plugin: a harmless command runs, and the model gets its result.
#[test]
fn control_a_harmless_command_runs_with_the_plugin() {
    let setup = setup("cc-touch");
    let canary = setup.sandbox.dir.join("created-by-touch");
    let command = format!("touch '{}'", canary.display());

    let (run, model) = run(&setup, Script::one(&command), true);

    assert!(
        canary.is_file(),
        "`{command}` did not run with the plugin loaded\n{}\n{}",
        model.summary(),
        run.output.describe()
    );
    let reply = model.only_tool_reply(&run.output);
    assert!(
        !reply.is_error && !reply.text.contains(HOOK_DENY_PREFIX),
        "{reply:?}"
    );
    assert!(run.permission_denials().is_empty(), "{:?}", run.result());
}

/// Allow control without the plugin: in this very set-up (bypassPermissions, the same HOME
/// and project) Claude Code itself runs both destructive commands, so the denies above come
/// from our hook and nothing else.
#[test]
fn control_without_the_plugin_the_same_commands_destroy_the_canaries() {
    let setup = setup("cc-no-plugin");
    let canary = make_canary_dir(&setup);
    let tracked = setup.sandbox.git_project_with_change().unwrap();
    let script = Script {
        commands: vec![
            format!("rm -rf ~/{CANARY_DIR}"),
            "git reset --hard".to_owned(),
        ],
        tool_calls: Vec::new(),
        final_text: "done".to_owned(),
    };

    let (run, model) = run(&setup, script, false);

    assert!(
        !canary.exists(),
        "without the plugin `rm -rf ~/{CANARY_DIR}` did not run, so the deny test proves nothing\n{}\n{}",
        model.summary(),
        run.output.describe()
    );
    assert_eq!(
        std::fs::read_to_string(&tracked).unwrap(),
        "committed\n",
        "without the plugin `git reset --hard` did not run\n{}",
        model.summary()
    );
    assert_eq!(model.tool_replies().len(), 2, "{}", model.summary());
}

/// `claude plugin validate --strict` (the real CLI) accepts the repository as a plugin and
/// a marketplace.
#[test]
fn claude_plugin_validate_strict_passes() {
    let setup = setup("cc-validate");
    let out = claude::validate_plugin(&setup.clients, &setup.sandbox, &repo::root()).unwrap();
    assert!(
        out.success() && out.stdout.contains("Validation passed"),
        "{}",
        out.describe()
    );
    assert!(
        out.stdout.contains("destructive-guard"),
        "the validator did not see the hook: {}",
        out.describe()
    );
}

/// Names of the markdown files under `dir` (`agents/*.md`, `commands/*.md`) or of the
/// folders holding a `SKILL.md` (`skills/*/`).
fn bundle_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo::root().join(dir))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|p| {
            if dir == "skills" {
                p.join("SKILL.md")
                    .is_file()
                    .then(|| p.file_name().unwrap().to_string_lossy().into_owned())
            } else {
                (p.extension().is_some_and(|x| x == "md"))
                    .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
            }
        })
        .collect();
    names.sort();
    names
}

/// Claude Code's own account of what it loaded: the `init` line of the stream lists every
/// command, agent and skill of the plugin under `session-orchestrator:`.
#[test]
fn the_init_line_lists_every_command_agent_and_skill_of_the_plugin() {
    let setup = setup("cc-init");
    let (run, _model) = run(&setup, Script::one("true"), true);
    let init = run
        .events
        .iter()
        .find(|e| e["type"] == "system" && e["subtype"] == "init")
        .unwrap_or_else(|| panic!("no init line: {}", run.output.describe()));
    let listed = |key: &str| -> Vec<String> {
        init[key]
            .as_array()
            .unwrap_or_else(|| panic!("init has no `{key}` list: {init}"))
            .iter()
            .filter_map(|v| v.as_str())
            .filter_map(|v| v.strip_prefix("session-orchestrator:"))
            .map(str::to_owned)
            .collect()
    };
    let commands = bundle_names("commands");
    let agents = bundle_names("agents");
    let skills = bundle_names("skills");
    assert!(commands.len() >= 3 && agents.len() >= 10 && skills.len() >= 25);
    let slash = listed("slash_commands");
    for name in commands.iter().chain(&skills) {
        // `disable-model-invocation` commands are slash commands like the rest.
        assert!(
            slash.contains(name),
            "/session-orchestrator:{name} is not among the slash commands: {slash:?}"
        );
    }
    let loaded_agents = listed("agents");
    for name in &agents {
        assert!(
            loaded_agents.contains(name),
            "agent {name} not loaded: {loaded_agents:?}"
        );
    }
    let loaded_skills = listed("skills");
    for name in &skills {
        assert!(
            loaded_skills.contains(name),
            "skill {name} not loaded: {loaded_skills:?}"
        );
    }
    // Control: nothing of ours is listed that the bundle does not hold.
    for name in slash.iter().chain(&loaded_skills) {
        assert!(
            commands.contains(name) || skills.contains(name),
            "`{name}` is listed but is neither a command nor a skill of the bundle"
        );
    }
}

/// The Skill tool on `session-orchestrator:plan` loads the plan skill's procedure. (When a
/// command of the same name existed, Claude Code loaded the command instead — whose body
/// said to load the skill — so the skill was unreachable; commands and skills now never
/// share a name.) Control: the skill's own text is in what the model receives next, the
/// command-style preamble is not.
#[test]
fn the_skill_tool_loads_a_skills_procedure() {
    let setup = setup("cc-skill");
    let (_run, model) = run(
        &setup,
        Script::tool(
            "Skill",
            serde_json::json!({"skill": "session-orchestrator:plan"}),
        ),
        true,
    );
    let calls = model.model_calls();
    let next = calls.last().unwrap().body.to_string();
    let skill = std::fs::read_to_string(repo::root().join("skills/plan/SKILL.md")).unwrap();
    let first_step = skill
        .lines()
        .find(|l| l.starts_with("1. "))
        .unwrap()
        .to_owned();
    let escaped = serde_json::to_string(&first_step).unwrap();
    assert!(
        next.contains(escaped.trim_matches('"')),
        "the model did not receive the skill's first step `{first_step}`: {}",
        model.summary()
    );
    assert!(next.contains("## Done when"), "{}", model.summary());
}

/// The skills call `session-orchestrator …` in the Bash tool. Claude Code puts the plugin's
/// `bin/` on that tool's `PATH`, where a shim execs the built CLI: the call works inside a
/// session with nothing installed on `PATH`. Control: without the plugin the same command is
/// not found.
#[test]
fn the_cli_is_on_the_bash_tools_path_inside_a_session() {
    let setup = setup("cc-cli-path");
    repo::built_cli().unwrap_or_else(|e| panic!("{e}"));
    let command = "session-orchestrator --version";
    let (with_plugin, model) = run(&setup, Script::one(command), true);
    let reply = model.only_tool_reply(&with_plugin.output);
    assert!(
        reply.text.contains("session-orchestrator 0.1.0"),
        "the CLI did not run: {reply:?}"
    );
    let (control, model) = run(&setup, Script::one(command), false);
    let reply = model.only_tool_reply(&control.output);
    assert!(
        !reply.text.contains("session-orchestrator 0.1.0"),
        "the CLI ran without the plugin: is it on the test's PATH? {reply:?}"
    );
}
