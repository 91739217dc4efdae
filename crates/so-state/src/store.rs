//! [`StateFile`]: STATE.md on disk. Reads take no lock (writers replace the file atomically);
//! every change is read-modify-write under `.orchestrator/state.lock`.

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::doc::SectionName;
use crate::lock::{LOCK_TIMEOUT, acquire};
use crate::ops::{InitParams, Started};
use crate::{LOCK_FILE, STATE_FILE, StateDoc, StateError};

/// The STATE.md of one project and client.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
    lock: PathBuf,
    timeout: Duration,
}

/// What [`StateFile::init`] did.
#[derive(Debug)]
pub struct Initialised {
    /// The new state.
    pub doc: StateDoc,
    /// What was there before.
    pub started: Started,
    /// Where the unparsable old file was copied, when `force` replaced one.
    pub backup: Option<PathBuf>,
}

impl StateFile {
    /// `<project_root>/<state_dir>/STATE.md` (`state_dir`: `.claude`, `.codex`, `.cursor`),
    /// locked through `<project_root>/.orchestrator/state.lock`.
    pub fn new(project_root: &Path, state_dir: &str) -> Self {
        Self {
            path: project_root.join(state_dir).join(STATE_FILE),
            lock: project_root.join(LOCK_FILE),
            timeout: LOCK_TIMEOUT,
        }
    }

    /// The same file with another lock timeout (tests).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The STATE.md path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file's path.
    pub fn lock_path(&self) -> &Path {
        &self.lock
    }

    /// Reads and parses the file; `Ok(None)` when there is none.
    pub fn load(&self) -> Result<Option<StateDoc>, StateError> {
        self.read_text()?.map(|t| self.parse(&t)).transpose()
    }

    /// Starts a session (see [`StateDoc::start`]). With `force`, an active or paused session
    /// is replaced too, and a file that does not parse is copied to
    /// `STATE.md.corrupt-<millis>` and replaced.
    pub fn init(
        &self,
        params: &InitParams,
        force: bool,
        now: &str,
    ) -> Result<Initialised, StateError> {
        let _lock = acquire(&self.lock, self.timeout)?;
        let (previous, started, backup) = match self.read_text()? {
            None => (None, Started::Fresh, None),
            Some(text) => match self.parse(&text) {
                Ok(doc) => {
                    let status = doc.frontmatter.status;
                    (Some(doc), Started::After(status), None)
                }
                Err(e) if force => {
                    drop(e);
                    (None, Started::OverCorrupt, Some(self.keep_copy(&text)?))
                }
                Err(e) => return Err(e),
            },
        };
        let doc = StateDoc::start(previous.as_ref(), params, now, force)?;
        self.write(&doc)?;
        Ok(Initialised {
            doc,
            started,
            backup,
        })
    }

    /// Sets frontmatter keys (see [`StateDoc::apply`]); returns the new state and the keys.
    pub fn set(
        &self,
        assignments: &[(String, String)],
        now: &str,
    ) -> Result<(StateDoc, Vec<String>), StateError> {
        self.modify(|doc| doc.apply(assignments, now))
    }

    /// Appends an entry to a section (see [`StateDoc::append`]); returns the new state and
    /// the entries dropped by the section's cap.
    pub fn append(
        &self,
        name: SectionName,
        text: &str,
        now: &str,
    ) -> Result<(StateDoc, Vec<String>), StateError> {
        self.modify(|doc| {
            let dropped = doc.append(name, text)?;
            doc.frontmatter.updated = Some(now.to_owned());
            Ok(dropped)
        })
    }

    /// Replaces a section's body (see [`StateDoc::replace`]); returns the new state and the
    /// entries dropped by the section's cap.
    pub fn replace_section(
        &self,
        name: SectionName,
        body: &str,
        now: &str,
    ) -> Result<(StateDoc, Vec<String>), StateError> {
        self.modify(|doc| {
            let dropped = doc.replace(name, body)?;
            doc.frontmatter.updated = Some(now.to_owned());
            Ok(dropped)
        })
    }

    /// The idle reset (see [`StateDoc::reset`]).
    pub fn reset(&self, now: &str) -> Result<StateDoc, StateError> {
        self.modify(|doc| doc.reset(now)).map(|(doc, ())| doc)
    }

    /// Writes the bootstrap placeholder when there is no STATE.md; `Ok(None)` when one exists
    /// (it is left alone, whatever it holds).
    pub fn create_placeholder(
        &self,
        branch: &str,
        now: &str,
    ) -> Result<Option<StateDoc>, StateError> {
        let _lock = acquire(&self.lock, self.timeout)?;
        if self.path.exists() {
            return Ok(None);
        }
        let doc = StateDoc::placeholder(branch, now);
        self.write(&doc)?;
        Ok(Some(doc))
    }

    /// Read-modify-write under the lock: the file must exist and parse.
    fn modify<R>(
        &self,
        change: impl FnOnce(&mut StateDoc) -> Result<R, StateError>,
    ) -> Result<(StateDoc, R), StateError> {
        let _lock = acquire(&self.lock, self.timeout)?;
        let text = self.read_text()?.ok_or_else(|| StateError::Missing {
            path: self.path.clone(),
        })?;
        let mut doc = self.parse(&text)?;
        let value = change(&mut doc)?;
        self.write(&doc)?;
        Ok((doc, value))
    }

