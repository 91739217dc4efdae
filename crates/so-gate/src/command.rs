//! What a gate command runs, read through `so-shell` (the one shell parser): which tool,
//! whether it is a stub that tests nothing, and how to restrict it to some files.

use std::collections::BTreeSet;
use std::path::Path;

use so_shell::{Context, Limits, SimpleCommand};

/// A tool the gate recognises in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `cargo test`.
    CargoTest,
    /// `cargo nextest`.
    Nextest,
    /// `cargo check`, `cargo clippy`, `cargo build`.
    CargoDiagnostics,
    /// `pytest`, `python -m pytest`.
    Pytest,
    /// `vitest`.
    Vitest,
    /// `jest`.
    Jest,
    /// `go test`.
    GoTest,
    /// `tsc`, `vue-tsc`, `tsgo`.
    Tsc,
    /// `eslint`.
    Eslint,
    /// A package script: `npm test`, `npm run lint`, `pnpm test`, `yarn lint`, …
    PackageScript,
}

/// What [`analyse`] found out about a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandInfo {
    /// The first recognised tool the command runs (through `npx`, `uv run`, `python -m`, …).
    pub tool: Option<Tool>,
    /// The command only prints or exits 0 (`echo ok`, `true`, `:`, `exit 0`, and sequences
    /// of them): it runs no test.
    pub stub: bool,
    /// The command's assignments and words, when it is one simple command of literal words
    /// without redirections: the only shape [`restrict`] rewrites.
    plain: Option<Plain>,
}

/// One simple command of literal words: its assignments and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plain {
    assignments: Vec<(String, String)>,
    argv: Vec<String>,
}

/// Reads `command` as the shell would.
///
/// ```
/// use so_gate::command::{Tool, analyse};
/// assert_eq!(analyse("npx vitest run").tool, Some(Tool::Vitest));
/// assert_eq!(analyse("uv run python -m pytest -q").tool, Some(Tool::Pytest));
/// assert!(analyse("echo 'no tests yet' && exit 0").stub);
/// assert!(!analyse("echo start && cargo test").stub);
/// ```
pub fn analyse(command: &str) -> CommandInfo {
    let script = so_shell::parse(command, &Limits::default());
    let clean = script.problems.is_empty();
    let stub = clean && !script.commands.is_empty() && script.commands.iter().all(is_stub);
    let tool = script
        .commands
        .iter()
        .filter(|c| c.context == Context::TopLevel)
        .find_map(|c| {
            let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
            identify(&words)
        });
    let plain = match script.commands.as_slice() {
        [only] if clean && is_plain(only) => Some(Plain {
            assignments: only
                .assignments
                .iter()
                .map(|(k, v)| (k.clone(), v.text.clone()))
                .collect(),
            argv: only.argv.iter().map(|w| w.text.clone()).collect(),
        }),
        _ => None,
    };
    CommandInfo { tool, stub, plain }
}

/// The tool named by an npm/pnpm/yarn script header in `output` (`> tsc --noEmit`): a clean
/// `npm run typecheck` prints nothing else.
pub fn tool_in_npm_header(output: &str) -> Option<Tool> {
    output
        .lines()
        .take(200)
        .filter_map(|l| l.strip_prefix("> "))
        .find_map(|rest| analyse(rest).tool)
}

fn is_stub(c: &SimpleCommand) -> bool {
    let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
    match words.as_slice() {
        [] | ["exit"] | ["exit", "0"] => true,
        ["echo" | "printf" | "true" | ":", ..] => !c.argv.iter().any(|w| w.dynamic),
        _ => false,
    }
}

fn is_plain(c: &SimpleCommand) -> bool {
    c.redirects.is_empty()
        && c.stdin.is_none()
        && !c.pipes_out
        && c.cwd.is_none()
        && !c.argv.is_empty()
        && c.argv.iter().all(|w| !w.dynamic && !w.glob && !w.tilde)
        && c.assignments.iter().all(|(_, v)| !v.dynamic)
}

