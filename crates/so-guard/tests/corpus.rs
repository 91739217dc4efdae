//! The labelled corpora: every case must get its expected verdict. Failures name the
//! case id, so a regression points at the exact command.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_guard::{Decision, Guard, GuardContext, Policy};

/// A fixed context: a project in /home/dev/project, so paths classify the same on every
/// machine.
fn context() -> GuardContext {
    GuardContext::fixed(
        Path::new("/home/dev/project"),
        Path::new("/home/dev/project"),
        Path::new("/home/dev"),
    )
}

struct Case {
    id: String,
    command: String,
    block: bool,
}

fn load(name: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "{name}: bad line {l}");
            Case {
                id: f[0].to_owned(),
                command: f[1].replace("\\n", "\n"),
                block: f[2] == "block",
            }
        })
        .collect()
}

fn run(name: &str) {
    let guard = Guard::new(Policy::shipped());
    let cx = context();
    let mut wrong = Vec::new();
    let cases = load(name);
    for case in &cases {
        let analysis = guard.check(&case.command, &cx);
        let blocked = analysis.decision != Decision::Allow;
        if blocked != case.block {
            wrong.push(format!(
                "{}: expected {} got {} {:?} for {:?}",
                case.id,
                if case.block { "block" } else { "allow" },
                analysis.decision,
                analysis
                    .findings
                    .iter()
                    .map(|f| f.rule.as_str())
                    .collect::<Vec<_>>(),
                case.command
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases in {name} disagree:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn shared_guard_cases() {
    run("guard-cases.tsv");
}

#[test]
fn own_cases() {
    run("own-cases.tsv");
}

#[test]
fn real_world_commands() {
    run("real-world.tsv");
}
