//! What `hooks/run` adds to every hook call: process wall time (spawn to reaped exit, stdin
//! written, stdout and stderr drained, as a client waits for it) of the release guard started
//! directly against the same guard started through the launcher, with and without the shell
//! a shell-form handler adds.
//!
//! ```sh
//! cargo build --release -p so-hooks
//! cargo run --release -p so-e2e --example launcher_cost            # 2000 rounds
//! cargo run --release -p so-e2e --example launcher_cost -- 5000
//! ```
//!
//! Variants, run interleaved (each round runs every variant once, in a rotating order):
//! * `guard`            — `target/release/destructive-guard`, started directly
//! * `run guard`        — `hooks/run destructive-guard` (the launcher, exec form)
//! * `sh -c exec guard` — `/bin/sh -c 'exec "$CLAUDE_PLUGIN_ROOT/target/release/destructive-guard"'`:
//!   a shell-form handler without the launcher
//! * `sh -c exec run`   — `/bin/sh -c 'exec "$CLAUDE_PLUGIN_ROOT/hooks/run" destructive-guard'`:
//!   the launcher a handler falls back to
//! * `sh -c run guard`  — the same without `exec` (the shell forks first)
//! * `sh -c handler`    — exactly what Claude Code runs for the shipped `hooks.json`
//!   ([`repo::handler_command`]: inline tests of the launcher's places, then the launcher)
//! * `sh -c :`          — a shell that does nothing: the floor of any shell-form handler
//! * `noop`             — `target/release/noop-hook`, the do-nothing hook baseline
//!
//! The payload is a Claude Code `PreToolUse` for `git status` (the common allow path).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use so_e2e::repo;

const WARMUP: usize = 50;

/// The variant that is what Claude Code runs for the shipped `hooks.json`.
const SHIPPED: &str = "sh -c handler";

/// The launcher path every handler falls back to.
const LAUNCHER: &str = "sh -c exec run";

struct Variant {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    samples: Vec<Duration>,
}

fn main() -> ExitCode {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let root = repo::root();
    let guard = repo::release_binary("destructive-guard");
    let noop = repo::release_binary("noop-hook");
    for bin in [&guard, &noop] {
        if !bin.is_file() {
            eprintln!(
                "{} is missing: run `cargo build --release -p so-hooks` first",
                bin.display()
            );
            return ExitCode::FAILURE;
        }
    }
    let payload = serde_json::json!({
        "session_id": "bench", "transcript_path": "/dev/null", "cwd": root,
        "permission_mode": "bypassPermissions", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "git status"}, "tool_use_id": "toolu_bench"
    })
    .to_string();
    let mut variants = variants(&root, &guard, &noop, rounds);

    for round in 0..WARMUP + rounds {
        let n = variants.len();
        for k in 0..n {
            let v = &mut variants[(round + k) % n];
            let elapsed = match time_one(&v.program, &v.args, &root, payload.as_bytes()) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{}: {e}", v.name);
                    return ExitCode::FAILURE;
                }
            };
            if round >= WARMUP {
                v.samples.push(elapsed);
            }
        }
    }

    report(&mut variants, rounds);
    ExitCode::SUCCESS
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One call: spawn, write the payload, drain both outputs, reap.
fn time_one(
    program: &Path,
    args: &[String],
    root: &Path,
    payload: &[u8],
) -> std::io::Result<Duration> {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/nonexistent-bench-home")
        .env("CLAUDE_PLUGIN_ROOT", root)
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook may exit before reading everything; that is not an error here.
        let _ = stdin.write_all(payload);
    }
    let mut out = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_end(&mut out)?;
    }
    let mut err = Vec::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_end(&mut err)?;
    }
    let status = child.wait()?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(std::io::Error::other(format!(
            "exit {status}: {}",
            String::from_utf8_lossy(&err)
        )));
    }
    Ok(elapsed)
}

/// The variants, in the order they are printed.
fn variants(root: &Path, guard: &Path, noop: &Path, rounds: usize) -> Vec<Variant> {
    let sh = |name: &'static str, script: &str| {
        (
            name,
            PathBuf::from("/bin/sh"),
            vec!["-c".to_owned(), script.to_owned()],
        )
    };
    [
        ("guard", guard.to_path_buf(), Vec::new()),
        (
            "run guard",
            root.join("hooks/run"),
            vec!["destructive-guard".to_owned()],
        ),
        sh(
            "sh -c exec guard",
            "exec \"${CLAUDE_PLUGIN_ROOT}/target/release/destructive-guard\"",
        ),
        sh(
            LAUNCHER,
            "exec \"${CLAUDE_PLUGIN_ROOT}/hooks/run\" destructive-guard",
        ),
        sh(
            "sh -c run guard",
            "\"${CLAUDE_PLUGIN_ROOT}/hooks/run\" destructive-guard",
        ),
        sh(SHIPPED, &repo::handler_command("destructive-guard")),
        sh("sh -c :", ":"),
        ("noop", noop.to_path_buf(), Vec::new()),
    ]
    .into_iter()
    .map(|(name, program, args)| Variant {
        name,
        program,
        args,
        samples: Vec::with_capacity(rounds),
    })
    .collect()
}

/// Prints the quantiles of every variant and the differences that matter.
fn report(variants: &mut [Variant], rounds: usize) {
    println!("{rounds} rounds, {WARMUP} warm-up; wall time per hook call");
    println!(
        "{:<18} {:>10} {:>10} {:>10}",
        "variant", "median", "p10", "p95"
    );
    let mut medians = std::collections::HashMap::new();
    for v in variants.iter_mut() {
        v.samples.sort();
        let q = |percent: usize| v.samples[(v.samples.len() - 1) * percent / 100];
        medians.insert(v.name, q(50));
        println!(
            "{:<18} {:>8.3}ms {:>8.3}ms {:>8.3}ms",
            v.name,
            ms(q(50)),
            ms(q(10)),
            ms(q(95))
        );
    }
    let diff = |a: &str, b: &str| ms(medians[a]) - ms(medians[b]);
    println!();
    for (label, a, b) in [
        ("launcher, exec form", "run guard", "guard"),
        ("launcher, shell form", LAUNCHER, "sh -c exec guard"),
        ("shell form itself", "sh -c exec guard", "guard"),
        ("shipped handler adds", SHIPPED, "sh -c exec guard"),
        ("exec saves", "sh -c run guard", LAUNCHER),
    ] {
        println!("{label:<22} ({a} - {b}): {:+.3} ms", diff(a, b));
    }
}
