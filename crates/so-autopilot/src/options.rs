//! The flags of `session-orchestrator autopilot`: parsed and range-checked. A value out of
//! range is an error naming the allowed range — never clamped (the original clamped
//! silently, so `--max-sessions 500` quietly meant 50).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The allowed values of one numeric flag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The flag, `--max-sessions`.
    pub flag: &'static str,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Value when the flag is absent.
    pub default: f64,
    /// Whether only whole numbers are allowed.
    pub whole: bool,
}

/// `--max-sessions`: sessions per run (seed §9.8: default 5, 1..50).
pub const MAX_SESSIONS: Bounds = Bounds {
    flag: "--max-sessions",
    min: 1.0,
    max: 50.0,
    default: 5.0,
    whole: true,
};
/// `--max-hours`: wall-clock hours per run (default 4, 0.5..24).
pub const MAX_HOURS: Bounds = Bounds {
    flag: "--max-hours",
    min: 0.5,
    max: 24.0,
    default: 4.0,
    whole: false,
};
/// `--max-tokens`: token budget per run (default 500 000).
pub const MAX_TOKENS: Bounds = Bounds {
    flag: "--max-tokens",
    min: 1.0,
    max: 1_000_000_000.0,
    default: 500_000.0,
    whole: true,
};
/// `--confidence-threshold`: the mode confidence a session needs (default 0.85, 0..1).
pub const CONFIDENCE_THRESHOLD: Bounds = Bounds {
    flag: "--confidence-threshold",
    min: 0.0,
    max: 1.0,
    default: 0.85,
    whole: false,
};
/// `--stall-timeout`: seconds without an output line before a session is killed
/// (default 600, 1..86400).
pub const STALL_TIMEOUT: Bounds = Bounds {
    flag: "--stall-timeout",
    min: 1.0,
    max: 86_400.0,
    default: 600.0,
    whole: true,
};

/// The usage line of the command.
pub const USAGE: &str = "session-orchestrator autopilot --headless [--max-sessions N] [--max-hours H] \
[--max-tokens N] [--confidence-threshold X] [--stall-timeout SECS] [--dry-run] [--project DIR]";

/// The parsed flags of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Sessions to run at most.
    pub max_sessions: u32,
    /// Wall-clock hours at most.
    pub max_hours: f64,
    /// Tokens at most (see [`crate::session::Usage::counted`]).
    pub max_tokens: u64,
    /// The mode confidence needed to start a session.
    pub confidence_threshold: f64,
    /// Silence after which a session is killed.
    pub stall_timeout: Duration,
    /// Evaluate and print, start nothing.
    pub dry_run: bool,
    /// `--project DIR`.
    pub project: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_sessions: whole(MAX_SESSIONS.default),
            max_hours: MAX_HOURS.default,
            max_tokens: whole(MAX_TOKENS.default).into(),
            confidence_threshold: CONFIDENCE_THRESHOLD.default,
            stall_timeout: Duration::from_secs(whole(STALL_TIMEOUT.default).into()),
            dry_run: false,
            project: None,
        }
    }
}

/// Why the arguments were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `--headless` is missing: the only mode there is (the original's contract, exit 2).
    NotHeadless,
    /// `--help` was asked for.
    Help,
    /// A bad flag or value (exit 64).
    Usage(String),
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotHeadless => write!(
                f,
                "autopilot runs only headless: pass `--headless` (it chains `claude -p` sessions \
                 without asking anything)\nusage: {USAGE}"
            ),
            Self::Help => write!(f, "usage: {USAGE}"),
            Self::Usage(message) => write!(f, "{message}\nusage: {USAGE}"),
        }
    }
}

impl std::error::Error for ArgsError {}

/// `f` as a whole number; only called on values inside a [`Bounds`] range of whole numbers.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "callers pass whole numbers within 1..=1e9"
)]
fn whole(f: f64) -> u32 {
    f as u32
}

/// Parses `text` as a value of `bounds`; the error names the allowed range.
pub fn parse_bounded(bounds: &Bounds, text: &str) -> Result<f64, ArgsError> {
    let range = if bounds.whole {
        format!(
            "a whole number from {} to {}",
            Trim(bounds.min),
            Trim(bounds.max)
        )
    } else {
        format!("a number from {} to {}", Trim(bounds.min), Trim(bounds.max))
    };
    let value: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            ArgsError::Usage(format!("`{}` takes {range}, not `{text}`", bounds.flag))
        })?;
    if bounds.whole && value.fract() != 0.0 {
        return Err(ArgsError::Usage(format!(
            "`{}` takes {range}, not `{text}`",
            bounds.flag
        )));
    }
    if value < bounds.min || value > bounds.max {
        return Err(ArgsError::Usage(format!(
            "`{} {text}` is out of range: allowed is {range} (default {})",
            bounds.flag,
            Trim(bounds.default)
        )));
    }
    Ok(value)
}

/// A number without a trailing `.0`.
struct Trim(f64);