fn identify(words: &[&str]) -> Option<Tool> {
    let (&first, rest) = words.split_first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    let after_flags = |r: &[&str]| -> usize { r.iter().take_while(|w| w.starts_with('-')).count() };
    match name {
        "env" => {
            let mut i = 0;
            while let Some(w) = rest.get(i) {
                if matches!(*w, "-u" | "-C" | "--unset" | "--chdir") {
                    i += 2;
                } else if w.starts_with('-') || w.contains('=') {
                    i += 1;
                } else {
                    break;
                }
            }
            identify(rest.get(i..)?)
        }
        "npx" | "bunx" | "pnpx" => identify(&rest[after_flags(rest)..]),
        "uv" | "poetry" | "pipenv" | "hatch" | "pdm" | "rye" => match rest.split_first() {
            Some((&"run", r)) => identify(&r[after_flags(r)..]),
            _ => None,
        },
        "python" | "python3" | "py" => match rest {
            ["-m", "pytest", ..] => Some(Tool::Pytest),
            _ => None,
        },
        "npm" => match rest.first().copied() {
            Some("test" | "t" | "tst" | "run" | "run-script") => Some(Tool::PackageScript),
            Some("exec") => identify(&rest[1..]),
            _ => None,
        },
        "pnpm" | "yarn" | "bun" => match rest.first().copied() {
            Some("exec" | "dlx" | "x") => identify(&rest[1..]),
            Some("test" | "t" | "run") => Some(Tool::PackageScript),
            Some(w) if !w.starts_with('-') => identify(rest).or(Some(Tool::PackageScript)),
            _ => None,
        },
        "cargo" => {
            let sub = rest
                .iter()
                .find(|w| !w.starts_with('-') && !w.starts_with('+'))?;
            match *sub {
                "test" => Some(Tool::CargoTest),
                "nextest" => Some(Tool::Nextest),
                "check" | "clippy" | "build" => Some(Tool::CargoDiagnostics),
                _ => None,
            }
        }
        "pytest" | "py.test" => Some(Tool::Pytest),
        "vitest" => Some(Tool::Vitest),
        "jest" => Some(Tool::Jest),
        "go" => (rest.first() == Some(&"test")).then_some(Tool::GoTest),
        "tsc" | "vue-tsc" | "tsgo" => Some(Tool::Tsc),
        "eslint" => Some(Tool::Eslint),
        _ => None,
    }
}

/// How a command was restricted to some files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restricted {
    /// The rewritten command, and the files it was given.
    Files {
        /// The command to run.
        command: String,
        /// The files (or, for `go test`, the package directories) passed to it.
        files: Vec<String>,
    },
    /// None of the files is one this tool takes (no `.py` file for pytest): nothing to run.
    NoFiles,
    /// The command cannot be restricted; the reason. Run it whole.
    Whole(String),
}

const JS: &[&str] = &[
    "js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue", "svelte",
];

