//! From catalogue globs to the list of files to take. Walks only below each glob's literal
//! prefix, never follows a symlink (one in the evidence could point at the responder's own
//! system), and records every directory it could not read.

use std::collections::BTreeMap;
use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use globset::GlobMatcher;
use walkdir::WalkDir;

use super::catalogue::{Catalogue, Os, compile_glob};
use crate::error::{Error, Result};

/// A file (or link, or special file) that matched at least one artefact.
#[derive(Debug)]
pub struct Candidate {
    /// Path relative to the source root.
    pub rel: PathBuf,
    /// Indexes of the artefacts that want it, in catalogue order.
    pub artefacts: Vec<usize>,
    /// `lstat` at planning time; `None` when it could not be read.
    pub meta: Option<Metadata>,
}

/// What to collect, and what could not even be looked at.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files in path order.
    pub candidates: Vec<Candidate>,
    /// Directories that could not be walked: (path relative to root, why).
    pub walk_errors: Vec<(PathBuf, String)>,
}

/// One glob split at its first wildcard.
struct Pattern {
    artefact: usize,
    matcher: GlobMatcher,
    prefix: Vec<String>,
    depth: usize,
}

/// Plans a collection from the source mounted (or copied) at `root`. Directories in `exclude`
/// (device, inode) are never entered: the case itself, when it lives inside the source.
pub fn plan(root: &Path, cat: &Catalogue, exclude: &[(u64, u64)]) -> Result<Plan> {
    let patterns = patterns(cat)?;
    let mut found: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    let mut walk_errors = Vec::new();
    // One walk per resolved prefix directory, deep enough for every glob that starts there.
    let mut walks: BTreeMap<PathBuf, (usize, Vec<&Pattern>)> = BTreeMap::new();
    for p in &patterns {
        for dir in resolve(root, &p.prefix, cat.os) {
            let w = walks.entry(dir).or_insert((0, Vec::new()));
            w.0 = w.0.max(p.depth);
            w.1.push(p);
        }
    }
    for (dir, (depth, pats)) in walks {
        walk(root, &dir, depth, &pats, exclude, &mut found, &mut walk_errors);
    }
    let candidates = found
        .into_iter()
        .map(|(rel, mut artefacts)| {
            artefacts.sort_unstable();
            artefacts.dedup();
            let meta = fs::symlink_metadata(root.join(&rel)).ok();
            Candidate { rel, artefacts, meta }
        })
        .collect();
    Ok(Plan { candidates, walk_errors })
}

fn patterns(cat: &Catalogue) -> Result<Vec<Pattern>> {
    let mut out = Vec::new();
    for (i, a) in cat.artefacts.iter().enumerate() {
        for g in &a.globs {
            let glob = compile_glob(g, cat.os)
                .map_err(|e| Error::BundledData { name: "rules/artefacts", reason: e.to_string() })?;
            let parts: Vec<&str> = g.split('/').collect();
            let literal = parts.iter().take_while(|c| !c.contains(['*', '?', '[', '{'])).count();
            let depth = if parts[literal..].contains(&"**") || parts[literal..].iter().any(|c| c.contains("**")) {
                usize::MAX
            } else {
                parts.len() - literal
            };
            let prefix = parts[..literal].iter().map(|s| s.to_string()).collect();
            out.push(Pattern { artefact: i, matcher: glob.compile_matcher(), prefix, depth });
        }
    }
    Ok(out)
}

/// The on-disk directories (relative to root) that a literal prefix names. On Windows the case
/// of each name is ignored, as NTFS does. Only real directories count: never a symlink.
fn resolve(root: &Path, prefix: &[String], os: Os) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::new()];
    for name in prefix {
        let mut next = Vec::new();
        for dir in &current {
            match os {
                Os::Linux => next.push(dir.join(name)),
                Os::Windows => next.extend(matching_names(&root.join(dir), name).into_iter().map(|n| dir.join(n))),
            }
        }
        current = next;
    }
    // The last component may be a file (a fully literal glob): keep it whatever it is.
    current.retain(|rel| {
        let parent_ok = rel.parent().is_none_or(|p| p.as_os_str().is_empty() || is_real_dir(&root.join(p)));
        parent_ok && fs::symlink_metadata(root.join(rel)).is_ok()
    });
    current
}

/// Which catalogue fits the tree at `root`: Windows when it has `Windows/System32` (any case),
/// Linux when it has `etc/`.
pub fn detect_os(root: &Path) -> Option<Os> {
    let windows =
        resolve(root, &["Windows".into(), "System32".into()], Os::Windows).iter().any(|d| is_real_dir(&root.join(d)));
    if windows {
        Some(Os::Windows)
    } else if is_real_dir(&root.join("etc")) {
        Some(Os::Linux)
    } else {
        None
    }
}

/// The on-disk path (relative to root) of a literal relative path, matching names the way the
/// OS does (Windows: any case); never through a symlinked directory.
pub fn find(root: &Path, rel: &str, os: Os) -> Option<PathBuf> {
    let parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    resolve(root, &parts, os).into_iter().next()
}

fn matching_names(dir: &Path, name: &str) -> Vec<std::ffi::OsString> {
    let want = name.to_lowercase();
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().to_lowercase() == want).collect()
}

fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn walk(
    root: &Path,
    start: &Path,
    depth: usize,
    pats: &[&Pattern],
    exclude: &[(u64, u64)],
    found: &mut BTreeMap<PathBuf, Vec<usize>>,
    errors: &mut Vec<(PathBuf, String)>,
) {
    let abs = root.join(start);
    if !is_real_dir(&abs) {
        // A fully literal glob names a file (or a link) directly.
        pats.iter().filter(|p| p.depth == 0 || p.matcher.is_match(start)).for_each(|p| add(found, start, p.artefact));
        return;
    }
    let walker = WalkDir::new(&abs).min_depth(1).max_depth(depth).follow_links(false).follow_root_links(false);
    let excluded = |e: &walkdir::DirEntry| {
        e.file_type().is_dir() && e.metadata().is_ok_and(|m| exclude.contains(&(m.dev(), m.ino())))
    };
    for entry in walker.sort_by_file_name().into_iter().filter_entry(|e| !excluded(e)) {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => {
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                pats.iter().filter(|p| p.matcher.is_match(rel)).for_each(|p| add(found, rel, p.artefact));
            }
            Err(e) => {
                let at = e.path().map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf()).unwrap_or_default();
                errors.push((at, e.to_string()));
            }
        }
    }
}

fn add(found: &mut BTreeMap<PathBuf, Vec<usize>>, rel: &Path, artefact: usize) {
    found.entry(rel.to_path_buf()).or_default().push(artefact);
}
