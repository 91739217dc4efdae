//! Running one gate command: `sh -c COMMAND` in the project root, in a process group of its
//! own, stdout and stderr through one pipe (so they interleave as on a terminal), the
//! captured text capped, and a wall-clock limit after which the whole group is stopped.

use std::io::{self, Read as _};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Wall-clock limit; then the process group gets `SIGTERM`, and `SIGKILL` after
    /// [`RunOptions::grace`].
    pub timeout: Duration,
    /// Between `SIGTERM` and `SIGKILL`.
    pub grace: Duration,
    /// Output kept, in bytes: the last ones (summaries come last). Older output is dropped
    /// and counted in [`Finished::dropped_bytes`].
    pub max_output: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_mins(10),
            grace: Duration::from_secs(2),
            max_output: 8 * 1024 * 1024,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The exit code; `None` when a signal ended the shell.
    pub exit_code: Option<i32>,
    /// The signal that ended the shell, if one did.
    pub signal: Option<i32>,
    /// The time limit was reached and the process group was stopped.
    pub timed_out: bool,
    /// Wall-clock time.
    pub duration: Duration,
    /// stdout and stderr, interleaved, as lossy UTF-8; the last
    /// [`RunOptions::max_output`] bytes, starting at a line boundary when cut.
    pub output: String,
    /// Bytes of output that were not kept.
    pub dropped_bytes: u64,
}

/// Time a command's descendants get to close the output pipe after the shell exited
/// (a daemon it left behind), before the group is killed.
const DRAIN: Duration = Duration::from_secs(2);

/// Runs `command` with `sh -c` in `dir`. Standard input is empty. An error means the
/// command could not be started (no `sh`, no pipe), not that it failed.
pub fn run_command(command: &str, dir: &Path, options: &RunOptions) -> io::Result<Finished> {
    let start = Instant::now();
    let (reader, writer) = io::pipe()?;
    let mut child = {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(command)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .process_group(0);
        cmd.spawn()?
        // `cmd` and its copies of the pipe's write end are dropped here: end of output
        // then means every process of the command closed it.
    };
    let group = child.id();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    thread::spawn(move || {
        let mut reader = reader;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });

    let mut out = Tail::new(options.max_output);
    let deadline = start + options.timeout;
    let (mut status, mut eof, mut timed_out) = (None::<ExitStatus>, false, false);
    let (mut kill_at, mut give_up_at) = (None::<Instant>, None::<Instant>);
    loop {
        if eof {
            thread::sleep(Duration::from_millis(10));
        } else {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(chunk) => out.push(&chunk),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => eof = true,
            }
        }
        if status.is_none() {
            status = child.try_wait()?;
        }
        if status.is_some() && eof {
            break;
        }
        let now = Instant::now();
        if status.is_none() && now >= deadline && !timed_out {
            timed_out = true;
            signal_group(group, "TERM");
            kill_at = Some(now + options.grace);
        }
        if status.is_none() && kill_at.is_some_and(|t| now >= t) {
            signal_group(group, "KILL");
            let _ = child.kill();
            kill_at = None;
        }
        if status.is_some() {
            // The shell is gone but something still holds the pipe open.
            let at = *give_up_at.get_or_insert_with(|| if timed_out { now } else { now + DRAIN });
            if now >= at {
                signal_group(group, "KILL");
                // Take what is already in the pipe, then stop reading.
                let until = Instant::now() + Duration::from_millis(200);
                while let Ok(chunk) =
                    rx.recv_timeout(until.saturating_duration_since(Instant::now()))
                {
                    out.push(&chunk);
                }
                break;
            }
        }
    }
    let status = match status {
        Some(s) => s,
        None => reap(&mut child)?,
    };
    let (output, dropped_bytes) = out.finish();
    Ok(Finished {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        duration: start.elapsed(),
        output,
        dropped_bytes,
    })
}

fn reap(child: &mut Child) -> io::Result<ExitStatus> {
    let _ = child.kill();
    child.wait()
}

/// Sends `signal` to every process of the group `group` (the shell's own group). `std` has
/// no `killpg` and this workspace has no `unsafe`, so `sh`'s own `kill` does it.
fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} -{group} 2>/dev/null"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `max` bytes written to it.
struct Tail {
    buf: Vec<u8>,
    max: usize,
    dropped: u64,
}

impl Tail {
    fn new(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            max,
            dropped: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        // Trim in batches so a long stream is not shifted on every chunk.
        if self.buf.len() > self.max.saturating_mul(2).max(64 * 1024) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        if self.buf.len() > self.max {
            let cut = self.buf.len() - self.max;
            self.buf.drain(..cut);
            self.dropped += cut as u64;
        }
    }

    fn finish(mut self) -> (String, u64) {
        self.trim();
        if self.dropped > 0 {
            // Start at a whole line.
            if let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
                self.buf.drain(..=nl);
                self.dropped += nl as u64 + 1;
            }
        }
        (
            String::from_utf8_lossy(&self.buf).into_owned(),
            self.dropped,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str, options: RunOptions) -> Finished {
        let dir = std::env::temp_dir();
        run_command(command, &dir, &options).unwrap_or_else(|e| panic!("{command}: {e}"))
    }

    #[test]
    fn output_and_exit_code() {
        let f = run("echo out; echo err >&2; exit 3", RunOptions::default());
        assert_eq!(f.exit_code, Some(3));
        assert_eq!(f.output, "out\nerr\n");
        assert!(!f.timed_out);
        let ok = run("printf 'x'", RunOptions::default());
        assert_eq!((ok.exit_code, ok.output.as_str()), (Some(0), "x"));
    }

    #[test]
    fn a_time_out_stops_the_whole_group() {
        let options = RunOptions {
            timeout: Duration::from_millis(300),
            grace: Duration::from_millis(300),
            ..RunOptions::default()
        };
        let started = Instant::now();
        // The grandchild holds the pipe: without the group kill this would wait 30 s.
        let f = run("echo before; sleep 30 & sleep 30; echo after", options);
        assert!(f.timed_out);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(f.output, "before\n");
        assert_eq!(f.exit_code, None);
        assert!(f.signal.is_some());
    }

    #[test]
    fn a_daemon_left_behind_does_not_hold_the_gate() {
        let started = Instant::now();
        let f = run("sleep 30 & echo done", RunOptions::default());
        assert_eq!((f.exit_code, f.timed_out), (Some(0), false));
        assert_eq!(f.output, "done\n");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_is_capped_to_its_last_lines() {
        let options = RunOptions {
            max_output: 100,
            ..RunOptions::default()
        };
        let f = run(
            "i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done",
            options,
        );
        assert!(f.output.len() <= 100, "{}", f.output.len());
        assert!(f.output.starts_with("line"), "{}", f.output);
        assert!(f.output.ends_with("line199\n"));
        assert!(f.dropped_bytes > 0);
        let total: u64 = (0..200)
            .map(|i: u32| format!("line{i}\n").len() as u64)
            .sum();
        assert_eq!(f.dropped_bytes + f.output.len() as u64, total);
    }
}
