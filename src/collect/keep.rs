//! Keeping what a volume scan found: the ransom notes, the attacker's tools and the first
//! encrypted files of each extension — files no catalogue names, found only by reading the whole
//! volume — copied into the endpoint's evidence as one more segment, hashed on the copy, each on
//! the manifest under an artefact id of its own (`scan.ransom_note`, `scan.tool`,
//! `scan.encrypted_sample`, `scan.suspicious_executable`: [`Why::artefact`]), within a byte budget.
//!
//! The copy is checked against the hash the scan computed, so what is kept is shown to be what
//! was judged; a file that changed in between (a live source) is kept as it is now and says so.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::manifest::{self, Status};
use super::names;
use super::read::open_evidence;
use super::resume::{discard_partials, finished_segments};
use super::run::{new_row, record_segment};
use super::segment::{self, CopyError, Segment};
use crate::case::layout::{ENDPOINTS_DIR, MANIFEST};
use crate::case::{self, CaseWriter, FileRef, NewEntry};
use crate::error::Result;
use crate::progress::Progress;

/// Why a file is worth keeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// A ransom note (every distinct content).
    RansomNote,
    /// An attacker's tool or script (a tool rule matched it, or it does not parse).
    Tool,
    /// One of the first encrypted files of its extension: a sample for a decryptor.
    EncryptedSample,
    /// An executable where executables should not be.
    SuspiciousExecutable,
}

impl Why {
    /// The artefact id a file kept for this reason has on the manifest.
    pub fn artefact(self) -> &'static str {
        match self {
            Why::RansomNote => "scan.ransom_note",
            Why::Tool => "scan.tool",
            Why::EncryptedSample => "scan.encrypted_sample",
            Why::SuspiciousExecutable => "scan.suspicious_executable",
        }
    }

    /// The reason of an artefact id, when a scan kept the file.
    pub fn of_artefact(id: &str) -> Option<Why> {
        [Why::RansomNote, Why::Tool, Why::EncryptedSample, Why::SuspiciousExecutable]
            .into_iter()
            .find(|w| w.artefact() == id)
    }
}

/// A file the scan asks to keep: its path relative to the volume root (escaped as the manifest
/// names files) and the hash the scan computed.
#[derive(Clone, Debug)]
pub struct Wanted {
    /// Path relative to the volume root, escaped.
    pub path: String,
    /// Why it is kept.
    pub why: Why,
    /// SHA-256 of the bytes the scan judged.
    pub sha256: String,
}

/// A file kept.
#[derive(Clone, Debug, Serialize)]
pub struct KeptFile {
    /// Path relative to the volume root (its original name).
    pub path: String,
    /// Why.
    pub why: Why,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the copy.
    pub sha256: String,
    /// Its manifest row.
    pub seq: u64,
    /// False when the copy differs from what the scan read (the file changed in between).
    pub as_scanned: bool,
}

/// A file not kept, and why.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOut {
    /// Path relative to the volume root.
    pub path: String,
    /// Why it was wanted.
    pub why: Why,
    /// Its size, when known.
    pub size: u64,
    /// `budget` (it did not fit), or why it could not be read.
    pub reason: String,
}

/// What was kept, within which budget, and what was not.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Kept {
    /// The byte budget.
    pub budget: u64,
    /// Bytes kept.
    pub bytes: u64,
    /// The segment that holds them.
    pub segment: Option<String>,
    /// The files kept.
    pub files: Vec<KeptFile>,
    /// The files left out.
    pub left_out: Vec<LeftOut>,
    /// Merkle root of the manifest once they are on it.
    pub manifest_root: Option<String>,
}

