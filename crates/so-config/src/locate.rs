//! Finding the config file and the project root by walking up the directory tree.

use std::path::{Path, PathBuf};

use crate::section::{find_section, split_lines};

const CLAUDE: &str = "CLAUDE.md";
const AGENTS: &str = "AGENTS.md";

/// The config file for `start` (a directory, or a file whose directory is used).
///
/// Walks up from `start` and stops at the first directory containing `CLAUDE.md` or
/// `AGENTS.md`. Within it: `CLAUDE.md` if it has a Session Config section, else `AGENTS.md`
/// if it has one, else `CLAUDE.md` (or whichever of the two exists). The walk stops after
/// checking a directory containing `.git` (file or directory): the project root. `None` when
/// nothing is found. Paths are canonical when `start` exists. Environment variables (such as
/// the seed's `SO_CONFIG_FILE`) are not consulted; that is the caller's choice.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    for dir in ancestors(start) {
        if let Some(file) = config_file_in(&dir) {
            return Some(file);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// The config file of `root`, a project root as [`find_project_root`] returned it: the
/// same answer as [`find_config_file`]`(root)` without walking or canonicalising again —
/// the root is the nearest directory with `.git` or a config file, so nothing above it can
/// hold the project's config. For the hooks, which find the root once per call.
pub fn config_file_at_root(root: &Path) -> Option<PathBuf> {
    config_file_in(root)
}

/// `CLAUDE.md` or `AGENTS.md` in `dir` alone, chosen as [`find_config_file`] describes.
fn config_file_in(dir: &Path) -> Option<PathBuf> {
    let claude = dir.join(CLAUDE);
    let agents = dir.join(AGENTS);
    match (claude.is_file(), agents.is_file()) {
        (true, true) => {
            let pick_agents = !has_section(&claude) && has_section(&agents);
            Some(if pick_agents { agents } else { claude })
        }
        (true, false) => Some(claude),
        (false, true) => Some(agents),
        (false, false) => None,
    }
}

/// The project root for `start`: the nearest ancestor (including `start`) containing `.git`
/// (directory or file, as in a worktree); else the nearest containing `CLAUDE.md` or
/// `AGENTS.md`; else `start` itself, unchanged. Paths are canonical when `start` exists.
pub fn find_project_root(start: &Path) -> PathBuf {
    project_root_in(&ancestors(start), start)
}

/// [`find_project_root`] for a directory that is already canonical (as the guards make the
/// cwd once per call): the same walk without resolving the path a second time.
pub fn find_project_root_canonical(dir: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = dir.ancestors().map(Path::to_path_buf).collect();
    project_root_in(&dirs, dir)
}

/// The nearest of `dirs` (nearest first) with `.git`, else with a config file, else `start`.
fn project_root_in(dirs: &[PathBuf], start: &Path) -> PathBuf {
    dirs.iter()
        .find(|d| d.join(".git").exists())
        .or_else(|| {
            dirs.iter()
                .find(|d| d.join(CLAUDE).is_file() || d.join(AGENTS).is_file())
        })
        .cloned()
        .unwrap_or_else(|| start.to_path_buf())
}

/// `start` (or its directory, if it is a file) and every ancestor, nearest first.
fn ancestors(start: &Path) -> Vec<PathBuf> {
    let full = fs_err::canonicalize(start)
        .or_else(|_| std::path::absolute(start))
        .unwrap_or_else(|_| start.to_path_buf());
    let first = if full.is_file() {
        full.parent()
            .map_or_else(|| full.clone(), Path::to_path_buf)
    } else {
        full
    };
    first.ancestors().map(Path::to_path_buf).collect()
}

/// Whether the file at `path` has a Session Config section; unreadable files have none.
fn has_section(path: &Path) -> bool {
    fs_err::read_to_string(path)
        .is_ok_and(|text| find_section(&split_lines(&text), &mut Vec::new()).is_some())
}
