//! Entry spellings, value coercion and `fragment_sets_key`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_config::{ConfigError, Enforcement, SessionConfig, Severity, fragment_sets_key};

fn config(body: &str) -> SessionConfig {
    let text = format!("# Project\n\nIntro.\n\n## Session Config\n\n{body}\n\n## Other\n\nx: 1\n");
    SessionConfig::parse(&text, Path::new("CLAUDE.md"))
}

const SPELLINGS: &[&str] = &[
    "allow-destructive-ops: true",
    "- allow-destructive-ops: true",
    "* allow-destructive-ops: true",
    "+ allow-destructive-ops: true",
    "- **allow-destructive-ops:** true",
    "**allow-destructive-ops:** true",
    "- **allow-destructive-ops**: true",
    "- `allow-destructive-ops`: true",
    "- `allow-destructive-ops:` true",
    "  - allow-destructive-ops: true",
    "allow-destructive-ops: true # bypass for the migration",
    "allow-destructive-ops:   true   ",
    "allow-destructive-ops : true",
    "allow-destructive-ops:\ttrue",
];

#[test]
fn every_spelling_sets_the_switch() {
    for line in SPELLINGS {
        let c = config(line);
        assert_eq!(c.allow_destructive_ops().ok(), Some(true), "{line}");
        assert!(c.diagnostics().is_empty(), "{line}: {:?}", c.diagnostics());
        assert!(fragment_sets_key(line, "allow-destructive-ops"), "{line}");
    }
}

#[test]
fn seed_quirk_cases_are_true() {
    // The seed's raw-regex guard disagreed with its own parser on these two.
    for line in [
        "- **allow-destructive-ops:** true",
        "- allow-destructive-ops: true",
    ] {
        assert_eq!(
            config(line).allow_destructive_ops().ok(),
            Some(true),
            "{line}"
        );
    }
}

#[test]
fn boolean_spellings() {
    for (value, expected) in [
        ("yes", true),
        ("TRUE", true),
        ("\"true\"", true),
        ("'on'", true),
        ("Off", false),
        ("no", false),
        ("false", false),
    ] {
        let c = config(&format!("allow-destructive-ops: {value}"));
        assert_eq!(c.allow_destructive_ops().ok(), Some(expected), "{value}");
    }
}

#[test]
fn non_boolean_is_an_error_with_its_line() {
    let c = config("waves: 5\nallow-destructive-ops: maybe");
    let err = c.allow_destructive_ops().unwrap_err();
    let ConfigError::InvalidValue(e) = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(
        (e.line, e.column, e.key.as_str()),
        (8, 24, "allow-destructive-ops")
    );
    assert_eq!(e.value, "maybe");
    let diag = c
        .diagnostics()
        .iter()
        .find(|d| d.severity == Severity::Error);
    assert_eq!(diag.map(|d| (d.line, d.column)), Some((8, 24)));
    assert!(c.has_errors());
}

#[test]
fn empty_value_is_an_error_not_false() {
    let c = config("allow-destructive-ops:");
    assert!(c.allow_destructive_ops().is_err());
    let c = config("allow-destructive-ops: \"\"");
    assert!(c.allow_destructive_ops().is_err());
}

#[test]
fn missing_space_is_honoured_for_registered_keys_only() {
    let c = config("allow-destructive-ops:true\nsee: https://example.com\nfoo:bar");
    assert_eq!(c.allow_destructive_ops().ok(), Some(true));
    assert_eq!(c.diagnostics().len(), 1, "{:?}", c.diagnostics());
    assert!(c.diagnostics()[0].message.contains("missing space"));
    assert_eq!(c.get_str("see"), Some("https://example.com"));
    assert_eq!(c.get_str("foo"), None);
    assert!(fragment_sets_key(
        "allow-destructive-ops:true",
        "allow-destructive-ops"
    ));
}

