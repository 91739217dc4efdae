//! `session-orchestrator check`: the guard's verdict on a command, or on a labelled corpus.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use so_guard::{Analysis, Decision, Guard, GuardContext};

struct Options {
    json: bool,
    client: String,
    cwd: PathBuf,
    corpus: Option<PathBuf>,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        json: false,
        client: "claude".to_owned(),
        cwd: std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?,
        corpus: None,
        command: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--client" => {
                let v = it
                    .next()
                    .ok_or("`--client` needs claude, codex or cursor")?;
                if !matches!(v.as_str(), "claude" | "codex" | "cursor") {
                    return Err(format!("unknown client `{v}`: use claude, codex or cursor"));
                }
                o.client.clone_from(v);
            }
            "--cwd" => o.cwd = PathBuf::from(it.next().ok_or("`--cwd` needs a directory")?),
            "--corpus" => {
                o.corpus = Some(PathBuf::from(
                    it.next().ok_or("`--corpus` needs a TSV file")?,
                ));
            }
            "--" => {
                o.command.extend(it.by_ref().cloned());
                break;
            }
            _ => o.command.push(a.clone()),
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => return crate::usage_error(&e),
    };
    let cx = GuardContext::for_cwd(&o.cwd);
    let guard = Guard::for_project(&cx.project_root);
    if let Some(path) = &o.corpus {
        return corpus(&guard, &cx, path, o.json);
    }
    if o.command.is_empty() {
        eprintln!(
            "error: give a command to check, e.g. `session-orchestrator check git reset --hard`"
        );
        return ExitCode::from(64);
    }
    let command = o.command.join(" ");
    // The parser recurses per nesting level: give it the stack the hooks give it.
    let analysis = {
        let (guard, cx, command) = (guard.clone(), cx.clone(), command.clone());
        let joined = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || guard.check(&command, &cx))
            .map(std::thread::JoinHandle::join);
        if let Ok(Ok(a)) = joined {
            a
        } else {
            eprintln!("error: the guard failed on this command; a hook would deny it");
            return ExitCode::from(1);
        }
    };
    let decision = for_client(analysis.decision, &o.client);
    if o.json {
        crate::emit(&format!("{}\n", to_json(&command, &analysis, decision)));
    } else {
        print_human(&analysis, decision);
    }
    ExitCode::from(exit_code(decision))
}

/// What the client would do: Codex cannot ask, so ask and could-not-analyse deny there.
fn for_client(d: Decision, client: &str) -> Decision {
    match (d, client) {
        (Decision::Ask | Decision::Indeterminate, "codex") => Decision::Deny,
        (d, _) => d,
    }
}

fn exit_code(d: Decision) -> u8 {
    match d {
        Decision::Allow | Decision::Warn => 0,
        Decision::Deny => 1,
        Decision::Ask | Decision::Indeterminate => 2,
    }
}

fn to_json(command: &str, a: &Analysis, decision: Decision) -> serde_json::Value {
    json!({
        "command": command,
        "decision": decision.name(),
        "findings": a.findings.iter().map(|f| json!({
            "rule": f.rule, "severity": f.severity.name(), "reason": f.reason,
            "alternative": f.alternative, "command": f.command,
        })).collect::<Vec<_>>(),
        "commands": a.commands,
        "problems": a.problems,
        "notices": a.notices,
    })
}

fn print_human(a: &Analysis, decision: Decision) {
    let mut out = String::new();
    let _ = writeln!(out, "decision: {decision}");
    if let Some(f) = a.primary() {
        let _ = writeln!(out, "rule:     {}", f.rule);
        let _ = writeln!(out, "reason:   {}", f.reason);
        let _ = writeln!(out, "instead:  {}", f.alternative);
        let _ = writeln!(out, "matched:  {}", f.command);
        for other in &a.findings[1..] {
            let _ = writeln!(out, "also:     {} ({})", other.rule, other.command);
        }
    }
    for p in &a.problems {
        let _ = writeln!(out, "problem:  {p}");
    }
    for n in &a.notices {
        let _ = writeln!(out, "notice:   {n}");
    }
    let _ = writeln!(out, "commands seen:");
    for c in &a.commands {
        let _ = writeln!(out, "  - {c}");
    }
    crate::emit(&out);
}

fn corpus(guard: &Guard, cx: &GuardContext, path: &PathBuf, json: bool) -> ExitCode {
    let text = match fs_read(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(66);
        }
    };
    // matrix[expected block?][got block?]
    let mut matrix = [[0usize; 2]; 2];
    let mut disagreements = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 && line.starts_with("id\t") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 || !matches!(f[2], "block" | "allow") {
            eprintln!(
                "error: {}:{}: expected 5 tab-separated fields with `block` or `allow` third",
                path.display(),
                n + 1
            );
            return ExitCode::from(65);
        }
        let command = f[1].replace("\\n", "\n");
        let a = guard.check(&command, cx);
        let expected_block = f[2] == "block";
        let got_block = a.decision != Decision::Allow;
        matrix[usize::from(expected_block)][usize::from(got_block)] += 1;
        if expected_block != got_block {
            disagreements.push((
                f[0].to_owned(),
                f[2].to_owned(),
                a.decision,
                a.primary().map(|x| x.rule.clone()),
                f[1].to_owned(),
            ));
        }
    }
    if json {
        let out = json!({
            "expected_block_got_block": matrix[1][1], "expected_block_got_allow": matrix[1][0],
            "expected_allow_got_allow": matrix[0][0], "expected_allow_got_block": matrix[0][1],
            "disagreements": disagreements.iter().map(|d| json!({"id": d.0, "expected": d.1, "got": d.2.name(), "rule": d.3, "command": d.4})).collect::<Vec<_>>(),
        });
        crate::emit(&format!("{out}\n"));
    } else {
        let mut out = String::new();
        let total: usize = matrix.iter().flatten().sum();
        let _ = writeln!(out, "                 got block   got allow");
        let _ = writeln!(
            out,
            "expected block   {:>9}   {:>9}",
            matrix[1][1], matrix[1][0]
        );
        let _ = writeln!(
            out,
            "expected allow   {:>9}   {:>9}",
            matrix[0][1], matrix[0][0]
        );
        let _ = writeln!(
            out,
            "{} cases, {} agree, {} disagree",
            total,
            total - disagreements.len(),
            disagreements.len()
        );
        for d in &disagreements {
            let _ = writeln!(
                out,
                "{}\texpected {}\tgot {}\t{}\t{}",
                d.0,
                d.1,
                d.2,
                d.3.as_deref().unwrap_or("-"),
                d.4
            );
        }
        crate::emit(&out);
    }
    if disagreements.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fs_read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}
