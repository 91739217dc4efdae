//! Commands that run another command: strip them with their option grammars and judge
//! what they run.

use so_shell::Word;

use crate::engine::{Engine, Input, Invocation};

/// Option grammar of a wrapper: which options take a value, and how many positional
/// arguments come before the wrapped command.
struct Grammar {
    /// Short options that take a value (`-u root` or `-uroot`).
    short_values: &'static str,
    /// Long options that take a value (`--user root` or `--user=root`).
    long_values: &'static [&'static str],
    /// Positional arguments before the command (`timeout 30s cmd`).
    positionals: usize,
    /// `NAME=value` words before the command are assignments (`env`, `sudo`).
    assignments: bool,
}

const SUDO: Grammar = Grammar {
    short_values: "ughpCDRrtTUa",
    long_values: &[
        "user",
        "group",
        "host",
        "prompt",
        "close-from",
        "chdir",
        "chroot",
        "role",
        "type",
        "other-user",
        "command-timeout",
        "auth-type",
    ],
    positionals: 0,
    assignments: true,
};
const DOAS: Grammar = Grammar {
    short_values: "uCa",
    long_values: &[],
    positionals: 0,
    assignments: false,
};
const ENV: Grammar = Grammar {
    short_values: "uCP",
    long_values: &[
        "unset",
        "chdir",
        "default-signal",
        "ignore-signal",
        "block-signal",
    ],
    positionals: 0,
    assignments: true,
};
const NICE: Grammar = Grammar {
    short_values: "n",
    long_values: &["adjustment"],
    positionals: 0,
    assignments: false,
};
const IONICE: Grammar = Grammar {
    short_values: "cnp",
    long_values: &["class", "classdata", "pid", "pgid", "uid"],
    positionals: 0,
    assignments: false,
};
const TIMEOUT: Grammar = Grammar {
    short_values: "ks",
    long_values: &["kill-after", "signal"],
    positionals: 1,
    assignments: false,
};
const TIME: Grammar = Grammar {
    short_values: "of",
    long_values: &["output", "format"],
    positionals: 0,
    assignments: false,
};
const STDBUF: Grammar = Grammar {
    short_values: "ioe",
    long_values: &["input", "output", "error"],
    positionals: 0,
    assignments: false,
};
const PLAIN: Grammar = Grammar {
    short_values: "",
    long_values: &[],
    positionals: 0,
    assignments: false,
};
const EXEC: Grammar = Grammar {
    short_values: "a",
    long_values: &[],
    positionals: 0,
    assignments: false,
};
const CHROOT: Grammar = Grammar {
    short_values: "",
    long_values: &["userspec", "groups"],
    positionals: 1,
    assignments: false,
};
const TASKSET: Grammar = Grammar {
    short_values: "",
    long_values: &[],
    positionals: 1,
    assignments: false,
};
const FLOCK: Grammar = Grammar {
    short_values: "wEc",
    long_values: &["timeout", "conflict-exit-code", "command"],
    positionals: 1,
    assignments: false,
};
const XARGS: Grammar = Grammar {
    short_values: "IinPLsdEa",
    long_values: &[
        "replace",
        "max-args",
        "max-procs",
        "max-lines",
        "max-chars",
        "delimiter",
        "eof",
        "arg-file",
        "process-slot-var",
    ],
    positionals: 0,
    assignments: false,
};
const DOCKER_EXEC: Grammar = Grammar {
    short_values: "euw",
    long_values: &["env", "env-file", "user", "workdir", "detach-keys"],
    positionals: 1,
    assignments: false,
};
const DOCKER_RUN: Grammar = Grammar {
    short_values: "evwpuhlmc",
    long_values: &[
        "env",
        "env-file",
        "volume",
        "workdir",
        "publish",
        "user",
        "hostname",
        "label",
        "memory",
        "name",
        "network",
        "entrypoint",
        "mount",
        "platform",
        "pull",
        "cpus",
        "add-host",
        "cap-add",
        "cap-drop",
        "device",
        "dns",
        "gpus",
        "ipc",
        "label-file",
        "log-driver",
        "log-opt",
        "restart",
        "runtime",
        "security-opt",
        "shm-size",
        "stop-signal",
        "tmpfs",
        "ulimit",
        "volumes-from",
        "cidfile",
    ],
    positionals: 1,
    assignments: false,
};
const SSH: Grammar = Grammar {
    short_values: "BbcDEeFIiJLlmOoPpQRSWw",
    long_values: &[],
    positionals: 1,
    assignments: false,
};
const SU: Grammar = Grammar {
    short_values: "sgG",
    long_values: &["shell", "group", "supp-group"],
    positionals: 0,
    assignments: false,
};

