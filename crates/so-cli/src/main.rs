//! `session-orchestrator`: the user CLI. Thin: parse arguments, call a library, print.

mod autopilot;
mod bootstrap_cmd;
mod check;
mod client_plugins;
mod config_cmd;
mod doctor;
mod install;
mod learning;
mod metrics;
mod mode;
mod quality_gate;
mod rules_doc;
mod session_cmd;
mod state_cmd;
mod validate_plugin;
mod validate_scope;
mod wave_scope;

use std::process::ExitCode;

const HELP: &str = "session-orchestrator — the user CLI of the session-orchestrator plugin

USAGE:
    session-orchestrator check [--json] [--client claude|codex|cursor] [--cwd DIR] <COMMAND>...
    session-orchestrator check --corpus FILE.tsv [--json] [--cwd DIR]
    session-orchestrator rules [--markdown]
    session-orchestrator config [--json] [--validate] [FILE]
    session-orchestrator wave-scope write --wave N --role ROLE [--enforcement strict|warn|off]
                         [--blocked-command CMD]... [--session-id ID] [COMMON]
                         (--files FILE.json | --agents SIDECAR.json | --paths P...)
    session-orchestrator wave-scope show [COMMON]
    session-orchestrator wave-scope clear [--json] [--client C] [--project DIR]
    session-orchestrator validate-wave-scope [FILE|-] [--assert-subset AGENT.json]
                         [--assert-disjoint SIDECAR.json] [--union SIDECAR.json] [--json]
    session-orchestrator check-path [COMMON] <PATH>
    session-orchestrator metrics [--json] [--since DURATION] [--cwd DIR]
    session-orchestrator validate-plugin [DIR] [--json]
    session-orchestrator install cursor [PROJECT] [--plugin-root DIR] [--dry-run]
    session-orchestrator install claude|codex [--plugin-root DIR] [--run]
    session-orchestrator install codex --trust
    session-orchestrator doctor [--plugin-root DIR] [--project DIR] [--json]
    session-orchestrator state show [--json] [COMMON]
    session-orchestrator state init --session-type feature|deep|housekeeping|none --total-waves N
                         [--branch B] [--issues 12,34] [--session LABEL]
                         [--session-start-ref REF] [--force] [COMMON]
    session-orchestrator state set KEY=VALUE... [COMMON]
    session-orchestrator state append SECTION TEXT [COMMON]
    session-orchestrator state section SECTION (--text TEXT | --file FILE|-) [COMMON]
    session-orchestrator state reset [COMMON]
    session-orchestrator bootstrap --check [--json] [--project DIR]
    session-orchestrator bootstrap --tier fast|standard|deep [--client claude|codex|cursor]
                         [--project DIR] [--dry-run]
    session-orchestrator mode [--json] [--project DIR]
    session-orchestrator autopilot --headless [--max-sessions N] [--max-hours H] [--max-tokens N]
                         [--confidence-threshold X] [--stall-timeout SECS] [--dry-run]
                         [--project DIR]
    session-orchestrator quality-gate --variant baseline|incremental|full-gate|per-file
                         [--files a,b] [--wave N] [--timeout SECS] [--baseline FILE]
                         [--project DIR]
    session-orchestrator session record [FILE|-] [--project DIR]
    session-orchestrator learning add --type T --subject S --insight I --evidence E
                         --confidence X [--expires-days N] [--project DIR]
    session-orchestrator learning list [--json] [--all] [--project DIR]
    session-orchestrator --version
    session-orchestrator SUBCOMMAND --help    (that subcommand's part of this text)

check      Judge a shell command as the destructive guard would. Exit 0 allow (or warn),
           1 deny, 2 ask or could-not-analyse (on Codex, which cannot ask, 1).
           --corpus reads `id<TAB>command<TAB>expected<TAB>category<TAB>reason` lines
           (`\\n` in a command is a newline), prints a confusion matrix and every
           disagreement, and exits 1 if any case disagrees.
rules      List every guard rule with its pack, severity and examples.
config     Read the `## Session Config` section of CLAUDE.md / AGENTS.md — FILE, or the
           one the guards read: the project root's, for the current directory (or for the
           directory FILE) — and print every field with its value and its source (a line of
           the file, or the default), the keys no field exists for, and every diagnostic as
           file:line:col. A value of the wrong type is an error naming its line, never
           replaced by the default. --json prints {file, sectionLine, values, sources,
           lines, unknown, diagnostics}. --validate checks the mandatory fields:
           test-command, typecheck-command and lint-command written in the file and not
           empty (`skip` runs no such gate), agents-per-wave >= 2, waves >= 3, persistence a
           boolean, enforcement strict|warn|off; one line per problem (--json adds `valid`
           and `problems`). Exit 0 ok, 1 an error or a failed check, 2 no config file (or
           an unreadable one), 64 bad arguments.
