//! `allowedPaths` compiled once: globset patterns (`**`, `*`, `?`, `[...]`, `{a,b}`),
//! directory prefixes (entries ending in `/`), and absolute entries that grant paths
//! outside the project.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::paths::{PathStyle, Resolved};

/// The compiled allowed paths of a manifest.
#[derive(Debug)]
pub struct AllowedPaths {
    relative: GlobSet,
    absolute: GlobSet,
    prefixes: Vec<String>,
    absolute_prefixes: Vec<String>,
    case_insensitive: bool,
    /// Entries that could not be compiled, with the reason.
    pub invalid: Vec<(String, String)>,
}

impl AllowedPaths {
    /// Compiles the entries.
    pub fn new(entries: &[String], style: PathStyle) -> Self {
        let ci = style.case_insensitive();
        let mut relative = GlobSetBuilder::new();
        let mut absolute = GlobSetBuilder::new();
        let mut prefixes = Vec::new();
        let mut absolute_prefixes = Vec::new();
        let mut invalid = Vec::new();
        for raw in entries {
            let entry = if style == PathStyle::Windows {
                raw.replace('\\', "/")
            } else {
                raw.clone()
            };
            let entry = entry.strip_prefix("./").unwrap_or(&entry).to_owned();
            let is_abs = entry.starts_with('/') || (entry.len() > 1 && entry.as_bytes()[1] == b':');
            if let Some(prefix) = entry.strip_suffix('/') {
                let p = if ci {
                    prefix.to_lowercase()
                } else {
                    prefix.to_owned()
                };
                if is_abs {
                    absolute_prefixes.push(p);
                } else {
                    prefixes.push(p);
                }
                continue;
            }
            match GlobBuilder::new(&entry)
                .literal_separator(true)
                .case_insensitive(ci)
                .build()
            {
                Ok(g) => {
                    if is_abs {
                        absolute.add(g);
                    } else {
                        relative.add(g);
                    }
                }
                Err(e) => invalid.push((raw.clone(), e.to_string())),
            }
        }
        Self {
            relative: relative.build().unwrap_or_else(|_| GlobSet::empty()),
            absolute: absolute.build().unwrap_or_else(|_| GlobSet::empty()),
            prefixes,
            absolute_prefixes,
            case_insensitive: ci,
            invalid,
        }
    }

    /// Whether a resolved path is allowed. Relative entries only ever match inside the
    /// project; only absolute entries can grant a path outside it.
    pub fn allows(&self, path: &Resolved) -> bool {
        let fold = |s: &str| {
            if self.case_insensitive {
                s.to_lowercase()
            } else {
                s.to_owned()
            }
        };
        if let Some(rel) = &path.relative {
            let r = fold(rel);
            if self.relative.is_match(rel) || self.prefixes.iter().any(|p| under(&r, p)) {
                return true;
            }
            // A directory whose contents are allowed (`src` for `src/**`) may be created
            // or removed as a whole: everything in it is in scope.
            if !rel.is_empty() && self.relative.is_match(format!("{rel}/\u{0}")) {
                return true;
            }
        }
        let a = fold(&path.absolute);
        self.absolute.is_match(&path.absolute)
            || self.absolute_prefixes.iter().any(|p| under(&a, p))
    }
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
        || prefix.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entries: &[&str], rel: Option<&str>, abs: &str) -> bool {
        let e: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        AllowedPaths::new(&e, PathStyle::Posix).allows(&Resolved {
            absolute: abs.to_owned(),
            relative: rel.map(str::to_owned),
        })
    }

    #[test]
    fn full_glob_syntax_and_prefixes() {
        assert!(allows(&["src/**"], Some("src/a/b.rs"), "/p/src/a/b.rs"));
        assert!(allows(
            &["src/*.{rs,toml}"],
            Some("src/a.toml"),
            "/p/src/a.toml"
        ));
        assert!(!allows(&["src/*.rs"], Some("src/a/b.rs"), "/p/src/a/b.rs"));
        assert!(allows(&["docs/"], Some("docs/x/y.md"), "/p/docs/x/y.md"));
        assert!(!allows(&["docs/"], Some("docsx/y.md"), "/p/docsx/y.md"));
        assert!(allows(
            &["tests/test_[ab].py"],
            Some("tests/test_a.py"),
            "/p/tests/test_a.py"
        ));
        assert!(allows(&["?.md"], Some("a.md"), "/p/a.md"));
    }

    #[test]
    fn relative_entries_never_grant_outside_paths() {
        assert!(!allows(&["**"], None, "/etc/passwd"));
        assert!(allows(&["/srv/shared/**"], None, "/srv/shared/x"));
        assert!(allows(&["/srv/shared/"], None, "/srv/shared/x/y"));
    }
}
