//! `session-orchestrator metrics`: what the session logs hold, as aligned tables or JSON.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use so_events::Timestamp;
use so_events::summary::{Summary, summarize};

struct Options {
    json: bool,
    since: Option<Duration>,
    cwd: PathBuf,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        json: false,
        since: None,
        cwd: std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--since" => {
                let v = it
                    .next()
                    .ok_or("`--since` needs a duration, e.g. 24h or 7d")?;
                o.since = Some(parse_duration(v)?);
            }
            "--cwd" => o.cwd = PathBuf::from(it.next().ok_or("`--cwd` needs a directory")?),
            other => return Err(format!("unknown argument `{other}` for `metrics`")),
        }
    }
    Ok(o)
}

/// `90s`, `45m`, `12h`, `7d`, `2w`, or a sequence of them (`1h30m`).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "`{text}` is not a duration: use a number and s, m, h, d or w (`24h`, `7d`, `1h30m`)"
        )
    };
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
        number.clear();
        any = true;
    }
    if !any || !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

pub fn run(args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => return crate::usage_error(&e),
    };
    let root = so_config::find_project_root(&o.cwd);
    let since = o.since.map(|d| Timestamp::now().minus(d));
    let summary = summarize(&root, since);
    if o.json {
        let mut doc = serde_json::to_value(&summary).unwrap_or_else(|_| json!({}));
        doc["project"] = root.display().to_string().into();
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ));
    } else {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        crate::emit(&render(&summary, &root.display().to_string(), colour));
    }
    ExitCode::SUCCESS
}

/// The human summary. `colour` adds bold titles and dim column heads (ANSI).
pub(crate) fn render(s: &Summary, project: &str, colour: bool) -> String {
    let style = Style { colour };
    let mut out = String::new();
    let since = s
        .since
        .as_deref()
        .map(|t| format!(" since {}", short_time(t)))
        .unwrap_or_default();
    let title = format!("session-orchestrator metrics — {project}{since}");
    let _ = writeln!(out, "{}", style.bold(&title));
    sessions(&mut out, &style, s);
    reports(&mut out, &style, s);
    subagents(&mut out, &style, s);
    guards(&mut out, &style, s);
    if s.unparsed_lines > 0 || !s.problems.is_empty() {
        let _ = writeln!(out);
        if s.unparsed_lines > 0 {
            let n = s.unparsed_lines;
            let _ = writeln!(out, "note: {n} log lines were not records and were skipped");
        }
        for p in &s.problems {
            let _ = writeln!(out, "note: {p}");
        }
    }
    out
}

fn sessions(out: &mut String, style: &Style, s: &Summary) {
    let running = s.sessions.iter().filter(|r| r.running).count();
    let title = format!("Sessions ({}, {running} running)", s.sessions.len());
    section(out, style, &title);
    let rows = s
        .sessions
        .iter()
        .map(|r| {
            let waves: Vec<String> = r
                .waves
                .iter()
                .map(|w| {
                    let mut t = w.wave.to_string();
                    if let Some(role) = &w.role {
                        let _ = write!(t, " {role}");
                    }
                    if let Some(d) = w.duration_ms {
                        let _ = write!(t, " {}", human_ms(d));
                    }
                    t
                })
                .collect();
            let (duration, ended) = if r.running {
                ("running".to_owned(), "—".to_owned())
            } else {
                (
                    r.duration_ms.map_or_else(|| "unknown".into(), human_ms),
                    r.reason.clone().unwrap_or_else(|| "—".into()),
                )
            };
            vec![
                r.session_id.chars().take(8).collect(),
                r.client.clone().unwrap_or_else(|| "—".into()),
                r.started_at
                    .as_deref()
                    .map_or_else(|| "—".into(), short_time),
                duration,
                ended,
                if waves.is_empty() {
                    "—".into()
                } else {
                    waves.join(", ")
                },
            ]
        })
        .collect();
    let head = [
        "SESSION",
        "CLIENT",
        "STARTED (UTC)",
        "DURATION",
        "ENDED",
        "WAVES",
    ];
    table(out, style, &head, rows);
}

/// The session-end skill's reports (`session record`): type, agents by outcome, files,
/// issues and carryover, per session.
fn reports(out: &mut String, style: &Style, s: &Summary) {
    let reported: Vec<_> = s
        .sessions
        .iter()
        .filter_map(|r| r.report.as_ref().map(|rep| (r, rep)))
        .collect();
    let carryover: u64 = reported.iter().filter_map(|(_, r)| r.carryover).sum();
    section(
        out,
        style,
        &format!(
            "Session reports ({}, carryover {carryover})",
            reported.len()
        ),
    );
    let n = |v: Option<u64>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
    let rows = reported
        .iter()
        .map(|(row, r)| {
            let a = r.agent_summary;
            let issues = match (r.issues_closed, r.issues_planned) {
                (None, None) => "—".to_owned(),
                (closed, planned) => format!("{}/{}", n(closed), n(planned)),
            };
            vec![
                row.session_id.chars().take(8).collect(),
                r.session_type.clone().unwrap_or_else(|| "—".into()),
                n(r.total_waves),
                n(r.total_agents),
                n(a.complete),
                n(a.partial),
                n(a.failed),
                n(a.spiral),
                n(r.total_files_changed),
                issues,
                n(r.carryover),
                match r.gate_passed {
                    Some(true) => "passed".into(),
                    Some(false) => "failed".into(),
                    None => "—".into(),
                },
            ]
        })
        .collect();
    let head = [
        "SESSION",
        "TYPE",
        "WAVES",
        "AGENTS",
        "COMPLETE",
        "PARTIAL",
        "FAILED",
        "SPIRAL",
        "FILES",
        "ISSUES",
        "CARRYOVER",
        "GATE",
    ];
    table(out, style, &head, rows);
}

