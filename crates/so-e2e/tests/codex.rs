//! The real Codex CLI (pinned version) with this repository's plugin installed the way a
//! user installs it — `codex plugin marketplace add DIR` and `codex plugin add
//! session-orchestrator@session-orchestrator` under a fresh `CODEX_HOME` — and its hooks
//! trusted the way `/hooks` trusts them. The guard stops a destructive shell command and the
//! deny reason reaches the model.
//!
//! Codex skips untrusted hooks without a word, so every test checks the hook's own text in
//! what the model received. Controls: a harmless command runs with the plugin, and the very
//! same destructive command runs when the plugin is installed but its hook is not trusted.
//!
//! The marketplace folder is a copy of the repository's plugin files with the release guard
//! in `target/release/` ([`repo::stage_plugin`]): `plugin add` copies the whole plugin folder
//! into `CODEX_HOME`, and the repository's own folder holds gigabytes of build output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use so_e2e::clients;
use so_e2e::codex::Codex;
use so_e2e::model::{Api, FakeModel, Script, ToolReply};
use so_e2e::process::Output;
use so_e2e::repo::{self, Binaries};
use so_e2e::sandbox::{self, Sandbox};

/// What Codex puts before a `PreToolUse` hook's block reason in the tool output.
const HOOK_BLOCK_PREFIX: &str = "Command blocked by PreToolUse hook";

/// Whether the installed plugin's hooks get trusted before the run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trust {
    Trusted,
    Untrusted,
}

/// One Codex session: install the staged plugin, maybe trust its hooks, run one command.
fn codex_session(
    label: &str,
    trust: Trust,
    make_command: impl FnOnce(&Sandbox) -> String,
) -> Session {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new(label).unwrap_or_else(|e| panic!("{e}"));
    let tracked = sandbox.git_project_with_change().unwrap();
    let canary = sandbox.dir.join("CANARY");
    let command = make_command(&sandbox);
    let model = FakeModel::start(Api::OpenAi, Script::one(&command)).unwrap();
    let marketplace = sandbox.dir.join("marketplace");
    repo::stage_plugin(&marketplace, Binaries::TargetRelease).unwrap_or_else(|e| panic!("{e}"));

    let codex = Codex::new(&clients, &sandbox, &model).unwrap_or_else(|e| panic!("{e}"));
    codex
        .install_plugin(&marketplace)
        .unwrap_or_else(|e| panic!("{e}"));
    if trust == Trust::Trusted {
        let keys = codex.trust_hooks().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            keys.iter()
                .any(|k| k.starts_with("session-orchestrator@session-orchestrator:")),
            "the plugin's hook is not among the trusted ones: {keys:?}"
        );
    }
    let output = codex
        .exec()
        .unwrap_or_else(|e| panic!("{e}\nfake model: {}", model.summary()));
    let replies = model.tool_replies();
    Session {
        canary,
        tracked,
        output,
        replies,
        summary: model.summary(),
        sandbox,
    }
}

struct Session {
    canary: PathBuf,
    tracked: PathBuf,
    output: Output,
    replies: Vec<ToolReply>,
    summary: String,
    sandbox: Sandbox,
}

impl Session {
    fn only_reply(&self) -> &ToolReply {
        assert_eq!(
            self.replies.len(),
            1,
            "expected one tool reply; {}\n{}",
            self.summary,
            self.output.describe()
        );
        &self.replies[0]
    }

    fn context(&self) -> String {
        format!("fake model: {}\n{}", self.summary, self.output.describe())
    }
}

/// `touch CANARY && git reset --hard`: if anything of it runs, the canary appears.
fn destructive(sandbox: &Sandbox) -> String {
    format!(
        "touch '{}' && git reset --hard",
        sandbox.dir.join("CANARY").display()
    )
}

