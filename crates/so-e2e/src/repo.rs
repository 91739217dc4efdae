//! The repository under test: its root, its release hook binaries, and copies of its plugin
//! files.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::process;

/// The files and folders that make the plugin: everything `hooks.json` and the manifests
/// refer to. A marketplace install copies the plugin folder, so the end-to-end tests install
/// a copy of exactly these (the repository itself holds gigabytes of `target/`).
pub const PLUGIN_FILES: &[&str] = &[
    ".claude-plugin",
    "hooks.json",
    "hooks",
    "bin",
    "skills",
    "commands",
    "agents",
    "output-styles",
    "rules",
    "LICENSE",
    "README.md",
];

/// The `hooks.json` handler command for hook NAME: exec the binary from the first place the
/// launcher would find it (tested inline, so the usual path starts no second shell), else
/// `hooks/run NAME` (which also searches `PATH` and fails closed for guards).
pub fn handler_command(name: &str) -> String {
    let root = "\"${CLAUDE_PLUGIN_ROOT}";
    format!(
        "[ -x {root}/target/release/{name}\" ] && exec {root}/target/release/{name}\"; \
         [ -x {root}/bin/{name}\" ] && exec {root}/bin/{name}\"; \
         [ -x \"$HOME/.cargo/bin/{name}\" ] && exec \"$HOME/.cargo/bin/{name}\"; \
         exec {root}/hooks/run\" {name}"
    )
}

/// NAME when `command` is exactly [`handler_command`]`(NAME)`.
pub fn handler_name(command: &str) -> Option<&str> {
    let name = command.rsplit_once("/hooks/run\" ")?.1;
    (command == handler_command(name)).then_some(name)
}

/// The hook binaries `hooks.json` starts (sorted, each once), read from the file.
pub fn hook_binaries() -> Result<Vec<String>, String> {
    let path = root().join("hooks.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", path.display()))?;
    let mut names: Vec<String> = json["hooks"]
        .as_object()
        .into_iter()
        .flat_map(|events| events.values())
        .filter_map(|groups| groups.as_array())
        .flatten()
        .filter_map(|group| group["hooks"].as_array())
        .flatten()
        .filter_map(|handler| handler["command"].as_str())
        .filter_map(handler_name)
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// How long a release build of the hooks may take (a cold fat-LTO build on 2 cores).
const BUILD_LIMIT: Duration = Duration::from_mins(15);

/// The workspace root (two levels above this crate).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

/// `target/release/NAME` of the repository, where `cargo build --release` puts it.
pub fn release_binary(name: &str) -> PathBuf {
    root().join("target").join("release").join(name)
}

/// Builds the hook binaries and the `session-orchestrator` CLI with one
/// `cargo build --release -p so-hooks -p so-cli` at the repository root (once per test
/// process; a no-op when they are fresh). The repository's real `target/release`, whatever
/// `CARGO_TARGET_DIR` this test build used: that is where the plugin looks.
fn built_release() -> Result<(), String> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let args = [
                "build",
                "--release",
                "--locked",
                "-p",
                "so-hooks",
                "-p",
                "so-cli",
            ];
            let out = process::run(
                Command::new(cargo)
                    .args(args)
                    .current_dir(root())
                    .env_remove("CARGO_TARGET_DIR")
                    .env_remove("CARGO_BUILD_TARGET_DIR"),
                BUILD_LIMIT,
            )
            .map_err(|e| format!("cannot run cargo: {e}"))?;
            if out.success() {
                Ok(())
            } else {
                Err(format!(
                    "`cargo {}` failed:\n{}",
                    args.join(" "),
                    out.describe()
                ))
            }
        })
        .clone()
}

/// `target/release/NAME` after [`built_release`], or why it is not there.
fn built(name: &str) -> Result<PathBuf, String> {
    built_release()?;
    let path = release_binary(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} is missing after the build", path.display()))
    }
}

/// The release destructive guard (and every other hook binary), built if needed.
pub fn built_guard() -> Result<PathBuf, String> {
    built("destructive-guard")
}

/// The release `session-orchestrator` CLI, built if needed.
pub fn built_cli() -> Result<PathBuf, String> {
    built("session-orchestrator")
}

/// Where a staged plugin copy gets its hook binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binaries {
    /// No binaries at all: the launcher must fail closed.
    None,
    /// `target/release/NAME`, as after `cargo build --release` in the plugin folder.
    TargetRelease,
    /// `bin/NAME`, as for prebuilt binaries shipped with the plugin.
    Bin,
}

/// Copies the plugin files of the repository into `dest` (a marketplace whose one plugin is
/// `./`), with the release hook binaries placed as `binaries` says.
pub fn stage_plugin(dest: &Path, binaries: Binaries) -> Result<(), String> {
    let root = root();
    for name in PLUGIN_FILES {
        copy_tree(&root.join(name), &dest.join(name))?;
    }
    let dir = match binaries {
        Binaries::None => return Ok(()),
        Binaries::TargetRelease => dest.join("target").join("release"),
        Binaries::Bin => dest.join("bin"),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let mut names = hook_binaries()?;
    // `cargo build --release` in a plugin folder builds the CLI beside the hooks; the
    // plugin's `bin/` shim finds it there. (In `bin/` it would shadow the shim itself.)
    if binaries == Binaries::TargetRelease {
        built_cli()?;
        names.push("session-orchestrator".to_owned());
    }
    for name in names {
        let from = release_binary(&name);
        std::fs::copy(&from, dir.join(&name))
            .map_err(|e| format!("copy {} into {}: {e}", from.display(), dir.display()))?;
    }
    Ok(())
}

/// Copies a file or a folder tree, keeping the executable bits.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(from).map_err(|e| format!("{}: {e}", from.display()))?;
    if meta.is_dir() {
        std::fs::create_dir_all(to).map_err(|e| format!("create {}: {e}", to.display()))?;
        let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
    }
}
