//! The real clients under test: `claude` and `codex` from npm, pinned to exact versions in
//! `crates/so-e2e/clients/package.json` (with its lockfile) and installed into `.e2e/` at
//! the repository root by `scripts/install-e2e-clients`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::repo;

/// The npm package of Claude Code.
pub const CLAUDE_PACKAGE: &str = "@anthropic-ai/claude-code";
/// The npm package of the Codex CLI.
pub const CODEX_PACKAGE: &str = "@openai/codex";

/// The command that installs the pinned clients.
pub const INSTALL_HINT: &str = "run `scripts/install-e2e-clients` (scripts/test-all does)";

/// The installed, version-checked clients.
#[derive(Clone, Debug)]
pub struct Clients {
    /// The `claude` executable (the native binary npm links as `.bin/claude`).
    pub claude: PathBuf,
    /// The `codex` launcher (`.bin/codex`, a node script that starts the native binary).
    pub codex: PathBuf,
    /// The folder holding `node`, which the codex launcher needs on `PATH`.
    pub node_dir: PathBuf,
    /// Pinned Claude Code version.
    pub claude_version: String,
    /// Pinned Codex version.
    pub codex_version: String,
}

/// `crates/so-e2e/clients/package.json`: the pins.
pub fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("clients")
        .join("package.json")
}

/// Where `scripts/install-e2e-clients` installs the clients.
pub fn install_dir() -> PathBuf {
    repo::root().join(".e2e")
}

/// The pinned version of `package` in the clients manifest.
pub fn pinned_version(package: &str) -> Result<String, String> {
    let path = manifest_path();
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", path.display()))?;
    json["dependencies"][package]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} pins no version of {package}", path.display()))
}

/// Finds the pinned clients, or says exactly what is missing and how to install it.
pub fn find() -> Result<Clients, String> {
    let modules = install_dir().join("node_modules");
    let claude_version = pinned_version(CLAUDE_PACKAGE)?;
    let codex_version = pinned_version(CODEX_PACKAGE)?;
    for (package, pinned) in [
        (CLAUDE_PACKAGE, &claude_version),
        (CODEX_PACKAGE, &codex_version),
    ] {
        let manifest = modules.join(package).join("package.json");
        let installed = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|j| j["version"].as_str().map(str::to_owned));
        match installed {
            Some(v) if &v == pinned => {}
            Some(v) => {
                return Err(format!(
                    "the end-to-end tests need {package}@{pinned} but {} has {v}: {INSTALL_HINT}",
                    modules.display()
                ));
            }
            None => {
                return Err(format!(
                    "the end-to-end tests need {package}@{pinned}, which is not installed in {}: {INSTALL_HINT}",
                    modules.display()
                ));
            }
        }
    }
    let claude = modules.join(".bin").join("claude");
    let codex = modules.join(".bin").join("codex");
    // Without its postinstall step, claude's bin is a stub of a few hundred bytes.
    let claude_size = std::fs::metadata(&claude).map_or(0, |m| m.len());
    if claude_size < 1_000_000 {
        return Err(format!(
            "{} is not the native Claude Code binary (npm install scripts did not run?): {INSTALL_HINT}",
            claude.display()
        ));
    }
    if !codex.exists() {
        return Err(format!("{} is missing: {INSTALL_HINT}", codex.display()));
    }
    let node_dir = find_on_path("node")
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .ok_or_else(|| "`node` is not on PATH (the codex launcher needs it)".to_owned())?;
    Ok(Clients {
        claude,
        codex,
        node_dir,
        claude_version,
        codex_version,
    })
}

/// Like [`find`], but panics with the install hint: the end-to-end tests fail, never skip,
/// when the clients are missing.
pub fn require() -> Clients {
    match find() {
        Ok(clients) => clients,
        Err(message) => panic!("{message}"),
    }
}

/// The first `PATH` entry holding an executable `name`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

impl Clients {
    /// `PATH` for a client run: the folder of `node`, then the system folders. Nothing that
    /// could hold the hook binaries (`~/.cargo/bin`, `target/release`) is on it.
    pub fn path_env(&self) -> String {
        let mut dirs: Vec<String> = vec![self.node_dir.to_string_lossy().into_owned()];
        for d in ["/usr/local/bin", "/usr/bin", "/bin"] {
            if !dirs.iter().any(|x| x == d) {
                dirs.push(d.to_owned());
            }
        }
        dirs.join(":")
    }

    /// The shell clients use for hooks and tools (`SHELL`): bash when the machine has it.
    pub fn shell() -> &'static str {
        if Path::new("/bin/bash").exists() {
            "/bin/bash"
        } else {
            "/bin/sh"
        }
    }
}