/// Copies the wanted files of the volume at `root` into the evidence of `endpoint` (in the order
/// given: what matters most first; a file that does not fit the budget is left out and smaller
/// ones after it still go in), appends their rows to the manifest and records it in the custody
/// log (`scan.keep`, with the new manifest root).
pub fn keep(
    writer: &CaseWriter,
    endpoint: &str,
    root: &Path,
    wanted: &[Wanted],
    budget: u64,
    progress: &dyn Progress,
) -> Result<Kept> {
    let dir = writer.case().dir().join(ENDPOINTS_DIR).join(endpoint);
    let mut kept = Kept { budget, ..Kept::default() };
    if wanted.is_empty() {
        return Ok(kept);
    }
    discard_partials(&dir)?;
    let rows = manifest::read(&dir.join(MANIFEST))?;
    let mut seq = rows.iter().map(|r| r.seq).max().unwrap_or(0);
    let index = finished_segments(&dir)?.iter().filter_map(|n| segment::index_of(n)).max().unwrap_or(0) + 1;
    let mut seg: Option<Segment> = None;
    progress.start("keep", Some(wanted.len() as u64), None);
    for w in wanted {
        progress.advance(1, 0);
        let raw = names::unescape(&w.path);
        let name = std::ffi::OsStr::from_bytes(&raw);
        let file = root.join(name);
        let meta = std::fs::symlink_metadata(&file).ok();
        let size = meta.as_ref().map_or(0, |m| m.len());
        let left_out = |reason: String| LeftOut { path: w.path.clone(), why: w.why, size, reason };
        if kept.bytes + size > budget {
            kept.left_out.push(left_out("budget".into()));
            continue;
        }
        let mut src = match open_evidence(&file) {
            Ok(f) => f,
            Err((_, why)) => {
                kept.left_out.push(left_out(why));
                continue;
            }
        };
        if seg.is_none() {
            seg = Some(Segment::create(&dir, index)?);
        }
        let Some(s) = seg.as_mut() else { continue };
        let mut row = new_row(w.path.clone(), vec![w.why.artefact().to_string()], meta.as_ref());
        row.path_sjis = names::shift_jis(name);
        let modified = meta.as_ref().and_then(|m| m.modified().ok()).map(DateTime::<Utc>::from);
        let entry = format!("fs/{}", w.path);
        match s.copy(&entry, &mut src, size, modified, progress) {
            Ok((sha256, read)) => {
                row.status = Status::Collected;
                row.size = read;
                row.zip = Some(s.name().to_string());
                row.entry = Some(entry);
                let as_scanned = sha256 == w.sha256;
                if !as_scanned {
                    row.detail = Some(format!("changed since the scan, which read SHA-256 {}", w.sha256));
                }
                row.sha256 = Some(sha256.clone());
                seq += 1;
                row.seq = seq;
                kept.bytes += read;
                kept.files.push(KeptFile { path: w.path.clone(), why: w.why, size: read, sha256, seq, as_scanned });
                s.push(row);
            }
            Err(CopyError::Read { error, read }) => {
                kept.left_out.push(left_out(format!("read failed after {read} bytes: {error}")));
            }
            Err(CopyError::Write(e)) => return Err(e),
        }
    }
    progress.finish();
    if let Some(s) = seg {
        let (name, rows) = s.finish(&dir)?;
        case::append(&dir.join(MANIFEST), manifest::to_lines(&rows)?.as_bytes())?;
        record_segment(writer, endpoint, &name, rows.len(), false)?;
        kept.segment = Some(name);
    }
    let (root_hash, count) = manifest::root_of(&dir.join(MANIFEST))?;
    kept.manifest_root = Some(root_hash.clone());
    let rel = format!("{ENDPOINTS_DIR}/{endpoint}/{MANIFEST}");
    let files = if kept.segment.is_some() { vec![FileRef::of(writer.case().dir(), &rel)?] } else { Vec::new() };
    let by_why = |why: Why| kept.files.iter().filter(|f| f.why == why).count();
    let detail = json!({
        "manifest_root": root_hash, "manifest_rows": count, "segment": kept.segment, "budget": budget,
        "bytes": kept.bytes, "files": kept.files.len(), "ransom_notes": by_why(Why::RansomNote),
        "tools": by_why(Why::Tool) + by_why(Why::SuspiciousExecutable), "encrypted_samples": by_why(Why::EncryptedSample),
        "changed_since_scan": kept.files.iter().filter(|f| !f.as_scanned).count(),
        "left_out": kept.left_out,
    });
    writer.record(NewEntry::new("scan.keep", endpoint, detail).with_files(files))?;
    Ok(kept)
}
