//! The command model the guard reasons about: what bash would run, after parsing and
//! quote removal, with no parser types leaking out.

use std::fmt;

/// One word of a command after quote removal.
///
/// `text` is what bash would pass as the argument when the word holds no expansion. When
/// it does (`$VAR`, `$(...)`, `$((...))`), the expansion's source spelling stays in `text`
/// and `dynamic` is set: its value is unknown before run time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts about one word"
)]
pub struct Word {
    /// Text after quote removal; expansions keep their source spelling.
    pub text: String,
    /// Some part of the word was quoted or escaped.
    pub quoted: bool,
    /// The word holds an expansion whose value is unknown before run time.
    pub dynamic: bool,
    /// The word holds an unquoted glob character (`*`, `?`, `[`).
    pub glob: bool,
    /// The word starts with an unquoted `~` (tilde expansion).
    pub tilde: bool,
}

impl Word {
    /// A plain literal word, as tests and callers that build commands by hand need.
    pub fn literal(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// The word's value when it is known before run time.
    pub fn known(&self) -> Option<&str> {
        (!self.dynamic).then_some(self.text.as_str())
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a redirection does to its file descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `<`
    Read,
    /// `>` or `>|`: truncates the target.
    Write,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `>&N`, `<&N`: duplicates a descriptor, writes no file.
    Duplicate,
    /// `&>` / `&>>`: stdout and stderr to one file.
    OutputAndError {
        /// `&>>` appends.
        append: bool,
    },
}

impl RedirectKind {
    /// The redirection writes into its target file.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Self::Write | Self::Append | Self::ReadWrite | Self::OutputAndError { .. }
        )
    }
}

/// A file redirection of a simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// Explicit descriptor number, if written (`2>`).
    pub fd: Option<i32>,
    /// What the redirection does.
    pub kind: RedirectKind,
    /// The file (or descriptor) it names.
    pub target: Word,
}

/// Where a simple command's standard input comes from, when the command line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stdin {
    /// A heredoc body; `expands` is false when the delimiter was quoted.
    HereDoc {
        /// The body, with `<<-` tab stripping applied.
        body: String,
        /// Bash expands `$...` in the body (unquoted delimiter).
        expands: bool,
    },
    /// A here-string (`<<< word`).
    HereString(Word),
    /// A file (`< file`).
    File(Word),
    /// The output of the simple command at this index in [`ShellScript::commands`].
    Pipe(usize),
    /// The output of a compound command or of something else the analysis cannot see.
    UnknownPipe,
}

/// Where a simple command sits in the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Run by the top-level command line (including loops, groups and conditionals).
    TopLevel,
    /// Inside `$(...)` or backticks.
    Substitution,
    /// Inside `<(...)` or `>(...)`.
    ProcessSubstitution,
    /// Inside a function body (analysed as if the function is called).
    Function,
    /// Recovered by the fallback scanner from a part bash's grammar rejects.
    Fallback,
}

/// One simple command: the unit bash executes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Command word and arguments after quote removal.
    pub argv: Vec<Word>,
    /// Leading `NAME=value` assignments.
    pub assignments: Vec<(String, Word)>,
    /// File redirections, in source order.
    pub redirects: Vec<Redirect>,
    /// Where standard input comes from, if the line says.
    pub stdin: Option<Stdin>,
    /// The output goes into a pipe to the next command.
    pub pipes_out: bool,
    /// The directory an earlier `cd`/`pushd` on the same line moved to, if any.
    pub cwd: Option<Word>,
    /// Where the command sits.
    pub context: Context,
}

impl SimpleCommand {
    /// The command word, if there is one (an assignment-only line has none).
    pub fn name(&self) -> Option<&Word> {
        self.argv.first()
    }

    /// The command as one line, words joined by spaces, for display.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .assignments
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        parts.extend(self.argv.iter().map(|w| w.text.clone()));
        parts.join(" ")
    }
}

/// Something that kept part of the input from being analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The input exceeds the size limit.
    TooLarge {
        /// Bytes in the input.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// Brackets or substitutions nest deeper than the limit.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A part of the input is not valid bash; the fallback scanner read it.
    Syntax {
        /// The parser's message.
        message: String,
    },
    /// Re-parsing nested strings used up the work budget.
    BudgetExhausted,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { bytes, limit } => {
                write!(
                    f,
                    "command is {bytes} bytes, over the {limit}-byte analysis limit"
                )
            }
            Self::TooDeep { limit } => {
                write!(
                    f,
                    "brackets or substitutions nest deeper than {limit} levels"
                )
            }
            Self::Syntax { message } => write!(f, "not valid bash: {message}"),
            Self::BudgetExhausted => {
                f.write_str("nested command strings exceed the analysis budget")
            }
        }
    }
}

/// The analysed command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShellScript {
    /// Every simple command bash could run, in source order, nested ones included.
    pub commands: Vec<SimpleCommand>,
    /// Parts that could not be analysed.
    pub problems: Vec<Problem>,
}

impl ShellScript {
    /// Whether some part of the input could not be read at all (size, depth, budget).
    /// Syntax problems are not counted: the fallback scanner still read those parts.
    pub fn is_incomplete(&self) -> bool {
        self.problems
            .iter()
            .any(|p| !matches!(p, Problem::Syntax { .. }))
    }
}
