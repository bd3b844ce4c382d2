//! Ransom notes by their file name (`rules/ransomware/note-names.txt`, data): globs matched
//! against the name alone, ignoring case; some tie the name to one family. A name is a sign, not
//! proof — the scan reads the content as well and says which of the two matched.

use std::sync::LazyLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::error::{Error, Result};

const NOTE_NAMES: &str = include_str!("../../rules/ransomware/note-names.txt");
const DATA: &str = "rules/ransomware/note-names.txt";

/// A file name that ransom notes use.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NoteName {
    /// The glob that matched.
    pub pattern: String,
    /// The family the name belongs to, when it names one.
    pub family: Option<String>,
}

struct Patterns {
    set: GlobSet,
    entries: Vec<NoteName>,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| crate::bundled::loaded(patterns()));

/// The bundled list, validated (the tests check it loads and its families exist).
pub fn checked() -> Result<usize> {
    let p = patterns()?;
    for family in p.entries.iter().filter_map(|e| e.family.as_deref()) {
        if crate::ransomware::family::from_note_name("x", family).is_none() {
            return Err(Error::BundledData { name: DATA, reason: format!("{family} is not in families.toml") });
        }
    }
    Ok(p.entries.len())
}

fn patterns() -> Result<Patterns> {
    let mut builder = GlobSetBuilder::new();
    let mut entries = Vec::new();
    for (n, line) in NOTE_NAMES.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("# ") || line == "#" {
            continue;
        }
        let (pattern, family) = match line.split_once(" | ") {
            Some((p, f)) => (p.trim(), Some(f.trim().to_string())),
            None => (line, None),
        };
        if family.as_deref().is_some_and(|f| crate::ransomware::held_out(std::iter::once(f))) {
            continue;
        }
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .literal_separator(true)
            .backslash_escape(false)
            .build()
            .map_err(|e| Error::BundledData { name: DATA, reason: format!("line {}: {e}", n + 1) })?;
        builder.add(glob);
        entries.push(NoteName { pattern: pattern.to_string(), family });
    }
    let set = builder.build().map_err(|e| Error::BundledData { name: DATA, reason: e.to_string() })?;
    Ok(Patterns { set, entries })
}

/// Whether a file name (not a path) is one ransom notes use; a family-specific pattern wins over
/// a generic one.
pub fn match_name(file_name: &str) -> Option<NoteName> {
    let p = &*PATTERNS;
    let hits = p.set.matches(file_name);
    let best = hits.iter().find(|&&i| p.entries[i].family.is_some()).or(hits.first())?;
    p.entries.get(*best).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_loads_and_its_families_exist() {
        assert!(checked().unwrap() > 50);
    }

    #[test]
    fn note_names_match_ignoring_case() {
        assert!(match_name("HOW_TO_DECRYPT.txt").is_some());
        assert!(match_name("How To Restore Your Files.txt").is_some());
        assert!(match_name("ファイルを復元する方法.txt").is_some());
        let medusa = match_name("!!!READ_ME_MEDUSA!!!.txt").unwrap();
        assert_eq!(medusa.family.as_deref(), Some("Medusa"));
        assert_eq!(match_name("akira_readme.txt").unwrap().family.as_deref(), Some("Akira"));
    }

    #[test]
    fn ordinary_names_do_not() {
        for name in ["README.txt", "readme.md", "LICENSE", "notes.txt", "INSTALL", "changelog.gz", "manual.pdf"] {
            assert_eq!(match_name(name), None, "{name}");
        }
    }
}
