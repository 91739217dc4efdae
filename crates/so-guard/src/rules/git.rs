//! git by meaning: global options, aliases, then each subcommand's own flags.

use so_shell::Word;

use super::{RuleInfo, has_flag};
use crate::engine::{Engine, Invocation};
use crate::verdict::Severity;

macro_rules! git_rule {
    ($name:ident, $id:literal, $sev:ident, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: "core.git",
            severity: Severity::$sev,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

git_rule!(
    RESET_HARD,
    "git:reset-hard",
    Deny,
    "`git reset --hard`/`--merge` discards uncommitted changes",
    "`git stash` first, or `git reset --soft`/`--mixed`, which keep the working tree",
    "git reset --hard HEAD~1",
    "git reset --soft HEAD~1"
);
git_rule!(
    CHECKOUT_DISCARD,
    "git:checkout-discard",
    Deny,
    "`git checkout` of paths or with `--force` overwrites uncommitted changes in the working tree",
    "`git stash` first, or `git diff` to review what would be lost",
    "git checkout -- src/main.rs",
    "git checkout -b feature/x"
);
git_rule!(
    RESTORE_WORKTREE,
    "git:restore-worktree",
    Deny,
    "`git restore` of the working tree discards uncommitted changes",
    "`git restore --staged <path>` only unstages; `git stash` keeps the changes",
    "git restore src/",
    "git restore --staged src/lib.rs"
);
git_rule!(
    SWITCH_DISCARD,
    "git:switch-discard",
    Deny,
    "`git switch --discard-changes`/`--force` throws away local modifications",
    "commit or `git stash` first, then `git switch`",
    "git switch --discard-changes main",
    "git switch main"
);
git_rule!(
    CLEAN_FORCE,
    "git:clean-force",
    Deny,
    "`git clean -f` deletes untracked files, which git cannot restore",
    "`git clean -n` to list what would go, then delete named paths",
    "git clean -fdx",
    "git clean -ndx"
);
git_rule!(
    PUSH_FORCE,
    "git:push-force",
    Deny,
    "a force push rewrites the remote branch and can destroy others' commits",
    "`git push --force-with-lease` (without `--force`) after checking the remote",
    "git push --force origin main",
    "git push --force-with-lease origin feature/x"
);
git_rule!(
    PUSH_DELETE,
    "git:push-delete",
    Deny,
    "deleting a remote branch or mirroring removes commits that may exist only there",
    "ask the user to delete remote branches themselves",
    "git push origin --delete release/1.x",
    "git push origin release/1.x"
);
git_rule!(
    BRANCH_FORCE,
    "git:branch-force",
    Deny,
    "`git branch -D`/`-f`/`-M` drops or moves a branch even when its commits are unmerged",
    "`git branch -d`, which refuses to drop unmerged work",
    "git branch -D feature/x",
    "git branch -d feature/x"
);
git_rule!(
    STASH_DROP,
    "git:stash-drop",
    Deny,
    "`git stash drop`/`clear` deletes stashed work",
    "`git stash list` and `git stash show -p` to review; keep the stash",
    "git stash clear",
    "git stash list"
);
git_rule!(
    WORKTREE_FORCE,
    "git:worktree-force-remove",
    Deny,
    "`git worktree remove --force` deletes a worktree with its uncommitted changes",
    "`git worktree remove` without `--force`, which refuses when there are changes",
    "git worktree remove --force ../wt",
    "git worktree remove ../wt"
);
git_rule!(
    HISTORY_DESTROY,
    "git:history-destroy",
    Deny,
    "expiring the reflog, deleting refs or rewriting history removes the ways to recover commits",
    "leave the reflog and refs alone; ask the user for history rewrites",
    "git reflog expire --expire=now --all",
    "git reflog show"
);
git_rule!(
    SUBMODULE_FORCE,
    "git:submodule-deinit-force",
    Deny,
    "`git submodule deinit --force` removes submodule working trees with local changes",
    "`git submodule deinit` without `--force`",
    "git submodule deinit -f --all",
    "git submodule update --init"
);
git_rule!(
    RM_FORCE,
    "git:rm-force",
    Deny,
    "`git rm --force` or a recursive `git rm` of the whole tree deletes files with uncommitted changes",
    "`git rm --cached` to untrack, or `git rm` of named files",
    "git rm -rf .",
    "git rm --cached -r dist/"
);
git_rule!(
    GC_PRUNE,
    "git:gc-prune-now",
    Ask,
    "`git gc --prune=now` deletes unreachable commits immediately instead of after two weeks",
    "plain `git gc`",
    "git gc --prune=now",
    "git gc"
);

pub(crate) static RULES: &[&RuleInfo] = &[
    &RESET_HARD,
    &CHECKOUT_DISCARD,
    &RESTORE_WORKTREE,
    &SWITCH_DISCARD,
    &CLEAN_FORCE,
    &PUSH_FORCE,
    &PUSH_DELETE,
    &BRANCH_FORCE,
    &STASH_DROP,
    &WORKTREE_FORCE,
    &HISTORY_DESTROY,
    &SUBMODULE_FORCE,
    &RM_FORCE,
    &GC_PRUNE,
];

/// Global options that take a value as the next word.
const VALUE_OPTIONS: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--config-env",
    "--super-prefix",
    "--list-cmds",
    "--attr-source",
];

pub(crate) fn check(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if !t.starts_with('-') {
            break;
        }
        if t == "-c" {
            if let Some(kv) = args.get(i + 1)
                && let Some((k, v)) = kv.text.split_once('=')
                && let Some(name) = k.strip_prefix("alias.")
            {
                aliases.push((name.to_owned(), v.to_owned()));
            }
            i += 2;
            continue;
        }
        if VALUE_OPTIONS.contains(&t) {
            i += 2;
            continue;
        }
        i += 1;
    }
    let Some(sub) = args.get(i) else { return };
    // `git -C DIR` runs in DIR (each -C relative to the one before).
    let mut located = inv.clone();
    for pair in args[..i].windows(2) {
        if pair[0].text == "-C" {
            located = located.in_dir(&pair[1]);
        }
    }
    let inv = &located;
    let rest = &args[i + 1..];
    if rest.iter().any(|w| w.text == "--help" || w.text == "-h") {
        return;
    }
    if let Some((_, body)) = aliases.iter().find(|(n, _)| *n == sub.text) {
        // `git -c alias.x='reset --hard' x`: judge the expansion.
        if let Some(shell) = body.strip_prefix('!') {
            e.code(&format!("{shell} {}", super::wrappers::join(rest)));
        } else {
            let mut expanded = vec![Word::literal("git")];
            expanded.extend(body.split_whitespace().map(Word::literal));
            expanded.extend(rest.iter().cloned());
            e.invoke(&inv.with_argv(expanded));
        }
        return;
    }
    subcommand(e, inv, sub.text.as_str(), rest);
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per git subcommand reads best as one table"
)]
fn subcommand(e: &mut Engine, inv: &Invocation, sub: &str, rest: &[Word]) {
    let has = |f: &str| {
        rest.iter()
            .any(|w| w.text == f || w.text.starts_with(&format!("{f}=")))
    };
    let positionals: Vec<&str> = {
        let mut out = Vec::new();
        let mut after_dd = false;
        for w in rest {
            if w.text == "--" {
                after_dd = true;
                continue;
            }
            if after_dd || !w.text.starts_with('-') {
                out.push(w.text.as_str());
            }
        }
        out
    };
    record_worktree_writes(e, inv, sub, rest, &positionals);
    match sub {
        "reset" if (has("--hard") || has("--merge")) => {
            e.hit(&RESET_HARD, inv, None);
        }
        "checkout" => {
            if has_flag(rest, 'f', &["force"]) {
                e.hit(&CHECKOUT_DISCARD, inv, None);
                return;
            }
            let creates = has_flag(rest, 'b', &["orphan"]) || has_flag(rest, 'B', &[]);
            let dd = rest.iter().position(|w| w.text == "--");
            let discards_paths = match dd {
                Some(pos) => rest.len() > pos + 1,
                None => {
                    !creates
                        && (positionals
                            .iter()
                            .any(|p| matches!(*p, "." | "*" | ":/" | "./"))
                            || positionals.len() >= 2)
                }
            };
            if discards_paths && !has("-p") && !has("--patch") {
                e.hit(&CHECKOUT_DISCARD, inv, None);
            }
        }
        "restore" => {
            let staged = has_flag(rest, 'S', &["staged"]);
            let worktree = has_flag(rest, 'W', &["worktree"]);
            if (!staged || worktree) && !has("-p") && !has("--patch") {
                e.hit(&RESTORE_WORKTREE, inv, None);
            }
        }
        "switch" if (has("--discard-changes") || has_flag(rest, 'f', &["force"])) => {
            e.hit(&SWITCH_DISCARD, inv, None);
        }
        "clean" => {
            let dry = has_flag(rest, 'n', &["dry-run"]);
            let force = has_flag(rest, 'f', &["force"]) || has_flag(rest, 'i', &["interactive"]);
            if force && !dry {
                e.hit(&CLEAN_FORCE, inv, None);
            }
        }
        "push" => push(e, inv, rest, &positionals),
        "branch" => {
            let force = has_flag(rest, 'D', &[])
                || has_flag(rest, 'f', &["force"])
                || has_flag(rest, 'M', &[])
                || has_flag(rest, 'C', &[]);
            if force {
                e.hit(&BRANCH_FORCE, inv, None);
            }
        }
        "stash" => {
            if matches!(positionals.first(), Some(&("drop" | "clear"))) {
                e.hit(&STASH_DROP, inv, None);
            }
        }
        "worktree"
            if matches!(positionals.first(), Some(&("remove" | "rm")))
                && has_flag(rest, 'f', &["force"]) =>
        {
            e.hit(&WORKTREE_FORCE, inv, None);
        }
        "reflog" => {
            if matches!(positionals.first(), Some(&("expire" | "delete"))) {
                e.hit(&HISTORY_DESTROY, inv, None);
            }
        }
        "update-ref" if (has("-d") || has("--stdin")) => {
            e.hit(
                &HISTORY_DESTROY,
                inv,
                Some("`git update-ref -d` deletes a ref without any safety check".to_owned()),
            );
        }
        "filter-branch" | "filter-repo" => {
            e.hit(
                &HISTORY_DESTROY,
                inv,
                Some("history rewriting replaces every commit; other clones diverge".to_owned()),
            );
        }
        "submodule" => {
            if positionals.first() == Some(&"deinit") && has_flag(rest, 'f', &["force"]) {
                e.hit(&SUBMODULE_FORCE, inv, None);
            }
            if positionals.first() == Some(&"foreach")
                && let Some(code) = positionals.get(1)
            {
                e.code(code);
            }
        }
        "rm" => {
            let cached = has("--cached");
            let force = has_flag(rest, 'f', &["force"]);
            let sweeping = has_flag(rest, 'r', &[])
                && positionals
                    .iter()
                    .any(|p| matches!(*p, "." | "*" | "./" | ":/"));
            if !cached && (force || sweeping) {
                e.hit(&RM_FORCE, inv, None);
            }
        }
        "config" => {
            // `git config alias.x '!rm -rf ~'`: a shell alias is code that will run.
            if let Some(pos) = rest.iter().position(|w| w.text.starts_with("alias."))
                && let Some(value) = rest.get(pos + 1)
                && let Some(code) = value.text.strip_prefix('!')
            {
                let code = code.to_owned();
                e.code(&code);
            }
        }
        "gc" if rest
            .iter()
            .any(|w| w.text == "--prune=now" || w.text == "--prune=all") =>
        {
            e.hit(&GC_PRUNE, inv, None);
        }
        _ => {}
    }
}

