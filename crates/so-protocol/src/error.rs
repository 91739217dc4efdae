//! Why a hook payload could not be turned into a [`crate::HookInput`].

/// A hook payload that could not be read or understood.
///
/// Every message says what was wrong and that the fault lies with what the client sent, so a
/// runner can pass it on to the human unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// Stdin was empty or held only whitespace.
    #[error(
        "hook payload is empty: nothing arrived on stdin; this program is meant to be started \
         by Claude Code, Codex or Cursor as a hook, with the event JSON on stdin"
    )]
    Empty,
    /// Stdin held more than the allowed number of bytes.
    #[error(
        "hook payload is larger than {limit} bytes: the client sent more than this hook will read"
    )]
    TooLarge {
        /// The cap that was exceeded, in bytes.
        limit: usize,
    },
    /// The payload is not UTF-8, so it cannot be JSON.
    #[error(
        "hook payload is not valid UTF-8 (first bad byte at offset {valid_up_to}): the client \
         sent something this hook cannot read"
    )]
    InvalidUtf8 {
        /// Number of leading bytes that were valid UTF-8.
        valid_up_to: usize,
    },
    /// The payload is not well-formed JSON.
    #[error(
        "hook payload is not valid JSON (line {line}, column {column}: {message}): the client \
         sent something this hook cannot read"
    )]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser found wrong, without the position.
        message: String,
    },
    /// The payload is JSON but not an object.
    #[error(
        "hook payload is JSON but not an object: every supported client sends one JSON object \
         per hook call"
    )]
    NotAnObject,
    /// The payload has no usable `hook_event_name`.
    #[error(
        "hook payload has no \"hook_event_name\" string: cannot tell which hook event this is, \
         so no answer the client would accept can be written"
    )]
    MissingEventName,
    /// Reading stdin failed.
    #[error("could not read the hook payload from stdin: {0}")]
    Io(#[source] std::io::Error),
}
