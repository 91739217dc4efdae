//! Where the gate commands come from: `.orchestrator/policy/quality-gates.json` when it
//! names one (the original's override, kept), else the Session Config's `test-command`,
//! `typecheck-command` and `lint-command`, read through `so-config`.
//!
//! Unlike the original, nothing falls back silently: a policy file that is not valid is an
//! error, not ignored, and a command written nowhere is an error, not `npm test`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use so_config::SessionConfig;

/// The policy file, relative to the project root.
pub const POLICY_FILE: &str = ".orchestrator/policy/quality-gates.json";

/// One of the three gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// `test-command`.
    Test,
    /// `typecheck-command`.
    Typecheck,
    /// `lint-command`.
    Lint,
}

impl Check {
    /// All three, in the order they run.
    pub const ALL: [Check; 3] = [Check::Test, Check::Typecheck, Check::Lint];

    /// `test`, `typecheck`, `lint`: the key in the output and in the policy file.
    pub fn name(self) -> &'static str {
        match self {
            Check::Test => "test",
            Check::Typecheck => "typecheck",
            Check::Lint => "lint",
        }
    }

    /// The Session Config key.
    pub fn config_key(self) -> &'static str {
        match self {
            Check::Test => "test-command",
            Check::Typecheck => "typecheck-command",
            Check::Lint => "lint-command",
        }
    }
}

/// A resolved gate command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateCommand {
    /// The command; `None` when it is `skip`.
    pub command: Option<String>,
    /// Where it was written: the policy file, or the config file with its line.
    pub source: String,
}

/// The three commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateCommands {
    /// `test-command`.
    pub test: GateCommand,
    /// `typecheck-command`.
    pub typecheck: GateCommand,
    /// `lint-command`.
    pub lint: GateCommand,
}

impl GateCommands {
    /// The command of `check`.
    pub fn get(&self, check: Check) -> &GateCommand {
        match check {
            Check::Test => &self.test,
            Check::Typecheck => &self.typecheck,
            Check::Lint => &self.lint,
        }
    }
}

