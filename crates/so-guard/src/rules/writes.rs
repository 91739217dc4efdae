//! Writes onto protected files: redirections, `tee`, `cp`, `mv`, `install`, `ln`,
//! `rsync`, `sed -i`, `perl -i`, `dd of=`.

use std::path::Path;

use so_shell::Word;

use super::RuleInfo;
use super::files::{DISK_WRITE, is_block_device, operands};
use crate::engine::{Engine, Invocation};
use crate::places::{Place, Zone, locate};
use crate::verdict::Severity;

/// Files whose loss or corruption is hard to undo: `.git`, shell start-up files, SSH keys.
pub(crate) const PROTECTED_WRITE: RuleInfo = RuleInfo {
    id: "fs:protected-write",
    pack: "core.filesystem",
    severity: Severity::Deny,
    summary: "writes onto a protected file (`.git/`, shell start-up files, SSH and cloud credentials)",
    alternative: "leave these files to the user; write to a new file in the project instead",
    block_example: "echo 'alias ls=rm' >> ~/.bashrc",
    allow_example: "echo 'notes' >> NOTES.md",
    always_enforced: false,
};

/// Files the guard itself depends on: the Session Config, the policy, the metrics logs
/// and the hook configuration. Always enforced, even in warn-only mode.
pub(crate) const GUARD_FILES: RuleInfo = RuleInfo {
    id: "guard:self-protect",
    pack: "core.guard",
    severity: Severity::Deny,
    summary: "writes onto a file that configures or records the guards (CLAUDE.md/AGENTS.md, the policy, hook settings, metrics logs)",
    alternative: "use the Edit tool for CLAUDE.md/AGENTS.md content, or ask the user to change guard settings themselves",
    block_example: "sed -i 's/allow-destructive-ops: false/allow-destructive-ops: true/' CLAUDE.md",
    allow_example: "grep allow-destructive-ops CLAUDE.md",
    always_enforced: true,
};

pub(crate) static RULES: &[&RuleInfo] = &[&PROTECTED_WRITE, &GUARD_FILES];

/// Which protected set a path falls in, if any.
pub(crate) fn protection(e: &Engine, place: &Place) -> Option<&'static RuleInfo> {
    let path = place.path.as_deref()?;
    let set = e.protected();
    if set.is_guard_file(path, e.cx) {
        Some(&GUARD_FILES)
    } else if set.is_protected(path, e.cx) {
        Some(&PROTECTED_WRITE)
    } else {
        None
    }
}

/// Whether deleting or writing `place` touches a protected file.
pub(crate) fn is_protected(e: &Engine, place: &Place) -> bool {
    protection(e, place).is_some()
}

/// Judges one write target.
pub(crate) fn check_place(e: &mut Engine, inv: &Invocation, word: &Word, place: &Place, via: &str) {
    e.record_write(word, place, via, inv);
    if is_block_device(&word.text) {
        e.hit(
            &DISK_WRITE,
            inv,
            Some(format!("{via} onto the block device `{}`", word.text)),
        );
        return;
    }
    if let Some(rule) = protection(e, place) {
        e.hit(
            rule,
            inv,
            Some(format!(
                "{via} writes onto `{}`, a protected file",
                word.text
            )),
        );
    }
}

/// Judges a redirection or other write target given as a word.
pub(crate) fn write_target(e: &mut Engine, inv: &Invocation, target: &Word, via: &str) {
    let place = locate(target, inv.cwd.as_ref(), e.cx);
    check_place(e, inv, target, &place, via);
}

