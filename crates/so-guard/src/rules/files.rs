//! Deleting and overwriting files and disks: `rm` by target, `find -delete`, `shred`,
//! `truncate`, `dd`, `mkfs`, partitioning, recursive permission changes.

use so_shell::Word;

use super::{RuleInfo, has_flag};
use crate::engine::{Engine, Invocation};
use crate::places::{Place, Zone, locate};
use crate::verdict::Severity;

macro_rules! fs_rule {
    ($name:ident, $id:literal, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: "core.filesystem",
            severity: Severity::Deny,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

fs_rule!(
    RM_RECURSIVE,
    "fs:rm-recursive",
    "recursive `rm` of a directory that is not temp space or regenerable build output",
    "delete named files, or only build outputs and temp dirs (`target`, `node_modules`, `dist`, `/tmp/...`)",
    "rm -rf src",
    "rm -rf node_modules dist"
);
fs_rule!(
    RM_ROOT,
    "fs:rm-root-home",
    "`rm` of the root, the home directory, or with `--no-preserve-root`",
    "name the exact files to delete",
    "rm -rf ~",
    "rm -rf ~/project/node_modules"
);
fs_rule!(
    RM_DYNAMIC,
    "fs:rm-dynamic-target",
    "`rm -r` of a path built from a variable or substitution, whose value is unknown until it runs",
    "resolve the path first (`echo \"$DIR\"`), then delete it by name",
    "rm -rf \"$(git rev-parse --show-toplevel)\"",
    "rm -rf \"$TMPDIR/build\""
);
fs_rule!(
    RM_WILDCARD,
    "fs:rm-wildcard",
    "a wildcard `rm` that sweeps source files or a whole directory",
    "list the files (`ls <pattern>`), then delete them by name",
    "rm -f *",
    "rm -f *.log"
);
fs_rule!(
    RM_SYSTEM,
    "fs:rm-system",
    "`rm` of files in system directories",
    "leave system files alone; ask the user",
    "rm /etc/hosts",
    "rm ./hosts"
);
fs_rule!(
    FIND_DELETE,
    "fs:find-delete",
    "`find -delete` or `find -exec rm` over a tree without a name filter, or with a recursive rm",
    "add a `-name` filter and run `find` without `-delete` first to see the list",
    "find . -delete",
    "find . -name '*.pyc' -delete"
);
fs_rule!(
    XARGS_RM,
    "fs:xargs-rm",
    "`xargs rm` deletes paths read from input, which cannot be checked",
    "list the paths, review them, then `rm` them by name",
    "cat dirs.txt | xargs rm -rf",
    "cat dirs.txt | xargs ls -ld"
);
fs_rule!(
    SHRED,
    "fs:shred",
    "`shred` destroys file contents beyond recovery",
    "`rm` the file if it must go; shredding needs the user",
    "shred -u secrets.txt",
    "sha256sum secrets.txt"
);
fs_rule!(
    TRUNCATE,
    "fs:truncate",
    "`truncate` of a protected or non-scratch file empties it",
    "edit the file, or truncate only logs and scratch files",
    "truncate -s 0 src/main.rs",
    "truncate -s 0 app.log"
);
fs_rule!(
    DISK_WRITE,
    "fs:disk-overwrite",
    "writing to a block device destroys the filesystem on it",
    "write to an image file instead (`of=./disk.img`)",
    "dd if=/dev/zero of=/dev/sda bs=1M",
    "dd if=/dev/zero of=./disk.img bs=1M count=10"
);
fs_rule!(
    MKFS,
    "fs:mkfs",
    "formatting or partitioning a device destroys its data",
    "ask the user to run disk tools themselves",
    "mkfs.ext4 /dev/sdb1",
    "fdisk -l"
);
fs_rule!(
    PERMISSIONS,
    "fs:permissions-recursive",
    "recursive `chmod`/`chown` on system or home directories breaks the machine or locks the user out",
    "change permissions on the project's own files only",
    "chmod -R 000 ~",
    "chmod -R u+w ./build"
);

pub(crate) static RULES: &[&RuleInfo] = &[
    &RM_RECURSIVE,
    &RM_ROOT,
    &RM_DYNAMIC,
    &RM_WILDCARD,
    &RM_SYSTEM,
    &FIND_DELETE,
    &XARGS_RM,
    &SHRED,
    &TRUNCATE,
    &DISK_WRITE,
    &MKFS,
    &PERMISSIONS,
];

/// Operands of a command: arguments that are not options (after `--`, all of them).
pub(crate) fn operands(args: &[Word]) -> Vec<&Word> {
    let mut out = Vec::new();
    let mut after_dd = false;
    for w in args {
        if !after_dd && w.text == "--" {
            after_dd = true;
        } else if after_dd || !w.text.starts_with('-') || w.text == "-" {
            out.push(w);
        }
    }
    out
}

pub(crate) fn rm(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let recursive = has_flag(args, 'r', &["recursive"]) || has_flag(args, 'R', &[]);
    if inv.has("--no-preserve-root") {
        e.hit(
            &RM_ROOT,
            inv,
            Some("`--no-preserve-root` switches off rm's own guard against deleting /".to_owned()),
        );
        return;
    }
    for target in operands(args) {
        if target.text.contains("XARGS_ITEM") || target.text == "{}" {
            let unknown = Place::unknown();
            e.record_write(target, &unknown, "rm", inv);
        }
        if target.text.contains("XARGS_ITEM") {
            e.hit(&XARGS_RM, inv, None);
            return;
        }
        if target.text == "{}" {
            continue; // a path `find -exec` produces: judged by the find rule
        }
        let place = locate(target, inv.cwd.as_ref(), e.cx);
        e.record_write(target, &place, "rm", inv);
        if let Some(detail) = rm_target(e, &place, target, recursive) {
            let rule = detail.0;
            e.hit(rule, inv, Some(detail.1));
            return;
        }
        if crate::rules::writes::is_protected(e, &place) {
            e.hit(
                &crate::rules::writes::PROTECTED_WRITE,
                inv,
                Some(format!("`{}` is a protected file", target.text)),
            );
            return;
        }
    }
}

/// Why deleting `place` is dangerous, if it is.
fn rm_target(
    e: &Engine,
    place: &Place,
    word: &Word,
    recursive: bool,
) -> Option<(&'static RuleInfo, String)> {
    let name = &word.text;
    match place.zone {
        Zone::Root => Some((&RM_ROOT, format!("`{name}` is the root of the filesystem"))),
        Zone::Home => Some((&RM_ROOT, format!("`{name}` is the home directory"))),
        Zone::ProjectGit => Some((
            &RM_RECURSIVE,
            format!("`{name}` is the repository's .git: all history would be lost"),
        )),
        Zone::TempRoot if recursive || place.glob => {
            if place.glob {
                return None; // `rm -rf /tmp/*`: the contents of temp space, not the root
            }
            Some((
                &RM_RECURSIVE,
                format!("`{name}` is a temp root itself; running programs keep files there"),
            ))
        }
        Zone::Temp => None,
        _ if place.regenerable && !matches!(place.zone, Zone::Unknown) => None,
        Zone::Unknown if recursive => Some((
            &RM_DYNAMIC,
            format!("`{name}` is unknown until the command runs"),
        )),
        Zone::Unknown if word.text.contains("$(") || word.text.contains('`') || word.glob => {
            Some((
                &RM_DYNAMIC,
                format!("`{name}` expands to paths unknown until the command runs"),
            ))
        }
        Zone::ProjectRoot if place.junk_glob => None,
        Zone::ProjectRoot if recursive || place.glob => {
            Some((&RM_WILDCARD, format!("`{name}` sweeps the whole project")))
        }
        Zone::HomeData if recursive => Some((
            &RM_ROOT,
            format!("`{name}` is user data under the home directory"),
        )),
        Zone::HomeData if place.glob && !place.junk_glob => Some((
            &RM_WILDCARD,
            format!("`{name}` sweeps files in the home directory"),
        )),
        Zone::System
            if recursive
                || !matches!(place.path.as_deref().and_then(|p| p.to_str()), Some(p) if p.starts_with("/dev/")) =>
        {
            Some((&RM_SYSTEM, format!("`{name}` is in a system directory")))
        }
        Zone::Project | Zone::Elsewhere if recursive => {
            let _ = e;
            Some((
                &RM_RECURSIVE,
                format!("`{name}` is not temp space or regenerable build output"),
            ))
        }
        Zone::Project | Zone::Elsewhere | Zone::ProjectRoot if place.glob && !place.junk_glob => {
            Some((&RM_WILDCARD, format!("`{name}` may sweep source files")))
        }
        _ => None,
    }
}

/// Whether a `-name`/`-path` pattern picks out a narrow set: an exact name, junk files
/// (`*.pyc`), regenerable directories (`__pycache__`, `*.egg-info`) or a literal prefix
/// (`gen_*`) — as opposed to `*` or `*.ts`, which sweep sources.
pub(crate) fn narrow_pattern(pattern: &str) -> bool {
    let last = pattern
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(pattern);
    if !last.contains(['*', '?', '[']) {
        return !last.is_empty();
    }
    let stripped = last.trim_matches('*');
    if crate::places::regenerable_name(stripped)
        || crate::places::regenerable_name(last.trim_start_matches("*."))
    {
        return true;
    }
    if let Some((_, ext)) = last.rsplit_once('.')
        && !ext.contains(['*', '?', '['])
        && crate::places::junk_ext(ext)
    {
        return true;
    }
    last.find(['*', '?', '[']).is_some_and(|i| i >= 3)
}

/// The start paths of a `find` (`.` when none is given) and its expression.
fn find_parts(args: &[Word]) -> (Vec<Word>, &[Word]) {
    let expr_start = args
        .iter()
        .position(|w| w.text.starts_with('-') || w.text == "(" || w.text == "!")
        .unwrap_or(args.len());
    let roots = if expr_start == 0 {
        vec![Word::literal(".")]
    } else {
        args[..expr_start].to_vec()
    };
    (roots, &args[expr_start..])
}

/// What a `find` expression would delete: None when the deletion is narrow enough.
pub(crate) fn find_deletion_problem(e: &Engine, inv: &Invocation, args: &[Word]) -> Option<String> {
    let (roots, expr) = find_parts(args);
    let places: Vec<Place> = roots
        .iter()
        .map(|r| locate(r, inv.cwd.as_ref(), e.cx))
        .collect();
    if let Some((r, _)) = roots.iter().zip(&places).find(|(_, p)| {
        matches!(
            p.zone,
            Zone::Root | Zone::Home | Zone::System | Zone::ProjectGit | Zone::Unknown
        )
    }) {
        return Some(format!(
            "`find {}` deletes under a root, home, system or unknown directory",
            r.text
        ));
    }
    if places
        .iter()
        .all(|p| matches!(p.zone, Zone::Temp) || p.regenerable)
    {
        return None;
    }
    let mut narrow = expr.iter().any(|w| w.text == "-empty");
    for pair in expr.windows(2) {
        if matches!(
            pair[0].text.as_str(),
            "-name"
                | "-iname"
                | "-path"
                | "-ipath"
                | "-wholename"
                | "-iwholename"
                | "-regex"
                | "-iregex"
        ) {
            narrow |= narrow_pattern(&pair[1].text);
        }
    }
    (!narrow)
        .then(|| "`find` deletes everything it finds: there is no narrow `-name` filter".to_owned())
}

/// `find PATH... EXPR`: `-delete` and `-exec rm` over more than a narrow set of files.
pub(crate) fn find(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let deleting = inv.has("-delete")
        || args.windows(2).any(|p| {
            matches!(p[0].text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
                && matches!(
                    super::command_name(&p[1]),
                    "rm" | "unlink" | "shred" | "rimraf"
                )
        });
    if deleting {
        for root in &find_parts(args).0 {
            let place = locate(root, inv.cwd.as_ref(), e.cx);
            e.record_write(root, &place, "find -delete", inv);
        }
    }
    if deleting && let Some(problem) = find_deletion_problem(e, inv, args) {
        e.hit(&FIND_DELETE, inv, Some(problem));
    }
    // Each -exec/-execdir/-ok runs a command with `{}` standing for a found path.
    let mut i = 0;
    while i < args.len() {
        if matches!(
            args[i].text.as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) {
            let end = args[i + 1..]
                .iter()
                .position(|w| w.text == ";" || w.text == "+")
                .map_or(args.len(), |p| i + 1 + p);
            let exec_argv: Vec<Word> = args[i + 1..end].to_vec();
            if let Some(first) = exec_argv.first() {
                let name = super::command_name(first);
                if name == "shred" {
                    e.hit(&SHRED, inv, None);
                } else if !matches!(name, "rm" | "unlink" | "rimraf") {
                    e.invoke(&inv.with_argv(exec_argv));
                }
            }
            i = end;
        }
        i += 1;
    }
}

pub(crate) fn shred(e: &mut Engine, inv: &Invocation) {
    for w in operands(inv.args()) {
        let place = locate(w, inv.cwd.as_ref(), e.cx);
        e.record_write(w, &place, "shred", inv);
    }
    if !operands(inv.args()).is_empty() {
        e.hit(&SHRED, inv, None);
    }
}

pub(crate) fn truncate(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let mut skip = false;
    for (i, w) in args.iter().enumerate() {
        if skip {
            skip = false;
            continue;
        }
        if matches!(
            w.text.as_str(),
            "-s" | "-r" | "-o" | "--size" | "--reference"
        ) {
            skip = true;
            continue;
        }
        if w.text.starts_with('-') {
            continue;
        }
        let place = locate(w, inv.cwd.as_ref(), e.cx);
        e.record_write(w, &place, "truncate", inv);
        if crate::rules::writes::is_protected(e, &place) {
            e.hit(
                &crate::rules::writes::PROTECTED_WRITE,
                inv,
                Some(format!("`{}` is a protected file", w.text)),
            );
            return;
        }
        let scratch = place.regenerable
            || matches!(place.zone, Zone::Temp)
            || std::path::Path::new(&w.text).extension().is_some_and(|x| {
                matches!(
                    x.to_str(),
                    Some("log" | "tmp" | "out" | "img" | "bin" | "dat" | "raw")
                )
            });
        if !scratch || w.dynamic {
            e.hit(
                &TRUNCATE,
                inv,
                Some(format!("`{}` would be emptied", args[i].text)),
            );
            return;
        }
    }
}

/// Whether a path names a block device.
pub(crate) fn is_block_device(path: &str) -> bool {
    let Some(dev) = path.strip_prefix("/dev/") else {
        return false;
    };
    [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "rdisk", "md", "dm-", "loop", "sr",
        "mapper/", "zd", "nbd",
    ]
    .iter()
    .any(|p| dev.starts_with(p))
}

pub(crate) fn dd(e: &mut Engine, inv: &Invocation) {
    for w in inv.args() {
        if let Some(target) = w.text.strip_prefix("of=") {
            if is_block_device(target) {
                e.hit(&DISK_WRITE, inv, None);
                return;
            }
            let word = Word {
                text: target.to_owned(),
                ..w.clone()
            };
            let place = locate(&word, inv.cwd.as_ref(), e.cx);
            crate::rules::writes::check_place(e, inv, &word, &place, "dd of=");
        }
    }
}

pub(crate) fn mkfs(e: &mut Engine, inv: &Invocation) {
    if !operands(inv.args()).is_empty() {
        e.hit(&MKFS, inv, None);
    }
}

pub(crate) fn disk_tool(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    let listing = args.iter().any(|w| {
        matches!(
            w.text.as_str(),
            "-l" | "--list"
                | "-s"
                | "--show"
                | "print"
                | "-n"
                | "--no-act"
                | "--help"
                | "-V"
                | "--version"
        )
    });
    let read_only = match name {
        "wipefs" => !has_flag(args, 'a', &["all"]) && !inv.has("-o") && !inv.has("--offset"),
        "parted" => args
            .iter()
            .any(|w| w.text == "print" || w.text == "-l" || w.text == "--list"),
        _ => listing,
    };
    if !read_only && !operands(args).is_empty() {
        e.hit(&MKFS, inv, None);
    }
}

pub(crate) fn permissions(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    if !(has_flag(args, 'R', &["recursive"])) {
        return;
    }
    // The first operand is the mode or owner; the rest are paths.
    for w in operands(args).into_iter().skip(1) {
        let place = locate(w, inv.cwd.as_ref(), e.cx);
        if matches!(
            place.zone,
            Zone::Root
                | Zone::Home
                | Zone::System
                | Zone::HomeData
                | Zone::Unknown
                | Zone::ProjectGit
        ) {
            e.hit(
                &PERMISSIONS,
                inv,
                Some(format!("recursive change of `{}`", w.text)),
            );
            return;
        }
    }
}

/// `del`/`rd`/`rmdir /s`/`Remove-Item` from cmd.exe or PowerShell, when an agent on Windows
/// runs them: system paths and whole drives are blocked, and the rest is judged as `rm` (`-r`
/// for `/s` and `-Recurse`) of the same targets.
pub(crate) fn windows_delete(e: &mut Engine, inv: &Invocation) {
    let before = e.findings.len();
    windows_system_path(e, inv);
    if e.findings.len() > before {
        return;
    }
    // `rd /s`, `rmdir /s`, `del /s`, `Remove-Item -Recurse`: judged as `rm -r` of the same
    // targets (a workspace folder is as gone on Windows as anywhere). Flags are `/x` or
    // `-Name`; a non-recursive delete is judged as `rm` of its targets.
    let args = inv.args();
    let recursive = args.iter().any(|w| {
        let t = w.text.to_ascii_lowercase();
        t == "/s" || t == "-recurse" || t == "-r"
    });
    // Options that take a pattern, not a target; `-Path X` / `-LiteralPath X` name one.
    let takes_pattern = ["-include", "-exclude", "-filter"];
    let mut rm_argv = vec![so_shell::Word::literal("rm")];
    if recursive {
        rm_argv.push(so_shell::Word::literal("-r"));
    }
    let mut skip_next = false;
    for w in args {
        let t = w.text.to_ascii_lowercase();
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if takes_pattern.contains(&t.as_str()) {
            skip_next = true;
            continue;
        }
        if t.starts_with('-') || (t.starts_with('/') && t.len() <= 3) {
            continue;
        }
        rm_argv.push(w.clone());
    }
    if rm_argv.len() > usize::from(recursive) + 1 {
        rm(e, &inv.with_argv(rm_argv));
    }
}

/// A Windows system path among the targets of `del`/`rd`/`Remove-Item`.
fn windows_system_path(e: &mut Engine, inv: &Invocation) {
    for w in inv.args() {
        let t = w.text.to_ascii_lowercase().replace('/', "\\");
        let drive_root = t.len() <= 3 && t.chars().nth(1) == Some(':');
        if drive_root
            || t.contains(":\\windows")
            || t.contains(":windows")
            || t.contains("windowssystem32")
            || t.contains(":\\program files")
            || t.contains("\\system32")
            || t.contains("%systemroot%")
            || t.starts_with("$env:windir")
        {
            e.hit(
                &RM_SYSTEM,
                inv,
                Some(format!("`{}` is a Windows system path", w.text)),
            );
            return;
        }
    }
}
