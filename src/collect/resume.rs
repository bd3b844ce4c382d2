//! Picking up after an interrupted run: unfinished segments discarded, a torn manifest line cut,
//! finished segments whose rows never reached the manifest recovered from their inner copy.

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::Path;

use super::endpoint;
use super::manifest::{self, Row};
use super::run::record_segment;
use super::segment;
use crate::case::layout::{ENDPOINTS_DIR, MANIFEST};
use crate::case::{self, CaseWriter};
use crate::error::{Error, Result};

pub(super) fn prepare_dir(dir: &Path, id: &str, source: &Path) -> Result<()> {
    if let Some(existing) = endpoint::read(dir)
        && Path::new(&existing.source) != source
    {
        return Err(Error::EndpointConflict {
            id: id.into(),
            existing: existing.source,
            source_path: source.display().to_string(),
        });
    }
    if !dir.is_dir() {
        fs::create_dir_all(dir).map_err(Error::io("mkdir", dir))?;
        if let Some(parent) = dir.parent() {
            case::sync_dir(parent)?;
        }
    }
    Ok(())
}

pub(super) fn discard_partials(dir: &Path) -> Result<Vec<String>> {
    let mut gone = Vec::new();
    for name in file_names(dir)?.into_iter().filter(|n| segment::is_partial(n)) {
        let path = dir.join(&name);
        fs::remove_file(&path).map_err(Error::io("write", &path))?;
        gone.push(name);
    }
    if !gone.is_empty() {
        case::sync_dir(dir)?;
    }
    Ok(gone)
}

pub(super) fn cut_torn_manifest(path: &Path) -> Result<u64> {
    let Ok(bytes) = fs::read(path) else { return Ok(0) };
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let torn = (bytes.len() - keep) as u64;
    if torn > 0 {
        let f = File::options().write(true).open(path).map_err(Error::io("write", path))?;
        f.set_len(keep as u64).map_err(Error::io("write", path))?;
        f.sync_all().map_err(Error::io("sync", path))?;
    }
    Ok(torn)
}

/// Finished segments whose rows never reached the manifest (a crash between the rename and the
/// append) get them back from the copy inside the archive; segments the custody log does not
/// know yet are recorded.
pub(super) fn recover_segments(writer: &CaseWriter, dir: &Path, id: &str) -> Result<Vec<String>> {
    let known: HashSet<String> =
        case::read_entries(writer.case().dir())?.into_iter().flat_map(|e| e.files).map(|f| f.path).collect();
    let mut recovered = Vec::new();
    for name in finished_segments(dir)? {
        let have = manifest::read(&dir.join(MANIFEST))?.iter().map(|r| r.seq).max().unwrap_or(0);
        let missing: Vec<Row> = segment::inner_rows(&dir.join(&name))?.into_iter().filter(|r| r.seq > have).collect();
        if !missing.is_empty() {
            case::append(&dir.join(MANIFEST), manifest::to_lines(&missing)?.as_bytes())?;
        }
        if !known.contains(&format!("{ENDPOINTS_DIR}/{id}/{name}")) {
            record_segment(writer, id, &name, missing.len(), true)?;
            recovered.push(name);
        }
    }
    Ok(recovered)
}

pub(super) fn finished_segments(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = file_names(dir)?.into_iter().filter(|n| segment::index_of(n).is_some()).collect();
    names.sort();
    Ok(names)
}

fn file_names(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(Error::io("read", dir))?;
    Ok(entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
}