/// `command` restricted to `files` (paths relative to the project root), where its tool
/// takes files: pytest (`.py`), vitest, jest, eslint and package scripts (JavaScript and
/// TypeScript sources; a script gets them after `--`), `go test` (the packages of the
/// `.go` files, replacing `./...`). Cargo and `tsc` check the whole project.
///
/// ```
/// use so_gate::command::{Restricted, restrict};
/// let files = ["src/a.py".to_owned(), "README.md".to_owned()];
/// assert_eq!(
///     restrict("pytest -q", &files),
///     Restricted::Files { command: "pytest -q src/a.py".into(), files: vec!["src/a.py".into()] }
/// );
/// ```
pub fn restrict(command: &str, files: &[String]) -> Restricted {
    let info = analyse(command);
    let Some(tool) = info.tool else {
        return Restricted::Whole("runner not recognised: ran the whole command".into());
    };
    let extensions: &[&str] = match tool {
        Tool::Pytest => &["py"],
        Tool::Vitest | Tool::Jest | Tool::Eslint | Tool::PackageScript => JS,
        Tool::GoTest => &["go"],
        Tool::CargoTest | Tool::Nextest | Tool::CargoDiagnostics | Tool::Tsc => {
            return Restricted::Whole("this runner checks the whole project".into());
        }
    };
    let chosen: Vec<String> = files
        .iter()
        .filter(|f| {
            Path::new(f.as_str())
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Restricted::NoFiles;
    }
    let Some(Plain {
        assignments,
        mut argv,
    }) = info.plain
    else {
        return Restricted::Whole(
            "not one simple command of literal words: ran the whole command".into(),
        );
    };
    let added = match tool {
        Tool::GoTest => {
            argv.retain(|w| !(w == "./..." || w.ends_with("/...")));
            let dirs: BTreeSet<String> = chosen
                .iter()
                .map(|f| match Path::new(f).parent() {
                    Some(p) if !p.as_os_str().is_empty() => format!("./{}", p.display()),
                    _ => ".".to_owned(),
                })
                .collect();
            dirs.into_iter().collect()
        }
        Tool::Eslint => {
            argv.retain(|w| w != "." && w != "./");
            chosen
        }
        Tool::PackageScript => {
            if !argv.iter().any(|w| w == "--") {
                argv.push("--".into());
            }
            chosen
        }
        _ => chosen,
    };
    let mut parts: Vec<String> = assignments
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    parts.extend(argv.iter().chain(&added).map(|w| quote(w)));
    Restricted::Files {
        command: parts.join(" "),
        files: added,
    }
}

/// `word` quoted for `sh` when it needs it.
fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_behind_wrappers() {
        for (command, want) in [
            ("cargo test --workspace", Some(Tool::CargoTest)),
            ("cargo +nightly nextest run", Some(Tool::Nextest)),
            (
                "cargo clippy --all-targets -- -D warnings",
                Some(Tool::CargoDiagnostics),
            ),
            ("CI=1 npx --yes vitest run", Some(Tool::Vitest)),
            ("pnpm exec jest --ci", Some(Tool::Jest)),
            ("yarn lint", Some(Tool::PackageScript)),
            ("pnpm vitest", Some(Tool::Vitest)),
            ("npm run typecheck", Some(Tool::PackageScript)),
            ("env -u X RUST_LOG=1 go test ./...", Some(Tool::GoTest)),
            ("./node_modules/.bin/tsc --noEmit", Some(Tool::Tsc)),
            ("poetry run pytest", Some(Tool::Pytest)),
            ("cd web && npx eslint .", Some(Tool::Eslint)),
            ("make test", None),
            ("go vet ./...", None),
            ("echo ok", None),
        ] {
            assert_eq!(analyse(command).tool, want, "{command}");
        }
    }

    #[test]
    fn stubs_and_their_near_misses() {
        for stub in [
            "echo ok",
            "true",
            ":",
            "exit 0",
            "exit",
            "echo 'no tests' && exit 0",
            "printf 'x\\n'; true",
        ] {
            assert!(analyse(stub).stub, "{stub}");
        }
        for real in [
            "npm test",
            "echo ok && cargo test",
            "echo $(pytest)",
            "exit 1",
            "echo \"$(cat results.txt)\"",
            "",
        ] {
            assert!(!analyse(real).stub, "{real}");
        }
    }

    #[test]
    fn restriction_per_runner() {
        let files: Vec<String> = [
            "calc/calc.go",
            "main.go",
            "web/a.test.ts",
            "tool.py",
            "it's.py",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let cmd = |c: &str| match restrict(c, &files) {
            Restricted::Files { command, .. } => command,
            other => panic!("{c}: {other:?}"),
        };
        assert_eq!(cmd("go test -count=1 ./..."), "go test -count=1 . ./calc");
        assert_eq!(cmd("npx vitest run"), "npx vitest run web/a.test.ts");
        assert_eq!(cmd("npm test"), "npm test -- web/a.test.ts");
        assert_eq!(
            cmd("npm run test -- --silent"),
            "npm run test -- --silent web/a.test.ts"
        );
        assert_eq!(cmd("npx eslint ."), "npx eslint web/a.test.ts");
        assert_eq!(
            cmd("PYTHONHASHSEED=0 pytest"),
            "PYTHONHASHSEED=0 pytest tool.py 'it'\\''s.py'"
        );
        assert!(matches!(
            restrict("cargo test", &files),
            Restricted::Whole(_)
        ));
        assert!(matches!(
            restrict("pytest | tee log", &files),
            Restricted::Whole(_)
        ));
        assert!(matches!(
            restrict("make check", &files),
            Restricted::Whole(_)
        ));
        assert_eq!(
            restrict("pytest", &["README.md".to_owned()]),
            Restricted::NoFiles
        );
    }

    #[test]
    fn npm_header_names_the_tool() {
        let out = "\n> fixture@1.0.0 lint\n> eslint .\n\n";
        assert_eq!(tool_in_npm_header(out), Some(Tool::Eslint));
        assert_eq!(tool_in_npm_header("    > 2 |   expect(x)\n"), None);
    }
}
