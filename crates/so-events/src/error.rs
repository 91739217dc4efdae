//! Why a record or a state file could not be written, and what kind of problem that is.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// A storage operation that did not happen (or, for [`StorageError::CorruptState`], happened
/// after setting a damaged file aside). Messages name the path.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// An I/O call failed.
    #[error("cannot {op} `{path}`: {source}")]
    Io {
        /// What was being done (`open`, `append to`, `replace`, …).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// Appending would grow the file past the process's file-size limit (`RLIMIT_FSIZE`):
    /// the write was not attempted, so it cannot be cut off half-way.
    #[error("cannot append to `{path}`: it would grow past the file-size limit of {limit} bytes")]
    FileSizeLimit {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// Another process held the file's lock for longer than the timeout.
    #[error("`{path}` stayed locked by another process for {waited:?}; gave up")]
    LockTimeout {
        /// The locked file.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// A JSON state file did not parse; it was renamed to `moved_to` (when that worked) and a
    /// fresh state was written in its place.
    #[error("`{path}` was damaged ({message}){}", moved_to.as_ref().map(|p| format!("; kept as `{}`", p.display())).unwrap_or_default())]
    CorruptState {
        /// The state file.
        path: PathBuf,
        /// Where the damaged file now is.
        moved_to: Option<PathBuf>,
        /// The parse error.
        message: String,
    },
    /// The project directory does not exist (a removed checkout, an unmounted disk): nothing
    /// is created there.
    #[error("project directory `{path}` does not exist")]
    MissingProject {
        /// The project root.
        path: PathBuf,
    },
}

/// The kind of a [`StorageError`], for deciding what to tell the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// The directory or file cannot be written (read-only file system, permissions, a file
    /// where a directory should be, a missing project directory).
    Unwritable,
    /// No space left, or a file-size limit reached.
    Full,
    /// A lock was held too long by another process.
    Locked,
    /// A state file was damaged and has been set aside.
    Corrupt,
    /// Any other I/O error.
    Other,
}

impl ProblemKind {
    /// Stable lowercase name (used in the notice marker file).
    pub fn name(self) -> &'static str {
        match self {
            Self::Unwritable => "unwritable",
            Self::Full => "full",
            Self::Locked => "locked",
            Self::Corrupt => "corrupt",
            Self::Other => "other",
        }
    }
}

impl StorageError {
    /// Wraps an I/O error with the operation and path.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ProblemKind {
        match self {
            Self::Io { source, .. } => match source.kind() {
                io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge => ProblemKind::Full,
                io::ErrorKind::ReadOnlyFilesystem
                | io::ErrorKind::PermissionDenied
                | io::ErrorKind::NotADirectory
                | io::ErrorKind::IsADirectory
                | io::ErrorKind::NotFound
                | io::ErrorKind::AlreadyExists => ProblemKind::Unwritable,
                _ => ProblemKind::Other,
            },
            Self::FileSizeLimit { .. } => ProblemKind::Full,
            Self::LockTimeout { .. } => ProblemKind::Locked,
            Self::CorruptState { .. } => ProblemKind::Corrupt,
            Self::MissingProject { .. } => ProblemKind::Unwritable,
        }
    }
}
