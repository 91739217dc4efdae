//! Rendering of diagnostics and errors: `file:line:col: severity: message`, line, caret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_config::SessionConfig;

fn parse(text: &str) -> SessionConfig {
    SessionConfig::parse(text, Path::new("CLAUDE.md"))
}

fn rendered(c: &SessionConfig) -> String {
    let all: Vec<String> = c.diagnostics().iter().map(ToString::to_string).collect();
    all.join("\n\n")
}

#[test]
fn decorated_heading_diagnostics() {
    let text = "# P\n##  Session Config\nwaves: 3\n\n## Session Config (v2) <!-- x -->\n";
    insta::assert_snapshot!(rendered(&parse(text)));
}

#[test]
fn level_and_comment_diagnostic() {
    let text = "### Session Config <!-- keep -->\n\twaves: three\n";
    insta::assert_snapshot!(rendered(&parse(text)));
}

#[test]
fn invalid_boolean_error() {
    let text = "# P\n\n## Session Config\n- **allow-destructive-ops:** maybe # ask first\n";
    let c = parse(text);
    let err = c.allow_destructive_ops().unwrap_err();
    assert_eq!(rendered(&c), err.to_string());
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn duplicate_and_near_miss_diagnostics() {
    let text = "## Session Config\n\t- waves: 3\nallow_destructive_ops: true\n- **waves:** 4\n";
    insta::assert_snapshot!(rendered(&parse(text)));
}

#[test]
fn missing_value_error() {
    let text = "## Session Config\nenforcement:\n";
    let err = parse(text).enforcement().unwrap_err();
    insta::assert_snapshot!(err.to_string());
}
