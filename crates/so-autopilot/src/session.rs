//! Running one headless session: `claude -p … --output-format stream-json` in its own
//! process group, its output read line by line, killed with everything it started when it
//! falls silent for the stall timeout, interrupted when the user aborts.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use crate::stream::{ResultLine, Stream, Usage};

use crate::abort::Abort;

/// How often the loop looks at the child, the clock and the abort flag.
const POLL: Duration = Duration::from_millis(100);
/// How long an interrupted session may take to end before it is killed.
pub const ABORT_GRACE: Duration = Duration::from_secs(10);
/// How long to wait for the output pipes once the session has ended.
const DRAIN: Duration = Duration::from_secs(5);
/// The end of stderr kept for messages.
const STDERR_TAIL: usize = 4096;

/// The command line of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The `claude` executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// The project directory it runs in.
    pub cwd: PathBuf,
    /// Variables added to the inherited environment.
    pub env: Vec<(String, String)>,
    /// Variables removed from it.
    pub env_remove: Vec<String>,
}

impl Spec {
    /// `program arg…` with arguments quoted for a POSIX shell where needed (for messages
    /// and `--dry-run`).
    pub fn display(&self) -> String {
        let mut parts = vec![quote(&self.program.to_string_lossy())];
        parts.extend(self.args.iter().map(|a| quote(a)));
        parts.join(" ")
    }
}

/// `text` as one POSIX shell word.
pub fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// It exited by itself with this code (`None`: killed by a signal not ours).
    Exited(Option<i32>),
    /// It printed nothing for the stall timeout; its process tree was killed.
    Stalled,
    /// The user aborted; the signal was forwarded and the session ended (or was killed
    /// after [`ABORT_GRACE`]).
    Aborted(i32),
    /// It could not be started.
    SpawnFailed(String),
}

/// A finished session.
#[derive(Debug, Clone)]
pub struct Run {
    /// How it ended.
    pub end: End,
    /// What its stdout said.
    pub stream: Stream,
    /// The end of its stderr.
    pub stderr_tail: String,
    /// Wall time.
    pub elapsed: Duration,
}

enum Msg {
    Out(String),
    Err,
    OutClosed,
}

/// Runs `spec` until it ends, stalls for `stall`, or `abort` is set.
pub fn run(spec: &Spec, stall: Duration, abort: &Abort) -> Run {
    use std::os::unix::process::CommandExt;

    let start = Instant::now();
    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .current_dir(&spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: the autopilot alone decides which signal the session gets,
        // and the whole group can be killed at once.
        .process_group(0);
    for key in &spec.env_remove {
        command.env_remove(key);
    }
    for (k, v) in &spec.env {
        command.env(k, v);
    }
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Run {
                end: End::SpawnFailed(format!("cannot start {}: {e}", spec.program.display())),
                stream: Stream::default(),
                stderr_tail: String::new(),
                elapsed: start.elapsed(),
            };
        }
    };
    let (tx, rx) = mpsc::channel();
    read_lines(child.stdout.take(), tx.clone());
    let tail = Arc::new(Mutex::new(String::new()));
    read_stderr(child.stderr.take(), tx, Arc::clone(&tail));

    let mut stream = Stream::default();
    let mut last_output = Instant::now();
    let pgid = child.id();
    let end = loop {
        match rx.recv_timeout(POLL) {
            Ok(Msg::Out(line)) => {
                last_output = Instant::now();
                stream.observe(&line);
            }
            Ok(Msg::Err) => last_output = Instant::now(),
            Ok(Msg::OutClosed) | Err(RecvTimeoutError::Timeout) => {}
            // Both pipes closed but the process lives on: keep polling, without spinning.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(POLL),
        }
        if let Ok(Some(status)) = child.try_wait() {
            break End::Exited(status.code());
        }
        if let Some(signal) = abort.signal() {
            interrupt(&mut child, pgid, signal, &rx, &mut stream);
            break End::Aborted(signal);
        }
        if last_output.elapsed() >= stall {
            kill_tree(pgid);
            let _ = child.kill();
            let _ = child.wait();
            break End::Stalled;
        }
    };
    // Whatever the session left in its group goes with it.
    signal_group(pgid, "KILL");
    drain(&rx, &mut stream);
    let stderr_tail = tail.lock().unwrap_or_else(PoisonError::into_inner).clone();
    Run {
        end,
        stream,
        stderr_tail,
        elapsed: start.elapsed(),
    }
}

