//! `session-orchestrator state show|init|set|append|section|reset`: the real binary on
//! STATE.md files in temp projects — every subcommand, every exit code (0 done, 1 invalid or
//! refused, 2 no STATE.md or I/O, 64 bad arguments), a corrupt file never overwritten, and
//! concurrent writers under the lock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;

use serde_json::Value;

mod common;
use common::{CliRun, TempProject, assert_all_succeed, cli_command};

fn state(p: &TempProject, args: &[&str]) -> CliRun {
    let mut all = vec!["state"];
    all.extend_from_slice(args);
    p.cli(&all, &[], "")
}

fn show(p: &TempProject) -> Value {
    let r = state(p, &["show", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    r.json()
}

fn init(p: &TempProject, extra: &[&str]) -> CliRun {
    let mut args = vec!["init", "--session-type", "deep", "--total-waves", "5"];
    args.extend_from_slice(extra);
    state(p, &args)
}

/// Timestamps (`2026-05-04T09:00:00Z`) as `[TIME]`, the project path as `[PROJECT]`.
fn stable(p: &TempProject, text: &str) -> String {
    let text = p.redact(text);
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        let is_time = b.len() >= i + 20
            && b[i + 4] == b'-'
            && b[i + 10] == b'T'
            && b[i + 19] == b'Z'
            && b[i..i + 4].iter().all(u8::is_ascii_digit);
        if is_time {
            out.push_str("[TIME]");
            i += 20;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn show_without_a_state_md_exits_2_and_after_init_shows_it() {
    let p = TempProject::new();
    let r = state(&p, &["show"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("no STATE.md") && r.stderr.contains("state init"),
        "{r:?}"
    );
    assert_eq!(r.stdout, "");
    // Control.
    let r = init(
        &p,
        &[
            "--branch",
            "feat/x",
            "--issues",
            "12,#34",
            "--session",
            "sprint 4",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = state(&p, &["show"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    insta::assert_snapshot!("show_human", stable(&p, &r.stdout));
}

#[test]
fn init_writes_a_fresh_active_session() {
    let p = TempProject::new();
    let r = init(
        &p,
        &["--issues", "7", "--session-start-ref", "abc123", "--json"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let j = r.json();
    assert_eq!(j["action"], "init");
    assert_eq!(j["before"], Value::Null);
    let fm = &j["frontmatter"];
    assert_eq!(fm["schema-version"], 1);
    assert_eq!(fm["session-type"], "deep");
    assert_eq!(fm["status"], "active");
    assert_eq!(fm["current-wave"], 0);
    assert_eq!(fm["total-waves"], 5);
    assert_eq!(fm["issues"], serde_json::json!([7]));
    assert_eq!(fm["session-start-ref"], "abc123");
    // The temp project's `.git` is no repository: git says nothing, the branch is `none`.
    assert_eq!(fm["branch"], "none");
    let started = fm["started_at"].as_str().unwrap();
    assert_eq!(stable(&p, started), "[TIME]", "ISO-8601 UTC to the second");
    assert_eq!(fm["updated"], fm["started_at"]);
    let text = p.read(".claude/STATE.md");
    assert!(
        text.starts_with("---\nschema-version: 1\nsession-type: deep\n"),
        "{text}"
    );
    assert!(text.contains("\n## Current Wave\n") && text.ends_with("## Previous Session\n"));
    // Nothing else is left in the state directory (no temporary files).
    let names: Vec<String> = std::fs::read_dir(p.path().join(".claude"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["STATE.md"]);
    assert!(p.path().join(".orchestrator/state.lock").is_file());
}

#[test]
fn init_refuses_an_active_or_paused_session_unless_forced() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    for status in ["active", "paused"] {
        assert_eq!(
            state(&p, &["set", &format!("status={status}")]).code,
            Some(0)
        );
        let before = p.read(".claude/STATE.md");
        let r = init(&p, &[]);
        assert_eq!(r.code, Some(1), "{status}: {r:?}");
        assert!(
            r.stderr.contains(&format!("{status} deep session")),
            "{r:?}"
        );
        assert!(
            r.stderr
                .contains("`session-orchestrator state set status=completed`"),
            "{r:?}"
        );
        assert!(r.stderr.contains("--force"), "{r:?}");
        assert_eq!(
            p.read(".claude/STATE.md"),
            before,
            "a refusal writes nothing"
        );
    }
    // Control: --force replaces it, demoting it.
    let r = init(&p, &["--force", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.json()["before"], "paused");
    assert!(
        r.json()["sections"]["previous-session"]
            .as_str()
            .unwrap()
            .starts_with("deep session on `none`")
    );
}

#[test]
fn init_after_a_completed_session_demotes_it_and_carries_over() {
    let p = TempProject::new();
    assert_eq!(init(&p, &["--session", "one"]).code, Some(0));
    for (section, text) in [
        ("wave-history", "Wave 1 (Discovery): done"),
        ("what-not-to-retry", "Widening one agent's scope"),
        ("open-questions", "Keep the flag?"),
        ("deviations", "Wave 1 ran long"),
    ] {
        assert_eq!(state(&p, &["append", section, text]).code, Some(0));
    }
    assert_eq!(
        state(&p, &["set", "current-wave=1", "status=completed"]).code,
        Some(0)
    );
    let r = state(
        &p,
        &["init", "--session-type", "feature", "--total-waves", "3"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("the completed session before it went to `## Previous Session`"),
        "{r:?}"
    );
    let j = show(&p);
    assert_eq!(j["frontmatter"]["session-type"], "feature");
    assert_eq!(j["frontmatter"]["status"], "active");
    assert!(j["frontmatter"].get("session").is_none());
    let s = &j["sections"];
    let prev = s["previous-session"].as_str().unwrap();
    assert!(
        prev.starts_with("deep session `one` on `none`, started "),
        "{prev}"
    );
    assert!(
        prev.ends_with(": completed at wave 1 of 5\n\n- Wave 1 (Discovery): done"),
        "{prev}"
    );
    assert_eq!(s["wave-history"], "");
    assert_eq!(s["deviations"], "");
    assert_eq!(s["what-not-to-retry"], "- Widening one agent's scope");
    assert_eq!(s["open-questions"], "- [ ] Keep the flag?");
}

#[test]
fn set_checks_every_key_and_value() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    let before = p.read(".claude/STATE.md");
    for (arg, named) in [
        ("status=done", "`status`"),
        ("session-type=huge", "`session-type`"),
        ("current-wave=two", "`current-wave`"),
        ("current-wave=6", "greater than `total-waves`"),
        ("total-waves=-1", "`total-waves`"),
        ("issues=12,abc", "`abc`"),
        ("top-priorities=a,b,c,d,e,f", "at most 5"),
        ("carryover-ratio=1.5", "`carryover-ratio`"),
        ("completion-rate=x", "`completion-rate`"),
        ("branch=", "`branch`"),
        ("schema-version=2", "fixed at 1"),
        ("updated=now", "`updated`"),
        ("status=idle", "state reset"),
        ("colour=blue", "unknown key `colour`"),
    ] {
        let r = state(&p, &["set", arg]);
        assert_eq!(r.code, Some(1), "{arg}: {r:?}");
        assert!(r.stderr.contains(named), "{arg}: {}", r.stderr);
        assert!(
            r.stderr.contains("nothing was written") || !r.stderr.contains("unknown"),
            "{r:?}"
        );
    }
    let rationale = format!("rationale={}", "x".repeat(121));
    assert_eq!(state(&p, &["set", &rationale]).code, Some(1));
    // All or nothing: one bad value among good ones writes nothing.
    assert_eq!(
        state(&p, &["set", "current-wave=1", "status=bogus"]).code,
        Some(1)
    );
    assert_eq!(p.read(".claude/STATE.md"), before);
    // Control: good values, several at once, in any order.
    let r = state(
        &p,
        &[
            "set",
            "total-waves=6",
            "current-wave=6",
            "issues=3, #4",
            "top-priorities=#3 parser, docs",
            "carryover-ratio=0.2",
            "completion-rate=1",
            "rationale=four of five done",
            "recommended-mode=feature",
            "session=",
            "--json",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let fm = &r.json()["frontmatter"];
    assert_eq!(fm["current-wave"], 6);
    assert_eq!(fm["issues"], serde_json::json!([3, 4]));
    assert_eq!(
        fm["top-priorities"],
        serde_json::json!(["#3 parser", "docs"])
    );
    assert_eq!(fm["carryover-ratio"], 0.2);
    assert_eq!(fm["completion-rate"], 1.0);
    assert_eq!(fm["rationale"], "four of five done");
    let r = state(&p, &["set", "status=paused"]);
    assert_eq!(
        r.stdout,
        format!(
            "set status=paused in {}\n",
            std::fs::canonicalize(p.path())
                .unwrap()
                .join(".claude/STATE.md")
                .display()
        )
    );
    // Not KEY=VALUE at all: a bad argument.
    assert_eq!(state(&p, &["set", "status"]).code, Some(64));
    assert_eq!(state(&p, &["set"]).code, Some(64));
}

#[test]
fn append_adds_entries_and_caps_fifo() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    for i in 1..=10 {
        let r = state(&p, &["append", "what-not-to-retry", &format!("try {i}")]);
        assert_eq!((r.code, r.stderr.as_str()), (Some(0), ""), "{r:?}");
    }
    let r = state(&p, &["append", "what-not-to-retry", "try 11"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains(
            "`## What Not To Retry` keeps at most 10 entries; dropped the oldest 1:\n  - try 1\n"
        ),
        "{}",
        r.stderr
    );
    let r = state(&p, &["append", "open-questions", "Should X?"]);
    assert_eq!(r.code, Some(0));
    for i in 0..20 {
        assert_eq!(
            state(&p, &["append", "open-questions", &format!("q{i}")]).code,
            Some(0)
        );
    }
    // Control: an uncapped section keeps everything and says nothing.
    for i in 0..25 {
        let r = state(&p, &["append", "deviations", &format!("d{i}")]);
        assert_eq!(r.stderr, "", "{r:?}");
    }
    let r = state(
        &p,
        &["append", "--json", "mission-status", "-- dashes are text"],
    );
    assert_eq!(r.json()["dropped"], serde_json::json!([]));
    let s = &show(&p)["sections"];
    let retry = s["what-not-to-retry"].as_str().unwrap();
    assert_eq!(retry.lines().count(), 10);
    assert!(
        retry.starts_with("- try 2\n") && retry.ends_with("- try 11"),
        "{retry}"
    );
    let qs = s["open-questions"].as_str().unwrap();
    assert_eq!(qs.lines().count(), 20);
    assert!(
        qs.starts_with("- [ ] q0\n"),
        "the oldest question went first: {qs}"
    );
    assert_eq!(s["deviations"].as_str().unwrap().lines().count(), 25);
    assert_eq!(s["mission-status"], "- -- dashes are text");
    // `--` ends the options: TEXT may look like a flag.
    let r = state(&p, &["append", "deviations", "--", "--force was needed"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    // Refusals: unknown section (1), multi-line or empty text (1), wrong arity (64).
    assert_eq!(state(&p, &["append", "notes", "x"]).code, Some(1));
    assert_eq!(state(&p, &["append", "deviations", "a\nb"]).code, Some(1));
    assert_eq!(state(&p, &["append", "deviations", " "]).code, Some(1));
    assert_eq!(state(&p, &["append", "deviations"]).code, Some(64));
    assert_eq!(
        state(&p, &["append", "deviations", "a", "b"]).code,
        Some(64)
    );
}

#[test]
fn section_replaces_a_body_from_text_a_file_or_stdin() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    let r = state(
        &p,
        &[
            "section",
            "current-wave",
            "--text",
            "Wave 2 · Impl-Core · 4 agents",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    p.write("status.md", "- #12 parser: in-dev\n- #15 docs: validated\n");
    let file = p.path().join("status.md");
    assert_eq!(
        state(
            &p,
            &[
                "section",
                "mission-status",
                "--file",
                file.to_str().unwrap()
            ]
        )
        .code,
        Some(0)
    );
    let r = p.cli(
        &["state", "section", "deviations", "--file", "-"],
        &[],
        "### Wave 2\n\n- ran long\n",
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let s = &show(&p)["sections"];
    assert_eq!(s["current-wave"], "Wave 2 · Impl-Core · 4 agents");
    assert_eq!(
        s["mission-status"],
        "- #12 parser: in-dev\n- #15 docs: validated"
    );
    assert_eq!(s["deviations"], "### Wave 2\n\n- ran long");
    // `--text ""` empties a section.
    assert_eq!(
        state(&p, &["section", "current-wave", "--text", ""]).code,
        Some(0)
    );
    assert_eq!(show(&p)["sections"]["current-wave"], "");
    // Refusals.
    let r = state(&p, &["section", "deviations", "--text", "## Sneaky\n- x"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("would start a new section"), "{r:?}");
    assert_eq!(state(&p, &["section", "deviations"]).code, Some(64));
    assert_eq!(
        state(&p, &["section", "deviations", "--text", "a", "--file", "-"]).code,
        Some(64)
    );
    assert_eq!(
        state(
            &p,
            &["section", "deviations", "--file", "/nonexistent/x.md"]
        )
        .code,
        Some(2)
    );
    assert_eq!(
        state(&p, &["section", "bogus", "--text", "x"]).code,
        Some(1)
    );
}

#[test]
fn reset_only_follows_a_completed_session() {
    let p = TempProject::new();
    assert_eq!(state(&p, &["reset"]).code, Some(2), "no STATE.md");
    assert_eq!(init(&p, &[]).code, Some(0));
    assert_eq!(
        state(&p, &["append", "wave-history", "Wave 1: done"]).code,
        Some(0)
    );
    assert_eq!(state(&p, &["append", "open-questions", "Q?"]).code, Some(0));
    let r = state(&p, &["reset"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("STATE.md is active"), "{r:?}");
    // Control.
    assert_eq!(
        state(&p, &["set", "status=completed", "current-wave=1"]).code,
        Some(0)
    );
    let r = state(&p, &["reset", "--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let j = r.json();
    assert_eq!(j["action"], "reset");
    let fm = &j["frontmatter"];
    assert_eq!(
        (fm["status"].as_str(), fm["session-type"].as_str()),
        (Some("idle"), Some("none"))
    );
    assert_eq!(
        (fm["current-wave"].as_u64(), fm["total-waves"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        j["sections"]["previous-session"]
            .as_str()
            .unwrap()
            .ends_with("- Wave 1: done")
    );
    assert_eq!(j["sections"]["wave-history"], "");
    assert_eq!(j["sections"]["open-questions"], "- [ ] Q?");
    // Idle twice is refused too.
    assert_eq!(state(&p, &["reset"]).code, Some(1));
}

#[test]
fn a_corrupt_state_md_is_never_overwritten() {
    let p = TempProject::new();
    let bad = "---\nschema-version: 1\nsession-type: deep\nstatus: [active\n---\n\n## Wave History\n\n- precious\n";
    p.write(".claude/STATE.md", bad);
    for args in [
        vec!["set", "status=paused"],
        vec!["append", "deviations", "x"],
        vec!["section", "deviations", "--text", "x"],
        vec!["reset"],
        vec!["init", "--session-type", "deep", "--total-waves", "5"],
        vec!["show"],
    ] {
        let r = state(&p, &args);
        assert_eq!(r.code, Some(1), "{args:?}: {r:?}");
        assert!(
            r.stderr.contains("STATE.md:"),
            "names the file and line: {r:?}"
        );
        assert!(r.stderr.contains("not valid YAML"), "{r:?}");
        assert_eq!(p.read(".claude/STATE.md"), bad, "{args:?} must not write");
    }
    let r = state(&p, &["show"]);
    insta::assert_snapshot!("corrupt_show", stable(&p, &r.stderr));
    // A missing required key names the closing `---` line.
    p.write(".claude/STATE.md", "---\nschema-version: 1\n---\n");
    let r = state(&p, &["show"]);
    assert!(
        r.stderr
            .contains("STATE.md:3: the required key `session-type` is missing"),
        "{r:?}"
    );
    p.write(".claude/STATE.md", bad);
    // Control: `init --force` replaces it and keeps a copy.
    let r = init(&p, &["--force"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("kept in"), "{r:?}");
    let copies: Vec<String> = std::fs::read_dir(p.path().join(".claude"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("STATE.md.corrupt-"))
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(p.read(&format!(".claude/{}", copies[0])), bad);
    assert_eq!(show(&p)["frontmatter"]["status"], "active");
}

#[test]
fn crlf_state_md_is_read_and_kept_crlf() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    let crlf = p.read(".claude/STATE.md").replace('\n', "\r\n");
    p.write(".claude/STATE.md", &crlf);
    assert_eq!(
        state(&p, &["append", "deviations", "from windows"]).code,
        Some(0)
    );
    let text = p.read(".claude/STATE.md");
    assert!(
        text.contains("## Deviations\r\n\r\n- from windows\r\n"),
        "{text:?}"
    );
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
}

#[test]
fn concurrent_appends_all_land_and_the_file_parses() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    let children: Vec<_> = (0..8)
        .map(|i| {
            let writer = format!("writer {i}");
            cli_command(p.path(), &["state", "append", "deviations", &writer], &[])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    assert_all_succeed(children, "");
    let j = show(&p);
    let lines: Vec<&str> = j["sections"]["deviations"]
        .as_str()
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.len(), 8, "{lines:?}");
    for i in 0..8 {
        assert!(
            lines.contains(&format!("- writer {i}").as_str()),
            "{lines:?}"
        );
    }
}

#[test]
fn the_client_picks_the_state_directory() {
    let p = TempProject::new();
    assert_eq!(init(&p, &["--client", "codex"]).code, Some(0));
    assert!(p.path().join(".codex/STATE.md").is_file());
    assert!(!p.path().join(".claude/STATE.md").exists());
    // Detected from the environment, as for the wave manifest.
    let r = p.cli(&["state", "show", "--json"], &[("CODEX_HOME", "/x")], "");
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.json()["file"]
            .as_str()
            .unwrap()
            .ends_with(".codex/STATE.md")
    );
    let r = p.cli(&["state", "show"], &[("CLAUDECODE", "1")], "");
    assert_eq!(
        r.code,
        Some(2),
        "Claude Code's STATE.md does not exist: {r:?}"
    );
    let r = p.cli(&["state", "show"], &[("CURSOR_VERSION", "1")], "");
    assert_eq!(r.code, Some(2));
    // --project from elsewhere.
    let elsewhere = TempProject::new();
    let dir = p.path().to_str().unwrap();
    let r = elsewhere.cli(
        &[
            "state",
            "show",
            "--json",
            "--client",
            "codex",
            "--project",
            dir,
        ],
        &[],
        "",
    );
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn show_json_has_file_frontmatter_and_sections() {
    let p = TempProject::new();
    assert_eq!(init(&p, &[]).code, Some(0));
    // A human's section and key are kept and shown.
    let text = p.read(".claude/STATE.md").replace(
        "## Deviations",
        "## Decisions\n\n- keep the flag\n\n## Deviations",
    );
    p.write(
        ".claude/STATE.md",
        &text.replace("schema-version: 1\n", "schema-version: 1\nowner: ada\n"),
    );
    assert_eq!(state(&p, &["set", "current-wave=1"]).code, Some(0));
    let j = show(&p);
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "frontmatter", "sections"]);
    assert_eq!(j["frontmatter"]["owner"], "ada");
    let sections: Vec<&str> = j["sections"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for s in [
        "current-wave",
        "wave-history",
        "deviations",
        "mission-status",
        "what-not-to-retry",
        "open-questions",
        "previous-session",
        "Decisions",
    ] {
        assert!(sections.contains(&s), "{s}: {sections:?}");
    }
    assert_eq!(j["sections"]["Decisions"], "- keep the flag");
    assert!(
        p.read(".claude/STATE.md")
            .contains("## Wave History\n\n## Decisions\n\n- keep the flag\n\n## Deviations")
    );
}

#[test]
fn bad_arguments_exit_64_and_io_errors_2() {
    let p = TempProject::new();
    for args in [
        vec![],
        vec!["bogus"],
        vec!["show", "--bogus"],
        vec!["show", "extra"],
        vec!["show", "--client", "vim"],
        vec!["show", "--client"],
        vec!["show", "--json", "--project", ".", "--project", "."],
        vec!["init", "--total-waves", "5"],
        vec!["init", "--session-type", "deep"],
        vec![
            "init",
            "--session-type",
            "deep",
            "--total-waves",
            "5",
            "--issues",
            "",
        ],
        vec!["reset", "now"],
    ] {
        let r = state(&p, &args);
        assert_eq!(r.code, Some(64), "{args:?}: {r:?}");
        assert!(r.stderr.starts_with("error: "), "{r:?}");
    }
    // Bad values are invalid input (1), not bad arguments.
    for args in [
        vec!["init", "--session-type", "huge", "--total-waves", "5"],
        vec!["init", "--session-type", "deep", "--total-waves", "five"],
        vec![
            "init",
            "--session-type",
            "deep",
            "--total-waves",
            "5",
            "--issues",
            "x",
        ],
    ] {
        assert_eq!(state(&p, &args).code, Some(1), "{args:?}");
    }
    let r = state(&p, &["show", "--project", "/nonexistent/project"]);
    assert_eq!(r.code, Some(2), "{r:?}");
}

/// `state-md-lock.timeout-ms` in the Session Config bounds the wait for a held lock; the
/// writer gives up with exit 2, names the lock, and leaves STATE.md as it was. Control: the
/// same write once the lock is free goes through.
#[test]
fn a_held_lock_makes_a_writer_give_up_after_the_configured_time() {
    let p = TempProject::new();
    p.write(
        "CLAUDE.md",
        "# P\n\n## Session Config\n\n- state-md-lock.timeout-ms: 300\n",
    );
    assert_eq!(init(&p, &[]).code, Some(0));
    let before = p.read(".claude/STATE.md");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(p.path().join(".orchestrator/state.lock"))
        .unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    let held = state(&p, &["set", "current-wave=1"]);
    let waited = started.elapsed();
    assert_eq!(held.code, Some(2), "{held:?}");
    assert!(held.stderr.contains("state.lock"), "{held:?}");
    // Far below the 10 s default: the configured 300 ms was used.
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
    assert_eq!(p.read(".claude/STATE.md"), before);
    drop(lock);
    let free = state(&p, &["set", "current-wave=1"]);
    assert_eq!(free.code, Some(0), "{free:?}");
    assert_eq!(show(&p)["frontmatter"]["current-wave"], 1);
}