fn subagents(out: &mut String, style: &Style, s: &Summary) {
    let runs: u64 = s.subagents.iter().map(|r| r.runs).sum();
    section(
        out,
        style,
        &format!("Subagents by type ({runs} finished runs)"),
    );
    let rows = s
        .subagents
        .iter()
        .map(|r| {
            let tokens = |n: u64| {
                if r.runs_with_usage == 0 {
                    "—".to_owned()
                } else {
                    thousands(n)
                }
            };
            vec![
                r.agent_type.clone(),
                r.runs.to_string(),
                r.unfinished.to_string(),
                r.median_duration_ms.map_or_else(|| "—".into(), human_ms),
                if r.timed_runs == 0 {
                    "—".into()
                } else {
                    human_ms(r.total_duration_ms)
                },
                tokens(r.input_tokens),
                tokens(r.output_tokens),
            ]
        })
        .collect();
    let head = [
        "TYPE",
        "RUNS",
        "UNFINISHED",
        "MEDIAN",
        "TOTAL",
        "INPUT TOKENS",
        "OUTPUT TOKENS",
    ];
    table(out, style, &head, rows);
}

fn guards(out: &mut String, style: &Style, s: &Summary) {
    let last = |t: Option<&str>| t.map_or_else(|| "—".into(), short_time);
    let mut by_decision: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for r in &s.blocked {
        *by_decision.entry(r.decision.as_str()).or_default() += r.count;
    }
    let counts: Vec<String> = by_decision
        .iter()
        .map(|(d, n)| format!("{n} {d}"))
        .collect();
    let counts = if counts.is_empty() {
        "0".to_owned()
    } else {
        counts.join(", ")
    };
    section(out, style, &format!("Blocked commands by rule ({counts})"));
    let rows = s
        .blocked
        .iter()
        .map(|r| {
            vec![
                r.hook.clone(),
                r.rule_id.clone(),
                r.decision.clone(),
                r.count.to_string(),
                last(r.last_at.as_deref()),
            ]
        })
        .collect();
    table(
        out,
        style,
        &["HOOK", "RULE", "DECISION", "COUNT", "LAST (UTC)"],
        rows,
    );

    let loops: u64 = s.loop_warnings.iter().map(|r| r.count).sum();
    section(out, style, &format!("Loop warnings ({loops})"));
    let rows = s
        .loop_warnings
        .iter()
        .map(|r| {
            vec![
                r.tool_name.clone(),
                r.count.to_string(),
                last(r.last_at.as_deref()),
            ]
        })
        .collect();
    table(out, style, &["TOOL", "COUNT", "LAST (UTC)"], rows);
}

pub(crate) struct Style {
    pub(crate) colour: bool,
}

impl Style {
    fn bold(&self, text: &str) -> String {
        if self.colour {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn dim(&self, text: &str) -> String {
        if self.colour {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn section(out: &mut String, style: &Style, title: &str) {
    let _ = writeln!(out, "\n{}", style.bold(title));
}

/// Columns padded to the widest cell (in characters); the last column is not padded.
pub(crate) fn table(out: &mut String, style: &Style, head: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        let _ = writeln!(out, "  none");
        return;
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([head[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let mut l = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            l.push(' ');
            l.push_str(c);
            if i + 1 < cells.len() {
                l.push_str(&" ".repeat(widths[i] - c.chars().count() + 1));
            }
        }
        l
    };
    let head_line = line(head.iter().map(|h| (*h).to_owned()).collect());
    let _ = writeln!(out, "{}", style.dim(&head_line));
    for r in rows {
        let _ = writeln!(out, "{}", line(r));
    }
}

/// `2026-11-27 10:21` from an ISO timestamp.
fn short_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t}"),
        _ => iso.to_owned(),
    }
}

fn human_ms(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", Duration::from_millis(ms).as_secs_f64()),
        _ => {
            let s = ms / 1000;
            if s < 3600 {
                format!("{}m {:02}s", s / 60, s % 60)
            } else {
                format!("{}h {:02}m", s / 3600, s % 3600 / 60)
            }
        }
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_hours(336)));
        for bad in ["", "7", "h", "3x", "1h30", "-1d", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(human_ms(850), "850 ms");
        assert_eq!(human_ms(12_300), "12.3 s");
        assert_eq!(human_ms(245_000), "4m 05s");
        assert_eq!(human_ms(3_720_000), "1h 02m");
        assert_eq!(short_time("2026-11-27T10:21:33.123Z"), "2026-11-27 10:21");
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;
    use so_events::summary::{LoopRow, Summary};

    #[test]
    fn colour_only_when_asked() {
        let s = Summary {
            loop_warnings: vec![LoopRow {
                tool_name: "Bash".into(),
                count: 2,
                last_at: None,
            }],
            ..Summary::default()
        };
        let plain = render(&s, "/p", false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(
            plain.contains("  TOOL  COUNT  LAST (UTC)\n  Bash  2      —\n"),
            "{plain}"
        );
        let coloured = render(&s, "/p", true);
        assert!(
            coloured.contains("\x1b[1mLoop warnings (2)\x1b[0m"),
            "{coloured}"
        );
    }
}
