//! Interpreter one-liners and heredocs: the code is read for the calls that delete files
//! or run shell commands; string literals elsewhere stay data.

use std::sync::OnceLock;

use regex::Regex;
use so_shell::Word;

use super::RuleInfo;
use super::wrappers::option_value;
use crate::engine::{Engine, Input, Invocation};
use crate::verdict::Severity;

/// A recursive delete API called on a path computed at run time.
pub(crate) const DELETE_API: RuleInfo = RuleInfo {
    id: "interp:delete-api",
    pack: "core.interpreters",
    severity: Severity::Deny,
    summary: "interpreter code recursively deletes a path computed at run time (`shutil.rmtree`, `fs.rmSync`, `FileUtils.rm_rf`, `remove_tree`)",
    alternative: "delete named build outputs or temp paths with `rm`, where the guard can check them",
    block_example: "python3 -c 'import shutil,sys; shutil.rmtree(sys.argv[1])' ~/data",
    allow_example: "python3 -c 'import shutil; print(shutil.which(\"git\"))'",
    always_enforced: false,
};

pub(crate) static RULES: &[&RuleInfo] = &[&DELETE_API];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Python,
    Js,
    Ruby,
    Perl,
    Php,
}

pub(crate) fn check(e: &mut Engine, inv: &Invocation, name: &str) {
    let lang = match name {
        "node" | "nodejs" | "bun" | "deno" => Lang::Js,
        "ruby" => Lang::Ruby,
        "perl" => Lang::Perl,
        "php" => Lang::Php,
        _ => Lang::Python,
    };
    let args = inv.args();
    let mut code = String::new();
    let mut script_given = false;
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        let takes_code = match lang {
            Lang::Python => {
                t == "-c"
                    || (t.starts_with('-')
                        && !t.starts_with("--")
                        && t.ends_with('c')
                        && t.len() > 2)
            }
            Lang::Js => {
                matches!(t, "-e" | "--eval" | "-p" | "--print") || (name == "deno" && t == "eval")
            }
            // A cluster of single-letter switches ending in `e` (`-pe`, `-lne`); `-MFile::Path=x`
            // is a module option, not a cluster.
            Lang::Ruby | Lang::Perl => {
                t == "-e"
                    || t == "-E"
                    || (t.starts_with('-')
                        && !t.starts_with("--")
                        && (3..=6).contains(&t.len())
                        && t[1..].chars().all(|c| c.is_ascii_lowercase())
                        && t.ends_with('e'))
            }
            Lang::Php => t == "-r",
        };
        if takes_code {
            if let Some(c) = args.get(i + 1) {
                code.push_str(&c.text);
                code.push('\n');
            }
            if lang == Lang::Python || lang == Lang::Js {
                break; // the rest are the program's own arguments
            }
            i += 2;
            continue;
        }
        if lang == Lang::Python
            && (t == "-m" || t.ends_with('m') && t.starts_with('-') && !t.starts_with("--"))
        {
            // `python -m pytest`: a module, not visible code. A module that is a command of
            // its own (`python -m twine upload`, `python -m pip`) is judged as that command.
            if let Some(module) = args.get(i + 1)
                && matches!(module.text.as_str(), "twine" | "pip" | "poetry" | "uv")
            {
                super::dispatch(e, &inv.with_argv(args[i + 1..].to_vec()));
            }
            return;
        }
        if t.starts_with("-M") || t.starts_with("-I") && t.len() > 2 {
            i += 1;
            continue;
        }
        if matches!(t, "-W" | "-X" | "-M" | "-I" | "-r" | "--require" | "-x") && lang != Lang::Php {
            i += 2;
            continue;
        }
        if t == "-" {
            break;
        }
        if !t.starts_with('-') {
            // `python manage.py flush`, `php artisan migrate:fresh`: framework tasks.
            let script = t.rsplit('/').next().unwrap_or(t);
            if matches!(script, "manage.py" | "artisan") {
                let rest = inv.with_argv(args[i..].to_vec());
                super::database::framework(e, &rest, script);
            }
            // `python setup.py sdist upload` / `register`: the old way to publish to PyPI.
            if script == "setup.py"
                && args[i + 1..]
                    .iter()
                    .any(|w| matches!(w.text.as_str(), "upload" | "register"))
            {
                e.hit(&super::cloud::PUBLISH, inv, None);
            }
            script_given = true;
            break;
        }
        i += 1;
    }
    if code.is_empty()
        && !script_given
        && let Input::Text(text) = &inv.input
    {
        code.clone_from(text);
    }
    if !code.is_empty() {
        analyse(e, inv, lang, &code);
    }
    let _ = option_value;
}