fn push(e: &mut Engine, inv: &Invocation, rest: &[Word], positionals: &[&str]) {
    let force = has_flag(rest, 'f', &["force"]);
    if force {
        e.hit(&PUSH_FORCE, inv, None);
        return;
    }
    if has_flag(rest, 'd', &["delete", "mirror", "prune"]) {
        e.hit(&PUSH_DELETE, inv, None);
        return;
    }
    // Refspecs come after the remote: `+src:dst` forces, `:dst` deletes.
    for spec in positionals.iter().skip(1) {
        if spec.starts_with('+') {
            e.hit(
                &PUSH_FORCE,
                inv,
                Some(format!("the refspec `{spec}` force-pushes")),
            );
            return;
        }
        if spec.starts_with(':') && spec.len() > 1 {
            e.hit(
                &PUSH_DELETE,
                inv,
                Some(format!("the refspec `{spec}` deletes the remote branch")),
            );
            return;
        }
    }
}

/// Working-tree files a subcommand rewrites, for the scope enforcer: named paths where the
/// command line names them, "unknown" where git decides (merge, apply, checkout of a ref).
fn record_worktree_writes(
    e: &mut Engine,
    inv: &Invocation,
    sub: &str,
    rest: &[Word],
    positionals: &[&str],
) {
    let dd = rest.iter().position(|w| w.text == "--");
    match sub {
        "checkout" | "restore" if dd.is_some() || sub == "restore" => {
            let paths: Vec<&str> = match dd {
                Some(dd) => rest[dd + 1..].iter().map(|w| w.text.as_str()).collect(),
                None => positionals.to_vec(),
            };
            super::writes::git_paths(e, inv, &paths, "git checkout/restore");
        }
        "rm" | "mv" => {
            super::writes::git_paths(
                e,
                inv,
                positionals,
                if sub == "rm" { "git rm" } else { "git mv" },
            );
        }
        "apply" | "am" | "cherry-pick" | "merge" | "pull" | "rebase" | "stash" | "revert"
        | "checkout" | "switch" | "reset" => {
            let read_only = (sub == "stash"
                && matches!(positionals.first(), Some(&("list" | "show"))))
                || (sub == "apply"
                    && rest.iter().any(|w| {
                        matches!(
                            w.text.as_str(),
                            "--check" | "--stat" | "--numstat" | "--summary" | "--cached"
                        )
                    }))
                || (sub == "reset"
                    && !rest
                        .iter()
                        .any(|w| matches!(w.text.as_str(), "--hard" | "--merge" | "--keep")));
            if !read_only {
                super::writes::writes_unknown(e, inv, &format!("git {sub}"));
            }
        }
        _ => {}
    }
}
