//! One writer per case: an advisory lock on `<case>/shodo.lock`, released when the process ends
//! (even when killed), so a crash never leaves a stale lock behind.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::case::layout::LOCK_FILE;
use crate::clock;
use crate::error::{Error, Result};

/// How many more times a held lock is asked for, 10 ms apart, before it is refused.
const LOCK_TRIES: u32 = 30;

/// The held lock; dropping it releases the case.
#[derive(Debug)]
pub struct CaseLock {
    _file: File,
    path: PathBuf,
}

impl CaseLock {
    /// Takes the case's lock or says who holds it.
    pub fn acquire(case_dir: &Path, purpose: &str) -> Result<CaseLock> {
        let path = case_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(Error::io("open", &path))?;
        // A lock just released can stay held for a moment: a process this one starts (a tool,
        // on another thread) shares the open lock file from its fork until its exec closes it.
        // So a held lock is asked again for a short while before it is refused.
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if tries < LOCK_TRIES => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked { path: case_dir.to_path_buf(), holder: holder_of(&path) });
                }
                Err(TryLockError::Error(e)) => return Err(Error::io("lock", &path)(e)),
            }
        }
        let who = format!(
            "pid {} on {} since {} ({purpose})",
            std::process::id(),
            hostname(),
            clock::jst_display(clock::now())
        );
        file.set_len(0).map_err(Error::io("write", &path))?;
        file.write_all(who.as_bytes()).map_err(Error::io("write", &path))?;
        Ok(CaseLock { _file: file, path })
    }

    /// Path of the lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds the lock of a case right now, if anyone (without taking it).
pub fn holder(case_dir: &Path) -> Option<String> {
    let path = case_dir.join(LOCK_FILE);
    let file = File::open(&path).ok()?;
    match file.try_lock_shared() {
        Err(TryLockError::WouldBlock) => Some(holder_of(&path)),
        _ => None,
    }
}

fn holder_of(path: &Path) -> String {
    fs::read_to_string(path).ok().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "unknown process".into())
}

/// The name of the machine shodo runs on.
pub fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = CaseLock::acquire(dir.path(), "test").unwrap();
        let err = CaseLock::acquire(dir.path(), "second").unwrap_err();
        assert!(matches!(err, Error::Locked { ref holder, .. } if holder.contains("test")), "{err}");
        assert!(holder(dir.path()).is_some());
        drop(first);
        assert!(holder(dir.path()).is_none());
        assert!(CaseLock::acquire(dir.path(), "third").is_ok());
    }
}
