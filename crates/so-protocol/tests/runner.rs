//! `run_hook_with` / `run_hook` on hostile input: every path gives one defined answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{self, Write};
use std::process::{Command, ExitCode, Stdio};

use common::{one_json_object, payload};
use serde_json::{Value, json};
use so_protocol::{
    FailurePolicy, HookInput, MAX_PAYLOAD_BYTES, MAX_REASON_CHARS, Outcome, TRUNCATION_MARKER,
    run_hook, run_hook_with,
};

use FailurePolicy::{FailClosed, FailOpenWithNotice};

struct Run {
    code: u8,
    stdout: String,
    stderr: String,
}

fn run<F>(policy: FailurePolicy, stdin: &[u8], handler: F) -> Run
where
    F: FnOnce(&HookInput) -> Outcome + Send + 'static,
{
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_hook_with(policy, stdin, &mut out, &mut err, handler);
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// The invariants of every failure path.
fn check_failure(policy: FailurePolicy, r: &Run) -> Option<serde_json::Map<String, Value>> {
    let json = one_json_object(&r.stdout);
    match policy {
        FailClosed => assert!(
            !(r.code == 0 && r.stdout.is_empty()),
            "fail-closed produced an allow: {:?} / {:?}",
            r.stdout,
            r.stderr
        ),
        FailOpenWithNotice => {
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(json.is_some(), "fail-open must still tell the human");
        }
    }
    json
}

fn deny_all(_: &HookInput) -> Outcome {
    Outcome::Deny {
        reason: "handler ran".into(),
        user_message: None,
    }
}

#[test]
fn empty_stdin() {
    let r = run(FailClosed, b"", deny_all);
    check_failure(FailClosed, &r);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("hook payload is empty"), "{}", r.stderr);
    assert!(r.stderr.contains("was blocked"), "{}", r.stderr);

    let r = run(FailOpenWithNotice, b"", deny_all);
    let json = check_failure(FailOpenWithNotice, &r).unwrap();
    let message = json["systemMessage"].as_str().unwrap();
    assert!(message.contains("hook payload is empty") && message.contains("unchecked"));
}

#[test]
fn malformed_json() {
    let r = run(
        FailClosed,
        br#"{"hook_event_name": "PreToolUse",}"#,
        deny_all,
    );
    check_failure(FailClosed, &r);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not valid JSON (line 1, column"),
        "{}",
        r.stderr
    );
    let r = run(FailOpenWithNotice, b"{nope", deny_all);
    check_failure(FailOpenWithNotice, &r);
}

#[test]
fn invalid_utf8() {
    let r = run(FailClosed, b"{\"hook_event_name\":\"\xc3\x28\"}", deny_all);
    check_failure(FailClosed, &r);
    assert!(r.stderr.contains("not valid UTF-8"), "{}", r.stderr);
    check_failure(
        FailOpenWithNotice,
        &run(FailOpenWithNotice, b"\xff\xfe", deny_all),
    );
}

#[test]
fn ten_mib_payload_is_refused() {
    let mut big: Value = serde_json::from_slice(&payload("cc.deny.bash.PreToolUse.json")).unwrap();
    big["tool_input"]["command"] = json!("x".repeat(10 * 1024 * 1024));
    let bytes = serde_json::to_vec(&big).unwrap();
    assert!(bytes.len() > MAX_PAYLOAD_BYTES);
    let r = run(FailClosed, &bytes, |_| panic!("the handler must not run"));
    check_failure(FailClosed, &r);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains(&format!("larger than {MAX_PAYLOAD_BYTES} bytes"))
    );
    let r = run(FailOpenWithNotice, &bytes, |_| {
        panic!("the handler must not run")
    });
    check_failure(FailOpenWithNotice, &r);
}

#[test]
fn panicking_handler_fails_closed_with_the_panic_in_the_reason() {
    let r = run(FailClosed, &payload("cc.deny.bash.PreToolUse.json"), |_| {
        panic!("kaboom {}", 42)
    });
    let json = check_failure(FailClosed, &r).unwrap();
    let specific = &json["hookSpecificOutput"];
    // bypassPermissions: Claude cannot ask, so this is a deny.
    assert_eq!(specific["permissionDecision"], "deny");
    let reason = specific["permissionDecisionReason"].as_str().unwrap();
    assert!(reason.contains("kaboom 42"), "{reason}");
    assert!(
        reason.contains("tests/runner.rs:"),
        "location missing: {reason}"
    );
    assert!(json["systemMessage"].as_str().unwrap().contains("blocked"));
}

#[test]
fn panicking_handler_asks_where_the_client_can_ask() {
    let cases = [
        ("cc.defaultperm.bash.PreToolUse.json", "ask"),
        ("codex.deny.shell.PreToolUse.json", "deny"),
    ];
    for (file, decision) in cases {
        let r = run(FailClosed, &payload(file), |_| panic!("kaboom"));
        let json = check_failure(FailClosed, &r).unwrap();
        assert_eq!(
            json["hookSpecificOutput"]["permissionDecision"], decision,
            "{file}"
        );
    }
    let cursor = [
        ("cursor.beforeShellExecution.json", "ask"),
        ("cursor.preToolUse.shell.json", "deny"),
    ];
    for (file, permission) in cursor {
        let r = run(FailClosed, &payload(file), |_| panic!("kaboom"));
        let json = check_failure(FailClosed, &r).unwrap();
        assert_eq!(json["permission"], permission, "{file}");
        assert!(json["agent_message"].as_str().unwrap().contains("kaboom"));
    }
}

