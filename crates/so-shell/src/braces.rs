//! Brace expansion (`a{b,c}d`, `{1..3}`): bash expands unquoted braces into several words
//! before anything runs, so `touch src/{../README.md,x}` writes `README.md`.

use crate::model::Word;

/// Words after brace expansion. Quoted words and words without a brace pair stay as they
/// are; expansion stops at 256 words, past which the word is marked dynamic.
pub(crate) fn expand(word: Word) -> Vec<Word> {
    if word.quoted || word.dynamic || !word.text.contains('{') || !word.text.contains('}') {
        return vec![word];
    }
    let mut out = Vec::new();
    expand_into(&word.text, &mut out, 0);
    if out.len() > 256 {
        return vec![Word {
            dynamic: true,
            ..word
        }];
    }
    if out.len() <= 1 {
        return vec![word];
    }
    out.into_iter()
        .map(|text| Word {
            glob: text.contains(['*', '?', '[']),
            tilde: text.starts_with('~'),
            text,
            ..word.clone()
        })
        .collect()
}

fn expand_into(text: &str, out: &mut Vec<String>, depth: usize) {
    if out.len() > 256 || depth > 8 {
        out.push(text.to_owned());
        return;
    }
    let Some((open, close, alternatives)) = first_group(text) else {
        out.push(text.to_owned());
        return;
    };
    let (prefix, suffix) = (&text[..open], &text[close + 1..]);
    for alt in alternatives {
        expand_into(&format!("{prefix}{alt}{suffix}"), out, depth + 1);
    }
}

/// The first `{...}` that bash would expand: a comma list or a `..` sequence.
fn first_group(text: &str) -> Option<(usize, usize, Vec<String>)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(rel) = text[start..].find('{') {
        let open = start + rel;
        // `${...}` is a parameter expansion, not a brace group.
        if open > 0 && bytes[open - 1] == b'$' {
            start = open + 1;
            continue;
        }
        let mut depth = 0usize;
        let mut commas = Vec::new();
        let mut close = None;
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                b',' if depth == 1 => commas.push(i),
                _ => {}
            }
        }
        let close = close?;
        let inner = &text[open + 1..close];
        if !commas.is_empty() {
            let mut parts = Vec::new();
            let mut last = open + 1;
            for c in commas {
                parts.push(text[last..c].to_owned());
                last = c + 1;
            }
            parts.push(text[last..close].to_owned());
            return Some((open, close, parts));
        }
        if let Some(seq) = sequence(inner) {
            return Some((open, close, seq));
        }
        start = open + 1;
    }
    None
}

/// `1..5`, `a..e`, `10..1..2`.
fn sequence(inner: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = inner.split("..").collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let step: i64 = parts
        .get(2)
        .map_or(Some(1_i64), |s| s.parse::<i64>().ok())?
        .abs()
        .max(1);
    if let (Ok(a), Ok(b)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let n = (a - b).unsigned_abs() / step.unsigned_abs() + 1;
        if n > 300 {
            return Some(vec![format!("{{{inner}}}"); 300]);
        }
        let dir = if b >= a { step } else { -step };
        return Some(
            (0..n)
                .map(|i| (a + dir * i64::try_from(i).unwrap_or(0)).to_string())
                .collect(),
        );
    }
    let (a, b) = (parts[0].chars().next()?, parts[1].chars().next()?);
    if parts[0].len() == 1
        && parts[1].len() == 1
        && a.is_ascii_alphabetic()
        && b.is_ascii_alphabetic()
    {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        return Some((lo..=hi).map(String::from).collect());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        expand(Word::literal(s))
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn lists_sequences_and_nesting() {
        assert_eq!(texts("src/{../README.md,x}"), ["src/../README.md", "src/x"]);
        assert_eq!(texts("a{1..3}"), ["a1", "a2", "a3"]);
        assert_eq!(texts("{a,b{c,d}}"), ["a", "bc", "bd"]);
        assert_eq!(texts("{x}"), ["{x}"]);
        assert_eq!(texts("${HOME}"), ["${HOME}"]);
        let quoted = Word {
            quoted: true,
            ..Word::literal("{a,b}")
        };
        assert_eq!(expand(quoted).len(), 1);
    }
}
