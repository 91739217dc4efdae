//! The walk over one command line: every simple command, every string that will run as
//! code, every wrapper, each handed to the rules.

use so_shell::{Limits, ShellScript, SimpleCommand, Stdin, Word};

use crate::context::GuardContext;
use crate::policy::{Policy, ProtectedPaths};
use crate::rules::{self, RuleInfo};
use crate::verdict::Finding;

/// How deep strings that run as code (`sh -c`, `eval`, `ssh host '...'`) may nest.
const MAX_CODE_DEPTH: usize = 12;

/// What a command reads on standard input, as far as the command line shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// Nothing the command line sets.
    None,
    /// Text the command line spells out: a heredoc, a here-string, or literal `echo`
    /// output piped in.
    Text(String),
    /// A file or another program's output: not visible here.
    Unseen,
}

/// One command to judge: a simple command, or one a wrapper or `xargs` will run.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    /// Command word and arguments.
    pub argv: Vec<Word>,
    /// Standard input.
    pub input: Input,
    /// The directory an earlier `cd` moved to.
    pub cwd: Option<Word>,
    /// The command as the user would read it.
    pub display: String,
    /// The argv of the command whose output is piped into this one, if simple.
    pub upstream: Option<Vec<Word>>,
}

impl Invocation {
    /// The same invocation with another argv (after a wrapper is stripped).
    pub fn with_argv(&self, argv: Vec<Word>) -> Self {
        Self {
            argv,
            input: self.input.clone(),
            cwd: self.cwd.clone(),
            display: self.display.clone(),
            upstream: self.upstream.clone(),
        }
    }

    /// The same invocation run in `dir` (`git -C dir`, `env -C dir`), relative to the
    /// directory it already runs in.
    pub fn in_dir(&self, dir: &Word) -> Self {
        let cwd = match &self.cwd {
            Some(prev) if !dir.text.starts_with('/') && !dir.tilde && !dir.dynamic => Word {
                text: format!("{}/{}", prev.text.trim_end_matches('/'), dir.text),
                ..prev.clone()
            },
            _ => dir.clone(),
        };
        Self {
            cwd: Some(cwd),
            ..self.clone()
        }
    }

    /// Arguments after the command word.
    pub fn args(&self) -> &[Word] {
        self.argv.get(1..).unwrap_or_default()
    }

    /// Whether any argument is exactly `flag`.
    pub fn has(&self, flag: &str) -> bool {
        self.args().iter().any(|w| w.text == flag)
    }
}

/// The state of one check.
pub(crate) struct Engine<'a> {
    pub cx: &'a GuardContext,
    pub policy: &'a Policy,
    pub findings: Vec<Finding>,
    pub commands: Vec<String>,
    pub problems: Vec<String>,
    pub writes: Vec<crate::verdict::WriteTarget>,
    pub invocations: Vec<Vec<String>>,
    limits: Limits,
    depth: usize,
    /// Standard input a wrapper passes on to the code it runs.
    inherited_input: Input,
}

impl<'a> Engine<'a> {
    pub fn new(cx: &'a GuardContext, policy: &'a Policy) -> Self {
        Self {
            cx,
            policy,
            findings: Vec::new(),
            commands: Vec::new(),
            problems: Vec::new(),
            writes: Vec::new(),
            invocations: Vec::new(),
            limits: Limits::default(),
            depth: 0,
            inherited_input: Input::None,
        }
    }

    /// Analyses a string bash will run.
    pub fn code(&mut self, code: &str) {
        if self.depth >= MAX_CODE_DEPTH {
            self.problem(format!(
                "command strings nest deeper than {MAX_CODE_DEPTH} levels"
            ));
            return;
        }
        self.depth += 1;
        rules::system::fork_bomb(self, code);
        let script = so_shell::parse(code, &self.limits);
        for p in &script.problems {
            if !matches!(p, so_shell::Problem::Syntax { .. }) {
                self.problem(p.to_string());
            }
        }
        for cmd in &script.commands {
            self.simple(cmd, &script);
        }
        self.depth -= 1;
    }

    fn simple(&mut self, cmd: &SimpleCommand, script: &ShellScript) {
        let display = cmd.display();
        if !display.is_empty() {
            self.commands.push(display.clone());
        }
        let upstream = match &cmd.stdin {
            Some(Stdin::Pipe(i)) => script.commands.get(*i).map(|c| c.argv.clone()),
            _ => None,
        };
        let inv = Invocation {
            argv: cmd.argv.clone(),
            input: match (input_of(cmd, script), &self.inherited_input) {
                (Input::None, inherited) => inherited.clone(),
                (own, _) => own,
            },
            cwd: cmd.cwd.clone(),
            display,
            upstream,
        };
        for r in &cmd.redirects {
            if r.kind.writes() {
                rules::writes::write_target(self, &inv, &r.target, "redirection");
            }
        }
        if !cmd.argv.is_empty() {
            self.invoke(&inv);
        }
    }

