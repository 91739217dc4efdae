//! The plugin installed without its binaries (a fresh clone or marketplace install before
//! `cargo build --release`), with neither `PATH` nor `HOME` holding them: `hooks/run` must
//! not let the session run unguarded. In both real clients the guarded call is blocked and
//! the agent is told the exact build command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_e2e::claude;
use so_e2e::clients::{self, Clients};
use so_e2e::codex::Codex;
use so_e2e::model::{Api, FakeModel, Script};
use so_e2e::repo::{self, Binaries};
use so_e2e::sandbox::Sandbox;

/// The build command the launcher's message must give for a plugin root.
fn build_command(root: &Path) -> String {
    format!("cd \"{}\" && cargo build --release", root.display())
}

/// Neither the staged plugin, nor `HOME`, nor the clients' `PATH` holds a hook binary.
fn assert_no_binaries_anywhere(clients: &Clients, sandbox: &Sandbox, plugin: &Path) {
    for name in repo::hook_binaries().unwrap() {
        for place in [
            plugin.join("target/release").join(&name),
            plugin.join("bin").join(&name),
            sandbox.home.join(".cargo/bin").join(&name),
        ] {
            assert!(!place.exists(), "precondition: {} exists", place.display());
        }
        for dir in clients.path_env().split(':') {
            let place = Path::new(dir).join(&name);
            assert!(
                !place.exists(),
                "precondition: {} is on PATH",
                place.display()
            );
        }
    }
}

#[test]
fn claude_code_blocks_rm_rf_with_the_build_command_when_the_binaries_are_missing() {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new("cc-missing").unwrap();
    let plugin = sandbox.dir.join("plugin");
    repo::stage_plugin(&plugin, Binaries::None).unwrap();
    assert_no_binaries_anywhere(&clients, &sandbox, &plugin);
    let canary = sandbox.home.join("so-e2e-canary-dir");
    std::fs::create_dir_all(&canary).unwrap();
    std::fs::write(canary.join("keep.txt"), "user data\n").unwrap();
    let model =
        FakeModel::start(Api::Anthropic, Script::one("rm -rf ~/so-e2e-canary-dir")).unwrap();

    let run =
        claude::run(&clients, &sandbox, &model, Some(&plugin)).unwrap_or_else(|e| panic!("{e}"));

    assert!(
        canary.join("keep.txt").is_file(),
        "the canary was deleted: a missing binary let the command through\n{}",
        run.output.describe()
    );
    let replies = model.tool_replies();
    assert_eq!(replies.len(), 1, "{}", model.summary());
    let reply = &replies[0];
    assert!(
        reply.is_error
            && (reply.text.contains("destructive-guard is not built")
                || reply.text.contains("scope-enforcer is not built"))
            && reply.text.contains(&build_command(&plugin)),
        "the model did not get the build instructions: {reply:?}"
    );
    assert_eq!(run.permission_denials().len(), 1, "{:?}", run.result());
}

/// Control: the same staged plugin with the binary in `bin/` (the launcher's second place)
/// lets a harmless command run, so the block above is the missing binary's.
#[test]
fn control_claude_code_runs_a_harmless_command_with_the_binary_in_bin() {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new("cc-bin").unwrap();
    let plugin = sandbox.dir.join("plugin");
    repo::stage_plugin(&plugin, Binaries::Bin).unwrap();
    let canary = sandbox.dir.join("created-by-touch");
    let model = FakeModel::start(
        Api::Anthropic,
        Script::one(format!("touch '{}'", canary.display())),
    )
    .unwrap();

    let run =
        claude::run(&clients, &sandbox, &model, Some(&plugin)).unwrap_or_else(|e| panic!("{e}"));

    assert!(
        canary.is_file(),
        "the harmless command did not run\n{}\n{}",
        model.summary(),
        run.output.describe()
    );
    assert!(run.permission_denials().is_empty(), "{:?}", run.result());
}

/// Codex, with the binary-less plugin installed from the marketplace and trusted: even a
/// harmless command is blocked until the hooks are built (the control with binaries is
/// `codex::control_a_harmless_command_runs_with_the_trusted_plugin`).
#[test]
fn codex_blocks_with_the_build_command_when_the_binaries_are_missing() {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new("cx-missing").unwrap();
    let marketplace = sandbox.dir.join("marketplace");
    repo::stage_plugin(&marketplace, Binaries::None).unwrap();
    assert_no_binaries_anywhere(&clients, &sandbox, &marketplace);
    let canary = sandbox.dir.join("CANARY");
    let model = FakeModel::start(
        Api::OpenAi,
        Script::one(format!("touch '{}'", canary.display())),
    )
    .unwrap();
    let codex = Codex::new(&clients, &sandbox, &model).unwrap();
    codex
        .install_plugin(&marketplace)
        .unwrap_or_else(|e| panic!("{e}"));
    codex.trust_hooks().unwrap_or_else(|e| panic!("{e}"));

    let out = codex.exec().unwrap_or_else(|e| panic!("{e}"));

    assert!(
        !canary.exists(),
        "the command ran: a missing binary let it through\n{}",
        out.describe()
    );
    let installed = codex
        .home
        .join("plugins/cache/session-orchestrator/session-orchestrator/0.1.0");
    let replies = model.tool_replies();
    assert_eq!(replies.len(), 1, "{}", model.summary());
    assert!(
        replies[0]
            .text
            .starts_with("Command blocked by PreToolUse hook")
            && replies[0].text.contains("destructive-guard is not built")
            && replies[0].text.contains(&build_command(&installed)),
        "the model did not get the build instructions: {:?}",
        replies[0]
    );
}