#[test]
fn destructive_command_is_denied_by_the_trusted_plugin_hook() {
    let s = codex_session("cx-deny", Trust::Trusted, destructive);
    let guard = repo::built_guard().unwrap();
    let verdict = sandbox::guard_verdict(
        &guard,
        &s.sandbox.home,
        &s.sandbox.proj,
        &destructive(&s.sandbox),
    )
    .unwrap();
    assert!(verdict.denied, "precondition: {}", verdict.stdout);

    assert!(
        !s.canary.exists(),
        "the command ran: the hook did not block it\n{}",
        s.context()
    );
    assert_eq!(
        std::fs::read_to_string(&s.tracked).unwrap(),
        "uncommitted change\n"
    );
    let reply = s.only_reply();
    assert!(
        reply.text.starts_with(HOOK_BLOCK_PREFIX)
            && reply
                .text
                .contains("session-orchestrator destructive-guard [git:reset-hard]"),
        "the model did not get the guard's reason: {reply:?}\n{}",
        s.context()
    );
}

/// Allow control with the plugin trusted: a harmless command runs.
#[test]
fn control_a_harmless_command_runs_with_the_trusted_plugin() {
    let s = codex_session("cx-touch", Trust::Trusted, |sb| {
        format!("touch '{}'", sb.dir.join("CANARY").display())
    });
    assert!(
        s.canary.is_file(),
        "the harmless command did not run\n{}",
        s.context()
    );
    let reply = s.only_reply();
    assert!(!reply.text.contains(HOOK_BLOCK_PREFIX), "{reply:?}");
}

/// Allow control with the plugin installed but its hook not trusted: Codex skips the hook
/// silently and runs the very same destructive command. So the deny above is our hook's,
/// and the trust step is what arms it.
#[test]
fn control_the_same_command_runs_when_the_hook_is_not_trusted() {
    let s = codex_session("cx-untrusted", Trust::Untrusted, destructive);
    assert!(
        s.canary.is_file(),
        "the command did not run without trust, so the deny test proves nothing\n{}",
        s.context()
    );
    assert_eq!(std::fs::read_to_string(&s.tracked).unwrap(), "committed\n");
    let reply = s.only_reply();
    assert!(!reply.text.contains(HOOK_BLOCK_PREFIX), "{reply:?}");
}

/// Codex loads the plugin's markdown bundle too: after the marketplace install it offers
/// every skill of `skills/`, read from its copy of the plugin, named
/// `session-orchestrator:<skill>`. Control: before the install it offers none from a copy.
/// (Skills are told apart by file, not name: Codex names a skill after the nearest plugin
/// manifest above its file, and the runs folder lies inside this repository.)
#[test]
fn codex_offers_every_skill_of_the_installed_plugin() {
    let clients = clients::require();
    repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    let sandbox = Sandbox::new("cx-skills").unwrap_or_else(|e| panic!("{e}"));
    sandbox.git_project_with_change().unwrap();
    let model = FakeModel::start(Api::OpenAi, Script::one("true")).unwrap();
    let marketplace = sandbox.dir.join("marketplace");
    repo::stage_plugin(&marketplace, Binaries::TargetRelease).unwrap_or_else(|e| panic!("{e}"));
    let codex = Codex::new(&clients, &sandbox, &model).unwrap_or_else(|e| panic!("{e}"));
    let copy = codex
        .home
        .join("plugins/cache/session-orchestrator/session-orchestrator/0.1.0/skills");
    let from_copy = |listed: Vec<(String, PathBuf)>| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = listed
            .into_iter()
            .filter_map(|(name, path)| {
                let rel = path.strip_prefix(&copy).ok()?;
                let dir = rel.parent()?.to_string_lossy().into_owned();
                Some((dir, name))
            })
            .collect();
        out.sort();
        out
    };
    let before = from_copy(codex.list_skills().unwrap_or_else(|e| panic!("{e}")));
    assert!(before.is_empty(), "{before:?}");
    codex
        .install_plugin(&marketplace)
        .unwrap_or_else(|e| panic!("{e}"));
    let after = from_copy(codex.list_skills().unwrap_or_else(|e| panic!("{e}")));
    let mut expected: Vec<(String, String)> = std::fs::read_dir(repo::root().join("skills"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("SKILL.md").is_file())
        .map(|e| {
            let dir = e.file_name().to_string_lossy().into_owned();
            let name = format!("session-orchestrator:{dir}");
            (dir, name)
        })
        .collect();
    expected.sort();
    assert_eq!(after, expected);
}
