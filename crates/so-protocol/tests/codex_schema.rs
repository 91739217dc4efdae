//! Every Codex answer must fit Codex 0.169's output schema for its event (reference D.5):
//! an unknown key makes Codex discard the whole answer and fail open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{all_payloads, one_json_object, outcomes};
use serde_json::Value;
use so_protocol::{Client, EventKind, HookInput, MAX_REASON_CHARS, Outcome, decode, render};

const UNIVERSAL: &[&str] = &["continue", "stopReason", "suppressOutput", "systemMessage"];

/// Allowed keys for one Codex event: extra top-level keys beyond [`UNIVERSAL`], and the
/// `hookSpecificOutput` keys (`None`: `hookSpecificOutput` not allowed).
struct Schema {
    universal: bool,
    top: &'static [&'static str],
    specific: Option<&'static [&'static str]>,
}

/// D.5 as a table. `None` for `SessionEnd`: it has no output schema, so nothing may be printed.
fn schema(event: &str) -> Option<Schema> {
    let s = |universal, top, specific| {
        Some(Schema {
            universal,
            top,
            specific,
        })
    };
    match event {
        "SessionStart" | "SubagentStart" => s(
            true,
            &["hookSpecificOutput"],
            Some(&["hookEventName", "additionalContext"]),
        ),
        "UserPromptSubmit" => s(
            true,
            &["decision", "reason", "hookSpecificOutput"],
            Some(&["hookEventName", "additionalContext"]),
        ),
        "PreToolUse" => s(
            true,
            &["decision", "reason", "hookSpecificOutput"],
            Some(&[
                "hookEventName",
                "permissionDecision",
                "permissionDecisionReason",
                "updatedInput",
                "additionalContext",
            ]),
        ),
        "PermissionRequest" => s(
            true,
            &["hookSpecificOutput"],
            Some(&["hookEventName", "decision"]),
        ),
        "PostToolUse" => s(
            true,
            &["decision", "reason", "hookSpecificOutput"],
            Some(&["hookEventName", "additionalContext", "updatedMCPToolOutput"]),
        ),
        "Stop" | "SubagentStop" => s(true, &["decision", "reason"], None),
        "PreCompact" | "PostCompact" => s(true, &[], None),
        "Interrupt" => s(false, &["systemMessage"], None),
        "SessionEnd" => None,
        other => panic!("no Codex schema written down for {other}"),
    }
}

/// Checks one rendered answer against the event's schema and Codex's value rules.
fn check(input: &HookInput, label: &str, stdout: &str, exit_code: u8) {
    let event = input.event_name.as_str();
    let ctx = format!("codex {event} / {label}: {stdout}");
    assert_eq!(exit_code, 0, "{ctx}");
    let Some(schema) = schema(event) else {
        assert!(stdout.is_empty(), "{ctx}: SessionEnd takes no output");
        return;
    };
    let Some(top) = one_json_object(stdout) else {
        return;
    };
    for key in top.keys() {
        let allowed = schema.top.contains(&key.as_str())
            || (schema.universal && UNIVERSAL.contains(&key.as_str()));
        assert!(allowed, "{ctx}: top-level key {key} not in Codex's schema");
        // Parsed but unsupported, or turned into a failed run, on the events we answer.
        assert!(
            !["continue", "stopReason", "suppressOutput"].contains(&key.as_str()),
            "{ctx}: {key} is never sent"
        );
    }
    if let Some(decision) = top.get("decision") {
        assert_eq!(
            decision, "block",
            "{ctx}: only block is sent (approve fails the run)"
        );
        let reason = top.get("reason").and_then(Value::as_str).unwrap_or("");
        assert!(
            !reason.trim().is_empty(),
            "{ctx}: block needs a non-empty reason"
        );
    }
    let Some(specific) = top.get("hookSpecificOutput") else {
        return;
    };
    let allowed = schema
        .specific
        .unwrap_or_else(|| panic!("{ctx}: no hookSpecificOutput here"));
    let specific = specific.as_object().unwrap();
    for key in specific.keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{ctx}: hookSpecificOutput.{key}"
        );
    }
    assert_eq!(specific["hookEventName"], event, "{ctx}");
    if let Some(decision) = specific.get("permissionDecision") {
        // ask fails the run; allow needs updatedInput, which is never sent.
        assert_eq!(decision, "deny", "{ctx}");
        let reason = specific["permissionDecisionReason"].as_str().unwrap();
        assert!(!reason.trim().is_empty(), "{ctx}");
        assert!(reason.chars().count() <= MAX_REASON_CHARS, "{ctx}");
    } else {
        assert!(!specific.contains_key("permissionDecisionReason"), "{ctx}");
    }
    if let Some(decision) = specific.get("decision") {
        let decision = decision.as_object().unwrap();
        assert_eq!(decision["behavior"], "deny", "{ctx}");
        for key in decision.keys() {
            // updatedInput / updatedPermissions / interrupt make Codex fail closed as invalid.
            assert!(
                ["behavior", "message"].contains(&key.as_str()),
                "{ctx}: decision.{key}"
            );
        }
    }
}

