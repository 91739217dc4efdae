//! The resource probe behind the `resource-overload` kill switch: load, memory, swap (and
//! on macOS the kernel's memory-free level) turned into a verdict, plus the number of peer
//! sessions.
//!
//! Linux reads `/proc/loadavg` and `/proc/meminfo`; macOS asks `sysctl`. Elsewhere every
//! input is unknown, which gives `green`. For tests the inputs come from a JSON file named
//! by `SO_AUTOPILOT_PROBE` instead ([`PROBE_VAR`]).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// The environment variable naming a JSON file whose fields replace the live probe:
/// `{"cpu_count": 2, "load_1m": 9.5, "mem_total_mb": 8192, "mem_available_mb": 300,
/// "swap_used_mb": 0, "memory_free_pct": 40, "peers": 7}`. Absent fields are unknown (no
/// signal); `peers`, when given, replaces the count from the session lock. The file is read
/// before every iteration.
pub const PROBE_VAR: &str = "SO_AUTOPILOT_PROBE";

/// What the probe measured; `None` is unknown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Logical CPUs.
    pub cpu_count: Option<u32>,
    /// One-minute load average.
    pub load_1m: Option<f64>,
    /// Physical memory, MiB.
    pub mem_total_mb: Option<u64>,
    /// Memory available without swapping, MiB.
    pub mem_available_mb: Option<u64>,
    /// Swap in use, MiB.
    pub swap_used_mb: Option<u64>,
    /// macOS `kern.memorystatus_level`: percent of memory free.
    pub memory_free_pct: Option<u64>,
    /// Peer sessions, when injected (otherwise counted from the session lock).
    pub peers: Option<usize>,
    /// `live` or `injected:<file>`.
    pub source: String,
}

/// Resource verdicts, least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing is short.
    Green,
    /// Something is getting short.
    Warn,
    /// The machine is struggling.
    Degraded,
    /// The machine is about to fall over.
    Critical,
}

impl Verdict {
    /// `green`, `warn`, `degraded`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Warn => "warn",
            Self::Degraded => "degraded",
            Self::Critical => "critical",
        }
    }
}

/// A verdict and the signals behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The most restrictive signal's verdict.
    pub verdict: Verdict,
    /// One line per signal that is not green.
    pub reasons: Vec<String>,
}

/// Thresholds, most restrictive first: (verdict, available memory below MiB, swap used above
/// MiB, memory free below %, load per CPU at or above).
const TIERS: [(Verdict, u64, u64, u64, f64); 3] = [
    (Verdict::Critical, 512, 3072, 5, 4.0),
    (Verdict::Degraded, 1024, 2048, 15, 2.0),
    (Verdict::Warn, 2048, 1024, 30, 1.0),
];

/// The verdict for `s`: the most restrictive signal wins; unknown signals count as green.
pub fn evaluate(s: &Snapshot) -> Assessment {
    let mut verdict = Verdict::Green;
    let mut reasons = Vec::new();
    let mut bump = |v: Verdict, reason: String| {
        verdict = verdict.max(v);
        reasons.push(format!("{}: {reason}", v.as_str()));
    };
    if let Some(mb) = s.mem_available_mb
        && let Some((v, limit, ..)) = TIERS.iter().find(|t| mb < t.1)
    {
        bump(*v, format!("{mb} MiB memory available < {limit} MiB"));
    }
    if let Some(mb) = s.swap_used_mb
        && let Some((v, _, limit, ..)) = TIERS.iter().find(|t| mb > t.2)
    {
        bump(*v, format!("{mb} MiB swap used > {limit} MiB"));
    }
    if let Some(pct) = s.memory_free_pct
        && let Some((v, _, _, limit, _)) = TIERS.iter().find(|t| pct < t.3)
    {
        bump(*v, format!("{pct}% memory free < {limit}%"));
    }
    if let (Some(load), Some(cpus)) = (s.load_1m, s.cpu_count.filter(|c| *c > 0)) {
        let per_cpu = load / f64::from(cpus);
        if let Some((v, .., limit)) = TIERS.iter().find(|t| per_cpu >= t.4) {
            bump(
                *v,
                format!("load {load:.2} on {cpus} CPU(s) = {per_cpu:.2} per CPU >= {limit}"),
            );
        }
    }
    Assessment { verdict, reasons }
}

