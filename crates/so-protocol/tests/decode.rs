//! Decoding and dialect detection, on every captured fixture and on constructed payloads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{all_payloads, client_from_file_name, fixture_stdin, fixtures_dir, input};
use serde_json::{Value, json};
use so_protocol::{Client, EventKind, ProtocolError, decode};

#[test]
fn every_captured_fixture_decodes_with_the_client_its_name_says() {
    let mut decoded = 0;
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let Some(bytes) = fixture_stdin(name) else {
            // Captures of what the model saw, not hook stdin.
            assert!(
                name.contains("model_sees") || name.contains("stream_result"),
                "{name} has no hook_stdin but is not a known non-stdin capture"
            );
            continue;
        };
        let raw: Value = serde_json::from_slice(&bytes).unwrap();
        let got = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let client = client_from_file_name(name);
        assert_eq!(got.client, client, "{name}");
        assert_eq!(
            got.event_name,
            raw["hook_event_name"].as_str().unwrap(),
            "{name}"
        );
        assert_ne!(
            got.event,
            EventKind::Other,
            "{name}: every captured event is known"
        );
        assert_eq!(
            got.session_id.as_deref(),
            raw["session_id"].as_str(),
            "{name}"
        );
        assert_eq!(
            got.cwd.as_deref(),
            raw["cwd"].as_str().map(Path::new),
            "{name}"
        );
        assert_eq!(
            got.tool_name.as_deref(),
            raw["tool_name"].as_str(),
            "{name}"
        );
        assert_eq!(
            got.tool_input,
            raw.get("tool_input").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(
            got.permission_mode.as_deref(),
            raw["permission_mode"].as_str()
        );
        assert!(
            !got.is_subagent(),
            "{name}: no capture ran inside a subagent"
        );
        assert_eq!(got.raw, raw, "{name}");
        match client {
            Client::Claude => assert!(got.transcript_path.is_some(), "{name}"),
            Client::Codex => assert!(got.transcript_path.is_none(), "{name}"),
            Client::Cursor => unreachable!(),
        }
        let expected_shell = (raw["tool_name"] == "Bash")
            .then(|| raw["tool_input"]["command"].as_str())
            .flatten();
        assert_eq!(got.shell_command(), expected_shell, "{name}");
        decoded += 1;
    }
    // 57 captures hold hook stdin today; a much smaller count means the loop stopped looking.
    assert!(decoded >= 50, "only {decoded} fixtures decoded");
}

#[test]
fn constructed_payloads_decode_with_the_client_their_name_says() {
    for (name, bytes) in all_payloads() {
        let got = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.client, client_from_file_name(&name), "{name}");
    }
}

#[test]
fn events_are_normalised() {
    let cases = [
        (
            "cc.defaultperm.bash.PermissionRequest.json",
            EventKind::PermissionRequest,
        ),
        ("cc.allow.bash.SessionEnd.json", EventKind::SessionEnd),
        ("cc.CwdChanged.json", EventKind::CwdChanged),
        ("codex.allow.shell.Stop.json", EventKind::Stop),
        ("codex.SubagentStop.json", EventKind::SubagentStop),
        ("codex.PreCompact.json", EventKind::Other),
        ("cursor.preToolUse.shell.json", EventKind::PreToolUse),
        ("cursor.postToolUse.json", EventKind::PostToolUse),
        ("cursor.sessionStart.json", EventKind::SessionStart),
        ("cursor.stop.json", EventKind::Stop),
        ("cursor.subagentStart.json", EventKind::SubagentStart),
        (
            "cursor.beforeSubmitPrompt.json",
            EventKind::UserPromptSubmit,
        ),
        (
            "cursor.beforeShellExecution.json",
            EventKind::BeforeShellExecution,
        ),
        ("cursor.afterFileEdit.json", EventKind::AfterFileEdit),
        ("cursor.sessionEnd.json", EventKind::SessionEnd),
    ];
    for (name, kind) in cases {
        assert_eq!(input(name).event, kind, "{name}");
    }
    assert_eq!(input("cursor.stop.json").event_name, "stop");
}

#[test]
fn cursor_before_shell_execution_exposes_the_top_level_command() {
    let got = input("cursor.beforeShellExecution.json");
    assert_eq!(got.client, Client::Cursor);
    assert_eq!(got.shell_command(), Some("rm -rf ~/important"));
    assert_eq!(
        got.session_id.as_deref(),
        Some("668320d2-2fd8-4888-b33c-2a466fec86e7")
    );
    assert_eq!(got.cwd.as_deref(), Some(Path::new("/home/dev/proj")));
    assert_eq!(got.transcript_path, None);
    assert_eq!(got.tool_input, Value::Null);
}

#[test]
fn cursor_pre_tool_use_shell_exposes_tool_input_command() {
    let got = input("cursor.preToolUse.shell.json");
    assert_eq!(got.tool_name.as_deref(), Some("Shell"));
    assert_eq!(got.shell_command(), Some("git push --force"));
    assert_eq!(input("cursor.preToolUse.write.json").shell_command(), None);
}

#[test]
fn cursor_cwd_falls_back_to_the_first_workspace_root() {
    let got = input("cursor.sessionStart.json");
    assert_eq!(got.cwd.as_deref(), Some(Path::new("/home/dev/proj")));
    // conversation_id wins over session_id; here they are equal, so check with a difference.
    let bytes =
        br#"{"hook_event_name":"sessionEnd","session_id":"s","workspace_roots":["/w","/x"]}"#;
    let got = decode(bytes).unwrap();
    assert_eq!(got.session_id.as_deref(), Some("s"));
    assert_eq!(got.cwd.as_deref(), Some(Path::new("/w")));
}

