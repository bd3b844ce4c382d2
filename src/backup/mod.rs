//! Backup integrity: which generation can the hospital restore from?
//!
//! `baseline` lists a medium's files with their SHA-256 in a hashdeep manifest (see
//! [`manifest`]); `verify` reads the medium again — read-only, nothing written to it — and says
//! per file whether it matches a baseline, whether archives are whole ([`structure`]), and
//! whether it shows the signs of ransomware the scanner uses (random content where a format
//! promises otherwise, known extensions, ransom notes by name).
//!
//! Reading is the limit, not hashing: the medium is read in on-disk order (extent map, else
//! inode order). Small files are taken in that order by a few readers at once, each hashing and
//! checking what it read, so that neighbouring requests are always queued for the device to
//! merge; large files follow one at a time, each hashed as it streams in large sequential reads.

pub mod database;
pub mod manifest;
mod strings;
pub mod structure;
pub mod verify;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::ransomware::encryption::{self, Assessment};
use manifest::{Entry, Meta};
use structure::Structure;

/// Files up to this size are read whole and handed to the workers.
const WHOLE: u64 = 1 << 20;
/// Read size for large files: 64 KiB is hashed while still in the CPU cache (larger reads cost a
/// second trip through memory), and the kernel's readahead keeps the disk streaming.
const BLOCK: usize = 64 << 10;
/// One sampled window for the encryption signs (as the scanner measures).
const WINDOW: usize = 64 * 1024;

/// What reading one file gave.
#[derive(Clone, Debug, Serialize)]
pub struct FileFact {
    /// Path below the medium's root (`/`-separated; names that are not UTF-8 shown lossily).
    pub path: String,
    /// The path's bytes, for the manifest.
    #[serde(skip)]
    pub raw: Vec<u8>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (none when the file could not be read).
    pub sha256: Option<String>,
    /// Last modification (UTC).
    pub modified: Option<String>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Archive check, for archives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structure: Option<Structure>,
    /// Signs of encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Assessment>,
    /// A ransom note's name (the pattern it matched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ransom_note: Option<String>,
}

/// What could not be read at all (a folder, a symlink not followed).
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// Path below the root.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// One pass over a medium.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Reading {
    /// Every regular file, in path order.
    pub files: Vec<FileFact>,
    /// What was not read.
    pub skipped: Vec<Skipped>,
    /// The order the files were read in: `physical` (the file system's extent map) or `inode`.
    pub read_order: &'static str,
}

/// Reads every regular file under `root`: hash, archive check, encryption signs. Symlinks are
/// not followed; unreadable files and folders are recorded and the reading goes on.
pub fn read_medium(root: &Path, progress: &dyn Progress) -> Result<Reading> {
    let meta = std::fs::metadata(root).map_err(Error::io("open", root))?;
    if !meta.is_dir() {
        return Err(Error::Io {
            op: "read the backup medium",
            path: root.to_path_buf(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "not a folder"),
        });
    }
    let mut reading = Reading::default();
    let mut todo: Vec<Pending> = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(false).same_file_system(false).sort_by_file_name();
    for item in walker {
        let e = match item {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(|p| rel_of(root, p)).unwrap_or_default();
                reading.skipped.push(Skipped { path: lossy(&path), reason: err.to_string() });
                continue;
            }
        };
        let rel = rel_of(root, e.path());
        if e.file_type().is_symlink() {
            reading.skipped.push(Skipped { path: lossy(&rel), reason: "symbolic link (not followed)".into() });
        } else if e.file_type().is_file() {
            match e.metadata() {
                Ok(m) => {
                    let modified = m.modified().ok().map(|t| crate::clock::utc_string(t.into()));
                    todo.push(Pending { ino: m.ino(), path: e.into_path(), rel, size: m.len(), modified });
                }
                Err(err) => reading.skipped.push(Skipped { path: lossy(&rel), reason: err.to_string() }),
            }
        } else if !e.file_type().is_dir() {
            reading.skipped.push(Skipped { path: lossy(&rel), reason: "not a regular file".into() });
        }
    }
    reading.read_order = order_on_disk(&mut todo);
    progress.start("backup", Some(todo.len() as u64), Some(todo.iter().map(|t| t.size).sum()));
    let (small, large): (Vec<&Pending>, Vec<&Pending>) = todo.iter().partition(|p| p.size <= WHOLE);
    let done = Mutex::new(Vec::with_capacity(todo.len()));
    let keep = |fact: FileFact, size: u64| {
        progress.advance(1, size);
        if let Ok(mut d) = done.lock() {
            d.push(fact);
        }
    };
    // Small files: a few readers take the next file in on-disk order, so that a handful of
    // neighbouring reads is always queued for the device to merge and sort; each hashes and
    // checks what it read.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..SMALL_READERS {
            scope.spawn(|| {
                while let Some(p) = small.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                    let fact = match read_whole(&p.path, p.size) {
                        Ok(data) => whole_fact(p.rel.clone(), data.len() as u64, p.modified.clone(), &data),
                        Err(e) => {
                            progress.note(&format!("{}: {e}", lossy(&p.rel)));
                            failed(p.rel.clone(), p.size, p.modified.clone(), e.to_string())
                        }
                    };
                    keep(fact, p.size);
                }
            });
        }
    });
    // Large files after them, one at a time: each streamed in one sequential pass.
    for p in large {
        keep(streamed_fact(&p.path, p.rel.clone(), p.size, p.modified.clone()), p.size);
    }
    progress.finish();
    reading.files = done.into_inner().unwrap_or_default();
    reading.files.sort_by(|a, b| a.raw.cmp(&b.raw));
    Ok(reading)
}

