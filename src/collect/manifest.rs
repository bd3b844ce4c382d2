//! `manifest.jsonl`: one row per file considered — collected (with its SHA-256 and where it is
//! kept), a link, or skipped with the reason. Appended and fsynced a segment at a time; its
//! Merkle root goes into the custody log.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::case::layout::MANIFEST;
use crate::error::{Error, Result};
use crate::hash;

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Copied and hashed.
    Collected,
    /// A symbolic link: its target recorded, never followed.
    Symlink,
    /// Not taken; see `reason`.
    Skipped,
}

/// Why a file was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Larger than the artefact's per-file cap.
    TooLarge,
    /// The artefact's byte budget was spent.
    ArtefactBudget,
    /// The run's byte budget was spent.
    TotalBudget,
    /// The run's time budget was spent.
    TimeBudget,
    /// The artefact's time budget was spent.
    ArtefactTime,
    /// Gone between planning and copying.
    Vanished,
    /// Could not be opened or read.
    Unreadable,
    /// A FIFO, socket or device: nothing to copy.
    NotRegular,
    /// Older than the artefact's `changed_within_days`.
    TooOld,
    /// A directory that could not be walked.
    WalkError,
    /// Raw volume metadata, but the source is a directory, not a volume.
    RawUnavailable,
    /// The volume does not have it (no USN journal was ever enabled, say).
    Absent,
    /// The filesystem could not be mounted: none of its files could be listed.
    Unmountable,
    /// The operator cancelled the run before this file was read.
    Cancelled,
}

impl SkipReason {
    /// True when trying again later could succeed (so a resumed run retries it).
    pub fn retryable(self) -> bool {
        !matches!(
            self,
            Self::TooLarge | Self::NotRegular | Self::TooOld | Self::RawUnavailable | Self::Absent | Self::Unmountable
        )
    }
}

/// MACB times as the source reports them (UTC, RFC 3339).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    /// Content modified.
    pub modified: Option<String>,
    /// Last accessed.
    pub accessed: Option<String>,
    /// Metadata changed (inode ctime; MFT change time on NTFS through ntfs-3g).
    pub changed: Option<String>,
    /// Created (birth time), where the filesystem keeps it.
    pub born: Option<String>,
}

/// One manifest row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based position in the manifest.
    pub seq: u64,
    /// Outcome.
    pub status: Status,
    /// Path relative to the source root, losslessly escaped (see `names`).
    pub path: String,
    /// The path read as Shift-JIS, when it is not UTF-8 but clean Shift-JIS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_sjis: Option<String>,
    /// Catalogue ids that asked for it.
    pub artefacts: Vec<String>,
    /// Size in bytes (as read when collected, as listed otherwise).
    pub size: u64,
    /// SHA-256 of the content read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// MACB times.
    pub times: Times,
    /// Unix mode, owner, group, inode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// Owner uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Group gid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// Inode (MFT record number on NTFS through ntfs-3g).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inode: Option<u64>,
    /// The segment archive that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Its name inside the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// A link's target, as stored (never followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    /// Details for people (errors, size changes while reading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When shodo handled it (host clock, UTC).
    pub at: String,
}

impl Row {
    /// True when a resumed run need not look at this path again.
    pub fn settled(&self) -> bool {
        self.reason.is_none_or(|r| !r.retryable())
    }
}

/// Reads the manifest rows (none when the file does not exist). A torn last line from an
/// interrupted append is ignored: the rows it held belong to a segment that was not finished.
pub fn read(path: &Path) -> Result<Vec<Row>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", path)(e)),
    };
    parse(path, &bytes)
}

/// The rows of a manifest's bytes (`path` names it in errors).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Row>> {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes[..end]
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_slice(l)
                .map_err(|e| Error::Corrupt { path: path.to_path_buf(), what: format!("line {}: {e}", i + 1) })
        })
        .collect()
}

/// Rows as JSON lines, each ending in a newline.
pub fn to_lines(rows: &[Row]) -> Result<String> {
    let mut out = String::new();
    for r in rows {
        let line =
            serde_json::to_string(r).map_err(|e| Error::Corrupt { path: MANIFEST.into(), what: e.to_string() })?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Merkle root of the manifest file's lines (as stored, without newlines).
pub fn root_of(path: &Path) -> Result<(String, usize)> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io("read", path)(e)),
    };
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    Ok((hash::merkle_root(&lines), lines.len()))
}

/// The latest row per path: what the manifest says now about each file.
pub fn latest(rows: &[Row]) -> BTreeMap<&str, &Row> {
    rows.iter().map(|r| (r.path.as_str(), r)).collect()
}