#[test]
fn cursor_subagent_fields_map_to_agent_fields() {
    let got = input("cursor.subagentStart.json");
    assert_eq!(got.agent_id.as_deref(), Some("sub_1"));
    assert_eq!(got.agent_type.as_deref(), Some("explore"));
    assert!(got.is_subagent());
}

#[test]
fn subagents_are_recognised_by_agent_id_only() {
    assert!(input("codex.subagent.PreToolUse.json").is_subagent());
    assert!(input("cc.SubagentStop.json").is_subagent());
    let main_thread_agent = json!({
        "session_id": "s", "transcript_path": "/t.jsonl", "cwd": "/p",
        "hook_event_name": "PreToolUse", "agent_type": "reviewer",
        "tool_name": "Bash", "tool_input": {"command": "ls"}
    });
    let got = decode(main_thread_agent.to_string().as_bytes()).unwrap();
    assert!(!got.is_subagent());
    assert_eq!(got.agent_type.as_deref(), Some("reviewer"));
}

#[test]
fn dialect_detection_rules() {
    let detect = |v: Value| decode(v.to_string().as_bytes()).unwrap().client;
    // Cursor: camelCase event, or any Cursor-only key.
    assert_eq!(detect(json!({"hook_event_name": "stop"})), Client::Cursor);
    for key in [
        "conversation_id",
        "generation_id",
        "cursor_version",
        "workspace_roots",
    ] {
        assert_eq!(
            detect(json!({"hook_event_name": "PreToolUse", key: "x", "turn_id": "t"})),
            Client::Cursor,
            "{key}"
        );
    }
    // Codex: turn_id; or model with null/absent transcript_path; or null transcript_path.
    assert_eq!(
        detect(json!({"hook_event_name": "Stop", "turn_id": "t"})),
        Client::Codex
    );
    assert_eq!(
        detect(json!({"hook_event_name": "SessionStart", "model": "m"})),
        Client::Codex
    );
    assert_eq!(
        detect(json!({"hook_event_name": "SessionEnd", "transcript_path": null})),
        Client::Codex
    );
    // Claude: model with a real transcript path (Claude SessionStart may carry model).
    assert_eq!(input("cc.SessionStart.model.json").client, Client::Claude);
    assert_eq!(
        detect(json!({"hook_event_name": "SessionEnd"})),
        Client::Claude
    );
}

#[test]
fn shell_command_is_only_for_shell_tools() {
    assert_eq!(
        input("codex.allow.patch.PreToolUse_write.json").shell_command(),
        None
    );
    assert_eq!(
        input("cc.allow.write.PreToolUse_write.json").shell_command(),
        None
    );
    let ps = json!({"hook_event_name": "PreToolUse", "transcript_path": "/t",
        "tool_name": "PowerShell", "tool_input": {"command": "Remove-Item x"}});
    assert_eq!(
        decode(ps.to_string().as_bytes()).unwrap().shell_command(),
        None
    );
    let not_a_string = json!({"hook_event_name": "PreToolUse", "transcript_path": "/t",
        "tool_name": "Bash", "tool_input": {"command": ["rm"]}});
    assert_eq!(
        decode(not_a_string.to_string().as_bytes())
            .unwrap()
            .shell_command(),
        None
    );
}

#[test]
fn decode_errors_are_specific_and_readable() {
    assert!(matches!(decode(b""), Err(ProtocolError::Empty)));
    assert!(matches!(decode(b" \n\t "), Err(ProtocolError::Empty)));
    assert!(matches!(
        decode(b"{\"a\":\xff}"),
        Err(ProtocolError::InvalidUtf8 { valid_up_to: 5 })
    ));
    let err = decode(b"{\"hook_event_name\": }").unwrap_err();
    let ProtocolError::Json {
        line,
        column,
        message,
    } = &err
    else {
        panic!("expected a JSON error, got {err:?}");
    };
    assert_eq!((*line, *column), (1, 21));
    assert!(!message.contains("at line"), "{message}");
    assert_eq!(
        err.to_string(),
        format!(
            "hook payload is not valid JSON (line 1, column 21: {message}): the client sent \
             something this hook cannot read"
        )
    );
    assert!(matches!(decode(b"[1,2]"), Err(ProtocolError::NotAnObject)));
    assert!(matches!(
        decode(b"{}"),
        Err(ProtocolError::MissingEventName)
    ));
    assert!(matches!(
        decode(br#"{"hook_event_name": 3}"#),
        Err(ProtocolError::MissingEventName)
    ));
    assert!(matches!(
        decode(br#"{"hook_event_name": ""}"#),
        Err(ProtocolError::MissingEventName)
    ));
    // Nesting deeper than serde_json's recursion limit is an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(matches!(
        decode(deep.as_bytes()),
        Err(ProtocolError::Json { .. })
    ));
}

#[test]
fn a_byte_order_mark_is_tolerated() {
    let got = decode("\u{feff}{\"hook_event_name\":\"Stop\",\"turn_id\":\"t\"}".as_bytes());
    assert_eq!(got.unwrap().client, Client::Codex);
}

#[test]
fn client_names() {
    assert_eq!(Client::Claude.name(), "claude");
    assert_eq!(Client::Codex.name(), "codex");
    assert_eq!(Client::Cursor.name(), "cursor");
}
