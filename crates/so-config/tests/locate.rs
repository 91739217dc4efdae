//! `find_config_file`, `find_project_root` and `discover` on real temporary directories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use so_config::{
    SessionConfig, config_file_at_root, find_config_file, find_project_root,
    find_project_root_canonical,
};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "so-config-{name}-{}-{n}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        fs::create_dir_all(&dir).unwrap();
        TempDir(fs::canonicalize(dir).unwrap())
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const WITH_SECTION: &str = "# P\n## Session Config\nallow-destructive-ops: true\n";
const WITHOUT_SECTION: &str = "# P\nJust prose.\n";

#[test]
fn nearest_directory_with_a_config_file_wins() {
    let t = TempDir::new("nearest");
    t.mkdir("repo/.git");
    t.write("repo/CLAUDE.md", WITH_SECTION);
    t.write("repo/sub/AGENTS.md", WITHOUT_SECTION);
    let deep = t.mkdir("repo/sub/deeper");
    assert_eq!(find_config_file(&deep), Some(t.path("repo/sub/AGENTS.md")));
    assert_eq!(
        find_config_file(&t.path("repo")),
        Some(t.path("repo/CLAUDE.md"))
    );
    let file = t.write("repo/sub/deeper/main.rs", "");
    assert_eq!(find_config_file(&file), Some(t.path("repo/sub/AGENTS.md")));
}

#[test]
fn claude_md_preferred_unless_only_agents_md_has_a_section() {
    let t = TempDir::new("prefer");
    let both = t.mkdir("both");
    t.write("both/CLAUDE.md", WITH_SECTION);
    t.write("both/AGENTS.md", WITH_SECTION);
    assert_eq!(find_config_file(&both), Some(both.join("CLAUDE.md")));

    let agents = t.mkdir("agents");
    t.write("agents/CLAUDE.md", WITHOUT_SECTION);
    t.write(
        "agents/AGENTS.md",
        "## Session Config <!-- decorated -->\nwaves: 3\n",
    );
    assert_eq!(find_config_file(&agents), Some(agents.join("AGENTS.md")));

    let neither = t.mkdir("neither");
    t.write("neither/CLAUDE.md", WITHOUT_SECTION);
    t.write("neither/AGENTS.md", WITHOUT_SECTION);
    assert_eq!(find_config_file(&neither), Some(neither.join("CLAUDE.md")));

    let only = t.mkdir("only");
    t.write("only/AGENTS.md", WITHOUT_SECTION);
    assert_eq!(find_config_file(&only), Some(only.join("AGENTS.md")));
}

#[test]
fn walk_stops_at_the_git_root() {
    let t = TempDir::new("gitstop");
    t.write("outer/CLAUDE.md", WITH_SECTION);
    t.mkdir("outer/repo/.git");
    let src = t.mkdir("outer/repo/src");
    assert_eq!(find_config_file(&src), None);
    assert!(SessionConfig::discover(&src).unwrap().is_none());
    // A `.git` file (worktree) is a root too, and the root itself is checked.
    t.write("outer/wt/.git", "gitdir: elsewhere\n");
    t.write("outer/wt/AGENTS.md", WITH_SECTION);
    let wt_src = t.mkdir("outer/wt/src");
    assert_eq!(
        find_config_file(&wt_src),
        Some(t.path("outer/wt/AGENTS.md"))
    );
}

#[test]
fn project_root_prefers_git_then_config_then_start() {
    let t = TempDir::new("root");
    t.mkdir("repo/.git");
    t.write("repo/pkg/CLAUDE.md", WITHOUT_SECTION);
    let deep = t.mkdir("repo/pkg/src");
    assert_eq!(find_project_root(&deep), t.path("repo"));

    t.write("plain/AGENTS.md", WITHOUT_SECTION);
    let inner = t.mkdir("plain/a/b");
    let root = find_project_root(&inner);
    // Nothing above the temp dir may contain a `.git`; if it does, that root is correct too.
    assert!(
        root == t.path("plain") || t.0.starts_with(&root),
        "{}",
        root.display()
    );
}

#[test]
fn project_root_falls_back_to_start() {
    let missing = Path::new("/nonexistent-so-config-root/a/b");
    assert_eq!(find_project_root(missing), missing.to_path_buf());
}

#[test]
fn discover_loads_the_found_file() {
    let t = TempDir::new("discover");
    t.mkdir("repo/.git");
    t.write("repo/CLAUDE.md", WITH_SECTION);
    let c = SessionConfig::discover(&t.path("repo")).unwrap().unwrap();
    assert_eq!(c.path(), t.path("repo/CLAUDE.md"));
    assert_eq!(c.allow_destructive_ops().ok(), Some(true));
}

#[test]
fn unreadable_config_names_the_path() {
    let t = TempDir::new("unreadable");
    let p = t.path("CLAUDE.md");
    fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
    let err = SessionConfig::load(&p).unwrap_err();
    assert!(err.to_string().contains(&*p.to_string_lossy()), "{err}");
}

/// The hooks find the root once and then look only there: the shortcuts give the answers
/// of the full walks for every kind of root (a `.git`, a worktree's `.git` file, a config
/// file without `.git`, a root with neither), and none where the walk finds none.
#[test]
fn the_root_shortcuts_agree_with_the_full_walks() {
    let t = TempDir::new("shortcut");
    t.mkdir("a/.git");
    t.write("a/CLAUDE.md", WITHOUT_SECTION);
    t.write("a/AGENTS.md", WITH_SECTION);
    t.write("b/.git", "gitdir: elsewhere\n");
    t.write("c/CLAUDE.md", WITH_SECTION);
    t.mkdir("d/.git");
    for start in ["a/src/x", "b/y", "c/deep/er", "d/z"] {
        let dir = t.mkdir(start);
        let root = find_project_root(&dir);
        assert_eq!(find_project_root_canonical(&dir), root, "{start}");
        assert_eq!(
            config_file_at_root(&root),
            find_config_file(&dir),
            "{start}"
        );
        assert_eq!(
            SessionConfig::at_root(&root)
                .unwrap()
                .map(|c| c.path().to_path_buf()),
            SessionConfig::discover(&dir)
                .unwrap()
                .map(|c| c.path().to_path_buf()),
            "{start}"
        );
    }
    // The choice inside a root is the walk's: AGENTS.md when only it has the section.
    assert_eq!(
        config_file_at_root(&t.path("a")),
        Some(t.path("a/AGENTS.md"))
    );
    assert_eq!(config_file_at_root(&t.path("d")), None);
}
