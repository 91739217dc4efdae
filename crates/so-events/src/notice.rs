//! Telling the user about storage problems once, visibly, without ever blocking the agent.
//!
//! A hook collects every [`StorageError`] of its run in a [`Recorder`]. At the end,
//! [`Recorder::notice`] gives the one line to show the user (`systemMessage`) — or nothing,
//! when this session was already told about this kind of problem. "Already told" is
//! remembered in `runtime/storage-notice.json` when that directory is writable; when it is
//! not, it is remembered for the life of the process only (a hook process handles one
//! event, so then every affected event tells the user again — the only honest option when
//! nothing can be written).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::state::{Durability, update_json};
use crate::{Layout, ProblemKind, StorageError};

/// Sessions remembered in the marker file (the oldest are forgotten first).
const MAX_SESSIONS: usize = 50;

/// Problems already reported by this process, when the marker could not be written.
static TOLD_IN_PROCESS: Mutex<BTreeSet<(String, ProblemKind)>> = Mutex::new(BTreeSet::new());

/// The marker file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Marker {
    #[serde(default)]
    schema_version: u32,
    /// Session id → problem kinds already reported, with a sequence number for pruning.
    #[serde(default)]
    told: BTreeMap<String, Told>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Told {
    seq: u64,
    kinds: BTreeSet<String>,
}

/// Collects the storage problems of one hook run.
#[derive(Debug)]
pub struct Recorder {
    layout: Layout,
    session_id: Option<String>,
    problems: Vec<StorageError>,
}

impl Recorder {
    /// A recorder for a run in `layout`'s project, for `session_id` (when known).
    pub fn new(layout: Layout, session_id: Option<&str>) -> Self {
        Self {
            layout,
            session_id: session_id.map(str::to_owned),
            problems: Vec::new(),
        }
    }

    /// The project layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Keeps the error of `result` (if any) and returns its value.
    pub fn note<T>(&mut self, result: Result<T, StorageError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(e);
                None
            }
        }
    }

    /// Keeps a problem that did not stop the operation (a damaged file set aside).
    pub fn note_recovered(&mut self, recovered: Option<StorageError>) {
        self.problems.extend(recovered);
    }

    /// The problems so far.
    pub fn problems(&self) -> &[StorageError] {
        &self.problems
    }

    /// The line to show the user, when there were problems this session was not yet told
    /// about. Remembers that it has now been told.
    pub fn notice(&self) -> Option<String> {
        let first = self.problems.first()?;
        let kinds: BTreeSet<ProblemKind> = self.problems.iter().map(StorageError::kind).collect();
        let session = self.session_id.clone().unwrap_or_else(|| "-".into());
        let (new_kinds, remembered) = self.untold(&session, &kinds);
        if new_kinds.is_empty() {
            return None;
        }
        let details: Vec<String> = self
            .problems
            .iter()
            .filter(|p| new_kinds.contains(&p.kind()))
            .map(|p| self.short(p))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let advice = match first.kind() {
            ProblemKind::Full => "free disk space or raise the file-size limit",
            ProblemKind::Corrupt => "the damaged copy was kept beside it for inspection",
            ProblemKind::Locked => "another process holds the file; it will be retried",
            _ => "make `.orchestrator/` in the project writable",
        };
        let repeat = if remembered {
            "This is reported once per session."
        } else {
            "Nothing can be written there, so this is reported on every event until it is fixed."
        };
        Some(format!(
            "session-orchestrator could not keep its session record ({}). The agent is not \
             affected; {advice}. {repeat}",
            details.join("; ")
        ))
    }

    /// The kinds in `kinds` not yet reported for `session`, and whether that they now are
    /// was remembered in the marker file (rather than only in this process).
    fn untold(
        &self,
        session: &str,
        kinds: &BTreeSet<ProblemKind>,
    ) -> (BTreeSet<ProblemKind>, bool) {
        let marker = self.layout.notice_marker();
        let result = self.layout.runtime_dir().is_dir().then(|| {
            update_json(
                &marker,
                Durability::Relaxed,
                |state: &mut Option<Marker>| {
                    let m = state.get_or_insert_with(Marker::default);
                    m.schema_version = 1;
                    let seq = m.told.values().map(|t| t.seq).max().unwrap_or(0) + 1;
                    let entry = m.told.entry(session.to_owned()).or_default();
                    entry.seq = seq;
                    let new: BTreeSet<ProblemKind> = kinds
                        .iter()
                        .copied()
                        .filter(|k| !entry.kinds.contains(k.name()))
                        .collect();
                    entry.kinds.extend(new.iter().map(|k| k.name().to_owned()));
                    while m.told.len() > MAX_SESSIONS {
                        let oldest = m
                            .told
                            .iter()
                            .min_by_key(|(_, t)| t.seq)
                            .map(|(k, _)| k.clone());
                        match oldest {
                            Some(k) => m.told.remove(&k),
                            None => break,
                        };
                    }
                    new
                },
            )
        });
        if let Some(Ok(up)) = result {
            return (up.value, true);
        }
        // The marker cannot be written: remember for this process only.
        let mut told = TOLD_IN_PROCESS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let new = kinds
            .iter()
            .copied()
            .filter(|k| told.insert((session.to_owned(), *k)))
            .collect();
        (new, false)
    }

    /// The error with the project root shortened away.
    fn short(&self, error: &StorageError) -> String {
        let root = self.layout.project_root().display().to_string();
        let text = error.to_string();
        if root.len() > 1 {
            text.replace(&format!("{root}/"), "")
        } else {
            text
        }
    }
}
