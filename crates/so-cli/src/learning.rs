//! `session-orchestrator learning add|list`: `.orchestrator/metrics/learnings.jsonl`.
//!
//! A learning is one `orchestrator.learning.recorded` line with the original's fields (seed
//! §6.1). The file is append-only: adding a learning whose type and subject match an active
//! one appends a new line that names the old one in `supersedes`; readers show the newest.
//! `add` holds `runtime/.learnings.lock` from reading the file to appending, so two adds of
//! the same subject never both miss each other.
//!
//! Exit codes: 0 done, 1 invalid value, 2 I/O error, 64 bad arguments.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::{File, OpenOptions, TryLockError};
use std::hash::{BuildHasher as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use so_events::catalog::{self, Learning};
use so_events::{Layout, ReadRecord, Timestamp};

use crate::session_cmd::{CliError, session_id_from_env};
use crate::wave_scope::{Cursor, once, project_root};

/// The original's five learning types (its `evolve` skill).
pub(crate) const TYPES: &[&str] = &[
    "fragile-file",
    "effective-sizing",
    "recurring-issue",
    "scope-guidance",
    "deviation-pattern",
];

/// `learning-expiry-days` when the Session Config does not set it (the seed's default).
const DEFAULT_EXPIRY_DAYS: u64 = 30;
/// How long `add` waits for another writer's lock.
const LOCK_WAIT: Duration = Duration::from_secs(5);

fn learnings_file(layout: &Layout) -> PathBuf {
    layout.metrics_dir().join("learnings.jsonl")
}

/// `learning add|list`.
pub fn run(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("add") => add(&args[1..]),
        Some("list") => list(&args[1..]),
        Some(other) => Err(CliError::Args(format!(
            "unknown `learning` command `{other}`: use add or list"
        ))),
        None => Err(CliError::Args(
            "`learning` needs a command: add or list".into(),
        )),
    };
    result.map_or_else(CliError::report, |()| ExitCode::SUCCESS)
}

#[derive(Default)]
struct AddArgs<'a> {
    learning_type: Option<&'a str>,
    subject: Option<&'a str>,
    insight: Option<&'a str>,
    evidence: Option<&'a str>,
    confidence: Option<&'a str>,
    expires_days: Option<&'a str>,
    project: Option<&'a str>,
}

fn parse_add(args: &[String]) -> Result<AddArgs<'_>, CliError> {
    let mut a = AddArgs::default();
    let mut c = Cursor::new(args);
    while let Some(flag) = c.next_arg() {
        let slot = match flag {
            "--type" => &mut a.learning_type,
            "--subject" => &mut a.subject,
            "--insight" => &mut a.insight,
            "--evidence" => &mut a.evidence,
            "--confidence" => &mut a.confidence,
            "--expires-days" => &mut a.expires_days,
            "--project" => &mut a.project,
            other => {
                return Err(CliError::Args(format!(
                    "unknown argument `{other}` for `learning add`"
                )));
            }
        };
        // Empty values are checked below, as invalid values, with the others.
        let value = match c.next_arg() {
            Some(v) if !v.starts_with("--") => v,
            _ => return Err(CliError::Args(format!("`{flag}` needs a value"))),
        };
        once(slot, flag, value)?;
    }
    let missing: Vec<&str> = [
        ("--type", a.learning_type.is_none()),
        ("--subject", a.subject.is_none()),
        ("--insight", a.insight.is_none()),
        ("--evidence", a.evidence.is_none()),
        ("--confidence", a.confidence.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(f, _)| *f)
    .collect();
    if !missing.is_empty() {
        return Err(CliError::Args(format!(
            "`learning add` needs {}",
            missing.join(", ")
        )));
    }
    Ok(a)
}

/// The checked values of `add`.
struct NewLearning {
    learning_type: String,
    subject: String,
    insight: String,
    evidence: String,
    confidence: f64,
    expires_days: Option<u64>,
}

fn check_add(a: &AddArgs<'_>) -> Result<NewLearning, CliError> {
    let mut errors = Vec::new();
    let mut text = |flag: &str, v: Option<&str>| -> String {
        let v = v.unwrap_or_default().trim();
        if v.is_empty() {
            errors.push(format!("{flag}: must not be empty"));
        }
        v.to_owned()
    };
    let learning_type = text("--type", a.learning_type);
    let subject = text("--subject", a.subject);
    let insight = text("--insight", a.insight);
    let evidence = text("--evidence", a.evidence);
    if !learning_type.is_empty() && !TYPES.contains(&learning_type.as_str()) {
        errors.push(format!(
            "--type: `{learning_type}` is not one of {}",
            TYPES.join(", ")
        ));
    }
    let raw = a.confidence.unwrap_or_default().trim();
    let confidence = match raw.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1.0).contains(&x) => x,
        _ => {
            errors.push(format!(
                "--confidence: must be a number from 0 to 1, got `{raw}`"
            ));
            0.0
        }
    };
    let expires_days = a.expires_days.and_then(|raw| {
        let days = raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|d| (1..=36_500).contains(d));
        if days.is_none() {
            errors.push(format!(
                "--expires-days: must be a whole number of days from 1 to 36500, got `{raw}`"
            ));
        }
        days
    });
    if !errors.is_empty() {
        return Err(CliError::Invalid(errors));
    }
    Ok(NewLearning {
        learning_type,
        subject,
        insight,
        evidence,
        confidence,
        expires_days,
    })
}

