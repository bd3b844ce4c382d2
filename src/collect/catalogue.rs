//! The artefact catalogue: what to collect, as data in `rules/artefacts/*.toml`, compiled into
//! the binary and validated when loaded (and in CI).

use std::collections::BTreeSet;
use std::path::Path;

use globset::{Glob, GlobBuilder};
use serde::{Deserialize, Serialize};

use crate::config;
use crate::error::{Error, Result};
use crate::hash;
use crate::lang::Lang;
use crate::source::RAW_ITEMS;

const BUNDLED: [(&str, &str); 2] = [
    ("rules/artefacts/windows.toml", include_str!("../../rules/artefacts/windows.toml")),
    ("rules/artefacts/linux.toml", include_str!("../../rules/artefacts/linux.toml")),
];

/// Which kind of system an artefact set is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Windows: globs match case-insensitively.
    Windows,
    /// Linux.
    Linux,
}

/// Text in both languages.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in one language.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.ja, &self.en)
    }
}

/// One artefact: what it is, why it matters, where it lives, how much of it to take.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Artefact {
    /// Stable id (`windows.eventlogs`).
    pub id: String,
    /// What it is.
    pub description: Text,
    /// Why a responder wants it.
    pub why: Text,
    /// Where it lives, relative to the volume root.
    #[serde(default)]
    pub globs: Vec<String>,
    /// NTFS metadata read raw from the volume (`$MFT`, `$LogFile`, `$Boot`, `$Extend/$UsnJrnl:$J`).
    #[serde(default)]
    pub ntfs_raw: Vec<String>,
    /// Largest single file taken.
    pub max_file_size: Size,
    /// Budget for this artefact over all its files.
    pub max_total_size: Option<Size>,
    /// Only files changed within this many days.
    pub changed_within_days: Option<u32>,
    /// Time budget for this artefact, in seconds of reading.
    pub max_seconds: Option<u64>,
}

/// A byte size written as a number or with a unit (`512MiB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "toml::Value", into = "u64")]
pub struct Size(pub u64);

impl From<Size> for u64 {
    fn from(s: Size) -> u64 {
        s.0
    }
}

impl TryFrom<toml::Value> for Size {
    type Error = SizeError;
    fn try_from(v: toml::Value) -> std::result::Result<Self, SizeError> {
        match v {
            toml::Value::Integer(n) if n >= 0 => Ok(Size(n as u64)),
            toml::Value::String(s) => size(&s).map(Size),
            other => Err(SizeError { text: other.to_string() }),
        }
    }
}

/// A text that is not a size.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a size: {text:?} (e.g. 512MiB)")]
pub struct SizeError {
    /// What was given.
    pub text: String,
}

/// A size given by a person (`123`, `64KiB`, `512MiB`, `4GiB`), or why it is not one.
pub fn size(s: &str) -> std::result::Result<u64, SizeError> {
    parse_size(s).ok_or_else(|| SizeError { text: s.to_string() })
}

/// Parses `123`, `64KiB`, `512MiB`, `4GiB`.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let unit = match s[digits..].trim() {
        "" | "B" => 1,
        "KiB" | "K" => 1 << 10,
        "MiB" | "M" => 1 << 20,
        "GiB" | "G" => 1 << 30,
        "TiB" | "T" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// One catalogue file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    os: Os,
    artefact: Vec<Artefact>,
}

/// The artefacts for one OS, validated.
#[derive(Clone, Debug, Serialize)]
pub struct Catalogue {
    /// The OS.
    pub os: Os,
    /// The artefacts in collection order.
    pub artefacts: Vec<Artefact>,
    /// SHA-256 of the catalogue text, recorded with every collection.
    pub sha256: String,
}

impl Catalogue {
    /// The bundled catalogue for `os`.
    pub fn bundled(os: Os) -> Result<Catalogue> {
        for (name, text) in BUNDLED {
            let cat = Self::parse(name, text).map_err(|e| Error::BundledData { name, reason: e.to_string() })?;
            if cat.os == os {
                return Ok(cat);
            }
        }
        Err(Error::BundledData { name: "rules/artefacts", reason: format!("no catalogue for {os:?}") })
    }

    /// Parses and validates catalogue text.
    pub fn parse(name: &str, text: &str) -> Result<Catalogue> {
        let file: File = config::deserialize(Path::new(name), text)?;
        validate(name, &file)?;
        Ok(Catalogue { os: file.os, artefacts: file.artefact, sha256: hash::sha256_hex(text.as_bytes()) })
    }
}

/// Compiles one glob as the catalogue means it: `*` stays inside one name, Windows ignores case.
pub fn compile_glob(pattern: &str, os: Os) -> std::result::Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).case_insensitive(os == Os::Windows).build()
}

fn validate(name: &str, file: &File) -> Result<()> {
    let bad = |what: String| Error::Corrupt { path: name.into(), what };
    let mut ids = BTreeSet::new();
    for a in &file.artefact {
        if !ids.insert(a.id.as_str()) {
            return Err(bad(format!("duplicate id {}", a.id)));
        }
        if (a.globs.is_empty() && a.ntfs_raw.is_empty())
            || a.description.ja.is_empty()
            || a.description.en.is_empty()
            || a.why.ja.is_empty()
        {
            return Err(bad(format!("{}: needs globs (or ntfs_raw) and descriptions in ja and en", a.id)));
        }
        if let Some(n) = a.ntfs_raw.iter().find(|n| !RAW_ITEMS.iter().any(|r| r.name == n.as_str())) {
            return Err(bad(format!("{}: unknown NTFS metadata {n:?}", a.id)));
        }
        for g in &a.globs {
            if g.starts_with('/') || g.split('/').any(|c| c == ".." || c.is_empty()) {
                return Err(bad(format!("{}: glob {g:?} must be relative, without `..` or empty parts", a.id)));
            }
            compile_glob(g, file.os).map_err(|e| bad(format!("{}: glob {g:?}: {e}", a.id)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalogues_load() {
        let w = Catalogue::bundled(Os::Windows).unwrap();
        assert!(w.artefacts.iter().any(|a| a.id == "windows.eventlogs"));
        let l = Catalogue::bundled(Os::Linux).unwrap();
        assert!(l.artefacts.iter().any(|a| a.id == "linux.ssh"));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("4 GiB"), Some(4 << 30));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("12 parsecs"), None);
    }

    #[test]
    fn traversal_glob_is_refused() {
        let text = "os = \"linux\"\n[[artefact]]\nid = \"x\"\ndescription = { ja = \"x\", en = \"x\" }\nwhy = { ja = \"x\", en = \"x\" }\nglobs = [\"../etc/passwd\"]\nmax_file_size = 1\n";
        assert!(Catalogue::parse("t.toml", text).is_err());
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let one = "[[artefact]]\nid = \"x\"\ndescription = { ja = \"x\", en = \"x\" }\nwhy = { ja = \"x\", en = \"x\" }\nglobs = [\"a\"]\nmax_file_size = 1\n";
        let text = format!("os = \"linux\"\n{one}{one}");
        assert!(Catalogue::parse("t.toml", &text).is_err());
    }

    #[test]
    fn windows_globs_ignore_case_and_star_stays_in_one_name() {
        let g = compile_glob("Windows/System32/winevt/Logs/*.evtx", Os::Windows).unwrap().compile_matcher();
        assert!(g.is_match("WINDOWS/system32/WINEVT/logs/Security.EVTX"));
        assert!(!g.is_match("Windows/System32/winevt/Logs/sub/Security.evtx"));
    }
}
