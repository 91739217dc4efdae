//! The rules, grouped by pack, and the dispatch from a command name to its rules.
//!
//! Every rule is a [`RuleInfo`] constant with a stable id (`pack:rule`), a default
//! severity, a reason, a safer alternative and one block and one allow example; the
//! examples are checked by a test, and `docs/rules.md` is generated from this table.

pub(crate) mod cloud;
pub(crate) mod database;
pub(crate) mod files;
pub(crate) mod git;
pub(crate) mod infra;
pub(crate) mod interpreters;
pub(crate) mod shells;
pub(crate) mod system;
pub(crate) mod wrappers;
pub(crate) mod writes;

use crate::engine::{Engine, Invocation};
use crate::verdict::Severity;

/// A rule's fixed description.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable id, `pack:rule`.
    pub id: &'static str,
    /// The pack that switches the rule on and off.
    pub pack: &'static str,
    /// Severity unless the policy raises it.
    pub severity: Severity,
    /// What the rule blocks and why, one sentence.
    pub summary: &'static str,
    /// What to do instead.
    pub alternative: &'static str,
    /// A command the rule blocks.
    pub block_example: &'static str,
    /// A near miss the rule allows.
    pub allow_example: &'static str,
    /// Holds even when `allow-destructive-ops` turns the guard to warn-only: the guard
    /// protecting its own configuration.
    pub always_enforced: bool,
}

/// A pack: a group of rules switched on and off together.
#[derive(Debug)]
pub struct PackInfo {
    /// Pack id as used in the policy file.
    pub id: &'static str,
    /// What the pack covers.
    pub summary: &'static str,
    /// On unless the policy says otherwise.
    pub default_enabled: bool,
}

/// Every pack.
pub static PACKS: &[PackInfo] = &[
    PackInfo {
        id: "core.git",
        summary: "git commands that discard work or rewrite shared history",
        default_enabled: true,
    },
    PackInfo {
        id: "core.filesystem",
        summary: "deleting, truncating and overwriting files, disks and permissions",
        default_enabled: true,
    },
    PackInfo {
        id: "core.system",
        summary: "fork bombs, killing every process, removing crontabs, power state",
        default_enabled: true,
    },
    PackInfo {
        id: "core.guard",
        summary: "writes that would weaken the guard itself (always on)",
        default_enabled: true,
    },
    PackInfo {
        id: "core.interpreters",
        summary: "delete and shell-out APIs in python/node/perl/ruby one-liners",
        default_enabled: true,
    },
    PackInfo {
        id: "database",
        summary: "DROP, TRUNCATE, DELETE without WHERE, FLUSHALL through database CLIs",
        default_enabled: true,
    },
    PackInfo {
        id: "containers",
        summary: "docker/podman prunes, volume and mass container removal",
        default_enabled: true,
    },
    PackInfo {
        id: "kubernetes",
        summary: "kubectl/helm deletions of namespaces, all resources, node drains",
        default_enabled: true,
    },
    PackInfo {
        id: "iac",
        summary: "terraform/pulumi destroy, unreviewed applies, state surgery",
        default_enabled: true,
    },
    PackInfo {
        id: "cloud",
        summary: "aws/gcloud/az commands that delete or terminate resources",
        default_enabled: true,
    },
    PackInfo {
        id: "remote",
        summary: "rsync --delete and other remote deletions",
        default_enabled: true,
    },
    PackInfo {
        id: "packages",
        summary: "publishing, unpublishing and yanking packages",
        default_enabled: true,
    },
];

/// Every rule, in documentation order.
pub fn registry() -> Vec<&'static RuleInfo> {
    let mut all = Vec::new();
    all.extend_from_slice(git::RULES);
    all.extend_from_slice(files::RULES);
    all.extend_from_slice(writes::RULES);
    all.extend_from_slice(system::RULES);
    all.extend_from_slice(interpreters::RULES);
    all.extend_from_slice(shells::RULES);
    all.extend_from_slice(database::RULES);
    all.extend_from_slice(infra::RULES);
    all.extend_from_slice(cloud::RULES);
    all
}

/// The command name bash would look up: basename of a path, as typed.
pub(crate) fn command_name(word: &so_shell::Word) -> &str {
    let t = word.text.as_str();
    t.rsplit('/').next().unwrap_or(t)
}

