//! Backup baselines: a hashdeep manifest (`%%%% HASHDEEP-1.0`, `size,sha256,filename`, paths
//! relative as `hashdeep -l` writes them) that `hashdeep -a -o f -l -k MANIFEST -r .` audits as it
//! is, with shodo's metadata in a `## shodo:` comment line hashdeep ignores: generation, time,
//! tool version, counts, and a root hash over the file lines that detects an edited manifest.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const MAGIC: &str = "%%%% HASHDEEP-1.0";
const META: &str = "## shodo: ";

/// One file of a baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Path below the medium's root, `/`-separated, as bytes (names need not be UTF-8).
    pub path: Vec<u8>,
}

/// shodo's metadata of a baseline.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    /// The generation it describes (`2026-11-01`, `weekly-47` …).
    pub generation: Option<String>,
    /// When it was made (UTC).
    pub created: String,
    /// shodo's version.
    pub tool: String,
    /// The medium's root as given.
    pub source: String,
    /// Files listed.
    pub files: u64,
    /// Bytes listed.
    pub bytes: u64,
    /// Merkle root (RFC 6962) over the file lines as written.
    pub root: String,
    /// Files and folders that could not be listed, with why.
    pub skipped: Vec<(String, String)>,
}

/// A baseline read back.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The files.
    pub entries: Vec<Entry>,
    /// shodo's metadata, when the manifest is one of shodo's.
    pub meta: Option<Meta>,
    /// Whether the file lines still give the recorded root (`None`: no root recorded).
    pub intact: Option<bool>,
}

fn line(e: &Entry) -> Vec<u8> {
    let mut l = format!("{},{},./", e.size, e.sha256).into_bytes();
    l.extend_from_slice(&e.path);
    l
}

/// The manifest's bytes; `meta.root`, `files` and `bytes` are filled in from `entries`.
pub fn render(entries: &[Entry], meta: &mut Meta, invoked_from: &str) -> Vec<u8> {
    let lines: Vec<Vec<u8>> = entries.iter().map(line).collect();
    meta.root = crate::hash::merkle_root(&lines);
    meta.files = entries.len() as u64;
    meta.bytes = entries.iter().map(|e| e.size).sum();
    let mut out = format!(
        "{MAGIC}\n%%%% size,sha256,filename\n## Invoked from: {invoked_from}\n## $ shodo backup baseline\n## \n"
    )
    .into_bytes();
    for l in lines {
        out.extend_from_slice(&l);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("{META}{}\n", serde_json::to_string(meta).unwrap_or_default()).as_bytes());
    out
}

/// Reads a hashdeep manifest (shodo's or hashdeep's own, with a sha256 column).
pub fn read(path: &Path) -> Result<Manifest> {
    let bytes = std::fs::read(path).map_err(Error::io("read", path))?;
    parse(path, &bytes)
}

/// A hashdeep manifest from its bytes (`path` names it in errors).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Manifest> {
    let corrupt = |what: String| Error::Corrupt { path: path.to_path_buf(), what };
    let mut lines = bytes.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    if lines.next() != Some(MAGIC.as_bytes()) {
        return Err(corrupt("not a hashdeep manifest (no %%%% HASHDEEP-1.0 line)".into()));
    }
    let header = lines.next().and_then(|l| std::str::from_utf8(l).ok()).unwrap_or_default();
    let columns: Vec<&str> = header.strip_prefix("%%%% ").unwrap_or_default().split(',').collect();
    let (Some(size_col), Some(sha_col)) =
        (columns.iter().position(|c| *c == "size"), columns.iter().position(|c| *c == "sha256"))
    else {
        return Err(corrupt(format!("the manifest has no size and sha256 columns ({header})")));
    };
    if columns.last() != Some(&"filename") {
        return Err(corrupt(format!("the manifest's last column is not filename ({header})")));
    }
    let mut entries = Vec::new();
    let mut raw_lines = Vec::new();
    let mut meta = None;
    for (n, l) in lines.enumerate() {
        if l.is_empty() {
            continue;
        }
        if let Some(json) = l.strip_prefix(META.as_bytes()) {
            meta = Some(serde_json::from_slice::<Meta>(json).map_err(|e| corrupt(format!("shodo metadata: {e}")))?);
            continue;
        }
        if l.starts_with(b"#") || l.starts_with(b"%") {
            continue;
        }
        // The file name is the last column and may itself hold commas.
        let mut fields: Vec<&[u8]> = l.splitn(columns.len(), |&b| b == b',').collect();
        let name = fields.pop().unwrap_or_default();
        let field = |i: usize| fields.get(i).and_then(|f| std::str::from_utf8(f).ok());
        let (Some(size), Some(sha)) = (field(size_col).and_then(|s| s.parse().ok()), field(sha_col)) else {
            return Err(corrupt(format!("line {}: not size,sha256,…,filename", n + 3)));
        };
        let rel = name.strip_prefix(b"./").unwrap_or(name);
        entries.push(Entry { size, sha256: sha.to_ascii_lowercase(), path: rel.to_vec() });
        raw_lines.push(l.to_vec());
    }
    let intact = meta.as_ref().map(|m| crate::hash::merkle_root(&raw_lines) == m.root);
    Ok(Manifest { entries, meta, intact })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_and_an_edit_shows() {
        let entries = vec![
            Entry { size: 3, sha256: "ab".repeat(32), path: b"a/x.txt".to_vec() },
            Entry { size: 5, sha256: "cd".repeat(32), path: b"b,c/\xff.bin".to_vec() },
        ];
        let mut meta = Meta { generation: Some("2026-11-01".into()), ..Meta::default() };
        let bytes = render(&entries, &mut meta, "/media/backup");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.txt");
        std::fs::write(&p, &bytes).unwrap();
        let m = read(&p).unwrap();
        assert_eq!((m.entries, m.intact), (entries.clone(), Some(true)));
        assert_eq!(m.meta.unwrap().files, 2);
        let edited = String::from_utf8_lossy(&bytes).replace("3,abab", "4,abab");
        std::fs::write(&p, edited).unwrap();
        assert_eq!(read(&p).unwrap().intact, Some(false));
        std::fs::write(&p, "not a manifest").unwrap();
        assert!(read(&p).is_err());
    }
}