wave-scope The wave manifest, `<project>/<state-dir>/wave-scope.json`, which the scope
           enforcer holds every write against. Only the coordinator (main thread) runs
           `write` and `clear`; no tool may edit the file. `write` takes the allowed paths
           from a JSON array (`--files`, `-` for stdin; `[]` for a read-only wave), from the
           aggregate sidecar of per-agent lists (`--agents`: `[{\"id\": ..., \"files\": [...]}]`,
           the agents must share no path and the manifest gets their union) or literally
           (`--paths`), validates the manifest as validate-wave-scope does, and replaces it
           atomically under a lock (`wave-scope.lock`). `show` tells whether a manifest is in
           force, stale (written by another session, or over 24 hours ago without a session
           id: reported, not enforced) or broken (every write denied); `clear` removes it
           (exit 0 when there is none). A manifest without `enforcement` is strict.
           Exit 0 done, 1 invalid input (`show`: broken or invalid manifest), 2 I/O error.
validate-wave-scope
           Check a manifest (FILE, or stdin for `-` or no FILE) against the original's rules
           and echo it; `--assert-subset` checks an agent's paths are all allowed,
           `--assert-disjoint` that a sidecar's agents share no path, `--union` prints the
           sidecar's union instead of the manifest (with only these two flags no manifest
           is read). Exit 0 valid, 1 invalid (`error:`/`warning:` lines on stderr; an empty
           flag value is refused), 2 I/O error.
check-path Explain the enforcer's verdict on a write to PATH by the main thread: resolved
           path, the allowed pattern that matches, self-protection, decision. A relative
           PATH is taken from the project root, as the enforcer takes it. Exit 0 allow (or
           warn), 1 deny, 2 ask; 64 bad arguments, 66 unreadable project directory.
metrics    Summarise the project's session record (.orchestrator/metrics/): sessions with
           durations and waves, the session-end reports (`session record`: agents by
           outcome, files, issues closed/planned, carryover, gate), subagents by type with
           durations and tokens, blocked commands by rule, loop warnings. --since
           24h|7d|1h30m counts only newer records; --json prints the summary as JSON.
           Colour only on a terminal and without NO_COLOR.