/// Outcomes of the shared set, plus edge cases: empty and oversized texts.
fn all_outcomes() -> Vec<(&'static str, Outcome)> {
    let mut all = outcomes();
    let huge = "x".repeat(200_000);
    all.extend([
        (
            "Deny(empty reason)",
            Outcome::Deny {
                reason: String::new(),
                user_message: None,
            },
        ),
        ("Ask(empty reason)", Outcome::Ask { reason: " ".into() }),
        (
            "Deny(huge)",
            Outcome::Deny {
                reason: huge.clone(),
                user_message: Some(huge.clone()),
            },
        ),
        (
            "Context(huge)",
            Outcome::Context {
                additional_context: huge.clone(),
                system_message: Some(huge),
            },
        ),
        (
            "Warn(empty)",
            Outcome::Warn {
                message: String::new(),
            },
        ),
    ]);
    all
}

#[test]
fn every_codex_answer_fits_the_codex_schema() {
    let mut checked_events = std::collections::BTreeSet::new();
    for (_, bytes) in all_payloads() {
        let input = decode(&bytes).unwrap();
        if input.client != Client::Codex {
            continue;
        }
        for (label, outcome) in all_outcomes() {
            let r = render(&input, &outcome);
            check(&input, label, &r.stdout, r.exit_code);
        }
        checked_events.insert(input.event_name.clone());
    }
    let expected = [
        "Interrupt",
        "PermissionRequest",
        "PostToolUse",
        "PreCompact",
        "PreToolUse",
        "SessionEnd",
        "SessionStart",
        "Stop",
        "SubagentStart",
        "SubagentStop",
        "UserPromptSubmit",
    ];
    assert_eq!(checked_events.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn the_checker_rejects_keys_codex_does_not_know() {
    // Guards the guard: the checks above must be able to fail.
    let input = common::input("codex.deny.shell.Stop.json");
    let bad = r#"{"hookSpecificOutput":{"hookEventName":"Stop","additionalContext":"x"}}"#;
    assert!(std::panic::catch_unwind(|| check(&input, "bad", bad, 0)).is_err());
    let pre = common::input("codex.deny.shell.PreToolUse.json");
    let ask = r#"{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"ask","permissionDecisionReason":"r"}}"#;
    assert!(std::panic::catch_unwind(|| check(&pre, "ask", ask, 0)).is_err());
    let claude_only = r#"{"terminalSequence":"\u0007"}"#;
    assert!(std::panic::catch_unwind(|| check(&pre, "claude-only", claude_only, 0)).is_err());
}

#[test]
fn every_answer_is_one_object_and_names_its_event() {
    for (name, bytes) in all_payloads() {
        let input = decode(&bytes).unwrap();
        for (label, outcome) in all_outcomes() {
            let r = render(&input, &outcome);
            let ctx = format!("{name} / {label}: {}", r.stdout);
            assert_eq!(r.exit_code, 0, "{ctx}");
            let Some(top) = one_json_object(&r.stdout) else {
                assert!(
                    matches!(
                        outcome,
                        Outcome::Allow | Outcome::Warn { .. } | Outcome::Context { .. }
                    ) || matches!(
                        input.event,
                        EventKind::SessionEnd | EventKind::AfterFileEdit
                    ),
                    "{ctx}: a deny or ask printed nothing"
                );
                continue;
            };
            assert!(r.stdout.ends_with("}\n"), "{ctx}");
            if let Some(specific) = top.get("hookSpecificOutput") {
                assert_eq!(
                    specific["hookEventName"],
                    input.event_name.as_str(),
                    "{ctx}"
                );
            }
            if input.client == Client::Cursor {
                assert!(
                    top.keys().all(|k| !k.contains(char::is_uppercase)),
                    "{ctx}: snake_case"
                );
            }
            for (key, value) in &top {
                if let Some(text) = value.as_str() {
                    let limit = if key.contains("ontext") {
                        10_000
                    } else {
                        MAX_REASON_CHARS
                    };
                    assert!(text.chars().count() <= limit, "{ctx}: {key} not clamped");
                }
            }
        }
    }
}
