//! Storage guarantees under concurrency and faults, with real processes.
//!
//! The writers are this test binary itself, re-executed in "child mode": a child runs only
//! the `child` test, which reads its job from `SO_EVENTS_CHILD_*` variables and does it
//! through the public API (so every writer is a separate process with its own file handles,
//! as hook processes are). Without those variables `child` does nothing.
//!
//! Faults: the file-size limit is set with the shell's `ulimit -f` (blocks of 512 bytes in
//! `dash`, which `/bin/sh` is here; the tests size the file from the limit they set, so a
//! shell using 1024-byte blocks only makes room larger) before `exec`ing the child.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use so_events::{
    AppendOptions, Durability, Layout, ReadRecord, Record, StorageError, Timestamp, append_with,
    read_json, rotate_if_needed, update_json, with_backups,
};

const WRITERS: usize = 8;
const APPENDS: u64 = 1_000;
const UPDATES: u64 = 200;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct TempProject {
    root: PathBuf,
}

impl TempProject {
    fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("so-events-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        Self { root }
    }

    fn layout(&self) -> Layout {
        let l = Layout::new(&self.root);
        l.ensure().unwrap();
        l
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

// ---------------------------------------------------------------------------------------
// Child mode
// ---------------------------------------------------------------------------------------

/// The work of one child process; a no-op in the normal test run.
#[test]
fn child() {
    let Ok(job) = std::env::var("SO_EVENTS_CHILD_JOB") else {
        return;
    };
    let root = PathBuf::from(std::env::var("SO_EVENTS_CHILD_ROOT").unwrap());
    let writer = std::env::var("SO_EVENTS_CHILD_WRITER").unwrap_or_default();
    let n = |k: &str| -> u64 {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let layout = Layout::new(&root);
    match job.as_str() {
        "stress" => stress(
            &layout,
            &writer,
            n("SO_EVENTS_CHILD_APPENDS"),
            n("SO_EVENTS_CHILD_UPDATES"),
        ),
        "append-one" => {
            let options = AppendOptions {
                fsize_precheck: std::env::var_os("SO_EVENTS_CHILD_NO_PRECHECK").is_none(),
            };
            let record = Record::new("orchestrator.test.appended", Timestamp::now())
                .with("padding", "y".repeat(400));
            match append_with(&layout.events(), &record, options) {
                Ok(()) => println!("RESULT ok"),
                Err(StorageError::FileSizeLimit { .. }) => println!("RESULT fsize-limit"),
                Err(e) => println!("RESULT error {:?} {e}", e.kind()),
            }
        }
        other => panic!("unknown child job {other}"),
    }
}

fn stress(layout: &Layout, writer: &str, appends: u64, updates: u64) {
    for seq in 0..appends.max(updates) {
        if seq < appends {
            let record = Record::new("orchestrator.stress.appended", Timestamp::now())
                .with("writer", writer)
                .with("seq", seq)
                // Lines of 150 to 350 bytes: some writes cross page and pipe-buffer sizes.
                .with("padding", "x".repeat(usize::try_from(seq % 200).unwrap()));
            for path in [layout.events(), layout.subagents()] {
                so_events::append(&path, &record).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        if seq < updates {
            update_json(
                &layout.current_session(),
                Durability::Durable,
                |state: &mut Option<Value>| {
                    let doc = state.get_or_insert_with(|| serde_json::json!({}));
                    let total = doc["stress_counter"].as_u64().unwrap_or(0);
                    doc["stress_counter"] = (total + 1).into();
                    doc["stress_by_writer"][writer] = (seq + 1).into();
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Starts this binary in child mode for `job`.
fn spawn_child(
    job: &str,
    root: &Path,
    env: &[(&str, String)],
    shell_prefix: Option<&str>,
) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match shell_prefix {
        // `exec "$0" "$@"` keeps the limits set by the prefix for the test binary itself.
        Some(prefix) => {
            let mut c = Command::new("/bin/sh");
            c.arg("-c")
                .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                .arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env("SO_EVENTS_CHILD_JOB", job)
        .env("SO_EVENTS_CHILD_ROOT", root);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "child failed ({:?}): {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every line parses as a record; returns the `seq` numbers seen per writer.
fn check_records(texts: &[String], what: &str) -> BTreeMap<String, Vec<u64>> {
    let mut seen: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (i, line) in texts.iter().enumerate() {
        let r = ReadRecord::parse(line)
            .unwrap_or_else(|| panic!("{what}: line {} is not a record: {line:?}", i + 1));
        assert_eq!(r.value["schema_version"], 1, "{what}: {line}");
        assert!(r.timestamp.is_some(), "{what}: bad timestamp in {line}");
        if r.event == "orchestrator.stress.appended" {
            seen.entry(r.str("writer").unwrap().to_owned())
                .or_default()
                .push(r.u64("seq").unwrap());
        }
    }
    seen
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// 8 processes × 1,000 appends to each of two logs, plus 8 × 200 read-modify-write
/// updates of `current-session.json`, all at once: every line parses, no record is lost or
/// duplicated, and no update is lost.
#[test]
fn eight_processes_append_and_update_concurrently() {
    let project = TempProject::new("stress");
    let layout = project.layout();
    let started = Instant::now();
    let children: Vec<Child> = (0..WRITERS)
        .map(|w| {
            spawn_child(
                "stress",
                &project.root,
                &[
                    ("SO_EVENTS_CHILD_WRITER", format!("w{w}")),
                    ("SO_EVENTS_CHILD_APPENDS", APPENDS.to_string()),
                    ("SO_EVENTS_CHILD_UPDATES", UPDATES.to_string()),
                ],
                None,
            )
        })
        .collect();
    for c in children {
        finish(c);
    }
    eprintln!("{WRITERS} writers done in {:?}", started.elapsed());

    for path in [layout.events(), layout.subagents()] {
        let text = lines(&path);
        assert_eq!(
            text.len(),
            WRITERS * usize::try_from(APPENDS).unwrap(),
            "{}",
            path.display()
        );
        let seen = check_records(&text, &path.display().to_string());
        assert_eq!(seen.len(), WRITERS);
        for (writer, mut seqs) in seen {
            // Each writer's own records appear in its order (one process appends serially).
            assert!(
                seqs.windows(2).all(|w| w[0] < w[1]),
                "{writer} out of order"
            );
            seqs.dedup();
            assert_eq!(
                seqs,
                (0..APPENDS).collect::<Vec<_>>(),
                "{writer} lost records"
            );
        }
    }
    let state: Value = read_json(&layout.current_session()).unwrap().unwrap();
    assert_eq!(
        state["stress_counter"],
        UPDATES * WRITERS as u64,
        "lost updates: {state}"
    );
    for w in 0..WRITERS {
        assert_eq!(state["stress_by_writer"][format!("w{w}")], UPDATES);
    }
    let leftovers: Vec<String> = std::fs::read_dir(layout.runtime_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".corrupt-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Rotation while 4 processes append: every record ends up in the active log or a backup,
/// complete, exactly once.
#[test]
fn rotation_under_concurrent_appends_loses_nothing() {
    let project = TempProject::new("rotate");
    let layout = project.layout();
    let children: Vec<Child> = (0..4)
        .map(|w| {
            spawn_child(
                "stress",
                &project.root,
                &[
                    ("SO_EVENTS_CHILD_WRITER", format!("r{w}")),
                    ("SO_EVENTS_CHILD_APPENDS", "500".into()),
                    ("SO_EVENTS_CHILD_UPDATES", "0".into()),
                ],
                None,
            )
        })
        .collect();
    let mut rotations = 0;
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut running = children;
    let mut done = Vec::new();
    while !running.is_empty() && Instant::now() < deadline {
        if rotate_if_needed(&layout.events(), 16 * 1024, 1_000)
            .unwrap()
            .is_some()
        {
            rotations += 1;
        }
        std::thread::sleep(Duration::from_millis(5));
        let (finished, still): (Vec<Child>, Vec<Child>) =
            running.into_iter().partition_map_exited();
        done.extend(finished);
        running = still;
    }
    for c in running.into_iter().chain(done) {
        finish(c);
    }
    assert!(rotations > 0, "the test must actually rotate");
    let mut all = Vec::new();
    for path in with_backups(&layout.events()) {
        all.extend(lines(&path));
    }
    assert_eq!(all.len(), 2_000, "after {rotations} rotations");
    let seen = check_records(&all, "rotated logs");
    for (writer, mut seqs) in seen {
        seqs.sort_unstable();
        assert_eq!(seqs, (0..500).collect::<Vec<_>>(), "{writer}");
    }
}

/// Splits children into exited and still running.
trait PartitionExited {
    fn partition_map_exited(self) -> (Vec<Child>, Vec<Child>);
}

impl PartitionExited for std::vec::IntoIter<Child> {
    fn partition_map_exited(self) -> (Vec<Child>, Vec<Child>) {
        let mut exited = Vec::new();
        let mut running = Vec::new();
        for mut c in self {
            if c.try_wait().unwrap().is_some() {
                exited.push(c);
            } else {
                running.push(c);
            }
        }
        (exited, running)
    }
}

/// Fills `events.jsonl` with complete records to just under `limit_bytes`.
fn fill_near(path: &Path, limit_bytes: u64) -> Vec<u8> {
    let mut text = String::new();
    let mut seq = 0u64;
    loop {
        let line = Record::new("orchestrator.test.filled", Timestamp::from_millis(0))
            .with("seq", seq)
            .to_line();
        if (text.len() + line.len()) as u64 > limit_bytes - 100 {
            break;
        }
        text.push_str(&line);
        seq += 1;
    }
    std::fs::write(path, &text).unwrap();
    text.into_bytes()
}

/// A file-size limit the next record would cross: the append is refused before any byte is
/// written, the process is not killed by `SIGXFSZ`, and the log is unchanged.
#[test]
fn file_size_limit_is_refused_before_writing() {
    let project = TempProject::new("fsize");
    let layout = project.layout();
    let blocks = 16; // 8 KiB with dash's 512-byte blocks
    let before = fill_near(&layout.events(), blocks * 512);
    let out = finish(spawn_child(
        "append-one",
        &project.root,
        &[],
        Some(&format!("ulimit -f {blocks}")),
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("RESULT fsize-limit"), "{stdout}");
    assert_eq!(std::fs::read(layout.events()).unwrap(), before);
}

/// The same limit with the pre-check off and `SIGXFSZ` ignored: the kernel cuts the write
/// short (a partial line on disk), the append fails, and the partial bytes are removed
/// again before the lock is released — the log holds only complete lines.
#[test]
fn a_write_cut_short_is_rolled_back() {
    let project = TempProject::new("rollback");
    let layout = project.layout();
    let blocks = 16;
    let before = fill_near(&layout.events(), blocks * 512);
    let out = finish(spawn_child(
        "append-one",
        &project.root,
        &[("SO_EVENTS_CHILD_NO_PRECHECK", "1".into())],
        Some(&format!("trap '' XFSZ; ulimit -f {blocks}")),
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("RESULT error Full"), "{stdout}");
    let after = std::fs::read(layout.events()).unwrap();
    assert_eq!(after, before, "partial line left behind");
    for line in String::from_utf8(after).unwrap().lines() {
        assert!(ReadRecord::parse(line).is_some(), "{line}");
    }
}

/// Appends to a log whose directory is a regular file fail cleanly (`ENOTDIR`), without
/// creating anything.
#[test]
fn a_file_where_the_directory_should_be_is_an_error_not_a_crash() {
    let project = TempProject::new("enotdir");
    std::fs::write(project.root.join(".orchestrator"), "not a directory\n").unwrap();
    let layout = Layout::new(&project.root);
    let err = layout.ensure().unwrap_err();
    assert_eq!(err.kind(), so_events::ProblemKind::Unwritable, "{err}");
    let record = Record::new("orchestrator.test.x", Timestamp::now());
    let err = so_events::append(&layout.events(), &record).unwrap_err();
    assert_eq!(err.kind(), so_events::ProblemKind::Unwritable, "{err}");
    assert_eq!(
        std::fs::read_to_string(project.root.join(".orchestrator")).unwrap(),
        "not a directory\n"
    );
    let names: BTreeSet<String> = std::fs::read_dir(&project.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([".git".to_owned(), ".orchestrator".to_owned()])
    );
}
