//! `session-orchestrator doctor` and `install codex --trust` against the REAL clients: the
//! plugin installed with our own `install claude|codex --run` into a fresh HOME, doctor
//! reporting what the clients themselves say — installed and enabled, Codex's hooks not
//! trusted (the silent skip) — then `install codex --trust` making them trusted, and a real
//! Codex session whose destructive command the now-trusted guard blocks.
//!
//! Control for the trust check: before `--trust`, doctor fails on exactly that line; after
//! it, doctor passes and Codex really runs the guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use so_e2e::clients::{self, Clients};
use so_e2e::codex::Codex;
use so_e2e::model::{Api, FakeModel, Script};
use so_e2e::process::{self, Output};
use so_e2e::repo::{self, Binaries};
use so_e2e::sandbox::Sandbox;

const LIMIT: std::time::Duration = std::time::Duration::from_mins(2);

/// `session-orchestrator ARGS` with the sandbox's `HOME` and `CODEX_HOME` and both clients on
/// `PATH`.
fn cli(clients: &Clients, sandbox: &Sandbox, codex_home: &Path, args: &[&str]) -> Output {
    let bin = repo::built_cli().unwrap_or_else(|e| panic!("{e}"));
    let mut path = vec![
        clients.claude.parent().unwrap().to_path_buf(),
        clients.codex.parent().unwrap().to_path_buf(),
    ];
    path.extend(std::env::split_paths(&clients.path_env()));
    let mut command = Command::new(bin);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("HOME", &sandbox.home)
        .env("CODEX_HOME", codex_home)
        .env("TMPDIR", &sandbox.tmp)
        .env("LANG", "C.UTF-8")
        .current_dir(&sandbox.proj);
    process::run(&mut command, LIMIT).unwrap()
}

/// The doctor's checks as (status, message).
fn checks(out: &Output) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {}", out.describe()));
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn find<'a>(checks: &'a [(String, String)], prefix: &str) -> &'a (String, String) {
    checks
        .iter()
        .find(|(_, m)| m.starts_with(prefix))
        .unwrap_or_else(|| panic!("no check starting `{prefix}` in {checks:#?}"))
}

#[test]
fn doctor_sees_untrusted_codex_hooks_and_install_trust_fixes_them() {
    let clients = clients::require();
    repo::built_cli().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new("doctor").unwrap_or_else(|e| panic!("{e}"));
    let tracked = sandbox.git_project_with_change().unwrap();
    let canary = sandbox.dir.join("CANARY");
    let command = format!("touch '{}' && git reset --hard", canary.display());
    let model = FakeModel::start(Api::OpenAi, Script::one(&command)).unwrap();
    let marketplace = sandbox.dir.join("marketplace");
    repo::stage_plugin(&marketplace, Binaries::TargetRelease).unwrap_or_else(|e| panic!("{e}"));
    let codex = Codex::new(&clients, &sandbox, &model).unwrap_or_else(|e| panic!("{e}"));
    let root = marketplace.to_str().unwrap();
    let doctor = |sandbox: &Sandbox| {
        let proj = sandbox.proj.to_str().unwrap().to_owned();
        cli(
            &clients,
            sandbox,
            &codex.home,
            &[
                "doctor",
                "--plugin-root",
                root,
                "--project",
                &proj,
                "--json",
            ],
        )
    };

    // Nothing installed: both clients say so, as warnings (nothing is broken yet).
    let before = doctor(&sandbox);
    let c = checks(&before);
    assert_eq!(
        find(&c, "Claude Code: session-orchestrator is not installed").0,
        "WARN"
    );
    assert_eq!(
        find(&c, "Codex: session-orchestrator is not installed").0,
        "WARN"
    );

    // Installed with our own commands, which run the clients' marketplace steps.
    for client in ["claude", "codex"] {
        let out = cli(
            &clients,
            &sandbox,
            &codex.home,
            &["install", client, "--run", "--plugin-root", root],
        );
        assert!(out.success(), "install {client}: {}", out.describe());
    }
    let installed = doctor(&sandbox);
    assert_installed_but_untrusted(&installed);

    // The fix.
    let trusted = cli(
        &clients,
        &sandbox,
        &codex.home,
        &["install", "codex", "--trust"],
    );
    assert!(trusted.success(), "{}", trusted.describe());
    assert!(
        trusted.stdout.contains("Codex now runs all"),
        "{}",
        trusted.describe()
    );
    let after = doctor(&sandbox);
    let c = checks(&after);
    let ok = c
        .iter()
        .find(|(_, m)| m.contains("session-orchestrator hooks are trusted for"))
        .unwrap_or_else(|| panic!("no trust pass in {c:#?}"));
    assert_eq!(ok.0, "PASS");
    let failed: Vec<_> = c.iter().filter(|(s, _)| s == "FAIL").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(find(&c, "the skills' CLI: ").0, "PASS");
    // Codex agents have no plugin folder on PATH: the CLI must be installed for them.
    assert_eq!(
        find(
            &c,
            "session-orchestrator is not on PATH, so Codex and Cursor agents"
        )
        .0,
        "WARN"
    );
    assert!(after.success(), "{}", after.describe());

    // And Codex really runs the guard now: the destructive command is blocked.
    let out = codex
        .exec()
        .unwrap_or_else(|e| panic!("{e}\nfake model: {}", model.summary()));
    assert!(
        !canary.exists(),
        "the command ran: Codex did not run the trusted guard\n{}\n{}",
        model.summary(),
        out.describe()
    );
    assert_eq!(
        std::fs::read_to_string(&tracked).unwrap(),
        "uncommitted change\n"
    );
    let replies = model.tool_replies();
    assert!(
        replies
            .iter()
            .any(|r| r.text.contains("session-orchestrator destructive-guard")),
        "the model did not get the guard's reason: {replies:?}"
    );
}

/// Doctor after `install claude|codex --run`: both installed, Claude's copy runs the guard,
/// and every Codex hook of ours is reported untrusted with the fix named.
fn assert_installed_but_untrusted(out: &Output) {
    let c = checks(out);
    assert_eq!(
        find(&c, "Claude Code: session-orchestrator@session-orchestrator").0,
        "PASS"
    );
    let copy = find(&c, "Claude Code: its copy");
    assert_eq!(copy.0, "PASS", "{copy:?}");
    assert!(copy.1.contains("`git reset --hard` denied"), "{copy:?}");
    assert_eq!(
        find(&c, "Codex: session-orchestrator@session-orchestrator").0,
        "PASS"
    );
    // The silent skip, found: every hook of ours untrusted, and the fix named.
    let trust = find(&c, "Codex: ");
    let trust = c
        .iter()
        .find(|(_, m)| m.contains("session-orchestrator hooks are not trusted"))
        .unwrap_or_else(|| panic!("no trust failure in {c:#?} ({trust:?})"));
    assert_eq!(trust.0, "FAIL");
    assert!(
        trust.1.contains("destructive-guard (untrusted)"),
        "{trust:?}"
    );
    assert!(
        trust
            .1
            .contains("session-orchestrator install codex --trust"),
        "{trust:?}"
    );
    assert_eq!(out.status.and_then(|s| s.code()), Some(1));
}
