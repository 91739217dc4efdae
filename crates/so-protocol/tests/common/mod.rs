//! Shared helpers for the integration tests: loading captured and constructed payloads.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use so_protocol::{Client, HookInput, Outcome, decode};

/// Real captured payloads, shared by the workspace (each wraps stdin in `hook_stdin`).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hook-payloads")
}

/// Payloads built by hand from the reference for events no capture covers (plain stdin).
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Which client a file name says it came from: `cc.*`, `codex.*` or `cursor.*`.
pub fn client_from_file_name(name: &str) -> Client {
    match name.split('.').next() {
        Some("cc") => Client::Claude,
        Some("codex") => Client::Codex,
        Some("cursor") => Client::Cursor,
        other => panic!("file {name} has no known client prefix ({other:?})"),
    }
}

/// Stdin bytes of a captured fixture, or `None` for captures that are not hook stdin.
pub fn fixture_stdin(name: &str) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(fixtures_dir().join(name)).unwrap();
    let wrapper: Value = serde_json::from_str(&text).unwrap();
    wrapper
        .get("hook_stdin")
        .map(|stdin| serde_json::to_vec(stdin).unwrap())
}

/// Stdin bytes of a payload by file name, looked up in the fixtures and then in `tests/data`.
pub fn payload(name: &str) -> Vec<u8> {
    if fixtures_dir().join(name).exists() {
        return fixture_stdin(name).unwrap_or_else(|| panic!("{name} has no hook_stdin"));
    }
    std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Decoded payload by file name.
pub fn input(name: &str) -> HookInput {
    decode(&payload(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every payload file (fixtures with `hook_stdin`, then constructed ones), sorted, with bytes.
pub fn all_payloads() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [fixtures_dir(), data_dir()] {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        for name in names {
            let bytes = if dir == fixtures_dir() {
                match fixture_stdin(&name) {
                    Some(b) => b,
                    None => continue,
                }
            } else {
                std::fs::read(dir.join(&name)).unwrap()
            };
            out.push((name, bytes));
        }
    }
    out
}

pub const REASON: &str =
    "rm -rf on the home directory would delete user data; work inside the project instead";
pub const USER_LINE: &str = "blocked: rm -rf ~";
pub const WARNING: &str = "heads up: this touches files outside the project";
pub const CONTEXT: &str = "this project runs its tests with `cargo nextest run`";
pub const SHOWN: &str = "project rules loaded";

/// Every outcome shape the snapshots and schema tests exercise, with a label.
pub fn outcomes() -> Vec<(&'static str, Outcome)> {
    vec![
        ("Allow", Outcome::Allow),
        (
            "Warn",
            Outcome::Warn {
                message: WARNING.into(),
            },
        ),
        (
            "Deny",
            Outcome::Deny {
                reason: REASON.into(),
                user_message: None,
            },
        ),
        (
            "Deny+user_message",
            Outcome::Deny {
                reason: REASON.into(),
                user_message: Some(USER_LINE.into()),
            },
        ),
        (
            "Ask",
            Outcome::Ask {
                reason: REASON.into(),
            },
        ),
        (
            "Context",
            Outcome::Context {
                additional_context: CONTEXT.into(),
                system_message: None,
            },
        ),
        (
            "Context+system_message",
            Outcome::Context {
                additional_context: CONTEXT.into(),
                system_message: Some(SHOWN.into()),
            },
        ),
    ]
}

/// Parses `stdout` as exactly one JSON object (after an optional trailing newline), or `None`
/// when it is empty. Panics on anything else.
pub fn one_json_object(stdout: &str) -> Option<serde_json::Map<String, Value>> {
    if stdout.is_empty() {
        return None;
    }
    assert!(
        stdout.starts_with('{'),
        "stdout must start with '{{': {stdout:?}"
    );
    let docs: Vec<Value> = serde_json::Deserializer::from_str(stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout:?}"));
    assert_eq!(
        docs.len(),
        1,
        "stdout must hold exactly one JSON value: {stdout:?}"
    );
    match docs.into_iter().next() {
        Some(Value::Object(map)) => Some(map),
        other => panic!("stdout is not a JSON object: {other:?}"),
    }
}
