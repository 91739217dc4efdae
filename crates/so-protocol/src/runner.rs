//! One hook process, end to end: stdin → handler → stdout/stderr/exit code.

use std::any::Any;
use std::io::{self, Read, Write};
use std::panic;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::thread::{self, ThreadId};

use crate::render::can_ask;
use crate::{
    HookInput, MAX_PAYLOAD_BYTES, Outcome, ProtocolError, Response, decode, read_payload, render,
    render_undecodable, render_undecodable_notice,
};

/// What to answer when the hook cannot do its job (unreadable payload, panic in the handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Block: a guard that cannot check an action must not let it through. Rendered as
    /// [`Outcome::Ask`] where the client shows the human a real prompt (Claude `PreToolUse`
    /// outside bypass modes, Cursor `beforeShellExecution`), so they can still go on;
    /// [`Outcome::Deny`] elsewhere; exit 2 with the reason on stderr when the payload itself
    /// could not be decoded.
    FailClosed,
    /// Let the action go on but tell the human the check did not run ([`Outcome::Warn`]).
    FailOpenWithNotice,
}

/// Stack for the handler thread. Guards recurse over shell syntax trees; an attacker-chosen
/// command must not be able to overflow the stack (an abort, not a catchable panic).
const HANDLER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Name of the handler thread; the panic hook recognises it by this.
const HANDLER_THREAD_NAME: &str = "so-protocol-handler";

/// Runs one hook on the process's stdin, stdout and stderr and returns its exit code.
///
/// See [`run_hook_with`] for what happens.
pub fn run_hook<F>(policy: FailurePolicy, handler: F) -> ExitCode
where
    F: FnOnce(&HookInput) -> Outcome + Send + 'static,
{
    let stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    ExitCode::from(run_hook_with(
        policy,
        stdin,
        &mut stdout,
        &mut stderr,
        handler,
    ))
}

/// Runs one hook with explicit streams and returns the exit code to use.
///
/// Reads `stdin` once ([`MAX_PAYLOAD_BYTES`] cap), decodes it, calls `handler` on a thread with
/// a 64 MiB stack, catches a panic there, renders exactly one answer and writes it fully to
/// `stdout` (a broken pipe is ignored) and `stderr`. Failures follow `policy`; the reason names
/// what went wrong and what the human can do. The default panic message is not printed for the
/// handler thread; its text and location go into the reason instead.
pub fn run_hook_with<F>(
    policy: FailurePolicy,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
    handler: F,
) -> u8
where
    F: FnOnce(&HookInput) -> Outcome + Send + 'static,
{
    let response = respond(policy, stdin, handler);
    emit(&response, stdout, stderr);
    response.exit_code
}

fn respond<F>(policy: FailurePolicy, stdin: impl Read, handler: F) -> Response
where
    F: FnOnce(&HookInput) -> Outcome + Send + 'static,
{
    let input = match read_payload(stdin, MAX_PAYLOAD_BYTES).and_then(|bytes| decode(&bytes)) {
        Ok(input) => Arc::new(input),
        Err(err) => return undecodable(policy, &err),
    };
    match call_handler(Arc::clone(&input), handler) {
        Ok(outcome) => render(&input, &outcome),
        Err(failure) => render(&input, &failure_outcome(policy, &input, &failure)),
    }
}

fn undecodable(policy: FailurePolicy, err: &ProtocolError) -> Response {
    let hook = hook_name();
    match policy {
        FailurePolicy::FailClosed => render_undecodable(&format!(
            "{hook}: {err}. The action was blocked because this hook could not check it. If \
             this repeats, update the client or the hook; to go on without the check, disable \
             this hook in the client's hook settings."
        )),
        FailurePolicy::FailOpenWithNotice => {
            render_undecodable_notice(&format!("{hook}: {err}. The action went ahead unchecked."))
        }
    }
}

fn failure_outcome(policy: FailurePolicy, input: &HookInput, failure: &str) -> Outcome {
    let hook = hook_name();
    match policy {
        FailurePolicy::FailClosed => {
            let reason = format!(
                "{hook} failed while checking this action ({failure}), so the action was not \
                 allowed. This is a bug in the hook, not a problem with the action: do not retry \
                 it in another form. The human can approve it if asked, report the bug, or \
                 disable the hook in the client's hook settings."
            );
            if can_ask(input) {
                Outcome::Ask { reason }
            } else {
                Outcome::Deny {
                    reason,
                    user_message: Some(format!(
                        "{hook} failed ({failure}); the action was blocked"
                    )),
                }
            }
        }
        FailurePolicy::FailOpenWithNotice => Outcome::Warn {
            message: format!("{hook} failed ({failure}); the action went ahead unchecked"),
        },
    }
}

/// Runs `handler` on a big-stack thread; `Err` describes a panic or a thread that could not
/// start.
fn call_handler<F>(input: Arc<HookInput>, handler: F) -> Result<Outcome, String>
where
    F: FnOnce(&HookInput) -> Outcome + Send + 'static,
{
    install_panic_hook();
    let handle = thread::Builder::new()
        .name(HANDLER_THREAD_NAME.to_owned())
        .stack_size(HANDLER_STACK_BYTES)
        .spawn(move || handler(&input))
        .map_err(|e| format!("could not start the check: {e}"))?;
    let id = handle.thread().id();
    let joined = handle.join();
    let location = take_panic_location(id);
    joined.map_err(|payload| {
        let message = panic_message(payload.as_ref());
        match location {
            Some(at) => format!("it panicked at {at}: {message}"),
            None => format!("it panicked: {message}"),
        }
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_owned()
    }
}

/// Where handler threads panicked, until the runner collects it.
static PANIC_LOCATIONS: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());
static PANIC_HOOK: Once = Once::new();

/// Replaces the default panic output for handler threads only: a panic there becomes the
/// hook's answer, and the raw text on stderr would only confuse the client (Claude shows the
/// first stderr line). Other threads keep the previous hook.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let current = thread::current();
            if current.name() != Some(HANDLER_THREAD_NAME) {
                previous(info);
                return;
            }
            if let Some(at) = info.location() {
                PANIC_LOCATIONS
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((current.id(), format!("{}:{}", at.file(), at.line())));
            }
        }));
    });
}

fn take_panic_location(id: ThreadId) -> Option<String> {
    let mut locations = PANIC_LOCATIONS
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let index = locations.iter().position(|(t, _)| *t == id)?;
    Some(locations.swap_remove(index).1)
}

/// The program's file name, to say which hook failed.
fn hook_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(std::path::Path::new)
        .and_then(std::path::Path::file_stem)
        .map_or_else(|| "hook".to_owned(), |s| s.to_string_lossy().into_owned())
}

fn emit(response: &Response, stdout: &mut impl Write, stderr: &mut impl Write) {
    if !response.stdout.is_empty() {
        let written = stdout
            .write_all(response.stdout.as_bytes())
            .and_then(|()| stdout.flush());
        // A client that closed our stdout is not reading the answer; nothing to add.
        if let Err(err) = written
            && err.kind() != io::ErrorKind::BrokenPipe
        {
            let _ = writeln!(stderr, "could not write the hook answer to stdout: {err}");
        }
    }
    if !response.stderr.is_empty() {
        let _ = stderr.write_all(response.stderr.as_bytes());
    }
    let _ = stderr.flush();
}
