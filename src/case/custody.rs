//! `custody.jsonl`: the hash-chained action log of a case.
//!
//! One JSON object per line; each carries the SHA-256 of the exact bytes of the line before it,
//! so any change, removal or reordering breaks the chain. `custody.head` (replaced atomically
//! after every append) holds the sequence number and hash of the last line, so cutting whole
//! lines off the end is detected too. An append torn by a kill leaves a last line without its
//! newline; the next append repairs it and records what it found, losing nothing.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::atomic;
use crate::case::layout::{HEAD_FILE, LOG_FILE};
use crate::clock;
use crate::error::{Error, Result};
use crate::hash::{self, ZERO, hex};

/// One line of the custody log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based position in the log.
    pub seq: u64,
    /// Host clock, UTC.
    pub utc: String,
    /// Host clock, JST.
    pub jst: String,
    /// Who did it (examiner).
    pub actor: String,
    /// What was done (`case.init`, `collect.finish`, …).
    pub action: String,
    /// What it was done to (case, endpoint id, device …).
    pub target: String,
    /// Free-form facts of the action.
    pub detail: Value,
    /// Files of the case whose content this entry vouches for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileRef>,
    /// SHA-256 of the previous line's bytes (zeros for the first line).
    pub prev_sha256: String,
}

/// A file of the case and its hash at the time of the entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// Path relative to the case directory, `/`-separated.
    pub path: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

impl FileRef {
    /// Hashes a file of the case (`rel` relative to `case_dir`).
    pub fn of(case_dir: &Path, rel: &str) -> Result<FileRef> {
        let path = case_dir.join(rel);
        let (sha256, size) = hash::sha256_file(&path).map_err(Error::io("read", &path))?;
        Ok(FileRef { path: rel.to_string(), sha256, size })
    }
}

/// What a caller records; the log adds sequence, times and chain.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// Facts of the action.
    pub detail: Value,
    /// Files the entry vouches for.
    pub files: Vec<FileRef>,
}

impl NewEntry {
    /// An entry with no file references.
    pub fn new(action: &str, target: &str, detail: Value) -> NewEntry {
        NewEntry { action: action.into(), target: target.into(), detail, files: Vec::new() }
    }

    /// Adds file references.
    pub fn with_files(mut self, files: Vec<FileRef>) -> NewEntry {
        self.files = files;
        self
    }
}

/// `custody.head`: the last line as the last successful append left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Sequence number of the last line.
    pub seq: u64,
    /// SHA-256 of the last line.
    pub sha256: String,
}

/// The log split into complete lines and a torn remainder.
pub(crate) struct Split<'a> {
    /// Complete lines, without their newline.
    pub lines: Vec<&'a [u8]>,
    /// Bytes after the last newline (a torn append), possibly empty.
    pub torn: &'a [u8],
}

pub(crate) fn split(bytes: &[u8]) -> Split<'_> {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let lines = if end == 0 { Vec::new() } else { bytes[..end - 1].split(|&b| b == b'\n').collect() };
    Split { lines, torn: &bytes[end..] }
}

/// The log of one case, for appending. Callers hold the case lock (see `CaseWriter`).
pub(crate) struct Log<'a> {
    dir: &'a Path,
}

/// Where the log ends: what the next entry chains onto.
struct Tail {
    seq: u64,
    sha256: String,
    /// What the last complete line chains onto (the hash of the line before it).
    prev_sha256: Option<String>,
    complete_len: u64,
    torn: Vec<u8>,
}

