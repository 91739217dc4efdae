//! `session-orchestrator`: the user CLI. Thin: parse arguments, call a library, print.

mod check;
mod rules_doc;

use std::process::ExitCode;

const HELP: &str = "session-orchestrator — the user CLI of the session-orchestrator plugin

USAGE:
    session-orchestrator check [--json] [--client claude|codex|cursor] [--cwd DIR] <COMMAND>...
    session-orchestrator check --corpus FILE.tsv [--json] [--cwd DIR]
    session-orchestrator rules [--markdown]
    session-orchestrator --version

check      Judge a shell command as the destructive guard would. Exit 0 allow (or warn),
           1 deny, 2 ask or could-not-analyse (on Codex, which cannot ask, 1).
           --corpus reads `id<TAB>command<TAB>expected<TAB>category<TAB>reason` lines
           (`\\n` in a command is a newline), prints a confusion matrix and every
           disagreement, and exits 1 if any case disagrees.
rules      List every guard rule with its pack, severity and examples.
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
        Some("rules") => rules_doc::run(&args[1..]),
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