validate-plugin
           Check the plugin tree DIR (default: the current directory): plugin.json and
           marketplace.json fields and paths, the hooks file (real event names, real tool
           names in exact matchers, every `hooks/run NAME` a so-hooks binary, every
           `${CLAUDE_PLUGIN_ROOT}` quoted, inline binary paths naming the launcher's hook,
           positive timeouts) and the frontmatter of agents/*.md (name, inline description,
           model, color, tools, sandbox-tier, output-schema, the subagent git rule PSA-007
           in write-capable agents; a shared colour warns), skills/*/SKILL.md,
           commands/*.md and output-styles/*.md; a command and a skill of one name fail
           (Claude Code would load the command for both). One PASS:/WARN:/FAIL: line per
           check, then a tally; --json prints {dir, valid, checks, passed, warnings, failed}.
           Exit 0 no failure, 1 a failed check, 2 DIR unreadable, 64 bad arguments.
install    `cursor`: write PROJECT/.cursor/hooks.json (default PROJECT: the current
           directory) in Cursor's schema — every guard and event hook as a command that
           exports CLAUDE_PLUGIN_ROOT='<root>', execs the binary from <root>/target/release,
           <root>/bin or ~/.cargo/bin, else '<root>/hooks/run' NAME; the guards failClosed —
           merged with the entries there that are not ours (ours are replaced), and
           .cursor/rules/session-orchestrator.mdc; --dry-run prints both instead. An
           existing hooks.json that is not valid JSON of that shape is left untouched
           (exit 1). `claude`, `codex`: print the plugin install commands; --run runs them
           (exit 1 when the client is not on PATH or a command fails). `codex --trust` (with
           or after --run) trusts the plugin's hooks in Codex as its /hooks screen does —
           only hooks of a session-orchestrator@… plugin that run its hooks/run with one of
           our hook names — and checks that Codex now runs them all (exit 1 otherwise). The
           plugin root is --plugin-root DIR, else the checkout this binary was built in
           (<root>/target/release, with <root>/hooks/run); without either, exit 64.
doctor     Check an installation: each hook binary found (target/release, bin, ~/.cargo/bin,
           PATH) and not older than the sources, hooks/run executable, a sample payload
           through each binary (5 s timeout), the CLI the skills call (built, and reachable
           through the plugin's bin/ shim; on PATH for Codex and Cursor agents); then for
           each client on PATH what it says
           itself: installed and enabled (`claude plugin list --json`, `codex plugin list
           --json`), its own copy of the plugin running a guard that denies (not the
           launcher's not-built block), its copy's hooks.json equal to the checkout's, and
           for Codex every hook of ours trusted for --project DIR (default: the current
           directory; asked over `codex app-server`, since Codex skips untrusted hooks
           silently); and when --project has a .cursor/hooks.json, every hook `install
           cursor` writes for this checkout in it, the guards failClosed. One
           PASS:/WARN:/FAIL: line per check, then a tally; --json prints {root, valid,
           checks, passed, warnings, failed}. Exit 0 no failure, 1 a failed check, 64 bad
           arguments or no plugin root.
state      STATE.md, `<project>/<state-dir>/STATE.md`: the coordinator's record of the session
           (docs/state.md). Only the main thread runs the writing commands; every write
           holds `.orchestrator/state.lock` (10 s at most) and replaces the file atomically.
           A STATE.md that does not parse is never overwritten (error with its line) except
           by `init --force`, which keeps a copy. `show` prints the frontmatter and the
           sections (--json: {file, frontmatter, sections}). `init` starts a session:
           status active, wave 0, started_at now, branch from git (else `none`); it refuses
           an active or paused session (resume it, or `state set status=completed` first, or
           --force) and demotes a completed or idle one (its wave history goes to
           `## Previous Session`; What Not To Retry and Open Questions carry over). `set`
           checks every KEY=VALUE (status, session-type, branch, issues `12,34`,
           current-wave <= total-waves, top-priorities up to 5, carryover-ratio and
           completion-rate 0..1, rationale up to 120 characters; an empty VALUE removes an
           optional key) and sets `updated`. `append` adds `- TEXT` (`- [ ] TEXT` to
           open-questions) to SECTION: current-wave, wave-history, deviations,
           mission-status, what-not-to-retry (keeps 10), open-questions (keeps 20) or
           previous-session; the oldest entries past a cap are dropped and named on stderr.
           `section` replaces SECTION's body. `reset` turns a completed session idle. Exit
           0 done, 1 invalid input or refused transition, 2 no STATE.md or I/O error, 64 bad
           arguments.
bootstrap  `--check`: the Bootstrap Gate — the project's CLAUDE.md or AGENTS.md exists, is
           not empty and has a `## Session Config` that so-config reads without errors, and
           .orchestrator/bootstrap.lock is YAML with `version` and `tier`. Exit 0 ready, 1
           one `missing: ... — fix: COMMAND` line per problem (--json: {ready, problems}).
           `--tier`: create what is missing, never replacing what exists: a Session Config
           appended to CLAUDE.md (AGENTS.md for codex and cursor, or whichever exists) with
           the test, typecheck and lint commands detected from Cargo.toml, package.json,
           pyproject.toml or go.mod (else `skip` with a note) and the tier's waves and
           agents-per-wave, checked by so-config first; .orchestrator/bootstrap.lock;
           <state-dir>/rules/parallel-sessions.md (Cursor: .cursor/rules/
           parallel-sessions.mdc, always applied); a placeholder STATE.md. Prints what it
           created and left alone, then the gate (exit 0 ready, 1 not); --dry-run writes
           nothing.
mode       Recommend the next session's mode (housekeeping|feature|deep) with a confidence
           0..1 and a one-line rationale, from recorded state only: the latest session
           report in .orchestrator/metrics/sessions.jsonl (failed and spiralling agents,
           carryover, completion), learnings, STATE.md's recommended-mode, carryover-ratio
           and completion-rate, and git (uncommitted changes, commits since the last
           session); the rules are in docs/autopilot.md. --json prints {mode, confidence,
           rationale, signals}. Exit 0 (1 unusable --project, 64 bad arguments).
autopilot  Chain headless Claude Code sessions (`claude -p` with stream-json output and
           permissions bypassed; $SO_CLAUDE_BIN or claude on PATH), each asked to run
           /session-orchestrator:session MODE, /go and /close without questions. Before each
           session: user-abort, max-sessions-reached (--max-sessions, default 5, 1..50),
           max-hours-exceeded (--max-hours, 4, 0.5..24), token-budget-exceeded (--max-tokens,
           500000), resource-overload (critical verdict and > 6 peer sessions; probe inputs
           injectable with SO_AUTOPILOT_PROBE=FILE.json) and low-confidence-fallback (mode
           confidence < --confidence-threshold, 0.85: before the first session, fall back to
           manual). During one: stall-timeout (no output line for --stall-timeout seconds,
           600: the session's process tree is killed); SIGINT/SIGTERM is forwarded to it.
           After one, on its sessions.jsonl report: spiral, failed-wave, carryover-too-high
           (> 0.5). One progress line per session on stderr, one record per run in
           .orchestrator/metrics/autopilot.jsonl; --dry-run evaluates the switches and prints
           the session it would start. Out-of-range values are errors (never clamped). Exit
           0 clean stop, 1 error (a session that failed or left no report), 2 failed-wave or
           no --headless, 64 bad arguments, 130 user abort (docs/autopilot.md).
quality-gate
           Run the project's test-command, typecheck-command and lint-command (Session
           Config; .orchestrator/policy/quality-gates.json overrides it; `skip` runs no such
           gate) with `sh -c` in the project root, each in its own process group under
           --timeout (default 600 s; at the limit the group is killed), and print ONE JSON
           line {variant, passed, exit_code, duration_ms, wave_number, test, typecheck,
           lint}. Each gate: status pass|fail|stubbed|timeout|skipped|not_run|error,
           command, exit_code, duration_ms, timed_out, runner, tail (last 20 lines), and the
           counts read from the runner's own output (test: total, passed, failed, skipped,
           stubbed; typecheck and lint: errors, warnings; null = not measured, never 0) for
           cargo test, nextest, pytest, vitest, jest, go test, tsc, eslint and cargo
           check/clippy. A test command that runs no test (`echo ok`, `true`, `exit 0`, zero
           tests) is stubbed. baseline: all three; incremental: test (restricted to --files
           when given) and typecheck; per-file: test and lint restricted to --files where
           the runner takes files, typecheck of the whole project; full-gate: all three.
           Records orchestrator.quality_gate.passed|failed in events.jsonl (--wave gives its
           wave_number). --baseline FILE (the JSON a baseline run printed, saved with `>`)
           adds `baseline`: {regressed, regressions, notes} — more failed tests or errors
           than the baseline, tests lost, a new stubbed/timeout/error, fail where it passed;
           a FILE that is no gate report exits 1 before anything runs. Exit 0 passed, and always for baseline, incremental and per-file;
           2 full-gate failed (failed tests, errors, a stub or a timeout); 1 our own error
           (no config, a command not set, a bad policy file, `sh` not started); 64 bad
           arguments.
session    `record`: validate the session-end skill's record (FILE, or stdin for `-` or no
           FILE), one JSON object: session_id, session_type feature|deep|housekeeping,
           started_at and completed_at (ISO-8601 UTC, completed after started),
           total_waves, waves [{wave, role Discovery|Impl-Core|Impl-Polish|Quality|
           Finalization, agents, status}] (total_waves entries, distinct wave numbers),
           agent_summary {complete, partial, failed, spiral}, total_agents and
           total_files_changed (integers >= 0); optional issues_planned, issues_closed,
           carryover (integers), gate (the quality-gate JSON), notes; any other field is
           refused. One `error: <field>: ...` line per problem and nothing written (exit 1);
           else one orchestrator.session.reported line is appended to
           .orchestrator/metrics/sessions.jsonl under its lock and printed (exit 0). Exit 2
           I/O error, 64 bad arguments.
learning   `add`: append a learning to .orchestrator/metrics/learnings.jsonl: --type
           fragile-file|effective-sizing|recurring-issue|scope-guidance|deviation-pattern,
           non-empty --subject, --insight and --evidence, --confidence 0..1; it expires
           after --expires-days (default: the Session Config's learning-expiry-days, else
           30); source_session is $CLAUDE_CODE_SESSION_ID (or null). An active learning with
           the same type and subject is superseded: the new line names it in `supersedes`.
           Prints the stored line. `list`: the active learnings, newest first, in aligned
           columns; --all adds the expired ones; --json prints an array (each with
           `expired`). Exit 0 done, 1 invalid value, 2 I/O error, 64 bad arguments.

COMMON:    --json  --client claude|codex|cursor (default: detected from the environment:
           CLAUDECODE=1, CODEX_*, CURSOR_VERSION/CURSOR_PROJECT_DIR; else claude)
           --project DIR (default: the project root above the current directory)
           --session-id ID (default: $CLAUDE_CODE_SESSION_ID)
";

/// Reports a command-line mistake on stderr and returns the usage exit code (64).
pub(crate) fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(64)
}

/// Writes output to stdout in one go. A closed pipe (`| head`) is not an error.
pub(crate) fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// The part of [`HELP`] about subcommand `sub`: its usage lines and its description block
/// (the lines from `sub` at the start of a line up to the next block), plus COMMON when
/// the usage mentions it. `None` for an unknown subcommand.
fn help_for(sub: &str) -> Option<String> {
    let usage_prefix = format!("    session-orchestrator {sub} ");
    let usage_exact = format!("    session-orchestrator {sub}");
    let mut out = String::from("USAGE:\n");
    let mut in_usage = false;
    let mut found = false;
    for line in HELP.lines() {
        if line.starts_with(&usage_prefix) || line == usage_exact {
            in_usage = true;
            found = true;
        } else if !line.starts_with("                         ") {
            in_usage = false;
        }
        if in_usage {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !found {
        return None;
    }
    out.push('\n');
    let lines: Vec<&str> = HELP.lines().collect();
    let start = lines.iter().position(|l| {
        l.strip_prefix(sub)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })?;
    for line in &lines[start..] {
        let new_block = !line.starts_with(' ') && !line.is_empty();
        if new_block && !std::ptr::eq(*line, lines[start]) {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    if out.contains("[COMMON]") {
        let common = HELP.find("\nCOMMON:").map_or("", |i| &HELP[i + 1..]);
        out.push('\n');
        out.push_str(common);
    }
    Some(out)
}

/// Subcommands whose first argument names a further subcommand (`state show --help`).
const NESTED: [&str; 5] = ["state", "wave-scope", "session", "learning", "install"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `SUB --help` (and `SUB ACTION --help` for the nested ones) prints that part of the
    // help; later positions may be a command's own words (`check git --help`).
    let asks_help = |a: Option<&String>| a.is_some_and(|a| a == "--help" || a == "-h");
    if let Some(sub) = args.first()
        && (asks_help(args.get(1)) || (NESTED.contains(&sub.as_str()) && asks_help(args.get(2))))
        && let Some(text) = help_for(sub)
    {
        emit(&text);
        return ExitCode::SUCCESS;
    }
    match args.first().map(String::as_str) {
        Some("check") => check::run(&args[1..]),
        Some("config") => config_cmd::run(&args[1..]),
        Some("rules") => rules_doc::run(&args[1..]),
        Some("wave-scope") => wave_scope::run(&args[1..]),
        Some("validate-wave-scope") => validate_scope::run(&args[1..]),
        Some("check-path") => wave_scope::check_path(&args[1..]),
        Some("metrics") => metrics::run(&args[1..]),
        Some("mode") => mode::run(&args[1..]),
        Some("autopilot") => autopilot::run(&args[1..]),
        Some("validate-plugin") => validate_plugin::run(&args[1..]),
        Some("install") => install::run(&args[1..]),
        Some("doctor") => doctor::run(&args[1..]),
        Some("state") => state_cmd::run(&args[1..]),
        Some("bootstrap") => bootstrap_cmd::run(&args[1..]),
        Some("quality-gate") => quality_gate::run(&args[1..]),
        Some("session") => session_cmd::run(&args[1..]),
        Some("learning") => learning::run(&args[1..]),
        Some("--version" | "-V") => {
            emit(&format!(
                "session-orchestrator {}\n",
                env!("CARGO_PKG_VERSION")
            ));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") | None => {
            emit(HELP);
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{HELP}");
            ExitCode::from(64)
        }
    }
}