/// Why the commands could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum CommandsError {
    /// No `CLAUDE.md` / `AGENTS.md` up to the project root.
    #[error("no CLAUDE.md or AGENTS.md in `{}`: the gate commands come from its `## Session Config`", root.display())]
    NoConfigFile {
        /// The project root.
        root: PathBuf,
    },
    /// The config file could not be read.
    #[error(transparent)]
    Config(#[from] so_config::ConfigError),
    /// The config file has no Session Config section.
    #[error("`{}` has no `## Session Config` section", path.display())]
    NoSection {
        /// The config file.
        path: PathBuf,
    },
    /// A command is not written anywhere.
    #[error("`{key}` is not set in `{}`: write the command, or `skip` to run no such gate", path.display())]
    Missing {
        /// The Session Config key.
        key: &'static str,
        /// The config file.
        path: PathBuf,
    },
    /// The policy file exists but is not valid.
    #[error("`{}`: {message}", path.display())]
    Policy {
        /// The policy file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The commands of the project at `root`.
pub fn resolve_commands(root: &Path) -> Result<GateCommands, CommandsError> {
    let policy_path = root.join(POLICY_FILE);
    let policy = read_policy(&policy_path)?;
    let from_policy = |check: Check| {
        policy.as_ref().and_then(|p| {
            p.get(check.name()).map(|c| GateCommand {
                command: command_or_skip(c),
                source: POLICY_FILE.to_owned(),
            })
        })
    };
    let mut config: Option<SessionConfig> = None;
    let mut resolve = |check: Check| -> Result<GateCommand, CommandsError> {
        if let Some(c) = from_policy(check) {
            return Ok(c);
        }
        if config.is_none() {
            let path =
                so_config::find_config_file(root).ok_or_else(|| CommandsError::NoConfigFile {
                    root: root.to_path_buf(),
                })?;
            let loaded = SessionConfig::load(&path)?;
            if !loaded.has_section() {
                return Err(CommandsError::NoSection { path });
            }
            config = Some(loaded);
        }
        let Some(cfg) = config.as_ref() else {
            unreachable!("loaded above")
        };
        let key = check.config_key();
        match (cfg.get_str(key), cfg.get(key)) {
            (Some(value), Some(entry)) => Ok(GateCommand {
                command: command_or_skip(value),
                source: format!("{}:{}", cfg.path().display(), entry.line),
            }),
            _ => Err(CommandsError::Missing {
                key,
                path: cfg.path().to_path_buf(),
            }),
        }
    };
    Ok(GateCommands {
        test: resolve(Check::Test)?,
        typecheck: resolve(Check::Typecheck)?,
        lint: resolve(Check::Lint)?,
    })
}

fn command_or_skip(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.eq_ignore_ascii_case("skip")).then(|| v.to_owned())
}

/// `{"version": 1, "commands": {"test": {"command": "…"}, …}}`: each of `test`,
/// `typecheck`, `lint` optional. `None` when the file does not exist.
fn read_policy(
    path: &Path,
) -> Result<Option<std::collections::BTreeMap<String, String>>, CommandsError> {
    let bad = |message: String| CommandsError::Policy {
        path: path.to_path_buf(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot read it: {e}"))),
    };
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    if doc.get("version") != Some(&Value::from(1)) {
        return Err(bad("`version` must be 1".into()));
    }
    let Some(commands) = doc.get("commands").and_then(Value::as_object) else {
        return Err(bad("`commands` must be an object".into()));
    };
    let mut out = std::collections::BTreeMap::new();
    for (key, entry) in commands {
        if !Check::ALL.iter().any(|c| c.name() == key) {
            return Err(bad(format!(
                "unknown gate `commands.{key}`: use test, typecheck or lint"
            )));
        }
        match entry.get("command").and_then(Value::as_str) {
            Some(c) if !c.trim().is_empty() => {
                out.insert(key.clone(), c.to_owned());
            }
            _ => {
                return Err(bad(format!(
                    "`commands.{key}.command` must be a non-empty string"
                )));
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Self {
            let p =
                std::env::temp_dir().join(format!("so-gate-config-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(p.join(".git")).unwrap_or_else(|e| panic!("{e}"));
            Self(p)
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(&self.0))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const CONFIG: &str = "# P\n\n## Session Config\n\n- **test-command:** cargo test\n- **typecheck-command:** skip\n- **lint-command:** cargo clippy\n";

    #[test]
    fn config_then_policy_override() {
        let d = Dir::new("override");
        d.write("CLAUDE.md", CONFIG);
        let c = resolve_commands(&d.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.test.command.as_deref(), Some("cargo test"));
        assert!(c.test.source.ends_with("CLAUDE.md:5"), "{}", c.test.source);
        assert_eq!(c.typecheck.command, None);
        d.write(
            POLICY_FILE,
            r#"{"version":1,"commands":{"test":{"command":"cargo nextest run"}}}"#,
        );
        let c = resolve_commands(&d.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.test.command.as_deref(), Some("cargo nextest run"));
        assert_eq!(c.test.source, POLICY_FILE);
        assert_eq!(c.lint.command.as_deref(), Some("cargo clippy"));
    }

    #[test]
    fn nothing_falls_back_silently() {
        let d = Dir::new("strict");
        assert!(matches!(
            resolve_commands(&d.0),
            Err(CommandsError::NoConfigFile { .. })
        ));
        d.write("CLAUDE.md", "# P\n\nno section\n");
        assert!(matches!(
            resolve_commands(&d.0),
            Err(CommandsError::NoSection { .. })
        ));
        d.write("CLAUDE.md", "## Session Config\n\n- test-command: pytest\n");
        let e = resolve_commands(&d.0)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("`typecheck-command` is not set in"), "{e}");
        d.write("CLAUDE.md", CONFIG);
        for bad in [
            "not json",
            r#"{"version":2,"commands":{}}"#,
            r#"{"version":1,"commands":{"test":{"command":""}}}"#,
            r#"{"version":1,"commands":{"tests":{"command":"x"}}}"#,
        ] {
            d.write(POLICY_FILE, bad);
            assert!(
                matches!(resolve_commands(&d.0), Err(CommandsError::Policy { .. })),
                "{bad}"
            );
        }
        // Control: a valid policy beside them.
        d.write(POLICY_FILE, r#"{"version":1,"commands":{}}"#);
        assert!(resolve_commands(&d.0).is_ok());
    }
}
