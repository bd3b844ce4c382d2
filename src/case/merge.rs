//! `shodo merge`: the cases of several sticks become one.
//!
//! A source case is verified first and refused when its chain or any file it vouches for is
//! damaged, or while another process writes it. Its endpoints and backup results are copied in,
//! hashed while copied and checked against what the source's own log vouched for. An endpoint or
//! medium this case already holds with other content is kept apart under
//! `<name>--<source case id>`, never overwritten; the same source merged again adds nothing.
//! The source's own record (custody log, head, case.toml and its other top-level files) is kept
//! byte for byte under `merged/<source case id>-<last line>/`, so its chain stays verifiable on
//! its own, and the `case.merge` entry names every file it brought and where each came from, so
//! `verify` ties the two chains together. Sources are only read: their lock is looked at, not
//! taken. Copies go to a staging folder first and are renamed into place; a killed merge leaves
//! nothing half-copied in the case, and running it again finishes it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::custody::{self, Entry, FileRef, Head, NewEntry};
use super::lock::{self};
use super::merged::{Item, ItemKind, MERGE_ACTION, Placement, items_in};
use super::{Case, CaseWriter, atomic, verify};
use crate::case::layout;
use crate::case::layout::{BACKUPS_DIR, ENDPOINTS_DIR, LOCK_FILE, LOG_FILE, MERGED_DIR};
use crate::case::strings as txt;
use crate::error::{Error, Result};
use crate::progress::Progress;

const STAGING_PREFIX: &str = ".staging-";
/// Two folders that may hold the same machine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SameEndpoint {
    /// The folder merged in.
    pub endpoint: String,
    /// The folder of this case it resembles.
    pub other: String,
    /// Why: `same_id`, `same_hostname`, `same_disk_serial`.
    pub why: String,
}

/// The outcome of merging one source.
#[derive(Clone, Debug, Serialize)]
pub struct Merged {
    /// The source case directory.
    pub source: PathBuf,
    /// Its case id.
    pub case_id: String,
    /// Its custody head when merged.
    pub head: Head,
    /// Where its own record is kept in this case.
    pub log_dir: String,
    /// True when this exact state of the source was merged before: nothing was done.
    pub already: bool,
    /// Its folders and where they went.
    pub items: Vec<Item>,
    /// Endpoints that may be the same machine as one this case holds.
    pub same_endpoint: Vec<SameEndpoint>,
    /// The custody line that recorded the merge.
    pub seq: Option<u64>,
}

/// A file of a source folder, as planned.
#[derive(Clone, Debug)]
struct PlannedFile {
    /// Path relative to the item folder, `/`-separated.
    rel: String,
    sha256: String,
    size: u64,
}

struct Planned {
    item: Item,
    files: Vec<PlannedFile>,
}

/// Merges each source into the case `writer` holds. One outcome per source, in order: a source
/// that is refused or fails does not stop the others.
pub fn merge(writer: &CaseWriter, sources: &[PathBuf], progress: &dyn Progress) -> Vec<Result<Merged>> {
    sources.iter().map(|s| merge_one(writer, s, progress)).collect()
}

