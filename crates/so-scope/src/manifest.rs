//! The wave-scope manifest: format, validation, and where each client keeps it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// How a manifest is enforced. A manifest without the field is `strict`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// Out-of-scope writes are denied.
    #[default]
    Strict,
    /// Out-of-scope writes are allowed with a visible warning.
    Warn,
    /// Nothing is checked against the manifest (the guards still protect themselves).
    Off,
}

/// Switches for parts of the enforcement; an absent key is on, except `bash-write-guard`,
/// which the original kept off unless literally `true` and which this enforcer treats the
/// same way only for *reporting*: Bash writes are always checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gates {
    /// Check file paths against `allowedPaths`.
    #[serde(
        rename = "path-guard",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub path_guard: Option<bool>,
    /// Check commands against `blockedCommands`.
    #[serde(
        rename = "command-guard",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub command_guard: Option<bool>,
    /// Any other gate, kept so a rewrite does not drop it.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Gates {
    /// Whether paths are checked.
    pub fn paths(&self) -> bool {
        self.path_guard != Some(false)
    }

    /// Whether `blockedCommands` are checked.
    pub fn commands(&self) -> bool {
        self.command_guard != Some(false)
    }
}

/// The manifest the coordinator writes for a wave (format of the original plugin, plus
/// optional provenance fields the CLI adds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaveScope {
    /// Wave number, from 1.
    pub wave: u32,
    /// The wave's role (`Discovery`, `Impl-Core`, `Impl-Polish`, `Quality`, `Finalization`).
    pub role: String,
    /// Enforcement level; absent means strict.
    #[serde(default)]
    pub enforcement: Enforcement,
    /// Globs (globset syntax) of the files the wave may write; an entry ending in `/` is a
    /// directory prefix; absolute entries may grant paths outside the project.
    #[serde(default)]
    pub allowed_paths: Vec<String>,
    /// Commands the wave's agents may not run (`git push`, `rm -rf`), matched by argv.
    #[serde(default)]
    pub blocked_commands: Vec<String>,
    /// Gate switches.
    #[serde(default)]
    pub gates: Gates,
    /// Session that wrote the manifest (written by the CLI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// When the manifest was written, seconds since the Unix epoch (written by the CLI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_at: Option<u64>,
}

/// Why a manifest is not usable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    /// Not JSON of the manifest's shape.
    #[error("`{path}` is not a valid wave-scope manifest: {message}")]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The manifest file.
        path: PathBuf,
        /// The error.
        message: String,
    },
}

/// The client whose state directory holds the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateDir {
    /// `.claude/`
    Claude,
    /// `.codex/`
    Codex,
    /// `.cursor/`
    Cursor,
}

impl StateDir {
    /// Every state directory, in a fixed order.
    pub const ALL: [StateDir; 3] = [StateDir::Claude, StateDir::Codex, StateDir::Cursor];

    /// The directory name.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Claude => ".claude",
            Self::Codex => ".codex",
            Self::Cursor => ".cursor",
        }
    }

    /// From a client name (`claude`, `codex`, `cursor`).
    pub fn from_client(name: &str) -> Option<Self> {
        match name {
            "claude" => Some(Self::Claude),
            "codex" => Some(Self::Codex),
            "cursor" => Some(Self::Cursor),
            _ => None,
        }
    }
}

/// File name of the manifest inside a state directory.
pub const MANIFEST_FILE: &str = "wave-scope.json";

/// A manifest older than this, from a session that cannot be told apart from the current
/// one, is stale: no wave runs for a day.
pub const STALE_AFTER: Duration = Duration::from_hours(24);

/// The one lookup rule: the manifest of a session lives in its own client's state
/// directory, `<project>/<state-dir>/wave-scope.json`. Readers never fall back to another
/// client's directory (the original did, and a stale file there shadowed the live one);
/// manifests found there are reported instead.
pub fn manifest_path(project_root: &Path, state: StateDir) -> PathBuf {
    project_root.join(state.dir()).join(MANIFEST_FILE)
}

/// What the lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// No manifest: no wave is running.
    Absent,
    /// A manifest in force.
    Active {
        /// Where it is.
        path: PathBuf,
        /// The manifest.
        scope: WaveScope,
    },
    /// A manifest that exists but cannot be used: enforced as strict with no allowed path.
    Broken {
        /// Where it is.
        path: PathBuf,
        /// Why.
        error: ManifestError,
    },
    /// A manifest left by another (crashed or finished) session.
    Stale {
        /// Where it is.
        path: PathBuf,
        /// The manifest.
        scope: WaveScope,
        /// Why it counts as stale.
        why: String,
    },
}

/// Parses manifest text.
pub fn parse(text: &str, path: &Path) -> Result<WaveScope, ManifestError> {
    serde_json::from_str::<WaveScope>(text).map_err(|e| ManifestError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Looks up the manifest for a session of `state`'s client.
pub fn lookup(
    project_root: &Path,
    state: StateDir,
    session_id: Option<&str>,
    now: SystemTime,
) -> Lookup {
    let path = manifest_path(project_root, state);
    let text = match fs_err::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Absent,
        Err(e) => {
            return Lookup::Broken {
                error: ManifestError::Io {
                    path: path.clone(),
                    message: e.to_string(),
                },
                path,
            };
        }
    };
    let scope = match parse(&text, &path) {
        Ok(s) => s,
        Err(error) => return Lookup::Broken { path, error },
    };
    if let Some(why) = staleness(&scope, &path, session_id, now) {
        return Lookup::Stale { path, scope, why };
    }
    Lookup::Active { path, scope }
}

/// Why a manifest belongs to another session, if it does.
fn staleness(
    scope: &WaveScope,
    path: &Path,
    session_id: Option<&str>,
    now: SystemTime,
) -> Option<String> {
    if let (Some(mine), Some(theirs)) = (session_id, scope.session_id.as_deref())
        && mine != theirs
    {
        return Some(format!(
            "it was written by session `{theirs}`, not this session"
        ));
    }
    let written = scope
        .written_at
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
        .or_else(|| fs_err::metadata(path).and_then(|m| m.modified()).ok())?;
    let age = now.duration_since(written).ok()?;
    (age > STALE_AFTER && scope.session_id.is_none() || age > STALE_AFTER * 7)
        .then(|| format!("it was written {} hours ago", age.as_secs() / 3600))
}

/// Manifests in other clients' state directories (reported, never obeyed).
pub fn others(project_root: &Path, state: StateDir) -> Vec<PathBuf> {
    StateDir::ALL
        .into_iter()
        .filter(|s| *s != state)
        .map(|s| manifest_path(project_root, s))
        .filter(|p| p.is_file())
        .collect()
}
