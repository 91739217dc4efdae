//! The `session-events` hook: the session's life cycle in `.orchestrator/`.
//!
//! | event | records | answers |
//! |---|---|---|
//! | `SessionStart` | creates `.orchestrator/`, rotates `events.jsonl`, takes or refreshes `session.lock`, writes `current-session.json`, `session.started` | one envelope: a banner for the user and context for the model |
//! | `SessionEnd` | releases the lock if this session owns it, `session.ended` with a real duration or null, a `sessions.jsonl` summary | nothing |
//! | `Stop` / `SubagentStop` | heartbeat, `session.stopped` / `agent.stopped` | nothing (Codex accepts no `hookSpecificOutput` there) |
//! | `PostToolBatch` | heartbeat, `wave.started` / `wave.completed` when the manifest's wave changes | nothing |
//! | `PostToolUseFailure` | the failure in `failures.json` (last 20), `tool.failed` | the session's recorded failures as context |
//! | `CwdChanged` | the change in `cwd-changes.json` (last 20 per session), `session.cwd_changed` | nothing |
//!
//! Storage problems never change the answer's meaning: the hook still exits 0 and adds a
//! one-time notice for the user ([`so_events::Recorder`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use so_events::catalog::{self, Origin};
use so_events::failures::{self, Failure};
use so_events::session::{
    CurrentSession, CwdChange, SessionState, Wave, read_current, record_cwd_change, update_current,
};
use so_events::session_lock::{self, Holder, LockOutcome, Released};
use so_events::{Layout, Record, Recorder, Settings, Timestamp};
use so_protocol::{Client, EventKind, HookInput, Outcome};
use so_scope::{Lookup, StateDir};

/// The `session-events` hook handler. Events it does not handle get no opinion and touch
/// nothing.
pub fn session_events(input: &HookInput) -> Outcome {
    let handler: fn(&mut Ctx<'_>) -> Outcome = match input.event {
        EventKind::SessionStart => session_start,
        EventKind::SessionEnd => session_end,
        EventKind::Stop | EventKind::SubagentStop => stop,
        EventKind::PostToolBatch => tool_batch,
        EventKind::PostToolUseFailure => tool_failure,
        EventKind::CwdChanged => cwd_changed,
        _ => return Outcome::Allow,
    };
    let mut cx = Ctx::new(input);
    let outcome = handler(&mut cx);
    cx.finish(outcome)
}

/// What every handler needs: the payload, where to write, when, and the problems so far.
pub(crate) struct Ctx<'a> {
    pub input: &'a HookInput,
    pub layout: Layout,
    pub now: Timestamp,
    pub rec: Recorder,
    /// `.orchestrator/metrics` and `runtime` exist (otherwise nothing is written).
    pub ready: bool,
    /// Records waiting for [`Ctx::finish`], in order: each file gets one locked write.
    pending: Vec<(PathBuf, Record)>,
}

impl<'a> Ctx<'a> {
    pub fn new(input: &'a HookInput) -> Self {
        let cwd = input
            .cwd
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let layout = Layout::new(&so_config::find_project_root(&cwd));
        let mut rec = Recorder::new(layout.clone(), input.session_id.as_deref());
        let ready = rec.note(layout.ensure()).is_some();
        Self {
            input,
            layout,
            now: Timestamp::now(),
            rec,
            ready,
            pending: Vec::new(),
        }
    }

