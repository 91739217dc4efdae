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
    let ops = operands(args);
    match name {
        "tee" => {
            for w in ops {
                write_target(e, inv, w, "tee");
            }
        }
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            let target_dir = super::wrappers::option_value(args, "-t", "--target-directory");
            let (sources, dest): (Vec<&Word>, Option<Word>) = match &target_dir {
                Some(dir) => (ops.clone(), Some(Word::literal(format!("{dir}/")))),
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
                    for src in &sources {
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
    let args = inv.args();
    let mut skip = false;
    for w in args {
        if skip {
            skip = false;
            continue;
        }
        // Options with a value: `touch -d DATE`, `-r FILE`, `-t STAMP`; `mkdir -m MODE`.
        if matches!(
            w.text.as_str(),
            "-d" | "-r" | "-t" | "-m" | "--date" | "--reference" | "--mode" | "--context"
        ) {
            skip = true;
            continue;
        }
        if w.text.starts_with('-') {
            continue;
        }
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