fn merge_one(writer: &CaseWriter, src: &Path, progress: &dyn Progress) -> Result<Merged> {
    let dest = writer.case().dir();
    let source = Source::open(dest, writer.case(), src)?;
    let log_dir = format!("{MERGED_DIR}/{}-{}", source.case_id, source.head.seq);
    let mut merged = Merged {
        source: src.to_path_buf(),
        case_id: source.case_id.clone(),
        head: source.head.clone(),
        log_dir: log_dir.clone(),
        already: false,
        items: Vec::new(),
        same_endpoint: Vec::new(),
        seq: None,
    };
    if let Some(entry) = recorded_merge(dest, &log_dir)? {
        merged.already = true;
        merged.items = items_in(dest, &entry)?;
        merged.seq = Some(entry.seq);
        return Ok(merged);
    }
    clear_staging(dest)?;
    let planned = plan(dest, &source, progress)?;
    merged.items = planned.iter().map(|p| p.item.clone()).collect();
    merged.same_endpoint = same_endpoints(dest, src, &merged.items);
    writer.record(NewEntry::new("merge.start", &source.case_id, detail(&merged)))?;
    let staging = dest.join(MERGED_DIR).join(format!("{STAGING_PREFIX}{}-{}", source.case_id, source.head.seq));
    let copied = copy_in(dest, src, &staging, &planned, progress).and_then(|mut files| {
        files.extend(keep_record(dest, src, &staging, &log_dir)?);
        Ok(files)
    });
    let _ = remove_dir(&staging);
    let files = match copied {
        Ok(files) => files,
        Err(e) => {
            let why = json!({ "source_case_id": source.case_id, "error_ja": e.ja(), "error_en": e.to_string() });
            let _ = writer.record(NewEntry::new("merge.failed", &source.case_id, why));
            return Err(e);
        }
    };
    let entry = writer.record(NewEntry::new(MERGE_ACTION, &source.case_id, detail(&merged)).with_files(files))?;
    merged.seq = Some(entry.seq);
    Ok(merged)
}

fn detail(m: &Merged) -> Value {
    json!({
        "source": m.source.display().to_string(),
        "source_case_id": m.case_id,
        "source_head": m.head,
        "log_dir": m.log_dir,
        "items": m.items,
        "same_endpoint": m.same_endpoint,
    })
}

/// A source case, verified and read.
struct Source {
    dir: PathBuf,
    case_id: String,
    head: Head,
    /// The newest hash its log records for each file.
    vouched: BTreeMap<String, FileRef>,
}

impl Source {
    fn open(dest: &Path, case: &Case, src: &Path) -> Result<Source> {
        refuse_self(dest, src)?;
        if let Some(holder) = lock::holder(src) {
            return Err(Error::refused(txt::THE_SOURCE_IS_IN_USE, &[("path", &src.display()), ("holder", &holder)]));
        }
        let case_id = Case::open(src)?.file().case.id.clone();
        if case_id == case.file().case.id {
            return Err(Error::refused(
                txt::A_COPY_OF_THIS_VERY_CASE,
                &[("path", &src.display()), ("case_id", &case_id)],
            ));
        }
        let report = verify::verify(src)?;
        if let Some(first) = report.problems.first() {
            let (ja, en) = txt::THE_SOURCE_DOES_NOT_VERIFY.both(|lang| {
                vec![
                    ("path", src.display().to_string()),
                    ("n", report.problems.len().to_string()),
                    ("first", first.text(lang).to_string()),
                ]
            });
            return Err(Error::Refused { ja, en });
        }
        let head = custody::read_head(src)?
            .ok_or_else(|| Error::Corrupt { path: src.join(layout::HEAD_FILE), what: "missing".into() })?;
        let mut vouched = BTreeMap::new();
        for e in custody::read_entries(src)? {
            for f in e.files {
                vouched.insert(f.path.clone(), f);
            }
        }
        Ok(Source { dir: src.to_path_buf(), case_id, head, vouched })
    }
}

fn refuse_self(dest: &Path, src: &Path) -> Result<()> {
    let d = fs::canonicalize(dest).map_err(Error::io("open", dest))?;
    let s = fs::canonicalize(src).map_err(Error::io("open", src))?;
    if d == s || s.starts_with(&d) || d.starts_with(&s) {
        return Err(Error::refused(txt::THIS_CASE_INSIDE_IT_OR_AROUND_IT, &[("path", &src.display())]));
    }
    Ok(())
}

/// The `case.merge` entry that already brought in this state of a source, if any.
fn recorded_merge(dest: &Path, log_dir: &str) -> Result<Option<Entry>> {
    Ok(custody::read_entries(dest)?
        .into_iter()
        .find(|e| e.action == MERGE_ACTION && e.detail["log_dir"].as_str() == Some(log_dir)))
}

