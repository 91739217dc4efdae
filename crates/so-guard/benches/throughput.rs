//! Throughput of `Guard::check` over the labelled corpora.
//!
//! `cargo bench -p so-guard --bench throughput`
//!
//! Loads `tests/corpus/{guard-cases,own-cases,real-world}.tsv`, builds one guard with the
//! shipped policy, warms up, then runs every command once per round for several rounds.
//! Prints commands/second (median over rounds) overall and per corpus, the slowest five
//! commands (per-call median), and the per-category mean per call.
//!
//! Target (docs): at least 100,000 typical commands per second.
//!
//! Environment knobs: `BENCH_ROUNDS` (default 15), `BENCH_SAMPLES` (per-command samples
//! for the slowest/category tables, default 21), `BENCH_INNER` (calls per sample, default 8).
//! A plain `cargo test --benches` run passes `--bench` absent; then only one quick round runs
//! so the bench target stays cheap as a smoke test.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use so_guard::{Decision, Guard, GuardContext, Policy};

const CORPORA: [&str; 3] = ["guard-cases.tsv", "own-cases.tsv", "real-world.tsv"];

/// Target from the docs, in commands per second.
const TARGET_PER_SEC: f64 = 100_000.0;

struct Case {
    corpus: &'static str,
    id: String,
    command: String,
    category: String,
}

fn load(name: &'static str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 4, "{name}: bad line {l}");
            Case {
                corpus: name,
                id: f[0].to_owned(),
                command: f[1].replace("\\n", "\n"),
                category: f[3].to_owned(),
            }
        })
        .collect()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

