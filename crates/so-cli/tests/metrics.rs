//! `session-orchestrator metrics` on logs written through `so-events`: the aligned
//! summary, `--json`, `--since`, and argument errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Value, json};
use so_events::catalog::{self, Origin, SubagentStop};
use so_events::session::{CurrentSession, Wave};
use so_events::transcript::Usage;
use so_events::{Layout, Timestamp, append};

mod common;
use common::{TempProject, run_cli};

fn at(iso: &str) -> Timestamp {
    Timestamp::parse(iso).unwrap()
}

fn origin(session: &'static str, client: &'static str, iso: &str) -> Origin<'static> {
    Origin {
        session_id: Some(session),
        client: Some(client),
        at: at(iso),
    }
}

/// A project with two ended sessions, a running one, subagents, guard decisions and loop
/// warnings; `recent` adds records from the last hour.
fn populate(root: &Path, recent: bool) {
    let l = Layout::new(root);
    l.ensure().unwrap();
    sessions(&l);
    subagents(&l);
    guards(&l);
    if recent {
        let now = Origin {
            session_id: Some("dddd4444-recent"),
            client: Some("claude"),
            at: Timestamp::now(),
        };
        append(
            &l.sessions(),
            &catalog::session_recorded(&now, None, Some(5_000), None, &[]),
        )
        .unwrap();
        let hash = so_events::command_hash("cp x ../elsewhere");
        let r = catalog::guard_decision(
            Timestamp::now(),
            "scope-enforcer",
            "scope:outside-wave",
            "deny",
            &hash,
        );
        append(&l.events(), &r).unwrap();
    }
}

/// Two ended sessions (one with waves, one without a known start) and a running one.
fn sessions(l: &Layout) {
    let waves = [
        Wave {
            wave: 1,
            role: Some("Discovery".into()),
            started_at: "2026-01-05T09:00:00.000Z".into(),
            completed_at: Some("2026-01-05T09:04:05.000Z".into()),
        },
        Wave {
            wave: 2,
            role: Some("Impl-Core".into()),
            started_at: "2026-01-05T09:04:05.000Z".into(),
            completed_at: Some("2026-01-05T09:40:00.000Z".into()),
        },
    ];
    let ended = origin("aaaa1111-session", "claude", "2026-01-05T10:02:00.000Z");
    append(
        &l.sessions(),
        &catalog::session_recorded(
            &ended,
            Some("2026-01-05T09:00:00.000Z"),
            Some(3_720_000),
            Some("prompt_input_exit"),
            &waves,
        ),
    )
    .unwrap();
    let unknown = origin("bbbb2222-session", "codex", "2026-01-06T08:00:00.000Z");
    append(
        &l.sessions(),
        &catalog::session_recorded(&unknown, None, None, None, &[]),
    )
    .unwrap();

    let mut cs = CurrentSession::default();
    let st = cs.entry("cccc3333-running", at("2026-01-07T12:00:00.000Z"));
    st.client = Some("cursor".into());
    st.started_at = Some("2026-01-07T12:00:00.000Z".into());
    std::fs::write(l.current_session(), serde_json::to_string(&cs).unwrap()).unwrap();
}

/// Three finished subagents of two types and one that never stopped.
fn subagents(l: &Layout) {
    for (i, (agent, ty, ms, tokens)) in [
        ("a1", "Explore", Some(80_000), Some((1_200, 300))),
        ("a2", "Explore", Some(40_000), Some((800, 100))),
        ("a3", "code-reviewer", None, None),
    ]
    .into_iter()
    .enumerate()
    {
        let o = origin(
            "aaaa1111-session",
            "claude",
            &format!("2026-01-05T09:1{i}:00.000Z"),
        );
        append(
            &l.subagents(),
            &catalog::subagent_started(&o, agent, Some(ty)),
        )
        .unwrap();
        let stop = SubagentStop {
            duration_ms: ms,
            start_record_found: ms.is_some(),
            transcript_found: tokens.is_some(),
            usage: tokens.map(|(i, o)| Usage {
                input_tokens: Some(i),
                output_tokens: Some(o),
                ..Usage::default()
            }),
        };
        append(
            &l.subagents(),
            &catalog::subagent_stopped(&o, agent, Some(ty), &stop),
        )
        .unwrap();
    }
    let o = origin("aaaa1111-session", "claude", "2026-01-05T09:30:00.000Z");
    append(
        &l.subagents(),
        &catalog::subagent_started(&o, "a4", Some("Explore")),
    )
    .unwrap();
}