fn add(args: &[String]) -> Result<(), CliError> {
    let a = parse_add(args)?;
    let new = check_add(&a)?;
    let root = project_root(a.project)?;
    let days = match new.expires_days {
        Some(d) => d,
        None => config_expiry_days(&root)?,
    };
    let layout = Layout::new(&root);
    layout.ensure().map_err(|e| CliError::Io(e.to_string()))?;
    let _lock = lock(&layout.runtime_dir().join(".learnings.lock"))?;
    let path = learnings_file(&layout);
    let records = so_events::read_records(&path).map_err(|e| CliError::Io(e.to_string()))?;
    let now = Timestamp::now();
    let learnings = current(&records.records, now);
    let replaced = learnings
        .iter()
        .filter(|l| !l.expired)
        .find(|l| {
            l.str("type") == Some(&new.learning_type) && l.str("subject") == Some(&new.subject)
        })
        .and_then(|l| l.str("id").map(str::to_owned));
    let id = new_id();
    let created_at = now.to_string();
    let expires_at = expiry(now, days).to_string();
    let session = session_id_from_env();
    let record = catalog::learning_recorded(
        now,
        &Learning {
            id: &id,
            learning_type: &new.learning_type,
            subject: &new.subject,
            insight: &new.insight,
            evidence: &new.evidence,
            confidence: new.confidence,
            source_session: session.as_deref(),
            created_at: &created_at,
            expires_at: &expires_at,
            supersedes: replaced.as_deref(),
        },
    );
    so_events::append(&path, &record).map_err(|e| CliError::Io(e.to_string()))?;
    crate::emit(&record.to_line());
    Ok(())
}

