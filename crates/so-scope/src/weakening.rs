//! Config-weakening protection: edits to lint, type-check, test and secret-scanning
//! configuration that lower thresholds, add suppressions, switch rules off or relax
//! strictness. New files, tightening and text that cannot be compared always pass.

use std::sync::OnceLock;

use regex::Regex;

/// Whether a file name is configuration this protection watches.
pub fn watched(file_name: &str) -> bool {
    let n = file_name.to_ascii_lowercase();
    let prefixed = [
        "eslint.config.",
        ".eslintrc",
        "vitest.config",
        "jest.config",
        "tsconfig",
        ".prettierrc",
        "prettier.config.",
        "commitlint.config.",
        "biome.json",
        ".golangci",
        "karma.conf",
    ];
    let exact = [
        ".gitleaks.toml",
        "gitleaks.toml",
        "pyproject.toml",
        "setup.cfg",
        ".coveragerc",
        "ruff.toml",
        ".ruff.toml",
        "mypy.ini",
        ".flake8",
        "tox.ini",
        "pytest.ini",
        "clippy.toml",
        ".clippy.toml",
        "cargo.toml",
        ".pylintrc",
        "phpstan.neon",
        ".rubocop.yml",
        "deny.toml",
    ];
    prefixed.iter().any(|p| n.starts_with(p)) || exact.contains(&n.as_str())
}

struct Patterns {
    threshold: Regex,
    suppression: Regex,
    rule_off: Regex,
    strict_flag: Regex,
    skip_lib_check: Regex,
    ignore_list_item: Regex,
}

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(|| {
        Some(Patterns {
            threshold: Regex::new(r#"(?i)["']?([a-z_-]*(?:coverage|threshold|fail[_-]under|lines|branches|functions|statements)[a-z_-]*)["']?\s*[:=]\s*(\d+(?:\.\d+)?)"#).ok()?,
            suppression: Regex::new(r"(?i)eslint-disable|@ts-nocheck|@ts-ignore|@ts-expect-error|prettier-ignore|biome-ignore|\bnoqa\b|type:\s*ignore|\bnolint\b").ok()?,
            rule_off: Regex::new(r#"(?i)["']off["']|:\s*0\s*[,}\n]|=\s*["']allow["']"#).ok()?,
            strict_flag: Regex::new(r#""(strict|noImplicitAny|strictNullChecks|noUnusedLocals|noUnusedParameters|noImplicitReturns|strictFunctionTypes|noUncheckedIndexedAccess|noFallthroughCasesInSwitch)"\s*:\s*true"#).ok()?,
            skip_lib_check: Regex::new(r#""skipLibCheck"\s*:\s*true"#).ok()?,
            ignore_list_item: Regex::new(r#"(?im)^\s*(?:extend-)?ignore\s*=.*$|^\s*(?:paths|regexes|stopwords)\s*=.*$|^\s*["'][A-Z]{1,4}\d{0,4}["'],?\s*$"#).ok()?,
        })
    })
    .as_ref()
}

/// The ways `new` weakens `old`, one sentence each; empty when it does not (or when the
/// file is new).
pub fn signals(old: &str, new: &str) -> Vec<String> {
    let Some(p) = patterns() else {
        return Vec::new();
    };
    if old.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let thresholds = |t: &str| -> Vec<(String, f64)> {
        p.threshold
            .captures_iter(t)
            .filter_map(|c| {
                Some((
                    c.get(1)?.as_str().to_ascii_lowercase(),
                    c.get(2)?.as_str().parse().ok()?,
                ))
            })
            .collect()
    };
    let before = thresholds(old);
    let after = thresholds(new);
    for (key, old_value) in &before {
        if let Some((_, new_value)) = after.iter().find(|(k, _)| k == key)
            && new_value < old_value
        {
            out.push(format!("lowers `{key}` from {old_value} to {new_value}"));
        }
    }
    let count = |r: &Regex, t: &str| r.find_iter(t).count();
    let grew = |r: &Regex| count(r, new) > count(r, old);
    if grew(&p.suppression) {
        out.push("adds lint or type-check suppressions".to_owned());
    }
    if grew(&p.rule_off) {
        out.push("switches lint rules off or down to warnings".to_owned());
    }
    if count(&p.strict_flag, new) < count(&p.strict_flag, old) {
        out.push("turns strict type-checking flags off".to_owned());
    }
    if grew(&p.skip_lib_check) {
        out.push("adds `skipLibCheck: true`".to_owned());
    }
    if grew(&p.ignore_list_item) {
        out.push("widens an ignore or allow list".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakening_is_seen_and_tightening_passes() {
        let old = r#"{"coverageThreshold": {"global": {"lines": 80}}}"#;
        assert_eq!(
            signals(old, r#"{"coverageThreshold": {"global": {"lines": 60}}}"#).len(),
            1
        );
        assert!(signals(old, r#"{"coverageThreshold": {"global": {"lines": 90}}}"#).is_empty());
        let ts = r#"{"compilerOptions": {"strict": true}}"#;
        assert!(!signals(ts, r#"{"compilerOptions": {"strict": false}}"#).is_empty());
        assert!(
            signals(
                ts,
                r#"{"compilerOptions": {"strict": true, "target": "es2022"}}"#
            )
            .is_empty()
        );
        let eslint = "rules: { 'no-unused-vars': 'error' }\n";
        assert!(!signals(eslint, "rules: { 'no-unused-vars': 'off' }\n").is_empty());
        assert!(
            signals("", "rules: { 'x': 'off' }").is_empty(),
            "new files pass"
        );
        let cargo = "[lints.clippy]\npedantic = \"warn\"\n";
        assert!(
            !signals(
                cargo,
                "[lints.clippy]\npedantic = \"warn\"\nunwrap_used = \"allow\"\n"
            )
            .is_empty()
        );
    }
}
