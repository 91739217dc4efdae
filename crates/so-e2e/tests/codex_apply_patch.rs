//! The real Codex CLI (pinned version) with this repository's plugin installed from its
//! marketplace and its hooks trusted, as in `tests/codex.rs`: the scope enforcer stops an
//! `apply_patch` (Codex's freeform file-edit tool) that adds a file outside the wave's
//! manifest, and its reason reaches the model.
//!
//! Allow control: with the same manifest, a patch adding a file inside the wave's paths
//! creates it (the plugin does not block every patch). Codex offers `apply_patch` only to a
//! model slug it knows, so the runs use `-m gpt-5.5` against the fake provider.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use so_e2e::clients;
use so_e2e::codex::Codex;
use so_e2e::model::{Api, FakeModel, Script, ToolReply};
use so_e2e::process::Output;
use so_e2e::repo::{self, Binaries};
use so_e2e::sandbox::{self, Sandbox};

/// What Codex puts before a `PreToolUse` hook's block reason in the tool output.
const HOOK_BLOCK_PREFIX: &str = "Command blocked by PreToolUse hook";

/// The wave manifest: wave 2, `src/**` only.
const MANIFEST: &str = r#"{"wave":2,"role":"Impl-Core","allowedPaths":["src/**"]}"#;

/// A known model slug, for which Codex offers `apply_patch`.
const SLUG: &str = "gpt-5.5";

/// One Codex session with the plugin installed and trusted, the manifest in
/// `<project>/.codex/wave-scope.json`, and one `apply_patch` adding `rel`.
fn patch_session(label: &str, rel: &str) -> Session {
    let clients = clients::require();
    let guard = repo::built_guard().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        guard.with_file_name("scope-enforcer").is_file(),
        "scope-enforcer is missing after the build"
    );
    let sandbox = Sandbox::new(label).unwrap_or_else(|e| panic!("{e}"));
    sandbox.git_project_with_change().unwrap();
    let dir = sandbox.proj.join(".codex");
    std::fs::create_dir_all(&dir).unwrap();
    sandbox::write(&dir.join("wave-scope.json"), MANIFEST).unwrap();

    let patch = format!(
        "*** Begin Patch\n*** Add File: {rel}\n+written by the fake model\n*** End Patch\n"
    );
    let model = FakeModel::start(Api::OpenAi, Script::tool("apply_patch", json!(patch))).unwrap();
    let marketplace = sandbox.dir.join("marketplace");
    repo::stage_plugin(&marketplace, Binaries::TargetRelease).unwrap_or_else(|e| panic!("{e}"));

    let codex = Codex::new(&clients, &sandbox, &model).unwrap_or_else(|e| panic!("{e}"));
    codex
        .install_plugin(&marketplace)
        .unwrap_or_else(|e| panic!("{e}"));
    let keys = codex.trust_hooks().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        keys.iter()
            .any(|k| k.starts_with("session-orchestrator@session-orchestrator:")),
        "the plugin's hooks are not among the trusted ones: {keys:?}"
    );
    let output = codex
        .exec_as(SLUG)
        .unwrap_or_else(|e| panic!("{e}\nfake model: {}", model.summary()));
    let offered = model.model_calls().first().is_some_and(|call| {
        call.body["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["name"] == "apply_patch")
    });
    Session {
        created: sandbox.proj.join(rel).exists(),
        offered,
        output,
        replies: model.tool_replies(),
        summary: model.summary(),
        _sandbox: sandbox,
    }
}

struct Session {
    created: bool,
    offered: bool,
    output: Output,
    replies: Vec<ToolReply>,
    summary: String,
    _sandbox: Sandbox,
}

impl Session {
    fn context(&self) -> String {
        format!("fake model: {}\n{}", self.summary, self.output.describe())
    }

    /// The one tool reply, after checking that Codex offered `apply_patch` at all.
    fn only_reply(&self) -> &ToolReply {
        assert!(
            self.offered,
            "codex did not offer apply_patch to {SLUG}\n{}",
            self.context()
        );
        assert_eq!(
            self.replies.len(),
            1,
            "expected one tool reply\n{}",
            self.context()
        );
        &self.replies[0]
    }
}

#[test]
fn patch_outside_the_wave_is_denied_by_the_scope_enforcer() {
    let s = patch_session("cx-patch-deny", "docs/out.md");
    let reply = s.only_reply();
    assert!(
        !s.created,
        "docs/out.md was created: the hook did not block the patch\n{}",
        s.context()
    );
    assert!(
        reply.text.starts_with(HOOK_BLOCK_PREFIX)
            && reply
                .text
                .contains("session-orchestrator scope-enforcer: Scope violation")
            && reply.text.contains("`docs/out.md`"),
        "the model did not get the enforcer's reason: {reply:?}\n{}",
        s.context()
    );
}

/// Allow control: the same manifest lets a patch inside `src/**` through.
#[test]
fn control_a_patch_inside_the_wave_is_applied() {
    let s = patch_session("cx-patch-allow", "src/ok.rs");
    let reply = s.only_reply();
    assert!(
        s.created,
        "src/ok.rs was not created\nreply: {reply:?}\n{}",
        s.context()
    );
    assert!(!reply.text.contains(HOOK_BLOCK_PREFIX), "{reply:?}");
}