/// Forwards `signal` to the session's group, waits up to [`ABORT_GRACE`] for it to end
/// (reading its output meanwhile), then kills what is left.
fn interrupt(child: &mut Child, pgid: u32, signal: i32, rx: &Receiver<Msg>, stream: &mut Stream) {
    let name = match signal {
        15 => "TERM",
        1 => "HUP",
        _ => "INT",
    };
    signal_group(pgid, name);
    let deadline = Instant::now() + ABORT_GRACE;
    while Instant::now() < deadline {
        match rx.recv_timeout(POLL) {
            Ok(Msg::Out(line)) => stream.observe(&line),
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(POLL),
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
    }
    kill_tree(pgid);
    let _ = child.kill();
    let _: Option<ExitStatus> = child.wait().ok();
}

/// Reads what is still in the pipes, until stdout closes or [`DRAIN`] passes.
fn drain(rx: &Receiver<Msg>, stream: &mut Stream) {
    let deadline = Instant::now() + DRAIN;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(Msg::Out(line)) => stream.observe(&line),
            Ok(Msg::Err) => {}
            Ok(Msg::OutClosed) | Err(_) => return,
        }
    }
}

fn read_lines(pipe: Option<impl Read + Send + 'static>, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        if let Some(pipe) = pipe {
            let mut reader = BufReader::new(pipe);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).into_owned();
                        if tx.send(Msg::Out(line)).is_err() {
                            break;
                        }
                    }
                }
            }
        }
        let _ = tx.send(Msg::OutClosed);
    });
}

fn read_stderr(
    pipe: Option<impl Read + Send + 'static>,
    tx: Sender<Msg>,
    tail: Arc<Mutex<String>>,
) {
    std::thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
                    t.push_str(&String::from_utf8_lossy(&buf));
                    if t.len() > 2 * STDERR_TAIL {
                        let mut cut = t.len() - STDERR_TAIL;
                        while !t.is_char_boundary(cut) {
                            cut += 1;
                        }
                        t.drain(..cut);
                    }
                    drop(t);
                    let _ = tx.send(Msg::Err);
                }
            }
        }
    });
}

/// Sends `SIG<name>` to process group `pgid` (errors, e.g. an empty group, are ignored).
fn signal_group(pgid: u32, name: &str) {
    send(name, &[format!("-{pgid}")]);
}

/// SIGKILL to the group `pgid` and to every descendant of its leader, wherever they are:
/// a tool may have moved a process into a group of its own.
pub fn kill_tree(pgid: u32) {
    let mut targets = vec![format!("-{pgid}")];
    targets.extend(descendants(pgid).iter().map(u32::to_string));
    send("KILL", &targets);
}

/// `kill -SIG -- TARGET…` (std can only SIGKILL its own child).
fn send(name: &str, targets: &[String]) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg("--")
        .args(targets)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Every process below `root` (children, their children, …), from `/proc` on Linux and
/// `ps` elsewhere.
pub fn descendants(root: u32) -> Vec<u32> {
    let pairs = proc_parents().unwrap_or_else(ps_parents);
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, _) in pairs.iter().filter(|(_, ppid)| *ppid == parent) {
            if !out.contains(pid) && *pid != root {
                out.push(*pid);
                frontier.push(*pid);
            }
        }
    }
    out
}

/// `(pid, ppid)` of every process, from `/proc/*/stat`; `None` without `/proc`.
fn proc_parents() -> Option<Vec<(u32, u32)>> {
    let entries = std::fs::read_dir("/proc").ok()?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| parse_stat_ppid(&s))
        {
            out.push((pid, ppid));
        }
    }
    Some(out)
}

/// The parent pid in a `/proc/PID/stat` line: the second field after the `)` that closes
/// the command name (which may itself hold spaces and parentheses).
pub fn parse_stat_ppid(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// `(pid, ppid)` from `ps -A -o pid= -o ppid=`.
fn ps_parents() -> Vec<(u32, u32)> {
    let Ok(out) = Command::new("ps")
        .args(["-A", "-o", "pid=", "-o", "ppid="])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        })
        .collect()
}

/// The `claude` executable: `$SO_CLAUDE_BIN`, else `claude` (looked up on `PATH`).
pub fn claude_program(var: Option<OsString>) -> PathBuf {
    var.filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("claude"), PathBuf::from)
}