/// Sorts the files into on-disk order, as near as the file system tells it: by where each one's
/// data begins (FIEMAP), else by inode number (on ext4, XFS and NTFS close to the order of the
/// inode tables, and data is allocated near its inode). Returns which order it is.
fn order_on_disk(todo: &mut Vec<Pending>) -> &'static str {
    let mut physical = Vec::with_capacity(todo.len());
    for t in todo.iter() {
        let start = File::open(&t.path).and_then(|f| crate::source::platform::first_physical(&f));
        match start {
            Ok(start) => physical.push(start),
            // The file system does not map extents (FUSE, NFS, CIFS): no use asking again.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EOPNOTSUPP | libc::ENOTTY | libc::EINVAL)) => break,
            // This file could not be opened: its read will say why; it goes by its inode.
            Err(_) => physical.push(None),
        }
    }
    if physical.len() < todo.len() || todo.is_empty() {
        todo.sort_by_key(|t| t.ino);
        return "inode";
    }
    // Files without placed data (empty, inline) cost no seek: they go first.
    let mut keyed: Vec<(Option<u64>, Pending)> = physical.into_iter().zip(std::mem::take(todo)).collect();
    keyed.sort_by_key(|(p, t)| (*p, t.ino));
    todo.extend(keyed.into_iter().map(|(_, t)| t));
    "physical"
}

/// Readers of small files at once: enough neighbouring requests queued for the device to merge
/// and sort them (100k files of 4 KiB, cold: 1 reader 26 s, 4: 9.0 s, 8: 7.6 s, 16: 6.4 s, 32: 6.3 s, 64: 7.0 s), few
/// enough that they stay neighbours on the disk.
const SMALL_READERS: usize = 16;