#[test]
fn typed_accessors() {
    let c = config(
        "agents-per-wave: 6 (deep: 18)\nwaves: 5\ncross-repos: [a, \"b c\"]\nplain: x, y\n\
         mirror: none\nspecial: \"keep # this\" # not this\nenforcement: WARN",
    );
    let apw = c
        .get_int_with_overrides("agents-per-wave")
        .unwrap()
        .unwrap();
    assert_eq!(
        (apw.default, apw.for_type("deep"), apw.for_type("feature")),
        (6, 18, 6)
    );
    assert!(c.get_int("agents-per-wave").is_err());
    assert_eq!(c.get_int("waves").unwrap(), Some(5));
    assert_eq!(
        c.get_list("cross-repos").unwrap(),
        Some(vec!["a".into(), "b c".into()])
    );
    assert_eq!(
        c.get_list("plain").unwrap(),
        Some(vec!["x".into(), "y".into()])
    );
    assert_eq!(c.get_str("mirror"), None);
    assert_eq!(c.get("mirror").map(|e| e.value.as_str()), Some("none"));
    assert_eq!(c.get_str("special"), Some("keep # this"));
    assert_eq!(c.enforcement().ok(), Some(Enforcement::Warn));
    assert_eq!(
        c.get_enum("enforcement", &["strict", "warn"]).unwrap(),
        Some("warn")
    );
    assert!(c.get_enum("enforcement", &["strict", "off"]).is_err());
    assert_eq!(c.get_bool("absent").unwrap(), None);
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn enforcement_defaults_to_strict_and_rejects_unknown_levels() {
    assert_eq!(
        config("waves: 5").enforcement().ok(),
        Some(Enforcement::Strict)
    );
    assert_eq!(
        config("enforcement: off").enforcement().ok(),
        Some(Enforcement::Off)
    );
    let c = config("enforcement: loose");
    assert!(c.enforcement().is_err());
    assert!(c.has_errors());
}

#[test]
fn near_miss_keys_warn_and_are_not_honoured() {
    let c = config("allow_destructive_ops: true\nAllow-Destructive-Ops: true");
    assert_eq!(c.allow_destructive_ops().ok(), Some(false));
    let warnings: Vec<_> = c.diagnostics().iter().map(|d| d.line).collect();
    assert_eq!(warnings, vec![7, 8]);
}

#[test]
fn unrecognised_spellings_of_known_keys_warn() {
    let c = config("1. allow-destructive-ops: true\n**allow-destructive-ops: true**");
    assert_eq!(c.allow_destructive_ops().ok(), Some(false));
    assert_eq!(c.diagnostics().len(), 2, "{:?}", c.diagnostics());
}

#[test]
fn fragment_recognises_entries_not_prose() {
    let key = "allow-destructive-ops";
    assert!(fragment_sets_key("allow-destructive-ops: true", key));
    assert!(fragment_sets_key("- **allow-destructive-ops:** yes", key));
    assert!(fragment_sets_key(
        "intro\r\n\r\n  * `allow-destructive-ops`: on\r\n",
        key
    ));
    assert!(!fragment_sets_key(
        "grep allow-destructive-ops CLAUDE.md",
        key
    ));
    assert!(!fragment_sets_key(
        "Override: Set `allow-destructive-ops: true` in Session Config if intentional.",
        key
    ));
    assert!(!fragment_sets_key(
        "The allow-destructive-ops switch: do not touch it",
        key
    ));
    assert!(!fragment_sets_key("allow-destructive-ops-extra: true", key));
    assert!(!fragment_sets_key("my-allow-destructive-ops: true", key));
    assert!(fragment_sets_key("  enabled: false", "loop-guard.enabled"));
    assert!(fragment_sets_key(
        "loop-guard.enabled: false",
        "loop-guard.enabled"
    ));
    assert!(!fragment_sets_key(
        "enabled: false",
        "allow-destructive-ops"
    ));
    assert!(!fragment_sets_key(
        "guard.enabled: false",
        "loop-guard.enabled"
    ));
}