/// Write targets named in argv by file-writing commands.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per writing command reads best as one table"
)]
pub(crate) fn argv_writes(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    let ops = match name {
        // Options whose value is the next word must not count as files.
        "cp" | "mv" | "install" | "ln" => operands_skipping(
            args,
            &[
                "-m",
                "-o",
                "-g",
                "-S",
                "-t",
                "--mode",
                "--owner",
                "--group",
                "--suffix",
                "--target-directory",
            ],
        ),
        _ => operands(args),
    };
    match name {
        "tee" => {
            for w in ops {
                write_target(e, inv, w, "tee");
            }
        }
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            let target_dir = super::wrappers::option_value(args, "-t", "--target-directory");
            let (sources, dest): (Vec<&Word>, Option<Word>) = match &target_dir {
                Some(dir) => (
                    ops.iter().copied().filter(|w| w.text != *dir).collect(),
                    Some(Word::literal(format!("{dir}/"))),
                ),
                None if ops.len() >= 2 => (
                    ops[..ops.len() - 1].to_vec(),
                    ops.last().map(|w| (*w).clone()),
                ),
                None => (Vec::new(), None),
            };
            if name == "rsync" && dest.as_ref().is_some_and(|d| d.text.contains(':')) {
                return; // remote destination
            }
            if let Some(dest) = dest {
                let dest_place = locate(&dest, inv.cwd.as_ref(), e.cx);
                let into_dir = dest.text.ends_with('/')
                    || dest_place.path.as_deref().is_some_and(Path::is_dir);
                if into_dir {
                    // `rsync src/ dst/` copies the contents of src into dst itself.
                    let contents_only =
                        name == "rsync" && sources.iter().all(|s| s.text.ends_with('/'));
                    if contents_only {
                        check_place(e, inv, &dest, &dest_place, name);
                    }
                    for src in sources.iter().filter(|_| !contents_only) {
                        let base = src
                            .text
                            .trim_end_matches('/')
                            .rsplit('/')
                            .next()
                            .unwrap_or_default();
                        let joined = Word {
                            text: format!("{}/{base}", dest.text.trim_end_matches('/')),
                            ..dest.clone()
                        };
                        write_target(e, inv, &joined, name);
                    }
                } else {
                    check_place(e, inv, &dest, &dest_place, name);
                    if sources.len() > 1 {
                        // Several sources into something that is not a directory: the
                        // command fails, or a brace expansion put the real target among
                        // the "sources". Judge them all as targets.
                        for src in &sources[1..] {
                            write_target(e, inv, src, name);
                        }
                    }
                }
            }
            if name == "ln" && !super::has_flag(args, 's', &["symbolic"]) {
                // A hard link to a protected file is a second name through which it can be
                // rewritten later, out of every guard's sight.
                for src in &sources {
                    write_target(e, inv, src, "ln (hard link to)");
                }
            }
            if name == "mv" {
                // Moving a protected file away destroys it at its place; moving the root,
                // home, a system directory or the repository's .git breaks everything there.
                for src in sources {
                    write_target(e, inv, src, "mv");
                    let place = locate(src, inv.cwd.as_ref(), e.cx);
                    let problem = match place.zone {
                        Zone::Root | Zone::Home => Some(&super::files::RM_ROOT),
                        Zone::System => Some(&super::files::RM_SYSTEM),
                        Zone::ProjectGit | Zone::ProjectRoot => Some(&super::files::RM_RECURSIVE),
                        _ => None,
                    };
                    if let Some(rule) = problem {
                        e.hit(
                            rule,
                            inv,
                            Some(format!(
                                "`mv {}` moves away a directory that must stay where it is",
                                src.text
                            )),
                        );
                    }
                }
            }
        }
        "sed" => {
            let in_place = args.iter().any(|w| {
                w.text == "--in-place"
                    || w.text.starts_with("--in-place=")
                    || (w.text.starts_with("-i") && !w.text.starts_with("--"))
                    || (w.text.starts_with('-')
                        && !w.text.starts_with("--")
                        && w.text.len() > 1
                        && w.text[1..].starts_with(|c: char| c != 'i')
                        && w.text.contains('i')
                        && !w.text.contains('e')
                        && !w.text.contains('f'))
            });
            if !in_place {
                return;
            }
            let explicit_script = args.iter().any(|w| {
                w.text == "-e"
                    || w.text == "-f"
                    || w.text.starts_with("--expression")
                    || w.text.starts_with("--file")
            });
            let mut files: Vec<&Word> = Vec::new();
            let mut skip = false;
            for w in args {
                if skip {
                    skip = false;
                    continue;
                }
                if matches!(
                    w.text.as_str(),
                    "-e" | "-f" | "--expression" | "--file" | "-l" | "--line-length"
                ) {
                    skip = true;
                    continue;
                }
                if !w.text.starts_with('-') {
                    files.push(w);
                }
            }
            let files = if explicit_script {
                &files[..]
            } else {
                files.get(1..).unwrap_or_default()
            };
            for w in files {
                write_target(e, inv, w, "sed -i");
            }
        }
        "perl" => {
            let in_place = args.iter().any(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text[1..].contains('i')
            });
            if !in_place {
                return;
            }
            let mut skip = false;
            for w in args {
                if skip {
                    skip = false;
                    continue;
                }
                if matches!(
                    w.text.as_str(),
                    "-e" | "-E" | "-pe" | "-ne" | "-pie" | "-lpe" | "-M" | "-I"
                ) || (w.text.starts_with('-') && w.text.ends_with('e'))
                {
                    skip = true;
                    continue;
                }
                if !w.text.starts_with('-') {
                    write_target(e, inv, w, "perl -i");
                }
            }
        }
        _ => {}
    }
}

