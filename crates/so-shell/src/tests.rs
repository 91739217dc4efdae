//! Unit tests of the walker on the constructs the guard depends on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn argvs(command: &str) -> Vec<Vec<String>> {
    parse(command, &Limits::default())
        .commands
        .iter()
        .map(|c| c.argv.iter().map(|w| w.text.clone()).collect())
        .collect()
}

#[test]
fn quote_removal_and_ansi_c() {
    assert_eq!(argvs("'r''m' -rf /"), vec![vec!["rm", "-rf", "/"]]);
    assert_eq!(argvs("$'rm' -rf /"), vec![vec!["rm", "-rf", "/"]]);
    assert_eq!(argvs(r"r\m -rf /"), vec![vec!["rm", "-rf", "/"]]);
    assert_eq!(argvs(r#"echo "rm -rf /""#), vec![vec!["echo", "rm -rf /"]]);
}

#[test]
fn ifs_splits_words() {
    assert_eq!(
        argvs("rm${IFS}-rf${IFS}/srv/data"),
        vec![vec!["rm", "-rf", "/srv/data"]]
    );
    // Quoted IFS does not split.
    assert_eq!(argvs(r#"echo "a${IFS}b""#)[0].len(), 2);
}

#[test]
fn line_continuation_joins() {
    assert_eq!(
        argvs("git reset \\\n  --hard"),
        vec![vec!["git", "reset", "--hard"]]
    );
}

#[test]
fn nested_commands_are_found() {
    let all = argvs("ls $(rm -rf ~/data) `whoami` <(git clean -fdx); (cd x && make) { f; }");
    let names: Vec<&str> = all.iter().map(|a| a[0].as_str()).collect();
    for expected in ["ls", "rm", "whoami", "git", "cd", "make"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn functions_loops_conditionals() {
    let all = argvs(
        "f() { git reset --hard; }; for d in */; do rm -rf \"$d\"; done; if true; then shred x; fi; case a in a) wipefs /dev/sda;; esac",
    );
    let names: Vec<&str> = all.iter().map(|a| a[0].as_str()).collect();
    for expected in ["git", "rm", "shred", "wipefs"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn commit_heredoc_is_data_of_cat() {
    let script = parse(
        "git commit -m \"$(cat <<'EOF'\nrm -rf / is bad\nEOF\n)\"",
        &Limits::default(),
    );
    let names: Vec<&str> = script
        .commands
        .iter()
        .map(|c| c.argv[0].text.as_str())
        .collect();
    assert_eq!(names, ["cat", "git"]);
    assert!(
        matches!(&script.commands[0].stdin, Some(Stdin::HereDoc { body, expands: false }) if body.contains("rm -rf"))
    );
    assert!(script.problems.is_empty());
}

#[test]
fn pipes_are_linked() {
    let script = parse("echo 'git reset --hard' | bash", &Limits::default());
    assert_eq!(script.commands[1].stdin, Some(Stdin::Pipe(0)));
    assert!(script.commands[0].pipes_out);
}

#[test]
fn static_echo_substitution_is_evaluated() {
    assert_eq!(
        argvs("eval $(echo git stash clear)")[1],
        ["eval", "git", "stash", "clear"]
    );
}

#[test]
fn variables_assigned_earlier_are_expanded() {
    assert_eq!(argvs("F=-rf; rm $F /x")[1], ["rm", "-rf", "/x"]);
    // A prefix assignment does not persist past its command.
    assert_eq!(argvs("F=-rf true; rm $F /x")[1], ["rm", "$F", "/x"]);
}

#[test]
fn cd_is_tracked() {
    let script = parse("cd ~ && rm -rf *", &Limits::default());
    assert_eq!(
        script.commands[1].cwd.as_ref().map(|w| w.text.as_str()),
        Some("~")
    );
    let script = parse("(cd /tmp) && rm -rf *", &Limits::default());
    assert_eq!(script.commands[1].cwd, None);
}

#[test]
fn syntax_error_keeps_lines_before_it() {
    let script = parse("rm -rf /tmp/x\necho \"unterminated", &Limits::default());
    assert_eq!(script.commands[0].argv[0].text, "rm");
    assert_eq!(script.commands[0].context, Context::TopLevel);
    assert!(matches!(script.problems[0], Problem::Syntax { .. }));
    assert!(!script.is_incomplete());
}

#[test]
fn deep_nesting_is_refused_not_parsed() {
    let deep = "$(".repeat(5000) + &")".repeat(5000);
    let script = parse(&deep, &Limits::default());
    assert!(script.is_incomplete());
    let shallow = "$(echo $(echo hi))";
    assert!(!parse(shallow, &Limits::default()).is_incomplete());
}

#[test]
fn oversized_input_is_refused() {
    let big = "a".repeat(300 * 1024);
    assert!(parse(&big, &Limits::default()).is_incomplete());
}

#[test]
fn redirects_and_heredoc_expansion() {
    let script = parse("cat <<EOF > out.txt\n$(rm -rf ~)\nEOF", &Limits::default());
    let names: Vec<&str> = script
        .commands
        .iter()
        .map(|c| c.argv[0].text.as_str())
        .collect();
    assert!(names.contains(&"rm"), "{names:?}");
    let cat = script
        .commands
        .iter()
        .find(|c| c.argv[0].text == "cat")
        .unwrap();
    assert_eq!(cat.redirects[0].target.text, "out.txt");
    assert!(cat.redirects[0].kind.writes());
}

#[test]
fn escaped_dollar_is_literal() {
    let script = parse(r#"echo "\$(rm -rf ~/x)""#, &Limits::default());
    assert_eq!(script.commands.len(), 1);
    assert_eq!(script.commands[0].argv[1].text, "$(rm -rf ~/x)");
}

#[test]
fn recovery_keeps_continued_lines_together() {
    let script = parse(
        "git reset \\\n--hard\necho \"unterminated",
        &Limits::default(),
    );
    assert_eq!(
        script.commands[0]
            .argv
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>(),
        ["git", "reset", "--hard"]
    );
}

#[test]
fn mktemp_paths_and_traps() {
    let script = parse(
        "tmpdir=\"$(mktemp -d)\"\ntrap 'rm -rf \"$tmpdir\"' EXIT",
        &Limits::default(),
    );
    let rm = script
        .commands
        .iter()
        .find(|c| c.argv.first().is_some_and(|w| w.text == "rm"))
        .unwrap();
    assert_eq!(rm.argv[2].text, "/tmp/tmp.XXXXXXXXXX");
    assert!(!rm.argv[2].dynamic);
    let script = parse("d=$(mktemp -d -p .); rm -rf \"$d\"", &Limits::default());
    let rm = script
        .commands
        .iter()
        .find(|c| c.argv.first().is_some_and(|w| w.text == "rm"))
        .unwrap();
    assert!(rm.argv[2].dynamic);
}

#[test]
fn spaced_double_parens_are_subshells_not_arithmetic() {
    assert_eq!(argvs("( ( rm -rf ~ ) )"), vec![vec!["rm", "-rf", "~"]]);
    assert_eq!(argvs("( (rm -rf ~) )"), vec![vec!["rm", "-rf", "~"]]);
    // Control: real arithmetic runs no command.
    assert!(argvs("(( i++ ))").is_empty());
}

#[test]
fn select_loops_are_walked_like_for() {
    let all = argvs("select x in a; do git reset --hard; break; done <<< 1");
    assert!(
        all.iter().any(|a| a == &["git", "reset", "--hard"]),
        "{all:?}"
    );
    // Control: a word `select` in an argument is left alone.
    assert_eq!(argvs("echo select x"), vec![vec!["echo", "select", "x"]]);
}

#[test]
fn deep_keyword_nesting_is_refused_not_parsed() {
    let deep = format!(
        "{}rm -rf ~;{}",
        "if :; then ".repeat(15000),
        " fi;".repeat(15000)
    );
    assert!(parse(&deep, &Limits::default()).is_incomplete());
    let shallow = format!("{}rm -rf ~;{}", "if :; then ".repeat(3), " fi;".repeat(3));
    assert!(!parse(&shallow, &Limits::default()).is_incomplete());
}

#[test]
fn fallback_skips_reserved_words() {
    let script = parse(
        "while true; do rm -rf ~; done; echo \"oops",
        &Limits::default(),
    );
    assert!(
        script
            .commands
            .iter()
            .any(|c| c.argv.first().is_some_and(|w| w.text == "rm"))
    );
}