impl fmt::Display for Trim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            write!(f, "{:.0}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Parses the arguments after `autopilot`. Flags take their value as the next argument or
/// after `=` (`--max-sessions 3`, `--max-sessions=3`); each may be given once.
pub fn parse(args: &[String]) -> Result<Options, ArgsError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Err(ArgsError::Help);
    }
    let mut options = Options::default();
    let mut headless = false;
    let mut seen: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        if seen.iter().any(|s| s == flag) {
            return Err(ArgsError::Usage(format!("`{flag}` is given twice")));
        }
        seen.push(flag.to_owned());
        let mut value = |what: &str| -> Result<String, ArgsError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| ArgsError::Usage(format!("`{flag}` needs {what}"))),
            }
        };
        match flag {
            "--headless" | "--dry-run" if inline.is_some() => {
                return Err(ArgsError::Usage(format!("`{flag}` takes no value")));
            }
            "--headless" => headless = true,
            "--dry-run" => options.dry_run = true,
            "--max-sessions" => {
                let v = parse_bounded(&MAX_SESSIONS, &value("a number of sessions")?)?;
                options.max_sessions = whole(v);
            }
            "--max-hours" => {
                options.max_hours = parse_bounded(&MAX_HOURS, &value("a number of hours")?)?;
            }
            "--max-tokens" => {
                let v = parse_bounded(&MAX_TOKENS, &value("a number of tokens")?)?;
                options.max_tokens = whole(v).into();
            }
            "--confidence-threshold" => {
                options.confidence_threshold =
                    parse_bounded(&CONFIDENCE_THRESHOLD, &value("a number from 0 to 1")?)?;
            }
            "--stall-timeout" => {
                let v = parse_bounded(&STALL_TIMEOUT, &value("a number of seconds")?)?;
                options.stall_timeout = Duration::from_secs(whole(v).into());
            }
            "--project" => {
                let dir = value("a directory")?;
                if dir.is_empty() {
                    return Err(ArgsError::Usage("`--project` needs a directory".into()));
                }
                options.project = Some(PathBuf::from(dir));
            }
            other => {
                return Err(ArgsError::Usage(format!(
                    "unknown argument `{other}` for `autopilot`"
                )));
            }
        }
    }
    if !headless {
        return Err(ArgsError::NotHeadless);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults_follow_the_seed() {
        let o = parse(&args(&["--headless"])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.max_sessions, 5);
        assert!((o.max_hours - 4.0).abs() < f64::EPSILON);
        assert_eq!(o.max_tokens, 500_000);
        assert!((o.confidence_threshold - 0.85).abs() < f64::EPSILON);
        assert_eq!(o.stall_timeout, Duration::from_mins(10));
        assert!(!o.dry_run);
        assert_eq!(o.project, None);
    }

    #[test]
    fn values_in_both_spellings() {
        let o = parse(&args(&[
            "--headless",
            "--max-sessions=2",
            "--max-hours",
            "0.5",
            "--max-tokens",
            "1000",
            "--confidence-threshold=0",
            "--stall-timeout",
            "2",
            "--dry-run",
            "--project",
            "/p",
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.max_sessions, 2);
        assert!((o.max_hours - 0.5).abs() < f64::EPSILON);
        assert_eq!(o.max_tokens, 1000);
        assert!(o.confidence_threshold.abs() < f64::EPSILON);
        assert_eq!(o.stall_timeout, Duration::from_secs(2));
        assert!(o.dry_run);
        assert_eq!(o.project, Some(PathBuf::from("/p")));
    }

    #[test]
    fn without_headless_is_refused() {
        assert_eq!(
            parse(&args(&["--max-sessions", "2"])),
            Err(ArgsError::NotHeadless)
        );
        assert!(parse(&args(&["--headless", "--max-sessions", "2"])).is_ok());
    }

    /// Regression guard for the original's silent clamping: the edges are accepted, one
    /// step beyond them is an error that names the range.
    #[test]
    fn out_of_range_is_an_error_never_clamped() {
        for (flag, inside, outside, range) in [
            ("--max-sessions", "50", "51", "from 1 to 50"),
            ("--max-sessions", "1", "0", "from 1 to 50"),
            ("--max-hours", "24", "24.5", "from 0.5 to 24"),
            ("--max-hours", "0.5", "0.4", "from 0.5 to 24"),
            ("--confidence-threshold", "1", "1.01", "from 0 to 1"),
            ("--confidence-threshold", "0", "-0.1", "from 0 to 1"),
            ("--max-tokens", "1", "0", "from 1 to 1000000000"),
            ("--stall-timeout", "86400", "86401", "from 1 to 86400"),
        ] {
            assert!(
                parse(&args(&["--headless", flag, inside])).is_ok(),
                "{flag} {inside}"
            );
            match parse(&args(&["--headless", flag, outside])) {
                Err(ArgsError::Usage(m)) => {
                    assert!(m.contains(range) && m.contains("out of range"), "{m}");
                }
                other => panic!("{flag} {outside}: {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_values_and_flags() {
        for bad in [
            &["--headless", "--max-sessions", "2.5"][..],
            &["--headless", "--max-sessions", "two"],
            &["--headless", "--max-hours", "NaN"],
            &["--headless", "--max-hours"],
            &["--headless", "--headless"],
            &["--headless", "--dry-run=yes"],
            &["--headless", "--verbose"],
            &["--headless", "--project", ""],
        ] {
            assert!(
                matches!(parse(&args(bad)), Err(ArgsError::Usage(_))),
                "{bad:?}"
            );
        }
        assert_eq!(parse(&args(&["--help"])), Err(ArgsError::Help));
    }
}