    pub fn origin(&self) -> Origin<'_> {
        Origin {
            session_id: self.input.session_id.as_deref(),
            client: Some(self.input.client.name()),
            at: self.now,
        }
    }

    pub fn session_id(&self) -> Option<&'a str> {
        self.input.session_id.as_deref()
    }

    /// Queues `record` for `path` when the directories are there; [`Ctx::finish`] writes
    /// each file's records in one locked append (all or none), in the order queued.
    pub fn append(&mut self, path: &Path, record: &Record) {
        if self.ready {
            self.pending.push((path.to_path_buf(), record.clone()));
        }
    }

    /// Writes the queued records, one append per file.
    fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        while let Some((path, _)) = pending.first() {
            let path = path.clone();
            let (batch, rest): (Vec<_>, Vec<_>) =
                pending.into_iter().partition(|(p, _)| *p == path);
            pending = rest;
            let records: Vec<Record> = batch.into_iter().map(|(_, r)| r).collect();
            let result = so_events::append_all(&path, &records);
            self.rec.note(result);
        }
    }

    /// Writes the queued records, then `outcome` with the one-time storage notice added for
    /// the user.
    pub fn finish(mut self, outcome: Outcome) -> Outcome {
        self.flush();
        let Some(notice) = self.rec.notice() else {
            return outcome;
        };
        match outcome {
            Outcome::Allow => Outcome::Warn { message: notice },
            Outcome::Warn { message } => Outcome::Warn {
                message: format!("{message}\n{notice}"),
            },
            Outcome::Context {
                additional_context,
                system_message,
            } => Outcome::Context {
                additional_context,
                system_message: Some(match system_message {
                    Some(m) => format!("{m}\n{notice}"),
                    None => notice,
                }),
            },
            other => other,
        }
    }

    /// A string field of the raw payload.
    pub fn raw_str(&self, key: &str) -> Option<&'a str> {
        self.input
            .raw
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The running wave of the wave-scope manifest in this client's state directory.
    fn manifest_wave(&self) -> ManifestWave {
        let state = match self.input.client {
            Client::Claude => StateDir::Claude,
            Client::Codex => StateDir::Codex,
            Client::Cursor => StateDir::Cursor,
        };
        let found = so_scope::lookup(
            self.layout.project_root(),
            state,
            self.session_id(),
            std::time::SystemTime::now(),
        );
        match found {
            Lookup::Active { scope, .. } => ManifestWave::Running(scope.wave, scope.role),
            Lookup::Absent | Lookup::Stale { .. } => ManifestWave::NoWave,
            Lookup::Broken { .. } => ManifestWave::Unknown,
        }
    }
}

/// What the wave-scope manifest says about the running wave.
enum ManifestWave {
    /// An active manifest: wave number and role.
    Running(u32, String),
    /// No manifest, or one left by another session.
    NoWave,
    /// The manifest is unreadable: whether a wave runs cannot be told.
    Unknown,
}

fn session_start(cx: &mut Ctx<'_>) -> Outcome {
    let (settings, config_notices) = Settings::load(cx.layout.project_root());
    let mut banner = Vec::new();
    let intro = if cx.ready {
        "session-orchestrator hooks record this session in .orchestrator/metrics/ and keep its \
         state in .orchestrator/runtime/. Those files are written only by the hooks: do not \
         edit, move or delete them."
    } else {
        "session-orchestrator hooks cannot record this session (its .orchestrator/ directory \
         cannot be written); the user has been told. Work goes on normally; do not try to fix \
         the directory unless the user asks."
    };
    let mut context = vec![intro.to_owned()];
    if let Some(line) = rotate(cx, &settings) {
        banner.push(line);
    }
    let source = cx.raw_str("source").or_else(|| cx.raw_str("composer_mode"));
    let (lock_label, peers) = take_lock_and_state(cx, source);
    let peer_ids: Vec<String> = peers.iter().map(|p| p.session_id.clone()).collect();
    let record = catalog::session_started(&cx.origin(), source, lock_label, &peer_ids);
    cx.append(&cx.layout.events(), &record);

    for p in &peers {
        let client = p.client.as_deref().unwrap_or("unknown client");
        let idle = p
            .idle_ms(cx.now)
            .map_or_else(String::new, |ms| format!(", active {} ago", human_ms(ms)));
        banner.push(format!(
            "⚠ another session is live in this repository: {} ({client}{idle})",
            short(&p.session_id),
        ));
        context.push(format!(
            "Another session ({}, {client}) is working in this repository at the same time: \
             expect changes you did not make and do not revert them.",
            short(&p.session_id),
        ));
    }
    if let ManifestWave::Running(wave, role) = cx.manifest_wave() {
        context.push(format!("Wave {wave} ({role}) is in progress."));
    }
    if let Some(sid) = cx.session_id()
        && cx.ready
        && let Some(list) = cx.rec.note(failures::session_failures(&cx.layout, sid))
        && !list.is_empty()
    {
        context.push(failure_context(&list));
    }
    for n in &config_notices {
        banner.push(format!("Session Config: {n}"));
    }
    let who = format!(
        "session {} ({}{})",
        cx.session_id().map_or_else(|| "(no id)".into(), short),
        cx.input.client.name(),
        source.map(|s| format!(", {s}")).unwrap_or_default(),
    );
    let headline = if cx.ready {
        format!("session-orchestrator: recording {who} in .orchestrator/metrics/")
    } else {
        format!("session-orchestrator: {who} is not being recorded")
    };
    banner.insert(0, headline);
    let banner = banner.join("\n");
    let mut context = context.join("\n");
    if cx.input.client == Client::Cursor {
        // Cursor shows no message at session start; the model can pass the banner on.
        context = format!("{banner}\n\n{context}");
    }
    Outcome::Context {
        additional_context: context,
        system_message: Some(banner),
    }
}