/// Staging folders are never referenced by a custody entry: what a killed merge left there goes.
fn clear_staging(dest: &Path) -> Result<()> {
    let merged = dest.join(MERGED_DIR);
    let Ok(read) = fs::read_dir(&merged) else { return Ok(()) };
    for e in read.flatten() {
        if e.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
            remove_dir(&e.path())?;
        }
    }
    Ok(())
}

fn remove_dir(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("remove", path)(e)),
        _ => Ok(()),
    }
}

/// Decides where every endpoint and backup folder of the source goes.
fn plan(dest: &Path, source: &Source, progress: &dyn Progress) -> Result<Vec<Planned>> {
    let mut out = Vec::new();
    for (kind, sub) in [(ItemKind::Endpoint, ENDPOINTS_DIR), (ItemKind::Backup, BACKUPS_DIR)] {
        for name in super::subdirs(&source.dir.join(sub)) {
            let from = format!("{sub}/{name}");
            let files = list(source, &from, progress)?;
            let (to, placement) = place(dest, sub, &name, &source.case_id, &files)?;
            let unvouched = files
                .iter()
                .filter(|f| !source.vouched.contains_key(&format!("{from}/{}", f.rel)))
                .map(|f| f.rel.clone())
                .collect();
            let item = Item {
                kind,
                from,
                to,
                placement,
                files: files.len(),
                bytes: files.iter().map(|f| f.size).sum(),
                unvouched,
            };
            out.push(Planned { item, files });
        }
    }
    Ok(out)
}

/// The files of one source folder with their hashes: as the (verified) source log vouches for
/// them, or hashed now.
fn list(source: &Source, from: &str, progress: &dyn Progress) -> Result<Vec<PlannedFile>> {
    let root = source.dir.join(from);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&root).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::walk(&root, e))?;
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let rel = rel_of(&root, entry.path())?;
        if !kind.is_file() {
            return Err(Error::refused(txt::NOT_A_REGULAR_FILE, &[("from", &from), ("rel", &rel)]));
        }
        let (sha256, size) = match source.vouched.get(&format!("{from}/{rel}")) {
            Some(f) => (f.sha256.clone(), f.size),
            None => {
                progress.note(&format!("{from}/{rel}"));
                crate::hash::sha256_file(entry.path()).map_err(Error::io("read", entry.path()))?
            }
        };
        files.push(PlannedFile { rel, sha256, size });
    }
    Ok(files)
}

fn rel_of(root: &Path, path: &Path) -> Result<String> {
    let rel = path.strip_prefix(root).map_err(|_| Error::Corrupt { path: path.into(), what: "outside".into() })?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|p| p.join("/")).ok_or_else(|| Error::Corrupt {
        path: path.to_path_buf(),
        what: "file name is not UTF-8 (shodo never writes such a name into a case)".into(),
    })
}

/// Where a folder goes: its own name when free, nothing when that holds the same files already,
/// else `<name>--<source case id>` (and a number after it when even that is taken by others).
fn place(dest: &Path, sub: &str, name: &str, case_id: &str, files: &[PlannedFile]) -> Result<(String, Placement)> {
    let own = format!("{sub}/{name}");
    if !dest.join(&own).exists() {
        return Ok((own, Placement::Copied));
    }
    if holds(&dest.join(&own), files)? {
        return Ok((own, Placement::AlreadyPresent));
    }
    for n in 1u32.. {
        let apart = if n == 1 { format!("{own}--{case_id}") } else { format!("{own}--{case_id}-{n}") };
        if !dest.join(&apart).exists() {
            return Ok((apart, Placement::KeptApart));
        }
        if holds(&dest.join(&apart), files)? {
            return Ok((apart, Placement::AlreadyPresent));
        }
    }
    Err(Error::Corrupt { path: dest.join(own), what: "no free name".into() })
}