impl Snapshot {
    /// The snapshot as JSON, for messages and records.
    pub fn to_json(&self) -> Value {
        json!({
            "cpu_count": self.cpu_count, "load_1m": self.load_1m,
            "mem_total_mb": self.mem_total_mb, "mem_available_mb": self.mem_available_mb,
            "swap_used_mb": self.swap_used_mb, "memory_free_pct": self.memory_free_pct,
            "peers": self.peers, "source": self.source,
        })
    }

    /// Reads an injected snapshot from `path` (see [`PROBE_VAR`]).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{PROBE_VAR}: cannot read {}: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{PROBE_VAR}: {} is not JSON: {e}", path.display()))?;
        if !v.is_object() {
            return Err(format!(
                "{PROBE_VAR}: {} must hold a JSON object",
                path.display()
            ));
        }
        let uint = |k: &str| v.get(k).and_then(Value::as_u64);
        Ok(Self {
            cpu_count: uint("cpu_count").and_then(|n| u32::try_from(n).ok()),
            load_1m: v.get("load_1m").and_then(Value::as_f64),
            mem_total_mb: uint("mem_total_mb"),
            mem_available_mb: uint("mem_available_mb"),
            swap_used_mb: uint("swap_used_mb"),
            memory_free_pct: uint("memory_free_pct"),
            peers: uint("peers").and_then(|n| usize::try_from(n).ok()),
            source: format!("injected:{}", path.display()),
        })
    }
}

/// The snapshot to use: the file named by `injected` when given, else the live probe.
pub fn snapshot(injected: Option<&Path>) -> Result<Snapshot, String> {
    match injected {
        Some(path) => Snapshot::from_file(path),
        None => Ok(live()),
    }
}

/// Measures this machine now.
pub fn live() -> Snapshot {
    let mut s = Snapshot {
        cpu_count: std::thread::available_parallelism()
            .ok()
            .and_then(|n| u32::try_from(n.get()).ok()),
        source: "live".to_owned(),
        ..Snapshot::default()
    };
    if Path::new("/proc/loadavg").exists() {
        s.load_1m = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|t| parse_loadavg(&t));
        if let Ok(text) = std::fs::read_to_string("/proc/meminfo") {
            let m = parse_meminfo(&text);
            s.mem_total_mb = m.total_mb;
            s.mem_available_mb = m.available_mb;
            s.swap_used_mb = m.swap_used_mb;
        }
    } else if cfg!(target_os = "macos") {
        s.load_1m =
            sysctl("vm.loadavg").and_then(|t| parse_loadavg(t.trim_matches(['{', '}', ' '])));
        s.mem_total_mb = sysctl("hw.memsize")
            .and_then(|t| t.parse::<u64>().ok())
            .map(|b| b >> 20);
        s.swap_used_mb = sysctl("vm.swapusage").and_then(|t| parse_swapusage(&t));
        s.memory_free_pct = sysctl("kern.memorystatus_level").and_then(|t| t.parse().ok());
        s.mem_available_mb = match (s.mem_total_mb, s.memory_free_pct) {
            (Some(total), Some(pct)) => Some(total * pct.min(100) / 100),
            _ => None,
        };
    }
    s
}

