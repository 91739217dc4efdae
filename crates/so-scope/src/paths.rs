//! Resolving the path a tool or command names into the form patterns are matched on.
//!
//! Relative paths resolve against the project root; `.` and `..` are normalised; the
//! nearest existing ancestor is canonicalised so a symlink inside the project that points
//! outside is caught. Windows separators and case rules are handled here, in code, so they
//! are tested on every platform.

use std::path::{Component, Path, PathBuf};

/// How paths are spelled and compared on the platform the client runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// Linux: `/` only, case-sensitive.
    Posix,
    /// macOS: `/` only, case-insensitive (the default APFS volume).
    MacOs,
    /// Windows: `\` and `/`, drive letters, case-insensitive.
    Windows,
}

impl PathStyle {
    /// The style of the platform this binary was built for.
    pub fn native() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else if cfg!(target_os = "macos") {
            Self::MacOs
        } else {
            Self::Posix
        }
    }

    /// Whether names compare case-insensitively.
    pub fn case_insensitive(self) -> bool {
        !matches!(self, Self::Posix)
    }
}

/// A path resolved for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Absolute path, `/`-separated, symlinks in existing ancestors resolved.
    pub absolute: String,
    /// Relative to the project root, `/`-separated; None when outside the project.
    pub relative: Option<String>,
}

/// Resolves `spelled` (as a tool or command wrote it) against the project root.
pub fn resolve(spelled: &str, project_root: &Path, style: PathStyle) -> Resolved {
    let text = if style == PathStyle::Windows {
        spelled.replace('\\', "/")
    } else {
        spelled.to_owned()
    };
    let root = slash(&canonical_prefix(project_root));
    let absolute = if is_absolute(&text, style) {
        text
    } else {
        format!("{}/{}", root.trim_end_matches('/'), text)
    };
    let normal = normalize(&absolute);
    // Canonicalise the nearest existing ancestor (only meaningful on this machine's file
    // system; Windows-style paths are compared lexically).
    let resolved = if style == PathStyle::Windows && !cfg!(windows) {
        normal
    } else {
        slash(&canonical_prefix(Path::new(&normal)))
    };
    let relative = relative_to(&resolved, &root, style);
    Resolved {
        absolute: resolved,
        relative,
    }
}

fn is_absolute(text: &str, style: PathStyle) -> bool {
    if text.starts_with('/') {
        return true;
    }
    style == PathStyle::Windows
        && text.len() >= 2
        && text.as_bytes()[1] == b':'
        && text.as_bytes()[0].is_ascii_alphabetic()
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// `a/./b/../c` → `a/c`, keeping a leading `/` or drive.
fn normalize(path: &str) -> String {
    let (prefix, rest) = match path.find('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) if path[..i].ends_with(':') => (&path[..=i], &path[i + 1..]),
        _ => ("", path),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("{prefix}{}", parts.join("/"))
}

/// The path with its longest existing prefix canonicalised and the rest appended.
fn canonical_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut missing: Vec<std::ffi::OsString> = Vec::new();
    let mut hops = 0;
    loop {
        // A dangling symlink does not canonicalise; follow it by hand so `src/link` that
        // points at a file still to be created outside the project is judged where it lands.
        if hops < 16
            && let Ok(meta) = std::fs::symlink_metadata(&existing)
            && meta.file_type().is_symlink()
            && std::fs::canonicalize(&existing).is_err()
            && let Ok(target) = std::fs::read_link(&existing)
        {
            hops += 1;
            let base = existing.parent().map(Path::to_path_buf).unwrap_or_default();
            existing = if target.is_absolute() {
                target
            } else {
                base.join(target)
            };
            continue;
        }
        if let Ok(c) = std::fs::canonicalize(&existing) {
            let mut out = c;
            for m in missing.iter().rev() {
                out.push(m);
            }
            return out;
        }
        match (
            existing.file_name().map(std::ffi::OsStr::to_os_string),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                missing.push(name);
                existing = parent.to_path_buf();
            }
            _ => {
                return path
                    .components()
                    .filter(|c| !matches!(c, Component::CurDir))
                    .collect();
            }
        }
    }
}

fn relative_to(path: &str, root: &str, style: PathStyle) -> Option<String> {
    let (p, r) = if style.case_insensitive() {
        (path.to_lowercase(), root.to_lowercase())
    } else {
        (path.to_owned(), root.to_owned())
    };
    let r = r.trim_end_matches('/');
    if p == r {
        return Some(String::new());
    }
    let rest = p.strip_prefix(r)?.strip_prefix('/')?;
    // Keep the original spelling of the remainder.
    Some(path[path.len() - rest.len()..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_paths_are_normalised_in_code() {
        let r = resolve(
            "C:\\Repo\\src\\..\\docs\\a.md",
            Path::new("C:/repo"),
            PathStyle::Windows,
        );
        assert_eq!(r.absolute, "C:/Repo/docs/a.md");
        assert_eq!(r.relative.as_deref(), Some("docs/a.md"));
        let outside = resolve("D:\\other\\x", Path::new("C:/repo"), PathStyle::Windows);
        assert_eq!(outside.relative, None);
    }

    #[test]
    fn case_rules_follow_the_platform() {
        let mac = resolve(
            "/Users/Me/Proj/SRC/a.rs",
            Path::new("/users/me/proj"),
            PathStyle::MacOs,
        );
        assert_eq!(mac.relative.as_deref(), Some("SRC/a.rs"));
        let linux = resolve(
            "/home/Me/proj/a.rs",
            Path::new("/home/me/proj"),
            PathStyle::Posix,
        );
        assert_eq!(linux.relative, None);
    }

    #[test]
    fn dot_dot_cannot_escape_unnoticed() {
        let r = resolve(
            "src/../../etc/passwd",
            Path::new("/nonexistent-root/p"),
            PathStyle::Posix,
        );
        assert_eq!(r.absolute, "/nonexistent-root/etc/passwd");
        assert_eq!(r.relative, None);
    }
}
