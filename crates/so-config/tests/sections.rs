//! Section location, headings, blocks, fences, comments, duplicates and line endings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use so_config::{Enforcement, SessionConfig, Severity};

fn parse(text: &str) -> SessionConfig {
    SessionConfig::parse(text, Path::new("CLAUDE.md"))
}

fn warnings(c: &SessionConfig) -> Vec<(usize, String)> {
    c.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.line, d.message.clone()))
        .collect()
}

#[test]
fn absent_section_means_defaults_without_errors() {
    let c = parse("# Project\n\nallow-destructive-ops: true\n\n## Other\nenforcement: off\n");
    assert!(!c.has_section());
    assert_eq!(c.allow_destructive_ops().ok(), Some(false));
    assert_eq!(c.enforcement().ok(), Some(Enforcement::Strict));
    assert_eq!(c.entries().count(), 0);
    assert!(c.diagnostics().is_empty());
}

#[test]
fn decorated_headings_warn_and_still_parse() {
    for (heading, hint) in [
        ("##  Session Config", "use a single space after `##`"),
        (
            "## Session Config <!-- x -->",
            "move the HTML comment `<!-- x -->` to its own line",
        ),
        ("## Session Config (v2)", "remove `(v2)` from the heading"),
        (
            "### Session Config",
            "use a level-2 heading (`##`), not level 3",
        ),
        (
            "## session config",
            "write `Session Config` with exactly this capitalisation",
        ),
    ] {
        let c = parse(&format!(
            "# P\n{heading}\nallow-destructive-ops: yes\n## Next\n"
        ));
        assert!(c.has_section(), "{heading}");
        assert_eq!(c.section_line(), Some(2));
        assert_eq!(c.allow_destructive_ops().ok(), Some(true), "{heading}");
        let w = warnings(&c);
        assert_eq!(w.len(), 1, "{heading}: {w:?}");
        assert_eq!(w[0].0, 2);
        assert!(w[0].1.contains(hint), "{heading}: {}", w[0].1);
        assert!(w[0].1.contains("`## Session Config`"), "{}", w[0].1);
    }
}

#[test]
fn exact_heading_wins_over_attempts_and_later_duplicates() {
    let text = "### Session Config\na: 1\n## Session Config\na: 2\n## Session Config\na: 3\n";
    let c = parse(text);
    assert_eq!(c.section_line(), Some(3));
    assert_eq!(c.get_str("a"), Some("2"));
    let lines: Vec<usize> = warnings(&c).iter().map(|w| w.0).collect();
    assert_eq!(lines, vec![1, 5]);
}

#[test]
fn level_three_attempt_ends_at_next_level_three_heading() {
    let c = parse("### Session Config\na: 1\n### Notes\nb: 2\n");
    assert_eq!(c.get_str("a"), Some("1"));
    assert_eq!(c.get_str("b"), None);
}

#[test]
fn heading_inside_a_fence_is_ignored_with_a_warning() {
    let c = parse("# P\n```markdown\n## Session Config\nallow-destructive-ops: true\n```\n");
    assert!(!c.has_section());
    assert_eq!(c.allow_destructive_ops().ok(), Some(false));
    assert_eq!(warnings(&c).len(), 1);
}

#[test]
fn fenced_body_is_parsed_and_fenced_headings_do_not_end_it() {
    let text = "## Session Config\n\n```yaml\nwaves: 4\n## not a heading\nenforcement: warn\n```\n\
                ~~~\npersistence: false\n~~~\n\n## Next\nwaves: 9\n";
    let c = parse(text);
    assert_eq!(c.get_int("waves").unwrap(), Some(4));
    assert_eq!(c.enforcement().ok(), Some(Enforcement::Warn));
    assert_eq!(c.get_bool("persistence").unwrap(), Some(false));
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn subheadings_stay_inside_the_section() {
    let c = parse("## Session Config\n### Guard\nallow-destructive-ops: true\n# Top\nwaves: 1\n");
    assert_eq!(c.allow_destructive_ops().ok(), Some(true));
    assert_eq!(c.get_str("waves"), None);
}

#[test]
fn crlf_is_tolerated() {
    let text = "# P\r\n## Session Config\r\n- **allow-destructive-ops:** true\r\nloop-guard:\r\n  \
                threshold: 4\r\nname: \"x\"\r\n## Next\r\n";
    let c = parse(text);
    assert_eq!(c.allow_destructive_ops().ok(), Some(true));
    assert_eq!(c.get_int("loop-guard.threshold").unwrap(), Some(4));
    assert_eq!(c.get_str("name"), Some("x"));
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn nested_child_does_not_overwrite_flat_key() {
    let text = "## Session Config\nenabled: false\nloop-guard:\n  enabled: true\n  threshold: 3\n\
                window: 7\n";
    let c = parse(text);
    assert_eq!(c.get_bool("enabled").unwrap(), Some(false));
    assert_eq!(c.get_bool("loop-guard.enabled").unwrap(), Some(true));
    assert_eq!(c.get_int("loop-guard.threshold").unwrap(), Some(3));
    assert_eq!(c.get_int("window").unwrap(), Some(7));
    assert_eq!(c.get_int("loop-guard.window").unwrap(), None);
    let keys: Vec<&str> = c.entries().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "enabled",
            "loop-guard.enabled",
            "loop-guard.threshold",
            "window"
        ]
    );
    assert!(c.diagnostics().is_empty(), "{:?}", c.diagnostics());
}

