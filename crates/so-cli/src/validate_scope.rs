//! `session-orchestrator validate-wave-scope [FILE|-] [--assert-subset AGENT.json]
//! [--assert-disjoint SIDECAR.json] [--union SIDECAR.json] [--json]`: the pre-flight
//! validator of the original plugin, on the rules of [`so_scope::validate`].
//!
//! The manifest is read from FILE, or from stdin when FILE is `-` or absent; it is not read
//! at all when only `--assert-disjoint` and/or `--union` are given (they work on the sidecar
//! before any manifest exists). Exit 0 valid (stdout: the manifest as given, or the union
//! with `--union`), 1 invalid (`error: ...` and `warning: ...` lines on stderr; an empty flag
//! value is invalid, never skipped), 2 I/O error. With `--json` stdout is one report object
//! and the exit codes are the same.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};
use so_scope::PathStyle;
use so_scope::validate::{self, AgentFiles, Report};

use crate::wave_scope::{Cursor, Failure, lines, once, parse_json, project_root, read_input};

struct Options<'a> {
    manifest: Option<&'a str>,
    subset: Option<&'a str>,
    disjoint: Option<&'a str>,
    union: Option<&'a str>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Options<'_>, Failure> {
    let mut o = Options {
        manifest: None,
        subset: None,
        disjoint: None,
        union: None,
        json: false,
    };
    let mut c = Cursor::new(args);
    while let Some(a) = c.next_arg() {
        match a {
            "--json" => o.json = true,
            "--assert-subset" => {
                let v = c.value(a, "an agent's file list (a JSON array of paths)")?;
                once(&mut o.subset, a, v)?;
            }
            "--assert-disjoint" => {
                let v = c.value(a, "a sidecar JSON file of `{id, files}` records")?;
                once(&mut o.disjoint, a, v)?;
            }
            "--union" => {
                let v = c.value(a, "a sidecar JSON file of `{id, files}` records")?;
                once(&mut o.union, a, v)?;
            }
            "" => {
                return Err(Failure::invalid(
                    "the manifest file was given as an empty value: give a file, or `-` for stdin (an empty value is refused, never skipped)",
                ));
            }
            "-" => once(&mut o.manifest, "the manifest file", a)?,
            flag if flag.starts_with('-') => {
                return Err(Failure::invalid(format!(
                    "unknown argument `{flag}` for `validate-wave-scope`"
                )));
            }
            file => once(&mut o.manifest, "the manifest file", file)?,
        }
    }
    Ok(o)
}

/// Each input read once (a sidecar given to both `--assert-disjoint` and `--union` as `-`
/// reads stdin once).
#[derive(Default)]
struct Inputs<'a> {
    read: HashMap<&'a str, (String, String)>,
}

impl<'a> Inputs<'a> {
    fn load(&mut self, spec: &'a str) -> Result<(), Failure> {
        if !self.read.contains_key(spec) {
            let got = read_input(spec)?;
            self.read.insert(spec, got);
        }
        Ok(())
    }

    /// The text and display name of a loaded input.
    fn get(&self, spec: &str) -> (&str, &str) {
        self.read
            .get(spec)
            .map_or(("", "the input"), |(t, n)| (t.as_str(), n.as_str()))
    }
}

fn prefixed(name: &str, messages: Vec<String>) -> Vec<String> {
    messages
        .into_iter()
        .map(|m| format!("{name}: {m}"))
        .collect()
}

/// `validate-wave-scope`.
pub fn run(args: &[String]) -> ExitCode {
    validate_scope(args).unwrap_or_else(Failure::report)
}

fn validate_scope(args: &[String]) -> Result<ExitCode, Failure> {
    let o = parse(args)?;
    let reads_manifest =
        o.manifest.is_some() || o.subset.is_some() || (o.disjoint.is_none() && o.union.is_none());
    let manifest_spec = reads_manifest.then(|| o.manifest.unwrap_or("-"));
    let sidecar_specs: Vec<&str> = [o.disjoint, o.union].into_iter().flatten().collect();
    let stdin_roles = usize::from(manifest_spec == Some("-"))
        + usize::from(o.subset == Some("-"))
        + usize::from(sidecar_specs.contains(&"-"));
    if stdin_roles > 1 {
        return Err(Failure::invalid(
            "only one input can come from stdin (`-`): give the others as files (without FILE the manifest is read from stdin)",
        ));
    }

    // Read everything first: an unreadable input is an I/O error (exit 2) whatever else
    // is wrong.
    let mut inputs = Inputs::default();
    for spec in [manifest_spec, o.subset]
        .into_iter()
        .flatten()
        .chain(sidecar_specs.iter().copied())
    {
        inputs.load(spec)?;
    }
    let root = if o.subset.is_some() || !sidecar_specs.is_empty() {
        project_root(None)?
    } else {
        PathBuf::new()
    };

    let mut v = Validation {
        style: PathStyle::native(),
        root,
        inputs,
        report: Report::default(),
        manifest: None,
        sidecars: HashMap::new(),
    };
    if let Some(spec) = manifest_spec {
        let (text, name) = v.inputs.get(spec);
        match parse_json(text, name) {
            Ok(m) => {
                v.report.extend(validate::manifest(&m, v.style));
                v.manifest = Some(m);
            }
            Err(e) => v.report.errors.push(e),
        }
    }
    if let Some(spec) = o.subset {
        v.subset(spec);
    }
    for spec in &sidecar_specs {
        v.load_sidecar(spec);
    }
    if let Some(spec) = o.disjoint {
        v.disjoint(spec);
    }
    let union = o.union.and_then(|spec| v.union(spec));
    Ok(v.finish(&o, manifest_spec, union.as_deref()))
}