/// `sysctl -n KEY`, trimmed; `None` on any failure.
fn sysctl(key: &str) -> Option<String> {
    let out = Command::new("sysctl")
        .args(["-n", key])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The first number of `/proc/loadavg` (or of macOS `vm.loadavg` without its braces).
pub fn parse_loadavg(text: &str) -> Option<f64> {
    text.split_whitespace()
        .next()?
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

/// What `/proc/meminfo` says, in MiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemInfo {
    /// `MemTotal`.
    pub total_mb: Option<u64>,
    /// `MemAvailable`.
    pub available_mb: Option<u64>,
    /// `SwapTotal − SwapFree`.
    pub swap_used_mb: Option<u64>,
}

/// Parses `/proc/meminfo` (`Key:   123 kB` lines).
pub fn parse_meminfo(text: &str) -> MemInfo {
    let kb = |key: &str| {
        text.lines().find_map(|l| {
            let rest = l.strip_prefix(key)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse::<u64>().ok()
        })
    };
    MemInfo {
        total_mb: kb("MemTotal").map(|k| k / 1024),
        available_mb: kb("MemAvailable").map(|k| k / 1024),
        swap_used_mb: match (kb("SwapTotal"), kb("SwapFree")) {
            (Some(t), Some(f)) => Some(t.saturating_sub(f) / 1024),
            _ => None,
        },
    }
}

/// The `used = …M` of macOS `vm.swapusage`, in whole MiB.
pub fn parse_swapusage(text: &str) -> Option<u64> {
    let used = text.split("used").nth(1)?;
    let number: String = used
        .trim_start_matches([' ', '='])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mb: f64 = number.parse().ok()?;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "swap in MiB, non-negative and far below 2^64"
    )]
    let whole = mb.max(0.0).round() as u64;
    Some(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       16303428 kB\nMemFree:          912344 kB\n\
        MemAvailable:    9876543 kB\nSwapTotal:       2097148 kB\nSwapFree:        1048576 kB\n";

    #[test]
    fn parses_proc_and_sysctl_text() {
        assert_eq!(parse_loadavg("0.52 0.58 0.59 1/467 12345\n"), Some(0.52));
        assert_eq!(parse_loadavg("1.72 1.50 1.40"), Some(1.72));
        assert_eq!(parse_loadavg(""), None);
        let m = parse_meminfo(MEMINFO);
        assert_eq!(m.total_mb, Some(15921));
        assert_eq!(m.available_mb, Some(9645));
        assert_eq!(m.swap_used_mb, Some(1023));
        assert_eq!(
            parse_swapusage("total = 2048.00M  used = 1234.50M  free = 813.50M  (encrypted)"),
            Some(1235)
        );
    }

    #[test]
    fn verdicts_by_tier_with_controls() {
        let base = Snapshot {
            cpu_count: Some(4),
            load_1m: Some(1.0),
            mem_available_mb: Some(8000),
            swap_used_mb: Some(0),
            memory_free_pct: Some(60),
            ..Snapshot::default()
        };
        assert_eq!(evaluate(&base).verdict, Verdict::Green);
        assert!(evaluate(&base).reasons.is_empty());
        for (s, want) in [
            (
                Snapshot {
                    mem_available_mb: Some(511),
                    ..base.clone()
                },
                Verdict::Critical,
            ),
            (
                Snapshot {
                    mem_available_mb: Some(512),
                    ..base.clone()
                },
                Verdict::Degraded,
            ),
            (
                Snapshot {
                    swap_used_mb: Some(3073),
                    ..base.clone()
                },
                Verdict::Critical,
            ),
            (
                Snapshot {
                    swap_used_mb: Some(3072),
                    ..base.clone()
                },
                Verdict::Degraded,
            ),
            (
                Snapshot {
                    memory_free_pct: Some(4),
                    ..base.clone()
                },
                Verdict::Critical,
            ),
            (
                Snapshot {
                    memory_free_pct: Some(29),
                    ..base.clone()
                },
                Verdict::Warn,
            ),
            (
                Snapshot {
                    load_1m: Some(16.0),
                    ..base.clone()
                },
                Verdict::Critical,
            ),
            (
                Snapshot {
                    load_1m: Some(15.9),
                    ..base.clone()
                },
                Verdict::Degraded,
            ),
            (
                Snapshot {
                    load_1m: Some(4.0),
                    ..base.clone()
                },
                Verdict::Warn,
            ),
        ] {
            assert_eq!(evaluate(&s).verdict, want, "{s:?}");
        }
        // Most restrictive wins.
        let mixed = Snapshot {
            mem_available_mb: Some(1500),
            swap_used_mb: Some(5000),
            ..base
        };
        let a = evaluate(&mixed);
        assert_eq!(a.verdict, Verdict::Critical);
        assert_eq!(a.reasons.len(), 2);
        // Unknown everything is green.
        assert_eq!(evaluate(&Snapshot::default()).verdict, Verdict::Green);
    }

    #[test]
    fn injected_snapshot_from_a_file() {
        let dir = std::env::temp_dir().join(format!("so-autopilot-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("probe.json");
        std::fs::write(&file, r#"{"mem_available_mb": 100, "peers": 7}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let s = snapshot(Some(&file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.mem_available_mb, Some(100));
        assert_eq!(s.peers, Some(7));
        assert_eq!(s.load_1m, None);
        assert!(s.source.starts_with("injected:"));
        std::fs::write(&file, "[1]").unwrap_or_else(|e| panic!("{e}"));
        assert!(snapshot(Some(&file)).is_err());
        assert!(snapshot(Some(&dir.join("missing.json"))).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn live_probe_reads_this_machine() {
        let s = live();
        assert_eq!(s.source, "live");
        assert!(s.cpu_count.is_some_and(|c| c > 0));
        if cfg!(target_os = "linux") {
            assert!(s.load_1m.is_some() && s.mem_available_mb.is_some(), "{s:?}");
        }
    }
}