/// Rotates `events.jsonl` when the Session Config says so; the banner line when it did.
fn rotate(cx: &mut Ctx<'_>, settings: &Settings) -> Option<String> {
    if !cx.ready || !settings.rotation.enabled {
        return None;
    }
    let r = so_events::rotate_if_needed(
        &cx.layout.events(),
        settings.rotation.max_bytes,
        settings.rotation.max_backups,
    );
    let rotated = cx.rec.note(r).flatten()?;
    let record = catalog::events_rotated(
        &cx.origin(),
        rotated.rotated_bytes,
        rotated.max_backups,
        rotated.deleted.len(),
    );
    cx.append(&cx.layout.events(), &record);
    Some(format!(
        "events.jsonl rotated ({} moved to events.jsonl.1)",
        human_bytes(rotated.rotated_bytes)
    ))
}

/// Takes or refreshes `session.lock` and makes this session the top of
/// `current-session.json`; returns the lock's state for the record and the other live
/// sessions. Which sessions are still live (kept under `others`) is what taking the lock
/// found, so the lock file is read once. (The two writes once ran on two threads to overlap
/// their flushes; without an `fsync` a thread costs more than it saves.)
fn take_lock_and_state(cx: &mut Ctx<'_>, source: Option<&str>) -> (&'static str, Vec<Holder>) {
    let (Some(sid), true) = (cx.session_id(), cx.ready) else {
        return ("none", Vec::new());
    };
    let client = cx.input.client.name();
    let now = cx.now;
    let layout = &cx.layout;
    let cwd = cx.input.cwd.as_ref().map(|p| p.display().to_string());
    let acquired = session_lock::acquire(layout, sid, Some(client), now);
    // The live sessions as the lock saw them under its lock; a plain read only when taking
    // the lock failed.
    let live: Vec<String> = match &acquired {
        Ok((acq, _)) => acq
            .live_peers
            .iter()
            .map(|h| h.session_id.clone())
            .collect(),
        Err(_) => session_lock::live_sessions(layout, sid, now)
            .unwrap_or_default()
            .into_iter()
            .map(|h| h.session_id)
            .collect(),
    };
    let updated = update_current(layout, |cs| {
        cs.promote(sid, now, |s| live.contains(&s.session_id));
        let me = &mut cs.current;
        if me.started_at.is_none() || me.ended_at.is_some() {
            *me = SessionState {
                session_id: sid.to_owned(),
                client: Some(client.to_owned()),
                source: source.map(str::to_owned),
                started_at: Some(now.to_string()),
                cwd,
                ..SessionState::default()
            };
        }
        me.last_start = Some(now.to_string());
        me.updated_at = Some(now.to_string());
    });
    if let Some(up) = cx.rec.note(updated) {
        cx.rec.note_recovered(up.recovered);
    }
    let mut lock_label = "none";
    let mut peers = Vec::new();
    if let Some((acq, recovered)) = cx.rec.note(acquired) {
        cx.rec.note_recovered(recovered);
        lock_label = match &acq.outcome {
            LockOutcome::Acquired { .. } => "acquired",
            LockOutcome::Refreshed => "refreshed",
            LockOutcome::HeldBy(_) => "held_by_other",
        };
        if let LockOutcome::Acquired { reaped } = &acq.outcome {
            let record = catalog::lock_acquired(&cx.origin(), reaped.as_deref());
            cx.append(&cx.layout.events(), &record);
        }
        peers = acq.live_peers;
    }
    (lock_label, peers)
}