/// True when `dir` holds every file with the same content (sizes compared first; hashed only
/// when all sizes agree).
fn holds(dir: &Path, files: &[PlannedFile]) -> Result<bool> {
    for f in files {
        match fs::metadata(dir.join(&f.rel)) {
            Ok(m) if m.is_file() && m.len() == f.size => {}
            _ => return Ok(false),
        }
    }
    for f in files {
        let path = dir.join(&f.rel);
        let (sha, _) = crate::hash::sha256_file(&path).map_err(Error::io("read", &path))?;
        if sha != f.sha256 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Copies every planned folder through the staging folder into place; returns a reference for
/// every file of every item (those already present included).
fn copy_in(
    dest: &Path,
    src: &Path,
    staging: &Path,
    planned: &[Planned],
    progress: &dyn Progress,
) -> Result<Vec<FileRef>> {
    let copying: Vec<&Planned> = planned.iter().filter(|p| p.item.placement != Placement::AlreadyPresent).collect();
    let total: u64 = copying.iter().map(|p| p.item.bytes).sum();
    progress.start("merge", Some(copying.iter().map(|p| p.files.len() as u64).sum()), Some(total));
    for p in &copying {
        for f in &p.files {
            let from = src.join(&p.item.from).join(&f.rel);
            copy_file(&from, &staging.join(&p.item.to).join(&f.rel), f)?;
            progress.advance(1, f.size);
            if progress.cancelled() {
                progress.finish();
                return Err(Error::Cancelled { what: "merge" });
            }
        }
    }
    progress.finish();
    for p in &copying {
        let to = dest.join(&p.item.to);
        if to.exists() {
            return Err(Error::io("rename", &to)(io::Error::from(io::ErrorKind::AlreadyExists)));
        }
        sync_tree(&staging.join(&p.item.to))?;
        fs::rename(staging.join(&p.item.to), &to).map_err(Error::io("rename", &to))?;
        atomic::sync_dir(to.parent().unwrap_or(dest))?;
    }
    Ok(planned
        .iter()
        .flat_map(|p| {
            p.files.iter().map(|f| FileRef {
                path: format!("{}/{}", p.item.to, f.rel),
                sha256: f.sha256.clone(),
                size: f.size,
            })
        })
        .collect())
}

/// Copies one file, hashing what it reads, and refuses it when it is not what was planned (the
/// source changed under the merge).
fn copy_file(from: &Path, to: &Path, want: &PlannedFile) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(Error::io("mkdir", parent))?;
    }
    let mut input = File::open(from).map_err(Error::io("read", from))?;
    let mut output = OpenOptions::new().write(true).create_new(true).open(to).map_err(Error::io("create", to))?;
    let (sha, size) = crate::hash::copy_hashed(&mut input, &mut output).map_err(|e| match e {
        crate::hash::CopyFailed::Read(e) => Error::io("read", from)(e),
        crate::hash::CopyFailed::Write(e) => Error::io("write", to)(e),
    })?;
    output.sync_all().map_err(Error::io("sync", to))?;
    if sha != want.sha256 || size != want.size {
        return Err(Error::Corrupt {
            path: from.to_path_buf(),
            what: format!(
                "changed while it was merged (expected {} bytes, SHA-256 {}; read {size} bytes, {sha}); nothing of this source was merged",
                want.size, want.sha256
            ),
        });
    }
    Ok(())
}

fn sync_tree(dir: &Path) -> Result<()> {
    for e in walkdir::WalkDir::new(dir).contents_first(true) {
        let e = e.map_err(|e| Error::walk(dir, e))?;
        if e.file_type().is_dir() {
            atomic::sync_dir(e.path())?;
        }
    }
    Ok(())
}

