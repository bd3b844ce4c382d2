//! Evidence archives written in segments: `evidence-0001.zip`, `evidence-0002.zip`, …
//!
//! A segment is written as `*.zip.partial`, finished (central directory, its own copy of its
//! manifest rows), fsynced and only then renamed. A crash or a full stick therefore costs at most
//! the unfinished segment, which a resumed run discards and collects again; every finished one
//! stays a valid zip that any tool opens.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::{self, Row};
use crate::case;
use crate::case::layout::MANIFEST;
use crate::error::{Error, Result};
use crate::progress::Progress;

const BUF: usize = 1 << 20;
const PARTIAL: &str = ".partial";

/// Why copying one file failed.
#[derive(Debug)]
pub enum CopyError {
    /// The source could not be read after `read` bytes: a per-file problem, the run goes on.
    Read { error: io::Error, read: u64 },
    /// The evidence could not be written: the run stops.
    Write(Error),
}

/// The segment being written.
pub struct Segment {
    name: String,
    partial: PathBuf,
    zip: Option<ZipWriter<Sink>>,
    discard: Arc<AtomicBool>,
    rows: Vec<Row>,
    bytes: u64,
}

/// The archive file, which can be told to swallow everything: a segment abandoned after an error
/// must not be "finalised" by the zip writer's destructor (on a full stick that fails again and
/// complains on stderr). Its `.partial` file stays as it is, and a resumed run discards it.
struct Sink {
    file: BufWriter<File>,
    discard: Arc<AtomicBool>,
    /// Current and highest position, kept so that a discarding sink still seeks consistently.
    pos: u64,
    end: u64,
}

impl Sink {
    fn discarding(&self) -> bool {
        self.discard.load(Ordering::Relaxed)
    }

    fn moved(&mut self, pos: u64) -> u64 {
        self.pos = pos;
        self.end = self.end.max(pos);
        pos
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = if self.discarding() { buf.len() } else { self.file.write(buf)? };
        self.moved(self.pos + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.discarding() { Ok(()) } else { self.file.flush() }
    }
}

impl Seek for Sink {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if !self.discarding() {
            let pos = self.file.seek(to)?;
            return Ok(self.moved(pos));
        }
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.end.checked_add_signed(d),
        };
        pos.map(|p| self.moved(p)).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // Reached only when the segment was not finished: abandon it.
        self.discard.store(true, Ordering::Relaxed);
    }
}

/// Name of segment `index`.
pub fn name(index: u32) -> String {
    format!("evidence-{index:04}.zip")
}

/// Index of a finished segment's file name.
pub fn index_of(file_name: &str) -> Option<u32> {
    file_name.strip_prefix("evidence-")?.strip_suffix(".zip")?.parse().ok()
}

/// True for the name of a segment a crash left unfinished.
pub fn is_partial(file_name: &str) -> bool {
    file_name.starts_with("evidence-") && file_name.ends_with(&format!(".zip{PARTIAL}"))
}

impl Segment {
    /// Starts segment `index` in `dir`.
    pub fn create(dir: &Path, index: u32) -> Result<Segment> {
        let name = name(index);
        let partial = dir.join(format!("{name}{PARTIAL}"));
        let file =
            File::options().write(true).create_new(true).open(&partial).map_err(Error::io("create", &partial))?;
        let discard = Arc::new(AtomicBool::new(false));
        let sink = Sink { file: BufWriter::with_capacity(BUF, file), discard: discard.clone(), pos: 0, end: 0 };
        Ok(Segment { name, partial, zip: Some(ZipWriter::new(sink)), discard, rows: Vec::new(), bytes: 0 })
    }

    /// The finished file name of this segment.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes of file content written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Copies `src` into the archive as `entry`, hashing on the same pass.
    pub fn copy(
        &mut self,
        entry: &str,
        src: &mut dyn Read,
        size_hint: u64,
        modified: Option<DateTime<Utc>>,
        progress: &dyn Progress,
    ) -> std::result::Result<(String, u64), CopyError> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(size_hint >= u64::from(u32::MAX) - (64 << 20))
            .last_modified_time(modified.and_then(dos_time).unwrap_or_default());
        let partial = self.partial.clone();
        let zip = self.zip.as_mut().ok_or_else(|| CopyError::Write(finished(&partial)))?;
        zip.start_file(entry, options).map_err(|e| CopyError::Write(zip_error(&partial, e)))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; BUF];
        let mut read = 0u64;
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    zip.abort_file().map_err(|e| CopyError::Write(zip_error(&partial, e)))?;
                    return Err(CopyError::Read { error, read });
                }
            };
            hasher.update(&buf[..n]);
            zip.write_all(&buf[..n]).map_err(|e| CopyError::Write(Error::io("write", &partial)(e)))?;
            read += n as u64;
            progress.advance(0, n as u64);
        }
        self.bytes += read;
        Ok((format!("{:x}", hasher.finalize()), read))
    }

    /// Adds a manifest row (for every file considered, collected or not).
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Finishes the archive: its own manifest inside, central directory, fsync, rename.
    /// Returns the finished name and the rows it holds.
    pub fn finish(mut self, dir: &Path) -> Result<(String, Vec<Row>)> {
        let lines = manifest::to_lines(&self.rows)?;
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let partial = self.partial.clone();
        let mut zip = self.zip.take().ok_or_else(|| finished(&partial))?;
        zip.start_file(MANIFEST, options).map_err(|e| zip_error(&partial, e))?;
        zip.write_all(lines.as_bytes()).map_err(Error::io("write", &partial))?;
        let sink = zip.finish().map_err(|e| zip_error(&partial, e))?;
        let file = sink.file.into_inner().map_err(|e| Error::io("write", &partial)(e.into_error()))?;
        file.sync_all().map_err(Error::io("sync", &partial))?;
        let done = dir.join(&self.name);
        fs::rename(&partial, &done).map_err(Error::io("rename", &done))?;
        case::sync_dir(dir)?;
        Ok((std::mem::take(&mut self.name), std::mem::take(&mut self.rows)))
    }
}

fn finished(path: &Path) -> Error {
    Error::Corrupt { path: path.to_path_buf(), what: "segment already finished".into() }
}

fn zip_error(path: &Path, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => Error::io("write", path)(io),
        other => Error::Corrupt { path: path.to_path_buf(), what: other.to_string() },
    }
}

/// The rows a finished segment carries inside (to recover a segment whose rows never reached the
/// manifest beside it).
pub fn inner_rows(path: &Path) -> Result<Vec<Row>> {
    let file = File::open(path).map_err(Error::io("open", path))?;
    let corrupt = |what: String| Error::Corrupt { path: path.to_path_buf(), what };
    let mut archive = zip::ZipArchive::new(file).map_err(|e| corrupt(e.to_string()))?;
    let mut inner = archive.by_name(MANIFEST).map_err(|e| corrupt(e.to_string()))?;
    let mut text = Vec::new();
    inner.read_to_end(&mut text).map_err(Error::io("read", path))?;
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).map_err(|e| corrupt(e.to_string())))
        .collect()
}

/// DOS time for the zip header (local-time field; we store UTC, 1980–2107 only).
fn dos_time(t: DateTime<Utc>) -> Option<zip::DateTime> {
    let (y, mo, d) = (u16::try_from(t.year()).ok()?, t.month() as u8, t.day() as u8);
    zip::DateTime::from_date_and_time(y, mo, d, t.hour() as u8, t.minute() as u8, t.second() as u8).ok()
}
