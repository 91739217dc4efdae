//! Gathering the [`Signals`] of a project from what is recorded: session reports in
//! `sessions.jsonl`, learnings in `learnings.jsonl`, `STATE.md`'s recommendation fields, and
//! git (uncommitted changes, commits since the last recorded session).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use so_events::{Layout, Timestamp};

use crate::mode::{Recommendation, Signals, StateFields, recommend};
use crate::report::read_reports;

/// `learnings.jsonl` under the metrics directory.
pub const LEARNINGS_FILE: &str = "learnings.jsonl";

/// Learning types that point at trouble spots.
const TROUBLE_TYPES: [&str; 2] = ["recurring-issue", "fragile-file"];

/// The signals of the project at `root` at time `now`, with STATE.md read from
/// `<root>/<state_dir>/STATE.md` (`state_dir`: `.claude`, `.codex` or `.cursor`), and a line
/// for every input that could not be read (the signal is then unknown, never made up).
pub fn gather(root: &Path, state_dir: &str, now: Timestamp) -> (Signals, Vec<String>) {
    let layout = Layout::new(root);
    let mut problems = Vec::new();
    let reports = read_reports(&layout).unwrap_or_else(|e| {
        problems.push(format!("session reports: {e}"));
        Vec::new()
    });
    let last = reports.iter().max_by_key(|r| r.recorded_at).cloned();
    let (learnings_active, learnings_trouble) = learnings(&layout, now).unwrap_or_else(|e| {
        problems.push(format!("learnings: {e}"));
        (0, 0)
    });
    let state = state_fields(root, state_dir).unwrap_or_else(|e| {
        problems.push(format!("STATE.md: {e}"));
        None
    });
    let git = Git::new(root);
    let uncommitted_changes = git.uncommitted_changes();
    let commits_since_last_session = last
        .as_ref()
        .and_then(|r| r.recorded_at)
        .and_then(|t| git.commits_since(t));
    let signals = Signals {
        sessions_recorded: reports.len(),
        last_session: last,
        state,
        uncommitted_changes,
        commits_since_last_session,
        learnings_active,
        learnings_trouble,
    };
    (signals, problems)
}

/// The signals and the recommendation for the project at `root` now (STATE.md from
/// `state_dir`, see [`gather`]).
pub fn evaluate(root: &Path, state_dir: &str) -> (Signals, Recommendation, Vec<String>) {
    let (signals, problems) = gather(root, state_dir, Timestamp::now());
    let rec = recommend(&signals);
    (signals, rec, problems)
}

/// `(active, trouble)`: learnings not expired at `now`, not superseded, with confidence
/// ≥ 0.5, and of those the `recurring-issue`/`fragile-file` ones with confidence ≥ 0.7.
fn learnings(layout: &Layout, now: Timestamp) -> Result<(usize, usize), so_events::StorageError> {
    let path = layout.metrics_dir().join(LEARNINGS_FILE);
    let records = so_events::read_records(&path)?.records;
    // A learning replaced by a newer one of the same type and subject is not in force.
    let superseded: Vec<&str> = records.iter().filter_map(|r| r.str("supersedes")).collect();
    let mut active = 0;
    let mut trouble = 0;
    for r in records
        .iter()
        .filter(|r| !r.str("id").is_some_and(|id| superseded.contains(&id)))
    {
        let confidence = r
            .value
            .get("confidence")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        let expired = r
            .str("expires_at")
            .and_then(Timestamp::parse)
            .is_some_and(|t| t <= now);
        if expired || confidence < 0.5 {
            continue;
        }
        active += 1;
        if confidence >= 0.7 && r.str("type").is_some_and(|t| TROUBLE_TYPES.contains(&t)) {
            trouble += 1;
        }
    }
    Ok((active, trouble))
}

