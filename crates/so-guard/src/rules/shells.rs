//! Shells and `eval`: strings that run as shell code are analysed like the command line.

use so_shell::Word;

use super::RuleInfo;
use super::wrappers::{join, shell_input};
use crate::engine::{Engine, Input, Invocation};
use crate::verdict::Severity;

/// `$CMD -rf /`: the command name comes from a variable.
pub(crate) const DYNAMIC_COMMAND: RuleInfo = RuleInfo {
    id: "core:dynamic-command",
    pack: "core.filesystem",
    severity: Severity::Deny,
    summary: "the command name comes from a variable or substitution, and with these arguments it would be destructive",
    alternative: "spell the command name out so it can be checked",
    block_example: "$CMD -rf ~/projects",
    allow_example: "$EDITOR notes.txt",
    always_enforced: false,
};

pub(crate) static RULES: &[&RuleInfo] = &[&DYNAMIC_COMMAND];

/// `bash -c CODE`, `sh -lc CODE`, `bash -s` / `bash` reading a heredoc or a pipe.
pub(crate) fn shell(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let mut i = 0;
    let mut reads_code_arg = false;
    let mut reads_stdin = false;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if t.starts_with("--") {
            // `--login`, `--norc`, `--rcfile FILE`, `--init-file FILE`
            if matches!(t, "--rcfile" | "--init-file") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if let Some(cluster) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) {
            if cluster.is_empty() {
                break;
            }
            if cluster.contains('c') {
                reads_code_arg = true;
            }
            if cluster.contains('s') {
                reads_stdin = true;
            }
            // `-o option` / `-O shopt` take a value.
            if cluster.ends_with('o') || cluster.ends_with('O') {
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    if reads_code_arg {
        if let Some(code) = args.get(i) {
            let code = code.text.clone();
            e.code(&code);
        }
        return;
    }
    if i >= args.len() || reads_stdin {
        // No script file (or `-s`): the shell reads its commands from standard input.
        shell_input(e, inv);
        if inv.input == Input::Unseen
            && let Some(up) = &inv.upstream
        {
            // The text comes from another program (`rg PATTERN file | sh`): its
            // arguments are the best view of what the shell will run.
            for arg in up.iter().skip(1).filter(|w| !w.text.starts_with('-')) {
                let candidate = arg.text.trim_matches('"').to_owned();
                e.code(&candidate);
            }
        }
    }
    // `bash script.sh`: the file's contents are not visible here.
}

/// `eval ARGS`: the arguments are joined and run as code.
pub(crate) fn eval(e: &mut Engine, inv: &Invocation) {
    let code = join(inv.args());
    e.code(&code);
}

/// `cmd /c "…"` / `cmd /k "…"`: cmd.exe runs the rest of its line as a command line, judged
/// like the text of `sh -c` (its simple commands read the same way).
pub(crate) fn cmd_exe(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let runs_text = args
        .first()
        .is_some_and(|w| w.text.eq_ignore_ascii_case("/c") || w.text.eq_ignore_ascii_case("/k"));
    if runs_text {
        e.code(&join(&args[1..]));
    }
}

/// `$CMD ARGS`: try the names a variable usually holds for destructive commands.
pub(crate) fn dynamic_command(e: &mut Engine, inv: &Invocation) {
    let before = e.findings.len();
    // `${PREFIX}twine upload`, `$VENV/bin/mkdocs gh-deploy`: a variable prefix before a
    // literal command name runs that command; judge it by that name.
    let text = inv.argv[0].text.as_str();
    let tail = text.rsplit(['}', '/']).next().unwrap_or("");
    if tail.len() >= 2
        && tail != text
        && !tail.contains('$')
        && tail
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        let mut argv = inv.argv.clone();
        argv[0] = Word::literal(tail);
        super::dispatch(e, &inv.with_argv(argv));
        if e.findings.len() > before {
            return;
        }
    }
    let recursive =
        super::has_flag(inv.args(), 'r', &["recursive"]) || super::has_flag(inv.args(), 'R', &[]);
    let names: &[&str] = if recursive { &["rm", "git"] } else { &["git"] };
    for &name in names {
        let mut argv = inv.argv.clone();
        argv[0] = Word::literal(name);
        let probe = inv.with_argv(argv);
        super::dispatch(e, &probe);
    }
    if e.findings.len() > before {
        e.findings.truncate(before);
        e.hit(&DYNAMIC_COMMAND, inv, None);
    }
}
