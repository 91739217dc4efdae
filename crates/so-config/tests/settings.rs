//! The registered fields as typed settings: values from the file, defaults, and errors that
//! name the line instead of falling back to the default.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_config::fields::{FIELDS, FieldType};
use so_config::{Enforcement, FieldValue, Origin, SessionConfig, Severity};

/// The section starts on line 5, so the first body line is line 6.
fn config(body: &str) -> SessionConfig {
    let text =
        format!("# Project\n\nIntro.\n\n## Session Config\n{body}\n\n## Other\n\nwaves: x\n");
    SessionConfig::parse(&text, Path::new("CLAUDE.md"))
}

fn value(c: &SessionConfig, name: &str) -> FieldValue {
    c.setting(name).unwrap().unwrap().value
}

fn line(c: &SessionConfig, name: &str) -> Option<usize> {
    match c.setting(name).unwrap().unwrap().origin {
        Origin::File(e) => Some(e.line),
        Origin::Default => None,
    }
}

#[test]
fn absent_fields_take_their_defaults() {
    let c = config("");
    let s = |v: &str| FieldValue::Str(v.to_owned());
    assert_eq!(value(&c, "test-command"), s("npm test"));
    assert_eq!(value(&c, "typecheck-command"), s("npm run typecheck"));
    assert_eq!(value(&c, "lint-command"), s("npm run lint"));
    assert_eq!(value(&c, "waves"), FieldValue::Int(5));
    assert_eq!(value(&c, "persistence"), FieldValue::Bool(true));
    assert_eq!(value(&c, "enforcement"), FieldValue::Enum("strict"));
    assert_eq!(value(&c, "isolation"), FieldValue::Enum("auto"));
    assert_eq!(value(&c, "max-turns"), FieldValue::Auto);
    assert_eq!(value(&c, "recent-commits"), FieldValue::Int(20));
    assert_eq!(value(&c, "special"), FieldValue::Unset);
    assert_eq!(value(&c, "vcs"), FieldValue::Unset);
    assert_eq!(value(&c, "allow-destructive-ops"), FieldValue::Bool(false));
    assert_eq!(value(&c, "discovery-on-close"), FieldValue::Bool(false));
    match value(&c, "agents-per-wave") {
        FieldValue::IntWithOverrides(v) => assert_eq!((v.default, v.overrides.len()), (6, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.enforcement().unwrap(), Enforcement::Strict);
    assert!(
        c.settings()
            .iter()
            .all(|s| s.as_ref().is_ok_and(|s| s.origin == Origin::Default))
    );
    assert_eq!(c.settings().len(), FIELDS.len());
    assert!(c.setting("not-a-field").is_none());
}

#[test]
fn values_from_the_file_carry_their_line() {
    let c = config(
        "- **test-command:** cargo test --workspace # all crates\n\
         - **typecheck-command:** cargo check --all-targets\n\
         - **lint-command:** \"cargo clippy -- -D warnings\"\n\
         - **agents-per-wave:** 4 (deep: 8)\n\
         - **waves:** 3\n\
         - **persistence:** no\n\
         - **enforcement:** Warn\n\
         - **isolation:** none\n\
         - **max-turns:** 12\n\
         - **recent-commits:** 5\n\
         - **vcs:** GitLab\n\
         - **special:** Never touch `vendor/`.\n\
         - **allow-destructive-ops:** false\n\
         - **discovery-on-close:** on",
    );
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
    let s = |v: &str| FieldValue::Str(v.to_owned());
    assert_eq!(value(&c, "test-command"), s("cargo test --workspace"));
    assert_eq!(line(&c, "test-command"), Some(6));
    assert_eq!(value(&c, "lint-command"), s("cargo clippy -- -D warnings"));
    match value(&c, "agents-per-wave") {
        FieldValue::IntWithOverrides(v) => assert_eq!((v.default, v.for_type("deep")), (4, 8)),
        other => panic!("{other:?}"),
    }
    assert_eq!(value(&c, "persistence"), FieldValue::Bool(false));
    assert_eq!(value(&c, "enforcement"), FieldValue::Enum("warn"));
    assert_eq!(value(&c, "isolation"), FieldValue::Enum("none"));
    assert_eq!(value(&c, "max-turns"), FieldValue::Int(12));
    assert_eq!(value(&c, "recent-commits"), FieldValue::Int(5));
    assert_eq!(value(&c, "vcs"), FieldValue::Enum("gitlab"));
    assert_eq!(value(&c, "special"), s("Never touch `vendor/`."));
    assert_eq!(value(&c, "discovery-on-close"), FieldValue::Bool(true));
    assert_eq!(line(&c, "discovery-on-close"), Some(19));
    assert_eq!(line(&c, "cross-repos"), None);
}

#[test]
fn a_string_set_to_none_is_unset_from_the_file() {
    let c = config("test-command: none\nlint-command: \"\"\nmax-turns: AUTO");
    assert_eq!(value(&c, "test-command"), FieldValue::Unset);
    assert_eq!(line(&c, "test-command"), Some(6));
    assert_eq!(value(&c, "lint-command"), FieldValue::Unset);
    assert_eq!(value(&c, "max-turns"), FieldValue::Auto);
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn bad_values_are_errors_on_their_line_never_defaults() {
    let cases = [
        ("max-turns: lots", "expected an integer or `auto`"),
        (
            "isolation: container",
            "expected one of `worktree`, `none`, `auto`",
        ),
        ("vcs: bitbucket", "expected one of `github`, `gitlab`"),
        ("discovery-on-close: maybe", "expected a boolean"),
        ("recent-commits: twenty", "expected an integer"),
        ("persistence: 1", "expected a boolean"),
        ("waves: 5 (deep: 6)", "expected an integer"),
    ];
    for (body, reason) in cases {
        let c = config(&format!("waves: 4\n{body}"));
        let key = body.split(':').next().unwrap();
        let errors: Vec<_> = c
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{body}: {:?}", c.diagnostics());
        assert_eq!(errors[0].line, 7, "{body}");
        assert!(errors[0].message.contains(reason), "{body}: {}", errors[0]);
        let err = c.setting(key).unwrap().unwrap_err();
        assert!(err.to_string().starts_with("CLAUDE.md:7:"), "{err}");
        assert_eq!(
            c.settings().iter().filter(|s| s.is_err()).count(),
            1,
            "{body}"
        );
    }
}

#[test]
fn unregistered_keys_are_listed_and_near_misses_warned() {
    let c = config(
        "vault-integration:\n  enabled: true\nTest_Command: cargo test\nissue-limit: 10\nwaves: 3",
    );
    let keys: Vec<&str> = c.unregistered().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["vault-integration.enabled", "Test_Command", "issue-limit"]
    );
    let warned: Vec<&str> = c.diagnostics().iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        warned,
        ["unknown key `Test_Command` is ignored; did you mean `test-command`?"]
    );
    assert_eq!(
        value(&c, "test-command"),
        FieldValue::Str("npm test".into())
    );
}

#[test]
fn the_registry_types_the_core_fields() {
    let ty = |name: &str| FIELDS.iter().find(|f| f.name == name).map(|f| f.ty);
    assert_eq!(ty("max-turns"), Some(FieldType::IntOrAuto));
    assert_eq!(ty("agents-per-wave"), Some(FieldType::IntWithOverrides));
    assert_eq!(ty("test-command"), Some(FieldType::Str));
    for f in FIELDS {
        assert!(!f.doc.is_empty(), "{}", f.name);
    }
}
