//! Crash-safe writes: a whole file replaced by temp + fsync + rename + directory fsync, and
//! lines appended and fsynced. A pulled plug loses at most the write in progress.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Replaces `path` with `bytes` atomically: readers see the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = write_new(&tmp, bytes);
    if written.is_err() {
        // Leave no half-written temp file behind on a full stick.
        let _ = fs::remove_file(&tmp);
        return written;
    }
    fs::rename(&tmp, path).map_err(Error::io("rename", path))?;
    sync_dir(dir)
}

/// Creates `path`, which must not exist yet, with `bytes`, fsynced (and its directory too).
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_new(path, bytes)?;
    sync_dir(parent(path))
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path).map_err(Error::io("create", path))?;
    f.write_all(bytes).map_err(Error::io("write", path))?;
    f.sync_all().map_err(Error::io("sync", path))
}

/// Appends bytes in one write and fsyncs the data.
pub fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OpenOptions::new().append(true).create(true).open(path).map_err(Error::io("append", path))?;
    f.write_all(bytes).map_err(Error::io("append", path))?;
    f.sync_data().map_err(Error::io("sync", path))
}

/// Cuts a file back to `len` bytes and fsyncs it.
pub fn truncate(path: &Path, len: u64) -> Result<()> {
    let f = OpenOptions::new().write(true).open(path).map_err(Error::io("write", path))?;
    f.set_len(len).map_err(Error::io("write", path))?;
    f.sync_all().map_err(Error::io("sync", path))
}

/// Makes a directory and persists its entry in the parent.
pub fn mkdir(path: &Path) -> Result<()> {
    fs::create_dir(path).map_err(Error::io("mkdir", path))?;
    sync_dir(parent(path))
}

/// Fsyncs a directory so that created and renamed entries survive a power cut.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let d = File::open(dir).map_err(Error::io("open", dir))?;
    d.sync_all().map_err(Error::io("sync", dir))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_replace_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("case.toml");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn create_new_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        create_new(&p, b"a").unwrap();
        assert!(create_new(&p, b"b").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"a");
    }
}