/// Sends an invocation to the rules for its command name.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per command name reads best as one table"
)]
pub(crate) fn dispatch(e: &mut Engine, inv: &Invocation) {
    let Some(first) = inv.argv.first() else {
        return;
    };
    if first.dynamic && !first.text.is_empty() {
        shells::dynamic_command(e, inv);
        return;
    }
    let name = command_name(first);
    if wrappers::unwrap(e, inv, name) {
        return;
    }
    crate::policy::custom_rules(e, inv, name);
    match name {
        "git" => git::check(e, inv),
        "rm" | "unlink" => files::rm(e, inv),
        "rimraf" | "del-cli" | "trash" => {
            let mut argv = vec![so_shell::Word::literal("rm"), so_shell::Word::literal("-r")];
            argv.extend(
                inv.args()
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .cloned(),
            );
            files::rm(e, &inv.with_argv(argv));
        }
        "del" | "erase" | "rd" | "Remove-Item" | "ri" => files::windows_delete(e, inv),
        // `rmdir /s` is cmd.exe's recursive delete; plain `rmdir` removes empty directories.
        "rmdir" if inv.args().iter().any(|w| w.text.eq_ignore_ascii_case("/s")) => {
            files::windows_delete(e, inv);
        }
        "cmd" | "cmd.exe" => shells::cmd_exe(e, inv),
        "awk" | "gawk" | "mawk" | "nawk" => interpreters::awk(e, inv),
        "find" => files::find(e, inv),
        "shred" | "srm" => files::shred(e, inv),
        "truncate" => files::truncate(e, inv),
        "dd" => files::dd(e, inv),
        "wipefs" | "fdisk" | "sfdisk" | "gdisk" | "sgdisk" | "parted" | "blkdiscard" => {
            files::disk_tool(e, inv, name);
        }
        n if n.starts_with("mkfs") || n == "mke2fs" || n == "mkswap" => files::mkfs(e, inv),
        "chmod" | "chown" | "chgrp" => files::permissions(e, inv),
        "touch" | "mkdir" | "mkfifo" | "mknod" => writes::creates(e, inv, name),
        "apply_patch" | "applypatch" => writes::apply_patch(e, inv),
        "sort" | "curl" | "wget" | "gzip" | "bzip2" | "xz" | "zstd" | "split" | "csplit" => {
            writes::output_option(e, inv, name);
        }
        "unzip" | "7z" | "gunzip" | "bunzip2" | "unxz" | "patch" => {
            writes::writes_unknown(e, inv, name);
        }
        "tar" | "bsdtar"
            if inv.args().first().is_some_and(|w| {
                !w.text.starts_with("--") && w.text.contains('x') || w.text == "--extract"
            }) =>
        {
            writes::writes_unknown(e, inv, "tar -x");
        }
        "tee" | "cp" | "mv" | "install" | "ln" | "sed" | "rsync" | "perl" => {
            writes::argv_writes(e, inv, name);
            if name == "rsync" {
                cloud::rsync(e, inv);
            }
            if name == "perl" {
                interpreters::check(e, inv, name);
            }
        }
        "kill" | "pkill" | "killall" | "crontab" | "shutdown" | "reboot" | "halt" | "poweroff"
        | "systemctl" | "init" => {
            system::check(e, inv, name);
        }
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "mksh" | "ash" | "fish" | "csh" | "tcsh"
        | "yash" | "posh" => {
            shells::shell(e, inv);
        }
        "eval" => shells::eval(e, inv),
        "source" | "." => {}
        "alias" => {
            // `alias g='git reset --hard'`: judge the text the alias would run.
            for w in inv.args() {
                if let Some((_, body)) = w.text.split_once('=') {
                    let body = body.to_owned();
                    e.code(&body);
                }
            }
        }
        "python" | "python2" | "python3" | "pypy" | "pypy3" | "node" | "nodejs" | "bun"
        | "deno" | "ruby" | "php" => {
            interpreters::check(e, inv, name);
        }
        n if n.starts_with("python3.") => interpreters::check(e, inv, "python3"),
        "psql" | "mysql" | "mariadb" | "sqlite3" | "redis-cli" | "mongosh" | "mongo" | "dropdb"
        | "dropuser" | "mysqladmin" | "cockroach" | "clickhouse-client" => {
            database::check(e, inv, name);
        }
        "rails" | "rake" | "prisma" | "sequelize" | "knex" | "alembic" | "mix" | "supabase" => {
            database::framework(e, inv, name);
        }
        "docker" | "podman" | "nerdctl" | "docker-compose" => infra::containers(e, inv, name),
        "kubectl" | "oc" | "helm" => infra::kubernetes(e, inv, name),
        "terraform" | "tofu" | "terragrunt" | "pulumi" => infra::iac(e, inv, name),
        "aws" | "gcloud" | "gsutil" | "az" | "doctl" | "flyctl" | "heroku" | "vercel" | "gh" => {
            cloud::check(e, inv, name);
        }
        "npm" | "pnpm" | "yarn" | "cargo" | "gem" | "twine" | "poetry" | "uv" | "mvn" | "mvnw"
        | "gradle" | "gradlew" | "lerna" | "mkdocs" => {
            cloud::packages(e, inv, name);
        }
        _ => {}
    }
}

/// The first argument that is not an option, with the index after it.
pub(crate) fn first_positional(args: &[so_shell::Word]) -> Option<(usize, &str)> {
    args.iter()
        .enumerate()
        .find(|(_, w)| !w.text.starts_with('-'))
        .map(|(i, w)| (i, w.text.as_str()))
}

/// Whether a short-option cluster (`-rf`, `-xdf`) or a long option is present.
pub(crate) fn has_flag(args: &[so_shell::Word], short: char, long: &[&str]) -> bool {
    for w in args {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
        if let Some(l) = t.strip_prefix("--") {
            // The option name: up to `=` or any character an option name cannot hold.
            let end = l
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(l.len());
            let name = &l[..end];
            if long.contains(&name) {
                return true;
            }
        } else if let Some(s) = t.strip_prefix('-')
            && !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric())
            && s.contains(short)
        {
            return true;
        }
    }
    false
}