/// The index in `args` where the wrapped command starts, after options, positionals
/// and assignments; `None` when there is no command.
fn command_start(args: &[Word], g: &Grammar) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            if !long.contains('=') && g.long_values.contains(&long) {
                i += 1;
            }
            i += 1;
            continue;
        }
        if let Some(short) = t.strip_prefix('-')
            && !short.is_empty()
        {
            // In a cluster, a value option takes the rest of the word, or the next word.
            if let Some(pos) = short.find(|c| g.short_values.contains(c))
                && pos + 1 == short.len()
            {
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    i += g.positionals;
    if args.get(i).is_some_and(|w| w.text == "--") && g.positionals > 0 {
        i += 1; // `ssh host -- cmd`
    }
    if g.assignments {
        while i < args.len() && is_assignment(&args[i].text) {
            i += 1;
        }
    }
    (i < args.len()).then_some(i)
}

fn is_assignment(t: &str) -> bool {
    t.split_once('=').is_some_and(|(n, _)| {
        !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Judges the command a wrapper runs. Returns false when `name` is no wrapper.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per wrapper reads best as one table"
)]
pub(crate) fn unwrap(e: &mut Engine, inv: &Invocation, name: &str) -> bool {
    let args = inv.args();
    let grammar = match name {
        "sudo" => {
            // `sudo -s cmd` / `sudo -i cmd` run the command through a shell.
            if args
                .iter()
                .take_while(|w| w.text.starts_with('-'))
                .any(|w| matches!(w.text.as_str(), "-s" | "-i" | "--shell" | "--login"))
            {
                match command_start(args, &SUDO) {
                    Some(start) => e.code_with_input(&join(&args[start..]), &inv.input),
                    None => shell_input(e, inv),
                }
                return true;
            }
            &SUDO
        }
        "doas" => &DOAS,
        "env" => return env(e, inv),
        "nice" => &NICE,
        "ionice" => &IONICE,
        "timeout" => &TIMEOUT,
        "time" => &TIME,
        "stdbuf" => &STDBUF,
        "nohup" | "builtin" | "setsid" | "unbuffer" | "caffeinate" | "catchsegv" | "strace"
        | "ltrace" | "nocache" | "proxychains" | "proxychains4" | "torsocks" => &PLAIN,
        "exec" => &EXEC,
        "chroot" => &CHROOT,
        "taskset" => &TASKSET,
        "command" => {
            if args
                .iter()
                .take_while(|w| w.text.starts_with('-'))
                .any(|w| w.text.contains(['v', 'V']))
            {
                return true; // `command -v rm` only looks the name up
            }
            &PLAIN
        }
        "busybox" => {
            if !args.is_empty() {
                e.invoke(&inv.with_argv(args.to_vec()));
            }
            return true;
        }
        "flock" => {
            if let Some(i) = args
                .iter()
                .position(|w| w.text == "-c" || w.text == "--command")
            {
                if let Some(code) = args.get(i + 1) {
                    e.code(&code.text);
                }
                return true;
            }
            &FLOCK
        }
        "script" => {
            if let Some(code) =
                option_value(args, "-c", "--command").or_else(|| cluster_value(args, 'c'))
            {
                e.code(&code);
            }
            return true;
        }
        "su" | "runuser" => {
            if let Some(code) =
                option_value(args, "-c", "--command").or_else(|| cluster_value(args, 'c'))
            {
                e.code_with_input(&code, &inv.input);
            } else if name == "runuser"
                && let Some(start) = args.iter().position(|w| w.text == "--")
            {
                e.invoke(&inv.with_argv(args[start + 1..].to_vec()));
            } else if command_start(args, &SU).is_none() || inv.input != Input::None {
                shell_input(e, inv);
            }
            return true;
        }
        "watch" => {
            let start = command_start(
                args,
                &Grammar {
                    short_values: "nqg",
                    long_values: &["interval", "differences", "chgexit"],
                    positionals: 0,
                    assignments: false,
                },
            );
            if let Some(start) = start {
                if inv.has("-x") || inv.has("--exec") {
                    e.invoke(&inv.with_argv(args[start..].to_vec()));
                } else {
                    e.code(&join(&args[start..]));
                }
            }
            return true;
        }
        "ssh" => {
            match command_start(args, &SSH) {
                // The remote command reads ssh's standard input (`ssh host bash <<EOF`).
                Some(start) => e.code_with_input(&join(&args[start..]), &inv.input),
                None => shell_input(e, inv),
            }
            return true;
        }
        "xargs" => return xargs(e, inv),
        "parallel" => {
            let sep = args
                .iter()
                .position(|w| w.text == ":::" || w.text == "::::");
            let end = sep.unwrap_or(args.len());
            let start = command_start(
                &args[..end],
                &Grammar {
                    short_values: "jSIPnNdE",
                    long_values: &[
                        "jobs",
                        "sshlogin",
                        "delimiter",
                        "max-args",
                        "results",
                        "joblog",
                        "timeout",
                    ],
                    positionals: 0,
                    assignments: false,
                },
            );
            if let Some(start) = start {
                let template = join(&args[start..end]);
                let items: Vec<String> = match sep {
                    Some(s) if args[s].text == ":::" => {
                        args[s + 1..].iter().map(|w| w.text.clone()).collect()
                    }
                    _ => vec!["\"$PARALLEL_ITEM\"".to_owned()],
                };
                // parallel runs the template through a shell once per input item.
                for item in items {
                    let code = if template.contains("{}") {
                        template.replace("{}", &item)
                    } else {
                        format!("{template} {item}")
                    };
                    e.code(&code);
                }
            }
            return true;
        }
        "uv" | "poetry" | "pipenv" | "pdm" | "rye" | "hatch" | "conda" | "mamba" | "micromamba"
        | "bundle" | "pnpm" | "yarn" | "devbox" | "mise" | "asdf" => {
            let runs = matches!(
                args.first().map(|w| w.text.as_str()),
                Some("run" | "exec" | "x" | "dlx")
            );
            if !runs {
                return false;
            }
            let rest = &args[1..];
            let g = Grammar {
                short_values: "npe",
                long_values: &[
                    "with",
                    "python",
                    "name",
                    "prefix",
                    "env",
                    "env-file",
                    "project",
                    "directory",
                    "package",
                    "from",
                    "group",
                    "extra",
                ],
                positionals: 0,
                assignments: false,
            };
            if let Some(start) = command_start(rest, &g) {
                e.invoke(&inv.with_argv(rest[start..].to_vec()));
            }
            return true;
        }
        "npx" | "bunx" | "pnpx" => {
            if let Some(start) = command_start(
                args,
                &Grammar {
                    short_values: "p",
                    long_values: &["package", "call"],
                    positionals: 0,
                    assignments: false,
                },
            ) {
                e.invoke(&inv.with_argv(args[start..].to_vec()));
            }
            return true;
        }
        "direnv" | "aws-vault" => {
            // `direnv exec DIR cmd`, `aws-vault exec PROFILE -- cmd`
            if args.first().is_some_and(|w| w.text == "exec") {
                let rest = &args[1..];
                let start = rest
                    .iter()
                    .position(|w| w.text == "--")
                    .map_or(1, |p| p + 1);
                if start < rest.len() {
                    e.invoke(&inv.with_argv(rest[start..].to_vec()));
                }
            }
            return true;
        }
        "op" | "doppler" | "dotenv" | "infisical" => {
            if let Some(dash) = args.iter().position(|w| w.text == "--") {
                e.invoke(&inv.with_argv(args[dash + 1..].to_vec()));
            }
            return true;
        }
        "nix-shell" | "nix" => {
            if let Some(code) = option_value(args, "--run", "--command") {
                e.code(&code);
            } else if let Some(pos) = args
                .iter()
                .position(|w| w.text == "-c" || w.text == "--command")
            {
                e.invoke(&inv.with_argv(args[pos + 1..].to_vec()));
            }
            return true;
        }
        "trap" => {
            return true; // its code is analysed in place by the shell parser
        }
        "docker" | "podman" | "nerdctl" => {
            let sub = args.first().map(|w| w.text.as_str());
            let (rest, grammar) = match sub {
                Some("exec") => (&args[1..], &DOCKER_EXEC),
                Some("run") => (&args[1..], &DOCKER_RUN),
                Some("compose")
                    if args
                        .get(1)
                        .is_some_and(|w| w.text == "exec" || w.text == "run") =>
                {
                    (&args[2..], &DOCKER_EXEC)
                }
                Some("container") if args.get(1).is_some_and(|w| w.text == "exec") => {
                    (&args[2..], &DOCKER_EXEC)
                }
                _ => return false,
            };
            if let Some(start) = command_start(rest, grammar) {
                e.invoke(&inv.with_argv(rest[start..].to_vec()));
            }
            return false; // the container CLI's own rules still apply
        }
        "kubectl" | "oc" => {
            if args.first().is_some_and(|w| w.text == "exec")
                && let Some(dash) = args.iter().position(|w| w.text == "--")
            {
                e.invoke(&inv.with_argv(args[dash + 1..].to_vec()));
            }
            return false;
        }
        _ => return false,
    };
    if let Some(start) = command_start(args, grammar) {
        e.invoke(&inv.with_argv(args[start..].to_vec()));
    }
    true
}

fn env(e: &mut Engine, inv: &Invocation) -> bool {
    let args = inv.args();
    if let Some(split) = option_value(args, "-S", "--split-string") {
        // `env -S 'rm -rf x'` splits the string into words and runs them.
        e.code(&split);
        return true;
    }
    if let Some(start) = command_start(args, &ENV) {
        let mut inner = inv.with_argv(args[start..].to_vec());
        if let Some(dir) = option_value(args[..start].as_ref(), "-C", "--chdir") {
            let tilde = dir.starts_with('~');
            inner = inner.in_dir(&Word {
                text: dir,
                tilde,
                ..Word::default()
            });
        }
        e.invoke(&inner);
    }
    true
}

/// `xargs CMD ARGS`: CMD runs with arguments read from input. When the input is spelled
/// out (`echo ... | xargs`), each item is substituted; otherwise it stands for an
/// unknown path, and deleting through it depends on what produced the list.
fn xargs(e: &mut Engine, inv: &Invocation) -> bool {
    let args = inv.args();
    let placeholder = option_value(args, "-I", "--replace")
        .or_else(|| args.iter().any(|w| w.text == "-i").then(|| "{}".to_owned()));
    let template: Vec<Word> = match command_start(args, &XARGS) {
        Some(start) => args[start..].to_vec(),
        None => vec![Word::literal("echo")],
    };
    let name = super::command_name(&template[0]).to_owned();
    let items: Vec<Word> = match &inv.input {
        Input::Text(text) if placeholder.is_some() => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Word::literal(l.trim()))
            .collect(),
        Input::Text(text) => text.split_whitespace().map(Word::literal).collect(),
        _ => Vec::new(),
    };
    let deleter = matches!(name.as_str(), "rm" | "unlink" | "shred" | "rimraf");
    if items.is_empty() && deleter {
        let unknown = Word::literal("<paths read by xargs>");
        e.record_write(&unknown, &crate::places::Place::unknown(), "xargs rm", inv);
        let recursive = name == "rimraf"
            || super::has_flag(&template[1..], 'r', &["recursive"])
            || super::has_flag(&template[1..], 'R', &[]);
        let vetted = !recursive
            && name != "shred"
            && inv
                .upstream
                .as_deref()
                .is_some_and(|up| vetted_list(e, inv, up));
        if !vetted {
            e.hit(&super::files::XARGS_RM, inv, None);
        }
        return true;
    }
    let run = |argv: Vec<Word>, e: &mut Engine| {
        let mut inner = inv.with_argv(argv);
        inner.input = Input::Unseen;
        e.invoke(&inner);
    };
    if items.is_empty() {
        let unknown = Word {
            text: "$XARGS_ITEM".to_owned(),
            dynamic: true,
            ..Word::default()
        };
        run(substitute(&template, placeholder.as_deref(), &unknown), e);
    } else {
        for item in &items {
            run(substitute(&template, placeholder.as_deref(), item), e);
        }
    }
    true
}

fn substitute(template: &[Word], placeholder: Option<&str>, item: &Word) -> Vec<Word> {
    if let Some(p) = placeholder {
        template
            .iter()
            .map(|w| {
                if w.text.contains(p) {
                    Word {
                        text: w.text.replace(p, &item.text),
                        dynamic: w.dynamic || item.dynamic,
                        ..w.clone()
                    }
                } else {
                    w.clone()
                }
            })
            .collect()
    } else {
        let mut argv = template.to_vec();
        argv.push(item.clone());
        argv
    }
}

/// Whether a list piped into `xargs rm` was produced by a command that picks out files
/// narrowly: a `find` with a narrow filter, `grep -l`, or git's own file lists.
fn vetted_list(e: &Engine, inv: &Invocation, upstream: &[Word]) -> bool {
    let Some(first) = upstream.first() else {
        return false;
    };
    match super::command_name(first) {
        "find" => super::files::find_deletion_problem(e, inv, &upstream[1..]).is_none(),
        "grep" | "rg" | "egrep" | "fgrep" | "ag" => upstream[1..].iter().any(|w| {
            w.text == "--files-with-matches"
                || w.text == "--files-without-match"
                || (w.text.starts_with('-')
                    && !w.text.starts_with("--")
                    && (w.text.contains('l') || w.text.contains('L')))
        }),
        // `git ls-files` alone lists every tracked file; narrowed lists are fine.
        "git" => {
            let narrowing = upstream.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "-d" | "--deleted"
                        | "-o"
                        | "--others"
                        | "-i"
                        | "--ignored"
                        | "-m"
                        | "--modified"
                        | "--name-only"
                )
            });
            let pathspec = upstream
                .iter()
                .skip_while(|w| w.text != "ls-files")
                .skip(1)
                .any(|w| !w.text.starts_with('-') && super::files::narrow_pattern(&w.text));
            narrowing || pathspec
        }
        _ => false,
    }
}