/// An argument expression at a call site.
enum Arg {
    Literal(String),
    List(Vec<String>),
    Computed,
}

fn analyse(e: &mut Engine, inv: &Invocation, lang: Lang, code: &str) {
    let masked = mask(code, lang);
    // Backtick / qx / %x command strings run as shell code.
    if matches!(lang, Lang::Ruby | Lang::Perl | Lang::Php) {
        for cmd in backtick_commands(code) {
            e.code(&cmd);
        }
    }
    for m in exec_re(lang).find_iter(&masked) {
        match argument(code, m.end()) {
            Arg::Literal(s) => e.code(&s),
            Arg::List(items) => {
                e.invoke(&inv.with_argv(items.into_iter().map(Word::literal).collect()));
            }
            Arg::Computed => {}
        }
    }
    for m in write_re(lang).find_iter(&masked) {
        if let Arg::Literal(path) = argument(code, m.end()) {
            let tail = &code[m.end()..];
            let statement = tail.split([')', '\n']).next().unwrap_or(tail);
            let writes = match lang {
                Lang::Python => {
                    statement.contains("'w")
                        || statement.contains("\"w")
                        || statement.contains("'a")
                        || statement.contains("\"a")
                        || statement.contains("'x")
                        || statement.contains("+'")
                }
                _ => true,
            };
            if writes {
                let tilde = path.starts_with('~');
                let word = Word {
                    text: path,
                    tilde,
                    ..Word::default()
                };
                super::writes::write_target(e, inv, &word, "interpreter code");
            }
        }
    }
    for caps in delete_re(lang).captures_iter(&masked) {
        let Some(call) = caps.get(0) else { continue };
        // `Path('x').unlink()`: the path is the argument of `Path(`, group 2.
        let (api, arg_at) = match (caps.get(2), caps.get(3)) {
            (Some(open), Some(method)) => (method.as_str(), open.end()),
            _ => (caps.get(1).map_or("", |m| m.as_str()), call.end()),
        };
        let mut recursive = is_recursive(api);
        if matches!(api, "rmSync" | "rm" | "rmdirSync" | "rmdir" | "promises.rm")
            && lang == Lang::Js
        {
            let tail = &code[call.end()..];
            let statement = tail.split([';', '\n']).next().unwrap_or(tail);
            recursive = statement.contains("recursive");
        }
        let arg = argument(code, arg_at);
        match arg {
            Arg::Literal(path) => {
                let mut argv = vec![Word::literal("rm")];
                if recursive {
                    argv.push(Word::literal("-r"));
                }
                argv.push(Word::literal("--"));
                let tilde = path.starts_with('~');
                argv.push(Word {
                    text: path,
                    tilde,
                    ..Word::default()
                });
                let mut probe = inv.with_argv(argv);
                probe.display = format!("{} ({api})", inv.display);
                e.invoke(&probe);
            }
            Arg::List(_) | Arg::Computed if recursive => {
                e.hit(
                    &DELETE_API,
                    inv,
                    Some(format!("`{api}` deletes a path computed at run time")),
                );
            }
            _ => {}
        }
    }
}

fn is_recursive(api: &str) -> bool {
    matches!(
        api,
        "shutil.rmtree"
            | "rmtree"
            | "remove_tree"
            | "rimraf"
            | "removeSync"
            | "remove"
            | "emptyDirSync"
            | "FileUtils.rm_rf"
            | "FileUtils.rm_r"
            | "FileUtils.remove_dir"
            | "FileUtils.remove_entry"
            | "FileUtils.remove_entry_secure"
            | "FileUtils.rmtree"
    )
}

fn exec_re(lang: Lang) -> &'static Regex {
    static RES: OnceLock<[Regex; 5]> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let build = |p: &str| Regex::new(p).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()));
        [
            build(r"\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn|(?:^|[^.\w])(?:system|check_output|check_call|Popen|getoutput))\s*\(\s*"),
            build(r"\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn|execa|execaSync|\$)\s*\(\s*"),
            build(r"\b(?:system|exec|spawn|IO\.popen|Open3\.\w+|Kernel\.system)\s*\(?\s*"),
            build(r"\b(?:system|exec)\b\s*\(?\s*"),
            build(r"\b(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*"),
        ]
    });
    &res[lang as usize]
}

