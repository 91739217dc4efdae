//! Exact answers per client and event, on real payloads, as insta snapshots.
//!
//! One snapshot per payload holds every outcome shape, so a reviewer reads a whole event's
//! behaviour in one file (`tests/snapshots/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;

use common::{input, outcomes};
use so_protocol::render;

/// Renders every outcome for the payload `file` and snapshots the result under `name`.
fn snapshot_all(name: &str, file: &str) {
    let input = input(file);
    let mut out = format!("payload: {file}\nclient: {}\n", input.client.name());
    for (label, outcome) in outcomes() {
        let r = render(&input, &outcome);
        write!(out, "\n--- {label}\nexit={}\n{}", r.exit_code, r.stdout).unwrap();
        if !r.stderr.is_empty() {
            write!(out, "stderr: {}", r.stderr).unwrap();
        }
    }
    insta::assert_snapshot!(name, out);
}

#[test]
fn claude() {
    for (name, file) in [
        ("claude_PreToolUse_bypass", "cc.deny.bash.PreToolUse.json"),
        (
            "claude_PreToolUse_default",
            "cc.defaultperm.bash.PreToolUse.json",
        ),
        ("claude_PreToolUse_dontAsk", "cc.dontAsk.PreToolUse.json"),
        (
            "claude_PermissionRequest",
            "cc.defaultperm.bash.PermissionRequest.json",
        ),
        ("claude_PostToolUse", "cc.allow.bash.PostToolUse.json"),
        (
            "claude_UserPromptSubmit",
            "cc.deny.bash.UserPromptSubmit.json",
        ),
        ("claude_Stop", "cc.deny.bash.Stop.json"),
        ("claude_SubagentStop", "cc.SubagentStop.json"),
        ("claude_SessionStart", "cc.deny.bash.SessionStart.json"),
        ("claude_SessionEnd", "cc.deny.bash.SessionEnd.json"),
        ("claude_CwdChanged", "cc.CwdChanged.json"),
    ] {
        snapshot_all(name, file);
    }
}

#[test]
fn codex() {
    for (name, file) in [
        ("codex_PreToolUse", "codex.deny.shell.PreToolUse.json"),
        (
            "codex_PreToolUse_patch",
            "codex.deny.patch.PreToolUse_write.json",
        ),
        ("codex_PermissionRequest", "codex.PermissionRequest.json"),
        ("codex_PostToolUse", "codex.allow.shell.PostToolUse.json"),
        (
            "codex_UserPromptSubmit",
            "codex.deny.shell.UserPromptSubmit.json",
        ),
        ("codex_Stop", "codex.deny.shell.Stop.json"),
        ("codex_SubagentStart", "codex.SubagentStart.json"),
        ("codex_SubagentStop", "codex.SubagentStop.json"),
        ("codex_SessionStart", "codex.deny.shell.SessionStart.json"),
        ("codex_SessionEnd", "codex.SessionEnd.json"),
        ("codex_PreCompact", "codex.PreCompact.json"),
    ] {
        snapshot_all(name, file);
    }
}

#[test]
fn cursor() {
    for (name, file) in [
        (
            "cursor_beforeShellExecution",
            "cursor.beforeShellExecution.json",
        ),
        ("cursor_preToolUse", "cursor.preToolUse.shell.json"),
        ("cursor_postToolUse", "cursor.postToolUse.json"),
        ("cursor_sessionStart", "cursor.sessionStart.json"),
        ("cursor_stop", "cursor.stop.json"),
        (
            "cursor_beforeSubmitPrompt",
            "cursor.beforeSubmitPrompt.json",
        ),
        ("cursor_subagentStart", "cursor.subagentStart.json"),
        ("cursor_afterFileEdit", "cursor.afterFileEdit.json"),
    ] {
        snapshot_all(name, file);
    }
}