/// Commands that create files or directories: each operand is a write target.
pub(crate) fn creates(e: &mut Engine, inv: &Invocation, name: &str) {
    // Options with a value: `touch -d DATE`, `-r FILE`, `-t STAMP`; `mkdir -m MODE`.
    let valued = [
        "-d",
        "-r",
        "-t",
        "-m",
        "--date",
        "--reference",
        "--mode",
        "--context",
    ];
    for w in operands_skipping(inv.args(), &valued) {
        let place = locate(w, inv.cwd.as_ref(), e.cx);
        e.record_write(w, &place, name, inv);
    }
}

/// Archive extraction and patch application write files the command line does not name.
pub(crate) fn writes_unknown(e: &mut Engine, inv: &Invocation, via: &str) {
    let word = Word::literal(format!("<files written by {via}>"));
    e.record_write(&word, &Place::unknown(), via, inv);
}

/// Paths a git command rewrites in the working tree.
pub(crate) fn git_paths(e: &mut Engine, inv: &Invocation, paths: &[&str], via: &str) {
    for p in paths {
        let w = Word::literal(*p);
        let place = locate(&w, inv.cwd.as_ref(), e.cx);
        e.record_write(&w, &place, via, inv);
    }
}

/// `apply_patch <<'EOF' ... EOF` / `apply_patch 'PATCH'`: Codex applies patch text given to
/// this command name; every file the patch names is written.
pub(crate) fn apply_patch(e: &mut Engine, inv: &Invocation) {
    let text = match &inv.input {
        crate::engine::Input::Text(t) => t.clone(),
        _ => inv
            .args()
            .first()
            .map(|w| w.text.clone())
            .unwrap_or_default(),
    };
    let files = crate::patch::patch_files(&text);
    if files.is_empty() {
        writes_unknown(e, inv, "apply_patch");
    }
    for f in files {
        let w = Word::literal(f.path);
        let place = locate(&w, inv.cwd.as_ref(), e.cx);
        check_place(e, inv, &w, &place, &format!("apply_patch {}", f.op));
    }
}

/// Commands that write a file named by an option (`sort -o F`, `curl -o F`, `wget -O F`)
/// or replace their operands (`gzip F` writes `F.gz` and removes `F`).
pub(crate) fn output_option(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    let (short, long): (char, &[&str]) = match name {
        "sort" | "curl" => ('o', &["output"]),
        "wget" => ('O', &["output-document"]),
        "split" | "csplit" => ('\0', &[]),
        _ => {
            // Compressors replace each operand unless writing to stdout or keeping it.
            if args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "-c" | "--stdout" | "-l" | "--list" | "-t" | "--test"
                )
            }) {
                return;
            }
            for w in super::files::operands(args) {
                let place = locate(w, inv.cwd.as_ref(), e.cx);
                check_place(e, inv, w, &place, name);
            }
            return;
        }
    };
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        let value = if let Some(l) = t.strip_prefix("--") {
            long.iter().find_map(|n| {
                if l == *n {
                    args.get(i + 1).map(|v| v.text.clone())
                } else {
                    l.strip_prefix(n)
                        .and_then(|r| r.strip_prefix('='))
                        .map(str::to_owned)
                }
            })
        } else if let Some(cluster) = t
            .strip_prefix('-')
            .filter(|c| !c.is_empty() && short != '\0')
        {
            // `-o F`, `-oF`, `-sSo F`: the value follows the option letter.
            cluster.find(short).map(|pos| {
                let rest = &cluster[pos + short.len_utf8()..];
                if rest.is_empty() {
                    args.get(i + 1).map(|v| v.text.clone()).unwrap_or_default()
                } else {
                    rest.to_owned()
                }
            })
        } else {
            None
        };
        if let Some(v) = value.filter(|v| !v.is_empty() && v != "-") {
            let target = Word {
                text: v,
                ..w.clone()
            };
            let target = Word {
                dynamic: target.text.contains('$'),
                quoted: false,
                glob: false,
                tilde: target.text.starts_with('~'),
                text: target.text,
            };
            let place = locate(&target, inv.cwd.as_ref(), e.cx);
            check_place(e, inv, &target, &place, name);
        }
    }
}

/// Operands, skipping the word after each option in `valued`.
pub(crate) fn operands_skipping<'a>(args: &'a [Word], valued: &[&str]) -> Vec<&'a Word> {
    let mut out = Vec::new();
    let mut skip = false;
    let mut after_dd = false;
    for w in args {
        if skip {
            skip = false;
            continue;
        }
        if !after_dd && w.text == "--" {
            after_dd = true;
        } else if !after_dd && valued.contains(&w.text.as_str()) {
            skip = true;
        } else if after_dd || !w.text.starts_with('-') || w.text == "-" {
            out.push(w);
        }
    }
    out
}