    fn read_text(&self) -> Result<Option<String>, StateError> {
        match fs::read_to_string(&self.path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io("read", &self.path, e)),
        }
    }

    fn parse(&self, text: &str) -> Result<StateDoc, StateError> {
        StateDoc::parse(text).map_err(|e| StateError::Corrupt {
            path: self.path.clone(),
            problems: e.problems,
        })
    }

    fn write(&self, doc: &StateDoc) -> Result<(), StateError> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir).map_err(|e| StateError::io("create", dir, e))?;
        }
        so_events::replace_file(&self.path, doc.render().as_bytes())
            .map_err(|e| StateError::io("replace", &self.path, e))
    }

    /// Copies an unparsable file aside before `init --force` replaces it.
    fn keep_copy(&self, text: &str) -> Result<PathBuf, StateError> {
        let ms = so_events::Timestamp::now().millis();
        let copy = self
            .path
            .with_file_name(format!("{STATE_FILE}.corrupt-{ms}"));
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&copy)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| StateError::io("keep a copy of the old STATE.md as", &copy, e))?;
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SessionType, Status};

    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Self {
            let d = std::env::temp_dir().join(format!("so-state-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&d);
            fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
            Self(d)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn params() -> InitParams {
        InitParams {
            session_type: SessionType::Deep,
            total_waves: 5,
            branch: "main".to_owned(),
            issues: Vec::new(),
            session: None,
            session_start_ref: None,
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn init_writes_under_the_lock_and_leaves_no_temporary_file() {
        let d = Dir::new("init");
        let file = StateFile::new(&d.0, ".claude");
        assert!(file.load().is_ok_and(|s| s.is_none()));
        assert!(matches!(
            file.set(&[], "t"),
            Err(StateError::Missing { .. })
        ));
        let done = file
            .init(&params(), false, "2026-05-04T09:00:00Z")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.started, Started::Fresh);
        assert_eq!(names(&d.0.join(".claude")), ["STATE.md"]);
        assert!(d.0.join(".orchestrator/state.lock").is_file());
        let loaded = file.load().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.as_ref(), Some(&done.doc));
        let (doc, dropped) = file
            .append(
                SectionName::WaveHistory,
                "Wave 1: done",
                "2026-05-04T10:00:00Z",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(dropped.is_empty());
        assert_eq!(
            doc.frontmatter.updated.as_deref(),
            Some("2026-05-04T10:00:00Z")
        );
    }

    #[test]
    fn a_corrupt_file_is_never_overwritten_without_force() {
        let d = Dir::new("corrupt");
        let file = StateFile::new(&d.0, ".codex");
        let bad = "---\nschema-version: 1\nstatus: active: yes\n---\n## Wave History\n- precious\n";
        fs::create_dir_all(d.0.join(".codex")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(file.path(), bad).unwrap_or_else(|e| panic!("{e}"));
        let attempts: Vec<Result<(), StateError>> = vec![
            file.set(&[("status".to_owned(), "paused".to_owned())], "t")
                .map(drop),
            file.append(SectionName::Deviations, "x", "t").map(drop),
            file.replace_section(SectionName::Deviations, "x", "t")
                .map(drop),
            file.reset("t").map(drop),
            file.init(&params(), false, "t").map(drop),
            file.create_placeholder("main", "t").map(drop),
        ];
        for a in attempts.into_iter().take(5) {
            let e = a.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("STATE.md:3:") && e.contains("--force"), "{e}");
        }
        assert_eq!(fs::read_to_string(file.path()).ok().as_deref(), Some(bad));
        // Control: `init --force` replaces it and keeps a copy.
        let done = file
            .init(&params(), true, "t")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.started, Started::OverCorrupt);
        let copy = done.backup.unwrap_or_default();
        assert_eq!(fs::read_to_string(&copy).ok().as_deref(), Some(bad));
        assert_eq!(
            file.load().ok().flatten().map(|d| d.frontmatter.status),
            Some(Status::Active)
        );
    }

    #[test]
    fn the_placeholder_is_written_only_when_there_is_no_state() {
        let d = Dir::new("placeholder");
        let file = StateFile::new(&d.0, ".cursor");
        let Some(doc) = file
            .create_placeholder("none", "2026-01-01T00:00:00Z")
            .ok()
            .flatten()
        else {
            panic!("not created");
        };
        let fm = doc.frontmatter;
        assert_eq!(
            (fm.session_type, fm.status),
            (SessionType::None, Status::Idle)
        );
        assert!(
            file.init(&params(), false, "t").is_ok(),
            "idle is demoted, not refused"
        );
        assert!(
            file.create_placeholder("none", "t")
                .is_ok_and(|d| d.is_none())
        );
        assert_eq!(
            file.load().ok().flatten().map(|d| d.frontmatter.status),
            Some(Status::Active)
        );
    }

    #[test]
    fn a_held_lock_times_out_with_a_clear_error_and_writes_nothing() {
        let d = Dir::new("timeout");
        let file = StateFile::new(&d.0, ".claude").with_timeout(Duration::from_millis(100));
        assert!(file.init(&params(), false, "t").is_ok());
        let before = fs::read_to_string(file.path()).unwrap_or_default();
        let held = acquire(file.lock_path(), LOCK_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        let e = file.append(SectionName::Deviations, "x", "t").err();
        assert!(matches!(e, Some(StateError::LockTimeout { .. })), "{e:?}");
        assert_eq!(fs::read_to_string(file.path()).unwrap_or_default(), before);
        drop(held);
        assert!(file.append(SectionName::Deviations, "x", "t").is_ok());
    }
}