/// Guard decisions (one allow, which does not count) and a loop warning.
fn guards(l: &Layout) {
    let hash = so_events::command_hash("git reset --hard");
    for (iso, rule, decision) in [
        ("2026-01-05T09:20:00.000Z", "git:reset-hard", "deny"),
        ("2026-01-05T09:21:00.000Z", "git:reset-hard", "deny"),
        ("2026-01-05T09:22:00.000Z", "fs:rm-root-home", "deny"),
        ("2026-01-05T09:23:00.000Z", "git:push-force", "warn"),
        ("2026-01-05T09:24:00.000Z", "git:status", "allow"),
    ] {
        let r = catalog::guard_decision(at(iso), "destructive-guard", rule, decision, &hash);
        append(&l.events(), &r).unwrap();
    }
    let o = origin("aaaa1111-session", "claude", "2026-01-05T09:25:00.000Z");
    append(
        &l.events(),
        &catalog::loop_warning(&o, None, "Bash", "00ff", 3, 5),
    )
    .unwrap();
    // An empty backup: the summary reads backups too.
    std::fs::write(l.events().with_extension("jsonl.1"), "").unwrap();
}

/// Runs `session-orchestrator metrics ARGS` in `root`: the exit code, stdout with the
/// project path as `[PROJECT]`, and stderr.
fn metrics(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["metrics"];
    all.extend_from_slice(args);
    let r = run_cli(root, &all, &[], "");
    (
        r.code,
        r.stdout.replace(&*root.to_string_lossy(), "[PROJECT]"),
        r.stderr,
    )
}

#[test]
fn summary_is_aligned_and_complete() {
    let p = TempProject::new();
    populate(p.path(), false);
    let (code, stdout, stderr) = metrics(p.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!("metrics_summary", stdout);
}

#[test]
fn json_and_since() {
    let p = TempProject::new();
    populate(p.path(), true);
    let (code, stdout, _) = metrics(p.path(), &["--json"]);
    assert_eq!(code, Some(0));
    let all: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all["sessions"].as_array().unwrap().len(), 4);
    assert_eq!(
        all["blocked"][0],
        json!({"hook": "destructive-guard", "rule_id": "git:reset-hard", "decision": "deny", "count": 2, "last_at": "2026-01-05T09:21:00.000Z"})
    );
    let explore = &all["subagents"][0];
    assert_eq!(
        (
            explore["agent_type"].as_str(),
            explore["runs"].as_u64(),
            explore["unfinished"].as_u64()
        ),
        (Some("Explore"), Some(2), Some(1))
    );
    assert_eq!(explore["median_duration_ms"], 60_000);
    assert_eq!(explore["input_tokens"], 2_000);

    let (code, stdout, _) = metrics(p.path(), &["--json", "--since", "1h"]);
    assert_eq!(code, Some(0));
    let recent: Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = recent["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dddd4444-recent"]);
    assert_eq!(recent["blocked"].as_array().unwrap().len(), 1);
    assert_eq!(recent["blocked"][0]["hook"], "scope-enforcer");
    assert!(recent["subagents"].as_array().unwrap().is_empty());
    assert!(recent["since"].is_string());
}

#[test]
fn empty_project_and_bad_arguments() {
    let p = TempProject::new();
    let (code, stdout, _) = metrics(p.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("Sessions (0, 0 running)\n  none\n"),
        "{stdout}"
    );
    for args in [&["--since"][..], &["--since", "soon"], &["--frobnicate"]] {
        let (code, _, stderr) = metrics(p.path(), args);
        assert_eq!(code, Some(64), "{args:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}