impl<'a> Log<'a> {
    pub fn new(dir: &'a Path) -> Log<'a> {
        Log { dir }
    }

    /// Appends an entry (repairing a torn last line first) and moves the head.
    pub fn append(&self, actor: &str, new: NewEntry) -> Result<Entry> {
        let mut tail = self.tail()?;
        self.catch_up_head(&tail)?;
        if !tail.torn.is_empty() {
            self.repair(actor, &tail)?;
            tail = self.tail()?;
        }
        self.write_entry(actor, new, &tail)
    }

    fn write_entry(&self, actor: &str, new: NewEntry, tail: &Tail) -> Result<Entry> {
        let now = clock::now();
        let entry = Entry {
            seq: tail.seq + 1,
            utc: clock::utc_string(now),
            jst: clock::jst_string(now),
            actor: actor.to_string(),
            action: new.action,
            target: new.target,
            detail: new.detail,
            files: new.files,
            prev_sha256: tail.sha256.clone(),
        };
        let line = serde_json::to_string(&entry).map_err(|e| self.corrupt(e.to_string()))?;
        atomic::append(&self.path(), format!("{line}\n").as_bytes())?;
        self.write_head(&Head { seq: entry.seq, sha256: hash::sha256_hex(line.as_bytes()) })?;
        Ok(entry)
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.join(LOG_FILE)
    }

    fn corrupt(&self, what: String) -> Error {
        Error::Corrupt { path: self.path(), what }
    }

    fn tail(&self) -> Result<Tail> {
        let path = self.path();
        let (bytes, offset) = read_end(&path)?;
        let split = split(&bytes);
        let complete_len = offset + (bytes.len() - split.torn.len()) as u64;
        let (seq, sha256, prev_sha256) = match split.lines.last() {
            None => (0, ZERO.to_string(), None),
            Some(last) => {
                let entry = serde_json::from_slice::<Entry>(last).ok();
                let seq = entry.as_ref().map_or(0, |e| e.seq);
                (seq, hash::sha256_hex(last), entry.map(|e| e.prev_sha256))
            }
        };
        Ok(Tail { seq, sha256, prev_sha256, complete_len, torn: split.torn.to_vec() })
    }

    /// Mends a torn last line: completes it when it is a whole, correctly chained entry that only
    /// lacks its newline; otherwise cuts it off and keeps its bytes in the repair entry.
    fn repair(&self, actor: &str, tail: &Tail) -> Result<()> {
        let torn = tail.torn.clone();
        let whole = serde_json::from_slice::<Entry>(&torn)
            .ok()
            .filter(|e| e.seq == tail.seq + 1 && e.prev_sha256 == tail.sha256);
        let detail = match whole {
            Some(entry) => {
                atomic::append(&self.path(), b"\n")?;
                json!({ "repair": "completed", "line": entry.seq,
                        "reason": "the line was whole but its newline was not written (interrupted append)" })
            }
            None => {
                atomic::truncate(&self.path(), tail.complete_len)?;
                json!({ "repair": "cut", "line": tail.seq + 1, "offset": tail.complete_len,
                        "torn_bytes": torn.len(), "torn_sha256": hash::sha256_hex(&torn),
                        "torn_text": String::from_utf8(torn.clone()).ok(),
                        "torn_hex": std::str::from_utf8(&torn).is_err().then(|| hex(&torn)),
                        "reason": "an interrupted append left an incomplete line; its bytes are kept here" })
            }
        };
        let fresh = self.tail()?;
        self.write_entry(actor, NewEntry::new("custody.repair", LOG_FILE, detail), &fresh).map(drop)
    }

    /// A writer killed between its append and its head update leaves the head one line behind,
    /// pointing at exactly the line the last line chains onto. The head is moved to the last line
    /// before anything else is written, so a second such kill can never leave it two lines behind
    /// (which `verify` could not tell from lines added by someone else). Any other disagreement is
    /// left as it is for `verify` to report.
    fn catch_up_head(&self, tail: &Tail) -> Result<()> {
        let Ok(Some(head)) = read_head(self.dir) else { return Ok(()) };
        let lags_one = head.seq + 1 == tail.seq && tail.prev_sha256.as_deref() == Some(head.sha256.as_str());
        if lags_one { self.write_head(&Head { seq: tail.seq, sha256: tail.sha256.clone() }) } else { Ok(()) }
    }

    fn write_head(&self, head: &Head) -> Result<()> {
        let json = serde_json::to_vec(head).map_err(|e| self.corrupt(e.to_string()))?;
        atomic::write_atomic(&self.dir.join(HEAD_FILE), &json)
    }
}

/// Reads `custody.head`, if present.
pub fn read_head(dir: &Path) -> Result<Option<Head>> {
    let path = dir.join(HEAD_FILE);
    match fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| Error::Corrupt { path, what: e.to_string() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", &path)(e)),
    }
}

/// Reads every parseable entry of the log (for status and reports; `verify` judges integrity).
pub fn read_entries(dir: &Path) -> Result<Vec<Entry>> {
    let path = dir.join(LOG_FILE);
    let bytes = fs::read(&path).map_err(Error::io("read", &path))?;
    Ok(split(&bytes).lines.iter().filter_map(|l| serde_json::from_slice(l).ok()).collect())
}

/// Reads the end of the log: at least the last complete line and any torn remainder, without
/// reading the whole file. Returns the bytes and their offset in the file; when the window does
/// not start at 0, its first (partial) line is dropped.
fn read_end(path: &Path) -> Result<(Vec<u8>, u64)> {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(Error::io("read", path)(e)),
    };
    let len = file.metadata().map_err(Error::io("read", path))?.len();
    let mut window = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = Vec::with_capacity((len - start) as usize);
        file.seek(SeekFrom::Start(start)).map_err(Error::io("read", path))?;
        (&mut file).take(len - start).read_to_end(&mut buf).map_err(Error::io("read", path))?;
        if start == 0 {
            return Ok((buf, 0));
        }
        // Two newlines in the window mean the last complete line is whole.
        let newlines: Vec<usize> =
            buf.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).rev().take(2).collect();
        if let [_, before_last] = newlines[..] {
            let cut = before_last + 1;
            return Ok((buf.split_off(cut), start + cut as u64));
        }
        window *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(log: &Log, n: u32) -> Entry {
        log.append("tester", NewEntry::new("note", "-", json!({ "n": n }))).unwrap()
    }

    #[test]
    fn a_head_one_line_behind_is_caught_up_before_the_next_line_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::new(dir.path());
        note(&log, 1);
        let behind = read_head(dir.path()).unwrap().unwrap();
        note(&log, 2);
        // The state a writer killed between its append and its head update leaves.
        log.write_head(&behind).unwrap();
        let tail = log.tail().unwrap();
        log.catch_up_head(&tail).unwrap();
        assert_eq!(read_head(dir.path()).unwrap().unwrap(), Head { seq: 2, sha256: tail.sha256 });
    }

    #[test]
    fn any_other_disagreement_is_left_for_verify() {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::new(dir.path());
        note(&log, 1);
        let two_behind = read_head(dir.path()).unwrap().unwrap();
        note(&log, 2);
        note(&log, 3);
        let wrong_hash = Head { seq: 2, sha256: ZERO.to_string() };
        for head in [two_behind, wrong_hash] {
            log.write_head(&head).unwrap();
            log.catch_up_head(&log.tail().unwrap()).unwrap();
            assert_eq!(read_head(dir.path()).unwrap().unwrap(), head);
        }
    }
}
