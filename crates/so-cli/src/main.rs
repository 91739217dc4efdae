//! `session-orchestrator`: the user CLI. Thin: parse arguments, call a library, print.

mod check;
mod client_plugins;
mod config_cmd;
mod doctor;
mod install;
mod metrics;
mod rules_doc;
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
    session-orchestrator --version

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
           durations and waves, subagents by type with durations and tokens, blocked
           commands by rule, loop warnings. --since 24h|7d|1h30m counts only newer records;
           --json prints the summary as JSON. Colour only on a terminal and without NO_COLOR.
validate-plugin
           Check the plugin tree DIR (default: the current directory): plugin.json and
           marketplace.json fields and paths, the hooks file (real event names, real tool
           names in exact matchers, every `hooks/run NAME` a so-hooks binary, every
           `${CLAUDE_PLUGIN_ROOT}` quoted, positive timeouts) and the frontmatter of
           agents/*.md, skills/*/SKILL.md and commands/*.md. One PASS:/WARN:/FAIL: line per
           check, then a tally; --json prints {dir, valid, checks, passed, warnings, failed}.
           Exit 0 no failure, 1 a failed check, 2 DIR unreadable, 64 bad arguments.
install    `cursor`: write PROJECT/.cursor/hooks.json (default PROJECT: the current
           directory) in Cursor's schema — every guard and event hook as
           `CLAUDE_PLUGIN_ROOT='<root>' '<root>/hooks/run' NAME`, the guards failClosed —
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
           through each binary (5 s timeout); then for each client on PATH what it says
           itself: installed and enabled (`claude plugin list --json`, `codex plugin list
           --json`), its own copy of the plugin running a guard that denies (not the
           launcher's not-built block), its copy's hooks.json equal to the checkout's, and
           for Codex every hook of ours trusted for --project DIR (default: the current
           directory; asked over `codex app-server`, since Codex skips untrusted hooks
           silently). One PASS:/WARN:/FAIL: line per check, then a tally; --json prints
           {root, valid, checks, passed, warnings, failed}. Exit 0 no failure, 1 a failed
           check, 64 bad arguments or no plugin root.

COMMON:    --json  --client claude|codex|cursor (default: detected from the environment:
           CLAUDECODE=1, CODEX_*, CURSOR_VERSION/CURSOR_PROJECT_DIR; else claude)
           --project DIR (default: the project root above the current directory)
           --session-id ID (default: $CLAUDE_CODE_SESSION_ID)
";

/// Writes output to stdout in one go. A closed pipe (`| head`) is not an error.
pub(crate) fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => check::run(&args[1..]),
        Some("config") => config_cmd::run(&args[1..]),
        Some("rules") => rules_doc::run(&args[1..]),
        Some("wave-scope") => wave_scope::run(&args[1..]),
        Some("validate-wave-scope") => validate_scope::run(&args[1..]),
        Some("check-path") => wave_scope::check_path(&args[1..]),
        Some("metrics") => metrics::run(&args[1..]),
        Some("validate-plugin") => validate_plugin::run(&args[1..]),
        Some("install") => install::run(&args[1..]),
        Some("doctor") => doctor::run(&args[1..]),
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