fn session_end(cx: &mut Ctx<'_>) -> Outcome {
    let Some(sid) = cx.session_id() else {
        let record = catalog::session_ended(&cx.origin(), cx.raw_str("reason"), None, 0);
        cx.append(&cx.layout.events(), &record);
        return Outcome::Allow;
    };
    if !cx.ready {
        return Outcome::Allow;
    }
    let now = cx.now;
    let layout = &cx.layout;
    let released = session_lock::release(layout, sid);
    let ended = update_current(layout, |cs| {
        let known = cs.get(sid).is_some_and(|s| s.ended_at.is_none());
        if !known {
            return None;
        }
        let state = cs.entry(sid, now);
        let closed = state.close_wave(now);
        state.ended_at = Some(now.to_string());
        let snapshot = state.clone();
        cs.others.remove(sid);
        Some((snapshot, closed))
    });
    match cx.rec.note(released) {
        Some(Released::Released) => {
            let record = catalog::lock_released(&cx.origin());
            cx.append(&cx.layout.events(), &record);
        }
        Some(Released::NotOwner(owner)) => {
            let record = catalog::lock_release_skipped(&cx.origin(), owner.as_deref());
            cx.append(&cx.layout.events(), &record);
        }
        None => {}
    }
    let ended = cx.rec.note(ended).and_then(|up| {
        cx.rec.note_recovered(up.recovered);
        up.value
    });
    let (started_at, waves, closed) = match &ended {
        Some((state, closed)) => (
            state.started_at.clone(),
            state.waves.clone(),
            closed.clone(),
        ),
        None => (None, Vec::new(), None),
    };
    let measured = started_at
        .as_deref()
        .and_then(Timestamp::parse)
        .and_then(|t| now.millis_since(t));
    // Cursor reports its own duration; use it only when the start was not seen here.
    let duration = measured.or_else(|| {
        cx.input
            .raw
            .get("duration_ms")
            .and_then(Value::as_u64)
            .filter(|&ms| ms > 0)
    });
    if let Some(wave) = &closed {
        let record = catalog::wave_completed(&cx.origin(), wave);
        cx.append(&cx.layout.events(), &record);
    }
    let reason = cx.raw_str("reason");
    let record = catalog::session_ended(&cx.origin(), reason, duration, waves.len());
    cx.append(&cx.layout.events(), &record);
    let summary = catalog::session_recorded(
        &cx.origin(),
        started_at.as_deref(),
        duration,
        reason,
        &waves,
    );
    cx.append(&cx.layout.sessions(), &summary);
    Outcome::Allow
}

fn stop(cx: &mut Ctx<'_>) -> Outcome {
    heartbeat(cx);
    let record = if cx.input.event == EventKind::SubagentStop {
        catalog::agent_stopped(
            &cx.origin(),
            cx.input.agent_id.as_deref(),
            cx.input.agent_type.as_deref(),
        )
    } else {
        let wave = match (cx.session_id(), cx.ready) {
            (Some(sid), true) => cx
                .rec
                .note(read_current(&cx.layout))
                .and_then(|cs| cs.get(sid).and_then(|s| s.open_wave().map(|w| w.wave))),
            _ => None,
        };
        catalog::session_stopped(&cx.origin(), wave)
    };
    cx.append(&cx.layout.events(), &record);
    Outcome::Allow
}

fn heartbeat(cx: &mut Ctx<'_>) {
    if let (Some(sid), true) = (cx.session_id(), cx.ready) {
        let r = session_lock::heartbeat(&cx.layout, sid, Some(cx.input.client.name()), cx.now);
        cx.rec.note(r);
    }
}

fn tool_batch(cx: &mut Ctx<'_>) -> Outcome {
    heartbeat(cx);
    let (Some(sid), true) = (cx.session_id(), cx.ready) else {
        return Outcome::Allow;
    };
    let manifest = match cx.manifest_wave() {
        ManifestWave::Running(wave, role) => Some((wave, role)),
        ManifestWave::NoWave => None,
        // Unreadable: whether the wave changed cannot be told.
        ManifestWave::Unknown => return Outcome::Allow,
    };
    let open = |cs: &CurrentSession| cs.get(sid).and_then(|s| s.open_wave().map(|w| w.wave));
    // A plain read first: most batches change nothing and must not pay for a durable write.
    let Some(current) = cx.rec.note(read_current(&cx.layout)) else {
        return Outcome::Allow;
    };
    if open(&current) == manifest.as_ref().map(|(w, _)| *w) {
        return Outcome::Allow;
    }
    let now = cx.now;
    let changed = update_current(&cx.layout, |cs| {
        if open(cs) == manifest.as_ref().map(|(w, _)| *w) {
            return (None, None);
        }
        let me = cs.entry(sid, now);
        let closed = me.close_wave(now);
        let started = manifest.as_ref().map(|(wave, role)| {
            let w = Wave {
                wave: *wave,
                role: Some(role.clone()).filter(|r| !r.is_empty()),
                started_at: now.to_string(),
                completed_at: None,
            };
            me.waves.push(w.clone());
            me.last_wave = Some(*wave);
            w
        });
        (closed, started)
    });
    if let Some(up) = cx.rec.note(changed) {
        cx.rec.note_recovered(up.recovered);
        let (closed, started) = up.value;
        if let Some(w) = closed {
            let record = catalog::wave_completed(&cx.origin(), &w);
            cx.append(&cx.layout.events(), &record);
        }
        if let Some(w) = started {
            let record = catalog::wave_started(&cx.origin(), &w);
            cx.append(&cx.layout.events(), &record);
        }
    }
    Outcome::Allow
}

