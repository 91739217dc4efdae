//! The paths an `apply_patch` patch touches: Codex's file-edit tool, and the same patch
//! text run as a shell command (`apply_patch <<'EOF'`), which Codex also applies.

/// One file operation of a patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchFile {
    /// `add`, `update`, `delete` or `move` (the destination of an update with `Move to`).
    pub op: &'static str,
    /// The path as written in the patch.
    pub path: String,
}

/// Reads every `*** Add File:`, `*** Update File:`, `*** Delete File:` and `*** Move to:`
/// line. Text that is not a patch yields no paths; the caller decides what that means.
pub fn patch_files(patch: &str) -> Vec<PatchFile> {
    let mut out = Vec::new();
    for line in patch.lines() {
        let line = line.trim_end_matches('\r');
        let (op, rest) = if let Some(r) = line.strip_prefix("*** Add File:") {
            ("add", r)
        } else if let Some(r) = line.strip_prefix("*** Update File:") {
            ("update", r)
        } else if let Some(r) = line.strip_prefix("*** Delete File:") {
            ("delete", r)
        } else if let Some(r) = line.strip_prefix("*** Move to:") {
            ("move", r)
        } else {
            continue;
        };
        let named = rest.trim();
        if !named.is_empty() {
            out.push(PatchFile {
                op,
                path: named.to_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_read() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: src/b.rs\n*** Move to: src/c.rs\n@@\n-a\n+b\n*** Delete File: old.txt\n*** End Patch\n";
        let files: Vec<String> = patch_files(patch)
            .iter()
            .map(|f| format!("{} {}", f.op, f.path))
            .collect();
        assert_eq!(
            files,
            [
                "add a.txt",
                "update src/b.rs",
                "move src/c.rs",
                "delete old.txt"
            ]
        );
        assert!(patch_files("not a patch").is_empty());
    }
}