/// A shell or remote login reading commands from standard input.
pub(crate) fn shell_input(e: &mut Engine, inv: &Invocation) {
    if let Input::Text(text) = &inv.input {
        let text = text.clone();
        e.code(&text);
    }
}

/// The value of `-c VALUE` / `-cVALUE` / `--command=VALUE` / `--command VALUE`.
pub(crate) fn option_value(args: &[Word], short: &str, long: &str) -> Option<String> {
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if t == short || t == long {
            return args.get(i + 1).map(|w| w.text.clone());
        }
        if let Some(v) = t.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_owned());
        }
        if short.len() == 2
            && let Some(v) = t.strip_prefix(short)
            && !v.is_empty()
            && !t.starts_with("--")
        {
            return Some(v.to_owned());
        }
    }
    None
}

/// The value after a short-option cluster ending in `flag` (`-qc CODE`, `-lc CODE`).
pub(crate) fn cluster_value(args: &[Word], flag: char) -> Option<String> {
    args.iter()
        .position(|w| {
            w.text.starts_with('-')
                && !w.text.starts_with("--")
                && w.text.len() > 2
                && w.text.ends_with(flag)
                && w.text[1..].chars().all(|c| c.is_ascii_alphabetic())
        })
        .and_then(|i| args.get(i + 1))
        .map(|w| w.text.clone())
}

/// Words joined back into one line, as `ssh` and `eval` do before the shell reads it.
pub(crate) fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