/// The state of one validation.
struct Validation<'a> {
    style: PathStyle,
    root: PathBuf,
    inputs: Inputs<'a>,
    report: Report,
    manifest: Option<Value>,
    /// Each sidecar, parsed once; None when it is invalid (its errors are reported).
    sidecars: HashMap<&'a str, Option<Vec<AgentFiles>>>,
}

impl<'a> Validation<'a> {
    /// `--assert-subset`: every path of the agent is allowed by the manifest.
    fn subset(&mut self, spec: &str) {
        let (text, name) = self.inputs.get(spec);
        let files = parse_json(text, name)
            .map_err(|e| vec![e])
            .and_then(|v| validate::file_list(&v).map_err(|es| prefixed(name, es)));
        let allowed = self
            .manifest
            .as_ref()
            .and_then(|m| m.get("allowedPaths"))
            .and_then(|a| validate::file_list(a).ok());
        match (files, allowed) {
            (Err(es), _) => self.report.errors.extend(es),
            (Ok(_), None) => self.report.errors.push(format!(
                "cannot check {name} against the manifest: the manifest has no valid `allowedPaths`"
            )),
            (Ok(files), Some(allowed)) => {
                for f in validate::not_covered(&allowed, &files, &self.root, self.style) {
                    self.report.errors.push(format!(
                        "`{f}` (in {name}) is not allowed by the manifest's allowedPaths"
                    ));
                }
            }
        }
    }

    fn load_sidecar(&mut self, spec: &'a str) {
        if self.sidecars.contains_key(spec) {
            return;
        }
        let (text, name) = self.inputs.get(spec);
        let agents = parse_json(text, name)
            .map_err(|e| vec![e])
            .and_then(|v| validate::sidecar(&v).map_err(|es| prefixed(name, es)));
        let agents = match agents {
            Ok(a) => Some(a),
            Err(es) => {
                self.report.errors.extend(es);
                None
            }
        };
        self.sidecars.insert(spec, agents);
    }

    /// `--assert-disjoint`: no two agents share a path.
    fn disjoint(&mut self, spec: &str) {
        if let Some(Some(agents)) = self.sidecars.get(spec) {
            let name = self.inputs.get(spec).1;
            for overlap in validate::overlaps(agents, &self.root, self.style) {
                self.report.errors.push(format!("{name}: {overlap}"));
            }
        }
    }

    /// `--union`: the agents' paths, each held to the `allowedPaths` entry rules.
    fn union(&mut self, spec: &str) -> Option<Vec<String>> {
        let agents = self.sidecars.get(spec)?.as_ref()?;
        let paths = validate::union(agents, self.style);
        let name = self.inputs.get(spec).1;
        for p in &paths {
            let r = validate::allowed_entry(p, self.style);
            self.report.errors.extend(prefixed(name, r.errors));
            self.report.warnings.extend(prefixed(name, r.warnings));
        }
        Some(paths)
    }

    /// Prints the outcome; returns the exit code.
    fn finish(
        self,
        o: &Options<'_>,
        manifest_spec: Option<&str>,
        union: Option<&[String]>,
    ) -> ExitCode {
        let report = &self.report;
        let code = if report.is_valid() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
        if o.json {
            let out = json!({
                "valid": report.is_valid(),
                "errors": report.errors,
                "warnings": report.warnings,
                "manifest": self.manifest,
                "union": union,
            });
            crate::emit(&format!("{out}\n"));
            return code;
        }
        eprint!(
            "{}{}",
            lines("error", &report.errors),
            lines("warning", &report.warnings)
        );
        if !report.is_valid() {
            return code;
        }
        let mut out = String::new();
        if let Some(paths) = union {
            let text = serde_json::to_string_pretty(paths).unwrap_or_else(|_| "[]".to_owned());
            let _ = writeln!(out, "{text}");
        } else if let Some(spec) = manifest_spec {
            out.push_str(self.inputs.get(spec).0);
            if !out.ends_with('\n') {
                out.push('\n');
            }
        } else if let Some(spec) = o.disjoint
            && let Some(Some(agents)) = self.sidecars.get(spec)
        {
            let ids: Vec<String> = agents.iter().map(|a| format!("`{}`", a.id)).collect();
            let _ = writeln!(
                out,
                "{}: {} agents share no path ({})",
                self.inputs.get(spec).1,
                agents.len(),
                ids.join(", ")
            );
        }
        crate::emit(&out);
        code
    }
}