/// A small file, whole.
/// Reads a small file whole: plain reads into a buffer of the size the walk saw, until the end
/// (a file that grew meanwhile is read to its new end). `read_to_end` on a `File` would first
/// ask the size and position again: two system calls more per file.
fn read_whole(path: &Path, size: u64) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let mut data = vec![0u8; size as usize + 1];
    let mut filled = 0;
    loop {
        if filled == data.len() {
            data.resize(filled * 2 + 4096, 0);
        }
        match file.read(&mut data[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    data.truncate(filled);
    Ok(data)
}

/// A file to read.
#[derive(Clone)]
struct Pending {
    ino: u64,
    path: PathBuf,
    rel: Vec<u8>,
    size: u64,
    modified: Option<String>,
}

fn rel_of(root: &Path, p: &Path) -> Vec<u8> {
    p.strip_prefix(root).map(|r| r.as_os_str().as_bytes().to_vec()).unwrap_or_default()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn failed(rel: Vec<u8>, size: u64, modified: Option<String>, why: String) -> FileFact {
    FileFact {
        path: lossy(&rel),
        raw: rel,
        size,
        sha256: None,
        modified,
        error: Some(why),
        structure: None,
        encryption: None,
        ransom_note: None,
    }
}

fn name_signs(rel: &[u8]) -> Option<String> {
    let name = lossy(rel.rsplit(|&b| b == b'/').next().unwrap_or(rel));
    crate::ransomware::notes::match_name(&name).map(|n| n.pattern)
}

/// A small file, in memory.
fn whole_fact(rel: Vec<u8>, size: u64, modified: Option<String>, data: &[u8]) -> FileFact {
    let path = lossy(&rel);
    let structure = match structure::format_of(data) {
        Some("zip") => Some(structure::check_zip(io::Cursor::new(data))),
        Some("gzip") => Some(structure::check_gzip(data)),
        Some("tar") => Some(structure::check_tar(data)),
        _ => match structure::image_format_of(&path, data, data) {
            Some("vhd") => Some(structure::check_vhd(io::Cursor::new(data), data.len() as u64)),
            Some("vhdx") => Some(structure::check_vhdx(io::Cursor::new(data), data.len() as u64)),
            _ => database::check(data, data, data.len() as u64, || Some(io::Cursor::new(data))),
        },
    };
    FileFact {
        sha256: Some(format!("{:x}", Sha256::digest(data))),
        encryption: encryption::assess(&path, data),
        ransom_note: name_signs(&rel),
        path,
        raw: rel,
        size,
        modified,
        error: None,
        structure,
    }
}

/// A large file, streamed once: hashed, sampled for the encryption signs, and — gzip and tar —
/// checked from the same bytes; a zip is checked by a second pass (its directory is at the end).
fn streamed_fact(path: &Path, rel: Vec<u8>, size: u64, modified: Option<String>) -> FileFact {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return failed(rel, size, modified, e.to_string()),
    };
    let inner = io::BufReader::with_capacity(BLOCK, file);
    let mut tee = Tee { inner, hash: Sha256::new(), at: 0, size, samples: vec![Vec::new(); 3] };
    let mut head = vec![0u8; 512];
    let n = match structure::read_up_to(&mut tee, &mut head) {
        Ok(n) => n,
        Err(e) => return failed(rel, size, modified, e.to_string()),
    };
    head.truncate(n);
    let format = structure::format_of(&head);
    let first = head.clone();
    let chained = io::Cursor::new(head).chain(&mut tee);
    let checked = match format {
        Some("gzip") => Some(structure::check_gzip(chained)),
        Some("tar") => Some(structure::check_tar(chained)),
        _ => None,
    };
    // Whatever the check left unread still counts for the hash.
    if let Err(e) = tee.drain() {
        return failed(rel, size, modified, e.to_string());
    }
    // Archives with their directory at the end, and disk images, are checked by a second pass.
    let reopen = || File::open(path).ok().map(|f| io::BufReader::with_capacity(BLOCK, f));
    let structure = match format {
        Some("zip") => reopen().map(structure::check_zip),
        Some(_) => checked,
        None => match structure::image_format_of(&lossy(&rel), &first, &tee.samples[2]) {
            Some("vhd") => reopen().map(|f| structure::check_vhd(f, size)),
            Some("vhdx") => reopen().map(|f| structure::check_vhdx(f, size)),
            _ => database::check(&first, &tee.samples[2], size, reopen),
        },
    };
    let pathname = lossy(&rel);
    let sampled: Vec<u8> = tee.samples.concat();
    let mut encryption = encryption::assess(&pathname, &sampled);
    // The windows measured were the head, middle and tail of the file.
    if let Some(a) = &mut encryption {
        let offsets = [0, size / 2 - WINDOW as u64 / 2, size - WINDOW as u64];
        a.windows.iter_mut().zip(offsets).for_each(|(w, o)| w.offset = o);
    }
    FileFact {
        sha256: Some(format!("{:x}", tee.hash.finalize())),
        encryption,
        ransom_note: name_signs(&rel),
        path: pathname,
        raw: rel,
        size,
        modified,
        error: None,
        structure,
    }
}

/// Reads a file once: hashes every byte and keeps the head, middle and tail windows.
struct Tee {
    /// Large reads whatever size the checks ask for (a gzip or tar check reads a few KiB at a time).
    inner: io::BufReader<File>,
    hash: Sha256,
    at: u64,
    size: u64,
    samples: Vec<Vec<u8>>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &buf[..n];
        self.hash.update(data);
        let w = WINDOW as u64;
        let starts = [0, (self.size / 2).saturating_sub(w / 2), self.size.saturating_sub(w)];
        for (sample, start) in self.samples.iter_mut().zip(starts) {
            let (lo, hi) = (start.max(self.at), (start + w).min(self.at + n as u64));
            if lo < hi {
                sample.extend_from_slice(&data[(lo - self.at) as usize..(hi - self.at) as usize]);
            }
        }
        self.at += n as u64;
        Ok(n)
    }
}

impl Tee {
    /// Reads the rest in large reads (`io::copy` would read 8 KiB at a time).
    fn drain(&mut self) -> io::Result<()> {
        let mut buf = vec![0u8; BLOCK];
        loop {
            match self.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// `shodo backup baseline`: writes the manifest of `root` to `out` (never onto the medium).
pub fn baseline(root: &Path, out: &Path, generation: Option<&str>, progress: &dyn Progress) -> Result<(Meta, Reading)> {
    let root_abs = root.canonicalize().map_err(Error::io("open", root))?;
    let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let out_abs = out_dir.canonicalize().map_err(Error::io("open", out_dir))?;
    if out_abs.starts_with(&root_abs) {
        return Err(Error::ManifestOnMedium { manifest: out.to_path_buf(), medium: root.to_path_buf() });
    }
    let reading = read_medium(&root_abs, progress)?;
    let entries: Vec<Entry> = reading
        .files
        .iter()
        .filter(|f| !f.raw.contains(&b'\n'))
        .filter_map(|f| Some(Entry { size: f.size, sha256: f.sha256.clone()?, path: f.raw.clone() }))
        .collect();
    let mut skipped: Vec<(String, String)> =
        reading.skipped.iter().map(|s| (s.path.clone(), s.reason.clone())).collect();
    for f in &reading.files {
        if let Some(e) = &f.error {
            skipped.push((f.path.clone(), e.clone()));
        } else if f.raw.contains(&b'\n') {
            skipped.push((f.path.clone(), "a line break in the name cannot be listed in a hashdeep manifest".into()));
        }
    }
    let mut meta = Meta {
        generation: generation.map(str::to_string),
        created: crate::clock::utc_string(crate::clock::now()),
        tool: format!("shodo {}", env!("CARGO_PKG_VERSION")),
        source: root_abs.display().to_string(),
        skipped,
        ..Meta::default()
    };
    let bytes = manifest::render(&entries, &mut meta, &root_abs.display().to_string());
    crate::case::write_atomic(out, &bytes)?;
    Ok((meta, reading))
}

/// How a file compares with a baseline (hashdeep's audit categories, `modified` added).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Audit {
    /// Same path, same content.
    Matched,
    /// Same path, other content.
    Modified,
    /// The content of a listed file, under another path.
    Moved,
    /// Not in the baseline.
    New,
    /// Listed, and neither its path nor its content is on the medium.
    Missing,
}

/// A file's audit result.
#[derive(Clone, Debug, Serialize)]
pub struct AuditRow {
    /// The category.
    pub audit: Audit,
    /// The path on the medium (for missing files: in the baseline).
    pub path: String,
    /// For moved files: the path the baseline has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
}

/// Compares files with a baseline whose paths are relative to `prefix` (a generation's folder,
/// or nothing for the whole medium).
pub fn audit(files: &[&FileFact], prefix: &[u8], baseline: &[Entry]) -> Vec<AuditRow> {
    let rel = |f: &FileFact| f.raw.strip_prefix(prefix).unwrap_or(&f.raw).to_vec();
    let by_path: HashMap<&[u8], &Entry> = baseline.iter().map(|e| (e.path.as_slice(), e)).collect();
    let mut by_hash: HashMap<&str, Vec<&Entry>> = HashMap::new();
    baseline.iter().for_each(|e| by_hash.entry(e.sha256.as_str()).or_default().push(e));
    let present: std::collections::HashSet<Vec<u8>> = files.iter().map(|f| rel(f)).collect();
    let mut moved_from: Vec<&[u8]> = Vec::new();
    let mut rows = Vec::new();
    for f in files {
        let hash = f.sha256.as_deref().unwrap_or("");
        let (audit, was) = match by_path.get(rel(f).as_slice()) {
            Some(e) if e.sha256 == hash => (Audit::Matched, None),
            Some(_) => (Audit::Modified, None),
            None => match by_hash.get(hash).and_then(|c| c.iter().find(|e| !present.contains(&e.path))) {
                Some(e) => {
                    moved_from.push(&e.path);
                    (Audit::Moved, Some(lossy(&[prefix, &e.path].concat())))
                }
                None => (Audit::New, None),
            },
        };
        rows.push(AuditRow { audit, path: f.path.clone(), was });
    }
    for e in baseline {
        if !present.contains(&e.path) && !moved_from.contains(&e.path.as_slice()) {
            rows.push(AuditRow { audit: Audit::Missing, path: lossy(&[prefix, &e.path].concat()), was: None });
        }
    }
    rows
}

/// Counts per category.
pub fn audit_counts(rows: &[AuditRow]) -> BTreeMap<Audit, u64> {
    let mut counts = BTreeMap::new();
    rows.iter().for_each(|r| *counts.entry(r.audit).or_default() += 1);
    counts
}
