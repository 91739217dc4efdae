//! `allowedPaths` compiled once: globset patterns (`**`, `*`, `?`, `[...]`, `{a,b}`),
//! directory prefixes (entries ending in `/`), and absolute entries that grant paths
//! outside the project.

use std::sync::OnceLock;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::paths::{PathStyle, Resolved};

/// The compiled allowed paths of a manifest.
#[derive(Debug)]
pub struct AllowedPaths {
    /// Entries that need a real glob matcher; compiled on first need, because compiling
    /// costs more than the rest of a hook call and most manifests hold only `dir/**`,
    /// `dir/` and file names, which are matched below without it.
    relative_globs: Vec<Glob>,
    absolute_globs: Vec<Glob>,
    compiled: OnceLock<(GlobSet, GlobSet)>,
    literals: Vec<String>,
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
        let mut relative_globs = Vec::new();
        let mut absolute_globs = Vec::new();
        let mut literals = Vec::new();
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
            let meta = |s: &str| s.contains(['*', '?', '[', ']', '{', '}', '\\']);
            if !is_abs {
                let folded = if ci {
                    entry.to_lowercase()
                } else {
                    entry.clone()
                };
                // `dir/**` is everything under dir; `**` everything in the project.
                if folded == "**" {
                    prefixes.push(String::new());
                    continue;
                }
                if let Some(dir) = folded
                    .strip_suffix("/**")
                    .filter(|d| !meta(d) && !d.is_empty())
                {
                    prefixes.push(dir.to_owned());
                    continue;
                }
                if !meta(&folded) {
                    literals.push(folded);
                    continue;
                }
            }
            match GlobBuilder::new(&entry)
                .literal_separator(true)
                .case_insensitive(ci)
                .build()
            {
                Ok(g) => {
                    if is_abs {
                        absolute_globs.push(g);
                    } else {
                        relative_globs.push(g);
                    }
                }
                Err(e) => invalid.push((raw.clone(), e.to_string())),
            }
        }
        Self {
            relative_globs,
            absolute_globs,
            compiled: OnceLock::new(),
            literals,
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
            // `under` also accepts the directory itself (`src` for `src/**`): creating or
            // removing it as a whole only touches what is in scope.
            if self.literals.contains(&r) || self.prefixes.iter().any(|p| under(&r, p)) {
                return true;
            }
            if !self.relative_globs.is_empty() {
                let (relative, _) = self.compiled();
                if relative.is_match(rel)
                    || (!rel.is_empty() && relative.is_match(format!("{rel}/\u{0}")))
                {
                    return true;
                }
            }
        }
        let a = fold(&path.absolute);
        if self.absolute_prefixes.iter().any(|p| under(&a, p)) {
            return true;
        }
        !self.absolute_globs.is_empty() && self.compiled().1.is_match(&path.absolute)
    }

    fn compiled(&self) -> &(GlobSet, GlobSet) {
        self.compiled.get_or_init(|| {
            let build = |globs: &[Glob]| {
                let mut b = GlobSetBuilder::new();
                for g in globs {
                    b.add(g.clone());
                }
                b.build().unwrap_or_else(|_| GlobSet::empty())
            };
            (build(&self.relative_globs), build(&self.absolute_globs))
        })
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