/// The arguments of one session: the prompt, stream-json output, hooks on (never
/// `--bare`), permissions bypassed (nobody is there to answer a prompt).
pub fn claude_args(prompt: &str) -> Vec<String> {
    [
        "-p",
        prompt,
        "--output-format",
        "stream-json",
        "--verbose",
        "--permission-mode",
        "bypassPermissions",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Spec {
        Spec {
            program: PathBuf::from("/bin/sh"),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            env: vec![("SO_TEST_VALUE".into(), "42".into())],
            env_remove: vec!["SO_TEST_REMOVED".into()],
        }
    }

    #[test]
    fn reads_the_stream_and_the_exit_code() {
        let run = run(
            &sh(
                r#"echo '{"type":"system","subtype":"init","session_id":"s-'"$SO_TEST_VALUE"'"}'; echo oops >&2; exit 3"#,
            ),
            Duration::from_secs(30),
            &Abort::new(),
        );
        assert_eq!(run.end, End::Exited(Some(3)));
        assert_eq!(run.stream.session_id.as_deref(), Some("s-42"));
        assert_eq!(run.stderr_tail, "oops\n");
    }

    #[test]
    fn a_silent_child_is_killed_with_its_grandchildren() {
        let marker =
            std::env::temp_dir().join(format!("so-autopilot-stall-{}", std::process::id()));
        let _ = std::fs::remove_file(&marker);
        // The grandchildren would write the marker after 3 s if they survived the kill; the
        // second one runs in a session (and process group) of its own, so only the walk
        // over descendants can find it.
        let setsid = if std::path::Path::new("/usr/bin/setsid").exists() {
            "setsid"
        } else {
            ""
        };
        let script = format!(
            "echo started; (sleep 3; touch '{m}') & {setsid} sh -c 'sleep 3; touch {m}' & sleep 30",
            m = marker.display()
        );
        let run = run(&sh(&script), Duration::from_millis(500), &Abort::new());
        assert_eq!(run.end, End::Stalled);
        assert_eq!(run.stream.lines, 1);
        assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
        std::thread::sleep(Duration::from_secs(4));
        assert!(!marker.exists(), "a grandchild survived the stall kill");
    }

    #[test]
    fn output_keeps_a_slow_child_alive() {
        // Control for the stall: a line every 200 ms against a 700 ms timeout.
        let run = run(
            &sh("for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done"),
            Duration::from_millis(700),
            &Abort::new(),
        );
        assert_eq!(run.end, End::Exited(Some(0)));
        assert_eq!(run.stream.lines, 6);
    }

    #[test]
    fn abort_forwards_the_signal_to_the_session() {
        let abort = Abort::new();
        let trigger = abort.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            trigger.trigger(2);
        });
        // The session traps SIGINT and says so: proof that the signal was forwarded.
        let run = run(
            &sh("trap 'echo got-int; exit 130' INT; echo ready; while :; do sleep 0.1; done"),
            Duration::from_secs(30),
            &abort,
        );
        assert_eq!(run.end, End::Aborted(2));
        assert!(run.elapsed < ABORT_GRACE, "{:?}", run.elapsed);
        assert_eq!(run.stream.lines, 2, "{run:?}");
    }

    #[test]
    fn a_session_that_closes_its_pipes_is_still_waited_for() {
        let run = run(
            &sh("echo one; exec >/dev/null 2>&1; sleep 1; exit 4"),
            Duration::from_secs(5),
            &Abort::new(),
        );
        assert_eq!(run.end, End::Exited(Some(4)));
        assert_eq!(run.stream.lines, 1);
    }

    #[test]
    fn spawn_failure_is_reported() {
        let mut spec = sh("true");
        spec.program = PathBuf::from("/nonexistent/claude");
        let run = run(&spec, Duration::from_secs(1), &Abort::new());
        assert!(matches!(run.end, End::SpawnFailed(ref m) if m.contains("/nonexistent/claude")));
    }

    #[test]
    fn helpers() {
        assert_eq!(parse_stat_ppid("123 (a b) c) S 45 123 123 0"), Some(45));
        assert_eq!(quote("plain-word"), "plain-word");
        assert_eq!(quote("it's here"), r"'it'\''s here'");
        assert_eq!(claude_program(None), PathBuf::from("claude"));
        assert_eq!(
            claude_program(Some("/x/claude".into())),
            PathBuf::from("/x/claude")
        );
        let args = claude_args("go");
        assert!(!args.iter().any(|a| a == "--bare"));
        assert_eq!(args[0..2], ["-p".to_owned(), "go".to_owned()]);
    }
}
