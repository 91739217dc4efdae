//! The write targets the guard reports, which the scope enforcer holds against a wave's
//! allowed paths: every way a shell command writes, found through wrappers and nesting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_guard::{Guard, GuardContext, Policy};

fn writes(command: &str) -> Vec<(Option<String>, String)> {
    let cx = GuardContext::fixed(
        Path::new("/p/app"),
        Path::new("/p/app"),
        Path::new("/home/u"),
    );
    Guard::new(Policy::shipped())
        .check(command, &cx)
        .writes
        .into_iter()
        .map(|w| (w.path.map(|p| p.display().to_string()), w.via))
        .collect()
}

fn paths(command: &str) -> Vec<Option<String>> {
    writes(command).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn every_write_form_is_found() {
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(paths("echo x > out.txt"), [some("/p/app/out.txt")]);
    assert_eq!(
        paths("cat a | tee -a log/a.log b.txt"),
        [some("/p/app/log/a.log"), some("/p/app/b.txt")]
    );
    assert_eq!(paths("cp a.txt docs/"), [some("/p/app/docs/a.txt")]);
    assert_eq!(
        paths("mv src/a.rs src/b.rs"),
        [some("/p/app/src/b.rs"), some("/p/app/src/a.rs")]
    );
    assert_eq!(
        paths("sed -i 's/a/b/' src/lib.rs"),
        [some("/p/app/src/lib.rs")]
    );
    assert_eq!(
        paths("touch new.txt && mkdir -p a/b"),
        [some("/p/app/new.txt"), some("/p/app/a/b")]
    );
    assert_eq!(paths("rm -f old.txt"), [some("/p/app/old.txt")]);
    assert_eq!(paths("truncate -s 0 app.log"), [some("/p/app/app.log")]);
    assert_eq!(paths("git checkout -- src/x.rs"), [some("/p/app/src/x.rs")]);
    assert_eq!(paths("cd sub && echo x > y"), [some("/p/app/sub/y")]);
    assert_eq!(
        paths("sudo sh -c 'echo x >> /etc/hosts'"),
        [some("/etc/hosts")]
    );
    assert_eq!(
        paths("python3 -c \"open('gen.py','w').write('')\""),
        [some("/p/app/gen.py")]
    );
}

#[test]
fn unresolvable_targets_are_reported_as_such() {
    assert_eq!(paths("echo x > \"$OUT\""), [None]);
    assert_eq!(paths("git apply fix.patch"), [None]);
    assert_eq!(paths("tar xzf a.tgz"), [None]);
    assert_eq!(paths("find . -name '*.o' | xargs rm -f"), [None]);
}

#[test]
fn reads_write_nothing() {
    // Controls: the same programs reading.
    for cmd in [
        "cat out.txt",
        "git diff -- src/x.rs",
        "sed -n 1p src/lib.rs",
        "tar tzf a.tgz",
        "git apply --check fix.patch",
        "echo x > /dev/null 2>&1",
    ] {
        let w = writes(cmd);
        assert!(
            w.iter().all(|(p, _)| p.as_deref() == Some("/dev/null")),
            "{cmd}: {w:?}"
        );
    }
}