    /// Analyses code that runs with `input` as its standard input (`ssh host bash <<EOF`).
    pub fn code_with_input(&mut self, code: &str, input: &Input) {
        if *input == Input::None {
            self.code(code);
            return;
        }
        let saved = std::mem::replace(&mut self.inherited_input, input.clone());
        self.code(code);
        self.inherited_input = saved;
    }

    /// Judges one invocation (after wrappers, or as generated by `xargs`/`find -exec`).
    pub fn invoke(&mut self, inv: &Invocation) {
        if self.depth > MAX_CODE_DEPTH * 4 {
            self.problem("wrappers nest too deeply".to_owned());
            return;
        }
        self.depth += 1;
        if self.invocations.len() < 10_000 {
            self.invocations
                .push(inv.argv.iter().map(|w| w.text.clone()).collect());
        }
        rules::dispatch(self, inv);
        self.depth -= 1;
    }

    /// Records that `rule` matched `inv`. `detail` refines the rule's reason.
    pub fn hit(&mut self, rule: &'static RuleInfo, inv: &Invocation, detail: Option<String>) {
        if !self.policy.pack_enabled(rule.pack) {
            return;
        }
        let severity = self.policy.severity(rule);
        let reason = detail.unwrap_or_else(|| rule.summary.to_owned());
        if self
            .findings
            .iter()
            .any(|f| f.rule == rule.id && f.command == inv.display)
        {
            return;
        }
        self.findings.push(Finding {
            rule: rule.id.to_owned(),
            severity,
            reason,
            alternative: rule.alternative.to_owned(),
            command: inv.display.clone(),
            always_enforced: rule.always_enforced,
        });
    }

    /// Records a finding of a custom policy rule.
    pub fn hit_custom(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records a file the command writes or deletes.
    pub fn record_write(
        &mut self,
        word: &Word,
        place: &crate::places::Place,
        via: &str,
        inv: &Invocation,
    ) {
        if self.writes.len() >= 10_000 {
            return;
        }
        let path = match place.zone {
            crate::places::Zone::Unknown => None,
            _ => place.path.clone(),
        };
        self.writes.push(crate::verdict::WriteTarget {
            path,
            spelled: word.text.clone(),
            via: via.to_owned(),
            command: inv.display.clone(),
        });
    }

    pub fn problem(&mut self, message: String) {
        if !self.problems.contains(&message) {
            self.problems.push(message);
        }
    }

    /// The protected-path matcher, built on first use (most commands write nothing).
    pub fn protected(&self) -> &ProtectedPaths {
        self.policy.protected_paths()
    }
}

/// Standard input of a simple command as far as the command line shows it.
fn input_of(cmd: &SimpleCommand, script: &ShellScript) -> Input {
    match &cmd.stdin {
        None => Input::None,
        Some(Stdin::HereDoc { body, .. }) => Input::Text(body.clone()),
        Some(Stdin::HereString(word)) => Input::Text(format!("{}\n", word.text)),
        Some(Stdin::File(_) | Stdin::UnknownPipe) => Input::Unseen,
        Some(Stdin::Pipe(i)) => script
            .commands
            .get(*i)
            .and_then(literal_output)
            .map_or(Input::Unseen, Input::Text),
    }
}

/// The output of `echo`/`printf`/`cat <<EOF` when the command line spells it out.
pub(crate) fn literal_output(cmd: &SimpleCommand) -> Option<String> {
    let name = cmd.name()?.known()?;
    let args = &cmd.argv[1..];
    match name {
        "echo" => {
            let words: Vec<&str> = args
                .iter()
                .map(|w| w.text.as_str())
                .skip_while(|a| matches!(*a, "-n" | "-e" | "-E" | "-ne" | "-en"))
                .collect();
            Some(format!("{}\n", words.join(" ")))
        }
        "printf" => {
            let mut parts = args.iter().map(|w| w.text.as_str());
            let format = parts.next()?;
            let rest: Vec<&str> = parts.collect();
            // `printf '%s\n' a b` prints each argument; a plain format prints itself.
            let text = if format.contains("%s") && !rest.is_empty() {
                rest.join("\n")
            } else {
                format.replace("\\n", "\n")
            };
            Some(text)
        }
        "cat" | "tee" if args.iter().all(|w| name == "tee" || w.text == "-") => match &cmd.stdin {
            Some(Stdin::HereDoc { body, .. }) => Some(body.clone()),
            Some(Stdin::HereString(w)) => Some(w.text.clone()),
            _ => None,
        },
        _ => None,
    }
}