fn write_re(lang: Lang) -> &'static Regex {
    static RES: OnceLock<[Regex; 5]> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let build = |p: &str| Regex::new(p).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()));
        [
            build(r"(?:^|[^.\w])open\s*\(\s*|\.write_text\s*\(|\bPath\s*\(\s*"),
            build(r"\b(?:writeFileSync|writeFile|appendFileSync|appendFile|truncateSync|truncate|createWriteStream|outputFileSync)\s*\(\s*"),
            build(r"\bFile\.(?:write|open|truncate)\s*\(?\s*"),
            build(r"\bopen\s*\(?\s*(?:my\s+)?\$?\w*\s*,\s*['\x22]\+?>+['\x22]\s*,\s*"),
            build(r"\b(?:file_put_contents|fopen)\s*\(\s*"),
        ]
    });
    &res[lang as usize]
}

fn delete_re(lang: Lang) -> &'static Regex {
    static RES: OnceLock<[Regex; 5]> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let build = |p: &str| Regex::new(p).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()));
        [
            build(r"\b(shutil\.rmtree|rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|send2trash)\s*\(\s*|\bPath\s*\((\s*)[^()]*\)\s*\.\s*(unlink|rmdir)\s*\("),
            build(r"\b(?:fs\.|fsp\.|fs\.promises\.|promises\.)?(rmSync|rmdirSync|unlinkSync|rimraf|removeSync|emptyDirSync|rm|rmdir|unlink|remove)\s*\(\s*"),
            build(r"\b(FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry_secure|remove_entry|rmtree|rm_f|rm|remove)|File\.delete|File\.unlink|Dir\.rmdir|Dir\.delete|Dir\.unlink)\s*\(?\s*"),
            build(r"\b(rmtree|remove_tree|unlink|rmdir)\b\s*\(?\s*"),
            build(r"\b(unlink|rmdir)\s*\(\s*"),
        ]
    });
    &res[lang as usize]
}

/// Reads the argument expression starting at `pos` in the original code.
fn argument(code: &str, pos: usize) -> Arg {
    let rest = code.get(pos..).unwrap_or_default().trim_start();
    if let Some(s) = literal_at(rest) {
        return Arg::Literal(s.0);
    }
    if let Some(list) = rest
        .strip_prefix('[')
        .or_else(|| rest.strip_prefix("qw("))
        .or_else(|| rest.strip_prefix("%w("))
    {
        let mut items = Vec::new();
        let mut cur = list.trim_start();
        while let Some((s, used)) = literal_at(cur) {
            items.push(s);
            cur = cur[used..]
                .trim_start()
                .trim_start_matches(',')
                .trim_start();
            if cur.starts_with(']') || cur.starts_with(')') {
                return Arg::List(items);
            }
        }
        return Arg::Computed;
    }
    Arg::Computed
}

