//! The Session Config fields this crate obeys, read through `so-config` (the one parser).

use std::path::Path;

use so_config::{ConfigError, SessionConfig};

/// `events-rotation.*`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationSettings {
    /// `events-rotation.enabled` (default `true`).
    pub enabled: bool,
    /// `events-rotation.max-size-mb` in bytes (default 10 MiB; 1..=1024 MiB).
    pub max_bytes: u64,
    /// `events-rotation.max-backups` (default 5; 1..=100).
    pub max_backups: u32,
}

/// `loop-guard.*`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopGuardSettings {
    /// `loop-guard.enabled` (default `true`).
    pub enabled: bool,
    /// `loop-guard.threshold`: identical calls that trigger the hint (default 3, at least 2).
    pub threshold: u32,
    /// `loop-guard.window`: how many recent calls are looked at (default 5, at least 2 and at
    /// least `threshold`).
    pub window: u32,
}

/// Everything the session-record hooks read from the Session Config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Rotation of `events.jsonl`.
    pub rotation: RotationSettings,
    /// The loop guard.
    pub loop_guard: LoopGuardSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rotation: RotationSettings {
                enabled: true,
                max_bytes: 10 * MIB,
                max_backups: 5,
            },
            loop_guard: LoopGuardSettings {
                enabled: true,
                threshold: 3,
                window: 5,
            },
        }
    }
}

const MIB: u64 = 1024 * 1024;

impl Settings {
    /// The settings of the project at `project_root` (its CLAUDE.md / AGENTS.md), and a
    /// notice for every value that could not be used (the default is used instead).
    pub fn load(project_root: &Path) -> (Settings, Vec<String>) {
        match SessionConfig::at_root(project_root) {
            Ok(config) => Settings::from_config(config.as_ref()),
            Err(e) => (Settings::default(), vec![format!("{e}; using defaults")]),
        }
    }

    /// The settings in `config` (defaults when `None`), with notices.
    ///
    /// ```
    /// use std::path::Path;
    /// use so_config::SessionConfig;
    /// use so_events::Settings;
    ///
    /// let text = "## Session Config\n\nloop-guard:\n  threshold: 4\n  window: 8\n\
    ///             events-rotation:\n  max-size-mb: 2\n";
    /// let (s, notices) = Settings::from_config(Some(&SessionConfig::parse(text, Path::new("CLAUDE.md"))));
    /// assert_eq!((s.loop_guard.threshold, s.loop_guard.window), (4, 8));
    /// assert_eq!(s.rotation.max_bytes, 2 * 1024 * 1024);
    /// assert!(notices.is_empty());
    /// ```
    pub fn from_config(config: Option<&SessionConfig>) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut notices = Vec::new();
        let Some(c) = config else {
            return (s, notices);
        };
        let mut int = |key: &str, min: u32, max: u32, default: u32| -> u32 {
            match c.get_int(key) {
                Ok(None) => default,
                Ok(Some(v)) => {
                    let clamped = v.clamp(i64::from(min), i64::from(max));
                    if clamped != v {
                        notices.push(format!(
                            "{}: `{key}: {v}` is outside {min}..={max}; using {clamped}",
                            c.path().display()
                        ));
                    }
                    u32::try_from(clamped).unwrap_or(default)
                }
                Err(e) => {
                    notices.push(config_notice(&e));
                    default
                }
            }
        };
        let max_mb = int("events-rotation.max-size-mb", 1, 1024, 10);
        s.rotation.max_backups = int("events-rotation.max-backups", 1, 100, 5);
        s.loop_guard.threshold = int("loop-guard.threshold", 2, 1000, 3);
        let window = int("loop-guard.window", 2, 1000, 5);
        let mut flag = |key: &str, default: bool| match c.get_bool(key) {
            Ok(v) => v.unwrap_or(default),
            Err(e) => {
                notices.push(config_notice(&e));
                default
            }
        };
        s.rotation.enabled = flag("events-rotation.enabled", true);
        s.loop_guard.enabled = flag("loop-guard.enabled", true);
        s.rotation.max_bytes = u64::from(max_mb) * MIB;
        // A window smaller than the threshold could never fire.
        s.loop_guard.window = window.max(s.loop_guard.threshold);
        (s, notices)
    }
}

fn config_notice(e: &ConfigError) -> String {
    format!("{e}; using the default")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> (Settings, Vec<String>) {
        let text = format!("# P\n\n## Session Config\n\n{body}");
        Settings::from_config(Some(&SessionConfig::parse(&text, Path::new("CLAUDE.md"))))
    }

    #[test]
    fn defaults_without_config() {
        assert_eq!(Settings::from_config(None), (Settings::default(), vec![]));
        assert_eq!(parse("- waves: 3\n"), (Settings::default(), vec![]));
    }

    #[test]
    fn bad_values_fall_back_with_a_notice() {
        let (s, notices) = parse(
            "- loop-guard.threshold: lots\n- events-rotation.max-size-mb: 0\n\
             - loop-guard.enabled: maybe\n- loop-guard.window: 1\n",
        );
        assert_eq!(s.loop_guard.threshold, 3);
        assert!(s.loop_guard.enabled);
        assert_eq!(s.rotation.max_bytes, MIB);
        assert_eq!(s.loop_guard.window, 3);
        assert_eq!(notices.len(), 4, "{notices:#?}");
        assert!(notices.iter().any(|n| n.contains("loop-guard.threshold")));
    }

    #[test]
    fn switches_off() {
        let (s, _) = parse("- loop-guard.enabled: false\n- events-rotation.enabled: no\n");
        assert!(!s.loop_guard.enabled);
        assert!(!s.rotation.enabled);
    }
}
