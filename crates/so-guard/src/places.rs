//! Classifying the paths a command names: temp space, regenerable build output,
//! project sources, home, system directories.

use std::path::{Path, PathBuf};

use so_shell::Word;

use crate::context::{GuardContext, normalize};

/// Directory names whose contents a build or package manager recreates.
pub(crate) const REGENERABLE: &[&str] = &[
    "node_modules",
    "target",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".angular",
    ".turbo",
    ".parcel-cache",
    ".vite",
    "coverage",
    ".nyc_output",
    ".cache",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    ".gradle",
    ".dart_tool",
    "_build",
    "deps",
    ".build",
    "DerivedData",
    "storybook-static",
    ".docusaurus",
    ".expo",
    "htmlcov",
    ".hypothesis",
    "site",
    "_site",
    ".sass-cache",
    "tmp",
    ".tmp",
    "temp",
    "bazel-out",
    "cmake-build-debug",
    "cmake-build-release",
    "obj",
    "bin",
    "compiled",
    "generated",
    ".generated",
    "gen",
    ".terraform-cache",
    "pkg",
    ".stack-work",
    "dist-newstyle",
    "zig-cache",
    "zig-out",
    ".zig-cache",
    "elm-stuff",
    ".elixir_ls",
    ".dart_tool",
    "Pods",
    ".yarn-cache",
    // Package managers' crash logs (`npm-debug.log`, `yarn-error.log.1`).
    "npm-debug",
    "yarn-error",
    "yarn-debug",
    "pnpm-debug",
    "lerna-debug",
];

/// Whether a file or directory name is regenerable output: a listed name, a variant of
/// one (`dist-ssr`, `build_release`), or a Python egg-info directory.
pub(crate) fn regenerable_name(name: &str) -> bool {
    REGENERABLE.iter().any(|r| {
        name == *r
            || name
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with(['-', '_', '.']) && !rest.contains('/'))
    }) || name.ends_with(".egg-info")
}

/// File extensions of artefacts, logs and scratch files that a wildcard may sweep.
const JUNK_EXTENSIONS: &[&str] = &[
    "log",
    "tmp",
    "temp",
    "pyc",
    "pyo",
    "o",
    "obj",
    "a",
    "so",
    "dylib",
    "class",
    "orig",
    "rej",
    "bak",
    "swp",
    "swo",
    "out",
    "pid",
    "lock",
    "tsbuildinfo",
    "d",
    "gcda",
    "gcno",
    "profraw",
    "prof",
    "snap.new",
    "pending-snap",
    "coverage",
    "lcov",
    "xml",
    "json",
    "txt",
    "bk",
    "map",
    "egg-info",
    "whl",
    "gz",
    "zip",
    "tar",
    "tgz",
    "dmp",
    "core",
    "trace",
];

const TEMP_ROOTS: &[&str] = &[
    "/tmp",
    "/var/tmp",
    "/private/tmp",
    "/dev/shm",
    "/private/var/folders",
    "/var/folders",
];

/// Top-level system directories: deleting in them breaks the machine.
const SYSTEM_ROOTS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/sys",
    "/usr",
    "/var",
    "/snap",
    "/mnt",
    "/media",
    "/home",
    "/Users",
    "/System",
    "/Library",
    "/Applications",
    "/private",
    "/nix",
];

/// Where a path points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    /// `/`.
    Root,
    /// The home directory itself.
    Home,
    /// Under home, outside the project.
    HomeData,
    /// A temp root itself (`/tmp`).
    TempRoot,
    /// Inside a temp directory.
    Temp,
    /// A system directory or something under one.
    System,
    /// The project root itself.
    ProjectRoot,
    /// The project's `.git` or something in it.
    ProjectGit,
    /// Inside the project.
    Project,
    /// Somewhere else (another checkout, a mount).
    Elsewhere,
    /// Built from a variable or substitution, or relative to an unknown directory.
    Unknown,
}

/// A path a command names, resolved as far as the command line allows.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    /// Absolute, normalised path (with any glob characters still in it).
    pub path: Option<PathBuf>,
    /// The zone of the deepest directory before any glob character.
    pub zone: Zone,
    /// The word holds an unquoted glob.
    pub glob: bool,
    /// Some component is a regenerable directory name.
    pub regenerable: bool,
    /// The glob is narrowed to junk files (`*.log`, `*.pyc`).
    pub junk_glob: bool,
}

impl Place {
    /// A place nobody can know before the command runs.
    pub(crate) fn unknown() -> Self {
        Self {
            path: None,
            zone: Zone::Unknown,
            glob: false,
            regenerable: false,
            junk_glob: false,
        }
    }
}