fn fmt_rate(r: f64) -> String {
    // Thousands separators for readability.
    let s = format!("{r:.0}");
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace('\n', "\\n");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn run_all(guard: &Guard, cx: &GuardContext, cases: &[Case]) -> Duration {
    let start = Instant::now();
    for c in cases {
        black_box(guard.check(black_box(&c.command), cx));
    }
    start.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = if full {
        env_usize("BENCH_ROUNDS", 15)
    } else {
        1
    };
    let samples = if full {
        env_usize("BENCH_SAMPLES", 21)
    } else {
        1
    };
    let inner = if full { env_usize("BENCH_INNER", 8) } else { 1 };

    let cases: Vec<Case> = CORPORA.iter().flat_map(|n| load(n)).collect();
    let cx = GuardContext::fixed(
        Path::new("/home/dev/project"),
        Path::new("/home/dev/project"),
        Path::new("/home/dev"),
    );

    let t = Instant::now();
    let policy = Policy::shipped();
    let t_policy = t.elapsed();
    let t = Instant::now();
    let guard = Guard::new(policy);
    let t_guard = t.elapsed();

    // First call of all: pays lazy initialisation (OnceLock regexes etc.), like a hook
    // process does on its only call.
    let deny = "git reset --hard HEAD~1";
    let t = Instant::now();
    let first = guard.check(deny, &cx);
    let t_first = t.elapsed();
    assert_eq!(first.decision, Decision::Deny, "sanity check failed");

    // Warm-up: two full passes (first pass compiles every lazily built regex).
    let t = Instant::now();
    run_all(&guard, &cx, &cases);
    let t_cold_pass = t.elapsed();
    run_all(&guard, &cx, &cases);

    // Rounds over the whole corpus.
    let mut per_round: Vec<f64> = (0..rounds)
        .map(|_| cases.len() as f64 / run_all(&guard, &cx, &cases).as_secs_f64())
        .collect();
    let min_rate = per_round.iter().copied().fold(f64::INFINITY, f64::min);
    let max_rate = per_round.iter().copied().fold(0.0, f64::max);
    let overall = median(&mut per_round);

    // Per-command medians: `samples` samples of `inner` calls each, interleaved across
    // commands so drift affects all alike.
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(samples); cases.len()];
    for _ in 0..samples {
        for (i, c) in cases.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..inner {
                black_box(guard.check(black_box(&c.command), &cx));
            }
            times[i].push(start.elapsed().as_secs_f64() * 1e6 / inner as f64);
        }
    }
    let per_cmd: Vec<f64> = times.iter_mut().map(|v| median(v)).collect();
    let total_us: f64 = per_cmd.iter().sum();

    // Per corpus rate from per-command medians.
    let mut by_corpus: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for (c, us) in cases.iter().zip(&per_cmd) {
        let e = by_corpus.entry(c.corpus).or_default();
        e.0 += 1;
        e.1 += us;
    }

    // Per category: mean of the per-command medians.
    let mut by_cat: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
    for (c, us) in cases.iter().zip(&per_cmd) {
        let e = by_cat.entry(c.category.as_str()).or_insert((0, 0.0, 0.0));
        e.0 += 1;
        e.1 += us;
        e.2 = e.2.max(*us);
    }

    let mut sorted: Vec<usize> = (0..cases.len()).collect();
    sorted.sort_by(|&a, &b| per_cmd[b].total_cmp(&per_cmd[a]));
    let mut all_sorted = per_cmd.clone();
    let p50 = median(&mut all_sorted);
    let p95 = all_sorted[((all_sorted.len() as f64 * 0.95) as usize).min(all_sorted.len() - 1)];
    let p99 = all_sorted[((all_sorted.len() as f64 * 0.99) as usize).min(all_sorted.len() - 1)];

    let rule = "-".repeat(78);
    println!();
    println!(
        "so-guard throughput  ({} commands from {} corpora, shipped policy)",
        cases.len(),
        CORPORA.len()
    );
    if !full {
        println!("(quick smoke run: use `cargo bench -p so-guard --bench throughput` for figures)");
    }
    println!("{rule}");
    println!("setup                                     time");
    println!(
        "  Policy::shipped() (JSON parse)      {:>9.1} µs",
        t_policy.as_secs_f64() * 1e6
    );
    println!(
        "  Guard::new                          {:>9.1} µs",
        t_guard.as_secs_f64() * 1e6
    );
    println!(
        "  first check (cold, {deny:?}) {:>6.1} µs",
        t_first.as_secs_f64() * 1e6
    );
    println!(
        "  first full pass (cold lazies)       {:>9.1} µs  ({:.2} µs/cmd)",
        t_cold_pass.as_secs_f64() * 1e6,
        t_cold_pass.as_secs_f64() * 1e6 / cases.len() as f64
    );
    println!("{rule}");
    println!("overall ({rounds} rounds after 2 warm-up passes)");
    println!(
        "  median     {:>12} commands/s   ({:.2} µs/command)",
        fmt_rate(overall),
        1e6 / overall
    );
    println!(
        "  min / max  {:>12} / {} commands/s",
        fmt_rate(min_rate),
        fmt_rate(max_rate)
    );
    let typical = 1e6 / p50;
    let met = |rate: f64| {
        if rate >= TARGET_PER_SEC {
            "MET"
        } else {
            "MISSED"
        }
    };
    println!(
        "  typical    {:>12} commands/s   (1 / median per-command latency)",
        fmt_rate(typical)
    );
    println!(
        "  target     {:>12} typical commands/s: typical {}, whole-corpus median {}",
        fmt_rate(TARGET_PER_SEC),
        met(typical),
        met(overall)
    );
    println!(
        "  per-command median latency: p50 {p50:.2} µs, p95 {p95:.2} µs, p99 {p99:.2} µs, sum {total_us:.0} µs"
    );
    println!("{rule}");
    println!(
        "{:<20} {:>6} {:>14} {:>14}",
        "corpus", "cmds", "mean µs/cmd", "commands/s"
    );
    for (name, (n, us)) in &by_corpus {
        let mean = us / *n as f64;
        println!(
            "{:<20} {:>6} {:>14.2} {:>14}",
            name,
            n,
            mean,
            fmt_rate(1e6 / mean)
        );
    }
    println!("{rule}");
    println!("slowest 5 commands (per-call median of {samples} samples x {inner} calls)");
    println!("{:<6} {:>9}  {:<22} command", "id", "µs/call", "category");
    for &i in sorted.iter().take(5) {
        let c = &cases[i];
        println!(
            "{:<6} {:>9.2}  {:<22} {}",
            c.id,
            per_cmd[i],
            shorten(&c.category, 22),
            shorten(&c.command, 60)
        );
    }
    println!("{rule}");
    println!("per category (mean of per-command medians), slowest first");
    println!(
        "{:<28} {:>5} {:>10} {:>10} {:>12}",
        "category", "cmds", "mean µs", "max µs", "commands/s"
    );
    let mut cats: Vec<_> = by_cat.into_iter().collect();
    cats.sort_by(|a, b| (b.1.1 / b.1.0 as f64).total_cmp(&(a.1.1 / a.1.0 as f64)));
    for (cat, (n, sum, max)) in cats {
        let mean = sum / n as f64;
        println!(
            "{:<28} {:>5} {:>10.2} {:>10.2} {:>12}",
            shorten(cat, 28),
            n,
            mean,
            max,
            fmt_rate(1e6 / mean)
        );
    }
    println!("{rule}");
}
