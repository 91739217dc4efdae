//! `blockedCommands`: each entry is parsed into words and matched against the argv of
//! every command a tool call runs (after wrappers), not searched for as a substring.

/// `(pattern, argv)` for every invocation a blocked-command entry matches.
pub(crate) fn blocked<'a>(
    patterns: &'a [String],
    invocations: &'a [Vec<String>],
) -> Vec<(&'a str, &'a [String])> {
    let mut out = Vec::new();
    for pattern in patterns {
        let words = pattern_words(pattern);
        let Some((name, args)) = words.split_first() else {
            continue;
        };
        for argv in invocations {
            let Some(first) = argv.first() else { continue };
            let base = first.rsplit('/').next().unwrap_or(first);
            if base == name && args.iter().all(|a| has_arg(&argv[1..], a)) {
                out.push((pattern.as_str(), argv.as_slice()));
            }
        }
    }
    out
}

fn pattern_words(pattern: &str) -> Vec<String> {
    let script = so_shell::parse(pattern, &so_shell::Limits::default());
    script
        .commands
        .first()
        .map(|c| c.argv.iter().map(|w| w.text.clone()).collect())
        .unwrap_or_default()
}

/// Whether `args` holds `wanted`: the word itself, or for a short-flag cluster (`-rf`)
/// every letter among the invocation's short flags (`-r -f`, `-fr`, `-Rf`? no: case
/// matters to most tools).
fn has_arg(args: &[String], wanted: &str) -> bool {
    if args
        .iter()
        .any(|a| a == wanted || a.starts_with(&format!("{wanted}=")))
    {
        return true;
    }
    let Some(cluster) = wanted
        .strip_prefix('-')
        .filter(|c| !c.starts_with('-') && !c.is_empty())
    else {
        return false;
    };
    let letters: String = args
        .iter()
        .filter(|a| a.starts_with('-') && !a.starts_with("--"))
        .map(|a| a[1..].to_owned())
        .collect();
    cluster.chars().all(|c| letters.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn matches_by_words_not_substrings() {
        let patterns = vec!["rm -rf".to_owned(), "git push --force".to_owned()];
        let hits = |cmd: &str| !blocked(&patterns, &[argv(cmd)]).is_empty();
        assert!(hits("rm -r -f build"));
        assert!(hits("/bin/rm -fr x"));
        assert!(hits("git push origin main --force"));
        assert!(!hits("rm -r build"));
        assert!(!hits("git push origin main"));
        assert!(!hits("echo rm -rf"));
        assert!(!hits("./scripts/transform -rf x"));
    }
}