/// Resolves `word` as a path for a command whose directory an earlier `cd` may have moved.
pub(crate) fn locate(word: &Word, cwd: Option<&Word>, cx: &GuardContext) -> Place {
    let base = match cwd {
        None => Some(cx.cwd.clone()),
        Some(dir) => resolve(dir, &cx.cwd, cx),
    };
    let path = base.and_then(|b| resolve(word, &b, cx));
    let Some(path) = path else {
        return Place {
            path: None,
            zone: Zone::Unknown,
            glob: word.glob,
            regenerable: false,
            junk_glob: false,
        };
    };
    // Judge the directory part before the first glob component.
    let text = path.to_string_lossy();
    let (dir, junk_glob) = if word.glob {
        let cut = text.find(['*', '?', '[']).unwrap_or(text.len());
        let dir_end = text[..cut].rfind('/').map_or(0, |i| i.max(1));
        let last = &text[text.rfind('/').map_or(0, |i| i + 1)..];
        let junk = !last.contains('/') && junk_extension(last);
        (PathBuf::from(&text[..dir_end]), junk)
    } else {
        (path.clone(), false)
    };
    let zone_dir = zone_of(&dir, cx);
    // Regenerable names count below the directory that classifies the path (the
    // project, home, a mount), never for the temp root or system root itself.
    let below = match zone_dir {
        Zone::Project => dir.strip_prefix(&cx.project_root).ok(),
        Zone::HomeData => cx.home.as_deref().and_then(|h| dir.strip_prefix(h).ok()),
        Zone::Elsewhere | Zone::System => dir.strip_prefix("/").ok().map(|p| {
            let mut c = p.components();
            c.next();
            c.as_path()
        }),
        _ => None,
    };
    let glob_name = word.glob.then(|| {
        text.rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_matches('*')
            .trim_end_matches('/')
    });
    let regenerable = below.is_some_and(|b| {
        b.components()
            .any(|c| regenerable_name(&c.as_os_str().to_string_lossy()))
    }) || (glob_name.is_some_and(regenerable_name)
        && matches!(
            zone_dir,
            Zone::Project | Zone::ProjectRoot | Zone::HomeData | Zone::Elsewhere
        ));
    let zone = if word.glob && dir == path {
        zone_of(&path, cx)
    } else {
        zone_of(&dir, cx)
    };
    Place {
        path: Some(path),
        zone,
        glob: word.glob,
        regenerable,
        junk_glob,
    }
}

/// Whether an extension marks artefacts, logs or scratch files.
pub(crate) fn junk_ext(ext: &str) -> bool {
    JUNK_EXTENSIONS.contains(&ext)
}

fn junk_extension(last: &str) -> bool {
    // `*.log`, `*.pyc`, `test-*.tmp`: a wildcard narrowed by a junk extension.
    match last.rsplit_once('.') {
        Some((stem, ext)) => {
            !ext.contains(['*', '?', '[']) && !stem.is_empty() && JUNK_EXTENSIONS.contains(&ext)
        }
        None => false,
    }
}

/// The absolute path a word names, or None when a variable or substitution decides it.
pub(crate) fn resolve(word: &Word, base: &Path, cx: &GuardContext) -> Option<PathBuf> {
    let text = word.text.as_str();
    let (root, rest): (PathBuf, &str) = if word.tilde && (text == "~" || text.starts_with("~/")) {
        (cx.home.clone()?, text.trim_start_matches('~'))
    } else if word.dynamic {
        let (var, rest) = leading_variable(text)?;
        let root = match var {
            "HOME" => cx.home.clone()?,
            "TMPDIR" => cx.tmpdir.clone().unwrap_or_else(|| PathBuf::from("/tmp")),
            "PWD" => base.to_path_buf(),
            _ => return None,
        };
        if rest.contains('$') || rest.contains('`') {
            return None;
        }
        (root, rest)
    } else if text.starts_with('/') {
        (PathBuf::from("/"), text)
    } else {
        (base.to_path_buf(), text)
    };
    let rest = rest.trim_start_matches('/');
    Some(normalize(&if rest.is_empty() {
        root
    } else {
        root.join(rest)
    }))
}

