//! Walks brush's syntax tree into the flat list of [`SimpleCommand`]s bash could run.

use std::collections::HashMap;

use brush_parser::ast::{
    self, Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList, ExtendedTestExpr,
    IoFileRedirectKind, IoFileRedirectTarget, IoRedirect,
};
use brush_parser::word::{WordPiece, WordPieceWithSource};
use brush_parser::{ParserOptions, word as bword};

use crate::Limits;
use crate::fallback;
use crate::model::{
    Context, Problem, Redirect, RedirectKind, ShellScript, SimpleCommand, Stdin, Word,
};
use crate::words::{self, WordBuilder};

/// State carried through one analysis.
pub(crate) struct Walker<'l> {
    limits: &'l Limits,
    options: ParserOptions,
    pub(crate) script: ShellScript,
    /// Static values of variables assigned earlier on the line.
    vars: HashMap<String, String>,
    /// Target of the last `cd`/`pushd`.
    cwd: Option<Word>,
    depth: usize,
    budget: usize,
    /// The source strings being walked, innermost last (for source positions).
    sources: Vec<String>,
}

impl<'l> Walker<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            options: ParserOptions::default(),
            script: ShellScript::default(),
            vars: HashMap::new(),
            cwd: None,
            depth: 0,
            budget: limits.parse_budget,
            sources: Vec::new(),
        }
    }

    /// Parses `source` and walks it. Parse failures go to the line-wise recovery.
    pub(crate) fn source(&mut self, source: &str, context: Context) {
        if self.depth > self.limits.max_depth {
            self.problem(Problem::TooDeep {
                limit: self.limits.max_depth,
            });
            return;
        }
        if source.len() > self.budget {
            self.problem(Problem::BudgetExhausted);
            return;
        }
        self.budget -= source.len();
        self.depth += 1;
        self.sources.push(source.to_owned());
        match parse_program(source, &self.options) {
            Ok(program) => {
                for list in &program.complete_commands {
                    self.list(list, context);
                }
            }
            Err(message) => match select_as_for(source)
                .and_then(|rewritten| parse_program(&rewritten, &self.options).ok())
            {
                // brush has no `select`; its grammar is `for`'s, so parse it as one.
                Some(program) => {
                    for list in &program.complete_commands {
                        self.list(list, context);
                    }
                }
                None => self.recover(source, context, &message),
            },
        }
        self.sources.pop();
        self.depth -= 1;
    }

    /// Bash runs every complete command before the line with a syntax error, so parse
    /// line by line: chunks that parse are walked normally; a tail that never parses
    /// is read by the fallback scanner and reported.
    fn recover(&mut self, source: &str, context: Context, first_error: &str) {
        let mut chunk_start = 0usize;
        let mut offset = 0usize;
        let mut attempts = 0usize;
        for line in source.split_inclusive('\n') {
            offset += line.len();
            attempts += 1;
            if attempts > self.limits.max_recovery_parses {
                // Too many lines to try one by one: the rest goes to the scanner.
                break;
            }
            if line.ends_with("\\\n") {
                // A continued line is not complete yet: parsing it alone would drop the
                // words after the backslash-newline.
                continue;
            }
            if let Ok(program) = parse_program(&source[chunk_start..offset], &self.options) {
                for list in &program.complete_commands {
                    self.list(list, context);
                }
                chunk_start = offset;
            }
        }
        let chunk = &source[chunk_start..];
        if chunk.trim().is_empty() {
            return;
        }
        self.problem(Problem::Syntax {
            message: first_error.to_owned(),
        });
        for argv in fallback::scan(chunk) {
            self.script.commands.push(SimpleCommand {
                argv,
                assignments: Vec::new(),
                redirects: Vec::new(),
                stdin: None,
                pipes_out: false,
                cwd: self.cwd.clone(),
                context: Context::Fallback,
            });
        }
    }

    fn problem(&mut self, p: Problem) {
        if !self.script.problems.contains(&p) {
            self.script.problems.push(p);
        }
    }

    fn list(&mut self, list: &CompoundList, context: Context) {
        for item in &list.0 {
            let and_or = &item.0;
            self.pipeline(&and_or.first, context);
            for next in &and_or.additional {
                match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p, context),
                }
            }
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, context: Context) {
        let mut previous: Option<Stdin> = None;
        let last = pipeline.seq.len().saturating_sub(1);
        for (i, command) in pipeline.seq.iter().enumerate() {
            let before = self.script.commands.len();
            let simple = matches!(command, Command::Simple(_));
            self.command(command, context, previous.take(), i < last);
            let after = self.script.commands.len();
            previous = Some(if simple && after > before {
                Stdin::Pipe(after - 1)
            } else {
                Stdin::UnknownPipe
            });
        }
    }

    fn command(
        &mut self,
        command: &Command,
        context: Context,
        stdin: Option<Stdin>,
        pipes_out: bool,
    ) {
        match command {
            Command::Simple(simple) => self.simple(simple, context, stdin, pipes_out),
            Command::Compound(compound, redirects) => {
                if let Some(list) = redirects {
                    self.compound_redirects(&list.0, context);
                }
                self.compound(compound, context);
            }
            Command::Function(def) => {
                let saved = self.cwd.clone();
                self.compound(&def.body.0, Context::Function);
                self.cwd = saved;
            }
            Command::ExtendedTest(test, _) => self.extended_test(&test.expr, context),
        }
    }

    /// Redirections on a compound command (`{ ...; } > file`) become a command of their
    /// own with no argv, so write targets are still seen.
    fn compound_redirects(&mut self, redirects: &[IoRedirect], context: Context) {
        let mut cmd = self.empty_command(context);
        for r in redirects {
            self.redirect(r, &mut cmd, context);
        }
        self.script.commands.push(cmd);
    }

    fn compound(&mut self, compound: &CompoundCommand, context: Context) {
        match compound {
            CompoundCommand::Arithmetic(a) => {
                // brush reads `( ( cmd ) )` as arithmetic; bash runs two subshells unless
                // the two parentheses touch. Check the source and walk it as commands.
                let start = a.loc.start.index;
                let touching = self
                    .sources
                    .last()
                    .and_then(|s| s.get(start..))
                    .is_none_or(|rest| rest.starts_with("(("));
                if touching {
                    self.text_substitutions(&a.expr.value, context);
                } else {
                    let inner = a.expr.value.clone();
                    self.source(&inner, context);
                }
            }
            CompoundCommand::ArithmeticForClause(f) => {
                for e in [&f.initializer, &f.condition, &f.updater]
                    .into_iter()
                    .flatten()
                {
                    self.text_substitutions(&e.value, context);
                }
                self.list(&f.body.list, context);
            }
            CompoundCommand::BraceGroup(g) => self.list(&g.list, context),
            CompoundCommand::Subshell(s) => {
                let saved = self.cwd.clone();
                self.list(&s.list, context);
                self.cwd = saved;
            }
            CompoundCommand::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.words(w, context);
                }
                self.list(&f.body.list, context);
            }
            CompoundCommand::CaseClause(c) => {
                self.words(&c.value, context);
                for item in &c.cases {
                    if let Some(cmd) = &item.cmd {
                        self.list(cmd, context);
                    }
                }
            }
            CompoundCommand::IfClause(i) => {
                self.list(&i.condition, context);
                self.list(&i.then, context);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.list(c, context);
                    }
                    self.list(&e.body, context);
                }
            }
            CompoundCommand::WhileClause(w) | CompoundCommand::UntilClause(w) => {
                self.list(&w.0, context);
                self.list(&w.1.list, context);
            }
            CompoundCommand::Coprocess(c) => self.command(&c.body, context, None, false),
        }
    }

    fn extended_test(&mut self, expr: &ExtendedTestExpr, context: Context) {
        match expr {
            ExtendedTestExpr::And(a, b) | ExtendedTestExpr::Or(a, b) => {
                self.extended_test(a, context);
                self.extended_test(b, context);
            }
            ExtendedTestExpr::Not(a) | ExtendedTestExpr::Parenthesized(a) => {
                self.extended_test(a, context);
            }
            ExtendedTestExpr::UnaryTest(_, w) => {
                self.words(w, context);
            }
            ExtendedTestExpr::BinaryTest(_, a, b) => {
                self.words(a, context);
                self.words(b, context);
            }
        }
    }

    fn empty_command(&self, context: Context) -> SimpleCommand {
        SimpleCommand {
            argv: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            stdin: None,
            pipes_out: false,
            cwd: self.cwd.clone(),
            context,
        }
    }

    fn simple(
        &mut self,
        simple: &ast::SimpleCommand,
        context: Context,
        stdin: Option<Stdin>,
        pipes_out: bool,
    ) {
        let mut cmd = self.empty_command(context);
        cmd.stdin = stdin;
        cmd.pipes_out = pipes_out;
        let mut pending_vars: Vec<(String, String)> = Vec::new();
        for item in simple.prefix.iter().flat_map(|p| p.0.iter()) {
            self.item(item, &mut cmd, context, &mut pending_vars, true);
        }
        if let Some(name) = &simple.word_or_name {
            let words = self.words(name, context);
            cmd.argv.extend(words);
        }
        for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
            self.item(item, &mut cmd, context, &mut pending_vars, false);
        }
        // Assignments only persist on a line with no command, or through export-like builtins.
        let persists = cmd.argv.is_empty()
            || matches!(
                cmd.argv[0].text.as_str(),
                "export" | "declare" | "typeset" | "readonly" | "local"
            );
        if persists {
            for (name, value) in pending_vars {
                self.vars.insert(name, value);
            }
        }
        if let Some(first) = cmd.argv.first()
            && first.text == "trap"
            && let Some(code) = cmd.argv.get(1)
            && !code.text.starts_with('-')
            && !code.dynamic
        {
            // `trap 'CODE' EXIT` runs CODE later in this same shell, with its variables.
            let code = code.text.clone();
            self.source(&code, context);
        }
        if let Some(first) = cmd.argv.first()
            && matches!(first.text.as_str(), "cd" | "pushd")
        {
            let target = cmd
                .argv
                .iter()
                .skip(1)
                .find(|w| !w.text.starts_with('-') || w.text == "-")
                .cloned()
                .unwrap_or_else(|| Word {
                    text: "~".to_owned(),
                    tilde: true,
                    ..Word::default()
                });
            // `cd -` goes back to a directory the line does not show; a relative target
            // is relative to the previous `cd`.
            let target = if target.text == "-" {
                Word {
                    text: "$OLDPWD".to_owned(),
                    dynamic: true,
                    ..Word::default()
                }
            } else {
                match &self.cwd {
                    Some(prev)
                        if !target.text.starts_with('/') && !target.tilde && !target.dynamic =>
                    {
                        Word {
                            text: format!("{}/{}", prev.text.trim_end_matches('/'), target.text),
                            ..prev.clone()
                        }
                    }
                    _ => target,
                }
            };
            self.cwd = Some(target);
        }
        self.script.commands.push(cmd);
    }

    fn item(
        &mut self,
        item: &CommandPrefixOrSuffixItem,
        cmd: &mut SimpleCommand,
        context: Context,
        pending_vars: &mut Vec<(String, String)>,
        prefix: bool,
    ) {
        match item {
            CommandPrefixOrSuffixItem::IoRedirect(r) => self.redirect(r, cmd, context),
            CommandPrefixOrSuffixItem::Word(w) => {
                let words = self.words(w, context);
                cmd.argv.extend(words);
            }
            CommandPrefixOrSuffixItem::AssignmentWord(assignment, source_word) => {
                let name = match &assignment.name {
                    ast::AssignmentName::VariableName(n)
                    | ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                };
                let value = match &assignment.value {
                    ast::AssignmentValue::Scalar(w) => self.single_word(w, context),
                    ast::AssignmentValue::Array(items) => {
                        let mut joined = Word::default();
                        for (_, w) in items {
                            let v = self.single_word(w, context);
                            joined.dynamic |= v.dynamic;
                            if !joined.text.is_empty() {
                                joined.text.push(' ');
                            }
                            joined.text.push_str(&v.text);
                        }
                        joined
                    }
                };
                if let Some(known) = value.known() {
                    pending_vars.push((name.clone(), known.to_owned()));
                } else {
                    self.vars.remove(&name);
                }
                if prefix {
                    cmd.assignments.push((name, value));
                } else {
                    // `export A=b`: an argument of the builtin.
                    let mut arg = value;
                    arg.text = format!("{name}={}", arg.text);
                    let _ = source_word;
                    cmd.argv.push(arg);
                }
            }
            CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => {
                let saved = self.cwd.clone();
                self.list(&sub.list, Context::ProcessSubstitution);
                self.cwd = saved;
                cmd.argv.push(Word {
                    text: "/dev/fd/63".to_owned(),
                    dynamic: true,
                    ..Word::default()
                });
            }
        }
    }

    fn redirect(&mut self, r: &IoRedirect, cmd: &mut SimpleCommand, context: Context) {
        match r {
            IoRedirect::File(fd, kind, target) => {
                let kind = match kind {
                    IoFileRedirectKind::Read => RedirectKind::Read,
                    IoFileRedirectKind::Write | IoFileRedirectKind::Clobber => RedirectKind::Write,
                    IoFileRedirectKind::Append => RedirectKind::Append,
                    IoFileRedirectKind::ReadAndWrite => RedirectKind::ReadWrite,
                    IoFileRedirectKind::DuplicateInput | IoFileRedirectKind::DuplicateOutput => {
                        RedirectKind::Duplicate
                    }
                };
                let target = match target {
                    IoFileRedirectTarget::Filename(w) | IoFileRedirectTarget::Duplicate(w) => {
                        self.single_word(w, context)
                    }
                    IoFileRedirectTarget::Fd(n) => Word::literal(n.to_string()),
                    IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                        let saved = self.cwd.clone();
                        self.list(&sub.list, Context::ProcessSubstitution);
                        self.cwd = saved;
                        Word {
                            text: "/dev/fd/63".to_owned(),
                            dynamic: true,
                            ..Word::default()
                        }
                    }
                };
                if kind == RedirectKind::Read && fd.is_none_or(|f| f == 0) {
                    cmd.stdin = Some(Stdin::File(target.clone()));
                }
                cmd.redirects.push(Redirect {
                    fd: *fd,
                    kind,
                    target,
                });
            }
            IoRedirect::HereDocument(_, doc) => {
                let body = if doc.remove_tabs {
                    doc.doc
                        .value
                        .split_inclusive('\n')
                        .map(|l| l.trim_start_matches('\t'))
                        .collect()
                } else {
                    doc.doc.value.clone()
                };
                if doc.requires_expansion {
                    self.heredoc_substitutions(&body, context);
                }
                cmd.stdin = Some(Stdin::HereDoc {
                    body,
                    expands: doc.requires_expansion,
                });
            }
            IoRedirect::HereString(_, w) => {
                let word = self.single_word(w, context);
                cmd.stdin = Some(Stdin::HereString(word));
            }
            IoRedirect::OutputAndError(w, append) => {
                let target = self.single_word(w, context);
                cmd.redirects.push(Redirect {
                    fd: None,
                    kind: RedirectKind::OutputAndError { append: *append },
                    target,
                });
            }
        }
    }

    /// Words a source word expands to; nested substitutions are walked as commands.
    pub(crate) fn words(&mut self, word: &ast::Word, context: Context) -> Vec<Word> {
        let source = word.value.as_str();
        match bword::parse(source, &self.options) {
            Ok(pieces) => {
                let mut builder = WordBuilder::default();
                self.pieces(source, &pieces, false, &mut builder, context);
                builder
                    .finish()
                    .into_iter()
                    .flat_map(crate::braces::expand)
                    .collect()
            }
            Err(_) => fallback::scan_word(source),
        }
    }

    /// The first word a source word expands to (redirect targets, assignment values).
    fn single_word(&mut self, word: &ast::Word, context: Context) -> Word {
        let mut words = self.words(word, context);
        if words.len() == 1 {
            return words.remove(0);
        }
        // Joined back: a redirect target that splits is an error in bash, and an
        // assignment value does not split.
        let mut joined = Word::default();
        for w in words {
            if !joined.text.is_empty() {
                joined.text.push(' ');
            }
            joined.text.push_str(&w.text);
            joined.dynamic |= w.dynamic;
            joined.quoted |= w.quoted;
            joined.glob |= w.glob;
        }
        joined
    }

    fn pieces(
        &mut self,
        source: &str,
        pieces: &[WordPieceWithSource],
        in_dq: bool,
        out: &mut WordBuilder,
        context: Context,
    ) {
        for piece in pieces {
            match &piece.piece {
                WordPiece::Text(t) => out.push_text(t, in_dq),
                WordPiece::SingleQuotedText(t) => out.push_text(t, true),
                WordPiece::AnsiCQuotedText(t) => out.push_text(&words::decode_ansi_c(t), true),
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    // Inner indices are relative to the same source string.
                    self.pieces(source, inner, true, out, context);
                    out.push_text("", true);
                }
                WordPiece::TildeExpansion(t) => out.push_text(&words::tilde_text(t), in_dq),
                WordPiece::EscapeSequence(seq) => {
                    out.push_text(&words::unescape(seq, in_dq), true);
                }
                WordPiece::ParameterExpansion(expr) => {
                    for operand in words::parameter_operands(expr) {
                        self.text_substitutions(operand, context);
                    }
                    let spelled = words::piece_source(source, piece);
                    match words::plain_variable(expr) {
                        Some("IFS") if !in_dq => out.split(),
                        Some(name) if self.vars.contains_key(name) => {
                            let value = self.vars[name].clone();
                            if in_dq {
                                out.push_text(&value, true);
                            } else {
                                out.push_split(&value);
                            }
                        }
                        _ => out.push_dynamic(spelled, in_dq),
                    }
                }
                WordPiece::CommandSubstitution(inner)
                | WordPiece::BackquotedCommandSubstitution(inner) => {
                    let output = self.substitution(inner);
                    match output {
                        Some(text) if in_dq => out.push_text(&text, true),
                        Some(text) => out.push_split(&text),
                        None => out.push_dynamic(words::piece_source(source, piece), in_dq),
                    }
                }
                WordPiece::ArithmeticExpression(e) => {
                    self.text_substitutions(&e.value, context);
                    out.push_dynamic(words::piece_source(source, piece), in_dq);
                }
            }
        }
    }

    /// Walks a command substitution. Returns its output when it is knowable: a single
    /// `echo`/`printf %s` of literal words (so `eval $(echo git stash clear)` is seen).
    fn substitution(&mut self, inner: &str) -> Option<String> {
        let start = self.script.commands.len();
        let saved = self.cwd.clone();
        self.source(inner, Context::Substitution);
        self.cwd = saved;
        let added = &self.script.commands[start..];
        if added.len() != 1 {
            return None;
        }
        let cmd = &added[0];
        let name = cmd.name()?.known()?;
        if !cmd.redirects.is_empty() || cmd.argv.iter().any(|w| w.dynamic) {
            return None;
        }
        match name {
            "echo" => {
                let args: Vec<&str> = cmd.argv[1..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .skip_while(|a| matches!(*a, "-n" | "-e" | "-E"))
                    .collect();
                Some(args.join(" "))
            }
            "printf" => {
                let format = cmd.argv.get(1)?.text.as_str();
                let rest: Vec<&str> = cmd.argv[2..].iter().map(|w| w.text.as_str()).collect();
                if format.contains('%')
                    && (format.matches('%').count() != 1 || !format.contains("%s"))
                {
                    return None;
                }
                Some(if rest.is_empty() {
                    format.replace("\\n", "\n")
                } else {
                    format.replace("%s", &rest.join(" ")).replace("\\n", "\n")
                })
            }
            // `mktemp` with no directory of its own makes a path in the temp dir, so
            // `d=$(mktemp -d); rm -rf "$d"` is seen as the scratch clean-up it is.
            "mktemp" => {
                let elsewhere = cmd.argv[1..].iter().any(|w| {
                    w.text == "-p"
                        || w.text.starts_with("--tmpdir=")
                        || (!w.text.starts_with('-') && w.text.contains('/'))
                });
                (!elsewhere).then(|| "/tmp/tmp.XXXXXXXXXX".to_owned())
            }
            _ => None,
        }
    }

    /// Finds and walks command substitutions inside text bash expands (arithmetic,
    /// expansion operands, unquoted heredoc bodies).
    fn text_substitutions(&mut self, text: &str, context: Context) {
        if !text.contains("$(") && !text.contains('`') {
            return;
        }
        if let Ok(pieces) = bword::parse(text, &self.options) {
            self.walk_nested(&pieces, context);
        }
    }

    fn heredoc_substitutions(&mut self, body: &str, context: Context) {
        if !body.contains("$(") && !body.contains('`') {
            return;
        }
        if let Ok(pieces) = bword::parse_heredoc(body, &self.options) {
            self.walk_nested(&pieces, context);
        }
    }

    fn walk_nested(&mut self, pieces: &[WordPieceWithSource], context: Context) {
        for piece in pieces {
            match &piece.piece {
                WordPiece::CommandSubstitution(inner)
                | WordPiece::BackquotedCommandSubstitution(inner) => {
                    let saved = self.cwd.clone();
                    self.source(inner, Context::Substitution);
                    self.cwd = saved;
                }
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => self.walk_nested(inner, context),
                WordPiece::ParameterExpansion(expr) => {
                    for operand in words::parameter_operands(expr) {
                        self.text_substitutions(operand, context);
                    }
                }
                WordPiece::ArithmeticExpression(e) => self.text_substitutions(&e.value, context),
                _ => {}
            }
        }
        let _ = words::is_substitution;
    }
}

fn parse_program(source: &str, options: &ParserOptions) -> Result<ast::Program, String> {
    let mut parser = brush_parser::Parser::new(std::io::Cursor::new(source.as_bytes()), options);
    parser.parse_program().map_err(|e| e.to_string())
}

/// The source with each `select` keyword in command position replaced by `for` (padded
/// to keep offsets), or None when there is none.
fn select_as_for(source: &str) -> Option<String> {
    if !source.contains("select") {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    let mut changed = false;
    while let Some(pos) = rest.find("select") {
        let before = &rest[..pos];
        let prev = out
            .chars()
            .last()
            .into_iter()
            .chain(before.chars().rev())
            .find(|c| !matches!(c, ' ' | '\t'));
        let at_command = before
            .chars()
            .last()
            .is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | '{'))
            && prev.is_none_or(|c| matches!(c, '\n' | ';' | '&' | '|' | '(' | '{'));
        let after = rest[pos + 6..].chars().next();
        out.push_str(before);
        if at_command && after.is_some_and(|c| c == ' ' || c == '\t') {
            out.push_str("for   ");
            changed = true;
        } else {
            out.push_str("select");
        }
        rest = &rest[pos + 6..];
    }
    out.push_str(rest);
    changed.then_some(out)
}
