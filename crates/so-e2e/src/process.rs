//! Running a child process with a hard time limit and captured output.

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long to wait for the output pipes once the process has ended.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// What a finished (or killed) process left behind.
#[derive(Debug)]
pub struct Output {
    /// The program and its arguments, for messages.
    pub command: String,
    /// Exit status; `None` when the process was killed at the time limit.
    pub status: Option<ExitStatus>,
    /// Everything it wrote to stdout.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

impl Output {
    /// Whether the process exited by itself with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// A multi-line account for failure messages: command, status, and the ends of both
    /// streams.
    pub fn describe(&self) -> String {
        let status = self
            .status
            .map_or_else(|| "killed at the time limit".to_owned(), |s| s.to_string());
        format!(
            "command: {}\nstatus: {status} after {:.1}s\n--- stdout (end) ---\n{}\n--- stderr (end) ---\n{}",
            self.command,
            self.elapsed.as_secs_f64(),
            tail(&self.stdout, 3000),
            tail(&self.stderr, 3000)
        )
    }
}

/// The last `max` bytes of `text` (at a char boundary).
pub fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Runs `command` with stdin from `/dev/null`, capturing stdout and stderr, and kills it
/// (with its whole process group) when it is still running after `limit`.
pub fn run(command: &mut Command, limit: Duration) -> io::Result<Output> {
    run_with_stdin(command, None, limit)
}

/// Like [`run`], with `input` written to the child's stdin.
pub fn run_with_stdin(
    command: &mut Command,
    input: Option<&[u8]>,
    limit: Duration,
) -> io::Result<Output> {
    use std::os::unix::process::CommandExt;

    let description = describe_command(command);
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Own process group, so a timeout can take down everything the client started.
        .process_group(0);
    let start = Instant::now();
    let mut child = command.spawn()?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&bytes);
        });
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_until(&mut child, start + limit)?;
    let elapsed = start.elapsed();
    kill_group(&child);
    let collect = |rx: mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(DRAIN_TIMEOUT).map_or_else(
            |_| "(output not closed: a child process kept it open)".to_owned(),
            |b| String::from_utf8_lossy(&b).into_owned(),
        )
    };
    Ok(Output {
        command: description,
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
        elapsed,
    })
}

/// `program arg arg...` with the arguments that contain spaces quoted.
fn describe_command(command: &Command) -> String {
    let mut parts = vec![command.get_program().to_string_lossy().into_owned()];
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        if arg.contains(' ') || arg.is_empty() {
            parts.push(format!("'{arg}'"));
        } else {
            parts.push(arg.into_owned());
        }
    }
    parts.join(" ")
}

/// Reads a pipe to the end on a thread; the bytes arrive on the returned channel.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = tx.send(bytes);
    });
    rx
}

/// Waits for `child` until `deadline`; kills it and returns `None` when it is still running.
fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            kill_group(child);
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends SIGKILL to the child's process group (whatever is left of it).
fn kill_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn captures_output_and_status() {
        let out = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");
        assert_eq!(out.status.unwrap().code(), Some(3));
    }

    #[test]
    fn kills_at_the_limit_including_grandchildren() {
        let out = run(
            Command::new("sh").args(["-c", "sleep 30 & sleep 30"]),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(out.status.is_none());
        assert!(out.elapsed < Duration::from_secs(5), "{out:?}");
    }

    #[test]
    fn feeds_stdin() {
        let out = run_with_stdin(
            &mut Command::new("cat"),
            Some(b"payload"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.stdout, "payload");
    }
}
