//! The case on the stick: its layout (every file name, [`layout`]), `case.toml`, the custody log, crash-safe writes, the
//! one-writer lock, status and verification.
//!
//! ```text
//! <case>/case.toml  custody.jsonl  custody.head  shodo.toml  endpoints/  backups/  reports/  merged/
//! ```
//! Everything that changes a case goes through [`CaseWriter`], which holds the lock and writes
//! the custody entry. Reading (`Case`, [`status`], [`verify`]) needs no lock and writes nothing.

mod atomic;
mod custody;
mod init;
pub mod layout;
mod lock;
mod merge;
mod merged;
mod meta;
mod status;
pub mod strings;
mod summary;
mod verify;

use std::path::{Path, PathBuf};

pub use atomic::{append, create_new, sync_dir, write_atomic};
pub use custody::{Entry, FileRef, Head, NewEntry, read_entries, read_head};
pub use init::{InitOptions, actor_of, init};
pub use lock::{CaseLock, holder, hostname};
pub use merge::{Merged, SameEndpoint, all_entries, merge};
pub use merged::{Item, ItemKind, MERGE_ACTION, Placement, items_of};
pub use meta::{CaseFile, CaseInfo, ClockInfo, HospitalInfo};
pub use status::subdirs;
pub use status::{Deadlines, Status, status};
pub use summary::contact_text;
pub use verify::{Problem, ProblemKind, VerifyReport, check_log_bytes, verify};

use crate::error::Result;

/// A case opened for reading.
#[derive(Clone, Debug)]
pub struct Case {
    dir: PathBuf,
    file: CaseFile,
}

impl Case {
    /// Opens the case at `dir` (reads `case.toml`).
    pub fn open(dir: &Path) -> Result<Case> {
        Ok(Case { dir: dir.to_path_buf(), file: CaseFile::load(dir)? })
    }

    /// The case directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `case.toml`.
    pub fn file(&self) -> &CaseFile {
        &self.file
    }
}

/// A case opened for writing: holds the lock; every change is recorded in the custody log.
#[derive(Debug)]
pub struct CaseWriter {
    case: Case,
    actor: String,
    _lock: CaseLock,
}

impl CaseWriter {
    /// Opens the case for writing as `actor`; refused while another process writes it.
    pub fn open(dir: &Path, actor: &str, purpose: &str) -> Result<CaseWriter> {
        let case = Case::open(dir)?;
        let lock = CaseLock::acquire(dir, purpose)?;
        Ok(CaseWriter { case, actor: actor.to_string(), _lock: lock })
    }

    /// Appends an action to the custody log (repairing a torn last line first).
    pub fn record(&self, entry: NewEntry) -> Result<Entry> {
        custody::Log::new(&self.case.dir).append(&self.actor, entry)
    }

    /// The case.
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// Who records.
    pub fn actor(&self) -> &str {
        &self.actor
    }
}
