//! Where checked-off steps are written: the case's custody log when a case is open, else a
//! record file of its own (staff at 3 a.m. have no case yet; the responders read the file and
//! can keep it with the case). Either way each line carries JST and UTC time and who did it.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Playbook, Step};
use crate::case::{self, CaseWriter};
use crate::clock;
use crate::error::Result;

/// The record that checks go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorder {
    /// The case's custody log, as `actor`.
    Case {
        /// Case directory.
        dir: PathBuf,
        /// Who checks steps off.
        actor: String,
    },
    /// A JSON-lines file of its own (appended, fsynced).
    File(PathBuf),
}

impl Recorder {
    /// Records one step checked off (or taken back); returns the JST time recorded.
    pub fn check(&self, pb: &Playbook, step: &Step, done: bool, note: Option<&str>) -> Result<String> {
        match self {
            Recorder::Case { dir, actor } => {
                let writer = CaseWriter::open(dir, actor, "playbook")?;
                Ok(super::check(&writer, pb, step, done, note)?.jst)
            }
            Recorder::File(path) => append_line(path, pb, step, done, note),
        }
    }

    /// Where the record is, for people.
    pub fn path(&self) -> &Path {
        match self {
            Recorder::Case { dir, .. } => dir,
            Recorder::File(p) => p,
        }
    }
}

fn append_line(path: &Path, pb: &Playbook, step: &Step, done: bool, note: Option<&str>) -> Result<String> {
    let now = clock::now();
    let jst = clock::jst_string(now);
    let line = json!({
        "utc": clock::utc_string(now),
        "jst": jst,
        "host": case::hostname(),
        "action": if done { super::CHECK } else { super::UNCHECK },
        "playbook": pb.id,
        "version": pb.version,
        "step": step.id,
        "title": step.title.ja,
        "note": note.filter(|n| !n.trim().is_empty()),
    });
    case::append(path, format!("{line}\n").as_bytes())?;
    Ok(jst)
}