fn tool_failure(cx: &mut Ctx<'_>) -> Outcome {
    let tool = cx
        .input
        .tool_name
        .clone()
        .unwrap_or_else(|| "unknown".into());
    let error = cx
        .raw_str("error")
        .or_else(|| cx.raw_str("error_message"))
        .unwrap_or("");
    let interrupted = cx
        .input
        .raw
        .get("is_interrupt")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let exit_code = cx
        .input
        .raw
        .get("exit_code")
        .and_then(Value::as_i64)
        .or_else(|| failures::exit_code_of(error));
    let agent = cx.input.agent_id.as_deref();
    let record = catalog::tool_failed(&cx.origin(), agent, &tool, exit_code, interrupted);
    cx.append(&cx.layout.events(), &record);
    if !cx.ready {
        return Outcome::Allow;
    }
    let failure = Failure {
        timestamp: cx.now.to_string(),
        session_id: cx.input.session_id.clone(),
        agent_id: cx.input.agent_id.clone(),
        tool_name: tool,
        error_summary: failures::summarize_error(error),
        exit_code,
        interrupted,
    };
    let Some(up) = cx.rec.note(failures::record_failure(&cx.layout, failure)) else {
        return Outcome::Allow;
    };
    cx.rec.note_recovered(up.recovered);
    Outcome::Context {
        additional_context: failure_context(&up.value),
        system_message: None,
    }
}

fn cwd_changed(cx: &mut Ctx<'_>) -> Outcome {
    let previous = cx.raw_str("old_cwd").or_else(|| cx.raw_str("previous_cwd"));
    let new = cx.raw_str("new_cwd");
    if let (Some(sid), true) = (cx.session_id(), cx.ready) {
        let change = CwdChange {
            timestamp: cx.now.to_string(),
            previous_cwd: previous.map(str::to_owned),
            new_cwd: new.map(str::to_owned),
        };
        let updated = record_cwd_change(&cx.layout, sid, change);
        if let Some(up) = cx.rec.note(updated) {
            cx.rec.note_recovered(up.recovered);
        }
    }
    let record = catalog::cwd_changed(&cx.origin(), previous, new);
    cx.append(&cx.layout.events(), &record);
    Outcome::Allow
}

/// The failures of this session as context for the model's next turn.
fn failure_context(list: &[Failure]) -> String {
    let mut out = format!(
        "Tool failures recorded in this session ({} most recent, oldest first). Before \
         retrying, check whether the same call already failed here; if it did, change the \
         approach instead of repeating it.",
        list.len()
    );
    for f in list {
        let time = f.timestamp.get(11..19).unwrap_or(&f.timestamp);
        let code = f
            .exit_code
            .map(|c| format!(" exit {c}"))
            .unwrap_or_default();
        let interrupted = if f.interrupted { " (interrupted)" } else { "" };
        let agent = f
            .agent_id
            .as_deref()
            .map(|a| format!(" [subagent {a}]"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "\n- {time} {}{code}{interrupted}{agent}: {}",
            f.tool_name, f.error_summary
        );
    }
    out
}

/// The first 8 characters of an id.
fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

fn human_bytes(n: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size for display")]
    let mib = n as f64 / (1024.0 * 1024.0);
    format!("{mib:.1} MiB")
}

fn human_ms(ms: u64) -> String {
    match ms / 1000 {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}