#[test]
fn panicking_handler_fails_open_with_a_warning() {
    let r = run(
        FailOpenWithNotice,
        &payload("codex.deny.shell.PreToolUse.json"),
        |_| panic!("kaboom"),
    );
    let json = check_failure(FailOpenWithNotice, &r).unwrap();
    assert_eq!(json.keys().collect::<Vec<_>>(), ["systemMessage"]);
    assert!(json["systemMessage"].as_str().unwrap().contains("kaboom"));
}

#[test]
fn a_panic_with_a_non_text_payload_is_still_reported() {
    let r = run(FailClosed, &payload("codex.deny.shell.Stop.json"), |_| {
        std::panic::panic_any(7_u32)
    });
    let json = check_failure(FailClosed, &r).unwrap();
    assert_eq!(json["decision"], "block");
    assert!(json["reason"].as_str().unwrap().contains("panicked"));
}

#[test]
fn huge_reason_is_clamped() {
    let r = run(FailClosed, &payload("cc.deny.bash.PreToolUse.json"), |_| {
        Outcome::Deny {
            reason: "é".repeat(1024 * 1024),
            user_message: None,
        }
    });
    let json = one_json_object(&r.stdout).unwrap();
    let reason = json["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
    assert!(reason.ends_with(TRUNCATION_MARKER));
    assert_eq!(r.code, 0);
}

#[test]
fn handler_answers_pass_through() {
    let r = run(FailClosed, &payload("cc.deny.bash.PreToolUse.json"), |_| {
        Outcome::Allow
    });
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = run(
        FailClosed,
        &payload("cc.deny.bash.PreToolUse.json"),
        |input| {
            assert_eq!(input.shell_command(), Some("rm -rf ~/important"));
            deny_all(input)
        },
    );
    let json = one_json_object(&r.stdout).unwrap();
    assert_eq!(
        json["hookSpecificOutput"]["permissionDecisionReason"],
        "handler ran"
    );
}

#[test]
fn deep_recursion_fits_the_handler_stack() {
    // About 40 MiB of stack in a debug build: far past the 8 MiB main-thread default.
    fn depth(n: u32) -> u32 {
        let pad = std::hint::black_box([0_u8; 256]);
        if n == 0 {
            u32::from(pad[0])
        } else {
            depth(n - 1) + std::hint::black_box(1)
        }
    }
    let r = run(FailClosed, &payload("cc.deny.bash.PreToolUse.json"), |_| {
        Outcome::Warn {
            message: format!("depth {}", depth(100_000)),
        }
    });
    let json = one_json_object(&r.stdout).unwrap();
    assert_eq!(json["systemMessage"], "depth 100000");
}

/// A stdout whose reader has gone away.
struct BrokenPipe;

impl Write for BrokenPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn broken_pipe_on_stdout_is_ignored() {
    let mut err = Vec::new();
    let code = run_hook_with(
        FailClosed,
        &payload("cc.deny.bash.PreToolUse.json")[..],
        &mut BrokenPipe,
        &mut err,
        deny_all,
    );
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
    // The error path still answers with its exit code.
    let code = run_hook_with(FailClosed, &b"{"[..], &mut BrokenPipe, &mut err, deny_all);
    assert_eq!(code, 2);
}

#[test]
fn other_stdout_errors_are_noted_on_stderr() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut err = Vec::new();
    run_hook_with(
        FailClosed,
        &payload("cc.deny.bash.PreToolUse.json")[..],
        &mut Full,
        &mut err,
        deny_all,
    );
    assert!(String::from_utf8(err).unwrap().contains("disk full"));
}

const CHILD_ENV: &str = "SO_PROTOCOL_RUNNER_CHILD";

/// Run by `run_hook_over_real_stdio` as a child process; a no-op in a normal test run.
#[test]
fn child_hook_process() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let code = run_hook(FailClosed, |_| panic!("kaboom in child"));
    let n = (0..=u8::MAX).find(|n| ExitCode::from(*n) == code).unwrap();
    // Exit before libtest prints its summary to stdout.
    std::process::exit(i32::from(n));
}

#[test]
fn run_hook_over_real_stdio() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_hook_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&payload("codex.deny.shell.PreToolUse.json"))
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // libtest writes "running 1 test" and "test child_hook_process ... " before the answer.
    let last = stdout.lines().last().unwrap();
    let answer = &last[last.find('{').unwrap()..];
    let json = one_json_object(answer).unwrap();
    assert_eq!(json["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(answer.contains("kaboom in child"));
    assert!(
        !stderr.contains("panicked"),
        "default panic text leaked: {stderr}"
    );
    assert!(
        !stderr.contains("backtrace"),
        "default panic text leaked: {stderr}"
    );
}
