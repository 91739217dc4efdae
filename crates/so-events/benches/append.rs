//! Append throughput in process: `cargo bench -p so-events --bench append`.
//!
//! Prints records per second for one thread and for four threads appending to the same
//! file (each append opens the file, takes the lock, writes one line, closes), and the cost
//! of a relaxed and a durable state update for comparison.

use std::path::Path;
use std::time::{Duration, Instant};

use so_events::{Durability, Layout, Record, Timestamp, append, update_json};

const RECORDS: u64 = 20_000;

fn record(seq: u64) -> Record {
    Record::new("orchestrator.bench.appended", Timestamp::now())
        .with("session_id", "3f1c2b9e-7a4d-4e21-9c55-0d8b6a1e2f47")
        .with("client", "claude")
        .with("seq", seq)
        .with("tool_name", "Bash")
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
    let n = n as f64;
    n / elapsed.as_secs_f64()
}

fn appends(path: &Path, threads: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for i in 0..RECORDS / threads {
                    if let Err(e) = append(path, &record(t * RECORDS + i)) {
                        eprintln!("append failed: {e}");
                        std::process::exit(1);
                    }
                }
            });
        }
    });
    start.elapsed()
}

fn updates(path: &Path, durability: Durability, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let r = update_json(path, durability, |v: &mut Option<u64>| {
            *v = Some(v.unwrap_or(0) + 1);
        });
        if let Err(e) = r {
            eprintln!("update failed: {e}");
            std::process::exit(1);
        }
    }
    start.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let root = std::env::temp_dir().join(format!("so-events-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::create_dir_all(&root);
    let layout = Layout::new(&root);
    if let Err(e) = layout.ensure() {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let line_bytes = record(0).to_line().len();
    println!("so-events append throughput ({RECORDS} records of ~{line_bytes} bytes each)");
    for threads in [1, 4] {
        let _ = std::fs::remove_file(layout.events());
        let elapsed = appends(&layout.events(), threads);
        let lines = std::fs::read_to_string(layout.events()).map_or(0, |t| t.lines().count());
        println!(
            "  {threads} thread(s): {:>9.0} records/s  ({:.1} µs per append, {lines} lines written)",
            per_second(RECORDS, elapsed),
            elapsed.as_secs_f64() * 1e6 / f64::from(u32::try_from(RECORDS).unwrap_or(1))
        );
    }
    for (label, durability, n) in [
        ("relaxed", Durability::Relaxed, 2_000u64),
        ("durable", Durability::Durable, 100),
    ] {
        let path = layout.runtime_dir().join(format!("{label}.json"));
        let elapsed = updates(&path, durability, n);
        println!(
            "  state update ({label}): {:.1} µs each over {n}",
            elapsed.as_secs_f64() * 1e6 / f64::from(u32::try_from(n).unwrap_or(1))
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