/// `STATE.md`'s recommendation fields, read through `so-state` (its one parser); `None`
/// without the file or when it has none of them. A file that does not parse is an error
/// (reported, the fields unknown).
fn state_fields(root: &Path, state_dir: &str) -> Result<Option<StateFields>, String> {
    let file = so_state::StateFile::new(root, state_dir);
    let doc = file
        .load()
        .map_err(|e| format!("{}: {e}", file.path().display()))?;
    Ok(doc.and_then(|d| {
        let f = d.frontmatter;
        let fields = StateFields {
            recommended_mode: f.recommended_mode,
            carryover_ratio: f.carryover_ratio,
            completion_rate: f.completion_rate,
        };
        (fields != StateFields::default()).then_some(fields)
    }))
}

/// Read-only git queries in the project (no optional locks taken).
struct Git<'a> {
    root: &'a Path,
}

impl<'a> Git<'a> {
    fn new(root: &'a Path) -> Self {
        Self { root }
    }

    fn run(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.root)
            .args(args)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Changed, staged and untracked files, not counting the session record itself
    /// (`.orchestrator/`); `None` outside a git repository.
    fn uncommitted_changes(&self) -> Option<usize> {
        let out = self.run(&["status", "--porcelain", "--untracked-files=all"])?;
        Some(count_changes(&out))
    }

    /// Commits on `HEAD` committed after `since` (at most the last 1000 looked at).
    fn commits_since(&self, since: Timestamp) -> Option<u64> {
        let out = self.run(&["log", "--format=%ct", "--max-count=1000", "HEAD"])?;
        Some(count_commits_after(&out, since))
    }
}

/// The state directories whose bookkeeping files are not the user's changes.
const STATE_DIRS: [&str; 3] = [".claude/", ".codex/", ".cursor/"];
/// Files of a state directory that the orchestration itself rewrites.
const STATE_FILES: [&str; 3] = ["STATE.md", "wave-scope.json", "wave-scope.lock"];

/// Counts `git status --porcelain` entries that are changes to the project, not the
/// orchestration's own bookkeeping: anything under `.orchestrator/`, and `STATE.md`, the wave
/// manifest and its lock in `.claude/`, `.codex/` and `.cursor/` (rewritten by every session,
/// whether or not the project tracks them).
pub fn count_changes(porcelain: &str) -> usize {
    porcelain
        .lines()
        .filter(|l| l.len() > 3)
        .filter(|l| {
            // `XY path` or `XY old -> new`; a quoted path is in `"…"`.
            let path = l[3..].rsplit(" -> ").next().unwrap_or_default();
            !is_bookkeeping(path.trim_matches('"'))
        })
        .count()
}

fn is_bookkeeping(path: &str) -> bool {
    if path == ".orchestrator" || path.starts_with(".orchestrator/") {
        return true;
    }
    STATE_DIRS.iter().any(|dir| {
        path.strip_prefix(dir).is_some_and(|file| {
            STATE_FILES.contains(&file) || file.starts_with("STATE.md.corrupt-")
        })
    })
}