/// `$HOME/x`, `${HOME}/x`, `${TMPDIR:-/tmp}/x`, `$(pwd)/x` → (variable, rest).
fn leading_variable(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix("$(pwd)") {
        return Some(("PWD", rest));
    }
    if let Some(body) = text.strip_prefix("${") {
        let end = body.find('}')?;
        let inner = &body[..end];
        let name = inner.split([':', '-', '=']).next()?;
        let default = inner.strip_prefix(name).unwrap_or("");
        // Only a default that is itself a temp path keeps `${TMPDIR:-/tmp}` a temp path.
        let temp_default =
            name == "TMPDIR" && default.trim_start_matches([':', '-']).starts_with("/tmp");
        if !default.is_empty() && !temp_default {
            return None;
        }
        return Some((name, &body[end + 1..]));
    }
    let body = text.strip_prefix('$')?;
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    Some((&body[..end], &body[end..]))
}

/// The zone of an absolute, normalised path.
pub(crate) fn zone_of(path: &Path, cx: &GuardContext) -> Zone {
    if path == Path::new("/") {
        return Zone::Root;
    }
    let git = cx.project_root.join(".git");
    if path.starts_with(&git) {
        return Zone::ProjectGit;
    }
    if path == cx.project_root {
        return Zone::ProjectRoot;
    }
    // The project root may be `/` or home when no marker was found; those never make
    // a path "project".
    let project_is_real =
        cx.project_root.parent().is_some() && Some(&cx.project_root) != cx.home.as_ref();
    if project_is_real && path.starts_with(&cx.project_root) {
        return Zone::Project;
    }
    // Home before temp: a home directory under /tmp (containers, CI) is still home. Only
    // when home *is* a temp root do its contents count as scratch.
    if let Some(home) = cx.home.as_deref() {
        if path == home {
            return Zone::Home;
        }
        let home_is_temp_root = TEMP_ROOTS.iter().any(|r| home == Path::new(r));
        if path.starts_with(home) && !home_is_temp_root {
            return Zone::HomeData;
        }
    }
    if let Some(tmp) = cx.tmpdir.as_deref()
        && tmp != Path::new("/")
        && Some(tmp) != cx.home.as_deref()
    {
        if path == tmp {
            return Zone::TempRoot;
        }
        if path.starts_with(tmp) {
            return Zone::Temp;
        }
    }
    for root in TEMP_ROOTS {
        if path == Path::new(root) {
            return Zone::TempRoot;
        }
        if path.starts_with(root) {
            return Zone::Temp;
        }
    }
    if SYSTEM_ROOTS.iter().any(|r| path.starts_with(r)) {
        return Zone::System;
    }
    Zone::Elsewhere
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> GuardContext {
        GuardContext::fixed(
            Path::new("/home/u/proj"),
            Path::new("/home/u/proj"),
            Path::new("/home/u"),
        )
    }

    fn zone(text: &str, dynamic: bool) -> Zone {
        let word = Word {
            text: text.to_owned(),
            dynamic,
            tilde: text.starts_with('~'),
            glob: text.contains('*'),
            ..Word::default()
        };
        locate(&word, None, &cx()).zone
    }

    #[test]
    fn zones() {
        assert_eq!(zone("/", false), Zone::Root);
        assert_eq!(zone("~", false), Zone::Home);
        assert_eq!(zone("$HOME", true), Zone::Home);
        assert_eq!(zone("~/Documents", false), Zone::HomeData);
        assert_eq!(zone("/tmp", false), Zone::TempRoot);
        assert_eq!(zone("/tmp/x", false), Zone::Temp);
        assert_eq!(zone("${TMPDIR:-/tmp}/x", true), Zone::Temp);
        assert_eq!(zone(".", false), Zone::ProjectRoot);
        assert_eq!(zone("*", false), Zone::ProjectRoot);
        assert_eq!(zone("src", false), Zone::Project);
        assert_eq!(zone(".git", false), Zone::ProjectGit);
        assert_eq!(zone("..", false), Zone::Home);
        assert_eq!(zone("../other", false), Zone::HomeData);
        assert_eq!(zone("/etc", false), Zone::System);
        assert_eq!(zone("$X", true), Zone::Unknown);
        assert_eq!(zone("/tmp/../etc", false), Zone::System);
        // A home under /tmp is still home; temp paths elsewhere stay temp.
        let cx = GuardContext::fixed(Path::new("/p"), Path::new("/p"), Path::new("/tmp/home"));
        assert_eq!(zone_of(Path::new("/tmp/home"), &cx), Zone::Home);
        assert_eq!(zone_of(Path::new("/tmp/home/docs"), &cx), Zone::HomeData);
        assert_eq!(zone_of(Path::new("/tmp/build"), &cx), Zone::Temp);
    }
}