/// A string literal at the start of `text`: its value and the bytes it used.
fn literal_at(text: &str) -> Option<(String, usize)> {
    let prefix_len = text.find(['\'', '"']).filter(|&i| {
        i <= 2
            && text[..i]
                .chars()
                .all(|c| matches!(c, 'r' | 'b' | 'u' | 'R' | 'B' | 'U'))
    })?;
    let body = &text[prefix_len..];
    let quote = body.chars().next()?;
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let (delim, start) = if body.starts_with(&triple) {
        (triple.as_str(), 3)
    } else {
        (&body[..1], 1)
    };
    let mut out = String::new();
    let mut chars = body[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        if body[start + i..].starts_with(delim) {
            return Some((out, prefix_len + start + i + delim.len()));
        }
        if c == '\\' {
            if let Some((_, n)) = chars.next() {
                out.push(match n {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// The code with string-literal contents and comments blanked, same byte offsets, so
/// API names inside strings (`print("rm -rf /")`) are not mistaken for calls.
fn mask(code: &str, lang: Lang) -> String {
    let bytes = code.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(bytes.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        let line_comment = match lang {
            Lang::Js => c == b'/' && bytes.get(i + 1) == Some(&b'/'),
            Lang::Php => c == b'#' || (c == b'/' && bytes.get(i + 1) == Some(&b'/')),
            _ => c == b'#',
        };
        if line_comment {
            let end = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
            continue;
        }
        if lang == Lang::Js && c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let end = code[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            blank(&mut out, i, end);
            i = end;
            continue;
        }
        // Ruby `%q(...)`, `%Q(...)`, `%(...)`, `%w(...)`; Perl `q(...)`, `qq(...)`.
        let quote_like = match lang {
            Lang::Ruby => {
                c == b'%' && matches!(bytes.get(i + 1), Some(b'q' | b'Q' | b'w' | b'W' | b'('))
            }
            Lang::Perl => {
                (c == b'q' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()))
                    && matches!(bytes.get(i + 1), Some(b'(' | b'{' | b'q'))
            }
            _ => false,
        };
        if quote_like && let Some(open_rel) = code[i..].find(['(', '{', '[']) {
            let open = i + open_rel;
            let (o, cl) = match bytes[open] {
                b'(' => (b'(', b')'),
                b'{' => (b'{', b'}'),
                _ => (b'[', b']'),
            };
            let mut depth = 0usize;
            let mut j = open;
            while j < bytes.len() {
                if bytes[j] == o {
                    depth += 1;
                }
                if bytes[j] == cl {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            blank(&mut out, open + 1, j);
            i = j + 1;
            continue;
        }
        if c == b'\'' || c == b'"' || (c == b'`' && lang == Lang::Js) {
            let triple = bytes.get(i..i + 3) == Some(&[c, c, c][..]) && lang == Lang::Python;
            let delim_len = if triple { 3 } else { 1 };
            let mut j = i + delim_len;
            while j < bytes.len() {
                if bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if bytes[j] == c && (!triple || bytes.get(j..j + 3) == Some(&[c, c, c][..])) {
                    break;
                }
                j += 1;
            }
            blank(&mut out, i + delim_len, j);
            i = j + delim_len;
            continue;
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Shell commands in backticks, `qx(...)` and `%x(...)`.
fn backtick_commands(code: &str) -> Vec<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) =
        RE.get_or_init(|| Regex::new(r"`([^`]+)`|\bqx\s*[({\[](.*?)[)}\]]|%x\((.*?)\)").ok())
    else {
        return Vec::new();
    };
    re.captures_iter(code)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// `awk 'BEGIN { system("...") }'`: awk's `system()` runs its string as shell code.
pub(crate) fn awk(e: &mut Engine, inv: &Invocation) {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    // `gawk -i inplace PROGRAM FILE...` rewrites each file.
    let args = inv.args();
    let in_place = args
        .windows(2)
        .any(|p| p[0].text == "-i" && p[1].text == "inplace")
        || args
            .iter()
            .any(|w| w.text == "--include=inplace" || w.text == "-iinplace");
    if in_place {
        let mut rest: Vec<&Word> = Vec::new();
        let mut program_from_file = false;
        let mut i = 0;
        while i < args.len() {
            let t = args[i].text.as_str();
            if matches!(
                t,
                "-i" | "-v" | "-F" | "-f" | "--include" | "--assign" | "--file"
            ) {
                program_from_file |= t == "-f" || t == "--file";
                i += 2;
                continue;
            }
            if !t.starts_with('-') {
                rest.push(&args[i]);
            }
            i += 1;
        }
        let files = if program_from_file {
            &rest[..]
        } else {
            rest.get(1..).unwrap_or_default()
        };
        for w in files {
            super::writes::write_target(e, inv, w, "awk -i inplace");
        }
    }
    let Some(re) = RE.get_or_init(|| Regex::new(r#"\bsystem\s*\(\s*"((?:[^"\\]|\\.)*)""#).ok())
    else {
        return;
    };
    let program = inv
        .args()
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.text.clone());
    if let Some(program) = program {
        for caps in re.captures_iter(&program) {
            if let Some(cmd) = caps.get(1) {
                e.code(&cmd.as_str().replace("\\\"", "\""));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_string_contents_only() {
        let m = mask(
            "print('shutil.rmtree(x)') # os.remove(y)\nshutil.rmtree(z)",
            Lang::Python,
        );
        assert!(!m.contains("rmtree(x)"));
        assert!(!m.contains("os.remove"));
        assert!(m.contains("shutil.rmtree(z)"));
    }

    #[test]
    fn literals_with_prefixes_and_escapes() {
        assert_eq!(
            literal_at("r'a\\b' rest").map(|x| x.0),
            Some("ab".to_owned())
        );
        assert_eq!(
            literal_at("\"x\\\"y\"").map(|x| x.0),
            Some("x\"y".to_owned())
        );
        assert!(literal_at("path)").is_none());
    }
}