/// `now + days`.
fn expiry(now: Timestamp, days: u64) -> Timestamp {
    let ms = i64::try_from(days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
    Timestamp::from_millis(now.millis().saturating_add(ms))
}

/// `learning-expiry-days` from the Session Config (through `so-config`), else 30. A value
/// that is not a positive integer is an error, not the default.
fn config_expiry_days(root: &Path) -> Result<u64, CliError> {
    let config =
        so_config::SessionConfig::discover(root).map_err(|e| CliError::Io(e.to_string()))?;
    let Some(config) = config else {
        return Ok(DEFAULT_EXPIRY_DAYS);
    };
    match config.get_int("learning-expiry-days") {
        Ok(None) => Ok(DEFAULT_EXPIRY_DAYS),
        Ok(Some(d)) if d >= 1 => Ok(d.unsigned_abs()),
        Ok(Some(d)) => Err(CliError::Invalid(vec![format!(
            "learning-expiry-days in `{}`: must be at least 1, got {d}",
            config.path().display()
        )])),
        Err(e) => Err(CliError::Invalid(vec![e.to_string()])),
    }
}

/// An exclusive lock on `path`, waited for up to [`LOCK_WAIT`].
fn lock(path: &Path) -> Result<File, CliError> {
    let io = |e: std::io::Error| CliError::Io(format!("cannot lock `{}`: {e}", path.display()));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io)?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(CliError::Io(format!(
                    "`{}` stayed locked by another writer for {} s",
                    path.display(),
                    LOCK_WAIT.as_secs()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

/// A random id in the shape of a version-4 UUID. `std` has no random generator; its
/// `RandomState` is seeded from the operating system's randomness, and the time, the
/// process id and a counter make each call's input different.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 16];
    for (i, half) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(n);
        h.write_usize(i);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A learning as the file holds it.
struct Current {
    value: Map<String, Value>,
    expired: bool,
    created: Option<Timestamp>,
}

impl Current {
    fn str(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(Value::as_str)
    }
}

/// The learnings of `records` not superseded by a later line, newest first. Lines written
/// by the original (no `event`, same fields) count too.
fn current(records: &[ReadRecord], now: Timestamp) -> Vec<Current> {
    let is_learning = |r: &ReadRecord| {
        (r.event == catalog::names::LEARNING_RECORDED || r.event.is_empty())
            && ["id", "type", "subject"].iter().all(|k| r.str(k).is_some())
    };
    let learnings: Vec<&ReadRecord> = records.iter().filter(|r| is_learning(r)).collect();
    let superseded: BTreeSet<&str> = learnings
        .iter()
        .filter_map(|r| r.str("supersedes"))
        .collect();
    // The last line of an id wins (the original rewrote lines in place).
    let mut by_id: BTreeMap<&str, (usize, &ReadRecord)> = BTreeMap::new();
    for (i, r) in learnings.iter().enumerate() {
        if let Some(id) = r.str("id") {
            by_id.insert(id, (i, r));
        }
    }
    let mut out: Vec<(usize, Current)> = by_id
        .into_iter()
        .filter(|(id, _)| !superseded.contains(id))
        .map(|(_, (i, r))| {
            let expired = r
                .str("expires_at")
                .and_then(Timestamp::parse)
                .is_some_and(|t| t <= now);
            let created = r
                .str("created_at")
                .and_then(Timestamp::parse)
                .or(r.timestamp);
            (
                i,
                Current {
                    value: r.value.clone(),
                    expired,
                    created,
                },
            )
        })
        .collect();
    // Newest first; a learning without a readable time goes by its place in the file.
    out.sort_by(|(ia, a), (ib, b)| b.created.cmp(&a.created).then(ib.cmp(ia)));
    out.into_iter().map(|(_, c)| c).collect()
}

fn list(args: &[String]) -> Result<(), CliError> {
    let (mut json, mut all, mut project) = (false, false, None);
    let mut c = Cursor::new(args);
    while let Some(a) = c.next_arg() {
        match a {
            "--json" => json = true,
            "--all" => all = true,
            "--project" => once(&mut project, a, c.value(a, "the project directory")?)?,
            other => {
                return Err(CliError::Args(format!(
                    "unknown argument `{other}` for `learning list`"
                )));
            }
        }
    }
    let root = project_root(project)?;
    let path = learnings_file(&Layout::new(&root));
    let records = so_events::read_records(&path).map_err(|e| CliError::Io(e.to_string()))?;
    if records.unparsed > 0 {
        eprintln!(
            "note: {} lines of `{}` were not JSON records and were skipped",
            records.unparsed,
            path.display()
        );
    }
    let shown: Vec<Current> = current(&records.records, Timestamp::now())
        .into_iter()
        .filter(|l| all || !l.expired)
        .collect();
    if json {
        let array: Vec<Value> = shown
            .iter()
            .map(|l| {
                let mut v = l.value.clone();
                v.insert("expired".into(), l.expired.into());
                Value::Object(v)
            })
            .collect();
        crate::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&array).unwrap_or_else(|_| "[]".into())
        ));
    } else {
        crate::emit(&render(&shown, all));
    }
    Ok(())
}

fn render(shown: &[Current], all: bool) -> String {
    let n_expired = shown.iter().filter(|l| l.expired).count();
    let mut out = if all {
        format!(
            "Learnings ({} active, {n_expired} expired)\n",
            shown.len() - n_expired
        )
    } else {
        format!("Learnings ({} active)\n", shown.len())
    };
    let date = |l: &Current, key: &str| {
        l.str(key)
            .map_or_else(|| "—".to_owned(), |t| t.get(..10).unwrap_or(t).to_owned())
    };
    let rows = shown
        .iter()
        .map(|l| {
            let confidence = l
                .value
                .get("confidence")
                .and_then(Value::as_f64)
                .map_or_else(|| "—".to_owned(), |c| format!("{c:.2}"));
            let mut expires = date(l, "expires_at");
            if l.expired {
                expires.push_str(" (expired)");
            }
            vec![
                l.str("id").unwrap_or("?").chars().take(8).collect(),
                l.str("type").unwrap_or("?").to_owned(),
                l.str("subject").unwrap_or("?").to_owned(),
                confidence,
                date(l, "created_at"),
                expires,
                l.str("insight").unwrap_or("").to_owned(),
            ]
        })
        .collect();
    let style = crate::metrics::Style { colour: false };
    crate::metrics::table(
        &mut out,
        &style,
        &[
            "ID",
            "TYPE",
            "SUBJECT",
            "CONFIDENCE",
            "CREATED",
            "EXPIRES",
            "INSIGHT",
        ],
        rows,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let ids: BTreeSet<String> = (0..1000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids.iter().take(5) {
            assert_eq!(id.len(), 36, "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        }
    }

    fn line(
        id: &str,
        subject: &str,
        created: &str,
        expires: &str,
        supersedes: Option<&str>,
    ) -> ReadRecord {
        let v = serde_json::json!({
            "event": catalog::names::LEARNING_RECORDED, "id": id, "type": "fragile-file",
            "subject": subject, "created_at": created, "expires_at": expires, "supersedes": supersedes,
        });
        ReadRecord::parse(&v.to_string()).unwrap_or_else(|| panic!("{v}"))
    }

    #[test]
    fn newest_first_without_superseded_ones() {
        let now = Timestamp::parse("2026-06-01T00:00:00Z").unwrap_or_else(|| panic!("time"));
        let records = [
            line(
                "a",
                "src/x.rs",
                "2026-05-01T00:00:00Z",
                "2026-07-01T00:00:00Z",
                None,
            ),
            line(
                "b",
                "src/y.rs",
                "2026-05-02T00:00:00Z",
                "2026-05-20T00:00:00Z",
                None,
            ),
            line(
                "c",
                "src/x.rs",
                "2026-05-03T00:00:00Z",
                "2026-07-03T00:00:00Z",
                Some("a"),
            ),
        ];
        let got: Vec<(String, bool)> = current(&records, now)
            .iter()
            .map(|l| (l.str("id").unwrap_or("").to_owned(), l.expired))
            .collect();
        assert_eq!(got, [("c".to_owned(), false), ("b".to_owned(), true)]);
    }
}