/// Counts commit times (`%ct`, Unix seconds, one per line) later than `since`.
pub fn count_commits_after(log: &str, since: Timestamp) -> u64 {
    let since_s = since.millis().div_euclid(1000);
    let n = log
        .lines()
        .filter_map(|l| l.trim().parse::<i64>().ok())
        .filter(|t| *t > since_s)
        .count();
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_outside_the_session_record() {
        let porcelain = " M src/lib.rs\n?? .orchestrator/metrics/events.jsonl\n\
                         R  old.rs -> new.rs\n?? \"with space.txt\"\n?? .orchestrator\n\
                         ?? .claude/STATE.md\n M .codex/wave-scope.json\n\
                         ?? .claude/STATE.md.corrupt-123\n M .claude/settings.json\n\
                         ?? docs/STATE.md\n";
        // Counted: src/lib.rs, the rename, the quoted file, .claude/settings.json and
        // docs/STATE.md (not in a state directory).
        assert_eq!(count_changes(porcelain), 5);
        assert_eq!(count_changes(""), 0);
    }

    #[test]
    fn commits_after_a_time() {
        let log = "1700000300\n1700000200\n1700000100\n";
        assert_eq!(
            count_commits_after(log, Timestamp::from_millis(1_700_000_150_000)),
            2
        );
        assert_eq!(
            count_commits_after(log, Timestamp::from_millis(1_700_000_300_000)),
            0
        );
    }

    fn temp_project(name: &str) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!("so-autopilot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".orchestrator/metrics"))
            .unwrap_or_else(|e| panic!("{e}"));
        root
    }

    #[test]
    fn learnings_in_force() {
        let root = temp_project("learnings");
        let lines = [
            r#"{"id":"l1","type":"fragile-file","confidence":0.9,"expires_at":"2099-01-01T00:00:00Z"}"#,
            r#"{"id":"l0","type":"recurring-issue","confidence":0.9}"#,
            r#"{"id":"l5","type":"recurring-issue","confidence":0.5,"supersedes":"l0"}"#,
            r#"{"type":"recurring-issue","confidence":0.6}"#,
            r#"{"type":"fragile-file","confidence":0.9,"expires_at":"2001-01-01T00:00:00Z"}"#,
            r#"{"type":"pattern","confidence":0.4}"#,
        ];
        std::fs::write(
            root.join(".orchestrator/metrics/learnings.jsonl"),
            lines.join("\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let got = learnings(
            &Layout::new(&root),
            Timestamp::from_millis(1_800_000_000_000),
        );
        // In force: l1, l5 and the unnamed 0.6 one (l0 is superseded, one expired, one too
        // unsure); trouble: only l1 (the others are below 0.7).
        assert_eq!(got.ok(), Some((3, 1)));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn state_md_recommendation_through_so_state() {
        let root = temp_project("state");
        std::fs::create_dir_all(root.join(".claude")).unwrap_or_else(|e| panic!("{e}"));
        let text = "---\nschema-version: 1\nsession-type: feature\nbranch: main\nissues: []\n\
                    started_at: 2026-05-04T09:00:00Z\nstatus: completed\ncurrent-wave: 5\n\
                    total-waves: 5\nrecommended-mode: housekeeping\ncarryover-ratio: 0.1\n\
                    completion-rate: 0.9\n---\n";
        std::fs::write(root.join(".claude/STATE.md"), text).unwrap_or_else(|e| panic!("{e}"));
        let (s, problems) = gather(&root, ".claude", Timestamp::now());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            s.state,
            Some(StateFields {
                recommended_mode: Some("housekeeping".into()),
                carryover_ratio: Some(0.1),
                completion_rate: Some(0.9),
            })
        );
        // Another client's state directory has no STATE.md: nothing read, no problem.
        let (other, problems) = gather(&root, ".codex", Timestamp::now());
        assert!(other.state.is_none() && problems.is_empty());
        // A STATE.md that does not parse is reported, its fields unknown.
        std::fs::write(root.join(".claude/STATE.md"), "---\nstatus: [\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let (broken, problems) = gather(&root, ".claude", Timestamp::now());
        assert!(broken.state.is_none());
        assert!(
            problems.iter().any(|p| p.starts_with("STATE.md:")),
            "{problems:?}"
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn gather_reads_reports_and_tolerates_a_project_without_git() {
        let root = temp_project("gather");
        std::fs::write(
            root.join(".orchestrator/metrics/sessions.jsonl"),
            concat!(
                r#"{"schema_version":1,"timestamp":"2026-01-01T00:00:00.000Z","event":"orchestrator.session.reported","session_id":"a","agent_summary":{"complete":2,"partial":0,"failed":0,"spiral":0},"issues_planned":2,"carryover":0}"#,
                "\n",
                r#"{"schema_version":1,"timestamp":"2026-01-02T00:00:00.000Z","event":"orchestrator.session.recorded","session_id":"b"}"#,
                "\n"
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (s, problems) = gather(&root, ".claude", Timestamp::now());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.sessions_recorded, 1);
        assert_eq!(
            s.last_session.and_then(|r| r.session_id).as_deref(),
            Some("a")
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
