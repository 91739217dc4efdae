//! Every registered rule blocks its own block example (with its own id) and lets its
//! allow example through; ids are unique and well formed; the shipped policy loads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::Path;

use so_guard::{Decision, Guard, GuardContext, Policy, registry};

fn context() -> GuardContext {
    GuardContext::fixed(
        Path::new("/home/dev/project"),
        Path::new("/home/dev/project"),
        Path::new("/home/dev"),
    )
}

#[test]
fn every_rule_blocks_its_example_and_allows_its_near_miss() {
    let guard = Guard::new(Policy::shipped());
    let cx = context();
    let mut problems = Vec::new();
    for rule in registry() {
        let blocked = guard.check(rule.block_example, &cx);
        if blocked.decision == Decision::Allow
            || !blocked.findings.iter().any(|f| f.rule == rule.id)
        {
            problems.push(format!(
                "{}: block example `{}` gave {:?} {:?}",
                rule.id,
                rule.block_example,
                blocked.decision,
                blocked.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
            ));
        }
        let allowed = guard.check(rule.allow_example, &cx);
        if allowed.decision != Decision::Allow {
            problems.push(format!(
                "{}: allow example `{}` gave {:?} {:?}",
                rule.id,
                rule.allow_example,
                allowed.decision,
                allowed.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rule_ids_are_unique_and_name_a_known_pack() {
    let packs: HashSet<&str> = so_guard::PACKS.iter().map(|p| p.id).collect();
    let mut seen = HashSet::new();
    for rule in registry() {
        assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
        let (prefix, name) = rule.id.split_once(':').expect("ids are pack:rule");
        assert!(!prefix.is_empty() && !name.is_empty(), "{}", rule.id);
        assert!(
            packs.contains(rule.pack),
            "{} names unknown pack {}",
            rule.id,
            rule.pack
        );
    }
}

#[test]
fn shipped_policy_parses_without_notices() {
    assert!(
        Policy::shipped().notices().is_empty(),
        "{:?}",
        Policy::shipped().notices()
    );
}

#[test]
fn warn_only_still_protects_the_guard_itself() {
    let mut guard = Guard::new(Policy::shipped());
    guard.set_warn_only(true);
    let cx = context();
    assert_eq!(
        guard.check("git reset --hard", &cx).decision,
        Decision::Warn
    );
    assert_eq!(
        guard
            .check("echo 'allow-destructive-ops: true' >> CLAUDE.md", &cx)
            .decision,
        Decision::Deny
    );
    // Control: the same guard armed denies both.
    guard.set_warn_only(false);
    assert_eq!(
        guard.check("git reset --hard", &cx).decision,
        Decision::Deny
    );
}

#[test]
fn unanalysable_commands_are_indeterminate_never_allowed() {
    let guard = Guard::new(Policy::shipped());
    let cx = context();
    let deep = format!("{}rm -rf ~{}", "$(".repeat(5000), ")".repeat(5000));
    assert_eq!(guard.check(&deep, &cx).decision, Decision::Indeterminate);
    let huge = format!("echo {}", "a".repeat(10 * 1024 * 1024));
    assert_eq!(guard.check(&huge, &cx).decision, Decision::Indeterminate);
    // Control: shallow nesting is analysed normally.
    assert_eq!(
        guard.check("echo $(echo $(date))", &cx).decision,
        Decision::Allow
    );
}
