//! Cloud CLIs, remote deletion and package registries.

use super::RuleInfo;
use crate::engine::{Engine, Invocation};
use crate::verdict::Severity;

macro_rules! rule {
    ($name:ident, $id:literal, $pack:literal, $sev:ident, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: $pack,
            severity: Severity::$sev,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

rule!(
    CLOUD_DELETE,
    "cloud:delete",
    "cloud",
    Deny,
    "a cloud CLI call that deletes, terminates or purges resources",
    "ask the user to run it, after listing what it would remove",
    "aws ec2 terminate-instances --instance-ids i-0abc",
    "aws ec2 describe-instances"
);
rule!(
    RSYNC_DELETE,
    "remote:rsync-delete",
    "remote",
    Deny,
    "`rsync --delete` removes destination files missing from the source",
    "`rsync --delete --dry-run` to review, or rsync without `--delete`",
    "rsync -a --delete ./dist/ host:/var/www/",
    "rsync -a ./dist/ host:/var/www/"
);
rule!(
    UNPUBLISH,
    "pkg:unpublish",
    "packages",
    Deny,
    "unpublishing or yanking a package breaks everyone who depends on it",
    "deprecate the version instead (`npm deprecate`)",
    "npm unpublish my-lib --force",
    "npm view my-lib versions"
);
rule!(
    PUBLISH,
    "pkg:publish",
    "packages",
    Ask,
    "publishing a package is public and cannot be taken back",
    "`--dry-run` to check the package; let the user publish",
    "cargo publish",
    "cargo publish --dry-run"
);

pub(crate) static RULES: &[&RuleInfo] = &[&CLOUD_DELETE, &RSYNC_DELETE, &UNPUBLISH, &PUBLISH];

const DELETE_VERBS: &[&str] = &[
    "delete",
    "remove",
    "destroy",
    "purge",
    "terminate",
    "rb",
    "deregister",
    "wipe",
    "erase",
];

pub(crate) fn check(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    if args
        .iter()
        .any(|w| w.text == "--dry-run" || w.text == "help" || w.text == "--help")
    {
        return;
    }
    let pos: Vec<&str> = args
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str())
        .collect();
    let deletes = |s: &str| {
        DELETE_VERBS
            .iter()
            .any(|v| s == *v || s.starts_with(&format!("{v}-")) || s.ends_with(&format!("-{v}")))
    };
    let hit = match name {
        "aws" => {
            let s3_rm = pos.first() == Some(&"s3")
                && matches!(pos.get(1), Some(&("rm" | "rb")))
                && (pos.get(1) == Some(&"rb") || args.iter().any(|w| w.text == "--recursive"));
            let s3_sync_delete = pos.first() == Some(&"s3")
                && pos.get(1) == Some(&"sync")
                && args.iter().any(|w| w.text == "--delete");
            s3_rm || s3_sync_delete || pos.get(1).is_some_and(|op| deletes(op))
        }
        "gsutil" => {
            matches!(pos.first(), Some(&("rm" | "rb")))
                && (pos.first() == Some(&"rb")
                    || args.iter().any(|w| {
                        w.text.starts_with("-r") || w.text == "-R" || w.text.starts_with("-m")
                    }))
        }
        "gcloud" | "az" | "doctl" | "flyctl" | "heroku" | "vercel" => {
            pos.iter().take(4).any(|p| deletes(p))
                || (name == "heroku" && pos.iter().any(|p| p.contains("destroy")))
        }
        "gh" => matches!(
            (pos.first(), pos.get(1)),
            (Some(&"repo"), Some(&("delete" | "archive"))) | (Some(&"release"), Some(&"delete"))
        ),
        _ => false,
    };
    if hit {
        e.hit(&CLOUD_DELETE, inv, None);
    }
}

pub(crate) fn rsync(e: &mut Engine, inv: &Invocation) {
    let args = inv.args();
    let deletes = args
        .iter()
        .any(|w| w.text.starts_with("--delete") || w.text == "--remove-source-files");
    let dry = args.iter().any(|w| {
        w.text == "--dry-run"
            || w.text == "-n"
            || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('n'))
    });
    if deletes && !dry {
        e.hit(&RSYNC_DELETE, inv, None);
    }
}

pub(crate) fn packages(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    if args
        .iter()
        .any(|w| w.text == "--dry-run" || w.text == "-n" && name == "cargo" || w.text == "--help")
    {
        return;
    }
    let pos: Vec<&str> = args
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str())
        .collect();
    match (name, pos.first().copied()) {
        ("npm" | "pnpm" | "yarn", Some("unpublish")) | ("cargo" | "gem", Some("yank")) => {
            e.hit(&UNPUBLISH, inv, None);
        }
        _ if publishes(name, &pos) => e.hit(&PUBLISH, inv, None),
        _ => {}
    }
}

/// Whether `name` with the positional words `pos` publishes a package or a site.
fn publishes(name: &str, pos: &[&str]) -> bool {
    let first = pos.first().copied();
    match name {
        "yarn" if first == Some("npm") => pos.get(1) == Some(&"publish"),
        "npm" | "pnpm" | "yarn" | "cargo" | "gem" | "poetry" | "uv" => {
            matches!(first, Some("publish" | "push"))
        }
        "twine" => first == Some("upload"),
        "lerna" => first == Some("publish"),
        // `mkdocs gh-deploy` pushes the built site to the gh-pages branch (forced by default).
        "mkdocs" => first == Some("gh-deploy"),
        // Maven and Gradle publish through goals and tasks, anywhere on the command line.
        "mvn" | "mvnw" => pos.iter().any(|g| {
            matches!(*g, "deploy" | "release:perform" | "deploy:deploy")
                || g.starts_with("nexus-staging:release")
                || g.starts_with("nexus-staging:deploy")
                || g.starts_with("central-publishing:")
        }),
        "gradle" | "gradlew" => pos.iter().any(|t| {
            t.starts_with("publish") && !t.contains("ToMavenLocal") || t.ends_with(":publish")
        }),
        _ => false,
    }
}