#[test]
fn block_headers_in_every_spelling_with_inline_comments() {
    for header in [
        "loop-guard:",
        "loop-guard:  # tuned for CI",
        "- **loop-guard:**",
        "- **loop-guard:** # note",
        "- **loop-guard**:",
        "- `loop-guard`:",
        "* loop-guard: <!-- no -->",
    ] {
        let text = format!("## Session Config\n{header}\n  - threshold: 4\n  - enabled: off\n");
        let c = parse(&text);
        assert_eq!(
            c.get_int("loop-guard.threshold").unwrap(),
            Some(4),
            "{header}"
        );
        assert_eq!(
            c.get_bool("loop-guard.enabled").unwrap(),
            Some(false),
            "{header}"
        );
        assert!(
            c.diagnostics().is_empty(),
            "{header}: {:?}",
            c.diagnostics()
        );
    }
}

#[test]
fn deeper_nesting_and_dotted_keys() {
    let text = "## Session Config\nmemory:\n  banner:\n    enabled: false\n  proposals:\n    \
                quota-per-wave: 5\nloop-guard.window: 6\n";
    let c = parse(text);
    assert_eq!(c.get_bool("memory.banner.enabled").unwrap(), Some(false));
    assert_eq!(
        c.get_int("memory.proposals.quota-per-wave").unwrap(),
        Some(5)
    );
    assert_eq!(c.get_int("loop-guard.window").unwrap(), Some(6));
}

#[test]
fn registered_key_nested_by_accident_warns() {
    let c = parse("## Session Config\nSettings:\n  - waves: 4\n");
    assert_eq!(c.get_int("waves").unwrap(), None);
    assert_eq!(c.get_int("Settings.waves").unwrap(), Some(4));
    let w = warnings(&c);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, 3);
    assert!(w[0].1.contains("unindent it to set `waves`"), "{}", w[0].1);
}

#[test]
fn header_without_children_is_an_empty_value() {
    let c = parse("## Session Config\nmirror:\nwaves: 3\n");
    assert_eq!(c.get("mirror").map(|e| e.value.as_str()), Some(""));
    assert_eq!(c.get_str("mirror"), None);
}

#[test]
fn yaml_list_under_a_header_warns() {
    let c = parse("## Session Config\ncross-repos:\n  - a\n  - b\n");
    assert_eq!(c.get_list("cross-repos").unwrap(), None);
    let w = warnings(&c);
    assert_eq!(w.len(), 2);
    assert!(w[0].1.contains("`cross-repos: [a, b]`"), "{}", w[0].1);
}

#[test]
fn duplicate_key_last_wins_and_names_both_lines() {
    let c = parse("## Session Config\nwaves: 3\nother: x\n- **waves:** 4\n");
    assert_eq!(c.get_int("waves").unwrap(), Some(4));
    let w = warnings(&c);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].0, 4);
    assert!(w[0].1.contains("lines 2 and 4"), "{}", w[0].1);
    let lines: Vec<usize> = c.occurrences("waves").map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4]);
    assert_eq!(c.entries().count(), 2);
}

#[test]
fn html_comments_hide_entries() {
    let text =
        "## Session Config\n<!--\nallow-destructive-ops: true\n-->\n<!-- waves: 1 -->\nwaves: 2\n";
    let c = parse(text);
    assert_eq!(c.allow_destructive_ops().ok(), Some(false));
    assert_eq!(c.get_int("waves").unwrap(), Some(2));
}

#[test]
fn spans_point_into_the_file() {
    let text = "\u{feff}# P\r\n## Session Config\r\n- allow-destructive-ops: \"true\" # x\r\n";
    let c = parse(text);
    let e = c.get("allow-destructive-ops").unwrap();
    assert_eq!(
        &text[e.line_span.clone()],
        "- allow-destructive-ops: \"true\" # x"
    );
    assert_eq!(&text[e.value_span.clone()], "\"true\"");
    assert_eq!((e.line, e.column, e.key_column), (3, 26, 3));
}

#[test]
fn load_and_missing_file() {
    let err = SessionConfig::load(Path::new("/nonexistent/so-config/CLAUDE.md")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/so-config/CLAUDE.md"),
        "{err}"
    );
}