/// Keeps the source's own record (every top-level file but its lock) byte for byte.
fn keep_record(dest: &Path, src: &Path, staging: &Path, log_dir: &str) -> Result<Vec<FileRef>> {
    let target = dest.join(log_dir);
    let mut names: Vec<String> = fs::read_dir(src)
        .map_err(Error::io("read", src))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOCK_FILE && !n.starts_with('.'))
        .collect();
    names.sort();
    if !target.exists() {
        let record = staging.join("record");
        for name in &names {
            let from = src.join(name);
            let (sha256, size) = crate::hash::sha256_file(&from).map_err(Error::io("read", &from))?;
            copy_file(&from, &record.join(name), &PlannedFile { rel: name.clone(), sha256, size })?;
        }
        fs::create_dir_all(dest.join(MERGED_DIR)).map_err(Error::io("mkdir", &dest.join(MERGED_DIR)))?;
        sync_tree(&record)?;
        fs::rename(&record, &target).map_err(Error::io("rename", &target))?;
        atomic::sync_dir(&dest.join(MERGED_DIR))?;
    }
    let log = fs::read(target.join(LOG_FILE)).map_err(Error::io("read", &target.join(LOG_FILE)))?;
    let source_log = fs::read(src.join(LOG_FILE)).map_err(Error::io("read", &src.join(LOG_FILE)))?;
    if log != source_log {
        return Err(Error::Corrupt {
            path: target.join(LOG_FILE),
            what: "a kept record of this source differs from the source's custody log".into(),
        });
    }
    names.iter().map(|n| FileRef::of(dest, &format!("{log_dir}/{n}"))).collect()
}

/// Endpoints merged in that may be a machine this case already holds: the same folder name with
/// other evidence, the same host name, or the same disk serial.
fn same_endpoints(dest: &Path, src: &Path, items: &[Item]) -> Vec<SameEndpoint> {
    let existing = super::subdirs(&dest.join(ENDPOINTS_DIR));
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.kind == ItemKind::Endpoint && i.placement != Placement::AlreadyPresent) {
        let mine = identity(&src.join(&item.from));
        for name in &existing {
            let other_dir = format!("{ENDPOINTS_DIR}/{name}");
            let theirs = identity(&dest.join(&other_dir));
            let why = if item.placement == Placement::KeptApart && item.from == other_dir {
                Some("same_id")
            } else if mine.0.is_some() && mine.0 == theirs.0 {
                Some("same_hostname")
            } else if mine.1.is_some() && mine.1 == theirs.1 {
                Some("same_disk_serial")
            } else {
                None
            };
            if let Some(why) = why {
                out.push(SameEndpoint { endpoint: item.to.clone(), other: other_dir, why: why.into() });
            }
        }
    }
    out
}

/// (host name in lower case, disk serial) from `endpoint.json`.
fn identity(dir: &Path) -> (Option<String>, Option<String>) {
    let v: Value =
        fs::read(dir.join("endpoint.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
    let text = |v: &Value| v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    (text(&v["hostname"]).map(|h| h.to_lowercase()), text(&v["volume"]["disk"]["serial"]))
}

/// The custody entries of this case and of every source merged into it, each with the log it is
/// on (`custody.jsonl`, `merged/<…>/custody.jsonl`); the targets of the sources' entries are
/// renamed where their endpoint was kept apart (for reports: who collected what, notes).
pub fn all_entries(dir: &Path) -> Result<Vec<(String, Entry)>> {
    let own = custody::read_entries(dir)?;
    let mut all: Vec<(String, Entry)> = own.iter().map(|e| (LOG_FILE.to_string(), e.clone())).collect();
    let mut seen = BTreeSet::new();
    for merge in own.iter().filter(|e| e.action == MERGE_ACTION) {
        let Some(log_dir) = merge.detail["log_dir"].as_str() else { continue };
        if !verify::is_inside(log_dir) || !seen.insert(log_dir.to_string()) {
            continue;
        }
        let renames: BTreeMap<String, String> = items_in(dir, merge)?
            .into_iter()
            .filter(|i| i.kind == ItemKind::Endpoint)
            .filter_map(|i| Some((leaf(&i.from)?, leaf(&i.to)?)))
            .collect();
        for mut e in custody::read_entries(&dir.join(log_dir)).unwrap_or_default() {
            if let Some(to) = renames.get(&e.target) {
                e.target = to.clone();
            }
            all.push((format!("{log_dir}/{LOG_FILE}"), e));
        }
    }
    Ok(all)
}

fn leaf(path: &str) -> Option<String> {
    path.rsplit('/').next().map(str::to_string)
}

#[cfg(test)]
mod tests;
